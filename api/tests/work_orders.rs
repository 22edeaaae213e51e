//! Work-order lifecycle, numbering, roles for transitions, and concurrent updates.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_allows_only_listed_transitions() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let recs = app.records(&org).await;
    let uri = format!("/api/v1/work-orders/{}/transition", recs.work_order);
    let step = |to: &'static str, token: String| {
        let app = &app;
        let uri = uri.clone();
        async move { app.post(&uri, &token, json!({"to": to})).await }
    };

    let r = step("completed", org.dispatcher.clone()).await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::CONFLICT, "to"),
        "draft → completed"
    );
    let r = step("flying", org.dispatcher.clone()).await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "to")
    );
    let r = step("draft", org.dispatcher.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "same status");
    assert_eq!(
        step("scheduled", org.customer.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step("scheduled", org.technician.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step("scheduled", org.dispatcher.clone()).await.status,
        StatusCode::OK
    );
    assert_eq!(
        step("dispatched", org.dispatcher.clone()).await.status,
        StatusCode::OK
    );
    // Technicians start and finish the work.
    let r = step("in_progress", org.technician.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        step("cancelled", org.technician.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let done = step("completed", org.technician.clone()).await;
    assert_eq!(
        (done.status, done.body["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );
    // Completed is final, also through PATCH.
    assert_eq!(
        step("cancelled", org.dispatcher.clone()).await.status,
        StatusCode::CONFLICT
    );
    let version = done.etag();
    let r = app
        .patch(
            &format!("/api/v1/work-orders/{}", recs.work_order),
            &org.dispatcher,
            &version,
            json!({"status": "draft"}),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::CONFLICT, "status"));
    // A stale version on a transition is refused.
    let r = app
        .post(
            &uri,
            &org.dispatcher,
            json!({"to": "cancelled", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let log = app
        .get(
            &format!("/api/v1/activity?entity_id={}", recs.work_order),
            &org.admin,
        )
        .await;
    let transitions = log.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["action"] == "transition")
        .count();
    assert_eq!(transitions, 4);
    // Creation only as draft or scheduled; unknown work order → 404.
    let r = app
        .post(
            "/api/v1/work-orders",
            &org.dispatcher,
            json!({"title": "x", "site_id": recs.site, "status": "completed"}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "status")
    );
    let r = app
        .post(
            &format!("/api/v1/work-orders/{}/transition", uuid::Uuid::new_v4()),
            &org.dispatcher,
            json!({"to": "scheduled"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_are_sequential_per_organisation() {
    let app = TestApp::new().await;
    let a = app.org().await;
    let b = app.org().await;
    for org in [&a, &b] {
        let site = app
            .post(
                "/api/v1/sites",
                &org.agent,
                json!({"name": "S", "lat": 43.7, "lon": 7.4}),
            )
            .await;
        for n in 1..=3 {
            let wo = app
                .post(
                    "/api/v1/work-orders",
                    &org.agent,
                    json!({"title": "t", "site_id": site.id()}),
                )
                .await;
            assert_eq!(wo.body["number"], format!("WO-{n:06}"));
        }
    }
    let r = app
        .get("/api/v1/work-orders?number=WO-000002", &a.agent)
        .await;
    assert_eq!(r.body["total"], 1);
}

/// Concurrent creates of one organisation never share a number: each create takes the next
/// value of the organisation's sequence inside its own insert statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_get_distinct_numbers() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let site = app
        .post(
            "/api/v1/sites",
            &org.agent,
            json!({"name": "S", "lat": 43.7, "lon": 7.4}),
        )
        .await;
    let creates = (0..24).map(|i| {
        let (app, token, site) = (&app, org.agent.clone(), site.id());
        async move {
            app.post(
                "/api/v1/work-orders",
                &token,
                json!({"title": format!("c{i}"), "site_id": site}),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(creates).await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.body["number"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=24).map(|n| format!("WO-{n:06}")).collect();
    assert_eq!(
        numbers, expected,
        "every create took the next number, none twice"
    );
}

/// Numbers taken outside the generic create (demo seeding, tickets turned into work orders,
/// the dashboard's history) continue the same per-organisation sequence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_taken_elsewhere_continue_the_sequence() {
    let app = TestApp::new().await;
    let (a, b) = (app.org().await, app.org().await);
    let site = app
        .post(
            "/api/v1/sites",
            &a.agent,
            json!({"name": "S", "lat": 43.7, "lon": 7.4}),
        )
        .await;
    let create = || async {
        let wo = app
            .post(
                "/api/v1/work-orders",
                &a.agent,
                json!({"title": "t", "site_id": site.id()}),
            )
            .await;
        assert_eq!(wo.status, StatusCode::CREATED, "{}", wo.body);
        wo.body["number"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(create().await, "WO-000001");
    let mut conn = app.pool.acquire().await.expect("conn");
    let orgs = fieldpath_api::db::orgs::next_work_order_seq(&mut conn, a.id)
        .await
        .expect("seq");
    let batch = fieldpath_api::db::orgs::next_work_order_seqs(&mut conn, a.id, 3)
        .await
        .expect("seqs");
    let other = fieldpath_api::db::orgs::next_work_order_seq(&mut conn, b.id)
        .await
        .expect("seq");
    drop(conn);
    assert_eq!((orgs, batch, other), (2, vec![3, 4, 5], 1));
    assert_eq!(create().await, "WO-000006");
}

/// The create statements number work orders in SQL (`work_order_number`); numbers taken in
/// the service (`domain::work_order::number`) must read the same, also past six digits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_read_the_same_in_sql_and_in_the_service() {
    let app = TestApp::new().await;
    for seq in [1_i64, 42, 999_999, 1_000_000, 12_345_678, i64::MAX] {
        let (sql,): (String,) = sqlx::query_as("SELECT work_order_number($1)")
            .bind(seq)
            .fetch_one(&app.pool)
            .await
            .expect("number");
        assert_eq!(sql, fieldpath_api::domain::work_order::number(seq), "{seq}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_exactly_one_wins() {
    let app = Arc::new(TestApp::new().await);
    let org = app.org().await;
    let recs = app.records(&org).await;
    let uri = format!("/api/v1/work-orders/{}", recs.work_order);
    for round in 0..5 {
        let version = app.get(&uri, &org.dispatcher).await.etag();
        let mut handles = Vec::new();
        for (i, token) in [org.dispatcher.clone(), org.admin.clone()]
            .into_iter()
            .enumerate()
        {
            let (app, uri, version) = (app.clone(), uri.clone(), version.clone());
            handles.push(tokio::spawn(async move {
                app.patch(
                    &uri,
                    &token,
                    &version,
                    json!({"title": format!("round {round} by {i}")}),
                )
                .await
                .status
            }));
        }
        let mut statuses = Vec::new();
        for h in handles {
            statuses.push(h.await.expect("join"));
        }
        statuses.sort();
        assert_eq!(
            statuses,
            vec![StatusCode::OK, StatusCode::PRECONDITION_FAILED],
            "round {round}"
        );
    }
    let final_version = app.get(&uri, &org.dispatcher).await.body["version"].clone();
    assert_eq!(final_version, 6);
}
