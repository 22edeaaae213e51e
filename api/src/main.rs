//! The `fieldpath` binary: command-line tools and the HTTP service.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = fieldpath_api::cli::Cli::parse();
    fieldpath_api::telemetry::init(cli.log_json);
    match fieldpath_api::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One clear line, never a panic: the whole error chain on a single line.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
