//! Group commit of record creates (`db::create_batch`): the multi-row statement keeps each
//! record's organisation, actor, number and activity entry; a bad create among concurrent ones
//! fails alone.

mod common;

use axum::http::StatusCode;
use common::{Org, TestApp};
use fieldpath_api::db::create_batch::CreateBatcher;
use fieldpath_api::db::records::{create_logged_many, Creator};
use fieldpath_api::domain::resources::{CUSTOMERS, WORK_ORDERS};
use serde_json::{json, Map, Value};
use uuid::Uuid;

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

async fn site(app: &TestApp, token: &str) -> String {
    let s = app
        .post(
            "/api/v1/sites",
            token,
            json!({"name": "S", "lat": 43.7, "lon": 7.4}),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
    s.id()
}

/// Two organisations with a site each.
async fn two_orgs(app: &TestApp) -> ((Org, String), (Org, String)) {
    let (a, b) = (app.org().await, app.org().await);
    let (site_a, site_b) = (site(app, &a.agent).await, site(app, &b.agent).await);
    ((a, site_a), (b, site_b))
}

/// Activity `create` entries of an organisation: (entity id, actor).
async fn created_entries(app: &TestApp, org: Uuid, entity: &str) -> Vec<(Uuid, Option<Uuid>)> {
    sqlx::query_as(
        "SELECT entity_id, actor_id FROM activity WHERE org_id = $1 AND entity = $2 \
         AND action = 'create' ORDER BY id",
    )
    .bind(org)
    .bind(entity)
    .fetch_all(&app.pool)
    .await
    .expect("activity")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_statement_creates_records_of_two_organisations_in_order() {
    let app = TestApp::new().await;
    let ((a, site_a), (b, site_b)) = two_orgs(&app).await;
    let (who_a, who_b) = (
        Creator {
            org_id: a.id,
            actor_id: app.user_of(&a, "dispatcher").await,
        },
        Creator {
            org_id: b.id,
            actor_id: app.user_of(&b, "dispatcher").await,
        },
    );
    let rows: Vec<(Creator, Map<String, Value>)> = (0..6)
        .map(|i| {
            let (who, site) = if i % 2 == 0 {
                (who_a, &site_a)
            } else {
                (who_b, &site_b)
            };
            (
                who,
                fields(json!({"title": format!("w{i}"), "site_id": site})),
            )
        })
        .collect();
    let refs: Vec<_> = rows.iter().map(|(who, f)| (*who, f)).collect();
    let docs = create_logged_many(&app.pool, &WORK_ORDERS, &refs, true)
        .await
        .expect("batch");

    let titles: Vec<&str> = docs.iter().filter_map(|d| d["title"].as_str()).collect();
    assert_eq!(
        titles,
        ["w0", "w1", "w2", "w3", "w4", "w5"],
        "request order"
    );
    let numbers: Vec<&str> = docs.iter().filter_map(|d| d["number"].as_str()).collect();
    assert_eq!(
        numbers,
        [
            "WO-000001",
            "WO-000001",
            "WO-000002",
            "WO-000002",
            "WO-000003",
            "WO-000003"
        ],
        "each organisation's own sequence"
    );
    assert!(docs.iter().all(|d| d.get("org_id").is_none()));

    // Each organisation sees its three, with its own actor in the activity log, and none of
    // the other's.
    for (org, who, own) in [(&a, who_a, [0, 2, 4]), (&b, who_b, [1, 3, 5])] {
        let list = app.get("/api/v1/work-orders?limit=50", &org.agent).await;
        assert_eq!(list.body["total"], 3, "{}", list.body);
        let entries = created_entries(&app, org.id, "work_order").await;
        let expected: Vec<(Uuid, Option<Uuid>)> = own
            .iter()
            .map(|&i| {
                let id = docs[i]["id"].as_str().and_then(|s| s.parse().ok());
                (id.unwrap_or_default(), Some(who.actor_id))
            })
            .collect();
        assert_eq!(entries, expected);
        for &i in &own {
            let id = docs[i]["id"].as_str().unwrap_or_default();
            let r = app
                .get(&format!("/api/v1/work-orders/{id}"), &org.agent)
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
    }

    // A kind without numbers.
    let customers = [fields(json!({"name": "C1"})), fields(json!({"name": "C2"}))];
    let refs: Vec<_> = customers.iter().map(|f| (who_a, f)).collect();
    let docs = create_logged_many(&app.pool, &CUSTOMERS, &refs, false)
        .await
        .expect("customers");
    let names: Vec<&str> = docs.iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(names, ["C1", "C2"]);
    assert_eq!(created_entries(&app, a.id, "customer").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_statement_creates_nothing() {
    let app = TestApp::new().await;
    let ((a, site_a), (_, foreign)) = two_orgs(&app).await;
    let who = Creator {
        org_id: a.id,
        actor_id: app.user_of(&a, "dispatcher").await,
    };
    let rows = [
        fields(json!({"title": "good", "site_id": site_a})),
        fields(json!({"title": "other org's site", "site_id": foreign})),
    ];
    let refs: Vec<_> = rows.iter().map(|f| (who, f)).collect();
    let err = create_logged_many(&app.pool, &WORK_ORDERS, &refs, true).await;
    assert!(err.is_err(), "a reference into another organisation fails");
    let list = app.get("/api/v1/work-orders", &a.agent).await;
    assert_eq!(list.body["total"], 0, "all or nothing");
    assert!(created_entries(&app, a.id, "work_order").await.is_empty());
}

/// Many concurrent creates through the API (batched when they queue up): the bad ones get
/// their own 422 naming the field, every good one is created exactly once with its own number
/// and activity entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_create_among_concurrent_ones_fails_alone() {
    let app = TestApp::new().await;
    let ((a, site_a), (b, foreign)) = two_orgs(&app).await;
    let creates = (0..40).map(|i| {
        let (app, token) = (&app, a.dispatcher.clone());
        let site = if i % 8 == 3 { &foreign } else { &site_a };
        async move {
            let body = json!({"title": format!("c{i}"), "site_id": site});
            (i, app.post("/api/v1/work-orders", &token, body).await)
        }
    });
    let answers = futures_util::future::join_all(creates).await;
    let mut numbers = Vec::new();
    for (i, r) in &answers {
        if i % 8 == 3 {
            assert_eq!(
                (r.status, r.field()),
                (StatusCode::UNPROCESSABLE_ENTITY, "site_id"),
                "{}",
                r.body
            );
        } else {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert_eq!(r.body["title"], format!("c{i}"), "its own record");
            numbers.push(r.body["number"].as_str().unwrap_or_default().to_string());
        }
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 35, "35 distinct numbers");
    let list = app
        .get("/api/v1/work-orders?limit=100&total=exact", &a.agent)
        .await;
    assert_eq!(list.body["total"], 35);
    assert_eq!(created_entries(&app, a.id, "work_order").await.len(), 35);
    let other = app.get("/api/v1/work-orders", &b.agent).await;
    assert_eq!(other.body["total"], 0);
}

/// Load that ends: clients creating one work order after another, then stopping. Every
/// create is answered without a later create arriving. (A small batch waits while others are
/// written; the end of the last of those must wake it, or the tail of the load would wait for
/// the next create, which may never come.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_tail_of_the_load_is_answered_without_further_creates() {
    let app = TestApp::new().await;
    let ((a, site_a), _) = two_orgs(&app).await;
    let who = Creator {
        org_id: a.id,
        actor_id: app.user_of(&a, "dispatcher").await,
    };
    let batcher = CreateBatcher::new(&app.pool);
    let body = fields(json!({"title": "load", "site_id": site_a}));
    for round in 0..ROUNDS {
        let clients = (0..CLIENTS).map(|_| async {
            for _ in 0..CREATES_PER_CLIENT {
                let created = batcher.create(&WORK_ORDERS, who, body.clone(), true).await;
                assert!(created.is_ok(), "round {round}: {created:?}");
            }
        });
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            futures_util::future::join_all(clients),
        )
        .await
        .unwrap_or_else(|_| panic!("round {round}: creates left unanswered when the load ended"));
    }
}

const ROUNDS: usize = 40;
const CLIENTS: usize = 48;
const CREATES_PER_CLIENT: usize = 4;
