//! OpenStreetMap input: PBF reading, the car profile, `maxspeed` parsing and turn
//! restrictions.

pub mod maxspeed;
pub mod profile;
pub mod reader;
pub mod restriction;
