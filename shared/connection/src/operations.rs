//! The contract's operations, one typed method each: what to send where, and what comes back.

use std::time::Instant;

use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Serialize;

use crate::client::{Call, ConnectionClient, Operation};
use crate::error::ConnectionError;
use crate::model::{
    AnnounceBody, ChangeParticipantsBody, CreateGroupBody, CreatedGroup, DescriptionBody,
    InviteCode, LiveGroup, LockedBody, ParticipantAction, ParticipantsChanged, SubjectBody,
    SyncBody, SyncStarted, valid_request_id,
};

/// Everything but RFC 3986's unreserved characters: a group JID's `@` travels as `%40`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl ConnectionClient {
    /// Creates a group with the session's account as owner. Never retried: with a
    /// `request_id` the service makes at most one group for it, so the caller may repeat
    /// the call itself after an unknown outcome and get the first group back.
    pub async fn create_group(
        &self,
        session: &SessionId,
        request_id: Option<&str>,
        subject: &Subject,
        participants: &[UserJid],
        deadline: Instant,
    ) -> Result<CreatedGroup, ConnectionError> {
        check_request_id(request_id)?;
        let body = encode(&CreateGroupBody {
            request_id,
            subject,
            participants,
        })?;
        let url = format!(
            "{}/sessions/{}/groups",
            self.v1(),
            segment(session.as_str())
        );
        let call = Call {
            operation: Operation::CreateGroup,
            session,
            method: Method::POST,
            url,
            body: Some(body),
        };
        self.call(call, deadline).await
    }

    pub async fn get_group(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let call = self.group_call(Operation::GetGroup, Method::GET, session, gid, "", None);
        same_group(gid, self.call(call, deadline).await?)
    }

    pub async fn set_subject(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        subject: &Subject,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&SubjectBody { subject })?;
        self.set(
            Operation::SetSubject,
            session,
            gid,
            "/subject",
            body,
            deadline,
        )
        .await
    }

    /// An empty description clears it.
    pub async fn set_description(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        description: &Description,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&DescriptionBody { description })?;
        self.set(
            Operation::SetDescription,
            session,
            gid,
            "/description",
            body,
            deadline,
        )
        .await
    }

    pub async fn set_announce(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        announce: bool,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&AnnounceBody { announce })?;
        self.set(
            Operation::SetAnnounce,
            session,
            gid,
            "/announce",
            body,
            deadline,
        )
        .await
    }

    pub async fn set_locked(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        locked: bool,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&LockedBody { locked })?;
        self.set(
            Operation::SetLocked,
            session,
            gid,
            "/locked",
            body,
            deadline,
        )
        .await
    }

    /// Adds, removes, promotes or demotes `participants`: WhatsApp's answer for each one.
    /// Adding is not safe to repeat and is never retried; with a `request_id` the service
    /// answers a repeat with the first call's results.
    pub async fn change_participants(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        change: ParticipantChange<'_>,
        deadline: Instant,
    ) -> Result<ParticipantsChanged, ConnectionError> {
        check_request_id(change.request_id)?;
        let operation = match change.action {
            ParticipantAction::Add => Operation::AddParticipants,
            ParticipantAction::Remove => Operation::RemoveParticipants,
            ParticipantAction::Promote => Operation::PromoteParticipants,
            ParticipantAction::Demote => Operation::DemoteParticipants,
        };
        let body = encode(&ChangeParticipantsBody {
            action: change.action,
            participants: change.participants,
            request_id: change.request_id,
            invite_on_privacy_block: change.invite_on_privacy_block,
        })?;
        let call = self.group_call(
            operation,
            Method::POST,
            session,
            gid,
            "/participants",
            Some(body),
        );
        let changed: ParticipantsChanged = self.call(call, deadline).await?;
        same_group(gid, changed.group.clone())?;
        Ok(changed)
    }

    /// The group's current invite code.
    pub async fn invite_code(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        deadline: Instant,
    ) -> Result<InviteCode, ConnectionError> {
        let call = self.group_call(
            Operation::GetInvite,
            Method::GET,
            session,
            gid,
            "/invite",
            None,
        );
        self.call(call, deadline).await
    }

    /// Revokes the invite code and makes a new one. Not retried: a repeat would revoke the
    /// code the first call made.
    pub async fn reset_invite_code(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        deadline: Instant,
    ) -> Result<InviteCode, ConnectionError> {
        let call = self.group_call(
            Operation::ResetInvite,
            Method::POST,
            session,
            gid,
            "/invite/reset",
            None,
        );
        self.call(call, deadline).await
    }

    /// Asks the service to publish the session's groups again; the work arrives as events.
    pub async fn request_sync(
        &self,
        session: &SessionId,
        sync_id: &str,
        deadline: Instant,
    ) -> Result<SyncStarted, ConnectionError> {
        check_request_id(Some(sync_id))?;
        let body = encode(&SyncBody { sync_id })?;
        let url = format!("{}/sessions/{}/sync", self.v1(), segment(session.as_str()));
        let call = Call {
            operation: Operation::RequestSync,
            session,
            method: Method::POST,
            url,
            body: Some(body),
        };
        self.call(call, deadline).await
    }

    async fn set(
        &self,
        operation: Operation,
        session: &SessionId,
        gid: &GroupJid,
        suffix: &str,
        body: Vec<u8>,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let call = self.group_call(operation, Method::PUT, session, gid, suffix, Some(body));
        same_group(gid, self.call(call, deadline).await?)
    }

    fn group_call<'a>(
        &self,
        operation: Operation,
        method: Method,
        session: &'a SessionId,
        gid: &GroupJid,
        suffix: &str,
        body: Option<Vec<u8>>,
    ) -> Call<'a> {
        let url = format!(
            "{}/sessions/{}/groups/{}{suffix}",
            self.v1(),
            segment(session.as_str()),
            segment(gid.as_str())
        );
        Call {
            operation,
            session,
            method,
            url,
            body,
        }
    }

    fn v1(&self) -> String {
        format!("{}/v1", self.base_url)
    }
}

/// A change of participants: what to do, to whom, and for an add, its request id and whether
/// people who accept only invitations get one sent.
#[derive(Debug, Clone, Copy)]
pub struct ParticipantChange<'a> {
    pub action: ParticipantAction,
    pub participants: &'a [UserJid],
    pub request_id: Option<&'a str>,
    pub invite_on_privacy_block: bool,
}

impl<'a> ParticipantChange<'a> {
    /// Removing, promoting or demoting `participants`.
    pub fn of(action: ParticipantAction, participants: &'a [UserJid]) -> Self {
        Self {
            action,
            participants,
            request_id: None,
            invite_on_privacy_block: false,
        }
    }
}

/// The group of an answer is the one asked about: storing another would put WhatsApp's state
/// of one group under another's key.
fn same_group(asked: &GroupJid, group: LiveGroup) -> Result<LiveGroup, ConnectionError> {
    if &group.group_jid == asked {
        Ok(group)
    } else {
        Err(ConnectionError::unavailable(
            "the connection service answered with another group than the one asked about",
        ))
    }
}

fn check_request_id(request_id: Option<&str>) -> Result<(), ConnectionError> {
    if request_id.is_some_and(|id| !valid_request_id(id)) {
        return Err(ConnectionError::BadRequest {
            field: Some("requestId".into()),
            reason: "must be 1-255 visible ASCII characters".into(),
        });
    }
    Ok(())
}

fn segment(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

fn encode(body: &impl Serialize) -> Result<Vec<u8>, ConnectionError> {
    serde_json::to_vec(body).map_err(ConnectionError::unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_jids_are_percent_encoded_in_paths() {
        assert_eq!(segment("120363@g.us"), "120363%40g.us");
        assert_eq!(segment("628-170@g.us"), "628-170%40g.us");
        assert_eq!(segment("demo_session-1"), "demo_session-1");
    }
}
