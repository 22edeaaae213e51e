//! Ticket rows: numbering, read, lock, insert, update and the filtered list.

use crate::desk::ticket::Ticket;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// Takes the organisation's next ticket sequence number (inside the creating transaction).
pub async fn next_seq(conn: &mut PgConnection, org_id: Uuid) -> Result<i64, sqlx::Error> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO desk_counters (org_id, ticket_seq) VALUES ($1, 1) \
         ON CONFLICT (org_id) DO UPDATE SET ticket_seq = desk_counters.ticket_seq + 1 \
         RETURNING ticket_seq",
    )
    .bind(org_id)
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

/// One ticket, or None (also when it belongs to another organisation).
pub async fn get(pool: &PgPool, org_id: Uuid, id: Uuid) -> Result<Option<Ticket>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM tickets WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// One ticket locked for update inside a transaction.
pub async fn lock(
    conn: &mut PgConnection,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<Ticket>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM tickets WHERE org_id = $1 AND id = $2 FOR UPDATE")
        .bind(org_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Inserts a ticket (its id, seq and number already chosen).
pub async fn insert(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &Ticket,
) -> Result<Ticket, sqlx::Error> {
    // Version 0 here; the one UPDATE below writes the other columns and makes it 1.
    sqlx::query(
        "INSERT INTO tickets (id, org_id, seq, number, subject, version) \
         VALUES ($1, $2, $3, $4, $5, 0)",
    )
    .bind(t.id)
    .bind(org_id)
    .bind(t.seq)
    .bind(&t.number)
    .bind(&t.subject)
    .execute(&mut *conn)
    .await?;
    write(conn, org_id, t).await
}

/// Writes every changeable column of `t` and bumps the version.
pub async fn write(
    conn: &mut PgConnection,
    org_id: Uuid,
    t: &Ticket,
) -> Result<Ticket, sqlx::Error> {
    sqlx::query_as(
        "UPDATE tickets SET subject = $3, description = $4, status = $5, status_type = $6, \
         priority = $7, category = $8, channel = $9, requester_id = $10, requester_email = $11, \
         assignee_id = $12, team_id = $13, tags = $14, custom_fields = $15, parent_id = $16, \
         merged_into_id = $17, split_from_id = $18, work_order_id = $19, sla_policy_id = $20, \
         sla_elapsed_secs = $21, sla_running_since = $22, first_response_due = $23, \
         next_response_due = $24, resolution_due = $25, first_responded_at = $26, \
         resolved_at = $27, closed_at = $28, first_response_breached = $29, \
         next_response_breached = $30, resolution_breached = $31, escalated_at = $32, \
         version = version + 1, updated_at = now() \
         WHERE org_id = $1 AND id = $2 RETURNING *",
    )
    .bind(org_id)
    .bind(t.id)
    .bind(&t.subject)
    .bind(&t.description)
    .bind(&t.status)
    .bind(&t.status_type)
    .bind(&t.priority)
    .bind(&t.category)
    .bind(&t.channel)
    .bind(t.requester_id)
    .bind(&t.requester_email)
    .bind(t.assignee_id)
    .bind(t.team_id)
    .bind(&t.tags)
    .bind(Json(&t.custom_fields.0))
    .bind(t.parent_id)
    .bind(t.merged_into_id)
    .bind(t.split_from_id)
    .bind(t.work_order_id)
    .bind(t.sla_policy_id)
    .bind(t.sla_elapsed_secs)
    .bind(t.sla_running_since)
    .bind(t.first_response_due)
    .bind(t.next_response_due)
    .bind(t.resolution_due)
    .bind(t.first_responded_at)
    .bind(t.resolved_at)
    .bind(t.closed_at)
    .bind(t.first_response_breached)
    .bind(t.next_response_breached)
    .bind(t.resolution_breached)
    .bind(t.escalated_at)
    .fetch_one(conn)
    .await
}

/// A list filter: a whitelisted column and the accepted values.
#[derive(Debug, Clone)]
pub enum TicketFilter {
    /// `column = ANY(values)` for a text column.
    Text(&'static str, Vec<String>),
    /// `column = ANY(values)` for a uuid column.
    Ids(&'static str, Vec<Uuid>),
    /// Has any of the tags.
    Tags(Vec<String>),
    /// Subject or description contains the text (case-insensitive).
    Contains(String),
    /// Any SLA breach flag set (true) or none (false).
    Breached(bool),
}

/// A page of tickets matching all filters, and the total count.
pub async fn list(
    pool: &PgPool,
    org_id: Uuid,
    filters: &[TicketFilter],
    sort: (&'static str, bool),
    limit: i64,
    offset: i64,
) -> Result<(Vec<Ticket>, i64), sqlx::Error> {
    fn conditions<'a>(
        q: &mut QueryBuilder<'a, Postgres>,
        org_id: Uuid,
        filters: &'a [TicketFilter],
    ) {
        q.push(" WHERE org_id = ").push_bind(org_id);
        for f in filters {
            match f {
                TicketFilter::Text(col, values) => {
                    q.push(format!(" AND {col} = ANY("))
                        .push_bind(values)
                        .push(")");
                }
                TicketFilter::Ids(col, values) => {
                    q.push(format!(" AND {col} = ANY("))
                        .push_bind(values)
                        .push(")");
                }
                TicketFilter::Tags(tags) => {
                    q.push(" AND tags && ").push_bind(tags);
                }
                TicketFilter::Contains(text) => {
                    let pattern = format!(
                        "%{}%",
                        text.replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_")
                    );
                    q.push(" AND (subject ILIKE ")
                        .push_bind(pattern.clone())
                        .push(" OR description ILIKE ")
                        .push_bind(pattern)
                        .push(")");
                }
                TicketFilter::Breached(b) => {
                    q.push(" AND (first_response_breached OR next_response_breached OR resolution_breached) = ")
                        .push_bind(*b);
                }
            }
        }
    }
    let mut q = QueryBuilder::new("SELECT * FROM tickets");
    conditions(&mut q, org_id, filters);
    let (column, descending) = sort;
    let direction = if descending { "DESC" } else { "ASC" };
    // Priority sorts by rank, not alphabetically.
    let key = if column == "priority" {
        "array_position(ARRAY['low','normal','high','urgent'], priority)".to_string()
    } else {
        column.to_string()
    };
    q.push(format!(
        " ORDER BY {key} {direction} NULLS LAST, seq {direction} LIMIT "
    ))
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    let items: Vec<Ticket> = q.build_query_as().fetch_all(pool).await?;
    let mut c = QueryBuilder::new("SELECT count(*) FROM tickets");
    conditions(&mut c, org_id, filters);
    let (total,): (i64,) = c.build_query_as().fetch_one(pool).await?;
    Ok((items, total))
}
