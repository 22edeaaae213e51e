//! Service settings, from flags and environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Settings of `fieldpath serve` (also used by tests and the demo).
#[derive(Debug, Clone)]
pub struct Config {
    /// PostgreSQL connection URL.
    pub database_url: String,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Road graph file to load (sites are snapped to it; routing uses it).
    pub graph: Option<PathBuf>,
    /// Folder for local data: attachments live under `<data_dir>/attachments`.
    pub data_dir: PathBuf,
    /// S3 bucket for attachments instead of the local folder (needs the `s3` feature; the
    /// usual `AWS_*` variables configure region, endpoint and credentials).
    pub s3_bucket: Option<String>,
    /// Largest connection pool.
    pub max_connections: u32,
    /// How long a request waits for a database connection before answering 503.
    pub acquire_timeout: Duration,
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens and browser sessions.
    pub refresh_ttl: Duration,
    /// Failed logins per IP and e-mail within [`Config::login_window`] before 429.
    pub login_max_failures: u32,
    /// Window for counting failed logins.
    pub login_window: Duration,
    /// Largest accepted upload.
    pub max_upload_bytes: usize,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Where customers reach this service from outside, e.g. `https://help.example.com`
    /// (no trailing slash): absolute links in e-mails (the survey link) are built on it.
    pub public_url: Option<String>,
}

impl Config {
    /// Defaults for everything but the database URL.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            graph: None,
            data_dir: PathBuf::from(".fieldpath/data"),
            s3_bucket: None,
            max_connections: 20,
            acquire_timeout: Duration::from_secs(3),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            login_max_failures: 5,
            login_window: Duration::from_secs(60),
            max_upload_bytes: 25 * 1024 * 1024,
            secure_cookies: false,
            public_url: None,
        }
    }
}

/// Checks a public base URL (absolute http(s), no credentials, query or fragment) and drops
/// trailing slashes, so paths can be appended.
pub fn parse_public_url(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err("the public URL must be http:// or https:// with a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the public URL must not carry credentials".into());
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("the public URL must not have a query or fragment".into());
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_public_url;

    #[test]
    fn public_urls_are_absolute_and_lose_trailing_slashes() {
        assert_eq!(
            parse_public_url("https://help.example.com/").as_deref(),
            Ok("https://help.example.com")
        );
        assert_eq!(
            parse_public_url(" http://10.0.0.5:8080/desk/ ").as_deref(),
            Ok("http://10.0.0.5:8080/desk")
        );
        for bad in [
            "help.example.com",
            "ftp://x.test",
            "https://u:p@x.test",
            "https://x.test/?a=1",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
