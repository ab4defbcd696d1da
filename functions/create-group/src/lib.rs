//! `POST /api/v1/sessions/{session}/groups`: creates a group on WhatsApp with the session's
//! account as owner, stores it, and answers 201 with it. Capability `send`. Two calls make two
//! groups, unless they carry the same `Idempotency-Key` ([`gateway_live::idempotency`]).

use gateway_domain::{Capability, Group, GroupJid, SessionId, Subject, UserJid};
use gateway_errors::{ApiError, BoxError};
use gateway_http::{Admitted, Inputs, json_response, observe};
use gateway_live::{
    AddResult, AddResults, IdempotencyKey, LiveServices, check_participants, once_per_key,
};
use gateway_store::EventTarget;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Error, Request, Response};
use serde::{Deserialize, Serialize};
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
    let key = admitted
        .input
        .as_ref()
        .map(|k| (&admitted.principal.org, k));
    once_per_key(&services.store, clock, key, &inputs, |id| {
        create(live, &admitted, &inputs, id)
    })
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
    let id = live
        .gate(admitted, live.pacing.creates.as_ref(), 1, true)
        .await?;

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
    let jid = &created.group.group_jid;
    let not_stored = |cause| created_but_not_stored(cause, jid);
    let stored = live
        .store_group(
            session,
            &created.group,
            EventTarget::NewGroup,
            id,
            None,
            admitted.work_deadline(),
        )
        .await
        .map_err(not_stored)?;
    // Already stored at a newer version (its event got there first): that is the group.
    let group = match stored {
        Some(group) => group,
        None => live
            .services
            .store
            .get_group(session, jid)
            .await
            .map_err(|e| not_stored(e.into()))?
            .ok_or_else(|| not_stored("the group vanished from the store".into()))?,
    };
    let results = AddResults::of(&body.participants, &created.results).results;
    Ok(created_response(session, CreatedGroup { group, results }))
}

/// createGroup's answer: the group, and what WhatsApp did for each requested participant.
#[derive(Serialize)]
struct CreatedGroup {
    #[serde(flatten)]
    group: Group,
    results: Vec<AddResult>,
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

fn created_response(session: &SessionId, created: CreatedGroup) -> Response<Body> {
    let location = format!(
        "/api/v1/sessions/{session}/groups/{}",
        created.group.group_jid
    );
    let mut response = json_response(StatusCode::CREATED, &created);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
