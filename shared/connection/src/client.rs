use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gateway_domain::{Description, GroupJid, SessionId, Subject, UserJid};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::config::{ConfigError, Timeouts, URL_VAR, parse_base_url, token_source_from_lookup};
use crate::error::ConnectionError;
use crate::model::{
    AnnounceBody, CreateGroupBody, DescriptionBody, ErrorEnvelope, LiveGroup, LockedBody,
    SubjectBody, valid_request_id,
};
use crate::retry::{RetryPolicy, entropy, is_transient_status};
use crate::token::{Token, TokenCache, TokenSource};

/// Everything but RFC 3986's unreserved characters: a group JID's `@` travels as `%40`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An attempt with less time than this is not started: it could only time out, and for
/// createGroup leave the outcome unknown for nothing.
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
        }
    }

    /// Doing it twice has the effect of doing it once. Setting a value is; creating a group
    /// is not (a retry after an unclear failure could make a second group).
    pub fn is_safe_to_repeat(self) -> bool {
        !matches!(self, Operation::CreateGroup)
    }
}

/// The client of the connection service. Build it once per cold start and borrow it.
pub struct ConnectionClient {
    http: reqwest::Client,
    base_url: String,
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

struct Call<'a> {
    operation: Operation,
    session: &'a SessionId,
    method: Method,
    url: String,
    body: Option<Vec<u8>>,
}

enum Attempt {
    Done(LiveGroup),
    /// 401: the bearer secret was refused.
    Refused,
    Failed {
        error: ConnectionError,
        /// The operation was not carried out and another attempt may succeed.
        transient: bool,
    },
}

/// An answer that is not the contract's: the cause inside [`ConnectionError::Unavailable`].
/// Carries the status and what was wrong, never the body (it may hold phone numbers).
#[derive(Debug)]
struct UnexpectedAnswer {
    status: u16,
    detail: String,
}

impl fmt::Display for UnexpectedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the connection service answered {}: {}",
            self.status, self.detail
        )
    }
}

impl std::error::Error for UnexpectedAnswer {}

fn unexpected(status: StatusCode, detail: impl Into<String>) -> ConnectionError {
    ConnectionError::unavailable(UnexpectedAnswer {
        status: status.as_u16(),
        detail: detail.into(),
    })
}

impl ConnectionClient {
    /// From [`URL_VAR`] and one of `GATEWAY_CONNECTION_TOKEN` / `GATEWAY_CONNECTION_TOKEN_SECRET`.
    /// Makes no network call: a secret in Secrets Manager is read at first use.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), with settings looked up by `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let raw = lookup(URL_VAR)
            .filter(|v| !v.trim().is_empty())
            .ok_or(ConfigError::Missing(URL_VAR))?;
        let base_url = parse_base_url(&raw).map_err(|reason| ConfigError::Invalid {
            name: URL_VAR,
            reason,
        })?;
        let token = token_source_from_lookup(&lookup)?;
        Self::build(base_url, token, Timeouts::default())
    }

    pub fn new(
        base_url: &str,
        token: TokenSource,
        timeouts: Timeouts,
    ) -> Result<Self, ConfigError> {
        let base_url = parse_base_url(base_url).map_err(|reason| ConfigError::Invalid {
            name: "the connection service base URL",
            reason,
        })?;
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
            .user_agent(concat!("gateway-connection/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::Client)?;
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

    /// Creates a group with the session's account as owner. Never retried: with a
    /// `request_id` the service makes at most one group for it, so the caller may repeat
    /// the call itself after a timeout and get the first group back.
    pub async fn create_group(
        &self,
        session: &SessionId,
        request_id: Option<&str>,
        subject: &Subject,
        participants: &[UserJid],
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        if request_id.is_some_and(|id| !valid_request_id(id)) {
            return Err(ConnectionError::BadRequest {
                field: Some("requestId".into()),
                reason: "must be 1-255 visible ASCII characters".into(),
            });
        }
        let body = encode(&CreateGroupBody {
            request_id,
            subject,
            participants,
        })?;
        let url = format!(
            "{}/v1/sessions/{}/groups",
            self.base_url,
            segment(session.as_str())
        );
        self.call(
            Call {
                operation: Operation::CreateGroup,
                session,
                method: Method::POST,
                url,
                body: Some(body),
            },
            deadline,
        )
        .await
    }

    pub async fn get_group(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let call = Call {
            operation: Operation::GetGroup,
            session,
            method: Method::GET,
            url: self.group_url(session, gid, ""),
            body: None,
        };
        self.call(call, deadline).await
    }

    pub async fn set_subject(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        subject: &Subject,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&SubjectBody { subject })?;
        self.set(
            Operation::SetSubject,
            session,
            gid,
            "/subject",
            body,
            deadline,
        )
        .await
    }

    /// An empty description clears it.
    pub async fn set_description(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        description: &Description,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&DescriptionBody { description })?;
        self.set(
            Operation::SetDescription,
            session,
            gid,
            "/description",
            body,
            deadline,
        )
        .await
    }

    pub async fn set_announce(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        announce: bool,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&AnnounceBody { announce })?;
        self.set(
            Operation::SetAnnounce,
            session,
            gid,
            "/announce",
            body,
            deadline,
        )
        .await
    }

    pub async fn set_locked(
        &self,
        session: &SessionId,
        gid: &GroupJid,
        locked: bool,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let body = encode(&LockedBody { locked })?;
        self.set(
            Operation::SetLocked,
            session,
            gid,
            "/locked",
            body,
            deadline,
        )
        .await
    }

    async fn set(
        &self,
        operation: Operation,
        session: &SessionId,
        gid: &GroupJid,
        suffix: &str,
        body: Vec<u8>,
        deadline: Instant,
    ) -> Result<LiveGroup, ConnectionError> {
        let call = Call {
            operation,
            session,
            method: Method::PUT,
            url: self.group_url(session, gid, suffix),
            body: Some(body),
        };
        self.call(call, deadline).await
    }

    fn group_url(&self, session: &SessionId, gid: &GroupJid, suffix: &str) -> String {
        format!(
            "{}/v1/sessions/{}/groups/{}{suffix}",
            self.base_url,
            segment(session.as_str()),
            segment(gid.as_str())
        )
    }

    /// Time for one more attempt that starts `after` from now, or `None` when what is left
    /// before `deadline - safety margin` is too short to be worth starting.
    fn time_left(&self, deadline: Instant, after: Duration) -> Option<Duration> {
        let cutoff = deadline.checked_sub(self.timeouts.safety_margin)?;
        let left = cutoff.checked_duration_since(Instant::now().checked_add(after)?)?;
        (left >= MIN_ATTEMPT).then_some(left)
    }

    async fn call(&self, call: Call<'_>, deadline: Instant) -> Result<LiveGroup, ConnectionError> {
        let max_attempts = if call.operation.is_safe_to_repeat() {
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
                Attempt::Done(group) => return Ok(group),
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
                Attempt::Failed { error, transient } => {
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

    async fn attempt(&self, call: &Call<'_>, token: &Token, timeout: Duration) -> Attempt {
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
            let response = request.send().await?;
            let status = response.status();
            let retry_after = retry_after_s(response.headers());
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, retry_after, body))
        };
        // One timer over sending and reading the whole answer: nothing can outlast it.
        let attempt = match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Attempt::Failed {
                error: ConnectionError::Timeout,
                transient: false,
            },
            // Connection refused or broken: for an operation safe to repeat, worth another
            // try whether or not the request got through. The URL holds the group JID (a
            // legacy one holds a phone number), so it is left out of the error.
            Ok(Err(error)) => Attempt::Failed {
                error: ConnectionError::unavailable(error.without_url()),
                transient: true,
            },
            Ok(Ok((status, retry_after, body))) => interpret(status, retry_after, &body),
        };
        tracing::debug!(
            operation = call.operation.operation_id(),
            session = %call.session,
            url = %call.url,
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

/// What an answer means, by the contract: a group on success, otherwise the error's `kind`.
fn interpret(status: StatusCode, retry_after: Option<u64>, body: &[u8]) -> Attempt {
    if status.is_success() {
        return match serde_json::from_slice::<LiveGroup>(body) {
            Ok(group) => Attempt::Done(group),
            Err(error) => Attempt::Failed {
                error: unexpected(status, format!("the group does not parse ({error})")),
                transient: false,
            },
        };
    }
    if status == StatusCode::UNAUTHORIZED {
        return Attempt::Refused;
    }
    let refusal = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .map(|e| e.error);
    let error = match refusal {
        // A kind counts only with a 4xx: a 404 from a proxy or a wrong base path must not
        // read as "group not found", hence no mapping by status alone either.
        Some(refusal) if status.is_client_error() => match refusal.kind.as_str() {
            "not_connected" => ConnectionError::NotConnected,
            "not_admin" => ConnectionError::NotAdmin,
            "group_not_found" => ConnectionError::GroupNotFound,
            "rate_limited" => ConnectionError::RateLimited {
                retry_after_s: refusal.retry_after_s.or(retry_after),
            },
            "bad_request" => ConnectionError::BadRequest {
                field: refusal.field,
                reason: if refusal.message.is_empty() {
                    "refused as malformed".to_owned()
                } else {
                    refusal.message
                },
            },
            other => unexpected(status, format!("unknown error kind {:?}", truncate(other))),
        },
        // Throttling by whatever is in front of the service means the same to the caller.
        _ if status == StatusCode::TOO_MANY_REQUESTS => ConnectionError::RateLimited {
            retry_after_s: retry_after,
        },
        Some(refusal) => unexpected(status, format!("error kind {:?}", truncate(&refusal.kind))),
        None => unexpected(status, "not an error of the contract"),
    };
    Attempt::Failed {
        error,
        transient: is_transient_status(status.as_u16()),
    }
}

fn truncate(text: &str) -> &str {
    text.char_indices()
        .nth(40)
        .map_or(text, |(i, _)| &text[..i])
}

/// `Retry-After` in seconds; the HTTP-date form is not used by the service.
fn retry_after_s(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn segment(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

fn encode(body: &impl Serialize) -> Result<Vec<u8>, ConnectionError> {
    serde_json::to_vec(body).map_err(ConnectionError::unavailable)
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

    fn error_of(attempt: Attempt) -> (ConnectionError, bool) {
        match attempt {
            Attempt::Failed { error, transient } => (error, transient),
            Attempt::Done(_) => panic!("unexpected success"),
            Attempt::Refused => panic!("unexpected 401"),
        }
    }

    fn refusal(kind: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "error": {"kind": kind, "message": "m", "retryAfterS": 4, "field": "participants[0]"}
        }))
        .unwrap()
    }

    #[test]
    fn error_kinds_of_the_contract() {
        let (e, t) = error_of(interpret(
            StatusCode::CONFLICT,
            None,
            &refusal("not_connected"),
        ));
        assert!(matches!(e, ConnectionError::NotConnected) && !t);
        let (e, _) = error_of(interpret(
            StatusCode::FORBIDDEN,
            None,
            &refusal("not_admin"),
        ));
        assert!(matches!(e, ConnectionError::NotAdmin));
        let (e, _) = error_of(interpret(
            StatusCode::NOT_FOUND,
            None,
            &refusal("group_not_found"),
        ));
        assert!(matches!(e, ConnectionError::GroupNotFound));
        let (e, _) = error_of(interpret(
            StatusCode::TOO_MANY_REQUESTS,
            Some(9),
            &refusal("rate_limited"),
        ));
        assert!(matches!(
            e,
            ConnectionError::RateLimited {
                retry_after_s: Some(4)
            }
        ));
        let (e, _) = error_of(interpret(
            StatusCode::BAD_REQUEST,
            None,
            &refusal("bad_request"),
        ));
        assert!(
            matches!(e, ConnectionError::BadRequest { field: Some(f), reason }
            if f == "participants[0]" && reason == "m")
        );
        assert!(matches!(
            interpret(StatusCode::UNAUTHORIZED, None, b""),
            Attempt::Refused
        ));
    }

    #[test]
    fn a_bare_404_is_not_a_missing_group() {
        let (e, t) = error_of(interpret(StatusCode::NOT_FOUND, None, b"Not Found"));
        assert!(matches!(e, ConnectionError::Unavailable(_)) && !t);
        let (e, _) = error_of(interpret(
            StatusCode::NOT_FOUND,
            None,
            &refusal("no_such_route"),
        ));
        assert!(matches!(e, ConnectionError::Unavailable(_)));
    }

    #[test]
    fn throttling_without_a_body_uses_the_header() {
        let (e, _) = error_of(interpret(StatusCode::TOO_MANY_REQUESTS, Some(7), b""));
        assert!(matches!(
            e,
            ConnectionError::RateLimited {
                retry_after_s: Some(7)
            }
        ));
    }

    #[test]
    fn server_errors_are_transient_unavailability() {
        for status in [500, 502, 503] {
            let status = StatusCode::from_u16(status).unwrap();
            let (e, t) = error_of(interpret(status, None, &refusal("internal")));
            assert!(
                matches!(e, ConnectionError::Unavailable(_)) && t,
                "{status}"
            );
            // A kind that only makes sense for a 4xx does not count with a 5xx.
            let (e, _) = error_of(interpret(status, None, &refusal("group_not_found")));
            assert!(matches!(e, ConnectionError::Unavailable(_)), "{status}");
        }
        let (_, t) = error_of(interpret(StatusCode::GATEWAY_TIMEOUT, None, b""));
        assert!(!t);
    }

    #[test]
    fn garbage_success_is_unavailable_and_not_repeated() {
        let (e, t) = error_of(interpret(StatusCode::OK, None, b"<html>"));
        assert!(matches!(e, ConnectionError::Unavailable(_)) && !t);
    }

    #[test]
    fn only_create_is_unsafe_to_repeat() {
        assert!(!Operation::CreateGroup.is_safe_to_repeat());
        for op in [
            Operation::GetGroup,
            Operation::SetSubject,
            Operation::SetDescription,
            Operation::SetAnnounce,
            Operation::SetLocked,
        ] {
            assert!(op.is_safe_to_repeat(), "{op:?}");
        }
    }

    #[test]
    fn group_jids_are_percent_encoded_in_paths() {
        assert_eq!(segment("120363@g.us"), "120363%40g.us");
        assert_eq!(segment("628-170@g.us"), "628-170%40g.us");
        assert_eq!(segment("demo_session-1"), "demo_session-1");
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
