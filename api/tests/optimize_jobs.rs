//! Asynchronous optimisation jobs kept in Postgres: a job is read back by a new service
//! instance (new `AppState` and router on the same database), a job whose process died is
//! failed as `interrupted` instead of vanishing, late writes of a dead runner are refused,
//! cancels reach runners in other processes, and everything is tenant-scoped.
//! (Completion with a checker-validated answer and cancelling a running search are in
//! `optimize.rs`.)

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fieldpath_api::planning::job_store::{self, Outcome, Status};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn matrix_input() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/vroom_matrix.json"
    ))
    .expect("fixture");
    let mut input: Value = serde_json::from_str(&text).expect("json");
    input["options"] = json!({"seconds": 0.3, "seed": 7});
    input
}

async fn poll(app: &TestApp, uri: &str, token: &str, until: &[&str]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let res = app.get(uri, token).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        if until.contains(&res.body["status"].as_str().unwrap_or_default()) {
            return res.body;
        }
        assert!(Instant::now() < deadline, "job stuck: {}", res.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Records a job as if another process (`runner`) had accepted it, its last heartbeat
/// `age_secs` ago.
async fn foreign_job(app: &TestApp, org: Uuid, status: &str, runner: Uuid, age_secs: f64) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO optimize_jobs (org_id, id, status, input, runner, heartbeat_at, started_at) \
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(secs => $6), \
                 CASE WHEN $3 = 'running' THEN now() END)",
    )
    .bind(org)
    .bind(id)
    .bind(status)
    .bind(matrix_input())
    .bind(runner)
    .bind(age_secs)
    .execute(&app.pool)
    .await
    .expect("insert job");
    id
}

async fn stored_status(app: &TestApp, org: Uuid, id: Uuid) -> (String, bool) {
    sqlx::query_as(
        "SELECT status, cancel_requested FROM optimize_jobs WHERE org_id = $1 AND id = $2",
    )
    .bind(org)
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("job row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_job_is_answered_by_a_restarted_service() {
    let first = TestApp::new().await;
    let org = first.org().await;
    let input = matrix_input();
    let res = first
        .post("/api/v1/optimize/jobs", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    let uri = format!("/api/v1/optimize/jobs/{}", res.id());
    let done = poll(&first, &uri, &org.dispatcher, &["completed", "failed"]).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["code"], 0, "{done}");
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());

    // The request (as parsed) is kept with the job.
    let stored: (Value,) =
        sqlx::query_as("SELECT input FROM optimize_jobs WHERE org_id = $1 AND id = $2")
            .bind(org.id)
            .bind(Uuid::parse_str(&res.id()).expect("uuid"))
            .fetch_one(&first.pool)
            .await
            .expect("row");
    let ids = |v: &Value| -> Vec<Value> {
        v["jobs"]
            .as_array()
            .expect("jobs")
            .iter()
            .map(|j| j["id"].clone())
            .collect()
    };
    assert_eq!(ids(&stored.0), ids(&input));
    assert_eq!(stored.0["vehicles"][1]["costs"]["fixed"], 100.0);

    // A new service instance on the same database answers the same job.
    drop(first);
    let second = TestApp::new().await;
    let again = second.get(&uri, &org.dispatcher).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body, done);
    // ... and only to its organisation.
    let other = second.org().await;
    assert_eq!(
        second.get(&uri, &other.dispatcher).await.status,
        StatusCode::NOT_FOUND
    );
    let res = second
        .send(Method::DELETE, &uri, Some(&other.admin), None, &[])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Cancelling a finished job leaves it as it is.
    let res = second
        .send(Method::DELETE, &uri, Some(&org.dispatcher), None, &[])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["status"], "completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_process_died_is_failed_as_interrupted() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let dead_runner = Uuid::new_v4();
    let lost = foreign_job(&app, org.id, "running", dead_runner, 120.0).await;
    let alive = foreign_job(&app, org.id, "running", Uuid::new_v4(), 0.0).await;

    // Reading the lost job reports (and records) it as interrupted.
    let uri = format!("/api/v1/optimize/jobs/{lost}");
    let other = app.org().await;
    assert_eq!(
        app.get(&uri, &other.dispatcher).await.status,
        StatusCode::NOT_FOUND
    );
    let res = app.get(&uri, &org.dispatcher).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["status"], "failed", "{}", res.body);
    assert_eq!(res.body["error"]["code"], "interrupted");
    assert!(res.body["finished_at"].is_string());
    assert_eq!(stored_status(&app, org.id, lost).await.0, "failed");

    // A job whose runner still renews its heartbeat is left running.
    let res = app
        .get(&format!("/api/v1/optimize/jobs/{alive}"), &org.dispatcher)
        .await;
    assert_eq!(res.body["status"], "running", "{}", res.body);

    // The dead runner cannot overwrite the verdict afterwards.
    let late = Outcome {
        status: Status::Completed,
        progress: json!({"fraction": 1.0}),
        result: Some(json!({"code": 0})),
        error: None,
    };
    let written = job_store::finish(&app.pool, org.id, lost, dead_runner, &late)
        .await
        .expect("finish");
    assert!(!written);
    assert_eq!(stored_status(&app, org.id, lost).await.0, "failed");
    assert_eq!(
        job_store::heartbeat(&app.pool, org.id, lost, dead_runner, None)
            .await
            .expect("heartbeat"),
        None,
        "the runner learns the job is no longer its own"
    );

    // The sweeper (run by `fieldpath serve`) fails lost jobs nobody reads, queued ones too.
    let queued = foreign_job(&app, org.id, "queued", Uuid::new_v4(), 120.0).await;
    let swept = job_store::sweep(&app.pool).await.expect("sweep");
    assert!(swept >= 1);
    assert_eq!(stored_status(&app, org.id, queued).await.0, "failed");
    assert_eq!(stored_status(&app, org.id, alive).await.0, "running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancels_reach_jobs_run_by_another_process() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let runner = Uuid::new_v4();
    // Queued elsewhere: cancelled at once.
    let queued = foreign_job(&app, org.id, "queued", runner, 0.0).await;
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/optimize/jobs/{queued}"),
            Some(&org.dispatcher),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["status"], "cancelled");
    assert!(res.body["finished_at"].is_string());
    // Running elsewhere: the request is recorded and handed to the runner's next heartbeat,
    // which stops its solver.
    let running = foreign_job(&app, org.id, "running", runner, 0.0).await;
    let other = app.org().await;
    let uri = format!("/api/v1/optimize/jobs/{running}");
    let res = app
        .send(Method::DELETE, &uri, Some(&other.dispatcher), None, &[])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stored_status(&app, org.id, running).await,
        ("running".to_string(), false)
    );
    let res = app
        .send(Method::DELETE, &uri, Some(&org.dispatcher), None, &[])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        stored_status(&app, org.id, running).await,
        ("running".to_string(), true)
    );
    let told = job_store::heartbeat(&app.pool, org.id, running, runner, None)
        .await
        .expect("heartbeat");
    assert_eq!(told, Some(true));
    // Technicians may not touch jobs.
    assert_eq!(
        app.send(Method::DELETE, &uri, Some(&org.technician), None, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
