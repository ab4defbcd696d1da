//! Opening the connection to DynamoDB ahead of the first request, under provisioned concurrency.

use crate::keys;
use crate::{Store, StoreError};

impl Store {
    /// Opens the connection to DynamoDB (roots, TLS handshake, credentials, endpoint) with one
    /// read of an item that never exists. Worth it only where init is off the request path
    /// (provisioned concurrency): on an on-demand cold start init and the first request are
    /// both on the caller's path, so priming moves the cost and adds a round trip
    /// (BENCHMARKS.md).
    pub async fn open_connection(&self) -> Result<(), StoreError> {
        self.client
            .get_item()
            .table_name(&self.table)
            // In the sessions' key space, which every function may read (template.yaml's
            // dynamodb:LeadingKeys), under an id no session can have.
            .set_key(Some(keys::key("SESSION#".to_owned(), "PRIME")))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }
}
