//! What the live functions share: the connection service on top of the common services, and
//! how what WhatsApp answered becomes stored data.

use std::future::Future;
use std::time::Instant;

use gateway_connection::{ConnectionClient, LiveGroup};
use gateway_http::{ConfigError, Services};
use gateway_store::GroupSnapshot;

/// Services of a function that acts on WhatsApp. Built once per cold start; the connection
/// secret is read at first use, not here.
pub struct LiveServices {
    pub services: Services,
    pub connection: ConnectionClient,
}

impl LiveServices {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let services = Services::from_env().await?;
        let connection = ConnectionClient::from_env().map_err(|e| match e {
            gateway_connection::ConfigError::Missing(name) => {
                ConfigError::new(name, "is required but not set")
            }
            gateway_connection::ConfigError::Invalid { name, reason } => {
                ConfigError::new(name, reason)
            }
            other => ConfigError::new(gateway_connection::URL_VAR, other.to_string()),
        })?;
        Ok(Self {
            services,
            connection,
        })
    }
}

/// Runs `work` only as long as `deadline` allows: after a live call, storing must still end
/// in our own answer, not in Lambda's timeout. `None` when time ran out.
pub async fn before<T>(deadline: Instant, work: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), work)
        .await
        .ok()
}

/// What WhatsApp holds, ready to store; its version keeps an older answer from overwriting
/// a newer one.
pub fn snapshot(live: &LiveGroup) -> GroupSnapshot {
    GroupSnapshot {
        group_jid: live.group_jid.clone(),
        subject: live.subject.clone(),
        description: live.description.clone(),
        owner_jid: live.owner_jid.clone(),
        participant_count: live.participant_count,
        is_announce: live.is_announce,
        is_locked: live.is_locked,
        created_at_wa: live.created_at,
        version: Some(live.version),
    }
}
