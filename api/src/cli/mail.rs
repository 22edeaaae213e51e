//! `fieldpath mail poll|send`: the help desk's e-mail channel once, from the command line (for
//! cron, scripts and checking a mailbox configuration); `fieldpath serve` does both in the
//! background.

use crate::config::Config;
use crate::desk::email::{imap, outbox};
use crate::state::AppState;
use anyhow::Context;
use std::path::PathBuf;
use uuid::Uuid;

/// Arguments of `fieldpath mail`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PostgreSQL connection URL.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder for local data (attachments of inbound mail).
    #[arg(
        long,
        env = "FIELDPATH_DATA_DIR",
        default_value = ".fieldpath/data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Keep attachments in this S3 bucket (binary built with `--features s3`).
    #[arg(long, env = "FIELDPATH_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,
    #[command(subcommand)]
    pub command: MailCommand,
}

/// What to do.
#[derive(Debug, clap::Subcommand)]
pub enum MailCommand {
    /// Read the IMAP mailbox of one organisation (or of every one with polling enabled) once.
    Poll {
        /// Organisation slug (default: every organisation with IMAP polling enabled).
        #[arg(long)]
        org: Option<String>,
    },
    /// Send the queued e-mail that is due now.
    Send,
}

/// Runs `fieldpath mail`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let url = args
        .database_url
        .clone()
        .context("--database-url or DATABASE_URL is required")?;
    let mut config = Config::new(url);
    config.data_dir = args.data_dir.clone();
    config.s3_bucket = args.s3_bucket.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let st = AppState::from_config(config)?;
        crate::db::migrate(&st.db)
            .await
            .context("database migrations")?;
        match args.command {
            MailCommand::Send => {
                let report = outbox::drain_once(&st.db).await?;
                println!("{}", serde_json::to_string(&report)?);
            }
            MailCommand::Poll { org } => poll(&st, org.as_deref()).await?,
        }
        Ok(())
    })
}

async fn poll(st: &AppState, slug: Option<&str>) -> anyhow::Result<()> {
    let orgs: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT o.id, o.slug FROM organisations o JOIN desk_email_settings s ON s.org_id = o.id \
         WHERE CASE WHEN $1::text IS NULL THEN s.imap_enabled ELSE o.slug = $1 END ORDER BY o.slug",
    )
    .bind(slug)
    .fetch_all(&st.db)
    .await?;
    if let (Some(slug), true) = (slug, orgs.is_empty()) {
        anyhow::bail!("no organisation `{slug}` with e-mail settings");
    }
    let mut failed = false;
    for (id, slug) in orgs {
        match imap::poll_org(st, id).await {
            Ok(report) => println!("{slug}: {}", serde_json::to_string(&report)?),
            Err(e) => {
                failed = true;
                eprintln!("{slug}: {}", e.message);
            }
        }
    }
    if failed {
        anyhow::bail!("some mailboxes could not be read");
    }
    Ok(())
}
