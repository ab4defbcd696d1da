//! `GET /api/v1/sessions/{session}/groups?limit=&cursor=&includeLeft=`: a page of a session's
//! stored groups in JID order; groups the account left only with `includeLeft=true`.
//! Capability `read`; never needs a live WhatsApp connection.

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
    let pending = services
        .admit_pending(req, Capability::Read, |input, session| {
            let page = input.page(&groups_of(session), GroupJid::parse)?;
            let include_left = match input.query("includeLeft")? {
                None | Some("false") => false,
                Some("true") => true,
                Some(_) => {
                    return Err(ApiError::validation("includeLeft", "must be true or false"));
                }
            };
            Ok((page, include_left))
        })
        .await?;
    let admitted = services.session_of(pending).await?;
    let (page, include_left) = &admitted.input;
    let stored = services
        .store
        .list_groups(
            &admitted.session,
            page.after.as_ref(),
            page.limit,
            *include_left,
        )
        .await?;
    let next = stored.next_after.as_ref().map(GroupJid::as_str);
    let page = Page::new(stored.groups, next, &groups_of(&admitted.session));
    Ok(json_response(StatusCode::OK, &page))
}
