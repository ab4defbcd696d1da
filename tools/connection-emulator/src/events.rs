//! The events of `docs/connection-events.asyncapi.yaml`, and their publisher: SQS
//! `SendMessageBatch`, at most 10 events (and 256 KiB) a request, in order.

use gateway_domain::{GroupJid, SessionId};
use serde::{Deserialize, Serialize};

use crate::members::{Participant, ParticipantAction};
use crate::world::LiveGroup;

/// One event as it is published: the envelope (`type`, `eventId`, `session`, `at`) and its
/// members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub event_id: String,
    pub session: SessionId,
    /// When the emulator saw the change (its clock), ms since the Unix epoch.
    pub at: i64,
    #[serde(flatten)]
    pub body: EventBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum EventBody {
    /// The whole group; `group.participants` is left out (it is the event's `participants`).
    #[serde(rename = "group.snapshot")]
    GroupSnapshot {
        group: LiveGroup,
        participants: Vec<Participant>,
    },
    #[serde(rename = "group.participants")]
    GroupParticipants {
        group_jid: GroupJid,
        version: i64,
        action: ParticipantAction,
        participants: Vec<Participant>,
    },
    #[serde(rename = "group.left")]
    GroupLeft { group_jid: GroupJid, version: i64 },
    #[serde(rename = "sync.completed")]
    SyncCompleted {
        sync_id: String,
        started_at: i64,
        group_jids: Vec<GroupJid>,
    },
}

impl EventBody {
    /// A snapshot of `group` (its participants moved out of the group object).
    pub(crate) fn snapshot(mut group: LiveGroup) -> Self {
        let participants = std::mem::take(&mut group.participants);
        EventBody::GroupSnapshot {
            group,
            participants,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::GroupSnapshot { .. } => "group.snapshot",
            EventBody::GroupParticipants { .. } => "group.participants",
            EventBody::GroupLeft { .. } => "group.left",
            EventBody::SyncCompleted { .. } => "sync.completed",
        }
    }

    /// The group the event is about (none for `sync.completed`).
    pub fn group_jid(&self) -> Option<&GroupJid> {
        match self {
            EventBody::GroupSnapshot { group, .. } => Some(&group.group_jid),
            EventBody::GroupParticipants { group_jid, .. }
            | EventBody::GroupLeft { group_jid, .. } => Some(group_jid),
            EventBody::SyncCompleted { .. } => None,
        }
    }

    /// The group's version the event carries (none for `sync.completed`).
    pub fn version(&self) -> Option<i64> {
        match self {
            EventBody::GroupSnapshot { group, .. } => Some(group.version),
            EventBody::GroupParticipants { version, .. } | EventBody::GroupLeft { version, .. } => {
                Some(*version)
            }
            EventBody::SyncCompleted { .. } => None,
        }
    }
}

impl Event {
    pub fn type_name(&self) -> &'static str {
        self.body.type_name()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| unreachable!("events serialise"))
    }
}

/// SQS's limits for one `SendMessageBatch`.
const BATCH_ENTRIES: usize = 10;
const BATCH_BYTES: usize = 256 * 1024;

/// Sends events to one SQS queue.
#[derive(Clone, Debug)]
pub(crate) struct Publisher {
    queue_url: String,
    client: aws_sdk_sqs::Client,
}

impl Publisher {
    pub(crate) fn new(queue_url: String, client: aws_sdk_sqs::Client) -> Self {
        Self { queue_url, client }
    }

    /// Sends `events` in order, in batches of at most 10 (and 256 KiB). A failure is logged
    /// and not retried: the call that caused the events is not failed by it.
    pub(crate) async fn send(&self, events: Vec<Event>) {
        let mut batch: Vec<(String, String)> = Vec::new();
        let mut bytes = 0;
        for event in events {
            let body = event.to_json();
            if !batch.is_empty()
                && (batch.len() == BATCH_ENTRIES || bytes + body.len() > BATCH_BYTES)
            {
                self.send_batch(std::mem::take(&mut batch)).await;
                bytes = 0;
            }
            bytes += body.len();
            batch.push((event.event_id, body));
        }
        if !batch.is_empty() {
            self.send_batch(batch).await;
        }
    }

    async fn send_batch(&self, batch: Vec<(String, String)>) {
        let count = batch.len();
        let mut entries = Vec::with_capacity(count);
        for (i, (_, body)) in batch.iter().enumerate() {
            match aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .message_body(body)
                .build()
            {
                Ok(entry) => entries.push(entry),
                Err(error) => tracing::error!(%error, "cannot build an SQS entry"),
            }
        }
        let sent = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await;
        match sent {
            Ok(output) => {
                for failed in output.failed() {
                    let event_id = failed
                        .id()
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| batch.get(i))
                        .map_or("?", |(id, _)| id.as_str());
                    tracing::error!(
                        event_id,
                        code = failed.code(),
                        message = failed.message().unwrap_or(""),
                        "SQS refused an event; it is not published"
                    );
                }
            }
            Err(error) => {
                let error = aws_sdk_sqs::error::DisplayErrorContext(&error);
                tracing::error!(
                    count,
                    error = %error,
                    "publishing events to SQS failed; they are not published"
                );
            }
        }
    }
}

/// An event id: 26 characters of Crockford base32, 48 bits of time then 80 random bits
/// (the shape of a ULID).
pub(crate) fn event_id(now_ms: i64, random: u128) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let time = u128::from(u64::try_from(now_ms).unwrap_or(0) & 0xFFFF_FFFF_FFFF);
    let value = (time << 80) | (random & ((1u128 << 80) - 1));
    (0..26)
        .rev()
        .map(|i| char::from(ALPHABET[usize::try_from((value >> (i * 5)) & 31).unwrap_or(0)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_ulid_shaped_and_sort_by_time() {
        let a = event_id(1_719_662_400_000, 7);
        let b = event_id(1_719_662_400_001, 0);
        assert_eq!(a.len(), 26);
        assert!(a < b);
        assert_ne!(event_id(1, 1), event_id(1, 2));
    }

    #[test]
    fn envelopes_are_flat() {
        let event = Event {
            event_id: "e1".into(),
            session: SessionId::parse("s1").unwrap(),
            at: 5,
            body: EventBody::GroupLeft {
                group_jid: GroupJid::parse("1@g.us").unwrap(),
                version: 9,
            },
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"type": "group.left", "eventId": "e1", "session": "s1", "at": 5,
                               "groupJid": "1@g.us", "version": 9})
        );
        let back: Event = serde_json::from_str(&event.to_json()).unwrap();
        assert_eq!(back, event);
    }
}
