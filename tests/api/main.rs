//! Integration tests: the local API (the functions' own handlers) over HTTP, against moto's
//! DynamoDB server (started by `make test`), each test in a table of its own.

mod dynamo_proxy;
mod support;

mod api_keys;
mod budgets;
mod cors;
mod create_group;
mod events;
mod gatewayctl;
mod get_group;
mod hardening;
mod idempotency;
mod ingest;
mod list_groups;
mod login;
mod logs;
mod members;
mod openapi;
mod pacing;
mod store;
mod sync;
mod template;
mod tenancy;
mod unavailable;
mod update_group;
