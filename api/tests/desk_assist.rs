//! Agent assist on the real Postgres: sentiment of incoming messages, category and priority
//! learnt from an organisation's resolved tickets (held-out tickets predicted), "not enough
//! data", similar tickets and knowledge-base articles, the optional LLM (off: a clear error; on:
//! a fake OpenAI-compatible server on loopback), roles and tenant isolation.

mod common;
mod common_mail;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use common::{Org, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Resolved tickets of three kinds, each with its usual priority.
const HEATING: [&str; 8] = [
    "Boiler shows low pressure and the radiators stay cold",
    "Heating not working, thermostat display blank",
    "Radiator in the bedroom is cold while the boiler runs",
    "Boiler pressure drops every night, heating stops",
    "Thermostat does not switch the heating on",
    "No heating since the boiler made a loud bang",
    "Radiators only warm at the top, boiler keeps cycling",
    "Boiler error code F28, heating and hot water off",
];
const PLUMBING: [&str; 8] = [
    "Water leak under the kitchen sink pipe",
    "Burst pipe flooding the basement",
    "Drain blocked and water backing up in the shower",
    "Tap dripping constantly, washer worn out",
    "Leaking pipe joint behind the toilet",
    "Water coming through the ceiling from a leaking pipe",
    "Outside drain overflowing after rain",
    "Kitchen tap leaks water at the base",
];
const BILLING: [&str; 8] = [
    "Invoice charged twice for the same visit",
    "Refund for the cancelled appointment payment",
    "Wrong VAT amount on my last invoice",
    "Payment by card failed but the bill shows paid",
    "Please send a copy of the invoice for March",
    "Charged a call-out fee that was not agreed",
    "Direct debit payment taken on the wrong date",
    "Price on the invoice differs from the quote",
];

async fn seed_resolved(
    pool: &PgPool,
    org: Uuid,
    subject: &str,
    category: &str,
    priority: &str,
) -> Uuid {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO tickets (org_id, seq, number, subject, description, status, status_type, \
         category, priority, resolved_at) \
         SELECT $1, n, 'S-' || n, $2, $3, 'resolved', 'resolved', $4, $5, now() \
         FROM (SELECT count(*) + 5000 AS n FROM tickets WHERE org_id = $1) c RETURNING id",
    )
    .bind(org)
    .bind(subject)
    .bind(format!("Customer wrote: {}.", subject.to_lowercase()))
    .bind(category)
    .bind(priority)
    .fetch_one(pool)
    .await
    .expect("seed");
    id
}

async fn seed_all(app: &TestApp, org: &Org) {
    for s in HEATING {
        seed_resolved(&app.pool, org.id, s, "heating", "high").await;
    }
    for s in PLUMBING {
        seed_resolved(&app.pool, org.id, s, "plumbing", "urgent").await;
    }
    for s in BILLING {
        seed_resolved(&app.pool, org.id, s, "billing", "low").await;
    }
}

async fn new_ticket(app: &TestApp, token: &str, subject: &str, description: &str) -> String {
    let r = app
        .post(
            "/api/v1/tickets",
            token,
            json!({"subject": subject, "description": description}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.id()
}

async fn suggestions(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/tickets/{id}/suggestions"), token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentiment_of_description_and_customer_replies_is_scored_and_stored() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let id = new_ticket(
        &app,
        &org.customer,
        "Terrible service",
        "This is awful. The technician never came, nobody called, and I am furious!",
    )
    .await;
    let r = app
        .get(&format!("/api/v1/tickets/{id}/assist"), &org.agent)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["sentiment"]["label"], "negative", "{}", r.body);
    assert!(r.body["sentiment"]["score"].as_f64().unwrap_or(0.0) < -0.5);
    assert_eq!(r.body["llm"]["configured"], false);

    let reply = app
        .post(
            &format!("/api/v1/tickets/{id}/messages"),
            &org.customer,
            json!({"body": "Thank you so much, the repair was great and your team was wonderful!"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    // An agent's reply is not an incoming message: it is not scored.
    let agent_reply = app
        .post(
            &format!("/api/v1/tickets/{id}/messages"),
            &org.agent,
            json!({"body": "Sorry, this is terrible."}),
        )
        .await;
    assert_eq!(
        agent_reply.status,
        StatusCode::CREATED,
        "{}",
        agent_reply.body
    );

    let r = app
        .get(&format!("/api/v1/tickets/{id}/assist"), &org.agent)
        .await;
    let messages = r.body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "{}", r.body);
    assert_eq!(
        (
            messages[0]["source"].as_str(),
            messages[0]["label"].as_str()
        ),
        (Some("description"), Some("negative"))
    );
    assert_eq!(
        (
            messages[1]["source"].as_str(),
            messages[1]["label"].as_str()
        ),
        (Some("reply"), Some("positive"))
    );
    assert_eq!(
        r.body["sentiment"]["label"], "positive",
        "the latest message is the mood now"
    );
    let (stored,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM ticket_sentiments WHERE org_id = $1")
            .bind(org.id)
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(stored, 2);
    let s = suggestions(&app, &org.dispatcher, &id).await;
    assert_eq!(s["sentiment"]["label"], "positive");
}

/// Stored scores of a ticket: (message id, label, scored at), description first.
async fn stored(app: &TestApp, org: &Org, ticket: &str) -> Vec<(Option<Uuid>, String, String)> {
    sqlx::query_as(
        "SELECT message_id, label, scored_at::text FROM ticket_sentiments \
         WHERE org_id = $1 AND ticket_id = $2::uuid ORDER BY message_id NULLS FIRST, scored_at",
    )
    .bind(org.id)
    .bind(ticket)
    .fetch_all(&app.pool)
    .await
    .expect("sentiments")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sentiment_is_scored_on_arrival_from_portal_api_and_email() {
    let app = TestApp::new().await;
    let org = app.org().await;
    // Portal: the customer's new request is scored before anyone opens its assist data.
    let portal = new_ticket(
        &app,
        &org.customer,
        "Awful delay",
        "Nobody came, this is terrible and I am angry!",
    )
    .await;
    let rows = stored(&app, &org, &portal).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].0, rows[0].1.as_str()), (None, "negative"));
    // Its customer reply, through the API.
    let reply = app
        .post(
            &format!("/api/v1/tickets/{portal}/messages"),
            &org.customer,
            json!({"body": "Great, thank you, the technician was wonderful!"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let rows = stored(&app, &org, &portal).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[1].0.map(|m| m.to_string()), rows[1].1.as_str()),
        (
            reply.body["message"]["id"].as_str().map(str::to_string),
            "positive"
        )
    );
    // Reading assist data finds the stored scores by their text hash: nothing is rescored.
    let r = app
        .get(&format!("/api/v1/tickets/{portal}/assist"), &org.agent)
        .await;
    assert_eq!(r.body["sentiment"]["label"], "positive", "{}", r.body);
    assert_eq!(stored(&app, &org, &portal).await, rows);

    // API: an agent's ticket for a customer; an edited description is scored again.
    let api = new_ticket(&app, &org.agent, "Thanks", "Everything works, great job").await;
    assert_eq!(stored(&app, &org, &api).await[0].1, "positive");
    let uri = format!("/api/v1/tickets/{api}");
    let etag = app.get(&uri, &org.agent).await.etag();
    let edited = app
        .patch(
            &uri,
            &org.agent,
            &etag,
            json!({"description": "Broken again, horrible and useless"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(stored(&app, &org, &api).await[0].1, "negative");

    // E-mail: a new ticket and a threaded customer reply.
    let token = common_mail::desk::configure(&app, &org, None, None).await;
    let first = common_mail::desk::inbound(
        &app,
        &token,
        &common_mail::desk::mail(
            "erin@example.test",
            "Leak",
            "a1@example.test",
            "",
            "Water everywhere, this is a disaster and I am furious.",
        ),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let mailed = first.body["ticket_id"]
        .as_str()
        .expect("ticket")
        .to_string();
    let number = first.body["ticket_number"].as_str().expect("number");
    let again = common_mail::desk::inbound(
        &app,
        &token,
        &common_mail::desk::mail(
            "erin@example.test",
            &format!("Re: [{number}] Leak"),
            "a2@example.test",
            "",
            "Fixed now, thank you, excellent work!\n> Water everywhere, a disaster",
        ),
    )
    .await;
    assert_eq!(again.body["outcome"], "threaded", "{}", again.body);
    let rows = stored(&app, &org, &mailed).await;
    let labels: Vec<(bool, &str)> = rows.iter().map(|r| (r.0.is_some(), r.1.as_str())).collect();
    assert_eq!(
        labels,
        [(false, "negative"), (true, "positive")],
        "{rows:?}"
    );

    // Tickets from before scoring on arrival are still scored when first read.
    sqlx::query("DELETE FROM ticket_sentiments WHERE org_id = $1 AND ticket_id = $2::uuid")
        .bind(org.id)
        .bind(&mailed)
        .execute(&app.pool)
        .await
        .expect("forget");
    let r = app
        .get(&format!("/api/v1/tickets/{mailed}/assist"), &org.agent)
        .await;
    assert_eq!(
        r.body["messages"].as_array().map(Vec::len),
        Some(2),
        "{}",
        r.body
    );
    assert_eq!(stored(&app, &org, &mailed).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_and_priorities_are_learnt_from_resolved_tickets() {
    let app = TestApp::new().await;
    let org = app.org().await;
    seed_all(&app, &org).await;
    for (subject, description, category, priority) in [
        (
            "Cold radiators",
            "The boiler pressure is low again and the heating is off.",
            "heating",
            "high",
        ),
        (
            "Leak",
            "There is water dripping from the pipe under the sink, it is flooding.",
            "plumbing",
            "urgent",
        ),
        (
            "Question about my invoice",
            "I was charged twice, please refund the payment.",
            "billing",
            "low",
        ),
    ] {
        let id = new_ticket(&app, &org.agent, subject, description).await;
        let s = suggestions(&app, &org.agent, &id).await;
        assert_eq!(s["category"][0]["value"], category, "{subject}: {s}");
        assert!(
            s["category"][0]["probability"].as_f64().unwrap_or(0.0) > 0.5,
            "{s}"
        );
        assert_eq!(s["priority"][0]["value"], priority, "{subject}: {s}");
        let total: f64 = s["category"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["probability"].as_f64())
            .sum();
        assert!(
            (total - 1.0).abs() < 0.001,
            "three categories, probabilities sum to 1: {s}"
        );
        assert_eq!(s["model"]["category"]["status"], "ready");
        assert_eq!(s["model"]["category"]["examples"], 24);
    }
    // The model is retrained when tickets change: a new resolved category shows up.
    for s in [
        "Gutter blocked with leaves",
        "Gutter overflowing onto the path",
        "Gutter bracket broken",
    ] {
        seed_resolved(&app.pool, org.id, s, "gutters", "normal").await;
    }
    let id = new_ticket(
        &app,
        &org.agent,
        "Gutter",
        "The gutter is blocked and overflowing.",
    )
    .await;
    let s = suggestions(&app, &org.agent, &id).await;
    assert_eq!(s["category"][0]["value"], "gutters", "{s}");
    assert_eq!(s["model"]["category"]["examples"], 27);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_few_resolved_tickets_means_not_enough_data() {
    let app = TestApp::new().await;
    let org = app.org().await;
    for s in &HEATING[..3] {
        seed_resolved(&app.pool, org.id, s, "heating", "high").await;
    }
    // Open tickets do not teach anything.
    new_ticket(&app, &org.agent, "Boiler broken", "boiler").await;
    let id = new_ticket(
        &app,
        &org.agent,
        "Boiler pressure low",
        "The radiators are cold.",
    )
    .await;
    let s = suggestions(&app, &org.agent, &id).await;
    assert_eq!(s["category"], json!([]));
    assert_eq!(s["priority"], json!([]));
    assert_eq!(s["model"]["category"]["status"], "not_enough_data");
    assert_eq!(s["model"]["category"]["examples"], 3);
    assert_eq!(s["model"]["category"]["min_examples"], 10);
    // Similar tickets still work without a classifier.
    assert!(!s["similar_tickets"].as_array().expect("list").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn similar_tickets_and_articles_are_ranked_and_stay_in_the_organisation() {
    let app = TestApp::new().await;
    let org = app.org().await;
    seed_all(&app, &org).await;
    let twin = seed_resolved(
        &app.pool,
        org.id,
        "Boiler error code F28 again, no hot water",
        "heating",
        "high",
    )
    .await;
    for (title, slug, body, status) in [
        (
            "Repressurising your boiler",
            "repressurise-boiler",
            "When the boiler pressure is low, open the filling loop.",
            "published",
        ),
        (
            "Reading your invoice",
            "reading-invoice",
            "Each invoice lists the visit, parts and VAT.",
            "published",
        ),
        (
            "Boiler error codes (draft)",
            "boiler-codes",
            "F28 means ignition failure of the boiler.",
            "draft",
        ),
    ] {
        sqlx::query("INSERT INTO kb_articles (org_id, title, slug, body, status) VALUES ($1, $2, $3, $4, $5)")
            .bind(org.id).bind(title).bind(slug).bind(body).bind(status)
            .execute(&app.pool).await.expect("article");
    }
    let id = new_ticket(
        &app,
        &org.agent,
        "Boiler error F28",
        "The boiler shows error code F28 and there is no hot water; the pressure is low.",
    )
    .await;
    let s = suggestions(&app, &org.agent, &id).await;
    let similar = s["similar_tickets"].as_array().expect("similar");
    assert_eq!(
        similar[0]["id"].as_str(),
        Some(twin.to_string().as_str()),
        "{s}"
    );
    assert!(
        similar.len() <= 5
            && similar
                .iter()
                .all(|t| t["id"].as_str() != Some(id.as_str()))
    );
    let scores: Vec<f64> = similar.iter().filter_map(|t| t["score"].as_f64()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        similar.iter().take(3).all(|t| {
            let subject = t["subject"].as_str().unwrap_or_default().to_lowercase();
            subject.contains("boiler")
                || subject.contains("heating")
                || subject.contains("radiator")
        }),
        "{s}"
    );
    let articles = s["articles"].as_array().expect("articles");
    assert_eq!(
        articles.len(),
        1,
        "drafts and unrelated articles are not offered: {s}"
    );
    assert_eq!(articles[0]["slug"], "repressurise-boiler");

    // Another organisation: its own tickets only, and no access to this one.
    let other = app.org().await;
    let own = new_ticket(
        &app,
        &other.agent,
        "Boiler error F28",
        "The boiler shows error code F28.",
    )
    .await;
    let s = suggestions(&app, &other.agent, &own).await;
    assert_eq!(s["similar_tickets"], json!([]), "{s}");
    assert_eq!(s["articles"], json!([]));
    assert_eq!(s["model"]["category"]["examples"], 0);
    let r = app
        .get(&format!("/api/v1/tickets/{id}/suggestions"), &other.agent)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&format!("/api/v1/tickets/{id}/assist"), &other.admin)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Customers and technicians do not get agent assist.
    for token in [&org.customer, &org.technician] {
        let r = app
            .get(&format!("/api/v1/tickets/{id}/suggestions"), token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
}

/// What the fake LLM server saw.
#[derive(Default)]
struct Seen {
    auth: Option<String>,
    body: Value,
}

/// A fake OpenAI-compatible server on loopback: answers `reply` or fails with 500.
async fn fake_llm(fail: bool) -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = seen.clone();
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let state = state.clone();
            async move {
                if let Ok(mut s) = state.lock() {
                    s.auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(String::from);
                    s.body = body.clone();
                }
                if fail {
                    return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "boom"})));
                }
                (StatusCode::OK, Json(json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": "fake-model-1",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": "  Dear customer, a technician will call you.  "}}]
                })))
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
    (format!("http://{addr}/v1"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_draft_is_off_by_default_and_uses_the_configured_endpoint() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let id = new_ticket(
        &app,
        &org.agent,
        "Boiler error F28",
        "No hot water since Monday.",
    )
    .await;
    let draft = format!("/api/v1/tickets/{id}/assist/draft");

    let r = app.post(&draft, &org.agent, json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED, "{}", r.body);
    assert_eq!(r.code(), "assist_llm_not_configured");
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("assist LLM not configured"));

    let r = app.get("/api/v1/assist/settings", &org.admin).await;
    assert_eq!(
        (r.body["source"].as_str(), r.body["llm_url"].is_null()),
        (Some("off"), true)
    );
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.agent),
            Some(json!({"llm_url": "http://127.0.0.1:9/v1"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.admin),
            Some(json!({"llm_url": "ftp://example"})),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "llm_url")
    );

    let (url, seen) = fake_llm(false).await;
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.admin),
            Some(json!({"llm_url": url, "llm_model": "fake-model", "llm_api_key": "sk-test-123"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (
            r.body["source"].as_str(),
            r.body["llm_api_key_set"].as_bool()
        ),
        (Some("organisation"), Some(true))
    );
    assert!(
        !r.body.to_string().contains("sk-test-123"),
        "the key is never answered"
    );

    let r = app
        .post(
            &draft,
            &org.agent,
            json!({"kind": "reply", "instructions": "Offer a visit on Friday."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["text"], "Dear customer, a technician will call you.");
    assert_eq!(r.body["model"], "fake-model-1");
    {
        let s = seen.lock().expect("seen");
        assert_eq!(s.auth.as_deref(), Some("Bearer sk-test-123"));
        assert_eq!(s.body["model"], "fake-model");
        let user = s.body["messages"][1]["content"]
            .as_str()
            .unwrap_or_default();
        assert!(
            user.contains("Boiler error F28") && user.contains("No hot water since Monday."),
            "{user}"
        );
        assert!(user.contains("Offer a visit on Friday."), "{user}");
    }
    let r = app
        .get(&format!("/api/v1/tickets/{id}/assist"), &org.agent)
        .await;
    assert_eq!(r.body["llm"]["configured"], true);
    let r = app.post(&draft, &org.agent, json!({"kind": "poem"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // A failing endpoint is a 502 with a clear code, not a 500.
    let (bad, _) = fake_llm(true).await;
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/v1/assist/settings",
            Some(&org.admin),
            Some(json!({"llm_url": bad})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["llm_api_key_set"], true,
        "the stored key is kept when not sent"
    );
    let r = app
        .post(&draft, &org.agent, json!({"kind": "summary"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert_eq!(r.code(), "assist_llm_failed");

    // Other organisations stay off.
    let other = app.org().await;
    let own = new_ticket(&app, &other.agent, "Hello", "World").await;
    let r = app
        .post(
            &format!("/api/v1/tickets/{own}/assist/draft"),
            &other.agent,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED);
}
