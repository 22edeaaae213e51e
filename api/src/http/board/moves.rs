//! Drag and drop: `POST /board/preview` judges a placement without saving it,
//! `POST /board/moves` saves it (version-checked), plus lock and unassign.

use super::data::{self, AssignRow};
use super::rules::{judge, Placement, Verdict};
use super::to_value;
use crate::db::activity::{self, Change};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::required_version;
use crate::http::{ApiJson, ApiPath, AuthUser};
use crate::live::{publish, LiveEvent};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::PgConnection;
use uuid::Uuid;

/// Body of `POST /board/preview` and `POST /board/moves`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The work order to place.
    pub work_order_id: Uuid,
    /// Onto this technician.
    pub technician_id: Uuid,
    /// Start of work.
    pub start: DateTime<Utc>,
    /// The assignment being moved (when the job is already planned).
    pub assignment_id: Option<Uuid>,
    /// The assignment's version the dispatcher saw (required when moving).
    pub version: Option<i64>,
    /// Save even though the preview reported violations (the dispatcher confirmed).
    #[serde(default)]
    pub accept_violations: bool,
}

/// Loads what a placement needs and judges it. Returns the verdict and the existing
/// assignment (locked for update when `for_update`).
async fn evaluate(
    st: &AppState,
    conn: &mut PgConnection,
    org_id: Uuid,
    body: &MoveBody,
    for_update: bool,
) -> ApiResult<(Verdict, Option<AssignRow>)> {
    let tech = data::technician(conn, org_id, body.technician_id)
        .await?
        .ok_or_else(|| ApiError::not_found("technician").with_field("technician_id"))?;
    let job = data::jobs_by_id(conn, org_id, &[body.work_order_id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("work_order").with_field("work_order_id"))?;
    let existing = match body.assignment_id {
        Some(id) => {
            let a = if for_update {
                data::lock_assignment(conn, org_id, id).await?
            } else {
                data::assignments_by_id(conn, org_id, id).await?
            }
            .ok_or_else(|| ApiError::not_found("assignment").with_field("assignment_id"))?;
            if a.work_order_id != body.work_order_id {
                return Err(ApiError::validation(
                    "assignment_id",
                    "the assignment belongs to another work order",
                ));
            }
            Some(a)
        }
        None => None,
    };
    let day = body.start.date_naive();
    let day_rows = data::assignments(conn, org_id, day, 1).await?;
    let mine: Vec<AssignRow> = day_rows
        .into_iter()
        .filter(|a| a.technician_id == tech.id && Some(a.id) != body.assignment_id)
        .filter(|a| a.work_order_id != body.work_order_id)
        .collect();
    let ids: Vec<Uuid> = mine.iter().map(|a| a.work_order_id).collect();
    let sites = data::jobs_by_id(conn, org_id, &ids).await?;
    let mut others: Vec<(AssignRow, (f64, f64))> = mine
        .into_iter()
        .filter_map(|a| {
            let j = sites.iter().find(|j| j.id == a.work_order_id)?;
            Some((a, (j.lat, j.lon)))
        })
        .collect();
    others.sort_by_key(|(a, _)| a.planned_start);
    let verdict = judge(
        st.graph.as_deref(),
        &Placement {
            tech: &tech,
            job: &job,
            start: body.start,
            others: &others,
            moving: existing.as_ref(),
        },
    );
    Ok((verdict, existing))
}

/// Judges a placement: resulting times, travel before and after, violations.
pub async fn preview(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<MoveBody>,
) -> ApiResult<Json<Verdict>> {
    auth.require(sets::PLANNERS)?;
    let mut conn = st.db.acquire().await?;
    let (verdict, _) = evaluate(&st, &mut conn, auth.org_id, &body, false).await?;
    Ok(Json(verdict))
}

fn refusal(verdict: &Verdict) -> ApiError {
    let text = verdict
        .violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "violations", text).with_field("start")
}

/// Saves a placement: creates the assignment or moves it (If-Match / `version` required for a
/// move; 412 when someone else changed it, 409 when the job was planned meanwhile).
pub async fn commit(
    auth: AuthUser,
    State(st): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<MoveBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    auth.require(sets::PLANNERS)?;
    let mut tx = st.db.begin().await?;
    // Serialise placements of one work order: the row lock makes "already planned" reliable.
    sqlx::query("SELECT 1 FROM work_orders WHERE org_id = $1 AND id = $2 FOR UPDATE")
        .bind(auth.org_id)
        .bind(body.work_order_id)
        .execute(&mut *tx)
        .await?;
    let (verdict, existing) = evaluate(&st, &mut tx, auth.org_id, &body, true).await?;
    match &existing {
        Some(a) => {
            let expected = required_version(&headers, body.version.map(Value::from).as_ref())?;
            if expected != a.version {
                return Err(ApiError::version_mismatch(a.version));
            }
        }
        None => {
            if data::assignment_of(&mut tx, auth.org_id, body.work_order_id)
                .await?
                .is_some()
            {
                return Err(ApiError::conflict(
                    "the work order was planned by someone else meanwhile; reload",
                ));
            }
        }
    }
    let hard = verdict
        .violations
        .iter()
        .any(|v| matches!(v.code, "locked" | "closed"));
    if hard || (!verdict.violations.is_empty() && !body.accept_violations) {
        return Err(refusal(&verdict));
    }
    let (row, status, action) = match &existing {
        Some(a) => {
            let row: AssignRow = sqlx::query_as(
                "UPDATE assignments SET technician_id = $3, planned_start = $4, planned_end = $5, \
                 version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2 \
                 RETURNING id, version, work_order_id, technician_id, planned_start, planned_end, \
                 sequence, locked",
            )
            .bind(auth.org_id)
            .bind(a.id)
            .bind(body.technician_id)
            .bind(verdict.planned_start)
            .bind(verdict.planned_end)
            .fetch_one(&mut *tx)
            .await?;
            (row, StatusCode::OK, "update")
        }
        None => {
            let row: AssignRow = sqlx::query_as(
                "INSERT INTO assignments (org_id, work_order_id, technician_id, planned_start, \
                 planned_end, sequence) VALUES ($1, $2, $3, $4, $5, $6) \
                 RETURNING id, version, work_order_id, technician_id, planned_start, planned_end, \
                 sequence, locked",
            )
            .bind(auth.org_id)
            .bind(body.work_order_id)
            .bind(body.technician_id)
            .bind(verdict.planned_start)
            .bind(verdict.planned_end)
            .bind(verdict.sequence)
            .fetch_one(&mut *tx)
            .await?;
            (row, StatusCode::CREATED, "create")
        }
    };
    data::resequence(
        &mut tx,
        auth.org_id,
        row.technician_id,
        row.planned_start.date_naive(),
    )
    .await?;
    if let Some(a) = &existing {
        data::resequence(
            &mut tx,
            auth.org_id,
            a.technician_id,
            a.planned_start.date_naive(),
        )
        .await?;
    }
    let row = data::assignments_by_id(&mut tx, auth.org_id, row.id)
        .await?
        .ok_or_else(|| ApiError::internal("assignment vanished"))?;
    let (before, after) = (existing.as_ref().map(to_value), to_value(&row));
    let change = assignment_change(&auth, row.id, action, before.as_ref(), Some(&after));
    let event = json!({"id": row.id, "work_order_id": row.work_order_id, "technician_id": row.technician_id,
                       "previous_technician_id": existing.map(|a| a.technician_id), "by": auth.user_id});
    log_commit_publish(&st, tx, change, event).await?;
    Ok((status, Json(json!({"assignment": row, "verdict": verdict}))))
}

/// Body of `POST /board/assignments/{id}/lock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    /// Pin (true) or release (false).
    pub locked: bool,
    /// The version the dispatcher saw (or If-Match).
    pub version: Option<i64>,
}

/// Body of `POST /board/assignments/{id}/unassign`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnassignBody {
    /// The version the dispatcher saw (or If-Match).
    pub version: Option<i64>,
}

/// Locks the assignment row and checks the caller's version.
async fn locked_row(
    tx: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    headers: &HeaderMap,
    version: Option<i64>,
) -> ApiResult<AssignRow> {
    let row = data::lock_assignment(tx, org_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("assignment"))?;
    let expected = required_version(headers, version.map(Value::from).as_ref())?;
    if expected != row.version {
        return Err(ApiError::version_mismatch(row.version));
    }
    Ok(row)
}

/// Pins or releases an assignment.
pub async fn lock(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LockBody>,
) -> ApiResult<Json<AssignRow>> {
    auth.require(sets::PLANNERS)?;
    let mut tx = st.db.begin().await?;
    let before = locked_row(&mut tx, auth.org_id, id, &headers, body.version).await?;
    let row: AssignRow = sqlx::query_as(
        "UPDATE assignments SET locked = $3, version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 RETURNING id, version, work_order_id, technician_id, \
         planned_start, planned_end, sequence, locked",
    )
    .bind(auth.org_id)
    .bind(id)
    .bind(body.locked)
    .fetch_one(&mut *tx)
    .await?;
    let (b, a) = (to_value(&before), to_value(&row));
    let action = if body.locked { "lock" } else { "unlock" };
    let change = assignment_change(&auth, id, action, Some(&b), Some(&a));
    let event = json!({"id": id, "work_order_id": row.work_order_id, "technician_id": row.technician_id, "locked": row.locked, "by": auth.user_id});
    log_commit_publish(&st, tx, change, event).await?;
    Ok(Json(row))
}

/// Removes an assignment: the job goes back to the queue (not when locked).
pub async fn unassign(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UnassignBody>,
) -> ApiResult<StatusCode> {
    auth.require(sets::PLANNERS)?;
    let mut tx = st.db.begin().await?;
    let before = locked_row(&mut tx, auth.org_id, id, &headers, body.version).await?;
    if before.locked {
        return Err(ApiError::conflict(
            "the assignment is locked; unlock it first",
        ));
    }
    sqlx::query("DELETE FROM assignments WHERE org_id = $1 AND id = $2")
        .bind(auth.org_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    data::resequence(
        &mut tx,
        auth.org_id,
        before.technician_id,
        before.planned_start.date_naive(),
    )
    .await?;
    let b = to_value(&before);
    let change = assignment_change(&auth, id, "delete", Some(&b), None);
    let event = json!({"id": id, "work_order_id": before.work_order_id, "technician_id": before.technician_id, "removed": true, "by": auth.user_id});
    log_commit_publish(&st, tx, change, event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The activity-log entry for a change the caller made to an assignment.
fn assignment_change<'a>(
    auth: &AuthUser,
    id: Uuid,
    action: &'a str,
    before: Option<&'a Value>,
    after: Option<&'a Value>,
) -> Change<'a> {
    Change {
        org_id: auth.org_id,
        actor_id: Some(auth.user_id),
        entity: "assignment",
        entity_id: id,
        action,
        before,
        after,
    }
}

/// Logs an assignment change in its transaction, commits, then tells the organisation's
/// boards (`assignment.changed` with `event` as payload) — only once the change is durable.
async fn log_commit_publish(
    st: &AppState,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    change: Change<'_>,
    event: Value,
) -> ApiResult<()> {
    let org_id = change.org_id;
    activity::record(&mut tx, change).await?;
    tx.commit().await?;
    publish(st, org_id, LiveEvent::new("assignment.changed", event));
    Ok(())
}
