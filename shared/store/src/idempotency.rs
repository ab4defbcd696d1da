//! Idempotency records of createGroup and addGroupMembers (one key space): one item per
//! (organization, Idempotency-Key).
//!
//! A request claims its key with a conditional put (`in_progress`, with a hash of the request
//! and a random attempt id). When it ends with a final answer the record keeps that answer for
//! 24 hours; when its answer is one a retry may change (429, 5xx), the claim is released, for
//! the same request only.
//! A claim whose function died is taken over once its expiry passes. Writes after the claim
//! are conditional on the attempt id, so a slow first attempt never overwrites a record that
//! another attempt has taken over.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use serde::{Deserialize, Serialize};

use crate::conditions::{Written, conditional, conditional_with_old};
use crate::keys::{self, PK, TTL};
use crate::{Store, StoreError};

/// What a request found when it tried to claim its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours: go ahead, then `complete` or `release` with this attempt id.
    Claimed { attempt: String },
    /// An earlier request with this key finished: its answer.
    Completed {
        request_hash: String,
        response: StoredResponse,
    },
    /// An earlier request with this key is still running, until `expires_at_ms`.
    InProgress {
        request_hash: String,
        expires_at_ms: i64,
    },
    /// An earlier request with this key ended in an answer a retry may change; only the same
    /// request may use the key again.
    Released { request_hash: String },
}

/// A finished answer, kept to be replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdempotencyItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    request_hash: String,
    attempt: String,
    expires_at: i64,
    /// DynamoDB's TTL (seconds): removes the item some time after it expired.
    ttl: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    released: bool,
}

impl Store {
    /// Claims `record_id` (a hash of organization and key) for a request, unless a record that
    /// has not expired holds it.
    pub async fn claim_idempotency_key(
        &self,
        record_id: &str,
        request_hash: &str,
        attempt: &str,
        now_ms: i64,
        in_progress_for_ms: i64,
    ) -> Result<Claim, StoreError> {
        let expires_at = now_ms + in_progress_for_ms;
        let item = IdempotencyItem {
            pk: keys::idempotency_pk(record_id),
            sk: keys::IDEMPOTENCY_SK.to_owned(),
            request_hash: request_hash.to_owned(),
            attempt: attempt.to_owned(),
            expires_at,
            ttl: ttl_seconds(expires_at),
            response: None,
            released: false,
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(
                serde_dynamo::to_item(item).map_err(StoreError::malformed)?,
            ))
            // TTL deletes expired items only eventually: an expired record counts as absent.
            // A released key is free again for the very same request only.
            .condition_expression(
                "attribute_not_exists(#pk) OR expiresAt <= :now \
                 OR (released = :true AND requestHash = :hash)",
            )
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":now", AttributeValue::N(now_ms.to_string()))
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":hash", AttributeValue::S(request_hash.to_owned()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let old = match conditional_with_old(result)? {
            Written::Yes(_) => {
                return Ok(Claim::Claimed {
                    attempt: attempt.to_owned(),
                });
            }
            Written::No(old) => old,
        };
        let Some(old) = old else {
            // The condition failed on an item the answer did not include: should not happen,
            // and claiming blindly could run the operation twice.
            return Err(StoreError::Other(
                "idempotency claim refused without the record".into(),
            ));
        };
        let old: IdempotencyItem = serde_dynamo::from_item(old).map_err(StoreError::malformed)?;
        Ok(match old.response {
            Some(response) => Claim::Completed {
                request_hash: old.request_hash,
                response,
            },
            None if old.released => Claim::Released {
                request_hash: old.request_hash,
            },
            None => Claim::InProgress {
                request_hash: old.request_hash,
                expires_at_ms: old.expires_at,
            },
        })
    }

    /// Keeps the final answer of the attempt that holds the claim, until `keep_until_ms`.
    /// `false` when the claim had been taken over (the answer is then not kept).
    pub async fn complete_idempotency_key(
        &self,
        record_id: &str,
        attempt: &str,
        response: &StoredResponse,
        keep_until_ms: i64,
    ) -> Result<bool, StoreError> {
        let response = serde_dynamo::to_attribute_value(response).map_err(StoreError::malformed)?;
        let result = self
            .finish_attempt(record_id, attempt, keep_until_ms, "#response = :response")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":response", response)
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Gives the key back after an answer a retry may change, so the same request can run
    /// again; the request's hash stays until `keep_until_ms`, so another request cannot.
    pub async fn release_idempotency_key(
        &self,
        record_id: &str,
        attempt: &str,
        keep_until_ms: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .finish_attempt(record_id, attempt, keep_until_ms, "released = :true")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// The update that ends `attempt` (only if the record is still that attempt's): `outcome`
    /// plus how long the record is kept, for readers (`expiresAt`) and for DynamoDB's TTL.
    fn finish_attempt(
        &self,
        record_id: &str,
        attempt: &str,
        keep_until_ms: i64,
        outcome: &str,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::idempotency_item(record_id)))
            .update_expression(format!("SET {outcome}, expiresAt = :until, #ttl = :ttl"))
            .condition_expression("attempt = :attempt")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":until", AttributeValue::N(keep_until_ms.to_string()))
            .expression_attribute_values(
                ":ttl",
                AttributeValue::N(ttl_seconds(keep_until_ms).to_string()),
            )
            .expression_attribute_values(":attempt", AttributeValue::S(attempt.to_owned()))
    }
}

/// DynamoDB's TTL attribute, in whole seconds: the next whole second after `expiresAt`, so the
/// item never goes before it.
fn ttl_seconds(expires_at_ms: i64) -> i64 {
    expires_at_ms.div_euclid(1000) + 1
}
