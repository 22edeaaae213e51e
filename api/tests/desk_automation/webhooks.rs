//! Signed webhooks delivered to a local HTTP server, with retries and the delivery log.

use super::*;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use fieldpath_api::desk::webhooks::{sender, sign};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// A receiver on 127.0.0.1 that answers the queued statuses in turn (then 200) and keeps
/// every request.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

async fn receiver(statuses: Vec<u16>) -> Receiver {
    let seen: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let queue = Arc::new(Mutex::new(statuses));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            let queue = queue.clone();
            async move {
                log.lock().expect("log").push((headers, body));
                let mut q = queue.lock().expect("queue");
                let code = if q.is_empty() { 200 } else { q.remove(0) };
                StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
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
    Receiver {
        url: format!("http://{addr}/hook"),
        seen,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_retried_and_logged() {
    let (app, org) = setup().await;
    let rx = receiver(vec![500]).await;
    let secret = "s3cret-s3cret-s3cret";
    let sub = app
        .post("/api/v1/webhooks", &org.admin, json!({"url": rx.url, "events": ["ticket.created", "workorder.completed"], "secret": secret}))
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
    assert_eq!(sub.body["secret"], secret);
    let listed = app.get("/api/v1/webhooks", &org.admin).await;
    assert!(
        listed.body["items"][0].get("secret").is_none(),
        "secrets are shown once"
    );

    let t = ticket(&app, &org.agent, json!({"subject": "Hook me"})).await;
    let client = sender::client();
    let now = Utc::now().trunc_subsecs(6);
    assert_eq!(
        sender::deliver_due(&app.pool, &client, Some(org.id), now)
            .await
            .expect("send"),
        1
    );
    let log_uri = format!("/api/v1/webhooks/{}/deliveries", sub.id());
    let log = app.get(&log_uri, &org.admin).await;
    let d = &log.body["items"][0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("pending"), Some(1))
    );
    assert_eq!(d["last_status_code"], 500);
    assert_eq!(d["last_error"], "HTTP 500");
    let next: DateTime<Utc> = d["next_attempt_at"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("next");
    assert_eq!(next, now + sender::backoff(1));
    // Not due yet.
    assert_eq!(
        sender::deliver_due(&app.pool, &client, Some(org.id), now)
            .await
            .expect("send"),
        0
    );
    assert_eq!(
        sender::deliver_due(
            &app.pool,
            &client,
            Some(org.id),
            next + Duration::seconds(1)
        )
        .await
        .expect("send"),
        1
    );
    let log = app.get(&log_uri, &org.admin).await;
    let d = &log.body["items"][0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );
    assert_eq!(d["last_status_code"], 200);
    assert!(d["delivered_at"].is_string());

    let seen = rx.seen.lock().expect("seen").clone();
    assert_eq!(seen.len(), 2);
    for (headers, body) in &seen {
        let h = |k: &str| {
            headers
                .get(k)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let ts: i64 = h(sign::TIMESTAMP_HEADER).parse().expect("timestamp");
        assert!(sign::verify(
            secret,
            ts,
            body.as_bytes(),
            &h(sign::SIGNATURE_HEADER)
        ));
        assert!(!sign::verify(
            "wrong-secret-123456",
            ts,
            body.as_bytes(),
            &h(sign::SIGNATURE_HEADER)
        ));
        assert_eq!(h(sign::EVENT_HEADER), "ticket.created");
        assert_eq!(
            h(sign::DELIVERY_HEADER),
            d["id"].as_str().unwrap_or_default()
        );
        let payload: Value = serde_json::from_str(body).expect("json");
        assert_eq!(payload["event"], "ticket.created");
        assert_eq!(payload["data"]["ticket"]["id"], t["id"]);
    }

    // A work order moving to completed is announced once.
    let records = app.records(&org).await;
    for to in ["scheduled", "dispatched", "in_progress", "completed"] {
        let r = app
            .post(
                &format!("/api/v1/work-orders/{}/transition", records.work_order),
                &org.admin,
                json!({"to": to}),
            )
            .await;
        if r.status != StatusCode::OK {
            // Some steps belong to other roles (technicians start and finish visits).
            let r = app
                .post(
                    &format!("/api/v1/work-orders/{}/transition", records.work_order),
                    &org.technician,
                    json!({"to": to}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{to}: {}", r.body);
        }
    }
    let (events,): (Vec<String>,) = sqlx::query_as(
        "SELECT array_agg(event ORDER BY created_at) FROM webhook_deliveries WHERE org_id = $1",
    )
    .bind(org.id)
    .fetch_one(&app.pool)
    .await
    .expect("events");
    assert_eq!(events, ["ticket.created", "workorder.completed"]);
}
