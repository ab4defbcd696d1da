//! The opening every handler shares, in the contract's order of checks: who calls and may
//! they (401, 403), the body's size (413), the session and the rest of the path, query and
//! body (400), then whether the session is stored and the caller's (404, identical for a
//! session of another organization).

use std::time::Instant;

use gateway_auth::Principal;
use gateway_domain::{Capability, Group, GroupJid, SessionId};
use gateway_errors::ApiError;
use gateway_store::StoredGroup;
use lambda_http::Request;

use crate::{Inputs, Services, authorization, log_principal, log_session};

/// A request past its opening checks.
#[derive(Debug)]
pub struct Admitted<T> {
    pub principal: Principal,
    pub session: SessionId,
    /// What the handler read from the request (path, query, body).
    pub input: T,
    /// When the invocation must have answered.
    pub deadline: Instant,
}

impl<T> Admitted<T> {
    /// When the operation's own work (the live call, storing its answer) must be done: the
    /// deadline less [`crate::FINISH_RESERVE`] for the idempotency record and the answer.
    pub fn work_deadline(&self) -> Instant {
        self.deadline
            .checked_sub(crate::FINISH_RESERVE)
            .unwrap_or(self.deadline)
    }
}

const SESSION_NOT_FOUND: ApiError = ApiError::NotFound("session not found");

impl Services {
    /// Admits a request: authenticates it, checks `capability`, the body's size and the
    /// session in the path, then reads the rest of its input with `read`.
    pub async fn admit<'r, T>(
        &self,
        req: &'r Request,
        capability: Capability,
        read: impl FnOnce(&Inputs<'r>, &SessionId) -> Result<T, ApiError>,
    ) -> Result<Admitted<T>, ApiError> {
        let principal = self.auth.authenticate(authorization(req)).await?;
        log_principal(&principal);
        principal.require(capability)?;
        let inputs = Inputs::of(req)?;
        let session = inputs.path("session", SessionId::parse)?;
        log_session(&session);
        let input = read(&inputs, &session)?;
        Ok(Admitted {
            principal,
            session,
            input,
            deadline: inputs.deadline(),
        })
    }

    /// 404 unless the session is stored and belongs to the caller's organization.
    pub async fn check_session<T>(&self, admitted: &Admitted<T>) -> Result<(), ApiError> {
        let now = self.clock.now_ms();
        let org = match self.owners.get(&admitted.session, now) {
            Some(org) => org,
            None => {
                let record = self
                    .store
                    .get_session(&admitted.session)
                    .await?
                    .ok_or(SESSION_NOT_FOUND)?;
                self.owners.remember(&record.id, &record.org, now);
                record.org
            }
        };
        if org == admitted.principal.org {
            Ok(())
        } else {
            Err(SESSION_NOT_FOUND)
        }
    }

    /// The caller's stored group `gid` (404 for a session that is not the caller's, then for a
    /// group not stored), in one DynamoDB request. Another organization's group item is never
    /// decoded: a malformed one cannot turn its 404 into a 500.
    pub async fn stored_group<T>(
        &self,
        admitted: &Admitted<T>,
        gid: &GroupJid,
    ) -> Result<Group, ApiError> {
        Ok(self.stored_group_state(admitted, gid).await?.group())
    }

    /// As [`Services::stored_group`], with what decides how a change of its members applies.
    pub async fn stored_group_state<T>(
        &self,
        admitted: &Admitted<T>,
        gid: &GroupJid,
    ) -> Result<StoredGroup, ApiError> {
        let now = self.clock.now_ms();
        let group = if let Some(org) = self.owners.get(&admitted.session, now) {
            if org != admitted.principal.org {
                return Err(SESSION_NOT_FOUND);
            }
            self.store.get_stored_group(&admitted.session, gid).await?
        } else {
            let (session, group) = self
                .store
                .get_session_and_group(&admitted.session, gid)
                .await?;
            let session = session.ok_or(SESSION_NOT_FOUND)?;
            self.owners.remember(&session.id, &session.org, now);
            if session.org != admitted.principal.org {
                return Err(SESSION_NOT_FOUND);
            }
            group.map(|g| g.decode()).transpose()?
        };
        group.ok_or(ApiError::NotFound("group not found"))
    }
}
