//! Record lists: one page of a kind's records as JSON text, filtered and sorted, with a count
//! of the matching records that stops a few pages ahead (see [`PAGES_AHEAD`]).

use super::records::{scope_sql, Scope};
use crate::domain::resources::Resource;
use serde_json::Value;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::{PgPool, Postgres};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// One list condition.
#[derive(Debug, Clone)]
pub enum Condition {
    /// `column = ANY(values)`, values cast to `sql_type`.
    AnyOf {
        /// Column (from the catalogue).
        column: &'static str,
        /// Postgres type of the column.
        sql_type: &'static str,
        /// Accepted values as text.
        values: Vec<String>,
    },
    /// A catalogue SQL snippet with `{}` for one value cast to `sql_type`.
    Snippet {
        /// SQL with `{}`.
        sql: &'static str,
        /// Postgres type of the value.
        sql_type: &'static str,
        /// The value as text.
        value: String,
    },
}

/// Page, filters and order of a list.
#[derive(Debug, Clone)]
pub struct ListSpec {
    /// Conditions, AND-ed.
    pub conditions: Vec<Condition>,
    /// Sort column (from the catalogue) and direction.
    pub sort: (&'static str, bool),
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
    /// Count every matching row; otherwise counting stops [`PAGES_AHEAD`] pages past `offset`.
    pub exact_total: bool,
}

/// How many pages (of the list's size) past the start of the page a list counts, unless asked
/// for an exact total: enough for a pager to show the next pages, while a list over a large
/// table costs no more than reading that many index entries.
pub const PAGES_AHEAD: i64 = 10;

/// A page of records as JSON text and how many records match.
#[derive(Debug, Clone)]
pub struct PageJson {
    /// The page's records, a JSON array.
    pub items: String,
    /// Matching records: exact, or a lower bound when `total_exact` is false.
    pub total: i64,
    /// Whether `total` is the exact number (false: there are at least `total`).
    pub total_exact: bool,
}

/// The columns of a catalogue table other than `org_id`, quoted and comma-separated, as
/// Postgres lists them (read once per table and process).
///
/// Why: a list page is turned into JSON by `json_agg` over rows of exactly these columns,
/// which costs about a third of building `to_jsonb(t) - 'org_id'` per row. A column added
/// by a later migration appears in lists after the service restarts.
async fn output_columns(pool: &PgPool, table: &'static str) -> Result<Arc<str>, sqlx::Error> {
    static COLUMNS: OnceLock<Mutex<HashMap<&'static str, Arc<str>>>> = OnceLock::new();
    let known = COLUMNS.get_or_init(Default::default);
    if let Some(columns) = known.lock().unwrap_or_else(|e| e.into_inner()).get(table) {
        return Ok(columns.clone());
    }
    let (columns,): (Option<String>,) = sqlx::query_as(
        "SELECT string_agg('t.' || quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute \
         WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'org_id'",
    )
    .bind(table)
    .fetch_one(pool)
    .await?;
    let columns: Arc<str> = columns.ok_or(sqlx::Error::RowNotFound)?.into();
    known
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(table, columns.clone());
    Ok(columns)
}

/// A page of records and the number matching the conditions (see [`PageJson::total`]).
pub async fn list(
    pool: &PgPool,
    res: &Resource,
    scope: &Scope,
    spec: &ListSpec,
) -> Result<(Vec<Value>, i64), sqlx::Error> {
    let page = list_json(pool, res, scope, spec).await?;
    let items = serde_json::from_str(&page.items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok((items, page.total))
}

/// A page of records as a JSON array (text) and how many match the conditions.
pub async fn list_json(
    pool: &PgPool,
    res: &Resource,
    scope: &Scope,
    spec: &ListSpec,
) -> Result<PageJson, sqlx::Error> {
    let sql = statement(res, scope, spec, &output_columns(pool, res.table).await?);
    let (items, total) = bind(sqlx::query_as(&sql), scope, spec)
        .fetch_one(pool)
        .await?;
    let cap = count_cap(spec);
    Ok(PageJson {
        items,
        total,
        total_exact: cap.is_none_or(|c| total < c),
    })
}

/// The plan Postgres chooses for this list now (`EXPLAIN (FORMAT JSON)`, not run), for
/// checking that a list reads what it needs and no more.
pub async fn explain_list(
    pool: &PgPool,
    res: &Resource,
    scope: &Scope,
    spec: &ListSpec,
) -> Result<Value, sqlx::Error> {
    let sql = statement(res, scope, spec, &output_columns(pool, res.table).await?);
    let sql = format!("EXPLAIN (FORMAT JSON) {sql}");
    let (plan,): (sqlx::types::Json<Value>,) = bind(sqlx::query_as(&sql), scope, spec)
        .fetch_one(pool)
        .await?;
    Ok(plan.0)
}

/// Where the count stops (None: an exact total was asked for).
fn count_cap(spec: &ListSpec) -> Option<i64> {
    let ahead = spec.limit.saturating_mul(PAGES_AHEAD);
    (!spec.exact_total).then(|| spec.offset.saturating_add(ahead).saturating_add(1))
}

/// The list's statement: the page as JSON text and the (capped) count, in one round trip.
/// Its parameters are bound by [`bind`].
fn statement(res: &Resource, scope: &Scope, spec: &ListSpec, columns: &str) -> String {
    // The organisation is written into the statement (a Uuid, formatted here, never client
    // text), so each organisation's lists are prepared and planned for it: a statement shared
    // by all organisations gets a generic plan for the average one, and for a large
    // organisation among thousands of small ones that plan read all its rows through a bitmap
    // scan and sorted them (1.9 ms) instead of walking the index in page order (0.5 ms).
    let mut where_sql = format!("t.org_id = '{}'::uuid", scope.org_id);
    let mut n = 1;
    for cond in &spec.conditions {
        match cond {
            Condition::AnyOf {
                column, sql_type, ..
            } => {
                where_sql += &format!(" AND t.{column} = ANY(${n}::text[]::{sql_type}[])");
            }
            Condition::Snippet { sql, sql_type, .. } => {
                where_sql += &format!(
                    " AND {}",
                    sql.replace("{}", &format!("${n}::text::{sql_type}"))
                );
            }
        }
        n += 1;
    }
    let (extra, _) = scope_sql(scope, n);
    where_sql += &extra;
    let (column, descending) = spec.sort;
    let direction = if descending { "DESC" } else { "ASC" };
    // Page first, JSON after: only the page's rows are turned into JSON, and the plain ORDER BY
    // (no NULLS clause) can walk the (org_id, column[, id]) indexes. The page comes back as
    // JSON text, passed to the client without re-parsing.
    let order = |alias: &str, column: &str, direction: &str| {
        format!("{alias}.{column} {direction}, {alias}.id {direction}")
    };
    // The capped count walks the (org_id, created_at, id) index every kind has (in the page's
    // direction when the page is in that order too, so it reads the pages the page just read).
    // Without an ORDER BY, Postgres may count by scanning the table from its start, expecting
    // matches early: after a burst of creates the organisation's rows sit at the end of the
    // heap, not yet all-visible, and that scan read the whole table (5.5 ms per list instead
    // of 0.25 ms). With it, a plan that is not the index walk has to read and sort every
    // matching row, and is costed so.
    let count_sql = match count_cap(spec) {
        Some(cap) => {
            let count_direction = if column == "created_at" {
                direction
            } else {
                "DESC"
            };
            let count_order = order("t", "created_at", count_direction);
            format!(
                "SELECT 1 FROM {table} t WHERE {where_sql} ORDER BY {count_order} LIMIT {cap}",
                table = res.table
            )
        }
        None => format!(
            "SELECT 1 FROM {table} t WHERE {where_sql}",
            table = res.table
        ),
    };
    format!(
        "SELECT coalesce((SELECT json_agg(p ORDER BY {page_order}) FROM \
           (SELECT {columns} FROM {table} t WHERE {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}) p), \
           '[]')::text, \
         (SELECT count(*) FROM ({count_sql}) c)",
        page_order = order("p", column, direction),
        order = order("t", column, direction),
        table = res.table,
        limit = spec.limit,
        offset = spec.offset
    )
}

/// Binds the parameters of [`statement`]: the conditions' values in order, then the
/// customer of a customer-role caller.
fn bind<'q, O>(
    mut query: QueryAs<'q, Postgres, O, PgArguments>,
    scope: &Scope,
    spec: &'q ListSpec,
) -> QueryAs<'q, Postgres, O, PgArguments> {
    for cond in &spec.conditions {
        match cond {
            Condition::AnyOf { values, .. } => query = query.bind(values),
            Condition::Snippet { value, .. } => query = query.bind(value),
        }
    }
    if let Some((_, customer)) = scope.customer {
        query = query.bind(customer);
    }
    query
}
