//! `GET /api/v1/sessions/{session}/groups/{gid}/invite`: the group's invite link, `{"invite":
//! "https://chat.whatsapp.com/<code>"}`. Capability `send`; WhatsApp lets only admins see or reset
//! the link.

use gateway_http::observe;
use gateway_live::LiveServices;
use gateway_live::members::invite_link;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("getGroupInvite", &req, invite_link(live, &req, false)).await)
}
