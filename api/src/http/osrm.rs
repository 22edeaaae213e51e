//! OSRM-compatible routing: `GET /route/v1/{profile}/{coordinates}` and
//! `GET /table/v1/{profile}/{coordinates}` (any profile name is served by the car graph).
//!
//! Public, like OSRM itself: OSRM clients send no credentials, and these endpoints only read
//! the road graph (no tenant data). They are limited per client address instead
//! ([`REQUESTS_PER_MINUTE`]; 429 with `{"code": "TooManyRequests"}`), and by size
//! ([`MAX_ROUTE_COORDS`], [`MAX_TABLE_COORDS`]).

use super::AppState;
use crate::http::extract::ClientIp;
use crate::osrm::service::{self, Geometries};
use crate::osrm::{parse_coords, parse_indices, OsrmError, MAX_ROUTE_COORDS, MAX_TABLE_COORDS};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Requests per client address and minute.
pub const REQUESTS_PER_MINUTE: u32 = 600;

/// Routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/route/v1/{profile}/{coordinates}", get(route))
        .route("/table/v1/{profile}/{coordinates}", get(table))
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

fn throttle(ip: IpAddr) -> Result<(), OsrmError> {
    static WINDOWS: OnceLock<Mutex<HashMap<IpAddr, (Instant, u32)>>> = OnceLock::new();
    let mut windows = WINDOWS
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| OsrmError::new("InvalidQuery", "rate limiter unavailable"))?;
    let now = Instant::now();
    if windows.len() > 10_000 {
        windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
    }
    let slot = windows.entry(ip).or_insert((now, 0));
    if now.duration_since(slot.0) >= Duration::from_secs(60) {
        *slot = (now, 0);
    }
    slot.1 += 1;
    if slot.1 > REQUESTS_PER_MINUTE {
        return Err(OsrmError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "TooManyRequests",
            message: format!("at most {REQUESTS_PER_MINUTE} requests per minute"),
        });
    }
    Ok(())
}

fn answer(result: Result<serde_json::Value, OsrmError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

fn flag(params: &HashMap<String, String>, name: &str, default: bool) -> Result<bool, OsrmError> {
    match params.get(name).map(String::as_str) {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(OsrmError::new(
            "InvalidOptions",
            format!("{name}={other}: use true or false"),
        )),
    }
}

async fn route(
    ClientIp(ip): ClientIp,
    State(state): State<AppState>,
    Path((_profile, coordinates)): Path<(String, String)>,
    params: Params,
) -> Response {
    let params = params.map(|p| p.0).unwrap_or_default();
    let work = move || {
        throttle(ip)?;
        let coords = parse_coords(&coordinates, MAX_ROUTE_COORDS)?;
        let geometries = Geometries::parse(params.get("geometries").map(String::as_str))?;
        let overview = match params.get("overview").map(String::as_str) {
            None | Some("simplified") | Some("full") => true,
            Some("false") => false,
            Some(other) => {
                return Err(OsrmError::new(
                    "InvalidOptions",
                    format!("overview={other}: use simplified, full or false"),
                ))
            }
        };
        flag(&params, "steps", false)?;
        flag(&params, "alternatives", false)?;
        service::route(state.graph.as_deref(), &coords, geometries, overview)
    };
    answer(blocking(work).await)
}

async fn table(
    ClientIp(ip): ClientIp,
    State(state): State<AppState>,
    Path((_profile, coordinates)): Path<(String, String)>,
    params: Params,
) -> Response {
    let params = params.map(|p| p.0).unwrap_or_default();
    let work = move || {
        throttle(ip)?;
        let coords = parse_coords(&coordinates, MAX_TABLE_COORDS)?;
        let sources = parse_indices(
            params.get("sources").map(String::as_str),
            coords.len(),
            "sources",
        )?;
        let destinations = parse_indices(
            params.get("destinations").map(String::as_str),
            coords.len(),
            "destinations",
        )?;
        let (mut durations, mut distances) = (false, false);
        for a in params
            .get("annotations")
            .map_or("duration", String::as_str)
            .split(',')
        {
            match a {
                "duration" => durations = true,
                "distance" => distances = true,
                other => {
                    return Err(OsrmError::new(
                        "InvalidOptions",
                        format!("annotations: {other:?} is not duration or distance"),
                    ))
                }
            }
        }
        service::table(
            state.graph.as_deref(),
            &coords,
            &sources,
            &destinations,
            durations,
            distances,
        )
    };
    answer(blocking(work).await)
}

async fn blocking(
    work: impl FnOnce() -> Result<serde_json::Value, OsrmError> + Send + 'static,
) -> Result<serde_json::Value, OsrmError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(OsrmError::new(
            "InvalidQuery",
            format!("internal error: {e}"),
        ))
    })
}
