//! Browsers: the local API answers CORS as the HttpApi's CorsConfiguration does.

use crate::support::spawn_app;

const ALLOWED: &str = "http://app.example.test";

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_lists_methods_and_headers() {
    let app = spawn_app().await;
    let response = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/sessions/s1/groups", app.base),
        )
        .header("origin", ALLOWED)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ALLOWED);
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("PATCH")
    );
    let allowed = headers["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("authorization") && allowed.contains("idempotency-key"));
}

#[tokio::test]
async fn responses_to_an_allowed_origin_expose_the_api_headers() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(format!("{}/api/v1/sessions/s1/groups", app.base))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["access-control-allow-origin"], ALLOWED);
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("location") && exposed.contains("idempotent-replayed"));
}

#[tokio::test]
async fn other_origins_get_no_cors_headers() {
    let app = spawn_app().await;
    let response = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/sessions/s1/groups", app.base),
        )
        .header("origin", "https://evil.example.test")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
