//! Placeholders in reply, note, notification and macro templates: `{{ticket.number}}`,
//! `{{requester.name}}`, `{{agent.name}}`... Written by hand rather than with a template
//! engine: the vocabulary is a fixed list of names without logic, and unknown names must be
//! refused when a template is saved, not rendered as blanks.

use crate::desk::ticket::Ticket;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 12] = [
    "ticket.id",
    "ticket.number",
    "ticket.subject",
    "ticket.status",
    "ticket.priority",
    "ticket.category",
    "ticket.channel",
    "requester.name",
    "requester.email",
    "agent.name",
    "agent.email",
    "organisation.name",
];

/// The `{{ name }}` spans of a template: (start, end, trimmed name).
fn spans(template: &str) -> Result<Vec<(usize, usize, &str)>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find("{{") {
        let start = from + open;
        let Some(close) = template[start + 2..].find("}}") else {
            return Err("a `{{` placeholder is not closed with `}}`".into());
        };
        let end = start + 2 + close + 2;
        out.push((start, end, template[start + 2..end - 2].trim()));
        from = end;
    }
    Ok(out)
}

/// An error message unless every placeholder of the template is known.
pub fn check(template: &str) -> Result<(), String> {
    for (_, _, name) in spans(template)? {
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder `{{{{{name}}}}}`; known: {}",
                PLACEHOLDERS.join(", ")
            ));
        }
    }
    Ok(())
}

/// Values for the placeholders.
#[derive(Debug, Clone, Default)]
pub struct Context(HashMap<&'static str, String>);

impl Context {
    /// The values for `t`, with `agent` the acting user (falls back to the assignee).
    pub async fn load(
        conn: &mut PgConnection,
        org_id: Uuid,
        t: &Ticket,
        agent: Option<Uuid>,
    ) -> Result<Self, sqlx::Error> {
        let mut v = HashMap::new();
        v.insert("ticket.id", t.id.to_string());
        v.insert("ticket.number", t.number.clone());
        v.insert("ticket.subject", t.subject.clone());
        v.insert("ticket.status", t.status.clone());
        v.insert("ticket.priority", t.priority.clone());
        v.insert("ticket.category", t.category.clone().unwrap_or_default());
        v.insert("ticket.channel", t.channel.clone());
        let requester: Option<(String, Option<String>)> = match t.requester_id {
            Some(id) => {
                sqlx::query_as("SELECT name, email FROM customers WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let (name, email) = requester.unwrap_or_default();
        let email = email
            .or_else(|| t.requester_email.clone())
            .unwrap_or_default();
        v.insert(
            "requester.name",
            if name.is_empty() { email.clone() } else { name },
        );
        v.insert("requester.email", email);
        let agent: Option<(String, String)> = match agent.or(t.assignee_id) {
            Some(id) => {
                sqlx::query_as("SELECT name, email FROM users WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            None => None,
        };
        let (agent_name, agent_email) = agent.unwrap_or_default();
        let (org,): (String,) = sqlx::query_as("SELECT name FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await?;
        v.insert(
            "agent.name",
            if agent_name.is_empty() {
                format!("{org} support")
            } else {
                agent_name
            },
        );
        v.insert("agent.email", agent_email);
        v.insert("organisation.name", org);
        Ok(Self(v))
    }

    /// A context from fixed values (tests).
    pub fn from_pairs(pairs: &[(&'static str, &str)]) -> Self {
        Self(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
    }

    /// The template with every known placeholder replaced (unknown ones are kept verbatim;
    /// saved templates have none).
    pub fn render(&self, template: &str) -> String {
        let Ok(spans) = spans(template) else {
            return template.to_string();
        };
        let mut out = String::with_capacity(template.len());
        let mut from = 0;
        for (start, end, name) in spans {
            out.push_str(&template[from..start]);
            match self.0.get(name) {
                Some(value) => out.push_str(value),
                None => out.push_str(&template[start..end]),
            }
            from = end;
        }
        out.push_str(&template[from..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_checks() {
        let c = Context::from_pairs(&[("ticket.number", "TK-000007"), ("requester.name", "Ana")]);
        assert_eq!(
            c.render("Hi {{requester.name}}, re {{ ticket.number }}."),
            "Hi Ana, re TK-000007."
        );
        assert!(check("Hello {{agent.name}}").is_ok());
        assert!(check("Hello {{agent.salary}}").is_err());
        assert!(check("Hello {{agent.name").is_err());
        assert_eq!(c.render("no placeholders"), "no placeholders");
    }
}
