//! Help-desk reports on the real Postgres: tickets seeded with known timestamps, exact first
//! response / resolution / SLA / backlog / satisfaction figures, per-agent and per-team groups,
//! the CSV export matching the JSON, roles, bad input and tenant isolation.

mod common;

use axum::http::StatusCode;
use common::desk::setup;
use common::{Org, TestApp};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// A seeded ticket.
struct Seed<'a> {
    subject: &'a str,
    assignee: Option<Uuid>,
    team: Option<Uuid>,
    status_type: &'a str,
    created: &'a str,
    responded: Option<&'a str>,
    resolved: Option<&'a str>,
    fr_due: Option<&'a str>,
    res_due: Option<&'a str>,
    fr_breached: bool,
    merged_into: Option<Uuid>,
}

impl Default for Seed<'_> {
    fn default() -> Self {
        Seed {
            subject: "ticket",
            assignee: None,
            team: None,
            status_type: "open",
            created: "2026-01-05T08:00:00Z",
            responded: None,
            resolved: None,
            fr_due: None,
            res_due: None,
            fr_breached: false,
            merged_into: None,
        }
    }
}

async fn seed(pool: &PgPool, org: Uuid, s: Seed<'_>) -> Uuid {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO tickets (org_id, seq, number, subject, status, status_type, assignee_id, team_id, \
         created_at, updated_at, first_responded_at, resolved_at, first_response_due, resolution_due, \
         first_response_breached, merged_into_id) \
         SELECT $1, n, 'R-' || n, $2, $3, $3, $4, $5, $6::timestamptz, $6::timestamptz, $7::timestamptz, \
         $8::timestamptz, $9::timestamptz, $10::timestamptz, $11, $12 \
         FROM (SELECT count(*) + 1000 AS n FROM tickets WHERE org_id = $1) c RETURNING id",
    )
    .bind(org)
    .bind(s.subject)
    .bind(s.status_type)
    .bind(s.assignee)
    .bind(s.team)
    .bind(s.created)
    .bind(s.responded)
    .bind(s.resolved)
    .bind(s.fr_due)
    .bind(s.res_due)
    .bind(s.fr_breached)
    .bind(s.merged_into)
    .fetch_one(pool)
    .await
    .expect("seed ticket");
    id
}

async fn survey(pool: &PgPool, org: Uuid, ticket: Uuid, rating: i32, at: &str) {
    sqlx::query(
        "INSERT INTO ticket_surveys (org_id, ticket_id, rating, comment, via, created_at) \
         VALUES ($1, $2, $3, 'ok', 'portal', $4::timestamptz)",
    )
    .bind(org)
    .bind(ticket)
    .bind(rating)
    .bind(at)
    .execute(pool)
    .await
    .expect("survey");
}

async fn team(pool: &PgPool, org: Uuid, name: &str) -> Uuid {
    let (id,): (Uuid,) =
        sqlx::query_as("INSERT INTO desk_teams (org_id, name) VALUES ($1, $2) RETURNING id")
            .bind(org)
            .bind(name)
            .fetch_one(pool)
            .await
            .expect("team");
    id
}

/// Ids of the seeded agents and teams.
struct World {
    agent: Uuid,
    dispatcher: Uuid,
    first_line: Uuid,
    field: Uuid,
}

/// The scenario of the module doc: range 2026-01-05 .. 2026-01-07 (UTC).
async fn scenario(app: &TestApp, org: &Org) -> World {
    let pool = &app.pool;
    let agent = app.user_of(org, "agent").await;
    let dispatcher = app.user_of(org, "dispatcher").await;
    let first_line = team(pool, org.id, "First line, \"L1\"").await;
    let field = team(pool, org.id, "Field").await;
    // T1: answered in 1 h (due 2 h), resolved in 4 h (due 8 h).
    let t1 = seed(
        pool,
        org.id,
        Seed {
            assignee: Some(agent),
            team: Some(first_line),
            status_type: "resolved",
            created: "2026-01-05T08:00:00Z",
            responded: Some("2026-01-05T09:00:00Z"),
            resolved: Some("2026-01-05T12:00:00Z"),
            fr_due: Some("2026-01-05T10:00:00Z"),
            res_due: Some("2026-01-05T16:00:00Z"),
            ..Seed::default()
        },
    )
    .await;
    // T2: answered in 3 h (due 2 h, flagged), still open and overdue.
    seed(
        pool,
        org.id,
        Seed {
            assignee: Some(agent),
            team: Some(first_line),
            created: "2026-01-05T10:00:00Z",
            responded: Some("2026-01-05T13:00:00Z"),
            fr_due: Some("2026-01-05T12:00:00Z"),
            res_due: Some("2026-01-06T10:00:00Z"),
            fr_breached: true,
            ..Seed::default()
        },
    )
    .await;
    // T3: answered in 30 min, closed after 24 h, both in time.
    let t3 = seed(
        pool,
        org.id,
        Seed {
            assignee: Some(dispatcher),
            team: Some(field),
            status_type: "closed",
            created: "2026-01-06T09:00:00Z",
            responded: Some("2026-01-06T09:30:00Z"),
            resolved: Some("2026-01-07T09:00:00Z"),
            fr_due: Some("2026-01-06T11:00:00Z"),
            res_due: Some("2026-01-08T09:00:00Z"),
            ..Seed::default()
        },
    )
    .await;
    // T4: new and untouched, no SLA.
    seed(
        pool,
        org.id,
        Seed {
            created: "2026-01-07T15:00:00Z",
            ..Seed::default()
        },
    )
    .await;
    // T5: older ticket resolved inside the range after 5 days.
    let t5 = seed(
        pool,
        org.id,
        Seed {
            assignee: Some(dispatcher),
            team: Some(field),
            status_type: "resolved",
            created: "2026-01-01T00:00:00Z",
            resolved: Some("2026-01-06T00:00:00Z"),
            ..Seed::default()
        },
    )
    .await;
    // Outside the range, or merged away: never counted.
    seed(
        pool,
        org.id,
        Seed {
            created: "2026-01-10T00:00:00Z",
            ..Seed::default()
        },
    )
    .await;
    seed(
        pool,
        org.id,
        Seed {
            status_type: "resolved",
            created: "2026-01-02T00:00:00Z",
            resolved: Some("2026-01-03T00:00:00Z"),
            ..Seed::default()
        },
    )
    .await;
    seed(
        pool,
        org.id,
        Seed {
            created: "2026-01-05T11:00:00Z",
            merged_into: Some(t1),
            ..Seed::default()
        },
    )
    .await;
    survey(pool, org.id, t1, 5, "2026-01-06T10:00:00Z").await;
    survey(pool, org.id, t3, 2, "2026-01-07T10:00:00Z").await;
    survey(pool, org.id, t5, 4, "2026-01-04T10:00:00Z").await;
    World {
        agent,
        dispatcher,
        first_line,
        field,
    }
}

const RANGE: &str = "from=2026-01-05&to=2026-01-07";

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn totals_series_and_groups_have_the_exact_figures() {
    let (app, org) = setup().await;
    let w = scenario(&app, &org).await;

    let r = app
        .get(&format!("/api/v1/reports/desk?{RANGE}"), &org.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let t = &r.body["totals"];
    assert_eq!(r.body["clock"], "wall");
    assert_eq!(
        (
            t["created"].as_u64(),
            t["resolved"].as_u64(),
            t["backlog_end"].as_u64()
        ),
        (Some(4), Some(3), Some(2))
    );
    assert_eq!(t["first_response"]["count"], 3);
    assert_eq!(num(&t["first_response"]["avg_secs"]), 5400.0);
    assert_eq!(num(&t["first_response"]["median_secs"]), 3600.0);
    assert_eq!(num(&t["resolution"]["avg_secs"]), 177_600.0);
    assert_eq!(num(&t["resolution"]["median_secs"]), 86_400.0);
    let fr = &t["sla"]["first_response"];
    assert_eq!(
        (
            fr["with_target"].as_u64(),
            fr["met"].as_u64(),
            fr["breached"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(num(&fr["compliance_pct"]), 66.7);
    let res = &t["sla"]["resolution"];
    assert_eq!(
        (
            res["met"].as_u64(),
            res["breached"].as_u64(),
            res["pending"].as_u64()
        ),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(t["satisfaction"]["count"], 2);
    assert_eq!(num(&t["satisfaction"]["avg_rating"]), 3.5);
    let series: Vec<(String, u64, u64, u64)> = r.body["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap_or_default().to_string(),
                d["created"].as_u64().unwrap_or(99),
                d["resolved"].as_u64().unwrap_or(99),
                d["backlog"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        series,
        vec![
            ("2026-01-05".into(), 2, 1, 2),
            ("2026-01-06".into(), 1, 1, 2),
            ("2026-01-07".into(), 1, 1, 2),
        ]
    );
    assert_eq!(r.body["groups"], Value::Array(vec![]));

    // Per agent: the agent, the dispatcher (as assignee), then the unassigned row last.
    let r = app
        .get(
            &format!("/api/v1/reports/desk?{RANGE}&group=agent"),
            &org.admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let groups = r.body["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 3, "{groups:?}");
    let by_key = |k: Option<Uuid>| {
        groups
            .iter()
            .find(|g| g["key"].as_str().map(|s| s.to_string()) == k.map(|u| u.to_string()))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let a = by_key(Some(w.agent));
    assert_eq!(
        (
            a["created"].as_u64(),
            a["resolved"].as_u64(),
            a["backlog_end"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(num(&a["first_response"]["avg_secs"]), 7200.0);
    assert_eq!(num(&a["sla"]["first_response"]["compliance_pct"]), 50.0);
    assert_eq!(num(&a["satisfaction"]["avg_rating"]), 5.0);
    let d = by_key(Some(w.dispatcher));
    assert_eq!(
        (
            d["created"].as_u64(),
            d["resolved"].as_u64(),
            d["backlog_end"].as_u64()
        ),
        (Some(1), Some(2), Some(0))
    );
    assert_eq!(num(&d["resolution"]["avg_secs"]), 259_200.0);
    assert_eq!(num(&d["satisfaction"]["avg_rating"]), 2.0);
    let none = by_key(None);
    assert_eq!(
        (
            none["name"].as_str(),
            none["created"].as_u64(),
            none["backlog_end"].as_u64()
        ),
        (Some("Unassigned"), Some(1), Some(1))
    );
    assert_eq!(groups[2]["key"], Value::Null, "unassigned comes last");

    let r = app
        .get(
            &format!("/api/v1/reports/desk?{RANGE}&group=team"),
            &org.dispatcher,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let names: Vec<&str> = r.body["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Field", "First line, \"L1\"", "No team"]);
    assert_eq!(
        r.body["groups"][1]["key"].as_str(),
        Some(w.first_line.to_string().as_str())
    );
    assert_eq!(
        r.body["groups"][0]["key"].as_str(),
        Some(w.field.to_string().as_str())
    );
    assert_eq!(r.body["groups"][0]["resolved"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_parses_and_matches_the_json() {
    let (app, org) = setup().await;
    scenario(&app, &org).await;
    let json = app
        .get(
            &format!("/api/v1/reports/desk?{RANGE}&group=team"),
            &org.agent,
        )
        .await;
    let r = app
        .get(
            &format!("/api/v1/reports/desk.csv?{RANGE}&group=team"),
            &org.agent,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ct = r
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let cd = r
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        cd.contains("desk-report-groups-2026-01-05-2026-01-07.csv"),
        "{cd}"
    );
    let mut reader = csv::Reader::from_reader(r.bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 4, "total + 3 teams");
    let cell = |row: &csv::StringRecord, name: &str| -> String {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"));
        row.get(i).unwrap_or_default().to_string()
    };
    assert_eq!(cell(&rows[0], "group"), "total");
    let t = &json.body["totals"];
    for (col, v) in [
        ("created", &t["created"]),
        ("resolved", &t["resolved"]),
        ("backlog_end", &t["backlog_end"]),
        ("first_response_avg_secs", &t["first_response"]["avg_secs"]),
        ("resolution_median_secs", &t["resolution"]["median_secs"]),
        (
            "sla_first_response_compliance_pct",
            &t["sla"]["first_response"]["compliance_pct"],
        ),
        ("satisfaction_avg_rating", &t["satisfaction"]["avg_rating"]),
    ] {
        assert_eq!(cell(&rows[0], col).parse::<f64>().ok(), v.as_f64(), "{col}");
    }
    // The team name with a comma and quotes survives the round trip.
    assert_eq!(cell(&rows[2], "name"), "First line, \"L1\"");
    assert_eq!(
        cell(&rows[2], "key"),
        json.body["groups"][1]["key"].as_str().unwrap_or_default()
    );
    assert_eq!(cell(&rows[3], "name"), "No team");
    assert_eq!(
        cell(&rows[3], "sla_first_response_compliance_pct"),
        "",
        "nothing decided: empty cell"
    );

    let r = app
        .get(
            &format!("/api/v1/reports/desk.csv?{RANGE}&section=series"),
            &org.admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let text = String::from_utf8(r.bytes).expect("utf-8");
    assert_eq!(
        text,
        "date,created,resolved,backlog\n2026-01-05,2,1,2\n2026-01-06,1,1,2\n2026-01-07,1,1,2\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_bad_input_time_zones_and_tenants() {
    let (app, org) = setup().await;
    scenario(&app, &org).await;
    let r = app
        .send(
            axum::http::Method::GET,
            "/api/v1/reports/desk",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for token in [&org.technician, &org.customer] {
        let r = app
            .get(&format!("/api/v1/reports/desk?{RANGE}"), token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app
            .get(&format!("/api/v1/reports/desk.csv?{RANGE}"), token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    for (query, field) in [
        ("from=2026-13-01&to=2026-01-07", "from"),
        ("from=yesterday", "from"),
        ("from=2026-01-07&to=2026-01-05", "from"),
        ("from=2020-01-01&to=2026-01-01", "to"),
        ("from=2026-01-05&to=2026-01-07&group=customer", "group"),
        ("from=2026-01-05&to=2026-01-07&tz=Mars/Olympus", "tz"),
        ("from=2026-01-05&to=2026-01-07&colour=red", "colour"),
    ] {
        let r = app
            .get(&format!("/api/v1/reports/desk?{query}"), &org.agent)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert_eq!(r.field(), field, "{query}");
    }
    let r = app
        .get(
            &format!("/api/v1/reports/desk.csv?{RANGE}&section=all"),
            &org.agent,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // In New York (UTC-5) T4 (15:00 UTC on the 7th) is still on the 7th, T3's resolution at
    // 09:00 UTC on the 7th is 04:00 local, and T5's resolution at midnight UTC falls on the 5th.
    let r = app
        .get(
            &format!("/api/v1/reports/desk?{RANGE}&tz=America/New_York"),
            &org.agent,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["tz"], "America/New_York");
    assert_eq!(r.body["series"][0]["resolved"], 2, "{}", r.body["series"]);

    // Another organisation sees none of it.
    let other = app.org().await;
    let r = app
        .get(
            &format!("/api/v1/reports/desk?{RANGE}&group=agent"),
            &other.admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["totals"]["created"], 0);
    assert_eq!(r.body["totals"]["satisfaction"]["count"], 0);
    assert_eq!(r.body["groups"], Value::Array(vec![]));
}
