//! OSRM's HTTP API, as far as Fieldpath answers it: `route` and `table` for a car profile over
//! the road graph (straight-line estimates when the service has no graph). [`polyline`]
//! encodes geometries; [`service`] computes the answers; errors are OSRM's
//! `{"code": "InvalidQuery" | "InvalidOptions" | "NoSegment" | "NoRoute", "message": ...}`.

pub mod polyline;
pub mod service;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use routing_graph::Coord;
use serde_json::json;

/// Most coordinates accepted by `route`.
pub const MAX_ROUTE_COORDS: usize = 100;
/// Most coordinates accepted by `table`.
pub const MAX_TABLE_COORDS: usize = 1000;

/// An error in OSRM's shape.
#[derive(Debug, Clone)]
pub struct OsrmError {
    /// HTTP status (400, or 429 when rate-limited).
    pub status: StatusCode,
    /// OSRM's code.
    pub code: &'static str,
    /// Explanation.
    pub message: String,
}

impl OsrmError {
    /// 400 with an OSRM code.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for OsrmError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

/// Parses OSRM's `lon,lat;lon,lat;...` (an optional `.json` suffix is ignored).
pub fn parse_coords(text: &str, max: usize) -> Result<Vec<Coord>, OsrmError> {
    let text = text.strip_suffix(".json").unwrap_or(text);
    if text.starts_with("polyline(") {
        return Err(OsrmError::new(
            "InvalidQuery",
            "polyline-encoded coordinates are not supported; send lon,lat;lon,lat",
        ));
    }
    let mut out = Vec::new();
    for (i, pair) in text.split(';').enumerate() {
        let (lon, lat) = pair
            .split_once(',')
            .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
            .ok_or_else(|| {
                OsrmError::new(
                    "InvalidQuery",
                    format!("coordinate {i} ({pair:?}) is not lon,lat"),
                )
            })?;
        let c = Coord::new(lon, lat);
        if !c.is_valid() {
            return Err(OsrmError::new(
                "InvalidQuery",
                format!("coordinate {i} ({pair}) is outside [-180, 180] × [-90, 90]"),
            ));
        }
        out.push(c);
    }
    if out.len() > max {
        return Err(OsrmError::new(
            "TooBig",
            format!("at most {max} coordinates per request"),
        ));
    }
    Ok(out)
}

/// Parses `sources` / `destinations`: `all` (or absent) or `0;2;5`.
pub fn parse_indices(raw: Option<&str>, count: usize, name: &str) -> Result<Vec<usize>, OsrmError> {
    match raw {
        None | Some("all") | Some("") => Ok((0..count).collect()),
        Some(text) => text
            .split(';')
            .map(|s| {
                s.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < count)
                    .ok_or_else(|| {
                        OsrmError::new(
                            "InvalidOptions",
                            format!("{name}: {s:?} is not the index of a coordinate (0..{count})"),
                        )
                    })
            })
            .collect(),
    }
}

/// Rounds to one decimal, as OSRM answers durations and distances.
pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_and_indices() {
        let c = parse_coords("7.41,43.73;7.42,43.74.json", 10).expect("ok");
        assert_eq!(c.len(), 2);
        assert_eq!(c[1], Coord::new(7.42, 43.74));
        assert_eq!(
            parse_coords("7.41;43.73", 10).unwrap_err().code,
            "InvalidQuery"
        );
        assert_eq!(parse_coords("200,43", 10).unwrap_err().code, "InvalidQuery");
        assert_eq!(parse_coords("1,1;2,2", 1).unwrap_err().code, "TooBig");
        assert_eq!(
            parse_indices(Some("0;2"), 3, "sources").unwrap(),
            vec![0, 2]
        );
        assert_eq!(parse_indices(None, 2, "sources").unwrap(), vec![0, 1]);
        assert_eq!(
            parse_indices(Some("3"), 3, "sources").unwrap_err().code,
            "InvalidOptions"
        );
    }
}
