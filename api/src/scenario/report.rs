//! The comparison of plans: a JSON report (for the CLI's `--out`, the queue's results and
//! pages that render them), a side-by-side text table and CSV.

use serde::{Deserialize, Serialize};

use super::metrics::PlanFigures;

/// What the optimiser saves against the greedy baseline on one variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saving {
    /// Variant name.
    pub variant: String,
    /// Travel time saved, percent of the greedy plan's (negative: more).
    pub travel_time_reduction_pct: f64,
    /// Distance saved, percent.
    pub distance_reduction_pct: f64,
    /// Cost saved, percent.
    pub cost_reduction_pct: f64,
    /// Jobs the greedy plan leaves out.
    pub unassigned_greedy: usize,
    /// Jobs the optimised plan leaves out.
    pub unassigned_optimized: usize,
}

/// A whole scenario run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// First day of the horizon.
    pub horizon_start: String,
    /// Days in the horizon.
    pub horizon_days: u32,
    /// `road_graph` or `straight_line` (estimates only).
    pub estimator: String,
    /// Things the reader must know (a straight-line fallback, say).
    pub warnings: Vec<String>,
    /// Optimiser budget per plan, seconds.
    pub seconds_per_plan: f64,
    /// Random seed.
    pub seed: u64,
    /// Every plan: per variant (base first), the greedy baseline then the optimised plan;
    /// the plan in force (`current`) first when the scenario has one.
    pub plans: Vec<PlanFigures>,
    /// Optimised against greedy, per variant.
    pub savings: Vec<Saving>,
    /// Wall time of the whole run, seconds.
    pub wall_s: f64,
}

fn pct_less(before: f64, after: f64) -> f64 {
    if before > 0.0 {
        100.0 * (before - after) / before
    } else {
        0.0
    }
}

/// The saving of `optimized` over `greedy`.
pub fn saving(greedy: &PlanFigures, optimized: &PlanFigures) -> Saving {
    Saving {
        variant: optimized.variant.clone(),
        travel_time_reduction_pct: pct_less(greedy.travel_time_s, optimized.travel_time_s),
        distance_reduction_pct: pct_less(greedy.distance_m, optimized.distance_m),
        cost_reduction_pct: pct_less(greedy.cost, optimized.cost),
        unassigned_greedy: greedy.unassigned,
        unassigned_optimized: optimized.unassigned,
    }
}

type Row = (&'static str, fn(&PlanFigures) -> String);

const ROWS: &[Row] = &[
    ("jobs", |p| p.jobs.to_string()),
    ("served", |p| p.served.to_string()),
    ("unassigned", |p| p.unassigned.to_string()),
    ("travel time (h)", |p| {
        format!("{:.2}", p.travel_time_s / 3600.0)
    }),
    ("travel per job (min)", |p| {
        format!("{:.1}", p.travel_time_per_job_s / 60.0)
    }),
    ("distance (km)", |p| format!("{:.1}", p.distance_m / 1000.0)),
    ("distance per job (km)", |p| {
        format!("{:.2}", p.distance_per_job_m / 1000.0)
    }),
    ("overtime (h)", |p| format!("{:.2}", p.overtime_s / 3600.0)),
    ("waiting (h)", |p| format!("{:.2}", p.waiting_s / 3600.0)),
    ("utilisation (%)", |p| {
        format!("{:.1}", 100.0 * p.utilisation)
    }),
    ("window compliance (%)", |p| {
        format!("{:.1}", 100.0 * p.window_compliance)
    }),
    ("technician-days used", |p| {
        p.technician_days_used.to_string()
    }),
    ("technicians used", |p| p.technicians_used.to_string()),
    ("cost", |p| format!("{:.2}", p.cost)),
    ("checked", |p| {
        if p.checked {
            "yes".into()
        } else {
            "NO".into()
        }
    }),
    ("rules broken", |p| p.violations.to_string()),
    ("planning time (s)", |p| format!("{:.2}", p.planning_s)),
];

impl Report {
    /// The plans side by side (one column each), then the savings.
    pub fn table(&self) -> String {
        let label = ROWS.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let short = |s: &str| -> String {
            if s.chars().count() > 24 {
                s.chars().take(23).chain(['…']).collect()
            } else {
                s.to_string()
            }
        };
        let widths: Vec<usize> = self
            .plans
            .iter()
            .map(|p| short(&p.variant).chars().count().max(10))
            .collect();
        let mut out = format!(
            "scenario {} — {} day(s) from {}, travel by {}\n",
            self.scenario, self.horizon_days, self.horizon_start, self.estimator
        );
        for w in &self.warnings {
            out.push_str(&format!("warning: {w}\n"));
        }
        for header in [
            |p: &PlanFigures| p.variant.clone(),
            |p: &PlanFigures| p.planner.clone(),
        ] {
            out.push_str(&format!("{:label$}", ""));
            for (p, w) in self.plans.iter().zip(&widths) {
                out.push_str(&format!("  {:>w$}", short(&header(p))));
            }
            out.push('\n');
        }
        for (name, value) in ROWS {
            out.push_str(&format!("{name:label$}"));
            for (p, w) in self.plans.iter().zip(&widths) {
                out.push_str(&format!("  {:>w$}", value(p)));
            }
            out.push('\n');
        }
        for s in &self.savings {
            out.push_str(&format!(
                "{}: optimizer vs greedy: travel time {:.1}% less, distance {:.1}% less, cost {:.1}% less; unassigned {} (greedy {})\n",
                s.variant,
                s.travel_time_reduction_pct,
                s.distance_reduction_pct,
                s.cost_reduction_pct,
                s.unassigned_optimized,
                s.unassigned_greedy
            ));
        }
        out.push_str(&format!("wall time {:.1} s\n", self.wall_s));
        out
    }

    /// One CSV row per plan (header first), quoted by the `csv` crate.
    pub fn csv(&self) -> anyhow::Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["plan", "variant", "planner"];
        header.extend(ROWS.iter().map(|r| r.0));
        header.push("unassigned jobs");
        w.write_record(&header)?;
        for p in &self.plans {
            let mut row = vec![p.name.clone(), p.variant.clone(), p.planner.clone()];
            row.extend(ROWS.iter().map(|(_, value)| value(p)));
            row.push(
                p.unassigned_jobs
                    .iter()
                    .map(|u| format!("{} ({})", u.id, u.code))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            w.write_record(&row)?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}
