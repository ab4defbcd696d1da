//! Group items: a session's groups in its partition, read one, a page, or with the session,
//! and stored from what WhatsApp holds (versions keep older answers from overwriting newer).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, ReturnValue, ReturnValuesOnConditionCheckFailure,
};
use gateway_domain::{Description, Group, GroupJid, GroupSnapshot, SessionId, Subject, UserJid};
use serde::{Deserialize, Serialize};

use crate::apply::StoredGroup;
use crate::conditions::{Item, Written, conditional_with_old};
use crate::keys::{self, PK, SK};
use crate::paging::PageQuery;
use crate::sessions::session_from_item;
use crate::{SessionRecord, Store, StoreError};

/// One page of a session's groups, in JID order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPage {
    pub groups: Vec<Group>,
    /// More groups may follow: the next page starts after this JID.
    pub next_after: Option<GroupJid>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: u64,
    pub group_jid: GroupJid,
    pub subject: Subject,
    pub description: Description,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_jid: Option<UserJid>,
    pub participant_count: u32,
    pub is_announce: bool,
    pub is_locked: bool,
    pub created_at_wa: i64,
    pub first_seen_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub state: GroupState,
}

/// What decides how an event applies to a stored group (see `plan`), beside its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupState {
    /// The version of the group fields stored.
    #[serde(default)]
    pub wa_version: i64,
    /// The version of the last snapshot applied (members included); 0 for none.
    #[serde(default)]
    pub snapshot_version: i64,
    /// Members stored (tombstones excluded), kept by every member write. Absent until the
    /// group's members are known: `participantCount` (as imported) counts then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<i64>,
    /// The version of the `group.left` event that marked the group left; absent when a sync
    /// marked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_version: Option<i64>,
    /// `at` of the last event applied (a live change counts as one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_at: Option<i64>,
    /// Bumped by every write: the optimistic lock of read-then-write changes.
    #[serde(default)]
    pub rev: i64,
}

impl From<GroupItem> for Group {
    fn from(item: GroupItem) -> Self {
        let participant_count = match item.state.member_count {
            Some(members) => u32::try_from(members.max(0)).unwrap_or(u32::MAX),
            None => item.participant_count,
        };
        Group {
            id: item.id,
            group_jid: item.group_jid,
            subject: item.subject,
            description: item.description,
            owner_jid: item.owner_jid,
            participant_count,
            is_announce: item.is_announce,
            is_locked: item.is_locked,
            created_at_wa: item.created_at_wa,
            first_seen_at: item.first_seen_at,
            updated_at: item.updated_at,
            left_at: item.state.left_at,
        }
    }
}

pub(crate) fn stored_group_from_item(item: Item) -> Result<StoredGroup, StoreError> {
    serde_dynamo::from_item::<_, GroupItem>(item)
        .map(StoredGroup)
        .map_err(StoreError::malformed)
}

pub(crate) fn group_from_item(item: HashMap<String, AttributeValue>) -> Result<Group, StoreError> {
    serde_dynamo::from_item::<_, GroupItem>(item)
        .map(Group::from)
        .map_err(StoreError::malformed)
}

/// An item read but not yet decoded into a `T`.
pub struct Unread<T> {
    item: Item,
    decode: fn(Item) -> Result<T, StoreError>,
}

impl<T> Unread<T> {
    pub(crate) fn new(item: Item, decode: fn(Item) -> Result<T, StoreError>) -> Self {
        Self { item, decode }
    }

    pub fn decode(self) -> Result<T, StoreError> {
        (self.decode)(self.item)
    }
}

/// How an attempt to update a stored group ended.
enum Existing {
    Written(Group),
    /// A newer version was already stored; it stays.
    Newer(Group),
    Missing,
}

/// Attempts before giving up on an upsert that keeps losing races (each loss means another
/// writer stored the group, so the second attempt updates that one).
const UPSERT_ATTEMPTS: usize = 3;

impl Store {
    /// A session and one of its groups in a single request (BatchGetItem). The group comes
    /// back unread: the caller decodes it only once the session is known to be the caller's,
    /// so another organization's item is never even parsed.
    pub async fn get_session_and_group(
        &self,
        session: &SessionId,
        jid: &GroupJid,
    ) -> Result<(Option<SessionRecord>, Option<Unread<StoredGroup>>), StoreError> {
        let mut found_session = None;
        let mut found_group = None;
        for item in self
            .batch_get(vec![
                keys::session_item(session),
                keys::group_item(session, jid),
            ])
            .await?
        {
            let is_session =
                matches!(item.get(SK), Some(AttributeValue::S(sk)) if sk == keys::SESSION_SK);
            if is_session {
                found_session = Some(session_from_item(item)?);
            } else {
                found_group = Some(Unread::new(item, stored_group_from_item));
            }
        }
        Ok((found_session, found_group))
    }

    /// One item by key (GetItem, strongly consistent: something written a moment ago reads
    /// back at once).
    pub(crate) async fn get_one(&self, key: keys::Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(output.item)
    }

    /// Items by key in one request (BatchGetItem, strongly consistent), in no particular order.
    pub(crate) async fn batch_get(&self, keys: Vec<keys::Key>) -> Result<Vec<Item>, StoreError> {
        let mut keys = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(|e| StoreError::Other(e.into()))?;
        let mut found = Vec::new();
        // BatchGetItem may leave keys unprocessed under throttling; the SDK retried the
        // request itself, so after a few rounds this is an outage.
        for _ in 0..3 {
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys)
                .send()
                .await
                .map_err(StoreError::from_sdk)?;
            found.extend(
                output
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default(),
            );
            match output
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
            {
                Some(rest) if !rest.keys.is_empty() => keys = rest,
                _ => return Ok(found),
            }
        }
        Err(StoreError::Unavailable(
            "BatchGetItem left keys unprocessed".into(),
        ))
    }

    pub async fn get_group(
        &self,
        session: &SessionId,
        jid: &GroupJid,
    ) -> Result<Option<Group>, StoreError> {
        Ok(self
            .get_stored_group(session, jid)
            .await?
            .map(|stored| stored.group()))
    }

    /// A group with what decides how changes apply to it (for a live change of its members).
    pub async fn get_stored_group(
        &self,
        session: &SessionId,
        jid: &GroupJid,
    ) -> Result<Option<StoredGroup>, StoreError> {
        self.get_one(keys::group_item(session, jid))
            .await?
            .map(stored_group_from_item)
            .transpose()
    }

    /// Up to `limit` groups of a session with JIDs after `after`, in JID order; groups the
    /// account left only with `include_left`. One Query, unless left groups thin a page out.
    pub async fn list_groups(
        &self,
        session: &SessionId,
        after: Option<&GroupJid>,
        limit: usize,
        include_left: bool,
    ) -> Result<GroupPage, StoreError> {
        let page = self
            .query_page(PageQuery {
                pk: keys::session_pk(session),
                sk_prefix: keys::GROUP_SK_PREFIX,
                after_sk: after.map(keys::group_sk),
                limit,
                filter: (!include_left).then_some("attribute_not_exists(leftAt)"),
            })
            .await?;
        let groups = page
            .items
            .into_iter()
            .map(group_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = page
            .next_after_sk
            .map(|sk| {
                GroupJid::parse(sk.trim_start_matches(keys::GROUP_SK_PREFIX))
                    .map_err(|e| StoreError::Malformed(e.into()))
            })
            .transpose()?;
        Ok(GroupPage { groups, next_after })
    }

    /// Stores what WhatsApp holds for a group. The first time a group is stored it gets the
    /// session's next `id` and its `firstSeenAt`; both stay forever after. A snapshot older
    /// than the stored one changes nothing and the stored group is returned.
    pub async fn upsert_group(
        &self,
        session: &SessionId,
        snapshot: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<Group, StoreError> {
        for _ in 0..UPSERT_ATTEMPTS {
            match self.update_stored_group(session, snapshot, now_ms).await? {
                Existing::Written(group) | Existing::Newer(group) => return Ok(group),
                Existing::Missing => {}
            }
            let id = self.next_group_id(session).await?;
            match self.put_new_group(session, snapshot, id, now_ms).await {
                // Another writer stored the group between our update and our put: its id
                // stands (ours is skipped) and the next round updates its item.
                Err(StoreError::AlreadyExists) => continue,
                other => return other,
            }
        }
        Err(StoreError::Other(
            "group upsert lost every race; giving up".into(),
        ))
    }

    async fn update_stored_group(
        &self,
        session: &SessionId,
        s: &GroupSnapshot,
        now_ms: i64,
    ) -> Result<Existing, StoreError> {
        // Only an item that exists, with a version not newer than ours. `id` and `firstSeenAt`
        // are never in the update expression, so they cannot change once stored.
        let (condition, set_version) = match s.version {
            Some(_) => (
                "attribute_exists(#pk) AND #version <= :version",
                "#version = :version",
            ),
            None => (
                "attribute_exists(#pk)",
                "#version = if_not_exists(#version, :version)",
            ),
        };
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::group_item(session, &s.group_jid)))
            .condition_expression(condition)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#version", "waVersion")
            .expression_attribute_values(":version", num(s.version.unwrap_or(0)))
            .expression_attribute_values(":subject", AttributeValue::S(s.subject.as_str().into()))
            .expression_attribute_values(
                ":description",
                AttributeValue::S(s.description.as_str().into()),
            )
            .expression_attribute_values(":count", num(s.participant_count))
            .expression_attribute_values(":announce", AttributeValue::Bool(s.is_announce))
            .expression_attribute_values(":locked", AttributeValue::Bool(s.is_locked))
            .expression_attribute_values(":createdAtWa", num(s.created_at_wa))
            .expression_attribute_values(":now", num(now_ms))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        // A live answer is an event of its own (a sync must not mark the group left); an
        // import is not. Every write bumps `rev`, the lock of read-then-write changes.
        let last_event = if s.version.is_some() {
            ", lastEventAt = :now"
        } else {
            ""
        };
        let set = format!(
            "SET subject = :subject, description = :description, participantCount = :count, \
             isAnnounce = :announce, isLocked = :locked, createdAtWa = :createdAtWa, \
             updatedAt = :now, {set_version}{last_event}"
        );
        update = update.expression_attribute_values(":one", num(1));
        update = match &s.owner_jid {
            Some(owner) => update
                .update_expression(format!("{set}, ownerJid = :owner ADD rev :one"))
                .expression_attribute_values(":owner", AttributeValue::S(owner.to_string())),
            None => update.update_expression(format!("{set} REMOVE ownerJid ADD rev :one")),
        };
        match conditional_with_old(update.send().await)? {
            Written::Yes(output) => output
                .attributes
                .ok_or_else(|| StoreError::Other("UpdateItem returned no attributes".into()))
                .and_then(group_from_item)
                .map(Existing::Written),
            Written::No(Some(newer)) => group_from_item(newer).map(Existing::Newer),
            Written::No(None) => Ok(Existing::Missing),
        }
    }

    /// The session's next group id, from a counter on the session item: no hot global key,
    /// and nothing about other tenants shows through the numbers.
    pub(crate) async fn next_group_id(&self, session: &SessionId) -> Result<u64, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::session_item(session)))
            .update_expression("ADD #counter :one")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#counter", "groupCounter")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":one", num(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        match output
            .attributes
            .as_ref()
            .and_then(|a| a.get("groupCounter"))
        {
            Some(AttributeValue::N(n)) => n
                .parse()
                .map_err(|_| StoreError::Other("group counter is not a number".into())),
            _ => Err(StoreError::Other("group counter missing".into())),
        }
    }

    async fn put_new_group(
        &self,
        session: &SessionId,
        s: &GroupSnapshot,
        id: u64,
        now_ms: i64,
    ) -> Result<Group, StoreError> {
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
            first_seen_at: now_ms,
            updated_at: now_ms,
            state: GroupState {
                wa_version: s.version.unwrap_or(0),
                last_event_at: s.version.map(|_| now_ms),
                rev: 1,
                ..GroupState::default()
            },
        };
        self.put_new(&item).await?;
        Ok(item.into())
    }
}

pub(crate) fn num(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}
