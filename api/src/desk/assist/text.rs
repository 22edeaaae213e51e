//! Text to terms: lowercase words, English stop words removed, Snowball-stemmed. Shared by the
//! classifier, the similar-ticket index and the article search.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

/// Words too common in support requests to tell tickets apart.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "hi",
    "hello",
    "dear",
    "thanks",
    "thank",
    "please",
    "regards",
    "best",
    "also",
    "get",
    "got",
    "us",
    "let",
    "know",
    "still",
    "since",
    "one",
    "two",
    "re",
    "fw",
    "fwd",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// The lowercase words of `text` (letters and digits; 2 to 40 characters), stop words removed,
/// not stemmed: what a Postgres text-search query is built from.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| {
            let n = w.chars().count();
            (2..=40).contains(&n)
                && !STOP_WORDS.contains(&w.as_str())
                && !w.chars().all(|c| c.is_ascii_digit())
        })
        .collect()
}

/// The stemmed terms of `text`, in order, repeats kept (term frequency matters).
pub fn terms(text: &str) -> Vec<String> {
    let stemmer = stemmer();
    words(text)
        .into_iter()
        .map(|w| stemmer.stem(&w).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_drops_stop_words_and_numbers_and_stems() {
        assert_eq!(
            terms("The Printers are NOT printing invoices, order 12345!"),
            vec!["printer", "print", "invoic", "order"]
        );
    }

    #[test]
    fn words_are_not_stemmed() {
        assert_eq!(words("Heating failed"), vec!["heating", "failed"]);
    }
}
