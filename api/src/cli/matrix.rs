//! `fieldpath matrix`: durations and distances between all points of a file, as JSON.

use super::route::EstimatorArgs;
use anyhow::Context;
use routing_graph::{Coord, RoutingError};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `fieldpath matrix`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// File with one `lon,lat` per line; blank lines and `#` comments are ignored.
    #[arg(long)]
    pub points: PathBuf,
    #[command(flatten)]
    pub estimator: EstimatorArgs,
}

#[derive(Serialize)]
struct MatrixJson {
    estimator: &'static str,
    /// Seconds, one row per source.
    durations: Vec<Vec<f64>>,
    /// Metres, one row per source.
    distances: Vec<Vec<f64>>,
}

/// Reads a points file; returns the points and the line number of each.
pub fn read_points(path: &Path) -> anyhow::Result<(Vec<Coord>, Vec<usize>)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read points file {}", path.display()))?;
    let mut points = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let coord: Coord = line
            .parse()
            .with_context(|| format!("{} line {}", path.display(), i + 1))?;
        points.push(coord);
        lines.push(i + 1);
    }
    anyhow::ensure!(!points.is_empty(), "{} contains no point", path.display());
    Ok((points, lines))
}

/// Runs `fieldpath matrix`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (points, lines) = read_points(&args.points)?;
    let estimator = args.estimator.estimator()?;
    let matrix = estimator
        .matrix(&points, &points)
        .map_err(|err| match err {
            RoutingError::MatrixPoint { index, source, .. } => {
                let line = lines.get(index).copied().unwrap_or(0);
                anyhow::anyhow!("{} line {line}: {source}", args.points.display())
            }
            other => other.into(),
        })?;
    let json = MatrixJson {
        estimator: matrix.estimator.as_str(),
        durations: matrix.duration_rows(),
        distances: matrix.distance_rows(),
    };
    println!("{}", serde_json::to_string(&json)?);
    Ok(())
}
