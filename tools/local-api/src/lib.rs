//! The API on one local port, for `make dev` and the tests. `sam local` needs Docker, which
//! these machines do not have; instead each request is shaped the way API Gateway (HTTP API,
//! payload 2.0) hands it to a function, and passed to that function's own `handle`.

pub mod event_source;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use axum::body::{Body as AxumBody, to_bytes};
use axum::extract::{Request as AxumRequest, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use gateway_live::LiveServices;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::{Body, Context, Request, RequestExt, Response};

/// API Gateway refuses bodies over 10 MB itself, before any function runs.
const GATEWAY_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// The routes of `template.yaml`, one per function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    ListGroups,
    GetGroup,
    CreateGroup,
    UpdateGroup,
    SyncGroups,
    GetGroupSync,
    ListGroupMembers,
    AddGroupMembers,
    RemoveGroupMember,
    PromoteGroupMember,
    DemoteGroupMember,
    GetGroupInvite,
    ResetGroupInvite,
}

impl Route {
    /// Fixed routes first: API Gateway prefers `/groups/sync` over `/groups/{gid}`.
    pub const ALL: [(Route, Method, &'static str); 13] = [
        (
            Route::SyncGroups,
            Method::POST,
            "/api/v1/sessions/{session}/groups/sync",
        ),
        (
            Route::GetGroupSync,
            Method::GET,
            "/api/v1/sessions/{session}/groups/sync",
        ),
        (
            Route::ListGroups,
            Method::GET,
            "/api/v1/sessions/{session}/groups",
        ),
        (
            Route::GetGroup,
            Method::GET,
            "/api/v1/sessions/{session}/groups/{gid}",
        ),
        (
            Route::CreateGroup,
            Method::POST,
            "/api/v1/sessions/{session}/groups",
        ),
        (
            Route::UpdateGroup,
            Method::PATCH,
            "/api/v1/sessions/{session}/groups/{gid}",
        ),
        (
            Route::ListGroupMembers,
            Method::GET,
            "/api/v1/sessions/{session}/groups/{gid}/members",
        ),
        (
            Route::AddGroupMembers,
            Method::POST,
            "/api/v1/sessions/{session}/groups/{gid}/members",
        ),
        (
            Route::RemoveGroupMember,
            Method::DELETE,
            "/api/v1/sessions/{session}/groups/{gid}/members/{jid}",
        ),
        (
            Route::PromoteGroupMember,
            Method::POST,
            "/api/v1/sessions/{session}/groups/{gid}/members/{jid}/promote",
        ),
        (
            Route::DemoteGroupMember,
            Method::POST,
            "/api/v1/sessions/{session}/groups/{gid}/members/{jid}/demote",
        ),
        (
            Route::GetGroupInvite,
            Method::GET,
            "/api/v1/sessions/{session}/groups/{gid}/invite",
        ),
        (
            Route::ResetGroupInvite,
            Method::DELETE,
            "/api/v1/sessions/{session}/groups/{gid}/invite",
        ),
    ];

    /// The function (crate and binary) that serves the route: also the folder of its sample
    /// events under `events/`.
    pub fn function(self) -> &'static str {
        match self {
            Route::ListGroups => "list-groups",
            Route::GetGroup => "get-group",
            Route::CreateGroup => "create-group",
            Route::UpdateGroup => "update-group",
            Route::SyncGroups => "sync-groups",
            Route::GetGroupSync => "get-group-sync",
            Route::ListGroupMembers => "list-group-members",
            Route::AddGroupMembers => "add-group-members",
            Route::RemoveGroupMember => "remove-group-member",
            Route::PromoteGroupMember => "promote-group-member",
            Route::DemoteGroupMember => "demote-group-member",
            Route::GetGroupInvite => "get-group-invite",
            Route::ResetGroupInvite => "reset-group-invite",
        }
    }

    pub fn of_function(function: &str) -> Option<Route> {
        Route::ALL
            .iter()
            .map(|(route, ..)| *route)
            .find(|route| route.function() == function)
    }

    /// The route a request matches, with its path parameters as they appear in the URL
    /// (still percent-encoded, as function URLs deliver them).
    pub fn matching(method: &Method, path: &str) -> Option<(Route, HashMap<String, String>)> {
        let segments: Vec<&str> = path.split('/').collect();
        Route::ALL
            .iter()
            .find_map(|(route, route_method, template)| {
                if route_method != method {
                    return None;
                }
                let pattern: Vec<&str> = template.split('/').collect();
                if pattern.len() != segments.len() {
                    return None;
                }
                let mut params = HashMap::new();
                for (p, s) in pattern.iter().zip(&segments) {
                    match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                        Some(name) if !s.is_empty() => {
                            params.insert(name.to_owned(), (*s).to_owned());
                        }
                        Some(_) => return None,
                        None if p == s => {}
                        None => return None,
                    }
                }
                Some((*route, params))
            })
    }
}

pub struct LocalApi {
    /// The live functions' services; the read functions borrow `live.services`.
    pub live: LiveServices,
    /// The development JWKS (`make dev`): served at [`DEV_JWKS_PATH`] so the local login
    /// tokens of `gatewayctl dev-token` verify like a frontend's would.
    pub dev_jwks: Option<serde_json::Value>,
    pub cors: Cors,
    /// How long each invocation may run: the functions' timeout (`LOCAL_DEADLINE`, as in
    /// `template.yaml`); tests shorten it.
    pub timeout: std::time::Duration,
}

pub const DEV_JWKS_PATH: &str = "/.well-known/jwks.json";

/// Browser origins allowed to call the API: the HttpApi's `CorsConfiguration` in
/// `template.yaml`, answered the way API Gateway answers it.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    /// `*` allows any origin.
    pub allowed_origins: Vec<String>,
}

impl Cors {
    const ALLOW_METHODS: &'static str = "GET,POST,PATCH,DELETE";
    const ALLOW_HEADERS: &'static str = "authorization,content-type,idempotency-key";
    const EXPOSE_HEADERS: &'static str =
        "location,retry-after,idempotent-replayed,www-authenticate";

    /// From a comma-separated list, e.g. `GATEWAY_CORS_ORIGINS=http://localhost:5173`.
    pub fn parse(list: &str) -> Self {
        Self {
            allowed_origins: list
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    fn allows(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == "*" || o == origin)
    }

    /// API Gateway answers a preflight itself, without calling a function.
    fn preflight(&self, origin: &str) -> AxumResponse {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if self.allows(origin) {
            let headers = response.headers_mut();
            insert(headers, "access-control-allow-origin", origin);
            insert(headers, "access-control-allow-methods", Self::ALLOW_METHODS);
            insert(headers, "access-control-allow-headers", Self::ALLOW_HEADERS);
            insert(headers, "access-control-max-age", "600");
        }
        response
    }

    fn decorate(&self, origin: &str, response: &mut AxumResponse) {
        if self.allows(origin) {
            let headers = response.headers_mut();
            insert(headers, "access-control-allow-origin", origin);
            insert(
                headers,
                "access-control-expose-headers",
                Self::EXPOSE_HEADERS,
            );
        }
    }
}

fn insert(headers: &mut axum::http::HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = axum::http::HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

pub fn router(api: Arc<LocalApi>) -> axum::Router {
    let mut router = axum::Router::new();
    if let Some(jwks) = api.dev_jwks.clone() {
        router = router.route(
            DEV_JWKS_PATH,
            axum::routing::get(move || async move { axum::Json(jwks) }),
        );
    }
    router.fallback(dispatch).with_state(api)
}

/// Serves until the listener fails or the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, api: Arc<LocalApi>) -> std::io::Result<()> {
    axum::serve(listener, router(api)).await
}

async fn dispatch(State(api): State<Arc<LocalApi>>, request: AxumRequest) -> AxumResponse {
    let origin = request
        .headers()
        .get("origin")
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        return route(&api, request).await;
    };
    if request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key("access-control-request-method")
    {
        return api.cors.preflight(&origin);
    }
    let mut response = route(&api, request).await;
    api.cors.decorate(&origin, &mut response);
    response
}

async fn route(api: &LocalApi, request: AxumRequest) -> AxumResponse {
    let (parts, body) = request.into_parts();
    let Some((route, params)) = Route::matching(&parts.method, parts.uri.path()) else {
        // What API Gateway answers for a route it does not have.
        return gateway_message(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(bytes) = to_bytes(body, GATEWAY_BODY_LIMIT).await else {
        return gateway_message(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
    };
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    };
    let query = parts.uri.query().map(QueryMap::from_str);
    let mut request = Request::from_parts(parts, body).with_path_parameters(params);
    if let Some(Ok(query)) = query {
        request = request.with_query_string_parameters(query);
    }
    let request = request.with_lambda_context(invocation_context(api.timeout));
    match invoke(&api.live, route, request).await {
        Ok(response) => into_axum(response),
        // A handler's Err is a failed invocation; API Gateway answers it with a bare 500.
        Err(error) => {
            tracing::error!(%error, "invocation failed");
            gateway_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// Runs the function of `route` on an API Gateway request, as Lambda would.
pub async fn invoke(
    live: &LiveServices,
    route: Route,
    request: Request,
) -> Result<Response<Body>, lambda_http::Error> {
    match route {
        Route::ListGroups => list_groups::handle(&live.services, request).await,
        Route::GetGroup => get_group::handle(&live.services, request).await,
        Route::CreateGroup => create_group::handle(live, request).await,
        Route::UpdateGroup => update_group::handle(live, request).await,
        Route::SyncGroups => sync_groups::handle(live, request).await,
        Route::GetGroupSync => get_group_sync::handle(&live.services, request).await,
        Route::ListGroupMembers => list_group_members::handle(&live.services, request).await,
        Route::AddGroupMembers => add_group_members::handle(live, request).await,
        Route::RemoveGroupMember => remove_group_member::handle(live, request).await,
        Route::PromoteGroupMember => promote_group_member::handle(live, request).await,
        Route::DemoteGroupMember => demote_group_member::handle(live, request).await,
        Route::GetGroupInvite => get_group_invite::handle(live, request).await,
        Route::ResetGroupInvite => reset_group_invite::handle(live, request).await,
    }
}

/// What Lambda tells a function about an invocation: a request id for the logs, and the
/// deadline the function's timeout sets.
fn invocation_context(timeout: std::time::Duration) -> Context {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let mut context = Context::default();
    context.request_id = format!("local-{}", gateway_auth::crypto::random_base62(12));
    context.deadline = now_ms + u64::try_from(timeout.as_millis()).unwrap_or(0);
    context
}

fn into_axum(response: Response<Body>) -> AxumResponse {
    let (parts, body) = response.into_parts();
    let body = match body {
        Body::Empty => AxumBody::empty(),
        Body::Text(text) => AxumBody::from(text),
        Body::Binary(bytes) => AxumBody::from(bytes),
        _ => AxumBody::empty(),
    };
    AxumResponse::from_parts(parts, body)
}

fn gateway_message(status: StatusCode, message: &str) -> AxumResponse {
    (
        status,
        axum::Json(serde_json::json!({ "message": message })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_like_api_gateway() {
        let (route, params) =
            Route::matching(&Method::GET, "/api/v1/sessions/demo/groups/1%40g.us").unwrap();
        assert_eq!(route, Route::GetGroup);
        assert_eq!(params["gid"], "1%40g.us");
        assert_eq!(params["session"], "demo");
        assert_eq!(
            Route::matching(&Method::GET, "/api/v1/sessions/demo/groups")
                .unwrap()
                .0,
            Route::ListGroups
        );
        assert_eq!(
            Route::matching(&Method::POST, "/api/v1/sessions/demo/groups")
                .unwrap()
                .0,
            Route::CreateGroup
        );
        assert_eq!(
            Route::matching(&Method::PATCH, "/api/v1/sessions/demo/groups/1@g.us")
                .unwrap()
                .0,
            Route::UpdateGroup
        );
        assert!(Route::matching(&Method::DELETE, "/api/v1/sessions/demo/groups").is_none());
        assert_eq!(
            Route::matching(&Method::GET, "/api/v1/sessions/demo/groups/sync")
                .unwrap()
                .0,
            Route::GetGroupSync,
            "the fixed route wins"
        );
        let (route, params) = Route::matching(
            &Method::POST,
            "/api/v1/sessions/demo/groups/1@g.us/members/62%40c.us/promote",
        )
        .unwrap();
        assert_eq!(
            (route, params["jid"].as_str()),
            (Route::PromoteGroupMember, "62%40c.us")
        );
        assert!(Route::matching(&Method::POST, "/api/v1/sessions/demo/groups/1@g.us").is_none());
        assert!(Route::matching(&Method::GET, "/api/v1/sessions//groups").is_none());
        assert!(Route::matching(&Method::GET, "/api/v1/sessions/demo/groups/").is_none());
        assert!(Route::matching(&Method::GET, "/api/v2/sessions/demo/groups").is_none());
    }
}
