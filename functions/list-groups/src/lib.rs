//! `GET /api/v1/sessions/{session}/groups?limit=&cursor=`: a page of a session's stored
//! groups in JID order. Capability `read`; never needs a live WhatsApp connection.

mod cursor;

use gateway_domain::{Capability, Group, SessionId};
use gateway_errors::ApiError;
use gateway_http::{
    Services, body_bytes, json_response, log_session, observe, path_param, query_param, respond,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response};
use serde::Serialize;

pub use cursor::Cursor;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 100;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupList {
    data: Vec<Group>,
    /// `""` on the last page.
    next_cursor: String,
}

pub async fn handle(services: &Services, req: Request) -> Result<Response<Body>, Error> {
    Ok(observe("listGroups", &req, async {
        respond(list_groups(services, &req).await)
    })
    .await)
}

async fn list_groups(services: &Services, req: &Request) -> Result<Response<Body>, ApiError> {
    let principal = services.authorize(req, Capability::Read).await?;
    body_bytes(req)?;
    let session = path_param(req, "session", SessionId::parse)?;
    log_session(&session);
    let limit = parse_limit(query_param(req, "limit")?)?;
    let after = match query_param(req, "cursor")? {
        None | Some("") => None,
        Some(raw) => Some(Cursor::decode(raw, &session)?),
    };

    // Both reads at once: the page of a session that turns out not to be the caller's is
    // dropped unseen, and the common case pays one round trip instead of two.
    let (owner, page) = tokio::join!(
        services.store.get_session(&session),
        services
            .store
            .list_groups(&session, after.as_ref().map(Cursor::after), limit),
    );
    owner?
        .and_then(|s| s.owned_by(&principal.org))
        .ok_or(ApiError::NotFound("session not found"))?;
    let page = page?;
    let next_cursor = match (page.more, page.groups.last()) {
        (true, Some(last)) => Cursor::new(session, last.group_jid.clone()).encode(),
        _ => String::new(),
    };
    Ok(json_response(
        StatusCode::OK,
        &GroupList {
            data: page.groups,
            next_cursor,
        },
    ))
}

fn parse_limit(raw: Option<&str>) -> Result<usize, ApiError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LIMIT);
    };
    match raw.parse::<usize>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) && !raw.starts_with('+') => Ok(limit),
        _ => Err(ApiError::validation(
            "limit",
            "must be a whole number from 1 to 100",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 100);
        assert_eq!(parse_limit(Some("1")).unwrap(), 1);
        assert_eq!(parse_limit(Some("100")).unwrap(), 100);
        for bad in [
            "0",
            "101",
            "abc",
            "",
            "-1",
            "+5",
            "1.5",
            "99999999999999999999999",
        ] {
            assert!(parse_limit(Some(bad)).is_err(), "{bad}");
        }
    }
}
