//! `gatewayctl`: the operator's CLI. Results go to stdout, one value a line; errors to stderr.

pub mod demo;
pub mod queues;

use std::io::Write;
use std::sync::Arc;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use clap::{Parser, Subcommand};
use gateway_auth::api_key;
use gateway_auth::login::dev::DevSigner;
use gateway_aws::SdkTimeouts;
use gateway_config::{ConfigError, Settings};
use gateway_domain::GroupSnapshot;
use gateway_domain::{
    Capabilities, Clock, Description, OrgId, SessionId, Subject, SystemClock, UserJid,
};
use gateway_store::{SessionRecord, Store, StoreError};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

#[derive(Debug, Parser)]
#[command(
    name = "gatewayctl",
    about = "Operate the WhatsApp group gateway's table",
    version
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the table exactly as template.yaml defines it.
    CreateTable,
    /// Sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// API keys.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Stored groups.
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Demo data for local runs (refuses to run against AWS itself).
    #[command(subcommand)]
    Dev(DevCommand),
    /// Print a login token for local runs, signed with the development key that `make dev`'s
    /// local API publishes as its JWKS (GATEWAY_DEV_SIGNER, GATEWAY_JWT_ISSUER/AUDIENCE).
    DevToken {
        #[arg(long)]
        org: String,
        #[arg(long, default_value = "admin")]
        role: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Add a session; prints its id. An id that exists (in any organization) is refused.
    Add {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        account: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; prints the key id, then the key itself (shown this once only).
    Create {
        #[arg(long)]
        org: String,
        /// Capabilities, e.g. `read` or `read,send`.
        #[arg(long)]
        cap: String,
        #[arg(long)]
        name: Option<String>,
        /// Expiry as RFC 3339, e.g. 2027-01-31T00:00:00Z.
        #[arg(long)]
        expires: Option<String>,
    },
    /// One line per key: id, name, capabilities, created, expires, revoked (tab-separated).
    List {
        #[arg(long)]
        org: String,
    },
    /// Revoke a key; it stops working within 60 s.
    Revoke { key_id: String },
}

#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// Upsert Group objects (JSON lines on stdin) as stored data of a session.
    Import {
        #[arg(long)]
        session: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Seed the demo organization, session, API key and groups; prints the demo key.
    Seed,
    /// Create the events queue and its dead-letter queue (at `AWS_ENDPOINT_URL_SQS`); prints
    /// the queue's URL, then the dead-letter queue's.
    CreateQueue {
        #[arg(long, default_value = "gateway-dev-events")]
        name: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CtlError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Refused(String),
    #[error("DynamoDB: {0}")]
    Store(#[from] StoreError),
    #[error("input line {line}: {reason}")]
    Input { line: usize, reason: String },
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

fn usage(what: &str, reason: impl std::fmt::Display) -> CtlError {
    CtlError::Usage(format!("{what}: {reason}"))
}

/// Runs a command against the table named by `GATEWAY_TABLE`.
pub async fn run_from_env(
    cli: Cli,
    input: impl AsyncBufRead + Unpin,
    out: &mut impl Write,
) -> Result<(), CtlError> {
    if let Command::DevToken { org, role, ttl } = &cli.command {
        let token = dev_token(org, role, *ttl, SystemClock.now_ms())?;
        writeln!(out, "{token}")?;
        return Ok(());
    }
    let table = Settings::from_env().required("GATEWAY_TABLE")?;
    if matches!(cli.command, Command::Dev(_))
        && std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none()
    {
        return Err(CtlError::Refused(
            "dev commands only run against a local DynamoDB (set AWS_ENDPOINT_URL_DYNAMODB)".into(),
        ));
    }
    let timeouts = SdkTimeouts::default();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts.timeout_config())
        .retry_config(timeouts.retry_config())
        .load()
        .await;
    let store = Store::connect(table, &sdk);
    run(cli, &store, Arc::new(SystemClock), input, out).await
}

pub async fn run(
    cli: Cli,
    store: &Store,
    clock: Arc<dyn Clock>,
    input: impl AsyncBufRead + Unpin,
    out: &mut impl Write,
) -> Result<(), CtlError> {
    match cli.command {
        Command::CreateTable => {
            store.create_table().await?;
            writeln!(out, "{}", store.table())?;
        }
        Command::Session(SessionCommand::Add { org, id, account }) => {
            let session = SessionRecord {
                id: match id {
                    Some(id) => SessionId::parse(&id).map_err(|e| usage("--id", e))?,
                    None => SessionId::parse(&api_key::random_base62(20))
                        .map_err(|e| usage("--id", e))?,
                },
                org: OrgId::parse(&org).map_err(|e| usage("--org", e))?,
                account: account
                    .map(|a| UserJid::parse(&a))
                    .transpose()
                    .map_err(|e| usage("--account", e))?,
                created_at: clock.now_ms(),
            };
            match store.create_session(&session).await {
                Err(StoreError::AlreadyExists) => {
                    return Err(CtlError::Refused(format!(
                        "session {} already exists",
                        session.id
                    )));
                }
                other => other?,
            }
            writeln!(out, "{}", session.id)?;
        }
        Command::Apikey(ApiKeyCommand::Create {
            org,
            cap,
            name,
            expires,
        }) => {
            let org = OrgId::parse(&org).map_err(|e| usage("--org", e))?;
            let capabilities = Capabilities::parse_list(&cap).map_err(|e| usage("--cap", e))?;
            // Names are listed one key a line, tab-separated: no control characters.
            if name.as_deref().is_some_and(|n| {
                n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control)
            }) {
                return Err(usage(
                    "--name",
                    "must be 1-100 characters without tabs or line breaks",
                ));
            }
            let expires_at = expires.map(|e| parse_time(&e)).transpose()?;
            let now = clock.now_ms();
            if expires_at.is_some_and(|at| at <= now) {
                return Err(usage("--expires", "is in the past"));
            }
            let key = api_key::generate();
            let record = api_key::record_for(&key, org, capabilities, name, now, expires_at);
            store.put_api_key(&record).await?;
            writeln!(out, "{}", key.key_id)?;
            writeln!(out, "{}", key.key)?;
        }
        Command::Apikey(ApiKeyCommand::List { org }) => {
            let org = OrgId::parse(&org).map_err(|e| usage("--org", e))?;
            for key in store.list_api_keys(&org).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    key.key_id,
                    key.name.as_deref().unwrap_or("-"),
                    key.capabilities,
                    format_time(key.created_at),
                    key.expires_at.map_or("-".to_owned(), format_time),
                    key.revoked_at.map_or("-".to_owned(), format_time),
                )?;
            }
        }
        Command::Apikey(ApiKeyCommand::Revoke { key_id }) => {
            if !store.revoke_api_key(&key_id, clock.now_ms()).await? {
                return Err(CtlError::Refused(format!("no API key {key_id}")));
            }
            writeln!(out, "{key_id}")?;
        }
        Command::Groups(GroupsCommand::Import { session }) => {
            let session = SessionId::parse(&session).map_err(|e| usage("--session", e))?;
            if store.get_session(&session).await?.is_none() {
                return Err(CtlError::Refused(format!("no session {session}")));
            }
            import_groups(store, &session, clock.as_ref(), input, out).await?;
        }
        Command::DevToken { org, role, ttl } => {
            writeln!(out, "{}", dev_token(&org, &role, ttl, clock.now_ms())?)?;
        }
        Command::Dev(DevCommand::Seed) => {
            let key = demo::seed(store, clock.now_ms()).await?;
            writeln!(out, "{}", key.key)?;
        }
        Command::Dev(DevCommand::CreateQueue { name }) => {
            let sdk = gateway_aws::from_env(&gateway_aws::SdkTimeouts::default())?;
            let mut config = aws_sdk_sqs::config::Builder::from(&sdk);
            if let Some(url) = gateway_aws::endpoint_url(gateway_aws::Service::Sqs) {
                config = config.endpoint_url(url);
            }
            let sqs = aws_sdk_sqs::Client::from_conf(config.build());
            let (queue, dead_letters) = queues::create_event_queues(&sqs, &name)
                .await
                .map_err(|e| CtlError::Refused(format!("SQS: {e}")))?;
            writeln!(out, "{queue}")?;
            writeln!(out, "{dead_letters}")?;
        }
    }
    Ok(())
}

/// A login token signed by the development key at `GATEWAY_DEV_SIGNER`, for the issuer and
/// audience the local API expects.
fn dev_token(org: &str, role: &str, ttl_s: u32, now_ms: i64) -> Result<String, CtlError> {
    let org = OrgId::parse(org).map_err(|e| usage("--org", e))?;
    let path = Settings::from_env().required("GATEWAY_DEV_SIGNER")?;
    let issuer = Settings::from_env().required("GATEWAY_JWT_ISSUER")?;
    let audience = Settings::from_env().required("GATEWAY_JWT_AUDIENCE")?;
    let signer = DevSigner::load_or_generate(std::path::Path::new(&path))
        .map_err(|e| CtlError::Refused(format!("GATEWAY_DEV_SIGNER {path}: {e}")))?;
    signer
        .mint(&org, role, &issuer, &audience, ttl_s, now_ms)
        .map_err(|e| CtlError::Refused(e.to_string()))
}

/// Upserts each JSON line as a group. Stops at the first bad line; the lines before it stay
/// stored (each line is its own upsert), and the error names the line.
async fn import_groups(
    store: &Store,
    session: &SessionId,
    clock: &dyn Clock,
    input: impl AsyncBufRead + Unpin,
    out: &mut impl Write,
) -> Result<(), CtlError> {
    let mut lines = input.lines();
    let mut number = 0;
    while let Some(line) = lines.next_line().await? {
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let group: ImportedGroup = serde_json::from_str(&line).map_err(|e| CtlError::Input {
            line: number,
            reason: e.to_string(),
        })?;
        let stored = store
            .upsert_group(session, &group.into_snapshot(), clock.now_ms())
            .await?;
        writeln!(out, "{}", stored.group_jid)?;
    }
    Ok(())
}

/// A Group object as the API shows it; `id` and `firstSeenAt` are the gateway's and ignored.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImportedGroup {
    group_jid: gateway_domain::GroupJid,
    subject: Subject,
    #[serde(default)]
    description: Description,
    #[serde(default)]
    owner_jid: Option<UserJid>,
    #[serde(default)]
    participant_count: u32,
    #[serde(default)]
    is_announce: bool,
    #[serde(default)]
    is_locked: bool,
    #[serde(default)]
    created_at_wa: i64,
}

impl ImportedGroup {
    fn into_snapshot(self) -> GroupSnapshot {
        GroupSnapshot {
            group_jid: self.group_jid,
            subject: self.subject,
            description: self.description,
            owner_jid: self.owner_jid,
            participant_count: self.participant_count,
            is_announce: self.is_announce,
            is_locked: self.is_locked,
            created_at_wa: self.created_at_wa,
            // An import is the operator's word: it is written whatever version is stored.
            version: None,
        }
    }
}

fn parse_time(raw: &str) -> Result<i64, CtlError> {
    let time = DateTime::from_str(raw, Format::DateTime)
        .map_err(|e| usage("--expires", format!("not an RFC 3339 time ({e})")))?;
    time.to_millis()
        .map_err(|e| usage("--expires", format!("out of range ({e})")))
}

fn format_time(ms: i64) -> String {
    DateTime::from_millis(ms)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| ms.to_string())
}
