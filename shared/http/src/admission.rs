//! The opening every handler shares, in the contract's order of checks: who calls and may they
//! (401, 403), the body's size (413), the session and the rest of the path, query and body
//! (400), then whether the session is stored and the caller's (404, identical for a session of
//! another organization).
//!
//! Reads may admit a request before its API key's record is read ([`Services::admit_pending`]):
//! the record is then read in the same request as the session and the group
//! ([`Services::group_of`], [`Services::session_of`]), and authentication is still decided
//! before anything else, so a cold function answers a read in one DynamoDB request.

use std::time::Instant;

use gateway_auth::{Authentication, KeyClaim, Principal};
use gateway_domain::{Capability, Group, GroupJid, OrgId, SessionId};
use gateway_errors::ApiError;
use gateway_store::{RequestReads, StoredGroup};
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

/// A request past the checks that need no read; its caller may be an API key whose record is
/// still to be read.
#[derive(Debug)]
pub struct Pending<T> {
    caller: Caller,
    capability: Capability,
    pub session: SessionId,
    pub input: T,
    pub deadline: Instant,
}

#[derive(Debug)]
enum Caller {
    Known(Principal),
    KeyToRead(KeyClaim),
}

const SESSION_NOT_FOUND: ApiError = ApiError::NotFound("session not found");
const GROUP_NOT_FOUND: ApiError = ApiError::NotFound("group not found");

impl Services {
    /// Admits a request: authenticates it, checks `capability`, the body's size and the
    /// session in the path, then reads the rest of its input with `read`.
    pub async fn admit<'r, T>(
        &self,
        req: &'r Request,
        capability: Capability,
        read: impl FnOnce(&Inputs<'r>, &SessionId) -> Result<T, ApiError>,
    ) -> Result<Admitted<T>, ApiError> {
        let pending = self.admit_pending(req, capability, read).await?;
        let principal = match pending.caller {
            Caller::Known(principal) => principal,
            Caller::KeyToRead(claim) => self.key_caller(&claim, capability).await?,
        };
        Ok(Admitted {
            principal,
            session: pending.session,
            input: pending.input,
            deadline: pending.deadline,
        })
    }

    /// As [`Services::admit`], leaving an API key's record to be read with the request's own
    /// items.
    pub async fn admit_pending<'r, T>(
        &self,
        req: &'r Request,
        capability: Capability,
        read: impl FnOnce(&Inputs<'r>, &SessionId) -> Result<T, ApiError>,
    ) -> Result<Pending<T>, ApiError> {
        let caller = match self.auth.begin(authorization(req)).await? {
            Authentication::Known(principal) => Caller::Known(allowed(principal, capability)?),
            Authentication::KeyToRead(claim) => Caller::KeyToRead(claim),
        };
        let inputs = (|| {
            let inputs = Inputs::of(req)?;
            let session = inputs.path("session", SessionId::parse)?;
            log_session(&session);
            let input = read(&inputs, &session)?;
            Ok((session, input, inputs.deadline()))
        })();
        match (inputs, caller) {
            (Ok((session, input, deadline)), caller) => Ok(Pending {
                caller,
                capability,
                session,
                input,
                deadline,
            }),
            // 401 and 403 come before what is wrong with the input.
            (Err(error), Caller::KeyToRead(claim)) => {
                self.key_caller(&claim, capability).await?;
                Err(error)
            }
            (Err(error), Caller::Known(_)) => Err(error),
        }
    }

    /// The caller of an API key whose record was not cached: one read.
    async fn key_caller(
        &self,
        claim: &KeyClaim,
        capability: Capability,
    ) -> Result<Principal, ApiError> {
        let record = self.store.get_api_key(&claim.key_id).await?;
        allowed(self.auth.conclude(claim, record)?, capability)
    }

    /// A pending request whose session is the caller's (404 otherwise): the API key's record
    /// and the session in one read, none when both are remembered.
    pub async fn session_of<T>(&self, pending: Pending<T>) -> Result<Admitted<T>, ApiError> {
        Ok(self.read_for(pending, None).await?.0)
    }

    /// A pending request's stored group `gid` (404 for a session that is not the caller's,
    /// then for a group not stored): the API key's record, the session and the group in one
    /// read. Another organization's group item is never decoded.
    pub async fn group_of<T>(
        &self,
        pending: Pending<T>,
        gid: &GroupJid,
    ) -> Result<(Admitted<T>, StoredGroup), ApiError> {
        let (admitted, group) = self.read_for(pending, Some(gid)).await?;
        Ok((admitted, group.ok_or(GROUP_NOT_FOUND)?))
    }

    async fn read_for<T>(
        &self,
        pending: Pending<T>,
        gid: Option<&GroupJid>,
    ) -> Result<(Admitted<T>, Option<StoredGroup>), ApiError> {
        let (principal, group) = self
            .read_items(pending.caller, pending.capability, &pending.session, gid)
            .await?;
        let admitted = Admitted {
            principal,
            session: pending.session,
            input: pending.input,
            deadline: pending.deadline,
        };
        Ok((admitted, group))
    }

    /// The one read every request makes before its own work: the caller's API key record when
    /// not cached, the session when its owner is not remembered, and the group asked for.
    /// Authentication is decided first, then ownership; the group is decoded only then.
    async fn read_items(
        &self,
        caller: Caller,
        capability: Capability,
        session: &SessionId,
        gid: Option<&GroupJid>,
    ) -> Result<(Principal, Option<StoredGroup>), ApiError> {
        let now = self.clock.now_ms();
        let owner = self.owners.get(session, now);
        if let (Caller::Known(principal), Some(org)) = (&caller, &owner)
            && principal.org != *org
        {
            return Err(SESSION_NOT_FOUND);
        }
        let key_id = match &caller {
            Caller::KeyToRead(claim) => Some(claim.key_id.as_str()),
            Caller::Known(_) => None,
        };
        let items = self
            .store
            .get_request_items(RequestReads {
                api_key: key_id,
                session,
                with_session: owner.is_none(),
                group: gid,
            })
            .await?;
        let principal = match caller {
            Caller::Known(principal) => principal,
            Caller::KeyToRead(claim) => {
                allowed(self.auth.conclude(&claim, items.api_key)?, capability)?
            }
        };
        let org: OrgId = match (items.session, owner) {
            (Some(record), _) => {
                self.owners.remember(&record.id, &record.org, now);
                record.org
            }
            (None, Some(org)) => org,
            (None, None) => return Err(SESSION_NOT_FOUND),
        };
        if org != principal.org {
            return Err(SESSION_NOT_FOUND);
        }
        let group = items.group.map(|g| g.decode()).transpose()?;
        Ok((principal, group))
    }

    /// 404 unless the session is stored and belongs to the caller's organization.
    pub async fn check_session<T>(&self, admitted: &Admitted<T>) -> Result<(), ApiError> {
        self.read_known(admitted, None).await.map(drop)
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
        self.read_known(admitted, Some(gid))
            .await?
            .ok_or(GROUP_NOT_FOUND)
    }

    async fn read_known<T>(
        &self,
        admitted: &Admitted<T>,
        gid: Option<&GroupJid>,
    ) -> Result<Option<StoredGroup>, ApiError> {
        // The capability was checked at admission; it matters only for a key still to read.
        let caller = Caller::Known(admitted.principal.clone());
        let (_, group) = self
            .read_items(caller, Capability::Read, &admitted.session, gid)
            .await?;
        Ok(group)
    }
}

/// The caller, if allowed `capability` (403 otherwise); the organization goes on the log line.
fn allowed(principal: Principal, capability: Capability) -> Result<Principal, ApiError> {
    log_principal(&principal);
    principal.require(capability)?;
    Ok(principal)
}
