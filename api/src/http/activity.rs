//! `GET /api/v1/activity`: the change log of the caller's organisation.

use super::auth::AuthUser;
use super::extract::ApiQuery;
use super::listing::{paging, Page};
use crate::db::{self, activity::ActivityFilter};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// Route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/activity", get(list))
}

fn uuid_param(query: &mut HashMap<String, String>, name: &str) -> ApiResult<Option<Uuid>> {
    query
        .remove(name)
        .map(|v| {
            Uuid::parse_str(&v)
                .map_err(|_| ApiError::validation(name, format!("{name} must be a UUID")))
        })
        .transpose()
}

/// `?entity=work_order&entity_id=...&actor_id=...&page=&limit=`, newest first.
async fn list(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(mut query): ApiQuery<HashMap<String, String>>,
) -> ApiResult<Json<Page<Value>>> {
    auth.require(sets::PLANNERS)?;
    let (page, limit) = paging(&mut query)?;
    let filter = ActivityFilter {
        entity: query.remove("entity"),
        entity_id: uuid_param(&mut query, "entity_id")?,
        actor_id: uuid_param(&mut query, "actor_id")?,
    };
    if let Some(unknown) = query.keys().next() {
        return Err(ApiError::validation(
            unknown,
            format!("unknown query parameter `{unknown}`; filters: entity, entity_id, actor_id"),
        ));
    }
    let (items, total) =
        db::activity::list(&st.db, auth.org_id, &filter, limit, (page - 1) * limit).await?;
    Ok(Json(Page {
        items,
        page,
        limit,
        total,
    }))
}
