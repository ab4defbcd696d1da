//! Session items: which organization owns a session, and its account.

use aws_sdk_dynamodb::types::AttributeValue;
use gateway_domain::{OrgId, SessionId, UserJid};
use serde::{Deserialize, Serialize};

use crate::keys;
use crate::{Store, StoreError};

/// A WhatsApp session as stored: which organization owns it, and its account once known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub org: OrgId,
    pub account: Option<UserJid>,
    pub created_at: i64,
}

impl SessionRecord {
    /// The session if `org` owns it. A session of another organization is treated exactly
    /// like a missing one, so a caller cannot learn that it exists.
    pub fn owned_by(self, org: &OrgId) -> Option<Self> {
        (self.org == *org).then_some(self)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    session_id: SessionId,
    org: OrgId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<UserJid>,
    created_at: i64,
}

impl From<SessionItem> for SessionRecord {
    fn from(item: SessionItem) -> Self {
        Self {
            id: item.session_id,
            org: item.org,
            account: item.account,
            created_at: item.created_at,
        }
    }
}

impl Store {
    /// Creates a session; ids are unique across the gateway, so an existing id is refused
    /// (whichever organization has it).
    pub async fn create_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let item = SessionItem {
            pk: keys::session_pk(&session.id),
            sk: keys::SESSION_SK.to_owned(),
            session_id: session.id.clone(),
            org: session.org.clone(),
            account: session.account.clone(),
            created_at: session.created_at,
        };
        self.put_new(&item).await
    }

    pub async fn get_session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::session_item(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        output.item.map(session_from_item).transpose()
    }
}

pub(crate) fn session_from_item(
    item: std::collections::HashMap<String, AttributeValue>,
) -> Result<SessionRecord, StoreError> {
    serde_dynamo::from_item::<_, SessionItem>(item)
        .map(SessionRecord::from)
        .map_err(StoreError::malformed)
}
