//! The SLA sweeper at a fixed "now", and SLA calendars and policies changed and deleted.

use super::*;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use fieldpath_api::desk::automation::sweeper;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_sweeper_marks_breach_once_and_escalates() {
    let (app, org) = setup().await;
    let admin = app.user_of(&org, "admin").await;
    let dispatcher = app.user_of(&org, "dispatcher").await;
    let p = app
        .post("/api/v1/sla/policies", &org.admin, json!({
            "name": "Standard", "first_response_mins": 60, "resolution_mins": 480, "escalate_to_id": admin
        }))
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    rule(&app, &org, json!({
        "name": "Due soon", "trigger": "sla_due_soon", "minutes": 30, "sla_target": "first_response",
        "actions": [{"type": "add_tag", "tag": "due-soon"}]
    })).await;
    rule(&app, &org, json!({
        "name": "Breached", "trigger": "sla_breached", "sla_target": "first_response",
        "actions": [{"type": "raise_priority"},
                    {"type": "notify", "user_ids": [dispatcher], "message": "{{ticket.number}} breached"}]
    })).await;
    let t = ticket(&app, &org.agent, json!({"subject": "Slow"})).await;
    let id = t["id"].as_str().unwrap_or_default().to_string();
    let due: DateTime<Utc> = t["first_response_due"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("first response due");

    let r = sweeper::sweep_org(&app.pool, org.id, due - Duration::minutes(20))
        .await
        .expect("sweep");
    assert_eq!((r.breaches, r.escalations, r.rules_fired), (0, 0, 1));
    let now = app
        .get(&format!("/api/v1/tickets/{id}"), &org.agent)
        .await
        .body;
    assert_eq!(now["tags"], json!(["due-soon"]));
    assert_eq!(now["first_response_breached"], false);

    let r = sweeper::sweep_org(&app.pool, org.id, due + Duration::minutes(1))
        .await
        .expect("sweep");
    assert_eq!((r.breaches, r.escalations, r.rules_fired), (1, 1, 1));
    let now = app
        .get(&format!("/api/v1/tickets/{id}"), &org.agent)
        .await
        .body;
    assert_eq!(now["first_response_breached"], true);
    assert_eq!(now["resolution_breached"], false);
    assert_eq!(now["assignee_id"], json!(admin.to_string()));
    assert!(now["escalated_at"].is_string());
    assert_eq!(now["priority"], "high");
    assert_eq!(notifications(&app, &org.dispatcher).await.len(), 1);
    assert_eq!(notifications(&app, &org.admin).await.len(), 1);

    // Later sweeps do not repeat anything.
    let r = sweeper::sweep_org(&app.pool, org.id, due + Duration::minutes(30))
        .await
        .expect("sweep");
    assert_eq!((r.breaches, r.escalations, r.rules_fired), (0, 0, 0));
    let again = app
        .get(&format!("/api/v1/tickets/{id}"), &org.agent)
        .await
        .body;
    assert_eq!(again["priority"], "high");
    assert_eq!(again["version"], now["version"]);
    assert_eq!(notifications(&app, &org.dispatcher).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_calendars_and_policies_change_and_delete_with_recompute() {
    let (app, org) = setup().await;
    let cal = app
        .post("/api/v1/sla/calendars", &org.admin, json!({"name": "Office", "time_zone": "Europe/Paris", "hours": {"mon": [["09:00", "17:00"]]}}))
        .await;
    assert_eq!(cal.status, StatusCode::CREATED, "{}", cal.body);
    let cal_uri = format!("/api/v1/sla/calendars/{}", cal.id());
    let r = app
        .patch(&cal_uri, &org.admin, "\"1\"", json!({"hours": {"mon": [["08:00", "18:00"]], "tue": [["08:00", "18:00"]]}, "holidays": ["2030-12-25"]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["name"], "Office");
    let bad = app
        .patch(
            &cal_uri,
            &org.admin,
            "\"2\"",
            json!({"time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

    let p = app
        .post(
            "/api/v1/sla/policies",
            &org.admin,
            json!({"name": "Std", "first_response_mins": 60, "calendar_id": cal.id()}),
        )
        .await;
    assert_eq!(p.status, StatusCode::CREATED, "{}", p.body);
    // The calendar is in use.
    assert_eq!(
        app.delete(&cal_uri, &org.admin, "\"2\"").await.status,
        StatusCode::CONFLICT
    );

    let pol_uri = format!("/api/v1/sla/policies/{}", p.id());
    let r = app
        .patch(&pol_uri, &org.admin, "\"1\"", json!({"calendar_id": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let t = ticket(&app, &org.agent, json!({"subject": "Clock"})).await;
    let id = t["id"].as_str().unwrap_or_default().to_string();
    let due = |v: &Value| {
        v["first_response_due"]
            .as_str()
            .and_then(|s| s.parse::<DateTime<Utc>>().ok())
    };
    let first = due(&t).expect("due with the policy");

    let stale = app
        .patch(
            &pol_uri,
            &org.admin,
            "\"1\"",
            json!({"first_response_mins": 180}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let r = app
        .patch(
            &pol_uri,
            &org.admin,
            "\"2\"",
            json!({"first_response_mins": 180}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["tickets_recomputed"], 1);
    let now = app
        .get(&format!("/api/v1/tickets/{id}"), &org.agent)
        .await
        .body;
    let moved = due(&now).expect("due after the change");
    assert!(
        moved - first >= Duration::minutes(119) && moved - first <= Duration::minutes(121),
        "{first} -> {moved}"
    );

    assert_eq!(
        app.delete(&pol_uri, &org.admin, "\"3\"").await.status,
        StatusCode::NO_CONTENT
    );
    let now = app
        .get(&format!("/api/v1/tickets/{id}"), &org.agent)
        .await
        .body;
    assert!(now["sla_policy_id"].is_null());
    assert!(now["first_response_due"].is_null());
    assert_eq!(
        app.delete(&cal_uri, &org.admin, "\"2\"").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&pol_uri, &org.admin, "\"3\"").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(&pol_uri, &org.agent, "\"3\"", json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
