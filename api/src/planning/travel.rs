//! Locations → travel matrix: snapped and routed over the road graph, estimated in a straight
//! line when the service has no graph, or taken from a matrix the caller sent.
//!
//! Every location is registered with the request field it came from, so that a location that
//! cannot be snapped or reached is answered as 422 naming that field (`jobs[3].location`).
//! Durations and distances are rounded to whole seconds and metres, as VROOM does: with
//! integer inputs every computed time is then an integer too.

use crate::error::ApiError;
use routing_graph::{Coord, RoadGraph, RoutingError, Snapped, StraightLine, TravelEstimator};
use solver::TravelMatrix;

/// A location of a request: coordinates, an index into the caller's matrix, or both.
#[derive(Debug, Clone)]
pub struct Place {
    /// Request field, e.g. `vehicles[0].start`.
    pub field: String,
    /// `[lon, lat]`, if given.
    pub coord: Option<Coord>,
    /// Index into the caller's matrix, if given.
    pub index: Option<usize>,
}

/// Which estimator produced a [`Travel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The caller's matrix.
    Custom,
    /// The road graph.
    RoadGraph,
    /// Haversine distance times a detour factor (no graph loaded).
    StraightLine,
}

impl Source {
    /// `custom_matrix`, `road_graph` or `straight_line`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Custom => "custom_matrix",
            Source::RoadGraph => "road_graph",
            Source::StraightLine => "straight_line",
        }
    }
}

/// The travel matrix of a request and where each registered place ended up.
#[derive(Debug, Clone)]
pub struct Travel {
    /// Square matrix over the distinct locations.
    pub matrix: TravelMatrix,
    /// Matrix index of each registered place, in registration order.
    pub locations: Vec<usize>,
    /// Coordinates (as given) of each matrix location, when known.
    pub coords: Vec<Option<Coord>>,
    /// Snapped position of each matrix location (road graph only).
    pub snapped: Vec<Option<Snapped>>,
    /// Who computed the matrix.
    pub source: Source,
}

/// Builds the matrix from the caller's rows (`matrix_field` names them in errors). Every place
/// needs an index; `distances` default to zero.
pub fn custom(
    places: &[Place],
    durations: &[Vec<f64>],
    distances: Option<&[Vec<f64>]>,
    matrix_field: &str,
) -> Result<Travel, ApiError> {
    let n = durations.len();
    let square = |rows: &[Vec<f64>], what: &str| -> Result<Vec<f64>, ApiError> {
        let mut cells = Vec::with_capacity(n * n);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != n {
                return Err(ApiError::validation(
                    format!("{matrix_field}.{what}[{i}]"),
                    format!(
                        "the matrix must be square: row {i} has {} cells, expected {n}",
                        row.len()
                    ),
                ));
            }
            if let Some(j) = row.iter().position(|v| !v.is_finite() || *v < 0.0) {
                return Err(ApiError::validation(
                    format!("{matrix_field}.{what}[{i}][{j}]"),
                    "matrix cells must be finite and ≥ 0",
                ));
            }
            cells.extend_from_slice(row);
        }
        Ok(cells)
    };
    let dur = square(durations, "durations")?;
    let dist = match distances {
        Some(rows) if rows.len() != n => {
            return Err(ApiError::validation(
                format!("{matrix_field}.distances"),
                format!("distances has {} rows, durations {n}", rows.len()),
            ))
        }
        Some(rows) => square(rows, "distances")?,
        None => vec![0.0; n * n],
    };
    let matrix = TravelMatrix::new(n, dur, dist)
        .map_err(|e| ApiError::validation(matrix_field.to_string(), e.to_string()))?;
    let mut coords = vec![None; n];
    let mut locations = Vec::with_capacity(places.len());
    for p in places {
        let index = p.index.ok_or_else(|| {
            ApiError::validation(
                format!("{}_index", p.field),
                "with a custom matrix every location needs an index into it",
            )
        })?;
        if index >= n {
            return Err(ApiError::validation(
                format!("{}_index", p.field),
                format!("index {index} is outside the {n}×{n} matrix"),
            ));
        }
        if let Some(c) = p.coord {
            coords[index].get_or_insert(c);
        }
        locations.push(index);
    }
    Ok(Travel {
        matrix,
        locations,
        coords,
        snapped: vec![None; n],
        source: Source::Custom,
    })
}

/// Builds the matrix from coordinates: over `graph` when given, else in a straight line.
/// Equal coordinates share one matrix location.
pub fn from_coords(places: &[Place], graph: Option<&RoadGraph>) -> Result<Travel, ApiError> {
    let mut coords: Vec<Coord> = Vec::new();
    let mut first_field: Vec<&str> = Vec::new();
    let mut locations = Vec::with_capacity(places.len());
    for p in places {
        let c = p.coord.ok_or_else(|| {
            ApiError::validation(
                p.field.clone(),
                "a [lon, lat] location is required (or send a matrix and an index)",
            )
        })?;
        if !c.is_valid() {
            return Err(ApiError::validation(
                p.field.clone(),
                format!("{c} is not a valid [lon, lat] coordinate"),
            ));
        }
        let idx = match coords.iter().position(|k| *k == c) {
            Some(i) => i,
            None => {
                coords.push(c);
                first_field.push(&p.field);
                coords.len() - 1
            }
        };
        locations.push(idx);
    }
    let n = coords.len();
    let (matrix, snapped, source) = match graph {
        Some(graph) => {
            let mut snapped = Vec::with_capacity(n);
            for (c, field) in coords.iter().zip(&first_field) {
                let s = graph.snap(*c).map_err(|e| {
                    ApiError::validation(field.to_string(), format!("cannot route {field}: {e}"))
                })?;
                snapped.push(s);
            }
            let m = graph
                .matrix_snapped(&snapped, &snapped)
                .map_err(|e| match e {
                    RoutingError::Unreachable { from, to } => {
                        let name = |c: Coord| {
                            coords
                                .iter()
                                .position(|k| *k == c)
                                .map_or("location", |i| first_field[i])
                                .to_string()
                        };
                        ApiError::validation(
                            name(to),
                            format!("no road route from {} to {}", name(from), name(to)),
                        )
                    }
                    other => ApiError::validation("body", other.to_string()),
                })?;
            let tm = TravelMatrix::from_fn(n, |i, j| {
                (m.duration(i, j).round(), m.distance(i, j).round())
            });
            (
                tm,
                snapped.into_iter().map(Some).collect(),
                Source::RoadGraph,
            )
        }
        None => {
            let line = StraightLine::default();
            let m = line
                .matrix(&coords, &coords)
                .map_err(|e| ApiError::validation("body", e.to_string()))?;
            let tm = TravelMatrix::from_fn(n, |i, j| {
                (m.duration(i, j).round(), m.distance(i, j).round())
            });
            (tm, vec![None; n], Source::StraightLine)
        }
    };
    Ok(Travel {
        matrix,
        locations,
        coords: coords.into_iter().map(Some).collect(),
        snapped,
        source,
    })
}

/// The road (or straight) path through the matrix locations `stops`, in order; `None` when a
/// location has no coordinates (custom matrix without them).
pub fn path_through(
    travel: &Travel,
    graph: Option<&RoadGraph>,
    stops: &[usize],
) -> Option<Vec<Coord>> {
    let mut out: Vec<Coord> = Vec::new();
    for w in stops.windows(2) {
        let (a, b) = (w[0], w[1]);
        let leg = match (graph, travel.snapped.get(a)?, travel.snapped.get(b)?) {
            (Some(g), Some(sa), Some(sb)) if a != b => g.route_snapped(sa, sb).ok()?.geometry,
            _ => vec![(*travel.coords.get(a)?)?, (*travel.coords.get(b)?)?],
        };
        let skip = usize::from(!out.is_empty());
        out.extend(leg.into_iter().skip(skip));
    }
    if out.is_empty() {
        if let Some(&a) = stops.first() {
            out.push((*travel.coords.get(a)?)?);
        }
    }
    Some(out)
}
