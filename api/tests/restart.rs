//! The service keeps serving across a PostgreSQL restart: 503 JSON while the database is
//! down, normal answers again once it is back, without restarting the service. Needs the
//! private cluster of scripts/pg.sh (FIELDPATH_PG_SCRIPT); skipped with a note otherwise.
//! Alone in its own test binary so that no other test runs while the database is down.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use std::process::Command;
use std::time::{Duration, Instant};

fn pg(script: &str, action: &str) {
    let status = Command::new("bash")
        .arg(script)
        .arg(action)
        .status()
        .expect("run pg.sh");
    assert!(status.success(), "pg.sh {action} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survives_a_database_restart() {
    let Ok(script) = std::env::var("FIELDPATH_PG_SCRIPT") else {
        eprintln!("SKIPPED survives_a_database_restart: the database is external (no FIELDPATH_PG_SCRIPT from scripts/pg.sh)");
        return;
    };
    let app = TestApp::with_config(|c| c.acquire_timeout = Duration::from_secs(1)).await;
    let org = app.org().await;
    assert_eq!(
        app.get("/api/v1/work-orders", &org.dispatcher).await.status,
        StatusCode::OK
    );

    let script2 = script.clone();
    tokio::task::spawn_blocking(move || pg(&script2, "stop"))
        .await
        .expect("join");
    let started = Instant::now();
    let down = app.get("/api/v1/work-orders", &org.dispatcher).await;
    assert_eq!(
        (down.status, down.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
        "{}",
        down.body
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a request waited too long: {:?}",
        started.elapsed()
    );
    let ready = app.send(Method::GET, "/ready", None, None, &[]).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.code(), "service_unavailable");
    let health = app.send(Method::GET, "/health", None, None, &[]).await;
    assert_eq!(
        health.status,
        StatusCode::OK,
        "the process itself stays healthy"
    );

    tokio::task::spawn_blocking(move || pg(&script, "start"))
        .await
        .expect("join");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = app.send(Method::GET, "/ready", None, None, &[]).await;
        if ready.status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not ready 30 s after the restart: {}",
            ready.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = app.get("/api/v1/work-orders", &org.dispatcher).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
}
