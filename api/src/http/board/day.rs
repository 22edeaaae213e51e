//! `GET /board/day`: technicians with shifts, the planned visits with travel between them,
//! the unassigned queue and the map's bounding box; `GET /board/positions`.

use super::data::{self, JobRow, PositionRow};
use super::rules::{self, Shift};
use super::travel::{geometry, travel, Travel};
use super::{date_or_today, to_value};
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::http::{ApiQuery, AuthUser};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Query of `GET /board/day`.
#[derive(Debug, Deserialize)]
pub struct DayQuery {
    /// First day, `YYYY-MM-DD` (default today, UTC).
    pub date: Option<String>,
    /// Number of days (1–7, default 1): the week zoom asks for 7.
    pub days: Option<i64>,
}

/// Coarse area of a point inside a bounding box: a 3×3 grid, `north-west` … `south-east`.
fn area(bbox: [f64; 4], lat: f64, lon: f64) -> &'static str {
    let col = (((lon - bbox[0]) / (bbox[2] - bbox[0]).max(1e-9)) * 3.0).clamp(0.0, 2.99) as usize;
    let row = (((bbox[3] - lat) / (bbox[3] - bbox[1]).max(1e-9)) * 3.0).clamp(0.0, 2.99) as usize;
    [
        ["north-west", "north", "north-east"],
        ["west", "centre", "east"],
        ["south-west", "south", "south-east"],
    ][row][col]
}

fn bbox_of(points: impl Iterator<Item = (f64, f64)>) -> Option<[f64; 4]> {
    points.fold(None, |acc, (lat, lon)| {
        Some(match acc {
            None => [lon, lat, lon, lat],
            Some([a, b, c, d]) => [a.min(lon), b.min(lat), c.max(lon), d.max(lat)],
        })
    })
}

/// A work order for the board: the row plus its area.
fn job_json(job: &JobRow, bbox: [f64; 4]) -> Value {
    let mut v = to_value(job);
    v["area"] = Value::from(area(bbox, job.lat, job.lon));
    v
}

/// The board's data for one day or a week.
pub async fn day_view(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<Json<Value>> {
    auth.require(sets::OFFICE)?;
    let from = date_or_today(q.date.as_deref())?;
    let days = q.days.unwrap_or(1);
    if !(1..=7).contains(&days) {
        return Err(ApiError::validation("days", "days must be 1 to 7"));
    }
    let techs = data::technicians(&st.db, auth.org_id).await?;
    let mut conn = st.db.acquire().await?;
    let assignments = data::assignments(&mut conn, auth.org_id, from, days).await?;
    let ids: Vec<Uuid> = assignments.iter().map(|a| a.work_order_id).collect();
    let jobs: HashMap<Uuid, JobRow> = data::jobs_by_id(&mut conn, auth.org_id, &ids)
        .await?
        .into_iter()
        .map(|j| (j.id, j))
        .collect();
    let queue = data::unassigned(&mut conn, auth.org_id, from, days).await?;
    drop(conn);
    let positions = data::positions(&st.db, auth.org_id).await?;
    let graph = st.graph.as_deref();
    let bbox = bbox_of(
        jobs.values()
            .chain(queue.iter())
            .map(|j| (j.lat, j.lon))
            .chain(techs.iter().map(|t| (t.home_lat, t.home_lon))),
    )
    .or_else(|| {
        graph
            .and_then(|g| g.bbox())
            .map(|b| [b.min.lon, b.min.lat, b.max.lon, b.max.lat])
    })
    .unwrap_or([7.40, 43.72, 7.44, 43.76]);

    let mut planned = Vec::new();
    let mut rows = Vec::new();
    for tech in &techs {
        let mut shifts = Vec::new();
        let mut flags: Vec<String> = Vec::new();
        for d in 0..days {
            let date = from + Duration::days(d);
            let shift = rules::shift(tech, date);
            let mine: Vec<_> = assignments
                .iter()
                .filter(|a| a.technician_id == tech.id && a.planned_start.date_naive() == date)
                .collect();
            let mut at = (tech.home_lat, tech.home_lon);
            let mut prev_end = None;
            let mut busy_s = 0.0;
            for a in &mine {
                let Some(job) = jobs.get(&a.work_order_id) else {
                    continue;
                };
                let leg: Travel = travel(graph, at, (job.lat, job.lon));
                busy_s += leg.seconds + (a.planned_end - a.planned_start).num_seconds() as f64;
                if let Some(end) = prev_end {
                    if a.planned_start < end + Duration::seconds(leg.seconds.round() as i64) {
                        flags.push(format!(
                            "{date}: {} starts before the technician can arrive",
                            job.number
                        ));
                    }
                }
                if let Some(s) = &shift {
                    if a.planned_start < s.start || a.planned_end > s.end {
                        flags.push(format!("{date}: {} is outside the shift", job.number));
                    }
                } else {
                    flags.push(format!("{date}: {} is on a day off", job.number));
                }
                let mut v = to_value(*a);
                v["job"] = job_json(job, bbox);
                v["travel_before"] = to_value(&leg);
                if days == 1 {
                    v["travel_geometry"] = to_value(&geometry(graph, at, (job.lat, job.lon)));
                }
                planned.push(v);
                at = (job.lat, job.lon);
                prev_end = Some(a.planned_end);
            }
            if mine.len() as i32 > tech.max_jobs_per_day {
                flags.push(format!(
                    "{date}: {} jobs, limit {}",
                    mine.len(),
                    tech.max_jobs_per_day
                ));
            }
            if let Some(s) = &shift {
                let capacity = (s.end - s.start).num_seconds() as f64
                    - s.breaks
                        .iter()
                        .map(|b| (b.end - b.start).num_seconds() as f64)
                        .sum::<f64>();
                if busy_s > capacity {
                    flags.push(format!("{date}: work and travel exceed the shift"));
                }
            }
            shifts.push(json!({"date": date, "shift": shift.map(|s: Shift| to_value(&s))}));
        }
        rows.push(json!({
            "id": tech.id,
            "name": tech.name,
            "user_id": tech.user_id,
            "skills": tech.skills,
            "max_jobs_per_day": tech.max_jobs_per_day,
            "home": {"lat": tech.home_lat, "lon": tech.home_lon},
            "shifts": shifts,
            "overbooked": !flags.is_empty(),
            "overbooked_reasons": flags,
            "position": positions.iter().find(|p| p.technician_id == tech.id),
        }));
    }
    Ok(Json(json!({
        "date": from,
        "days": days,
        "end_date": from + Duration::days(days),
        "technicians": rows,
        "assignments": planned,
        "unassigned": queue.iter().map(|j| job_json(j, bbox)).collect::<Vec<_>>(),
        "bbox": bbox,
        "graph": graph.is_some(),
        "tile_url": std::env::var("FIELDPATH_TILE_URL").ok().filter(|s| !s.is_empty()),
        "attribution": "© OpenStreetMap contributors",
    })))
}

/// Last known positions of the organisation's technicians.
pub async fn positions(
    auth: AuthUser,
    State(st): State<AppState>,
) -> ApiResult<Json<Vec<PositionRow>>> {
    auth.require(sets::OFFICE)?;
    Ok(Json(data::positions(&st.db, auth.org_id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_follow_the_compass() {
        let b = [0.0, 0.0, 3.0, 3.0];
        assert_eq!(area(b, 2.9, 0.1), "north-west");
        assert_eq!(area(b, 1.5, 1.5), "centre");
        assert_eq!(area(b, 0.1, 2.9), "south-east");
    }
}
