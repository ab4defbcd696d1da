//! A session's resync record (`SK = SYNC` in the session's partition): one resync at a time,
//! claimed with a conditional write so concurrent requests share the running one.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use gateway_domain::SessionId;
use serde::{Deserialize, Serialize};

use crate::conditions::{Written, conditional, conditional_with_old};
use crate::groups::num;
use crate::keys::{self, PK};
use crate::{Store, StoreError};

/// A sync still running this long after it was requested counts as failed: the next request
/// starts a new one, and its `sync.completed`, should it still come, marks nothing.
pub const SYNC_RUNS_AT_MOST_MS: i64 = 15 * 60 * 1000;

/// A session's last (or running) resync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncRecord {
    pub sync_id: String,
    pub sync_state: SyncState,
    pub requested_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_count: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    Running,
    Idle,
}

impl SyncRecord {
    /// Running, and not yet given up on: a sync still running `running_for_ms` after it was
    /// requested counts as failed.
    pub fn is_running(&self, now_ms: i64, running_for_ms: i64) -> bool {
        self.sync_state == SyncState::Running && now_ms - self.requested_at < running_for_ms
    }
}

/// How claiming a resync went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncClaim {
    /// This request starts the sync; `previous` is the record it replaced (put back if the
    /// sync cannot start).
    Claimed { previous: Option<SyncRecord> },
    /// A sync runs already: share it.
    Running(SyncRecord),
}

fn record(item: crate::conditions::Item) -> Result<SyncRecord, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::malformed)
}

impl Store {
    pub async fn get_sync(&self, session: &SessionId) -> Result<Option<SyncRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::sync_item(session)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        output.item.map(record).transpose()
    }

    /// Claims the session's resync for `sync_id`, unless one runs that was requested after
    /// `stale_before_ms` (an older one counts as failed and is replaced).
    pub async fn claim_sync(
        &self,
        session: &SessionId,
        sync_id: &str,
        now_ms: i64,
        stale_before_ms: i64,
    ) -> Result<SyncClaim, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::sync_item(session)))
            .update_expression(
                "SET syncId = :id, syncState = :running, requestedAt = :now \
                 REMOVE startedAt, completedAt, groupCount",
            )
            .condition_expression(
                "attribute_not_exists(#pk) OR syncState <> :running OR requestedAt <= :stale",
            )
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":id", AttributeValue::S(sync_id.to_owned()))
            .expression_attribute_values(":running", AttributeValue::S("running".into()))
            .expression_attribute_values(":now", num(now_ms))
            .expression_attribute_values(":stale", num(stale_before_ms))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match conditional_with_old(result)? {
            Written::Yes(output) => Ok(SyncClaim::Claimed {
                previous: output
                    .attributes
                    .filter(|a| a.contains_key("syncId"))
                    .map(record)
                    .transpose()?,
            }),
            Written::No(Some(running)) => Ok(SyncClaim::Running(record(running)?)),
            Written::No(None) => Err(StoreError::Other(
                "sync claim refused without the record".into(),
            )),
        }
    }

    /// Puts back what a claim for `sync_id` replaced, when the sync could not start.
    pub async fn release_sync(
        &self,
        session: &SessionId,
        sync_id: &str,
        previous: Option<&SyncRecord>,
    ) -> Result<(), StoreError> {
        let still_ours = "syncId = :id AND syncState = :running";
        let id = AttributeValue::S(sync_id.to_owned());
        let running = AttributeValue::S("running".into());
        // Another request took the claim over meanwhile: its record stays.
        match previous {
            Some(previous) => {
                let mut item: crate::conditions::Item =
                    serde_dynamo::to_item(previous).map_err(StoreError::malformed)?;
                item.extend(keys::sync_item(session));
                let result = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression(still_ours)
                    .expression_attribute_values(":id", id)
                    .expression_attribute_values(":running", running)
                    .send()
                    .await;
                conditional(result)?;
            }
            None => {
                let result = self
                    .client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(keys::sync_item(session)))
                    .condition_expression(still_ours)
                    .expression_attribute_values(":id", id)
                    .expression_attribute_values(":running", running)
                    .send()
                    .await;
                conditional(result)?;
            }
        }
        Ok(())
    }

    /// Ends the running sync `sync_id`. `false` when `sync_id` is not the running sync (a
    /// `sync.completed` of another, older or unknown sync changes nothing).
    pub async fn complete_sync(
        &self,
        session: &SessionId,
        sync_id: &str,
        started_at: i64,
        completed_at: i64,
        group_count: u32,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::sync_item(session)))
            .update_expression(
                "SET syncState = :idle, startedAt = :started, completedAt = :completed, \
                 groupCount = :count",
            )
            .condition_expression("syncId = :id AND syncState = :running")
            .expression_attribute_values(":id", AttributeValue::S(sync_id.to_owned()))
            .expression_attribute_values(":running", AttributeValue::S("running".into()))
            .expression_attribute_values(":idle", AttributeValue::S("idle".into()))
            .expression_attribute_values(":started", num(started_at))
            .expression_attribute_values(":completed", num(completed_at))
            .expression_attribute_values(":count", num(group_count))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Whether `sync_id` is the session's running sync.
    pub async fn is_running_sync(
        &self,
        session: &SessionId,
        sync_id: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .get_sync(session)
            .await?
            .is_some_and(|r| r.sync_id == sync_id && r.sync_state == SyncState::Running))
    }
}
