//! What every handler borrows: the store, the authenticator and the clock, built once per cold
//! start so the SDK client's connection pool and the caches survive across warm invocations.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gateway_auth::{ApiKeyVerifier, Authenticator, LoginConfig, LoginVerifier};
use gateway_aws::SdkTimeouts;
use gateway_config::{ConfigError, Settings};
use gateway_domain::{Clock, SystemClock};
use gateway_store::Store;

use crate::owners::SessionOwners;

pub struct Services {
    pub store: Store,
    pub auth: Authenticator,
    pub clock: Arc<dyn Clock>,
    pub(crate) owners: SessionOwners,
}

impl Services {
    pub fn new(store: Store, login: LoginVerifier, clock: Arc<dyn Clock>) -> Self {
        let api_keys = ApiKeyVerifier::new(store.clone(), clock.clone());
        Self {
            auth: Authenticator::new(api_keys, login),
            store,
            clock,
            owners: SessionOwners::default(),
        }
    }

    /// From the environment: `GATEWAY_TABLE`, the login settings, and Lambda's region and
    /// credentials ([`gateway_aws`]).
    pub async fn from_env() -> Result<Self, ConfigError> {
        Self::from_settings(&Settings::from_env()).await
    }

    pub async fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let table = settings.required("GATEWAY_TABLE")?;
        let login = LoginConfig::from_settings(settings)?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let sdk = gateway_aws::from_settings(settings, &SdkTimeouts::default())?;
        let store = Store::connect(table, &sdk);
        if init_is_off_the_request_path(settings) {
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
fn init_is_off_the_request_path(settings: &Settings) -> bool {
    settings
        .optional("AWS_LAMBDA_INITIALIZATION_TYPE")
        .ok()
        .flatten()
        .as_deref()
        == Some("provisioned-concurrency")
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
        let with = |value| Settings::from_pairs(&[("AWS_LAMBDA_INITIALIZATION_TYPE", value)]);
        assert!(init_is_off_the_request_path(&with(
            "provisioned-concurrency"
        )));
        assert!(!init_is_off_the_request_path(&with("on-demand")));
        assert!(!init_is_off_the_request_path(&with("snap-start")));
        assert!(!init_is_off_the_request_path(&Settings::from_pairs(&[])));
    }
}
