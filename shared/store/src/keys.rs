//! Key attribute names and values; the one place that knows how items are addressed.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use gateway_domain::{GroupJid, OrgId, SessionId};

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

pub fn session_pk(session: &SessionId) -> String {
    format!("SESSION#{session}")
}

pub fn group_sk(jid: &GroupJid) -> String {
    format!("{GROUP_SK_PREFIX}{jid}")
}

pub fn api_key_pk(key_id: &str) -> String {
    format!("APIKEY#{key_id}")
}

pub fn org_gsi1_pk(org: &OrgId) -> String {
    format!("ORG#{org}")
}

pub fn key(pk: String, sk: impl Into<String>) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (PK.to_owned(), AttributeValue::S(pk)),
        (SK.to_owned(), AttributeValue::S(sk.into())),
    ])
}

pub fn session_key(session: &SessionId) -> HashMap<String, AttributeValue> {
    key(session_pk(session), SESSION_SK)
}

pub fn group_key(session: &SessionId, jid: &GroupJid) -> HashMap<String, AttributeValue> {
    key(session_pk(session), group_sk(jid))
}

pub fn api_key_key(key_id: &str) -> HashMap<String, AttributeValue> {
    key(api_key_pk(key_id), API_KEY_SK)
}
