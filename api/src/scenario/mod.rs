//! Planning scenarios: batch what-if schedules over a horizon of days, and the figures
//! that judge a plan.
//!
//! - [`file`]: the JSON scenario file (serde, `deny_unknown_fields`, errors naming fields);
//! - [`model`]: the resolved scenario (seconds from the horizon start);
//! - [`recurrence`]: dates of recurring work (every N days / weeks / months);
//! - [`edits`]: what-if edits of the workforce, demand and objective;
//! - [`generate`]: realistic generated weeks (benchmarks, tests);
//! - [`problem`]: scenario → solver problem, one solver technician per technician-day;
//! - [`baseline`]: the greedy "nearest available qualified technician" dispatcher;
//! - [`metrics`] and [`report`]: measuring and comparing plans (table, CSV, JSON);
//! - [`records`]: a scenario copied from an organisation's records, with the plan in force;
//! - [`current`]: the plan in force measured as its own column;
//! - [`run`]: planning the base scenario and every variant, greedy and optimised.

pub mod baseline;
pub mod current;
pub mod edits;
pub mod file;
pub mod generate;
pub mod metrics;
pub mod model;
pub mod problem;
pub mod records;
pub mod recurrence;
pub mod report;
pub mod run;

pub use file::{parse, ScenarioFile};
pub use model::Scenario;
pub use report::Report;
pub use run::{load_travel, run, RunOptions, Travel};
