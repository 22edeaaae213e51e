//! Tenant isolation, swept over every resource: organisation A's tokens read, list, update,
//! delete and reference nothing of organisation B's.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fieldpath_api::domain::roles::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisation_a_sees_and_changes_nothing_of_b() {
    let app = TestApp::new().await;
    let a = app.org().await;
    let b = app.org().await;
    let recs_a = app.records(&a).await;
    let recs_b = app.records(&b).await;

    for ((path, id_b), (_, id_a)) in recs_b.all().into_iter().zip(recs_a.all()) {
        for token in [&a.admin, &a.dispatcher] {
            let r = app.get(&format!("/api/v1/{path}/{id_b}"), token).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "GET {path} of B: {}",
                r.body
            );

            let list = app.get(&format!("/api/v1/{path}?limit=200"), token).await;
            assert_eq!(list.status, StatusCode::OK, "{}", list.body);
            let ids: Vec<&str> = list.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|i| i["id"].as_str())
                .collect();
            assert!(!ids.contains(&id_b), "list {path} leaks B's record");
            assert!(ids.contains(&id_a), "list {path} misses A's own record");

            let r = app
                .patch(&format!("/api/v1/{path}/{id_b}"), token, "\"1\"", json!({}))
                .await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "PATCH {path} of B: {}",
                r.body
            );
            let r = app
                .delete(&format!("/api/v1/{path}/{id_b}"), token, "\"1\"")
                .await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "DELETE {path} of B: {}",
                r.body
            );
        }
    }
    // Filters naming B's ids find nothing.
    let r = app
        .get(
            &format!("/api/v1/work-orders?site_id={}", recs_b.site),
            &a.admin,
        )
        .await;
    assert_eq!(r.body["total"], 0);

    // Special endpoints.
    let r = app
        .post(
            &format!("/api/v1/work-orders/{}/transition", recs_b.work_order),
            &a.admin,
            json!({"to": "scheduled"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/assets/{}/history", recs_b.asset),
            &a.admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/attachments/{}/content", recs_b.attachment),
            &a.admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &format!("/api/v1/activity?entity_id={}", recs_b.work_order),
            &a.admin,
        )
        .await;
    assert_eq!(r.body["total"], 0, "activity of B visible to A");
    let users = app.get("/api/v1/users", &a.admin).await;
    assert!(
        !users.body.to_string().contains(&b.slug),
        "users of B visible to A"
    );

    // A cannot point its records at B's.
    let r = app
        .post(
            "/api/v1/work-orders",
            &a.dispatcher,
            json!({"title": "x", "site_id": recs_b.site}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "site_id"),
        "{}",
        r.body
    );
    let r = app
        .post(
            "/api/v1/sites",
            &a.dispatcher,
            json!({"name": "x", "lat": 1.0, "lon": 1.0, "customer_id": recs_b.customer}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "customer_id")
    );
    let r = app
        .post(
            "/api/v1/assignments",
            &a.dispatcher,
            json!({"work_order_id": recs_a.work_order, "technician_id": recs_b.technician, "planned_start": "2030-01-01T08:00:00Z", "planned_end": "2030-01-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "technician_id")
    );
    let r = app
        .send(
            Method::POST,
            &format!(
                "/api/v1/attachments?service_report_id={}&filename=a.txt",
                recs_b.service_report
            ),
            Some(&a.admin),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "service_report_id")
    );

    // B's records are untouched.
    for (path, id) in recs_b.all() {
        let r = app.get(&format!("/api/v1/{path}/{id}"), &b.admin).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.body["version"], 1, "{path} of B was changed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_users_see_only_their_customer() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let t = &org.dispatcher;
    let own_site = app
        .post(
            "/api/v1/sites",
            t,
            json!({"name": "Mine", "lat": 43.7, "lon": 7.4, "customer_id": org.customer_id}),
        )
        .await;
    let other = app
        .post("/api/v1/customers", t, json!({"name": "Other"}))
        .await;
    let other_site = app
        .post(
            "/api/v1/sites",
            t,
            json!({"name": "Theirs", "lat": 43.7, "lon": 7.4, "customer_id": other.id()}),
        )
        .await;
    let own_wo = app
        .post(
            "/api/v1/work-orders",
            t,
            json!({"title": "a", "site_id": own_site.id(), "customer_id": org.customer_id}),
        )
        .await;
    let other_wo = app
        .post(
            "/api/v1/work-orders",
            t,
            json!({"title": "b", "site_id": other_site.id(), "customer_id": other.id()}),
        )
        .await;

    let c = org.token(Role::Customer);
    let list = app.get("/api/v1/work-orders", c).await;
    assert_eq!(list.body["total"], 1, "{}", list.body);
    assert_eq!(list.body["items"][0]["id"], own_wo.id().as_str());
    assert_eq!(
        app.get(&format!("/api/v1/work-orders/{}", other_wo.id()), c)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/sites/{}", other_site.id()), c)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/sites/{}", own_site.id()), c)
            .await
            .status,
        StatusCode::OK
    );
    // Customers cannot write or see other kinds.
    assert_eq!(
        app.post(
            "/api/v1/work-orders",
            c,
            json!({"title": "x", "site_id": own_site.id()})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/technicians", c).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/customers", c).await.status,
        StatusCode::FORBIDDEN
    );
}
