//! Agent assist, offline by default: sentiment of incoming messages (VADER), category and
//! priority suggestions learnt from the organisation's own resolved tickets (naive Bayes over
//! TF-IDF), similar tickets (TF-IDF cosine) and knowledge-base articles (Postgres full-text
//! search), and optionally drafts from an OpenAI-compatible LLM (off unless configured).

pub mod bayes;
pub mod db;
pub mod llm;
pub mod model;
pub mod sentiment;
pub mod text;
pub mod tfidf;

use crate::desk::ticket::Ticket;
use chrono::{DateTime, Utc};
use model::{Prediction, SimilarTicket};
use sentiment::Sentiment;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Similar tickets answered.
const SIMILAR_LIMIT: usize = 5;
/// Cosine below this is noise, not similarity.
const SIMILAR_MIN: f64 = 0.05;
/// Articles answered.
const ARTICLE_LIMIT: i64 = 5;
/// Words of a ticket searched in the knowledge base.
const ARTICLE_WORDS: usize = 32;
/// Suggestions answered per classifier.
const TOP: usize = 3;

/// The sentiment of one incoming text.
#[derive(Debug, Clone, Serialize)]
pub struct MessageSentiment {
    /// The customer reply, or None for the ticket's subject + description.
    pub message_id: Option<Uuid>,
    /// `description` or `reply`.
    pub source: &'static str,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Compound score, -1..=1.
    pub score: f64,
    /// `negative`, `neutral`, `positive`.
    pub label: String,
}

/// A ticket's sentiment: per incoming text, and the latest one (the customer's current mood).
#[derive(Debug, Clone, Serialize)]
pub struct TicketSentiment {
    /// Sentiment of the most recent incoming text.
    pub current: Sentiment,
    /// Every incoming text, oldest first.
    pub messages: Vec<MessageSentiment>,
}

/// The text a ticket's description is scored on: subject, new line, description — the same
/// text [`db::incoming`] reads back, so a score stored on arrival is found by its hash.
pub fn description_text(subject: &str, description: &str) -> String {
    format!("{subject}\n{description}")
}

/// The score of one incoming text as stored.
fn scored(message_id: Option<Uuid>, text: &str) -> db::StoredSentiment {
    let s = sentiment::score(text);
    db::StoredSentiment {
        message_id,
        score: s.score,
        label: s.label.to_string(),
        text_sha256: sentiment::text_hash(text),
    }
}

/// Scores a text as it arrives — a ticket's subject and description (`message_id` None; see
/// [`description_text`]) or a customer reply — and stores it in the caller's transaction, where
/// lists, reports and rules can read it at once.
pub async fn score_arrival(
    conn: &mut PgConnection,
    org_id: Uuid,
    ticket_id: Uuid,
    message_id: Option<Uuid>,
    text: &str,
) -> Result<(), sqlx::Error> {
    db::store_sentiment(conn, org_id, ticket_id, &scored(message_id, text)).await
}

/// Scores the ticket's description and every customer reply, storing scores of texts not
/// scored before (or changed since: tickets older than scoring on arrival, edits), and answers
/// them all.
pub async fn ticket_sentiment(
    pool: &PgPool,
    org_id: Uuid,
    ticket_id: Uuid,
) -> Result<TicketSentiment, sqlx::Error> {
    let incoming = db::incoming(pool, org_id, ticket_id).await?;
    let stored = db::sentiments(pool, org_id, ticket_id).await?;
    let mut messages = Vec::with_capacity(incoming.len());
    for text in incoming {
        let hash = sentiment::text_hash(&text.body);
        let known = stored
            .iter()
            .find(|s| s.message_id == text.message_id && s.text_sha256 == hash);
        let (score, label) = match known {
            Some(s) => (s.score, s.label.clone()),
            None => {
                let row = scored(text.message_id, &text.body);
                db::store_sentiment(pool, org_id, ticket_id, &row).await?;
                (row.score, row.label)
            }
        };
        messages.push(MessageSentiment {
            message_id: text.message_id,
            source: if text.message_id.is_some() {
                "reply"
            } else {
                "description"
            },
            created_at: text.created_at,
            score,
            label,
        });
    }
    let current = messages
        .last()
        .map(|m| Sentiment {
            score: m.score,
            label: sentiment::label(m.score),
        })
        .unwrap_or(Sentiment {
            score: 0.0,
            label: "neutral",
        });
    Ok(TicketSentiment { current, messages })
}

/// Everything the agent is offered for a ticket.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    /// Likely categories with probabilities (empty when not enough data).
    pub category: Vec<bayes::Suggestion>,
    /// Likely priorities with probabilities (empty when not enough data).
    pub priority: Vec<bayes::Suggestion>,
    /// Sentiment of the latest incoming text.
    pub sentiment: Sentiment,
    /// Most similar other tickets.
    pub similar_tickets: Vec<SimilarTicket>,
    /// Matching published knowledge-base articles.
    pub articles: Vec<db::ArticleMatch>,
    /// How the classifiers stand: examples learnt from, or `not_enough_data`.
    pub model: ModelStatus,
}

/// Training state of the two classifiers.
#[derive(Debug, Clone, Serialize)]
pub struct ModelStatus {
    /// Category classifier.
    pub category: Prediction,
    /// Priority classifier.
    pub priority: Prediction,
}

/// Computes the suggestions for a ticket of the caller's organisation.
pub async fn suggestions(pool: &PgPool, t: &Ticket, org_id: Uuid) -> anyhow::Result<Suggestions> {
    let model = model::for_org(pool, org_id).await?;
    let vector = model.vector(&t.subject, &t.description);
    let category = model.category(&vector, TOP);
    let priority = model.priority(&vector, TOP);
    let similar_tickets = model.similar(&vector, t.id, SIMILAR_LIMIT, SIMILAR_MIN);
    let mut words = text::words(&format!("{}\n{}", t.subject, t.description));
    words.sort();
    words.dedup();
    words.truncate(ARTICLE_WORDS);
    let articles = db::similar_articles(pool, org_id, &words, ARTICLE_LIMIT).await?;
    let sentiment = ticket_sentiment(pool, org_id, t.id).await?.current;
    let mut status = ModelStatus { category, priority };
    Ok(Suggestions {
        category: std::mem::take(&mut status.category.suggestions),
        priority: std::mem::take(&mut status.priority.suggestions),
        sentiment,
        similar_tickets,
        articles,
        model: status,
    })
}

/// What a draft is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    /// A public reply to the customer.
    Reply,
    /// A short summary of the ticket for an agent taking over.
    Summary,
}

/// The prompt pair (system, user) for a draft of `kind` on a ticket with its thread.
pub fn draft_prompt(
    kind: DraftKind,
    t: &Ticket,
    thread: &[crate::desk::db::messages::TicketMessage],
    instructions: Option<&str>,
) -> (String, String) {
    const MAX_THREAD_CHARS: usize = 12_000;
    let system = match kind {
        DraftKind::Reply => {
            "You are a help-desk agent of a field-service company. Write a short, polite, \
             factual reply to the customer's latest message. Do not promise dates or visits \
             that the thread does not state. Answer with the reply text only."
        }
        DraftKind::Summary => {
            "You summarise help-desk tickets for the agent taking over: the problem, what was \
             done, what is still open, in at most five bullet points."
        }
    };
    let mut user = format!(
        "Ticket {} ({}, priority {}, category {})\nSubject: {}\n\n{}\n",
        t.number,
        t.status,
        t.priority,
        t.category.as_deref().unwrap_or("none"),
        t.subject,
        t.description
    );
    let mut thread_text = String::new();
    for m in thread.iter().rev() {
        let who = if m.from_customer { "Customer" } else { "Agent" };
        let kind = if m.kind == "note" {
            " (internal note)"
        } else {
            ""
        };
        let entry = format!(
            "\n--- {who}{kind}, {}:\n{}\n",
            m.created_at.to_rfc3339(),
            m.body
        );
        if thread_text.len() + entry.len() > MAX_THREAD_CHARS {
            break;
        }
        thread_text.insert_str(0, &entry);
    }
    user.push_str(&thread_text);
    if let Some(extra) = instructions.filter(|s| !s.trim().is_empty()) {
        user.push_str("\nInstructions from the agent: ");
        user.push_str(extra.trim());
        user.push('\n');
    }
    (system.to_string(), user)
}
