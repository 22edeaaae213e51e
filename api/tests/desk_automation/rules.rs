//! Event rules, the loop guard, round-robin / least-load / skill assignment, dry runs and
//! macros.

use super::common::{Org, TestApp};
use super::*;
use axum::http::StatusCode;
use fieldpath_api::domain::roles::Role;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_fires_on_create_and_mismatch_does_nothing() {
    let (app, org) = setup().await;
    let agent = app.user_of(&org, "agent").await;
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
    let admin = app.user_of(&org, "admin").await;
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
        json!(app.user_of(&org, "agent").await.to_string())
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
