//! `fieldpath matrix`.

/// Arguments of `fieldpath matrix`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `fieldpath matrix`.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`fieldpath matrix` is being built")
}
