//! Travel between stops: the road graph when the service has one, else a labelled
//! straight-line estimate (great-circle distance × 1.3 at 30 km/h).

use routing_graph::{Coord, RoadGraph};
use serde::Serialize;

/// Straight-line fallback: detour factor applied to the great-circle distance.
const DETOUR: f64 = 1.3;
/// Straight-line fallback: average urban speed, metres per second (30 km/h).
const SPEED_MPS: f64 = 30.0 / 3.6;

/// One leg's travel.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Travel {
    /// Seconds.
    pub seconds: f64,
    /// Metres.
    pub meters: f64,
    /// `road_graph` or `straight_line` (shown as an estimate on the board).
    pub estimator: &'static str,
}

/// A point as `(lat, lon)`.
pub type LatLon = (f64, f64);

/// Great-circle distance in metres.
pub fn haversine_m(a: LatLon, b: LatLon) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

fn straight(a: LatLon, b: LatLon) -> Travel {
    let meters = haversine_m(a, b) * DETOUR;
    Travel {
        seconds: meters / SPEED_MPS,
        meters,
        estimator: "straight_line",
    }
}

/// Travel from `a` to `b`.
pub fn travel(graph: Option<&RoadGraph>, a: LatLon, b: LatLon) -> Travel {
    if a == b {
        return Travel {
            seconds: 0.0,
            meters: 0.0,
            estimator: if graph.is_some() {
                "road_graph"
            } else {
                "straight_line"
            },
        };
    }
    let Some(graph) = graph else {
        return straight(a, b);
    };
    let (Ok(sa), Ok(sb)) = (
        graph.snap(Coord::new(a.1, a.0)),
        graph.snap(Coord::new(b.1, b.0)),
    ) else {
        return straight(a, b);
    };
    match graph.travel(&sa, &sb) {
        Some((seconds, meters)) => Travel {
            seconds,
            meters,
            estimator: "road_graph",
        },
        None => straight(a, b),
    }
}

/// The road path from `a` to `b` as `[lon, lat]` points (a straight segment without a graph).
pub fn geometry(graph: Option<&RoadGraph>, a: LatLon, b: LatLon) -> Vec<[f64; 2]> {
    let direct = vec![[a.1, a.0], [b.1, b.0]];
    let Some(graph) = graph else {
        return direct;
    };
    let (Ok(sa), Ok(sb)) = (
        graph.snap(Coord::new(a.1, a.0)),
        graph.snap(Coord::new(b.1, b.0)),
    ) else {
        return direct;
    };
    match graph.route_snapped(&sa, &sb) {
        Ok(route) => simplify(
            &route
                .geometry
                .iter()
                .map(|c| [c.lon, c.lat])
                .collect::<Vec<_>>(),
            1e-5,
        ),
        Err(_) => direct,
    }
}

/// Douglas–Peucker simplification of a `[lon, lat]` polyline (tolerance in degrees), with
/// coordinates rounded to 6 decimals (~0.1 m).
pub fn simplify(points: &[[f64; 2]], tolerance: f64) -> Vec<[f64; 2]> {
    if points.len() <= 2 {
        return points.iter().map(|p| round(*p)).collect();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (mut worst, mut worst_d) = (0, 0.0);
        for i in first + 1..last {
            let d = segment_distance(points[i], points[first], points[last]);
            if d > worst_d {
                worst = i;
                worst_d = d;
            }
        }
        if worst_d > tolerance {
            keep[worst] = true;
            stack.push((first, worst));
            stack.push((worst, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| round(*p))
        .collect()
}

fn round(p: [f64; 2]) -> [f64; 2] {
    [(p[0] * 1e6).round() / 1e6, (p[1] * 1e6).round() / 1e6]
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    (x * x + y * y).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_line_fallback_is_labelled() {
        let t = travel(None, (43.73, 7.42), (43.74, 7.43));
        assert_eq!(t.estimator, "straight_line");
        assert!(t.meters > 1000.0 && t.meters < 2500.0, "{t:?}");
    }

    #[test]
    fn simplify_drops_collinear_points() {
        let line = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [2.0, 1.0]];
        assert_eq!(
            simplify(&line, 1e-6),
            vec![[0.0, 0.0], [2.0, 0.0], [2.0, 1.0]]
        );
    }
}
