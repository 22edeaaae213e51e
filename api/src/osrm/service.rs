//! OSRM `route` and `table` answers over the road graph, or in a straight line without one.

use super::{polyline, round1, OsrmError};
use routing_graph::{Coord, RoadGraph, RoutingError, Snapped, StraightLine, TravelEstimator};
use serde_json::{json, Value};

/// How `route` writes its geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometries {
    /// Polyline, precision 5 (OSRM's default).
    Polyline,
    /// Polyline, precision 6.
    Polyline6,
    /// GeoJSON LineString.
    GeoJson,
}

impl Geometries {
    /// Parses OSRM's `geometries` option.
    pub fn parse(raw: Option<&str>) -> Result<Self, OsrmError> {
        match raw {
            None | Some("polyline") => Ok(Self::Polyline),
            Some("polyline6") => Ok(Self::Polyline6),
            Some("geojson") => Ok(Self::GeoJson),
            Some(other) => Err(OsrmError::new(
                "InvalidOptions",
                format!("geometries={other}: use polyline, polyline6 or geojson"),
            )),
        }
    }

    fn write(self, points: &[Coord]) -> Value {
        match self {
            Self::Polyline => Value::String(polyline::encode(points, 5)),
            Self::Polyline6 => Value::String(polyline::encode(points, 6)),
            Self::GeoJson => json!({
                "type": "LineString",
                "coordinates": points.iter().map(|c| [c.lon, c.lat]).collect::<Vec<_>>(),
            }),
        }
    }
}

fn waypoint(location: Coord, distance: f64) -> Value {
    json!({"location": [location.lon, location.lat], "name": "", "distance": round1(distance), "hint": ""})
}

fn snap_all(graph: &RoadGraph, coords: &[Coord]) -> Result<Vec<Snapped>, OsrmError> {
    coords
        .iter()
        .enumerate()
        .map(|(i, c)| {
            graph
                .snap(*c)
                .map_err(|e| OsrmError::new("NoSegment", format!("coordinate {i}: {e}")))
        })
        .collect()
}

fn routing_error(e: RoutingError) -> OsrmError {
    match e {
        RoutingError::Unreachable { from, to } => {
            OsrmError::new("NoRoute", format!("no route from {from} to {to}"))
        }
        RoutingError::Snap(e) | RoutingError::MatrixPoint { source: e, .. } => {
            OsrmError::new("NoSegment", e.to_string())
        }
    }
}

/// `route`: the fastest route through `coords` in order, one leg per consecutive pair.
/// `overview=false` omits the geometry.
pub fn route(
    graph: Option<&RoadGraph>,
    coords: &[Coord],
    geometries: Geometries,
    overview: bool,
) -> Result<Value, OsrmError> {
    if coords.len() < 2 {
        return Err(OsrmError::new(
            "InvalidQuery",
            "route needs at least two coordinates",
        ));
    }
    let line = StraightLine::default();
    let (legs, waypoints): (Vec<routing_graph::Route>, Vec<Value>) = match graph {
        Some(g) => {
            let snapped = snap_all(g, coords)?;
            let legs = snapped
                .windows(2)
                .map(|w| g.route_snapped(&w[0], &w[1]).map_err(routing_error))
                .collect::<Result<Vec<_>, _>>()?;
            let wps = snapped
                .iter()
                .map(|s| waypoint(s.location, s.distance_m))
                .collect();
            (legs, wps)
        }
        None => {
            let legs = coords
                .windows(2)
                .map(|w| line.route(w[0], w[1]).map_err(routing_error))
                .collect::<Result<Vec<_>, _>>()?;
            let wps = coords.iter().map(|c| waypoint(*c, 0.0)).collect();
            (legs, wps)
        }
    };
    let mut points: Vec<Coord> = Vec::new();
    for leg in &legs {
        let skip = usize::from(!points.is_empty());
        points.extend(leg.geometry.iter().skip(skip).copied());
    }
    let duration: f64 = legs.iter().map(|l| l.duration_s).sum();
    let distance: f64 = legs.iter().map(|l| l.distance_m).sum();
    let legs_out: Vec<Value> = legs
        .iter()
        .map(|l| {
            json!({"duration": round1(l.duration_s), "distance": round1(l.distance_m),
                   "weight": round1(l.duration_s), "summary": "", "steps": []})
        })
        .collect();
    let mut route = json!({
        "duration": round1(duration),
        "distance": round1(distance),
        "weight": round1(duration),
        "weight_name": "duration",
        "legs": legs_out,
    });
    if overview {
        route["geometry"] = geometries.write(&points);
    }
    Ok(json!({"code": "Ok", "routes": [route], "waypoints": waypoints}))
}

/// `table`: durations (and distances) from each source to each destination.
pub fn table(
    graph: Option<&RoadGraph>,
    coords: &[Coord],
    sources: &[usize],
    destinations: &[usize],
    durations: bool,
    distances: bool,
) -> Result<Value, OsrmError> {
    let pick = |idx: &[usize]| idx.iter().map(|&i| coords[i]).collect::<Vec<_>>();
    let (src, dst) = (pick(sources), pick(destinations));
    let (matrix, src_wp, dst_wp): (routing_graph::Matrix, Vec<Value>, Vec<Value>) = match graph {
        Some(g) => {
            let snapped = snap_all(g, coords)?;
            let s: Vec<Snapped> = sources.iter().map(|&i| snapped[i].clone()).collect();
            let d: Vec<Snapped> = destinations.iter().map(|&i| snapped[i].clone()).collect();
            let m = g.matrix_snapped(&s, &d).map_err(routing_error)?;
            let wp = |v: &[Snapped]| {
                v.iter()
                    .map(|s| waypoint(s.location, s.distance_m))
                    .collect()
            };
            (m, wp(&s), wp(&d))
        }
        None => {
            let m = StraightLine::default()
                .matrix(&src, &dst)
                .map_err(routing_error)?;
            let wp = |v: &[Coord]| v.iter().map(|c| waypoint(*c, 0.0)).collect();
            (m, wp(&src), wp(&dst))
        }
    };
    let rows = |f: &dyn Fn(usize, usize) -> f64| -> Vec<Vec<f64>> {
        (0..matrix.sources)
            .map(|i| (0..matrix.targets).map(|j| round1(f(i, j))).collect())
            .collect()
    };
    let mut out = json!({"code": "Ok", "sources": src_wp, "destinations": dst_wp});
    if durations {
        out["durations"] = json!(rows(&|i, j| matrix.duration(i, j)));
    }
    if distances {
        out["distances"] = json!(rows(&|i, j| matrix.distance(i, j)));
    }
    Ok(out)
}
