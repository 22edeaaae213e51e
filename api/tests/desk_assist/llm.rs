//! The optional LLM draft: off by default, and a fake OpenAI-compatible server on loopback.

use super::common::TestApp;
use super::*;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// What the fake LLM server saw.
#[derive(Default)]
struct Seen {
    auth: Option<String>,
    body: Value,
}

/// A fake OpenAI-compatible server on loopback: answers `reply` or fails with 500.
async fn fake_llm(fail: bool) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = seen.clone();
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let state = state.clone();
            async move {
                if let Ok(mut s) = state.lock() {
                    s.auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
                    s.body = body.clone();
                }
                if fail {
                    return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "boom"})));
                }
                (StatusCode::OK, Json(json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": "fake-model-1",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": "  Dear customer, a technician will call you.  "}}]
                })))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/v1"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_draft_is_off_by_default_and_uses_the_configured_endpoint() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let id = new_ticket(
        &app,
        &org.agent,
        "Boiler error F28",
        "No hot water since Monday.",
    )
    .await;
    let draft = format!("/api/v1/tickets/{id}/assist/draft");

    let r = app.post(&draft, &org.agent, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED, "{}", r.body);
    assert_eq!(r.code(), "assist_llm_not_configured");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("assist LLM not configured"));

    let r = app.get("/api/v1/assist/settings", &org.admin).await;
    assert_eq!(
        (r.body["source"].as_str(), r.body["llm_url"].is_null()),
        (Some("off"), true)
    );
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.agent),
            Some(json!({"llm_url": "http://127.0.0.1:9/v1"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.admin),
            Some(json!({"llm_url": "ftp://example"})),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "llm_url")
    );

    let (url, seen) = fake_llm(false).await;
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.admin),
            Some(json!({"llm_url": url, "llm_model": "fake-model", "llm_api_key": "sk-test-123"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["source"].as_str(),
            r.body["llm_api_key_set"].as_bool()
        ),
        (Some("organisation"), Some(true))
    );
    assert!(
        !r.body.to_string().contains("sk-test-123"),
        "the key is never answered"
    );

    let r = app
        .post(
            &draft,
            &org.agent,
            json!({"kind": "reply", "instructions": "Offer a visit on Friday."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["text"], "Dear customer, a technician will call you.");
    assert_eq!(r.body["model"], "fake-model-1");
    {
        let s = seen.lock().expect("seen");
        assert_eq!(s.auth.as_deref(), Some("Bearer sk-test-123"));
        assert_eq!(s.body["model"], "fake-model");
        let user = s.body["messages"][1]["content"]
            .as_str()
            .unwrap_or_default();
        assert!(
            user.contains("Boiler error F28") && user.contains("No hot water since Monday."),
            "{user}"
        );
        assert!(user.contains("Offer a visit on Friday."), "{user}");
    }
    let r = app
        .get(&format!("/api/v1/tickets/{id}/assist"), &org.agent)
        .await;
    assert_eq!(r.body["llm"]["configured"], true);
    let r = app.post(&draft, &org.agent, json!({"kind": "poem"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // A failing endpoint is a 502 with a clear code, not a 500.
    let (bad, _) = fake_llm(true).await;
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.admin),
            Some(json!({"llm_url": bad})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["llm_api_key_set"], true,
        "the stored key is kept when not sent"
    );
    let r = app
        .post(&draft, &org.agent, json!({"kind": "summary"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert_eq!(r.code(), "assist_llm_failed");

    // Other organisations stay off.
    let other = app.org().await;
    let own = new_ticket(&app, &other.agent, "Hello", "World").await;
    let r = app
        .post(
            &format!("/api/v1/tickets/{own}/assist/draft"),
            &other.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
}
