//! A list page's JSON (`json_agg` over the table's columns, `db::records::list_json`) and a
//! record's (`to_jsonb`) are built differently: every kind's list items must read exactly as
//! the record read on its own, for every column type (uuid, text, integers, booleans, floats,
//! timestamps with and without fractions, dates, jsonb, nulls), and pages past the end are
//! empty with the total.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

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
