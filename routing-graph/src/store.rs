//! The graph file: one file holding the network and its contraction hierarchy.
//!
//! Layout (little endian): magic `FPGRAPH\0` (8 bytes), format version (u32), reserved
//! (u32), payload length (u64), CRC-32 of the payload (u32), payload. The payload is a
//! fixed sequence of arrays, each prefixed with its element count (u64). Version 2 added
//! the node each edge direction arrives at and leaves from (turn restrictions); version 3
//! gives the hierarchy's search graph its own node numbering. Loading checks
//! magic, version, length and checksum, then every index in the arrays, so that a damaged
//! or foreign file is an error, never a panic or an endless loop.

use crate::ch::{ChArc, ContractionHierarchy, UpArc, ORIGINAL};
use crate::coord::Coord;
use crate::error::StoreError;
use crate::network::{Arc, RoadEdge, RoadNetwork};
use crate::turns::TURN;
use std::path::Path;

const MAGIC: &[u8; 8] = b"FPGRAPH\0";
/// Format version written and read by this build.
pub const FORMAT_VERSION: u32 = 3;
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 4;

/// Serialises network and hierarchy into the file format.
pub(crate) fn encode(net: &RoadNetwork, ch: &ContractionHierarchy) -> Vec<u8> {
    let mut w = Vec::with_capacity(net.memory_bytes() + ch.memory_bytes() + 1024);
    put_len(&mut w, net.coords.len());
    for c in &net.coords {
        put_coord(&mut w, *c);
    }
    put_len(&mut w, net.edges.len());
    for e in &net.edges {
        for v in [e.from, e.to] {
            w.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.forward, e.backward] {
            w.extend_from_slice(&v.to_le_bytes());
        }
        for v in [e.shape_start, e.shape_end] {
            w.extend_from_slice(&v.to_le_bytes());
        }
    }
    put_len(&mut w, net.shape.len());
    for c in &net.shape {
        put_coord(&mut w, *c);
    }
    put_u32s(&mut w, &net.out_first);
    put_len(&mut w, net.out_arcs.len());
    for a in &net.out_arcs {
        w.extend_from_slice(&a.head.to_le_bytes());
        w.extend_from_slice(&a.edge_dir.to_le_bytes());
        w.extend_from_slice(&a.weight.to_le_bytes());
    }
    put_u32s(&mut w, &net.dir_head);
    put_u32s(&mut w, &net.dir_tail);
    put_u32s(&mut w, &ch.search_id);
    let sides = [
        (&ch.up_first, &ch.up, &ch.up_arc),
        (&ch.down_first, &ch.down, &ch.down_arc),
    ];
    for (first, arcs, ids) in sides {
        put_u32s(&mut w, first);
        put_len(&mut w, arcs.len());
        for (a, id) in arcs.iter().zip(ids) {
            w.extend_from_slice(&a.node.to_le_bytes());
            w.extend_from_slice(&id.to_le_bytes());
            w.extend_from_slice(&a.weight().to_le_bytes());
        }
    }
    put_len(&mut w, ch.arcs.len());
    for a in &ch.arcs {
        w.extend_from_slice(&a.first.to_le_bytes());
        w.extend_from_slice(&a.second.to_le_bytes());
    }
    let mut file = Vec::with_capacity(HEADER_LEN + w.len());
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&0u32.to_le_bytes());
    file.extend_from_slice(&(w.len() as u64).to_le_bytes());
    file.extend_from_slice(&crc32fast::hash(&w).to_le_bytes());
    file.extend_from_slice(&w);
    file
}

/// Writes the graph file (through a temporary file, renamed into place).
pub(crate) fn save(
    path: &Path,
    net: &RoadNetwork,
    ch: &ContractionHierarchy,
) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, encode(net, ch)).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Reads and validates a graph file.
pub(crate) fn load(path: &Path) -> Result<(RoadNetwork, ContractionHierarchy), StoreError> {
    let bytes = std::fs::read(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(path, &bytes)
}

/// Validates and decodes file contents (`path` is only used in errors).
pub(crate) fn decode(
    path: &Path,
    bytes: &[u8],
) -> Result<(RoadNetwork, ContractionHierarchy), StoreError> {
    let path_buf = || path.to_path_buf();
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(StoreError::NotAGraph { path: path_buf() });
    }
    if bytes.len() < HEADER_LEN {
        return Err(StoreError::Truncated {
            path: path_buf(),
            actual: bytes.len() as u64,
            expected: HEADER_LEN as u64,
        });
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != FORMAT_VERSION {
        return Err(StoreError::UnsupportedVersion {
            path: path_buf(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[16..24]);
    let payload_len = u64::from_le_bytes(len8);
    let crc = u32::from_le_bytes([bytes[24], bytes[25], bytes[26], bytes[27]]);
    let expected = (HEADER_LEN as u64).saturating_add(payload_len);
    if (bytes.len() as u64) < expected {
        return Err(StoreError::Truncated {
            path: path_buf(),
            actual: bytes.len() as u64,
            expected,
        });
    }
    if bytes.len() as u64 > expected {
        return Err(StoreError::Corrupt {
            path: path_buf(),
            what: "trailing bytes after the payload".into(),
        });
    }
    let payload = &bytes[HEADER_LEN..];
    if crc32fast::hash(payload) != crc {
        return Err(StoreError::ChecksumMismatch { path: path_buf() });
    }
    let corrupt = |what: &str| StoreError::Corrupt {
        path: path_buf(),
        what: what.to_string(),
    };
    let mut r = Reader { bytes: payload };
    let (net, ch) =
        read_all(&mut r).ok_or_else(|| corrupt("an array runs past the end of the file"))?;
    if !r.bytes.is_empty() {
        return Err(corrupt("unread bytes at the end of the payload"));
    }
    validate(&net, &ch).map_err(corrupt)?;
    Ok((net, ch))
}

fn read_all(r: &mut Reader) -> Option<(RoadNetwork, ContractionHierarchy)> {
    let coords = r.array(16, |r| r.coord())?;
    let edges = r.array(32, |r| {
        Some(RoadEdge {
            from: r.u32()?,
            to: r.u32()?,
            forward: r.u64()?,
            backward: r.u64()?,
            shape_start: r.u32()?,
            shape_end: r.u32()?,
        })
    })?;
    let shape = r.array(16, |r| r.coord())?;
    let out_first = r.array(4, |r| r.u32())?;
    let out_arcs = r.array(16, |r| {
        Some(Arc {
            head: r.u32()?,
            edge_dir: r.u32()?,
            weight: r.u64()?,
        })
    })?;
    let dir_head = r.array(4, |r| r.u32())?;
    let dir_tail = r.array(4, |r| r.u32())?;
    let search_id = r.array(4, |r| r.u32())?;
    let up_arc = |r: &mut Reader| {
        Some(UpArc {
            node: r.u32()?,
            arc: r.u32()?,
            weight: r.u64()?,
        })
    };
    let up_first = r.array(4, |r| r.u32())?;
    let up = r.array(16, up_arc)?;
    let down_first = r.array(4, |r| r.u32())?;
    let down = r.array(16, up_arc)?;
    let arcs = r.array(8, |r| {
        Some(ChArc {
            first: r.u32()?,
            second: r.u32()?,
        })
    })?;
    Some((
        RoadNetwork {
            coords,
            edges,
            shape,
            out_first,
            out_arcs,
            dir_head,
            dir_tail,
        },
        ContractionHierarchy::new(search_id, (up_first, up), (down_first, down), arcs),
    ))
}

/// Checks every index so that queries on a loaded graph cannot go out of bounds.
fn validate(net: &RoadNetwork, ch: &ContractionHierarchy) -> Result<(), &'static str> {
    let n = net.coords.len();
    let edge_ok = |dir: u32| dir == TURN || ((dir >> 1) as usize) < net.edges.len();
    let csr_ok = |first: &[u32], len: usize| {
        first.len() == n + 1
            && first.first() == Some(&0)
            && first.last().is_some_and(|&l| l as usize == len)
            && first.windows(2).all(|w| w[0] <= w[1])
    };
    if !net.coords.iter().chain(&net.shape).all(|c| c.is_valid()) {
        return Err("invalid coordinate");
    }
    for e in &net.edges {
        if e.from as usize >= n
            || e.to as usize >= n
            || e.shape_start > e.shape_end
            || e.shape_end as usize > net.shape.len()
            || e.shape_end - e.shape_start < 2
        {
            return Err("edge out of range");
        }
    }
    if !csr_ok(&net.out_first, net.out_arcs.len())
        || !net
            .out_arcs
            .iter()
            .all(|a| (a.head as usize) < n && edge_ok(a.edge_dir))
    {
        return Err("bad adjacency");
    }
    let dirs = net.edges.len() * 2;
    if net.dir_head.len() != dirs
        || net.dir_tail.len() != dirs
        || !net
            .dir_head
            .iter()
            .chain(&net.dir_tail)
            .all(|&v| (v as usize) < n)
    {
        return Err("bad edge ends");
    }
    let mut seen = vec![false; n];
    for &r in &ch.search_id {
        match seen.get_mut(r as usize) {
            Some(s) if !*s => *s = true,
            _ => return Err("search ids are not a permutation"),
        }
    }
    if ch.search_id.len() != n
        || !csr_ok(&ch.up_first, ch.up.len())
        || !csr_ok(&ch.down_first, ch.down.len())
        || !ch.up.iter().chain(&ch.down).all(|a| (a.node as usize) < n)
        || !ch
            .up_arc
            .iter()
            .chain(&ch.down_arc)
            .all(|&a| (a as usize) < ch.arcs.len())
    {
        return Err("bad hierarchy");
    }
    // Shortcut halves must be older arcs: unpacking then always terminates.
    for (i, a) in ch.arcs.iter().enumerate() {
        let ok = if a.first == ORIGINAL {
            edge_ok(a.second)
        } else {
            (a.first as usize) < i && (a.second as usize) < i
        };
        if !ok {
            return Err("bad shortcut");
        }
    }
    Ok(())
}

fn put_len(w: &mut Vec<u8>, n: usize) {
    w.extend_from_slice(&(n as u64).to_le_bytes());
}

fn put_u32s(w: &mut Vec<u8>, v: &[u32]) {
    put_len(w, v.len());
    for x in v {
        w.extend_from_slice(&x.to_le_bytes());
    }
}

fn put_coord(w: &mut Vec<u8>, c: Coord) {
    w.extend_from_slice(&c.lon.to_le_bytes());
    w.extend_from_slice(&c.lat.to_le_bytes());
}

/// Bounds-checked little-endian reader.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.bytes.split_first_chunk::<N>()?;
        self.bytes = rest;
        Some(*head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn coord(&mut self) -> Option<Coord> {
        let lon = f64::from_le_bytes(self.take()?);
        let lat = f64::from_le_bytes(self.take()?);
        Some(Coord::new(lon, lat))
    }

    /// A count-prefixed array of `elem_size`-byte elements.
    fn array<T>(
        &mut self,
        elem_size: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let count = usize::try_from(self.u64()?).ok()?;
        if count.checked_mul(elem_size)? > self.bytes.len() {
            return None;
        }
        (0..count).map(|_| item(self)).collect()
    }
}
