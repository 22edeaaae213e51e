//! The customer side: surveys after resolution, customers limited to their own tickets,
//! suggestions and deflections.

use super::common::desk::{resolve, setup};
use super::*;
use axum::http::{Method, StatusCode};
use fieldpath_api::domain::roles::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_opens_after_resolution_and_is_answered_once() {
    let (app, org) = setup().await;
    let t = app
        .post(
            "/api/v1/tickets",
            &org.customer,
            json!({"subject": "Heating broken"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    assert_eq!(t.body["channel"], "portal");
    let uri = format!("/api/v1/tickets/{}/survey", t.id());
    let s = app.get(&uri, &org.customer).await;
    assert_eq!(
        (s.body["available"].as_bool(), s.body["answered"].as_bool()),
        (Some(false), Some(false)),
        "{}",
        s.body
    );
    let r = app.post(&uri, &org.customer, json!({"rating": 5})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    resolve(&app, &org, &t.id()).await;
    let s = app.get(&uri, &org.customer).await;
    assert_eq!(s.body["available"], true);
    for (body, field) in [
        (json!({"rating": 6}), "rating"),
        (json!({"rating": 0}), "rating"),
        (json!({"rating": 3, "comment": "x".repeat(4001)}), "comment"),
    ] {
        let r = app.post(&uri, &org.customer, body).await;
        assert_eq!(
            (r.status, r.field()),
            (StatusCode::UNPROCESSABLE_ENTITY, field)
        );
    }
    let r = app.post(&uri, &org.agent, json!({"rating": 5})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            &uri,
            &org.customer,
            json!({"rating": 4, "comment": "  Quick and friendly "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (r.body["rating"].as_i64(), r.body["comment"].as_str()),
        (Some(4), Some("Quick and friendly"))
    );
    let r = app.post(&uri, &org.customer, json!({"rating": 1})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let s = app.get(&uri, &org.agent).await;
    assert_eq!(
        (
            s.body["available"].as_bool(),
            s.body["survey"]["rating"].as_i64()
        ),
        (Some(false), Some(4))
    );

    // A tokenised e-mail link for a second resolved ticket.
    let t2 = app
        .post(
            "/api/v1/tickets",
            &org.agent,
            json!({"subject": "Lift noise", "requester_id": org.customer_id}),
        )
        .await;
    let link = app
        .post(
            &format!("/api/v1/tickets/{}/survey/link", t2.id()),
            &org.agent,
            json!({}),
        )
        .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    let token = link.body["token"].as_str().unwrap_or_default().to_string();
    assert_eq!(link.body["path"], format!("/portal/survey/{token}"));
    let public = format!("/api/v1/public/surveys/{token}");
    let r = app
        .send(Method::POST, &public, None, Some(json!({"rating": 2})), &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "not resolved yet: {}",
        r.body
    );
    resolve(&app, &org, &t2.id()).await;
    let r = app
        .send(
            Method::POST,
            &public,
            None,
            Some(json!({"rating": 2, "comment": "Took long"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["via"], "link");
    let r = public_get(&app, &public).await;
    assert_eq!(
        (
            r.body["answered"].as_bool(),
            r.body["ticket"]["number"].as_str()
        ),
        (Some(true), t2.body["number"].as_str())
    );
    let r = public_get(&app, "/api/v1/public/surveys/fp_sv_nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &format!("/api/v1/tickets/{}/survey/link", t2.id()),
            &org.customer,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The agents' list over a period.
    let list = app.get("/api/v1/surveys", &org.agent).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body["summary"]["count"], 2);
    assert_eq!(list.body["summary"]["mean_rating"], 3.0);
    assert_eq!(list.body["summary"]["csat_percent"], 50.0);
    assert_eq!(list.body["items"][0]["ticket_number"], t2.body["number"]);
    let old = app
        .get("/api/v1/surveys?from=2020-01-01&to=2020-12-31", &org.agent)
        .await;
    assert_eq!(old.body["summary"]["count"], 0);
    let bad = app.get("/api/v1/surveys?from=yesterday", &org.agent).await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "from")
    );
    assert_eq!(
        app.get("/api/v1/surveys", &org.customer).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_see_only_their_tickets_and_public_replies() {
    let (app, org) = setup().await;
    let (other_customer,): (uuid::Uuid,) =
        sqlx::query_as("INSERT INTO customers (org_id, name) VALUES ($1, 'Other') RETURNING id")
            .bind(org.id)
            .fetch_one(&app.pool)
            .await
            .expect("customer");
    let other_user = app
        .user(
            org.id,
            &format!("other@{}.test", org.slug),
            Role::Customer,
            Some(other_customer),
        )
        .await;
    let other = app.mint(org.id, other_user).await;

    let mine = app
        .post(
            "/api/v1/tickets",
            &org.customer,
            json!({"subject": "My boiler"}),
        )
        .await;
    let theirs = app
        .post("/api/v1/tickets", &other, json!({"subject": "Their lift"}))
        .await;
    let uri = format!("/api/v1/tickets/{}/messages", mine.id());
    app.post(
        &uri,
        &org.agent,
        json!({"kind": "note", "body": "Internal: customer is on a payment hold"}),
    )
    .await;
    app.post(
        &uri,
        &org.agent,
        json!({"body": "A technician comes tomorrow."}),
    )
    .await;
    let r = app
        .post(&uri, &org.customer, json!({"body": "Thanks!"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app
        .post(
            &uri,
            &org.customer,
            json!({"kind": "note", "body": "sneaky"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let msgs = app.get(&uri, &org.customer).await;
    let bodies: Vec<&str> = msgs.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["body"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(bodies, ["A technician comes tomorrow.", "Thanks!"]);
    let list = app.get("/api/v1/tickets", &org.customer).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["subject"], "My boiler");
    for path in ["", "/messages", "/survey"] {
        let r = app
            .get(
                &format!("/api/v1/tickets/{}{path}", theirs.id()),
                &org.customer,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_and_deflections_are_counted() {
    let (app, org) = setup().await;
    let a = article(&app, &org, json!({"title": "Air conditioning blows warm air", "body": "Clean the filters.", "status": "published"})).await;
    let draft = article(
        &app,
        &org,
        json!({"title": "Air conditioning refrigerant refill"}),
    )
    .await;
    // A subject is matched word by word; drafts are never suggested.
    let s = app
        .get(
            "/api/v1/portal/suggestions?q=My%20air%20conditioner%20is%20warm",
            &org.customer,
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(titles(&s), ["Air conditioning blows warm air"]);
    let s = app
        .get("/api/v1/portal/suggestions?q=%20", &org.customer)
        .await;
    assert_eq!(titles(&s), Vec::<String>::new());
    assert_eq!(
        app.get("/api/v1/portal/suggestions?q=air", &org.technician)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let body = json!({"article_id": a.id(), "query": "My air conditioner is warm"});
    let r = app
        .post("/api/v1/portal/deflections", &org.customer, body.clone())
        .await;
    assert_eq!(
        (r.status, r.body["counted"].as_bool()),
        (StatusCode::CREATED, Some(true)),
        "{}",
        r.body
    );
    let r = app
        .post("/api/v1/portal/deflections", &org.customer, body.clone())
        .await;
    assert_eq!(
        (r.status, r.body["counted"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let r = app
        .post(
            "/api/v1/portal/deflections",
            &org.customer,
            json!({"article_id": draft.id()}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "article_id")
    );
    let r = app
        .post("/api/v1/portal/deflections", &org.agent, body.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    app.post(
        "/api/v1/tickets",
        &org.customer,
        json!({"subject": "Still warm"}),
    )
    .await;

    let stats = app.get("/api/v1/portal/stats", &org.agent).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert_eq!(
        (
            stats.body["deflections"].as_i64(),
            stats.body["portal_tickets"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(stats.body["deflection_rate"], 0.5);
    assert_eq!(
        stats.body["top_articles"][0]["title"],
        "Air conditioning blows warm air"
    );
    assert_eq!(
        app.get("/api/v1/portal/stats", &org.customer).await.status,
        StatusCode::FORBIDDEN
    );
    let ctx = app.get("/api/v1/portal/context", &org.customer).await;
    assert_eq!(
        (
            ctx.body["org"]["slug"].as_str(),
            ctx.body["user"]["role"].as_str()
        ),
        (Some(org.slug.as_str()), Some("customer"))
    );
}
