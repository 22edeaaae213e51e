//! `fieldpath import`: builds the preprocessed road graph file from an OSM extract.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use routing_graph::{ImportOptions, ImportProgress, RoadGraph};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `fieldpath import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// OpenStreetMap extract to read (`.osm.pbf`).
    pub input: PathBuf,
    /// Graph file to write.
    #[arg(long, short)]
    pub out: PathBuf,
}

/// Runs `fieldpath import`: progress on stderr (when it is a terminal), summary on stdout.
pub fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let progress_bar = bar.clone();
    let options = ImportOptions {
        progress: Some(Box::new(move |p| match p {
            ImportProgress::Reading => progress_bar.set_message("reading OSM data"),
            ImportProgress::Building => progress_bar.set_message("building the road network"),
            ImportProgress::Contracting { done, total } => {
                progress_bar.set_message("contracting");
                progress_bar.set_length(total as u64);
                progress_bar.set_position(done as u64);
            }
        })),
    };
    let imported = RoadGraph::from_pbf(&args.input, &options);
    bar.finish_and_clear();
    let (graph, summary) = imported?;
    graph
        .save(&args.out)
        .with_context(|| format!("saving the road graph to {}", args.out.display()))?;
    let file_bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "imported {} -> {}",
        args.input.display(),
        args.out.display()
    );
    println!("  OSM nodes read:  {}", summary.osm_nodes);
    println!(
        "  highway ways:    {} ({} drivable by car)",
        summary.highway_ways, summary.drivable_ways
    );
    println!("  graph nodes:     {}", summary.nodes);
    println!("  graph edges:     {}", summary.edges);
    println!(
        "  dropped:         {} nodes and {} edges outside the largest strongly connected component",
        summary.dropped_component_nodes, summary.dropped_edges
    );
    println!(
        "  turn restrictions: {} read for cars, {} applied, {} skipped ({} unsupported form: \
         via way, conditional or malformed; {} unresolved: ways or via node not joined in \
         the graph; {} would leave a road without any exit)",
        summary.turn_restrictions_read,
        summary.turn_restrictions,
        summary
            .turn_restrictions_read
            .saturating_sub(summary.turn_restrictions),
        summary.turn_restrictions_unsupported,
        summary.turn_restrictions_unresolved,
        summary.turn_restrictions_dead_end
    );
    println!("  shortcuts:       {}", summary.shortcuts);
    println!(
        "  time:            {:.2} s (read {:.2} s, build {:.2} s, contract {:.2} s, total with saving {:.2} s)",
        summary.total_time().as_secs_f64(),
        summary.read_time.as_secs_f64(),
        summary.build_time.as_secs_f64(),
        summary.contraction_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  graph file:      {file_bytes} bytes; in memory {} bytes",
        graph.memory_bytes()
    );
    Ok(())
}
