//! API keys for scripts and services.
//!
//! Format: `wgk_` + key id (16 base62) + secret (32 base62, 190 bits) + checksum (6 base62 of
//! the CRC-32 of everything before it). Like GitHub's tokens, the prefix makes a leaked key
//! easy to recognise and the checksum refuses garbage and typos without a database read.
//! Only the SHA-256 of the whole key is stored, under its key id.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use gateway_domain::{Capabilities, Clock};
use gateway_errors::ApiError;
use gateway_store::{ApiKeyRecord, Store, StoreError};

pub use crate::crypto::random_base62;
use crate::crypto::{BASE62, sha256_hex};
use crate::{Credential, Principal};

pub const PREFIX: &str = "wgk_";
const ID_LEN: usize = 16;
const SECRET_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
pub const KEY_LEN: usize = PREFIX.len() + ID_LEN + SECRET_LEN + CHECKSUM_LEN;

/// A freshly made key: `key` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub key_id: String,
    pub key: String,
    pub key_hash: String,
}

/// Makes a new random key.
pub fn generate() -> NewApiKey {
    let random = random_base62(ID_LEN + SECRET_LEN);
    from_body(&random)
}

/// Makes the key whose id and secret are `body` (48 base62 characters). For the demo data of
/// local runs only, where a fixed key lets sample events and docs carry a working key.
pub fn from_body(body: &str) -> NewApiKey {
    let mut key = String::with_capacity(KEY_LEN);
    key.push_str(PREFIX);
    key.push_str(body);
    let checksum = checksum(&key);
    key.push_str(&checksum);
    NewApiKey {
        key_id: body[..ID_LEN.min(body.len())].to_owned(),
        key_hash: hash(&key),
        key,
    }
}

/// Lower-case hex SHA-256 of a key: what the store keeps.
pub fn hash(key: &str) -> String {
    sha256_hex(key.as_bytes())
}

fn checksum(text: &str) -> String {
    let mut n = crc32fast::hash(text.as_bytes());
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|b| char::from(*b)).collect()
}

/// A token with the shape of an API key and a correct checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedApiKey<'a> {
    pub key_id: &'a str,
    pub key: &'a str,
}

/// Checks shape and checksum; no I/O.
pub fn parse(token: &str) -> Result<ParsedApiKey<'_>, &'static str> {
    if token.len() != KEY_LEN || !token.starts_with(PREFIX) {
        return Err("token is not shaped like an API key");
    }
    let body = &token[PREFIX.len()..];
    if !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("API key has characters outside base62");
    }
    let (keyed, sum) = token.split_at(KEY_LEN - CHECKSUM_LEN);
    if checksum(keyed) != sum {
        return Err("API key checksum does not match");
    }
    Ok(ParsedApiKey {
        key_id: &body[..ID_LEN],
        key: token,
    })
}

/// Where API key records come from: DynamoDB in production, a map in unit tests.
pub trait ApiKeyLookup: Send + Sync {
    fn get_api_key(
        &self,
        key_id: &str,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send;
}

impl ApiKeyLookup for Store {
    fn get_api_key(
        &self,
        key_id: &str,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send {
        Store::get_api_key(self, key_id)
    }
}

/// A well-formed key whose record is not cached: what to read, and what to compare it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyClaim {
    pub key_id: String,
    key_hash: String,
}

/// What can be said of a key before reading anything.
#[derive(Debug)]
pub enum KeyCheck {
    Done(Principal),
    NeedsRecord(KeyClaim),
}

/// How long a warm function trusts what it read about a key. Revocation must take effect
/// within 60 s, so this stays well below.
pub const CACHE_TTL_MS: i64 = 30_000;
/// How long it trusts a key's absence: short, so a key made a moment ago (and tried at once by
/// a script) works within seconds, long enough that a flood of made-up keys costs one read
/// per key per 5 s.
pub const MISS_TTL_MS: i64 = 5_000;
/// Bound on cached keys, so a flood of well-formed random keys cannot grow memory.
const CACHE_CAPACITY: usize = 4096;

struct Cached {
    record: Option<ApiKeyRecord>,
    fetched_at_ms: i64,
}

/// Verifies API keys with at most one read per key per [`CACHE_TTL_MS`].
pub struct ApiKeyVerifier<L> {
    lookup: L,
    clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl<L: ApiKeyLookup> ApiKeyVerifier<L> {
    pub fn new(lookup: L, clock: Arc<dyn Clock>) -> Self {
        Self {
            lookup,
            clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        match self.check_cached(token)? {
            KeyCheck::Done(principal) => Ok(principal),
            KeyCheck::NeedsRecord(claim) => {
                let record = self.lookup.get_api_key(&claim.key_id).await?;
                self.conclude(&claim, record)
            }
        }
    }

    /// What the key's format and the warm cache decide, with no I/O: the caller, a refusal,
    /// or the key's record to read (the caller may read it together with its own items).
    pub fn check_cached(&self, token: &str) -> Result<KeyCheck, ApiError> {
        let parsed = parse(token).map_err(ApiError::Unauthorized)?;
        let claim = KeyClaim {
            key_id: parsed.key_id.to_owned(),
            key_hash: hash(parsed.key),
        };
        match self.cached(parsed.key_id, self.clock.now_ms()) {
            Some(record) => self.judge(&claim, record).map(KeyCheck::Done),
            None => Ok(KeyCheck::NeedsRecord(claim)),
        }
    }

    /// The caller, from the key's record as read (remembered for the next requests).
    pub fn conclude(
        &self,
        claim: &KeyClaim,
        record: Option<ApiKeyRecord>,
    ) -> Result<Principal, ApiError> {
        self.remember(&claim.key_id, record.clone());
        self.judge(claim, record)
    }

    fn judge(&self, claim: &KeyClaim, record: Option<ApiKeyRecord>) -> Result<Principal, ApiError> {
        let record = record.ok_or(ApiError::Unauthorized("unknown API key"))?;
        // Comparing digests needs no constant-time compare: the attacker cannot choose
        // the digest of their guess.
        if record.key_hash != claim.key_hash {
            return Err(ApiError::Unauthorized("API key secret does not match"));
        }
        if record.revoked_at.is_some() {
            return Err(ApiError::Unauthorized("API key revoked"));
        }
        if record
            .expires_at
            .is_some_and(|at| at <= self.clock.now_ms())
        {
            return Err(ApiError::Unauthorized("API key expired"));
        }
        Ok(Principal {
            org: record.org,
            capabilities: record.capabilities,
            credential: Credential::ApiKey {
                key_id: record.key_id,
            },
        })
    }

    fn remember(&self, key_id: &str, record: Option<ApiKeyRecord>) {
        let now = self.clock.now_ms();
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHE_CAPACITY {
            cache.retain(|_, entry| now - entry.fetched_at_ms < CACHE_TTL_MS);
        }
        // A flood of made-up keys (anyone can compute a checksum) fills the cache with
        // absences: drop those first, so real keys stay cached.
        if cache.len() >= CACHE_CAPACITY {
            cache.retain(|_, entry| entry.record.is_some());
        }
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(
            key_id.to_owned(),
            Cached {
                record,
                fetched_at_ms: now,
            },
        );
    }

    fn cached(&self, key_id: &str, now: i64) -> Option<Option<ApiKeyRecord>> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .get(key_id)
            .filter(|entry| {
                let ttl = if entry.record.is_some() {
                    CACHE_TTL_MS
                } else {
                    MISS_TTL_MS
                };
                now - entry.fetched_at_ms < ttl && now >= entry.fetched_at_ms
            })
            .map(|entry| entry.record.clone())
    }
}

/// A record for a new key, ready to store.
pub fn record_for(
    key: &NewApiKey,
    org: gateway_domain::OrgId,
    capabilities: Capabilities,
    name: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
) -> ApiKeyRecord {
    ApiKeyRecord {
        key_id: key.key_id.clone(),
        org,
        key_hash: key.key_hash.clone(),
        capabilities,
        name,
        created_at,
        expires_at,
        revoked_at: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use gateway_domain::{Capability, ManualClock, OrgId};

    use super::*;

    #[derive(Default)]
    struct MemoryKeys {
        records: Mutex<HashMap<String, ApiKeyRecord>>,
        reads: AtomicUsize,
    }

    impl ApiKeyLookup for Arc<MemoryKeys> {
        async fn get_api_key(&self, key_id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(self.records.lock().unwrap().get(key_id).cloned())
        }
    }

    const T0: i64 = 1_700_000_000_000;

    fn setup() -> (
        Arc<MemoryKeys>,
        Arc<ManualClock>,
        ApiKeyVerifier<Arc<MemoryKeys>>,
        NewApiKey,
    ) {
        let keys = Arc::new(MemoryKeys::default());
        let clock = Arc::new(ManualClock::new(T0));
        let key = generate();
        let record = record_for(
            &key,
            OrgId::parse("org-a").unwrap(),
            Capabilities::parse_list("read").unwrap(),
            None,
            T0,
            Some(T0 + 3_600_000),
        );
        keys.records
            .lock()
            .unwrap()
            .insert(key.key_id.clone(), record);
        let verifier = ApiKeyVerifier::new(keys.clone(), clock.clone());
        (keys, clock, verifier, key)
    }

    fn run<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn generated_keys_parse_and_are_unique() {
        let a = generate();
        let b = generate();
        assert_ne!(a.key, b.key);
        assert_eq!(a.key.len(), KEY_LEN);
        assert!(a.key.starts_with(PREFIX));
        assert_eq!(parse(&a.key).unwrap().key_id, a.key_id);
        assert_eq!(a.key_hash, hash(&a.key));
        assert_eq!(a.key_hash.len(), 64);
    }

    #[test]
    fn any_changed_character_fails_the_checksum() {
        let key = generate().key;
        for i in PREFIX.len()..key.len() {
            let mut bytes = key.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(parse(&tampered).is_err(), "position {i}");
        }
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let key = generate().key;
        for bad in [
            "",
            "wgk_",
            &key[..key.len() - 1],
            &format!("{key}0"),
            &key.replacen("wgk_", "wgx_", 1),
            &format!("{}-{}", &key[..10], &key[11..]),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn valid_key_gives_principal_and_is_cached() {
        let (keys, _clock, verifier, key) = setup();
        let principal = run(verifier.verify(&key.key)).unwrap();
        assert_eq!(principal.org.as_str(), "org-a");
        assert!(principal.capabilities.contains(Capability::Read));
        assert!(!principal.capabilities.contains(Capability::Send));
        run(verifier.verify(&key.key)).unwrap();
        assert_eq!(keys.reads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn tampered_key_costs_no_read() {
        let (keys, _clock, verifier, key) = setup();
        let mut tampered = key.key.clone();
        // Another last character than the key's own (a random key may end in either).
        let last = tampered.pop();
        tampered.push(if last == Some('x') { 'y' } else { 'x' });
        assert!(matches!(
            run(verifier.verify(&tampered)),
            Err(ApiError::Unauthorized(_))
        ));
        assert_eq!(keys.reads.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn wrong_secret_with_known_id_is_refused() {
        let (_keys, _clock, verifier, key) = setup();
        let forged = from_body(&format!("{}{}", key.key_id, "A".repeat(SECRET_LEN)));
        assert!(matches!(
            run(verifier.verify(&forged.key)),
            Err(ApiError::Unauthorized(_))
        ));
    }

    #[test]
    fn unknown_keys_are_negatively_cached_until_the_ttl() {
        let (keys, clock, verifier, _key) = setup();
        let unknown = generate();
        for _ in 0..3 {
            assert!(run(verifier.verify(&unknown.key)).is_err());
        }
        assert_eq!(keys.reads.load(Ordering::SeqCst), 1);
        clock.advance_ms(MISS_TTL_MS - 1);
        assert!(run(verifier.verify(&unknown.key)).is_err());
        assert_eq!(
            keys.reads.load(Ordering::SeqCst),
            1,
            "the absence is still trusted"
        );
        clock.advance_ms(1);
        assert!(run(verifier.verify(&unknown.key)).is_err());
        assert_eq!(keys.reads.load(Ordering::SeqCst), 2);
        const { assert!(MISS_TTL_MS < CACHE_TTL_MS) };
    }

    #[test]
    fn revocation_takes_effect_within_the_ttl() {
        let (keys, clock, verifier, key) = setup();
        run(verifier.verify(&key.key)).unwrap();
        keys.records
            .lock()
            .unwrap()
            .get_mut(&key.key_id)
            .unwrap()
            .revoked_at = Some(T0 + 1);
        clock.advance_ms(CACHE_TTL_MS - 1);
        assert!(run(verifier.verify(&key.key)).is_ok(), "still cached");
        clock.advance_ms(1);
        assert!(run(verifier.verify(&key.key)).is_err());
        const { assert!(CACHE_TTL_MS <= 60_000) };
    }

    #[test]
    fn expiry_is_checked_against_the_clock_even_when_cached() {
        let (_keys, clock, verifier, key) = setup();
        run(verifier.verify(&key.key)).unwrap();
        clock.set_ms(T0 + 3_600_000);
        assert!(matches!(
            run(verifier.verify(&key.key)),
            Err(ApiError::Unauthorized("API key expired"))
        ));
    }
}
