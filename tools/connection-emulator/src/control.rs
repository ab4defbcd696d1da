//! The control API under `/_emulator`: what tests use to set up WhatsApp, inject faults and
//! count calls. No bearer secret: the emulator listens on loopback for tests and local runs.

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::{Fault, FaultError};
use crate::members::{AddableBy, MemberAddMode, Participant, PhoneAction, Role, UserSettings};
use crate::wire::{Body, ServiceError};
use crate::world::{JoinError, Operation, SeedGroup};
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
            "/_emulator/sessions/{session}/groups/{gid}/participants",
            post(change_participants),
        )
        .route(
            "/_emulator/sessions/{session}/groups/{gid}/settings",
            put(put_settings),
        )
        .route(
            "/_emulator/sessions/{session}/groups/{gid}/membership",
            axum::routing::delete(delete_membership),
        )
        .route("/_emulator/users/{jid}", get(get_user).put(put_user))
        .route("/_emulator/invites/{code}/join", post(join))
        .route("/_emulator/events", get(events))
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

fn user_jid_ending(field: &str, raw: &str, suffix: &str) -> Result<UserJid, ServiceError> {
    let jid = user_jid(field, raw)?;
    if !jid.as_str().ends_with(suffix) {
        return Err(ServiceError::bad_request(
            field,
            format!("must be a <digits>{suffix} JID"),
        ));
    }
    Ok(jid)
}

/// `participants`: JID strings (a member as WhatsApp would add them: see
/// [`Emulator::participant_for`]) or Participant objects `{"jid", "lid"?, "phoneJid"?,
/// "role"?}` (role default `member`).
fn participants(
    emulator: &Emulator,
    body: &Body,
    name: &str,
) -> Result<Option<Vec<Participant>>, ServiceError> {
    let Some(value) = body.get(name) else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(ServiceError::bad_request(name, "must be an array"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("{name}[{i}]");
            match item {
                Value::String(raw) => Ok(emulator.participant_for(&user_jid(&field, raw)?)),
                Value::Object(members) => {
                    if let Some(unknown) = members
                        .keys()
                        .find(|k| !["jid", "lid", "phoneJid", "role"].contains(&k.as_str()))
                    {
                        return Err(ServiceError::bad_request(
                            format!("{field}.{unknown}"),
                            "unknown field",
                        ));
                    }
                    let text = |member: &str| -> Result<Option<&str>, ServiceError> {
                        match members.get(member) {
                            None | Some(Value::Null) => Ok(None),
                            Some(Value::String(s)) => Ok(Some(s)),
                            Some(_) => Err(ServiceError::bad_request(
                                format!("{field}.{member}"),
                                "must be a string",
                            )),
                        }
                    };
                    let jid = text("jid")?.ok_or_else(|| {
                        ServiceError::bad_request(format!("{field}.jid"), "is required")
                    })?;
                    let role = match text("role")? {
                        None => Role::Member,
                        Some(raw) => Role::parse(raw).ok_or_else(|| {
                            ServiceError::bad_request(
                                format!("{field}.role"),
                                "must be member, admin or superadmin",
                            )
                        })?,
                    };
                    Ok(Participant {
                        jid: user_jid(&format!("{field}.jid"), jid)?,
                        lid: text("lid")?
                            .map(|raw| user_jid_ending(&format!("{field}.lid"), raw, "@lid"))
                            .transpose()?,
                        phone_jid: text("phoneJid")?
                            .map(|raw| {
                                user_jid_ending(
                                    &format!("{field}.phoneJid"),
                                    raw,
                                    "@s.whatsapp.net",
                                )
                            })
                            .transpose()?,
                        role,
                    })
                }
                _ => Err(ServiceError::bad_request(
                    field,
                    "must be a user JID or a Participant object",
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
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
    settle(
        &emulator,
        (|| {
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
        })(),
    )
    .await
}

/// Answers once the events of the change are sent.
async fn settle(emulator: &Emulator, result: Answer) -> Response {
    emulator.flush_events().await;
    answer(result)
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
    settle(
        &emulator,
        (|| {
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
                    "memberAddMode",
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
            seed.participants = participants(&emulator, &body, "participants")?.unwrap_or_default();
            if let Some(state) = emulator.session(&session) {
                let others = seed
                    .participants
                    .iter()
                    .filter(|p| !p.is(std::slice::from_ref(&state.account)))
                    .count();
                if others > MAX_PARTICIPANTS {
                    return Err(ServiceError::bad_request(
                        "participants",
                        format!("at most {MAX_PARTICIPANTS} besides the session's account"),
                    ));
                }
            }
            if let Some(raw) = body.str("memberAddMode")? {
                seed.member_add_mode = member_add_mode(raw)?;
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
        })(),
    )
    .await
}

fn member_add_mode(raw: &str) -> Result<MemberAddMode, ServiceError> {
    MemberAddMode::parse(raw)
        .ok_or_else(|| ServiceError::bad_request("memberAddMode", "must be admins or all"))
}

const NO_GROUP: &str = "no such group in this session";

/// `{"action": "add"|"remove"|"promote"|"demote"|"leave", "participants": [...]}`: a change
/// made from a phone.
async fn change_participants(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    settle(
        &emulator,
        (|| {
            let Path((session, gid)) = path.map_err(path_refused)?;
            let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
            let body = Body::parse(&body, &["action", "participants"])?;
            let action = PhoneAction::parse(body.required_str("action")?).ok_or_else(|| {
                ServiceError::bad_request("action", "must be add, remove, promote, demote or leave")
            })?;
            let people = participants(&emulator, &body, "participants")?
                .filter(|people| !people.is_empty())
                .ok_or_else(|| ServiceError::bad_request("participants", "must list someone"))?;
            Ok(
                match emulator.phone_change(&session, &gid, action, people) {
                    Some(change) => Json(change).into_response(),
                    None => not_found(NO_GROUP),
                },
            )
        })(),
    )
    .await
}

/// `{"memberAddMode": "admins"|"all"}`
async fn put_settings(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Response {
    settle(
        &emulator,
        (|| {
            let Path((session, gid)) = path.map_err(path_refused)?;
            let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
            let body = Body::parse(&body, &["memberAddMode"])?;
            let mode = member_add_mode(body.required_str("memberAddMode")?)?;
            Ok(match emulator.set_member_add_mode(&session, &gid, mode) {
                Some(group) => Json(group).into_response(),
                None => not_found(NO_GROUP),
            })
        })(),
    )
    .await
}

/// The session's account was removed from the group.
async fn delete_membership(
    State(emulator): State<Emulator>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    settle(
        &emulator,
        (|| {
            let Path((session, gid)) = path.map_err(path_refused)?;
            let (session, gid) = (session_id(&session)?, group_jid(&gid)?);
            Ok(match emulator.remove_account(&session, &gid) {
                Some(group) => Json(group).into_response(),
                None => not_found(NO_GROUP),
            })
        })(),
    )
    .await
}

/// `{"onWhatsApp": bool (default true), "addableBy": "everyone"|"contacts"|"nobody" (default
/// everyone), "lid": "<digits>@lid" (phone JIDs only)}`; replaces what was set before.
async fn put_user(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    answer((|| {
        let jid = user_jid("jid", &path.map_err(path_refused)?.0)?;
        let body = Body::parse(&body, &["onWhatsApp", "addableBy", "lid"])?;
        let addable_by = match body.str("addableBy")? {
            None => AddableBy::Everyone,
            Some(raw) => AddableBy::parse(raw).ok_or_else(|| {
                ServiceError::bad_request("addableBy", "must be everyone, contacts or nobody")
            })?,
        };
        let lid = body
            .str("lid")?
            .map(|raw| user_jid_ending("lid", raw, "@lid"))
            .transpose()?;
        if lid.is_some() && jid.as_str().ends_with("@lid") {
            return Err(ServiceError::bad_request(
                "lid",
                "only a phone-number JID has a LID",
            ));
        }
        let settings = UserSettings {
            on_whats_app: body.bool("onWhatsApp")?.unwrap_or(true),
            addable_by,
            lid,
        };
        Ok(Json(emulator.put_user(&jid, settings)).into_response())
    })())
}

async fn get_user(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    answer((|| {
        let jid = user_jid("jid", &path.map_err(path_refused)?.0)?;
        Ok(match emulator.user(&jid) {
            Some(user) => Json(user).into_response(),
            None => not_found("nothing was set for this person (defaults apply)"),
        })
    })())
}

/// `{"jid": "<user JID>"}`: that person joins through the invite code.
async fn join(
    State(emulator): State<Emulator>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    settle(&emulator, (|| {
        let code = path.map_err(path_refused)?.0;
        let body = Body::parse(&body, &["jid"])?;
        let jid = user_jid("jid", body.required_str("jid")?)?;
        Ok(match emulator.join(&code, &jid) {
            Ok(joined) => Json(joined).into_response(),
            Err(JoinError::NotFound) => not_found("unknown, revoked or expired invite code"),
            Err(JoinError::GroupFull) => (
                StatusCode::CONFLICT,
                Json(json!({"error": {"kind": "group_full", "message": "the group has 1024 members"}})),
            )
                .into_response(),
        })
    })())
    .await
}

async fn events(
    State(emulator): State<Emulator>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return ServiceError::bad_request("query", "unreadable").into_response();
    };
    let events: Vec<_> = emulator
        .events()
        .into_iter()
        .filter(|e| {
            query
                .session
                .as_deref()
                .is_none_or(|s| e.session.as_str() == s)
        })
        .collect();
    Json(json!({"events": events})).into_response()
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
                "carryOut",
                "drop",
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
            carry_out: body.bool("carryOut")?.unwrap_or(false),
            drop: body.bool("drop")?.unwrap_or(false),
        };
        if fault.error.is_none() && fault.status.is_none() && !fault.drop && fault.delay_ms == 0 {
            return Err(ServiceError::bad_request(
                "body",
                "set at least one of error, status, drop and delayMs",
            ));
        }
        if fault.drop && fault.error.is_some() {
            return Err(ServiceError::bad_request(
                "drop",
                "answers by itself: it does not go with error",
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
