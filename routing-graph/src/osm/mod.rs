//! OpenStreetMap input: PBF reading, the car profile and `maxspeed` parsing.

pub mod maxspeed;
pub mod profile;
pub mod reader;
