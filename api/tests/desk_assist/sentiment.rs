//! Sentiment of descriptions and customer replies, scored on arrival and stored.

use super::common::{Org, TestApp};
use super::*;
use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

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
