//! The knowledge base: articles with saved versions, draft / published / archived, categories,
//! tags, Postgres full-text search with ranking and highlighted excerpts, and helpful / not
//! helpful feedback. HTTP in `http/kb.rs` (staff and customers) and `http/portal/` (public).

pub mod article;
pub mod categories;
pub mod demo;
pub mod feedback;
pub mod search;
pub mod store;
