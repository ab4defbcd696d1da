//! `connection-emulator`: serves the connection service's contract from an in-memory
//! WhatsApp. Settings: `GATEWAY_CONNECTION_TOKEN` (required: the bearer secret callers must
//! send, the same value the functions are given), `EMULATOR_LISTEN` (default
//! `127.0.0.1:3001`), `EMULATOR_SESSIONS` (optional: `id[=account JID],...`, created
//! connected), `GATEWAY_EVENTS_QUEUE_URL` (optional: the SQS queue events go to, with the AWS
//! settings `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL_SQS`;
//! unset: events are kept in memory only), `RUST_LOG` (default `info`).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use connection_emulator::{DEFAULT_LISTEN, Emulator, parse_sessions, serve_emulator};
use tracing_subscriber::EnvFilter;

fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    // No default secret: the functions must be given the same value, and a silent default
    // on one side only is the kind of mismatch that costs an afternoon.
    let Some(token) = setting("GATEWAY_CONNECTION_TOKEN") else {
        eprintln!("GATEWAY_CONNECTION_TOKEN is not set: the bearer secret callers must send");
        return ExitCode::FAILURE;
    };
    let listen = setting("EMULATOR_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let sessions = match parse_sessions(&setting("EMULATOR_SESSIONS").unwrap_or_default()) {
        Ok(sessions) => sessions,
        Err(reason) => {
            eprintln!("EMULATOR_SESSIONS is invalid: {reason}");
            return ExitCode::FAILURE;
        }
    };

    let mut emulator = Emulator::new(Some(token.trim().to_owned()));
    if let Some(queue_url) = setting("GATEWAY_EVENTS_QUEUE_URL") {
        let config = match gateway_aws::from_env(&gateway_aws::SdkTimeouts::default()) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("{error} (needed to publish to GATEWAY_EVENTS_QUEUE_URL)");
                return ExitCode::FAILURE;
            }
        };
        let mut sqs = aws_sdk_sqs::config::Builder::from(&config);
        if let Some(endpoint) = gateway_aws::endpoint_url(gateway_aws::Service::Sqs) {
            sqs = sqs.endpoint_url(endpoint);
        }
        let client = aws_sdk_sqs::Client::from_conf(sqs.build());
        tracing::info!("events go to the SQS queue of GATEWAY_EVENTS_QUEUE_URL");
        emulator = emulator.with_events_queue(queue_url.trim(), client);
    }
    for (session, account) in sessions {
        let state = emulator.put_session(&session, account, true);
        tracing::info!(session = %state.session, "session connected");
    }

    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("EMULATOR_LISTEN={listen}: cannot listen there: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!("cannot read the listening address: {error}");
            return ExitCode::FAILURE;
        }
    };
    // On stdout, alone on its line, so scripts started with port 0 can read the address.
    println!("connection-emulator listening on http://{addr}");
    let _ = std::io::stdout().flush();

    match serve_emulator(listener, emulator).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("connection-emulator stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
