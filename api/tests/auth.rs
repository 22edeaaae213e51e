//! Login, session cookie, refresh rotation, logout, API tokens, login throttling, users.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::TestApp;
use fieldpath_api::domain::roles::Role;
use serde_json::json;

async fn login(app: &TestApp, email: &str, password: &str) -> common::Resp {
    app.send(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"email": email, "password": password})),
        &[],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refresh_logout() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let email = format!("dispatcher@{}.test", org.slug);

    let bad = login(&app, &email, "wrong").await;
    assert_eq!(
        (bad.status, bad.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let unknown = login(&app, "nobody@nowhere.test", "password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    let ok = login(&app, &email.to_uppercase(), "password").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let cookie = ok
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let access = ok.body["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    let refresh = ok.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    assert_eq!(ok.body["user"]["role"], "dispatcher");

    // Bearer and cookie both authenticate.
    assert_eq!(app.get("/api/v1/me", &access).await.status, StatusCode::OK);
    let session = cookie.split(';').next().expect("pair").to_string();
    let by_cookie = app
        .raw(
            Request::builder()
                .uri("/api/v1/work-orders")
                .header("cookie", &session)
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(by_cookie.status, StatusCode::OK);
    // A refresh token is not an access token.
    assert_eq!(
        app.get("/api/v1/me", &refresh).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Refresh rotates: the new pair works, the old refresh token is spent.
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let access2 = r.body["access_token"].as_str().expect("access").to_string();
    let refresh2 = r.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    assert_eq!(app.get("/api/v1/me", &access2).await.status, StatusCode::OK);
    let again = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh})),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // Logout revokes the whole login: access tokens, refresh token and the session cookie.
    let out = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&access2),
            None,
            &[],
        )
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", &access2).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refresh_token": refresh2})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let by_cookie = app
        .raw(
            Request::builder()
                .uri("/api/v1/work-orders")
                .header("cookie", &session)
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(by_cookie.status, StatusCode::UNAUTHORIZED);

    // Missing or malformed credentials.
    let none = app.send(Method::GET, "/api/v1/me", None, None, &[]).await;
    assert_eq!(
        (none.status, none.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    assert_eq!(
        app.get("/api/v1/me", "fp_at_forged").await.status,
        StatusCode::UNAUTHORIZED
    );
    let bad_json = app
        .raw(
            Request::builder()
                .method("POST")
                .uri("/api/v1/auth/login")
                .header("content-type", "application/json")
                .body(Body::from("{"))
                .expect("req"),
        )
        .await;
    assert_eq!(
        (bad_json.status, bad_json.code()),
        (StatusCode::BAD_REQUEST, "invalid_json")
    );
    let missing = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "x@y"})),
            &[],
        )
        .await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_is_throttled_after_five_failures() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let email = format!("agent@{}.test", org.slug);
    for _ in 0..5 {
        assert_eq!(
            login(&app, &email, "wrong").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = login(&app, &email, "password").await;
    assert_eq!(
        (limited.status, limited.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(limited.headers.contains_key("retry-after"));
    // Another e-mail from the same address is not affected.
    assert_eq!(
        login(&app, &format!("admin@{}.test", org.slug), "password")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_listed_and_revocable() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let created = app
        .post(
            "/api/v1/api-tokens",
            &org.dispatcher,
            json!({"name": "ci", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["token"].as_str().expect("token").to_string();
    let id = created.id();
    assert_eq!(
        app.get("/api/v1/work-orders", &secret).await.status,
        StatusCode::OK
    );

    let list = app.get("/api/v1/api-tokens", &org.dispatcher).await;
    assert_eq!(list.body["total"], 1);
    assert!(!list.body.to_string().contains(&secret), "secret listed");
    // Someone else's (even in the same organisation) cannot be revoked.
    assert_eq!(
        app.delete(&format!("/api/v1/api-tokens/{id}"), &org.admin, "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/api-tokens/{id}"), &org.dispatcher, "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/work-orders", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.delete(&format!("/api/v1/api-tokens/{id}"), &org.dispatcher, "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let bad = app
        .post("/api/v1/api-tokens", &org.dispatcher, json!({"name": ""}))
        .await;
    assert_eq!(
        (bad.status, bad.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "name")
    );
    assert_eq!(
        app.post("/api/v1/api-tokens", &org.customer, json!({"name": "x"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let anon = app
        .send(Method::GET, "/api/v1/api-tokens", None, None, &[])
        .await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_users() {
    let app = TestApp::new().await;
    let org = app.org().await;
    let email = format!("new@{}.test", org.slug);
    let body =
        json!({"email": email, "name": "New", "role": "technician", "password": "longenough"});
    assert_eq!(
        app.post("/api/v1/users", &org.dispatcher, body.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let created = app.post("/api/v1/users", &org.admin, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body.get("password_hash").is_none());
    let dup = app.post("/api/v1/users", &org.admin, body).await;
    assert_eq!((dup.status, dup.field()), (StatusCode::CONFLICT, "email"));
    let short = app
        .post(
            "/api/v1/users",
            &org.admin,
            json!({"email": "a@b.c", "name": "x", "role": "agent", "password": "short"}),
        )
        .await;
    assert_eq!(
        (short.status, short.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "password")
    );
    let role = app
        .post(
            "/api/v1/users",
            &org.admin,
            json!({"email": "a@b.c", "name": "x", "role": "king", "password": "longenough"}),
        )
        .await;
    assert_eq!(
        (role.status, role.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "role")
    );
    let new_login = login(&app, &email, "longenough").await;
    assert_eq!(new_login.status, StatusCode::OK);
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{}", created.id()),
            org.token(Role::Admin)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{}", uuid::Uuid::new_v4()),
            &org.admin
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/users", &org.technician).await.status,
        StatusCode::FORBIDDEN
    );
}
