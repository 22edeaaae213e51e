//! A list page's JSON (`json_agg` over the table's columns, `db::lists::list_json`) and a
//! record's (`to_jsonb`) are built differently: every kind's list items must read exactly as
//! the record read on its own, for every column type (uuid, text, integers, booleans, floats,
//! timestamps with and without fractions, dates, jsonb, nulls), and pages past the end are
//! empty with the total. After a burst of creates, a list still counts through an index
//! instead of scanning the table.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use fieldpath_api::db::lists::{explain_list, PAGES_AHEAD};
use fieldpath_api::db::records::Scope;
use fieldpath_api::domain::resources::WORK_ORDERS;
use fieldpath_api::http::listing::list_spec;
use serde_json::{json, Value};
use std::collections::HashMap;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_items_read_as_the_record_alone() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let recs = app.records(&org).await;
    let t = &org.dispatcher;
    // Values that exercise the formats: dates (also before 2000), fractional timestamps, a
    // float, unicode and characters JSON escapes, nulls.
    for (model, warranty) in [("Kone \"Mono\" ✓\n\\", "2031-02-28"), ("Old", "1999-12-31")] {
        let asset = app
            .post(
                "/api/v1/assets",
                t,
                json!({"site_id": recs.site, "model": model, "warranty_until": warranty}),
            )
            .await;
        assert_eq!(asset.status, StatusCode::CREATED, "{}", asset.body);
    }
    let wo = app
        .post(
            "/api/v1/work-orders",
            t,
            json!({"title": "Fenêtre", "site_id": recs.site, "window_start": "2030-01-01T08:00:00.1234Z",
                   "window_end": "2030-01-01T09:30:00.000001Z", "required_skills": [{"skill": "hvac", "level": 1}]}),
        )
        .await;
    assert_eq!(wo.status, StatusCode::CREATED, "{}", wo.body);
    assert_eq!(wo.body["window_start"], "2030-01-01T08:00:00.1234+00:00");

    for (kind, _) in recs.all() {
        let list = app
            .get(&format!("/api/v1/{kind}?limit=100&total=exact"), t)
            .await;
        assert_eq!(list.status, StatusCode::OK, "{kind}: {}", list.body);
        let items = list.body["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "{kind}: the fixture has records");
        assert_eq!(list.body["total"], items.len(), "{kind}");
        for item in &items {
            let id = item["id"].as_str().unwrap_or_default();
            let alone = app.get(&format!("/api/v1/{kind}/{id}"), t).await;
            assert_eq!(alone.status, StatusCode::OK, "{kind} {id}");
            assert_eq!(item, &alone.body, "{kind}: list item and record differ");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_past_the_end_is_empty_with_the_total() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let _ = app.records(&org).await;
    let r = app
        .get("/api/v1/work-orders?page=5&limit=10", &org.dispatcher)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["items"], json!([]));
    assert_eq!(r.body["total"], 1);
    let none = app
        .get("/api/v1/work-orders?status=cancelled", &org.dispatcher)
        .await;
    assert_eq!(none.body["items"], json!([]));
    assert_eq!(none.body["total"], 0);
}

/// The scan nodes of a plan (`EXPLAIN (FORMAT JSON)` node), as (node type, index, relation).
fn scans(plan: &Value, out: &mut Vec<(String, String, String)>) {
    let text = |key: &str| plan[key].as_str().unwrap_or_default().to_string();
    if plan.get("Relation Name").is_some() {
        out.push((text("Node Type"), text("Index Name"), text("Relation Name")));
    }
    for child in plan["Plans"].as_array().into_iter().flatten() {
        scans(child, out);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_after_a_burst_of_creates_reads_through_an_index() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let recs = app.records(&org).await;
    // A burst of creates: the organisation's newest rows at the end of the table, analysed
    // but not yet vacuumed (so not all-visible) — the state in which a count without an order
    // was planned as a scan of the table from its start (the demo benchmark) or of all the
    // organisation's rows (here, a bitmap scan).
    sqlx::query(
        "INSERT INTO work_orders (org_id, seq, number, title, site_id) \
         SELECT $1, 1000 + g, 'B-' || g, 'burst ' || g, $2::uuid FROM generate_series(1, 3000) g",
    )
    .bind(org.id)
    .bind(recs.site)
    .execute(&app.pool)
    .await
    .expect("burst");
    sqlx::query("ANALYZE work_orders")
        .execute(&app.pool)
        .await
        .expect("analyze");
    let scope = Scope {
        org_id: org.id,
        customer: None,
    };
    for query in [
        "status=open&limit=50",
        "status=open&limit=50&sort=number",
        "limit=20&page=3",
    ] {
        let params: HashMap<String, String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let spec = list_spec(&WORK_ORDERS, params).expect("spec");
        let plan = explain_list(&app.pool, &WORK_ORDERS, &scope, &spec)
            .await
            .expect("explain");
        // The statement is the page (first init plan) and the count (the second).
        let root = &plan[0]["Plan"];
        let mut all = Vec::new();
        scans(root, &mut all);
        assert!(
            all.iter().all(|(kind, ..)| kind != "Seq Scan"),
            "{query}: a scan of the whole table: {plan}"
        );
        let count = root["Plans"]
            .as_array()
            .and_then(|p| p.last())
            .expect("count plan");
        let mut counted = Vec::new();
        scans(count, &mut counted);
        assert_eq!(
            counted
                .iter()
                .map(|(_, index, _)| index.as_str())
                .collect::<Vec<_>>(),
            ["work_orders_org_created"],
            "{query}: the count walks the newest-first index: {plan}"
        );
        // And the capped count is right for this organisation.
        let r = app
            .get(&format!("/api/v1/work-orders?{query}"), &org.dispatcher)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["total_exact"], false, "{query}: {}", r.body);
        let limit = spec.limit;
        assert_eq!(
            r.body["total"],
            spec.offset + limit * PAGES_AHEAD + 1,
            "{query}"
        );
    }
}
