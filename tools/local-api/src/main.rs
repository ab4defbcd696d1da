//! `local-api`: every endpoint on one port for `make dev`, configured like the functions.

use std::path::PathBuf;
use std::sync::Arc;

use gateway_auth::login::dev::DevSigner;
use gateway_http::{Settings, exit_on_config_error, init_tracing};
use gateway_live::LiveServices;
use local_api::{Cors, LocalApi};

#[tokio::main]
async fn main() {
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
    let api = Arc::new(LocalApi {
        live,
        dev_jwks,
        cors,
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
}
