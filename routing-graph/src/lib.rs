//! Road graph built from OpenStreetMap: import, snapping, shortest paths, matrices.
//!
//! Knows nothing of jobs or technicians; see `ARCHITECTURE.md`.
