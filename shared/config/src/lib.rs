//! Settings from the environment: one way to read a required or optional setting, and one error
//! type that names the setting. Every crate that reads the environment reads it through
//! [`Settings`], so a missing or invalid setting always stops start-up with the same one line.

use std::collections::HashMap;
use std::fmt::Display;

/// A setting that is missing or invalid; its `Display` is the one line start-up prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {name} {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(name: &'static str, problem: impl Into<String>) -> Self {
        Self {
            name,
            problem: problem.into(),
        }
    }

    fn missing(name: &'static str) -> Self {
        Self::new(name, "is required but not set")
    }
}

/// Where settings are read from: the process environment, or fixed pairs in tests.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    fixed: Option<HashMap<String, String>>,
}

impl Settings {
    /// The process environment.
    pub fn from_env() -> Self {
        Self { fixed: None }
    }

    /// Exactly these settings (tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            fixed: Some(
                pairs
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                    .collect(),
            ),
        }
    }

    /// A set, non-blank value, trimmed; `None` when unset or blank (a blank setting in a
    /// template means "not given").
    pub fn optional(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        let raw = match &self.fixed {
            Some(pairs) => pairs.get(name).cloned(),
            None => match std::env::var(name) {
                Ok(value) => Some(value),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::new(name, "is not valid UTF-8"));
                }
            },
        };
        Ok(raw
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty()))
    }

    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name)?
            .ok_or_else(|| ConfigError::missing(name))
    }

    /// An optional setting read by `parse`, whose refusal becomes the setting's problem.
    pub fn parsed<T, E: Display>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ConfigError> {
        self.optional(name)?
            .map(|raw| parse(&raw).map_err(|e| ConfigError::new(name, e.to_string())))
            .transpose()
    }

    /// A switch the AWS SDKs read the same way: on only for `true` (any case).
    pub fn switch(&self, name: &'static str) -> Result<bool, ConfigError> {
        Ok(self
            .optional(name)?
            .is_some_and(|value| value.eq_ignore_ascii_case("true")))
    }
}

/// Stops start-up with one clear line naming the setting.
pub fn exit_on_config_error(error: impl Display) -> ! {
    eprintln!("{error}");
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_unset_and_values_are_trimmed() {
        let settings = Settings::from_pairs(&[("A", "  x "), ("B", "   ")]);
        assert_eq!(settings.optional("A").unwrap().as_deref(), Some("x"));
        assert_eq!(settings.optional("B").unwrap(), None);
        assert_eq!(settings.optional("C").unwrap(), None);
        assert_eq!(settings.required("A").unwrap(), "x");
    }

    #[test]
    fn a_missing_required_setting_is_named_in_one_line() {
        let error = Settings::from_pairs(&[("B", "")])
            .required("B")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration error: B is required but not set"
        );
    }

    #[test]
    fn parse_refusals_name_the_setting() {
        let settings = Settings::from_pairs(&[("N", "x"), ("M", "7")]);
        let error = settings.parsed("N", |raw| raw.parse::<u32>()).unwrap_err();
        assert_eq!(error.name, "N");
        assert_eq!(
            settings.parsed("M", |raw| raw.parse::<u32>()).unwrap(),
            Some(7)
        );
        assert_eq!(
            settings.parsed("O", |raw| raw.parse::<u32>()).unwrap(),
            None
        );
    }

    #[test]
    fn switches_are_on_only_for_true() {
        let settings = Settings::from_pairs(&[("A", "TRUE"), ("B", "1"), ("C", "false")]);
        assert!(settings.switch("A").unwrap());
        assert!(!settings.switch("B").unwrap());
        assert!(!settings.switch("C").unwrap());
        assert!(!settings.switch("D").unwrap());
    }
}
