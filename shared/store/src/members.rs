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

    /// Every member item of a group as stored now, for a live change of one of them: the
    /// handler finds the member by any form, and the change is then planned against the same
    /// read (one Query for both).
    pub async fn known_members(
        &self,
        session: &SessionId,
        group: &GroupJid,
    ) -> Result<KnownMembers, StoreError> {
        Ok(KnownMembers(self.stored_members(session, group).await?))
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

/// A group's member items as read earlier in a request (tombstones included).
#[derive(Debug, Clone)]
pub struct KnownMembers(pub(crate) Vec<StoredMember>);

impl KnownMembers {
    /// The member that `form` names (its key, `jid`, `lid` or `phoneJid`), if stored and not
    /// removed.
    pub fn find(&self, form: &UserJid) -> Option<Member> {
        self.0
            .iter()
            .filter(|m| m.is_live())
            .find(|m| {
                m.key == *form
                    || m.jid == *form
                    || m.lid.as_ref() == Some(form)
                    || m.phone_jid.as_ref() == Some(form)
            })
            .map(|m| Member {
                jid: m.jid.clone(),
                lid: m.lid.clone(),
                phone_jid: m.phone_jid.clone(),
                role: m.role,
                first_seen_at: m.first_seen_at,
                updated_at: m.updated_at,
            })
    }
}

#[cfg(test)]
mod tests {
    use gateway_domain::Role;

    use super::*;

    fn jid(raw: &str) -> UserJid {
        UserJid::parse(raw).unwrap()
    }

    fn member(key: &str, lid: Option<&str>, phone: Option<&str>, removed: bool) -> StoredMember {
        StoredMember {
            key: jid(key),
            jid: jid(lid.unwrap_or(key)),
            lid: lid.map(jid),
            phone_jid: phone.map(jid),
            role: Role::Member,
            version: 1,
            first_seen_at: 1,
            updated_at: 1,
            removed_at: removed.then_some(2),
        }
    }

    #[test]
    fn a_member_is_found_by_any_of_its_forms_and_a_tombstone_by_none() {
        let known = KnownMembers(vec![
            member(
                "6281@s.whatsapp.net",
                Some("91@lid"),
                Some("6281@s.whatsapp.net"),
                false,
            ),
            member("6282@s.whatsapp.net", None, None, true),
        ]);
        for form in ["6281@s.whatsapp.net", "91@lid"] {
            let found = known.find(&jid(form)).map(|m| m.jid);
            assert_eq!(found, Some(jid("91@lid")), "{form}");
        }
        assert_eq!(known.find(&jid("6282@s.whatsapp.net")), None);
        assert_eq!(known.find(&jid("6283@s.whatsapp.net")), None);
    }
}
