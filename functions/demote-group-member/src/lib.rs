//! `POST /api/v1/sessions/{session}/groups/{gid}/members/{jid}/demote`: makes an admin a plain
//! member on WhatsApp (the creator cannot be demoted: 403 `not_allowed`). Capability `send`;
//! `{jid}` names the member by any of its forms. 204.

use gateway_connection::ParticipantAction;
use gateway_http::observe;
use gateway_live::LiveServices;
use gateway_live::members::change_member;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(live: &LiveServices, req: Request) -> Result<Response<Body>, Error> {
    let change = change_member(live, &req, ParticipantAction::Demote);
    Ok(observe("demoteGroupMember", &req, change).await)
}
