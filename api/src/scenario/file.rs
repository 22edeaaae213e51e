//! The scenario file: JSON, read with serde (`deny_unknown_fields` everywhere) so that a
//! misspelt or misplaced field is an error naming it, with its line and column.
//!
//! Clock times are local to the horizon (`"08:00"`), dates are `"YYYY-MM-DD"`, date-times
//! `"YYYY-MM-DDTHH:MM"`; [`crate::scenario::model`] resolves them to seconds from the
//! horizon start and reports bad values with the field's path.

use serde::{Deserialize, Serialize};

use super::edits::Edit;
use super::recurrence::Rule;

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name shown in reports.
    #[serde(default)]
    pub name: String,
    /// Road network: a `.graph` file (from `fieldpath import`) or an `.osm.pbf` extract,
    /// relative to the working directory or to the scenario file. Missing: straight lines.
    #[serde(default)]
    pub graph: Option<String>,
    /// The planning period.
    pub horizon: HorizonSpec,
    /// How plans are ranked and costed.
    #[serde(default)]
    pub objective: ObjectiveSpec,
    /// The workforce.
    pub technicians: Vec<TechnicianSpec>,
    /// One-off work orders.
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
    /// Recurring work (preventive maintenance) generated over the horizon.
    #[serde(default)]
    pub recurring: Vec<RecurringSpec>,
    /// What-if variants, each a list of edits of the base scenario.
    #[serde(default)]
    pub variants: Vec<VariantSpec>,
    /// The plan in force (e.g. the assignments of a scenario copied from the records):
    /// measured by the same rules as its own column of the comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub current_plan: Vec<PlannedVisitSpec>,
}

/// A visit of the plan in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedVisitSpec {
    /// Job id.
    pub job: String,
    /// Technician id.
    pub technician: String,
    /// Planned start, `YYYY-MM-DDTHH:MM` (its date picks the technician's day; visits of a
    /// day are taken in this order).
    pub start: String,
}

/// The planning period: `days` calendar days from `start`, in a fixed UTC offset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HorizonSpec {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Number of days (1 to 62).
    pub days: u32,
    /// Offset of local time from UTC, e.g. `"+01:00"` (default `"+00:00"`).
    #[serde(default)]
    pub utc_offset: Option<String>,
}

/// Objective weights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// Rank fewer technician-days above lower cost.
    #[serde(default)]
    pub minimize_technicians: bool,
    /// Default cost rates of technicians without their own.
    #[serde(default)]
    pub costs: Option<CostSpec>,
}

/// Cost rates of a technician.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    /// Per hour of route time (departure to return, waiting included).
    #[serde(default)]
    pub per_hour: f64,
    /// Per kilometre driven.
    #[serde(default)]
    pub per_km: f64,
    /// Per technician-day used.
    #[serde(default)]
    pub per_day: f64,
    /// Per hour of overtime (work past a shift's `overtime_after`).
    #[serde(default)]
    pub overtime_per_hour: f64,
}

impl Default for CostSpec {
    fn default() -> Self {
        Self {
            per_hour: 30.0,
            per_km: 0.4,
            per_day: 0.0,
            overtime_per_hour: 45.0,
        }
    }
}

/// A technician.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechnicianSpec {
    /// Identifier, unique in the scenario.
    pub id: String,
    /// Skill names.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Where each day starts and ends, `[lon, lat]`.
    pub home: [f64; 2],
    /// Working hours; the first entry matching a day applies. Empty: no work.
    pub shifts: Vec<ShiftSpec>,
    /// Breaks taken every working day.
    #[serde(default)]
    pub breaks: Vec<BreakSpec>,
    /// Own cost rates (default: the objective's).
    #[serde(default)]
    pub costs: Option<CostSpec>,
    /// At most this many jobs a day.
    #[serde(default)]
    pub max_jobs_per_day: Option<usize>,
}

/// Working hours on some days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftSpec {
    /// Weekdays (`"mon"`…`"sun"`) this applies to; empty with no `dates`: every day.
    #[serde(default)]
    pub weekdays: Vec<String>,
    /// Dates (`YYYY-MM-DD`) this applies to.
    #[serde(default)]
    pub dates: Vec<String>,
    /// Start, `HH:MM`.
    pub start: String,
    /// Hard end, `HH:MM` (back home by then).
    pub end: String,
    /// Work after this clock time is overtime.
    #[serde(default)]
    pub overtime_after: Option<String>,
    /// A day off instead of working hours (for holidays in `dates`).
    #[serde(default)]
    pub off: bool,
    /// Time inside the shift that is not worked (e.g. between two working intervals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<GapSpec>,
}

/// A fixed unworked part of a shift, clock times `HH:MM`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapSpec {
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM`.
    pub to: String,
}

/// A daily break.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakSpec {
    /// Length in minutes.
    pub minutes: f64,
    /// Earliest start, `HH:MM`.
    pub earliest: String,
    /// Latest start, `HH:MM`.
    pub latest: String,
}

/// A time window for the start of service, as date-times `YYYY-MM-DDTHH:MM`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// Earliest start.
    pub from: String,
    /// Latest start (may be days after `from`).
    pub to: String,
}

/// A one-off work order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Identifier, unique in the scenario.
    pub id: String,
    /// Site, `[lon, lat]`.
    pub location: [f64; 2],
    /// Time on site in minutes.
    pub minutes: f64,
    /// When service may start; empty: any time in the horizon.
    #[serde(default)]
    pub windows: Vec<WindowSpec>,
    /// Skill names the technician must all hold.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Weight of serving it (≥ 1).
    #[serde(default = "one")]
    pub priority: u32,
    /// Only this technician may serve it.
    #[serde(default)]
    pub technician: Option<String>,
}

fn one() -> u32 {
    1
}

/// Recurring work: the same visit on every date a [`Rule`] generates in the horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecurringSpec {
    /// Identifier prefix; each occurrence is `<id>@<date>`.
    pub id: String,
    /// Site, `[lon, lat]`.
    pub location: [f64; 2],
    /// Time on site in minutes.
    pub minutes: f64,
    /// When the visits happen.
    pub rule: Rule,
    /// Daily window for the start of service, `HH:MM` (default: the working day).
    #[serde(default)]
    pub from: Option<String>,
    /// End of that window, `HH:MM`.
    #[serde(default)]
    pub to: Option<String>,
    /// Days after the due date the visit may still happen (default 0).
    #[serde(default)]
    pub slack_days: u32,
    /// Skill names.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Weight of serving it (≥ 1).
    #[serde(default = "one")]
    pub priority: u32,
}

/// A named what-if variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    /// Name shown in reports.
    pub name: String,
    /// Changes to the base scenario, applied in order.
    #[serde(default)]
    pub edits: Vec<Edit>,
}

/// Parses a scenario file; `source` names it in errors.
///
/// Errors are one line: `source line L column C: field `name`: what is wrong`.
pub fn parse(text: &str, source: &str) -> anyhow::Result<ScenarioFile> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{source}: {}", describe(text, &e)))
}

/// Reads a scenario from an already parsed JSON value (the queue stores scenarios so).
pub fn from_value(value: serde_json::Value) -> anyhow::Result<ScenarioFile> {
    // Round-trip through text so that errors carry a line and a field name.
    let text = serde_json::to_string_pretty(&value)?;
    parse(&text, "scenario")
}

/// An error message naming the field at the error's position when serde does not.
fn describe(text: &str, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.contains("field `") || e.line() == 0 {
        return msg;
    }
    match field_before(text, e.line(), e.column()) {
        Some(field) => format!("field `{field}`: {msg}"),
        None => msg,
    }
}

/// The last `"key":` that starts before (line, column), 1-based.
fn field_before(text: &str, line: usize, column: usize) -> Option<String> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            offset += column.min(l.len());
            break;
        }
        offset += l.len();
    }
    let head = text.get(..offset.min(text.len()))?;
    let bytes = head.as_bytes();
    let mut pos = head.len();
    while let Some(colon) = head[..pos].rfind(':') {
        let before = head[..colon].trim_end();
        if let Some(stripped) = before.strip_suffix('"') {
            if let Some(open) = stripped.rfind('"') {
                let key = &stripped[open + 1..];
                if !key.is_empty() && !key.contains(['{', '}', ',']) {
                    return Some(key.to_string());
                }
            }
        }
        pos = colon;
        if pos == 0 || bytes.is_empty() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_is_named() {
        let err = parse(
            r#"{"horizon": {"start": "2025-03-03", "days": 1}, "technicians": [], "jobz": []}"#,
            "f.json",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("jobz"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_field() {
        let text = "{\n \"horizon\": {\"start\": \"2025-03-03\",\n \"days\": \"five\"},\n \"technicians\": []}";
        let err = parse(text, "f.json").unwrap_err().to_string();
        assert!(err.contains("`days`"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }
}
