//! `POST /api/v1/sessions/{session}/groups/{gid}/members/{jid}/promote`: makes a member an admin
//! of the group on WhatsApp (an admin stays one: 204). Capability `send`; `{jid}` names the member
//! by any of its forms. 204.

use gateway_connection::ParticipantAction;
use gateway_http::observe;
use gateway_live::LiveServices;
use gateway_live::members::change_member;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    let change = change_member(live, &req, ParticipantAction::Promote);
    Ok(observe("promoteGroupMember", &req, change).await)
}
