//! Webhook signatures: HMAC-SHA256 over `"<timestamp>.<body>"` with the subscription's
//! secret, hex-encoded as `sha256=<hex>`. Binding the timestamp lets receivers refuse
//! replays of old deliveries (compare `X-Fieldpath-Timestamp` with their clock).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-fieldpath-signature";
/// Header carrying the Unix time (seconds) the delivery was signed at.
pub const TIMESTAMP_HEADER: &str = "x-fieldpath-timestamp";
/// Header carrying the event name.
pub const EVENT_HEADER: &str = "x-fieldpath-event";
/// Header carrying the delivery id (stable across retries: receivers deduplicate on it).
pub const DELIVERY_HEADER: &str = "x-fieldpath-delivery";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value for a body signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

/// Whether `header` is the signature of the body (constant-time comparison).
pub fn verify(secret: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(bytes) = hex::decode(hex_sig) else {
        return false;
    };
    mac(secret, timestamp, body).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let s = sign("secret", 1_700_000_000, b"{\"a\":1}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert!(verify("secret", 1_700_000_000, b"{\"a\":1}", &s));
        assert!(!verify("secret", 1_700_000_001, b"{\"a\":1}", &s));
        assert!(!verify("other", 1_700_000_000, b"{\"a\":1}", &s));
        assert!(!verify("secret", 1_700_000_000, b"{\"a\":2}", &s));
    }
}
