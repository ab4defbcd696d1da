//! The AWS SDK clients' configuration, read from Lambda's environment.
//!
//! Lambda hands a function everything its SDK clients need as environment variables:
//! `AWS_REGION` and the execution role's `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! `AWS_SESSION_TOKEN`, fixed for the life of the process. Reading them directly replaces
//! aws-config's credential chain, profile files, IMDS and STS clients, which the functions never
//! use: about 0.5 MB of every zip and 0.3 ms of every init (BENCHMARKS.md). Tools run by people
//! (`gatewayctl`) keep aws-config for profiles and SSO.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use aws_types::region::Region;
use gateway_config::{ConfigError, Settings};

pub use aws_types::SdkConfig;

/// Timeouts that keep an AWS outage inside a function's deadline: API Gateway gives up after
/// 30 s, so three attempts of at most 2 s each, 7 s in all, answer 503 well before.
#[derive(Debug, Clone)]
pub struct SdkTimeouts {
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub operation_timeout: Duration,
    pub max_attempts: u32,
}

impl Default for SdkTimeouts {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(2),
            operation_timeout: Duration::from_secs(7),
            max_attempts: 3,
        }
    }
}

impl SdkTimeouts {
    pub fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build()
    }

    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard().with_max_attempts(self.max_attempts)
    }
}

/// From the process environment (see the crate's documentation).
pub fn from_env(timeouts: &SdkTimeouts) -> Result<SdkConfig, ConfigError> {
    from_settings(&Settings::from_env(), timeouts)
}

/// As [`from_env`], with settings read from `settings`.
pub fn from_settings(
    settings: &Settings,
    timeouts: &SdkTimeouts,
) -> Result<SdkConfig, ConfigError> {
    let region = match settings.optional("AWS_REGION")? {
        Some(region) => region,
        None => settings
            .optional("AWS_DEFAULT_REGION")?
            .ok_or_else(|| ConfigError::new("AWS_REGION", "is required but not set"))?,
    };
    let credentials = Credentials::new(
        settings.required("AWS_ACCESS_KEY_ID")?,
        settings.required("AWS_SECRET_ACCESS_KEY")?,
        settings.optional("AWS_SESSION_TOKEN")?,
        None,
        "lambda-environment",
    );
    // The SDKs' own switches for FIPS and dual-stack endpoints (GovCloud, IPv6), as aws-config
    // reads them.
    Ok(SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .use_fips(settings.switch("AWS_USE_FIPS_ENDPOINT")?)
        .use_dual_stack(settings.switch("AWS_USE_DUALSTACK_ENDPOINT")?)
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
        .build())
}

/// The endpoint to reach `service` at instead of AWS's, as the SDKs read it:
/// `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_DYNAMODB` for a local DynamoDB), else
/// `AWS_ENDPOINT_URL`.
pub fn endpoint_url(service: Service) -> Option<String> {
    let settings = Settings::from_env();
    settings
        .optional(service.endpoint_variable())
        .ok()
        .flatten()
        .or_else(|| settings.optional("AWS_ENDPOINT_URL").ok().flatten())
}

/// The AWS services the project's clients talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    DynamoDb,
    Sqs,
    SecretsManager,
}

impl Service {
    pub fn endpoint_variable(self) -> &'static str {
        match self {
            Service::DynamoDb => "AWS_ENDPOINT_URL_DYNAMODB",
            Service::Sqs => "AWS_ENDPOINT_URL_SQS",
            Service::SecretsManager => "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_credential_types::provider::ProvideCredentials;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> Settings {
        Settings::from_pairs(vars)
    }

    const LAMBDA: &[(&str, &str)] = &[
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_SESSION_TOKEN", "session"),
    ];

    #[tokio::test]
    async fn lambda_environment_gives_region_credentials_and_timeouts() {
        let config = from_settings(&lookup(LAMBDA), &SdkTimeouts::default()).unwrap();
        assert_eq!(config.region().map(Region::as_ref), Some("eu-west-1"));
        let credentials = config
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("session"));
        let timeouts = config.timeout_config().unwrap();
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(1)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(2))
        );
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(config.retry_config().unwrap().max_attempts(), 3);
        assert!(config.behavior_version().is_some());
    }

    #[test]
    fn fips_and_dual_stack_endpoints_are_asked_for_as_the_sdks_do() {
        let plain = from_settings(&lookup(LAMBDA), &SdkTimeouts::default()).unwrap();
        assert_eq!(
            (plain.use_fips(), plain.use_dual_stack()),
            (Some(false), Some(false))
        );
        let mut vars = LAMBDA.to_vec();
        vars.extend([
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "TRUE"),
        ]);
        let both = from_settings(&lookup(&vars), &SdkTimeouts::default()).unwrap();
        assert_eq!(
            (both.use_fips(), both.use_dual_stack()),
            (Some(true), Some(true))
        );
    }

    #[test]
    fn default_region_stands_in_and_the_session_token_is_optional() {
        let config = from_settings(
            &lookup(&[
                ("AWS_DEFAULT_REGION", "us-east-1"),
                ("AWS_ACCESS_KEY_ID", "a"),
                ("AWS_SECRET_ACCESS_KEY", "b"),
            ]),
            &SdkTimeouts::default(),
        )
        .unwrap();
        assert_eq!(config.region().map(Region::as_ref), Some("us-east-1"));
    }

    #[test]
    fn each_missing_or_blank_setting_is_named() {
        for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            let without: Vec<_> = LAMBDA
                .iter()
                .filter(|(k, _)| *k != missing)
                .copied()
                .collect();
            let error = from_settings(&lookup(&without), &SdkTimeouts::default()).unwrap_err();
            assert_eq!(error.name, missing);
            let mut blank = without.clone();
            blank.push((missing, "  "));
            let error = from_settings(&lookup(&blank), &SdkTimeouts::default()).unwrap_err();
            assert_eq!(error.name, missing);
        }
    }
}
