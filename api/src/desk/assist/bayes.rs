//! Multinomial naive Bayes over TF-IDF weights (Rennie et al., 2003: "Tackling the poor
//! assumptions of naive Bayes text classifiers" — fractional TF-IDF counts instead of raw ones).
//!
//! Written by hand on purpose: `linfa-bayes` wants dense `ndarray` feature matrices (documents ×
//! vocabulary, mostly zeros: hundreds of MB for a few thousand tickets) and brings the linfa
//! stack; a sparse multinomial model with Laplace smoothing is about fifty lines.

use super::tfidf::SparseVec;
use serde::Serialize;
use std::collections::BTreeMap;

/// Laplace / Lidstone smoothing added to every term weight.
const ALPHA: f64 = 0.1;

/// A trained classifier.
#[derive(Debug, Clone)]
pub struct NaiveBayes {
    labels: Vec<String>,
    log_prior: Vec<f64>,
    /// Per label: log P(term | label) for seen terms, by term index.
    log_likelihood: Vec<Vec<f64>>,
    /// Per label: log P(term | label) for a term never seen with that label.
    log_unseen: Vec<f64>,
    examples: usize,
}

/// One suggested value and its posterior probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The category or priority.
    pub value: String,
    /// Posterior probability, 0..=1.
    pub probability: f64,
}

impl NaiveBayes {
    /// Trains on `(vector, label)` pairs over a vocabulary of `vocabulary_len` terms.
    pub fn train(examples: &[(&SparseVec, &str)], vocabulary_len: usize) -> Self {
        let mut by_label: BTreeMap<&str, (usize, Vec<f64>)> = BTreeMap::new();
        for (vector, label) in examples {
            let entry = by_label
                .entry(label)
                .or_insert_with(|| (0, vec![0.0; vocabulary_len]));
            entry.0 += 1;
            for &(i, w) in vector.iter() {
                if let Some(slot) = entry.1.get_mut(i as usize) {
                    *slot += w;
                }
            }
        }
        let total = examples.len().max(1) as f64;
        let v = vocabulary_len as f64;
        let mut model = NaiveBayes {
            labels: Vec::new(),
            log_prior: Vec::new(),
            log_likelihood: Vec::new(),
            log_unseen: Vec::new(),
            examples: examples.len(),
        };
        for (label, (count, weights)) in by_label {
            let mass: f64 = weights.iter().sum::<f64>() + ALPHA * v;
            model.labels.push(label.to_string());
            model.log_prior.push((count as f64 / total).ln());
            model.log_unseen.push((ALPHA / mass).ln());
            model
                .log_likelihood
                .push(weights.iter().map(|w| ((w + ALPHA) / mass).ln()).collect());
        }
        model
    }

    /// Number of training examples.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// Every label with its posterior probability for `vector`, most likely first.
    pub fn predict(&self, vector: &SparseVec) -> Vec<Suggestion> {
        let scores: Vec<f64> = (0..self.labels.len())
            .map(|c| {
                let likelihood: f64 = vector
                    .iter()
                    .map(|&(i, w)| {
                        w * self.log_likelihood[c]
                            .get(i as usize)
                            .copied()
                            .unwrap_or(self.log_unseen[c])
                    })
                    .sum();
                self.log_prior[c] + likelihood
            })
            .collect();
        // Softmax through log-sum-exp, so long documents do not underflow.
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = scores.iter().map(|s| (s - max).exp()).sum();
        let mut out: Vec<Suggestion> = self
            .labels
            .iter()
            .zip(&scores)
            .map(|(label, s)| Suggestion {
                value: label.clone(),
                probability: (s - max).exp() / sum,
            })
            .collect();
        out.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_which_terms_go_with_which_label() {
        let heating: SparseVec = vec![(0, 0.8), (1, 0.6)];
        let heating2: SparseVec = vec![(0, 1.0)];
        let billing: SparseVec = vec![(2, 0.7), (3, 0.7)];
        let model = NaiveBayes::train(
            &[
                (&heating, "heating"),
                (&heating2, "heating"),
                (&billing, "billing"),
            ],
            4,
        );
        assert_eq!(model.examples(), 3);
        let p = model.predict(&vec![(2, 0.7), (3, 0.7)]);
        assert_eq!(p[0].value, "billing");
        assert!(p[0].probability > 0.9, "{p:?}");
        let total: f64 = p.iter().map(|s| s.probability).sum();
        assert!((total - 1.0).abs() < 1e-9);
        // No evidence: the prior decides (2 of 3 examples are heating).
        assert_eq!(model.predict(&Vec::new())[0].value, "heating");
    }
}
