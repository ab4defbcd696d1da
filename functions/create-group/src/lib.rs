//! `POST /api/v1/sessions/{session}/groups`: creates a group on WhatsApp with the session's
//! account as owner, stores it, and answers 201 with it. Capability `send`. Two calls make two
//! groups, unless they carry the same `Idempotency-Key` ([`gateway_live::idempotency`]).

use gateway_domain::{Capability, Group, GroupJid, SessionId, Subject, UserJid};
use gateway_errors::{ApiError, BoxError};
use gateway_http::{Admitted, Inputs, json_response, observe};
use gateway_live::{IdempotencyKey, LiveServices, check_participants, once_per_key};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Error, Request, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateGroupBody {
    name: Subject,
    participants: Vec<UserJid>,
}

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("createGroup", &req, create_group(live, &req)).await)
}

async fn create_group(live: &LiveServices, req: &Request) -> Result<Response<Body>, ApiError> {
    let services = &live.services;
    let admitted = services
        .admit(req, Capability::Send, |input, _| {
            IdempotencyKey::read(input)
        })
        .await?;
    let inputs = Inputs::of(req)?;
    let clock = || services.clock.now_ms();
    let org = &admitted.principal.org;
    once_per_key(
        &services.store,
        clock,
        org,
        admitted.input.as_ref(),
        &inputs,
        |id| create(live, &admitted, &inputs, id),
    )
    .await
}

/// The create itself; with an `Idempotency-Key`, its first run (a 400 here is replayed).
async fn create(
    live: &LiveServices,
    admitted: &Admitted<Option<IdempotencyKey>>,
    inputs: &Inputs<'_>,
    request_id: Option<String>,
) -> Result<Response<Body>, ApiError> {
    let body: CreateGroupBody = inputs.json()?;
    check_participants(&body.participants)?;
    live.services.check_session(admitted).await?;

    let session = &admitted.session;
    let created = live
        .connection
        .create_group(
            session,
            request_id.as_deref(),
            &body.name,
            &body.participants,
            admitted.deadline,
        )
        .await
        .map_err(|e| e.into_api_error())?;
    tracing::info!(session = %session, "group created on WhatsApp");
    let group = live
        .store_latest(session, &created, admitted.deadline)
        .await
        .map_err(|cause| created_but_not_stored(cause, &created.group_jid))?;
    Ok(created_response(session, &group))
}

/// The group exists on WhatsApp but is not stored: 503, naming the group so the caller knows
/// it was made (and need not make it again).
fn created_but_not_stored(cause: BoxError, jid: &GroupJid) -> ApiError {
    let mut details = Map::new();
    details.insert("groupJid".into(), Value::String(jid.to_string()));
    ApiError::Unavailable {
        source: cause,
        details,
    }
}

fn created_response(session: &SessionId, group: &Group) -> Response<Body> {
    let mut response = json_response(StatusCode::CREATED, group);
    let location = format!("/api/v1/sessions/{session}/groups/{}", group.group_jid);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
