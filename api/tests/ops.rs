//! Health, readiness, metrics, OpenAPI and docs, and JSON errors for routing failures.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_endpoints() {
    let app = TestApp::new().await;
    let health = app.send(Method::GET, "/health", None, None, &[]).await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let ready = app.send(Method::GET, "/ready", None, None, &[]).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);

    let org = app.org().await;
    app.get("/api/v1/work-orders", &org.dispatcher).await;
    let metrics = app.send(Method::GET, "/metrics", None, None, &[]).await;
    let text = String::from_utf8_lossy(&metrics.bytes);
    assert!(
        text.contains("fieldpath_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("route=\"/api/v1/work-orders\""), "{text}");

    let spec = app
        .send(Method::GET, "/api/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body["openapi"]
        .as_str()
        .unwrap_or_default()
        .starts_with("3.1"));
    assert!(
        spec.body["paths"]["/api/v1/work-orders/{id}"]["patch"].is_object(),
        "{}",
        spec.body["paths"]
    );
    assert!(spec.body["paths"]["/api/v1/auth/login"]["post"].is_object());
    let docs = app.send(Method::GET, "/api/v1/docs", None, None, &[]).await;
    assert_eq!(docs.status, StatusCode::OK);
    let html = String::from_utf8_lossy(&docs.bytes);
    assert!(
        html.contains("/api/v1/openapi.json") && !html.contains("cdn"),
        "docs page must not need a CDN"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_failures_are_json() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let r = app
        .send(Method::GET, "/api/v1/nothing-here", None, None, &[])
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app
        .send(
            Method::DELETE,
            "/api/v1/work-orders",
            Some(&org.admin),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
    let r = app
        .raw(
            Request::builder()
                .method("POST")
                .uri("/api/v1/customers")
                .header("authorization", format!("Bearer {}", org.admin))
                .header("content-type", "application/json")
                .body(Body::from("{\"name\": "))
                .expect("req"),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );
    let r = app
        .raw(
            Request::builder()
                .method("POST")
                .uri("/api/v1/customers")
                .header("authorization", format!("Bearer {}", org.admin))
                .body(Body::from("name=x"))
                .expect("req"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = app
        .post("/api/v1/customers", &org.admin, serde_json::json!([1, 2]))
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "body")
    );
}
