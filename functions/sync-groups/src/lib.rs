//! `POST /api/v1/sessions/{session}/groups/sync`: asks the connection service to publish the
//! session's groups again (their events arrive through the queue); 202 with the sync. One
//! resync per session at a time: a request while one runs shares it. Capability `send`.

use gateway_auth::crypto::random_base62;
use gateway_domain::Capability;
use gateway_errors::ApiError;
use gateway_http::{Admitted, json_response, observe};
use gateway_live::LiveServices;
use gateway_store::{SYNC_RUNS_AT_MOST_MS, SyncClaim, SyncRecord};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Error, Request, Response};
use serde::Serialize;

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("syncGroups", &req, sync_groups(live, &req)).await)
}

/// The running sync, as syncGroups answers it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Running {
    sync_id: String,
    state: &'static str,
    requested_at: i64,
}

async fn sync_groups(live: &LiveServices, req: &Request) -> Result<Response<Body>, ApiError> {
    let services = &live.services;
    let pending = services
        .admit_pending(req, Capability::Send, |_, _| Ok(()))
        .await?;
    // The API key's record and the session in one read.
    let admitted = services.session_of(pending).await?;
    let session = &admitted.session;
    let now = services.clock.now_ms();
    let sync_id = format!("sync-{}", random_base62(16));
    let claim = services
        .store
        .claim_sync(session, &sync_id, now, now - SYNC_RUNS_AT_MOST_MS)
        .await?;
    let running = match claim {
        SyncClaim::Running(running) => Running {
            sync_id: running.sync_id,
            state: "running",
            requested_at: running.requested_at,
        },
        SyncClaim::Claimed { previous } => {
            start(live, &admitted, &sync_id, previous.as_ref()).await?;
            Running {
                sync_id,
                state: "running",
                requested_at: now,
            }
        }
    };
    let mut response = json_response(StatusCode::ACCEPTED, &running);
    let location = format!("/api/v1/sessions/{session}/groups/sync");
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Asks the connection service to run the claimed sync; if it cannot, the session's sync is
/// put back as it was before this request.
async fn start(
    live: &LiveServices,
    admitted: &Admitted<()>,
    sync_id: &str,
    previous: Option<&SyncRecord>,
) -> Result<(), ApiError> {
    let session = &admitted.session;
    let Err(error) = live
        .connection
        .request_sync(session, sync_id, admitted.deadline)
        .await
    else {
        return Ok(());
    };
    let store = &live.services.store;
    if let Err(cause) = store.release_sync(session, sync_id, previous).await {
        tracing::warn!(error = %cause, "a sync that did not start is still recorded");
    }
    Err(error.into_api_error())
}
