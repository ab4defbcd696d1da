//! The contract's routes. Order of checks: bearer secret (401), injected fault, path, body
//! (400), session (409), group (404), WhatsApp's rights (403).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use serde_json::{Value, json};
use std::time::Duration;

use crate::Emulator;
use crate::faults;
use crate::members::ParticipantAction;
use crate::wire::{Body, ErrorKind, ServiceError, valid_request_id};
use crate::world::{Change, LiveGroup, Operation, World};

pub(crate) fn routes() -> Router<Emulator> {
    Router::new()
        .route("/v1/sessions/{session}/groups", post(create_group))
        .route("/v1/sessions/{session}/groups/{gid}", get(get_group))
        .route(
            "/v1/sessions/{session}/groups/{gid}/subject",
            put(set_subject),
        )
        .route(
            "/v1/sessions/{session}/groups/{gid}/description",
            put(set_description),
        )
        .route(
            "/v1/sessions/{session}/groups/{gid}/announce",
            put(set_announce),
        )
        .route(
            "/v1/sessions/{session}/groups/{gid}/locked",
            put(set_locked),
        )
        .route(
            "/v1/sessions/{session}/groups/{gid}/participants",
            post(change_participants),
        )
        .route(
            "/v1/sessions/{session}/groups/{gid}/invite",
            get(get_invite),
        )
        .route(
            "/v1/sessions/{session}/groups/{gid}/invite/reset",
            post(reset_invite),
        )
        .route("/v1/sessions/{session}/sync", post(request_sync))
}

type Outcome = Result<(StatusCode, Value), ServiceError>;

fn session_id(raw: &str) -> Result<SessionId, ServiceError> {
    SessionId::parse(raw).map_err(|e| ServiceError::bad_request("session", e.to_string()))
}

fn group_jid(raw: &str) -> Result<GroupJid, ServiceError> {
    GroupJid::parse(raw).map_err(|e| ServiceError::bad_request("gid", e.to_string()))
}

/// The contract takes subjects already trimmed (the client sends the domain's `Subject`), so
/// what is checked is exactly what the OpenAPI schema says.
fn canonical_subject(raw: &str) -> Result<Subject, ServiceError> {
    let subject =
        Subject::parse(raw).map_err(|e| ServiceError::bad_request("subject", e.to_string()))?;
    if subject.as_str() != raw {
        return Err(ServiceError::bad_request(
            "subject",
            "must not have surrounding white space",
        ));
    }
    Ok(subject)
}

/// Participants in their one stored form: a legacy `@c.us` alias would make two distinct
/// strings the same person, which the schema's `uniqueItems` cannot see.
fn canonical_user(raw: &str) -> Result<UserJid, String> {
    match UserJid::parse(raw) {
        Ok(jid) if jid.as_str() == raw => Ok(jid),
        _ => Err("must be a user JID: <digits>@s.whatsapp.net or <digits>@lid".to_owned()),
    }
}

fn path_refused(_: PathRejection) -> ServiceError {
    ServiceError::bad_request("path", "is not valid percent-encoded UTF-8")
}

/// Constant-time comparison: the emulator is a test tool, but it should not teach a
/// timing-leaky check by example.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn authorized(emulator: &Emulator, headers: &HeaderMap) -> bool {
    let Some(expected) = emulator.token() else {
        return true;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer")
                && same_secret(token.trim().as_bytes(), expected.as_bytes())
        })
}

impl Emulator {
    /// Every contract call goes through here: counted, authenticated, maybe faulted, then
    /// `perform`ed on the world, its events sent, and answered.
    async fn handle<F>(
        &self,
        operation: Operation,
        session: &str,
        headers: &HeaderMap,
        perform: F,
    ) -> Response
    where
        F: FnOnce(&mut World, i64) -> Outcome + Send + 'static,
    {
        let fault = {
            let mut world = self.world();
            world.count_call(session, operation);
            if !authorized(self, headers) {
                None
            } else {
                Some(faults::take(&mut world.faults, session, operation))
            }
        };
        let response = match fault {
            None => ServiceError::new(ErrorKind::Unauthorized, "missing or wrong bearer secret")
                .into_response(),
            Some(None) => respond(self.carry_out(Duration::ZERO, perform).await),
            Some(Some(fault)) if fault.carries_out() => {
                let outcome = self.carry_out(fault.delay(), perform).await;
                let status = match &outcome {
                    Ok((status, _)) => *status,
                    Err(error) => error.status(),
                };
                fault
                    .answer(Some(status))
                    .unwrap_or_else(|| respond(outcome))
            }
            Some(Some(fault)) => {
                tokio::time::sleep(fault.delay()).await;
                fault.answer(None).unwrap_or_else(|| {
                    ServiceError::new(ErrorKind::Internal, "the fault answers nothing")
                        .into_response()
                })
            }
        };
        tracing::info!(
            operation = operation.operation_id(),
            session,
            status = response.status().as_u16(),
            "call"
        );
        response
    }

    /// Performs the operation and sends its events in a task of its own, after `delay`: the
    /// real service finishes what it sent to WhatsApp even when the caller has hung up, and a
    /// task is not cancelled with the connection.
    async fn carry_out<F>(&self, delay: Duration, perform: F) -> Outcome
    where
        F: FnOnce(&mut World, i64) -> Outcome + Send + 'static,
    {
        let emulator = self.clone();
        let in_flight = self.delayed_operation();
        let task = tokio::spawn(async move {
            let _in_flight = in_flight;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let outcome = emulator.perform(perform);
            emulator.flush_events().await;
            outcome
        });
        task.await.unwrap_or_else(|_| {
            Err(ServiceError::new(
                ErrorKind::Internal,
                "the operation failed",
            ))
        })
    }

    fn perform<F>(&self, perform: F) -> Outcome
    where
        F: FnOnce(&mut World, i64) -> Outcome,
    {
        let now = self.now_ms();
        perform(&mut self.world(), now)
    }
}

fn respond(outcome: Outcome) -> Response {
    match outcome {
        Ok((status, body)) => (status, axum::Json(body)).into_response(),
        Err(error) => error.into_response(),
    }
}

fn group_answer(status: StatusCode, group: &LiveGroup) -> Outcome {
    Ok((status, json!(group)))
}

async fn create_group(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.clone()).unwrap_or_default();
    emulator
        .handle(
            Operation::CreateGroup,
            &raw_session,
            &headers,
            move |world, now| {
                let Path(session) = path.map_err(path_refused)?;
                let session = session_id(&session)?;
                let body = Body::parse(&body, &["requestId", "subject", "participants"])?;
                let request_id = body.str("requestId")?;
                if request_id.is_some_and(|id| !valid_request_id(id)) {
                    return Err(ServiceError::bad_request(
                        "requestId",
                        "must be 1-255 visible ASCII characters",
                    ));
                }
                let subject = canonical_subject(body.required_str("subject")?)?;
                let participants = body
                    .list("participants", canonical_user)?
                    .ok_or_else(|| ServiceError::bad_request("participants", "is required"))?;
                let (new, group, results) =
                    world.create_group(&session, request_id, subject, participants, now)?;
                let status = if new {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                // The group, and WhatsApp's answer for each requested participant.
                let mut answer = json!(group);
                answer["results"] = json!(results);
                Ok((status, answer))
            },
        )
        .await
}

async fn get_group(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.0.clone()).unwrap_or_default();
    emulator
        .handle(
            Operation::GetGroup,
            &raw_session,
            &headers,
            move |world, _| {
                let Path((session, gid)) = path.map_err(path_refused)?;
                let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
                group_answer(StatusCode::OK, &world.get_group(&session, &gid)?)
            },
        )
        .await
}

/// The four setters: one member in the body, one change of WhatsApp's.
async fn set(
    emulator: Emulator,
    operation: Operation,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
    member: &'static str,
    read: fn(&Body, &'static str) -> Result<Change, ServiceError>,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.0.clone()).unwrap_or_default();
    emulator
        .handle(operation, &raw_session, &headers, move |world, now| {
            let Path((session, gid)) = path.map_err(path_refused)?;
            let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
            let change = read(&Body::parse(&body, &[member])?, member)?;
            group_answer(StatusCode::OK, &world.change(&session, &gid, change, now)?)
        })
        .await
}

async fn set_subject(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    set(
        emulator,
        Operation::SetSubject,
        path,
        headers,
        body,
        "subject",
        |body, member| canonical_subject(body.required_str(member)?).map(Change::Subject),
    )
    .await
}

async fn set_description(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    set(
        emulator,
        Operation::SetDescription,
        path,
        headers,
        body,
        "description",
        |body, member| {
            Description::parse(body.required_str(member)?)
                .map(Change::Description)
                .map_err(|e| ServiceError::bad_request(member, e.to_string()))
        },
    )
    .await
}

async fn set_announce(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    set(
        emulator,
        Operation::SetAnnounce,
        path,
        headers,
        body,
        "announce",
        |body, member| body.required_bool(member).map(Change::Announce),
    )
    .await
}

async fn set_locked(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    set(
        emulator,
        Operation::SetLocked,
        path,
        headers,
        body,
        "locked",
        |body, member| body.required_bool(member).map(Change::Locked),
    )
    .await
}

fn request_id(body: &Body, name: &str) -> Result<Option<String>, ServiceError> {
    let id = body.str(name)?;
    if id.is_some_and(|id| !valid_request_id(id)) {
        return Err(ServiceError::bad_request(
            name,
            "must be 1-255 visible ASCII characters",
        ));
    }
    Ok(id.map(str::to_owned))
}

async fn change_participants(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.0.clone()).unwrap_or_default();
    emulator
        .handle(
            Operation::ChangeParticipants,
            &raw_session,
            &headers,
            move |world, now| {
                let Path((session, gid)) = path.map_err(path_refused)?;
                let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
                let body = Body::parse(
                    &body,
                    &[
                        "action",
                        "participants",
                        "requestId",
                        "inviteOnPrivacyBlock",
                    ],
                )?;
                let action =
                    ParticipantAction::parse(body.required_str("action")?).ok_or_else(|| {
                        ServiceError::bad_request(
                            "action",
                            "must be add, remove, promote or demote",
                        )
                    })?;
                let participants = body
                    .list("participants", canonical_user)?
                    .ok_or_else(|| ServiceError::bad_request("participants", "is required"))?;
                // Both are for `add`; other actions accept and ignore them, as the schema
                // allows them there.
                let request_id = request_id(&body, "requestId")?;
                let invite = body.bool("inviteOnPrivacyBlock")?.unwrap_or(false);
                let (results, group) = world.change_participants(
                    &session,
                    &gid,
                    action,
                    participants,
                    request_id.as_deref(),
                    invite,
                    now,
                )?;
                Ok((StatusCode::OK, json!({"results": results, "group": group})))
            },
        )
        .await
}

async fn get_invite(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.0.clone()).unwrap_or_default();
    emulator
        .handle(
            Operation::GetInvite,
            &raw_session,
            &headers,
            move |world, _| {
                let Path((session, gid)) = path.map_err(path_refused)?;
                let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
                let code = world.get_invite(&session, &gid)?;
                Ok((StatusCode::OK, json!({"code": code})))
            },
        )
        .await
}

async fn reset_invite(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.0.clone()).unwrap_or_default();
    emulator
        .handle(
            Operation::ResetInvite,
            &raw_session,
            &headers,
            move |world, _| {
                let Path((session, gid)) = path.map_err(path_refused)?;
                let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
                let code = world.reset_invite(&session, &gid)?;
                Ok((StatusCode::OK, json!({"code": code})))
            },
        )
        .await
}

async fn request_sync(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let raw_session = path.as_ref().map(|p| p.0.clone()).unwrap_or_default();
    emulator
        .handle(
            Operation::RequestSync,
            &raw_session,
            &headers,
            move |world, now| {
                let Path(session) = path.map_err(path_refused)?;
                let session = session_id(&session)?;
                let body = Body::parse(&body, &["syncId"])?;
                let sync_id = request_id(&body, "syncId")?
                    .ok_or_else(|| ServiceError::bad_request("syncId", "is required"))?;
                let started_at = world.request_sync(&session, &sync_id, now)?;
                Ok((
                    StatusCode::ACCEPTED,
                    json!({"syncId": sync_id, "startedAt": started_at}),
                ))
            },
        )
        .await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn bearer_check() {
        let emulator = Emulator::new(Some("s3cret".into()));
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            authorized(&emulator, &headers)
        };
        assert!(with("Bearer s3cret"));
        assert!(with("bearer s3cret"));
        assert!(!with("Bearer s3cre"));
        assert!(!with("Bearer s3cret2"));
        assert!(!with("Basic s3cret"));
        assert!(!authorized(&emulator, &HeaderMap::new()));
        assert!(authorized(&Emulator::new(None), &HeaderMap::new()));
    }
}
