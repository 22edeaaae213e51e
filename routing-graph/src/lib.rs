//! Road graph built from OpenStreetMap: import, snapping, shortest paths, matrices.
//!
//! Knows nothing of jobs or technicians; see `ARCHITECTURE.md`.
//!
//! ```no_run
//! use routing_graph::{Coord, ImportOptions, RoadGraph, TravelEstimator};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (graph, summary) = RoadGraph::from_pbf("data/osm/monaco.osm.pbf", &ImportOptions::default())?;
//! graph.save("monaco.graph")?;
//! let graph = RoadGraph::load("monaco.graph")?;
//! let route = graph.route(Coord::new(7.4197, 43.7311), Coord::new(7.4268, 43.7402))?;
//! println!("{} s, {} m, {} nodes", route.duration_s, route.distance_m, summary.nodes);
//! # Ok(()) }
//! ```

mod build;
mod ch;
mod coord;
mod dijkstra;
mod endpoints;
mod error;
mod estimator;
mod geometry;
mod network;
pub mod osm;
mod road_graph;
mod search_space;
mod snap;
mod store;
mod straight_line;
mod turns;
mod weight;

pub use ch::labels::HubLabelStats;
pub use coord::{BBox, Coord, ParseCoordError};
pub use error::{ImportError, RoutingError, SnapError, StoreError};
pub use estimator::{EstimatorKind, Matrix, Route, TravelEstimator, Waypoint};
pub use geometry::RoadPolyline;
pub use road_graph::{ImportOptions, ImportProgress, ImportSummary, ProgressFn, RoadGraph};
pub use snap::{SnapOptions, Snapped, DEFAULT_H3_RESOLUTION, DEFAULT_MAX_SNAP_DISTANCE_M};
pub use store::FORMAT_VERSION;
pub use straight_line::StraightLine;

/// H3 types used in the public API.
pub use h3o::{CellIndex, Resolution};
