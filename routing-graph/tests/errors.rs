//! Bad input gives errors, never panics: damaged PBF files, far or swapped coordinates.

mod common;

use common::{extract, monaco};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use routing_graph::{
    Coord, ImportError, ImportOptions, RoadGraph, RoutingError, SnapError, TravelEstimator,
};

fn import_bytes(bytes: &[u8]) -> Result<(), ImportError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("input.osm.pbf");
    std::fs::write(&path, bytes).expect("write");
    RoadGraph::from_pbf(&path, &ImportOptions::default()).map(|_| ())
}

fn monaco_bytes() -> Vec<u8> {
    std::fs::read(extract("monaco.osm.pbf")).expect("read extract")
}

#[test]
fn missing_file_is_an_io_error() {
    let err = RoadGraph::from_pbf("/nonexistent/x.osm.pbf", &ImportOptions::default()).err();
    assert!(matches!(err, Some(ImportError::Io { .. })), "{err:?}");
    assert!(err.is_some_and(|e| e.to_string().contains("/nonexistent/x.osm.pbf")));
}

#[test]
fn truncated_pbf_is_an_error() {
    let bytes = monaco_bytes();
    for len in [
        0,
        3,
        20,
        200,
        5_000,
        100_000,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        let err = import_bytes(&bytes[..len]).err();
        assert!(
            matches!(err, Some(ImportError::Malformed { .. })),
            "{len} bytes: {err:?}"
        );
    }
}

#[test]
fn random_bytes_are_an_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    for len in [1, 64, 4_096, 200_000] {
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        assert!(import_bytes(&bytes).is_err(), "{len} random bytes");
    }
    assert!(import_bytes(b"<?xml version='1.0'?><osm></osm>").is_err());
}

#[test]
fn damaged_pbf_is_an_error_not_a_panic() {
    let original = monaco_bytes();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for _ in 0..20 {
        let mut bytes = original.clone();
        let at = (rng.next_u64() as usize) % bytes.len();
        for b in &mut bytes[at..(at + 16).min(original.len())] {
            *b ^= 0xA5;
        }
        // Either rejected or (if the damage hit something harmless) imported.
        let _ = import_bytes(&bytes);
    }
}

#[test]
fn far_location_names_location_and_distance() {
    let g = monaco();
    let err = g.snap(Coord::new(7.0, 43.0)).err();
    assert!(matches!(err, Some(SnapError::TooFar { .. })), "{err:?}");
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("[7, 43]") && msg.contains(" m from the nearest road"),
        "{msg}"
    );
}

#[test]
fn swapped_lat_lon_is_detected() {
    let g = monaco();
    let err = g.snap(Coord::new(43.7367, 7.4192)).err();
    assert!(
        matches!(err, Some(SnapError::LikelySwapped { .. })),
        "{err:?}"
    );
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("did you swap lat and lon?"), "{msg}");
    // Latitude out of range but valid when swapped.
    let err = g.snap(Coord::new(43.7, 97.4)).err();
    assert!(err.is_some_and(|e| e.to_string().contains("did you swap lat and lon?")));
    assert!(g.snap(Coord::new(f64::NAN, 43.7)).is_err());
}

#[test]
fn matrix_error_names_the_point() {
    let g = monaco();
    let points = [Coord::new(7.4192, 43.7367), Coord::new(8.5, 43.0)];
    let err = g.matrix(&points, &points).err();
    assert!(
        matches!(
            err,
            Some(RoutingError::MatrixPoint {
                side: "source",
                index: 1,
                ..
            })
        ),
        "{err:?}"
    );
}
