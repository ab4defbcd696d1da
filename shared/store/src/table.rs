//! The table's definition, shared by `gatewayctl create-table` and the template check.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use crate::keys::{GSI1, GSI1_PK, GSI1_SK, PK, SK, TTL};
use crate::{Store, StoreError};

/// The table's key attributes (all strings), as `template.yaml` declares them too.
pub const TABLE_ATTRIBUTES: [&str; 4] = [PK, SK, GSI1_PK, GSI1_SK];

/// The shape of the table: what `gatewayctl create-table` creates and `template.yaml`
/// declares (a test holds the two equal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    pub hash_key: &'static str,
    pub range_key: &'static str,
    /// (index name, hash key, range key); every index projects all attributes.
    pub global_indexes: Vec<(&'static str, &'static str, &'static str)>,
    pub ttl_attribute: &'static str,
    pub on_demand: bool,
}

pub fn table_definition() -> TableDefinition {
    TableDefinition {
        hash_key: PK,
        range_key: SK,
        global_indexes: vec![(GSI1, GSI1_PK, GSI1_SK)],
        ttl_attribute: TTL,
        on_demand: true,
    }
}

fn key(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(|e| StoreError::Other(e.into()))
}

impl Store {
    /// Creates the table as [`table_definition`] describes it, and turns TTL on.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let definition = table_definition();
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(definition.hash_key, KeyType::Hash)?)
            .key_schema(key(definition.range_key, KeyType::Range)?);
        for name in TABLE_ATTRIBUTES {
            request = request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(|e| StoreError::Other(e.into()))?,
            );
        }
        for (index, hash, range) in &definition.global_indexes {
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(*index)
                    .key_schema(key(hash, KeyType::Hash)?)
                    .key_schema(key(range, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .map_err(|e| StoreError::Other(e.into()))?,
            );
        }
        request.send().await.map_err(StoreError::from_sdk)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(definition.ttl_attribute)
                    .enabled(true)
                    .build()
                    .map_err(|e| StoreError::Other(e.into()))?,
            )
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }
}
