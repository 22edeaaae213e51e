//! `GET /board/roads?bbox=minlon,minlat,maxlon,maxlat`: the road network inside a box as
//! simplified polylines, for drawing the map from our own graph (no tile server). Answers
//! are cached per graph and box.

use super::travel::simplify;
use crate::domain::roles::sets;
use crate::error::{ApiError, ApiResult};
use crate::http::{ApiQuery, AuthUser};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use routing_graph::{BBox, Coord, RoadGraph};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Cached answers kept at most.
const CACHE_ENTRIES: usize = 64;
/// Largest box side, degrees (bigger boxes are refused: draw a smaller area).
const MAX_SPAN_DEG: f64 = 0.5;

/// Query of `GET /board/roads`.
#[derive(Debug, Deserialize)]
pub struct RoadsQuery {
    /// `minlon,minlat,maxlon,maxlat`; the whole graph when absent.
    pub bbox: Option<String>,
}

type Cache = Mutex<HashMap<(usize, String), Arc<String>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

fn parse_bbox(text: &str) -> Result<BBox, ApiError> {
    let bad = || ApiError::validation("bbox", "bbox must be minlon,minlat,maxlon,maxlat");
    let v: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [a, b, c, d] = v[..] else {
        return Err(bad());
    };
    if !(a.is_finite() && b.is_finite() && c.is_finite() && d.is_finite()) || c <= a || d <= b {
        return Err(bad());
    }
    if c - a > MAX_SPAN_DEG || d - b > MAX_SPAN_DEG {
        return Err(ApiError::validation("bbox", "bbox is too large"));
    }
    Ok(BBox::new(Coord::new(a, b), Coord::new(c, d)))
}

/// The roads in `bbox` as JSON: `{"bbox": [...], "roads": [[lon, lat, lon, lat, ...], ...]}`.
pub fn roads_json(graph: &RoadGraph, bbox: BBox) -> String {
    let tolerance =
        ((bbox.max.lon - bbox.min.lon).max(bbox.max.lat - bbox.min.lat) / 4000.0).max(2e-6);
    let roads: Vec<Vec<f64>> = graph
        .roads_in(bbox)
        .map(|r| {
            let pts: Vec<[f64; 2]> = r.coords.iter().map(|c| [c.lon, c.lat]).collect();
            simplify(&pts, tolerance).into_iter().flatten().collect()
        })
        .filter(|flat: &Vec<f64>| flat.len() >= 4)
        .collect();
    serde_json::json!({
        "bbox": [bbox.min.lon, bbox.min.lat, bbox.max.lon, bbox.max.lat],
        "roads": roads,
        "attribution": "© OpenStreetMap contributors",
    })
    .to_string()
}

/// Road polylines for the map panel (503 without a road graph).
pub async fn roads(
    auth: AuthUser,
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<RoadsQuery>,
) -> ApiResult<Response> {
    auth.require(sets::STAFF)?;
    let graph = st
        .graph
        .clone()
        .ok_or_else(|| ApiError::unavailable("the service runs without a road graph"))?;
    let bbox = match q.bbox.as_deref() {
        Some(text) => parse_bbox(text)?,
        None => graph
            .bbox()
            .ok_or_else(|| ApiError::unavailable("the road graph is empty"))?,
    };
    let key = (
        Arc::as_ptr(&graph) as usize,
        format!(
            "{:.4},{:.4},{:.4},{:.4}",
            bbox.min.lon, bbox.min.lat, bbox.max.lon, bbox.max.lat
        ),
    );
    let cached = cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned();
    let body = match cached {
        Some(body) => body,
        None => {
            let g = graph.clone();
            let body = Arc::new(
                tokio::task::spawn_blocking(move || roads_json(&g, bbox))
                    .await
                    .map_err(ApiError::internal)?,
            );
            let mut c = cache().lock().unwrap_or_else(|p| p.into_inner());
            if c.len() >= CACHE_ENTRIES {
                c.clear();
            }
            c.insert(key, body.clone());
            body
        }
    };
    let mut response = body.as_str().to_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_is_checked() {
        assert!(parse_bbox("7.40,43.72,7.44,43.76").is_ok());
        assert!(parse_bbox("7.44,43.72,7.40,43.76").is_err());
        assert!(parse_bbox("a,b,c,d").is_err());
        assert!(parse_bbox("0,0,10,10").is_err());
    }
}
