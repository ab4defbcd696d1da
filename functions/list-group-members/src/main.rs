//! The listGroupMembers Lambda: services built once per cold start, then the runtime loop.

use gateway_http::{Services, exit_on_config_error, init_tracing};
use lambda_http::{Error, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_tracing();
    let services = Services::from_env()
        .await
        .unwrap_or_else(|e| exit_on_config_error(e));
    lambda_http::run(service_fn(|req| list_group_members::handle(&services, req))).await
}
