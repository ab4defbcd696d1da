//! `GET /api/v1/sessions/{session}/groups/{gid}`: one stored group. Capability `read`;
//! never needs a live WhatsApp connection. One DynamoDB request on the happy path.

use gateway_domain::{Capability, GroupJid, SessionId};
use gateway_errors::ApiError;
use gateway_http::{
    Services, body_bytes, json_response, log_session, observe, path_param, respond,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(services: &Services, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("getGroup", &req, async {
        respond(get_group(services, &req).await)
    })
    .await)
}

async fn get_group(services: &Services, req: &Request) -> Result<Response<Body>, ApiError> {
    let principal = services.authorize(req, Capability::Read).await?;
    body_bytes(req)?;
    let session = path_param(req, "session", SessionId::parse)?;
    log_session(&session);
    let gid = path_param(req, "gid", GroupJid::parse)?;

    let (owner, group) = services.store.get_session_and_group(&session, &gid).await?;
    owner
        .and_then(|s| s.owned_by(&principal.org))
        .ok_or(ApiError::NotFound("session not found"))?;
    let group = group.ok_or(ApiError::NotFound("group not found"))?;
    Ok(json_response(StatusCode::OK, &group))
}
