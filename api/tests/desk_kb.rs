//! Knowledge base, customer portal and satisfaction surveys on the real Postgres: full-text
//! ranking and excerpts, filters, drafts hidden from customers and the public, versions kept on
//! every edit, feedback counted once per voter, deflections, surveys only after resolution and
//! only once, customers limited to their own tickets and public replies, tenant isolation, and
//! 401 / 403 / 404 / 409 / 412 / 422 / 428 answers.

mod common;

use axum::http::{Method, StatusCode};
use common::desk::{resolve, setup};
use common::{Org, TestApp};
use fieldpath_api::domain::roles::Role;
use serde_json::{json, Value};

async fn article(app: &TestApp, org: &Org, body: Value) -> common::Resp {
    let r = app.post("/api/v1/kb/articles", &org.agent, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r
}

fn titles(r: &common::Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn public_get(app: &TestApp, uri: &str) -> common::Resp {
    app.send(Method::GET, uri, None, None, &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_ranks_title_matches_first_with_highlighted_excerpts_and_filters() {
    let (app, org) = setup().await;
    let cat = app
        .post(
            "/api/v1/kb/categories",
            &org.agent,
            json!({"name": "Networking & Wi-Fi"}),
        )
        .await;
    assert_eq!(cat.status, StatusCode::CREATED, "{}", cat.body);
    assert_eq!(cat.body["slug"], "networking-wi-fi");
    // The body-only match is created last, so recency alone would put it first.
    article(&app, &org, json!({"title": "Resetting your router", "body": "Unplug the power for ten seconds, then plug it back in.", "status": "published", "category_id": cat.id(), "tags": ["Network"]})).await;
    article(
        &app,
        &org,
        json!({"title": "Printer offline", "body": "Check the cable.", "status": "published"}),
    )
    .await;
    article(&app, &org, json!({"title": "Slow Wi-Fi", "body": "Move closer to the access point. An old router can also be slow & \"weak\".", "status": "published"})).await;

    let r = app
        .get("/api/v1/kb/articles?q=routers", &org.customer)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(titles(&r), ["Resetting your router", "Slow Wi-Fi"]);
    assert_eq!(r.body["total"], 2);
    let items = r.body["items"].as_array().cloned().unwrap_or_default();
    let (first, second) = (&items[0], &items[1]);
    assert!(
        first["rank"].as_f64() > second["rank"].as_f64(),
        "{}",
        r.body
    );
    let excerpt = second["excerpt"].as_str().unwrap_or_default();
    assert!(excerpt.contains("<mark>router</mark>"), "{excerpt}");
    assert!(excerpt.contains("slow &amp; &quot;weak"), "{excerpt}");
    for key in [
        "id",
        "slug",
        "status",
        "category_id",
        "tags",
        "updated_at",
        "helpful",
        "not_helpful",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    // Web-search syntax: exclusions and phrases.
    let r = app
        .get("/api/v1/kb/articles?q=router%20-unplug", &org.agent)
        .await;
    assert_eq!(titles(&r), ["Slow Wi-Fi"]);
    // Filters: tag, category (by id and slug), no text.
    let r = app.get("/api/v1/kb/articles?tag=network", &org.agent).await;
    assert_eq!(titles(&r), ["Resetting your router"]);
    let r = app
        .get(
            &format!("/api/v1/kb/articles?category={}", cat.id()),
            &org.agent,
        )
        .await;
    assert_eq!(titles(&r), ["Resetting your router"]);
    let r = app
        .get("/api/v1/kb/articles?category=networking-wi-fi", &org.agent)
        .await;
    assert_eq!(titles(&r), ["Resetting your router"]);
    let r = app
        .get("/api/v1/kb/articles?category=nope", &org.agent)
        .await;
    assert_eq!(titles(&r), Vec::<String>::new());
    let r = app.get("/api/v1/kb/articles", &org.agent).await;
    assert_eq!(r.body["total"], 3);
    // Bad parameters.
    for (uri, field) in [
        ("/api/v1/kb/articles?limit=0", "limit"),
        ("/api/v1/kb/articles?status=gone", "status"),
        ("/api/v1/kb/articles?locale=english", "locale"),
        ("/api/v1/kb/articles?colour=red", "query"),
    ] {
        let r = app.get(uri, &org.agent).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri}: {}",
            r.body
        );
        assert_eq!(r.field(), field, "{uri}");
    }
    // The category counts its article; deleting it is refused while it has one.
    let c = app
        .get(&format!("/api/v1/kb/categories/{}", cat.id()), &org.agent)
        .await;
    assert_eq!(c.body["articles"], 1);
    let r = app
        .delete(
            &format!("/api/v1/kb/categories/{}", cat.id()),
            &org.agent,
            "\"1\"",
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_are_invisible_to_customers_technicians_and_the_public() {
    let (app, org) = setup().await;
    let draft = article(
        &app,
        &org,
        json!({"title": "Internal: boiler bypass", "body": "Secret boiler steps."}),
    )
    .await;
    assert_eq!(draft.body["status"], "draft");
    let published = article(&app, &org, json!({"title": "Boiler pressure low", "body": "Top up to 1.5 bar.", "status": "published"})).await;

    for role in [Role::Customer, Role::Technician] {
        let token = org.token(role);
        let r = app.get("/api/v1/kb/articles?q=boiler", token).await;
        assert_eq!(titles(&r), ["Boiler pressure low"], "{role:?}");
        let r = app
            .get(&format!("/api/v1/kb/articles/{}", draft.id()), token)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{role:?}");
        let r = app.get("/api/v1/kb/articles?status=draft", token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        let r = app
            .get(&format!("/api/v1/kb/articles/{}", published.id()), token)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{role:?}");
    }
    let r = app
        .get("/api/v1/kb/articles?status=draft", &org.agent)
        .await;
    assert_eq!(titles(&r), ["Internal: boiler bypass"]);

    // Public: no sign-in, published only, cacheable.
    let base = format!("/api/v1/public/{}/kb", org.slug);
    let r = public_get(&app, &format!("{base}?q=boiler")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(titles(&r), ["Boiler pressure low"]);
    assert_eq!(r.headers["cache-control"], "public, max-age=60");
    let r = public_get(&app, &format!("{base}?status=draft")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = public_get(
        &app,
        &format!(
            "{base}/articles/{}",
            draft.body["slug"].as_str().unwrap_or_default()
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = public_get(&app, &format!("{base}/articles/boiler-pressure-low")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["body"], "Top up to 1.5 bar.");
    assert!(r.body.get("author_id").is_none());
    let r = public_get(&app, "/api/v1/public/no-such-org/kb").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Unpublishing hides it again.
    let r = app
        .patch(
            &format!("/api/v1/kb/articles/{}", published.id()),
            &org.agent,
            "\"1\"",
            json!({"status": "archived"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = public_get(&app, &format!("{base}/articles/boiler-pressure-low")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_edit_keeps_the_previous_version_with_etag_checks() {
    let (app, org) = setup().await;
    let a = article(
        &app,
        &org,
        json!({"title": "Reset the alarm", "body": "Press reset.", "locale": "en"}),
    )
    .await;
    let uri = format!("/api/v1/kb/articles/{}", a.id());
    assert_eq!(a.etag(), "\"1\"");
    let r = app
        .post(&format!("{uri}/publish"), &org.agent, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.etag().as_str()),
        (Some("published"), "\"2\"")
    );
    assert!(r.body["published_at"].is_string());

    // Without a version: 428; with a stale one: 412.
    let r = app
        .send(
            Method::PATCH,
            &uri,
            Some(&org.agent),
            Some(json!({"body": "x"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = app
        .patch(&uri, &org.agent, "\"1\"", json!({"body": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);

    let r = app
        .patch(
            &uri,
            &org.agent,
            "\"2\"",
            json!({"body": "Hold reset for 5 seconds.", "tags": ["alarm"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.etag(), "\"3\"");
    // An edit that changes nothing does not make a version.
    let r = app
        .patch(&uri, &org.agent, "\"3\"", json!({"tags": ["alarm"]}))
        .await;
    assert_eq!(r.etag(), "\"3\"");
    // A stale publish is refused too.
    let r = app
        .send(
            Method::POST,
            &format!("{uri}/publish"),
            Some(&org.agent),
            None,
            &[("if-match", "\"2\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);

    let v = app.get(&format!("{uri}/versions"), &org.agent).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    let versions: Vec<(i64, String, String)> = v.body["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["version"].as_i64().unwrap_or_default(),
                        i["status"].as_str().unwrap_or_default().to_string(),
                        i["body"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        versions,
        [
            (3, "published".into(), "Hold reset for 5 seconds.".into()),
            (2, "published".into(), "Press reset.".into()),
            (1, "draft".into(), "Press reset.".into()),
        ]
    );
    let one = app.get(&format!("{uri}/versions/2"), &org.agent).await;
    assert_eq!(one.body["body"], "Press reset.");
    assert_eq!(
        app.get(&format!("{uri}/versions/9"), &org.agent)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Customers read the article but not its history.
    assert_eq!(
        app.get(&format!("{uri}/versions"), &org.customer)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&uri, &org.customer).await.body["body"],
        "Hold reset for 5 seconds."
    );

    // Validation and conflicts.
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"title": "x", "slug": "Bad Slug"}), "slug"),
        (json!({"title": "x", "status": "live"}), "status"),
        (json!({"title": "x", "locale": "klingon"}), "locale"),
        (json!({"title": "x", "tags": [""]}), "tags"),
        (
            json!({"title": "x", "category_id": "6f7e3a52-1111-4d4e-9d55-0b5b3f5a3a3a"}),
            "category_id",
        ),
        (json!({"title": "x", "colour": "red"}), "body"),
    ] {
        let r = app
            .post("/api/v1/kb/articles", &org.agent, body.clone())
            .await;
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
    let r = app
        .post(
            "/api/v1/kb/articles",
            &org.agent,
            json!({"title": "Reset the alarm"}),
        )
        .await;
    assert_eq!((r.status, r.field()), (StatusCode::CONFLICT, "slug"));
    // Roles: customers and technicians do not edit.
    for role in [Role::Customer, Role::Technician] {
        let r = app
            .post(
                "/api/v1/kb/articles",
                org.token(role),
                json!({"title": "Mine"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        let r = app
            .patch(&uri, org.token(role), "\"3\"", json!({"title": "Mine"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let r = app
        .send(Method::GET, "/api/v1/kb/articles", None, None, &[])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Delete with the version; history goes too.
    assert_eq!(
        app.delete(&uri, &org.admin, "\"2\"").await.status,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        app.delete(&uri, &org.admin, "\"3\"").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&uri, &org.admin).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_counts_one_vote_per_user_or_session() {
    let (app, org) = setup().await;
    let a = article(
        &app,
        &org,
        json!({"title": "Descaling the coffee machine", "status": "published"}),
    )
    .await;
    let uri = format!("/api/v1/kb/articles/{}/feedback", a.id());
    let r = app
        .post(&uri, &org.customer, json!({"helpful": true}))
        .await;
    assert_eq!(
        (r.body["helpful"].as_i64(), r.body["not_helpful"].as_i64()),
        (Some(1), Some(0)),
        "{}",
        r.body
    );
    // The same customer changes their mind: still one vote.
    let r = app
        .post(
            &uri,
            &org.customer,
            json!({"helpful": false, "comment": "Step 3 is unclear"}),
        )
        .await;
    assert_eq!(
        (r.body["helpful"].as_i64(), r.body["not_helpful"].as_i64()),
        (Some(0), Some(1))
    );
    let r = app
        .post(&uri, &org.technician, json!({"helpful": true}))
        .await;
    assert_eq!(
        (r.body["helpful"].as_i64(), r.body["not_helpful"].as_i64()),
        (Some(1), Some(1))
    );
    // Anonymous sessions on the public page.
    let public = format!(
        "/api/v1/public/{}/kb/articles/descaling-the-coffee-machine/feedback",
        org.slug
    );
    for _ in 0..2 {
        let r = app
            .send(
                Method::POST,
                &public,
                None,
                Some(json!({"helpful": true, "session": "browser-aaaa-1111"})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["helpful"], 2);
    }
    let r = app
        .send(
            Method::POST,
            &public,
            None,
            Some(json!({"helpful": true, "session": "x"})),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "session")
    );
    let r = app
        .post(&uri, &org.customer, json!({"helpful": "yes"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Counts show on the article and in search results.
    let got = app
        .get(&format!("/api/v1/kb/articles/{}", a.id()), &org.agent)
        .await;
    assert_eq!(
        (
            got.body["helpful"].as_i64(),
            got.body["not_helpful"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let list = app.get("/api/v1/kb/articles?q=coffee", &org.agent).await;
    assert_eq!(list.body["items"][0]["helpful"], 2);
    // Drafts take no votes from readers.
    let d = article(&app, &org, json!({"title": "Draft only"})).await;
    let r = app
        .post(
            &format!("/api/v1/kb/articles/{}/feedback", d.id()),
            &org.customer,
            json!({"helpful": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_do_not_see_each_others_knowledge_base() {
    let app = TestApp::new().await;
    let (one, two) = (app.org().await, app.org().await);
    let a = article(
        &app,
        &one,
        json!({"title": "Tenant secret procedure", "status": "published"}),
    )
    .await;
    let cat = app
        .post(
            "/api/v1/kb/categories",
            &one.agent,
            json!({"name": "Only mine"}),
        )
        .await;
    let t = app
        .post("/api/v1/tickets", &one.customer, json!({"subject": "Mine"}))
        .await;

    assert_eq!(
        app.get(&format!("/api/v1/kb/articles/{}", a.id()), &two.agent)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.patch(
            &format!("/api/v1/kb/articles/{}", a.id()),
            &two.agent,
            "\"1\"",
            json!({"title": "x"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/kb/articles/{}/versions/1", a.id()),
            &two.agent
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        titles(&app.get("/api/v1/kb/articles?q=tenant", &two.agent).await),
        Vec::<String>::new()
    );
    assert_eq!(
        titles(&public_get(&app, &format!("/api/v1/public/{}/kb?q=tenant", two.slug)).await),
        Vec::<String>::new()
    );
    assert_eq!(
        public_get(
            &app,
            &format!(
                "/api/v1/public/{}/kb/articles/tenant-secret-procedure",
                two.slug
            )
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        titles(&public_get(&app, &format!("/api/v1/public/{}/kb?q=tenant", one.slug)).await),
        ["Tenant secret procedure"]
    );
    let r = app
        .post(
            "/api/v1/kb/articles",
            &two.agent,
            json!({"title": "x", "category_id": cat.id()}),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "category_id")
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/kb/articles/{}/feedback", a.id()),
            &two.customer,
            json!({"helpful": true})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post(
            "/api/v1/portal/deflections",
            &two.customer,
            json!({"article_id": a.id()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{}/survey", t.id()), &two.agent)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get("/api/v1/kb/categories", &two.agent).await.body["items"]
            .as_array()
            .is_some_and(|c| c.is_empty())
    );
    // The same slug may exist in both organisations.
    article(&app, &two, json!({"title": "Tenant secret procedure"})).await;
}
