//! The connection service's events (`docs/connection-events.asyncapi.yaml`), as read from a
//! queue message. Members this reader does not know are ignored; an event type it does not know
//! is reported as such (and dropped by the caller).

use gateway_domain::{
    Description, GroupJid, GroupSnapshot, Participant, SessionId, Subject, UserJid,
};
use gateway_store::MemberAction;
use serde::Deserialize;

/// Every event: what it is about and when the service saw it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    event_id: String,
    session: SessionId,
    at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event_id: String,
    pub session: SessionId,
    pub at: i64,
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    Snapshot {
        group: GroupSnapshot,
        participants: Vec<Participant>,
    },
    Participants {
        group_jid: GroupJid,
        version: i64,
        action: MemberAction,
        participants: Vec<Participant>,
    },
    Left {
        group_jid: GroupJid,
        version: i64,
    },
    SyncCompleted {
        sync_id: String,
        started_at: i64,
        group_jids: Vec<GroupJid>,
    },
}

/// Why a message is not an event to apply.
#[derive(Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// Not JSON, or not the shape its type says: it can never apply.
    Malformed(String),
    /// A type this reader does not know (a newer service): dropped with a log line.
    UnknownType(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotBody {
    group: EventGroup,
    participants: Vec<Participant>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventGroup {
    group_jid: GroupJid,
    subject: Subject,
    description: Description,
    owner_jid: Option<UserJid>,
    participant_count: u32,
    is_announce: bool,
    is_locked: bool,
    created_at: i64,
    version: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ParticipantsBody {
    group_jid: GroupJid,
    version: i64,
    action: Action,
    participants: Vec<Participant>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Action {
    Add,
    Remove,
    Promote,
    Demote,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeftBody {
    group_jid: GroupJid,
    version: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyncBody {
    sync_id: String,
    started_at: i64,
    group_jids: Vec<GroupJid>,
}

fn body<'a, T: Deserialize<'a>>(kind: &str, text: &'a str) -> Result<T, Unreadable> {
    serde_json::from_str(text).map_err(|e| Unreadable::Malformed(format!("{kind}: {e}")))
}

impl Event {
    pub fn parse(text: &str) -> Result<Self, Unreadable> {
        let envelope: Envelope = serde_json::from_str(text)
            .map_err(|e| Unreadable::Malformed(format!("not an event: {e}")))?;
        let kind = envelope.kind.as_str();
        let body = match kind {
            "group.snapshot" => {
                let SnapshotBody {
                    group: g,
                    participants,
                } = body(kind, text)?;
                EventBody::Snapshot {
                    group: GroupSnapshot {
                        group_jid: g.group_jid,
                        subject: g.subject,
                        description: g.description,
                        owner_jid: g.owner_jid,
                        participant_count: g.participant_count,
                        is_announce: g.is_announce,
                        is_locked: g.is_locked,
                        created_at_wa: g.created_at,
                        version: Some(g.version),
                    },
                    participants,
                }
            }
            "group.participants" => {
                let b: ParticipantsBody = body(kind, text)?;
                EventBody::Participants {
                    group_jid: b.group_jid,
                    version: b.version,
                    action: match b.action {
                        Action::Add => MemberAction::Add,
                        Action::Remove => MemberAction::Remove,
                        Action::Promote => MemberAction::Promote,
                        Action::Demote => MemberAction::Demote,
                    },
                    participants: b.participants,
                }
            }
            "group.left" => {
                let b: LeftBody = body(kind, text)?;
                EventBody::Left {
                    group_jid: b.group_jid,
                    version: b.version,
                }
            }
            "sync.completed" => {
                let b: SyncBody = body(kind, text)?;
                EventBody::SyncCompleted {
                    sync_id: b.sync_id,
                    started_at: b.started_at,
                    group_jids: b.group_jids,
                }
            }
            other => return Err(Unreadable::UnknownType(other.to_owned())),
        };
        Ok(Event {
            event_id: envelope.event_id,
            session: envelope.session,
            at: envelope.at,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn snapshot() -> serde_json::Value {
        json!({
            "type": "group.snapshot", "eventId": "e1", "session": "demo", "at": 10,
            "group": {
                "groupJid": "120363021234567890@g.us", "subject": "Team", "description": "",
                "ownerJid": null, "participantCount": 1, "isAnnounce": false,
                "isLocked": false, "memberAddMode": "admins", "createdAt": 5, "version": 7
            },
            "participants": [{"jid": "6281@s.whatsapp.net", "lid": "91@lid", "role": "superadmin"}],
            "somethingNew": true
        })
    }

    #[test]
    fn a_snapshot_reads_with_unknown_members_ignored() {
        let event = Event::parse(&snapshot().to_string()).unwrap();
        match event.body {
            EventBody::Snapshot {
                group,
                participants,
            } => {
                assert_eq!(group.version, Some(7));
                assert_eq!(participants[0].lid.as_ref().unwrap().as_str(), "91@lid");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_type_of_the_contract_reads() {
        for text in [
            json!({"type": "group.participants", "eventId": "e", "session": "s", "at": 1,
                   "groupJid": "1@g.us", "version": 2, "action": "promote",
                   "participants": [{"jid": "1@lid", "role": "admin"}]}),
            json!({"type": "group.left", "eventId": "e", "session": "s", "at": 1,
                   "groupJid": "1@g.us", "version": 2}),
            json!({"type": "sync.completed", "eventId": "e", "session": "s", "at": 1,
                   "syncId": "x", "startedAt": 1, "groupJids": ["1@g.us"]}),
        ] {
            assert!(Event::parse(&text.to_string()).is_ok(), "{text}");
        }
    }

    #[test]
    fn malformed_events_and_unknown_types_are_told_apart() {
        let unknown = json!({"type": "group.renamed", "eventId": "e", "session": "s", "at": 1});
        assert_eq!(
            Event::parse(&unknown.to_string()),
            Err(Unreadable::UnknownType("group.renamed".into()))
        );
        let mut bad_jid = snapshot();
        bad_jid["participants"][0]["jid"] = json!("not a jid");
        for bad in [
            "not json".to_owned(),
            "{}".to_owned(),
            bad_jid.to_string(),
            json!({"type": "group.left", "eventId": "e", "session": "a b", "at": 1,
                   "groupJid": "1@g.us", "version": 2})
            .to_string(),
        ] {
            assert!(
                matches!(Event::parse(&bad), Err(Unreadable::Malformed(_))),
                "{bad}"
            );
        }
    }
}
