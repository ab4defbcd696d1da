//! The plumbing every function shares: services built once per cold start, typed inputs read
//! from a Lambda HTTP request, the response for an error, and logging.

mod config;
mod request;
mod services;
mod telemetry;

pub use config::{ConfigError, env_optional, env_required, exit_on_config_error};
pub use request::{
    LOCAL_DEADLINE, authorization, body_bytes, deadline, json_response, parse_json, path_param,
    query_param,
};
pub use services::Services;
pub use telemetry::{init_tracing, init_tracing_to, log_principal, log_session, observe};

use gateway_errors::ApiError;
use lambda_http::{Body, Response};

/// The response for a handler's outcome: errors become the error envelope here and only here.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(ApiError::into_response)
}
