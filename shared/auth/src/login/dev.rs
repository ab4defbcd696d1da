//! A stand-in for the web frontend's signing key, for local runs only: the local API serves
//! [`DevSigner::jwks_json`] and `gatewayctl dev-token` prints tokens from [`DevSigner::mint`].
//!
//! The key file is JSON: `{"kid": "dev-…", "alg": "EdDSA", "pkcs8": "<base64 of PKCS#8 DER>"}`.
//! It holds a private key; it is written readable by its owner only, and never belongs in a
//! deployment.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use gateway_domain::OrgId;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The `sub` of minted tokens.
pub const DEV_SUBJECT: &str = "dev-user";

#[derive(Debug, thiserror::Error)]
pub enum DevKeyError {
    #[error("dev signing key {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("dev signing key {path} is not a dev key file: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("dev signing key: {0}")]
    Crypto(&'static str),
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    kid: String,
    alg: String,
    pkcs8: String,
}

/// An Ed25519 key pair that signs login tokens the way the frontend would.
pub struct DevSigner {
    kid: String,
    pkcs8: Vec<u8>,
    public_key: Vec<u8>,
}

impl std::fmt::Debug for DevSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DevSigner {
    pub fn generate() -> Result<Self, DevKeyError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| DevKeyError::Crypto("key generation failed"))?;
        Self::from_pkcs8(pkcs8.as_ref().to_vec())
    }

    fn from_pkcs8(pkcs8: Vec<u8>) -> Result<Self, DevKeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| DevKeyError::Crypto("not an Ed25519 PKCS#8 key"))?;
        let public_key = pair.public_key().as_ref().to_vec();
        // Derived from the public key: the same key always has the same kid, a new one a new kid.
        let hash = digest(&SHA256, &public_key);
        let kid = format!("dev-{}", URL_SAFE_NO_PAD.encode(&hash.as_ref()[..9]));
        Ok(Self {
            kid,
            pkcs8,
            public_key,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key file's content (see the module docs).
    pub fn to_json(&self) -> String {
        json!({"kid": self.kid, "alg": "EdDSA", "pkcs8": STANDARD.encode(&self.pkcs8)}).to_string()
    }

    /// Reads a key file written by [`DevSigner::save`].
    pub fn load(path: &Path) -> Result<Self, DevKeyError> {
        let text = fs::read_to_string(path).map_err(|source| DevKeyError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text).map_err(|reason| DevKeyError::Format {
            path: path.to_owned(),
            reason,
        })
    }

    fn from_json(text: &str) -> Result<Self, String> {
        let file: KeyFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.alg != "EdDSA" {
            return Err(format!("alg is {}, not EdDSA", file.alg));
        }
        let pkcs8 = STANDARD
            .decode(file.pkcs8.trim())
            .map_err(|_| "pkcs8 is not base64".to_owned())?;
        let signer = Self::from_pkcs8(pkcs8).map_err(|e| e.to_string())?;
        if signer.kid != file.kid {
            return Err("kid does not belong to the key".to_owned());
        }
        Ok(signer)
    }

    /// Writes the key file, readable by its owner only; refuses to overwrite one.
    pub fn save(&self, path: &Path) -> Result<(), DevKeyError> {
        let io_error = |source| DevKeyError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(io_error)?;
        }
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io_error)?;
        file.write_all(self.to_json().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io_error)
    }

    /// The key in `path`, made and saved first if there is none. The local API and
    /// `gatewayctl` both call this; whichever comes second reads the first one's key.
    pub fn load_or_generate(path: &Path) -> Result<Self, DevKeyError> {
        if path.exists() {
            return Self::load(path);
        }
        let signer = Self::generate()?;
        match signer.save(path) {
            Ok(()) => Ok(signer),
            // Lost a race with the other process: use its key so both agree.
            Err(DevKeyError::Io { source, .. })
                if source.kind() == io::ErrorKind::AlreadyExists =>
            {
                Self::load(path)
            }
            Err(error) => Err(error),
        }
    }

    /// `{"keys": [<the public key as an OKP JWK>]}`, what the local API serves as its JWKS.
    pub fn jwks_json(&self) -> Value {
        json!({"keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(&self.public_key),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }]})
    }

    /// A login token for `org` with `role`, with the default claim names (`org_id`, `role`),
    /// valid from `now_ms` for `ttl_s` seconds.
    pub fn mint(
        &self,
        org: &OrgId,
        role: &str,
        issuer: &str,
        audience: &str,
        ttl_s: u32,
        now_ms: i64,
    ) -> Result<String, DevKeyError> {
        let now_s = now_ms.div_euclid(1000);
        self.sign(&json!({
            "iss": issuer,
            "aud": audience,
            "sub": DEV_SUBJECT,
            "iat": now_s,
            "nbf": now_s,
            "exp": now_s + i64::from(ttl_s),
            "org_id": org.as_str(),
            "role": role,
        }))
    }

    /// Signs any claims, for setups whose claim names differ from the defaults.
    pub fn sign(&self, claims: &Value) -> Result<String, DevKeyError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(&self.pkcs8))
            .map_err(|_| DevKeyError::Crypto("signing failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trips_and_keeps_the_kid() {
        let signer = DevSigner::generate().unwrap();
        let again = DevSigner::from_json(&signer.to_json()).unwrap();
        assert_eq!(again.kid(), signer.kid());
        assert_eq!(again.jwks_json(), signer.jwks_json());
        assert_ne!(DevSigner::generate().unwrap().kid(), signer.kid());
    }

    #[test]
    fn tampered_key_files_are_refused() {
        let signer = DevSigner::generate().unwrap();
        let mut file: Value = serde_json::from_str(&signer.to_json()).unwrap();
        file["kid"] = json!("dev-other");
        assert!(DevSigner::from_json(&file.to_string()).is_err());
        assert!(DevSigner::from_json("{}").is_err());
        assert!(DevSigner::from_json(r#"{"kid":"k","alg":"EdDSA","pkcs8":"AAAA"}"#).is_err());
    }

    #[test]
    fn load_or_generate_creates_once_then_loads() {
        let dir = std::env::temp_dir().join(format!("gateway-auth-dev-{}", std::process::id()));
        let path = dir.join("keys").join("dev-signer.json");
        let first = DevSigner::load_or_generate(&path).unwrap();
        let second = DevSigner::load_or_generate(&path).unwrap();
        assert_eq!(first.kid(), second.kid());
        assert!(first.save(&path).is_err(), "never overwrites");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        fs::remove_dir_all(dir).unwrap();
    }
}
