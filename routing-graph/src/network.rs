//! The road network in flat arrays: junction nodes, road edges with shape geometry, and
//! a CSR (compressed sparse row) adjacency of the directed arcs.
//!
//! Hand-written rather than `petgraph`: the query code needs a cache-friendly,
//! index-based layout that can be written to and read from one file as plain arrays.

use crate::coord::{BBox, Coord};
use crate::weight::{Weight, INFINITE};

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
    /// Road edge and direction travelled.
    pub edge_dir: EdgeDir,
    /// Cost.
    pub weight: Weight,
}

/// Junctions, edges, shapes and the forward adjacency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoadNetwork {
    /// Position of each junction node.
    pub coords: Vec<Coord>,
    /// Road edges.
    pub edges: Vec<RoadEdge>,
    /// Shape points of all edges, each edge's run including both end junctions.
    pub shape: Vec<Coord>,
    /// CSR offsets: arcs leaving node `v` are `out_arcs[out_first[v]..out_first[v + 1]]`.
    pub out_first: Vec<u32>,
    /// Arcs grouped by tail node.
    pub out_arcs: Vec<Arc>,
}

impl RoadNetwork {
    /// Builds the adjacency from nodes, edges and shapes.
    pub fn new(coords: Vec<Coord>, edges: Vec<RoadEdge>, shape: Vec<Coord>) -> Self {
        let n = coords.len();
        let mut arcs: Vec<(u32, Arc)> = Vec::with_capacity(edges.len() * 2);
        for (i, e) in edges.iter().enumerate() {
            if e.from == e.to {
                continue; // a loop never shortens a path between junctions
            }
            let i = i as u32;
            if e.forward != INFINITE {
                arcs.push((
                    e.from,
                    Arc {
                        head: e.to,
                        edge_dir: edge_dir(i, false),
                        weight: e.forward,
                    },
                ));
            }
            if e.backward != INFINITE {
                arcs.push((
                    e.to,
                    Arc {
                        head: e.from,
                        edge_dir: edge_dir(i, true),
                        weight: e.backward,
                    },
                ));
            }
        }
        arcs.sort_by_key(|(tail, a)| (*tail, a.head));
        let out_first = csr_offsets(n, arcs.iter().map(|(tail, _)| *tail));
        let out_arcs = arcs.into_iter().map(|(_, a)| a).collect();
        Self {
            coords,
            edges,
            shape,
            out_first,
            out_arcs,
        }
    }

    /// Number of junction nodes.
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
    }

    /// Bytes held by the arrays.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        self.coords.capacity() * size_of::<Coord>()
            + self.edges.capacity() * size_of::<RoadEdge>()
            + self.shape.capacity() * size_of::<Coord>()
            + self.out_first.capacity() * size_of::<u32>()
            + self.out_arcs.capacity() * size_of::<Arc>()
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
