//! Geographic coordinates (`[lon, lat]`, WGS84 degrees) and bounding boxes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Mean Earth radius in metres (IUGG), used by the haversine formula.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS84 position. Serialised as `[lon, lat]`, the GeoJSON order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f64; 2]", into = "[f64; 2]")]
pub struct Coord {
    /// Longitude in degrees, east positive.
    pub lon: f64,
    /// Latitude in degrees, north positive.
    pub lat: f64,
}

impl Coord {
    /// A coordinate from longitude and latitude (in that order).
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// Whether both values are finite and within [-180, 180] × [-90, 90].
    pub fn is_valid(self) -> bool {
        self.lon.is_finite()
            && self.lat.is_finite()
            && (-180.0..=180.0).contains(&self.lon)
            && (-90.0..=90.0).contains(&self.lat)
    }

    /// The same numbers in the other order: what the caller may have meant.
    pub const fn swapped(self) -> Self {
        Self {
            lon: self.lat,
            lat: self.lon,
        }
    }

    /// Great-circle distance in metres (haversine).
    pub fn haversine_m(self, other: Coord) -> f64 {
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let dphi = phi2 - phi1;
        let dlambda = (other.lon - self.lon).to_radians();
        let a =
            (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }

    /// The point a fraction `t` (0..=1) of the way to `other`, linearly in degrees.
    pub fn lerp(self, other: Coord, t: f64) -> Coord {
        Coord::new(
            self.lon + (other.lon - self.lon) * t,
            self.lat + (other.lat - self.lat) * t,
        )
    }
}

impl From<[f64; 2]> for Coord {
    fn from([lon, lat]: [f64; 2]) -> Self {
        Self { lon, lat }
    }
}

impl From<Coord> for [f64; 2] {
    fn from(c: Coord) -> Self {
        [c.lon, c.lat]
    }
}

impl fmt::Display for Coord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.lon, self.lat)
    }
}

/// Error of [`Coord::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected `lon,lat` with two decimal numbers, got {0:?}")]
pub struct ParseCoordError(pub String);

impl FromStr for Coord {
    type Err = ParseCoordError;

    /// Parses `lon,lat` (spaces around the numbers are allowed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseCoordError(s.to_string());
        let (lon, lat) = s.split_once(',').ok_or_else(err)?;
        let lon: f64 = lon.trim().parse().map_err(|_| err())?;
        let lat: f64 = lat.trim().parse().map_err(|_| err())?;
        if !lon.is_finite() || !lat.is_finite() {
            return Err(err());
        }
        Ok(Coord::new(lon, lat))
    }
}

/// An axis-aligned box in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    /// South-west corner.
    pub min: Coord,
    /// North-east corner.
    pub max: Coord,
}

impl BBox {
    /// The box spanning two corners (in any order).
    pub fn new(a: Coord, b: Coord) -> Self {
        Self {
            min: Coord::new(a.lon.min(b.lon), a.lat.min(b.lat)),
            max: Coord::new(a.lon.max(b.lon), a.lat.max(b.lat)),
        }
    }

    /// The smallest box holding all points, `None` if there are none.
    pub fn around(points: impl IntoIterator<Item = Coord>) -> Option<Self> {
        let mut it = points.into_iter();
        let first = it.next()?;
        let mut bbox = BBox {
            min: first,
            max: first,
        };
        for p in it {
            bbox.min.lon = bbox.min.lon.min(p.lon);
            bbox.min.lat = bbox.min.lat.min(p.lat);
            bbox.max.lon = bbox.max.lon.max(p.lon);
            bbox.max.lat = bbox.max.lat.max(p.lat);
        }
        Some(bbox)
    }

    /// Whether the point lies inside or on the border.
    pub fn contains(&self, p: Coord) -> bool {
        (self.min.lon..=self.max.lon).contains(&p.lon)
            && (self.min.lat..=self.max.lat).contains(&p.lat)
    }

    /// Whether the two boxes overlap (touching counts).
    pub fn intersects(&self, other: &BBox) -> bool {
        self.min.lon <= other.max.lon
            && other.min.lon <= self.max.lon
            && self.min.lat <= other.max.lat
            && other.min.lat <= self.max.lat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lon_lat() {
        assert_eq!("7.42, 43.73".parse::<Coord>(), Ok(Coord::new(7.42, 43.73)));
        assert!("7.42".parse::<Coord>().is_err());
        assert!("a,b".parse::<Coord>().is_err());
        assert!("NaN,1".parse::<Coord>().is_err());
    }

    #[test]
    fn haversine_one_degree_of_latitude() {
        let d = Coord::new(0.0, 0.0).haversine_m(Coord::new(0.0, 1.0));
        assert!((d - 111_195.0).abs() < 5.0, "{d}");
    }
}
