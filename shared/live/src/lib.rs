//! What the live functions share: the connection service on top of the common services, and
//! storing what WhatsApp answered within the invocation's deadline.

pub mod idempotency;
mod participants;

use std::future::Future;
use std::time::Instant;

use gateway_config::{ConfigError, Settings};
use gateway_connection::{ConnectionClient, LiveGroup};
use gateway_domain::{Group, GroupSnapshot, SessionId};
use gateway_errors::BoxError;
use gateway_http::Services;

pub use idempotency::{IdempotencyKey, once_per_key};
pub use participants::{MAX_PARTICIPANTS, check_participants};

/// Services of a function that acts on WhatsApp. Built once per cold start; the connection
/// secret is read at first use, not here.
pub struct LiveServices {
    pub services: Services,
    pub connection: ConnectionClient,
}

impl LiveServices {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let settings = Settings::from_env();
        Ok(Self {
            services: Services::from_settings(&settings).await?,
            connection: ConnectionClient::from_settings(&settings)?,
        })
    }

    /// Stores the group as WhatsApp answered it, unless a newer version is stored, as long as
    /// `deadline` allows: after a live call, storing must still end in our own answer, not in
    /// Lambda's timeout. The error says why it was not stored.
    pub async fn store_latest(
        &self,
        session: &SessionId,
        live: &LiveGroup,
        deadline: Instant,
    ) -> Result<Group, BoxError> {
        let services = &self.services;
        let snapshot = GroupSnapshot::from(live);
        let upsert = services
            .store
            .upsert_group(session, &snapshot, services.clock.now_ms());
        match within(deadline, upsert).await {
            Some(result) => result.map_err(BoxError::from),
            None => Err("storing the group ran out of time".into()),
        }
    }
}

/// `work`'s output, or `None` when `deadline` passed first.
pub async fn within<T>(deadline: Instant, work: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), work)
        .await
        .ok()
}
