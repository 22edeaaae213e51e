//! CSV export of a report: one row per group plus the total (`section=groups`), or one row per
//! day (`section=series`). Written with the `csv` crate, so names with commas, quotes or line
//! breaks are quoted properly.

use super::compute::Metrics;
use super::Report;

/// Header of the groups section.
pub const GROUP_HEADER: [&str; 22] = [
    "group",
    "key",
    "name",
    "created",
    "resolved",
    "backlog_end",
    "first_response_count",
    "first_response_avg_secs",
    "first_response_median_secs",
    "resolution_count",
    "resolution_avg_secs",
    "resolution_median_secs",
    "sla_first_response_with_target",
    "sla_first_response_met",
    "sla_first_response_breached",
    "sla_first_response_compliance_pct",
    "sla_resolution_with_target",
    "sla_resolution_met",
    "sla_resolution_breached",
    "sla_resolution_compliance_pct",
    "satisfaction_count",
    "satisfaction_avg_rating",
];

/// A text cell that a spreadsheet would not run as a formula (OWASP "CSV injection").
fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn metric_cells(m: &Metrics) -> Vec<String> {
    let s = &m.sla;
    vec![
        m.created.to_string(),
        m.resolved.to_string(),
        m.backlog_end.to_string(),
        m.first_response.count.to_string(),
        opt(m.first_response.avg_secs),
        opt(m.first_response.median_secs),
        m.resolution.count.to_string(),
        opt(m.resolution.avg_secs),
        opt(m.resolution.median_secs),
        s.first_response.with_target.to_string(),
        s.first_response.met.to_string(),
        s.first_response.breached.to_string(),
        opt(s.first_response.compliance_pct),
        s.resolution.with_target.to_string(),
        s.resolution.met.to_string(),
        s.resolution.breached.to_string(),
        opt(s.resolution.compliance_pct),
        m.satisfaction.count.to_string(),
        opt(m.satisfaction.avg_rating),
    ]
}

/// The groups section: the total first, then each group.
pub fn groups(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(GROUP_HEADER)?;
    let mut total = vec![
        "total".to_string(),
        String::new(),
        "All tickets".to_string(),
    ];
    total.extend(metric_cells(&report.totals));
    w.write_record(&total)?;
    let kind = serde_json::to_value(report.group)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    for g in &report.groups {
        let mut row = vec![
            kind.clone(),
            g.key.map(|k| k.to_string()).unwrap_or_default(),
            text_cell(&g.name),
        ];
        row.extend(metric_cells(&g.metrics));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The series section.
pub fn series(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["date", "created", "resolved", "backlog"])?;
    for d in &report.series {
        w.write_record([
            d.date.clone(),
            d.created.to_string(),
            d.resolved.to_string(),
            d.backlog.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
