//! Parsing of OSM `maxspeed` values into km/h.
//!
//! Handles plain numbers (km/h), `mph` and `knots` units, `walk`, and the country
//! implicit values `XX:urban`, `XX:rural`, `XX:motorway`, `XX:trunk`, `XX:living_street`
//! and zone values (`DE:zone30`, `zone:30`). `none`, `signals`, `variable` and anything
//! unknown give `None`: the caller then falls back to the road class default.

/// Speed for `maxspeed=walk` (walking pace), km/h.
pub const WALK_KMH: f64 = 7.0;

/// Parses a `maxspeed` tag value; `None` means "no usable limit".
pub fn parse_maxspeed(value: &str) -> Option<f64> {
    // Several values (`50;30`): take the first, which is the general one.
    let value = value.split(';').next()?.trim();
    let lower = value.to_ascii_lowercase();
    match lower.as_str() {
        "" | "none" | "signals" | "variable" | "no" | "unposted" => return None,
        "walk" => return Some(WALK_KMH),
        _ => {}
    }
    if let Some(speed) = parse_number_with_unit(&lower) {
        return Some(speed);
    }
    if let Some((country, kind)) = lower.split_once(':') {
        return country_default(country, kind);
    }
    zone_speed(&lower)
}

/// `50`, `50 km/h`, `50kmh`, `30 mph`, `10 knots`.
fn parse_number_with_unit(s: &str) -> Option<f64> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let number: f64 = s[..end].parse().ok()?;
    let factor = match s[end..].trim() {
        "" | "km/h" | "kmh" | "kph" | "km" => 1.0,
        "mph" => 1.609_344,
        "knots" | "kn" => 1.852,
        _ => return None,
    };
    let kmh = number * factor;
    (kmh.is_finite() && kmh > 0.0 && kmh <= 300.0).then_some(kmh)
}

/// `zone30`, `zone:30`: a speed zone.
fn zone_speed(kind: &str) -> Option<f64> {
    let digits = kind.strip_prefix("zone")?.trim_start_matches(':');
    parse_number_with_unit(digits)
}

/// Implicit limits per country and road kind (only the well-known ones).
fn country_default(country: &str, kind: &str) -> Option<f64> {
    if let Some(speed) = zone_speed(kind) {
        return Some(speed);
    }
    let speed = match (country, kind) {
        (_, "walk") => WALK_KMH,
        (_, "living_street") => 20.0,
        (_, "urban") => 50.0,
        ("ch" | "li", "rural") => 80.0,
        ("ch" | "li", "trunk" | "motorroad") => 100.0,
        ("ch" | "li", "motorway") => 120.0,
        ("at", "rural") => 100.0,
        ("at", "trunk" | "motorroad") => 100.0,
        ("at", "motorway") => 130.0,
        ("fr", "rural") => 80.0,
        ("fr", "trunk" | "motorroad") => 110.0,
        ("fr", "motorway") => 130.0,
        ("de", "rural") => 100.0,
        ("de", "trunk" | "motorroad") => 100.0,
        ("de", "motorway") => 130.0, // advisory speed on unlimited Autobahn
        ("it", "rural") => 90.0,
        ("it", "trunk" | "motorroad") => 110.0,
        ("it", "motorway") => 130.0,
        ("gb" | "uk", "nsl_single") => 96.56, // 60 mph
        ("gb" | "uk", "nsl_dual" | "motorway") => 112.65, // 70 mph
        (_, "rural") => 80.0,
        (_, "motorway") => 120.0,
        (_, "trunk" | "motorroad") => 100.0,
        _ => return None,
    };
    Some(speed)
}

#[cfg(test)]
mod tests {
    use super::parse_maxspeed;

    #[test]
    fn numbers_and_units() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert_eq!(parse_maxspeed("50 km/h"), Some(50.0));
        assert_eq!(parse_maxspeed("80kmh"), Some(80.0));
        let mph = parse_maxspeed("30 mph").unwrap_or_default();
        assert!((mph - 48.28).abs() < 0.01, "{mph}");
        assert!((parse_maxspeed("20mph").unwrap_or_default() - 32.19).abs() < 0.01);
        assert_eq!(parse_maxspeed("50;30"), Some(50.0));
        assert_eq!(parse_maxspeed(" 60 "), Some(60.0));
    }

    #[test]
    fn words_and_country_defaults() {
        assert_eq!(parse_maxspeed("walk"), Some(7.0));
        assert_eq!(parse_maxspeed("CH:urban"), Some(50.0));
        assert_eq!(parse_maxspeed("CH:rural"), Some(80.0));
        assert_eq!(parse_maxspeed("CH:motorway"), Some(120.0));
        assert_eq!(parse_maxspeed("AT:rural"), Some(100.0));
        assert_eq!(parse_maxspeed("FR:urban"), Some(50.0));
        assert_eq!(parse_maxspeed("FR:rural"), Some(80.0));
        assert_eq!(parse_maxspeed("DE:zone30"), Some(30.0));
        assert_eq!(parse_maxspeed("DE:zone:30"), Some(30.0));
        assert_eq!(parse_maxspeed("RU:living_street"), Some(20.0));
        assert_eq!(parse_maxspeed("CH:walk"), Some(7.0));
    }

    #[test]
    fn no_usable_limit() {
        for v in [
            "none",
            "signals",
            "variable",
            "",
            "fast",
            "-5",
            "0",
            "50 furlongs",
            "CH:moon",
        ] {
            assert_eq!(parse_maxspeed(v), None, "{v:?}");
        }
    }
}
