//! Glue between requests and the solver: locations → travel matrix ([`travel`]), solver runs
//! off the async runtime ([`run`]), VROOM-format optimisation end to end ([`optimize`]), the
//! asynchronous jobs kept in Postgres ([`jobs`], [`job_store`]), and planning from the records ([`records`], [`plans`]).

pub mod job_store;
pub mod jobs;
pub mod optimize;
pub mod plans;
pub mod records;
pub mod run;
pub mod travel;
