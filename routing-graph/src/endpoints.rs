//! Where searches start and end: the two ends of a snapped edge, with the partial
//! weight of the piece of edge between the snapped point and that end. One-way edges
//! can only be left forward (towards their last shape point) and entered forward. At a
//! junction expanded for turn restrictions, the node is the copy for that edge direction.

use crate::network::{edge_dir, EdgeDir, RoadNetwork};
use crate::snap::Snapped;
use crate::weight::{portion, Weight, INFINITE};

/// One start or end node of a search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Endpoint {
    /// Junction node.
    pub node: u32,
    /// Weight between the snapped point and the node.
    pub weight: Weight,
    /// Direction of the partial edge, as travelled.
    pub dir: EdgeDir,
}

/// At most two endpoints, without allocating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Endpoints {
    items: [Endpoint; 2],
    len: usize,
}

impl Endpoints {
    fn new() -> Self {
        let none = Endpoint {
            node: 0,
            weight: INFINITE,
            dir: 0,
        };
        Self {
            items: [none; 2],
            len: 0,
        }
    }

    fn push(&mut self, e: Endpoint) {
        self.items[self.len] = e;
        self.len += 1;
    }
}

impl std::ops::Deref for Endpoints {
    type Target = [Endpoint];

    fn deref(&self) -> &[Endpoint] {
        &self.items[..self.len]
    }
}

/// Nodes reachable from a snapped source (forward towards `to`, backward towards `from`).
pub(crate) fn sources(net: &RoadNetwork, s: &Snapped) -> Endpoints {
    let e = &net.edges[s.edge as usize];
    let mut out = Endpoints::new();
    if e.forward != INFINITE {
        out.push(Endpoint {
            node: net.dir_head[edge_dir(s.edge, false) as usize],
            weight: portion(e.forward, 1.0 - s.fraction),
            dir: edge_dir(s.edge, false),
        });
    }
    if e.backward != INFINITE {
        out.push(Endpoint {
            node: net.dir_head[edge_dir(s.edge, true) as usize],
            weight: portion(e.backward, s.fraction),
            dir: edge_dir(s.edge, true),
        });
    }
    out
}

/// Nodes from which a snapped target is reached.
pub(crate) fn targets(net: &RoadNetwork, t: &Snapped) -> Endpoints {
    let e = &net.edges[t.edge as usize];
    let mut out = Endpoints::new();
    if e.forward != INFINITE {
        out.push(Endpoint {
            node: net.dir_tail[edge_dir(t.edge, false) as usize],
            weight: portion(e.forward, t.fraction),
            dir: edge_dir(t.edge, false),
        });
    }
    if e.backward != INFINITE {
        out.push(Endpoint {
            node: net.dir_tail[edge_dir(t.edge, true) as usize],
            weight: portion(e.backward, 1.0 - t.fraction),
            dir: edge_dir(t.edge, true),
        });
    }
    out
}

/// Weight and direction of driving from `s` to `t` along their common edge, if they
/// share one and its direction allows it.
pub(crate) fn along_same_edge(
    net: &RoadNetwork,
    s: &Snapped,
    t: &Snapped,
) -> Option<(Weight, EdgeDir)> {
    if s.edge != t.edge {
        return None;
    }
    let e = &net.edges[s.edge as usize];
    let mut best: Option<(Weight, EdgeDir)> = None;
    if e.forward != INFINITE && t.fraction >= s.fraction {
        best = Some((
            portion(e.forward, t.fraction - s.fraction),
            edge_dir(s.edge, false),
        ));
    }
    if e.backward != INFINITE && t.fraction <= s.fraction {
        let w = portion(e.backward, s.fraction - t.fraction);
        if best.is_none_or(|(b, _)| w < b) {
            best = Some((w, edge_dir(s.edge, true)));
        }
    }
    best
}
