//! Member items: a group's members in a partition of their own, one item each, keyed by the
//! form a member was first stored under; removed members stay as tombstones holding their
//! version.

use aws_sdk_dynamodb::types::AttributeValue;
use gateway_domain::{GroupJid, Member, Role, SessionId, UserJid};
use serde::{Deserialize, Serialize};

use crate::conditions::Item;
use crate::keys::{self, PK, SK};
use crate::paging::PageQuery;
use crate::plan::StoredMember;
use crate::{Store, StoreError};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MemberItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    jid: UserJid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lid: Option<UserJid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone_jid: Option<UserJid>,
    role: Role,
    version: i64,
    first_seen_at: i64,
    updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    removed_at: Option<i64>,
}

impl MemberItem {
    pub(crate) fn of(session: &SessionId, group: &GroupJid, member: &StoredMember) -> Self {
        Self {
            pk: keys::members_pk(session, group),
            sk: keys::member_sk(&member.key),
            jid: member.jid.clone(),
            lid: member.lid.clone(),
            phone_jid: member.phone_jid.clone(),
            role: member.role,
            version: member.version,
            first_seen_at: member.first_seen_at,
            updated_at: member.updated_at,
            removed_at: member.removed_at,
        }
    }

    fn into_stored(self) -> Result<StoredMember, StoreError> {
        let key = self
            .sk
            .strip_prefix(keys::MEMBER_SK_PREFIX)
            .map(UserJid::parse)
            .transpose()
            .map_err(|e| StoreError::Malformed(e.into()))?
            .ok_or_else(|| StoreError::Malformed("a member item without its key".into()))?;
        Ok(StoredMember {
            key,
            jid: self.jid,
            lid: self.lid,
            phone_jid: self.phone_jid,
            role: self.role,
            version: self.version,
            first_seen_at: self.first_seen_at,
            updated_at: self.updated_at,
            removed_at: self.removed_at,
        })
    }

    fn into_member(self) -> Member {
        Member {
            jid: self.jid,
            lid: self.lid,
            phone_jid: self.phone_jid,
            role: self.role,
            first_seen_at: self.first_seen_at,
            updated_at: self.updated_at,
        }
    }
}

fn member_item(item: Item) -> Result<MemberItem, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::malformed)
}

/// One page of a group's members, in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage {
    pub members: Vec<Member>,
    /// More members may follow: the next page starts after this key.
    pub next_after: Option<UserJid>,
}

/// Members are listed without tombstones.
const LIVE: &str = "attribute_not_exists(removedAt)";
/// A member named by any of its forms.
const ANY_FORM: &str = "attribute_not_exists(removedAt) AND (#jid = :form OR lid = :form \
                        OR phoneJid = :form OR #sk = :sk)";

impl Store {
    /// Up to `limit` members of a group after the key `after`.
    pub async fn list_members(
        &self,
        session: &SessionId,
        group: &GroupJid,
        after: Option<&UserJid>,
        limit: usize,
    ) -> Result<MemberPage, StoreError> {
        let page = self
            .query_page(PageQuery {
                pk: keys::members_pk(session, group),
                sk_prefix: keys::MEMBER_SK_PREFIX,
                after_sk: after.map(keys::member_sk),
                limit,
                filter: Some(LIVE),
            })
            .await?;
        let members = page
            .items
            .into_iter()
            .map(|item| member_item(item).map(MemberItem::into_member))
            .collect::<Result<Vec<_>, _>>()?;
        let next_after = page
            .next_after_sk
            .map(|sk| {
                UserJid::parse(sk.trim_start_matches(keys::MEMBER_SK_PREFIX))
                    .map_err(|e| StoreError::Malformed(e.into()))
            })
            .transpose()?;
        Ok(MemberPage {
            members,
            next_after,
        })
    }

    /// The member that `form` names (its key, `jid`, `lid` or `phoneJid`), if stored and not
    /// removed: one Query of the group's partition.
    pub async fn find_member(
        &self,
        session: &SessionId,
        group: &GroupJid,
        form: &UserJid,
    ) -> Result<Option<Member>, StoreError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .filter_expression(ANY_FORM)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_names("#jid", "jid")
            .expression_attribute_values(":pk", AttributeValue::S(keys::members_pk(session, group)))
            .expression_attribute_values(
                ":prefix",
                AttributeValue::S(keys::MEMBER_SK_PREFIX.to_owned()),
            )
            .expression_attribute_values(":form", AttributeValue::S(form.to_string()))
            .expression_attribute_values(":sk", AttributeValue::S(keys::member_sk(form)))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .try_next()
            .await
            .map_err(StoreError::from_sdk)?;
        items
            .map(|item| member_item(item).map(MemberItem::into_member))
            .transpose()
    }

    /// Every member item of a group, tombstones included: what an event is planned against.
    pub(crate) async fn stored_members(
        &self,
        session: &SessionId,
        group: &GroupJid,
    ) -> Result<Vec<StoredMember>, StoreError> {
        let items = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", AttributeValue::S(keys::members_pk(session, group)))
            .expression_attribute_values(
                ":prefix",
                AttributeValue::S(keys::MEMBER_SK_PREFIX.to_owned()),
            )
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(StoreError::from_sdk)?;
        items
            .into_iter()
            .map(|item| member_item(item)?.into_stored())
            .collect()
    }
}
