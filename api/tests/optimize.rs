//! `POST /api/v1/optimize` (VROOM and native formats) and asynchronous optimisation jobs, on
//! the real router and PostgreSQL, over the Monaco road graph. Every answer is converted back
//! into a solver solution and validated by the independent checker.

mod common;
#[path = "fixtures/graph.rs"]
mod graph;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fieldpath_api::domain::roles::Role;
use routing_graph::RoadGraph;
use serde_json::{json, Value};
use solver::check::{check, evaluate_route, route_from_eval, summarize};
use solver::{Problem, Solution, Step, Unassigned, UnassignedReason};
use std::time::{Duration, Instant};

/// Rebuilds the problem of `input` and the solution described by the VROOM answer `body`,
/// and runs the independent checker on them. Returns the problem.
fn check_answer(input: &Value, body: &Value, graph: Option<&RoadGraph>) -> Problem {
    let parsed = serde_json::from_value(input.clone()).expect("input");
    let problem = fieldpath_api::vroom::prepare(parsed, graph)
        .expect("prepare")
        .problem;
    let id_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut routes = Vec::new();
    let mut evals = Vec::new();
    for r in body["routes"].as_array().expect("routes") {
        let t = problem
            .technicians
            .iter()
            .position(|t| t.id == id_of(&r["vehicle"]))
            .expect("known vehicle");
        let mut steps = Vec::new();
        let mut departure = problem.technicians[t].shift.start;
        for s in r["steps"].as_array().expect("steps") {
            match s["type"].as_str().expect("type") {
                "start" => departure = s["arrival"].as_f64().expect("arrival"),
                "job" => steps.push(Step::Job(
                    problem
                        .jobs
                        .iter()
                        .position(|j| j.id == id_of(&s["id"]))
                        .expect("known job"),
                )),
                "break" => steps.push(Step::Break(
                    problem.technicians[t]
                        .breaks
                        .iter()
                        .position(|b| b.id == id_of(&s["id"]))
                        .expect("known break"),
                )),
                "end" => {}
                other => panic!("unknown step type {other}"),
            }
        }
        let eval = evaluate_route(&problem, t, departure, &steps, 0);
        assert!(
            eval.violations.is_empty(),
            "route of {t}: {:?}",
            eval.violations
        );
        assert_eq!(
            r["cost"].as_f64().expect("cost"),
            eval.cost.round(),
            "route cost"
        );
        let step_arrivals: Vec<f64> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["type"] == "job" || s["type"] == "break")
            .map(|s| s["arrival"].as_f64().unwrap())
            .collect();
        let computed: Vec<f64> = eval.times.iter().map(|t| t.arrival.round()).collect();
        assert_eq!(step_arrivals, computed, "arrivals");
        routes.push(route_from_eval(&eval, steps, 0));
        evals.push(eval);
    }
    let unassigned: Vec<Unassigned> = body["unassigned"]
        .as_array()
        .expect("unassigned")
        .iter()
        .map(|u| Unassigned {
            job: problem
                .jobs
                .iter()
                .position(|j| j.id == id_of(&u["id"]))
                .expect("known job"),
            reason: UnassignedReason::NoRoom,
        })
        .collect();
    let summary = summarize(&problem, &evals, unassigned.iter().map(|u| u.job));
    let solution = Solution {
        routes,
        unassigned,
        summary,
    };
    if let Err(v) = check(&problem, &solution) {
        panic!("checker rejects the answer: {v:?}");
    }
    problem
}

fn assert_vroom_shape(body: &Value) {
    assert_eq!(body["code"], 0, "{body}");
    for key in [
        "cost",
        "routes",
        "unassigned",
        "service",
        "duration",
        "waiting_time",
        "priority",
        "distance",
        "delivery",
        "pickup",
    ] {
        assert!(
            !body["summary"][key].is_null(),
            "summary.{key} missing: {body}"
        );
    }
    for key in ["loading", "solving"] {
        assert!(
            body["summary"]["computing_times"][key].is_u64(),
            "computing_times.{key}"
        );
    }
    for r in body["routes"].as_array().expect("routes") {
        for key in [
            "vehicle",
            "cost",
            "service",
            "duration",
            "waiting_time",
            "distance",
            "steps",
        ] {
            assert!(!r[key].is_null(), "route.{key} missing");
        }
        for s in r["steps"].as_array().expect("steps") {
            for key in [
                "type",
                "arrival",
                "duration",
                "service",
                "waiting_time",
                "distance",
                "load",
            ] {
                assert!(!s[key].is_null(), "step.{key} missing: {s}");
            }
            if s["type"] == "job" || s["type"] == "break" {
                assert!(!s["id"].is_null());
            }
        }
    }
    for u in body["unassigned"].as_array().expect("unassigned") {
        assert_eq!(u["type"], "job");
        assert!(u["reason"]["code"].is_string() && u["reason"]["message"].is_string());
    }
}

#[tokio::test]
async fn vroom_example_on_the_monaco_road_graph() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let input = graph::fixture("vroom_monaco.json");
    let res = app
        .post("/api/v1/optimize", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let body = &res.body;
    assert_vroom_shape(body);
    assert_eq!(body["estimator"], "road_graph");
    assert_eq!(body["summary"]["unassigned"], 0, "{body}");
    assert_eq!(body["summary"]["priority"], 50);
    let routes = body["routes"].as_array().unwrap();
    for r in routes {
        let geometry = r["geometry"].as_str().expect("geometry with options.g");
        let points = fieldpath_api::osrm::polyline::decode(geometry, 5).expect("polyline");
        assert!(points.len() >= 2);
        let steps = r["steps"].as_array().unwrap();
        assert_eq!(steps.first().unwrap()["type"], "start");
        assert_eq!(steps.last().unwrap()["type"], "end");
        if r["vehicle"] == 1 {
            assert!(
                steps.iter().any(|s| s["type"] == "break"),
                "vehicle 1 takes its break"
            );
        }
        // Loads: deliveries leave, pickups come in, never above capacity 4.
        assert!(steps.iter().all(|s| s["load"][0].as_i64().unwrap() <= 4));
    }
    let graph = graph::monaco();
    let problem = check_answer(&input, body, Some(&graph));
    // Skills were respected (job 3, 4 need skill 2: vehicle 2 only).
    for r in routes {
        for s in r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["type"] == "job")
        {
            let j = problem
                .jobs
                .iter()
                .position(|j| j.id == s["id"].as_u64().unwrap_or(u64::MAX).to_string())
                .unwrap();
            let t = problem
                .technicians
                .iter()
                .position(|t| t.id == r["vehicle"].as_u64().unwrap_or(u64::MAX).to_string())
                .unwrap();
            assert!(problem.technicians[t]
                .skills
                .covers(&problem.jobs[j].skills));
        }
    }
}

#[tokio::test]
async fn explicit_matrices_replace_the_road_graph() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let input = graph::fixture("vroom_matrix.json");
    let res = app
        .post("/api/v1/optimize", &org.admin, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_vroom_shape(&res.body);
    assert_eq!(res.body["estimator"], "custom_matrix");
    assert_eq!(res.body["summary"]["unassigned"], 0);
    let steps = res.body["routes"][0]["steps"].as_array().unwrap();
    assert!(steps
        .iter()
        .all(|s| s["location_index"].is_u64() && s["location"].is_null()));
    check_answer(&input, &res.body, None);

    // An index outside the matrix names its field.
    let mut bad = input.clone();
    bad["jobs"][2]["location_index"] = json!(99);
    let res = app.post("/api/v1/optimize", &org.admin, bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(res.field(), "jobs[2].location_index");
}

#[tokio::test]
async fn without_a_graph_the_straight_line_estimator_is_used() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let input = graph::fixture("vroom_monaco.json");
    let res = app
        .post("/api/v1/optimize", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["estimator"], "straight_line");
    check_answer(&input, &res.body, None);
}

#[tokio::test]
async fn native_pins_preferences_optional_jobs_and_reasons() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let input = graph::fixture("native_monaco.json");
    let res = app
        .post("/api/v1/optimize/native", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_vroom_shape(&res.body);
    let vehicle_of = |job: &str| {
        res.body["routes"].as_array().unwrap().iter().find_map(|r| {
            r["steps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == job)
                .then(|| r["vehicle"].as_str().unwrap().to_string())
        })
    };
    assert_eq!(
        vehicle_of("wo-1").as_deref(),
        Some("ben"),
        "pinned job on its vehicle"
    );
    assert_eq!(
        vehicle_of("wo-2").as_deref(),
        Some("ana"),
        "only ana has electrical"
    );
    assert_eq!(
        vehicle_of("wo-4").as_deref(),
        Some("ana"),
        "preferred vehicle"
    );
    let reasons: Vec<(String, String)> = res.body["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u["reason"]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&("wo-3".into(), "skills".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("wo-5".into(), "not_worth_it".into())),
        "{reasons:?}"
    );
    let gas = res.body["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "wo-3")
        .unwrap();
    assert!(
        gas["reason"]["message"].as_str().unwrap().contains("gas"),
        "{gas}"
    );
    check_answer(&input, &res.body, Some(&graph::monaco()));

    // Same body on /optimize with "format": "native".
    let res = app.post("/api/v1/optimize", &org.dispatcher, input).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

#[tokio::test]
async fn replanning_keeps_visits_before_the_freeze_time() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let mut input = graph::fixture("native_monaco.json");
    input["replan"] = json!({"freeze_time": 30000, "routes": [{"vehicle": "ana", "steps": [{"job": "wo-4", "start": 29000}]}]});
    let res = app
        .post("/api/v1/optimize/native", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let ana = res.body["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["vehicle"] == "ana")
        .expect("ana used");
    let first_job = ana["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "job")
        .unwrap();
    assert_eq!(first_job["id"], "wo-4");
    assert_eq!(
        first_job["arrival"].as_f64().unwrap() + first_job["waiting_time"].as_f64().unwrap(),
        29000.0
    );
}

#[tokio::test]
async fn auth_roles_and_input_errors() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let input = graph::fixture("vroom_monaco.json");
    let res = app
        .send(
            Method::POST,
            "/api/v1/optimize",
            None,
            Some(input.clone()),
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    for role in [Role::Technician, Role::Agent, Role::Customer] {
        let res = app
            .post("/api/v1/optimize", org.token(role), input.clone())
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{role:?}");
        assert_eq!(res.code(), "forbidden");
    }
    // Malformed JSON.
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/optimize")
        .header("authorization", format!("Bearer {}", org.dispatcher))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{\"vehicles\": ["))
        .unwrap();
    let res = app.raw(req).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    // Pinned to a vehicle that does not exist.
    let mut bad = input.clone();
    bad["jobs"][0]["pinned_vehicle"] = json!(77);
    let res = app.post("/api/v1/optimize", &org.dispatcher, bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(res.field(), "jobs[0].pinned_vehicle");
    // A location far from every road of the graph (Paris).
    let mut bad = input.clone();
    bad["jobs"][3]["location"] = json!([2.3522, 48.8566]);
    let res = app.post("/api/v1/optimize", &org.dispatcher, bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(res.field(), "jobs[3].location");
    assert!(res.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("jobs[3].location"));
    let mut bad = input.clone();
    bad["vehicles"][1]["start"] = json!([2.3522, 48.8566]);
    let res = app.post("/api/v1/optimize", &org.dispatcher, bad).await;
    assert_eq!(res.field(), "vehicles[1].start");
    // Wrong type, bad priority, bad window, unknown format, shipments.
    let mut bad = input.clone();
    bad["jobs"][1]["service"] = json!("long");
    let res = app.post("/api/v1/optimize", &org.dispatcher, bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    for (path, value, field) in [
        (("jobs", 0, "priority"), json!(101), "jobs[0].priority"),
        (
            ("jobs", 5, "time_windows"),
            json!([[36000, 32400]]),
            "jobs[5].time_windows",
        ),
        (
            ("vehicles", 0, "time_window"),
            json!([43200, 28800]),
            "vehicles[0].time_window",
        ),
    ] {
        let mut bad = input.clone();
        bad[path.0][path.1][path.2] = value;
        let res = app.post("/api/v1/optimize", &org.dispatcher, bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert_eq!(res.field(), field);
    }
    let mut bad = input.clone();
    bad["format"] = json!("osrm");
    assert_eq!(
        app.post("/api/v1/optimize", &org.dispatcher, bad)
            .await
            .field(),
        "format"
    );
    let mut bad = input.clone();
    bad["shipments"] = json!([{"pickup": {}, "delivery": {}}]);
    assert_eq!(
        app.post("/api/v1/optimize", &org.dispatcher, bad)
            .await
            .field(),
        "shipments"
    );
    let mut bad = input;
    bad["options"]["seconds"] = json!(-1);
    assert_eq!(
        app.post("/api/v1/optimize", &org.dispatcher, bad)
            .await
            .field(),
        "options.seconds"
    );
}

/// A larger random problem in Monaco's bounding box (straight-line estimator).
fn big_problem(jobs: usize, seconds: f64) -> Value {
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let jobs: Vec<Value> = (0..jobs)
        .map(|i| json!({"id": i, "location": [7.41 + 0.03 * next(), 43.725 + 0.025 * next()], "service": 300, "time_windows": [[28800, 64800]]}))
        .collect();
    let vehicles: Vec<Value> = (0..8)
        .map(|i| json!({"id": i, "start": [7.42, 43.735], "end": [7.42, 43.735], "time_window": [28800, 64800]}))
        .collect();
    json!({"vehicles": vehicles, "jobs": jobs, "options": {"seconds": seconds}})
}

async fn poll(app: &TestApp, uri: &str, token: &str, until: &[&str]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let res = app.get(uri, token).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        if until.contains(&res.body["status"].as_str().unwrap_or_default()) {
            return res.body;
        }
        assert!(
            Instant::now() < deadline,
            "job did not reach {until:?}: {}",
            res.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_job_runs_to_completion() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let input = graph::fixture("vroom_monaco.json");
    let res = app
        .post("/api/v1/optimize/jobs", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    let location = res
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_string();
    assert_eq!(location, format!("/api/v1/optimize/jobs/{}", res.id()));
    assert!(matches!(
        res.body["status"].as_str(),
        Some("queued" | "running")
    ));
    let done = poll(&app, &location, &org.dispatcher, &["completed", "failed"]).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["progress"]["fraction"], 1.0);
    assert!(done["progress"]["best"]["cost"].is_number(), "{done}");
    assert_vroom_shape(&done["result"]);
    check_answer(&input, &done["result"], Some(&graph::monaco()));

    // Another organisation cannot see or cancel it.
    let other = app.org().await;
    assert_eq!(
        app.get(&location, &other.dispatcher).await.status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .send(Method::DELETE, &location, Some(&other.admin), None, &[])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Unknown id, technicians.
    let res = app
        .get(
            &format!("/api/v1/optimize/jobs/{}", uuid::Uuid::new_v4()),
            &org.dispatcher,
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&location, &org.technician).await.status,
        StatusCode::FORBIDDEN
    );
    // Input errors are answered at submission.
    let mut bad = input;
    bad["options"]["seconds"] = json!(0);
    let res = app
        .post("/api/v1/optimize/jobs", &org.dispatcher, bad)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_job_keeps_the_best_solution_so_far() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let input = big_problem(200, 60.0);
    let res = app
        .post("/api/v1/optimize/jobs", &org.dispatcher, input.clone())
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{}", res.body);
    let uri = format!("/api/v1/optimize/jobs/{}", res.id());
    let running = poll(&app, &uri, &org.dispatcher, &["running"]).await;
    assert_eq!(running["status"], "running");
    // Wait for a first progress report, then cancel.
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.get(&uri, &org.dispatcher).await.body["progress"]["best"].is_null() {
        assert!(Instant::now() < deadline, "no progress report");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cancelled_at = Instant::now();
    let res = app
        .send(Method::DELETE, &uri, Some(&org.dispatcher), None, &[])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let done = poll(
        &app,
        &uri,
        &org.dispatcher,
        &["cancelled", "completed", "failed"],
    )
    .await;
    assert_eq!(done["status"], "cancelled", "{done}");
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(20),
        "the search stops soon after cancel"
    );
    let result = &done["result"];
    assert_vroom_shape(result);
    check_answer(&input, result, None);
}
