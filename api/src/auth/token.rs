//! Bearer secrets: random, prefixed by kind, stored only as SHA-256.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret `fp_<kind>_<43 base64url chars>` (256 random bits).
pub fn generate(kind: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "fp_{kind}_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn distinct_and_hashed() {
        let (a, b) = (super::generate("api"), super::generate("api"));
        assert_ne!(a, b);
        assert!(a.starts_with("fp_api_"));
        assert_eq!(super::hash(&a).len(), 32);
    }
}
