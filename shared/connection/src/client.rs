//! The client: built once per cold start, it sends each call within the caller's deadline,
//! retries what is safe to repeat, and turns every failure into a [`ConnectionError`].

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gateway_config::{ConfigError, Settings};
use gateway_domain::SessionId;
use reqwest::{Method, header};
use serde::de::DeserializeOwned;

use crate::answer::{Attempt, ReadError, interpret, read_capped, retry_after_s, unexpected};
use crate::config::{Timeouts, URL_VAR, parse_base_url, token_source};
use crate::error::ConnectionError;
use crate::retry::{RetryPolicy, entropy};
use crate::token::{Token, TokenCache, TokenSource};

/// An attempt with less time than this is not started: it could only time out, and for an
/// operation that is not safe to repeat leave the outcome unknown for nothing.
const MIN_ATTEMPT: Duration = Duration::from_millis(50);

/// Pooled connections older than this are not reused. Below the usual 60 s idle timeout of
/// load balancers, and Lambda's frozen time counts: a connection kept across a long freeze
/// would be dead on thaw.
const POOL_IDLE: Duration = Duration::from_secs(30);

/// The operations of the contract, by their `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateGroup,
    GetGroup,
    SetSubject,
    SetDescription,
    SetAnnounce,
    SetLocked,
    AddParticipants,
    RemoveParticipants,
    PromoteParticipants,
    DemoteParticipants,
    GetInvite,
    ResetInvite,
    RequestSync,
}

impl Operation {
    pub fn operation_id(self) -> &'static str {
        match self {
            Operation::CreateGroup => "createGroup",
            Operation::GetGroup => "getGroup",
            Operation::SetSubject => "setSubject",
            Operation::SetDescription => "setDescription",
            Operation::SetAnnounce => "setAnnounce",
            Operation::SetLocked => "setLocked",
            Operation::AddParticipants
            | Operation::RemoveParticipants
            | Operation::PromoteParticipants
            | Operation::DemoteParticipants => "changeParticipants",
            Operation::GetInvite => "getInvite",
            Operation::ResetInvite => "resetInvite",
            Operation::RequestSync => "requestSync",
        }
    }

    /// Doing it twice has the effect of doing it once. Setting a value, removing, promoting or
    /// demoting someone are; creating a group, adding people (a retry after an unclear failure
    /// could make a second group, or add someone who just left) and resetting the invite link
    /// are not.
    pub fn is_safe_to_repeat(self) -> bool {
        !matches!(
            self,
            Operation::CreateGroup | Operation::AddParticipants | Operation::ResetInvite
        )
    }
}

/// The client of the connection service. Build it once per cold start and borrow it.
pub struct ConnectionClient {
    http: reqwest::Client,
    pub(crate) base_url: String,
    token: TokenCache,
    timeouts: Timeouts,
    retry: RetryPolicy,
    calls: AtomicU64,
}

impl fmt::Debug for ConnectionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionClient")
            .field("base_url", &self.base_url)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// One request of the contract.
pub(crate) struct Call<'a> {
    pub operation: Operation,
    pub session: &'a SessionId,
    pub method: Method,
    pub url: String,
    pub body: Option<Vec<u8>>,
}

impl ConnectionClient {
    /// From [`URL_VAR`] and one of `GATEWAY_CONNECTION_TOKEN` / `GATEWAY_CONNECTION_TOKEN_SECRET`.
    /// Makes no network call: a secret in Secrets Manager is read at first use.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let raw = settings.required(URL_VAR)?;
        let base_url = parse_base_url(&raw).map_err(|reason| ConfigError::new(URL_VAR, reason))?;
        Self::build(base_url, token_source(settings)?, Timeouts::default())
    }

    pub fn new(
        base_url: &str,
        token: TokenSource,
        timeouts: Timeouts,
    ) -> Result<Self, ConfigError> {
        let base_url =
            parse_base_url(base_url).map_err(|reason| ConfigError::new(URL_VAR, reason))?;
        Self::build(base_url, token, timeouts)
    }

    fn build(
        base_url: String,
        token: TokenSource,
        timeouts: Timeouts,
    ) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .pool_idle_timeout(POOL_IDLE)
            // A redirect would carry the bearer secret (and a retried create) somewhere the
            // contract does not name: the service never redirects, so one is a failure.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("gateway-connection/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ConfigError::new(URL_VAR, format!("no HTTP client could be built ({e})"))
            })?;
        if base_url.starts_with("http://") && !is_loopback(&base_url) {
            tracing::warn!(
                "the connection service URL is plain http to another host: the bearer secret \
                 travels unencrypted"
            );
        }
        Ok(Self {
            http,
            base_url,
            token: TokenCache::new(token),
            timeouts,
            retry: RetryPolicy::default(),
            calls: AtomicU64::new(0),
        })
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// HTTP requests sent to the service so far, retries included.
    pub fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Time for one more attempt that starts `after` from now, or `None` when what is left
    /// before `deadline - safety margin` is too short to be worth starting.
    fn time_left(&self, deadline: Instant, after: Duration) -> Option<Duration> {
        let cutoff = deadline.checked_sub(self.timeouts.safety_margin)?;
        let left = cutoff.checked_duration_since(Instant::now().checked_add(after)?)?;
        (left >= MIN_ATTEMPT).then_some(left)
    }

    /// Sends `call` until it gives a `T`, it fails for good, or the deadline leaves no time.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        deadline: Instant,
    ) -> Result<T, ConnectionError> {
        let safe = call.operation.is_safe_to_repeat();
        let max_attempts = if safe {
            self.retry.max_attempts.max(1)
        } else {
            1
        };
        let mut failed = 0;
        let mut refetched = false;
        let mut last_error = None;
        loop {
            let Some(left) = self.time_left(deadline, Duration::ZERO) else {
                return Err(last_error.unwrap_or(ConnectionError::NoTimeLeft));
            };
            let token = self
                .token
                .get(Instant::now() + left)
                .await
                .map_err(ConnectionError::Unavailable)?;
            // Fetching the secret may have used some of it.
            let Some(left) = self.time_left(deadline, Duration::ZERO) else {
                return Err(last_error.unwrap_or(ConnectionError::NoTimeLeft));
            };
            match self
                .attempt(&call, &token, left.min(self.timeouts.request))
                .await
            {
                Attempt::Done(value) => return Ok(value),
                Attempt::Refused => {
                    let error = ConnectionError::unavailable(
                        "the connection service refused the bearer secret",
                    );
                    // A 401 means nothing was carried out, so even createGroup may go again,
                    // once, with a freshly read secret (it may have been rotated).
                    if refetched || !self.token.can_refresh() {
                        return Err(error);
                    }
                    refetched = true;
                    tracing::info!(
                        operation = call.operation.operation_id(),
                        "the connection service refused the bearer secret; reading it again"
                    );
                    self.token.invalidate(&token).await;
                    last_error = Some(error);
                }
                Attempt::Failed {
                    error,
                    maybe_done: true,
                    ..
                } if !safe => {
                    // Reporting a failure the caller would retry could make a second group:
                    // the caller must know the outcome is unknown.
                    return Err(ConnectionError::OutcomeUnknown(error.into()));
                }
                Attempt::Failed {
                    error, transient, ..
                } => {
                    failed += 1;
                    if !transient || failed >= max_attempts {
                        return Err(error);
                    }
                    let delay = self.retry.backoff(failed, entropy());
                    // Waiting only to find no time for the attempt would waste the caller's.
                    if self.time_left(deadline, delay).is_none() {
                        return Err(error);
                    }
                    tracing::warn!(
                        operation = call.operation.operation_id(),
                        session = %call.session,
                        attempt = failed,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = ?error,
                        "connection service call failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    last_error = Some(error);
                }
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        call: &Call<'_>,
        token: &Token,
        timeout: Duration,
    ) -> Attempt<T> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let mut request = self
            .http
            .request(call.method.clone(), &call.url)
            .bearer_auth(&token.value)
            .header(header::ACCEPT, "application/json");
        if let Some(body) = &call.body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let exchange = async {
            let response = match request.send().await {
                Ok(response) => response,
                // The URL holds the group JID (a legacy one holds a phone number), so it is
                // left out of the error.
                Err(error) => {
                    // Refused before connecting: nothing was sent. Anything later may have
                    // reached the service.
                    let sent = !error.is_connect();
                    return Attempt::failed(
                        ConnectionError::unavailable(error.without_url()),
                        true,
                        sent,
                    );
                }
            };
            let status = response.status();
            let retry_after = retry_after_s(response.headers());
            match read_capped(response).await {
                Ok(body) => interpret(status, retry_after, &body),
                Err(error) => {
                    let cause = match error {
                        ReadError::Broken(e) => ConnectionError::unavailable(e.without_url()),
                        other => unexpected(status, other.to_string()),
                    };
                    // The answer began: the service got the request and acted on it.
                    Attempt::failed(cause, status.is_server_error(), true)
                }
            }
        };
        // One timer over sending and reading the whole answer: nothing can outlast it.
        let attempt = match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Attempt::failed(ConnectionError::Timeout, false, true),
            Ok(attempt) => attempt,
        };
        // Never the URL: it holds the group JID, and a legacy one holds a phone number.
        tracing::debug!(
            operation = call.operation.operation_id(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            outcome = match &attempt {
                Attempt::Done(_) => "done",
                Attempt::Refused => "unauthorized",
                Attempt::Failed { .. } => "failed",
            },
            "connection service call"
        );
        attempt
    }
}

fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_safe_to_repeat() {
        for op in [
            Operation::CreateGroup,
            Operation::AddParticipants,
            Operation::ResetInvite,
        ] {
            assert!(!op.is_safe_to_repeat(), "{op:?}");
        }
        for op in [
            Operation::GetGroup,
            Operation::SetSubject,
            Operation::SetDescription,
            Operation::SetAnnounce,
            Operation::SetLocked,
            Operation::RemoveParticipants,
            Operation::PromoteParticipants,
            Operation::DemoteParticipants,
            Operation::GetInvite,
            Operation::RequestSync,
        ] {
            assert!(op.is_safe_to_repeat(), "{op:?}");
        }
    }

    #[test]
    fn no_time_left_means_no_attempt() {
        let client = ConnectionClient::new(
            "http://127.0.0.1:9",
            TokenSource::Static("t".into()),
            Timeouts::default(),
        )
        .unwrap();
        let now = Instant::now();
        assert!(
            client
                .time_left(now + Duration::from_secs(1), Duration::ZERO)
                .is_none()
        );
        let left = client
            .time_left(now + Duration::from_secs(3), Duration::ZERO)
            .unwrap();
        assert!(left <= Duration::from_millis(1500));
        // The backoff counts against the deadline too.
        assert!(
            client
                .time_left(now + Duration::from_secs(3), Duration::from_secs(2))
                .is_none()
        );
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:3001"));
        assert!(is_loopback("http://localhost:3001"));
        assert!(is_loopback("http://[::1]:3001"));
        assert!(!is_loopback("http://connection.internal"));
    }
}
