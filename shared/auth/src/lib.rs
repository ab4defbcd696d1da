//! Who is calling: a bearer token becomes a [`Principal`] (organization + capabilities).
//!
//! Two kinds of token, told apart by shape: a compact JWS (`a.b.c`) is a login JWT from the
//! web frontend, verified against its JWKS ([`login`]); anything else is an API key
//! ([`api_key`]). The formats do not overlap: API keys never contain a dot.

pub mod api_key;
pub mod crypto;
pub mod login;

use gateway_domain::{Capabilities, Capability, OrgId};
use gateway_errors::ApiError;

pub use api_key::{ApiKeyLookup, ApiKeyVerifier, KeyCheck, KeyClaim, NewApiKey};
pub use login::{LoginConfig, LoginVerifier};

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub org: OrgId,
    pub capabilities: Capabilities,
    pub credential: Credential,
}

/// Which credential authenticated the caller (for logs; never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    ApiKey { key_id: String },
    Login { subject: Option<String> },
}

impl Principal {
    pub fn require(&self, capability: Capability) -> Result<(), ApiError> {
        if self.capabilities.contains(capability) {
            Ok(())
        } else {
            Err(ApiError::MissingCapability(capability.as_str()))
        }
    }
}

/// How far authentication got without reading anything.
#[derive(Debug)]
pub enum Authentication {
    Known(Principal),
    /// An API key whose record is to be read.
    KeyToRead(KeyClaim),
}

/// Verifies bearer tokens of both kinds. Built once per cold start; its caches live as long
/// as the warm function.
pub struct Authenticator<L = gateway_store::Store> {
    api_keys: ApiKeyVerifier<L>,
    login: LoginVerifier,
}

impl<L: ApiKeyLookup> Authenticator<L> {
    pub fn new(api_keys: ApiKeyVerifier<L>, login: LoginVerifier) -> Self {
        Self { api_keys, login }
    }

    pub fn api_keys(&self) -> &ApiKeyVerifier<L> {
        &self.api_keys
    }

    /// Authenticates as far as can be done without reading an API key's record: a login token
    /// completely; an API key from its format and the warm cache, else the record to read
    /// (the caller may read it together with its own items, then [`Authenticator::conclude`]).
    pub async fn begin(&self, authorization: Option<&str>) -> Result<Authentication, ApiError> {
        let token = bearer_token(authorization)?;
        if looks_like_jws(token) {
            return Ok(Authentication::Known(self.login.verify(token).await?));
        }
        Ok(match self.api_keys.check_cached(token)? {
            KeyCheck::Done(principal) => Authentication::Known(principal),
            KeyCheck::NeedsRecord(claim) => Authentication::KeyToRead(claim),
        })
    }

    /// The caller of [`Authentication::KeyToRead`], once its key's record is read.
    pub fn conclude(
        &self,
        claim: &KeyClaim,
        record: Option<gateway_store::ApiKeyRecord>,
    ) -> Result<Principal, ApiError> {
        self.api_keys.conclude(claim, record)
    }

    /// Authenticates the value of an `Authorization` header.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, ApiError> {
        let token = bearer_token(authorization)?;
        if looks_like_jws(token) {
            self.login.verify(token).await
        } else {
            self.api_keys.verify(token).await
        }
    }
}

/// The token of `Bearer <token>` (scheme case-insensitive, as RFC 7235 says).
fn bearer_token(authorization: Option<&str>) -> Result<&str, ApiError> {
    let header = authorization.ok_or(ApiError::Unauthorized("no Authorization header"))?;
    let (scheme, token) = header.split_once(' ').ok_or(ApiError::Unauthorized(
        "Authorization is not 'Bearer <token>'",
    ))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(ApiError::Unauthorized(
            "Authorization is not 'Bearer <token>'",
        ));
    }
    Ok(token)
}

/// Three non-empty base64url segments: the compact serialisation of a JWS.
fn looks_like_jws(token: &str) -> bool {
    let mut parts = token.split('.');
    let shaped = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    };
    shaped(parts.next()) && shaped(parts.next()) && shaped(parts.next()) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_required() {
        assert_eq!(bearer_token(Some("Bearer abc")).unwrap(), "abc");
        assert_eq!(bearer_token(Some("bearer abc")).unwrap(), "abc");
        for bad in [
            None,
            Some(""),
            Some("Bearer"),
            Some("Bearer "),
            Some("Basic abc"),
            Some("Bearer a b"),
        ] {
            assert!(
                matches!(bearer_token(bad), Err(ApiError::Unauthorized(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn jws_shape_never_matches_an_api_key() {
        assert!(looks_like_jws("eyJh.eyJz.c2ln"));
        assert!(!looks_like_jws("eyJh.eyJz"));
        assert!(!looks_like_jws("eyJh..c2ln"));
        assert!(!looks_like_jws("a.b.c.d"));
        assert!(!looks_like_jws(&api_key::generate().key));
    }
}
