//! Help-desk steps shared by the desk tests: a fresh app with one organisation, opening a
//! ticket, resolving one.

use super::{Org, Resp, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// A new app on the test database with one fresh organisation.
pub async fn setup() -> (TestApp, Org) {
    let app = TestApp::new().await;
    let org = app.org().await;
    (app, org)
}

/// Opens a ticket as `token`'s user; fails the test unless it is created.
pub async fn ticket(app: &TestApp, token: &str, body: Value) -> Resp {
    let r = app.post("/api/v1/tickets", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r
}

/// Moves ticket `id` to `resolved` as the organisation's agent, with the current ETag.
pub async fn resolve(app: &TestApp, org: &Org, id: &str) {
    let uri = format!("/api/v1/tickets/{id}");
    let etag = app.get(&uri, &org.agent).await.etag();
    let r = app
        .patch(&uri, &org.agent, &etag, json!({"status": "resolved"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
