use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

/// Timeouts that keep a DynamoDB outage inside a function's deadline: API Gateway gives up
/// after 30 s, so three attempts of at most 2 s each, 7 s in all, answer 503 well before.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub operation_timeout: Duration,
    pub max_attempts: u32,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(2),
            operation_timeout: Duration::from_secs(7),
            max_attempts: 3,
        }
    }
}

/// The AWS SDK configuration from the environment (region, credentials and the standard
/// `AWS_ENDPOINT_URL_DYNAMODB` for local runs), with our timeouts and retries.
pub async fn sdk_config(config: &StoreConfig) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(config.connect_timeout)
                .operation_attempt_timeout(config.attempt_timeout)
                .operation_timeout(config.operation_timeout)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(config.max_attempts))
        .load()
        .await
}
