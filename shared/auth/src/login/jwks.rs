//! The frontend's signing keys (JWKS), fetched over HTTPS and cached for the life of the function.
//!
//! Rules (spec, "Authentication and tenancy"): keys are used at most [`KEYS_TTL_MS`] after the
//! fetch that brought them; a token naming an unknown `kid` triggers a refetch, at most one
//! fetch per [`REFETCH_INTERVAL_MS`] whatever the reason, and concurrent misses share one fetch.
//! A successful fetch replaces the whole set, so a key removed from the JWKS stops working then.
//! A failed fetch changes nothing: cached keys work until their own TTL runs out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;
use gateway_domain::Clock;
use jsonwebtoken::DecodingKey;
use serde_json::Value;

pub const KEYS_TTL_MS: i64 = 10 * 60 * 1000;
pub const REFETCH_INTERVAL_MS: i64 = 10_000;
/// The whole fetch, connect to last byte: a login request waits for it.
pub const FETCH_TIMEOUT: Duration = Duration::from_millis(1500);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// Real JWKS are a few KiB; the cap keeps a broken or hostile endpoint from filling memory.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// RSA below 2048 bits is breakable; aws-lc refuses such keys too, this says why in the log.
const MIN_RSA_MODULUS_BYTES: usize = 256;

/// The signature algorithms we accept. Never `none`, never HMAC: a JWKS holds public keys, and
/// an HMAC "key" taken from one is known to everybody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    EdDsa,
    Es256,
    Rs256,
}

impl Alg {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "EdDSA" => Some(Alg::EdDsa),
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
        }
    }

    pub fn jsonwebtoken(self) -> jsonwebtoken::Algorithm {
        match self {
            Alg::EdDsa => jsonwebtoken::Algorithm::EdDSA,
            Alg::Es256 => jsonwebtoken::Algorithm::ES256,
            Alg::Rs256 => jsonwebtoken::Algorithm::RS256,
        }
    }
}

/// One usable public key. Its algorithm comes from the JWK, never from a token.
pub struct VerifyKey {
    pub alg: Alg,
    pub key: DecodingKey,
}

/// The keys of one successful fetch, by `kid`. A `kid` may carry keys of several algorithms.
pub struct KeySet {
    keys: HashMap<String, Vec<VerifyKey>>,
    fetched_at_ms: Option<i64>,
}

impl KeySet {
    fn empty() -> Self {
        Self {
            keys: HashMap::new(),
            fetched_at_ms: None,
        }
    }

    /// Within the TTL of its fetch. A clock that went backwards also counts as stale, so a
    /// confused clock costs a refetch rather than extending the keys' life.
    fn is_fresh(&self, now_ms: i64) -> bool {
        self.fetched_at_ms
            .is_some_and(|at| now_ms >= at && now_ms - at < KEYS_TTL_MS)
    }

    fn has(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    /// The key for `kid` whose algorithm is `alg`, if the set has one.
    pub fn key(&self, kid: &str, alg: Alg) -> Result<&VerifyKey, &'static str> {
        let keys = self.keys.get(kid).ok_or("token kid is not in the JWKS")?;
        keys.iter()
            .find(|key| key.alg == alg)
            .ok_or("token alg does not match the algorithm of its key")
    }
}

#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("no HTTP client (it failed to build at cold start)")]
    NoClient,
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("answered HTTP {0}")]
    Status(u16),
    #[error("body is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("did not answer within {FETCH_TIMEOUT:?}")]
    Timeout,
    #[error("body is not a JWKS: {0}")]
    NotJwks(&'static str),
}

/// The cache shared by every request of a warm function.
pub struct Jwks {
    url: String,
    /// Built at the first fetch; `None` if it would not build (then every fetch fails).
    client: OnceLock<Option<reqwest::Client>>,
    clock: Arc<dyn Clock>,
    current: Mutex<Arc<KeySet>>,
    /// Held for the whole fetch, so concurrent misses wait for one fetch instead of each
    /// starting their own; guards the time of the last attempt, which rate-limits fetches.
    fetching: tokio::sync::Mutex<Option<i64>>,
}

impl Jwks {
    /// No I/O, and no HTTP client yet: building one reads and parses every trust root
    /// (~3 ms of init here), which functions called only with API keys never need. The first
    /// login token builds it, together with the JWKS fetch it needs anyway.
    pub fn new(url: String, clock: Arc<dyn Clock>) -> Self {
        Self {
            url,
            client: OnceLock::new(),
            clock,
            current: Mutex::new(Arc::new(KeySet::empty())),
            fetching: tokio::sync::Mutex::new(None),
        }
    }

    fn current(&self) -> Arc<KeySet> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A fresh key set that has `kid`, fetching one if needed and allowed. A fresh set that
    /// lacks `kid` is fetched again only for a token that could be ours (`could_be_ours`):
    /// anyone can send a random `kid`, and that refetch spends the budget (one fetch per
    /// 10 s) a rotated key needs. An empty or expired set is fetched for anyone: everyone needs
    /// the keys it brings.
    pub async fn keys_for(
        &self,
        kid: &str,
        could_be_ours: bool,
    ) -> Result<Arc<KeySet>, &'static str> {
        let set = self.current();
        let fresh = set.is_fresh(self.clock.now_ms());
        if fresh && set.has(kid) {
            return Ok(set);
        }
        if fresh && !could_be_ours {
            return Err("token kid is not in the JWKS and its claims are not ours: no refetch");
        }

        let mut last_attempt = self.fetching.lock().await;
        // Another request may have fetched while this one waited for the lock.
        let now = self.clock.now_ms();
        let set = self.current();
        let fresh = set.is_fresh(now);
        if fresh && set.has(kid) {
            return Ok(set);
        }
        if last_attempt.is_some_and(|at| (0..REFETCH_INTERVAL_MS).contains(&(now - at))) {
            return Err(if fresh {
                "token kid is unknown and the JWKS was fetched less than 10 s ago"
            } else {
                "JWKS expired and the last fetch was less than 10 s ago"
            });
        }
        *last_attempt = Some(now);

        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(url = %self.url, kids = ?keys.keys().collect::<Vec<_>>(), "JWKS fetched");
                let set = Arc::new(KeySet {
                    keys,
                    fetched_at_ms: Some(now),
                });
                *self.current.lock().unwrap_or_else(PoisonError::into_inner) = set.clone();
                if set.has(kid) {
                    Ok(set)
                } else {
                    Err("token kid is not in the JWKS")
                }
            }
            Err(error) => {
                tracing::warn!(url = %self.url, %error, "JWKS fetch failed; cached keys stay until they expire");
                Err("JWKS fetch failed and the token's key is not cached")
            }
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Vec<VerifyKey>>, FetchError> {
        let client = self
            .client
            .get_or_init(build_client)
            .as_ref()
            .ok_or(FetchError::NoClient)?;
        // The client's timeout covers the same ground; this one also bounds a body that
        // trickles in byte by byte, whatever reqwest counts as activity.
        let body = tokio::time::timeout(FETCH_TIMEOUT, read_body(client, &self.url))
            .await
            .map_err(|_| FetchError::Timeout)??;
        parse_jwks(&body)
    }
}

fn build_client() -> Option<reqwest::Client> {
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        // A JWKS URL is fixed configuration: a redirect is a misconfiguration (or an attempt
        // to hand us someone else's keys) and should show as a failed fetch.
        .redirect(reqwest::redirect::Policy::none())
        .build();
    match client {
        Ok(client) => Some(client),
        Err(error) => {
            tracing::error!(%error, "JWKS HTTP client did not build; login tokens will be refused");
            None
        }
    }
}

async fn read_body(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, FetchError> {
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(FetchError::Status(response.status().as_u16()));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
    {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The usable keys of a JWKS document. Keys we cannot use (other types, curves, algorithms,
/// encryption keys, no `kid`) are skipped, so one odd key does not take the others down.
fn parse_jwks(body: &[u8]) -> Result<HashMap<String, Vec<VerifyKey>>, FetchError> {
    let document: Value =
        serde_json::from_slice(body).map_err(|_| FetchError::NotJwks("not JSON"))?;
    let entries = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(FetchError::NotJwks("no 'keys' array"))?;
    let mut keys: HashMap<String, Vec<VerifyKey>> = HashMap::new();
    for entry in entries {
        let kid = entry.get("kid").and_then(Value::as_str).unwrap_or("");
        match verify_key(entry) {
            Ok(key) if !kid.is_empty() => keys.entry(kid.to_owned()).or_default().push(key),
            Ok(_) => tracing::debug!("JWKS key without kid skipped"),
            Err(reason) => tracing::debug!(kid, reason, "JWKS key skipped"),
        }
    }
    Ok(keys)
}

fn verify_key(jwk: &Value) -> Result<VerifyKey, &'static str> {
    let field = |name| jwk.get(name).and_then(Value::as_str);
    if field("use").is_some_and(|u| u != "sig") {
        return Err("not a signing key");
    }
    if let Some(ops) = jwk.get("key_ops").and_then(Value::as_array)
        && !ops.iter().any(|op| op.as_str() == Some("verify"))
    {
        return Err("key_ops does not allow verify");
    }
    let bytes = |name| -> Result<Vec<u8>, &'static str> {
        let text = field(name).ok_or("a key parameter is missing")?;
        URL_SAFE_NO_PAD_INDIFFERENT
            .decode(text)
            .map_err(|_| "a key parameter is not base64url")
    };
    let (alg, key) = match (field("kty"), field("crv")) {
        (Some("OKP"), Some("Ed25519")) => {
            let x = bytes("x")?;
            if x.len() != 32 {
                return Err("Ed25519 x is not 32 bytes");
            }
            (Alg::EdDsa, DecodingKey::from_ed_der(&x))
        }
        (Some("EC"), Some("P-256")) => {
            let (x, y) = (bytes("x")?, bytes("y")?);
            if x.len() != 32 || y.len() != 32 {
                return Err("P-256 x or y is not 32 bytes");
            }
            // The uncompressed SEC1 point, which is what jsonwebtoken's EC keys hold.
            let mut point = Vec::with_capacity(65);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            (Alg::Es256, DecodingKey::from_ec_der(&point))
        }
        (Some("RSA"), _) => {
            let (n, e) = (bytes("n")?, bytes("e")?);
            let significant = n.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_MODULUS_BYTES || e.is_empty() {
                return Err("RSA key is shorter than 2048 bits");
            }
            (Alg::Rs256, DecodingKey::from_rsa_raw_components(&n, &e))
        }
        _ => return Err("key type or curve is not supported"),
    };
    match field("alg") {
        Some(named) if named != alg.name() => Err("the key's alg is not one we accept for it"),
        _ => Ok(VerifyKey { alg, key }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn unusable_keys_are_skipped_and_the_rest_kept() {
        let ed = b64(&[7; 32]);
        let jwks = json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": ed, "kid": "good"},
            {"kty": "OKP", "crv": "Ed25519", "x": ed},
            {"kty": "OKP", "crv": "Ed25519", "x": ed, "kid": "enc", "use": "enc"},
            {"kty": "OKP", "crv": "Ed448", "x": ed, "kid": "ed448"},
            {"kty": "OKP", "crv": "Ed25519", "x": b64(&[7; 31]), "kid": "short"},
            {"kty": "oct", "k": ed, "kid": "hmac"},
            {"kty": "RSA", "n": b64(&[1; 128]), "e": "AQAB", "kid": "rsa1024"},
            {"kty": "RSA", "n": b64(&[1; 256]), "e": "AQAB", "kid": "ps256", "alg": "PS256"},
            {"kty": "RSA", "n": b64(&[1; 256]), "e": "AQAB", "kid": "rs256", "alg": "RS256"},
            {"kty": "EC", "crv": "P-384", "x": ed, "y": ed, "kid": "p384"},
            "not an object",
        ]});
        let keys = parse_jwks(jwks.to_string().as_bytes()).unwrap();
        let mut kids: Vec<_> = keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        assert_eq!(kids, ["good", "rs256"]);
    }

    #[test]
    fn documents_without_keys_are_errors() {
        for body in [&b"<html>"[..], b"{}", br#"{"keys": {}}"#, b""] {
            assert!(parse_jwks(body).is_err());
        }
        assert!(parse_jwks(br#"{"keys": []}"#).unwrap().is_empty());
    }
}
