/// A setting that is missing or invalid; its `Display` is the one line start-up prints.
#[derive(Debug, thiserror::Error)]
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
}

pub fn env_required(name: &'static str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        Ok(_) => Err(ConfigError::new(name, "is empty")),
        Err(std::env::VarError::NotPresent) => {
            Err(ConfigError::new(name, "is required but not set"))
        }
        Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::new(name, "is not valid UTF-8")),
    }
}

pub fn env_optional(name: &'static str) -> Result<Option<String>, ConfigError> {
    match env_required(name) {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.problem == "is required but not set" || e.problem == "is empty" => Ok(None),
        Err(e) => Err(e),
    }
}

/// Stops start-up with one clear line naming the setting.
pub fn exit_on_config_error(error: impl std::fmt::Display) -> ! {
    eprintln!("{error}");
    tracing::error!("{error}");
    std::process::exit(1)
}
