//! The fallback estimator when no road graph is loaded: great-circle distance times a
//! detour factor, driven at a constant speed.

use crate::coord::Coord;
use crate::error::{RoutingError, SnapError};
use crate::estimator::{EstimatorKind, Matrix, Route, TravelEstimator, Waypoint};
use crate::snap::{h3_cell, DEFAULT_H3_RESOLUTION};
use h3o::Resolution;

/// Haversine × detour factor at a fixed speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StraightLine {
    /// Road distance per straight-line distance (default 1.3).
    pub detour_factor: f64,
    /// Average speed, km/h (default 40).
    pub speed_kmh: f64,
    /// Resolution of the waypoints' H3 cells.
    pub h3_resolution: Resolution,
}

impl Default for StraightLine {
    fn default() -> Self {
        Self {
            detour_factor: 1.3,
            speed_kmh: 40.0,
            h3_resolution: DEFAULT_H3_RESOLUTION,
        }
    }
}

impl StraightLine {
    /// An estimator with the given detour factor and speed.
    pub fn new(detour_factor: f64, speed_kmh: f64) -> Self {
        Self {
            detour_factor,
            speed_kmh,
            ..Self::default()
        }
    }

    /// `(seconds, metres)` between two valid coordinates.
    pub fn estimate(&self, from: Coord, to: Coord) -> (f64, f64) {
        let metres = from.haversine_m(to) * self.detour_factor;
        (metres / (self.speed_kmh / 3.6), metres)
    }

    fn waypoint(&self, c: Coord) -> Result<Waypoint, SnapError> {
        if !c.is_valid() {
            let hint = if c.swapped().is_valid() {
                "; did you swap lat and lon?"
            } else {
                ""
            };
            return Err(SnapError::InvalidCoordinate { coord: c, hint });
        }
        Ok(Waypoint {
            input: c,
            location: c,
            snap_distance_m: 0.0,
            h3_cell: h3_cell(c, self.h3_resolution)?,
        })
    }
}

impl TravelEstimator for StraightLine {
    fn kind(&self) -> EstimatorKind {
        EstimatorKind::StraightLine
    }

    fn route(&self, from: Coord, to: Coord) -> Result<Route, RoutingError> {
        let waypoints = [self.waypoint(from)?, self.waypoint(to)?];
        let (duration_s, distance_m) = self.estimate(from, to);
        Ok(Route {
            estimator: EstimatorKind::StraightLine,
            duration_s,
            distance_m,
            geometry: vec![from, to],
            waypoints,
        })
    }

    fn matrix(&self, sources: &[Coord], targets: &[Coord]) -> Result<Matrix, RoutingError> {
        for (side, list) in [("source", sources), ("target", targets)] {
            for (index, &c) in list.iter().enumerate() {
                self.waypoint(c)
                    .map_err(|source| RoutingError::MatrixPoint {
                        side,
                        index,
                        source,
                    })?;
            }
        }
        let mut durations_s = Vec::with_capacity(sources.len() * targets.len());
        let mut distances_m = Vec::with_capacity(sources.len() * targets.len());
        for &s in sources {
            for &t in targets {
                let (d, m) = self.estimate(s, t);
                durations_s.push(d);
                distances_m.push(m);
            }
        }
        Ok(Matrix {
            estimator: EstimatorKind::StraightLine,
            sources: sources.len(),
            targets: targets.len(),
            durations_s,
            distances_m,
        })
    }
}
