//! Storing what WhatsApp reports: a group's snapshot (from an event, a new group, a live
//! answer), a change of members, the account leaving a group, the end of a sync.
//!
//! Each is read, planned (`plan`, pure) and written: the member writes are conditional on each
//! member's version, in transactions with the group item (its member count moves with its
//! members, so `participantCount` always equals the stored members), and the group's own
//! change is written last, on the condition that nothing changed it since it was read (`rev`).
//! A redelivered event, or a retry after a conflict, reads and plans again: what was already
//! written is skipped by its version.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, PutRequest, TransactWriteItem, Update, WriteRequest,
};
use gateway_domain::{Group, GroupJid, GroupSnapshot, Participant, SessionId};

use crate::conditions::Item;
use crate::groups::{GroupItem, GroupState, num};
use crate::keys::{self, PK, SK};
use crate::members::{KnownMembers, MemberItem};
use crate::plan::{
    MemberAction, MemberWrite, TombstoneDelete, left_applies, plan_delta, plan_snapshot,
    sync_marks_left,
};
use crate::sessions::session_from_item;
use crate::{Store, StoreError};

/// Items of one transaction: moto accepts 25 (DynamoDB 100). One is the group's.
const MEMBERS_PER_TRANSACTION: usize = 24;
/// Read-plan-write rounds before giving up on a group other writers keep changing.
const ATTEMPTS: usize = 4;

/// A group an event is about, as stored.
#[derive(Debug, Clone)]
pub enum EventTarget {
    /// No such session: the event is dropped.
    UnknownSession,
    /// The session is stored, the group is not.
    NewGroup,
    Stored(Box<StoredGroup>),
}

/// A stored group with what decides how events apply to it.
#[derive(Debug, Clone)]
pub struct StoredGroup(pub(crate) GroupItem);

impl StoredGroup {
    pub fn group(&self) -> Group {
        Group::from(self.0.clone())
    }

    pub fn group_jid(&self) -> &GroupJid {
        &self.0.group_jid
    }

    /// The session's account left the group (or was removed from it).
    pub fn is_left(&self) -> bool {
        self.0.state.left_at.is_some()
    }
}

/// How applying went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// What is stored is as new or newer: nothing changed.
    Stale,
    /// The group as stored afterwards (its members written).
    Stored(Group),
    /// The group is not stored (a change of members or a departure of a group never seen:
    /// a snapshot will bring it).
    UnknownGroup,
}

/// A snapshot of a group: its fields and version, every participant, and when it was seen.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    pub group: &'a GroupSnapshot,
    pub participants: &'a [Participant],
    pub at: i64,
    /// The group's members as this request read them before (a live change of one of them):
    /// the first round plans against them instead of reading them again; a conflict reads.
    pub known_members: Option<&'a KnownMembers>,
}

impl Snapshot<'_> {
    fn version(&self) -> i64 {
        self.group.version.unwrap_or(0)
    }
}

/// A change of members as `group.participants` reports it.
#[derive(Debug, Clone, Copy)]
pub struct MembersChange<'a> {
    pub action: MemberAction,
    pub participants: &'a [Participant],
    pub version: i64,
    pub at: i64,
}

/// One write of a member item.
enum MemberOp {
    Write(MemberWrite),
    Delete(TombstoneDelete),
}

impl MemberOp {
    fn count_delta(&self) -> i64 {
        match self {
            MemberOp::Write(write) => write.count_delta(),
            MemberOp::Delete(_) => 0,
        }
    }
}

/// How a transaction ended.
enum Transacted {
    Done,
    /// The group item's condition failed.
    GroupChanged,
    /// These member operations (indices into the transaction's members) lost to newer writes.
    MembersNewer(Vec<usize>),
}

impl Store {
    /// The session and group an event is about, in one request (`session_known`: the caller
    /// knows the session exists and only the group is read).
    pub async fn event_target(
        &self,
        session: &SessionId,
        group: &GroupJid,
        session_known: bool,
    ) -> Result<EventTarget, StoreError> {
        if session_known {
            return self.read_target(session, group).await;
        }
        let (found_session, found_group) = self.get_session_and_item(session, group).await?;
        if found_session.is_none() {
            return Ok(EventTarget::UnknownSession);
        }
        Ok(match found_group {
            None => EventTarget::NewGroup,
            Some(item) => EventTarget::Stored(Box::new(StoredGroup(group_item(item)?))),
        })
    }

    pub(crate) async fn read_target(
        &self,
        session: &SessionId,
        group: &GroupJid,
    ) -> Result<EventTarget, StoreError> {
        Ok(match self.get_group_item(session, group).await? {
            None => EventTarget::NewGroup,
            Some(item) => EventTarget::Stored(Box::new(StoredGroup(group_item(item)?))),
        })
    }

    /// Stores a snapshot: a new group gets the session's next id (or `id`, allocated earlier);
    /// a stored one changes as the snapshot rules say.
    pub async fn apply_snapshot(
        &self,
        session: &SessionId,
        mut target: EventTarget,
        snapshot: &Snapshot<'_>,
        id: Option<u64>,
        now: i64,
    ) -> Result<Applied, StoreError> {
        let mut id = id;
        let mut known = snapshot.known_members;
        for _ in 0..ATTEMPTS {
            let outcome = match target {
                EventTarget::UnknownSession => return Ok(Applied::UnknownGroup),
                EventTarget::NewGroup => {
                    let id = match id.take() {
                        Some(id) => id,
                        None => self.next_group_id(session).await?,
                    };
                    // Boxed: these futures are large, and callers nest them deeply.
                    Box::pin(self.store_new_group(session, snapshot, id, now)).await?
                }
                EventTarget::Stored(stored) => {
                    let known = known.take();
                    Box::pin(self.snapshot_stored(session, &stored.0, snapshot, known, now)).await?
                }
            };
            match outcome {
                Some(applied) => return Ok(applied),
                None => target = self.read_target(session, &snapshot.group.group_jid).await?,
            }
        }
        Err(StoreError::Unavailable(
            "the group kept changing while a snapshot was stored".into(),
        ))
    }

    /// A group stored for the first time, with its members. `None`: it exists after all.
    ///
    /// A few members go in one transaction with the group. Many (a big group seen for the
    /// first time) are written first with batch writes, then the group: until the group is
    /// stored no event changes its members (a change of an unknown group is dropped), so only
    /// writers of a snapshot of the same new group can race, and the next snapshot sets the
    /// count exactly.
    async fn store_new_group(
        &self,
        session: &SessionId,
        snapshot: &Snapshot<'_>,
        id: u64,
        now: i64,
    ) -> Result<Option<Applied>, StoreError> {
        let s = snapshot.group;
        let version = snapshot.version();
        let plan = plan_snapshot(
            &GroupState::default(),
            0,
            &[],
            snapshot.participants,
            version,
            snapshot.at,
            now,
        )
        .unwrap_or_default();
        let live: i64 = plan.writes.iter().map(MemberWrite::count_delta).sum();
        let item = GroupItem {
            pk: keys::session_pk(session),
            sk: keys::group_sk(&s.group_jid),
            id,
            group_jid: s.group_jid.clone(),
            subject: s.subject.clone(),
            description: s.description.clone(),
            owner_jid: s.owner_jid.clone(),
            participant_count: s.participant_count,
            is_announce: s.is_announce,
            is_locked: s.is_locked,
            created_at_wa: s.created_at_wa,
            first_seen_at: now,
            updated_at: now,
            state: GroupState {
                wa_version: version,
                snapshot_version: version,
                member_count: Some(live),
                left_at: None,
                left_version: None,
                last_event_at: Some(snapshot.at),
                rev: 1,
            },
        };
        let put = TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(
                        serde_dynamo::to_item(&item).map_err(StoreError::malformed)?,
                    ))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", PK)
                    .build()
                    .map_err(|e| StoreError::Other(e.into()))?,
            )
            .build();
        let ops: Vec<MemberOp> = plan.writes.into_iter().map(MemberOp::Write).collect();
        if ops.len() > MEMBERS_PER_TRANSACTION {
            let items = ops
                .iter()
                .filter_map(|op| match op {
                    MemberOp::Write(write) => {
                        Some(MemberItem::of(session, &s.group_jid, &write.next))
                    }
                    MemberOp::Delete(_) => None,
                })
                .map(|member| serde_dynamo::to_item(member).map_err(StoreError::malformed))
                .collect::<Result<Vec<Item>, _>>()?;
            self.batch_put(items).await?;
            let Some(put) = put.put else {
                return Err(StoreError::Other("the group's put went missing".into()));
            };
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(put.item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .send()
                .await;
            if crate::conditions::conditional(result)?.is_none() {
                return Ok(None);
            }
        } else {
            match self
                .members_with(session, &s.group_jid, ops, |_| Ok(put))
                .await?
            {
                Transacted::Done => {}
                Transacted::GroupChanged | Transacted::MembersNewer(_) => return Ok(None),
            }
        }
        Ok(Some(Applied::Stored(Group::from(item))))
    }

    /// Puts items with batch writes (25 a request), again for any DynamoDB left unprocessed.
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for chunk in items.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map(|put| WriteRequest::builder().put_request(put).build())
                        .map_err(|e| StoreError::Other(e.into()))
                })
                .collect::<Result<_, _>>()?;
            // Unprocessed items come back under throttling; the SDK already retried the
            // request, so after a few rounds this is an outage.
            for round in 0.. {
                if requests.is_empty() {
                    break;
                }
                if round == 4 {
                    return Err(StoreError::Unavailable(
                        "BatchWriteItem left items unprocessed".into(),
                    ));
                }
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(StoreError::from_sdk)?;
                requests = output
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
            }
        }
        Ok(())
    }

    /// A snapshot of a stored group. `None`: the group changed meanwhile; read it again.
    async fn snapshot_stored(
        &self,
        session: &SessionId,
        stored: &GroupItem,
        snapshot: &Snapshot<'_>,
        known: Option<&KnownMembers>,
        now: i64,
    ) -> Result<Option<Applied>, StoreError> {
        let version = snapshot.version();
        if version <= stored.state.snapshot_version {
            return Ok(Some(Applied::Stale));
        }
        let jid = &stored.group_jid;
        let read;
        let members = match known {
            Some(known) => &known.0,
            None => {
                read = self.stored_members(session, jid).await?;
                &read
            }
        };
        let Some(plan) = plan_snapshot(
            &stored.state,
            stored.state.wa_version,
            members,
            snapshot.participants,
            version,
            snapshot.at,
            now,
        ) else {
            return Ok(Some(Applied::Stale));
        };
        let changed = plan.set_fields || plan.clear_left || !plan.writes.is_empty();
        let change = GroupChange {
            set_fields: plan.set_fields.then_some(snapshot.group),
            snapshot_version: Some(version),
            clear_left: plan.clear_left,
            left: None,
            last_event_at: plan.last_event_at,
            updated_at: changed.then_some(now),
            members_before: Some(
                i64::try_from(members.iter().filter(|m| m.is_live()).count()).unwrap_or(i64::MAX),
            ),
        };
        let ops: Vec<MemberOp> = plan
            .writes
            .into_iter()
            .map(MemberOp::Write)
            .chain(plan.deletes.into_iter().map(MemberOp::Delete))
            .collect();
        let Some(delta) = self
            .write_with_group(session, jid, ops, version, &change, stored.state.rev)
            .await?
        else {
            return Ok(None);
        };
        let mut after = stored.clone();
        if let Some(fields) = change.set_fields {
            after.subject = fields.subject.clone();
            after.description = fields.description.clone();
            after.owner_jid = fields.owner_jid.clone();
            after.is_announce = fields.is_announce;
            after.is_locked = fields.is_locked;
            after.created_at_wa = fields.created_at_wa;
        }
        if change.clear_left {
            after.state.left_at = None;
        }
        if let Some(at) = change.updated_at {
            after.updated_at = at;
        }
        after.state.member_count = change.members_before.map(|before| before + delta);
        Ok(Some(Applied::Stored(Group::from(after))))
    }

    /// A change of members made by anyone (`group.participants`).
    pub async fn apply_members_change(
        &self,
        session: &SessionId,
        mut target: EventTarget,
        change: &MembersChange<'_>,
        now: i64,
    ) -> Result<Applied, StoreError> {
        let MembersChange {
            action,
            participants,
            version,
            at,
        } = *change;
        for _ in 0..ATTEMPTS {
            let stored = match target {
                EventTarget::Stored(stored) => stored,
                _ => return Ok(Applied::UnknownGroup),
            };
            let stored = &stored.0;
            if version <= stored.state.snapshot_version {
                return Ok(Applied::Stale);
            }
            let jid = &stored.group_jid;
            let members = self.stored_members(session, jid).await?;
            let Some(writes) = plan_delta(
                &stored.state,
                &members,
                action,
                participants,
                version,
                at,
                now,
            ) else {
                return Ok(Applied::Stale);
            };
            let change = GroupChange {
                set_fields: None,
                snapshot_version: None,
                clear_left: false,
                left: None,
                last_event_at: stored.state.last_event_at.map_or(at, |last| last.max(at)),
                updated_at: (!writes.is_empty()).then_some(now),
                members_before: None,
            };
            let ops = writes.into_iter().map(MemberOp::Write).collect();
            match self
                .write_with_group(session, jid, ops, version, &change, stored.state.rev)
                .await?
            {
                Some(delta) => {
                    let mut after = stored.clone();
                    after.state.member_count = Some(after.state.member_count.unwrap_or(0) + delta);
                    if let Some(at) = change.updated_at {
                        after.updated_at = at;
                    }
                    return Ok(Applied::Stored(Group::from(after)));
                }
                None => target = self.read_target(session, jid).await?,
            }
        }
        Err(StoreError::Unavailable(
            "the group kept changing while its members were stored".into(),
        ))
    }

    /// The session's account left the group, or was removed from it (`group.left`).
    pub async fn apply_left(
        &self,
        session: &SessionId,
        mut target: EventTarget,
        version: i64,
        at: i64,
        now: i64,
    ) -> Result<Applied, StoreError> {
        for _ in 0..ATTEMPTS {
            let stored = match target {
                EventTarget::Stored(stored) => stored,
                _ => return Ok(Applied::UnknownGroup),
            };
            let stored = &stored.0;
            if !left_applies(&stored.state, stored.state.wa_version, version) {
                return Ok(Applied::Stale);
            }
            let change = GroupChange {
                set_fields: None,
                snapshot_version: None,
                clear_left: false,
                left: Some((at, Some(version))),
                last_event_at: stored.state.last_event_at.map_or(at, |last| last.max(at)),
                updated_at: Some(now),
                members_before: None,
            };
            let jid = &stored.group_jid;
            if self
                .write_with_group(session, jid, Vec::new(), version, &change, stored.state.rev)
                .await?
                .is_some()
            {
                let mut after = stored.clone();
                after.state.left_at = Some(at);
                after.updated_at = now;
                return Ok(Applied::Stored(Group::from(after)));
            }
            target = self.read_target(session, jid).await?;
        }
        Err(StoreError::Unavailable(
            "the group kept changing while its departure was stored".into(),
        ))
    }

    /// Marks left every stored group of the session that a sync begun at `started_at` did not
    /// list and that saw no event since; returns how many it marked.
    pub async fn mark_unlisted_left(
        &self,
        session: &SessionId,
        listed: &[GroupJid],
        started_at: i64,
        now: i64,
    ) -> Result<usize, StoreError> {
        let listed: std::collections::HashSet<&GroupJid> = listed.iter().collect();
        let mut marked = 0;
        for item in self.all_group_items(session).await? {
            let mut stored = group_item(item)?;
            if listed.contains(&stored.group_jid) {
                continue;
            }
            for _ in 0..ATTEMPTS {
                if !sync_marks_left(&stored.state, started_at) {
                    break;
                }
                let change = GroupChange {
                    set_fields: None,
                    snapshot_version: None,
                    clear_left: false,
                    left: Some((started_at, None)),
                    last_event_at: stored.state.last_event_at.unwrap_or(0),
                    updated_at: Some(now),
                    members_before: None,
                };
                let jid = stored.group_jid.clone();
                let written = self
                    .members_with(session, &jid, Vec::new(), |_| {
                        self.group_update(session, &jid, &change, Count::Add(0), stored.state.rev)
                    })
                    .await?;
                if matches!(written, Transacted::Done) {
                    marked += 1;
                    break;
                }
                match self.get_group_item(session, &jid).await? {
                    Some(item) => stored = group_item(item)?,
                    None => break,
                }
            }
        }
        Ok(marked)
    }

    /// Writes member operations in transactions, the last one with the group's change (on
    /// `rev`). `Some(count delta)` once written; `None` when the group changed since it was
    /// read (the caller reads and plans again).
    async fn write_with_group(
        &self,
        session: &SessionId,
        group: &GroupJid,
        ops: Vec<MemberOp>,
        version: i64,
        change: &GroupChange<'_>,
        rev: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut chunks = chunked(ops);
        let last = chunks.pop().unwrap_or_default();
        let Some(delta) = self.member_chunks(session, group, chunks, version).await? else {
            return Ok(None);
        };
        let last_delta: i64 = last.iter().map(MemberOp::count_delta).sum();
        let outcome = self
            .members_with(session, group, last, |d| {
                let count = match change.members_before {
                    Some(before) => Count::Set(before + delta + d),
                    None => Count::Add(d),
                };
                self.group_update(session, group, change, count, rev)
            })
            .await?;
        Ok(match outcome {
            Transacted::Done => Some(delta + last_delta),
            // The group changed since it was read, or a member did: plan again from what is
            // stored now (what was written is skipped by its version).
            Transacted::GroupChanged | Transacted::MembersNewer(_) => None,
        })
    }

    /// Member operations in transactions of their own, each with the group's count (only
    /// while no snapshot at `version` or newer is stored). `Some(count delta)` once written;
    /// `None` when a newer snapshot got there first.
    async fn member_chunks(
        &self,
        session: &SessionId,
        group: &GroupJid,
        chunks: Vec<Vec<MemberOp>>,
        version: i64,
    ) -> Result<Option<i64>, StoreError> {
        let mut delta = 0;
        for mut chunk in chunks {
            loop {
                if chunk.is_empty() {
                    break;
                }
                let chunk_delta: i64 = chunk.iter().map(MemberOp::count_delta).sum();
                let keep = chunk_copy(&chunk);
                match self
                    .members_with(session, group, chunk, |d| {
                        self.count_update(session, group, d, version)
                    })
                    .await?
                {
                    Transacted::Done => {
                        delta += chunk_delta;
                        break;
                    }
                    Transacted::GroupChanged => return Ok(None),
                    // Those members changed after this snapshot or delta: they stay.
                    Transacted::MembersNewer(lost) => {
                        chunk = keep
                            .into_iter()
                            .enumerate()
                            .filter(|(i, _)| !lost.contains(i))
                            .map(|(_, op)| op)
                            .collect();
                    }
                }
            }
        }
        Ok(Some(delta))
    }

    /// One transaction: the member operations and the group's item (`group_op`, given the
    /// operations' count delta).
    async fn members_with(
        &self,
        session: &SessionId,
        group: &GroupJid,
        ops: Vec<MemberOp>,
        group_op: impl FnOnce(i64) -> Result<TransactWriteItem, StoreError>,
    ) -> Result<Transacted, StoreError> {
        let delta: i64 = ops.iter().map(MemberOp::count_delta).sum();
        let mut items = Vec::with_capacity(ops.len() + 1);
        items.push(group_op(delta)?);
        for op in &ops {
            items.push(self.member_op(session, group, op)?);
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Transacted::Done),
            Err(error) => {
                let reasons = match error.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(e)) => e
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None").to_owned())
                        .collect::<Vec<_>>(),
                    _ => return Err(StoreError::from_sdk(error)),
                };
                let failed = |i: usize| {
                    reasons
                        .get(i)
                        .is_some_and(|c| c == "ConditionalCheckFailed")
                };
                if failed(0) {
                    return Ok(Transacted::GroupChanged);
                }
                let lost: Vec<usize> = (0..ops.len()).filter(|i| failed(i + 1)).collect();
                if lost.is_empty() {
                    // Cancelled for another reason (a concurrent transaction on one of the
                    // items): worth another round.
                    return Err(StoreError::Unavailable(
                        format!("transaction cancelled: {reasons:?}").into(),
                    ));
                }
                Ok(Transacted::MembersNewer(lost))
            }
        }
    }

    fn member_op(
        &self,
        session: &SessionId,
        group: &GroupJid,
        op: &MemberOp,
    ) -> Result<TransactWriteItem, StoreError> {
        let built = match op {
            MemberOp::Write(write) => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(
                        serde_dynamo::to_item(MemberItem::of(session, group, &write.next))
                            .map_err(StoreError::malformed)?,
                    ))
                    .condition_expression("attribute_not_exists(#pk) OR version < :v")
                    .expression_attribute_names("#pk", PK)
                    .expression_attribute_values(":v", num(write.next.version))
                    .build()
                    .map_err(|e| StoreError::Other(e.into()))?,
            ),
            MemberOp::Delete(delete) => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::member_item(session, group, &delete.key)))
                    .condition_expression("attribute_exists(removedAt) AND version <= :v")
                    .expression_attribute_values(":v", num(delete.version))
                    .build()
                    .map_err(|e| StoreError::Other(e.into()))?,
            ),
        };
        Ok(built.build())
    }

    /// The group's member count, moved with a chunk of member writes, only while no snapshot
    /// at `version` or newer is stored.
    fn count_update(
        &self,
        session: &SessionId,
        group: &GroupJid,
        delta: i64,
        version: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::group_item(session, group)))
            .update_expression("ADD memberCount :delta")
            .condition_expression(
                "attribute_exists(#pk) AND (attribute_not_exists(snapshotVersion) \
                 OR snapshotVersion < :v)",
            )
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":delta", num(delta))
            .expression_attribute_values(":v", num(version))
            .build()
            .map_err(|e| StoreError::Other(e.into()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The group's own change, only if nothing changed the group since it was read at `rev`.
    fn group_update(
        &self,
        session: &SessionId,
        group: &GroupJid,
        change: &GroupChange<'_>,
        count: Count,
        rev: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut set = vec!["lastEventAt = :lastEventAt".to_owned()];
        let mut remove = Vec::new();
        let mut values: HashMap<String, AttributeValue> = HashMap::from([
            (":lastEventAt".into(), num(change.last_event_at)),
            (":one".into(), num(1)),
        ]);
        let mut add = vec!["rev :one"];
        match count {
            Count::Add(0) => {}
            Count::Add(delta) => {
                add.push("memberCount :count");
                values.insert(":count".into(), num(delta));
            }
            Count::Set(members) => {
                set.push("memberCount = :count".into());
                values.insert(":count".into(), num(members));
            }
        }
        if let Some(fields) = change.set_fields {
            set.extend(
                [
                    "subject = :subject",
                    "description = :description",
                    "participantCount = :participantCount",
                    "isAnnounce = :announce",
                    "isLocked = :locked",
                    "createdAtWa = :createdAtWa",
                    "waVersion = :waVersion",
                ]
                .map(str::to_owned),
            );
            values.insert(
                ":subject".into(),
                AttributeValue::S(fields.subject.as_str().into()),
            );
            values.insert(
                ":description".into(),
                AttributeValue::S(fields.description.as_str().into()),
            );
            values.insert(":participantCount".into(), num(fields.participant_count));
            values.insert(":announce".into(), AttributeValue::Bool(fields.is_announce));
            values.insert(":locked".into(), AttributeValue::Bool(fields.is_locked));
            values.insert(":createdAtWa".into(), num(fields.created_at_wa));
            values.insert(":waVersion".into(), num(fields.version.unwrap_or(0)));
            match &fields.owner_jid {
                Some(owner) => {
                    set.push("ownerJid = :owner".into());
                    values.insert(":owner".into(), AttributeValue::S(owner.to_string()));
                }
                None => remove.push("ownerJid"),
            }
        }
        if let Some(version) = change.snapshot_version {
            set.push("snapshotVersion = :snapshotVersion".into());
            values.insert(":snapshotVersion".into(), num(version));
        }
        if change.clear_left {
            remove.extend(["leftAt", "leftVersion"]);
        }
        if let Some((left_at, left_version)) = change.left {
            set.push("leftAt = :leftAt".into());
            values.insert(":leftAt".into(), num(left_at));
            match left_version {
                Some(version) => {
                    set.push("leftVersion = :leftVersion".into());
                    values.insert(":leftVersion".into(), num(version));
                }
                None => remove.push("leftVersion"),
            }
        }
        if let Some(at) = change.updated_at {
            set.push("updatedAt = :updatedAt".into());
            values.insert(":updatedAt".into(), num(at));
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        expression.push_str(&format!(" ADD {}", add.join(", ")));
        // Items written before `rev` existed have none.
        let condition = if rev == 0 {
            "attribute_exists(#pk) AND attribute_not_exists(rev)"
        } else {
            values.insert(":rev".into(), num(rev));
            "attribute_exists(#pk) AND rev = :rev"
        };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::group_item(session, group)))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_names("#pk", PK)
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(|e| StoreError::Other(e.into()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    async fn get_group_item(
        &self,
        session: &SessionId,
        group: &GroupJid,
    ) -> Result<Option<Item>, StoreError> {
        self.get_one(keys::group_item(session, group)).await
    }

    async fn get_session_and_item(
        &self,
        session: &SessionId,
        group: &GroupJid,
    ) -> Result<(Option<crate::SessionRecord>, Option<Item>), StoreError> {
        let items = self
            .batch_get(vec![
                keys::session_item(session),
                keys::group_item(session, group),
            ])
            .await?;
        let mut found_session = None;
        let mut found_group = None;
        for item in items {
            let is_session =
                matches!(item.get(SK), Some(AttributeValue::S(sk)) if sk == keys::SESSION_SK);
            if is_session {
                found_session = Some(session_from_item(item)?);
            } else {
                found_group = Some(item);
            }
        }
        Ok((found_session, found_group))
    }

    async fn all_group_items(&self, session: &SessionId) -> Result<Vec<Item>, StoreError> {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", AttributeValue::S(keys::session_pk(session)))
            .expression_attribute_values(
                ":prefix",
                AttributeValue::S(keys::GROUP_SK_PREFIX.to_owned()),
            )
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(StoreError::from_sdk)
    }
}

/// How a change moves the group's member count.
#[derive(Debug, Clone, Copy)]
enum Count {
    Add(i64),
    Set(i64),
}

/// What changes on the group item itself.
struct GroupChange<'a> {
    set_fields: Option<&'a GroupSnapshot>,
    snapshot_version: Option<i64>,
    clear_left: bool,
    /// Mark left at this time, by the `group.left` of this version (`None`: by a sync).
    left: Option<(i64, Option<i64>)>,
    last_event_at: i64,
    updated_at: Option<i64>,
    /// A snapshot read every member: the count is set exactly (this many live members before
    /// its writes, plus what they change), which also mends any count a race left wrong.
    members_before: Option<i64>,
}

fn group_item(item: Item) -> Result<GroupItem, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::malformed)
}

fn chunked(ops: Vec<MemberOp>) -> Vec<Vec<MemberOp>> {
    let mut chunks = Vec::new();
    let mut ops = ops.into_iter().peekable();
    while ops.peek().is_some() {
        chunks.push(ops.by_ref().take(MEMBERS_PER_TRANSACTION).collect());
    }
    chunks
}

fn chunk_copy(ops: &[MemberOp]) -> Vec<MemberOp> {
    ops.iter()
        .map(|op| match op {
            MemberOp::Write(w) => MemberOp::Write(w.clone()),
            MemberOp::Delete(d) => MemberOp::Delete(d.clone()),
        })
        .collect()
}
