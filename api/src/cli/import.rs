//! `fieldpath import`.

/// Arguments of `fieldpath import`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `fieldpath import`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`fieldpath import` is being built")
}
