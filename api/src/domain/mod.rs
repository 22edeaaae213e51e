//! Business rules, independent of HTTP and SQL: roles, work-order lifecycle and numbering,
//! field validation and the catalogue of record kinds.

pub mod fields;
pub mod resources;
pub mod roles;
pub mod work_order;
