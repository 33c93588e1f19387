//! What a check returns: the verdict with its evidence (values, reason, certificate), and the
//! aggregation of per-point findings into one verdict.

use crate::certify::estimate::{Basis, Estimate};
use crate::linalg::field::q_to_string;
use crate::linalg::Enclosure;
use crate::verdict::{Strength, Verdict};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed};
use serde_json::{json, Map, Value};

/// The result of one check: a verdict with its strength, the numbers behind it and, for proved
/// verdicts, a certificate (JSON) that an independent checker can re-verify.
///
/// The verdict and its strength are set together by the constructors and read through
/// [`Outcome::verdict`] and [`Outcome::strength`], so a decided verdict always has a strength, an
/// undecided one never has, and a refutation is always proved: a counterexample that is only
/// numerical or simulated ([`Outcome::counterexample`]) is reported as inconclusive.
#[derive(Clone, Debug)]
pub struct Outcome {
    verdict: Verdict,
    strength: Option<Strength>,
    /// Named values (JSON), including `lambda_max_f64`, `lambda_max_mpfr`, `lambda_max_enclosure`
    /// when a top eigenvalue is involved.
    pub values: Map<String, Value>,
    /// Why the verdict is what it is (always set for inconclusive and error).
    pub reason: Option<String>,
    /// The certificate for proved verdicts.
    pub certificate: Option<Value>,
    /// Set when some point was left undecided by the numbers (a finding `Undecided`, or a
    /// counterexample that is only numerical): a higher precision may decide it (the runner then retries, see [`crate::claims::Claim::escalates`]).
    pub undecided_points: bool,
}

impl Outcome {
    fn with(verdict: Verdict, strength: Option<Strength>) -> Self {
        Outcome {
            verdict,
            strength,
            values: Map::new(),
            reason: None,
            certificate: None,
            undecided_points: false,
        }
    }
    /// The claim holds, on evidence of this strength.
    pub fn verified(strength: Strength) -> Self {
        Self::with(Verdict::Verified, Some(strength))
    }
    /// A counterexample whose every part, premise included, was decided on evidence of this
    /// strength: `refuted` when that is a proof, otherwise `inconclusive` with `why` and the
    /// strength named (a refutation is always proved, design.md).
    pub fn counterexample(strength: Strength, why: impl Into<String>) -> Self {
        let why = why.into();
        match strength {
            Strength::Proved => {
                Self::with(Verdict::Refuted, Some(Strength::Proved)).with_reason(why)
            }
            s => Self::inconclusive(format!(
                "a counterexample was found, but it is {} and not proved, so the claim is not \
                 refuted: {why}",
                s.as_str()
            )),
        }
    }
    /// The outcome of a decision made on evidence of this strength: verified, a counterexample
    /// ([`Outcome::counterexample`]: refuted only when proved), inconclusive or error.
    pub fn decided(verdict: Verdict, strength: Strength, why: impl Into<String>) -> Self {
        match verdict {
            Verdict::Verified => Self::verified(strength).with_reason(why),
            Verdict::Refuted => Self::counterexample(strength, why),
            Verdict::Inconclusive => Self::inconclusive(why),
            Verdict::Error => Self::error(why),
        }
    }
    /// The numbers could not decide; `why` says what is missing.
    pub fn inconclusive(why: impl Into<String>) -> Self {
        Self::with(Verdict::Inconclusive, None).with_reason(why)
    }
    /// The case is invalid for this claim (the message names the field).
    pub fn error(why: impl Into<String>) -> Self {
        Self::with(Verdict::Error, None).with_reason(why)
    }
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }
    /// The strength of a verified or refuted verdict; `None` for inconclusive and error.
    pub fn strength(&self) -> Option<Strength> {
        self.strength
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
    /// The premise of an implication is false here, decided on this basis: nothing is exercised.
    Vacuous(Basis, String),
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
    let mut notes = e.notes.clone();
    if let Some(enc) = &e.enclosure {
        let shown = match short_enclosure(enc) {
            Some(short) => {
                notes.push(format!(
                    "the enclosure's ends have more than {REPORT_MAX_BITS} bits: shown rounded \
                     outward to {SHORT_BITS} bits (the certificate holds them exactly)"
                ));
                short
            }
            None => enc.clone(),
        };
        m.insert(
            format!("{prefix}_enclosure"),
            json!([q_to_string(shown.lo()), q_to_string(shown.hi())]),
        );
        m.insert(
            format!("{prefix}_exact"),
            Value::Bool(e.exact_value().is_some()),
        );
    }
    if !notes.is_empty() {
        m.insert(format!("{prefix}_notes"), json!(notes));
    }
    m
}

/// Bits of numerator or denominator beyond which report.json shows an enclosure end rounded:
/// Python's `int` (and so `Fraction`, which the report's readers use) refuses decimal strings of
/// more than 4300 digits by default, and 2^13000 has 3914.
pub const REPORT_MAX_BITS: u64 = 13_000;

/// Relative precision of a rounded end: 2^(−SHORT_BITS).
const SHORT_BITS: i64 = 256;

/// [lo, hi] widened outward to multiples of 2^(e − [`SHORT_BITS`]), e the binary exponent of the
/// larger end, when an end has a numerator or denominator of more than [`REPORT_MAX_BITS`] bits
/// (and the rounded ends are short themselves); `None` when the ends are short already. Rounding
/// lo down and hi up keeps the interval a valid enclosure.
fn short_enclosure(enc: &Enclosure) -> Option<Enclosure> {
    let long = |q: &BigRational| q.numer().bits().max(q.denom().bits()) > REPORT_MAX_BITS;
    if !long(enc.lo()) && !long(enc.hi()) {
        return None;
    }
    let mag = enc.lo().abs().max(enc.hi().abs());
    let e = mag.numer().bits() as i64 - mag.denom().bits() as i64 + 1;
    let k = SHORT_BITS - e;
    let unit = if k >= 0 {
        BigRational::new(BigInt::one(), BigInt::one() << k as usize)
    } else {
        BigRational::from_integer(BigInt::one() << k.unsigned_abs() as usize)
    };
    let lo = (enc.lo() / &unit).floor() * &unit;
    let hi = (enc.hi() / &unit).ceil() * &unit;
    let short = Enclosure::new(lo, hi)?;
    (!long(short.lo()) && !long(short.hi())).then_some(short)
}

/// An f64 as JSON (non-finite values become null, which JSON cannot represent otherwise).
pub fn json_f64(x: f64) -> Value {
    serde_json::Number::from_f64(x)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// The certificate of a check (docs/certificates.md, kind `dlncheck-check-certificate`): the
/// point certificates it rests on, under the claim of the first; `None` without any.
fn bundle<'a>(points: impl Iterator<Item = &'a Value>) -> Option<Value> {
    let points: Vec<&Value> = points.collect();
    let claim = points.first()?.get("claim")?.clone();
    Some(json!({
        "kind": "dlncheck-check-certificate",
        "version": 1,
        "claim": claim,
        "points": points,
    }))
}

/// Combine per-point findings. A failure decided by proof refutes (the first such point is the
/// counterexample). Otherwise a failure seen only numerically, or any undecided point, makes the
/// verdict inconclusive. Otherwise the claim is verified at every point where its premise held,
/// with the strength of the weakest decision it rests on (vacuous points' premise decisions
/// included), and inconclusive when the premise held nowhere. A proved refutation carries the
/// counterexample's certificate, a proved verification those of every holding point.
pub fn aggregate(findings: Vec<(String, Finding)>) -> Outcome {
    let total = findings.len();
    let vacuous = findings
        .iter()
        .filter(|(_, f)| matches!(f, Finding::Vacuous(..)))
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
            if let Basis::Agreement { bits } = b {
                o.values.insert("agreement_bits".into(), json!(bits));
            }
            if b.is_certified() {
                o.certificate = bundle(ev.certificate.iter());
            }
        }
        o.values.extend(ev.values.clone());
        o
    };
    let failing = |proved: bool| {
        findings
            .iter()
            .find(|(_, f)| matches!(f, Finding::Fails(b, ..) if b.is_certified() == proved))
    };
    if let Some((origin, Finding::Fails(basis, values, why))) = failing(true) {
        let reason = format!("counterexample at {origin}: {why}");
        return with(
            Outcome::counterexample(basis.strength(), reason),
            origin,
            values,
            Some(*basis),
        );
    }
    if let Some((origin, Finding::Fails(basis, values, why))) = failing(false) {
        let reason = format!("counterexample at {origin} ({}): {why}", basis.as_str());
        let mut o = with(
            Outcome::counterexample(basis.strength(), reason),
            origin,
            values,
            Some(*basis),
        );
        // a higher precision may decide the numerical parts either way
        o.undecided_points = true;
        return o;
    }
    if let Some((origin, Finding::Undecided(why, values))) = findings
        .iter()
        .find(|(_, f)| matches!(f, Finding::Undecided(..)))
    {
        let reason = format!("undecided at {origin}: {why}");
        let mut o = with(Outcome::inconclusive(reason), origin, values, None);
        o.undecided_points = true;
        return o;
    }
    let weakest = findings
        .iter()
        .filter_map(|(_, f)| match f {
            Finding::Holds(b, _) | Finding::Vacuous(b, _) => Some(*b),
            _ => None,
        })
        .reduce(Basis::weaker);
    match findings
        .iter()
        .find(|(_, f)| matches!(f, Finding::Holds(..)))
    {
        Some((origin, Finding::Holds(_, values))) => {
            let weakest = weakest.expect("at least one holding point");
            let mut o = with(
                Outcome::verified(weakest.strength()),
                origin,
                values,
                Some(weakest),
            );
            if vacuous > 0 {
                o.reason = Some(format!("holds at the {holding} points where its premise holds; {vacuous} points do not meet the premise"));
            }
            if o.certificate.is_some() {
                // the verdict rests on every holding point: certify them all
                o.certificate = bundle(findings.iter().filter_map(|(_, f)| match f {
                    Finding::Holds(_, ev) => ev.certificate.as_ref(),
                    _ => None,
                }));
            }
            o
        }
        _ => {
            let why = findings
                .iter()
                .find_map(|(o, f)| {
                    if let Finding::Vacuous(_, w) = f {
                        Some(format!("{o}: {w}"))
                    } else {
                        None
                    }
                })
                .unwrap_or_else(|| "no points to check".into());
            let mut o = Outcome::inconclusive(format!("the premise holds at none of the {total} points, so nothing was exercised (e.g. {why})"));
            o.values = summary;
            o
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_exact_ends_are_shown_rounded_outward() {
        let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        let short = Estimate::exact(&q(91, 9), 64);
        let v = estimate_values("x", &short);
        assert_eq!(v["x_enclosure"], json!(["91/9", "91/9"]));
        assert!(v.get("x_notes").is_none());
        // 1/3 + 2^-20000: a denominator of 20002 bits
        let tiny = BigRational::new(BigInt::one(), BigInt::one() << 20_000usize);
        let long = &q(1, 3) + &tiny;
        let v = estimate_values("x", &Estimate::exact(&long, 64));
        assert_eq!(v["x_exact"], json!(true));
        let ends: Vec<BigRational> = v["x_enclosure"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let (n, d) = s.as_str().unwrap().split_once('/').unwrap();
                BigRational::new(n.parse().unwrap(), d.parse().unwrap())
            })
            .collect();
        assert!(ends[0] < long && long < ends[1]);
        assert!(&ends[1] - &ends[0] <= BigRational::new(BigInt::one(), BigInt::one() << 250usize));
        assert!(ends.iter().all(|e| e.denom().bits() <= 260));
        assert!(v["x_notes"][0]
            .as_str()
            .unwrap()
            .contains("rounded outward"));
    }

    #[test]
    fn aggregation_rules() {
        let h = |b| Finding::Holds(b, Evidence::default());
        let v = aggregate(vec![
            ("a".into(), h(Basis::Exact)),
            ("b".into(), h(Basis::Enclosure)),
        ]);
        assert_eq!(v.verdict(), Verdict::Verified);
        assert_eq!(v.strength(), Some(Strength::Proved));
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
        assert_eq!(r.verdict(), Verdict::Refuted);
        assert_eq!(r.strength(), Some(Strength::Proved));
        assert!(r.reason.unwrap().contains("counterexample at c"));
        let i = aggregate(vec![(
            "a".into(),
            Finding::Vacuous(Basis::Exact, "premise false".into()),
        )]);
        assert_eq!(i.verdict(), Verdict::Inconclusive);
        assert_eq!(i.strength(), None);
        let u = aggregate(vec![
            ("a".into(), h(Basis::Exact)),
            (
                "b".into(),
                Finding::Undecided("wide".into(), Evidence::default()),
            ),
        ]);
        assert_eq!(u.verdict(), Verdict::Inconclusive);
    }

    #[test]
    fn unproved_counterexamples_never_refute() {
        for b in [
            Basis::Agreement { bits: 200 },
            Basis::Mpfr,
            Basis::Simulation,
        ] {
            let o = aggregate(vec![(
                "a".into(),
                Finding::Fails(b, Evidence::default(), "x".into()),
            )]);
            assert_eq!(o.verdict(), Verdict::Inconclusive, "{b:?}");
            assert_eq!(o.strength(), None);
            assert!(o.reason.unwrap().contains("not proved"));
        }
        // a proved counterexample elsewhere still refutes
        let o = aggregate(vec![
            (
                "a".into(),
                Finding::Fails(Basis::Mpfr, Evidence::default(), "x".into()),
            ),
            (
                "b".into(),
                Finding::Fails(Basis::Enclosure, Evidence::default(), "y".into()),
            ),
        ]);
        assert_eq!(o.verdict(), Verdict::Refuted);
        assert!(o.reason.unwrap().contains("counterexample at b"));
    }

    #[test]
    fn strength_is_the_weakest_decision_premises_included() {
        let o = aggregate(vec![
            (
                "a".into(),
                Finding::Holds(Basis::Exact, Evidence::default()),
            ),
            (
                "b".into(),
                Finding::Vacuous(Basis::Agreement { bits: 90 }, "premise false".into()),
            ),
        ]);
        assert_eq!(o.verdict(), Verdict::Verified);
        assert_eq!(o.strength(), Some(Strength::Numerical));
        assert_eq!(o.values["agreement_bits"], json!(90));
        let o = aggregate(vec![
            (
                "a".into(),
                Finding::Holds(Basis::Agreement { bits: 90 }, Evidence::default()),
            ),
            (
                "b".into(),
                Finding::Holds(Basis::Agreement { bits: 60 }, Evidence::default()),
            ),
        ]);
        assert_eq!(o.values["agreement_bits"], json!(60));
        assert_eq!(
            Outcome::counterexample(Strength::Simulated, "up").verdict(),
            Verdict::Inconclusive
        );
    }
}
