//! [`RoadGraph`]: the public face of the crate — import, save/load, snapping, routes
//! (contraction hierarchy, hub labels for durations and distances, or plain Dijkstra as
//! the baseline) and matrices.

use crate::build::build_network;
use crate::ch::labels::{HubLabelStats, HubLabels, Skipped, DEFAULT_BUDGET_BYTES};
use crate::ch::{contract::contract, many_to_many, query, ContractionHierarchy};
use crate::coord::{BBox, Coord};
use crate::dijkstra::{self, NodePath};
use crate::endpoints::{along_same_edge, sources, targets, Endpoints};
use crate::error::{ImportError, RoutingError, SnapError, StoreError};
use crate::estimator::{EstimatorKind, Matrix, Route, TravelEstimator};
use crate::geometry::{roads_in, route_geometry, same_edge_geometry, RoadPolyline};
use crate::network::{EdgeDir, RoadNetwork};
use crate::osm::reader::read_roads;
use crate::search_space::SpacePool;
use crate::snap::{SnapIndex, SnapOptions, Snapped};
use crate::store;
use crate::weight::{metres, seconds, Weight, INFINITE};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Import stages reported to [`ImportOptions::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// Reading and decoding the PBF file.
    Reading,
    /// Building the network and its strongly connected component.
    Building,
    /// Contracting nodes: `done` of `total`.
    Contracting {
        /// Nodes contracted so far.
        done: usize,
        /// Nodes in total.
        total: usize,
    },
}

/// Callback receiving import progress.
pub type ProgressFn = dyn Fn(ImportProgress) + Send + Sync;

/// Options of [`RoadGraph::from_pbf`].
#[derive(Default)]
pub struct ImportOptions {
    /// Called at each stage (e.g. to drive a progress bar).
    pub progress: Option<Box<ProgressFn>>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What an import read, kept and dropped, and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    /// OSM nodes in the file.
    pub osm_nodes: usize,
    /// `highway=*` ways in the file.
    pub highway_ways: usize,
    /// Ways the car profile accepts.
    pub drivable_ways: usize,
    /// Junction nodes in the graph.
    pub nodes: usize,
    /// Road edges in the graph.
    pub edges: usize,
    /// Junction nodes dropped because they are outside the largest strongly connected
    /// component.
    pub dropped_component_nodes: usize,
    /// Road edges dropped with them.
    pub dropped_edges: usize,
    /// Shortcuts added by the contraction hierarchy.
    pub shortcuts: usize,
    /// `type=restriction` relations that apply to cars, in any form.
    pub turn_restrictions_read: usize,
    /// Turn restrictions for cars applied (`no_*` / `only_*`, from way, via node, to way).
    pub turn_restrictions: usize,
    /// Turn restrictions for cars skipped because their form is not modelled (via ways,
    /// conditional restrictions, malformed relations).
    pub turn_restrictions_unsupported: usize,
    /// Turn restrictions skipped because their ways or via node are not in the graph or
    /// do not meet there.
    pub turn_restrictions_unresolved: usize,
    /// Turn restrictions skipped because they would leave a road without any exit.
    pub turn_restrictions_dead_end: usize,
    /// Reading and decoding the PBF.
    pub read_time: Duration,
    /// Building the network (splitting, components).
    pub build_time: Duration,
    /// Contraction.
    pub contraction_time: Duration,
}

impl ImportSummary {
    /// Total import and preprocessing time.
    pub fn total_time(&self) -> Duration {
        self.read_time + self.build_time + self.contraction_time
    }
}

/// An in-memory road graph with a contraction hierarchy and, within a memory budget,
/// hub labels derived from it, ready for queries.
/// Cheap to share between threads (`&RoadGraph` is `Sync`).
#[derive(Debug)]
pub struct RoadGraph {
    net: RoadNetwork,
    ch: ContractionHierarchy,
    /// Hub labels for [`RoadGraph::travel`]; `None` if skipped (over the budget).
    labels: Option<HubLabels>,
    index: SnapIndex,
    pool: SpacePool,
    snap_options: SnapOptions,
}

/// The best way between two snapped points.
enum Choice {
    SameEdge(Weight, EdgeDir),
    Via(NodePath, Endpoints, Endpoints),
}

impl RoadGraph {
    fn assemble(mut net: RoadNetwork, mut ch: ContractionHierarchy) -> Self {
        net.shrink_to_fit();
        ch.shrink_to_fit();
        let index = SnapIndex::new(&net);
        let pool = SpacePool::new(net.node_count());
        let labels = build_labels(&ch, DEFAULT_BUDGET_BYTES);
        Self {
            net,
            ch,
            labels,
            index,
            pool,
            snap_options: SnapOptions::default(),
        }
    }

    /// Rebuilds the hub labels under a memory budget of `bytes` (default 512 MiB): over
    /// it, there are none and [`RoadGraph::travel`] runs the contraction hierarchy query.
    pub fn set_hub_label_budget(&mut self, bytes: usize) {
        self.labels = None; // freed before the new ones are built
        self.labels = build_labels(&self.ch, bytes);
    }

    /// Whether [`RoadGraph::travel`] answers from hub labels (`false`: they were skipped,
    /// over the memory budget, and it runs the contraction hierarchy query).
    pub fn has_hub_labels(&self) -> bool {
        self.labels.is_some()
    }

    /// Size and build time of the hub labels, if built.
    pub fn hub_label_stats(&self) -> Option<HubLabelStats> {
        self.labels.as_ref().map(HubLabels::stats)
    }

    /// Imports an `.osm.pbf` file with the car profile (turn restrictions included) and
    /// preprocesses it.
    pub fn from_pbf(
        path: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<(Self, ImportSummary), ImportError> {
        Self::from_pbf_with_turn_restrictions(path, options, true)
    }

    /// Like [`RoadGraph::from_pbf`]; `turn_restrictions: false` ignores the turn
    /// restrictions (for comparisons).
    pub fn from_pbf_with_turn_restrictions(
        path: impl AsRef<Path>,
        options: &ImportOptions,
        turn_restrictions: bool,
    ) -> Result<(Self, ImportSummary), ImportError> {
        let path = path.as_ref();
        let report = |p| {
            if let Some(f) = &options.progress {
                f(p);
            }
        };
        let t0 = Instant::now();
        report(ImportProgress::Reading);
        let roads = read_roads(path)?;
        let read_time = t0.elapsed();
        let t1 = Instant::now();
        report(ImportProgress::Building);
        let (net, stats) = build_network(&roads, turn_restrictions);
        if net.edges.is_empty() {
            return Err(ImportError::NoRoads {
                path: path.to_path_buf(),
            });
        }
        let build_time = t1.elapsed();
        let t2 = Instant::now();
        let ch = contract(&net, &|done, total| {
            report(ImportProgress::Contracting { done, total })
        });
        let contraction_time = t2.elapsed();
        let summary = ImportSummary {
            osm_nodes: roads.node_count(),
            highway_ways: roads.highway_ways,
            drivable_ways: roads.ways.len(),
            nodes: net.node_count(),
            edges: net.edges.len(),
            dropped_component_nodes: stats.dropped_nodes,
            dropped_edges: stats.dropped_edges,
            shortcuts: ch.shortcut_count(),
            turn_restrictions_read: roads.restrictions.len() + roads.unsupported_restrictions,
            turn_restrictions: stats.turns.applied,
            turn_restrictions_unsupported: roads.unsupported_restrictions,
            turn_restrictions_unresolved: stats.turns.unresolved,
            turn_restrictions_dead_end: stats.turns.dead_ends,
            read_time,
            build_time,
            contraction_time,
        };
        tracing::info!(?summary, "road graph imported");
        Ok((Self::assemble(net, ch), summary))
    }

    /// Writes the preprocessed graph to one file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), StoreError> {
        store::save(path.as_ref(), &self.net, &self.ch)
    }

    /// Loads a graph written by [`RoadGraph::save`] (checks magic, version, checksum).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let (net, ch) = store::load(path.as_ref())?;
        Ok(Self::assemble(net, ch))
    }

    /// Current snapping options.
    pub fn snap_options(&self) -> SnapOptions {
        self.snap_options
    }

    /// Changes the snapping radius and H3 resolution.
    pub fn set_snap_options(&mut self, options: SnapOptions) {
        self.snap_options = options;
    }

    /// Places `coord` on the nearest road within the snapping radius.
    pub fn snap(&self, coord: Coord) -> Result<Snapped, SnapError> {
        self.index.snap(&self.net, coord, &self.snap_options)
    }

    /// Like [`RoadGraph::snap`] with other options for this call only.
    pub fn snap_with(&self, coord: Coord, options: &SnapOptions) -> Result<Snapped, SnapError> {
        self.index.snap(&self.net, coord, options)
    }

    fn best_path(&self, s: &Snapped, t: &Snapped, use_ch: bool) -> Option<Choice> {
        let (src, tgt) = (sources(&self.net, s), targets(&self.net, t));
        let via = if use_ch {
            query::shortest_path(&self.ch, &src, &tgt)
        } else {
            self.pool
                .with(|space| dijkstra::shortest_path(&self.net, space, &src, &tgt))
        };
        let direct = along_same_edge(&self.net, s, t);
        match (direct, via) {
            (Some((w, dir)), Some(p)) if w <= p.weight => Some(Choice::SameEdge(w, dir)),
            (Some((w, dir)), None) => Some(Choice::SameEdge(w, dir)),
            (_, Some(p)) => Some(Choice::Via(p, src, tgt)),
            (None, None) => None,
        }
    }

    fn route_with(&self, s: &Snapped, t: &Snapped, use_ch: bool) -> Result<Route, RoutingError> {
        let path = self
            .best_path(s, t, use_ch)
            .ok_or(RoutingError::Unreachable {
                from: s.input,
                to: t.input,
            })?;
        let (weight, geometry) = match path {
            Choice::SameEdge(w, dir) => (w, same_edge_geometry(&self.net, s, t, dir)),
            Choice::Via(p, src, tgt) => {
                let g = route_geometry(
                    &self.net,
                    s,
                    src[p.source].dir,
                    &p.edges,
                    t,
                    tgt[p.target].dir,
                );
                (p.weight, g)
            }
        };
        Ok(Route {
            estimator: EstimatorKind::RoadGraph,
            duration_s: seconds(weight),
            distance_m: metres(weight),
            geometry,
            waypoints: [s.into(), t.into()],
        })
    }

    /// Fastest route between two snapped points (contraction hierarchy).
    pub fn route_snapped(&self, from: &Snapped, to: &Snapped) -> Result<Route, RoutingError> {
        self.route_with(from, to, true)
    }

    /// Fastest route between two snapped points with plain Dijkstra (the baseline).
    pub fn dijkstra_route_snapped(
        &self,
        from: &Snapped,
        to: &Snapped,
    ) -> Result<Route, RoutingError> {
        self.route_with(from, to, false)
    }

    /// Fastest route with plain Dijkstra (the baseline; same answer, much slower).
    pub fn dijkstra_route(&self, from: Coord, to: Coord) -> Result<Route, RoutingError> {
        self.route_with(&self.snap(from)?, &self.snap(to)?, false)
    }

    /// `(seconds, metres)` of the fastest path, without geometry: hub labels, or the
    /// contraction hierarchy query if there are none (same answer).
    pub fn travel(&self, from: &Snapped, to: &Snapped) -> Option<(f64, f64)> {
        self.travel_with(from, to, Algorithm::Labels)
    }

    /// `(seconds, metres)` of the fastest path with the contraction hierarchy query,
    /// whether or not there are hub labels (for comparisons).
    pub fn ch_travel(&self, from: &Snapped, to: &Snapped) -> Option<(f64, f64)> {
        self.travel_with(from, to, Algorithm::Hierarchy)
    }

    /// `(seconds, metres)` of the fastest path with plain Dijkstra.
    pub fn dijkstra_travel(&self, from: &Snapped, to: &Snapped) -> Option<(f64, f64)> {
        self.travel_with(from, to, Algorithm::Dijkstra)
    }

    fn travel_with(&self, from: &Snapped, to: &Snapped, algo: Algorithm) -> Option<(f64, f64)> {
        let w = if algo == Algorithm::Dijkstra {
            match self.best_path(from, to, false)? {
                Choice::SameEdge(w, _) => w,
                Choice::Via(p, _, _) => p.weight,
            }
        } else {
            let (src, tgt) = (sources(&self.net, from), targets(&self.net, to));
            let via = match (&self.labels, algo) {
                (Some(labels), Algorithm::Labels) => labels.shortest_weight(&self.ch, &src, &tgt),
                _ => query::shortest_weight(&self.ch, &src, &tgt),
            };
            let direct = along_same_edge(&self.net, from, to).map(|(w, _)| w);
            via.into_iter().chain(direct).min()?
        };
        Some((seconds(w), metres(w)))
    }

    /// Matrix between snapped points (many-to-many contraction hierarchy).
    pub fn matrix_snapped(&self, from: &[Snapped], to: &[Snapped]) -> Result<Matrix, RoutingError> {
        let src: Vec<Endpoints> = from.iter().map(|s| sources(&self.net, s)).collect();
        let tgt: Vec<Endpoints> = to.iter().map(|t| targets(&self.net, t)).collect();
        let mut table = many_to_many::table(&self.ch, &src, &tgt);
        // Trips that stay on one edge never pass a junction: check them directly.
        let mut by_edge: HashMap<u32, Vec<usize>> = HashMap::new();
        for (j, t) in to.iter().enumerate() {
            by_edge.entry(t.edge).or_default().push(j);
        }
        for (i, s) in from.iter().enumerate() {
            for &j in by_edge.get(&s.edge).map_or(&[][..], Vec::as_slice) {
                if let Some((w, _)) = along_same_edge(&self.net, s, &to[j]) {
                    let cell = &mut table[i * to.len() + j];
                    *cell = (*cell).min(w);
                }
            }
        }
        if let Some(k) = table.iter().position(|&w| w == INFINITE) {
            let (i, j) = (k / to.len().max(1), k % to.len().max(1));
            return Err(RoutingError::Unreachable {
                from: from[i].input,
                to: to[j].input,
            });
        }
        Ok(Matrix {
            estimator: EstimatorKind::RoadGraph,
            sources: from.len(),
            targets: to.len(),
            durations_s: table.iter().map(|&w| seconds(w)).collect(),
            distances_m: table.iter().map(|&w| metres(w)).collect(),
        })
    }

    fn snap_all(&self, points: &[Coord], side: &'static str) -> Result<Vec<Snapped>, RoutingError> {
        points
            .iter()
            .enumerate()
            .map(|(index, &c)| {
                self.snap(c).map_err(|source| RoutingError::MatrixPoint {
                    side,
                    index,
                    source,
                })
            })
            .collect()
    }

    /// Road edges (as polylines) whose bounding box overlaps `bbox`, for drawing the map.
    pub fn roads_in(&self, bbox: BBox) -> impl Iterator<Item = RoadPolyline<'_>> + '_ {
        roads_in(&self.net, bbox)
    }

    /// Number of graph nodes (junctions, plus one copy per road arriving at or leaving
    /// a junction with turn restrictions).
    pub fn node_count(&self) -> usize {
        self.net.node_count()
    }

    /// Number of road edges (each may be one- or two-way).
    pub fn edge_count(&self) -> usize {
        self.net.edges.len()
    }

    /// Number of directed arcs of the road network.
    pub fn arc_count(&self) -> usize {
        self.net.out_arcs.len()
    }

    /// Number of shortcuts in the contraction hierarchy.
    pub fn shortcut_count(&self) -> usize {
        self.ch.shortcut_count()
    }

    /// Bounding box of all roads.
    pub fn bbox(&self) -> Option<BBox> {
        self.net.bbox()
    }

    /// Bytes held by the graph's arrays (network, hierarchy, hub labels, snapping index).
    pub fn memory_bytes(&self) -> usize {
        self.net.memory_bytes()
            + self.ch.memory_bytes()
            + self.labels.as_ref().map_or(0, HubLabels::memory_bytes)
            + self.index.memory_bytes()
    }
}

/// Which one-to-one query answers [`RoadGraph::travel_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    /// Hub labels if built, else the hierarchy.
    Labels,
    /// The contraction hierarchy's bidirectional search.
    Hierarchy,
    /// Plain Dijkstra.
    Dijkstra,
}

/// Hub labels of `ch` within `budget` bytes, logging which query `travel` will use.
fn build_labels(ch: &ContractionHierarchy, budget: usize) -> Option<HubLabels> {
    match HubLabels::build(ch, budget) {
        Ok(labels) => {
            let stats = labels.stats();
            tracing::info!(
                entries = stats.entries,
                mean_label_len = stats.mean_label_len,
                memory_bytes = stats.memory_bytes,
                build_ms = stats.build_time.as_secs_f64() * 1e3,
                "hub labels built: one-to-one travel queries use them"
            );
            Some(labels)
        }
        Err(Skipped::OverBudget { bytes, budget }) => {
            tracing::warn!(
                bytes_so_far = bytes,
                budget,
                "hub labels over the memory budget, not built: one-to-one travel queries \
                 use the contraction hierarchy search"
            );
            None
        }
        Err(Skipped::NotAHierarchy) => {
            tracing::warn!(
                "hub labels not built, the hierarchy's upward arcs form a cycle: one-to-one \
                 travel queries use the contraction hierarchy search"
            );
            None
        }
    }
}

impl TravelEstimator for RoadGraph {
    fn kind(&self) -> EstimatorKind {
        EstimatorKind::RoadGraph
    }

    fn route(&self, from: Coord, to: Coord) -> Result<Route, RoutingError> {
        self.route_snapped(&self.snap(from)?, &self.snap(to)?)
    }

    fn matrix(&self, sources: &[Coord], targets: &[Coord]) -> Result<Matrix, RoutingError> {
        let from = self.snap_all(sources, "source")?;
        let to = self.snap_all(targets, "target")?;
        self.matrix_snapped(&from, &to)
    }
}
