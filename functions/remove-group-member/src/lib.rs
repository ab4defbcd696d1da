//! `DELETE /api/v1/sessions/{session}/groups/{gid}/members/{jid}`: removes a member from a group
//! on WhatsApp (204 also when WhatsApp says the person is not a participant: they are not in it
//! either way). Capability `send`; `{jid}` names the member by any of its forms. 204.

use gateway_connection::ParticipantAction;
use gateway_http::observe;
use gateway_live::LiveServices;
use gateway_live::members::change_member;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    let change = change_member(live, &req, ParticipantAction::Remove);
    Ok(observe("removeGroupMember", &req, change).await)
}
