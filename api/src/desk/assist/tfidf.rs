//! TF-IDF vectors over a corpus vocabulary, and cosine similarity between them.
//!
//! Written here because the few lines below are all that is needed: the Rust text-mining crates
//! either bring dense `ndarray` matrices (a vocabulary of tens of thousands of terms times
//! thousands of tickets does not fit densely) or a whole search engine.

use std::collections::HashMap;

/// A sparse vector: (term index, weight), sorted by term index, L2-normalised.
pub type SparseVec = Vec<(u32, f64)>;

/// Term indices and inverse document frequencies learnt from a corpus.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    index: HashMap<String, u32>,
    idf: Vec<f64>,
}

impl Vocabulary {
    /// Learns the vocabulary of `docs` (each a list of terms). Smoothed IDF:
    /// `ln((1 + n) / (1 + df)) + 1`, so a term in every document still counts a little.
    pub fn fit(docs: &[Vec<String>]) -> Self {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        for doc in docs {
            let mut seen: Vec<u32> = Vec::new();
            for term in doc {
                let next = index.len() as u32;
                let i = *index.entry(term.clone()).or_insert(next);
                if i as usize == df.len() {
                    df.push(0);
                }
                seen.push(i);
            }
            seen.sort_unstable();
            seen.dedup();
            for i in seen {
                df[i as usize] += 1;
            }
        }
        let n = docs.len() as f64;
        let idf = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0)
            .collect();
        Self { index, idf }
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// True when the corpus had no terms at all.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// The TF-IDF vector of a document: sublinear term frequency `1 + ln(tf)` times IDF,
    /// L2-normalised; terms outside the vocabulary are ignored.
    pub fn vector(&self, terms: &[String]) -> SparseVec {
        let mut tf: HashMap<u32, u32> = HashMap::new();
        for term in terms {
            if let Some(&i) = self.index.get(term) {
                *tf.entry(i).or_default() += 1;
            }
        }
        let mut v: SparseVec = tf
            .into_iter()
            .map(|(i, n)| (i, (1.0 + f64::from(n).ln()) * self.idf[i as usize]))
            .collect();
        v.sort_unstable_by_key(|(i, _)| *i);
        let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut v {
                *w /= norm;
            }
        }
        v
    }
}

/// Cosine similarity of two L2-normalised sparse vectors (their dot product), in 0..=1.
pub fn cosine(a: &SparseVec, b: &SparseVec) -> f64 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn rare_terms_weigh_more_and_identical_documents_have_cosine_one() {
        let docs = vec![
            doc("boiler leak"),
            doc("boiler noise"),
            doc("boiler leak water"),
        ];
        let vocab = Vocabulary::fit(&docs);
        assert_eq!(vocab.len(), 4);
        let v = vocab.vector(&doc("boiler noise"));
        let boiler = v[0].1;
        let noise = v
            .iter()
            .find(|(i, _)| *i == 2)
            .map(|(_, w)| *w)
            .unwrap_or(0.0);
        assert!(noise > boiler, "{v:?}");
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-9);
        let leak = vocab.vector(&doc("leak water"));
        assert!(cosine(&vocab.vector(&docs[2]), &leak) > cosine(&vocab.vector(&docs[0]), &leak));
        assert_eq!(cosine(&v, &vocab.vector(&doc("unknown words"))), 0.0);
    }
}
