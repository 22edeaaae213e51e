//! The scenario queue on a real PostgreSQL (DATABASE_URL, e.g. from scripts/pg.sh):
//! several workers run every job exactly once, a crashed worker's job is picked up again
//! after its lease expires, cancelling works for queued and running jobs, and a real
//! scenario runs through the queue. Each test uses its own organisation.

use fieldpath_api::queue::worker::{scenario_runner, work, RunContext, Runner, WorkerOptions};
use fieldpath_api::queue::{Claimed, Queue};
use fieldpath_api::scenario::Travel;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn database_url() -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "DATABASE_URL is not set: the queue tests need PostgreSQL. Run \
             `. scripts/pg.sh && fieldpath_pg_start` (or ./scripts/test.sh) first."
        ),
    }
}

async fn setup() -> (PgPool, Uuid) {
    let pool = PgPoolOptions::new()
        .max_connections(12)
        .connect(&database_url())
        .await
        .expect("PostgreSQL reachable at DATABASE_URL");
    fieldpath_api::db::migrate(&pool).await.expect("migrations");
    let slug = format!("queue-{}", Uuid::new_v4().simple());
    let org = fieldpath_api::db::orgs::create(&pool, "Queue test", &slug)
        .await
        .expect("organisation");
    (pool, org)
}

fn options(id: &str, org: Uuid) -> WorkerOptions {
    let mut o = WorkerOptions::new(id);
    o.poll = Duration::from_millis(50);
    o.heartbeat = Duration::from_millis(100);
    o.org = Some(org);
    o
}

async fn wait_for(queue: &Queue, org: Uuid, id: Uuid, status: &str, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        let s = queue
            .status(org, id, true)
            .await
            .expect("status")
            .expect("run exists");
        if s.status == status {
            return serde_json::to_value(s).expect("json");
        }
        assert!(
            started.elapsed() < limit,
            "run {id} still {} after {limit:?}",
            s.status
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A runner that counts its runs per run id.
fn counting(counts: Arc<Mutex<HashMap<Uuid, usize>>>) -> Runner {
    Arc::new(move |claim: &Claimed, _ctx: &RunContext| {
        *counts.lock().expect("lock").entry(claim.id).or_default() += 1;
        std::thread::sleep(Duration::from_millis(20));
        Ok(json!({ "n": claim.scenario["n"] }))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_workers_run_each_job_exactly_once() {
    let (pool, org) = setup().await;
    let queue = Queue::new(pool, Duration::from_secs(10));
    let mut ids = Vec::new();
    for n in 0..40 {
        ids.push(
            queue
                .enqueue(org, "job", &json!({ "n": n }), &json!({}), None)
                .await
                .expect("enqueue"),
        );
    }
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let workers: Vec<WorkerOptions> = (1..=3).map(|i| options(&format!("w{i}"), org)).collect();
    let mut handles = Vec::new();
    for o in workers.clone() {
        let (queue, runner) = (queue.clone(), counting(counts.clone()));
        handles.push(tokio::spawn(async move { work(&queue, runner, &o).await }));
    }
    for id in &ids {
        wait_for(&queue, org, *id, "succeeded", Duration::from_secs(60)).await;
    }
    for o in &workers {
        o.stop.store(true, Ordering::Relaxed);
    }
    let mut handled = 0;
    for h in handles {
        handled += h.await.expect("worker task");
    }
    assert_eq!(handled, 40);
    {
        let counts = counts.lock().expect("lock");
        assert_eq!(counts.len(), 40);
        assert!(counts.values().all(|&c| c == 1), "{counts:?}");
    }
    for (n, id) in ids.iter().enumerate() {
        let s = queue
            .status(org, *id, true)
            .await
            .expect("status")
            .expect("run");
        assert_eq!(s.result, Some(json!({ "n": n })));
        assert_eq!(s.attempts, 1);
        assert_eq!(s.progress, 1.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crashed_workers_job_is_picked_up_again_after_its_lease() {
    let (pool, org) = setup().await;
    let short = Queue::new(pool.clone(), Duration::from_millis(700));
    let id = short
        .enqueue(org, "crash", &json!({ "n": 7 }), &json!({}), None)
        .await
        .expect("enqueue");
    // The "crashed" worker: claims, then disappears without heartbeat or completion.
    let ghost = short
        .claim("ghost", Some(org))
        .await
        .expect("claim")
        .expect("a run");
    assert_eq!(ghost.id, id);
    assert!(
        short
            .claim("other", Some(org))
            .await
            .expect("claim")
            .is_none(),
        "leased run is not claimable"
    );
    let counts = Arc::new(Mutex::new(HashMap::new()));
    let mut o = options("survivor", org);
    o.max_runs = Some(1);
    let (q, runner) = (short.clone(), counting(counts.clone()));
    let worker = tokio::spawn(async move { work(&q, runner, &o).await });
    let done = wait_for(&short, org, id, "succeeded", Duration::from_secs(30)).await;
    assert_eq!(worker.await.expect("worker"), 1);
    assert_eq!(done["attempts"], 2);
    assert_eq!(done["worker_id"], "survivor");
    assert_eq!(counts.lock().expect("lock").get(&id), Some(&1));
    // The ghost coming back cannot overwrite the outcome.
    assert!(!short
        .complete(&ghost, &json!("late"))
        .await
        .expect("update"));
    assert_eq!(
        short
            .status(org, id, true)
            .await
            .expect("status")
            .expect("run")
            .result,
        Some(json!({ "n": 7 }))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_stops_queued_and_running_jobs_of_the_own_organisation_only() {
    let (pool, org) = setup().await;
    let queue = Queue::new(pool.clone(), Duration::from_secs(10));
    // Queued: cancelled at once; another organisation cannot see or cancel it.
    let queued = queue
        .enqueue(org, "queued", &json!({}), &json!({}), None)
        .await
        .expect("enqueue");
    let (_, other) = setup().await;
    assert!(queue.cancel(other, queued).await.expect("cancel").is_none());
    let s = queue
        .cancel(org, queued)
        .await
        .expect("cancel")
        .expect("run");
    assert_eq!(s.status, "cancelled");

    // Running: the worker passes the flag to the runner at its next heartbeat.
    let id = queue
        .enqueue(org, "long", &json!({}), &json!({}), None)
        .await
        .expect("enqueue");
    let saw_cancel = Arc::new(Mutex::new(false));
    let flag = saw_cancel.clone();
    let runner: Runner = Arc::new(move |_c: &Claimed, ctx: &RunContext| {
        let started = Instant::now();
        while !ctx.cancelled() && started.elapsed() < Duration::from_secs(30) {
            ctx.report(0.5, "working");
            std::thread::sleep(Duration::from_millis(20));
        }
        *flag.lock().expect("lock") = ctx.cancelled();
        Ok(json!("partial"))
    });
    let mut o = options("w", org);
    o.max_runs = Some(1);
    let q = queue.clone();
    let worker = tokio::spawn(async move { work(&q, runner, &o).await });
    let started = Instant::now();
    loop {
        let s = queue
            .status(org, id, false)
            .await
            .expect("status")
            .expect("run");
        if s.status == "running" && s.progress > 0.0 {
            assert_eq!(s.progress_note, "working");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never reported progress"
        );
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let s = queue.cancel(org, id).await.expect("cancel").expect("run");
    assert!(s.cancel_requested);
    wait_for(&queue, org, id, "cancelled", Duration::from_secs(20)).await;
    worker.await.expect("worker");
    assert!(*saw_cancel.lock().expect("lock"));
    let list = queue.list(org, 10).await.expect("list");
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|r| r.status == "cancelled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scenario_runs_through_the_queue_and_stores_its_report() {
    let (pool, org) = setup().await;
    let queue = Queue::new(pool, Duration::from_secs(10));
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let text =
        std::fs::read_to_string(root.join("data/scenarios/monaco-week.json")).expect("example");
    let mut scenario: Value = serde_json::from_str(&text).expect("json");
    scenario["variants"] = json!([]);
    let (graph, _) = routing_graph::RoadGraph::from_pbf(
        root.join("data/osm/monaco.osm.pbf"),
        &routing_graph::ImportOptions::default(),
    )
    .expect("monaco");
    let travel = Travel {
        estimator: Arc::new(graph),
        warnings: Vec::new(),
    };
    let id = queue
        .enqueue(
            org,
            "monaco",
            &scenario,
            &json!({ "seconds": 0.5, "seed": 3 }),
            None,
        )
        .await
        .expect("enqueue");
    let bad = queue
        .enqueue(
            org,
            "bad",
            &json!({ "horizon": {"start": "2025-03-03", "days": 1}, "technicians": [], "oops": 1 }),
            &json!({}),
            None,
        )
        .await
        .expect("enqueue");
    let mut o = options("scenario-worker", org);
    o.max_runs = Some(2);
    let q = queue.clone();
    let worker = tokio::spawn(async move { work(&q, scenario_runner(Some(travel), 1), &o).await });
    let done = wait_for(&queue, org, id, "succeeded", Duration::from_secs(60)).await;
    let failed = wait_for(&queue, org, bad, "failed", Duration::from_secs(60)).await;
    worker.await.expect("worker");
    let plans = done["result"]["plans"].as_array().expect("plans");
    assert_eq!(plans.len(), 2);
    assert!(plans.iter().all(|p| p["checked"] == true));
    assert!(
        failed["error"].as_str().is_some_and(|e| e.contains("oops")),
        "{failed}"
    );
}
