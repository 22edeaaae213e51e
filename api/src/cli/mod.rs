//! Command-line interface: one module per sub-command.

use clap::{Parser, Subcommand};

mod demo;
mod import;
mod mail;
mod matrix;
mod plan;
mod route;
pub mod serve;
mod solve;
mod worker;

/// Fieldpath: dispatch and route optimisation for field-service teams.
#[derive(Debug, Parser)]
#[command(name = "fieldpath", version, about)]
pub struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import an OpenStreetMap .osm.pbf file into a preprocessed road graph file.
    Import(import::Args),
    /// Shortest route between two points on a road graph, as JSON.
    Route(route::Args),
    /// Duration and distance matrix between points, as JSON.
    Matrix(matrix::Args),
    /// Solve a VRPTW instance (Solomon format) and write a VRPLIB solution.
    Solve(solve::Args),
    /// Run the HTTP service (REST API on PostgreSQL).
    Serve(serve::Args),
    /// Seed the demo organisation (idempotent) and print its credentials.
    Demo(demo::Args),
    /// Run a planning scenario offline: greedy baseline vs optimiser, per what-if variant.
    Plan(plan::Args),
    /// Run queued planning scenarios in the background (DATABASE_URL; several may share the queue).
    Worker(worker::Args),
    /// The help desk's e-mail channel once: poll IMAP mailboxes or send queued mail.
    Mail(mail::Args),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Import(args) => import::run(args),
        Command::Route(args) => route::run(args),
        Command::Matrix(args) => matrix::run(args),
        Command::Solve(args) => solve::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Worker(args) => worker::run(args),
        Command::Mail(args) => mail::run(args),
    }
}
