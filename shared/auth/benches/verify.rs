//! What verifying a credential costs on a warm function, per request.
//!
//! `cargo bench -p gateway-auth --bench verify`. Under `cargo test --all-targets` (so in
//! `make test`) each benchmark runs once, as a smoke test.
//!
//! - `login/verify/<alg>`: `LoginVerifier::verify` end to end with the JWKS already cached:
//!   header parse, key choice, signature, claims. Each iteration gets a token it has not seen
//!   recently (a pool of distinct tokens, signed before timing starts), as each request of a
//!   real user carries a fresh one.
//! - `login/jsonwebtoken_decode/<alg>`: jsonwebtoken's decode alone with the same key, so the
//!   difference to `verify` is ours.
//! - `api_key/*`: shape and checksum, the SHA-256 of the key, and `ApiKeyVerifier::verify`
//!   with the record cached (the warm path: no DynamoDB read).

use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair,
    RsaPublicKeyComponents,
};
use axum::Router;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use criterion::{Criterion, criterion_group, criterion_main};
use gateway_auth::api_key::{self, ApiKeyLookup, ApiKeyVerifier};
use gateway_auth::{LoginConfig, LoginVerifier};
use gateway_domain::{Capabilities, Clock, ManualClock, OrgId};
use gateway_store::{ApiKeyRecord, StoreError};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value, json};

const T0_MS: i64 = 1_800_000_000_000;
const ISSUER: &str = "https://login.example.test";
const AUDIENCE: &str = "whatsapp-gateway";
/// Distinct tokens per algorithm, cycled through.
const POOL: usize = 64;
/// The test fixture (RSA key generation is slow).
const RSA_PRIVATE_PEM: &str = include_str!("../tests/fixtures/rsa-test-private.pem");

struct SigningKey {
    alg: Algorithm,
    kid: &'static str,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Value,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn keys() -> Vec<SigningKey> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let ed = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let ed_public = ed.public_key().as_ref().to_vec();

    let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let point = ec.public_key().as_ref().to_vec();

    let der: Vec<u8> = {
        let text: String = RSA_PRIVATE_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        STANDARD.decode(text).unwrap()
    };
    let rsa = RsaKeyPair::from_der(&der).unwrap();
    let rsa_public = RsaPublicKeyComponents::<Vec<u8>>::from(rsa.public_key());

    vec![
        SigningKey {
            alg: Algorithm::EdDSA,
            kid: "ed",
            encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
            decoding: DecodingKey::from_ed_der(&ed_public),
            jwk: json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": b64(&ed_public)}),
        },
        SigningKey {
            alg: Algorithm::ES256,
            kid: "ec",
            encoding: EncodingKey::from_ec_der(ec.to_pkcs8v1().unwrap().as_ref()),
            decoding: DecodingKey::from_ec_der(&point),
            jwk: json!({"kty": "EC", "crv": "P-256", "kid": "ec",
                        "x": b64(&point[1..33]), "y": b64(&point[33..])}),
        },
        SigningKey {
            alg: Algorithm::RS256,
            kid: "rsa",
            encoding: EncodingKey::from_rsa_der(&der),
            decoding: DecodingKey::from_rsa_raw_components(&rsa_public.n, &rsa_public.e),
            jwk: json!({"kty": "RSA", "kid": "rsa", "alg": "RS256",
                        "n": b64(&rsa_public.n), "e": b64(&rsa_public.e)}),
        },
    ]
}

/// Tokens as a frontend such as Clerk mints them: a handful of claims, 60 s of life.
fn tokens(key: &SigningKey) -> Vec<String> {
    let mut header = Header::new(key.alg);
    header.kid = Some(key.kid.to_owned());
    (0..POOL)
        .map(|i| {
            let claims = json!({
                "iss": ISSUER, "aud": AUDIENCE, "sub": format!("user_{i}"),
                "iat": T0_MS / 1000, "nbf": T0_MS / 1000, "exp": T0_MS / 1000 + 60,
                "org_id": "org-a", "role": "admin", "sid": format!("sess_{i:032}"),
            });
            jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap()
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn login(c: &mut Criterion) {
    let rt = runtime();
    let keys = keys();
    let jwks = json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
    let url = rt.block_on(async {
        let app = Router::new().route(
            "/.well-known/jwks.json",
            get(move || {
                let jwks = jwks.clone();
                async move { axum::Json(jwks) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}/.well-known/jwks.json")
    });
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(T0_MS));
    let verifier = LoginVerifier::new(LoginConfig::new(url, ISSUER, AUDIENCE), clock);

    let mut group = c.benchmark_group("login");
    for key in &keys {
        let pool = tokens(key);
        // The first token fetches the JWKS; every later one finds it cached.
        rt.block_on(verifier.verify(&pool[0])).unwrap();
        let name = format!("{:?}", key.alg);

        let mut i = 0;
        group.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % POOL;
                rt.block_on(verifier.verify(black_box(&pool[i]))).unwrap()
            })
        });

        let mut validation = Validation::new(key.alg);
        validation.set_audience(&[AUDIENCE]);
        validation.validate_exp = false;
        let mut i = 0;
        group.bench_function(format!("jsonwebtoken_decode/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % POOL;
                jsonwebtoken::decode::<Map<String, Value>>(
                    black_box(&pool[i]),
                    &key.decoding,
                    &validation,
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

/// API key records from a map, as the unit tests do: the cache is what is measured.
struct MemoryKeys(HashMap<String, ApiKeyRecord>);

impl ApiKeyLookup for MemoryKeys {
    fn get_api_key(
        &self,
        key_id: &str,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send {
        let record = self.0.get(key_id).cloned();
        async move { Ok(record) }
    }
}

fn api_keys(c: &mut Criterion) {
    let rt = runtime();
    let key = api_key::generate();
    let record = api_key::record_for(
        &key,
        OrgId::parse("org-a").unwrap(),
        Capabilities::parse_list("read,send").unwrap(),
        Some("bench".into()),
        T0_MS,
        None,
    );
    let lookup = MemoryKeys(HashMap::from([(key.key_id.clone(), record)]));
    let verifier = ApiKeyVerifier::new(lookup, Arc::new(ManualClock::new(T0_MS)));
    rt.block_on(verifier.verify(&key.key)).unwrap();

    let mut group = c.benchmark_group("api_key");
    group.bench_function("parse", |b| {
        b.iter(|| api_key::parse(black_box(&key.key)).unwrap())
    });
    group.bench_function("hash", |b| b.iter(|| api_key::hash(black_box(&key.key))));
    group.bench_function("verify_cached", |b| {
        b.iter(|| rt.block_on(verifier.verify(black_box(&key.key))).unwrap())
    });
    group.finish();
}

criterion_group!(benches, login, api_keys);
criterion_main!(benches);
