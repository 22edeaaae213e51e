//! Best known solutions of the Solomon instances (`data/solomon/bks.csv`, vehicles first).

use std::collections::BTreeMap;
use std::path::Path;

/// A best known solution: vehicles, then distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bks {
    /// Vehicles used.
    pub vehicles: usize,
    /// Total distance.
    pub distance: f64,
}

/// Parses `bks.csv` (`instance,vehicles,distance,...` with a header line) into a map from
/// lower-case instance name to its BKS. Errors name the line.
pub fn parse(text: &str) -> Result<BTreeMap<String, Bks>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let bad = || {
            format!(
                "bks.csv line {}: expected instance,vehicles,distance: {line:?}",
                i + 1
            )
        };
        let [name, vehicles, distance, ..] = fields.as_slice() else {
            return Err(bad());
        };
        let vehicles = vehicles.trim().parse().map_err(|_| bad())?;
        let distance = distance.trim().parse().map_err(|_| bad())?;
        out.insert(name.trim().to_lowercase(), Bks { vehicles, distance });
    }
    Ok(out)
}

/// Reads and parses a `bks.csv` file.
pub fn read(path: &Path) -> Result<BTreeMap<String, Bks>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows() {
        let m = parse("instance,vehicles,distance,source\nC101,10,828.94,x\n\nr101,19,1650.80,y\n")
            .expect("valid");
        assert_eq!(
            m["c101"],
            Bks {
                vehicles: 10,
                distance: 828.94
            }
        );
        assert_eq!(m["r101"].vehicles, 19);
        assert!(parse("h\nc101,ten,1\n").is_err());
    }
}
