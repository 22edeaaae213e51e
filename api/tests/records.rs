//! CRUD of every record kind: success, 401, 403, 404, 422, 428, 412; paging, filters, sort;
//! activity log; attachments; asset history.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::TestApp;
use serde_json::{json, Value};
use uuid::Uuid;

/// (path, valid create body, valid patch, invalid patch and its field, role that may not write)
fn cases(r: &common::Records) -> Vec<(&'static str, Value, Value, Value, &'static str)> {
    vec![
        (
            "customers",
            json!({"name": "Bob's"}),
            json!({"phone": "+377"}),
            json!({"name": 5}),
            "name",
        ),
        (
            "sites",
            json!({"name": "S", "lat": 43.7, "lon": 7.4}),
            json!({"address": "1 Rue"}),
            json!({"lat": 123.0}),
            "lat",
        ),
        (
            "assets",
            json!({"site_id": r.site, "model": "M"}),
            json!({"serial": "X1"}),
            json!({"warranty_until": "31/12/2030"}),
            "warranty_until",
        ),
        (
            "technicians",
            json!({"name": "T", "home_lat": 43.7, "home_lon": 7.4, "working_hours": {"mon": [{"start": "08:00", "end": "16:00"}]}}),
            json!({"max_jobs_per_day": 5}),
            json!({"skills": [{"skill": "hvac", "level": 9}]}),
            "skills",
        ),
        (
            "work-orders",
            json!({"title": "W", "site_id": r.site}),
            json!({"priority": "urgent"}),
            json!({"priority": "extreme"}),
            "priority",
        ),
        (
            "assignments",
            json!({"work_order_id": r.work_order, "technician_id": r.technician, "planned_start": "2030-01-02T08:00:00Z", "planned_end": "2030-01-02T09:00:00Z"}),
            json!({"locked": true}),
            json!({"planned_end": "2000-01-01T00:00:00Z"}),
            "planned_end",
        ),
        (
            "service-reports",
            json!({"work_order_id": r.work_order, "work_done": "ok"}),
            json!({"parts_used": [{"part": "F7", "quantity": 2}]}),
            json!({"signature_png": "bm90IGEgcG5n"}),
            "signature_png",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_create_read_update_delete() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let recs = app.records(&org).await;
    for (path, create, patch, invalid, field) in cases(&recs) {
        let uri = format!("/api/v1/{path}");
        // 401
        let r = app
            .send(Method::POST, &uri, None, Some(create.clone()), &[])
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        let r = app.send(Method::GET, &uri, None, None, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        // 403 (customers never write)
        assert_eq!(
            app.post(&uri, &org.customer, create.clone()).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        // 422: missing required field, unknown field, bad value
        let r = app.post(&uri, &org.admin, json!({})).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            r.body
        );
        assert!(!r.field().is_empty());
        let mut unknown = create.clone();
        unknown["colour"] = json!("red");
        let r = app.post(&uri, &org.admin, unknown).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, "colour"),
            "{path}"
        );
        // create
        let created = app.post(&uri, &org.admin, create.clone()).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{path}: {}",
            created.body
        );
        assert_eq!(created.etag(), "\"1\"");
        assert!(created.body.get("org_id").is_none());
        let item = format!("{uri}/{}", created.id());
        // read
        let got = app.get(&item, &org.dispatcher).await;
        assert_eq!(
            (got.status, got.etag().as_str()),
            (StatusCode::OK, "\"1\""),
            "{path}"
        );
        // 404
        let missing = app
            .get(&format!("{uri}/{}", Uuid::new_v4()), &org.admin)
            .await;
        assert_eq!(
            (missing.status, missing.code()),
            (StatusCode::NOT_FOUND, "not_found")
        );
        let bad_id = app.get(&format!("{uri}/not-a-uuid"), &org.admin).await;
        assert_eq!(
            (bad_id.status, bad_id.field()),
            (StatusCode::BAD_REQUEST, "path")
        );
        // update: 428 without version, 412 with a stale one, 422 invalid, then success
        let r = app
            .send(
                Method::PATCH,
                &item,
                Some(&org.admin),
                Some(patch.clone()),
                &[],
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::PRECONDITION_REQUIRED, "version_required"),
            "{path}"
        );
        let r = app.patch(&item, &org.admin, "\"7\"", patch.clone()).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{path}");
        let r = app.patch(&item, &org.admin, "\"1\"", invalid.clone()).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{path}: {}",
            r.body
        );
        let r = app
            .patch(&item, &org.customer, "\"1\"", patch.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        let r = app
            .patch(
                &format!("{uri}/{}", Uuid::new_v4()),
                &org.admin,
                "\"1\"",
                patch.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        let updated = app.patch(&item, &org.admin, "\"1\"", patch.clone()).await;
        assert_eq!(
            (updated.status, updated.etag().as_str()),
            (StatusCode::OK, "\"2\""),
            "{path}: {}",
            updated.body
        );
        for (k, v) in patch.as_object().expect("object") {
            assert_eq!(&updated.body[k], v, "{path}.{k}");
        }
        // version in the body works as well as If-Match
        let mut with_version = patch.clone();
        with_version["version"] = json!(2);
        let r = app
            .send(
                Method::PATCH,
                &item,
                Some(&org.admin),
                Some(with_version),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        // PUT needs every required field
        let r = app
            .send(
                Method::PUT,
                &item,
                Some(&org.admin),
                Some(patch.clone()),
                &[("if-match", "\"3\"")],
            )
            .await;
        let needs_more = create
            .as_object()
            .expect("object")
            .keys()
            .any(|k| patch.get(k).is_none());
        if needs_more {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        }
        // delete
        let current = app.get(&item, &org.admin).await.etag();
        assert_eq!(
            app.send(Method::DELETE, &item, Some(&org.admin), None, &[])
                .await
                .status,
            StatusCode::PRECONDITION_REQUIRED
        );
        assert_eq!(
            app.delete(&item, &org.agent, &current).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let r = app.delete(&item, &org.admin, &current).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{path}: {}", r.body);
        assert_eq!(
            app.get(&item, &org.admin).await.status,
            StatusCode::NOT_FOUND
        );
        // the activity log has create, updates and delete
        let log = app
            .get(
                &format!("/api/v1/activity?entity_id={}", created.id()),
                &org.admin,
            )
            .await;
        let actions: Vec<&str> = log.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["action"].as_str())
            .collect();
        assert_eq!(actions.first(), Some(&"delete"), "{path}");
        assert_eq!(actions.last(), Some(&"create"), "{path}");
        assert!(log.body["items"][0]["before"].is_object());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_filter_and_sort() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let t = &org.dispatcher;
    let site = app
        .post(
            "/api/v1/sites",
            t,
            json!({"name": "S", "lat": 43.7, "lon": 7.4}),
        )
        .await;
    for i in 0..7 {
        let priority = if i % 2 == 0 { "high" } else { "low" };
        let wo = json!({"title": format!("job {i}"), "site_id": site.id(), "priority": priority, "window_start": format!("2030-01-0{}T08:00:00Z", i + 1)});
        assert_eq!(
            app.post("/api/v1/work-orders", t, wo).await.status,
            StatusCode::CREATED
        );
    }
    let page = app
        .get("/api/v1/work-orders?limit=3&page=2&sort=number", t)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        (
            page.body["page"].clone(),
            page.body["limit"].clone(),
            page.body["total"].clone()
        ),
        (json!(2), json!(3), json!(7))
    );
    assert_eq!(page.body["items"][0]["number"], "WO-000004");
    let high = app
        .get(
            "/api/v1/work-orders?priority=high&status=open&sort=-window_start",
            t,
        )
        .await;
    assert_eq!(high.body["total"], 4);
    assert_eq!(
        high.body["items"][0]["window_start"],
        "2030-01-07T08:00:00+00:00"
    );
    let both = app
        .get("/api/v1/work-orders?priority=high,low&date=2030-01-02", t)
        .await;
    assert_eq!(both.body["total"], 1);
    for (query, field) in [
        ("sort=secret", "sort"),
        ("limit=500", "limit"),
        ("page=0", "page"),
        ("colour=red", "colour"),
        ("site_id=xyz", "site_id"),
        ("date=tomorrow", "date"),
    ] {
        let r = app.get(&format!("/api/v1/work-orders?{query}"), t).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{query}: {}",
            r.body
        );
    }
}

/// A list counts at most `PAGES_AHEAD` pages past the start of its page and says whether its
/// total is exact; `?total=exact` counts everything; the default order is newest first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_lists_count_ahead_of_the_page() {
    use fieldpath_api::db::lists::PAGES_AHEAD;
    let app = TestApp::new().await;
    let org = app.org().await;
    let t = &org.dispatcher;
    let site = app
        .post(
            "/api/v1/sites",
            t,
            json!({"name": "S", "lat": 43.7, "lon": 7.4}),
        )
        .await;
    let rows = 20 * PAGES_AHEAD * 5 + 100;
    sqlx::query(
        "INSERT INTO work_orders (org_id, seq, number, title, site_id, status, created_at) \
         SELECT $1, s, 'WO-' || lpad(s::text, 6, '0'), 'bulk', $2, \
           CASE WHEN s % 10 = 0 THEN 'completed' ELSE 'draft' END, \
           now() - make_interval(secs => $3 - s) \
         FROM (SELECT next_work_order_seq($1) AS s FROM generate_series(1, $3)) n",
    )
    .bind(org.id)
    .bind(Uuid::parse_str(&site.id()).expect("site id"))
    .bind(rows)
    .execute(&app.pool)
    .await
    .expect("bulk work orders");

    let first = app.get("/api/v1/work-orders?limit=20", t).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        first.body["total"],
        json!(20 * PAGES_AHEAD + 1),
        "{}",
        first.body["total"]
    );
    assert_eq!(first.body["total_exact"], false);
    // Newest first: the last inserted number leads.
    assert_eq!(first.body["items"][0]["number"], format!("WO-{rows:06}"));
    assert_eq!(
        first.body["items"][19]["number"],
        format!("WO-{:06}", rows - 19)
    );

    // The count moves along with the page.
    let third = app.get("/api/v1/work-orders?limit=20&page=3", t).await;
    assert_eq!(
        (
            third.body["total"].clone(),
            third.body["total_exact"].clone()
        ),
        (json!(40 + 20 * PAGES_AHEAD + 1), json!(false))
    );

    let exact = app.get("/api/v1/work-orders?limit=20&total=exact", t).await;
    assert_eq!(
        (
            exact.body["total"].clone(),
            exact.body["total_exact"].clone()
        ),
        (json!(rows), json!(true))
    );
    // Near the end the count reaches the last row, so it is exact again.
    let last = app
        .get(
            &format!("/api/v1/work-orders?limit=100&page={}", rows / 100),
            t,
        )
        .await;
    assert_eq!(
        (last.body["total"].clone(), last.body["total_exact"].clone()),
        (json!(rows), json!(true))
    );
    // A filter with few matches is counted exactly.
    let done = app.get("/api/v1/work-orders?status=completed", t).await;
    assert_eq!(
        (done.body["total"].clone(), done.body["total_exact"].clone()),
        (json!(rows / 10), json!(true))
    );
    let bad = app.get("/api/v1/work-orders?total=all", t).await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "total")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_upload_download_and_history() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let recs = app.records(&org).await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\nfake image data";
    let upload = app
        .raw(
            Request::builder()
                .method("POST")
                .uri(format!(
                    "/api/v1/attachments?service_report_id={}&filename=meter.png",
                    recs.service_report
                ))
                .header("authorization", format!("Bearer {}", org.technician))
                .header("content-type", "image/png")
                .body(Body::from(png.to_vec()))
                .expect("req"),
        )
        .await;
    assert_eq!(upload.status, StatusCode::CREATED, "{}", upload.body);
    assert_eq!(upload.body["size_bytes"], png.len());
    let down = app
        .get(
            &format!("/api/v1/attachments/{}/content", upload.id()),
            &org.dispatcher,
        )
        .await;
    assert_eq!(down.status, StatusCode::OK);
    assert_eq!(down.bytes, png);
    assert_eq!(down.headers["content-type"], "image/png");

    let boundary = "XyZ";
    let multipart = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"n.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n");
    let up2 = app
        .raw(
            Request::builder()
                .method("POST")
                .uri(format!(
                    "/api/v1/attachments?work_order_id={}",
                    recs.work_order
                ))
                .header("authorization", format!("Bearer {}", org.dispatcher))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(multipart))
                .expect("req"),
        )
        .await;
    assert_eq!(up2.status, StatusCode::CREATED, "{}", up2.body);
    assert_eq!(up2.body["filename"], "n.txt");
    let list = app
        .get(
            &format!("/api/v1/attachments?work_order_id={}", recs.work_order),
            &org.dispatcher,
        )
        .await;
    assert_eq!(list.body["total"], 2);

    let r = app
        .send(
            Method::POST,
            "/api/v1/attachments?filename=a",
            Some(&org.admin),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "work_order_id")
    );
    assert_eq!(
        app.post("/api/v1/attachments", &org.customer, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/attachments/{}/content", Uuid::new_v4()),
            &org.admin
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Signature: base64 PNG.
    let sig = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let r = app
        .patch(
            &format!("/api/v1/service-reports/{}", recs.service_report),
            &org.technician,
            "\"1\"",
            json!({"signature_png": sig}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Deleting the record removes the file too.
    let item = format!("/api/v1/attachments/{}", up2.id());
    let r = app.delete(&item, &org.admin, "\"1\"").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let gone = app.get(&format!("{item}/content"), &org.admin).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    let history = app
        .get(
            &format!("/api/v1/assets/{}/history", recs.asset),
            &org.agent,
        )
        .await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(
        history.body["work_orders"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        history.body["service_reports"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/assets/{}/history", Uuid::new_v4()),
            &org.agent
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_is_for_planners() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let recs = app.records(&org).await;
    let log = app
        .get(
            &format!(
                "/api/v1/activity?entity=work_order&entity_id={}",
                recs.work_order
            ),
            &org.dispatcher,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.body["total"], 1);
    assert_eq!(log.body["items"][0]["action"], "create");
    assert_eq!(
        app.get("/api/v1/activity", &org.agent).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/activity?entity_id=1", &org.admin)
            .await
            .field(),
        "entity_id"
    );
    assert_eq!(
        app.get("/api/v1/activity?x=1", &org.admin).await.field(),
        "x"
    );
}
