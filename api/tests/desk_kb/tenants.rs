//! Organisations do not see each other's knowledge base.

use super::common::TestApp;
use super::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_do_not_see_each_others_knowledge_base() {
    let app = TestApp::new().await;
    let (one, two) = (app.org().await, app.org().await);
    let a = article(
        &app,
        &one,
        json!({"title": "Tenant secret procedure", "status": "published"}),
    )
    .await;
    let cat = app
        .post(
            "/api/v1/kb/categories",
            &one.agent,
            json!({"name": "Only mine"}),
        )
        .await;
    let t = app
        .post("/api/v1/tickets", &one.customer, json!({"subject": "Mine"}))
        .await;

    assert_eq!(
        app.get(&format!("/api/v1/kb/articles/{}", a.id()), &two.agent)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/kb/articles/{}", a.id()),
            &two.agent,
            "\"1\"",
            json!({"title": "x"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/kb/articles/{}/versions/1", a.id()),
            &two.agent
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        titles(&app.get("/api/v1/kb/articles?q=tenant", &two.agent).await),
        Vec::<String>::new()
    );
    assert_eq!(
        titles(&public_get(&app, &format!("/api/v1/public/{}/kb?q=tenant", two.slug)).await),
        Vec::<String>::new()
    );
    assert_eq!(
        public_get(
            &app,
            &format!(
                "/api/v1/public/{}/kb/articles/tenant-secret-procedure",
                two.slug
            )
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        titles(&public_get(&app, &format!("/api/v1/public/{}/kb?q=tenant", one.slug)).await),
        ["Tenant secret procedure"]
    );
    let r = app
        .post(
            "/api/v1/kb/articles",
            &two.agent,
            json!({"title": "x", "category_id": cat.id()}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "category_id")
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/kb/articles/{}/feedback", a.id()),
            &two.customer,
            json!({"helpful": true})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            "/api/v1/portal/deflections",
            &two.customer,
            json!({"article_id": a.id()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{}/survey", t.id()), &two.agent)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get("/api/v1/kb/categories", &two.agent).await.body["items"]
            .as_array()
            .is_some_and(|c| c.is_empty())
    );
    // The same slug may exist in both organisations.
    article(&app, &two, json!({"title": "Tenant secret procedure"})).await;
}
