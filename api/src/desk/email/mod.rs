//! The help desk's e-mail channel.
//!
//! Inbound: raw RFC 5322 mail from a gateway (`POST /api/v1/inbound/email`) or an IMAP mailbox
//! ([`imap`]) is parsed ([`parse`]) and turned into tickets or replies ([`inbound`]), threaded
//! by Message-ID / In-Reply-To / References and by the ticket number in the subject
//! ([`threading`], [`log`]). Outbound: agents' public replies and notifications are rendered
//! from per-organisation templates ([`templates`]), queued in the same transaction
//! ([`outbound`]) and delivered over SMTP with retries ([`outbox`]). Settings per organisation
//! in [`settings`]; HTTP in `http/email.rs`.

pub mod imap;
pub mod inbound;
pub mod log;
pub mod outbound;
pub mod outbox;
pub mod parse;
pub mod settings;
pub mod templates;
pub mod threading;

use crate::state::AppState;
use std::time::Duration;

/// Starts the background tasks of `fieldpath serve`: the outbox sender and the IMAP poller
/// (each mailbox at its own interval).
pub fn spawn_background(st: &AppState) {
    tokio::spawn(outbox::run(st.db.clone(), Duration::from_secs(10)));
    tokio::spawn(imap::run(st.clone(), Duration::from_secs(5)));
}
