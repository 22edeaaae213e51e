//! Geometry: route polylines along the roads, and road polylines for map display.

use crate::coord::{BBox, Coord};
use crate::network::{EdgeDir, RoadNetwork};
use crate::snap::Snapped;
use crate::turns::TURN;

/// Appends `c` unless it repeats the last point.
fn push(out: &mut Vec<Coord>, c: Coord) {
    if out.last() != Some(&c) {
        out.push(c);
    }
}

/// The polyline of a route: source partial edge, full edges, target partial edge.
pub(crate) fn route_geometry(
    net: &RoadNetwork,
    source: &Snapped,
    source_dir: EdgeDir,
    edges: &[EdgeDir],
    target: &Snapped,
    target_dir: EdgeDir,
) -> Vec<Coord> {
    let mut out = vec![source.location];
    let shape = net.edge_shape(source.edge);
    let seg = source.segment as usize;
    if source_dir & 1 == 0 {
        shape[seg + 1..].iter().for_each(|&c| push(&mut out, c));
    } else {
        shape[..=seg].iter().rev().for_each(|&c| push(&mut out, c));
    }
    for &dir in edges.iter().filter(|&&d| d != TURN) {
        let shape = net.edge_shape(dir >> 1);
        if dir & 1 == 0 {
            shape.iter().for_each(|&c| push(&mut out, c));
        } else {
            shape.iter().rev().for_each(|&c| push(&mut out, c));
        }
    }
    let shape = net.edge_shape(target.edge);
    let seg = target.segment as usize;
    if target_dir & 1 == 0 {
        shape[..=seg].iter().for_each(|&c| push(&mut out, c));
    } else {
        shape[seg + 1..]
            .iter()
            .rev()
            .for_each(|&c| push(&mut out, c));
    }
    push(&mut out, target.location);
    out
}

/// The polyline of a trip that stays on one edge.
pub(crate) fn same_edge_geometry(
    net: &RoadNetwork,
    source: &Snapped,
    target: &Snapped,
    dir: EdgeDir,
) -> Vec<Coord> {
    let shape = net.edge_shape(source.edge);
    let (s, t) = (source.segment as usize, target.segment as usize);
    let mut out = vec![source.location];
    if dir & 1 == 0 {
        if t > s {
            shape[s + 1..=t].iter().for_each(|&c| push(&mut out, c));
        }
    } else if s > t {
        shape[t + 1..=s]
            .iter()
            .rev()
            .for_each(|&c| push(&mut out, c));
    }
    push(&mut out, target.location);
    out
}

/// A road edge as drawn on a map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadPolyline<'a> {
    /// Edge index (stable for one graph file).
    pub edge: u32,
    /// Shape points from one junction to the other.
    pub coords: &'a [Coord],
    /// Whether cars may drive along `coords` in order.
    pub forward: bool,
    /// Whether cars may drive against `coords`' order.
    pub backward: bool,
}

/// Every road edge whose bounding box overlaps `bbox`.
pub(crate) fn roads_in<'a>(
    net: &'a RoadNetwork,
    bbox: BBox,
) -> impl Iterator<Item = RoadPolyline<'a>> + 'a {
    net.edges.iter().enumerate().filter_map(move |(i, e)| {
        let coords = &net.shape[e.shape_start as usize..e.shape_end as usize];
        let edge_box = BBox::around(coords.iter().copied())?;
        edge_box.intersects(&bbox).then_some(RoadPolyline {
            edge: i as u32,
            coords,
            forward: e.forward != crate::weight::INFINITE,
            backward: e.backward != crate::weight::INFINITE,
        })
    })
}
