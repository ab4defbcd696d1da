//! The plumbing every function shares: services built once per cold start, the opening checks
//! of every request, typed inputs, responses (the error envelope is built here and only here),
//! and logging.

mod admission;
mod inputs;
mod owners;
mod paging;
mod response;
mod services;
mod telemetry;

pub use admission::{Admitted, Pending};
pub use gateway_config::{ConfigError, Settings, exit_on_config_error};
pub use gateway_logging::{init_tracing, init_tracing_to};
pub use inputs::{
    FINISH_RESERVE, Inputs, LOCAL_DEADLINE, MAX_BODY_BYTES, RESPONSE_RESERVE, authorization,
    body_within_limit, deadline, parse_json, path_param, query_param,
};
pub use paging::{DEFAULT_LIMIT, ListScope, MAX_LIMIT, Page, PageRequest};
pub use response::{error_response, json_response, no_content};
pub use services::Services;
pub use telemetry::{log_principal, log_session, observe};
