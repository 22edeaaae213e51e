//! `fieldpath route`: the fastest route between two points, as JSON.

use anyhow::Context;
use routing_graph::{Coord, Resolution, RoadGraph, SnapOptions, StraightLine, TravelEstimator};
use serde::Serialize;
use std::path::PathBuf;

/// Which estimator to use: a road graph file, or the straight-line fallback.
#[derive(Debug, clap::Args)]
pub struct EstimatorArgs {
    /// Road graph file written by `fieldpath import`. Without it, straight-line estimates
    /// (haversine × detour factor at a fixed speed) are used.
    #[arg(long)]
    pub graph: Option<PathBuf>,
    /// Largest distance from a point to the road it is snapped to, metres.
    #[arg(long, default_value_t = 1000.0)]
    pub max_snap_distance: f64,
    /// H3 resolution of the snapped locations (0-15).
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(0..=15))]
    pub h3_resolution: u8,
    /// Straight-line estimator: road distance per straight-line distance.
    #[arg(long, default_value_t = 1.3)]
    pub detour_factor: f64,
    /// Straight-line estimator: average speed, km/h.
    #[arg(long, default_value_t = 40.0)]
    pub speed_kmh: f64,
}

impl EstimatorArgs {
    /// Loads the road graph, or builds the straight-line estimator.
    pub fn estimator(&self) -> anyhow::Result<Box<dyn TravelEstimator>> {
        let h3_resolution =
            Resolution::try_from(self.h3_resolution).context("invalid H3 resolution")?;
        match &self.graph {
            Some(path) => {
                let mut graph = RoadGraph::load(path)?;
                graph.set_snap_options(SnapOptions {
                    max_distance_m: self.max_snap_distance,
                    h3_resolution,
                });
                Ok(Box::new(graph))
            }
            None => {
                anyhow::ensure!(
                    self.detour_factor > 0.0 && self.speed_kmh > 0.0,
                    "--detour-factor and --speed-kmh must be positive"
                );
                Ok(Box::new(StraightLine {
                    detour_factor: self.detour_factor,
                    speed_kmh: self.speed_kmh,
                    h3_resolution,
                }))
            }
        }
    }
}

/// Arguments of `fieldpath route`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Start as `lon,lat`.
    #[arg(long, allow_hyphen_values = true)]
    pub from: Coord,
    /// End as `lon,lat`.
    #[arg(long, allow_hyphen_values = true)]
    pub to: Coord,
    #[command(flatten)]
    pub estimator: EstimatorArgs,
}

#[derive(Serialize)]
struct RouteJson<'a> {
    estimator: &'static str,
    /// Seconds.
    duration: f64,
    /// Metres.
    distance: f64,
    geometry: &'a [Coord],
    waypoints: &'a [routing_graph::Waypoint],
}

/// Runs `fieldpath route`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let estimator = args.estimator.estimator()?;
    let route = estimator.route(args.from, args.to)?;
    let json = RouteJson {
        estimator: route.estimator.as_str(),
        duration: route.duration_s,
        distance: route.distance_m,
        geometry: &route.geometry,
        waypoints: &route.waypoints,
    };
    println!("{}", serde_json::to_string(&json)?);
    Ok(())
}
