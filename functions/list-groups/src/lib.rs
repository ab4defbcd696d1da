//! `GET /api/v1/sessions/{session}/groups?limit=&cursor=`: a page of a session's
//! stored groups in JID order. Capability `read`; never needs a live WhatsApp connection.

use gateway_domain::{Capability, GroupJid, SessionId};
use gateway_errors::ApiError;
use gateway_http::{ListScope, Page, Services, json_response, observe};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};

pub async fn handle(services: &Services, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("listGroups", &req, list_groups(services, &req)).await)
}

/// The list a cursor of this endpoint belongs to: the groups of `session`.
fn groups_of(session: &SessionId) -> ListScope {
    ListScope {
        kind: "g1",
        parts: vec![session.to_string()],
        name: "session's list",
    }
}

async fn list_groups(services: &Services, req: &Request) -> Result<Response<Body>, ApiError> {
    let admitted = services
        .admit(req, Capability::Read, |input, session| {
            input.page(&groups_of(session), GroupJid::parse)
        })
        .await?;
    services.check_session(&admitted).await?;
    let page = &admitted.input;
    let stored = services
        .store
        .list_groups(&admitted.session, page.after.as_ref(), page.limit)
        .await?;
    let scope = groups_of(&admitted.session);
    let page = Page::new(stored.groups, stored.more, &scope, |g| g.group_jid.as_str());
    Ok(json_response(StatusCode::OK, &page))
}
