//! Route pool and set partitioning with HiGHS (being written).
