//! The catalogue of record kinds served by the generic REST handlers: their table, fields,
//! filters, sort keys, who may read and write them, and the rules checked on every change.

use super::fields::{opt, req, Field, JsonShape, Kind};
use super::roles::{sets, Role};
use super::work_order;
use crate::error::ApiError;
use routing_graph::{Coord, RoadGraph};
use serde_json::{Map, Value};

/// What a change rule sees besides the submitted fields.
pub struct RuleCtx<'a> {
    /// The caller's role.
    pub role: Role,
    /// The stored record before the change; `None` on create.
    pub before: Option<&'a Value>,
    /// The loaded road graph, if any.
    pub graph: Option<&'a RoadGraph>,
}

/// A rule run on create and update with the validated fields; may add derived fields.
pub type Rule = fn(&RuleCtx<'_>, &mut Map<String, Value>) -> Result<(), ApiError>;

/// A filter beyond plain column equality, e.g. `?date=2025-01-31`.
#[derive(Debug, Clone, Copy)]
pub struct ExtraFilter {
    /// Query parameter name.
    pub name: &'static str,
    /// SQL condition with `{}` where the bound value goes (already cast to the kind's type).
    pub sql: &'static str,
    /// Type of the value.
    pub kind: Kind,
}

/// One kind of record.
pub struct Resource {
    /// URL segment under `/api/v1`, e.g. `work-orders`.
    pub path: &'static str,
    /// Table name.
    pub table: &'static str,
    /// Entity name in the activity log and messages, e.g. `work_order`.
    pub entity: &'static str,
    /// Writable fields.
    pub fields: &'static [Field],
    /// Server-maintained fields a client may echo back (ignored on write).
    pub read_only: &'static [&'static str],
    /// Columns usable as `?column=value[,value]` filters.
    pub filters: &'static [&'static str],
    /// Other filters.
    pub extra_filters: &'static [ExtraFilter],
    /// Columns usable in `?sort=[-]column`.
    pub sorts: &'static [&'static str],
    /// Roles that may read.
    pub read: &'static [Role],
    /// Roles that may create and update.
    pub write: &'static [Role],
    /// Roles that may delete.
    pub delete: &'static [Role],
    /// Column holding the customer a `customer`-role user is limited to.
    pub customer_scope: Option<&'static str>,
    /// Whether records are created through the generic `POST` (attachments are uploaded).
    pub creatable: bool,
    /// Rule run on every create and update.
    pub rule: Option<Rule>,
}

impl Resource {
    /// The writable field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const COMMON_READ_ONLY: &[&str] = &["id", "version", "created_at", "updated_at"];
const TEXT: Kind = Kind::Text { max: 500 };
const LONG_TEXT: Kind = Kind::Text { max: 20_000 };
const LAT: Kind = Kind::Float {
    min: -90.0,
    max: 90.0,
};
const LON: Kind = Kind::Float {
    min: -180.0,
    max: 180.0,
};

/// Customers.
pub static CUSTOMERS: Resource = Resource {
    path: "customers",
    table: "customers",
    entity: "customer",
    fields: &[
        req("name", TEXT),
        opt("email", TEXT),
        opt("phone", TEXT),
        opt("billing_address", TEXT),
        opt("notes", LONG_TEXT),
    ],
    read_only: COMMON_READ_ONLY,
    filters: &["email"],
    extra_filters: &[ExtraFilter {
        name: "q",
        sql: "t.name ILIKE '%' || {} || '%'",
        kind: TEXT,
    }],
    sorts: &["name", "created_at", "updated_at"],
    read: sets::OFFICE,
    write: sets::OFFICE,
    delete: sets::PLANNERS,
    customer_scope: None,
    creatable: true,
    rule: None,
};

/// Sites: where work happens.
pub static SITES: Resource = Resource {
    path: "sites",
    table: "sites",
    entity: "site",
    fields: &[
        opt("customer_id", Kind::Uuid),
        req("name", TEXT),
        opt("address", TEXT),
        req("lat", LAT),
        req("lon", LON),
        opt("notes", LONG_TEXT),
    ],
    read_only: &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "snapped_lat",
        "snapped_lon",
        "snap_distance_m",
    ],
    filters: &["customer_id"],
    extra_filters: &[ExtraFilter {
        name: "q",
        sql: "t.name ILIKE '%' || {} || '%'",
        kind: TEXT,
    }],
    sorts: &["name", "created_at", "updated_at", "snap_distance_m"],
    read: sets::EVERYONE,
    write: sets::OFFICE,
    delete: sets::PLANNERS,
    customer_scope: Some("customer_id"),
    creatable: true,
    rule: Some(snap_site),
};

/// Equipment at a site.
pub static ASSETS: Resource = Resource {
    path: "assets",
    table: "assets",
    entity: "asset",
    fields: &[
        req("site_id", Kind::Uuid),
        req("model", TEXT),
        opt("serial", TEXT),
        opt("warranty_until", Kind::Date),
        opt("notes", LONG_TEXT),
    ],
    read_only: COMMON_READ_ONLY,
    filters: &["site_id", "model", "serial"],
    extra_filters: &[],
    sorts: &[
        "model",
        "serial",
        "warranty_until",
        "created_at",
        "updated_at",
    ],
    read: sets::STAFF,
    write: sets::OFFICE,
    delete: sets::PLANNERS,
    customer_scope: None,
    creatable: true,
    rule: None,
};

/// Field technicians.
pub static TECHNICIANS: Resource = Resource {
    path: "technicians",
    table: "technicians",
    entity: "technician",
    fields: &[
        opt("user_id", Kind::Uuid),
        req("name", TEXT),
        opt("email", TEXT),
        opt("phone", TEXT),
        opt("skills", Kind::Json(JsonShape::Skills)),
        opt("working_hours", Kind::Json(JsonShape::WorkingHours)),
        opt("time_off", Kind::Json(JsonShape::Ranges)),
        req("home_lat", LAT),
        req("home_lon", LON),
        opt("max_jobs_per_day", Kind::Int { min: 1, max: 100 }),
        opt("active", Kind::Bool),
    ],
    read_only: COMMON_READ_ONLY,
    filters: &["active", "user_id"],
    extra_filters: &[ExtraFilter {
        name: "skill",
        sql: "t.skills @> jsonb_build_array(jsonb_build_object('skill', {}))",
        kind: TEXT,
    }],
    sorts: &["name", "max_jobs_per_day", "created_at", "updated_at"],
    read: sets::STAFF,
    write: sets::PLANNERS,
    delete: sets::PLANNERS,
    customer_scope: None,
    creatable: true,
    rule: Some(non_null_json),
};

/// Work orders: numbered per organisation, with a status lifecycle.
pub static WORK_ORDERS: Resource = Resource {
    path: "work-orders",
    table: "work_orders",
    entity: "work_order",
    fields: &[
        req("title", TEXT),
        opt("description", LONG_TEXT),
        opt("work_type", Kind::Enum(work_order::WORK_TYPES)),
        opt("priority", Kind::Enum(work_order::PRIORITIES)),
        opt("status", Kind::Enum(work_order::STATUSES)),
        opt("customer_id", Kind::Uuid),
        req("site_id", Kind::Uuid),
        opt("asset_id", Kind::Uuid),
        opt("window_start", Kind::Timestamp),
        opt("window_end", Kind::Timestamp),
        opt(
            "estimated_duration_min",
            Kind::Int {
                min: 1,
                max: 24 * 60,
            },
        ),
        opt("required_skills", Kind::Json(JsonShape::Skills)),
    ],
    read_only: &["id", "version", "created_at", "updated_at", "number", "seq"],
    filters: &[
        "status",
        "priority",
        "work_type",
        "site_id",
        "customer_id",
        "asset_id",
        "number",
    ],
    extra_filters: &[
        ExtraFilter {
            name: "date",
            sql: "(t.window_start AT TIME ZONE 'UTC')::date = {}",
            kind: Kind::Date,
        },
        ExtraFilter {
            name: "q",
            sql: "t.title ILIKE '%' || {} || '%'",
            kind: TEXT,
        },
    ],
    sorts: &[
        "number",
        "title",
        "priority",
        "status",
        "window_start",
        "window_end",
        "estimated_duration_min",
        "created_at",
        "updated_at",
    ],
    read: sets::EVERYONE,
    write: sets::OFFICE,
    delete: sets::PLANNERS,
    customer_scope: Some("customer_id"),
    creatable: true,
    rule: Some(work_order_rule),
};

/// A technician planned onto a work order.
pub static ASSIGNMENTS: Resource = Resource {
    path: "assignments",
    table: "assignments",
    entity: "assignment",
    fields: &[
        req("work_order_id", Kind::Uuid),
        req("technician_id", Kind::Uuid),
        req("planned_start", Kind::Timestamp),
        req("planned_end", Kind::Timestamp),
        opt(
            "sequence",
            Kind::Int {
                min: 0,
                max: 10_000,
            },
        ),
        opt("locked", Kind::Bool),
    ],
    read_only: COMMON_READ_ONLY,
    filters: &["work_order_id", "technician_id", "locked"],
    extra_filters: &[ExtraFilter {
        name: "date",
        sql: "(t.planned_start AT TIME ZONE 'UTC')::date = {}",
        kind: Kind::Date,
    }],
    sorts: &[
        "planned_start",
        "planned_end",
        "sequence",
        "created_at",
        "updated_at",
    ],
    read: sets::STAFF,
    write: sets::PLANNERS,
    delete: sets::PLANNERS,
    customer_scope: None,
    creatable: true,
    rule: Some(assignment_rule),
};

/// What a technician reports after the job.
pub static SERVICE_REPORTS: Resource = Resource {
    path: "service-reports",
    table: "service_reports",
    entity: "service_report",
    fields: &[
        req("work_order_id", Kind::Uuid),
        opt("technician_id", Kind::Uuid),
        req("work_done", LONG_TEXT),
        opt("parts_used", Kind::Json(JsonShape::Parts)),
        opt("notes", LONG_TEXT),
        opt("signature_png", Kind::PngBase64),
    ],
    read_only: COMMON_READ_ONLY,
    filters: &["work_order_id", "technician_id"],
    extra_filters: &[],
    sorts: &["created_at", "updated_at"],
    read: sets::STAFF,
    write: sets::FIELD_WRITERS,
    delete: sets::PLANNERS,
    customer_scope: None,
    creatable: true,
    rule: Some(non_null_json),
};

/// Files kept in the object store (uploaded through `POST /attachments`).
pub static ATTACHMENTS: Resource = Resource {
    path: "attachments",
    table: "attachments",
    entity: "attachment",
    fields: &[req("filename", TEXT)],
    read_only: &[
        "id",
        "version",
        "created_at",
        "updated_at",
        "work_order_id",
        "service_report_id",
        "content_type",
        "size_bytes",
        "sha256",
        "object_key",
    ],
    filters: &["work_order_id", "service_report_id", "content_type"],
    extra_filters: &[],
    sorts: &["filename", "size_bytes", "created_at"],
    read: sets::STAFF,
    write: sets::FIELD_WRITERS,
    delete: sets::PLANNERS,
    customer_scope: None,
    creatable: false,
    rule: None,
};

/// Every generic resource.
pub static ALL: [&Resource; 8] = [
    &CUSTOMERS,
    &SITES,
    &ASSETS,
    &TECHNICIANS,
    &WORK_ORDERS,
    &ASSIGNMENTS,
    &SERVICE_REPORTS,
    &ATTACHMENTS,
];

/// The field value after the change: submitted, else stored.
fn merged<'a>(
    ctx: &'a RuleCtx<'_>,
    fields: &'a Map<String, Value>,
    name: &str,
) -> Option<&'a Value> {
    fields
        .get(name)
        .or_else(|| ctx.before.and_then(|b| b.get(name)))
        .filter(|v| !v.is_null())
}

/// JSON list/object columns are NOT NULL: an explicit null means "empty".
fn non_null_json(_ctx: &RuleCtx<'_>, fields: &mut Map<String, Value>) -> Result<(), ApiError> {
    for (name, empty) in [
        ("skills", Value::Array(vec![])),
        ("time_off", Value::Array(vec![])),
        ("parts_used", Value::Array(vec![])),
        ("required_skills", Value::Array(vec![])),
        ("working_hours", Value::Object(Map::new())),
    ] {
        if fields.get(name).is_some_and(Value::is_null) {
            fields.insert(name.into(), empty);
        }
    }
    for name in ["active", "max_jobs_per_day"] {
        if fields.get(name).is_some_and(Value::is_null) {
            fields.remove(name);
        }
    }
    Ok(())
}

/// Snaps a site to the road graph when its location changes and a graph is loaded.
fn snap_site(ctx: &RuleCtx<'_>, fields: &mut Map<String, Value>) -> Result<(), ApiError> {
    if !fields.contains_key("lat") && !fields.contains_key("lon") {
        return Ok(());
    }
    let (Some(lat), Some(lon)) = (
        merged(ctx, fields, "lat").and_then(Value::as_f64),
        merged(ctx, fields, "lon").and_then(Value::as_f64),
    ) else {
        return Ok(());
    };
    let (snapped_lat, snapped_lon, distance) = match ctx.graph {
        Some(graph) => {
            let snapped = graph.snap(Coord { lon, lat }).map_err(|e| {
                ApiError::validation("location", format!("location is not near a road: {e}"))
            })?;
            (
                Value::from(snapped.location.lat),
                Value::from(snapped.location.lon),
                Value::from(snapped.distance_m),
            )
        }
        None => (Value::Null, Value::Null, Value::Null),
    };
    fields.insert("snapped_lat".into(), snapped_lat);
    fields.insert("snapped_lon".into(), snapped_lon);
    fields.insert("snap_distance_m".into(), distance);
    Ok(())
}

/// Status lifecycle, creation status, time-window order.
fn work_order_rule(ctx: &RuleCtx<'_>, fields: &mut Map<String, Value>) -> Result<(), ApiError> {
    non_null_json(ctx, fields)?;
    for name in ["work_type", "priority", "status", "estimated_duration_min"] {
        if fields.get(name).is_some_and(Value::is_null) {
            return Err(ApiError::validation(
                name,
                format!("{name} may not be null"),
            ));
        }
    }
    if let Some(to) = fields.get("status").and_then(Value::as_str) {
        match ctx
            .before
            .and_then(|b| b.get("status"))
            .and_then(Value::as_str)
        {
            None if !work_order::INITIAL_STATUSES.contains(&to) => {
                return Err(ApiError::validation(
                    "status",
                    "a new work order starts as draft or scheduled",
                ));
            }
            Some(from) if from != to => {
                if !work_order::transition_allowed(from, to) {
                    return Err(ApiError::conflict(format!(
                        "a work order cannot go from {from} to {to}"
                    ))
                    .with_field("status"));
                }
                if !work_order::role_may_transition(ctx.role, from, to) {
                    return Err(ApiError::forbidden(format!(
                        "role {} may not move a work order from {from} to {to}",
                        ctx.role.as_str()
                    )));
                }
            }
            _ => {}
        }
    }
    window_order(ctx, fields, "window_start", "window_end")
}

/// Planned end after planned start.
fn assignment_rule(ctx: &RuleCtx<'_>, fields: &mut Map<String, Value>) -> Result<(), ApiError> {
    window_order(ctx, fields, "planned_start", "planned_end")
}

fn window_order(
    ctx: &RuleCtx<'_>,
    fields: &Map<String, Value>,
    start: &str,
    end: &str,
) -> Result<(), ApiError> {
    let ts = |name: &str| {
        merged(ctx, fields, name)
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    if let (Some(s), Some(e)) = (ts(start), ts(end)) {
        if e <= s {
            return Err(ApiError::validation(
                end,
                format!("{end} must be after {start}"),
            ));
        }
    }
    Ok(())
}
