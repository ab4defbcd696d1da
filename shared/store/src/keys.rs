//! Key attribute names and values: the one place that knows how items are addressed.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use gateway_domain::{GroupJid, OrgId, SessionId, UserJid};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1_PK: &str = "GSI1PK";
pub const GSI1_SK: &str = "GSI1SK";
/// Items carrying this attribute are removed by DynamoDB's TTL once the time (seconds) passes.
pub const TTL: &str = "ttl";

pub const SESSION_SK: &str = "SESSION";
pub const GROUP_SK_PREFIX: &str = "GROUP#";
pub const API_KEY_SK: &str = "APIKEY";
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
pub const MEMBER_SK_PREFIX: &str = "MEMBER#";
pub const SYNC_SK: &str = "SYNC";

pub type Key = HashMap<String, AttributeValue>;

pub fn session_pk(session: &SessionId) -> String {
    format!("SESSION#{session}")
}

pub fn group_sk(jid: &GroupJid) -> String {
    format!("{GROUP_SK_PREFIX}{jid}")
}

/// The partition of a group's members: their own, not the session's, so a session with many
/// big groups does not sync through one partition's write limit.
pub fn members_pk(session: &SessionId, jid: &GroupJid) -> String {
    format!("GROUP#{session}#{jid}")
}

pub fn member_sk(jid: &UserJid) -> String {
    format!("{MEMBER_SK_PREFIX}{jid}")
}

pub fn api_key_pk(key_id: &str) -> String {
    format!("APIKEY#{key_id}")
}

pub fn idempotency_pk(record_id: &str) -> String {
    format!("IDEMPOTENCY#{record_id}")
}

pub fn org_gsi1_pk(org: &OrgId) -> String {
    format!("ORG#{org}")
}

pub fn key(pk: String, sk: impl Into<String>) -> Key {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), AttributeValue::S(sk.into())),
    ])
}

/// The key of a session's item.
pub fn session_item(session: &SessionId) -> Key {
    key(session_pk(session), SESSION_SK)
}

/// The key of a group's item (in its session's partition).
pub fn group_item(session: &SessionId, jid: &GroupJid) -> Key {
    key(session_pk(session), group_sk(jid))
}

/// The key of a member's item (`jid`: the form it was first stored under).
pub fn member_item(session: &SessionId, group: &GroupJid, jid: &UserJid) -> Key {
    key(members_pk(session, group), member_sk(jid))
}

/// The key of a session's sync record.
pub fn sync_item(session: &SessionId) -> Key {
    key(session_pk(session), SYNC_SK)
}

/// The key of an API key's record.
pub fn api_key_item(key_id: &str) -> Key {
    key(api_key_pk(key_id), API_KEY_SK)
}

/// The key of an `Idempotency-Key` record.
pub fn idempotency_item(record_id: &str) -> Key {
    key(idempotency_pk(record_id), IDEMPOTENCY_SK)
}
