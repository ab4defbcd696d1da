//! A JWKS served over real HTTP whose answers a test can change, test keys of the three
//! algorithms, and token builders (valid ones through jsonwebtoken, attacks by hand).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair,
    RsaPublicKeyComponents,
};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gateway_auth::{LoginConfig, LoginVerifier, Principal};
use gateway_domain::ManualClock;
use gateway_errors::ApiError;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub const T0_MS: i64 = 1_800_000_000_000;
pub const T0_S: i64 = T0_MS / 1000;
pub const ISSUER: &str = "https://login.example.test";
pub const AUDIENCE: &str = "whatsapp-gateway";

pub const RSA_PRIVATE_PEM: &str = include_str!("../fixtures/rsa-test-private.pem");
pub const RSA_PUBLIC_PEM: &str = include_str!("../fixtures/rsa-test-public.pem");

/// What the JWKS endpoint answers.
#[derive(Clone)]
pub enum Mode {
    Keys(Value),
    /// The keys, after a delay.
    Slow(Duration, Value),
    /// 1 MiB of valid JSON, with a Content-Length.
    Huge,
    /// A body that never ends, without a Content-Length.
    Endless,
    NotJson,
    Status(u16),
}

struct ServerState {
    mode: Mutex<Mode>,
    fetches: AtomicUsize,
}

pub struct JwksServer {
    addr: SocketAddr,
    state: Arc<ServerState>,
    task: JoinHandle<()>,
}

impl JwksServer {
    pub async fn start(mode: Mode) -> Self {
        let state = Arc::new(ServerState {
            mode: Mutex::new(mode),
            fetches: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/.well-known/jwks.json", get(serve))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/.well-known/jwks.json", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn serve_keys(&self, keys: &[&TestKey]) {
        self.set(Mode::Keys(jwks(keys)));
    }

    pub fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }

    /// Closes the port: from now on connections are refused. Every response said
    /// `Connection: close`, so no pooled connection outlives this.
    pub async fn stop(&self) {
        self.task.abort();
        while !self.task.is_finished() {
            tokio::task::yield_now().await;
        }
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(State(state): State<Arc<ServerState>>) -> Response {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    let mode = state.mode.lock().unwrap().clone();
    let mut response = match mode {
        Mode::Keys(jwks) => Json(jwks).into_response(),
        Mode::Slow(delay, jwks) => {
            tokio::time::sleep(delay).await;
            Json(jwks).into_response()
        }
        Mode::Huge => {
            let padding = " ".repeat(1024 * 1024);
            let body = format!(r#"{{"keys": []{padding}}}"#);
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Mode::Endless => {
            static CHUNK: [u8; 16 * 1024] = [b' '; 16 * 1024];
            let stream = futures_util::stream::repeat_with(|| {
                Ok::<_, Infallible>(Bytes::from_static(&CHUNK))
            });
            Body::from_stream(stream).into_response()
        }
        Mode::NotJson => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>down for maintenance</body></html>",
        )
            .into_response(),
        Mode::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
    };
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A signing key and its public JWK.
pub struct TestKey {
    pub kid: String,
    pub alg: Algorithm,
    encoding: EncodingKey,
    pub jwk: Value,
}

impl TestKey {
    pub fn ed25519(kid: &str) -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        Self {
            kid: kid.to_owned(),
            alg: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
            jwk: json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig",
                        "x": b64(pair.public_key().as_ref())}),
        }
    }

    pub fn es256(kid: &str) -> Self {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
        let point = pair.public_key().as_ref();
        assert_eq!(point.len(), 65);
        Self {
            kid: kid.to_owned(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pair.to_pkcs8v1().unwrap().as_ref()),
            // No "alg": the algorithm must then come from kty/crv alone.
            jwk: json!({"kty": "EC", "crv": "P-256", "kid": kid,
                        "x": b64(&point[1..33]), "y": b64(&point[33..])}),
        }
    }

    /// The fixture key: RSA generation is slow, and the attacks need its public PEM.
    pub fn rs256(kid: &str) -> Self {
        let der = pem_body(RSA_PRIVATE_PEM);
        let pair = RsaKeyPair::from_der(&der).unwrap();
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        Self {
            kid: kid.to_owned(),
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(&der),
            jwk: json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
                        "n": b64(&public.n), "e": b64(&public.e)}),
        }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        self.sign_with(&header, claims)
    }

    pub fn sign_with(&self, header: &Header, claims: &Value) -> String {
        jsonwebtoken::encode(header, claims, &self.encoding).unwrap()
    }
}

pub fn jwks(keys: &[&TestKey]) -> Value {
    json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()})
}

/// The DER inside a PEM file.
pub fn pem_body(pem: &str) -> Vec<u8> {
    let base64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(base64).unwrap()
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS assembled by hand, for tokens no honest library would make.
pub fn hand_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes()),
        b64(signature)
    )
}

/// Claims the default configuration accepts at `T0`: org `org-a`, role `admin`.
pub fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user_2abc",
        "iat": T0_S,
        "nbf": T0_S,
        "exp": T0_S + 300,
        "org_id": "org-a",
        "role": "admin",
    })
}

/// `claims()` with `changes` merged in; a `null` change removes the claim.
pub fn claims_with(changes: Value) -> Value {
    let mut claims = claims();
    let map = claims.as_object_mut().unwrap();
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            map.remove(name);
        } else {
            map.insert(name.clone(), value.clone());
        }
    }
    claims
}

/// A verifier at `T0` against a fresh JWKS server serving `keys`.
pub struct World {
    pub server: JwksServer,
    pub clock: Arc<ManualClock>,
    pub verifier: Arc<LoginVerifier>,
}

impl World {
    pub async fn new(keys: &[&TestKey]) -> Self {
        Self::with_config(keys, |config| config).await
    }

    pub async fn with_config(
        keys: &[&TestKey],
        configure: impl FnOnce(LoginConfig) -> LoginConfig,
    ) -> Self {
        let server = JwksServer::start(Mode::Keys(jwks(keys))).await;
        let clock = Arc::new(ManualClock::new(T0_MS));
        let config = configure(LoginConfig::new(server.url(), ISSUER, AUDIENCE));
        let verifier = Arc::new(LoginVerifier::new(config, clock.clone()));
        Self {
            server,
            clock,
            verifier,
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        self.verifier.verify(token).await
    }

    pub async fn accepts(&self, token: &str) -> Principal {
        match self.verify(token).await {
            Ok(principal) => principal,
            Err(error) => panic!("refused: {error}"),
        }
    }

    /// The log reason of a refusal; panics on anything but 401.
    pub async fn refuses(&self, token: &str) -> &'static str {
        refusal(self.verify(token).await)
    }
}

pub fn refusal(result: Result<Principal, ApiError>) -> &'static str {
    match result {
        Err(ApiError::Unauthorized(reason)) => reason,
        Ok(principal) => panic!("accepted: {principal:?}"),
        Err(other) => panic!("not a 401: {other:?}"),
    }
}

/// A `kid` no JWKS has.
pub fn random_kid() -> String {
    let mut bytes = [0u8; 12];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    format!("random-{}", b64(&bytes))
}
