//! The plan's figures over time, computed from the records (nothing is stored twice):
//!
//! - **first-time fix rate**: completed work orders after which no repair or emergency
//!   work order was opened for the same asset (the same site when no asset is set) within
//!   `follow_up_days` of the completion, over completed work orders;
//! - **technician utilisation**: time on site over working time — on site is the time from
//!   a work order's first `in_progress` to its `completed` status in the activity log (its
//!   estimated duration when it skipped `in_progress`); working time is every active
//!   technician's working hours on the bucket's days, time off taken out;
//! - **average completion time**: created → completed, and **on-site duration**:
//!   `in_progress` → `completed`;
//! - **SLA compliance**: completed work orders that started within their time window and,
//!   when a help-desk ticket is linked, were completed by its resolution due time, over
//!   those with a window or a linked ticket;
//! - **travel time per job**: from committed plans (`schedule_plans`), their travel total
//!   over the visits they planned.
//!
//! A work order counts in the bucket of its completion (UTC dates; weeks start on Monday),
//! a committed plan in the bucket of its range start.

pub mod figures;
pub mod seed;

use chrono::NaiveDate;
use serde::Serialize;

pub use figures::compute;

/// Size of the time buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// One calendar day.
    Day,
    /// One week, Monday to Sunday.
    Week,
}

/// The figures of one bucket. Ratios and averages are `None` when nothing was measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BucketFigures {
    /// First day.
    pub start: NaiveDate,
    /// Last day (included).
    pub end: NaiveDate,
    /// Work orders completed.
    pub completed: u32,
    /// Completed without a follow-up.
    pub first_time_fixes: u32,
    /// `first_time_fixes / completed`.
    pub first_time_fix_rate: Option<f64>,
    /// Time on site, hours.
    pub service_h: f64,
    /// Working time of the workforce, hours.
    pub shift_h: f64,
    /// `service_h / shift_h`.
    pub utilisation: Option<f64>,
    /// Mean hours from creation to completion.
    pub avg_completion_h: Option<f64>,
    /// Work orders with an `in_progress` → `completed` span.
    pub on_site_measured: u32,
    /// Mean minutes on site over those.
    pub avg_on_site_min: Option<f64>,
    /// Completed work orders with a window or a linked ticket.
    pub sla_measured: u32,
    /// Those that met every target.
    pub sla_met: u32,
    /// `sla_met / sla_measured`.
    pub sla_compliance: Option<f64>,
    /// Visits planned by committed plans.
    pub planned_jobs: u32,
    /// Their travel, hours.
    pub travel_h: f64,
    /// Travel minutes per planned visit.
    pub travel_per_job_min: Option<f64>,
}

/// The dashboard: buckets in order, and the whole period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dashboard {
    /// First day.
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// Bucket size.
    pub bucket: Bucket,
    /// Days after a completion in which a repair at the same asset or site is a follow-up.
    pub follow_up_days: u32,
    /// One entry per bucket.
    pub buckets: Vec<BucketFigures>,
    /// The whole period as one bucket.
    pub total: BucketFigures,
}

/// Column names of [`to_csv`].
const COLUMNS: &[&str] = &[
    "start",
    "end",
    "completed",
    "first_time_fixes",
    "first_time_fix_rate",
    "service_h",
    "shift_h",
    "utilisation",
    "avg_completion_h",
    "on_site_measured",
    "avg_on_site_min",
    "sla_measured",
    "sla_met",
    "sla_compliance",
    "planned_jobs",
    "travel_h",
    "travel_per_job_min",
];

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// One CSV row per bucket (empty cell: nothing measured); numbers as in the JSON.
pub fn to_csv(d: &Dashboard) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for b in &d.buckets {
        w.write_record([
            b.start.to_string(),
            b.end.to_string(),
            b.completed.to_string(),
            b.first_time_fixes.to_string(),
            opt(b.first_time_fix_rate),
            b.service_h.to_string(),
            b.shift_h.to_string(),
            opt(b.utilisation),
            opt(b.avg_completion_h),
            b.on_site_measured.to_string(),
            opt(b.avg_on_site_min),
            b.sla_measured.to_string(),
            b.sla_met.to_string(),
            opt(b.sla_compliance),
            b.planned_jobs.to_string(),
            b.travel_h.to_string(),
            opt(b.travel_per_job_min),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
