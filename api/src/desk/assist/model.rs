//! An organisation's assist model: TF-IDF vocabulary and vectors of its recent tickets (for
//! similar tickets) and naive-Bayes classifiers for category and priority learnt from its
//! resolved ones. Built on demand and cached in memory, rebuilt when the organisation's tickets
//! change (the cache key is the ticket count and the latest `updated_at`).

use super::bayes::{NaiveBayes, Suggestion};
use super::db::{self, CorpusTicket};
use super::text;
use super::tfidf::{cosine, SparseVec, Vocabulary};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use uuid::Uuid;

/// Fewer resolved examples than this and a classifier answers "not enough data".
pub const MIN_EXAMPLES: usize = 10;
/// Organisations kept in the cache before the least recently built is dropped.
const CACHE_ORGS: usize = 256;

type Stamp = (i64, Option<DateTime<Utc>>);

/// One indexed ticket.
#[derive(Debug, Clone)]
struct Doc {
    id: Uuid,
    number: String,
    subject: String,
    vector: SparseVec,
}

/// The trained model of one organisation.
#[derive(Debug)]
pub struct OrgModel {
    stamp: Stamp,
    built_at: std::time::Instant,
    vocabulary: Vocabulary,
    docs: Vec<Doc>,
    category: NaiveBayes,
    priority: NaiveBayes,
}

/// A ticket similar to the one asked about.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarTicket {
    /// Id.
    pub id: Uuid,
    /// Display number.
    pub number: String,
    /// Subject.
    pub subject: String,
    /// Cosine similarity of the TF-IDF vectors of subject + description, 0..=1.
    pub score: f64,
}

/// A classifier's answer: suggestions, or why there are none.
#[derive(Debug, Clone, Serialize)]
pub struct Prediction {
    /// `ready`, or `not_enough_data` (fewer than [`MIN_EXAMPLES`] resolved examples).
    pub status: &'static str,
    /// Resolved tickets the classifier learnt from.
    pub examples: usize,
    /// Needed examples.
    pub min_examples: usize,
    /// Values with posterior probabilities, most likely first (empty when not ready).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
}

fn cache() -> &'static Mutex<HashMap<Uuid, Arc<OrgModel>>> {
    static CACHE: OnceLock<Mutex<HashMap<Uuid, Arc<OrgModel>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn document(subject: &str, description: &str) -> Vec<String> {
    // The subject says most in fewest words: it counts twice.
    let mut terms = text::terms(subject);
    terms.extend(text::terms(subject));
    terms.extend(text::terms(description));
    terms
}

fn resolved(t: &CorpusTicket) -> bool {
    matches!(t.status_type.as_str(), "resolved" | "closed")
}

impl OrgModel {
    /// Trains on an organisation's tickets (CPU only; run it off the async threads).
    fn build(stamp: Stamp, tickets: Vec<CorpusTicket>) -> Self {
        let terms: Vec<Vec<String>> = tickets
            .iter()
            .map(|t| document(&t.subject, &t.description))
            .collect();
        let vocabulary = Vocabulary::fit(&terms);
        let vectors: Vec<SparseVec> = terms.iter().map(|t| vocabulary.vector(t)).collect();
        let category_examples: Vec<(&SparseVec, &str)> = tickets
            .iter()
            .zip(&vectors)
            .filter(|(t, _)| resolved(t))
            .filter_map(|(t, v)| t.category.as_deref().map(|c| (v, c)))
            .collect();
        let priority_examples: Vec<(&SparseVec, &str)> = tickets
            .iter()
            .zip(&vectors)
            .filter(|(t, _)| resolved(t))
            .map(|(t, v)| (v, t.priority.as_str()))
            .collect();
        let category = NaiveBayes::train(&category_examples, vocabulary.len());
        let priority = NaiveBayes::train(&priority_examples, vocabulary.len());
        let docs = tickets
            .into_iter()
            .zip(vectors)
            .map(|(t, vector)| Doc {
                id: t.id,
                number: t.number,
                subject: t.subject,
                vector,
            })
            .collect();
        OrgModel {
            stamp,
            built_at: std::time::Instant::now(),
            vocabulary,
            docs,
            category,
            priority,
        }
    }

    /// The TF-IDF vector of a ticket text in this model's vocabulary.
    pub fn vector(&self, subject: &str, description: &str) -> SparseVec {
        self.vocabulary.vector(&document(subject, description))
    }

    fn predict(model: &NaiveBayes, vector: &SparseVec, top: usize) -> Prediction {
        let examples = model.examples();
        if examples < MIN_EXAMPLES {
            return Prediction {
                status: "not_enough_data",
                examples,
                min_examples: MIN_EXAMPLES,
                suggestions: Vec::new(),
            };
        }
        let mut suggestions = model.predict(vector);
        suggestions.truncate(top);
        for s in &mut suggestions {
            s.probability = (s.probability * 10_000.0).round() / 10_000.0;
        }
        Prediction {
            status: "ready",
            examples,
            min_examples: MIN_EXAMPLES,
            suggestions,
        }
    }

    /// Category suggestions for a ticket vector.
    pub fn category(&self, vector: &SparseVec, top: usize) -> Prediction {
        Self::predict(&self.category, vector, top)
    }

    /// Priority suggestions for a ticket vector.
    pub fn priority(&self, vector: &SparseVec, top: usize) -> Prediction {
        Self::predict(&self.priority, vector, top)
    }

    /// The tickets most similar to `vector` (scores above `min_score`), `exclude` left out.
    pub fn similar(
        &self,
        vector: &SparseVec,
        exclude: Uuid,
        limit: usize,
        min_score: f64,
    ) -> Vec<SimilarTicket> {
        let mut hits: Vec<SimilarTicket> = self
            .docs
            .iter()
            .filter(|d| d.id != exclude)
            .filter_map(|d| {
                let score = cosine(vector, &d.vector);
                (score > min_score).then(|| SimilarTicket {
                    id: d.id,
                    number: d.number.clone(),
                    subject: d.subject.clone(),
                    score: (score * 10_000.0).round() / 10_000.0,
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.number.cmp(&b.number)));
        hits.truncate(limit);
        hits
    }
}

/// The organisation's current model: from the cache when no ticket changed since it was built,
/// otherwise trained again from the database.
pub async fn for_org(pool: &PgPool, org_id: Uuid) -> Result<Arc<OrgModel>, anyhow::Error> {
    let stamp = db::corpus_stamp(pool, org_id).await?;
    if let Ok(cached) = cache().lock() {
        if let Some(m) = cached.get(&org_id).filter(|m| m.stamp == stamp) {
            return Ok(m.clone());
        }
    }
    let tickets = db::corpus(pool, org_id).await?;
    let model =
        Arc::new(tokio::task::spawn_blocking(move || OrgModel::build(stamp, tickets)).await?);
    if let Ok(mut cached) = cache().lock() {
        if cached.len() >= CACHE_ORGS && !cached.contains_key(&org_id) {
            let oldest = cached
                .iter()
                .min_by_key(|(_, m)| m.built_at)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                cached.remove(&k);
            }
        }
        cached.insert(org_id, model.clone());
    }
    Ok(model)
}
