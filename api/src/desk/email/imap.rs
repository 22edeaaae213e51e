//! IMAP polling: logs in to the organisation's mailbox (TLS with the web PKI roots, or plain
//! TCP for a local server), reads every unseen message without marking it (`BODY.PEEK[]`),
//! hands it to [`super::inbound::process`], and marks it `\Seen` once processed. A message the
//! database could not take stays unseen for the next poll; one that is not a message at all is
//! marked seen (it would fail forever). The outcome of each poll is kept in the settings.

use super::inbound;
use super::settings::{self, EmailSettings};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use futures_util::TryStreamExt;
use serde::Serialize;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;
use uuid::Uuid;

/// Messages read per poll (the rest wait for the next one).
const MAX_PER_POLL: usize = 200;
/// Longest a poll may take.
const POLL_TIMEOUT: Duration = Duration::from_secs(120);

/// What one poll did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct PollReport {
    /// Unseen messages read.
    pub fetched: usize,
    /// New tickets.
    pub created: usize,
    /// Replies added to tickets.
    pub threaded: usize,
    /// Auto-replies, loops and the like.
    pub ignored: usize,
    /// Already processed Message-IDs.
    pub duplicates: usize,
    /// Messages that could not be processed.
    pub errors: usize,
}

/// Polls the organisation's mailbox once (whether or not polling is enabled); the result is
/// also recorded in the settings (`last_polled_at`, `last_poll_error`).
pub async fn poll_org(st: &AppState, org_id: Uuid) -> ApiResult<PollReport> {
    let cfg = {
        let mut conn = st.db.acquire().await?;
        settings::get(&mut conn, org_id).await?
    }
    .ok_or_else(|| ApiError::conflict("e-mail settings are not configured"))?;
    if cfg.imap_host.is_none() || cfg.imap_username.is_none() {
        return Err(ApiError::conflict("no IMAP mailbox is configured").with_field("imap_host"));
    }
    let result = match tokio::time::timeout(POLL_TIMEOUT, connect_and_read(st, &cfg)).await {
        Ok(r) => r,
        Err(_) => Err(format!("timed out after {} s", POLL_TIMEOUT.as_secs())),
    };
    settings::record_poll(&st.db, org_id, result.as_ref().err().map(String::as_str)).await?;
    result.map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::BAD_GATEWAY,
            "mailbox_unavailable",
            format!("IMAP: {e}"),
        )
    })
}

async fn connect_and_read(st: &AppState, cfg: &EmailSettings) -> Result<PollReport, String> {
    let host = cfg.imap_host.clone().unwrap_or_default();
    let tls = cfg.imap_security != "none";
    let port = cfg
        .imap_port
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(if tls { 993 } else { 143 });
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|e| format!("connecting to {host}:{port}: {e}"))?;
    if !tls {
        return read_mailbox(tcp, st, cfg).await;
    }
    let roots = rustls::RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.clone())
        .map_err(|e| format!("server name {host}: {e}"))?;
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with {host}: {e}"))?;
    read_mailbox(stream, st, cfg).await
}

async fn read_mailbox<T>(
    stream: T,
    st: &AppState,
    cfg: &EmailSettings,
) -> Result<PollReport, String>
where
    T: AsyncRead + AsyncWrite + Unpin + Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| format!("greeting: {e}"))?
        .ok_or("the server closed the connection before its greeting")?;
    let mut session = client
        .login(
            cfg.imap_username.as_deref().unwrap_or_default(),
            cfg.imap_password.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(|(e, _)| format!("login: {e}"))?;
    session
        .select(&cfg.imap_folder)
        .await
        .map_err(|e| format!("selecting {}: {e}", cfg.imap_folder))?;
    let mut uids: Vec<u32> = session
        .uid_search("UNSEEN")
        .await
        .map_err(|e| format!("search: {e}"))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(MAX_PER_POLL);
    let mut report = PollReport::default();
    for uid in uids {
        let fetches: Vec<_> = session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await
            .map_err(|e| format!("fetch {uid}: {e}"))?
            .try_collect()
            .await
            .map_err(|e| format!("fetch {uid}: {e}"))?;
        let Some(raw) = fetches.iter().find_map(|f| f.body()).map(<[u8]>::to_vec) else {
            continue;
        };
        report.fetched += 1;
        let seen = match inbound::process(st, cfg.org_id, &raw, "imap").await {
            Ok(o) => {
                match o.outcome {
                    "created" => report.created += 1,
                    "threaded" => report.threaded += 1,
                    "ignored" => report.ignored += 1,
                    _ => report.duplicates += 1,
                }
                true
            }
            Err(e) => {
                tracing::warn!(org_id = %cfg.org_id, uid, error = %e.message, "inbound e-mail not processed");
                report.errors += 1;
                e.status.is_client_error()
            }
        };
        if seen {
            let _: Vec<_> = session
                .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Seen)")
                .await
                .map_err(|e| format!("marking {uid} seen: {e}"))?
                .try_collect()
                .await
                .map_err(|e| format!("marking {uid} seen: {e}"))?;
        }
    }
    let _ = session.logout().await;
    Ok(report)
}

/// Polls every mailbox that is due, forever, checking every `tick`.
pub async fn run(st: AppState, tick: Duration) {
    loop {
        match settings::claim_due_polls(&st.db).await {
            Ok(orgs) => {
                for org_id in orgs {
                    match poll_org(&st, org_id).await {
                        Ok(r) if r.fetched > 0 => tracing::info!(%org_id, ?r, "mailbox polled"),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(%org_id, error = %e.message, "mailbox poll failed")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "mailbox poll scheduling failed"),
        }
        tokio::time::sleep(tick).await;
    }
}
