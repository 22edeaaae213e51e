//! Vehicle routing with time windows, skills and shifts.
//!
//! Pure optimisation over a travel matrix; see `ARCHITECTURE.md`.
