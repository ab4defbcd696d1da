use std::sync::Arc;

use gateway_auth::{ApiKeyVerifier, Authenticator, LoginConfig, LoginVerifier, Principal};
use gateway_domain::{Capability, Clock, SystemClock};
use gateway_errors::ApiError;
use gateway_store::{Store, StoreConfig};
use lambda_http::Request;

use crate::{ConfigError, authorization, env_required, log_principal};

/// What every handler borrows: built once per cold start, so the SDK client's connection pool
/// and the authentication caches survive across warm invocations.
pub struct Services {
    pub store: Store,
    pub auth: Authenticator,
    pub clock: Arc<dyn Clock>,
}

impl Services {
    pub fn new(store: Store, login: LoginVerifier, clock: Arc<dyn Clock>) -> Self {
        let api_keys = ApiKeyVerifier::new(store.clone(), clock.clone());
        Self {
            auth: Authenticator::new(api_keys, login),
            store,
            clock,
        }
    }

    /// Who calls, and may they: 401, then 403. The organization goes on the request's log line.
    pub async fn authorize(
        &self,
        req: &Request,
        capability: Capability,
    ) -> Result<Principal, ApiError> {
        let principal = self.auth.authenticate(authorization(req)).await?;
        log_principal(&principal);
        principal.require(capability)?;
        Ok(principal)
    }

    /// From the environment: `GATEWAY_TABLE`, the login settings, and the AWS SDK's own.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = env_required("GATEWAY_TABLE")?;
        let login = LoginConfig::from_env().map_err(|e| ConfigError::new(e.var, e.problem))?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let store = Store::connect(table, &StoreConfig::default()).await;
        Ok(Self::new(
            store,
            LoginVerifier::new(login, clock.clone()),
            clock,
        ))
    }
}
