//! `POST /api/v1/schedule/optimize` → proposed plan (a diff) → commit (or 409) / discard, on
//! seeded records of one organisation in Monaco.

mod common;
#[path = "fixtures/graph.rs"]
mod graph;

use axum::http::{Method, StatusCode};
use common::{Org, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

const FROM: &str = "2030-01-07T00:00:00Z"; // a Monday
const TO: &str = "2030-01-08T00:00:00Z";

struct Seed {
    ana: Uuid,
    ben: Uuid,
    locked: Uuid,
    locked_wo: Uuid,
    gas_wo: Uuid,
}

async fn seed(app: &TestApp, org: &Org) -> Seed {
    let hours = json!({"mon": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}], "tue": [{"start": "08:00", "end": "17:00"}]});
    let tech = |name: &str, skills: Value, lon: f64, lat: f64| {
        let hours = hours.clone();
        let name = name.to_string();
        async move {
            let (id,): (Uuid,) = sqlx::query_as(
                "INSERT INTO technicians (org_id, name, skills, working_hours, home_lat, home_lon) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(org.id)
            .bind(name)
            .bind(sqlx::types::Json(skills))
            .bind(sqlx::types::Json(hours))
            .bind(lat)
            .bind(lon)
            .fetch_one(&app.pool)
            .await
            .expect("technician");
            id
        }
    };
    let ana = tech(
        "Ana",
        json!([{"skill": "hvac", "level": 3}]),
        7.4197,
        43.7311,
    )
    .await;
    let ben = tech(
        "Ben",
        json!([{"skill": "electrical", "level": 1}, {"skill": "hvac", "level": 1}]),
        7.4268,
        43.7402,
    )
    .await;
    let sites = [
        (7.4246, 43.7356),
        (7.4285, 43.7384),
        (7.4167, 43.7283),
        (7.4212, 43.7332),
        (7.4330, 43.7430),
        (7.4240, 43.7370),
    ];
    let mut site_ids = Vec::new();
    for (i, (lon, lat)) in sites.iter().enumerate() {
        let res = app
            .post(
                "/api/v1/sites",
                &org.dispatcher,
                json!({"name": format!("S{i}"), "lat": lat, "lon": lon}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        site_ids.push(res.id());
    }
    let wo = |title: &str, site: usize, skills: Value, extra: Value| {
        let mut body = json!({"title": title, "site_id": site_ids[site], "required_skills": skills, "estimated_duration_min": 60});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let mut ids = Vec::new();
    for body in [
        wo(
            "hvac level 2",
            0,
            json!([{"skill": "hvac", "level": 2}]),
            json!({}),
        ),
        wo(
            "electrical",
            1,
            json!([{"skill": "electrical"}]),
            json!({"priority": "high"}),
        ),
        wo(
            "any",
            2,
            json!([]),
            json!({"window_start": "2030-01-07T14:00:00Z", "window_end": "2030-01-07T15:00:00Z"}),
        ),
        wo(
            "hvac 1",
            3,
            json!([{"skill": "hvac", "level": 1}]),
            json!({}),
        ),
        wo("gas", 4, json!([{"skill": "gas"}]), json!({})),
        wo("locked one", 5, json!([]), json!({})),
    ] {
        let res = app.post("/api/v1/work-orders", &org.dispatcher, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        ids.push(res.id().parse::<Uuid>().unwrap());
    }
    let (locked,): (Uuid,) = sqlx::query_as(
        "INSERT INTO assignments (org_id, work_order_id, technician_id, planned_start, planned_end, locked) \
         VALUES ($1, $2, $3, '2030-01-07T10:00:00Z', '2030-01-07T11:00:00Z', true) RETURNING id",
    )
    .bind(org.id)
    .bind(ids[5])
    .bind(ben)
    .fetch_one(&app.pool)
    .await
    .expect("locked assignment");
    Seed {
        ana,
        ben,
        locked,
        locked_wo: ids[5],
        gas_wo: ids[4],
    }
}

fn ts(v: &Value) -> chrono::DateTime<chrono::Utc> {
    serde_json::from_value(v.clone()).expect("timestamp")
}

#[tokio::test]
async fn propose_respects_locks_skills_and_hours_then_commits() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let s = seed(&app, &org).await;
    let res = app
        .post(
            "/api/v1/schedule/optimize",
            &org.dispatcher,
            json!({"from": FROM, "to": TO, "options": {"seconds": 0.5}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let plan = res.body.clone();
    assert_eq!(plan["status"], "proposed");
    assert_eq!(plan["summary"]["estimator"], "road_graph");
    // The locked assignment stays.
    let kept = plan["kept"].as_array().unwrap();
    assert!(
        kept.iter()
            .any(|k| k["assignment_id"] == s.locked.to_string() && k["locked"] == true),
        "{plan}"
    );
    // The gas job has nobody with the skill.
    let unassigned = plan["unassigned"].as_array().unwrap();
    let gas = unassigned
        .iter()
        .find(|u| u["work_order_id"] == s.gas_wo.to_string())
        .expect("gas unassigned");
    assert_eq!(gas["reason"]["code"], "skills");
    let assignments = plan["assignments"].as_array().unwrap();
    assert_eq!(assignments.len(), 4, "{plan}");
    let day = ts(&json!(FROM));
    for a in assignments {
        assert_eq!(a["change"], "add");
        assert_ne!(a["work_order_id"], s.locked_wo.to_string());
        let (start, end) = (ts(&a["planned_start"]), ts(&a["planned_end"]));
        let (h0, h1) = ((start - day).num_minutes(), (end - day).num_minutes());
        assert!(
            (8 * 60..=17 * 60).contains(&h0) && h1 <= 17 * 60,
            "within working hours: {a}"
        );
        assert!(
            !(h0 < 13 * 60 && h1 > 12 * 60),
            "not across the lunch gap: {a}"
        );
        assert_eq!((end - start).num_minutes(), 60);
        if a["technician_id"] == s.ben.to_string() {
            // Ben works around his locked 10:00-11:00 visit.
            assert!(
                h1 <= 10 * 60 || h0 >= 11 * 60,
                "overlaps the locked visit: {a}"
            );
        } else {
            assert_eq!(a["technician_id"], s.ana.to_string());
        }
    }
    let ben_jobs = assignments
        .iter()
        .filter(|a| a["technician_id"] == s.ben.to_string())
        .count();
    assert!(
        ben_jobs >= 1,
        "electrical work goes to Ben, the only one with the skill"
    );
    // Read back.
    let id = plan["id"].as_str().unwrap();
    let res = app
        .get(&format!("/api/v1/schedule/plans/{id}"), &org.admin)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["assignments"], plan["assignments"]);
    // Another organisation sees nothing.
    let other = app.org().await;
    assert_eq!(
        app.get(&format!("/api/v1/schedule/plans/{id}"), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Commit writes the assignments and schedules the work orders.
    let res = app
        .post(
            &format!("/api/v1/schedule/plans/{id}/commit"),
            &org.dispatcher,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["status"], "committed");
    assert_eq!(res.body["written"], 4);
    let rows: Vec<(Uuid, Uuid, bool)> = sqlx::query_as(
        "SELECT work_order_id, technician_id, locked FROM assignments WHERE org_id = $1",
    )
    .bind(org.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 5);
    for a in assignments {
        let wo: Uuid = a["work_order_id"].as_str().unwrap().parse().unwrap();
        let tech: Uuid = a["technician_id"].as_str().unwrap().parse().unwrap();
        assert!(rows.iter().any(|r| r.0 == wo && r.1 == tech && !r.2));
        let (status,): (String,) = sqlx::query_as("SELECT status FROM work_orders WHERE id = $1")
            .bind(wo)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(status, "scheduled");
    }
    // Committing twice is a conflict.
    let res = app
        .post(
            &format!("/api/v1/schedule/plans/{id}/commit"),
            &org.dispatcher,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // Re-planning the same day keeps what is there: nothing to add any more.
    let res = app
        .post(
            "/api/v1/schedule/optimize",
            &org.dispatcher,
            json!({"from": FROM, "to": TO, "options": {"seconds": 0.3}}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert_eq!(res.body["summary"]["added"], 0, "{}", res.body);
}

#[tokio::test]
async fn commit_after_a_concurrent_change_is_a_conflict_and_discard_works() {
    let app = graph::app_with_graph().await;
    let org = app.org().await;
    let s = seed(&app, &org).await;
    let body = json!({"from": FROM, "to": TO, "options": {"seconds": 0.3}});
    let res = app
        .post("/api/v1/schedule/optimize", &org.dispatcher, body.clone())
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let id = res.body["id"].as_str().unwrap().to_string();
    // Someone edits a work order meanwhile.
    let wo = res.body["assignments"][0]["work_order_id"]
        .as_str()
        .unwrap()
        .to_string();
    let current = app
        .get(&format!("/api/v1/work-orders/{wo}"), &org.dispatcher)
        .await;
    let changed = app
        .patch(
            &format!("/api/v1/work-orders/{wo}"),
            &org.dispatcher,
            &current.etag(),
            json!({"title": "changed"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let res = app
        .post(
            &format!("/api/v1/schedule/plans/{id}/commit"),
            &org.dispatcher,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM assignments WHERE org_id = $1")
        .bind(org.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 1, "nothing written");
    // Discard; then it cannot be committed.
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/schedule/plans/{id}"),
            Some(&org.dispatcher),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["status"], "discarded");
    let res = app
        .post(
            &format!("/api/v1/schedule/plans/{id}/commit"),
            &org.dispatcher,
            json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    // Roles and input.
    assert_eq!(
        app.post("/api/v1/schedule/optimize", &org.technician, body.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/schedule/optimize", &org.agent, body)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .post(
            "/api/v1/schedule/optimize",
            &org.admin,
            json!({"from": TO, "to": FROM}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.field(), "to");
    let _ = (s.ana, s.ben);
}
