//! The graph file: round trip, and clear errors for foreign, damaged or truncated files.

mod common;

use common::{monaco, random_snapped};
use routing_graph::{RoadGraph, StoreError, TravelEstimator, FORMAT_VERSION};
use std::path::Path;

fn saved(dir: &Path) -> (std::path::PathBuf, Vec<u8>) {
    let path = dir.join("monaco.graph");
    monaco().save(&path).expect("save");
    let bytes = std::fs::read(&path).expect("read");
    (path, bytes)
}

#[test]
fn save_load_round_trip_gives_identical_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _) = saved(dir.path());
    let g = monaco();
    let loaded = RoadGraph::load(&path).expect("load");
    assert_eq!(loaded.node_count(), g.node_count());
    assert_eq!(loaded.edge_count(), g.edge_count());
    assert_eq!(loaded.memory_bytes(), g.memory_bytes());
    // Hub labels are not in the file: loading rebuilds the same ones.
    assert!(loaded.has_hub_labels());
    let (a, b) = (g.hub_label_stats(), loaded.hub_label_stats());
    assert_eq!(
        a.map(|s| (s.entries, s.memory_bytes)),
        b.map(|s| (s.entries, s.memory_bytes))
    );
    let points = random_snapped(g, 100, 21);
    for pair in points.chunks(2) {
        let a = g.route(pair[0].input, pair[1].input).expect("route");
        let b = loaded.route(pair[0].input, pair[1].input).expect("route");
        assert_eq!(a, b);
        let b_snapped = (loaded.snap(pair[0].input), loaded.snap(pair[1].input));
        let (Ok(s), Ok(t)) = b_snapped else {
            panic!("points snap on the loaded graph")
        };
        assert_eq!(loaded.travel(&s, &t), g.travel(&pair[0], &pair[1]));
    }
    let coords: Vec<_> = points.iter().map(|p| p.input).collect();
    assert_eq!(
        g.matrix(&coords, &coords).ok(),
        loaded.matrix(&coords, &coords).ok()
    );
}

fn load_bytes(dir: &Path, bytes: &[u8]) -> Result<RoadGraph, StoreError> {
    let path = dir.join("edited.graph");
    std::fs::write(&path, bytes).expect("write");
    RoadGraph::load(&path)
}

#[test]
fn another_version_is_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, mut bytes) = saved(dir.path());
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = load_bytes(dir.path(), &bytes).err();
    assert!(
        matches!(err, Some(StoreError::UnsupportedVersion { .. })),
        "{err:?}"
    );
    assert!(err.is_some_and(|e| e.to_string().contains("re-run `fieldpath import`")));
}

#[test]
fn damaged_or_truncated_files_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, bytes) = saved(dir.path());
    for at in [40, bytes.len() / 2, bytes.len() - 1] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x10;
        let err = load_bytes(dir.path(), &damaged).err();
        assert!(
            matches!(err, Some(StoreError::ChecksumMismatch { .. })),
            "{err:?}"
        );
    }
    for len in [0, 5, 27, 28, 1000, bytes.len() - 1] {
        let err = load_bytes(dir.path(), &bytes[..len]).err();
        assert!(
            matches!(
                err,
                Some(StoreError::Truncated { .. } | StoreError::NotAGraph { .. })
            ),
            "{len}: {err:?}"
        );
    }
    let err = load_bytes(dir.path(), b"PK\x03\x04 certainly not a graph").err();
    assert!(matches!(err, Some(StoreError::NotAGraph { .. })), "{err:?}");
    let err = RoadGraph::load(dir.path().join("missing.graph")).err();
    assert!(matches!(err, Some(StoreError::Io { .. })), "{err:?}");
}
