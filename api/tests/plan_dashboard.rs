//! `GET /api/v1/dashboard/plan` (and `.csv`): exact figures per bucket from a known history
//! written with SQL (work orders, status changes in the activity log, a linked ticket, a
//! committed plan), the CSV equal to the JSON, tenant isolation and 401/403/422.

mod common;

use axum::http::StatusCode;
use common::{Org, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// A work order completed at `done` (started at `started` when given), created at `created`.
struct Past<'a> {
    number: &'a str,
    site: Uuid,
    asset: Option<Uuid>,
    work_type: &'a str,
    created: &'a str,
    window: Option<(&'a str, &'a str)>,
    started: Option<&'a str>,
    done: Option<&'a str>,
    minutes: i32,
}

async fn insert(pool: &PgPool, org: Uuid, p: &Past<'_>) -> Uuid {
    let status = if p.done.is_some() {
        "completed"
    } else {
        "scheduled"
    };
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO work_orders (org_id, seq, number, title, work_type, status, site_id, asset_id, \
           window_start, window_end, estimated_duration_min, created_at) \
         VALUES ($1, (SELECT count(*) + 1 FROM work_orders WHERE org_id = $1), $2, 'Past', $3, $4, $5, $6, \
           $7::timestamptz, $8::timestamptz, $9, $10::timestamptz) RETURNING id",
    )
    .bind(org)
    .bind(p.number)
    .bind(p.work_type)
    .bind(status)
    .bind(p.site)
    .bind(p.asset)
    .bind(p.window.map(|w| w.0))
    .bind(p.window.map(|w| w.1))
    .bind(p.minutes)
    .bind(p.created)
    .fetch_one(pool)
    .await
    .expect("work order");
    let mut steps = vec![("create", None, "scheduled", p.created)];
    let mut last = "scheduled";
    if let Some(s) = p.started {
        steps.push(("update", Some(last), "in_progress", s));
        last = "in_progress";
    }
    if let Some(d) = p.done {
        steps.push(("update", Some(last), "completed", d));
    }
    for (action, before, after, at) in steps {
        sqlx::query(
            "INSERT INTO activity (org_id, entity, entity_id, action, before, after, at) \
             VALUES ($1, 'work_order', $2, $3, $4, $5, $6::timestamptz)",
        )
        .bind(org)
        .bind(id)
        .bind(action)
        .bind(before.map(|b| json!({"status": b})))
        .bind(json!({"status": after}))
        .bind(at)
        .execute(pool)
        .await
        .expect("activity");
    }
    id
}

/// The known history (see the figures asserted below).
async fn history(app: &TestApp, org: &Org) {
    let pool = &app.pool;
    let r = app
        .post(
            "/api/v1/sites",
            &org.dispatcher,
            json!({"name": "S1", "lat": 43.74, "lon": 7.42}),
        )
        .await;
    let s1: Uuid = r.id().parse().expect("site");
    let r = app
        .post(
            "/api/v1/sites",
            &org.dispatcher,
            json!({"name": "S2", "lat": 43.73, "lon": 7.41}),
        )
        .await;
    let s2: Uuid = r.id().parse().expect("site");
    let r = app
        .post(
            "/api/v1/assets",
            &org.dispatcher,
            json!({"site_id": s1, "model": "Otis"}),
        )
        .await;
    let a1: Uuid = r.id().parse().expect("asset");
    let day = json!([{"start": "08:00", "end": "16:00"}]);
    let t = app
        .post(
            "/api/v1/technicians",
            &org.dispatcher,
            json!({"name": "T", "home_lat": 43.73, "home_lon": 7.41,
            "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);

    // a: week 1, on site 10:00–11:30 inside its window; a repair at the same asset 3 days later.
    insert(
        pool,
        org.id,
        &Past {
            number: "H-A",
            site: s1,
            asset: Some(a1),
            work_type: "maintenance",
            created: "2030-04-01T08:00:00Z",
            window: Some(("2030-04-02T09:00:00Z", "2030-04-02T11:00:00Z")),
            started: Some("2030-04-02T10:00:00Z"),
            done: Some("2030-04-02T11:30:00Z"),
            minutes: 60,
        },
    )
    .await;
    // c: week 1, completed without in_progress (60 min estimated), no window.
    insert(
        pool,
        org.id,
        &Past {
            number: "H-C",
            site: s2,
            asset: None,
            work_type: "inspection",
            created: "2030-04-03T08:00:00Z",
            window: None,
            started: None,
            done: Some("2030-04-03T16:00:00Z"),
            minutes: 60,
        },
    )
    .await;
    // b: the follow-up repair, week 2, started 13:00 after its 08:00–12:00 window.
    let b = insert(
        pool,
        org.id,
        &Past {
            number: "H-B",
            site: s1,
            asset: Some(a1),
            work_type: "repair",
            created: "2030-04-05T09:00:00Z",
            window: Some(("2030-04-09T08:00:00Z", "2030-04-09T12:00:00Z")),
            started: Some("2030-04-09T13:00:00Z"),
            done: Some("2030-04-09T14:00:00Z"),
            minutes: 45,
        },
    )
    .await;
    // d: completed before the period; e: still open (another repair at the asset). Neither counts.
    insert(
        pool,
        org.id,
        &Past {
            number: "H-D",
            site: s2,
            asset: None,
            work_type: "repair",
            created: "2030-03-20T08:00:00Z",
            window: None,
            started: None,
            done: Some("2030-03-29T10:00:00Z"),
            minutes: 30,
        },
    )
    .await;
    insert(
        pool,
        org.id,
        &Past {
            number: "H-E",
            site: s1,
            asset: Some(a1),
            work_type: "repair",
            created: "2030-04-08T08:00:00Z",
            window: None,
            started: None,
            done: None,
            minutes: 30,
        },
    )
    .await;
    // A ticket linked to b, resolved in time (b still misses its window).
    sqlx::query(
        "INSERT INTO tickets (org_id, seq, number, subject, work_order_id, resolution_due) \
                 VALUES ($1, 1, 'T-1', 'Lift', $2, '2030-04-10T00:00:00Z')",
    )
    .bind(org.id)
    .bind(b)
    .execute(pool)
    .await
    .expect("ticket");
    // Committed plan of 2 April: 30 min of travel over 3 visits; a proposed one is ignored.
    for (status, travel) in [("committed", 1800), ("proposed", 99_999)] {
        sqlx::query(
            "INSERT INTO schedule_plans (org_id, status, range_start, range_end, proposal, basis) \
             VALUES ($1, $2, '2030-04-02T00:00:00Z', '2030-04-03T00:00:00Z', $3, '{}')",
        )
        .bind(org.id)
        .bind(status)
        .bind(json!({"assignments": [{}, {}], "kept": [{}], "unassigned": [], "summary": {"travel_s": travel}}))
        .execute(pool)
        .await
        .expect("plan");
    }
}

fn close(v: &Value, expected: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - expected).abs() < 1e-9)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_per_week_and_day_from_a_known_history() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let other = app.org().await;
    history(&app, &org).await;
    history(&app, &other).await; // the same history elsewhere changes nothing here

    let q = "from=2030-04-01&to=2030-04-14&bucket=week";
    let r = app
        .get(&format!("/api/v1/dashboard/plan?{q}"), &org.dispatcher)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let weeks = r.body["buckets"].as_array().expect("buckets");
    assert_eq!(weeks.len(), 2);
    let w1 = &weeks[0];
    assert_eq!(
        (w1["start"].as_str(), w1["end"].as_str()),
        (Some("2030-04-01"), Some("2030-04-07"))
    );
    assert_eq!(w1["completed"], 2);
    assert_eq!(w1["first_time_fixes"], 1);
    assert!(close(&w1["first_time_fix_rate"], 0.5), "{w1}");
    assert!(close(&w1["service_h"], 2.5), "{w1}");
    assert!(close(&w1["shift_h"], 40.0), "{w1}");
    assert!(close(&w1["utilisation"], 2.5 / 40.0), "{w1}");
    assert!(close(&w1["avg_completion_h"], (27.5 + 8.0) / 2.0), "{w1}");
    assert_eq!(w1["on_site_measured"], 1);
    assert!(close(&w1["avg_on_site_min"], 90.0), "{w1}");
    assert_eq!(
        (w1["sla_measured"].as_u64(), w1["sla_met"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(w1["planned_jobs"], 3);
    assert!(close(&w1["travel_per_job_min"], 10.0), "{w1}");

    let w2 = &weeks[1];
    assert_eq!(w2["completed"], 1);
    assert!(close(&w2["first_time_fix_rate"], 1.0), "{w2}");
    assert!(close(&w2["utilisation"], 1.0 / 40.0), "{w2}");
    assert!(close(&w2["avg_completion_h"], 101.0), "{w2}");
    assert!(close(&w2["avg_on_site_min"], 60.0), "{w2}");
    assert_eq!(
        (w2["sla_measured"].as_u64(), w2["sla_met"].as_u64()),
        (Some(1), Some(0))
    );
    assert!(close(&w2["sla_compliance"], 0.0), "{w2}");
    assert_eq!(w2["travel_per_job_min"], Value::Null);
    assert_eq!(r.body["total"]["completed"], 3);
    assert_eq!(r.body["total"]["first_time_fixes"], 2);

    // A short follow-up period: the repair 3 days later no longer counts against a.
    let short = app
        .get(
            &format!("/api/v1/dashboard/plan?{q}&follow_up_days=2"),
            &org.dispatcher,
        )
        .await;
    assert_eq!(short.body["buckets"][0]["first_time_fixes"], 2);

    // By day: 2 April alone.
    let d = app
        .get(
            "/api/v1/dashboard/plan?from=2030-04-02&to=2030-04-03&bucket=day",
            &org.admin,
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let days = d.body["buckets"].as_array().expect("days");
    assert_eq!(days.len(), 2);
    assert_eq!(days[0]["completed"], 1);
    assert!(close(&days[0]["utilisation"], 1.5 / 8.0), "{}", days[0]);
    assert!(close(&days[1]["utilisation"], 1.0 / 8.0), "{}", days[1]);

    // The CSV holds the same numbers as the JSON.
    let csv = app
        .get(&format!("/api/v1/dashboard/plan.csv?{q}"), &org.dispatcher)
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let header = reader.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), weeks.len());
    for (row, bucket) in rows.iter().zip(weeks) {
        for (name, cell) in header.iter().zip(row.iter()) {
            let json = &bucket[name];
            match json {
                Value::String(s) => assert_eq!(cell, s, "{name}"),
                Value::Null => assert_eq!(cell, "", "{name}"),
                other => {
                    let x: f64 = cell.parse().expect(name);
                    assert!(close(other, x), "{name}: {cell} vs {other}");
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_checks_roles_and_input() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let anon = app
        .send(
            axum::http::Method::GET,
            "/api/v1/dashboard/plan",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    for token in [&org.technician, &org.customer, &org.agent] {
        let r = app.get("/api/v1/dashboard/plan", token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    for q in [
        "bucket=month",
        "from=2030-04-10&to=2030-04-01",
        "from=2020-01-01&to=2030-01-01",
        "from=yesterday",
        "follow_up_days=1000",
    ] {
        let r = app
            .get(&format!("/api/v1/dashboard/plan?{q}"), &org.dispatcher)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.body
        );
    }
    // An organisation without history: buckets with zeros and no ratios.
    let r = app
        .get(
            "/api/v1/dashboard/plan?from=2030-04-01&to=2030-04-07&bucket=day",
            &org.dispatcher,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["buckets"].as_array().map(Vec::len), Some(7));
    assert_eq!(r.body["total"]["completed"], 0);
    assert_eq!(r.body["total"]["first_time_fix_rate"], Value::Null);
}
