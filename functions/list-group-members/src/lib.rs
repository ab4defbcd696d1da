//! `GET /api/v1/sessions/{session}/groups/{gid}/members?limit=&cursor=`: a page of a stored
//! group's members (removed ones left out). Capability `read`; never needs a live WhatsApp
//! connection.

use gateway_domain::{Capability, GroupJid, SessionId, UserJid};
use gateway_errors::ApiError;
use gateway_http::{ListScope, Page, Services, json_response, observe};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(services: &Services, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("listGroupMembers", &req, list_members(services, &req)).await)
}

/// The list a cursor of this endpoint belongs to: the members of one group of one session.
fn members_of(session: &SessionId, group: &GroupJid) -> ListScope {
    ListScope {
        kind: "m1",
        parts: vec![session.to_string(), group.to_string()],
        name: "group's member list",
    }
}

async fn list_members(services: &Services, req: &Request) -> Result<Response<Body>, ApiError> {
    let pending = services
        .admit_pending(req, Capability::Read, |input, session| {
            let gid = input.path("gid", GroupJid::parse)?;
            let page = input.page(&members_of(session, &gid), UserJid::parse)?;
            Ok((gid, page))
        })
        .await?;
    let gid = pending.input.0.clone();
    let (admitted, _) = services.group_of(pending, &gid).await?;
    let page = &admitted.input.1;
    let stored = services
        .store
        .list_members(&admitted.session, &gid, page.after.as_ref(), page.limit)
        .await?;
    let next = stored.next_after.as_ref().map(UserJid::as_str);
    let page = Page::new(stored.members, next, &members_of(&admitted.session, &gid));
    Ok(json_response(StatusCode::OK, &page))
}
