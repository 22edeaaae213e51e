//! Saved views of the agents' ticket list: a name, the filters (in the vocabulary of
//! [`ViewFilters`]), the visible columns and the sort key. A view belongs to the user who saved
//! it; a `shared` view is listed for every office user of the organisation (read-only for them:
//! only its owner, or an admin, changes or deletes it). Someone else's private view does not
//! exist as far as the API is concerned (404).

use crate::desk::ticket::{normalise_tags, PRIORITIES, STATUS_TYPES};
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Columns the list can show, in their default order.
pub const COLUMNS: [&str; 13] = [
    "number",
    "subject",
    "requester",
    "status",
    "priority",
    "assignee",
    "sla_due",
    "updated_at",
    "team",
    "created_at",
    "channel",
    "category",
    "tags",
];
/// Columns of a view that names none.
pub const DEFAULT_COLUMNS: [&str; 8] = [
    "number",
    "subject",
    "requester",
    "status",
    "priority",
    "assignee",
    "sla_due",
    "updated_at",
];
/// Sort keys (`-key` for descending).
pub const SORTS: [&str; 9] = [
    "number",
    "subject",
    "requester",
    "status",
    "priority",
    "assignee",
    "sla_due",
    "updated_at",
    "created_at",
];
/// The sort of a view that names none: most recently changed first.
pub const DEFAULT_SORT: &str = "-updated_at";
/// Longest free-text search.
const MAX_QUERY_CHARS: usize = 200;

/// The filters of the agents' list. Every list filter is "any of" its values; different
/// filters combine with AND. Empty lists and absent values do not filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ViewFilters {
    /// Status names (built-in or custom).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
    /// Status types (`open`, `pending`, `on_hold`, `resolved`, `closed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_type: Vec<String>,
    /// Priorities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<String>,
    /// `me` (whoever looks at the view), `unassigned`, or user ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignee: Vec<String>,
    /// Team ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub team: Vec<Uuid>,
    /// Has any of these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<String>,
    /// Channels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel: Vec<String>,
    /// Text in the subject, description or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only breached (true) or only not breached (false) tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached: Option<bool>,
}

/// The assignee filter resolved for one viewer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssigneeFilter {
    /// Assigned to one of these users.
    pub ids: Vec<Uuid>,
    /// Or not assigned at all.
    pub unassigned: bool,
}

impl ViewFilters {
    /// Reads the filters from query parameters (`?priority=high,urgent&assignee=me&q=...`),
    /// removing the ones it knows; unknown parameters are left for the caller to reject.
    pub fn from_query(
        query: &mut std::collections::HashMap<String, String>,
    ) -> Result<Self, ApiError> {
        fn list(raw: Option<String>) -> Vec<String> {
            raw.map(|r| {
                r.split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect()
            })
            .unwrap_or_default()
        }
        let team = list(query.remove("team"))
            .iter()
            .map(|v| Uuid::parse_str(v))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ApiError::validation("team", "team must be team ids"))?;
        let breached = match query.remove("breached").as_deref() {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Err(ApiError::validation(
                    "breached",
                    "breached must be true or false",
                ))
            }
        };
        let filters = ViewFilters {
            status: list(query.remove("status")),
            status_type: list(query.remove("status_type")),
            priority: list(query.remove("priority")),
            assignee: list(query.remove("assignee")),
            team,
            tag: list(query.remove("tag")),
            channel: list(query.remove("channel")),
            q: query.remove("q").filter(|q| !q.trim().is_empty()),
            breached,
        };
        filters.checked("")
    }

    /// The filters with normalised tags, or a 422 naming the offending filter (prefixed with
    /// `prefix`, e.g. `filters.`).
    pub fn checked(mut self, prefix: &str) -> Result<Self, ApiError> {
        let field = |name: &str| format!("{prefix}{name}");
        for s in &self.status {
            let ok = !s.is_empty()
                && s.len() <= 40
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(ApiError::validation(
                    field("status"),
                    "status names are 1..40 of a-z, 0-9 and _",
                ));
            }
        }
        one_of(&field("status_type"), &self.status_type, &STATUS_TYPES)?;
        one_of(&field("priority"), &self.priority, &PRIORITIES)?;
        one_of(
            &field("channel"),
            &self.channel,
            &crate::desk::ticket::CHANNELS,
        )?;
        for a in &self.assignee {
            if a != "me" && a != "unassigned" && Uuid::parse_str(a).is_err() {
                return Err(ApiError::validation(
                    field("assignee"),
                    "assignee values are `me`, `unassigned` or user ids",
                ));
            }
        }
        self.tag = normalise_tags(&self.tag).map_err(|e| e.with_field(field("tag")))?;
        if let Some(q) = &self.q {
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(ApiError::validation(
                    field("q"),
                    format!("search text is at most {MAX_QUERY_CHARS} characters"),
                ));
            }
        }
        Ok(self)
    }

    /// The assignee filter as seen by `viewer` (`me` becomes the viewer); None: no filter.
    pub fn assignee_for(&self, viewer: Uuid) -> Option<AssigneeFilter> {
        if self.assignee.is_empty() {
            return None;
        }
        let mut f = AssigneeFilter::default();
        for a in &self.assignee {
            match a.as_str() {
                "me" => f.ids.push(viewer),
                "unassigned" => f.unassigned = true,
                other => f.ids.extend(Uuid::parse_str(other).ok()),
            }
        }
        Some(f)
    }

    /// These filters with every filter that `other` sets replaced by `other`'s.
    pub fn overridden_by(mut self, other: ViewFilters) -> ViewFilters {
        macro_rules! take {
            ($($f:ident),*) => {$(
                if !other.$f.is_empty() { self.$f = other.$f; }
            )*};
        }
        take!(status, status_type, priority, assignee, team, tag, channel);
        if other.q.is_some() {
            self.q = other.q;
        }
        if other.breached.is_some() {
            self.breached = other.breached;
        }
        self
    }
}

fn one_of(field: &str, values: &[String], allowed: &[&str]) -> Result<(), ApiError> {
    match values.iter().find(|v| !allowed.contains(&v.as_str())) {
        None => Ok(()),
        Some(bad) => Err(ApiError::validation(
            field,
            format!("`{bad}` is not one of: {}", allowed.join(", ")),
        )),
    }
}

/// 422 unless every column is known and none repeats.
pub fn check_columns(columns: &[String]) -> Result<(), ApiError> {
    for (i, c) in columns.iter().enumerate() {
        if !COLUMNS.contains(&c.as_str()) {
            return Err(ApiError::validation(
                "columns",
                format!("unknown column `{c}`; columns: {}", COLUMNS.join(", ")),
            ));
        }
        if columns[..i].contains(c) {
            return Err(ApiError::validation(
                "columns",
                format!("column `{c}` is listed twice"),
            ));
        }
    }
    Ok(())
}

/// A sort key split into (key, descending), or a 422.
pub fn parse_sort(sort: &str) -> Result<(&'static str, bool), ApiError> {
    let (name, descending) = match sort.strip_prefix('-') {
        Some(n) => (n, true),
        None => (sort.trim_start_matches('+'), false),
    };
    SORTS
        .iter()
        .find(|s| **s == name)
        .map(|s| (*s, descending))
        .ok_or_else(|| {
            ApiError::validation(
                "sort",
                format!("cannot sort by `{name}`; use one of {}", SORTS.join(", ")),
            )
        })
}

/// A saved view as stored, with its owner's name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SavedView {
    /// Id.
    pub id: Uuid,
    /// The user who saved it.
    pub owner_id: Uuid,
    /// That user's display name.
    pub owner_name: String,
    /// Name, unique per owner.
    pub name: String,
    /// Filters.
    pub filters: Json<ViewFilters>,
    /// Visible columns, in order.
    pub columns: Vec<String>,
    /// Sort key, `-key` for descending.
    pub sort: String,
    /// Listed for the whole organisation.
    pub shared: bool,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The writable part of a view (already validated).
#[derive(Debug, Clone)]
pub struct ViewFields {
    /// Name.
    pub name: String,
    /// Filters.
    pub filters: ViewFilters,
    /// Columns.
    pub columns: Vec<String>,
    /// Sort.
    pub sort: String,
    /// Shared.
    pub shared: bool,
}

impl ViewFields {
    /// 422 unless the name, columns and sort are acceptable (filters are checked on parse).
    pub fn check(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.chars().count() > 80 {
            return Err(ApiError::validation(
                "name",
                "name must be 1..80 characters",
            ));
        }
        check_columns(&self.columns)?;
        parse_sort(&self.sort)?;
        self.filters = self.filters.checked("filters.")?;
        Ok(self)
    }

    /// The fields of an existing view.
    pub fn of(view: &SavedView) -> Self {
        ViewFields {
            name: view.name.clone(),
            filters: view.filters.0.clone(),
            columns: view.columns.clone(),
            sort: view.sort.clone(),
            shared: view.shared,
        }
    }
}

const SELECT: &str = "SELECT v.id, v.owner_id, u.name AS owner_name, v.name, v.filters, \
     v.columns, v.sort, v.shared, v.version, v.created_at, v.updated_at \
     FROM desk_views v JOIN users u ON u.org_id = v.org_id AND u.id = v.owner_id";

/// The views `viewer` may use: their own and the organisation's shared ones, own first.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    viewer: Uuid,
) -> Result<Vec<SavedView>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE v.org_id = $1 AND (v.owner_id = $2 OR v.shared) \
         ORDER BY v.owner_id <> $2, lower(v.name), v.id"
    ))
    .bind(org_id)
    .bind(viewer)
    .fetch_all(pool)
    .await
}

/// One view of the organisation regardless of owner (callers apply [`visible_to`]).
pub async fn get(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    lock: bool,
) -> Result<Option<SavedView>, sqlx::Error> {
    let suffix = if lock { " FOR UPDATE OF v" } else { "" };
    sqlx::query_as(&format!(
        "{SELECT} WHERE v.org_id = $1 AND v.id = $2{suffix}"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Whether `viewer` may see the view (their own, or shared).
pub fn visible_to(view: &SavedView, viewer: Uuid) -> bool {
    view.owner_id == viewer || view.shared
}

/// Saves a new view owned by `owner`.
pub async fn insert(
    conn: &mut PgConnection,
    org_id: Uuid,
    owner: Uuid,
    f: &ViewFields,
) -> Result<SavedView, sqlx::Error> {
    let (id,): (Uuid,) = sqlx::query_as(
        "INSERT INTO desk_views (org_id, owner_id, name, filters, columns, sort, shared) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(owner)
    .bind(&f.name)
    .bind(Json(&f.filters))
    .bind(&f.columns)
    .bind(&f.sort)
    .bind(f.shared)
    .fetch_one(&mut *conn)
    .await?;
    reread(conn, org_id, id).await
}

/// Writes every field and bumps the version.
pub async fn update(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
    f: &ViewFields,
) -> Result<SavedView, sqlx::Error> {
    sqlx::query(
        "UPDATE desk_views SET name = $3, filters = $4, columns = $5, sort = $6, shared = $7, \
         version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(&f.name)
    .bind(Json(&f.filters))
    .bind(&f.columns)
    .bind(&f.sort)
    .bind(f.shared)
    .execute(&mut *conn)
    .await?;
    reread(conn, org_id, id).await
}

async fn reread(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<SavedView, sqlx::Error> {
    get(conn, org_id, id, false)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Deletes a view.
pub async fn delete(conn: &mut PgConnection, org_id: Uuid, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM desk_views WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn query_filters_parse_and_check() {
        let mut q: HashMap<String, String> = [
            ("priority", "high,urgent"),
            ("assignee", "me,unassigned"),
            ("tag", "VIP"),
            ("page", "2"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let f = ViewFilters::from_query(&mut q).expect("filters");
        assert_eq!(f.priority, vec!["high", "urgent"]);
        assert_eq!(f.tag, vec!["vip"]);
        assert_eq!(q.len(), 1, "unknown keys stay for the caller");
        let me = Uuid::new_v4();
        let a = f.assignee_for(me).expect("assignee");
        assert_eq!(a.ids, vec![me]);
        assert!(a.unassigned);
        let bad = ViewFilters {
            priority: vec!["huge".into()],
            ..Default::default()
        };
        assert_eq!(
            bad.checked("filters.").unwrap_err().field.as_deref(),
            Some("filters.priority")
        );
        let bad = ViewFilters {
            assignee: vec!["someone".into()],
            ..Default::default()
        };
        assert!(bad.checked("").is_err());
    }

    #[test]
    fn overrides_sorts_and_columns() {
        let view = ViewFilters {
            priority: vec!["high".into()],
            q: Some("printer".into()),
            ..Default::default()
        };
        let asked = ViewFilters {
            priority: vec!["low".into()],
            ..Default::default()
        };
        let f = view.overridden_by(asked);
        assert_eq!(f.priority, vec!["low"]);
        assert_eq!(f.q.as_deref(), Some("printer"));
        assert_eq!(parse_sort("-sla_due").expect("sort"), ("sla_due", true));
        assert!(parse_sort("password").is_err());
        assert!(check_columns(&["number".into(), "number".into()]).is_err());
        assert!(check_columns(&["colour".into()]).is_err());
        assert!(check_columns(&DEFAULT_COLUMNS.map(String::from)).is_ok());
    }
}
