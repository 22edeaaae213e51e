//! Notification templates (ticket created, agent replied, ticket resolved): built-in defaults,
//! per-organisation overrides, and rendering with minijinja. Placeholders such as
//! `{{ ticket.number }}`, `{{ ticket.subject }}`, `{{ requester.name }}`, `{{ message.body }}`,
//! `{{ agent.name }}`, `{{ portal_url }}` and `{{ survey_url }}` (the satisfaction-survey link of
//! the resolved e-mail; empty elsewhere); unknown names are errors, caught when saving.

use super::threading::REPLY_MARKER;
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Utc};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The template kinds.
pub const KINDS: [&str; 3] = ["ticket_created", "agent_replied", "ticket_resolved"];

/// A template: subject line and plain-text body.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Template {
    /// Kind.
    pub kind: String,
    /// Subject template.
    pub subject: String,
    /// Body template.
    pub body: String,
    /// Whether this is the organisation's own (false: the built-in default).
    #[sqlx(default)]
    pub customised: bool,
    /// Version of the customised template (0 for the default).
    pub version: i64,
    /// Last change of the customised template.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The built-in template of a kind.
pub fn default_template(kind: &str) -> Option<Template> {
    let (subject, body) = match kind {
        "ticket_created" => (
            "[{{ ticket.number }}] {{ ticket.subject }}",
            "Hello {{ requester.name }},\n\n\
             we have received your request and opened ticket {{ ticket.number }}. \
             Reply to this e-mail to add anything.\n\n\
             {% if portal_url %}Follow it online: {{ portal_url }}\n\n{% endif %}\
             > {{ message.body | replace('\\n', '\\n> ') }}\n",
        ),
        "agent_replied" => (
            "Re: [{{ ticket.number }}] {{ ticket.subject }}",
            "{{ message.body }}\n\n\
             --\n{{ agent.name }}{% if organisation.name %}, {{ organisation.name }}{% endif %}\n\
             Ticket {{ ticket.number }} ({{ ticket.status }})\
             {% if portal_url %} · {{ portal_url }}{% endif %}\n",
        ),
        "ticket_resolved" => (
            "[{{ ticket.number }}] Resolved: {{ ticket.subject }}",
            "Hello {{ requester.name }},\n\n\
             ticket {{ ticket.number }} \"{{ ticket.subject }}\" has been resolved. \
             If something is still wrong, just reply to this e-mail and it reopens.\n\
             {% if survey_url %}\nHow did we do? Rate our help in one click: {{ survey_url }}\n{% endif %}\
             {% if portal_url %}\n{{ portal_url }}\n{% endif %}",
        ),
        _ => return None,
    };
    Some(Template {
        kind: kind.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
        customised: false,
        version: 0,
        updated_at: None,
    })
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One-line subject (always names the ticket number).
    pub subject: String,
    /// Body, starting with the reply marker line.
    pub body: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

/// Renders `template` with `context` (see [`sample_context`] for its shape).
pub fn render(
    template: &Template,
    context: &serde_json::Value,
    number: &str,
) -> ApiResult<Rendered> {
    let env = environment();
    let ctx = Value::from(minijinja::value::Serde(context));
    let subject = env
        .render_str(&template.subject, ctx.clone())
        .map_err(|e| ApiError::validation("subject", format!("template error: {e}")))?;
    let body = env
        .render_str(&template.body, ctx)
        .map_err(|e| ApiError::validation("body", format!("template error: {e}")))?;
    // Headers are one line; the number keeps replies threaded even if an admin dropped it.
    let mut subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if !subject.contains(number) {
        subject = format!("{subject} [{number}]").trim().to_string();
    }
    Ok(Rendered {
        subject,
        body: format!("{REPLY_MARKER}\n\n{}", body.trim_end()),
    })
}

/// A context with every placeholder filled, for checking templates before saving.
pub fn sample_context() -> serde_json::Value {
    serde_json::json!({
        "ticket": {"number": "TK-000001", "subject": "Sample", "status": "open",
                   "priority": "normal", "id": Uuid::nil()},
        "requester": {"name": "Sample Customer", "email": "customer@example.test"},
        "message": {"body": "Sample message\nsecond line"},
        "agent": {"name": "Sample Agent"},
        "organisation": {"name": "Sample Org"},
        "portal_url": "https://portal.example.test",
        "survey_url": "https://help.example.test/portal/survey/fp_sv_sample",
    })
}

/// 422 unless both parts compile and render with every placeholder available.
pub fn validate(subject: &str, body: &str) -> ApiResult<()> {
    for (field, text, max) in [("subject", subject, 1_000), ("body", body, 100_000)] {
        if text.trim().is_empty() || text.len() > max {
            return Err(ApiError::validation(
                field,
                format!("{field} must be 1..{max} bytes"),
            ));
        }
    }
    let t = Template {
        kind: String::new(),
        subject: subject.to_string(),
        body: body.to_string(),
        customised: true,
        version: 0,
        updated_at: None,
    };
    render(&t, &sample_context(), "TK-000001").map(|_| ())
}

/// The template in force: the organisation's own, else the default.
pub async fn effective(conn: &mut PgConnection, org_id: Uuid, kind: &str) -> ApiResult<Template> {
    let own: Option<Template> = sqlx::query_as(
        "SELECT kind, subject, body, true AS customised, version, updated_at \
         FROM desk_email_templates WHERE org_id = $1 AND kind = $2",
    )
    .bind(org_id)
    .bind(kind)
    .fetch_optional(conn)
    .await?;
    own.or_else(|| default_template(kind))
        .ok_or_else(|| ApiError::not_found("template"))
}

/// Every kind's template in force.
pub async fn all(pool: &PgPool, org_id: Uuid) -> ApiResult<Vec<Template>> {
    let mut conn = pool.acquire().await?;
    let mut out = Vec::new();
    for kind in KINDS {
        out.push(effective(&mut conn, org_id, kind).await?);
    }
    Ok(out)
}

/// Saves the organisation's template of a kind (validated by the caller).
pub async fn put(
    pool: &PgPool,
    org_id: Uuid,
    kind: &str,
    subject: &str,
    body: &str,
) -> ApiResult<Template> {
    let t: Template = sqlx::query_as(
        "INSERT INTO desk_email_templates (org_id, kind, subject, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, kind) DO UPDATE SET subject = $3, body = $4, \
           version = desk_email_templates.version + 1, updated_at = now() \
         RETURNING kind, subject, body, true AS customised, version, updated_at",
    )
    .bind(org_id)
    .bind(kind)
    .bind(subject)
    .bind(body)
    .fetch_one(pool)
    .await?;
    Ok(t)
}

/// Drops the organisation's template of a kind (back to the default); false when none.
pub async fn reset(pool: &PgPool, org_id: Uuid, kind: &str) -> ApiResult<bool> {
    let done = sqlx::query("DELETE FROM desk_email_templates WHERE org_id = $1 AND kind = $2")
        .bind(org_id)
        .bind(kind)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_render_with_every_placeholder() {
        for kind in KINDS {
            let t = default_template(kind).expect("default");
            validate(&t.subject, &t.body).expect(kind);
            let r = render(&t, &sample_context(), "TK-000001").expect("render");
            assert!(r.subject.contains("TK-000001"), "{kind}: {}", r.subject);
            assert!(r.body.starts_with(REPLY_MARKER));
        }
    }

    #[test]
    fn unknown_placeholders_and_syntax_errors_are_rejected() {
        assert_eq!(
            validate("{{ ticket.numbr }}", "x")
                .unwrap_err()
                .field
                .as_deref(),
            Some("subject")
        );
        assert!(validate("ok", "{% if %}").is_err());
    }

    #[test]
    fn subject_always_names_the_ticket() {
        let t = Template {
            kind: "agent_replied".into(),
            subject: "News\nabout {{ ticket.subject }}".into(),
            body: "{{ message.body }}".into(),
            customised: true,
            version: 1,
            updated_at: None,
        };
        let r = render(&t, &sample_context(), "TK-000001").expect("render");
        assert_eq!(r.subject, "News about Sample [TK-000001]");
    }
}
