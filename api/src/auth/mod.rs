//! Credentials: password hashing, token secrets and login throttling.

pub mod cache;
pub mod password;
pub mod rate_limit;
pub mod token;
