//! Turn restrictions: `type=restriction` relations as they apply to cars.
//!
//! Supported: `restriction=no_*|only_*` (or `restriction:motorcar=…`, which wins) with one
//! `from` way, one `via` node and one `to` way. A relation whose `except` lists
//! `motorcar`, `motor_vehicle` or `vehicle` does not apply to cars; one for other
//! vehicles only (`restriction:hgv`, …) is ignored. Via ways, conditional restrictions
//! (`restriction:conditional`) and malformed relations are counted as unsupported.

/// Whether the restriction forbids one turn or allows only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestrictionKind {
    /// `no_*`: the turn from `from` to `to` is forbidden.
    No,
    /// `only_*`: coming from `from`, `to` is the only way on.
    Only,
}

/// A supported turn restriction (OSM ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnRestriction {
    /// Relation id.
    pub id: i64,
    /// No or only.
    pub kind: RestrictionKind,
    /// Way driven before the turn.
    pub from_way: i64,
    /// Junction node of the turn.
    pub via_node: i64,
    /// Way driven after the turn.
    pub to_way: i64,
}

/// What a relation means for cars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// Not a turn restriction for cars (other relation type, other vehicles, exempt).
    Ignored,
    /// A restriction for cars in a form that is not modelled (via way, conditional, …).
    Unsupported,
    /// A supported restriction.
    Supported(TurnRestriction),
}

/// Role and member of a relation: `(role, is_node, is_way, id)`.
pub type Member<'a> = (&'a str, bool, bool, i64);

/// Interprets a relation from its tags and members.
pub fn parse<'a>(id: i64, tag: impl Fn(&str) -> Option<&'a str>, members: &[Member<'_>]) -> Parsed {
    if tag("type") != Some("restriction") {
        return Parsed::Ignored;
    }
    let exempt = tag("except").is_some_and(|v| {
        v.split(';')
            .any(|x| matches!(x.trim(), "motorcar" | "motor_vehicle" | "vehicle"))
    });
    if exempt {
        return Parsed::Ignored;
    }
    let Some(value) = tag("restriction:motorcar").or_else(|| tag("restriction")) else {
        let conditional = [
            "restriction:conditional",
            "restriction:motorcar:conditional",
        ];
        return if conditional.iter().any(|k| tag(k).is_some()) {
            Parsed::Unsupported
        } else {
            Parsed::Ignored // other vehicles only
        };
    };
    let kind = if value.starts_with("no_") {
        RestrictionKind::No
    } else if value.starts_with("only_") {
        RestrictionKind::Only
    } else {
        return Parsed::Unsupported;
    };
    let (mut from, mut via, mut to) = (Vec::new(), Vec::new(), Vec::new());
    for &(role, is_node, is_way, member) in members {
        match role {
            "from" if is_way => from.push(member),
            "to" if is_way => to.push(member),
            "via" if is_node => via.push(member),
            "via" => return Parsed::Unsupported, // via way(s)
            _ => {}
        }
    }
    match (from.as_slice(), via.as_slice(), to.as_slice()) {
        (&[from_way], &[via_node], &[to_way]) => Parsed::Supported(TurnRestriction {
            id,
            kind,
            from_way,
            via_node,
            to_way,
        }),
        _ => Parsed::Unsupported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags<'a>(list: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |k| list.iter().find(|(key, _)| *key == k).map(|(_, v)| *v)
    }

    const MEMBERS: [Member<'static>; 3] = [
        ("from", false, true, 1),
        ("via", true, false, 2),
        ("to", false, true, 3),
    ];

    #[test]
    fn parses_no_and_only() {
        let t = [("type", "restriction"), ("restriction", "no_left_turn")];
        let Parsed::Supported(r) = parse(9, tags(&t), &MEMBERS) else {
            panic!("not parsed")
        };
        assert_eq!(
            (r.kind, r.from_way, r.via_node, r.to_way),
            (RestrictionKind::No, 1, 2, 3)
        );
        let t = [
            ("type", "restriction"),
            ("restriction:motorcar", "only_straight_on"),
        ];
        assert!(matches!(
            parse(9, tags(&t), &MEMBERS),
            Parsed::Supported(TurnRestriction {
                kind: RestrictionKind::Only,
                ..
            })
        ));
    }

    #[test]
    fn skips_exempt_other_vehicles_and_unsupported_forms() {
        let exempt = [
            ("type", "restriction"),
            ("restriction", "no_left_turn"),
            ("except", "bicycle;motorcar"),
        ];
        assert_eq!(parse(1, tags(&exempt), &MEMBERS), Parsed::Ignored);
        let hgv = [("type", "restriction"), ("restriction:hgv", "no_left_turn")];
        assert_eq!(parse(1, tags(&hgv), &MEMBERS), Parsed::Ignored);
        let cond = [
            ("type", "restriction"),
            ("restriction:conditional", "no_left_turn @ (Mo-Fr)"),
        ];
        assert_eq!(parse(1, tags(&cond), &MEMBERS), Parsed::Unsupported);
        let t = [("type", "restriction"), ("restriction", "no_u_turn")];
        let via_way = [
            ("from", false, true, 1),
            ("via", false, true, 2),
            ("to", false, true, 3),
        ];
        assert_eq!(parse(1, tags(&t), &via_way), Parsed::Unsupported);
    }
}
