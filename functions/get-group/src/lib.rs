//! `GET /api/v1/sessions/{session}/groups/{gid}`: one stored group. Capability `read`;
//! never needs a live WhatsApp connection. One DynamoDB request on the happy path.

use gateway_domain::{Capability, GroupJid};
use gateway_errors::ApiError;
use gateway_http::{Services, json_response, observe};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(services: &Services, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("getGroup", &req, get_group(services, &req)).await)
}

async fn get_group(services: &Services, req: &Request) -> Result<Response<Body>, ApiError> {
    let pending = services
        .admit_pending(req, Capability::Read, |input, _| {
            input.path("gid", GroupJid::parse)
        })
        .await?;
    let gid = pending.input.clone();
    let (_, group) = services.group_of(pending, &gid).await?;
    Ok(json_response(StatusCode::OK, &group.group()))
}
