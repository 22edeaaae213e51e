//! Turns OSM ways into the compressed road network: ways are split at junctions (nodes
//! shared by several ways, and way ends), every run of degree-2 nodes in between becomes
//! one edge with its shape geometry, and only the largest strongly connected component
//! is kept so that every snapped point can reach and be reached from every other one.
//! Turn restrictions are resolved to the edges last and expand their junctions (see
//! [`crate::turns`]).

use crate::coord::Coord;
use crate::network::{RoadEdge, RoadNetwork};
use crate::osm::reader::{OsmRoads, RoadWay};
use crate::turns::{resolve, ForbiddenTurns, TurnStats};
use crate::weight::{from_length_speed, INFINITE};
use std::collections::HashMap;

/// What building the network removed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BuildStats {
    /// Junction nodes outside the largest strongly connected component.
    pub dropped_nodes: usize,
    /// Edges dropped with them.
    pub dropped_edges: usize,
    /// Way nodes missing from the extract (ways are cut there).
    pub missing_nodes: usize,
    /// Turn restrictions applied, unresolved and left out.
    pub turns: TurnStats,
}

const NOT_JUNCTION: u32 = u32::MAX;

/// A stretch of a way whose nodes are all in the extract.
struct Run<'a> {
    way: &'a RoadWay,
    nodes: Vec<(u32, Coord)>,
}

/// Builds the network from the drivable ways, with the turn restrictions if `restrictions`.
pub(crate) fn build_network(roads: &OsmRoads, restrictions: bool) -> (RoadNetwork, BuildStats) {
    let mut stats = BuildStats::default();
    // 1. Resolve coordinates; cut ways where nodes are missing.
    let mut index: HashMap<i64, u32> = HashMap::new();
    let mut uses: Vec<u8> = Vec::new();
    let mut osm_id: Vec<i64> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    for way in &roads.ways {
        let mut current: Vec<(u32, Coord)> = Vec::new();
        fn flush<'a>(way: &'a RoadWay, current: &mut Vec<(u32, Coord)>, runs: &mut Vec<Run<'a>>) {
            if current.len() >= 2 {
                runs.push(Run {
                    way,
                    nodes: std::mem::take(current),
                });
            } else {
                current.clear();
            }
        }
        for &id in &way.nodes {
            let Some(coord) = roads.coord(id) else {
                stats.missing_nodes += 1;
                flush(way, &mut current, &mut runs);
                continue;
            };
            let next = index.len() as u32;
            let v = *index.entry(id).or_insert(next);
            if v as usize == uses.len() {
                uses.push(0);
                osm_id.push(id);
            }
            if current.last().is_some_and(|(last, _)| *last == v) {
                continue; // repeated node
            }
            current.push((v, coord));
        }
        flush(way, &mut current, &mut runs);
    }
    for run in &runs {
        for (v, _) in &run.nodes {
            uses[*v as usize] = uses[*v as usize].saturating_add(1);
        }
        for end in [run.nodes[0].0, run.nodes[run.nodes.len() - 1].0] {
            uses[end as usize] = uses[end as usize].saturating_add(2);
        }
    }

    // 2. Junctions and edges between them.
    let mut junction = vec![NOT_JUNCTION; uses.len()];
    let mut coords: Vec<Coord> = Vec::new();
    let mut junction_osm: Vec<i64> = Vec::new();
    let mut edges: Vec<RoadEdge> = Vec::new();
    let mut edge_way: Vec<i64> = Vec::new();
    let mut shape: Vec<Coord> = Vec::new();
    let mut junction_of = |v: u32, c: Coord, coords: &mut Vec<Coord>| {
        if junction[v as usize] == NOT_JUNCTION {
            junction[v as usize] = coords.len() as u32;
            coords.push(c);
            junction_osm.push(osm_id[v as usize]);
        }
        junction[v as usize]
    };
    for run in &runs {
        let rule = run.way.rule;
        let (v0, c0) = run.nodes[0];
        let mut from = junction_of(v0, c0, &mut coords);
        let mut start = shape.len();
        shape.push(c0);
        let mut length = 0.0;
        for pair in run.nodes.windows(2) {
            let (_, a) = pair[0];
            let (v, b) = pair[1];
            length += a.haversine_m(b);
            shape.push(b);
            if uses[v as usize] >= 2 {
                let to = junction_of(v, b, &mut coords);
                edges.push(RoadEdge {
                    from,
                    to,
                    forward: rule
                        .forward_kmh
                        .map_or(INFINITE, |s| from_length_speed(length, s)),
                    backward: rule
                        .backward_kmh
                        .map_or(INFINITE, |s| from_length_speed(length, s)),
                    shape_start: start as u32,
                    shape_end: shape.len() as u32,
                });
                edge_way.push(run.way.id);
                from = to;
                start = shape.len();
                shape.push(b);
                length = 0.0;
            }
        }
        shape.pop(); // the run ends on a junction: drop the dangling start point
    }

    // 3. Largest strongly connected component.
    let keep = largest_scc(coords.len(), &edges);
    let kept = keep.iter().filter(|k| **k).count();
    stats.dropped_nodes = coords.len() - kept;

    // 4. Renumber the kept nodes in spatial (Morton) order for memory locality.
    let mut order: Vec<u32> = (0..coords.len() as u32)
        .filter(|&v| keep[v as usize])
        .collect();
    order.sort_by_cached_key(|&v| morton(coords[v as usize]));
    let mut new_id = vec![u32::MAX; coords.len()];
    for (i, &v) in order.iter().enumerate() {
        new_id[v as usize] = i as u32;
    }
    let new_coords: Vec<Coord> = order.iter().map(|&v| coords[v as usize]).collect();
    let new_osm: Vec<i64> = order.iter().map(|&v| junction_osm[v as usize]).collect();
    let mut new_edges = Vec::with_capacity(edges.len());
    let mut new_way = Vec::with_capacity(edges.len());
    let mut new_shape = Vec::with_capacity(shape.len());
    for (e, &way) in edges.iter().zip(&edge_way) {
        if !keep[e.from as usize] || !keep[e.to as usize] {
            stats.dropped_edges += 1;
            continue;
        }
        let start = new_shape.len() as u32;
        new_shape.extend_from_slice(&shape[e.shape_start as usize..e.shape_end as usize]);
        new_edges.push(RoadEdge {
            from: new_id[e.from as usize],
            to: new_id[e.to as usize],
            shape_start: start,
            shape_end: new_shape.len() as u32,
            ..*e
        });
        new_way.push(way);
    }
    let mut forbidden = ForbiddenTurns::new();
    if restrictions {
        (forbidden, stats.turns) = resolve(&roads.restrictions, &new_edges, &new_way, &new_osm);
    }
    let net = RoadNetwork::new(new_coords, new_edges, new_shape, &forbidden);
    (net, stats)
}

/// Marks the nodes of the largest strongly connected component (petgraph's iterative
/// Kosaraju).
fn largest_scc(n: usize, edges: &[RoadEdge]) -> Vec<bool> {
    let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(n, edges.len() * 2);
    for _ in 0..n {
        g.add_node(());
    }
    for e in edges {
        let (a, b) = (e.from.into(), e.to.into());
        if e.forward != INFINITE {
            g.add_edge(a, b, ());
        }
        if e.backward != INFINITE {
            g.add_edge(b, a, ());
        }
    }
    let components = petgraph::algo::kosaraju_scc(&g);
    let mut keep = vec![false; n];
    if let Some(largest) = components.iter().max_by_key(|c| c.len()) {
        for v in largest {
            keep[v.index()] = true;
        }
    }
    keep
}

/// Z-order key of a coordinate (16 bits per axis).
fn morton(c: Coord) -> u32 {
    let x = (((c.lon + 180.0) / 360.0) * 65535.0) as u32;
    let y = (((c.lat + 90.0) / 180.0) * 65535.0) as u32;
    let spread = |mut v: u32| {
        v &= 0xFFFF;
        v = (v | (v << 8)) & 0x00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333;
        (v | (v << 1)) & 0x5555_5555
    };
    spread(x) | (spread(y) << 1)
}
