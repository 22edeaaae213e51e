//! Solomon VRPTW instances (`data/solomon/*.txt`).
//!
//! ```text
//! C101
//!
//! VEHICLE
//! NUMBER     CAPACITY
//!   25         200
//!
//! CUSTOMER
//! CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
//!
//!     0      40         50          0          0       1236          0
//!     1      45         68         10        912        967         90
//! ```
//!
//! Row 0 is the depot. The [`Problem`] has one location per row (in file order),
//! unrounded Euclidean distances with duration = distance, one technician per vehicle
//! (start = end = depot, shift = the depot's [ready, due], the capacity, distance-only
//! costs) and one job per customer, whose id is the customer number. The objective
//! minimises vehicles first, as in the literature.

use super::FormatError;
use crate::model::TravelMatrix;
use crate::model::{Costs, Job, Objective, Problem, Shift, Skills, Technician, TimeWindow};

/// A parsed Solomon instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Name on the first line (e.g. `C101`).
    pub name: String,
    /// Number of vehicles available.
    pub vehicles: usize,
    /// Capacity of each vehicle.
    pub capacity: i64,
    /// The routing problem.
    pub problem: Problem,
}

/// One customer row.
struct Row {
    number: usize,
    x: f64,
    y: f64,
    demand: i64,
    ready: f64,
    due: f64,
    service: f64,
}

const ROW: &str = "7 numbers: customer number, x, y, demand, ready time, due date, service time";

/// Non-empty lines with their 1-based numbers, trimmed (CRLF tolerated).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn bad(line: usize, expected: &str, found: &str) -> FormatError {
    FormatError::Line {
        line,
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// Expects the next line to start with `word` (case-insensitive).
fn expect_word<'a>(
    it: &mut impl Iterator<Item = (usize, &'a str)>,
    word: &str,
    expected: &str,
) -> Result<(), FormatError> {
    match it.next() {
        Some((_, l)) if l.to_ascii_uppercase().starts_with(word) => Ok(()),
        Some((n, l)) => Err(bad(n, expected, l)),
        None => Err(FormatError::Eof(expected.to_string())),
    }
}

fn parse_row(n: usize, line: &str) -> Result<Row, FormatError> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() != 7 {
        return Err(bad(n, ROW, line));
    }
    let num = |i: usize| -> Result<f64, FormatError> {
        fields[i]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(n, ROW, line))
    };
    let number = fields[0]
        .parse::<usize>()
        .map_err(|_| bad(n, "a customer number (integer ≥ 0)", fields[0]))?;
    let demand = fields[3]
        .parse::<i64>()
        .map_err(|_| bad(n, "an integer demand", fields[3]))?;
    let row = Row {
        number,
        x: num(1)?,
        y: num(2)?,
        demand,
        ready: num(4)?,
        due: num(5)?,
        service: num(6)?,
    };
    if row.due < row.ready {
        return Err(bad(n, "a due date ≥ the ready time", line));
    }
    if row.service < 0.0 || row.demand < 0 {
        return Err(bad(n, "a non-negative demand and service time", line));
    }
    Ok(row)
}

/// Parses a Solomon instance. A malformed file gives a [`FormatError`] naming the line
/// and what was expected there.
pub fn parse(text: &str) -> Result<Instance, FormatError> {
    let mut it = lines(text);
    let name = it
        .next()
        .map(|(_, l)| l.to_string())
        .ok_or_else(|| FormatError::Eof("the instance name".into()))?;
    expect_word(&mut it, "VEHICLE", "the VEHICLE section")?;
    expect_word(&mut it, "NUMBER", "the header `NUMBER CAPACITY`")?;
    let fleet = "2 integers: vehicle number and capacity";
    let (vehicles, capacity) = match it.next() {
        Some((n, l)) => {
            let f: Vec<&str> = l.split_whitespace().collect();
            match (f.as_slice(), f.len()) {
                ([v, c], 2) => (
                    v.parse::<usize>().map_err(|_| bad(n, fleet, l))?,
                    c.parse::<i64>().map_err(|_| bad(n, fleet, l))?,
                ),
                _ => return Err(bad(n, fleet, l)),
            }
        }
        None => return Err(FormatError::Eof(fleet.into())),
    };
    expect_word(&mut it, "CUSTOMER", "the CUSTOMER section")?;
    expect_word(
        &mut it,
        "CUST",
        "the customer header `CUST NO. XCOORD. ...`",
    )?;
    let mut rows: Vec<Row> = Vec::new();
    for (n, l) in it {
        let row = parse_row(n, l)?;
        if rows.is_empty() && row.number != 0 {
            return Err(bad(n, "the depot row, customer number 0", l));
        }
        if rows.iter().any(|r| r.number == row.number) {
            return Err(bad(n, "a customer number not used before", l));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(FormatError::Eof("the depot row (customer 0)".into()));
    }
    Ok(Instance {
        name,
        vehicles,
        capacity,
        problem: build(&rows, vehicles, capacity)?,
    })
}

fn build(rows: &[Row], vehicles: usize, capacity: i64) -> Result<Problem, FormatError> {
    let matrix = TravelMatrix::from_fn(rows.len(), |a, b| {
        let d = (rows[a].x - rows[b].x).hypot(rows[a].y - rows[b].y);
        (d, d)
    });
    let depot = &rows[0];
    let technicians = (0..vehicles)
        .map(|v| Technician {
            id: format!("vehicle-{}", v + 1),
            start: Some(0),
            end: Some(0),
            shift: Shift::new(depot.ready, depot.due),
            breaks: Vec::new(),
            skills: Skills::none(),
            capacity: vec![capacity],
            max_jobs: None,
            costs: Costs::default(),
        })
        .collect();
    let jobs = rows
        .iter()
        .enumerate()
        .skip(1)
        .map(|(loc, r)| Job {
            time_windows: vec![TimeWindow::new(r.ready, r.due)],
            demand: vec![r.demand],
            ..Job::new(r.number.to_string(), loc, r.service, 1)
        })
        .collect();
    let problem = Problem {
        matrix,
        technicians,
        jobs,
        dimensions: 1,
        objective: Objective {
            minimize_technicians: true,
        },
        replan: None,
    };
    problem.validate()?;
    Ok(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "T1\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  2   50\r\n\r\nCUSTOMER\r\n\
        CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n\
        0 0 0 0 0 100 0\r\n7 3 4 10 0 50 5\r\n9 0 1 20 10 20 5\r\n";

    #[test]
    fn parses_a_small_instance() {
        let inst = parse(SMALL).expect("valid");
        assert_eq!(inst.name, "T1");
        assert_eq!((inst.vehicles, inst.capacity), (2, 50));
        let p = &inst.problem;
        assert_eq!(p.technicians.len(), 2);
        assert_eq!(p.jobs.len(), 2);
        assert_eq!(p.jobs[0].id, "7");
        assert_eq!(p.jobs[1].location, 2);
        assert_eq!(p.jobs[1].time_windows, vec![TimeWindow::new(10.0, 20.0)]);
        assert!((p.matrix.distance(0, 1) - 5.0).abs() < 1e-12);
        assert!((p.matrix.duration(1, 0) - 5.0).abs() < 1e-12);
        assert_eq!(p.technicians[0].shift, Shift::new(0.0, 100.0));
    }

    #[test]
    fn malformed_rows_name_the_line() {
        let broken = SMALL.replace("7 3 4 10 0 50 5", "7 3 4 10 0 50");
        match parse(&broken) {
            Err(FormatError::Line { line, .. }) => assert_eq!(line, 11),
            other => panic!("expected a line error, got {other:?}"),
        }
        let broken = SMALL.replace("  2   50", "  two 50");
        assert!(matches!(
            parse(&broken),
            Err(FormatError::Line { line: 5, .. })
        ));
        let broken = SMALL.replace("9 0 1 20 10 20 5", "9 0 1 20 30 20 5");
        assert!(matches!(
            parse(&broken),
            Err(FormatError::Line { line: 12, .. })
        ));
        assert!(matches!(parse(""), Err(FormatError::Eof(_))));
        assert!(matches!(parse("X\nVEHICLE\n"), Err(FormatError::Eof(_))));
        let msg = parse("X\nfoo\n").expect_err("bad").to_string();
        assert!(msg.contains("line 2") && msg.contains("VEHICLE"), "{msg}");
    }
}
