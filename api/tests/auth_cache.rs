//! The token cache of request authentication (`auth::cache`): revocations, deactivation, role
//! changes and expiry take effect on the next request, in this process and in another process
//! (a second `AppState` with its own pool and listener on the same database).

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fieldpath_api::auth::token;
use fieldpath_api::db;
use serde_json::json;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Waits until the app's change listener is connected, so that its cache serves entries.
async fn until_listening(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !app.state.auth_cache.is_listening() {
        assert!(
            Instant::now() < deadline,
            "auth cache listener never connected"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `app`'s cache has dropped `secret` (a NOTIFY from another process or from a
/// trigger arrives asynchronously, right after the changing transaction commits).
async fn until_forgotten(app: &TestApp, secret: &str) {
    let hash = token::hash(secret);
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.state.auth_cache.holds(&hash) {
        assert!(Instant::now() < deadline, "the change was never delivered");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Asserts that `secret` is cached in `app` (so the next step tests the cache, not the
/// database).
fn assert_cached(app: &TestApp, secret: &str) {
    assert!(
        app.state.auth_cache.holds(&token::hash(secret)),
        "the token was not cached"
    );
}

async fn login(app: &TestApp, email: &str) -> String {
    let r = app
        .send(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": email, "password": "password"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

async fn logout(app: &TestApp, token: &str) {
    let r = app
        .send(Method::POST, "/api/v1/auth/logout", Some(token), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_tokens_stop_working_on_logout_and_revoke_in_this_process() {
    let app = TestApp::new().await;
    until_listening(&app).await;
    let org = app.org().await;
    let access = login(&app, &format!("dispatcher@{}.test", org.slug)).await;
    for _ in 0..2 {
        assert_eq!(app.get("/api/v1/me", &access).await.status, StatusCode::OK);
    }
    assert_cached(&app, &access);
    logout(&app, &access).await;
    assert_eq!(
        app.get("/api/v1/me", &access).await.status,
        StatusCode::UNAUTHORIZED
    );

    let created = app
        .post("/api/v1/api-tokens", &org.agent, json!({"name": "ci"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["token"].as_str().expect("token").to_string();
    assert_eq!(app.get("/api/v1/me", &secret).await.status, StatusCode::OK);
    assert_cached(&app, &secret);
    let uri = format!("/api/v1/api-tokens/{}", created.id());
    assert_eq!(
        app.delete(&uri, &org.agent, "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/me", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The agent's other token was forgotten too, and still works (from the database).
    assert_eq!(
        app.get("/api/v1/me", &org.agent).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_in_another_process_reach_this_cache() {
    let here = TestApp::new().await;
    let there = TestApp::new().await;
    until_listening(&here).await;
    until_listening(&there).await;
    let org = here.org().await;

    // Logout elsewhere.
    let access = login(&here, &format!("dispatcher@{}.test", org.slug)).await;
    assert_eq!(here.get("/api/v1/me", &access).await.status, StatusCode::OK);
    assert_cached(&here, &access);
    logout(&there, &access).await;
    until_forgotten(&here, &access).await;
    assert_eq!(
        here.get("/api/v1/me", &access).await.status,
        StatusCode::UNAUTHORIZED
    );

    // An API token revoked elsewhere.
    let created = here
        .post("/api/v1/api-tokens", &org.admin, json!({"name": "sync"}))
        .await;
    let secret = created.body["token"].as_str().expect("token").to_string();
    assert_eq!(here.get("/api/v1/me", &secret).await.status, StatusCode::OK);
    assert_cached(&here, &secret);
    let uri = format!("/api/v1/api-tokens/{}", created.id());
    assert_eq!(
        there.delete(&uri, &org.admin, "").await.status,
        StatusCode::NO_CONTENT
    );
    until_forgotten(&here, &secret).await;
    assert_eq!(
        here.get("/api/v1/me", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivated_users_and_role_changes_apply_to_cached_tokens() {
    let app = TestApp::new().await;
    until_listening(&app).await;
    let org = app.org().await;
    assert_eq!(
        app.get("/api/v1/activity", &org.dispatcher).await.status,
        StatusCode::OK
    );

    // A role change made directly in the database (an admin tool, another service).
    assert_cached(&app, &org.dispatcher);
    sqlx::query("UPDATE users SET role = 'technician' WHERE org_id = $1 AND role = 'dispatcher'")
        .bind(org.id)
        .execute(&app.pool)
        .await
        .expect("role change");
    until_forgotten(&app, &org.dispatcher).await;
    let me = app.get("/api/v1/me", &org.dispatcher).await;
    assert_eq!(me.body["user"]["role"], "technician", "{}", me.body);
    assert_eq!(
        app.get("/api/v1/activity", &org.dispatcher).await.status,
        StatusCode::FORBIDDEN
    );

    assert_eq!(
        app.get("/api/v1/me", &org.technician).await.status,
        StatusCode::OK
    );
    assert_cached(&app, &org.dispatcher);
    assert_cached(&app, &org.technician);
    sqlx::query("UPDATE users SET active = false WHERE org_id = $1 AND role = 'technician'")
        .bind(org.id)
        .execute(&app.pool)
        .await
        .expect("deactivate");
    until_forgotten(&app, &org.dispatcher).await;
    until_forgotten(&app, &org.technician).await;
    assert_eq!(
        app.get("/api/v1/me", &org.dispatcher).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", &org.technician).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", &org.agent).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_token_expires_on_time() {
    let app = TestApp::new().await;
    until_listening(&app).await;
    let org = app.org().await;
    let user = app.user_of(&org, "agent").await;
    let secret = token::generate("at");
    let expires_at = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let mut conn = app.pool.acquire().await.expect("conn");
    db::auth::insert_token(
        &mut conn,
        &db::auth::NewToken {
            org_id: org.id,
            user_id: user,
            kind: "access",
            family_id: Uuid::new_v4(),
            hash: &token::hash(&secret),
            name: None,
            expires_at: Some(expires_at),
        },
    )
    .await
    .expect("token");
    drop(conn);
    assert_eq!(app.get("/api/v1/me", &secret).await.status, StatusCode::OK);
    assert_cached(&app, &secret);
    let wait = (expires_at - chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
    assert_eq!(
        app.get("/api/v1/me", &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_listener_empties_the_cache_and_comes_back() {
    let app = TestApp::new().await;
    until_listening(&app).await;
    let org = app.org().await;
    assert_eq!(
        app.get("/api/v1/me", &org.agent).await.status,
        StatusCode::OK
    );
    assert_cached(&app, &org.agent);
    let pid = app.state.auth_cache.listener_pid().expect("listener pid");
    let (killed,): (bool,) = sqlx::query_as("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .fetch_one(&app.pool)
        .await
        .expect("terminate");
    assert!(killed);
    // Losing the connection empties the cache; the listener comes back on a new connection.
    until_forgotten(&app, &org.agent).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.state.auth_cache.listener_pid().is_none_or(|p| p == pid) {
        assert!(Instant::now() < deadline, "listener did not reconnect");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(app.state.auth_cache.is_listening());
    assert_eq!(
        app.get("/api/v1/me", &org.agent).await.status,
        StatusCode::OK
    );
    assert_cached(&app, &org.agent);
}
