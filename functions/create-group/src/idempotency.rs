//! `Idempotency-Key` on createGroup: a retry with the same key never creates a second group,
//! and a create whose outcome was unknown (504) is completed by retrying.
//!
//! The key is scoped to the organization. The same key also travels to the connection
//! service as the create's request id (derived from organization and key), and the service
//! creates at most one group per request id: so even when our record of a first attempt is
//! gone (it timed out, its function died), the retry gets the group made the first time.

use gateway_auth::crypto::{random_base62, sha256_hex};
use gateway_domain::OrgId;
use gateway_errors::ApiError;
use gateway_store::{Claim, StoredResponse};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// A finished answer is replayed for this long.
pub const KEEP_MS: i64 = 24 * 3600 * 1000;
/// How long a claim blocks other requests with its key: the function's timeout (10 s in
/// `template.yaml`) plus a margin, so a claim whose function died frees itself.
pub const IN_PROGRESS_MS: i64 = 30_000;

/// A valid `Idempotency-Key` of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Names the record: the organization and the key, hashed (either may hold any character).
    record_id: String,
}

impl IdempotencyKey {
    /// The header's key, if there is one: 1–255 visible ASCII characters.
    pub fn from_request(req: &Request, org: &OrgId) -> Result<Option<Self>, ApiError> {
        let Some(value) = req.headers().get(HEADER) else {
            return Ok(None);
        };
        let key = value.as_bytes();
        if key.is_empty() || key.len() > 255 || !key.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(ApiError::validation(
                "Idempotency-Key",
                "must be 1-255 visible ASCII characters",
            ));
        }
        let mut scoped = Vec::with_capacity(org.as_str().len() + 1 + key.len());
        scoped.extend_from_slice(org.as_str().as_bytes());
        scoped.push(b'\n');
        scoped.extend_from_slice(key);
        Ok(Some(Self {
            record_id: sha256_hex(&scoped),
        }))
    }

    /// The create's request id at the connection service: the same for the same key and
    /// request, so a retry gets the group made the first time; another request under a key
    /// whose record has expired gets a group of its own.
    pub fn request_id(&self, request_hash: &str) -> String {
        let digest = sha256_hex(format!("{}\n{request_hash}", self.record_id).as_bytes());
        format!("idem-{}", &digest[..48])
    }

    /// The id of the key's record in the store.
    pub fn record_id(&self) -> &str {
        &self.record_id
    }
}

/// What a request with the same key must repeat: its session and its body, byte for byte.
pub fn request_hash(req: &Request, body: &[u8]) -> String {
    let mut text = req.uri().path().as_bytes().to_vec();
    text.push(b'\n');
    text.extend_from_slice(body);
    sha256_hex(&text)
}

/// How the request goes on after looking at its key's record.
pub enum Begin {
    /// Run the request; then [`finish`] with this attempt.
    Run(Attempt),
    /// Answer this, without running anything.
    Answer(Response<Body>),
}

pub struct Attempt {
    key: IdempotencyKey,
    id: String,
}

pub async fn begin(
    store: &gateway_store::Store,
    key: IdempotencyKey,
    request_hash: &str,
    now_ms: i64,
) -> Result<Begin, ApiError> {
    let attempt = random_base62(16);
    let claim = store
        .claim_idempotency_key(
            &key.record_id,
            request_hash,
            &attempt,
            now_ms,
            IN_PROGRESS_MS,
        )
        .await?;
    Ok(match claim {
        Claim::Claimed { attempt } => Begin::Run(Attempt { key, id: attempt }),
        Claim::Completed {
            request_hash: h, ..
        }
        | Claim::InProgress {
            request_hash: h, ..
        } if h != request_hash => {
            return Err(ApiError::IdempotencyMismatch);
        }
        Claim::Completed { response, .. } => Begin::Answer(replay(response)),
        // A released key is refused only to another request: the same one claims it.
        Claim::Released { .. } => return Err(ApiError::IdempotencyMismatch),
        Claim::InProgress { expires_at_ms, .. } => {
            let left_ms = u64::try_from(expires_at_ms - now_ms).unwrap_or(0);
            let left_s = left_ms.div_ceil(1000).max(1);
            return Err(ApiError::RequestInProgress {
                retry_after_s: left_s,
            });
        }
    })
}

/// Keeps a final answer for replays, or gives the key back when a retry may fare better.
/// Failing to write the record does not change the answer: the connection service still
/// dedupes the create by request id, and the claim frees itself.
pub async fn finish(
    store: &gateway_store::Store,
    attempt: Attempt,
    response: &Response<Body>,
    now_ms: i64,
) {
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
            .complete_idempotency_key(
                &attempt.key.record_id,
                &attempt.id,
                &stored,
                now_ms + KEEP_MS,
            )
            .await
    } else {
        store
            .release_idempotency_key(&attempt.key.record_id, &attempt.id, now_ms + KEEP_MS)
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
    use lambda_http::http;

    use super::*;

    fn with_key(key: &[u8]) -> Request {
        http::Request::builder()
            .header(HEADER, HeaderValue::from_bytes(key).unwrap())
            .body(Body::Empty)
            .unwrap()
    }

    fn org(o: &str) -> OrgId {
        OrgId::parse(o).unwrap()
    }

    #[test]
    fn keys_are_1_to_255_visible_ascii() {
        assert!(
            IdempotencyKey::from_request(&Request::default(), &org("a"))
                .unwrap()
                .is_none()
        );
        assert!(
            IdempotencyKey::from_request(&with_key(b"k"), &org("a"))
                .unwrap()
                .is_some()
        );
        let longest = vec![b'~'; 255];
        assert!(IdempotencyKey::from_request(&with_key(&longest), &org("a")).is_ok());
        for bad in [
            &b""[..],
            &[b'a'; 256],
            b"with space",
            b"tab\there",
            b"\xc3\xa4",
        ] {
            assert!(
                IdempotencyKey::from_request(&with_key(bad), &org("a")).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn keys_are_scoped_to_the_organization() {
        let a = IdempotencyKey::from_request(&with_key(b"k"), &org("a"))
            .unwrap()
            .unwrap();
        let b = IdempotencyKey::from_request(&with_key(b"k"), &org("b"))
            .unwrap()
            .unwrap();
        assert_ne!(a.record_id, b.record_id);
        assert_ne!(a.request_id("h"), b.request_id("h"));
        assert_ne!(a.request_id("h"), a.request_id("another request"));
        // "a\nb" + "c" must not collide with "a" + "b\nc": the separator cannot be in an org.
        assert!(OrgId::parse("a\nb").is_err());
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
