//! `local-api`: every endpoint on one port for `make dev`, configured like the functions.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gateway_auth::login::dev::DevSigner;
use gateway_http::{Settings, exit_on_config_error, init_tracing};
use gateway_live::LiveServices;
use local_api::event_source::{self, EventSource};
use local_api::{Cors, LocalApi};

/// The functions run on Lambda's main thread (8 MiB of stack); a worker thread's default 2 MiB
/// is too little for an unoptimised build's futures.
const STACK_BYTES: usize = 8 * 1024 * 1024;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(STACK_BYTES)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => exit_on_config_error(format!("no tokio runtime: {error}")),
    }
}

async fn run() {
    init_tracing();
    let settings = Settings::from_env();
    let listen = settings
        .optional("GATEWAY_LISTEN")
        .unwrap_or_else(|e| exit_on_config_error(e))
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    // With GATEWAY_DEV_SIGNER (a key file of `gatewayctl dev-token`), the local API also
    // serves that key's JWKS, standing in for a frontend's.
    let dev_jwks = settings
        .optional("GATEWAY_DEV_SIGNER")
        .unwrap_or_else(|e| exit_on_config_error(e))
        .map(|path| {
            DevSigner::load_or_generate(&PathBuf::from(&path))
                .unwrap_or_else(|e| exit_on_config_error(format!("GATEWAY_DEV_SIGNER {path}: {e}")))
                .jwks_json()
        });
    let live = LiveServices::from_env()
        .await
        .unwrap_or_else(|e| exit_on_config_error(e));
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| exit_on_config_error(format!("GATEWAY_LISTEN {listen}: {e}")));
    eprintln!("local-api listening on http://{listen}");
    let cors = Cors::parse(
        &settings
            .optional("GATEWAY_CORS_ORIGINS")
            .unwrap_or_else(|e| exit_on_config_error(e))
            .unwrap_or_default(),
    );
    // With GATEWAY_EVENTS_QUEUE_URL, the ingest function reads the connection service's events
    // from it, as Lambda's event source mapping does.
    let events = match settings
        .optional("GATEWAY_EVENTS_QUEUE_URL")
        .unwrap_or_else(|e| exit_on_config_error(e))
    {
        Some(queue_url) => {
            // Long polls wait up to 10 s: the attempt must be allowed longer.
            let timeouts = gateway_aws::SdkTimeouts {
                attempt_timeout: Duration::from_secs(25),
                operation_timeout: Duration::from_secs(60),
                ..gateway_aws::SdkTimeouts::default()
            };
            let sdk = gateway_aws::from_settings(&settings, &timeouts)
                .unwrap_or_else(|e| exit_on_config_error(e));
            let ingest = ingest_events::Ingest::from_settings(&settings)
                .unwrap_or_else(|e| exit_on_config_error(e));
            let source = EventSource {
                sqs: event_source::sqs_client(&sdk),
                queue_url,
                visibility_timeout: Duration::from_secs(30),
            };
            eprintln!("local-api applying the events of {}", source.queue_url);
            Some(tokio::spawn(async move { source.run(&ingest).await }))
        }
        None => None,
    };
    let api = Arc::new(LocalApi {
        live,
        dev_jwks,
        cors,
        timeout: gateway_http::LOCAL_DEADLINE,
    });
    tokio::select! {
        result = local_api::serve(listener, api) => {
            if let Err(e) = result {
                eprintln!("local-api: {e}");
                std::process::exit(1);
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    if let Some(events) = events {
        events.abort();
    }
}
