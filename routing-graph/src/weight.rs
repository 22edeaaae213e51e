//! Path weights: travel time and distance packed into one `u64`.
//!
//! The high 32 bits hold milliseconds, the low 32 bits decimetres. Adding two packed
//! weights adds both parts (distances stay far below 2^32 dm = 429,000 km), and comparing
//! them orders by time first, then distance: every algorithm minimises the same
//! lexicographic cost, so Dijkstra and the contraction hierarchy find the same optimum
//! and the distance reported is that of the fastest path.

/// A packed (time, distance) weight.
pub type Weight = u64;

/// No path / direction not allowed.
pub const INFINITE: Weight = u64::MAX;

/// Packs milliseconds and decimetres.
pub fn pack(time_ms: u64, dist_dm: u64) -> Weight {
    (time_ms.min(u32::MAX as u64) << 32) | dist_dm.min(u32::MAX as u64)
}

/// A weight for `length_m` metres driven at `speed_kmh`.
pub fn from_length_speed(length_m: f64, speed_kmh: f64) -> Weight {
    let time_ms = (length_m / (speed_kmh / 3.6) * 1000.0).round().max(0.0);
    pack(time_ms as u64, (length_m * 10.0).round().max(0.0) as u64)
}

/// Travel time in seconds.
pub fn seconds(w: Weight) -> f64 {
    (w >> 32) as f64 / 1000.0
}

/// Distance in metres.
pub fn metres(w: Weight) -> f64 {
    (w & 0xFFFF_FFFF) as f64 / 10.0
}

/// The share `fraction` (0..=1) of a weight, each part rounded on its own.
pub fn portion(w: Weight, fraction: f64) -> Weight {
    if w == INFINITE {
        return INFINITE;
    }
    let f = fraction.clamp(0.0, 1.0);
    let time = ((w >> 32) as f64 * f).round() as u64;
    let dist = ((w & 0xFFFF_FFFF) as f64 * f).round() as u64;
    pack(time, dist)
}

/// Saturating sum: anything plus [`INFINITE`] stays infinite.
#[inline]
pub fn add(a: Weight, b: Weight) -> Weight {
    if a == INFINITE || b == INFINITE {
        INFINITE
    } else {
        a + b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_orders_time_first() {
        let a = pack(1000, 50);
        let b = pack(999, 5000);
        assert!(b < a);
        assert_eq!(seconds(a + b), 1.999);
        assert_eq!(metres(a + b), 505.0);
        assert_eq!(portion(pack(1000, 100), 0.25), pack(250, 25));
    }
}
