//! `Idempotency-Key` on the live operations that are not safe to repeat (createGroup,
//! addGroupMembers): a retry with the same key never acts twice on WhatsApp, and an operation
//! whose outcome was unknown (504) is completed by retrying.
//!
//! The key is scoped to the organization. It also travels to the connection service as the
//! operation's request id (derived from organization, key and request), and the service acts
//! at most once per request id: so even when our record of a first attempt is gone (it timed
//! out, its function died), the retry gets what the first attempt did.

use std::future::Future;
use std::time::{Duration, Instant};

use gateway_auth::crypto::{random_base62, sha256_hex};
use gateway_domain::OrgId;
use gateway_errors::ApiError;
use gateway_http::{Inputs, error_response};
use gateway_store::{Claim, Store, StoredResponse};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// A finished answer is replayed for this long.
pub const KEEP_MS: i64 = 24 * 3600 * 1000;
/// How long a claim blocks other requests with its key: the function's timeout (10 s in
/// `template.yaml`) plus a margin, so a claim whose function died frees itself.
pub const IN_PROGRESS_MS: i64 = 30_000;

/// A valid `Idempotency-Key` header: 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(Vec<u8>);

impl IdempotencyKey {
    /// The request's key, if it has one.
    pub fn read(inputs: &Inputs<'_>) -> Result<Option<Self>, ApiError> {
        let Some(value) = inputs.header(HEADER) else {
            return Ok(None);
        };
        let key = value.as_bytes();
        if key.is_empty() || key.len() > 255 || !key.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(ApiError::validation(
                "Idempotency-Key",
                "must be 1-255 visible ASCII characters",
            ));
        }
        Ok(Some(Self(key.to_vec())))
    }

    /// The id of the key's record: organization and key hashed together (either may hold
    /// any character; the separator cannot be in an organization id).
    pub fn record_id(&self, org: &OrgId) -> String {
        let mut scoped = Vec::with_capacity(org.as_str().len() + 1 + self.0.len());
        scoped.extend_from_slice(org.as_str().as_bytes());
        scoped.push(b'\n');
        scoped.extend_from_slice(&self.0);
        sha256_hex(&scoped)
    }
}

/// What a request with the same key must repeat: its path, its media type and its body, byte
/// for byte (a 400 for `text/plain` must not be replayed to the corrected request). A body
/// without `Content-Type` is read as JSON, so it counts as `application/json`.
pub fn request_hash(inputs: &Inputs<'_>) -> String {
    let req = inputs.request();
    let mut text = req.uri().path().as_bytes().to_vec();
    text.push(b'\n');
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| {
            let raw = String::from_utf8_lossy(value.as_bytes());
            raw.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "application/json".to_owned());
    text.extend_from_slice(media.as_bytes());
    text.push(b'\n');
    text.extend_from_slice(inputs.body());
    sha256_hex(&text)
}

/// The operation's request id at the connection service: the same for the same key and
/// request, so a retry gets what the first attempt did; another request under a key whose
/// record has expired gets its own.
fn request_id(record_id: &str, request_hash: &str) -> String {
    let digest = sha256_hex(format!("{record_id}\n{request_hash}").as_bytes());
    format!("idem-{}", &digest[..48])
}

/// What to do after looking at the key's record.
enum NextAction {
    /// Run the operation; then finish this attempt.
    StartProcessing(Attempt),
    /// Answer what the first request answered, without running anything.
    ReturnSavedResponse(Response<Body>),
}

struct Attempt {
    record_id: String,
    id: String,
    request_id: String,
}

/// How long before the deadline the record of an attempt must be written: after that the
/// answer goes out without it (the claim frees itself, the connection service still dedupes).
const RECORD_BY: Duration = Duration::from_millis(500);

/// Runs `operation` at most once per key of the caller's organization, passing it the request
/// id to give the connection service; without a key it simply runs (with no request id).
pub async fn once_per_key<Fut>(
    store: &Store,
    now_ms: impl Fn() -> i64,
    key: Option<(&OrgId, &IdempotencyKey)>,
    inputs: &Inputs<'_>,
    operation: impl FnOnce(Option<String>) -> Fut,
) -> Result<Response<Body>, ApiError>
where
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    let Some((org, key)) = key else {
        return operation(None).await;
    };
    let hash = request_hash(inputs);
    match begin(store, key.record_id(org), &hash, now_ms()).await? {
        NextAction::ReturnSavedResponse(response) => {
            tracing::Span::current().record("replayed", true);
            Ok(response)
        }
        NextAction::StartProcessing(attempt) => {
            let outcome = operation(Some(attempt.request_id.clone())).await;
            let record_by = inputs
                .deadline()
                .checked_sub(RECORD_BY)
                .unwrap_or_else(Instant::now);
            let finished = finish(store, attempt, &outcome, now_ms());
            if crate::within(record_by, finished).await.is_none() {
                tracing::warn!("idempotency record not written before the deadline");
            }
            outcome
        }
    }
}

async fn begin(
    store: &Store,
    record_id: String,
    request_hash: &str,
    now_ms: i64,
) -> Result<NextAction, ApiError> {
    let attempt = random_base62(16);
    let claim = store
        .claim_idempotency_key(&record_id, request_hash, &attempt, now_ms, IN_PROGRESS_MS)
        .await?;
    Ok(match claim {
        Claim::Claimed { attempt } => NextAction::StartProcessing(Attempt {
            request_id: request_id(&record_id, request_hash),
            record_id,
            id: attempt,
        }),
        Claim::Completed {
            request_hash: h, ..
        }
        | Claim::InProgress {
            request_hash: h, ..
        } if h != request_hash => return Err(ApiError::IdempotencyMismatch),
        Claim::Completed { response, .. } => NextAction::ReturnSavedResponse(replay(response)),
        // A released key is refused only to another request: the same one claims it.
        Claim::Released { .. } => return Err(ApiError::IdempotencyMismatch),
        Claim::InProgress { expires_at_ms, .. } => {
            let left_ms = u64::try_from(expires_at_ms - now_ms).unwrap_or(0);
            return Err(ApiError::RequestInProgress {
                retry_after_s: left_ms.div_ceil(1000).max(1),
            });
        }
    })
}

/// Keeps a final answer for replays, or gives the key back when a retry may fare better.
/// Failing to write the record does not change the answer: the connection service still
/// dedupes the operation by request id, and the claim frees itself.
async fn finish(
    store: &Store,
    attempt: Attempt,
    outcome: &Result<Response<Body>, ApiError>,
    now_ms: i64,
) {
    let error_response;
    let response = match outcome {
        Ok(response) => response,
        Err(error) => {
            error_response = self::error_response(error);
            &error_response
        }
    };
    let result = if is_final(response.status()) {
        let stored = StoredResponse {
            status: response.status().as_u16(),
            body: match response.body() {
                Body::Text(text) => text.clone(),
                _ => String::new(),
            },
            location: response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        };
        store
            .complete_idempotency_key(&attempt.record_id, &attempt.id, &stored, now_ms + KEEP_MS)
            .await
    } else {
        store
            .release_idempotency_key(&attempt.record_id, &attempt.id, now_ms + KEEP_MS)
            .await
    };
    match result {
        Ok(true) => {}
        Ok(false) => tracing::warn!("idempotency claim was taken over before this attempt ended"),
        Err(error) => tracing::warn!(error = ?error, "idempotency record not updated"),
    }
}

/// An answer a retry cannot change: success, and refusals of the request itself. Rate limits,
/// a disconnected session and every 5xx may go differently next time.
fn is_final(status: StatusCode) -> bool {
    status.is_success() || (status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS)
}

fn replay(stored: StoredResponse) -> Response<Body> {
    let mut response = Response::new(Body::Text(stored.body));
    *response.status_mut() = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    if let Some(location) = stored.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

#[cfg(test)]
mod tests {
    use lambda_http::{Request, http};

    use super::*;

    fn with_key(key: &[u8]) -> Request {
        http::Request::builder()
            .header(HEADER, HeaderValue::from_bytes(key).unwrap())
            .body(Body::Empty)
            .unwrap()
    }

    fn read(req: &Request) -> Result<Option<IdempotencyKey>, ApiError> {
        IdempotencyKey::read(&Inputs::of(req).unwrap())
    }

    fn org(o: &str) -> OrgId {
        OrgId::parse(o).unwrap()
    }

    #[test]
    fn keys_are_1_to_255_visible_ascii() {
        assert!(read(&Request::default()).unwrap().is_none());
        assert!(read(&with_key(b"k")).unwrap().is_some());
        assert!(read(&with_key(&[b'~'; 255])).is_ok());
        for bad in [
            &b""[..],
            &[b'a'; 256],
            b"with space",
            b"tab\there",
            b"\xc3\xa4",
        ] {
            assert!(read(&with_key(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keys_are_scoped_to_the_organization() {
        let key = read(&with_key(b"k")).unwrap().unwrap();
        let (a, b) = (key.record_id(&org("a")), key.record_id(&org("b")));
        assert_ne!(a, b);
        assert_ne!(request_id(&a, "h"), request_id(&b, "h"));
        assert_ne!(request_id(&a, "h"), request_id(&a, "another request"));
        // "a\nb" + "c" must not collide with "a" + "b\nc": the separator cannot be in an org.
        assert!(OrgId::parse("a\nb").is_err());
    }

    #[test]
    fn the_content_type_is_part_of_the_request() {
        let with_type = |content_type: &str| {
            http::Request::builder()
                .uri("/api/v1/sessions/s/groups")
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::Text("{}".into()))
                .unwrap()
        };
        let hash = |req: &Request| request_hash(&Inputs::of(req).unwrap());
        let json = hash(&with_type("application/json"));
        assert_ne!(json, hash(&with_type("text/plain")));
        assert_eq!(json, hash(&with_type("Application/JSON; charset=utf-8")));
        let untyped = http::Request::builder()
            .uri("/api/v1/sessions/s/groups")
            .body(Body::Text("{}".into()))
            .unwrap();
        assert_eq!(json, hash(&untyped));
    }

    #[test]
    fn finality() {
        for status in [201, 400, 403, 404, 413, 422] {
            assert!(is_final(StatusCode::from_u16(status).unwrap()), "{status}");
        }
        for status in [429, 500, 501, 502, 503, 504] {
            assert!(!is_final(StatusCode::from_u16(status).unwrap()), "{status}");
        }
    }
}
