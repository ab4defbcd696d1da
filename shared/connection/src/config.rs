//! Settings of the connection client: where the service is, its bearer secret, and timeouts.

use std::sync::Arc;
use std::time::Duration;

use gateway_config::{ConfigError, Settings};

use crate::token::{SecretsManagerToken, TokenSource};

/// Base URL of the connection service, e.g. `https://connection.internal:8443`.
pub const URL_VAR: &str = "GATEWAY_CONNECTION_URL";
/// The bearer secret itself: local runs and tests.
pub const TOKEN_VAR: &str = "GATEWAY_CONNECTION_TOKEN";
/// Name or ARN of the Secrets Manager secret holding the bearer secret: on AWS.
pub const TOKEN_SECRET_VAR: &str = "GATEWAY_CONNECTION_TOKEN_SECRET";

/// How long the client waits. The time left before the caller's deadline always wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing TCP (and TLS). Short: within a VPC this takes milliseconds, and a service
    /// that does not accept connections is better reported than waited for.
    pub connect: Duration,
    /// One attempt, from connecting to the last byte of the answer. Creating a group on
    /// WhatsApp can take several seconds.
    pub request: Duration,
    /// Kept back before the deadline so the handler can still store the result and answer.
    pub safety_margin: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(1),
            request: Duration::from_secs(10),
            safety_margin: Duration::from_millis(1500),
        }
    }
}

/// Checks a base URL: absolute http(s), no query or fragment. A trailing `/` is dropped so
/// paths can be appended as text.
pub(crate) fn parse_base_url(raw: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The bearer secret's source: exactly one of [`TOKEN_VAR`] and [`TOKEN_SECRET_VAR`].
pub fn token_source(settings: &Settings) -> Result<TokenSource, ConfigError> {
    match (
        settings.optional(TOKEN_VAR)?,
        settings.optional(TOKEN_SECRET_VAR)?,
    ) {
        (Some(token), None) => Ok(TokenSource::Static(token)),
        (None, Some(secret_id)) => Ok(TokenSource::Fetched(Arc::new(SecretsManagerToken::new(
            secret_id,
        )))),
        (Some(_), Some(_)) => Err(ConfigError::new(
            TOKEN_VAR,
            format!("and {TOKEN_SECRET_VAR} are both set: set only one"),
        )),
        (None, None) => Err(ConfigError::new(
            TOKEN_VAR,
            format!("is required but not set (or, on AWS, {TOKEN_SECRET_VAR})"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> Settings {
        Settings::from_pairs(vars)
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:3001/").unwrap(),
            "http://127.0.0.1:3001"
        );
        assert_eq!(
            parse_base_url("https://conn.internal/prefix/").unwrap(),
            "https://conn.internal/prefix"
        );
        for bad in [
            "",
            "127.0.0.1:3001",
            "ftp://x",
            "http://x/?a=1",
            "http://x/#f",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn token_needs_exactly_one_source() {
        assert!(matches!(
            token_source(&lookup(&[(TOKEN_VAR, "s3cret")])),
            Ok(TokenSource::Static(t)) if t == "s3cret"
        ));
        assert!(matches!(
            token_source(&lookup(&[(TOKEN_SECRET_VAR, "arn:aws:secretsmanager:x")])),
            Ok(TokenSource::Fetched(_))
        ));
        let neither = token_source(&lookup(&[(TOKEN_VAR, "  ")])).unwrap_err();
        assert!(neither.to_string().contains(TOKEN_VAR), "{neither}");
        let both = token_source(&lookup(&[(TOKEN_VAR, "a"), (TOKEN_SECRET_VAR, "b")])).unwrap_err();
        assert!(both.to_string().contains(TOKEN_SECRET_VAR), "{both}");
    }
}
