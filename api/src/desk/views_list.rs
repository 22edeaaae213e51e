//! The agents' ticket list: tickets matching [`ViewFilters`] with the display names the list
//! shows (requester, assignee, team) and the next SLA due time, in one query; and the office
//! users an agent can assign to or filter by.

use crate::desk::views::ViewFilters;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// One row of the agents' list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ListRow {
    /// Ticket id.
    pub id: Uuid,
    /// `TK-000123`.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Status name.
    pub status: String,
    /// The status's type.
    pub status_type: String,
    /// Priority.
    pub priority: String,
    /// Channel.
    pub channel: String,
    /// Category.
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Requester (customer).
    pub requester_id: Option<Uuid>,
    /// The customer's name, else the requester's e-mail.
    pub requester_name: Option<String>,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// The assignee's name.
    pub assignee_name: Option<String>,
    /// Team.
    pub team_id: Option<Uuid>,
    /// The team's name.
    pub team_name: Option<String>,
    /// The earliest SLA target still running: first response (until answered), next
    /// response, resolution (until resolved).
    pub sla_due: Option<DateTime<Utc>>,
    /// Any SLA target missed.
    pub breached: bool,
    /// Version (for quick edits with If-Match).
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The next running SLA target of `t`.
const SLA_DUE: &str =
    "LEAST(CASE WHEN t.first_responded_at IS NULL THEN t.first_response_due END, \
     t.next_response_due, \
     CASE WHEN t.status_type NOT IN ('resolved', 'closed') THEN t.resolution_due END)";

/// The SQL ordering expression of a sort key of [`crate::desk::views::SORTS`].
fn sort_expr(key: &str) -> String {
    match key {
        "number" => "t.seq".into(),
        "subject" => "lower(t.subject)".into(),
        "requester" => "lower(COALESCE(c.name, t.requester_email))".into(),
        "status" => "t.status".into(),
        "priority" => "array_position(ARRAY['low','normal','high','urgent'], t.priority)".into(),
        "assignee" => "lower(u.name)".into(),
        "sla_due" => SLA_DUE.into(),
        "created_at" => "t.created_at".into(),
        _ => "t.updated_at".into(),
    }
}

fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

fn push_conditions<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    org_id: Uuid,
    viewer: Uuid,
    f: &'a ViewFilters,
) {
    q.push(" WHERE t.org_id = ").push_bind(org_id);
    for (column, values) in [
        ("t.status", &f.status),
        ("t.status_type", &f.status_type),
        ("t.priority", &f.priority),
        ("t.channel", &f.channel),
    ] {
        if !values.is_empty() {
            q.push(format!(" AND {column} = ANY("))
                .push_bind(values)
                .push(")");
        }
    }
    if let Some(a) = f.assignee_for(viewer) {
        q.push(" AND (t.assignee_id = ANY(")
            .push_bind(a.ids)
            .push(")");
        if a.unassigned {
            q.push(" OR t.assignee_id IS NULL");
        }
        q.push(")");
    }
    if !f.team.is_empty() {
        q.push(" AND t.team_id = ANY(").push_bind(&f.team).push(")");
    }
    if !f.tag.is_empty() {
        q.push(" AND t.tags && ").push_bind(&f.tag);
    }
    if let Some(text) = &f.q {
        let pattern = like_pattern(text);
        q.push(" AND (t.subject ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR t.description ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR t.number ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(b) = f.breached {
        q.push(
            " AND (t.first_response_breached OR t.next_response_breached \
             OR t.resolution_breached) = ",
        )
        .push_bind(b);
    }
}

/// A page of the list as seen by `viewer` (for `assignee=me`), and the total.
pub async fn tickets(
    pool: &PgPool,
    org_id: Uuid,
    viewer: Uuid,
    filters: &ViewFilters,
    sort: (&str, bool),
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let mut q = QueryBuilder::new(format!(
        "SELECT t.id, t.number, t.subject, t.status, t.status_type, t.priority, t.channel, \
         t.category, t.tags, t.requester_id, COALESCE(c.name, t.requester_email) AS requester_name, \
         t.assignee_id, u.name AS assignee_name, t.team_id, tm.name AS team_name, \
         {SLA_DUE} AS sla_due, \
         (t.first_response_breached OR t.next_response_breached OR t.resolution_breached) AS breached, \
         t.version, t.created_at, t.updated_at \
         FROM tickets t \
         LEFT JOIN customers c ON c.org_id = t.org_id AND c.id = t.requester_id \
         LEFT JOIN users u ON u.org_id = t.org_id AND u.id = t.assignee_id \
         LEFT JOIN desk_teams tm ON tm.org_id = t.org_id AND tm.id = t.team_id"
    ));
    push_conditions(&mut q, org_id, viewer, filters);
    let direction = if sort.1 { "DESC" } else { "ASC" };
    q.push(format!(
        " ORDER BY {} {direction} NULLS LAST, t.seq {direction} LIMIT ",
        sort_expr(sort.0)
    ))
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    let rows: Vec<ListRow> = q.build_query_as().fetch_all(pool).await?;
    let mut c = QueryBuilder::new("SELECT count(*) FROM tickets t");
    push_conditions(&mut c, org_id, viewer, filters);
    let (total,): (i64,) = c.build_query_as().fetch_one(pool).await?;
    Ok((rows, total))
}

/// An office user (for the assignee picker, the assignee filter and presence names).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OfficeUser {
    /// User id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// `admin`, `dispatcher` or `agent`.
    pub role: String,
}

/// The active office users of the organisation, by name.
pub async fn office_users(pool: &PgPool, org_id: Uuid) -> Result<Vec<OfficeUser>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, email, role FROM users WHERE org_id = $1 AND active \
         AND role IN ('admin', 'dispatcher', 'agent') ORDER BY lower(name), id",
    )
    .bind(org_id)
    .fetch_all(pool)
    .await
}
