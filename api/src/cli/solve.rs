//! `fieldpath solve`.

/// Arguments of `fieldpath solve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `fieldpath solve`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`fieldpath solve` is being built")
}
