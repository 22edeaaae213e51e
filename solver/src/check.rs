//! Independent feasibility checker (being written).
