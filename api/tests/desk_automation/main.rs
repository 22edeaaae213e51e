//! Help-desk automation on the real Postgres: event rules (assign, tags, template replies),
//! condition mismatches, the loop guard, round-robin / least-load / skill assignment, dry
//! runs that change nothing, macros with placeholders, the SLA sweeper at a fixed "now",
//! signed webhooks delivered to a local HTTP server with retry, tenant isolation and errors.
//!
//! One test binary, one file per area: `rules` (event rules, assignment, dry runs, macros),
//! `sla` (sweeper, calendars and policies), `webhooks`, `access` (roles, validation, tenants).

#[path = "../common/mod.rs"]
mod common;

mod access;
mod rules;
mod sla;
mod webhooks;

use axum::http::StatusCode;
use common::{Org, TestApp};
use serde_json::Value;

async fn setup() -> (TestApp, Org) {
    let app = TestApp::new().await;
    let org = app.org().await;
    (app, org)
}

async fn rule(app: &TestApp, org: &Org, body: Value) -> String {
    let r = app.post("/api/v1/automation/rules", &org.admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

async fn ticket(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/tickets", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn messages(app: &TestApp, org: &Org, id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/tickets/{id}/messages"), &org.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn notifications(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/notifications", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}
