//! Generic SQL for the record kinds of [`crate::domain::resources`]. Rows travel as JSON
//! (`to_jsonb(row)` out, `jsonb_populate_record` in), so one set of queries serves every kind;
//! column names only ever come from the static catalogue, values are always bound.

use crate::domain::resources::Resource;
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres};
use uuid::Uuid;

/// Which rows of a table the caller may see.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// The caller's organisation (always in the WHERE clause).
    pub org_id: Uuid,
    /// For `customer`-role callers: the customer column and the caller's customer.
    pub customer: Option<(&'static str, Option<Uuid>)>,
}

const ROW: &str = "to_jsonb(t) - 'org_id'";

type JsonRow = (Json<Value>,);

pub(crate) fn scope_sql(scope: &Scope, next_param: usize) -> (String, Option<Option<Uuid>>) {
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
/// (`work_order_number`, an SQL function formatting like [`crate::domain::work_order::number`])
/// and the FROM item taking the next number of organisation `org` (an SQL expression) from its
/// sequence. Empty when not numbered.
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
            values: "n.seq, work_order_number(n.seq), ",
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
