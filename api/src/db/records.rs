//! Generic SQL for the record kinds of [`crate::domain::resources`]. Rows travel as JSON
//! (`to_jsonb(row)` out, `jsonb_populate_record` in), so one set of queries serves every kind;
//! column names only ever come from the static catalogue, values are always bound.

use crate::domain::resources::Resource;
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use uuid::Uuid;

/// Which rows of a table the caller may see.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// The caller's organisation (always in the WHERE clause).
    pub org_id: Uuid,
    /// For `customer`-role callers: the customer column and the caller's customer.
    pub customer: Option<(&'static str, Option<Uuid>)>,
}

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

const ROW: &str = "to_jsonb(t) - 'org_id'";

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

type JsonRow = (Json<Value>,);

fn scope_sql(scope: &Scope, next_param: usize) -> (String, Option<Option<Uuid>>) {
    match scope.customer {
        Some((column, customer)) => (format!(" AND t.{column} = ${next_param}"), Some(customer)),
        None => (String::new(), None),
    }
}

/// One record by id, or None (also when it belongs to another organisation or is outside a
/// customer's scope).
pub async fn get(
    pool: &PgPool,
    res: &Resource,
    scope: &Scope,
    id: Uuid,
) -> Result<Option<Value>, sqlx::Error> {
    let (extra, customer) = scope_sql(scope, 3);
    let sql = format!(
        "SELECT {ROW} FROM {} t WHERE t.id = $1 AND t.org_id = $2{extra}",
        res.table
    );
    let mut q = sqlx::query_as::<Postgres, JsonRow>(&sql)
        .bind(id)
        .bind(scope.org_id);
    if let Some(customer) = customer {
        q = q.bind(customer);
    }
    Ok(q.fetch_optional(pool).await?.map(|r| r.0 .0))
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
    let (extra, customer) = scope_sql(scope, n);
    where_sql += &extra;
    let (column, descending) = spec.sort;
    let direction = if descending { "DESC" } else { "ASC" };
    // Page first, JSON after: only the page's rows are turned into JSON, and the plain ORDER BY
    // (no NULLS clause) can walk the (org_id, column[, id]) indexes. Page and count in one round
    // trip; the page comes back as JSON text, passed to the client without re-parsing. The
    // count stops at `cap` rows unless an exact total was asked for.
    let order = |alias: &str| format!("{alias}.{column} {direction}, {alias}.id {direction}");
    let ahead = spec.limit.saturating_mul(PAGES_AHEAD);
    let cap = (!spec.exact_total).then(|| spec.offset.saturating_add(ahead).saturating_add(1));
    let count_limit = cap.map(|c| format!(" LIMIT {c}")).unwrap_or_default();
    let columns = output_columns(pool, res.table).await?;
    let sql = format!(
        "SELECT coalesce((SELECT json_agg(p ORDER BY {page_order}) FROM \
           (SELECT {columns} FROM {table} t WHERE {where_sql} ORDER BY {order} LIMIT {limit} OFFSET {offset}) p), \
           '[]')::text, \
         (SELECT count(*) FROM (SELECT 1 FROM {table} t WHERE {where_sql}{count_limit}) c)",
        page_order = order("p"),
        order = order("t"),
        table = res.table,
        limit = spec.limit,
        offset = spec.offset
    );
    let mut query = sqlx::query_as::<Postgres, (String, i64)>(&sql);
    for cond in &spec.conditions {
        match cond {
            Condition::AnyOf { values, .. } => query = query.bind(values.clone()),
            Condition::Snippet { value, .. } => query = query.bind(value.clone()),
        }
    }
    if let Some(customer) = customer {
        query = query.bind(customer);
    }
    let (items, total) = query.fetch_one(pool).await?;
    Ok(PageJson {
        items,
        total,
        total_exact: cap.is_none_or(|c| total < c),
    })
}

/// Locks a record of the organisation for a change (`SELECT ... FOR UPDATE`): concurrent
/// changes of the same record queue here, so version checks after it are race-free.
pub async fn lock(
    conn: &mut PgConnection,
    res: &Resource,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Value>, sqlx::Error> {
    let sql = format!(
        "SELECT {ROW} FROM {} t WHERE t.id = $1 AND t.org_id = $2 FOR UPDATE",
        res.table
    );
    let row = sqlx::query_as::<Postgres, JsonRow>(&sql)
        .bind(id)
        .bind(org_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.0 .0))
}

/// The (catalogue-named) columns of `fields`, comma-separated.
pub(crate) fn column_list(fields: &Map<String, Value>) -> String {
    fields
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts a record with the given (validated, catalogue-named) fields.
pub async fn insert(
    conn: &mut PgConnection,
    res: &Resource,
    org_id: Uuid,
    fields: &Map<String, Value>,
) -> Result<Value, sqlx::Error> {
    let cols = column_list(fields);
    let sql = format!(
        "INSERT INTO {table} AS t (org_id, {cols}) SELECT $1, {cols} FROM jsonb_populate_record(NULL::{table}, $2) \
         RETURNING {ROW}",
        table = res.table
    );
    let (row,) = sqlx::query_as::<Postgres, JsonRow>(&sql)
        .bind(org_id)
        .bind(Json(Value::Object(fields.clone())))
        .fetch_one(conn)
        .await?;
    Ok(row.0)
}

/// Who creates a record, for [`create_logged`].
#[derive(Debug, Clone, Copy)]
pub struct Creator {
    /// Organisation.
    pub org_id: Uuid,
    /// Acting user.
    pub actor_id: Uuid,
}

/// Creates a record and its `create` activity entry in ONE statement (no explicit
/// transaction: a single round trip and a single commit). With `numbered`, the statement also
/// takes the organisation's next work-order number from its sequence
/// (`next_work_order_seq`, see [`super::orgs::next_work_order_seq`]) and formats it like
/// [`crate::domain::work_order::number`].
pub async fn create_logged(
    pool: &PgPool,
    res: &Resource,
    who: Creator,
    fields: &Map<String, Value>,
    numbered: bool,
) -> Result<Value, sqlx::Error> {
    let cols = column_list(fields);
    let table = res.table;
    let numbering = Numbering::new(numbered, "$1");
    let (numbered_cols, numbered_values, numbered_from) =
        (numbering.cols, numbering.values, &numbering.from);
    let sql = format!(
        "WITH created AS (INSERT INTO {table} AS t (org_id, {numbered_cols}{cols}) \
           SELECT $1, {numbered_values}{cols} \
           FROM jsonb_populate_record(NULL::{table}, $2){numbered_from} RETURNING {ROW} AS doc), \
         logged AS (INSERT INTO activity (org_id, actor_id, entity, entity_id, action, after) \
           SELECT $1, $3, $4, (doc->>'id')::uuid, 'create', doc FROM created) \
         SELECT doc FROM created"
    );
    let (row,) = sqlx::query_as::<Postgres, JsonRow>(&sql)
        .bind(who.org_id)
        .bind(Json(Value::Object(fields.clone())))
        .bind(who.actor_id)
        .bind(res.entity)
        .fetch_one(pool)
        .await?;
    Ok(row.0)
}

/// The SQL that numbers a work order inside its create statement: its columns, their values
/// (formatted like [`crate::domain::work_order::number`]) and the FROM item taking the next
/// number of organisation `org` (an SQL expression) from its sequence. Empty when not numbered.
struct Numbering {
    cols: &'static str,
    values: &'static str,
    from: String,
}

impl Numbering {
    fn new(numbered: bool, org: &str) -> Self {
        if !numbered {
            return Self {
                cols: "",
                values: "",
                from: String::new(),
            };
        }
        Self {
            cols: "seq, number, ",
            values: "n.seq, 'WO-' || CASE WHEN n.seq < 1000000 THEN lpad(n.seq::text, 6, '0') \
               ELSE n.seq::text END, ",
            from: format!(", LATERAL (SELECT next_work_order_seq({org}) AS seq) n"),
        }
    }
}

/// Creates several records of one kind with the same columns and their `create` activity
/// entries in ONE statement (see [`super::create_batch`]); the records come back in the
/// order of `rows`. All or nothing: on error no record was created.
pub async fn create_logged_many(
    pool: &PgPool,
    res: &Resource,
    rows: &[(Creator, &Map<String, Value>)],
    numbered: bool,
) -> Result<Vec<Value>, sqlx::Error> {
    let Some((_, first)) = rows.first() else {
        return Ok(Vec::new());
    };
    let table = res.table;
    let cols = column_list(first);
    let from_record: String = first
        .keys()
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let numbering = Numbering::new(numbered, "b.org_id");
    let (numbered_cols, numbered_values, numbered_from) =
        (numbering.cols, numbering.values, &numbering.from);
    // Ids are chosen here so that each returned record can be matched to its request.
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::new_v4()).collect();
    let orgs: Vec<Uuid> = rows.iter().map(|(who, _)| who.org_id).collect();
    let actors: Vec<Uuid> = rows.iter().map(|(who, _)| who.actor_id).collect();
    let docs: Vec<Json<&Map<String, Value>>> = rows.iter().map(|(_, f)| Json(*f)).collect();
    let sql = format!(
        "WITH b AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::jsonb[]) \
           WITH ORDINALITY AS b(id, org_id, actor_id, doc, ord)), \
         created AS (INSERT INTO {table} AS t (id, org_id, {numbered_cols}{cols}) \
           SELECT b.id, b.org_id, {numbered_values}{from_record} \
           FROM b, LATERAL jsonb_populate_record(NULL::{table}, b.doc) r{numbered_from} \
           ORDER BY b.ord RETURNING t.id, {ROW} AS doc), \
         logged AS (INSERT INTO activity (org_id, actor_id, entity, entity_id, action, after) \
           SELECT b.org_id, b.actor_id, $5, c.id, 'create', c.doc FROM created c JOIN b ON b.id = c.id) \
         SELECT c.doc FROM created c JOIN b ON b.id = c.id ORDER BY b.ord"
    );
    let found: Vec<JsonRow> = sqlx::query_as::<Postgres, JsonRow>(&sql)
        .bind(&ids)
        .bind(&orgs)
        .bind(&actors)
        .bind(&docs)
        .bind(res.entity)
        .fetch_all(pool)
        .await?;
    if found.len() != rows.len() {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(found.into_iter().map(|(doc,)| doc.0).collect())
}

/// Updates the given fields of a record and bumps its version.
pub async fn update(
    conn: &mut PgConnection,
    res: &Resource,
    org_id: Uuid,
    id: Uuid,
    fields: &Map<String, Value>,
) -> Result<Value, sqlx::Error> {
    let set = if fields.is_empty() {
        String::new()
    } else {
        let cols = column_list(fields);
        format!(
            "({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{}, $3)), ",
            res.table
        )
    };
    let sql = format!(
        "UPDATE {} t SET {set}version = t.version + 1, updated_at = now() WHERE t.id = $1 AND t.org_id = $2 \
         RETURNING {ROW}",
        res.table
    );
    let (row,) = sqlx::query_as::<Postgres, JsonRow>(&sql)
        .bind(id)
        .bind(org_id)
        .bind(Json(Value::Object(fields.clone())))
        .fetch_one(conn)
        .await?;
    Ok(row.0)
}

/// Deletes a record of the organisation.
pub async fn delete(
    conn: &mut PgConnection,
    res: &Resource,
    org_id: Uuid,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "DELETE FROM {} t WHERE t.id = $1 AND t.org_id = $2",
        res.table
    );
    let done = sqlx::query(&sql)
        .bind(id)
        .bind(org_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Work orders and service reports that concern an asset, newest first (its service history).
pub async fn asset_history(
    pool: &PgPool,
    org_id: Uuid,
    asset_id: Uuid,
) -> Result<Value, sqlx::Error> {
    let (orders,): (Json<Value>,) = sqlx::query_as(
        "SELECT coalesce(jsonb_agg(to_jsonb(w) - 'org_id' ORDER BY w.created_at DESC), '[]') \
         FROM work_orders w WHERE w.org_id = $1 AND w.asset_id = $2",
    )
    .bind(org_id)
    .bind(asset_id)
    .fetch_one(pool)
    .await?;
    let (reports,): (Json<Value>,) = sqlx::query_as(
        "SELECT coalesce(jsonb_agg(to_jsonb(r) - 'org_id' ORDER BY r.created_at DESC), '[]') \
         FROM service_reports r JOIN work_orders w ON w.org_id = r.org_id AND w.id = r.work_order_id \
         WHERE r.org_id = $1 AND w.asset_id = $2",
    )
    .bind(org_id)
    .bind(asset_id)
    .fetch_one(pool)
    .await?;
    Ok(serde_json::json!({"work_orders": orders.0, "service_reports": reports.0}))
}
