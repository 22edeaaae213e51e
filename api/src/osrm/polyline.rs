//! Google's encoded polyline format (OSRM's `polyline` and `polyline6`, VROOM's `geometry`).
//!
//! Hand-written rather than the `polyline` crate: the algorithm is twenty lines, and the crate
//! would bring `geo-types` into the service and an edit to the shared `api/Cargo.toml`.

use routing_graph::Coord;

/// Encodes `[lon, lat]` points as a polyline with `precision` decimal digits (5 or 6).
/// Pairs are written latitude first, as the format requires.
pub fn encode(points: &[Coord], precision: u32) -> String {
    let factor = 10f64.powi(precision as i32);
    let mut out = String::with_capacity(points.len() * 8);
    let (mut prev_lat, mut prev_lon) = (0i64, 0i64);
    for p in points {
        let lat = (p.lat * factor).round() as i64;
        let lon = (p.lon * factor).round() as i64;
        push_value(&mut out, lat - prev_lat);
        push_value(&mut out, lon - prev_lon);
        prev_lat = lat;
        prev_lon = lon;
    }
    out
}

fn push_value(out: &mut String, value: i64) {
    let mut v = if value < 0 { !(value << 1) } else { value << 1 } as u64;
    while v >= 0x20 {
        out.push(char::from(((0x20 | (v & 0x1f)) + 63) as u8));
        v >>= 5;
    }
    out.push(char::from((v + 63) as u8));
}

/// Decodes a polyline with `precision` decimal digits back into `[lon, lat]` points
/// (`None` when the text is not a valid polyline).
pub fn decode(text: &str, precision: u32) -> Option<Vec<Coord>> {
    let factor = 10f64.powi(precision as i32);
    let bytes = text.as_bytes();
    let mut i = 0;
    let (mut lat, mut lon) = (0i64, 0i64);
    let mut out = Vec::new();
    let next = |i: &mut usize| -> Option<i64> {
        let (mut result, mut shift) = (0u64, 0u32);
        loop {
            let b = u64::from(*bytes.get(*i)?).checked_sub(63)?;
            *i += 1;
            result |= (b & 0x1f).checked_shl(shift)?;
            shift += 5;
            if b < 0x20 {
                break;
            }
        }
        let v = (result >> 1) as i64;
        Some(if result & 1 == 1 { !v } else { v })
    };
    while i < bytes.len() {
        lat += next(&mut i)?;
        lon += next(&mut i)?;
        out.push(Coord::new(lon as f64 / factor, lat as f64 / factor));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_googles_example() {
        // The example of the format's documentation.
        let points = [
            Coord::new(-120.2, 38.5),
            Coord::new(-120.95, 40.7),
            Coord::new(-126.453, 43.252),
        ];
        assert_eq!(encode(&points, 5), "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
        let back = decode("_p~iF~ps|U_ulLnnqC_mqNvxq`@", 5).expect("valid");
        assert_eq!(back.len(), 3);
        assert!((back[2].lon + 126.453).abs() < 1e-9);
    }

    #[test]
    fn round_trips_at_precision_six() {
        let points = [
            Coord::new(7.419_712, 43.731_113),
            Coord::new(7.426_8, 43.740_2),
        ];
        let back = decode(&encode(&points, 6), 6).expect("valid");
        assert!((back[0].lat - 43.731_113).abs() < 1e-9);
        assert!((back[1].lon - 7.4268).abs() < 1e-9);
        assert!(decode("\u{1}", 5).is_none());
    }
}
