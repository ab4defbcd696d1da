//! What the live functions share: the connection service on top of the common services, the
//! gate every live operation passes (the session is the caller's, its pacing budget has room),
//! storing what WhatsApp answered within the invocation's deadline, idempotency keys, and
//! participant lists and results.

pub mod idempotency;
pub mod members;
mod participants;
mod results;

use std::future::Future;
use std::time::Instant;

use gateway_config::{ConfigError, Settings};
use gateway_connection::{ConnectionClient, LiveGroup};
use gateway_domain::{Group, GroupSnapshot, SessionId};
use gateway_errors::{ApiError, BoxError};
use gateway_http::{Admitted, Services};
use gateway_store::{Applied, EventTarget, Gate, KnownMembers, Pace, Snapshot};

pub use idempotency::{IdempotencyKey, once_per_key};
pub use participants::{MAX_PARTICIPANTS, check_participants};
pub use results::{AddResult, AddResults, AddStatus, InviteOffer};

/// Per-session budgets of live operations: they protect the WhatsApp account (bursts of group
/// creates and adds get accounts banned) and every other tenant's share of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    pub creates: Option<Pace>,
    pub adds: Option<Pace>,
}

pub const CREATES_PER_HOUR_VAR: &str = "GATEWAY_PACE_CREATES_PER_HOUR";
pub const ADDS_PER_MINUTE_VAR: &str = "GATEWAY_PACE_ADDS_PER_MINUTE";

impl Pacing {
    /// 20 groups created per hour, 60 people added per minute, per session.
    pub const DEFAULT: Pacing = Pacing {
        creates: Some(Pace {
            name: "create",
            limit: 20,
            window_ms: 3_600_000,
        }),
        adds: Some(Pace {
            name: "add",
            limit: 60,
            window_ms: 60_000,
        }),
    };

    /// No budget at all.
    pub const OFF: Pacing = Pacing {
        creates: None,
        adds: None,
    };

    /// `GATEWAY_PACE_CREATES_PER_HOUR`, `GATEWAY_PACE_ADDS_PER_MINUTE` (0 turns one off).
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let budget = |name, default: Option<Pace>| -> Result<Option<Pace>, ConfigError> {
            let limit = settings.parsed(name, |raw| {
                raw.parse::<u32>()
                    .map_err(|_| "must be a whole number (0 turns the budget off)")
            })?;
            Ok(match (limit, default) {
                (None, default) => default,
                (Some(0), _) => None,
                (Some(limit), Some(pace)) => Some(Pace { limit, ..pace }),
                (Some(_), None) => None,
            })
        };
        Ok(Self {
            creates: budget(CREATES_PER_HOUR_VAR, Self::DEFAULT.creates)?,
            adds: budget(ADDS_PER_MINUTE_VAR, Self::DEFAULT.adds)?,
        })
    }
}

/// Services of a function that acts on WhatsApp. Built once per cold start; the connection
/// secret is read at first use, not here.
pub struct LiveServices {
    pub services: Services,
    pub connection: ConnectionClient,
    pub pacing: Pacing,
}

impl LiveServices {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let settings = Settings::from_env();
        Ok(Self {
            services: Services::from_settings(&settings).await?,
            connection: ConnectionClient::from_settings(&settings)?,
            pacing: Pacing::from_settings(&settings)?,
        })
    }

    /// The gate of a live operation, in one write on the session item: 404 unless the session
    /// is the caller's, 429 (`details.scope: "session"`) when `pace` has no room for `cost`
    /// more, and the group id when `take_group_id`.
    pub async fn gate<T>(
        &self,
        admitted: &Admitted<T>,
        pace: Option<&Pace>,
        cost: u32,
        take_group_id: bool,
    ) -> Result<Option<u64>, ApiError> {
        let services = &self.services;
        let now = services.clock.now_ms();
        if pace.is_none() && !take_group_id {
            services.check_session(admitted).await?;
            return Ok(None);
        }
        let gate = services
            .store
            .gate_live(
                &admitted.session,
                &admitted.principal.org,
                pace.map(|p| (p, cost)),
                take_group_id,
                now,
            )
            .await?;
        match gate {
            Gate::Open { group_id } => Ok(group_id),
            Gate::NotFound => Err(ApiError::NotFound("session not found")),
            Gate::Paced { retry_after_ms } => Err(ApiError::RateLimited {
                retry_after_s: Some(u64::try_from(retry_after_ms).unwrap_or(0).div_ceil(1000)),
                scope: Some("session"),
            }),
        }
    }

    /// Stores a group's fields as WhatsApp answered a change of them, unless a newer version
    /// is stored, as long as `deadline` allows: after a live call, storing must still end in
    /// our own answer, not in Lambda's timeout. The error says why it was not stored.
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

    /// Stores the whole group WhatsApp answered (members included) as a snapshot, at once: the
    /// event the change triggers then changes nothing further. A new group takes `new_id`
    /// (taken at the gate) or the session's next one.
    pub async fn store_group(
        &self,
        session: &SessionId,
        live: &LiveGroup,
        target: EventTarget,
        new_id: Option<u64>,
        known_members: Option<&KnownMembers>,
        deadline: Instant,
    ) -> Result<Option<Group>, BoxError> {
        let services = &self.services;
        let now = services.clock.now_ms();
        let group = GroupSnapshot::from(live);
        let snapshot = Snapshot {
            group: &group,
            participants: &live.participants,
            at: now,
            known_members,
        };
        let store = services
            .store
            .apply_snapshot(session, target, &snapshot, new_id, now);
        match within(deadline, Box::pin(store)).await {
            Some(Ok(Applied::Stored(group))) => Ok(Some(group)),
            Some(Ok(_)) => Ok(None),
            Some(Err(error)) => Err(error.into()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_come_from_settings_and_zero_turns_one_off() {
        assert_eq!(
            Pacing::from_settings(&Settings::from_pairs(&[])).unwrap(),
            Pacing::DEFAULT
        );
        let pacing = Pacing::from_settings(&Settings::from_pairs(&[
            (CREATES_PER_HOUR_VAR, "0"),
            (ADDS_PER_MINUTE_VAR, "5"),
        ]))
        .unwrap();
        assert_eq!(pacing.creates, None);
        assert_eq!(pacing.adds.map(|p| p.limit), Some(5));
        let error = Pacing::from_settings(&Settings::from_pairs(&[(ADDS_PER_MINUTE_VAR, "x")]))
            .unwrap_err();
        assert_eq!(error.name, ADDS_PER_MINUTE_VAR);
    }
}
