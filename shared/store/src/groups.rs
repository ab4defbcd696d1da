//! Group items: a session's groups in its partition, read one, a page, or with the session,
//! and stored from what WhatsApp holds (versions keep older answers from overwriting newer).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, ReturnValue, ReturnValuesOnConditionCheckFailure,
};
use gateway_domain::{Description, Group, GroupJid, GroupSnapshot, SessionId, Subject, UserJid};
use serde::{Deserialize, Serialize};

use crate::conditions::{Item, Written, conditional_with_old};
use crate::keys::{self, PK, SK};
use crate::sessions::session_from_item;
use crate::{SessionRecord, Store, StoreError};

/// One page of a session's groups, in JID order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPage {
    pub groups: Vec<Group>,
    /// More groups follow the last one of this page.
    pub more: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    id: u64,
    group_jid: GroupJid,
    subject: Subject,
    description: Description,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner_jid: Option<UserJid>,
    participant_count: u32,
    is_announce: bool,
    is_locked: bool,
    created_at_wa: i64,
    first_seen_at: i64,
    updated_at: i64,
    wa_version: i64,
}

impl From<GroupItem> for Group {
    fn from(item: GroupItem) -> Self {
        Group {
            id: item.id,
            group_jid: item.group_jid,
            subject: item.subject,
            description: item.description,
            owner_jid: item.owner_jid,
            participant_count: item.participant_count,
            is_announce: item.is_announce,
            is_locked: item.is_locked,
            created_at_wa: item.created_at_wa,
            first_seen_at: item.first_seen_at,
            updated_at: item.updated_at,
        }
    }
}

fn group_from_item(item: HashMap<String, AttributeValue>) -> Result<Group, StoreError> {
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
    fn new(item: Item, decode: fn(Item) -> Result<T, StoreError>) -> Self {
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
    ) -> Result<(Option<SessionRecord>, Option<Unread<Group>>), StoreError> {
        let mut keys = KeysAndAttributes::builder()
            .keys(keys::session_item(session))
            .keys(keys::group_item(session, jid))
            // Strongly consistent: a group just created or changed reads back at once.
            .consistent_read(true)
            .build()
            .map_err(|e| StoreError::Other(e.into()))?;
        let mut found_session = None;
        let mut found_group = None;
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
            for item in output
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default()
            {
                let is_session =
                    matches!(item.get(SK), Some(AttributeValue::S(sk)) if sk == keys::SESSION_SK);
                if is_session {
                    found_session = Some(session_from_item(item)?);
                } else {
                    found_group = Some(Unread::new(item, group_from_item));
                }
            }
            match output
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
            {
                Some(rest) if !rest.keys.is_empty() => keys = rest,
                _ => return Ok((found_session, found_group)),
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
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::group_item(session, jid)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        output.item.map(group_from_item).transpose()
    }

    /// Up to `limit` groups of a session with JIDs after `after`, in JID order. One Query.
    pub async fn list_groups(
        &self,
        session: &SessionId,
        after: Option<&GroupJid>,
        limit: usize,
    ) -> Result<GroupPage, StoreError> {
        // One item more than asked tells whether another page follows, so the last page
        // never ends with a cursor to an empty page.
        let query_limit = i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX);
        let output = self
            .client
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
            .set_exclusive_start_key(after.map(|jid| keys::group_item(session, jid)))
            .limit(query_limit)
            // A group created a moment ago is listed at once (the contract says so).
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let stopped_early = output.last_evaluated_key.is_some();
        let mut groups = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(group_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let more = groups.len() > limit || (stopped_early && !groups.is_empty());
        groups.truncate(limit);
        Ok(GroupPage { groups, more })
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
        let set = format!(
            "SET subject = :subject, description = :description, participantCount = :count, \
             isAnnounce = :announce, isLocked = :locked, createdAtWa = :createdAtWa, \
             updatedAt = :now, {set_version}"
        );
        update = match &s.owner_jid {
            Some(owner) => update
                .update_expression(format!("{set}, ownerJid = :owner"))
                .expression_attribute_values(":owner", AttributeValue::S(owner.to_string())),
            None => update.update_expression(format!("{set} REMOVE ownerJid")),
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
    async fn next_group_id(&self, session: &SessionId) -> Result<u64, StoreError> {
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
            wa_version: s.version.unwrap_or(0),
        };
        self.put_new(&item).await?;
        Ok(item.into())
    }
}

fn num(n: impl ToString) -> AttributeValue {
    AttributeValue::N(n.to_string())
}
