//! Scenarios copied from an organisation's records (`POST /api/v1/scenarios` with
//! `from_records`): exactly the range's open work orders and the active technicians, the
//! edits as a what-if variant, the plan in force as its own column (measured like the
//! others), the CSV report, tenant isolation and 401/403/409/422.

mod common;

use axum::http::StatusCode;
use common::{Org, TestApp};
use fieldpath_api::queue::worker::{scenario_runner, work, WorkerOptions};
use fieldpath_api::queue::Queue;
use routing_graph::{Coord, StraightLine, TravelEstimator};
use serde_json::{json, Value};
use std::time::Duration;

/// Records: Ana (hvac 2; 08–12 and 13–17 on weekdays), Ben (electrical; Monday only, off
/// on Tuesday by time off), Cid (inactive); three open work orders on Monday 2030-03-04 and
/// Tuesday, one on Thursday (outside the range), one cancelled; WO 1 assigned to Ana.
struct Setup {
    numbers: Vec<String>,
    outside: String,
}

async fn create(app: &TestApp, org: &Org, path: &str, body: Value) -> Value {
    let r = app.post(path, &org.dispatcher, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
    r.body
}

async fn setup(app: &TestApp, org: &Org) -> Setup {
    let site = create(
        app,
        org,
        "/api/v1/sites",
        json!({"name": "Casino", "lat": 43.7396, "lon": 7.4277}),
    )
    .await;
    let site2 = create(
        app,
        org,
        "/api/v1/sites",
        json!({"name": "Port", "lat": 43.7350, "lon": 7.4210}),
    )
    .await;
    let week = |iv: Value| json!({"mon": iv, "tue": iv, "wed": iv, "thu": iv, "fri": iv});
    let ana = create(app, org, "/api/v1/technicians", json!({"name": "Ana", "home_lat": 43.7300, "home_lon": 7.4150,
        "skills": [{"skill": "hvac", "level": 2}], "max_jobs_per_day": 6,
        "working_hours": week(json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]))})).await;
    create(app, org, "/api/v1/technicians", json!({"name": "Ben", "home_lat": 43.7420, "home_lon": 7.4290,
        "skills": [{"skill": "electrical", "level": 1}],
        "working_hours": {"mon": [{"start": "08:00", "end": "17:00"}], "tue": [{"start": "08:00", "end": "17:00"}]},
        "time_off": [{"start": "2030-03-05T00:00:00Z", "end": "2030-03-06T00:00:00Z"}]})).await;
    create(
        app,
        org,
        "/api/v1/technicians",
        json!({"name": "Cid", "home_lat": 43.74, "home_lon": 7.42, "active": false,
        "working_hours": week(json!([{"start": "08:00", "end": "17:00"}]))}),
    )
    .await;

    let wo = |site: &Value, day: &str, from: &str, to: &str, skill: Value| {
        json!({"title": "Visit", "site_id": site["id"], "priority": "high", "estimated_duration_min": 45,
            "window_start": format!("{day}T{from}:00Z"), "window_end": format!("{day}T{to}:00Z"),
            "required_skills": skill})
    };
    let hvac = json!([{"skill": "hvac", "level": 2}]);
    let mut numbers = Vec::new();
    let w1 = create(
        app,
        org,
        "/api/v1/work-orders",
        wo(&site, "2030-03-04", "08:00", "12:00", hvac.clone()),
    )
    .await;
    numbers.push(w1["number"].as_str().unwrap_or_default().to_string());
    for (s, day, skill) in [
        (
            &site2,
            "2030-03-04",
            json!([{"skill": "electrical", "level": 1}]),
        ),
        (&site, "2030-03-05", hvac.clone()),
    ] {
        let w = create(
            app,
            org,
            "/api/v1/work-orders",
            wo(s, day, "09:00", "15:00", skill),
        )
        .await;
        numbers.push(w["number"].as_str().unwrap_or_default().to_string());
    }
    let out = create(
        app,
        org,
        "/api/v1/work-orders",
        wo(&site, "2030-03-07", "09:00", "15:00", hvac.clone()),
    )
    .await;
    let cancelled = create(
        app,
        org,
        "/api/v1/work-orders",
        wo(&site, "2030-03-04", "09:00", "15:00", hvac),
    )
    .await;
    let c = app
        .patch(
            &format!(
                "/api/v1/work-orders/{}",
                cancelled["id"].as_str().unwrap_or_default()
            ),
            &org.dispatcher,
            "\"1\"",
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    create(
        app,
        org,
        "/api/v1/assignments",
        json!({"work_order_id": w1["id"], "technician_id": ana["id"],
        "planned_start": "2030-03-04T09:00:00Z", "planned_end": "2030-03-04T09:45:00Z"}),
    )
    .await;
    Setup {
        numbers,
        outside: out["number"].as_str().unwrap_or_default().to_string(),
    }
}

fn body(edits: Value) -> Value {
    json!({"name": "what if Ben leaves", "from_records": {"start": "2030-03-04", "end": "2030-03-05"},
        "edits": edits, "seconds": 0.3, "seed": 7})
}

/// Runs the organisation's queued runs in this process.
async fn run_queue(app: &TestApp, org: &Org, runs: usize) {
    let queue = Queue::new(app.pool.clone(), Duration::from_secs(30));
    let mut options = WorkerOptions::new("test-worker");
    options.org = Some(org.id);
    options.max_runs = Some(runs);
    options.poll = Duration::from_millis(20);
    options.heartbeat = Duration::from_millis(200);
    let handled = work(&queue, scenario_runner(None, 1), &options).await;
    assert_eq!(handled, runs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_from_records_copies_the_range_and_compares_with_the_current_plan() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let s = setup(&app, &org).await;

    let r = app
        .post(
            "/api/v1/scenarios",
            &org.dispatcher,
            body(json!([{"remove_technician": {"id": "Ben"}}])),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(r.body["source"]["from_records"]["start"], "2030-03-04");
    let id = r.id();

    // The stored scenario holds exactly the range's open work orders and the active workforce.
    let (file,): (Value,) =
        sqlx::query_as("SELECT scenario FROM scenario_runs WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .expect("scenario");
    let mut jobs: Vec<&str> = file["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .filter_map(|j| j["id"].as_str())
        .collect();
    jobs.sort();
    let mut expected: Vec<&str> = s.numbers.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(jobs, expected);
    assert!(!jobs.contains(&s.outside.as_str()));
    let techs: Vec<&str> = file["technicians"]
        .as_array()
        .expect("techs")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(techs, ["Ana", "Ben"]);
    assert_eq!(
        file["horizon"],
        json!({"start": "2030-03-04", "days": 2, "utc_offset": "+00:00"})
    );
    let ana = &file["technicians"][0];
    assert_eq!(ana["skills"], json!(["hvac@1", "hvac@2"]));
    assert_eq!(ana["max_jobs_per_day"], 6);
    assert_eq!(ana["home"], json!([7.415, 43.73]));
    assert_eq!(ana["shifts"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        ana["shifts"][0],
        json!({"weekdays": [], "dates": ["2030-03-04"], "start": "08:00", "end": "17:00",
        "overtime_after": null, "off": false, "gaps": [{"from": "12:00", "to": "13:00"}]})
    );
    // Ben's Tuesday is time off.
    let ben_days: Vec<&Value> = file["technicians"][1]["shifts"]
        .as_array()
        .expect("shifts")
        .iter()
        .map(|s| &s["dates"][0])
        .collect();
    assert_eq!(ben_days, [&json!("2030-03-04")]);
    let first = file["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .find(|j| j["id"] == s.numbers[0].as_str())
        .expect("wo1")
        .clone();
    assert_eq!(first["skills"], json!(["hvac@2"]));
    assert_eq!(first["minutes"], 45.0);
    assert_eq!(first["priority"], 4);
    assert_eq!(first["location"], json!([7.4277, 43.7396]));
    assert_eq!(
        first["windows"],
        json!([{"from": "2030-03-04T08:00", "to": "2030-03-04T12:00"}])
    );
    assert_eq!(
        file["current_plan"],
        json!([{"job": s.numbers[0], "technician": "Ana", "start": "2030-03-04T09:00"}])
    );
    assert_eq!(
        file["variants"],
        json!([{"name": "what-if", "edits": [{"remove_technician": {"id": "Ben"}}]}])
    );

    // Not ready yet: no CSV.
    let early = app
        .get(
            &format!("/api/v1/scenarios/{id}/report.csv"),
            &org.dispatcher,
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);

    run_queue(&app, &org, 1).await;
    let done = app
        .get(&format!("/api/v1/scenarios/{id}"), &org.dispatcher)
        .await;
    assert_eq!(done.body["status"], "succeeded", "{}", done.body);
    let report = &done.body["result"];
    let names: Vec<&str> = report["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "base / current",
            "base / greedy",
            "base / optimized",
            "what-if / greedy",
            "what-if / optimized"
        ]
    );

    // The current plan: Ana home → Casino → home on Monday, served 1, two not assigned.
    let current = &report["plans"][0];
    assert_eq!(current["served"], 1);
    assert_eq!(current["unassigned"], 2);
    let codes: Vec<&str> = current["unassigned_jobs"]
        .as_array()
        .expect("u")
        .iter()
        .filter_map(|u| u["code"].as_str())
        .collect();
    assert_eq!(codes, ["not_assigned", "not_assigned"]);
    let line = StraightLine::default();
    let (home, site) = (Coord::new(7.4150, 43.7300), Coord::new(7.4277, 43.7396));
    let m = line.matrix(&[home, site], &[home, site]).expect("matrix");
    let expected_travel = m.durations_s[1] + m.durations_s[2];
    let got = current["travel_time_s"].as_f64().expect("travel");
    assert!(
        (got - expected_travel).abs() < 1e-6,
        "{got} vs {expected_travel}"
    );
    assert_eq!(current["service_s"], 2700.0);
    assert_eq!(current["violations"], 0);
    // Ana's working time over two days is 16 h (the lunch gap is not worked).
    let ana_fig = current["technicians"]
        .as_array()
        .expect("t")
        .iter()
        .find(|t| t["id"] == "Ana")
        .expect("ana")
        .clone();
    assert_eq!(ana_fig["shift_s"], 16.0 * 3600.0);
    assert_eq!(ana_fig["jobs"], 1);
    // Greedy and optimised plans serve everything with Ben; the what-if has no Ben.
    assert_eq!(report["plans"][2]["served"], 3);
    let whatif_techs: Vec<&str> = report["plans"][4]["technicians"]
        .as_array()
        .expect("t")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(whatif_techs, ["Ana"]);
    let skills_reason = report["plans"][4]["unassigned_jobs"][0]["code"].as_str();
    assert_eq!(skills_reason, Some("skills"));

    // CSV: one row per plan, the header first, fields as in the JSON.
    let csv = app
        .get(
            &format!("/api/v1/scenarios/{id}/report.csv"),
            &org.dispatcher,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 5);
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(&rows[0][col("plan")], "base / current");
    assert_eq!(&rows[0][col("served")], "1");
    assert_eq!(
        &rows[4][col("unassigned")],
        report["plans"][4]["unassigned"].to_string()
    );
    assert!(rows[0][col("unassigned jobs")].contains("not_assigned"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_records_checks_roles_input_and_tenants() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let other = app.org().await;
    setup(&app, &org).await;

    let anon = app
        .send(
            axum::http::Method::POST,
            "/api/v1/scenarios",
            None,
            Some(body(json!([]))),
            &[],
        )
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    for token in [&org.technician, &org.agent, &org.customer] {
        let r = app.post("/api/v1/scenarios", token, body(json!([]))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    let bad = [
        (
            json!({"from_records": {"start": "2030-03-05", "end": "2030-03-04"}}),
            "from_records.end",
        ),
        (
            json!({"from_records": {"start": "2030-03-01", "end": "2030-05-01"}}),
            "from_records.end",
        ),
        (
            json!({"from_records": {"start": "2030-03-04", "end": "2030-03-05"}, "edits": [{"remove_technician": {"id": "Zoe"}}]}),
            "edits",
        ),
        (
            json!({"from_records": {"start": "2030-03-04", "end": "2030-03-05"}, "scenario": {}}),
            "scenario",
        ),
        (json!({"name": "nothing"}), "scenario"),
        (
            json!({"from_records": {"start": "2031-01-01", "end": "2031-01-02"}}),
            "from_records",
        ),
    ];
    for (b, field) in bad {
        let r = app.post("/api/v1/scenarios", &org.admin, b.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.body
        );
        assert_eq!(r.field(), field, "{b}: {}", r.body);
    }
    let malformed = app
        .post(
            "/api/v1/scenarios",
            &org.admin,
            json!({"from_records": {"start": "March", "end": "2030-03-05"}}),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another organisation sees none of these records, runs or reports.
    let theirs = app
        .post("/api/v1/scenarios", &other.dispatcher, body(json!([])))
        .await;
    assert_eq!(
        theirs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        theirs.body
    );
    assert_eq!(theirs.field(), "from_records");
    let mine = app
        .post("/api/v1/scenarios", &org.admin, body(json!([])))
        .await;
    assert_eq!(mine.status, StatusCode::ACCEPTED, "{}", mine.body);
    let id = mine.id();
    for path in [
        format!("/api/v1/scenarios/{id}"),
        format!("/api/v1/scenarios/{id}/report.csv"),
    ] {
        assert_eq!(
            app.get(&path, &other.dispatcher).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.get(
            &format!("/api/v1/scenarios/{id}/report.csv"),
            &org.technician
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let list = app.get("/api/v1/scenarios", &other.dispatcher).await;
    assert_eq!(list.body["items"], json!([]));
}
