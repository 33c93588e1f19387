//! The point table of a ZL check (report.json `values.point_table`, issue 15 item 3): the case's
//! own point first (when the case gives one), then every seeded sample, each with what it says
//! about the claim and its figures. Every ZL decision is exact, so decided rows carry the exact
//! basis.

use super::gd::Decision;
use crate::certify::estimate::Basis;
use crate::claims::evidence::{Evidence, Finding, PointRow, Tally};
use crate::claims::Outcome;
use serde_json::{Map, Value};

/// The finding of an exactly decided point with its `figures`; `fails` says why it fails.
pub fn finding(d: &Decision, figures: Map<String, Value>, fails: impl Into<String>) -> Finding {
    let ev = Evidence {
        values: figures.into(),
        certificate: None,
    };
    match d {
        Decision::Holds => Finding::Holds(Basis::Exact, ev),
        Decision::Fails => Finding::Fails(Basis::Exact, ev, fails.into()),
        Decision::Undecided => Finding::Undecided(
            "the certified bracket does not decide at this point".into(),
            ev,
        ),
    }
}

/// Set `o`'s point table and point counts from `rows` (label, finding), in the given order (the
/// case's point first).
pub fn attach(o: &mut Outcome, rows: &[(String, Finding)]) {
    let table: Vec<PointRow> = rows.iter().map(|(l, f)| PointRow::of(l, f, None)).collect();
    let count = |p: fn(&Finding) -> bool| rows.iter().filter(|(_, f)| p(f)).count();
    o.values.set_tally(Tally {
        points: rows.len(),
        holding: count(|f| matches!(f, Finding::Holds(..))),
        vacuous: count(|f| matches!(f, Finding::Vacuous(..))),
    });
    o.values.point_table = Some(table);
}
