//! `POST /api/v1/sessions/{session}/groups`: creates a group on WhatsApp with the session's
//! account as owner, stores it, and answers 201 with it. Capability `send`. Two calls make two
//! groups, unless they carry the same `Idempotency-Key` ([`idempotency`]).

pub mod idempotency;

use std::collections::HashSet;

use gateway_auth::Principal;
use gateway_domain::{Capability, Group, SessionId, Subject, UserJid};
use gateway_errors::{ApiError, BoxError, FieldError};
use gateway_http::{
    body_bytes, deadline, json_response, log_session, observe, parse_json, path_param, respond,
};
use gateway_live::{LiveServices, before, snapshot};
use idempotency::{Begin, IdempotencyKey};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Error, Request, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

/// WhatsApp's group size limit is 1024 members, the creator included.
pub const MAX_PARTICIPANTS: usize = 1023;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateGroupBody {
    name: Subject,
    participants: Vec<UserJid>,
}

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("createGroup", &req, create_group(live, &req)).await)
}

async fn create_group(live: &LiveServices, req: &Request) -> Response<Body> {
    let services = &live.services;
    let (principal, key) = match admit(live, req).await {
        Ok(admitted) => admitted,
        Err(error) => return error.into_response(),
    };
    let Some(key) = key else {
        return respond(create(live, req, &principal, None).await);
    };
    let body = match body_bytes(req) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let hash = idempotency::request_hash(req, body);
    let begun = idempotency::begin(&services.store, key.clone(), &hash, services.clock.now_ms());
    match begun.await {
        Err(error) => error.into_response(),
        Ok(Begin::Answer(replayed)) => replayed,
        Ok(Begin::Run(attempt)) => {
            let response =
                respond(create(live, req, &principal, Some(&key.request_id(&hash))).await);
            idempotency::finish(&services.store, attempt, &response, services.clock.now_ms()).await;
            response
        }
    }
}

/// The checks before an idempotency key is looked at: who calls, may they, is the body
/// within bounds, and is the key itself valid.
async fn admit(
    live: &LiveServices,
    req: &Request,
) -> Result<(Principal, Option<IdempotencyKey>), ApiError> {
    let principal = live.services.authorize(req, Capability::Send).await?;
    body_bytes(req)?;
    let key = IdempotencyKey::from_request(req, &principal.org)?;
    Ok((principal, key))
}

async fn create(
    live: &LiveServices,
    req: &Request,
    principal: &Principal,
    request_id: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let services = &live.services;
    let body = body_bytes(req)?;
    let session = path_param(req, "session", SessionId::parse)?;
    log_session(&session);
    let body: CreateGroupBody = parse_json(req, body)?;
    check_participants(&body.participants)?;

    services
        .store
        .get_session(&session)
        .await?
        .and_then(|s| s.owned_by(&principal.org))
        .ok_or(ApiError::NotFound("session not found"))?;

    let deadline = deadline(req);
    let created = live
        .connection
        .create_group(
            &session,
            request_id,
            &body.name,
            &body.participants,
            deadline,
        )
        .await
        .map_err(|e| e.into_api_error(true))?;
    tracing::info!(session = %session, "group created on WhatsApp");

    let stored = before(
        deadline,
        services
            .store
            .upsert_group(&session, &snapshot(&created), services.clock.now_ms()),
    )
    .await;
    let group = match stored {
        Some(Ok(group)) => group,
        Some(Err(error)) => return Err(created_but_not_stored(error, &created.group_jid)),
        None => {
            return Err(created_but_not_stored(
                "storing the group ran out of time",
                &created.group_jid,
            ));
        }
    };
    Ok(created_response(&session, &group))
}

/// 1–1023 distinct user JIDs (distinct after `@c.us` became `@s.whatsapp.net`).
fn check_participants(participants: &[UserJid]) -> Result<(), ApiError> {
    if participants.is_empty() {
        return Err(ApiError::validation(
            "participants",
            "at least one participant is required",
        ));
    }
    if participants.len() > MAX_PARTICIPANTS {
        return Err(ApiError::validation(
            "participants",
            "at most 1023 participants (WhatsApp groups hold 1024 members with the owner)",
        ));
    }
    let mut seen = HashSet::with_capacity(participants.len());
    let duplicates: Vec<FieldError> = participants
        .iter()
        .enumerate()
        .filter(|(_, jid)| !seen.insert(jid.as_str()))
        .map(|(i, _)| FieldError::new(format!("participants[{i}]"), "is listed more than once"))
        .collect();
    if duplicates.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(duplicates))
    }
}

/// The group exists on WhatsApp but is not stored: 503, naming the group so the caller knows
/// it was made (and need not make it again).
fn created_but_not_stored(cause: impl Into<BoxError>, jid: &gateway_domain::GroupJid) -> ApiError {
    let mut details = Map::new();
    details.insert("groupJid".into(), Value::String(jid.to_string()));
    ApiError::Unavailable {
        source: cause.into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn jids(n: usize) -> Vec<UserJid> {
        (0..n)
            .map(|i| UserJid::parse(&format!("62{i}@s.whatsapp.net")).unwrap())
            .collect()
    }

    #[test]
    fn participant_bounds() {
        assert!(check_participants(&jids(1)).is_ok());
        assert!(check_participants(&jids(1023)).is_ok());
        assert!(check_participants(&jids(0)).is_err());
        assert!(check_participants(&jids(1024)).is_err());
    }

    #[test]
    fn duplicates_are_named_after_normalisation() {
        let list = vec![
            UserJid::parse("621@s.whatsapp.net").unwrap(),
            UserJid::parse("622@lid").unwrap(),
            UserJid::parse("621@c.us").unwrap(),
        ];
        match check_participants(&list) {
            Err(ApiError::Validation(fields)) => {
                assert_eq!(
                    fields,
                    vec![FieldError::new(
                        "participants[2]",
                        "is listed more than once"
                    )]
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
