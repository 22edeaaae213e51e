//! Sentiment of an incoming message with VADER (Hutto & Gilbert, 2014), through the
//! `vader_sentiment` crate: a lexicon of rated words with rules for negation, boosters ("very"),
//! capitals and exclamation marks, giving a compound score in -1..=1.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use vader_sentiment::SentimentIntensityAnalyzer;

/// VADER's customary thresholds: compound ≥ 0.05 is positive, ≤ -0.05 negative.
const THRESHOLD: f64 = 0.05;
/// Longer texts are cut here (quoted mail threads add nothing but time).
const MAX_CHARS: usize = 20_000;

/// A scored text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sentiment {
    /// VADER compound score, -1 (most negative) ..= 1 (most positive).
    pub score: f64,
    /// `negative`, `neutral` or `positive`.
    pub label: &'static str,
}

fn analyzer() -> &'static SentimentIntensityAnalyzer<'static> {
    static ANALYZER: OnceLock<SentimentIntensityAnalyzer<'static>> = OnceLock::new();
    ANALYZER.get_or_init(SentimentIntensityAnalyzer::new)
}

/// The label of a compound score.
pub fn label(score: f64) -> &'static str {
    if score >= THRESHOLD {
        "positive"
    } else if score <= -THRESHOLD {
        "negative"
    } else {
        "neutral"
    }
}

/// Scores `text`. Quoted lines of e-mail replies (`> ...`) are left out. The crate indexes
/// tokens directly, so a panic on unusual input is caught and scored neutral rather than
/// failing the request.
pub fn score(text: &str) -> Sentiment {
    let own: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .collect::<Vec<_>>()
        .join("\n");
    let cut: String = own.chars().take(MAX_CHARS).collect();
    if cut.trim().is_empty() {
        return Sentiment {
            score: 0.0,
            label: "neutral",
        };
    }
    let compound = std::panic::catch_unwind(|| {
        analyzer()
            .polarity_scores(&cut)
            .get("compound")
            .copied()
            .unwrap_or(0.0)
    })
    .unwrap_or(0.0);
    let score = if compound.is_finite() {
        compound.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    Sentiment {
        score,
        label: label(score),
    }
}

/// Hex SHA-256 of a text: tells whether a stored score is still about the current text.
pub fn text_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obvious_texts_get_their_label() {
        let angry = score("This is terrible. The technician never came and I am furious!");
        assert_eq!(angry.label, "negative", "{angry:?}");
        let happy = score("Thank you so much, the repair was great and the team was wonderful!");
        assert_eq!(happy.label, "positive", "{happy:?}");
        assert_eq!(score("The meter is in the basement.").label, "neutral");
        assert_eq!(score("   ").score, 0.0);
    }

    #[test]
    fn quoted_lines_do_not_count() {
        let s = score("Fine, see you Monday.\n> This is awful, horrible, terrible service!");
        assert_ne!(s.label, "negative", "{s:?}");
    }
}
