//! The car profile: which ways a car may use, in which direction and how fast.
//!
//! Rules (documented in the README as well):
//! - drivable `highway` classes and their default speeds are in [`default_speed_kmh`];
//!   `area=yes`, `impassable=yes` and `reversible`/`alternating` one-ways are skipped;
//! - access: the most specific of `motorcar`, `motor_vehicle`, `vehicle`, `access`
//!   decides; `no`, `private`, `agricultural`, `forestry`, `emergency`, `psv`, `bus`,
//!   `delivery`, `customers`, `military` and `permit` exclude the way;
//! - one-way: `oneway=yes|true|1` forward only, `-1|reverse` backward only,
//!   `no|false|0` both; implied on `highway=motorway` and `junction=roundabout|circular`;
//! - speed: a parsed `maxspeed` (or `maxspeed:forward`/`:backward`) times
//!   [`MAXSPEED_FACTOR`], else the class default; parking aisles and drive-ways 10 km/h.

use super::maxspeed::parse_maxspeed;

/// Share of the posted limit actually driven on average (junctions, curves, traffic).
pub const MAXSPEED_FACTOR: f64 = 0.8;

/// How a car may use one way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayRule {
    /// Speed along the way's node order in km/h, `None` if forbidden in that direction.
    pub forward_kmh: Option<f64>,
    /// Speed against the node order in km/h, `None` if forbidden.
    pub backward_kmh: Option<f64>,
}

/// Default driving speed of a `highway` class, `None` if cars may not use it.
pub fn default_speed_kmh(highway: &str) -> Option<f64> {
    Some(match highway {
        "motorway" => 90.0,
        "motorway_link" => 45.0,
        "trunk" => 85.0,
        "trunk_link" => 40.0,
        "primary" => 65.0,
        "primary_link" => 30.0,
        "secondary" => 55.0,
        "secondary_link" => 25.0,
        "tertiary" => 40.0,
        "tertiary_link" => 20.0,
        "unclassified" => 25.0,
        "residential" => 25.0,
        "living_street" => 10.0,
        "service" => 15.0,
        "road" => 20.0,
        _ => return None,
    })
}

fn access_denied(value: &str) -> bool {
    matches!(
        value,
        "no" | "private"
            | "agricultural"
            | "forestry"
            | "emergency"
            | "psv"
            | "bus"
            | "delivery"
            | "customers"
            | "military"
            | "permit"
    )
}

/// Applies the car profile to a way's tags (looked up by `tag(key)`).
pub fn car_rule<'a>(tag: impl Fn(&str) -> Option<&'a str>) -> Option<WayRule> {
    let highway = tag("highway")?;
    let class_speed = default_speed_kmh(highway)?;
    if tag("area") == Some("yes") || tag("impassable") == Some("yes") {
        return None;
    }
    let access = ["motorcar", "motor_vehicle", "vehicle", "access"]
        .iter()
        .find_map(|key| tag(key));
    if access.is_some_and(access_denied) {
        return None;
    }

    let implied_oneway =
        highway == "motorway" || matches!(tag("junction"), Some("roundabout" | "circular"));
    let (forward, backward) = match tag("oneway") {
        Some("yes" | "true" | "1") => (true, false),
        Some("-1" | "reverse") => (false, true),
        Some("no" | "false" | "0") => (true, true),
        Some("reversible" | "alternating") => return None,
        _ => (true, !implied_oneway),
    };

    let base = match tag("service") {
        Some("parking_aisle" | "driveway" | "drive-through") if highway == "service" => 10.0,
        _ => class_speed,
    };
    let posted = tag("maxspeed").and_then(parse_maxspeed);
    let speed = |directional: &str| {
        tag(directional)
            .and_then(parse_maxspeed)
            .or(posted)
            .map_or(base, |limit| (limit * MAXSPEED_FACTOR).max(1.0))
    };
    Some(WayRule {
        forward_kmh: forward.then(|| speed("maxspeed:forward")),
        backward_kmh: backward.then(|| speed("maxspeed:backward")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(tags: &[(&'static str, &'static str)]) -> Option<WayRule> {
        car_rule(|k| tags.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
    }

    #[test]
    fn drivable_classes() {
        assert!(rule(&[("highway", "residential")]).is_some());
        assert!(rule(&[("highway", "footway")]).is_none());
        assert!(rule(&[("highway", "cycleway")]).is_none());
        assert!(rule(&[("building", "yes")]).is_none());
        assert!(rule(&[("highway", "service"), ("area", "yes")]).is_none());
    }

    #[test]
    fn oneway_rules() {
        let fwd_only = |r: Option<WayRule>| {
            r.is_some_and(|r| r.forward_kmh.is_some() && r.backward_kmh.is_none())
        };
        let bwd_only = |r: Option<WayRule>| {
            r.is_some_and(|r| r.forward_kmh.is_none() && r.backward_kmh.is_some())
        };
        let both = |r: Option<WayRule>| {
            r.is_some_and(|r| r.forward_kmh.is_some() && r.backward_kmh.is_some())
        };
        assert!(fwd_only(rule(&[("highway", "primary"), ("oneway", "yes")])));
        assert!(fwd_only(rule(&[
            ("highway", "primary"),
            ("oneway", "true")
        ])));
        assert!(fwd_only(rule(&[("highway", "primary"), ("oneway", "1")])));
        assert!(bwd_only(rule(&[("highway", "primary"), ("oneway", "-1")])));
        assert!(both(rule(&[("highway", "primary"), ("oneway", "no")])));
        assert!(both(rule(&[("highway", "primary")])));
        assert!(fwd_only(rule(&[("highway", "motorway")])));
        assert!(both(rule(&[("highway", "motorway"), ("oneway", "no")])));
        assert!(fwd_only(rule(&[
            ("highway", "tertiary"),
            ("junction", "roundabout")
        ])));
        assert!(fwd_only(rule(&[
            ("highway", "tertiary"),
            ("junction", "circular")
        ])));
        assert!(rule(&[("highway", "primary"), ("oneway", "reversible")]).is_none());
    }

    #[test]
    fn access_most_specific_wins() {
        assert!(rule(&[("highway", "service"), ("access", "private")]).is_none());
        assert!(rule(&[("highway", "service"), ("motor_vehicle", "no")]).is_none());
        assert!(rule(&[("highway", "service"), ("motorcar", "no")]).is_none());
        assert!(rule(&[
            ("highway", "service"),
            ("access", "no"),
            ("motor_vehicle", "yes")
        ])
        .is_some());
        assert!(rule(&[("highway", "service"), ("access", "destination")]).is_some());
    }

    #[test]
    fn speeds() {
        let r = rule(&[("highway", "residential")]);
        assert_eq!(r.and_then(|r| r.forward_kmh), Some(25.0));
        let r = rule(&[("highway", "primary"), ("maxspeed", "50")]);
        assert_eq!(r.and_then(|r| r.forward_kmh), Some(40.0));
        let r = rule(&[
            ("highway", "primary"),
            ("maxspeed", "80"),
            ("maxspeed:backward", "50"),
        ]);
        assert_eq!(r.and_then(|r| r.backward_kmh), Some(40.0));
        assert_eq!(r.and_then(|r| r.forward_kmh), Some(64.0));
        let r = rule(&[("highway", "primary"), ("maxspeed", "none")]);
        assert_eq!(r.and_then(|r| r.forward_kmh), Some(65.0));
    }
}
