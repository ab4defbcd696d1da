//! Stored WhatsApp data and API keys in one DynamoDB table.
//!
//! Key design (see ARCHITECTURE.md):
//!
//! | item      | PK                     | SK             | GSI1PK      | GSI1SK        |
//! |-----------|------------------------|----------------|-------------|---------------|
//! | session   | `SESSION#<session>`    | `SESSION`      |             |               |
//! | group     | `SESSION#<session>`    | `GROUP#<jid>`  |             |               |
//! | API key   | `APIKEY#<key id>`      | `APIKEY`       | `ORG#<org>` | `APIKEY#<id>` |
//! | idempotency | `IDEMPOTENCY#<hash>` | `IDEMPOTENCY`  |             |               |
//!
//! A session and its groups share a partition, so a session's groups come back in JID order
//! from one Query, and a session plus one group from one BatchGetItem.

mod api_keys;
mod config;
mod error;
mod groups;
mod idempotency;
mod keys;
mod sessions;
mod table;

pub use api_keys::ApiKeyRecord;
pub use config::{StoreConfig, sdk_config};
pub use error::StoreError;
pub use groups::{GroupPage, GroupSnapshot};
pub use idempotency::{Claim, StoredResponse};
pub use sessions::SessionRecord;
pub use table::{TABLE_ATTRIBUTES, TableDefinition, table_definition};

use aws_sdk_dynamodb::Client;

/// The DynamoDB table of the gateway. Cheap to clone: the SDK client is reference-counted.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A store whose SDK client is configured from the environment.
    pub async fn connect(table: impl Into<String>, config: &StoreConfig) -> Self {
        let sdk = sdk_config(config).await;
        Self::new(Client::new(&sdk), table)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
