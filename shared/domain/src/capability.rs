//! Capabilities: what a caller may do (`read` stored data, `send` to WhatsApp).

use std::fmt;

use crate::Invalid;

/// What a caller may do. `read` serves stored data; `send` acts on WhatsApp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    Read,
    Send,
}

impl Capability {
    pub const ALL: [Capability; 2] = [Capability::Read, Capability::Send];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Read => "read",
            Capability::Send => "send",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "read" => Ok(Capability::Read),
            "send" => Ok(Capability::Send),
            _ => Err(Invalid("capability must be 'read' or 'send'")),
        }
    }

    fn bit(self) -> u8 {
        match self {
            Capability::Read => 1,
            Capability::Send => 2,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of capabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Capabilities(u8);

impl Capabilities {
    pub const NONE: Capabilities = Capabilities(0);

    pub fn contains(self, capability: Capability) -> bool {
        self.0 & capability.bit() != 0
    }

    pub fn with(self, capability: Capability) -> Self {
        Capabilities(self.0 | capability.bit())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// The names in canonical order, e.g. `["read", "send"]`.
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Capability::as_str).collect()
    }

    /// Parses a comma-separated list such as `read,send`; empty items are refused.
    pub fn parse_list(raw: &str) -> Result<Self, Invalid> {
        raw.split(',').try_fold(Capabilities::NONE, |set, item| {
            Ok(set.with(Capability::parse(item)?))
        })
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        iter.into_iter()
            .fold(Capabilities::NONE, Capabilities::with)
    }
}

impl serde::Serialize for Capabilities {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> serde::Deserialize<'de> for Capabilities {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        names
            .iter()
            .map(|n| Capability::parse(n))
            .collect::<Result<Capabilities, _>>()
            .map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists() {
        let both = Capabilities::parse_list("send, read").unwrap();
        assert!(both.contains(Capability::Read) && both.contains(Capability::Send));
        assert_eq!(both.to_string(), "read,send");
        let read = Capabilities::parse_list("read").unwrap();
        assert!(!read.contains(Capability::Send));
        assert!(Capabilities::parse_list("").is_err());
        assert!(Capabilities::parse_list("read,admin").is_err());
    }
}
