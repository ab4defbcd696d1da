//! Identifiers that parse themselves: sessions, organizations, group and user JIDs.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Invalid;

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A WhatsApp session id: 1–64 characters of `[A-Za-z0-9_-]`, unique across the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);
string_newtype!(SessionId);

impl SessionId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let valid = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid(
                "must be 1-64 characters of letters, digits, '_' and '-'",
            ))
        }
    }
}

/// An organization (tenant). Comes from an API key record or a login token's claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(String);
string_newtype!(OrgId);

impl OrgId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let valid = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.chars().all(|c| !c.is_control() && !c.is_whitespace());
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid(
                "must be 1-128 characters without white space or control characters",
            ))
        }
    }
}

/// Digit runs in JIDs: WhatsApp ids are at most ~20 digits; the bound keeps keys small.
const MAX_DIGITS: usize = 24;

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// A group JID: `<digits>@g.us`, or the legacy `<creator digits>-<timestamp digits>@g.us`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupJid(String);
string_newtype!(GroupJid);

impl GroupJid {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let user = raw.strip_suffix("@g.us");
        let valid = match user {
            Some(user) => match user.split_once('-') {
                Some((creator, stamp)) => is_digits(creator) && is_digits(stamp),
                None => is_digits(user),
            },
            None => false,
        };
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Invalid(
                "must be a group JID: <digits>@g.us or <digits>-<digits>@g.us",
            ))
        }
    }
}

/// A user JID: `<digits>@s.whatsapp.net` or `<digits>@lid`. The legacy `@c.us` server is
/// accepted and normalised to `@s.whatsapp.net`, so one person has one stored form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserJid(String);
string_newtype!(UserJid);

impl UserJid {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let parsed = raw.split_once('@').and_then(|(user, server)| {
            if !is_digits(user) {
                return None;
            }
            match server {
                "s.whatsapp.net" | "lid" => Some(raw.to_owned()),
                "c.us" => Some(format!("{user}@s.whatsapp.net")),
                _ => None,
            }
        });
        parsed.map(Self).ok_or(Invalid(
            "must be a user JID: <digits>@s.whatsapp.net, <digits>@lid or <digits>@c.us",
        ))
    }

    /// The phone number or LID of the JID: personal data, kept out of info-level logs.
    pub fn user(&self) -> &str {
        self.0.split_once('@').map_or(self.0.as_str(), |(u, _)| u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids() {
        assert!(SessionId::parse("demo_session-1").is_ok());
        assert!(SessionId::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "a b", "a/b", "ä", "a\0", &"a".repeat(65)] {
            assert!(SessionId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn group_jids() {
        for good in ["120363021234567890@g.us", "6281234567890-1700000000@g.us"] {
            assert_eq!(GroupJid::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "@g.us",
            "123@s.whatsapp.net",
            "123-@g.us",
            "-123@g.us",
            "1-2-3@g.us",
            "12a@g.us",
            "123@g.us ",
            "１２３@g.us",
            "123%40g.us",
            &format!("{}@g.us", "1".repeat(25)),
        ] {
            assert!(GroupJid::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn user_jids_normalise_legacy_server() {
        assert_eq!(
            UserJid::parse("6281@c.us").unwrap().as_str(),
            "6281@s.whatsapp.net"
        );
        assert_eq!(UserJid::parse("6281@lid").unwrap().as_str(), "6281@lid");
        assert_eq!(UserJid::parse("6281@lid").unwrap().user(), "6281");
        for bad in [
            "6281",
            "6281@g.us",
            "+6281@s.whatsapp.net",
            "6281:3@s.whatsapp.net",
        ] {
            assert!(UserJid::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deserialising_validates() {
        let ok: Result<GroupJid, _> = serde_json::from_str("\"1@g.us\"");
        assert!(ok.is_ok());
        let bad: Result<GroupJid, _> = serde_json::from_str("\"x@g.us\"");
        assert!(bad.is_err());
    }
}
