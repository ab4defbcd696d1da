//! The ingest function: applies the connection service's events (from SQS) to the stored
//! groups and members, so stored data follows WhatsApp by itself. Messages that failed are
//! reported (`ReportBatchItemFailures`) and delivered again; one that can never apply (not an
//! event) ends in the dead-letter queue after 5 receives, while the rest of its batch is applied.

mod event;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use gateway_aws::SdkTimeouts;
use gateway_config::{ConfigError, Settings};
use gateway_domain::{Clock, GroupJid, SessionId, SystemClock};
use gateway_store::{
    Applied, EventTarget, MembersChange, SYNC_RUNS_AT_MOST_MS, Snapshot, Store, StoreError,
};

pub use event::{Event, EventBody, Unreadable};

/// What the function borrows: built once per cold start.
pub struct Ingest {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    known_sessions: KnownSessions,
}

impl Ingest {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            known_sessions: KnownSessions::default(),
        }
    }

    /// `GATEWAY_TABLE` and Lambda's region and credentials.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let table = settings.required("GATEWAY_TABLE")?;
        let sdk = gateway_aws::from_settings(settings, &SdkTimeouts::default())?;
        Ok(Self::new(
            Store::connect(table, &sdk),
            Arc::new(SystemClock),
        ))
    }
}

/// Sessions known to exist: a session is never deleted, so once seen, events for it need not
/// read it again. Bounded: memory stays flat whatever sessions events name.
#[derive(Default)]
struct KnownSessions(Mutex<HashSet<SessionId>>);

impl KnownSessions {
    const CAPACITY: usize = 4096;

    fn contains(&self, session: &SessionId) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(session)
    }

    fn insert(&self, session: &SessionId) {
        let mut known = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= Self::CAPACITY {
            known.clear();
        }
        known.insert(session.clone());
    }
}

/// What became of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// As new or newer is stored (a duplicate, or an older event delivered late).
    Stale,
    /// No such session: dropped, not retried.
    UnknownSession,
    /// A change of a group never stored: dropped (its snapshot brings it).
    UnknownGroup,
    /// An event type this function does not know: dropped.
    UnknownType,
    /// A `sync.completed` of a sync that is not the running one: marks nothing.
    NotRunningSync,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Stale => "stale",
            Outcome::UnknownSession => "unknown_session",
            Outcome::UnknownGroup => "unknown_group",
            Outcome::UnknownType => "unknown_type",
            Outcome::NotRunningSync => "not_running_sync",
        }
    }
}

/// Applies every message of the batch; the ones to deliver again are in the answer.
pub async fn handle(ingest: &Ingest, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in event.records {
        let message_id = record.message_id.unwrap_or_default();
        let body = record.body.unwrap_or_default();
        // Boxed: the store's futures nest deeply, and one allocation per event is nothing.
        if let Err(reason) = Box::pin(ingest_message(ingest, &body)).await {
            tracing::warn!(
                message_id,
                reason,
                "event not applied; it will be delivered again"
            );
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}

/// One message: `Err` when it must be delivered again, with why (never its content: it holds
/// phone numbers).
async fn ingest_message(ingest: &Ingest, body: &str) -> Result<(), String> {
    let event = match Event::parse(body) {
        Ok(event) => event,
        Err(Unreadable::UnknownType(kind)) => {
            tracing::info!(kind, outcome = Outcome::UnknownType.as_str(), "event");
            return Ok(());
        }
        Err(Unreadable::Malformed(reason)) => return Err(format!("malformed: {reason}")),
    };
    match apply(ingest, &event).await {
        Ok(outcome) => {
            let kind = match &event.body {
                EventBody::Snapshot { .. } => "group.snapshot",
                EventBody::Participants { .. } => "group.participants",
                EventBody::Left { .. } => "group.left",
                EventBody::SyncCompleted { .. } => "sync.completed",
            };
            tracing::info!(
                kind,
                event_id = event.event_id,
                session = %event.session,
                outcome = outcome.as_str(),
                "event"
            );
            Ok(())
        }
        Err(error) => Err(format!("{error:?}")),
    }
}

/// Applies one event to the store.
pub async fn apply(ingest: &Ingest, event: &Event) -> Result<Outcome, StoreError> {
    let session = &event.session;
    let now = ingest.clock.now_ms();
    let store = &ingest.store;
    let applied = match &event.body {
        EventBody::Snapshot {
            group,
            participants,
        } => {
            let Some(target) = target(ingest, session, &group.group_jid).await? else {
                return Ok(Outcome::UnknownSession);
            };
            let snapshot = Snapshot {
                group,
                participants,
                at: event.at,
                known_members: None,
            };
            store
                .apply_snapshot(session, target, &snapshot, None, now)
                .await?
        }
        EventBody::Participants {
            group_jid,
            version,
            action,
            participants,
        } => {
            let Some(target) = target(ingest, session, group_jid).await? else {
                return Ok(Outcome::UnknownSession);
            };
            let change = MembersChange {
                action: *action,
                participants,
                version: *version,
                at: event.at,
            };
            store
                .apply_members_change(session, target, &change, now)
                .await?
        }
        EventBody::Left { group_jid, version } => {
            let Some(target) = target(ingest, session, group_jid).await? else {
                return Ok(Outcome::UnknownSession);
            };
            store
                .apply_left(session, target, *version, event.at, now)
                .await?
        }
        EventBody::SyncCompleted {
            sync_id,
            started_at,
            group_jids,
        } => return sync_completed(ingest, event, sync_id, *started_at, group_jids).await,
    };
    Ok(match applied {
        Applied::Stale => Outcome::Stale,
        Applied::Stored(_) => Outcome::Applied,
        Applied::UnknownGroup => Outcome::UnknownGroup,
    })
}

/// The group an event is about; `None` for an unknown session.
async fn target(
    ingest: &Ingest,
    session: &SessionId,
    group: &GroupJid,
) -> Result<Option<EventTarget>, StoreError> {
    let known = ingest.known_sessions.contains(session);
    let target = ingest.store.event_target(session, group, known).await?;
    if matches!(target, EventTarget::UnknownSession) {
        return Ok(None);
    }
    ingest.known_sessions.insert(session);
    Ok(Some(target))
}

/// The end of a resync: the running sync's unlisted, quiet groups are marked left.
async fn sync_completed(
    ingest: &Ingest,
    event: &Event,
    sync_id: &str,
    started_at: i64,
    group_jids: &[GroupJid],
) -> Result<Outcome, StoreError> {
    let store = &ingest.store;
    let session = &event.session;
    let Some(record) = store.get_sync(session).await? else {
        let exists =
            ingest.known_sessions.contains(session) || store.get_session(session).await?.is_some();
        return Ok(if exists {
            Outcome::NotRunningSync
        } else {
            Outcome::UnknownSession
        });
    };
    let now = ingest.clock.now_ms();
    if record.sync_id != sync_id || !record.is_running(now, SYNC_RUNS_AT_MOST_MS) {
        return Ok(Outcome::NotRunningSync);
    }
    let marked = store
        .mark_unlisted_left(session, group_jids, started_at, now)
        .await?;
    let count = u32::try_from(group_jids.len()).unwrap_or(u32::MAX);
    store
        .complete_sync(session, sync_id, started_at, event.at, count)
        .await?;
    tracing::info!(marked, "groups not listed by the sync marked left");
    Ok(Outcome::Applied)
}
