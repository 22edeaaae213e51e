//! Categories and priorities learnt from resolved tickets, "not enough data", similar tickets
//! and articles within the organisation.

use super::common::TestApp;
use super::*;
use axum::http::StatusCode;
use serde_json::json;

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
