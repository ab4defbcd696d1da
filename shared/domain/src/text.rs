//! Group texts that parse themselves: subjects and descriptions.

use serde::{Deserialize, Deserializer, Serialize};

use crate::Invalid;

/// A group subject: surrounding white space removed, then 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Subject(String);

impl Subject {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            return Err(Invalid("must not be empty"));
        }
        if chars > Self::MAX_CHARS {
            return Err(Invalid("must be at most 100 characters"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(Invalid("must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Subject::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A group description: 0–2048 characters; `""` clears it. Kept as sent (line breaks are
/// normal in descriptions).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 2048;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(Invalid("must be at most 2048 characters"));
        }
        if raw
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(Invalid("must not contain control characters"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Description {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Description::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_trimmed_and_bounded_in_characters() {
        assert_eq!(Subject::parse("  Team \n").unwrap().as_str(), "Team");
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"é".repeat(100)).is_ok());
        assert!(Subject::parse(&"é".repeat(101)).is_err());
        assert!(Subject::parse("a\0b").is_err());
    }

    #[test]
    fn description_may_be_empty_and_multiline() {
        assert_eq!(Description::parse("").unwrap().as_str(), "");
        assert!(Description::parse("line 1\nline 2").is_ok());
        assert!(Description::parse(&"x".repeat(2048)).is_ok());
        assert!(Description::parse(&"x".repeat(2049)).is_err());
    }
}
