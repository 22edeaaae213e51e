//! List parameters: `?page=&limit=&sort=[-]column&column=value[,value]&...`, checked against a
//! resource's whitelists (unknown names → 422 naming them), and the page envelope.

use crate::db::lists::{Condition, ListSpec};
use crate::domain::fields::{validate_filter, Kind};
use crate::domain::resources::{Resource, WORK_ORDERS};
use crate::domain::work_order::OPEN_STATUSES;
use crate::error::ApiError;
use serde::Serialize;
use std::collections::HashMap;

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 200;

/// `{"items": [...], "page": 1, "limit": 50, "total": N}`.
#[derive(Debug, Serialize)]
pub struct Page<T: Serialize> {
    /// This page's items.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: i64,
    /// Page size.
    pub limit: i64,
    /// Matching items over all pages.
    pub total: i64,
}

/// Page number and size from the query (removed from it).
pub fn paging(query: &mut HashMap<String, String>) -> Result<(i64, i64), ApiError> {
    let page = match query.remove("page") {
        None => 1,
        Some(p) => p
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| ApiError::validation("page", "page must be a positive integer"))?,
    };
    let limit = match query.remove("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                ApiError::validation("limit", format!("limit must be 1..{MAX_LIMIT}"))
            })?,
    };
    Ok((page, limit))
}

/// The type of a filterable column.
fn column_kind(res: &Resource, column: &str) -> Kind {
    match res.field(column) {
        Some(field) => field.kind,
        None if column.ends_with("_id") => Kind::Uuid,
        None => Kind::Text { max: 500 },
    }
}

/// Whether the query asks for an exact total (`?total=exact`; removed from it). Without it a
/// record list counts at most [`crate::db::lists::PAGES_AHEAD`] pages past the page start.
pub fn exact_total(query: &mut HashMap<String, String>) -> Result<bool, ApiError> {
    match query.remove("total").as_deref() {
        None => Ok(false),
        Some("exact") => Ok(true),
        Some(_) => Err(ApiError::validation(
            "total",
            "total must be `exact` (or left out for a count that stops past the next pages)",
        )),
    }
}

/// Turns the query string into a list specification for `res`.
pub fn list_spec(res: &Resource, mut query: HashMap<String, String>) -> Result<ListSpec, ApiError> {
    let (page, limit) = paging(&mut query)?;
    let exact_total = exact_total(&mut query)?;
    let sort = match query.remove("sort") {
        None => ("created_at", true),
        Some(s) => {
            let (name, descending) = match s.strip_prefix('-') {
                Some(name) => (name, true),
                None => (s.trim_start_matches('+'), false),
            };
            let column = res.sorts.iter().find(|c| **c == name).ok_or_else(|| {
                ApiError::validation(
                    "sort",
                    format!(
                        "cannot sort by `{name}`; use one of {}",
                        res.sorts.join(", ")
                    ),
                )
            })?;
            (*column, descending)
        }
    };
    let mut conditions = Vec::new();
    let mut keys: Vec<String> = query.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let raw = query.remove(&key).unwrap_or_default();
        if let Some(column) = res.filters.iter().find(|c| **c == key) {
            let kind = column_kind(res, column);
            let mut values: Vec<String> = raw
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if std::ptr::eq(res, &WORK_ORDERS)
                && *column == "status"
                && values.iter().any(|v| v == "open")
            {
                values.retain(|v| v != "open");
                values.extend(OPEN_STATUSES.iter().map(|s| s.to_string()));
            }
            if values.is_empty() {
                return Err(ApiError::validation(key, "filter value is empty"));
            }
            for value in &values {
                validate_filter(column, kind, value)?;
            }
            conditions.push(Condition::AnyOf {
                column,
                sql_type: kind.sql_type(),
                values,
            });
        } else if let Some(extra) = res.extra_filters.iter().find(|f| f.name == key) {
            validate_filter(extra.name, extra.kind, &raw)?;
            conditions.push(Condition::Snippet {
                sql: extra.sql,
                sql_type: extra.kind.sql_type(),
                value: raw,
            });
        } else {
            let mut known: Vec<&str> = res.filters.to_vec();
            known.extend(res.extra_filters.iter().map(|f| f.name));
            return Err(ApiError::validation(
                key.clone(),
                format!(
                    "unknown query parameter `{key}`; filters: {}",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(ListSpec {
        conditions,
        sort,
        limit,
        offset: (page - 1) * limit,
        exact_total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::resources::WORK_ORDERS;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_and_rejects() {
        let spec = list_spec(
            &WORK_ORDERS,
            q(&[("status", "open"), ("sort", "-window_start"), ("page", "2")]),
        )
        .expect("spec");
        assert_eq!(spec.sort, ("window_start", true));
        assert_eq!(spec.offset, DEFAULT_LIMIT);
        assert!(!spec.exact_total);
        assert!(
            list_spec(&WORK_ORDERS, q(&[("total", "exact")]))
                .expect("exact")
                .exact_total
        );
        assert_eq!(
            list_spec(&WORK_ORDERS, q(&[("total", "all")]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("total")
        );
        assert_eq!(
            list_spec(&WORK_ORDERS, q(&[("sort", "password")]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("sort")
        );
        assert_eq!(
            list_spec(&WORK_ORDERS, q(&[("colour", "red")]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("colour")
        );
        assert_eq!(
            list_spec(&WORK_ORDERS, q(&[("limit", "201")]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("limit")
        );
        assert_eq!(
            list_spec(&WORK_ORDERS, q(&[("priority", "huge")]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("priority")
        );
    }
}
