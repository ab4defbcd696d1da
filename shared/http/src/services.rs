use std::sync::Arc;
use std::time::{Duration, Instant};

use gateway_auth::{ApiKeyVerifier, Authenticator, LoginConfig, LoginVerifier, Principal};
use gateway_aws::SdkTimeouts;
use gateway_domain::{Capability, Clock, SystemClock};
use gateway_errors::ApiError;
use gateway_store::Store;
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

    /// From the environment: `GATEWAY_TABLE`, the login settings, and Lambda's region and
    /// credentials ([`gateway_aws`]).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let table = env_required("GATEWAY_TABLE")?;
        let login = LoginConfig::from_env().map_err(|e| ConfigError::new(e.var, e.problem))?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let sdk = gateway_aws::from_env(&SdkTimeouts::default())
            .map_err(|missing| ConfigError::new(missing.0, "is required but not set"))?;
        let store = Store::connect(table, &sdk);
        if init_is_off_the_request_path(|name| std::env::var(name).ok()) {
            open_connection(&store).await;
        }
        Ok(Self::new(
            store,
            LoginVerifier::new(login, clock.clone()),
            clock,
        ))
    }
}

/// Under provisioned concurrency Lambda runs init ahead of any request, so work done there is
/// free for callers; on demand, init and the first request are both on the caller's path.
fn init_is_off_the_request_path(lookup: impl Fn(&str) -> Option<String>) -> bool {
    lookup("AWS_LAMBDA_INITIALIZATION_TYPE").as_deref() == Some("provisioned-concurrency")
}

/// At most this long, so a slow DynamoDB cannot hold up init: the first request connects then.
const PRIME_WITHIN: Duration = Duration::from_millis(1500);

async fn open_connection(store: &Store) {
    let started = Instant::now();
    match tokio::time::timeout(PRIME_WITHIN, store.open_connection()).await {
        Ok(Ok(())) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            tracing::info!(ms, "DynamoDB connection opened during init");
        }
        Ok(Err(error)) => tracing::warn!(%error, "DynamoDB connection not opened during init"),
        Err(_) => tracing::warn!(?PRIME_WITHIN, "DynamoDB connection not opened during init"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_provisioned_concurrency_primes() {
        let with = |value: &'static str| {
            move |name: &str| (name == "AWS_LAMBDA_INITIALIZATION_TYPE").then(|| value.to_owned())
        };
        assert!(init_is_off_the_request_path(with(
            "provisioned-concurrency"
        )));
        assert!(!init_is_off_the_request_path(with("on-demand")));
        assert!(!init_is_off_the_request_path(with("snap-start")));
        assert!(!init_is_off_the_request_path(|_: &str| None));
    }
}
