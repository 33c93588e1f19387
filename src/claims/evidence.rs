//! What a check returns: the verdict with its evidence (values, reason, certificate), and the
//! aggregation of per-point findings into one verdict.

use crate::certify::estimate::{Basis, Estimate};
use crate::verdict::Verdict;
use serde_json::{json, Map, Value};

/// The result of one check: a verdict, the numbers behind it and, for exact verdicts, a
/// certificate (JSON) that an independent checker can re-verify.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Named values (JSON), including `lambda_max_f64`, `lambda_max_mpfr`, `lambda_max_enclosure`
    /// when a top eigenvalue is involved.
    pub values: Map<String, Value>,
    /// Why the verdict is what it is (always set for inconclusive and error).
    pub reason: Option<String>,
    /// The certificate for exact verdicts.
    pub certificate: Option<Value>,
}

impl Outcome {
    /// An outcome with no values yet.
    pub fn new(verdict: Verdict) -> Self {
        Outcome {
            verdict,
            values: Map::new(),
            reason: None,
            certificate: None,
        }
    }
    /// Attach a reason.
    pub fn with_reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }
}

/// The numbers behind one point's finding, and its certificate when the basis is exact.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Named values (JSON).
    pub values: Map<String, Value>,
    /// The certificate (JSON), for findings decided in exact arithmetic.
    pub certificate: Option<Value>,
}

/// What one point says about a claim.
#[derive(Clone, Debug)]
pub enum Finding {
    /// The statement holds at the point, decided on this basis.
    Holds(Basis, Evidence),
    /// The statement fails at the point (a counterexample), decided on this basis.
    Fails(Basis, Evidence, String),
    /// The premise of an implication is false here: nothing is exercised.
    Vacuous(String),
    /// The numbers could not decide at this point.
    Undecided(String, Evidence),
}

/// The JSON values of a λ_max estimate under the contract's names, with a prefix for other
/// quantities ("lambda_max" for the Hessian's top eigenvalue).
pub fn estimate_values(prefix: &str, e: &Estimate) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(format!("{prefix}_f64"), json_f64(e.f64));
    m.insert(format!("{prefix}_f64_tolerance"), json_f64(e.f64_tol));
    if let Some(s) = e.mpfr_string() {
        m.insert(format!("{prefix}_mpfr"), Value::String(s));
    }
    if let Some(t) = &e.mpfr_tol {
        m.insert(format!("{prefix}_mpfr_tolerance"), json_f64(t.to_f64()));
    }
    if let Some([lo, hi]) = e.enclosure_strings() {
        m.insert(format!("{prefix}_enclosure"), json!([lo, hi]));
        m.insert(
            format!("{prefix}_exact"),
            Value::Bool(e.exact_value().is_some()),
        );
    }
    if !e.notes.is_empty() {
        m.insert(format!("{prefix}_notes"), json!(e.notes));
    }
    m
}

/// An f64 as JSON (non-finite values become null, which JSON cannot represent otherwise).
pub fn json_f64(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Combine per-point findings: any failure refutes (the first failing point is the counterexample);
/// otherwise any undecided point makes the verdict inconclusive; otherwise the claim is verified at
/// every point where its premise held, and inconclusive when the premise held nowhere.
pub fn aggregate(findings: Vec<(String, Finding)>) -> Outcome {
    let total = findings.len();
    let vacuous = findings
        .iter()
        .filter(|(_, f)| matches!(f, Finding::Vacuous(_)))
        .count();
    let holding = findings
        .iter()
        .filter(|(_, f)| matches!(f, Finding::Holds(..)))
        .count();
    let mut summary = Map::new();
    summary.insert("points".into(), json!(total));
    summary.insert("points_holding".into(), json!(holding));
    summary.insert("points_vacuous".into(), json!(vacuous));
    let with = |mut o: Outcome, origin: &str, ev: &Evidence, basis: Option<Basis>| {
        o.values = summary.clone();
        o.values.insert("decisive_point".into(), json!(origin));
        if let Some(b) = basis {
            o.values.insert("basis".into(), json!(b.as_str()));
            if b.is_certified() {
                o.certificate = ev.certificate.clone();
            }
        }
        o.values.extend(ev.values.clone());
        o
    };
    if let Some((origin, Finding::Fails(basis, values, why))) = findings
        .iter()
        .find(|(_, f)| matches!(f, Finding::Fails(..)))
    {
        let reason = format!("counterexample at {origin}: {why}");
        return with(
            Outcome::new(Verdict::Refuted).with_reason(reason),
            origin,
            values,
            Some(*basis),
        );
    }
    if let Some((origin, Finding::Undecided(why, values))) = findings
        .iter()
        .find(|(_, f)| matches!(f, Finding::Undecided(..)))
    {
        let reason = format!("undecided at {origin}: {why}");
        return with(
            Outcome::new(Verdict::Inconclusive).with_reason(reason),
            origin,
            values,
            None,
        );
    }
    match findings
        .iter()
        .find(|(_, f)| matches!(f, Finding::Holds(..)))
    {
        Some((origin, Finding::Holds(_, values))) => {
            let weakest = findings
                .iter()
                .filter_map(|(_, f)| {
                    if let Finding::Holds(b, _) = f {
                        Some(*b)
                    } else {
                        None
                    }
                })
                .reduce(Basis::weaker)
                .expect("at least one holding point");
            let mut o = with(
                Outcome::new(Verdict::Verified),
                origin,
                values,
                Some(weakest),
            );
            if vacuous > 0 {
                o.reason = Some(format!("holds at the {holding} points where its premise holds; {vacuous} points do not meet the premise"));
            }
            o
        }
        _ => {
            let why = findings
                .iter()
                .find_map(|(o, f)| {
                    if let Finding::Vacuous(w) = f {
                        Some(format!("{o}: {w}"))
                    } else {
                        None
                    }
                })
                .unwrap_or_else(|| "no points to check".into());
            let mut o = Outcome::new(Verdict::Inconclusive)
                .with_reason(format!("the premise holds at none of the {total} points, so nothing was exercised (e.g. {why})"));
            o.values = summary;
            o
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_rules() {
        let h = |b| Finding::Holds(b, Evidence::default());
        let v = aggregate(vec![
            ("a".into(), h(Basis::Exact)),
            ("b".into(), h(Basis::Enclosure)),
        ]);
        assert_eq!(v.verdict, Verdict::Verified);
        assert_eq!(v.values["basis"], json!("certified-enclosure"));
        let r = aggregate(vec![
            ("a".into(), h(Basis::Exact)),
            (
                "b".into(),
                Finding::Undecided("wide".into(), Evidence::default()),
            ),
            (
                "c".into(),
                Finding::Fails(Basis::Exact, Evidence::default(), "3 > 2".into()),
            ),
        ]);
        assert_eq!(r.verdict, Verdict::Refuted);
        assert!(r.reason.unwrap().contains("counterexample at c"));
        let i = aggregate(vec![("a".into(), Finding::Vacuous("premise false".into()))]);
        assert_eq!(i.verdict, Verdict::Inconclusive);
        let u = aggregate(vec![
            ("a".into(), h(Basis::Exact)),
            (
                "b".into(),
                Finding::Undecided("wide".into(), Evidence::default()),
            ),
        ]);
        assert_eq!(u.verdict, Verdict::Inconclusive);
    }
}
