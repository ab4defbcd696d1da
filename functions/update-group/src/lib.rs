//! `PATCH /api/v1/sessions/{session}/groups/{gid}`: changes a group's settings on WhatsApp,
//! one operation per field in the order subject, description, announce, locked, and keeps the
//! stored group equal to what WhatsApp holds. Capability `send`. 204 on success.

use std::time::Instant;

use gateway_connection::{ConnectionError, LiveGroup};
use gateway_domain::{Capability, Description, GroupJid, SessionId, Subject};
use gateway_errors::{ApiError, BoxError, PartialUpdate};
use gateway_http::{no_content, observe};
use gateway_live::LiveServices;
use gateway_live::members::participating;
use lambda_http::{Body, Error, Request, Response};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, json};

/// The body: any non-empty subset of the four fields. `null` is refused rather than read as
/// "leave alone": a client that sends `"description": null` most likely means to clear it,
/// and guessing either way would surprise someone.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateGroupBody {
    #[serde(default, deserialize_with = "present")]
    subject: Option<Subject>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Description>,
    #[serde(default, deserialize_with = "present")]
    announce: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    locked: Option<bool>,
}

/// A field that is there must hold a value of its type; only absence means "leave alone".
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// One WhatsApp operation of an update.
#[derive(Debug, Clone)]
enum Change {
    Subject(Subject),
    Description(Description),
    Announce(bool),
    Locked(bool),
}

impl Change {
    fn field(&self) -> &'static str {
        match self {
            Change::Subject(_) => "subject",
            Change::Description(_) => "description",
            Change::Announce(_) => "announce",
            Change::Locked(_) => "locked",
        }
    }
}

impl UpdateGroupBody {
    /// The operations, in the order WhatsApp gets them.
    fn changes(self) -> Vec<Change> {
        let mut changes = Vec::with_capacity(4);
        changes.extend(self.subject.map(Change::Subject));
        changes.extend(self.description.map(Change::Description));
        changes.extend(self.announce.map(Change::Announce));
        changes.extend(self.locked.map(Change::Locked));
        changes
    }

    /// The operations; at least one (400 otherwise).
    fn some_changes(self) -> Result<Vec<Change>, ApiError> {
        let changes = self.changes();
        if changes.is_empty() {
            return Err(ApiError::validation(
                "body",
                "at least one of subject, description, announce, locked is required",
            ));
        }
        Ok(changes)
    }
}

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("updateGroup", &req, update_group(live, &req)).await)
}

async fn update_group(live: &LiveServices, req: &Request) -> Result<Response<Body>, ApiError> {
    let pending = live
        .services
        .admit_pending(req, Capability::Send, |input, _| {
            let gid = input.path("gid", GroupJid::parse)?;
            Ok((gid, input.json::<UpdateGroupBody>()?.some_changes()?))
        })
        .await?;
    // Stored (404) and still the account's (403 without calling WhatsApp), read with the key.
    let gid = pending.input.0.clone();
    let (admitted, _) = participating(live, pending, &gid).await?;
    let (gid, changes) = &admitted.input;

    let session = &admitted.session;
    let outcome = apply(live, session, gid, changes, admitted.deadline).await;
    let latest = match &outcome {
        Ok(latest) => Some(latest),
        Err(failure) => failure.latest.as_ref(),
    };
    if let Some(latest) = latest
        && let Err(cause) = live
            .store_latest(session, latest, admitted.work_deadline())
            .await
    {
        return Err(match outcome {
            // What WhatsApp refused matters more to the caller; the log has the rest.
            Err(failure) => {
                tracing::error!(error = %cause, "a partly applied update is not stored");
                failure.error
            }
            Ok(_) => applied_but_not_stored(cause, changes),
        });
    }
    outcome
        .map(|_| no_content())
        .map_err(|failure| failure.error)
}

/// WhatsApp holds every change but the store does not: 503, saying what was applied.
fn applied_but_not_stored(cause: BoxError, changes: &[Change]) -> ApiError {
    let mut details = Map::new();
    let applied: Vec<&str> = changes.iter().map(Change::field).collect();
    details.insert("applied".into(), json!(applied));
    details.insert("notApplied".into(), json!([]));
    ApiError::Unavailable {
        source: cause,
        details,
    }
}

/// Kept back from the changes for one read of the group after a change timed out.
const RECOVERY_RESERVE: std::time::Duration = std::time::Duration::from_millis(1500);

/// Why an update stopped, and the latest state of the group that WhatsApp showed us.
struct Failure {
    error: ApiError,
    latest: Option<LiveGroup>,
}

/// Applies the changes in order; stops at the first refusal.
async fn apply(
    live: &LiveServices,
    session: &SessionId,
    gid: &GroupJid,
    changes: &[Change],
    deadline: Instant,
) -> Result<LiveGroup, Failure> {
    let client = &live.connection;
    // The changes leave time to ask WhatsApp what it holds after one of them timed out.
    let until = deadline.checked_sub(RECOVERY_RESERVE).unwrap_or(deadline);
    let mut latest = None;
    for (done, change) in changes.iter().enumerate() {
        let result = match change {
            Change::Subject(subject) => client.set_subject(session, gid, subject, until).await,
            Change::Description(text) => client.set_description(session, gid, text, until).await,
            Change::Announce(on) => client.set_announce(session, gid, *on, until).await,
            Change::Locked(on) => client.set_locked(session, gid, *on, until).await,
        };
        match result {
            Ok(group) => latest = Some(group),
            Err(error) => {
                // A call that timed out or broke may still have been carried out: ask WhatsApp
                // what it now holds, so what is stored stays true.
                if matches!(
                    error,
                    ConnectionError::Timeout | ConnectionError::Unavailable(_)
                ) && let Ok(group) = client.get_group(session, gid, deadline).await
                {
                    latest = Some(group);
                }
                return Err(Failure {
                    error: partial(error.into_api_error(), changes, done),
                    latest,
                });
            }
        }
    }
    latest.ok_or_else(|| Failure {
        error: ApiError::internal("an update with no changes reached WhatsApp"),
        latest: None,
    })
}

/// The error of a step, naming what was applied when earlier steps were.
fn partial(error: ApiError, changes: &[Change], failed_at: usize) -> ApiError {
    if failed_at == 0 {
        return error;
    }
    ApiError::Partial {
        error: Box::new(error),
        partial: PartialUpdate {
            applied: changes[..failed_at].iter().map(Change::field).collect(),
            not_applied: changes[failed_at..].iter().map(Change::field).collect(),
            failed: changes[failed_at].field(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<UpdateGroupBody, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn changes_come_in_whatsapps_order() {
        let body = parse(r#"{"locked": true, "subject": "New", "announce": false}"#).unwrap();
        let fields: Vec<_> = body.changes().iter().map(Change::field).collect();
        assert_eq!(fields, ["subject", "announce", "locked"]);
    }

    #[test]
    fn null_wrong_types_and_unknown_fields_are_refused() {
        for bad in [
            r#"{"description": null}"#,
            r#"{"announce": "yes"}"#,
            r#"{"locked": 1}"#,
            r#"{"isAnnounce": true}"#,
            r#"{"subject": ""}"#,
            r#"{"subject": 5}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("{}").unwrap().changes().is_empty());
        assert_eq!(parse(r#"{"description": ""}"#).unwrap().changes().len(), 1);
    }

    #[test]
    fn partial_names_applied_and_remaining_steps() {
        let changes = vec![
            Change::Subject(Subject::parse("a").unwrap()),
            Change::Description(Description::parse("b").unwrap()),
            Change::Locked(true),
        ];
        match partial(ApiError::NotGroupAdmin, &changes, 1) {
            ApiError::Partial { partial, .. } => {
                assert_eq!(partial.applied, ["subject"]);
                assert_eq!(partial.not_applied, ["description", "locked"]);
                assert_eq!(partial.failed, "description");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            partial(ApiError::NotGroupAdmin, &changes, 0),
            ApiError::NotGroupAdmin
        ));
    }
}
