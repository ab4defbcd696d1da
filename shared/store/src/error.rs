//! The store's errors: throttling and outages (worth a retry later) apart from bugs.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use gateway_errors::{ApiError, BoxError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Throttled, timed out or unreachable after the SDK's own retries: worth retrying later.
    #[error("DynamoDB is unavailable")]
    Unavailable(#[source] BoxError),
    /// A conditional create found the item already there.
    #[error("the item already exists")]
    AlreadyExists,
    #[error("a stored item does not have the expected shape")]
    Malformed(#[source] BoxError),
    #[error("DynamoDB refused the request")]
    Other(#[source] BoxError),
}

impl StoreError {
    pub(crate) fn from_sdk<E>(error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let transient = match &error {
            SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
            SdkError::ResponseError(_) => true,
            SdkError::ServiceError(service) => {
                service.raw().status().is_server_error()
                    || matches!(
                        service.err().code(),
                        Some(
                            "ProvisionedThroughputExceededException"
                                | "ThrottlingException"
                                | "RequestLimitExceeded"
                                | "InternalServerError"
                                | "ServiceUnavailable"
                        )
                    )
            }
            _ => false,
        };
        if transient {
            StoreError::Unavailable(error.into())
        } else {
            StoreError::Other(error.into())
        }
    }

    pub(crate) fn malformed(error: serde_dynamo::Error) -> Self {
        StoreError::Malformed(error.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(source) => ApiError::Unavailable {
                source,
                details: Default::default(),
            },
            other => ApiError::internal(other),
        }
    }
}
