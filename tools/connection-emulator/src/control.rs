//! The control API under `/_emulator`: what tests use to set up WhatsApp, inject faults and
//! count calls. No bearer secret: the emulator listens on loopback for tests and local runs.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use serde::Deserialize;
use serde_json::json;

use crate::faults::{Fault, FaultError};
use crate::wire::{Body, ServiceError};
use crate::world::{Operation, SeedGroup};
use crate::{Emulator, MAX_PARTICIPANTS};

pub(crate) fn routes() -> Router<Emulator> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route(
            "/_emulator/sessions/{session}",
            get(get_session).put(put_session),
        )
        .route("/_emulator/sessions/{session}/groups", get(list_groups))
        .route(
            "/_emulator/sessions/{session}/groups/{gid}",
            get(get_group).put(put_group),
        )
        .route(
            "/_emulator/faults",
            get(list_faults).put(put_fault).delete(delete_faults),
        )
        .route("/_emulator/calls", get(calls))
}

#[derive(Deserialize)]
struct SessionQuery {
    session: Option<String>,
}

type Answer = Result<Response, ServiceError>;

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": {"kind": "not_found", "message": message}})),
    )
        .into_response()
}

fn path_refused(_: PathRejection) -> ServiceError {
    ServiceError::bad_request("path", "is not valid percent-encoded UTF-8")
}

fn session_id(raw: &str) -> Result<SessionId, ServiceError> {
    SessionId::parse(raw).map_err(|e| ServiceError::bad_request("session", e.to_string()))
}

fn group_jid(raw: &str) -> Result<GroupJid, ServiceError> {
    GroupJid::parse(raw).map_err(|e| ServiceError::bad_request("gid", e.to_string()))
}

fn user_jid(field: &str, raw: &str) -> Result<UserJid, ServiceError> {
    UserJid::parse(raw).map_err(|e| ServiceError::bad_request(field, e.to_string()))
}

fn answer(result: Answer) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn health() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

async fn get_session(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer((|| {
        let session = session_id(&path.map_err(path_refused)?.0)?;
        Ok(match emulator.session(&session) {
            Some(state) => Json(state).into_response(),
            None => not_found("unknown session"),
        })
    })())
}

/// `{"connected": bool (default true), "account": "<user JID>" (default: kept, or made up)}`
async fn put_session(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    answer((|| {
        let session = session_id(&path.map_err(path_refused)?.0)?;
        let body = Body::parse(&body, &["connected", "account"])?;
        let connected = body.bool("connected")?.unwrap_or(true);
        let account = body
            .str("account")?
            .map(|raw| user_jid("account", raw))
            .transpose()?;
        let state = emulator.put_session(&session, account, connected);
        tracing::info!(session = %session, connected, "session set");
        Ok(Json(state).into_response())
    })())
}

async fn list_groups(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer((|| {
        let session = session_id(&path.map_err(path_refused)?.0)?;
        if emulator.session(&session).is_none() {
            return Ok(not_found("unknown session"));
        }
        Ok(Json(json!({"groups": emulator.groups(&session)})).into_response())
    })())
}

async fn get_group(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    answer((|| {
        let Path((session, gid)) = path.map_err(path_refused)?;
        let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
        Ok(match emulator.group(&session, &gid) {
            Some(group) => Json(group).into_response(),
            None => not_found("no such group in this session"),
        })
    })())
}

/// Seeds a group as it is on WhatsApp; see [`SeedGroup`] for the defaults.
async fn put_group(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    answer((|| {
        let Path((session, gid)) = path.map_err(path_refused)?;
        let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
        let body = Body::parse(
            &body,
            &[
                "subject",
                "description",
                "isAnnounce",
                "isLocked",
                "participants",
                "admin",
                "owner",
                "createdAt",
            ],
        )?;
        let subject = Subject::parse(body.required_str("subject")?)
            .map_err(|e| ServiceError::bad_request("subject", e.to_string()))?;
        let mut seed = SeedGroup::new(subject);
        if let Some(raw) = body.str("description")? {
            seed.description = Description::parse(raw)
                .map_err(|e| ServiceError::bad_request("description", e.to_string()))?;
        }
        seed.is_announce = body.bool("isAnnounce")?.unwrap_or(false);
        seed.is_locked = body.bool("isLocked")?.unwrap_or(false);
        seed.admin = body.bool("admin")?.unwrap_or(true);
        seed.participants = body
            .list("participants", UserJid::parse)?
            .unwrap_or_default();
        if seed.participants.len() > MAX_PARTICIPANTS {
            return Err(ServiceError::bad_request("participants", "too many"));
        }
        seed.owner = body
            .nullable_str("owner")?
            .map(|owner| owner.map(|raw| user_jid("owner", raw)).transpose())
            .transpose()?;
        seed.created_at = body.i64("createdAt")?;
        let existed = emulator.group(&session, &gid).is_some();
        Ok(match emulator.seed_group(&session, &gid, seed) {
            Some(group) => {
                let status = if existed {
                    StatusCode::OK
                } else {
                    StatusCode::CREATED
                };
                (status, Json(group)).into_response()
            }
            None => not_found("unknown session: PUT /_emulator/sessions/{session} first"),
        })
    })())
}

async fn list_faults(State(emulator): State<Emulator>) -> Response {
    Json(json!({"faults": emulator.faults()})).into_response()
}

/// Adds one fault (several may be active; the first that matches a call fires).
async fn put_fault(State(emulator): State<Emulator>, body: Bytes) -> Response {
    answer((|| {
        let body = Body::parse(
            &body,
            &[
                "session",
                "operation",
                "error",
                "status",
                "retryAfterS",
                "delayMs",
                "times",
            ],
        )?;
        let operation = match body.str("operation")? {
            None | Some("*") => None,
            Some(raw) => Some(Operation::from_operation_id(raw).ok_or_else(|| {
                ServiceError::bad_request(
                    "operation",
                    "must be an operationId of the contract or *",
                )
            })?),
        };
        let error = body
            .str("error")?
            .map(|raw| {
                FaultError::parse(raw).ok_or_else(|| {
                    ServiceError::bad_request(
                        "error",
                        "must be an error kind of the contract or garbage",
                    )
                })
            })
            .transpose()?;
        let status = body
            .u64("status")?
            .map(|s| {
                u16::try_from(s)
                    .ok()
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| ServiceError::bad_request("status", "must be 100-599"))
            })
            .transpose()?;
        let times = body
            .u64("times")?
            .map(|n| {
                u32::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ServiceError::bad_request("times", "must be at least 1"))
            })
            .transpose()?;
        let fault = Fault {
            session: body.str("session")?.map(str::to_owned),
            operation,
            error,
            status,
            retry_after_s: body.u64("retryAfterS")?,
            delay_ms: body.u64("delayMs")?.unwrap_or(0),
            times,
        };
        if fault.error.is_none() && fault.status.is_none() && fault.delay_ms == 0 {
            return Err(ServiceError::bad_request(
                "body",
                "set at least one of error, status and delayMs",
            ));
        }
        tracing::info!(?fault, "fault added");
        emulator.add_fault(fault.clone());
        Ok((StatusCode::CREATED, Json(fault)).into_response())
    })())
}

async fn delete_faults(
    State(emulator): State<Emulator>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return ServiceError::bad_request("query", "unreadable").into_response();
    };
    let removed = emulator.clear_faults(query.session.as_deref());
    Json(json!({"removed": removed})).into_response()
}

async fn calls(
    State(emulator): State<Emulator>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return ServiceError::bad_request("query", "unreadable").into_response();
    };
    Json(emulator.calls(query.session.as_deref())).into_response()
}
