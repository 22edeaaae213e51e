//! Error types. Every failure on an input path (files, coordinates) is one of these,
//! never a panic.

use crate::coord::Coord;
use std::path::PathBuf;

/// Why an `.osm.pbf` import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a valid OSM PBF file (truncated, damaged or another format).
    #[error("{path} is not a valid .osm.pbf file: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What the decoder reported.
        message: String,
    },
    /// The file holds no road a car may drive on.
    #[error("{path} contains no drivable road")]
    NoRoads {
        /// The file.
        path: PathBuf,
    },
}

/// Why a location could not be placed on the road network.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapError {
    /// Not a coordinate at all (NaN, or outside [-180, 180] × [-90, 90]).
    #[error("location {coord} is not a valid [lon, lat] coordinate{hint}")]
    InvalidCoordinate {
        /// The location as given.
        coord: Coord,
        /// Extra advice, e.g. about swapped lat/lon (may be empty).
        hint: &'static str,
    },
    /// The nearest road is farther than the snapping radius.
    #[error(
        "location {coord} is {distance_m:.0} m from the nearest road (snapping radius {max_distance_m:.0} m)"
    )]
    TooFar {
        /// The location as given.
        coord: Coord,
        /// Distance to the nearest road, metres.
        distance_m: f64,
        /// The snapping radius, metres.
        max_distance_m: f64,
    },
    /// Too far from any road, but the swapped coordinate lies on the network.
    #[error(
        "location {coord} is {distance_m:.0} m from the nearest road (snapping radius {max_distance_m:.0} m); \
         did you swap lat and lon? {swapped} is {swapped_distance_m:.0} m from a road"
    )]
    LikelySwapped {
        /// The location as given.
        coord: Coord,
        /// Distance to the nearest road, metres.
        distance_m: f64,
        /// The snapping radius, metres.
        max_distance_m: f64,
        /// The location with lon and lat exchanged.
        swapped: Coord,
        /// Distance from `swapped` to the nearest road, metres.
        swapped_distance_m: f64,
    },
    /// The graph has no road at all.
    #[error("the road graph is empty")]
    EmptyGraph,
}

/// Why a route or matrix could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    /// A route end point could not be snapped.
    #[error(transparent)]
    Snap(#[from] SnapError),
    /// A matrix point could not be snapped.
    #[error("{side} {index}: {source}")]
    MatrixPoint {
        /// `"source"` or `"target"`.
        side: &'static str,
        /// Index of the point in its list (0-based).
        index: usize,
        /// Why.
        source: SnapError,
    },
    /// No path exists (cannot happen on a strongly connected graph; kept for safety).
    #[error("no route from {from} to {to}")]
    Unreachable {
        /// Start.
        from: Coord,
        /// End.
        to: Coord,
    },
}

/// Why a graph file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened, read or written.
    #[error("cannot access graph file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file does not start with the graph magic bytes.
    #[error("{path} is not a fieldpath road graph file")]
    NotAGraph {
        /// The file.
        path: PathBuf,
    },
    /// The file was written by another format version.
    #[error(
        "{path} has graph format version {found}, this build reads version {expected}: re-run `fieldpath import`"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build writes and reads.
        expected: u32,
    },
    /// The file is shorter than its header says.
    #[error("{path} is truncated ({actual} of {expected} bytes)")]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes present.
        actual: u64,
        /// Bytes expected.
        expected: u64,
    },
    /// The checksum does not match: the file was damaged.
    #[error("{path} is damaged (checksum mismatch)")]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
    },
    /// The content is inconsistent although the checksum matches.
    #[error("{path} is corrupt: {what}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is inconsistent.
        what: String,
    },
}
