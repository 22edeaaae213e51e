//! Reads the drivable ways and their node coordinates from an `.osm.pbf` file.
//!
//! One pass over the file: blobs are read sequentially (I/O) and decoded in parallel
//! with rayon (decompression and protobuf parsing are the expensive part). All node
//! coordinates of the extract are kept until the ways are resolved, which is fine for
//! regional extracts.

use super::profile::{car_rule, WayRule};
use super::restriction::{self, Parsed, TurnRestriction};
use crate::coord::Coord;
use crate::error::ImportError;
use osmpbf::{BlobDecode, BlobReader, BlobType, PrimitiveBlock, RelMemberType};
use rayon::prelude::*;
use std::fs::File;
use std::io::BufReader;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// A way a car may drive on.
#[derive(Debug, Clone)]
pub struct RoadWay {
    /// OSM way id.
    pub id: i64,
    /// OSM node ids in way order.
    pub nodes: Vec<i64>,
    /// Directions and speeds.
    pub rule: WayRule,
}

/// The drivable part of an extract.
#[derive(Debug, Default)]
pub struct OsmRoads {
    /// Drivable ways.
    pub ways: Vec<RoadWay>,
    /// All node coordinates, sorted by id.
    nodes: Vec<(i64, Coord)>,
    /// Number of `highway=*` ways seen (drivable or not).
    pub highway_ways: usize,
    /// Supported turn restrictions for cars.
    pub restrictions: Vec<TurnRestriction>,
    /// Turn restrictions for cars in a form that is not modelled (via ways, conditional).
    pub unsupported_restrictions: usize,
}

impl OsmRoads {
    /// Coordinate of an OSM node, `None` if the node is not in the extract.
    pub fn coord(&self, id: i64) -> Option<Coord> {
        self.nodes
            .binary_search_by_key(&id, |(node, _)| *node)
            .ok()
            .map(|i| self.nodes[i].1)
    }

    /// Number of OSM nodes read.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    fn merge(mut self, mut other: OsmRoads) -> OsmRoads {
        if self.ways.len() < other.ways.len() {
            std::mem::swap(&mut self.ways, &mut other.ways);
        }
        self.ways.append(&mut other.ways);
        if self.nodes.len() < other.nodes.len() {
            std::mem::swap(&mut self.nodes, &mut other.nodes);
        }
        self.nodes.append(&mut other.nodes);
        self.highway_ways += other.highway_ways;
        self.restrictions.append(&mut other.restrictions);
        self.unsupported_restrictions += other.unsupported_restrictions;
        self
    }
}

/// Reads `path`. Damaged input gives [`ImportError::Malformed`], never a panic.
pub fn read_roads(path: &Path) -> Result<OsmRoads, ImportError> {
    let malformed = |message: String| ImportError::Malformed {
        path: path.to_path_buf(),
        message,
    };
    let file = File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let blobs = BlobReader::new(BufReader::new(file))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| malformed(e.to_string()))?;
    match blobs.first().map(|b| b.get_type()) {
        Some(BlobType::OsmHeader) => {}
        _ => {
            return Err(malformed(
                "it does not start with an OSMHeader block".into(),
            ))
        }
    }

    // osmpbf decodes string-table indices and enum values from the file without
    // checking all of them, so a damaged block can panic inside the decoder. We
    // validate what we can (framing, header block) and, as the last resort, turn a
    // decoder panic into an error here instead of letting it abort the caller.
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        blobs
            .par_iter()
            .map(|blob| match blob.decode() {
                Ok(BlobDecode::OsmData(block)) => Ok(read_block(&block)),
                Ok(_) => Ok(OsmRoads::default()),
                Err(e) => Err(e.to_string()),
            })
            .try_reduce(OsmRoads::default, |a, b| Ok(a.merge(b)))
    }));
    let mut roads = match decoded {
        Ok(Ok(roads)) => roads,
        Ok(Err(message)) => return Err(malformed(message)),
        Err(_) => return Err(malformed("the OSM decoder failed on damaged data".into())),
    };
    roads.nodes.par_sort_unstable_by_key(|(id, _)| *id);
    roads.ways.par_sort_unstable_by_key(|w| w.id);
    roads.restrictions.sort_unstable_by_key(|r| r.id);
    Ok(roads)
}

fn read_block(block: &PrimitiveBlock) -> OsmRoads {
    let mut out = OsmRoads::default();
    for group in block.groups() {
        out.nodes.extend(
            group
                .dense_nodes()
                .map(|n| (n.id(), Coord::new(n.lon(), n.lat()))),
        );
        out.nodes.extend(
            group
                .nodes()
                .map(|n| (n.id(), Coord::new(n.lon(), n.lat()))),
        );
        for way in group.ways() {
            let tags: Vec<(&str, &str)> = way.tags().collect();
            let tag = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
            if tag("highway").is_none() {
                continue;
            }
            out.highway_ways += 1;
            if let Some(rule) = car_rule(tag) {
                out.ways.push(RoadWay {
                    id: way.id(),
                    nodes: way.refs().collect(),
                    rule,
                });
            }
        }
        for rel in group.relations() {
            let tags: Vec<(&str, &str)> = rel.tags().collect();
            let tag = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
            if tag("type") != Some("restriction") {
                continue;
            }
            let members: Vec<restriction::Member> = rel
                .members()
                .map(|m| {
                    (
                        m.role().unwrap_or(""),
                        m.member_type == RelMemberType::Node,
                        m.member_type == RelMemberType::Way,
                        m.member_id,
                    )
                })
                .collect();
            match restriction::parse(rel.id(), tag, &members) {
                Parsed::Supported(r) => out.restrictions.push(r),
                Parsed::Unsupported => out.unsupported_restrictions += 1,
                Parsed::Ignored => {}
            }
        }
    }
    out
}
