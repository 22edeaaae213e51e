//! The [`AuthUser`] extractor: who is calling, from `Authorization: Bearer <token>` (access or
//! API token) or the `fieldpath_session` cookie, and role checks.

use crate::auth::token;
use crate::domain::roles::Role;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use uuid::Uuid;

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "fieldpath_session";

/// An authenticated caller. Every handler that touches tenant data takes one and scopes its
/// queries with [`AuthUser::org_id`].
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user.
    pub user_id: Uuid,
    /// The user's organisation.
    pub org_id: Uuid,
    /// The user's role.
    pub role: Role,
    /// For `customer` users: the customer whose records they may see.
    pub customer_id: Option<Uuid>,
    /// The presented token.
    pub token_id: Uuid,
    /// The login the token belongs to (revoked together on logout).
    pub family_id: Uuid,
    /// `session`, `access` or `api`.
    pub token_kind: String,
}

impl AuthUser {
    /// 403 unless the caller's role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> ApiResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "role {} may not do this",
                self.role.as_str()
            )))
        }
    }
}

/// The bearer token or session cookie of a request, if any.
pub fn presented_secret(parts: &Parts) -> Option<String> {
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, rest) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| rest.trim().to_string());
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = presented_secret(parts)
            .ok_or_else(|| ApiError::unauthorized("authentication required"))?;
        let owner = state
            .auth_cache
            .owner(&state.db, &token::hash(&secret))
            .await?
            .ok_or_else(|| ApiError::unauthorized("invalid, expired or revoked token"))?;
        let role = Role::parse(&owner.role)
            .ok_or_else(|| ApiError::internal(format!("unknown role {}", owner.role)))?;
        Ok(AuthUser {
            user_id: owner.user_id,
            org_id: owner.org_id,
            role,
            customer_id: owner.customer_id,
            token_id: owner.token_id,
            family_id: owner.family_id,
            token_kind: owner.kind,
        })
    }
}
