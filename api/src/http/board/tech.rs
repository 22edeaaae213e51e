//! The technician's side: `GET /board/my-route` (today's stops in order with ETAs, navigation
//! links and the route geometry), `POST /board/my-route/stops/{id}/status` (on my way /
//! arrived / completed, idempotent for the offline queue) and `POST /board/position`.

use super::data::{self, JobRow, TechRow};
use super::travel::{geometry, travel};
use super::{date_or_today, to_value};
use crate::domain::resources::WORK_ORDERS;
use crate::domain::roles::{sets, Role};
use crate::domain::work_order::role_may_transition;
use crate::error::{ApiError, ApiResult};
use crate::http::records::apply_change;
use crate::http::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::live::{publish, LiveEvent};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Query of `GET /board/my-route`.
#[derive(Debug, Deserialize)]
pub struct RouteQuery {
    /// Day (default today, UTC).
    pub date: Option<String>,
    /// Planners may look at any technician's route.
    pub technician_id: Option<Uuid>,
}

/// The technician the caller acts as: their own (technicians), or the named one (planners).
async fn acting_technician(
    st: &AppState,
    auth: &AuthUser,
    named: Option<Uuid>,
) -> ApiResult<TechRow> {
    match (auth.role, named) {
        (Role::Technician, _) => data::technician_of_user(&st.db, auth.org_id, auth.user_id)
            .await?
            .ok_or_else(|| ApiError::forbidden("this login is not linked to a technician")),
        (Role::Admin | Role::Dispatcher, Some(id)) => {
            let mut conn = st.db.acquire().await?;
            data::technician(&mut conn, auth.org_id, id)
                .await?
                .ok_or_else(|| ApiError::not_found("technician"))
        }
        (Role::Admin | Role::Dispatcher, None) => Err(ApiError::validation(
            "technician_id",
            "technician_id is required for planners",
        )),
        _ => Err(ApiError::forbidden(
            "only technicians and planners have routes",
        )),
    }
}

fn nav_links(job: &JobRow) -> Value {
    let label: String = job
        .site_name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect();
    json!({
        "geo": format!("geo:{:.6},{:.6}?q={:.6},{:.6}({})", job.lat, job.lon, job.lat, job.lon, label.replace(' ', "+")),
        "web": format!("https://www.openstreetmap.org/directions?to={:.6}%2C{:.6}", job.lat, job.lon),
    })
}

/// Today's route of the technician.
pub async fn my_route(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<RouteQuery>,
) -> ApiResult<Json<Value>> {
    let tech = acting_technician(&st, &auth, q.technician_id).await?;
    let date = date_or_today(q.date.as_deref())?;
    let mut conn = st.db.acquire().await?;
    let mut visits = data::assignments(&mut conn, auth.org_id, date, 1).await?;
    visits.retain(|a| a.technician_id == tech.id);
    visits.sort_by_key(|a| (a.planned_start, a.sequence));
    let ids: Vec<Uuid> = visits.iter().map(|a| a.work_order_id).collect();
    let jobs = data::jobs_by_id(&mut conn, auth.org_id, &ids).await?;
    let events: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT DISTINCT ON (work_order_id) work_order_id, status, at FROM board_stop_events \
         WHERE org_id = $1 AND work_order_id = ANY($2) ORDER BY work_order_id, at DESC, created_at DESC",
    )
    .bind(auth.org_id)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    let graph = st.graph.clone();
    let home = (tech.home_lat, tech.home_lon);
    let stops_input: Vec<(data::AssignRow, JobRow)> = visits
        .into_iter()
        .filter_map(|a| {
            let j = jobs.iter().find(|j| j.id == a.work_order_id)?.clone();
            Some((a, j))
        })
        .collect();
    let (stops, line) = tokio::task::spawn_blocking(move || {
        let g = graph.as_deref();
        let mut at = home;
        let mut line: Vec<[f64; 2]> = Vec::new();
        let mut stops = Vec::new();
        for (a, job) in &stops_input {
            let site = (job.lat, job.lon);
            let leg = travel(g, at, site);
            line.extend(geometry(g, at, site));
            let mut stop = json!({
                "assignment_id": a.id,
                "sequence": a.sequence,
                "planned_start": a.planned_start,
                "planned_end": a.planned_end,
                "eta": a.planned_start,
                "locked": a.locked,
                "travel_before": leg,
                "nav": nav_links(job),
            });
            stop["work_order"] = to_value(job);
            stops.push(stop);
            at = site;
        }
        if !stops_input.is_empty() {
            line.extend(geometry(g, at, home));
        }
        (stops, line)
    })
    .await
    .map_err(ApiError::internal)?;
    let mut stops = stops;
    for stop in &mut stops {
        let id = stop["work_order"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some((_, status, at)) = events.iter().find(|(w, _, _)| w.to_string() == id) {
            stop["last_event"] = json!({"status": status, "at": at});
        }
    }
    Ok(Json(json!({
        "technician": {"id": tech.id, "name": tech.name, "home": {"lat": tech.home_lat, "lon": tech.home_lon}},
        "date": date,
        "stops": stops,
        "geometry": line,
        "generated_at": Utc::now(),
        "attribution": "© OpenStreetMap contributors",
    })))
}

/// Body of `POST /board/my-route/stops/{work_order_id}/status`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// `on_my_way`, `arrived` or `completed`.
    pub status: String,
    /// When it happened on the device (default now).
    pub at: Option<DateTime<Utc>>,
    /// Idempotency key from the offline queue: a repeated key is answered, not applied again.
    pub client_id: Option<String>,
}

const LIFECYCLE: [&str; 5] = [
    "draft",
    "scheduled",
    "dispatched",
    "in_progress",
    "completed",
];

/// Records a stop status and moves the work order along its lifecycle
/// (on my way → dispatched, arrived → in progress, completed → completed).
pub async fn stop_status(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiPath(work_order_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::FIELD_WRITERS)?;
    let target = match body.status.as_str() {
        "on_my_way" => "dispatched",
        "arrived" => "in_progress",
        "completed" => "completed",
        _ => {
            return Err(ApiError::validation(
                "status",
                "status must be on_my_way, arrived or completed",
            ))
        }
    };
    if let Some(cid) = &body.client_id {
        let seen: Option<(Uuid,)> =
            sqlx::query_as("SELECT id FROM board_stop_events WHERE org_id = $1 AND client_id = $2")
                .bind(auth.org_id)
                .bind(cid)
                .fetch_optional(&st.db)
                .await?;
        if seen.is_some() {
            return Ok(Json(json!({"duplicate": true, "client_id": cid})));
        }
    }
    let mut conn = st.db.acquire().await?;
    let assignment = data::assignment_of(&mut conn, auth.org_id, work_order_id)
        .await?
        .ok_or_else(|| ApiError::not_found("assignment"))?;
    drop(conn);
    if auth.role == Role::Technician {
        let me = acting_technician(&st, &auth, None).await?;
        if me.id != assignment.technician_id {
            return Err(ApiError::forbidden("this stop is not on your route"));
        }
    }
    let mut conn = st.db.acquire().await?;
    let job = data::jobs_by_id(&mut conn, auth.org_id, &[work_order_id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("work_order"))?;
    drop(conn);
    if job.status == "cancelled" {
        return Err(ApiError::conflict("the work order was cancelled"));
    }
    let from = LIFECYCLE.iter().position(|s| *s == job.status).unwrap_or(0);
    let to = LIFECYCLE.iter().position(|s| *s == target).unwrap_or(0);
    let mut status = job.status.clone();
    for step in from + 1..=to {
        let (a, b) = (LIFECYCLE[step - 1], LIFECYCLE[step]);
        // A technician's own stop: planning steps before the visit are taken on the
        // dispatcher's behalf (the job is on their route), the rest with their own role.
        let mut actor = auth.clone();
        if !role_may_transition(auth.role, a, b) {
            actor.role = Role::Dispatcher;
        }
        let mut fields = Map::new();
        fields.insert("status".into(), Value::from(b));
        let after = apply_change(
            &WORK_ORDERS,
            &actor,
            &st,
            work_order_id,
            None,
            fields,
            "transition",
        )
        .await?;
        status = after
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or(b)
            .to_string();
    }
    let at = body.at.unwrap_or_else(Utc::now);
    sqlx::query(
        "INSERT INTO board_stop_events (org_id, work_order_id, technician_id, status, at, client_id) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, client_id) DO NOTHING",
    )
    .bind(auth.org_id)
    .bind(work_order_id)
    .bind(assignment.technician_id)
    .bind(&body.status)
    .bind(at)
    .bind(&body.client_id)
    .execute(&st.db)
    .await?;
    let event = json!({
        "work_order_id": work_order_id,
        "technician_id": assignment.technician_id,
        "status": body.status,
        "work_order_status": status,
        "at": at,
    });
    publish(
        &st,
        auth.org_id,
        LiveEvent::new("stop.status", event.clone()),
    );
    Ok(Json(event))
}

/// Body of `POST /board/position`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionBody {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Accuracy, metres.
    pub accuracy_m: Option<f64>,
    /// When measured (default now).
    pub at: Option<DateTime<Utc>>,
}

/// Stores the technician's position and moves their marker on the boards.
pub async fn report_position(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiJson(body): ApiJson<PositionBody>,
) -> ApiResult<Json<Value>> {
    auth.require(&[Role::Technician])?;
    if !(-90.0..=90.0).contains(&body.lat) || !(-180.0..=180.0).contains(&body.lon) {
        return Err(ApiError::validation("lat", "lat/lon out of range"));
    }
    let tech = acting_technician(&st, &auth, None).await?;
    let at = body.at.unwrap_or_else(Utc::now);
    sqlx::query(
        "INSERT INTO board_positions (org_id, technician_id, lat, lon, accuracy_m, at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, technician_id) DO UPDATE \
         SET lat = EXCLUDED.lat, lon = EXCLUDED.lon, accuracy_m = EXCLUDED.accuracy_m, at = EXCLUDED.at",
    )
    .bind(auth.org_id)
    .bind(tech.id)
    .bind(body.lat)
    .bind(body.lon)
    .bind(body.accuracy_m)
    .bind(at)
    .execute(&st.db)
    .await?;
    let event = json!({"technician_id": tech.id, "lat": body.lat, "lon": body.lon, "accuracy_m": body.accuracy_m, "at": at});
    publish(&st, auth.org_id, LiveEvent::new("position", event.clone()));
    Ok(Json(event))
}
