//! Stored WhatsApp data and API keys in one DynamoDB table.
//!
//! Key design (see ARCHITECTURE.md):
//!
//! | item      | PK                     | SK             | GSI1PK      | GSI1SK        |
//! |-----------|------------------------|----------------|-------------|---------------|
//! | session   | `SESSION#<session>`    | `SESSION`      |             |               |
//! | group     | `SESSION#<session>`    | `GROUP#<jid>`  |             |               |
//! | sync      | `SESSION#<session>`    | `SYNC`         |             |               |
//! | member    | `GROUP#<session>#<gid>` | `MEMBER#<jid>` |            |               |
//! | API key   | `APIKEY#<key id>`      | `APIKEY`       | `ORG#<org>` | `APIKEY#<id>` |
//! | idempotency | `IDEMPOTENCY#<hash>` | `IDEMPOTENCY`  |             |               |
//!
//! A session and its groups share a partition, so a session's groups come back in JID order
//! from one Query, and a session plus one group from one BatchGetItem. A group's members have
//! a partition of their own, paged the same way.

mod api_keys;
mod apply;
mod conditions;
mod error;
mod groups;
mod idempotency;
mod keys;
mod members;
mod pacing;
mod paging;
mod plan;
mod prime;
mod request_items;
mod sessions;
mod sync;
mod table;

pub use api_keys::ApiKeyRecord;
pub use apply::{Applied, EventTarget, MembersChange, Snapshot, StoredGroup};
pub use error::StoreError;
pub use groups::{GroupPage, Unread};
pub use idempotency::{Claim, StoredResponse};
pub use keys::Key;
pub use members::{KnownMembers, MemberPage};
pub use pacing::{Gate, Pace};
pub use plan::MemberAction;
pub use request_items::{RequestItems, RequestReads};
pub use sessions::SessionRecord;
pub use sync::{SYNC_RUNS_AT_MOST_MS, SyncClaim, SyncRecord, SyncState};
pub use table::{TABLE_ATTRIBUTES, TableDefinition, table_definition};

use aws_sdk_dynamodb::Client;
use gateway_aws::SdkConfig;

/// The DynamoDB client's configuration: `sdk`'s, at `AWS_ENDPOINT_URL_DYNAMODB` where that is
/// set. Callers may add to it (the tests count requests with an interceptor).
pub fn client_config(sdk: &SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    let builder = aws_sdk_dynamodb::config::Builder::from(sdk);
    match gateway_aws::endpoint_url(gateway_aws::Service::DynamoDb) {
        Some(url) => builder.endpoint_url(url),
        None => builder,
    }
}

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

    /// A store reached with `sdk`'s region, credentials and timeouts, at
    /// `AWS_ENDPOINT_URL_DYNAMODB` where that is set (a local DynamoDB).
    pub fn connect(table: impl Into<String>, sdk: &SdkConfig) -> Self {
        Self::new(Client::from_conf(client_config(sdk).build()), table)
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
