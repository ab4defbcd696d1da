//! `POST /api/v1/sessions/{session}/groups/{gid}/members`: adds people to a group on WhatsApp
//! and answers 200 with what WhatsApp did for each one, in request order: nobody is reported
//! added unless WhatsApp added them. Capability `send`; `Idempotency-Key` as on createGroup.

use gateway_connection::{ParticipantAction, ParticipantChange};
use gateway_domain::{Capability, GroupJid, UserJid};
use gateway_errors::ApiError;
use gateway_http::{Admitted, Inputs, json_response, observe};
use gateway_live::members::participating_group;
use gateway_live::{AddResults, IdempotencyKey, LiveServices, check_participants, once_per_key};
use gateway_store::EventTarget;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AddMembersBody {
    participants: Vec<UserJid>,
    #[serde(default)]
    on_privacy_block: OnPrivacyBlock,
}

/// What to do for someone whose privacy settings let them be invited only.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum OnPrivacyBlock {
    /// Report it (`invite_required`, with WhatsApp's invitation).
    #[default]
    Report,
    /// Send them WhatsApp's invitation (`invite_sent`).
    Invite,
}

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("addGroupMembers", &req, add_members(live, &req)).await)
}

async fn add_members(live: &LiveServices, req: &Request) -> Result<Response<Body>, ApiError> {
    let services = &live.services;
    let admitted = services
        .admit(req, Capability::Send, |input, _| {
            Ok((
                input.path("gid", GroupJid::parse)?,
                IdempotencyKey::read(input)?,
            ))
        })
        .await?;
    let inputs = Inputs::of(req)?;
    let clock = || services.clock.now_ms();
    let key = admitted
        .input
        .1
        .as_ref()
        .map(|k| (&admitted.principal.org, k));
    once_per_key(&services.store, clock, key, &inputs, |id| {
        add(live, &admitted, &inputs, id)
    })
    .await
}

/// The add itself; with an `Idempotency-Key`, its first run.
async fn add(
    live: &LiveServices,
    admitted: &Admitted<(GroupJid, Option<IdempotencyKey>)>,
    inputs: &Inputs<'_>,
    request_id: Option<String>,
) -> Result<Response<Body>, ApiError> {
    let body: AddMembersBody = inputs.json()?;
    check_participants(&body.participants)?;
    let gid = &admitted.input.0;
    let group = participating_group(live, admitted, gid).await?;
    let cost = u32::try_from(body.participants.len()).unwrap_or(u32::MAX);
    live.gate(admitted, live.pacing.adds.as_ref(), cost, false)
        .await?;

    let session = &admitted.session;
    let change = ParticipantChange {
        action: ParticipantAction::Add,
        participants: &body.participants,
        request_id: request_id.as_deref(),
        invite_on_privacy_block: body.on_privacy_block == OnPrivacyBlock::Invite,
    };
    let changed = live
        .connection
        .change_participants(session, gid, change, admitted.deadline)
        .await
        .map_err(|e| e.into_api_error())?;
    let target = EventTarget::Stored(Box::new(group));
    if let Err(error) = live
        .store_group(
            session,
            &changed.group,
            target,
            None,
            None,
            admitted.work_deadline(),
        )
        .await
    {
        // WhatsApp added them: the answer stands, and their event brings the members in.
        tracing::warn!(error = %error, "added members are not stored yet");
    }
    let results = AddResults::of(&body.participants, &changed.results);
    Ok(json_response(StatusCode::OK, &results))
}
