//! Conditional writes. A write DynamoDB refused because its condition failed is an outcome the
//! caller branches on (the item exists, a newer version is stored, the claim was taken over),
//! not an error; this module is the one place that tells the two apart.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use serde::Serialize;

use crate::keys::PK;
use crate::{Store, StoreError};

pub(crate) type Item = HashMap<String, AttributeValue>;

fn condition_failed<E: ConditionalError>(error: &SdkError<E, HttpResponse>) -> bool {
    error
        .as_service_error()
        .is_some_and(ConditionalError::is_condition_failed)
}

/// `Some(output)` when written, `None` when the condition failed.
pub(crate) fn conditional<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Option<T>, StoreError>
where
    E: ConditionalError + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(error) if condition_failed(&error) => Ok(None),
        Err(error) => Err(StoreError::from_sdk(error)),
    }
}

/// The error of a write that may have a condition; a failed one can carry the item as it was
/// (`ReturnValuesOnConditionCheckFailure::AllOld`).
pub(crate) trait ConditionalError {
    fn is_condition_failed(&self) -> bool;
    fn old_item(self) -> Option<Item>;
}

impl ConditionalError for PutItemError {
    fn is_condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }

    fn old_item(self) -> Option<Item> {
        match self {
            PutItemError::ConditionalCheckFailedException(e) => e.item,
            _ => None,
        }
    }
}

impl ConditionalError for DeleteItemError {
    fn is_condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }

    fn old_item(self) -> Option<Item> {
        match self {
            DeleteItemError::ConditionalCheckFailedException(e) => e.item,
            _ => None,
        }
    }
}

impl ConditionalError for UpdateItemError {
    fn is_condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }

    fn old_item(self) -> Option<Item> {
        match self {
            UpdateItemError::ConditionalCheckFailedException(e) => e.item,
            _ => None,
        }
    }
}

/// How a conditional write that asked for the old item on failure went.
pub(crate) enum Written<T> {
    Yes(T),
    /// The condition failed; the item as it was (`None`: there was none).
    No(Option<Item>),
}

pub(crate) fn conditional_with_old<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Written<T>, StoreError>
where
    E: ConditionalError
        + ProvideErrorMetadata
        + aws_smithy_runtime_api::client::result::CreateUnhandledError
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    match result {
        Ok(output) => Ok(Written::Yes(output)),
        Err(error) if condition_failed(&error) => {
            Ok(Written::No(error.into_service_error().old_item()))
        }
        Err(error) => Err(StoreError::from_sdk(error)),
    }
}

impl Store {
    /// Puts `item` unless an item with its key is stored: [`StoreError::AlreadyExists`] then.
    pub(crate) async fn put_new(&self, item: &impl Serialize) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(
                serde_dynamo::to_item(item).map_err(StoreError::malformed)?,
            ))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        conditional(result)?.ok_or(StoreError::AlreadyExists)?;
        Ok(())
    }
}
