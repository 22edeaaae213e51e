//! `/api/v1/scenarios`: enqueue (bad scenarios rejected with the field named), status,
//! cancel, per organisation and for planners only.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

fn example() -> Value {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let text =
        std::fs::read_to_string(root.join("data/scenarios/monaco-week.json")).expect("example");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_status_and_cancel() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let other = app.org().await;

    let bad = app
        .post("/api/v1/scenarios", &org.dispatcher, json!({"scenario": {"horizon": {"start": "2025-03-03", "days": "x"}, "technicians": []}}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`days`")),
        "{}",
        bad.body
    );

    let r = app
        .post(
            "/api/v1/scenarios",
            &org.dispatcher,
            json!({"name": "week", "scenario": example(), "seconds": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["status"], "queued");
    let id = r.id();

    let forbidden = app
        .post(
            "/api/v1/scenarios",
            &org.technician,
            json!({"scenario": example()}),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    let uri = format!("/api/v1/scenarios/{id}");
    assert_eq!(
        app.get(&uri, &other.dispatcher).await.status,
        StatusCode::NOT_FOUND
    );
    let s = app.get(&uri, &org.dispatcher).await;
    assert_eq!(
        (s.status, s.body["name"].as_str()),
        (StatusCode::OK, Some("week"))
    );
    let list = app.get("/api/v1/scenarios", &org.dispatcher).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));

    let c = app.delete(&uri, &org.dispatcher, "").await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["status"], "cancelled");
}
