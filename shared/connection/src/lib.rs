//! Client of the connection service: the long-lived process that holds the WhatsApp sockets.
//!
//! The contract is `docs/connection-service.openapi.yaml`; `tools/connection-emulator` serves
//! it from an in-memory WhatsApp for local runs and tests.
//!
//! A [`ConnectionClient`] is built once per cold start ([`ConnectionClient::from_settings`]: no
//! network there) and borrowed by handlers. Every call takes the function's deadline: one
//! attempt never runs past `deadline - safety margin`, so the handler can still store what
//! WhatsApp answered and reply. Operations that are safe to repeat (reading a group, setting a
//! value) are retried on transient failures; creating a group or adding people never is, and
//! when their outcome is unknown the error says so.

mod answer;
mod client;
mod config;
mod error;
mod model;
mod operations;
mod retry;
mod token;

pub use client::{ConnectionClient, Operation};
pub use config::{TOKEN_SECRET_VAR, TOKEN_VAR, Timeouts, URL_VAR, token_source};
pub use error::ConnectionError;
pub use model::{
    CreatedGroup, Invitation, InviteCode, LiveGroup, ParticipantAction, ParticipantResult,
    ParticipantsChanged, SyncStarted,
};
pub use operations::ParticipantChange;
pub use retry::RetryPolicy;
pub use token::{FetchToken, SecretsManagerToken, TokenFuture, TokenSource};
