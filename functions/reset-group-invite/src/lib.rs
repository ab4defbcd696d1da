//! `DELETE /api/v1/sessions/{session}/groups/{gid}/invite`: revokes the group's invite link and
//! answers the new one; the old one lets nobody join any more. Capability `send`; WhatsApp lets
//! only admins see or reset the link.

use gateway_http::observe;
use gateway_live::LiveServices;
use gateway_live::members::invite_link;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("resetGroupInvite", &req, invite_link(live, &req, true)).await)
}
