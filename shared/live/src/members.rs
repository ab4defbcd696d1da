//! What removeGroupMember, promoteGroupMember and demoteGroupMember share (one person, one
//! WhatsApp operation, 204), and the invite link of getGroupInvite and resetGroupInvite.
//! WhatsApp decides who may do what; a stored role, which may lag, never refuses anything.

use gateway_connection::ParticipantAction;
use gateway_domain::{Capability, GroupJid, UserJid};
use gateway_errors::ApiError;
use gateway_http::{Admitted, Pending, json_response, no_content};
use gateway_store::{EventTarget, StoredGroup};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use crate::LiveServices;

/// The group of a live operation on members: stored (404), and still the account's (403
/// `not_a_participant` without calling WhatsApp).
pub async fn participating_group<T>(
    live: &LiveServices,
    admitted: &Admitted<T>,
    gid: &GroupJid,
) -> Result<StoredGroup, ApiError> {
    let group = live.services.stored_group_state(admitted, gid).await?;
    if group.is_left() {
        return Err(ApiError::NotAParticipant);
    }
    Ok(group)
}

/// As [`participating_group`], for a request admitted before its API key's record is read:
/// the key, the session and the group in one read.
pub async fn participating<T>(
    live: &LiveServices,
    pending: Pending<T>,
    gid: &GroupJid,
) -> Result<(Admitted<T>, StoredGroup), ApiError> {
    let (admitted, group) = live.services.group_of(pending, gid).await?;
    if group.is_left() {
        return Err(ApiError::NotAParticipant);
    }
    Ok((admitted, group))
}

/// Removes, promotes or demotes the member `{jid}` names (by any of its forms), stores what
/// WhatsApp then holds, and answers 204.
pub async fn change_member(
    live: &LiveServices,
    req: &Request,
    action: ParticipantAction,
) -> Result<Response<Body>, ApiError> {
    let services = &live.services;
    let pending = services
        .admit_pending(req, Capability::Send, |input, _| {
            Ok((
                input.path("gid", GroupJid::parse)?,
                input.path("jid", UserJid::parse)?,
            ))
        })
        .await?;
    let gid = pending.input.0.clone();
    let (admitted, group) = participating(live, pending, &gid).await?;
    let (gid, named) = &admitted.input;
    let session = &admitted.session;
    // Live calls use the member's stored form; someone not stored is asked about as named.
    // The same read is what WhatsApp's answer is then stored against.
    let known = services.store.known_members(session, gid).await?;
    let jid = known
        .find(named)
        .map_or_else(|| named.clone(), |member| member.jid);
    let people = [jid];
    let changed = live
        .connection
        .change_participants(
            session,
            gid,
            gateway_connection::ParticipantChange::of(action, &people),
            admitted.deadline,
        )
        .await
        .map_err(|e| e.into_api_error())?;
    let code = changed.results.first().map_or(500, |r| r.code);
    let outcome = match (action, code) {
        (_, 200) | (ParticipantAction::Remove, 404) => Ok(()),
        (_, 404) => Err(ApiError::NotFound("member not found")),
        (_, 403) => Err(ApiError::NotAllowed),
        (_, code) => Err(ApiError::UpstreamUnavailable(Some(
            format!("WhatsApp answered {code} for the member").into(),
        ))),
    };
    // What WhatsApp holds now, stored at once and version-guarded (the event the change
    // triggers then changes nothing more; after a refusal it mends stored data that lagged).
    let target = EventTarget::Stored(Box::new(group));
    if let Err(error) = live
        .store_group(
            session,
            &changed.group,
            target,
            None,
            Some(&known),
            admitted.work_deadline(),
        )
        .await
    {
        // WhatsApp made the change; its event brings the stored members up to date.
        tracing::warn!(error = %error, "a member change is not stored yet");
    }
    outcome.map(|()| no_content())
}

#[derive(Serialize)]
struct Invite {
    invite: String,
}

/// The group's invite link, as it is or (`reset`) newly made; admins only, as WhatsApp says.
pub async fn invite_link(
    live: &LiveServices,
    req: &Request,
    reset: bool,
) -> Result<Response<Body>, ApiError> {
    let pending = live
        .services
        .admit_pending(req, Capability::Send, |input, _| {
            input.path("gid", GroupJid::parse)
        })
        .await?;
    let gid = pending.input.clone();
    let (admitted, _) = participating(live, pending, &gid).await?;
    let gid = &admitted.input;
    let (session, deadline) = (&admitted.session, admitted.deadline);
    let code = if reset {
        live.connection
            .reset_invite_code(session, gid, deadline)
            .await
    } else {
        live.connection.invite_code(session, gid, deadline).await
    }
    .map_err(|e| e.into_api_error())?
    .code;
    let invite = Invite {
        invite: format!("https://chat.whatsapp.com/{code}"),
    };
    Ok(json_response(StatusCode::OK, &invite))
}
