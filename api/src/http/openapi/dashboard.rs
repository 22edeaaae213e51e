//! The plan dashboard (`/api/v1/dashboard/plan` and its CSV): the plan's figures over time.

use super::{array, object, op, query_param, schema_ref, Doc};
use serde_json::{json, Value};

fn bucket_figures() -> Value {
    let rate = json!({"type": ["number", "null"], "minimum": 0, "maximum": 1});
    let opt = json!({"type": ["number", "null"]});
    let count = json!({"type": "integer", "minimum": 0});
    let date = json!({"type": "string", "format": "date"});
    object(
        &["start", "end", "completed"],
        json!({"start": date, "end": date,
            "completed": count, "first_time_fixes": count,
            "first_time_fix_rate": rate,
            "service_h": {"type": "number"}, "shift_h": {"type": "number"},
            "utilisation": rate,
            "avg_completion_h": opt, "on_site_measured": count, "avg_on_site_min": opt,
            "sla_measured": count, "sla_met": count, "sla_compliance": rate,
            "planned_jobs": count, "travel_h": {"type": "number"}, "travel_per_job_min": opt}),
    )
}

fn params() -> Value {
    let date = json!({"type": "string", "format": "date"});
    json!([
        query_param("from", date.clone(), "first day (default: 27 days before `to`)"),
        query_param("to", date, "last day (default: today, UTC); at most 366 days in all"),
        query_param("bucket", json!({"type": "string", "enum": ["day", "week"]}), "bucket size (default week)"),
        query_param("follow_up_days", json!({"type": "integer", "minimum": 0, "maximum": 365}),
            "a completion is a first-time fix when no repair/emergency work order follows on the same asset (or site) within this many days (default 14)"),
    ])
}

/// Add the dashboard area.
pub fn describe(doc: &mut Doc) {
    doc.schema("DashboardBucket", bucket_figures());
    doc.schema(
        "PlanDashboard",
        object(
            &["from", "to", "bucket", "buckets", "total"],
            json!({"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                "bucket": {"type": "string", "enum": ["day", "week"]},
                "follow_up_days": {"type": "integer"},
                "buckets": array(schema_ref("DashboardBucket")),
                "total": schema_ref("DashboardBucket")}),
        ),
    );
    doc.add(
        "/api/v1/dashboard/plan",
        "get",
        op(
            "dashboard",
            "The plan's figures over time: first-time fix rate, utilisation, completion time, SLA compliance, travel per job",
            "200",
            schema_ref("PlanDashboard"),
            None,
            params(),
            &["401", "403", "422"],
        ),
    );
    let mut csv = op(
        "dashboard",
        "The same figures as CSV, one row per bucket",
        "200",
        json!({"type": "string"}),
        None,
        params(),
        &["401", "403", "422"],
    );
    csv["responses"]["200"]["content"] = json!({"text/csv": {"schema": {"type": "string"}}});
    doc.add("/api/v1/dashboard/plan.csv", "get", csv);
}
