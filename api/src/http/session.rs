//! Login, token refresh, logout, API tokens, the current user and user administration.

use super::auth::{AuthUser, SESSION_COOKIE};
use super::extract::{ApiJson, ApiPath, ClientIp};
use crate::auth::{password, token};
use crate::db::{self, auth::NewToken, auth::NewUser};
use crate::domain::roles::{sets, Role};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// Routes: `/api/v1/auth/*`, `/api/v1/api-tokens`, `/api/v1/me`, `/api/v1/users`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/refresh", post(refresh))
        .route("/api/v1/auth/logout", post(logout))
        .route(
            "/api/v1/api-tokens",
            get(list_api_tokens).post(create_api_token),
        )
        .route("/api/v1/api-tokens/{id}", delete(revoke_api_token))
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{id}", get(get_user))
}

/// Body of `POST /auth/login`.
#[derive(Debug, Deserialize)]
pub struct LoginBody {
    /// Login e-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Body of `POST /auth/refresh`.
#[derive(Debug, Deserialize)]
pub struct RefreshBody {
    /// The refresh token from login or the previous refresh.
    pub refresh_token: String,
}

/// Issues access + refresh tokens (and optionally a browser session) for one login family.
async fn issue(
    st: &AppState,
    org_id: Uuid,
    user_id: Uuid,
    family_id: Uuid,
    with_session: bool,
) -> ApiResult<(serde_json::Value, Option<String>)> {
    let access = token::generate("at");
    let refresh = token::generate("rt");
    let now = Utc::now();
    let access_ttl = Duration::from_std(st.config.access_ttl).unwrap_or(Duration::minutes(15));
    let refresh_ttl = Duration::from_std(st.config.refresh_ttl).unwrap_or(Duration::days(30));
    let mut tx = st.db.begin().await?;
    for (kind, secret, ttl) in [
        ("access", &access, access_ttl),
        ("refresh", &refresh, refresh_ttl),
    ] {
        let hash = token::hash(secret);
        let t = NewToken {
            org_id,
            user_id,
            kind,
            family_id,
            hash: &hash,
            name: None,
            expires_at: Some(now + ttl),
        };
        db::auth::insert_token(&mut tx, &t).await?;
    }
    let session = if with_session {
        let secret = token::generate("ss");
        let hash = token::hash(&secret);
        let t = NewToken {
            org_id,
            user_id,
            kind: "session",
            family_id,
            hash: &hash,
            name: None,
            expires_at: Some(now + refresh_ttl),
        };
        db::auth::insert_token(&mut tx, &t).await?;
        Some(secret)
    } else {
        None
    };
    tx.commit().await?;
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": access_ttl.num_seconds(),
        "refresh_token": refresh,
        "refresh_expires_in": refresh_ttl.num_seconds(),
    });
    Ok((body, session))
}

fn session_cookie(st: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if st.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

async fn login(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let email = body.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::validation("email", "email is required"));
    }
    st.login_limiter
        .check(ip, &email)
        .map_err(ApiError::rate_limited)?;
    let user = db::auth::user_by_email(&st.db, &email).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let given = body.password;
    let matches = tokio::task::spawn_blocking(move || password::verify(&given, &phc))
        .await
        .map_err(ApiError::internal)?;
    let user = match user {
        Some(user) if matches && user.active => user,
        _ => {
            st.login_limiter.failed(ip, &email);
            return Err(ApiError::unauthorized("invalid e-mail or password"));
        }
    };
    st.login_limiter.succeeded(ip, &email);
    let (mut body, session) = issue(&st, user.org_id, user.id, Uuid::new_v4(), true).await?;
    body["user"] = json!({"id": user.id, "email": user.email, "name": user.name, "role": user.role, "org_id": user.org_id});
    let mut response = Json(body).into_response();
    if let Some(cookie) =
        session.and_then(|s| session_cookie(&st, &s, st.config.refresh_ttl.as_secs() as i64))
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

async fn refresh(
    State(st): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Response> {
    let mut tx = st.db.begin().await?;
    let owner = db::auth::take_refresh(&mut tx, &token::hash(body.refresh_token.trim())).await?;
    tx.commit().await?;
    let (org_id, user_id, family_id) = owner
        .ok_or_else(|| ApiError::unauthorized("invalid, expired, used or revoked refresh token"))?;
    let (body, _) = issue(&st, org_id, user_id, family_id, false).await?;
    Ok(Json(body).into_response())
}

async fn logout(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Response> {
    if auth.token_kind == "api" {
        return Err(ApiError::validation(
            "token",
            "API tokens are revoked with DELETE /api/v1/api-tokens/{id}",
        ));
    }
    db::auth::revoke_family(&st.db, auth.org_id, auth.family_id).await?;
    // Other processes hear of it through the tokens trigger's NOTIFY; this one forgets now.
    st.auth_cache.forget_user(auth.user_id);
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = session_cookie(&st, "", 0) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Body of `POST /api-tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What the token is for.
    pub name: String,
    /// Lifetime in days (none: until revoked).
    pub expires_in_days: Option<u32>,
}

async fn create_api_token(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<NewApiToken>,
) -> ApiResult<Response> {
    auth.require(sets::STAFF)?;
    let name = body.name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::validation(
            "name",
            "name must be 1..200 characters",
        ));
    }
    if body.expires_in_days.is_some_and(|d| d == 0 || d > 3650) {
        return Err(ApiError::validation(
            "expires_in_days",
            "expires_in_days must be 1..3650",
        ));
    }
    let secret = token::generate("api");
    let hash = token::hash(&secret);
    let expires_at = body
        .expires_in_days
        .map(|d| Utc::now() + Duration::days(i64::from(d)));
    let mut conn = st.db.acquire().await?;
    let t = NewToken {
        org_id: auth.org_id,
        user_id: auth.user_id,
        kind: "api",
        family_id: Uuid::new_v4(),
        hash: &hash,
        name: Some(name),
        expires_at,
    };
    let id = db::auth::insert_token(&mut conn, &t).await?;
    let body = json!({"id": id, "name": name, "token": secret, "expires_at": expires_at});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn list_api_tokens(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Response> {
    let items = db::auth::list_api_tokens(&st.db, auth.org_id, auth.user_id).await?;
    let total = items.len();
    Ok(Json(json!({"items": items, "page": 1, "limit": total, "total": total})).into_response())
}

async fn revoke_api_token(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    if db::auth::revoke_api_token(&st.db, auth.org_id, auth.user_id, id).await? {
        st.auth_cache.forget_user(auth.user_id);
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found("api token"))
    }
}

async fn me(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Response> {
    let user = db::auth::get_user(&st.db, auth.org_id, auth.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("user no longer exists"))?;
    Ok(
        Json(json!({"user": user, "org_id": auth.org_id, "token_kind": auth.token_kind}))
            .into_response(),
    )
}

/// Body of `POST /users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    /// Login e-mail (unique).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// Initial password (at least 8 characters).
    pub password: String,
    /// Required for customer users.
    pub customer_id: Option<Uuid>,
}

async fn create_user(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<Response> {
    auth.require(sets::ADMIN)?;
    let email = body.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 320 {
        return Err(ApiError::validation(
            "email",
            "email must be an e-mail address",
        ));
    }
    if body.name.trim().is_empty() {
        return Err(ApiError::validation("name", "name is required"));
    }
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::validation(
            "role",
            "role must be admin, dispatcher, agent, technician or customer",
        )
    })?;
    if body.password.chars().count() < 8 {
        return Err(ApiError::validation(
            "password",
            "password must have at least 8 characters",
        ));
    }
    if role == Role::Customer && body.customer_id.is_none() {
        return Err(ApiError::validation(
            "customer_id",
            "customer users need a customer_id",
        ));
    }
    let given = body.password;
    let phc = tokio::task::spawn_blocking(move || password::hash(&given))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut conn = st.db.acquire().await?;
    let user = db::auth::create_user(
        &mut conn,
        &NewUser {
            org_id: auth.org_id,
            email: &email,
            name: body.name.trim(),
            role: role.as_str(),
            customer_id: body.customer_id,
            password_hash: &phc,
        },
    )
    .await
    .map_err(|e| {
        let e = ApiError::from(e);
        if e.status == StatusCode::CONFLICT {
            e.with_field("email")
        } else {
            e
        }
    })?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

async fn list_users(auth: AuthUser, State(st): State<AppState>) -> ApiResult<Response> {
    auth.require(sets::PLANNERS)?;
    let items = db::auth::list_users(&st.db, auth.org_id).await?;
    let total = items.len();
    Ok(Json(json!({"items": items, "page": 1, "limit": total, "total": total})).into_response())
}

async fn get_user(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    auth.require(sets::PLANNERS)?;
    let user = db::auth::get_user(&st.db, auth.org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(Json(user).into_response())
}
