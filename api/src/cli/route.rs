//! `fieldpath route`.

/// Arguments of `fieldpath route`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `fieldpath route`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`fieldpath route` is being built")
}
