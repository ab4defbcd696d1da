//! The bearer secret: fixed, or read from Secrets Manager at first use and again after a 401.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use gateway_aws::SdkTimeouts;
use gateway_errors::BoxError;
use tokio::sync::Mutex;

/// What [`FetchToken::fetch`] returns: a boxed future, so fetchers can live behind `dyn`.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send + 'a>>;

/// Reads the bearer secret from somewhere that may change it (a secret store).
pub trait FetchToken: Send + Sync {
    fn fetch(&self) -> TokenFuture<'_>;
}

/// Where the bearer secret comes from.
#[derive(Clone)]
pub enum TokenSource {
    /// Known up front: local runs and tests. A 401 with it is final.
    Static(String),
    /// Fetched at first use, cached, and fetched again once when the service answers 401
    /// (the secret was rotated).
    Fetched(Arc<dyn FetchToken>),
}

// The secret must never reach a log, so no derived Debug.
impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Static(_) => f.write_str("Static(<redacted>)"),
            TokenSource::Fetched(_) => f.write_str("Fetched(..)"),
        }
    }
}

/// The bearer secret in AWS Secrets Manager. The secret's string is either the token itself
/// or a JSON object with a `"token"` member (the shape the console's key/value editor makes).
pub struct SecretsManagerToken {
    secret_id: String,
    client: tokio::sync::OnceCell<aws_sdk_secretsmanager::Client>,
}

impl SecretsManagerToken {
    /// The client is built at the first fetch, not here: construction happens at cold start,
    /// and functions that never call the service should not pay for it.
    pub fn new(secret_id: impl Into<String>) -> Self {
        Self {
            secret_id: secret_id.into(),
            client: tokio::sync::OnceCell::new(),
        }
    }

    /// With a client built elsewhere (shared configuration, or an endpoint for tests).
    pub fn with_client(
        secret_id: impl Into<String>,
        client: aws_sdk_secretsmanager::Client,
    ) -> Self {
        Self {
            secret_id: secret_id.into(),
            client: tokio::sync::OnceCell::new_with(Some(client)),
        }
    }
}

impl FetchToken for SecretsManagerToken {
    fn fetch(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let client = self
                .client
                .get_or_try_init(|| async {
                    let sdk = gateway_aws::from_env(&SdkTimeouts::default())?;
                    let mut config = aws_sdk_secretsmanager::config::Builder::from(&sdk);
                    if let Some(url) =
                        gateway_aws::endpoint_url(gateway_aws::Service::SecretsManager)
                    {
                        config = config.endpoint_url(url);
                    }
                    Ok::<_, BoxError>(aws_sdk_secretsmanager::Client::from_conf(config.build()))
                })
                .await?;
            let output = client
                .get_secret_value()
                .secret_id(&self.secret_id)
                .send()
                .await?;
            let raw = output
                .secret_string()
                .ok_or("the connection secret has no string value")?;
            token_from_secret_string(raw)
        })
    }
}

pub(crate) fn token_from_secret_string(raw: &str) -> Result<String, BoxError> {
    let raw = raw.trim();
    let token = if raw.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(raw)
            .map_err(|_| "the connection secret is a JSON object that does not parse")?;
        value
            .get("token")
            .and_then(serde_json::Value::as_str)
            .ok_or("the connection secret's JSON has no string member \"token\"")?
            .trim()
            .to_owned()
    } else {
        raw.to_owned()
    };
    if token.is_empty() {
        return Err("the connection secret is empty".into());
    }
    Ok(token)
}

/// A token as handed to one attempt; `generation` tells a stale one from a refreshed one.
#[derive(Clone)]
pub(crate) struct Token {
    pub value: Arc<str>,
    pub generation: u64,
}

/// The cached bearer secret of one client.
pub(crate) struct TokenCache {
    source: TokenSource,
    cached: Mutex<Option<Token>>,
    generations: std::sync::atomic::AtomicU64,
}

impl TokenCache {
    pub fn new(source: TokenSource) -> Self {
        let cached = match &source {
            TokenSource::Static(token) => Some(Token {
                value: Arc::from(token.as_str()),
                generation: 0,
            }),
            TokenSource::Fetched(_) => None,
        };
        Self {
            source,
            cached: Mutex::new(cached),
            generations: std::sync::atomic::AtomicU64::new(0),
        }
    }

    pub fn can_refresh(&self) -> bool {
        matches!(self.source, TokenSource::Fetched(_))
    }

    /// The cached token, fetching it first if needed. Concurrent callers wait for one fetch
    /// (the lock is held across it) instead of each asking the secret store.
    pub async fn get(&self, until: Instant) -> Result<Token, BoxError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref() {
            return Ok(token.clone());
        }
        let TokenSource::Fetched(fetcher) = &self.source else {
            return Err("no connection secret".into());
        };
        let fetched =
            tokio::time::timeout_at(tokio::time::Instant::from_std(until), fetcher.fetch())
                .await
                .map_err(|_| "reading the connection secret took too long")??;
        let generation = self
            .generations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let token = Token {
            value: Arc::from(fetched),
            generation,
        };
        *cached = Some(token.clone());
        tracing::debug!(generation, "connection secret fetched");
        Ok(token)
    }

    /// Drops the cached token if it is still the one the service refused, so the next
    /// [`get`](Self::get) fetches it again; a token another caller already refreshed stays.
    pub async fn invalidate(&self, refused: &Token) {
        if !self.can_refresh() {
            return;
        }
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|t| t.generation == refused.generation)
        {
            *cached = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    struct Rotating {
        tokens: Vec<&'static str>,
        fetches: AtomicUsize,
    }

    impl FetchToken for Rotating {
        fn fetch(&self) -> TokenFuture<'_> {
            Box::pin(async move {
                let i = self.fetches.fetch_add(1, Ordering::SeqCst);
                Ok(self.tokens[i.min(self.tokens.len() - 1)].to_owned())
            })
        }
    }

    #[test]
    fn secret_strings() {
        assert_eq!(token_from_secret_string(" abc\n").unwrap(), "abc");
        assert_eq!(
            token_from_secret_string(r#"{"token": "abc", "other": 1}"#).unwrap(),
            "abc"
        );
        assert!(token_from_secret_string(r#"{"secret": "abc"}"#).is_err());
        assert!(token_from_secret_string("   ").is_err());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", TokenSource::Static("hunter2".into()));
        assert!(!shown.contains("hunter2"));
    }

    #[tokio::test]
    async fn fetched_once_then_refetched_after_invalidation() {
        let fetcher = Arc::new(Rotating {
            tokens: vec!["old", "new"],
            fetches: AtomicUsize::new(0),
        });
        let cache = TokenCache::new(TokenSource::Fetched(fetcher.clone()));
        let until = Instant::now() + Duration::from_secs(5);
        let first = cache.get(until).await.unwrap();
        assert_eq!(&*cache.get(until).await.unwrap().value, "old");
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 1);

        cache.invalidate(&first).await;
        let second = cache.get(until).await.unwrap();
        assert_eq!(&*second.value, "new");
        // A second refusal of the already replaced token changes nothing.
        cache.invalidate(&first).await;
        assert_eq!(&*cache.get(until).await.unwrap().value, "new");
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 2);
    }
}
