//! Roles, validation errors and tenant isolation of the automation endpoints.

use super::*;
use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_validation_and_tenant_isolation() {
    let (app, org) = setup().await;
    let other = app.org().await;
    let body = json!({"name": "Tag", "trigger": "ticket_created", "actions": [{"type": "add_tag", "tag": "auto"}]});
    let r = app
        .send(
            axum::http::Method::GET,
            "/api/v1/automation/rules",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for token in [&org.agent, &org.dispatcher, &org.customer] {
        let r = app
            .post("/api/v1/automation/rules", token, body.clone())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        app.get("/api/v1/macros", &org.customer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/macros", &org.technician).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/webhooks", &org.agent).await.status,
        StatusCode::FORBIDDEN
    );

    for (bad, field) in [
        (
            json!({"name": "x", "trigger": "ticket_deleted", "actions": [{"type": "raise_priority"}]}),
            "trigger",
        ),
        (
            json!({"name": "x", "trigger": "ticket_created", "actions": []}),
            "actions",
        ),
        (
            json!({"name": "x", "trigger": "sla_due_soon", "actions": [{"type": "raise_priority"}]}),
            "minutes",
        ),
        (
            json!({"name": "x", "trigger": "ticket_created", "conditions": [{"field": "colour", "op": "equals", "value": "red"}], "actions": [{"type": "raise_priority"}]}),
            "conditions[0]",
        ),
        (
            json!({"name": "x", "trigger": "ticket_created", "actions": [{"type": "reply", "body": "{{nope}}"}]}),
            "actions[0]",
        ),
        (
            json!({"name": "x", "trigger": "ticket_created", "actions": [{"type": "assign", "user_id": Uuid::new_v4()}]}),
            "actions",
        ),
        (
            json!({"name": "x", "trigger": "ticket_created", "actions": [{"type": "launch_rocket"}]}),
            "",
        ),
    ] {
        let r = app
            .post("/api/v1/automation/rules", &org.admin, bad.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        if !field.is_empty() {
            assert_eq!(r.field(), field, "{bad}");
        }
    }
    let bad_hook = app
        .post(
            "/api/v1/webhooks",
            &org.admin,
            json!({"url": "ftp://x", "events": ["ticket.created"]}),
        )
        .await;
    assert_eq!(bad_hook.field(), "url");

    let id = rule(&app, &org, body).await;
    let uri = format!("/api/v1/automation/rules/{id}");
    // Another organisation sees nothing and its tickets are not touched by this rule.
    assert_eq!(
        app.get(&uri, &other.admin).await.status,
        StatusCode::NOT_FOUND
    );
    let theirs = ticket(&app, &other.agent, json!({"subject": "Theirs"})).await;
    assert_eq!(theirs["tags"], json!([]));
    let r = app
        .post(
            &format!("{uri}/test"),
            &org.admin,
            json!({"ticket_id": theirs["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(
            &format!("{uri}/test"),
            &other.admin,
            json!({"ticket_id": theirs["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mine = ticket(&app, &org.agent, json!({"subject": "Mine"})).await;
    assert_eq!(mine["tags"], json!(["auto"]));
    let m = app
        .post(
            "/api/v1/macros",
            &org.agent,
            json!({"name": "M", "body": "Hi"}),
        )
        .await;
    let r = app
        .post(
            &format!(
                "/api/v1/tickets/{}/macros/{}",
                theirs["id"].as_str().unwrap_or_default(),
                m.id()
            ),
            &other.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(app.get("/api/v1/macros", &other.agent).await.body["items"]
        .as_array()
        .is_some_and(Vec::is_empty));

    // Versioned change and delete.
    let change = json!({"name": "Tag it", "trigger": "ticket_created", "active": false, "actions": [{"type": "add_tag", "tag": "auto"}]});
    assert_eq!(
        app.patch(&uri, &org.admin, "\"9\"", change.clone())
            .await
            .status,
        StatusCode::PRECONDITION_FAILED
    );
    let r = app.patch(&uri, &org.admin, "\"1\"", change).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["active"], false);
    let off = ticket(&app, &org.agent, json!({"subject": "Inactive rule"})).await;
    assert_eq!(off["tags"], json!([]));
    assert_eq!(
        app.delete(&uri, &org.admin, "\"2\"").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&uri, &org.admin).await.status,
        StatusCode::NOT_FOUND
    );
}
