//! Login JWTs from the web frontend, verified against its JWKS.
//!
//! The key is chosen by the token's `kid`, and its algorithm comes from the JWK: a token's
//! `alg` is only accepted when it names the algorithm of that key, which shuts out `none`,
//! HMAC signed with a public key, and algorithm confusion in general. Time checks use the
//! injected [`Clock`], not the system clock jsonwebtoken would use, so tests can move time.

mod config;
pub mod dev;
mod jwks;

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gateway_domain::{Capabilities, Clock, OrgId};
use gateway_errors::ApiError;
use jsonwebtoken::Validation;
use serde_json::{Map, Value};

pub use config::{
    ClaimPath, DEFAULT_ORG_CLAIM, DEFAULT_ROLE_CAPABILITIES, DEFAULT_ROLE_CLAIM, ENV_AUDIENCE,
    ENV_ISSUER, ENV_JWKS_URL, ENV_ORG_CLAIM, ENV_ROLE_CAPABILITIES, ENV_ROLE_CLAIM, LoginConfig,
    RoleCapabilities,
};
pub use jwks::{FETCH_TIMEOUT, KEYS_TTL_MS, MAX_JWKS_BYTES, REFETCH_INTERVAL_MS};

use crate::{Credential, Principal};
use jwks::{Alg, Jwks};

/// Clock skew tolerated on `exp` and `nbf` (the spec allows at most 60 s). Frontends such as
/// Clerk mint tokens that live 60 s, so a full minute would double their life.
pub const LEEWAY_MS: i64 = 30_000;
/// Far above any real login token; refuses absurd input before any decoding.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Verifies login JWTs. Built once per cold start; its JWKS cache lives as long as the warm
/// function. [`LoginVerifier::default`] refuses every login token (API keys only).
#[derive(Default)]
pub struct LoginVerifier {
    inner: Option<Inner>,
}

struct Inner {
    config: LoginConfig,
    clock: Arc<dyn Clock>,
    jwks: Jwks,
}

impl LoginVerifier {
    /// No network here: the JWKS is fetched with the first login token.
    pub fn new(config: LoginConfig, clock: Arc<dyn Clock>) -> Self {
        let jwks = Jwks::new(config.jwks_url.clone(), clock.clone());
        Self {
            inner: Some(Inner {
                config,
                clock,
                jwks,
            }),
        }
    }

    /// Every failure is `Unauthorized` with a reason for the log only.
    pub async fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let inner = self
            .inner
            .as_ref()
            .ok_or(ApiError::Unauthorized("login tokens are not configured"))?;
        inner.verify(token).await.map_err(ApiError::Unauthorized)
    }
}

impl fmt::Debug for LoginVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Some(inner) => f
                .debug_struct("LoginVerifier")
                .field("config", &inner.config)
                .finish_non_exhaustive(),
            None => f.write_str("LoginVerifier(disabled)"),
        }
    }
}

impl Inner {
    async fn verify(&self, token: &str) -> Result<Principal, &'static str> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err("token is too long");
        }
        let header = Header::parse(token)?;
        // Only a token that could be ours may make us fetch the JWKS: anyone can send a random
        // `kid`, and each fetch spends the budget (one per 10 s) a rotated key needs.
        let may_fetch = self.could_be_ours(token);
        let keys = self.jwks.keys_for(&header.kid, may_fetch).await?;
        let key = keys.key(&header.kid, header.alg)?;

        let validation = self.validation(key.alg);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map_err(|error| refusal(&error))?
            .claims;
        let claims = Value::Object(claims);

        self.check_time(&claims)?;
        // jsonwebtoken also takes an array of issuers; RFC 7519 has exactly one.
        if claims.get("iss").and_then(Value::as_str) != Some(self.config.issuer.as_str()) {
            return Err("token iss is not ours");
        }
        self.principal(&claims)
    }

    /// The token's claims, read before its signature is checked, name our issuer and audience
    /// and have not expired. Says nothing about who made it: only whether a JWKS fetch could
    /// help.
    fn could_be_ours(&self, token: &str) -> bool {
        let Some(payload) = token.split('.').nth(1) else {
            return false;
        };
        let Some(claims) = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|json| serde_json::from_slice::<Value>(&json).ok())
        else {
            return false;
        };
        let audience = self.config.audience.as_str();
        let aud_is_ours = match claims.get("aud") {
            Some(Value::String(aud)) => aud == audience,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(audience)),
            _ => false,
        };
        claims.get("iss").and_then(Value::as_str) == Some(self.config.issuer.as_str())
            && aud_is_ours
            && self.check_time(&claims).is_ok()
    }

    fn validation(&self, alg: Alg) -> Validation {
        let mut validation = Validation::new(alg.jsonwebtoken());
        // Presence of these is jsonwebtoken's job (a claim of the wrong type counts as
        // missing there); `exp`/`nbf` against our clock are ours, see `check_time`.
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.validate_aud = true;
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        validation
    }

    fn check_time(&self, claims: &Value) -> Result<(), &'static str> {
        let now = self.clock.now_ms();
        let exp = numeric_date_ms(claims, "exp")?.ok_or("token has no exp")?;
        if now >= exp.saturating_add(LEEWAY_MS) {
            return Err("token expired");
        }
        if let Some(nbf) = numeric_date_ms(claims, "nbf")?
            && now.saturating_add(LEEWAY_MS) < nbf
        {
            return Err("token nbf is in the future");
        }
        Ok(())
    }

    fn principal(&self, claims: &Value) -> Result<Principal, &'static str> {
        let org = self
            .config
            .org_claim
            .find(claims)
            .ok_or("token has no org claim")?
            .as_str()
            .ok_or("token org claim is not a string")?;
        let org =
            OrgId::parse(org).map_err(|_| "token org claim is not a valid organization id")?;
        // A missing or unknown role still authenticates: the caller then gets 403s, which
        // tells a signed-in person more than a 401 would.
        let capabilities = self
            .config
            .role_claim
            .find(claims)
            .and_then(Value::as_str)
            .map_or(Capabilities::NONE, |role| {
                self.config.roles.capabilities(role)
            });
        // `sub` names the person in the logs; one of another type is a malformed token.
        let subject = match claims.get("sub") {
            None => None,
            Some(Value::String(sub)) => Some(sub.clone()),
            Some(_) => return Err("token sub is not a string"),
        };
        Ok(Principal {
            org,
            capabilities,
            credential: Credential::Login { subject },
        })
    }
}

/// A NumericDate claim in milliseconds; present with any other JSON type is a refusal, not
/// an absence (CVE-2026-25537 was the opposite).
fn numeric_date_ms(claims: &Value, name: &'static str) -> Result<Option<i64>, &'static str> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let Value::Number(number) = value else {
        return Err(match name {
            "exp" => "token exp is not a number",
            _ => "token nbf is not a number",
        });
    };
    let ms = if let Some(seconds) = number.as_i64() {
        seconds.saturating_mul(1000)
    } else if number.as_u64().is_some() {
        i64::MAX
    } else {
        // Fractional seconds are allowed by RFC 7519; `as` saturates, and JSON has no NaN.
        (number.as_f64().unwrap_or(0.0) * 1000.0) as i64
    };
    Ok(Some(ms))
}

/// What we read of the JOSE header before choosing a key.
struct Header {
    kid: String,
    alg: Alg,
}

impl Header {
    fn parse(token: &str) -> Result<Self, &'static str> {
        let mut parts = token.split('.');
        let (Some(encoded), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("token is not a compact JWS");
        };
        let json = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| "token header is not base64url")?;
        let header: Map<String, Value> =
            serde_json::from_slice(&json).map_err(|_| "token header is not a JSON object")?;
        // We understand no JWS extension, and RFC 7515 says to refuse what we do not
        // understand. `jku`, `jwk`, `x5u` and `x5c` are ignored: keys come from our JWKS only.
        if header.contains_key("crit") {
            return Err("token header has crit");
        }
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .and_then(Alg::from_name)
            .ok_or("token alg is not EdDSA, ES256 or RS256")?;
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .filter(|kid| !kid.is_empty())
            .ok_or("token has no kid")?;
        Ok(Self {
            kid: kid.to_owned(),
            alg,
        })
    }
}

/// The log reason for a jsonwebtoken refusal.
fn refusal(error: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidSignature => "token signature does not verify",
        ErrorKind::InvalidAlgorithm => "token alg does not match the algorithm of its key",
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "token has no numeric exp",
            "iss" => "token has no iss",
            _ => "token has no aud",
        },
        ErrorKind::InvalidIssuer => "token iss is not ours",
        ErrorKind::InvalidAudience => "token aud is not ours",
        ErrorKind::Base64(_) => "token is not base64url",
        // jsonwebtoken's claim parser also lands here for e.g. `"nbf": [1]`.
        ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            "token claims are not JSON, or a registered claim has the wrong type"
        }
        _ => "token refused by the JWT library",
    }
}
