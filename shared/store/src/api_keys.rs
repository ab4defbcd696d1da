//! API key records: stored by key id, only the SHA-256 of the key, listed per organization.

use aws_sdk_dynamodb::types::AttributeValue;
use gateway_domain::{Capabilities, OrgId};
use serde::{Deserialize, Serialize};

use crate::conditions::conditional;
use crate::keys::{self, GSI1, GSI1_PK, PK};
use crate::{Store, StoreError};

/// An API key as stored: never the key itself, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyRecord {
    pub key_id: String,
    pub org: OrgId,
    /// Lower-case hex SHA-256 of the whole key.
    pub key_hash: String,
    pub capabilities: Capabilities,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct ApiKeyItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1_pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1_sk: String,
    #[serde(flatten)]
    record: ApiKeyRecord,
}

pub(crate) fn api_key_from_item(
    item: std::collections::HashMap<String, AttributeValue>,
) -> Result<ApiKeyRecord, StoreError> {
    serde_dynamo::from_item::<_, ApiKeyItem>(item)
        .map(|i| i.record)
        .map_err(StoreError::malformed)
}

impl Store {
    pub async fn put_api_key(&self, record: &ApiKeyRecord) -> Result<(), StoreError> {
        let item = ApiKeyItem {
            pk: keys::api_key_pk(&record.key_id),
            sk: keys::API_KEY_SK.to_owned(),
            gsi1_pk: keys::org_gsi1_pk(&record.org),
            gsi1_sk: keys::api_key_pk(&record.key_id),
            record: record.clone(),
        };
        self.put_new(&item).await
    }

    pub async fn get_api_key(&self, key_id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        // Strongly consistent, like every single read: a key created a moment ago works at once.
        self.get_one(keys::api_key_item(key_id))
            .await?
            .map(api_key_from_item)
            .transpose()
    }

    /// Every key of an organization, oldest id first.
    pub async fn list_api_keys(&self, org: &OrgId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let pages = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1_PK)
            .expression_attribute_values(":pk", AttributeValue::S(keys::org_gsi1_pk(org)))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(StoreError::from_sdk)?;
        pages
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, ApiKeyItem>(item)
                    .map(|i| i.record)
                    .map_err(StoreError::malformed)
            })
            .collect()
    }

    /// Marks a key revoked (the first revocation time stays). `false` when there is no such key.
    pub async fn revoke_api_key(&self, key_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::api_key_item(key_id)))
            .update_expression("SET revokedAt = if_not_exists(revokedAt, :now)")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }
}
