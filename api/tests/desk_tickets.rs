//! Help-desk tickets on the real Postgres: numbering, validation, custom statuses and fields,
//! replies and notes with mentions, history, merge, split, parent/child, work orders, paging,
//! filters, sorting, ETag concurrency, roles and tenant isolation.

mod common;

use axum::http::StatusCode;
use common::desk::{setup, ticket};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_number_validate_and_change_with_etags() {
    let (app, org) = setup().await;
    let a = ticket(&app, &org.agent, json!({"subject": "Printer jammed", "priority": "high", "channel": "phone", "tags": ["VIP", "printer"]})).await;
    assert_eq!(a.body["number"], "TK-000001");
    assert_eq!(a.body["status"], "open");
    assert_eq!(a.body["tags"], json!(["printer", "vip"]));
    assert_eq!(a.etag(), "\"1\"");
    let b = ticket(&app, &org.admin, json!({"subject": "Second"})).await;
    assert_eq!(b.body["number"], "TK-000002");
    assert_eq!(b.body["channel"], "web");

    for (body, field) in [
        (json!({"subject": ""}), "subject"),
        (json!({"subject": "x", "priority": "huge"}), "priority"),
        (json!({"subject": "x", "channel": "fax"}), "channel"),
        (json!({"subject": "x", "status": "nope"}), "status"),
        (
            json!({"subject": "x", "assignee_id": org.technician_user}),
            "assignee_id",
        ),
        (json!({"subject": "x", "colour": "red"}), "body"),
    ] {
        let r = app.post("/api/v1/tickets", &org.agent, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        if field != "body" {
            assert_eq!(r.field(), field, "{body}");
        }
    }

    let uri = format!("/api/v1/tickets/{}", a.id());
    let r = app
        .send(
            axum::http::Method::PATCH,
            &uri,
            Some(&org.agent),
            Some(json!({"priority": "low"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = app
        .patch(
            &uri,
            &org.agent,
            "\"1\"",
            json!({"priority": "urgent", "status": "pending"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["priority"].as_str(), r.body["status_type"].as_str()),
        (Some("urgent"), Some("pending"))
    );
    assert_eq!(r.etag(), "\"2\"");
    let stale = app
        .patch(&uri, &org.agent, "\"1\"", json!({"priority": "low"}))
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::PRECONDITION_FAILED, "version_mismatch")
    );
    let got = app.get(&uri, &org.dispatcher).await;
    assert_eq!(
        (got.status, got.etag()),
        (StatusCode::OK, "\"2\"".to_string())
    );
    // Assignee can be cleared with null.
    let r = app
        .patch(
            &uri,
            &org.agent,
            "\"2\"",
            json!({"assignee_id": null, "status": "resolved"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body["resolved_at"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_statuses_and_typed_fields() {
    let (app, org) = setup().await;
    let r = app
        .post(
            "/api/v1/desk/statuses",
            &org.agent,
            json!({"name": "waiting_parts", "status_type": "on_hold"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/api/v1/desk/statuses",
            &org.admin,
            json!({"name": "waiting_parts", "status_type": "on_hold"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post(
            "/api/v1/desk/statuses",
            &org.admin,
            json!({"name": "x", "status_type": "sleeping"}),
        )
        .await;
    assert_eq!(r.field(), "status_type");
    for field in [
        json!({"key": "serial", "kind": "text"}),
        json!({"key": "units", "kind": "number"}),
        json!({"key": "visit", "kind": "date"}),
        json!({"key": "tier", "kind": "select", "options": ["gold", "silver"], "required": true}),
    ] {
        let r = app.post("/api/v1/desk/fields", &org.admin, field).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = app
        .post("/api/v1/tickets", &org.agent, json!({"subject": "s"}))
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "custom_fields.tier")
    );
    let r = app
        .post(
            "/api/v1/tickets",
            &org.agent,
            json!({"subject": "s", "custom_fields": {"tier": "gold", "units": "many"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "custom_fields.units")
    );
    let t = ticket(&app, &org.agent, json!({"subject": "s", "status": "waiting_parts", "custom_fields": {"tier": "gold", "units": 2, "visit": "2025-03-01"}})).await;
    assert_eq!(
        (t.body["status"].as_str(), t.body["status_type"].as_str()),
        (Some("waiting_parts"), Some("on_hold"))
    );
    let uri = format!("/api/v1/tickets/{}", t.id());
    let r = app
        .patch(
            &uri,
            &org.agent,
            "\"1\"",
            json!({"custom_fields": {"visit": "tomorrow"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "custom_fields.visit")
    );
    let r = app
        .patch(
            &uri,
            &org.agent,
            "\"1\"",
            json!({"custom_fields": {"serial": "SN-1", "units": null}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["custom_fields"],
        json!({"tier": "gold", "visit": "2025-03-01", "serial": "SN-1"})
    );
    let list = app
        .get("/api/v1/tickets?status_type=on_hold", &org.agent)
        .await;
    assert_eq!(list.body["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_notes_mentions_and_history() {
    let (app, org) = setup().await;
    let t = ticket(
        &app,
        &org.customer,
        json!({"subject": "Heating broken", "description": "Cold office"}),
    )
    .await;
    assert_eq!(t.body["channel"], "portal");
    assert_eq!(t.body["requester_id"], json!(org.customer_id));
    let msgs = format!("/api/v1/tickets/{}/messages", t.id());
    let r = app
        .post(
            &msgs,
            &org.agent,
            json!({"kind": "note", "body": "@dispatcher can you send someone? @nobody"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.body["message"]["mentions"].as_array().map(Vec::len),
        Some(1)
    );
    let r = app
        .post(&msgs, &org.agent, json!({"body": "We are on it."}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert!(r.body["ticket"]["first_responded_at"].is_string());
    // Customers write replies, not notes, and never see notes.
    let r = app
        .post(&msgs, &org.customer, json!({"kind": "note", "body": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&msgs, &org.customer, json!({"body": "Thanks!"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["message"]["from_customer"], true);
    let seen = app.get(&msgs, &org.customer).await;
    assert_eq!(seen.body["items"].as_array().map(Vec::len), Some(2));
    let all = app.get(&msgs, &org.agent).await;
    assert_eq!(all.body["items"].as_array().map(Vec::len), Some(3));
    let r = app
        .post(&msgs, &org.agent, json!({"kind": "memo", "body": "x"}))
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "kind")
    );
    let h = app
        .get(&format!("/api/v1/tickets/{}/history", t.id()), &org.agent)
        .await;
    let actions: Vec<&str> = h.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["reply", "reply", "note", "create"]);
    assert_eq!(
        app.get(
            &format!("/api/v1/tickets/{}/history", t.id()),
            &org.customer
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_split_parent_and_work_order() {
    let (app, org) = setup().await;
    let recs = app.records(&org).await;
    let a = ticket(&app, &org.agent, json!({"subject": "A", "tags": ["x"]})).await;
    let b = ticket(&app, &org.agent, json!({"subject": "B", "tags": ["y"]})).await;
    let r = app
        .post(
            &format!("/api/v1/tickets/{}/messages", a.id()),
            &org.agent,
            json!({"body": "first reply\nmore"}),
        )
        .await;
    let message_id = r.body["message"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Split the reply off A into a new ticket.
    let s = app
        .post(
            &format!("/api/v1/tickets/{}/split", a.id()),
            &org.agent,
            json!({"message_id": message_id}),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
    assert_eq!(
        (s.body["split_from_id"].as_str(), s.body["subject"].as_str()),
        (Some(a.id().as_str()), Some("first reply"))
    );
    let moved = app
        .get(&format!("/api/v1/tickets/{}/messages", s.id()), &org.agent)
        .await;
    assert_eq!(moved.body["items"].as_array().map(Vec::len), Some(1));
    // Merge B into A: B closes with a link, its tags join A.
    let m = app
        .post(
            &format!("/api/v1/tickets/{}/merge", b.id()),
            &org.agent,
            json!({"target_id": a.id()}),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    assert_eq!(m.body["tags"], json!(["x", "y"]));
    let gone = app
        .get(&format!("/api/v1/tickets/{}", b.id()), &org.agent)
        .await;
    assert_eq!(
        (
            gone.body["status"].as_str(),
            gone.body["merged_into_id"].as_str()
        ),
        (Some("closed"), Some(a.id().as_str()))
    );
    let again = app
        .post(
            &format!("/api/v1/tickets/{}/merge", b.id()),
            &org.agent,
            json!({"target_id": a.id()}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let own = app
        .post(
            &format!("/api/v1/tickets/{}/merge", a.id()),
            &org.agent,
            json!({"target_id": a.id()}),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Parent/child.
    let child = ticket(
        &app,
        &org.agent,
        json!({"subject": "child", "parent_id": a.id()}),
    )
    .await;
    let kids = app
        .get(&format!("/api/v1/tickets?parent_id={}", a.id()), &org.agent)
        .await;
    assert_eq!(
        kids.body["items"][0]["id"].as_str(),
        Some(child.id().as_str())
    );
    // Work order from a ticket, linked both ways.
    let uri = format!("/api/v1/tickets/{}/work-order", a.id());
    let r = app.post(&uri, &org.agent, json!({})).await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "site_id")
    );
    let r = app
        .post(&uri, &org.agent, json!({"site_id": recs.site}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let wo_id = r.body["work_order"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        r.body["ticket"]["work_order_id"].as_str(),
        Some(wo_id.as_str())
    );
    assert_eq!(r.body["work_order"]["title"], "A");
    let wo = app
        .get(&format!("/api/v1/work-orders/{wo_id}"), &org.dispatcher)
        .await;
    assert!(wo.body["description"]
        .as_str()
        .unwrap_or_default()
        .contains(a.body["number"].as_str().unwrap_or("?")));
    let back = app
        .get(
            &format!("/api/v1/tickets?work_order_id={wo_id}"),
            &org.agent,
        )
        .await;
    assert_eq!(back.body["items"][0]["id"].as_str(), Some(a.id().as_str()));
    assert_eq!(
        app.post(&uri, &org.agent, json!({"site_id": recs.site}))
            .await
            .status,
        StatusCode::CONFLICT
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_filters_and_sorting() {
    let (app, org) = setup().await;
    for (i, p) in ["low", "urgent", "normal", "high", "normal"]
        .iter()
        .enumerate()
    {
        ticket(&app, &org.agent, json!({"subject": format!("Item {i} pump"), "priority": p, "tags": if i % 2 == 0 { vec!["even"] } else { vec!["odd"] }})).await;
    }
    let r = app
        .get("/api/v1/tickets?limit=2&page=2&sort=seq", &org.agent)
        .await;
    assert_eq!(
        (
            r.body["total"].as_i64(),
            r.body["items"][0]["number"].as_str()
        ),
        (Some(5), Some("TK-000003"))
    );
    let r = app
        .get("/api/v1/tickets?sort=-priority&limit=1", &org.agent)
        .await;
    assert_eq!(r.body["items"][0]["priority"], "urgent");
    let r = app
        .get("/api/v1/tickets?tag=even&priority=normal", &org.agent)
        .await;
    assert_eq!(r.body["total"], 2);
    let r = app.get("/api/v1/tickets?q=item%203", &org.agent).await;
    assert_eq!(r.body["total"], 1);
    for (q, field) in [
        ("sort=password", "sort"),
        ("colour=red", "colour"),
        ("assignee_id=x", "assignee_id"),
        ("limit=999", "limit"),
    ] {
        let r = app.get(&format!("/api/v1/tickets?{q}"), &org.agent).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field),
            "{q}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_and_tenant_isolation() {
    let (app, org) = setup().await;
    let other = app.org().await;
    let staff = ticket(&app, &org.agent, json!({"subject": "internal"})).await;
    let mine = ticket(
        &app,
        &org.customer,
        json!({"subject": "mine", "requester_id": null}),
    )
    .await;
    // Technicians have no help-desk access.
    assert_eq!(
        app.get("/api/v1/tickets", &org.technician).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/tickets", &org.technician, json!({"subject": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Customers see only their own tickets and cannot change them.
    let list = app.get("/api/v1/tickets", &org.customer).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{}", staff.id()), &org.customer)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .patch(
            &format!("/api/v1/tickets/{}", mine.id()),
            &org.customer,
            "\"1\"",
            json!({"priority": "urgent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/api/v1/tickets/{}/messages", staff.id()),
            &org.customer,
            json!({"body": "hi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Another organisation sees nothing and cannot link into this one.
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{}", staff.id()), &other.admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/tickets", &other.admin).await.body["total"],
        0
    );
    let r = app
        .post(
            "/api/v1/tickets",
            &other.agent,
            json!({"subject": "x", "parent_id": staff.id()}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "parent_id")
    );
    let r = app
        .post(
            "/api/v1/tickets",
            &other.agent,
            json!({"subject": "x", "requester_id": org.customer_id}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "requester_id")
    );
    let r = app
        .post(
            &format!("/api/v1/tickets/{}/merge", staff.id()),
            &other.agent,
            json!({"target_id": mine.id()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Other organisations number from 1 too.
    let first = ticket(&app, &other.agent, json!({"subject": "first"})).await;
    assert_eq!(first.body["number"], "TK-000001");
}
