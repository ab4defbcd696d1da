//! `GET /api/v1/sessions/{session}/groups/sync`: the session's last (or running) resync.
//! Capability `read`; never needs a live WhatsApp connection.

use gateway_domain::Capability;
use gateway_errors::ApiError;
use gateway_http::{Services, json_response, observe};
use gateway_store::{SYNC_RUNS_AT_MOST_MS, SyncRecord, SyncState};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde::Serialize;

pub async fn handle(services: &Services, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("getGroupSync", &req, get_sync(services, &req)).await)
}

/// The Sync object: nulls before the first sync.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub sync_id: Option<String>,
    pub state: &'static str,
    pub requested_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub group_count: Option<u32>,
}

impl SyncView {
    pub fn of(record: Option<SyncRecord>, now_ms: i64) -> Self {
        let Some(record) = record else {
            return Self {
                state: "idle",
                ..Self::default()
            };
        };
        let running = record.is_running(now_ms, SYNC_RUNS_AT_MOST_MS);
        Self {
            state: if running { "running" } else { "idle" },
            completed_at: match record.sync_state {
                SyncState::Idle => record.completed_at,
                SyncState::Running => None,
            },
            group_count: record.group_count,
            requested_at: Some(record.requested_at),
            sync_id: Some(record.sync_id),
        }
    }
}

async fn get_sync(services: &Services, req: &Request) -> Result<Response<Body>, ApiError> {
    let pending = services
        .admit_pending(req, Capability::Read, |_, _| Ok(()))
        .await?;
    let admitted = services.session_of(pending).await?;
    let record = services.store.get_sync(&admitted.session).await?;
    let view = SyncView::of(record, services.clock.now_ms());
    Ok(json_response(StatusCode::OK, &view))
}
