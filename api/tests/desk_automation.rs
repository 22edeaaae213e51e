//! Help-desk automation on the real Postgres: event rules (assign, tags, template replies),
//! condition mismatches, the loop guard, round-robin / least-load / skill assignment, dry
//! runs that change nothing, macros with placeholders, the SLA sweeper at a fixed "now",
//! signed webhooks delivered to a local HTTP server with retry, tenant isolation and errors.

mod common;

use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use common::{Org, TestApp};
use fieldpath_api::desk::automation::sweeper;
use fieldpath_api::desk::webhooks::{sender, sign};
use fieldpath_api::domain::roles::Role;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

async fn setup() -> (TestApp, Org) {
    let app = TestApp::new().await;
    let org = app.org().await;
    (app, org)
}

/// The id of the org's user with the role (the harness makes one per role).
async fn user_of(app: &TestApp, org: &Org, role: &str) -> Uuid {
    let (id,): (Uuid,) = sqlx::query_as("SELECT id FROM users WHERE org_id = $1 AND email = $2")
        .bind(org.id)
        .bind(format!("{role}@{}.test", org.slug))
        .fetch_one(&app.pool)
        .await
        .expect("user");
    id
}

async fn rule(app: &TestApp, org: &Org, body: Value) -> String {
    let r = app.post("/api/v1/automation/rules", &org.admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

async fn ticket(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/tickets", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

async fn messages(app: &TestApp, org: &Org, id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/tickets/{id}/messages"), &org.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn notifications(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/notifications", token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_fires_on_create_and_mismatch_does_nothing() {
    let (app, org) = setup().await;
    let agent = user_of(&app, &org, "agent").await;
    rule(&app, &org, json!({
        "name": "Printers to the agent",
        "trigger": "ticket_created",
        "conditions": [
            {"field": "subject", "op": "contains", "value": "PRINTER"},
            {"field": "priority", "op": "in", "value": ["high", "urgent"]}
        ],
        "actions": [
            {"type": "assign", "user_id": agent},
            {"type": "add_tag", "tag": "Hardware"},
            {"type": "reply", "body": "Hi {{requester.name}}, {{ticket.number}} is with {{agent.name}}."}
        ]
    })).await;
    let hit = ticket(
        &app,
        &org.dispatcher,
        json!({"subject": "Printer jammed", "priority": "high", "requester_id": org.customer_id}),
    )
    .await;
    assert_eq!(hit["assignee_id"], json!(agent.to_string()));
    assert_eq!(hit["tags"], json!(["hardware"]));
    let msgs = messages(&app, &org, hit["id"].as_str().unwrap_or_default()).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["kind"], "reply");
    assert_eq!(
        msgs[0]["body"],
        format!(
            "Hi Own customer, TK-000001 is with agent@{}.test.",
            org.slug
        )
    );
    // The automatic reply counts as the first response.
    assert!(hit["first_responded_at"].is_string());

    // One condition fails (priority): nothing happens.
    let miss = ticket(
        &app,
        &org.dispatcher,
        json!({"subject": "Printer jammed", "priority": "low"}),
    )
    .await;
    assert!(miss["assignee_id"].is_null());
    assert_eq!(miss["tags"], json!([]));
    assert!(
        messages(&app, &org, miss["id"].as_str().unwrap_or_default())
            .await
            .is_empty()
    );
    assert_eq!(miss["version"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_rules_chain_but_cannot_loop() {
    let (app, org) = setup().await;
    let admin = user_of(&app, &org, "admin").await;
    // A raises priority on any update; B lowers it again whenever priority changes. Without
    // the guard each would re-trigger the other forever.
    rule(
        &app,
        &org,
        json!({
            "name": "A", "position": 1, "trigger": "ticket_updated",
            "actions": [
                {"type": "set_field", "field": "priority", "value": "high"},
                {"type": "notify", "user_ids": [admin], "message": "{{ticket.number}} changed"}
            ]
        }),
    )
    .await;
    rule(
        &app,
        &org,
        json!({
            "name": "B", "position": 2, "trigger": "ticket_updated", "changed_fields": ["priority"],
            "conditions": [{"field": "priority", "op": "changed_to", "value": "high"}],
            "actions": [{"type": "set_field", "field": "priority", "value": "low"},
                        {"type": "add_tag", "tag": "bounced"}]
        }),
    )
    .await;
    let t = ticket(&app, &org.agent, json!({"subject": "Loop"})).await;
    let id = t["id"].as_str().unwrap_or_default();
    let r = app
        .patch(
            &format!("/api/v1/tickets/{id}"),
            &org.agent,
            "\"1\"",
            json!({"category": "misc"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["priority"], "low");
    assert_eq!(r.body["tags"], json!(["bounced"]));
    let notes = notifications(&app, &org.admin).await;
    assert_eq!(notes.len(), 1, "rule A fired once: {notes:?}");
    assert_eq!(notes[0]["message"], "TK-000001 changed");
}

async fn team(app: &TestApp, org: &Org, name: &str, members: &[Uuid]) -> String {
    let r = app
        .post(
            "/api/v1/desk/teams",
            &org.admin,
            json!({"name": name, "member_ids": members}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

async fn agents(app: &TestApp, org: &Org, prefix: &str, n: usize) -> Vec<Uuid> {
    let mut out = Vec::new();
    for i in 0..n {
        let email = format!("{prefix}{i}@{}.test", org.slug);
        out.push(app.user(org.id, &email, Role::Agent, None).await);
    }
    out.sort();
    out
}

fn assignee(t: &Value) -> Uuid {
    t["assignee_id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_least_load_and_skill_assignment() {
    let (app, org) = setup().await;
    let rr = agents(&app, &org, "rr", 3).await;
    let rr_team = team(&app, &org, "Round robin", &rr).await;
    let load = agents(&app, &org, "load", 3).await;
    let load_team = team(&app, &org, "Load", &load).await;
    for (tag, team, strategy) in [
        ("rr", &rr_team, "round_robin"),
        ("load", &load_team, "least_load"),
        ("skill", &load_team, "skill"),
    ] {
        rule(
            &app,
            &org,
            json!({
                "name": format!("assign {tag}"), "trigger": "ticket_created",
                "conditions": [{"field": "tags", "op": "contains", "value": tag}],
                "actions": [{"type": "assign", "team_id": team, "strategy": strategy}]
            }),
        )
        .await;
    }
    let mut picks = Vec::new();
    for i in 0..6 {
        let t = ticket(
            &app,
            &org.agent,
            json!({"subject": format!("rr {i}"), "tags": ["rr"]}),
        )
        .await;
        assert_eq!(t["team_id"], json!(rr_team));
        picks.push(assignee(&t));
    }
    assert_eq!(
        picks,
        [rr.clone(), rr.clone()].concat(),
        "turns go round in pool order"
    );

    // load[0] has two open tickets, load[1] one, load[2] none (plus a resolved one).
    for (who, status) in [(0, "open"), (0, "open"), (1, "open"), (2, "resolved")] {
        ticket(
            &app,
            &org.agent,
            json!({"subject": "busy", "assignee_id": load[who], "status": status}),
        )
        .await;
    }
    let t = ticket(
        &app,
        &org.agent,
        json!({"subject": "load", "tags": ["load"]}),
    )
    .await;
    assert_eq!(assignee(&t), load[2]);
    let t = ticket(
        &app,
        &org.agent,
        json!({"subject": "load 2", "tags": ["load"]}),
    )
    .await;
    assert_ne!(assignee(&t), load[0], "the busiest agent is not picked");

    // Skills beat load: load[0] (the busiest) is the billing expert.
    let r = app
        .send(
            axum::http::Method::PUT,
            &format!("/api/v1/automation/agents/{}/skills", load[0]),
            Some(&org.admin),
            Some(json!({"skills": ["Billing", "vat"]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["skills"], json!(["billing", "vat"]));
    let t = ticket(
        &app,
        &org.agent,
        json!({"subject": "invoice", "category": "billing", "tags": ["skill"]}),
    )
    .await;
    assert_eq!(assignee(&t), load[0]);
    // Nobody has the skill: falls back to least load.
    let t = ticket(
        &app,
        &org.agent,
        json!({"subject": "other", "category": "hvac", "tags": ["skill"]}),
    )
    .await;
    assert_ne!(assignee(&t), load[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_reports_and_changes_nothing() {
    let (app, org) = setup().await;
    let members = agents(&app, &org, "dry", 2).await;
    let team_id = team(&app, &org, "Dry", &members).await;
    let t = ticket(
        &app,
        &org.agent,
        json!({"subject": "Server down", "priority": "high", "requester_id": org.customer_id}),
    )
    .await;
    let id = t["id"].as_str().unwrap_or_default().to_string();
    // Created before the rule exists: the rule has not run on it.
    let rule_id = rule(
        &app,
        &org,
        json!({
            "name": "Escalate outages", "trigger": "ticket_created",
            "conditions": [
                {"field": "subject", "op": "contains", "value": "down"},
                {"field": "priority", "op": "equals", "value": "high"}
            ],
            "actions": [
                {"type": "assign", "team_id": team_id, "strategy": "round_robin"},
                {"type": "set_field", "field": "priority", "value": "urgent"},
                {"type": "reply", "body": "We are on {{ticket.number}}, {{requester.name}}."},
                {"type": "notify", "assignee": true, "message": "Outage {{ticket.number}}"}
            ]
        }),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/automation/rules/{rule_id}/test"),
            &org.agent,
            json!({"ticket_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["matched"], true);
    assert_eq!(r.body["conditions"][0]["matched"], true);
    assert_eq!(r.body["conditions"][1]["actual"], "high");
    let actions = r.body["actions"].as_array().cloned().unwrap_or_default();
    assert_eq!(actions.len(), 4, "{actions:?}");
    assert_eq!(actions[0]["type"], "assign");
    assert_eq!(actions[0]["user_id"], json!(members[0].to_string()));
    assert_eq!(actions[1]["value"], "urgent");
    assert_eq!(actions[2]["body"], "We are on TK-000001, Own customer.");
    assert_eq!(actions[3]["user_ids"], json!([members[0]]));

    // Nothing changed: ticket, messages, notifications, round-robin turn.
    let after = app.get(&format!("/api/v1/tickets/{id}"), &org.agent).await;
    assert_eq!(after.body, t);
    assert!(messages(&app, &org, &id).await.is_empty());
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM desk_notifications WHERE org_id = $1) + \
                (SELECT count(*) FROM assignment_cursors WHERE org_id = $1)",
    )
    .bind(org.id)
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(n, 0);

    // A ticket that does not match: per-condition outcome, no actions.
    let other = ticket(
        &app,
        &org.agent,
        json!({"subject": "Question", "priority": "high"}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/automation/rules/{rule_id}/test"),
            &org.agent,
            json!({"ticket_id": other["id"]}),
        )
        .await;
    assert_eq!(r.body["matched"], false);
    assert_eq!(r.body["conditions"][0]["matched"], false);
    assert_eq!(r.body["conditions"][1]["matched"], true);
    assert_eq!(r.body["actions"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn macros_render_placeholders_and_run_actions() {
    let (app, org) = setup().await;
    let r = app
        .post(
            "/api/v1/macros",
            &org.agent,
            json!({"name": "Bad", "body": "Hi {{requester.shoe_size}}"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.field(), "body");
    let m = app
        .post("/api/v1/macros", &org.agent, json!({
            "name": "Waiting for logs",
            "body": "Hello {{requester.name}}, please send logs for {{ticket.number}}. {{agent.name}}",
            "actions": [{"type": "set_field", "field": "status", "value": "pending"},
                        {"type": "add_tag", "tag": "needs-logs"}]
        }))
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
    let dup = app
        .post(
            "/api/v1/macros",
            &org.agent,
            json!({"name": "Waiting for logs", "body": "x"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
    let list = app.get("/api/v1/macros", &org.agent).await;
    assert_eq!(list.status, StatusCode::OK);
    let item = &list.body["items"][0];
    assert_eq!(item["id"], m.body["id"]);
    assert_eq!(item["name"], "Waiting for logs");
    assert!(item["body"]
        .as_str()
        .unwrap_or_default()
        .contains("{{ticket.number}}"));
    assert_eq!(item["actions"][1]["type"], "add_tag");

    let t = ticket(
        &app,
        &org.agent,
        json!({"subject": "Crash", "requester_id": org.customer_id}),
    )
    .await;
    let id = t["id"].as_str().unwrap_or_default();
    let r = app
        .post(
            &format!("/api/v1/tickets/{id}/macros/{}", m.id()),
            &org.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["message"]["body"],
        format!(
            "Hello Own customer, please send logs for TK-000001. agent@{}.test",
            org.slug
        )
    );
    assert_eq!(r.body["ticket"]["status"], "pending");
    assert_eq!(r.body["ticket"]["tags"], json!(["needs-logs"]));
    let msgs = messages(&app, &org, id).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        msgs[0]["author_id"],
        json!(user_of(&app, &org, "agent").await.to_string())
    );

    // Update with ETag, then delete.
    let uri = format!("/api/v1/macros/{}", m.id());
    let body = json!({"name": "Logs please", "body": "Logs for {{ticket.number}}?"});
    let stale = app.patch(&uri, &org.agent, "\"7\"", body.clone()).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let ok = app.patch(&uri, &org.agent, "\"1\"", body).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.etag(), "\"2\"");
    assert_eq!(
        app.delete(&uri, &org.agent, "\"2\"").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&uri, &org.agent).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_sweeper_marks_breach_once_and_escalates() {
    let (app, org) = setup().await;
    let admin = user_of(&app, &org, "admin").await;
    let dispatcher = user_of(&app, &org, "dispatcher").await;
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

/// A receiver on 127.0.0.1 that answers the queued statuses in turn (then 200) and keeps
/// every request.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<(HeaderMap, String)>>>,
}

async fn receiver(statuses: Vec<u16>) -> Receiver {
    let seen: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let queue = Arc::new(Mutex::new(statuses));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            let queue = queue.clone();
            async move {
                log.lock().expect("log").push((headers, body));
                let mut q = queue.lock().expect("queue");
                let code = if q.is_empty() { 200 } else { q.remove(0) };
                StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver {
        url: format!("http://{addr}/hook"),
        seen,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_retried_and_logged() {
    let (app, org) = setup().await;
    let rx = receiver(vec![500]).await;
    let secret = "s3cret-s3cret-s3cret";
    let sub = app
        .post("/api/v1/webhooks", &org.admin, json!({"url": rx.url, "events": ["ticket.created", "workorder.completed"], "secret": secret}))
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
    assert_eq!(sub.body["secret"], secret);
    let listed = app.get("/api/v1/webhooks", &org.admin).await;
    assert!(
        listed.body["items"][0].get("secret").is_none(),
        "secrets are shown once"
    );

    let t = ticket(&app, &org.agent, json!({"subject": "Hook me"})).await;
    let client = sender::client();
    let now = Utc::now().trunc_subsecs(6);
    assert_eq!(
        sender::deliver_due(&app.pool, &client, Some(org.id), now)
            .await
            .expect("send"),
        1
    );
    let log_uri = format!("/api/v1/webhooks/{}/deliveries", sub.id());
    let log = app.get(&log_uri, &org.admin).await;
    let d = &log.body["items"][0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("pending"), Some(1))
    );
    assert_eq!(d["last_status_code"], 500);
    assert_eq!(d["last_error"], "HTTP 500");
    let next: DateTime<Utc> = d["next_attempt_at"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("next");
    assert_eq!(next, now + sender::backoff(1));
    // Not due yet.
    assert_eq!(
        sender::deliver_due(&app.pool, &client, Some(org.id), now)
            .await
            .expect("send"),
        0
    );
    assert_eq!(
        sender::deliver_due(
            &app.pool,
            &client,
            Some(org.id),
            next + Duration::seconds(1)
        )
        .await
        .expect("send"),
        1
    );
    let log = app.get(&log_uri, &org.admin).await;
    let d = &log.body["items"][0];
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );
    assert_eq!(d["last_status_code"], 200);
    assert!(d["delivered_at"].is_string());

    let seen = rx.seen.lock().expect("seen").clone();
    assert_eq!(seen.len(), 2);
    for (headers, body) in &seen {
        let h = |k: &str| {
            headers
                .get(k)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let ts: i64 = h(sign::TIMESTAMP_HEADER).parse().expect("timestamp");
        assert!(sign::verify(
            secret,
            ts,
            body.as_bytes(),
            &h(sign::SIGNATURE_HEADER)
        ));
        assert!(!sign::verify(
            "wrong-secret-123456",
            ts,
            body.as_bytes(),
            &h(sign::SIGNATURE_HEADER)
        ));
        assert_eq!(h(sign::EVENT_HEADER), "ticket.created");
        assert_eq!(
            h(sign::DELIVERY_HEADER),
            d["id"].as_str().unwrap_or_default()
        );
        let payload: Value = serde_json::from_str(body).expect("json");
        assert_eq!(payload["event"], "ticket.created");
        assert_eq!(payload["data"]["ticket"]["id"], t["id"]);
    }

    // A work order moving to completed is announced once.
    let records = app.records(&org).await;
    for to in ["scheduled", "dispatched", "in_progress", "completed"] {
        let r = app
            .post(
                &format!("/api/v1/work-orders/{}/transition", records.work_order),
                &org.admin,
                json!({"to": to}),
            )
            .await;
        if r.status != StatusCode::OK {
            // Some steps belong to other roles (technicians start and finish visits).
            let r = app
                .post(
                    &format!("/api/v1/work-orders/{}/transition", records.work_order),
                    &org.technician,
                    json!({"to": to}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{to}: {}", r.body);
        }
    }
    let (events,): (Vec<String>,) = sqlx::query_as(
        "SELECT array_agg(event ORDER BY created_at) FROM webhook_deliveries WHERE org_id = $1",
    )
    .bind(org.id)
    .fetch_one(&app.pool)
    .await
    .expect("events");
    assert_eq!(events, ["ticket.created", "workorder.completed"]);
}

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
