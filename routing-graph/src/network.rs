//! The road network in flat arrays: junction nodes, road edges with shape geometry, and
//! a CSR (compressed sparse row) adjacency of the directed arcs.
//!
//! Hand-written rather than `petgraph`: the query code needs a cache-friendly,
//! index-based layout that can be written to and read from one file as plain arrays.

use crate::coord::{BBox, Coord};
use crate::turns::{drivable, ForbiddenTurns, TURN};
use crate::weight::Weight;
use std::collections::HashMap;

/// A road edge between two junctions, following (part of) one OSM way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RoadEdge {
    /// Junction at the first shape point.
    pub from: u32,
    /// Junction at the last shape point.
    pub to: u32,
    /// Weight from `from` to `to`, [`INFINITE`] if forbidden.
    pub forward: Weight,
    /// Weight from `to` to `from`, [`INFINITE`] if forbidden.
    pub backward: Weight,
    /// First shape point (index into [`RoadNetwork::shape`]).
    pub shape_start: u32,
    /// One past the last shape point.
    pub shape_end: u32,
}

/// One direction of a road edge: `edge << 1 | reversed`.
pub(crate) type EdgeDir = u32;

/// Builds an [`EdgeDir`].
pub(crate) fn edge_dir(edge: u32, reversed: bool) -> EdgeDir {
    edge << 1 | u32::from(reversed)
}

/// A directed arc of the CSR adjacency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Arc {
    /// Node reached.
    pub head: u32,
    /// Road edge and direction travelled, or [`TURN`] inside an expanded junction.
    pub edge_dir: EdgeDir,
    /// Cost.
    pub weight: Weight,
}

/// Junctions, edges, shapes and the forward adjacency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoadNetwork {
    /// Position of each node: the junctions, then the copies of restricted junctions
    /// (see [`crate::turns`]).
    pub coords: Vec<Coord>,
    /// Road edges.
    pub edges: Vec<RoadEdge>,
    /// Shape points of all edges, each edge's run including both end junctions.
    pub shape: Vec<Coord>,
    /// CSR offsets: arcs leaving node `v` are `out_arcs[out_first[v]..out_first[v + 1]]`.
    pub out_first: Vec<u32>,
    /// Arcs grouped by tail node.
    pub out_arcs: Vec<Arc>,
    /// Node reached by each [`EdgeDir`] (its head junction, or that junction's in-copy).
    pub dir_head: Vec<u32>,
    /// Node each [`EdgeDir`] leaves from (its tail junction, or that junction's out-copy).
    pub dir_tail: Vec<u32>,
}

impl RoadNetwork {
    /// Builds the adjacency from junctions, edges and shapes, expanding the junctions
    /// with forbidden turns into in- and out-copies joined by the allowed turns.
    pub fn new(
        mut coords: Vec<Coord>,
        edges: Vec<RoadEdge>,
        shape: Vec<Coord>,
        forbidden: &ForbiddenTurns,
    ) -> Self {
        let dirs = edges.len() as u32 * 2;
        let mut dir_tail = Vec::with_capacity(dirs as usize);
        let mut dir_head = Vec::with_capacity(dirs as usize);
        for e in &edges {
            dir_tail.extend([e.from, e.to]);
            dir_head.extend([e.to, e.from]);
        }
        let mut incident: HashMap<u32, (Vec<EdgeDir>, Vec<EdgeDir>)> =
            forbidden.keys().map(|&v| (v, Default::default())).collect();
        // Loops get copies too: a snapped point on one must still reach the junction.
        let open = |d: u32| {
            let e = &edges[(d >> 1) as usize];
            (if d & 1 == 0 { e.forward } else { e.backward }) != crate::weight::INFINITE
        };
        for d in (0..dirs).filter(|&d| open(d)) {
            if let Some((arriving, _)) = incident.get_mut(&dir_head[d as usize]) {
                arriving.push(d);
            }
            if let Some((_, leaving)) = incident.get_mut(&dir_tail[d as usize]) {
                leaving.push(d);
            }
        }
        let mut arcs: Vec<(u32, Arc)> = Vec::with_capacity(edges.len() * 2);
        for (&v, turns) in forbidden {
            let Some((arriving, leaving)) = incident.get(&v) else {
                continue;
            };
            let c = coords[v as usize];
            let first_in = coords.len() as u32;
            for (k, &d) in arriving.iter().enumerate() {
                dir_head[d as usize] = first_in + k as u32;
                coords.push(c);
            }
            let first_out = coords.len() as u32;
            for (k, &d) in leaving.iter().enumerate() {
                dir_tail[d as usize] = first_out + k as u32;
                coords.push(c);
            }
            for (i, &a) in arriving.iter().enumerate() {
                for (j, &b) in leaving.iter().enumerate() {
                    if !turns.contains(&(a, b)) {
                        let head = first_out + j as u32;
                        let (edge_dir, weight) = (TURN, 0);
                        arcs.push((
                            first_in + i as u32,
                            Arc {
                                head,
                                edge_dir,
                                weight,
                            },
                        ));
                    }
                }
            }
        }
        for d in (0..dirs).filter(|&d| drivable(&edges, d)) {
            let e = &edges[(d >> 1) as usize];
            let weight = if d & 1 == 0 { e.forward } else { e.backward };
            arcs.push((
                dir_tail[d as usize],
                Arc {
                    head: dir_head[d as usize],
                    edge_dir: d,
                    weight,
                },
            ));
        }
        arcs.sort_by_key(|(tail, a)| (*tail, a.head, a.edge_dir));
        let out_first = csr_offsets(coords.len(), arcs.iter().map(|(tail, _)| *tail));
        let out_arcs = arcs.into_iter().map(|(_, a)| a).collect();
        Self {
            coords,
            edges,
            shape,
            out_first,
            out_arcs,
            dir_head,
            dir_tail,
        }
    }

    /// Number of nodes (junctions and copies of restricted junctions).
    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    /// Arcs leaving `v`.
    #[inline]
    pub fn out(&self, v: u32) -> &[Arc] {
        let v = v as usize;
        &self.out_arcs[self.out_first[v] as usize..self.out_first[v + 1] as usize]
    }

    /// Shape points of an edge in its stored order.
    pub fn edge_shape(&self, edge: u32) -> &[Coord] {
        let e = &self.edges[edge as usize];
        &self.shape[e.shape_start as usize..e.shape_end as usize]
    }

    /// Bounding box of all shape points.
    pub fn bbox(&self) -> Option<BBox> {
        BBox::around(self.shape.iter().copied())
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.coords.shrink_to_fit();
        self.edges.shrink_to_fit();
        self.shape.shrink_to_fit();
        self.out_first.shrink_to_fit();
        self.out_arcs.shrink_to_fit();
        self.dir_head.shrink_to_fit();
        self.dir_tail.shrink_to_fit();
    }

    /// Bytes held by the arrays.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        self.coords.capacity() * size_of::<Coord>()
            + self.edges.capacity() * size_of::<RoadEdge>()
            + self.shape.capacity() * size_of::<Coord>()
            + self.out_first.capacity() * size_of::<u32>()
            + self.out_arcs.capacity() * size_of::<Arc>()
            + (self.dir_head.capacity() + self.dir_tail.capacity()) * size_of::<u32>()
    }
}

/// CSR offsets for `n` rows from the (sorted) row of each entry.
pub(crate) fn csr_offsets(n: usize, rows: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut first = vec![0u32; n + 1];
    for r in rows {
        first[r as usize + 1] += 1;
    }
    for i in 0..n {
        first[i + 1] += first[i];
    }
    first
}
