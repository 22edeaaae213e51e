//! Node ordering and contraction.
//!
//! Priority of a node (scaled by 1000): `edge difference + level + 2 × shortcuts added /
//! arcs removed + hops added / hops removed`, where the edge difference is shortcuts
//! added minus arcs removed, the level is the node's depth in the hierarchy so far and
//! the hops of an arc are the road arcs it stands for. On Liechtenstein this gave 19 %
//! fewer shortcuts and about 10 % faster queries than `4 × edge difference + 2 ×
//! deleted neighbours + level` (the quotients favour nodes whose contraction keeps the
//! search graph sparse, the hop terms keep shortcuts short). The queue is updated lazily: a popped node's priority
//! is recomputed and the node re-queued if it is no longer the minimum; neighbours of a
//! contracted node are recomputed right away. Witness searches are Dijkstra searches
//! bounded by the shortcut weight and by a number of settled nodes; a missed witness
//! only adds a superfluous shortcut.

use super::{ChArc, ContractionHierarchy, UpArc, ORIGINAL};
use crate::network::{csr_offsets, RoadNetwork};
use crate::weight::{Weight, INFINITE};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Settled-node bound of witness searches while estimating priorities.
const SIMULATION_SETTLE_LIMIT: usize = 60;
/// Settled-node bound of witness searches when actually contracting.
const CONTRACTION_SETTLE_LIMIT: usize = 500;

#[derive(Debug, Clone, Copy)]
struct DynArc {
    node: u32,
    weight: Weight,
    arc: u32,
}

/// Dijkstra state of witness searches.
struct Witness {
    dist: Vec<Weight>,
    stamp: Vec<u32>,
    round: u32,
    heap: BinaryHeap<Reverse<(Weight, u32)>>,
}

impl Witness {
    fn new(n: usize) -> Self {
        Self {
            dist: vec![INFINITE; n],
            stamp: vec![0; n],
            round: 0,
            heap: BinaryHeap::new(),
        }
    }

    fn dist(&self, v: u32) -> Weight {
        if self.stamp[v as usize] == self.round {
            self.dist[v as usize]
        } else {
            INFINITE
        }
    }

    /// Bounded search from `source` avoiding `skip`.
    fn run(&mut self, out: &[Vec<DynArc>], source: u32, skip: u32, max: Weight, limit: usize) {
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.stamp.fill(0);
            self.round = 1;
        }
        self.heap.clear();
        self.dist[source as usize] = 0;
        self.stamp[source as usize] = self.round;
        self.heap.push(Reverse((0, source)));
        let mut settled = 0;
        while let Some(Reverse((d, v))) = self.heap.pop() {
            if d > self.dist(v) {
                continue;
            }
            if d > max || settled >= limit {
                break;
            }
            settled += 1;
            for a in &out[v as usize] {
                if a.node == skip {
                    continue;
                }
                let nd = d + a.weight;
                if nd < self.dist(a.node) {
                    self.dist[a.node as usize] = nd;
                    self.stamp[a.node as usize] = self.round;
                    self.heap.push(Reverse((nd, a.node)));
                }
            }
        }
    }
}

struct Contractor {
    out: Vec<Vec<DynArc>>,
    inn: Vec<Vec<DynArc>>,
    arcs: Vec<ChArc>,
    level: Vec<u32>,
    /// Road arcs each arc stands for.
    hops: Vec<u32>,
}

impl Contractor {
    fn new(net: &RoadNetwork) -> Self {
        let n = net.node_count();
        let mut c = Contractor {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
            arcs: Vec::with_capacity(net.out_arcs.len() * 2),
            level: vec![0; n],
            hops: Vec::with_capacity(net.out_arcs.len() * 2),
        };
        for v in 0..n as u32 {
            for a in net.out(v) {
                let arc = c.arcs.len() as u32;
                c.arcs.push(ChArc {
                    first: ORIGINAL,
                    second: a.edge_dir,
                });
                c.hops.push(1);
                c.add_or_improve(v, a.head, a.weight, arc);
            }
        }
        c
    }

    /// Adds arc `u -> w` unless an arc at most as heavy exists.
    fn add_or_improve(&mut self, u: u32, w: u32, weight: Weight, arc: u32) {
        if let Some(existing) = self.out[u as usize].iter_mut().find(|a| a.node == w) {
            if weight < existing.weight {
                existing.weight = weight;
                existing.arc = arc;
                if let Some(back) = self.inn[w as usize].iter_mut().find(|a| a.node == u) {
                    back.weight = weight;
                    back.arc = arc;
                }
            }
            return;
        }
        self.out[u as usize].push(DynArc {
            node: w,
            weight,
            arc,
        });
        self.inn[w as usize].push(DynArc {
            node: u,
            weight,
            arc,
        });
    }

    /// Calls `found(u, w, weight, arc_uv, arc_vw)` for each shortcut contracting `v` needs.
    fn shortcuts(
        &self,
        v: u32,
        witness: &mut Witness,
        limit: usize,
        mut found: impl FnMut(u32, u32, Weight, u32, u32),
    ) {
        let outs = &self.out[v as usize];
        let Some(max_out) = outs.iter().map(|a| a.weight).max() else {
            return;
        };
        for uv in &self.inn[v as usize] {
            if outs.iter().all(|vw| vw.node == uv.node) {
                continue;
            }
            witness.run(&self.out, uv.node, v, uv.weight + max_out, limit);
            for vw in outs {
                if vw.node == uv.node {
                    continue;
                }
                let via = uv.weight + vw.weight;
                if witness.dist(vw.node) > via {
                    found(uv.node, vw.node, via, uv.arc, vw.arc);
                }
            }
        }
    }

    fn priority(&self, v: u32, witness: &mut Witness) -> i64 {
        let mut added = 0i64;
        let mut hops_added = 0i64;
        self.shortcuts(v, witness, SIMULATION_SETTLE_LIMIT, |_, _, _, a, b| {
            added += 1;
            hops_added += i64::from(self.hops[a as usize] + self.hops[b as usize]);
        });
        let arcs = self.out[v as usize].iter().chain(&self.inn[v as usize]);
        let removed = (self.out[v as usize].len() + self.inn[v as usize].len()) as i64;
        let hops_removed: i64 = arcs.map(|a| i64::from(self.hops[a.arc as usize])).sum();
        1000 * (added - removed + i64::from(self.level[v as usize]))
            + 2000 * added / removed.max(1)
            + 1000 * hops_added / hops_removed.max(1)
    }

    /// Contracts `v`: records its remaining arcs as upward arcs and adds shortcuts.
    fn contract(
        &mut self,
        v: u32,
        witness: &mut Witness,
        up: &mut Vec<(u32, UpArc)>,
        down: &mut Vec<(u32, UpArc)>,
    ) -> Vec<u32> {
        let mut new = Vec::new();
        self.shortcuts(
            v,
            witness,
            CONTRACTION_SETTLE_LIMIT,
            |u, w, weight, a, b| new.push((u, w, weight, a, b)),
        );
        let outs = std::mem::take(&mut self.out[v as usize]);
        let inns = std::mem::take(&mut self.inn[v as usize]);
        for a in &outs {
            up.push((
                v,
                UpArc {
                    node: a.node,
                    arc: a.arc,
                    weight: a.weight,
                },
            ));
            self.inn[a.node as usize].retain(|b| b.node != v);
        }
        for a in &inns {
            down.push((
                v,
                UpArc {
                    node: a.node,
                    arc: a.arc,
                    weight: a.weight,
                },
            ));
            self.out[a.node as usize].retain(|b| b.node != v);
        }
        for (u, w, weight, a, b) in new {
            let arc = self.arcs.len() as u32;
            self.arcs.push(ChArc {
                first: a,
                second: b,
            });
            self.hops
                .push(self.hops[a as usize] + self.hops[b as usize]);
            self.add_or_improve(u, w, weight, arc);
        }
        let mut neighbours: Vec<u32> = outs.iter().chain(&inns).map(|a| a.node).collect();
        neighbours.sort_unstable();
        neighbours.dedup();
        for &x in &neighbours {
            self.level[x as usize] = self.level[x as usize].max(self.level[v as usize] + 1);
        }
        neighbours
    }
}

/// Builds the hierarchy; `progress(done, total)` is called now and then.
pub(crate) fn contract(
    net: &RoadNetwork,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> ContractionHierarchy {
    let n = net.node_count();
    let mut c = Contractor::new(net);
    let nodes: Vec<u32> = (0..n as u32).collect();
    let mut priority: Vec<i64> = nodes
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            let mut witness = Witness::new(n);
            chunk
                .iter()
                .map(|&v| c.priority(v, &mut witness))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut queue: BinaryHeap<Reverse<(i64, u32)>> = nodes
        .iter()
        .map(|&v| Reverse((priority[v as usize], v)))
        .collect();
    let mut witness = Witness::new(n);
    let mut rank = vec![u32::MAX; n];
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let mut done = 0usize;
    while let Some(Reverse((p, v))) = queue.pop() {
        if rank[v as usize] != u32::MAX || p != priority[v as usize] {
            continue;
        }
        let fresh = c.priority(v, &mut witness);
        if queue.peek().is_some_and(|Reverse((next, _))| fresh > *next) {
            priority[v as usize] = fresh;
            queue.push(Reverse((fresh, v)));
            continue;
        }
        rank[v as usize] = done as u32;
        done += 1;
        if done & 4095 == 0 {
            progress(done, n);
        }
        for x in c.contract(v, &mut witness, &mut up, &mut down) {
            let p = c.priority(x, &mut witness);
            priority[x as usize] = p;
            queue.push(Reverse((p, x)));
        }
    }
    progress(n, n);
    let search_id = search_ids(&rank, &net.coords);
    let by_id = |list: Vec<(u32, UpArc)>| -> Vec<(u32, UpArc)> {
        list.into_iter()
            .map(|(v, a)| {
                let node = search_id[a.node as usize];
                (search_id[v as usize], UpArc { node, ..a })
            })
            .collect()
    };
    let (up, down) = (into_csr(n, by_id(up)), into_csr(n, by_id(down)));
    ContractionHierarchy::new(search_id, up, down, c.arcs)
}

/// Denominator of the share of nodes, the highest-ranked, numbered in rank order.
const TOP_SHARE: usize = 8;

/// Numbers the search graph: the highest-ranked eighth of the nodes, which nearly every
/// search reaches, last and in rank order, as one contiguous block that stays in cache;
/// the others before it along a Hilbert curve over their coordinates. A search starts
/// low in the hierarchy, where the nodes it settles lie close to its start, so on the
/// curve their labels and arcs share cache lines; numbered by rank they were scattered
/// over the arrays, and a stream of distinct queries paid a cache miss for nearly every
/// low node. Any numbering is correct: upward and downward come from the arcs, not ids.
fn search_ids(rank: &[u32], coords: &[crate::coord::Coord]) -> Vec<u32> {
    let n = rank.len();
    let top = n - n / TOP_SHARE;
    let (mut min, mut max) = ([f64::MAX; 2], [f64::MIN; 2]);
    for c in coords.iter().take(n) {
        for (k, x) in [c.lon, c.lat].into_iter().enumerate() {
            min[k] = min[k].min(x);
            max[k] = max[k].max(x);
        }
    }
    let cell = |x: f64, k: usize| -> u32 {
        let span = (max[k] - min[k]).max(1e-12);
        (((x - min[k]) / span) * 65535.0)
            .round()
            .clamp(0.0, 65535.0) as u32
    };
    let key = |v: usize| -> (bool, u64) {
        let r = rank[v] as usize;
        match coords.get(v) {
            Some(c) if r < top => (false, hilbert(cell(c.lon, 0), cell(c.lat, 1))),
            _ => (true, r as u64),
        }
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&v| key(v as usize));
    let mut id = vec![0u32; n];
    for (i, &v) in order.iter().enumerate() {
        id[v as usize] = i as u32;
    }
    id
}

/// Position of cell `(x, y)` (each below 2^16) on the Hilbert curve filling the square:
/// two bits per level, the quadrant, with the coordinates turned so that the curve
/// through the quadrant joins its neighbours. Hand-written: a few lines, not worth a
/// dependency.
fn hilbert(mut x: u32, mut y: u32) -> u64 {
    const LAST: u32 = (1 << 16) - 1;
    let mut d = 0u64;
    let mut s = 1u32 << 15;
    while s > 0 {
        let (rx, ry) = (u32::from(x & s != 0), u32::from(y & s != 0));
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                (x, y) = (LAST - x, LAST - y);
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

fn into_csr(n: usize, mut list: Vec<(u32, UpArc)>) -> (Vec<u32>, Vec<UpArc>) {
    list.sort_by_key(|(v, a)| (*v, a.node));
    let first = csr_offsets(n, list.iter().map(|(v, _)| *v));
    (first, list.into_iter().map(|(_, a)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coord::Coord;

    /// The first 4^k positions of the curve fill the 2^k × 2^k corner square, each step
    /// to an adjacent cell.
    #[test]
    fn hilbert_walks_adjacent_cells() {
        let mut cells: Vec<(u64, u32, u32)> = (0..16)
            .flat_map(|x| (0..16).map(move |y| (hilbert(x, y), x, y)))
            .collect();
        cells.sort_unstable();
        for (i, w) in cells.windows(2).enumerate() {
            assert_eq!(w[0].0, i as u64);
            assert_eq!(
                w[0].1.abs_diff(w[1].1) + w[0].2.abs_diff(w[1].2),
                1,
                "{w:?}"
            );
        }
        assert_eq!(cells[255].0, 255);
    }

    /// Search ids are a permutation with the top eighth of the ranks last, in rank order.
    #[test]
    fn search_ids_keep_the_top_in_rank_order() {
        let n = 64u32;
        let rank: Vec<u32> = (0..n).map(|v| (v * 37) % n).collect();
        let coords: Vec<Coord> = (0..n)
            .map(|v| {
                Coord::new(
                    9.5 + f64::from(v % 8) * 0.01,
                    47.1 + f64::from(v / 8) * 0.01,
                )
            })
            .collect();
        let id = search_ids(&rank, &coords);
        let mut seen = id.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        let top = n - n / TOP_SHARE as u32;
        for v in 0..n as usize {
            if rank[v] >= top {
                assert_eq!(id[v], rank[v], "top node {v} keeps its rank");
            } else {
                assert!(id[v] < top);
            }
        }
    }
}
