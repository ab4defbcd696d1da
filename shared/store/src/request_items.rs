//! What a request reads before anything else, in one BatchGetItem: the caller's API key record
//! (when no warm cache holds it), the session (when its owner is not remembered), and the
//! group it is about. The caller decides authentication first, then ownership, and decodes the
//! group only then.

use aws_sdk_dynamodb::types::AttributeValue;
use gateway_domain::{GroupJid, SessionId};

use crate::api_keys::api_key_from_item;
use crate::apply::StoredGroup;
use crate::groups::{Unread, stored_group_from_item};
use crate::keys::{self, PK, SK};
use crate::sessions::session_from_item;
use crate::{ApiKeyRecord, SessionRecord, Store, StoreError};

/// What to read.
#[derive(Debug, Clone, Copy)]
pub struct RequestReads<'a> {
    pub api_key: Option<&'a str>,
    pub session: &'a SessionId,
    pub with_session: bool,
    pub group: Option<&'a GroupJid>,
}

/// What was found: `None` for what was not asked for or is not stored.
#[derive(Default)]
pub struct RequestItems {
    pub api_key: Option<ApiKeyRecord>,
    pub session: Option<SessionRecord>,
    pub group: Option<Unread<StoredGroup>>,
}

impl Store {
    pub async fn get_request_items(
        &self,
        reads: RequestReads<'_>,
    ) -> Result<RequestItems, StoreError> {
        let mut wanted = Vec::with_capacity(3);
        if let Some(key_id) = reads.api_key {
            wanted.push(keys::api_key_item(key_id));
        }
        if reads.with_session {
            wanted.push(keys::session_item(reads.session));
        }
        if let Some(group) = reads.group {
            wanted.push(keys::group_item(reads.session, group));
        }
        let mut found = RequestItems::default();
        if wanted.is_empty() {
            return Ok(found);
        }
        // A single item (the warm path) is a plain GetItem: the same one request, with less
        // to send and parse than a batch.
        let items = match <[_; 1]>::try_from(wanted) {
            Ok([key]) => self.get_one(key).await?.into_iter().collect(),
            Err(wanted) => self.batch_get(wanted).await?,
        };
        for item in items {
            let text = |name| match item.get(name) {
                Some(AttributeValue::S(text)) => text.as_str(),
                _ => "",
            };
            if text(PK).starts_with("APIKEY#") {
                found.api_key = Some(api_key_from_item(item)?);
            } else if text(SK) == keys::SESSION_SK {
                found.session = Some(session_from_item(item)?);
            } else {
                found.group = Some(Unread::new(item, stored_group_from_item));
            }
        }
        Ok(found)
    }
}
