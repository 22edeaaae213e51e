//! Knowledge-base articles: full-text search and filters, drafts, versions with ETag checks,
//! feedback.

use super::common::desk::setup;
use super::*;
use axum::http::{Method, StatusCode};
use fieldpath_api::domain::roles::Role;
use serde_json::json;

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
