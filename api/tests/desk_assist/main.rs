//! Agent assist on the real Postgres: sentiment of incoming messages, category and priority
//! learnt from an organisation's resolved tickets (held-out tickets predicted), "not enough
//! data", similar tickets and knowledge-base articles, the optional LLM (off: a clear error; on:
//! a fake OpenAI-compatible server on loopback), roles and tenant isolation.
//!
//! One test binary, one file per area: `sentiment`, `learning` (categories, priorities, similar
//! tickets and articles), `llm`.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common_mail/mod.rs"]
mod common_mail;

mod learning;
mod llm;
mod sentiment;

use axum::http::StatusCode;
use common::{Org, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;
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
