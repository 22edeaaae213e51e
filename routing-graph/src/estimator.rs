//! The travel-estimator interface shared by the road graph and the straight-line
//! fallback, and the answers it gives.

use crate::coord::Coord;
use crate::error::RoutingError;
use crate::snap::{serialize_cell, Snapped};
use h3o::CellIndex;
use serde::Serialize;

/// Which estimator produced an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimatorKind {
    /// Shortest (fastest) paths on the OSM road graph.
    RoadGraph,
    /// Haversine distance times a detour factor at a fixed speed.
    StraightLine,
}

impl EstimatorKind {
    /// `"road_graph"` or `"straight_line"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EstimatorKind::RoadGraph => "road_graph",
            EstimatorKind::StraightLine => "straight_line",
        }
    }
}

/// Where a route end point was placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waypoint {
    /// The location as given.
    pub input: Coord,
    /// The location used (on a road for the road graph, `input` otherwise).
    pub location: Coord,
    /// Distance from `input` to `location`, metres.
    pub snap_distance_m: f64,
    /// H3 cell of `location` (hexadecimal string in JSON).
    #[serde(serialize_with = "serialize_cell")]
    pub h3_cell: CellIndex,
}

impl From<&Snapped> for Waypoint {
    fn from(s: &Snapped) -> Self {
        Self {
            input: s.input,
            location: s.location,
            snap_distance_m: s.distance_m,
            h3_cell: s.h3_cell,
        }
    }
}

/// A route between two locations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Route {
    /// Who computed it.
    pub estimator: EstimatorKind,
    /// Travel time, seconds.
    pub duration_s: f64,
    /// Length of that (fastest) route, metres.
    pub distance_m: f64,
    /// The path as `[lon, lat]` points along the roads, start and end included.
    pub geometry: Vec<Coord>,
    /// Start and end as placed.
    pub waypoints: [Waypoint; 2],
}

/// Durations and distances between every source and every target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    /// Who computed it.
    pub estimator: EstimatorKind,
    /// Number of rows.
    pub sources: usize,
    /// Number of columns.
    pub targets: usize,
    /// Row-major travel times, seconds: `durations_s[i * targets + j]`.
    pub durations_s: Vec<f64>,
    /// Row-major lengths of the fastest paths, metres.
    pub distances_m: Vec<f64>,
}

impl Matrix {
    /// Travel time from source `i` to target `j`, seconds.
    pub fn duration(&self, i: usize, j: usize) -> f64 {
        self.durations_s[i * self.targets + j]
    }

    /// Distance from source `i` to target `j`, metres.
    pub fn distance(&self, i: usize, j: usize) -> f64 {
        self.distances_m[i * self.targets + j]
    }

    /// Durations as one `Vec` per source.
    pub fn duration_rows(&self) -> Vec<Vec<f64>> {
        self.durations_s
            .chunks(self.targets.max(1))
            .map(<[f64]>::to_vec)
            .take(self.sources)
            .collect()
    }

    /// Distances as one `Vec` per source.
    pub fn distance_rows(&self) -> Vec<Vec<f64>> {
        self.distances_m
            .chunks(self.targets.max(1))
            .map(<[f64]>::to_vec)
            .take(self.sources)
            .collect()
    }
}

/// Anything that estimates travel between locations. Implemented by
/// [`crate::RoadGraph`] and [`crate::StraightLine`]; the service holds a
/// `Box<dyn TravelEstimator>` and does not care which.
pub trait TravelEstimator: Send + Sync {
    /// Which estimator this is.
    fn kind(&self) -> EstimatorKind;

    /// Fastest route from `from` to `to`.
    fn route(&self, from: Coord, to: Coord) -> Result<Route, RoutingError>;

    /// Durations and distances from every source to every target.
    fn matrix(&self, sources: &[Coord], targets: &[Coord]) -> Result<Matrix, RoutingError>;
}
