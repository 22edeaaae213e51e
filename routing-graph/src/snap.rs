//! Snapping: placing a `[lon, lat]` on the nearest point of a road segment.
//!
//! An R-tree (`rstar`) holds every shape segment in a locally equirectangular plane
//! (longitude scaled by the cosine of the network's middle latitude), so that nearest in
//! the tree is nearest in metres to within a fraction of a percent on regional extracts.

use crate::coord::Coord;
use crate::error::SnapError;
use crate::network::RoadNetwork;
use h3o::{CellIndex, LatLng, Resolution};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use serde::Serialize;

/// Default snapping radius in metres.
pub const DEFAULT_MAX_SNAP_DISTANCE_M: f64 = 1000.0;

/// Default H3 resolution of snapped locations (cells of about 0.1 km²).
pub const DEFAULT_H3_RESOLUTION: Resolution = Resolution::Nine;

/// How locations are snapped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapOptions {
    /// Locations farther than this from every road are rejected, metres.
    pub max_distance_m: f64,
    /// Resolution of [`Snapped::h3_cell`].
    pub h3_resolution: Resolution,
}

impl Default for SnapOptions {
    fn default() -> Self {
        Self {
            max_distance_m: DEFAULT_MAX_SNAP_DISTANCE_M,
            h3_resolution: DEFAULT_H3_RESOLUTION,
        }
    }
}

/// A location placed on the road network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapped {
    /// The location as given.
    pub input: Coord,
    /// The nearest point on a road.
    pub location: Coord,
    /// Distance from `input` to `location`, metres.
    pub distance_m: f64,
    /// H3 cell of `location` (serialised as its hexadecimal string).
    #[serde(serialize_with = "serialize_cell")]
    pub h3_cell: CellIndex,
    /// Edge snapped to.
    #[serde(skip)]
    pub(crate) edge: u32,
    /// Shape segment of the edge (0-based) holding `location`.
    #[serde(skip)]
    pub(crate) segment: u32,
    /// Share of the edge's length from its first shape point to `location` (0..=1).
    #[serde(skip)]
    pub(crate) fraction: f64,
}

pub(crate) fn serialize_cell<S: serde::Serializer>(
    cell: &CellIndex,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(cell)
}

/// H3 cell of a valid coordinate.
pub(crate) fn h3_cell(c: Coord, resolution: Resolution) -> Result<CellIndex, SnapError> {
    LatLng::new(c.lat, c.lon)
        .map(|ll| ll.to_cell(resolution))
        .map_err(|_| SnapError::InvalidCoordinate { coord: c, hint: "" })
}

type Segment = GeomWithData<Line<[f64; 2]>, (u32, u32)>;

/// R-tree of all shape segments.
#[derive(Debug)]
pub(crate) struct SnapIndex {
    tree: RTree<Segment>,
    lon_scale: f64,
}

struct Nearest {
    edge: u32,
    segment: u32,
    location: Coord,
    distance_m: f64,
}

impl SnapIndex {
    /// Indexes every segment of every edge.
    pub fn new(net: &RoadNetwork) -> Self {
        let lon_scale = net.bbox().map_or(1.0, |b| {
            ((b.min.lat + b.max.lat) / 2.0).to_radians().cos().max(0.01)
        });
        let mut segments = Vec::with_capacity(net.shape.len());
        for (edge, e) in net.edges.iter().enumerate() {
            let points = &net.shape[e.shape_start as usize..e.shape_end as usize];
            for (i, pair) in points.windows(2).enumerate() {
                let line = Line::new(
                    [pair[0].lon * lon_scale, pair[0].lat],
                    [pair[1].lon * lon_scale, pair[1].lat],
                );
                segments.push(GeomWithData::new(line, (edge as u32, i as u32)));
            }
        }
        Self {
            tree: RTree::bulk_load(segments),
            lon_scale,
        }
    }

    /// Bytes held by the tree (segments plus an estimate of the inner nodes).
    pub fn memory_bytes(&self) -> usize {
        self.tree.size() * std::mem::size_of::<Segment>() * 5 / 4
    }

    fn nearest(&self, c: Coord) -> Option<Nearest> {
        let p = [c.lon * self.lon_scale, c.lat];
        let seg = self.tree.nearest_neighbor(p)?;
        let [x, y] = seg.geom().nearest_point(&p);
        let location = Coord::new(x / self.lon_scale, y);
        let (edge, segment) = seg.data;
        Some(Nearest {
            edge,
            segment,
            location,
            distance_m: c.haversine_m(location),
        })
    }

    /// Snaps `coord` onto the nearest road within `options.max_distance_m`.
    pub fn snap(
        &self,
        net: &RoadNetwork,
        coord: Coord,
        options: &SnapOptions,
    ) -> Result<Snapped, SnapError> {
        if !coord.is_valid() {
            let hint = if coord.swapped().is_valid() {
                "; did you swap lat and lon?"
            } else {
                ""
            };
            return Err(SnapError::InvalidCoordinate { coord, hint });
        }
        let nearest = self.nearest(coord).ok_or(SnapError::EmptyGraph)?;
        let max = options.max_distance_m;
        if nearest.distance_m > max {
            let swapped = coord.swapped();
            if let Some(alt) = swapped.is_valid().then(|| self.nearest(swapped)).flatten() {
                if alt.distance_m <= max {
                    return Err(SnapError::LikelySwapped {
                        coord,
                        distance_m: nearest.distance_m,
                        max_distance_m: max,
                        swapped,
                        swapped_distance_m: alt.distance_m,
                    });
                }
            }
            return Err(SnapError::TooFar {
                coord,
                distance_m: nearest.distance_m,
                max_distance_m: max,
            });
        }
        let shape = net.edge_shape(nearest.edge);
        let seg = nearest.segment as usize;
        let before: f64 = shape[..=seg]
            .windows(2)
            .map(|w| w[0].haversine_m(w[1]))
            .sum();
        let total: f64 = shape.windows(2).map(|w| w[0].haversine_m(w[1])).sum();
        let along = before + shape[seg].haversine_m(nearest.location);
        let fraction = if total > 0.0 {
            (along / total).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Ok(Snapped {
            input: coord,
            location: nearest.location,
            distance_m: nearest.distance_m,
            h3_cell: h3_cell(nearest.location, options.h3_resolution)?,
            edge: nearest.edge,
            segment: nearest.segment,
            fraction,
        })
    }
}
