//! Settings of the login verifier, read once per cold start.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use gateway_config::{ConfigError, Settings};
use gateway_domain::Capabilities;
use serde_json::Value;

pub const ENV_JWKS_URL: &str = "GATEWAY_JWKS_URL";
pub const ENV_ISSUER: &str = "GATEWAY_JWT_ISSUER";
pub const ENV_AUDIENCE: &str = "GATEWAY_JWT_AUDIENCE";
pub const ENV_ORG_CLAIM: &str = "GATEWAY_JWT_ORG_CLAIM";
pub const ENV_ROLE_CLAIM: &str = "GATEWAY_JWT_ROLE_CLAIM";
pub const ENV_ROLE_CAPABILITIES: &str = "GATEWAY_ROLE_CAPABILITIES";

pub const DEFAULT_ORG_CLAIM: &str = "org_id";
pub const DEFAULT_ROLE_CLAIM: &str = "role";
pub const DEFAULT_ROLE_CAPABILITIES: &str = "owner=read,send;admin=read,send;member=read";

/// Where the login verifier gets its keys and what it expects of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginConfig {
    pub jwks_url: String,
    pub issuer: String,
    pub audience: String,
    pub org_claim: ClaimPath,
    pub role_claim: ClaimPath,
    pub roles: RoleCapabilities,
}

impl LoginConfig {
    /// The default claims (`org_id`, `role`) and role map. The URL is not checked here: a bad
    /// one only makes every fetch fail (and every login token 401).
    pub fn new(
        jwks_url: impl Into<String>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            jwks_url: jwks_url.into(),
            issuer: issuer.into(),
            audience: audience.into(),
            org_claim: ClaimPath::Name(DEFAULT_ORG_CLAIM.to_owned()),
            role_claim: ClaimPath::Name(DEFAULT_ROLE_CLAIM.to_owned()),
            roles: RoleCapabilities::default(),
        }
    }

    /// `GATEWAY_JWKS_URL`, `GATEWAY_JWT_ISSUER`, `GATEWAY_JWT_AUDIENCE` (required);
    /// `GATEWAY_JWT_ORG_CLAIM`, `GATEWAY_JWT_ROLE_CLAIM`, `GATEWAY_ROLE_CAPABILITIES` (optional).
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let jwks_url = settings.required(ENV_JWKS_URL)?;
        check_jwks_url(&jwks_url).map_err(|problem| ConfigError::new(ENV_JWKS_URL, problem))?;
        let claim = |var, default: &str| -> Result<ClaimPath, ConfigError> {
            Ok(settings
                .parsed(var, |raw| {
                    ClaimPath::parse(raw).map_err(|reason| format!("is not a claim name: {reason}"))
                })?
                .unwrap_or_else(|| ClaimPath::Name(default.to_owned())))
        };
        let roles = settings
            .parsed(ENV_ROLE_CAPABILITIES, |raw| {
                RoleCapabilities::parse(raw).map_err(|reason| format!("is invalid: {reason}"))
            })?
            .unwrap_or_default();
        Ok(Self {
            jwks_url,
            issuer: settings.required(ENV_ISSUER)?,
            audience: settings.required(ENV_AUDIENCE)?,
            org_claim: claim(ENV_ORG_CLAIM, DEFAULT_ORG_CLAIM)?,
            role_claim: claim(ENV_ROLE_CLAIM, DEFAULT_ROLE_CLAIM)?,
            roles,
        })
    }
}

/// Keys fetched over plain HTTP could be swapped by anyone on the path, so only HTTPS, or HTTP
/// to this machine for local runs.
fn check_jwks_url(raw: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(raw).map_err(|e| format!("is not a URL: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host_str().is_some_and(is_loopback) => Ok(()),
        "http" => Err("must be https (plain http only to localhost)".to_owned()),
        other => Err(format!("has unsupported scheme '{other}'")),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Where a claim sits in the token: a top-level name (`org_id`) or a JSON pointer (`/o/id`, as
/// in Clerk's session tokens, whose organization is nested).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimPath {
    Name(String),
    Pointer(String),
}

impl ClaimPath {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty");
        }
        let Some(rest) = raw.strip_prefix('/') else {
            return Ok(ClaimPath::Name(raw.to_owned()));
        };
        for segment in rest.split('/') {
            if segment.is_empty() {
                return Err("a JSON pointer has an empty segment");
            }
            // RFC 6901: '~' only as the escapes ~0 ('~') and ~1 ('/').
            let mut after_tilde = segment.split('~').skip(1);
            if after_tilde.any(|s| !(s.starts_with('0') || s.starts_with('1'))) {
                return Err("a JSON pointer has a '~' that is not ~0 or ~1");
            }
        }
        Ok(ClaimPath::Pointer(raw.to_owned()))
    }

    /// The claim's value, if the token has it.
    pub fn find<'a>(&self, claims: &'a Value) -> Option<&'a Value> {
        match self {
            ClaimPath::Name(name) => claims.get(name),
            ClaimPath::Pointer(pointer) => claims.pointer(pointer),
        }
    }
}

impl FromStr for ClaimPath {
    type Err = &'static str;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        ClaimPath::parse(raw)
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClaimPath::Name(text) | ClaimPath::Pointer(text) => f.write_str(text),
        }
    }
}

/// What each role may do, e.g. `owner=read,send;admin=read,send;member=read`. A role not in
/// the map gets no capability: its holder is authenticated, and every endpoint answers 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCapabilities(HashMap<String, Capabilities>);

impl RoleCapabilities {
    /// `role=cap,cap;role=...`; `role=` gives a role no capability on purpose.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut roles = HashMap::new();
        for item in raw
            .split(';')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (role, list) = item
                .split_once('=')
                .ok_or_else(|| format!("'{item}' is not 'role=capability,...'"))?;
            let role = role.trim();
            if role.is_empty() {
                return Err(format!("'{item}' has no role name"));
            }
            let capabilities = if list.trim().is_empty() {
                Capabilities::NONE
            } else {
                Capabilities::parse_list(list).map_err(|e| format!("role '{role}': {e}"))?
            };
            if roles.insert(role.to_owned(), capabilities).is_some() {
                return Err(format!("role '{role}' appears twice"));
            }
        }
        Ok(Self(roles))
    }

    pub fn capabilities(&self, role: &str) -> Capabilities {
        self.0.get(role).copied().unwrap_or(Capabilities::NONE)
    }
}

impl Default for RoleCapabilities {
    fn default() -> Self {
        use gateway_domain::Capability::{Read, Send};
        let both = Capabilities::NONE.with(Read).with(Send);
        Self(HashMap::from([
            ("owner".to_owned(), both),
            ("admin".to_owned(), both),
            ("member".to_owned(), Capabilities::NONE.with(Read)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use gateway_domain::Capability;
    use serde_json::json;

    use super::*;

    fn from(vars: &[(&'static str, &str)]) -> Result<LoginConfig, ConfigError> {
        LoginConfig::from_settings(&Settings::from_pairs(vars))
    }

    const REQUIRED: [(&str, &str); 3] = [
        (
            ENV_JWKS_URL,
            "https://clerk.example.com/.well-known/jwks.json",
        ),
        (ENV_ISSUER, "https://clerk.example.com"),
        (ENV_AUDIENCE, "whatsapp-gateway"),
    ];

    #[test]
    fn required_variables_are_named_when_missing() {
        for (missing, (var, _)) in REQUIRED.iter().enumerate() {
            let mut vars = REQUIRED.to_vec();
            vars.remove(missing);
            let error = from(&vars).unwrap_err();
            assert_eq!(error.name, *var);
            assert_eq!(
                error.to_string(),
                format!("configuration error: {var} is required but not set")
            );
        }
    }

    #[test]
    fn defaults_apply() {
        let config = from(&REQUIRED).unwrap();
        assert_eq!(
            config,
            LoginConfig::new(REQUIRED[0].1, REQUIRED[1].1, REQUIRED[2].1)
        );
        assert_eq!(
            config.roles,
            RoleCapabilities::parse(DEFAULT_ROLE_CAPABILITIES).unwrap()
        );
    }

    #[test]
    fn optional_variables_are_read() {
        let mut vars = REQUIRED.to_vec();
        vars.extend([
            (ENV_ORG_CLAIM, "/o/id"),
            (ENV_ROLE_CLAIM, " /o/rol "),
            (
                ENV_ROLE_CAPABILITIES,
                "org:admin=read,send; org:viewer=read; guest=",
            ),
        ]);
        let config = from(&vars).unwrap();
        assert_eq!(config.org_claim, ClaimPath::Pointer("/o/id".into()));
        assert_eq!(config.role_claim, ClaimPath::Pointer("/o/rol".into()));
        assert!(
            config
                .roles
                .capabilities("org:admin")
                .contains(Capability::Send)
        );
        assert!(
            !config
                .roles
                .capabilities("org:viewer")
                .contains(Capability::Send)
        );
        assert!(config.roles.capabilities("guest").is_empty());
        assert!(config.roles.capabilities("admin").is_empty());
    }

    #[test]
    fn jwks_url_must_be_https_unless_local() {
        for (url, ok) in [
            ("https://x.example/jwks", true),
            ("http://127.0.0.1:3000/jwks", true),
            ("http://localhost:3000/jwks", true),
            ("http://[::1]:3000/jwks", true),
            ("http://x.example/jwks", false),
            ("ftp://x.example/jwks", false),
            ("not a url", false),
        ] {
            let mut vars = REQUIRED.to_vec();
            vars[0] = (ENV_JWKS_URL, url);
            let result = from(&vars);
            assert_eq!(result.is_ok(), ok, "{url}: {result:?}");
            if let Err(error) = result {
                assert_eq!(error.name, ENV_JWKS_URL);
                assert!(!error.to_string().contains('\n'));
            }
        }
    }

    #[test]
    fn bad_optional_values_are_refused_with_the_variable_name() {
        for (var, value) in [
            (ENV_ORG_CLAIM, "/o//id"),
            (ENV_ROLE_CLAIM, "/a~2"),
            (ENV_ROLE_CAPABILITIES, "admin"),
            (ENV_ROLE_CAPABILITIES, "admin=write"),
            (ENV_ROLE_CAPABILITIES, "=read"),
            (ENV_ROLE_CAPABILITIES, "admin=read;admin=send"),
        ] {
            let mut vars = REQUIRED.to_vec();
            vars.push((var, value));
            let error = from(&vars).unwrap_err();
            assert_eq!(error.name, var, "{value}");
        }
    }

    #[test]
    fn claim_paths_find_names_and_pointers() {
        let claims = json!({"org_id": "a", "o": {"id": "b", "a/b": "c"}});
        assert_eq!(
            ClaimPath::parse("org_id").unwrap().find(&claims),
            Some(&json!("a"))
        );
        assert_eq!(
            ClaimPath::parse("/o/id").unwrap().find(&claims),
            Some(&json!("b"))
        );
        assert_eq!(
            ClaimPath::parse("/o/a~1b").unwrap().find(&claims),
            Some(&json!("c"))
        );
        assert_eq!(ClaimPath::parse("/o/x").unwrap().find(&claims), None);
    }
}
