//! The agent pages' backend on the real Postgres: saved views (CRUD, ETags, private vs shared,
//! who may change what, validation, roles, tenant isolation), the agents' ticket list with
//! `assignee=me|unassigned`, views applied by id, names and SLA due, and ticket presence
//! (heartbeats, states, expiry, leaving, live events, roles, isolation).

mod common;

use axum::http::{Method, StatusCode};
use common::{Org, TestApp};
use fieldpath_api::domain::roles::Role;
use fieldpath_api::live::LiveHub;
use serde_json::{json, Value};
use uuid::Uuid;

/// A second agent of the organisation: (user id, token).
async fn second_agent(app: &TestApp, org: &Org, name: &str) -> (Uuid, String) {
    let email = format!("{}@{}.test", name.to_lowercase(), org.slug);
    let id = app.user(org.id, &email, Role::Agent, None).await;
    sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("rename");
    (id, app.mint(org.id, id).await)
}

async fn me(app: &TestApp, token: &str) -> Uuid {
    let r = app.get("/api/v1/me", token).await;
    Uuid::parse_str(r.body["user"]["id"].as_str().unwrap_or_default()).expect("user id")
}

async fn ticket(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/api/v1/tickets", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn subjects(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v["subject"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_are_private_until_shared_and_only_owners_change_them() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let (_, bea) = second_agent(&app, &org, "Bea").await;

    let r = app
        .post(
            "/api/v1/desk/views",
            &org.agent,
            json!({"name": "My urgent", "filters": {"priority": ["urgent", "high"], "assignee": ["me"], "tag": ["VIP"]}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.etag(), "\"1\"");
    assert_eq!(r.body["mine"], true);
    assert_eq!(r.body["editable"], true);
    assert_eq!(r.body["shared"], false);
    assert_eq!(r.body["sort"], "-updated_at");
    assert_eq!(r.body["filters"]["tag"], json!(["vip"]));
    assert_eq!(r.body["columns"][0], "number");
    let uri = format!("/api/v1/desk/views/{}", r.id());

    // Private: the other agent sees nothing, not even that it exists.
    assert!(names(&app.get("/api/v1/desk/views", &bea).await.body).is_empty());
    assert_eq!(app.get(&uri, &bea).await.status, StatusCode::NOT_FOUND);
    let r = app
        .patch(&uri, &bea, "\"1\"", json!({"name": "Mine now"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.delete(&uri, &bea, "\"1\"").await.status,
        StatusCode::NOT_FOUND
    );

    // Concurrency: If-Match is required and must be current.
    let r = app
        .send(
            Method::PATCH,
            &uri,
            Some(&org.agent),
            Some(json!({"shared": true})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = app
        .patch(&uri, &org.agent, "\"7\"", json!({"shared": true}))
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = app
        .patch(
            &uri,
            &org.agent,
            "\"1\"",
            json!({"shared": true, "sort": "-sla_due"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.etag(), "\"2\"");
    assert_eq!(r.body["filters"]["priority"], json!(["urgent", "high"]));

    // Shared: listed for everyone in the office, read-only for them, moderated by admins.
    let listed = app.get("/api/v1/desk/views", &bea).await;
    assert_eq!(names(&listed.body), vec!["My urgent"]);
    assert_eq!(listed.body["items"][0]["mine"], false);
    assert_eq!(listed.body["items"][0]["editable"], false);
    assert_eq!(app.get(&uri, &bea).await.status, StatusCode::OK);
    let r = app
        .patch(&uri, &bea, "\"2\"", json!({"name": "Hijack"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.delete(&uri, &bea, "\"2\"").await.status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .patch(&uri, &org.admin, "\"2\"", json!({"name": "Urgent (team)"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Own views come first; names are unique per owner only.
    let r = app
        .post("/api/v1/desk/views", &bea, json!({"name": "Urgent (team)"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        names(&app.get("/api/v1/desk/views", &bea).await.body),
        vec!["Urgent (team)", "Urgent (team)"]
    );
    assert_eq!(
        app.get("/api/v1/desk/views", &bea).await.body["items"][0]["mine"],
        true
    );
    let r = app
        .post("/api/v1/desk/views", &bea, json!({"name": "urgent (team)"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "names are case-sensitive");
    let r = app
        .post("/api/v1/desk/views", &bea, json!({"name": "Urgent (team)"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.field(), "name");

    // Unsharing hides it again; the owner deletes it.
    let r = app
        .patch(&uri, &org.agent, "\"3\"", json!({"shared": false}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.get(&uri, &bea).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.delete(&uri, &org.agent, "\"4\"").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&uri, &org.agent).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_validate_check_roles_and_stay_in_their_organisation() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let other = app.org().await;
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (
            json!({"name": "x", "columns": ["number", "colour"]}),
            "columns",
        ),
        (
            json!({"name": "x", "columns": ["number", "number"]}),
            "columns",
        ),
        (json!({"name": "x", "sort": "password"}), "sort"),
        (
            json!({"name": "x", "filters": {"priority": ["huge"]}}),
            "filters.priority",
        ),
        (
            json!({"name": "x", "filters": {"assignee": ["bob"]}}),
            "filters.assignee",
        ),
        (
            json!({"name": "x", "filters": {"status": ["Not A Status"]}}),
            "filters.status",
        ),
        (json!({"name": "x", "filters": {"colour": ["red"]}}), "body"),
    ] {
        let r = app
            .post("/api/v1/desk/views", &org.agent, body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert!(r.field().starts_with(field), "{body}: field {}", r.field());
    }
    for role in [Role::Technician, Role::Customer] {
        let r = app
            .post("/api/v1/desk/views", org.token(role), json!({"name": "x"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        let r = app.get("/api/v1/desk/tickets", org.token(role)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let r = app
        .send(Method::GET, "/api/v1/desk/views", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Another organisation's admin sees neither the shared view nor the tickets.
    let v = app
        .post(
            "/api/v1/desk/views",
            &org.agent,
            json!({"name": "Everything", "shared": true}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED);
    ticket(&app, &org.agent, json!({"subject": "Ours"})).await;
    let uri = format!("/api/v1/desk/views/{}", v.id());
    assert_eq!(
        app.get(&uri, &other.admin).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(&uri, &other.admin, "\"1\"", json!({"name": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(names(&app.get("/api/v1/desk/views", &other.admin).await.body).is_empty());
    let r = app.get("/api/v1/desk/tickets", &other.admin).await;
    assert_eq!(r.body["total"], 0, "{}", r.body);
    let r = app
        .get(
            &format!("/api/v1/desk/tickets?view={}", v.id()),
            &other.admin,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(), "view");
    let agents = app.get("/api/v1/desk/agents", &other.agent).await;
    assert_eq!(agents.body["items"].as_array().map(Vec::len), Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_list_filters_sorts_pages_and_applies_views_per_viewer() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let (bea_id, bea) = second_agent(&app, &org, "Bea").await;
    let ann = me(&app, &org.agent).await;
    let policy = app
        .post(
            "/api/v1/sla/policies",
            &org.admin,
            json!({"name": "All", "position": 0, "conditions": {}, "first_response_mins": 60, "resolution_mins": 480}),
        )
        .await;
    assert_eq!(policy.status, StatusCode::CREATED, "{}", policy.body);
    ticket(&app, &org.agent, json!({"subject": "Printer jammed", "priority": "urgent", "assignee_id": ann, "tags": ["printer"], "requester_id": org.customer_id})).await;
    ticket(
        &app,
        &org.agent,
        json!({"subject": "Invoice wrong", "priority": "low", "assignee_id": bea_id}),
    )
    .await;
    ticket(
        &app,
        &org.agent,
        json!({"subject": "Lift stuck", "priority": "high"}),
    )
    .await;

    let all = app
        .get("/api/v1/desk/tickets?sort=-priority", &org.agent)
        .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(
        subjects(&all.body),
        vec!["Printer jammed", "Lift stuck", "Invoice wrong"]
    );
    let first = &all.body["items"][0];
    assert_eq!(first["requester_name"], "Own customer");
    assert!(first["assignee_name"]
        .as_str()
        .is_some_and(|n| n.starts_with("agent@")));
    assert!(first["sla_due"].is_string(), "{first}");
    assert_eq!(first["breached"], false);

    for (uri, token, expected) in [
        (
            "/api/v1/desk/tickets?assignee=me",
            &org.agent,
            vec!["Printer jammed"],
        ),
        (
            "/api/v1/desk/tickets?assignee=me",
            &bea,
            vec!["Invoice wrong"],
        ),
        (
            "/api/v1/desk/tickets?assignee=unassigned",
            &org.agent,
            vec!["Lift stuck"],
        ),
        (
            "/api/v1/desk/tickets?assignee=me,unassigned&sort=subject",
            &org.agent,
            vec!["Lift stuck", "Printer jammed"],
        ),
        (
            "/api/v1/desk/tickets?tag=PRINTER",
            &org.agent,
            vec!["Printer jammed"],
        ),
        (
            "/api/v1/desk/tickets?q=stuck",
            &org.agent,
            vec!["Lift stuck"],
        ),
        (
            "/api/v1/desk/tickets?q=TK-000002",
            &org.agent,
            vec!["Invoice wrong"],
        ),
        (
            "/api/v1/desk/tickets?priority=low,high&sort=number",
            &org.agent,
            vec!["Invoice wrong", "Lift stuck"],
        ),
        ("/api/v1/desk/tickets?status=resolved", &org.agent, vec![]),
    ] {
        let r = app.get(uri, token).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        assert_eq!(subjects(&r.body), expected, "{uri}");
    }
    let page = app
        .get(
            "/api/v1/desk/tickets?sort=number&limit=1&page=2",
            &org.agent,
        )
        .await;
    assert_eq!(subjects(&page.body), vec!["Invoice wrong"]);
    assert_eq!(page.body["total"], 3);
    for (uri, field) in [
        ("/api/v1/desk/tickets?colour=red", "colour"),
        ("/api/v1/desk/tickets?sort=secret", "sort"),
        ("/api/v1/desk/tickets?priority=huge", "priority"),
        ("/api/v1/desk/tickets?view=nope", "view"),
    ] {
        let r = app.get(uri, &org.agent).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert_eq!(r.field(), field, "{uri}");
    }

    // A shared "mine" view means each viewer's own tickets; query filters override it.
    let v = app
        .post(
            "/api/v1/desk/views",
            &org.agent,
            json!({"name": "Mine", "shared": true, "filters": {"assignee": ["me"]}, "sort": "subject"}),
        )
        .await;
    assert_eq!(v.status, StatusCode::CREATED, "{}", v.body);
    let uri = format!("/api/v1/desk/tickets?view={}", v.id());
    assert_eq!(
        subjects(&app.get(&uri, &org.agent).await.body),
        vec!["Printer jammed"]
    );
    assert_eq!(
        subjects(&app.get(&uri, &bea).await.body),
        vec!["Invoice wrong"]
    );
    let r = app.get(&format!("{uri}&assignee=unassigned"), &bea).await;
    assert_eq!(subjects(&r.body), vec!["Lift stuck"]);
}

/// The `ticket.presence` events received so far (other kinds are skipped).
fn presence_events(
    rx: &mut tokio::sync::broadcast::Receiver<fieldpath_api::live::LiveEvent>,
) -> Vec<Value> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if e.kind == "ticket.presence" {
            out.push(e.data);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_tells_who_is_viewing_or_replying_and_expires() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let other = app.org().await;
    let (_, alex) = second_agent(&app, &org, "Alex").await;
    let id = ticket(&app, &org.agent, json!({"subject": "Heating off"})).await;
    let uri = format!("/api/v1/tickets/{id}/presence");
    let mut events = LiveHub::global().subscribe(org.id);

    let r = app
        .post(&uri, &org.agent, json!({"state": "viewing"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["items"], json!([]), "the caller is not listed");
    assert_eq!(r.body["ttl_secs"], 30);
    let r = app.post(&uri, &alex, json!({"state": "replying"})).await;
    assert_eq!(
        names(&r.body),
        vec!["agent@".to_string() + &org.slug + ".test"]
    );
    assert_eq!(r.body["items"][0]["state"], "viewing");
    let r = app.get(&uri, &org.agent).await;
    assert_eq!(names(&r.body), vec!["Alex"]);
    assert_eq!(r.body["items"][0]["state"], "replying");

    // Arrivals and state changes are announced (without names); repeated heartbeats are not.
    let announced = presence_events(&mut events);
    assert_eq!(announced.len(), 2);
    for e in &announced {
        assert_eq!(e["ticket_id"], json!(id));
        assert!(e.get("name").is_none());
    }
    app.post(&uri, &alex, json!({"state": "replying"})).await;
    assert!(
        presence_events(&mut events).is_empty(),
        "a repeated heartbeat is quiet"
    );
    app.post(&uri, &alex, json!({"state": "viewing"})).await;
    assert_eq!(
        presence_events(&mut events).len(),
        1,
        "a state change is announced"
    );

    // An entry without heartbeat for longer than the TTL is gone.
    sqlx::query("UPDATE ticket_presence SET seen_at = now() - interval '31 seconds' WHERE org_id = $1 AND ticket_id = $2 AND user_id <> $3")
        .bind(org.id)
        .bind(Uuid::parse_str(&id).expect("id"))
        .bind(me(&app, &org.agent).await)
        .execute(&app.pool)
        .await
        .expect("age");
    assert_eq!(app.get(&uri, &org.agent).await.body["items"], json!([]));
    app.post(&uri, &alex, json!({"state": "viewing"})).await;
    assert_eq!(
        presence_events(&mut events).len(),
        1,
        "coming back after expiry is announced"
    );
    assert_eq!(names(&app.get(&uri, &org.agent).await.body), vec!["Alex"]);

    // Leaving removes the entry at once.
    let r = app.send(Method::DELETE, &uri, Some(&alex), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&uri, &org.agent).await.body["items"], json!([]));

    // Validation, roles, tenants.
    let r = app.post(&uri, &alex, json!({"state": "typing"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.field(), "state");
    for role in [Role::Customer, Role::Technician] {
        let r = app
            .post(&uri, org.token(role), json!({"state": "viewing"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let r = app
        .post(&uri, &other.agent, json!({"state": "viewing"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&uri, &other.agent).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            &format!("/api/v1/tickets/{}/presence", Uuid::new_v4()),
            &alex,
            json!({"state": "viewing"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.send(Method::GET, &uri, None, None, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
