//! What a check returns: the verdict with its evidence (values, reason, certificate), and the
//! aggregation of per-point findings into one verdict.

use crate::certify::estimate::{Basis, Estimate};
use crate::enumerate::minimizers::BALANCED_LABEL;
use crate::linalg::field::{q_to_rug, q_to_string};
use crate::linalg::Enclosure;
use crate::verdict::{Strength, Verdict};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed};
use rug::{Integer, Rational};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

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
    /// The numbers behind the verdict (typed where the writers read them; boxed to keep the
    /// outcome small).
    pub values: Box<Values>,
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
            values: Box::default(),
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
    /// The numbers behind the finding.
    pub values: Values,
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

/// The label every producer gives the case's own point ("the case's point": `claims::context`,
/// the AMG landscape, `model::instance`, the balancedness claims), possibly followed by a space
/// and more (AMG-classify appends " [S = …]").
pub const CASE_POINT: &str = "the case's point";

/// Whether a finding's origin label names the case's own point.
///
/// This matches the label: the points of a claim carry their origin as a `String` set where they
/// are built (`claims::context` among others), so no typed marker reaches [`aggregate`]. A label
/// that only mentions the case's point, e.g. "the exact minimizer projected from the case's
/// point", does not name it: a verdict there is not one at the case's point.
pub fn is_case_point(label: &str) -> bool {
    label
        .strip_prefix(CASE_POINT)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// What one point says about a claim, in the words of a [`PointRow`] (the [`Finding`]'s kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PointVerdict {
    /// The statement holds at the point.
    Holds,
    /// The statement fails at the point (a counterexample, proved or not).
    Fails,
    /// The numbers could not decide at the point.
    Undecided,
    /// The premise is false at the point: nothing is exercised.
    Vacuous,
}

impl PointVerdict {
    /// The lowercase name the report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PointVerdict::Holds => "holds",
            PointVerdict::Fails => "fails",
            PointVerdict::Undecided => "undecided",
            PointVerdict::Vacuous => "vacuous",
        }
    }
}

/// One point of an aggregated verdict as report.json's `values.point_table` holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointRow {
    /// The point's origin, e.g. "the case's point" or "generated minimizer #3 (…)".
    pub label: String,
    /// Whether this is the case's own point ([`is_case_point`]); that row comes first.
    pub case_point: bool,
    /// What the point says about the claim.
    pub verdict: PointVerdict,
    /// The strength of the point's decision (its basis's); `None` when undecided.
    pub strength: Option<Strength>,
    /// The basis of the point's decision ([`Basis::as_str`]); `None` when undecided.
    pub basis: Option<String>,
    /// Why the statement fails, is vacuous or is undecided here; `None` when it holds.
    pub reason: Option<String>,
    /// The index of the point's certificate in the check's certificate bundle (its `points`
    /// array), when the bundle holds one for this point.
    pub certificate: Option<usize>,
    /// The point's own values, kept small ([`figures`]): scalars and short lists of scalars
    /// (enclosures, rank profiles), typed as every `values` object is.
    pub figures: Values,
}

/// Lists longer than this are left out of a [`PointRow`]'s figures.
pub const MAX_FIGURE_ITEMS: usize = 16;

/// Texts longer than this (in characters) are left out of a [`PointRow`]'s figures.
pub const MAX_FIGURE_TEXT: usize = 160;

/// The figures of a point's values: its quantities' readings (without their notes) and the
/// classes compared, whatever their length, its single numbers ([`Values::numbers`]) whose text
/// has at most [`MAX_FIGURE_TEXT`] characters, and of its other values every number, boolean, null,
/// text of at most [`MAX_FIGURE_TEXT`] characters and list of at most [`MAX_FIGURE_ITEMS`] such
/// scalars; objects, long lists and long texts stay only in the decisive point's values.
pub fn figures(v: &Values) -> Values {
    fn scalar(v: &Value) -> bool {
        match v {
            Value::String(s) => s.chars().count() <= MAX_FIGURE_TEXT,
            Value::Array(_) | Value::Object(_) => false,
            _ => true,
        }
    }
    let small = |v: &Value| match v {
        Value::Array(a) => a.len() <= MAX_FIGURE_ITEMS && a.iter().all(scalar),
        v => scalar(v),
    };
    let mut f = v.clone();
    f.tally = None;
    f.point_table = None;
    for r in f.estimates.values_mut() {
        r.notes.clear();
    }
    f.extra.retain(|k, x| !k.ends_with("_notes") && small(x));
    for x in [&mut f.f_star, &mut f.loss, &mut f.critical_value] {
        if x.as_ref()
            .is_some_and(|x| x.text().chars().count() > MAX_FIGURE_TEXT)
        {
            *x = None;
        }
    }
    f
}

impl PointRow {
    /// The row of the finding at the point labelled `label`, its certificate at `certificate` in
    /// the check's bundle.
    pub fn of(label: &str, f: &Finding, certificate: Option<usize>) -> Self {
        let (verdict, basis, reason, ev) = match f {
            Finding::Holds(b, ev) => (PointVerdict::Holds, Some(*b), None, Some(ev)),
            Finding::Fails(b, ev, why) => (PointVerdict::Fails, Some(*b), Some(why), Some(ev)),
            Finding::Vacuous(b, why) => (PointVerdict::Vacuous, Some(*b), Some(why), None),
            Finding::Undecided(why, ev) => (PointVerdict::Undecided, None, Some(why), Some(ev)),
        };
        PointRow {
            label: label.to_string(),
            case_point: is_case_point(label),
            verdict,
            strength: basis.map(Basis::strength),
            basis: basis.map(|b| b.as_str().to_string()),
            reason: reason.cloned(),
            certificate,
            figures: ev.map(|e| figures(&e.values)).unwrap_or_default(),
        }
    }
}

/// The rows of `findings` for the outcome `o` aggregated from them, the case's own point first
/// (the others in their order). A point's certificate index is its place in `o`'s bundle: the
/// counterexample's (0) for a proved refutation, the holding points' in order for a proved
/// verification ([`aggregate`] builds the bundle that way), none otherwise.
fn point_table(findings: &[(String, Finding)], o: &Outcome) -> Vec<PointRow> {
    let has_cert = |ev: &Evidence| ev.certificate.is_some();
    let mut next = 0;
    let counterexample = findings.iter().position(
        |(_, f)| matches!(f, Finding::Fails(b, ev, _) if b.is_certified() && has_cert(ev)),
    );
    let mut rows: Vec<PointRow> = findings
        .iter()
        .enumerate()
        .map(|(i, (label, f))| {
            let index = match (o.certificate.is_some(), o.verdict(), f) {
                (true, Verdict::Refuted, _) => (counterexample == Some(i)).then_some(0),
                (true, Verdict::Verified, Finding::Holds(_, ev)) if has_cert(ev) => {
                    next += 1;
                    Some(next - 1)
                }
                _ => None,
            };
            PointRow::of(label, f, index)
        })
        .collect();
    // stable: the other rows keep their order
    rows.sort_by_key(|r| !r.case_point);
    rows
}

/// The JSON values of an estimate under the contract's names, `prefix` naming the quantity.
#[cfg(test)]
fn estimate_values(prefix: &str, e: &Estimate) -> Map<String, Value> {
    let mut m = Map::new();
    Readings::of(e).write_into(prefix, &mut m);
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

/// The quantities a summary shows first, in order, by their names in [`Values::estimates`], with
/// readable labels ([`Values::headline_estimates`]).
const HEADLINE_QUANTITIES: [(&str, &str); 10] = [
    ("lambda_max", "λ_max"),
    ("sum_c_squared", "Σc²"),
    ("min_sharpness", "min sharpness"),
    ("sigma1_squared", "σ₁²"),
    ("trace_hessian", "tr ∇²f"),
    ("trace_formula", "trace formula"),
    ("scalar_formula", "scalar formula"),
    ("kp_operator", "KP operator"),
    ("norms_squared_sum", "Σ‖W_k‖²"),
    ("lambda_max_start", "λ_max at start"),
];

/// The numbers behind a verdict or a point's finding, as JSON v1 writes them under `values`.
///
/// The quantities the writers read are typed fields (each serialized under the contract's keys);
/// every other value is kept in [`Values::extra`] and reaches only the JSON. Serialization merges
/// both into one object with sorted keys, so the JSON is the same as when every key was written by
/// hand; deserialization sorts the keys back into the typed fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    /// The point counts of an aggregated verdict (`points`, `points_holding`, `points_vacuous`);
    /// read through [`Values::tally`].
    tally: Option<Tally>,
    /// The aggregated verdict's points, one [`PointRow`] each, the case's own point first
    /// (`point_table`; set by [`aggregate`], as many rows as the tally's `points`).
    pub point_table: Option<Vec<PointRow>>,
    /// The point that decided the verdict (`decisive_point`), by its origin.
    pub decisive_point: Option<String>,
    /// What the verdict rests on (`basis`, a [`Basis::as_str`] name) and, for an agreement between
    /// arithmetics, the bits they agree on (`agreement_bits`).
    pub basis: Option<BasisValue>,
    /// The AMG classes compared at the decisive point (`class_by_criterion`,
    /// `class_by_certificate`, `certificate_detail`).
    pub classes: Option<ClassPair>,
    /// Quantities computed in three arithmetics, by name (`lambda_max`, `min_sharpness`, …), each
    /// written under `{name}_f64`, `{name}_f64_tolerance`, `{name}_mpfr`, … ([`Readings`]).
    pub estimates: BTreeMap<String, Readings>,
    /// The least loss f* (`f_star`).
    pub f_star: Option<Number>,
    /// The loss f at the point (`loss`).
    pub loss: Option<Number>,
    /// f at the critical points of an index set S (`critical_value`).
    pub critical_value: Option<Number>,
    /// The working precision in bits the check ended at, when the runner raised it
    /// (`precision_bits_used`).
    pub precision_bits_used: Option<u64>,
    /// Every other value, only carried to the JSON.
    pub extra: Map<String, Value>,
}

/// One number the report carries as text: an exact rational or an MPFR value's decimal.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// An exact rational, written `"p/q"` (`"p"` when whole).
    Exact(Rational),
    /// An MPFR value as its decimal text, or any other text a report holds under the key.
    Decimal(Decimal),
}

impl Number {
    /// An exact rational.
    pub fn exact(q: &BigRational) -> Self {
        Number::Exact(q_to_rug(q))
    }
    /// The value of a report's text: exact when the text is the `"p/q"` (or `"p"`) form of its
    /// value, else a decimal ([`Decimal::of`]).
    pub fn of(text: &str) -> Self {
        match parse_rational(text) {
            Some(q) if q.to_string() == text => Number::Exact(q),
            _ => Number::Decimal(Decimal::of(text.to_string())),
        }
    }
    /// The text the report carries.
    pub fn text(&self) -> String {
        match self {
            Number::Exact(q) => q.to_string(),
            Number::Decimal(d) => d.text.clone(),
        }
    }
    /// The exact value (of the decimal text, for a decimal); `None` for a text without one.
    pub fn value(&self) -> Option<&Rational> {
        match self {
            Number::Exact(q) => Some(q),
            Number::Decimal(d) => d.value.as_ref(),
        }
    }
}

/// How many points a verdict was aggregated from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Points checked (`points`).
    pub points: usize,
    /// Points where the claim holds (`points_holding`).
    pub holding: usize,
    /// Points where the premise is false (`points_vacuous`).
    pub vacuous: usize,
}

/// The basis of a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasisValue {
    /// The basis's name ([`Basis::as_str`], e.g. `"certified-enclosure"`).
    pub name: String,
    /// For `numerical-agreement`: the bits on which the arithmetics agree.
    pub agreement_bits: Option<u64>,
}

/// The class of a critical point that no certificate decided ([`ClassPair::certificate`]).
pub const UNDETERMINED: &str = "undetermined";

/// An AMG point classified twice: by the paper's criterion and by an exact certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassPair {
    /// The class read off the criterion (`class_by_criterion`).
    pub criterion: String,
    /// The class the certificate proves, or [`UNDETERMINED`] (`class_by_certificate`).
    pub certificate: String,
    /// How the certificate decided, in words (`certificate_detail`; always set by a producer).
    pub detail: Option<String>,
}

/// A quantity in f64, MPFR and (when the inputs are exact) a proven enclosure, as the report
/// shows it: each number both as the contract's text and as a value to compute with.
#[derive(Clone, Debug)]
pub struct Readings {
    /// The f64 value (`{name}_f64`; non-finite is JSON null).
    pub f64: f64,
    /// A priori bound on |f64 − true value| (`{name}_f64_tolerance`; always set by a producer,
    /// possibly absent from a hand-written report).
    pub f64_tolerance: Option<f64>,
    /// The MPFR value (`{name}_mpfr`), when computed.
    pub mpfr: Option<Decimal>,
    /// A priori bound on |MPFR − true value| (`{name}_mpfr_tolerance`), rounded to f64.
    pub mpfr_tolerance: Option<f64>,
    /// The proven enclosure (`{name}_enclosure`, `{name}_exact`).
    pub enclosure: Option<ExactEnclosure>,
    /// Why a piece is missing, disagreements, rounding of the enclosure (`{name}_notes`).
    pub notes: Vec<String>,
}

/// An MPFR value as the decimal text the report carries, and that text's exact value.
#[derive(Clone, Debug, PartialEq)]
pub struct Decimal {
    /// The decimal text, with as many digits as the precision supports (e.g. `"1.2345e1"`).
    pub text: String,
    /// The exact value of `text` (not of the binary MPFR number it was rounded from); `None`
    /// when the value is not finite (`text` is then e.g. `"inf"`).
    pub value: Option<Rational>,
}

impl Decimal {
    /// A decimal text and its exact value ([`parse_rational`]).
    pub fn of(text: String) -> Self {
        Decimal {
            value: parse_rational(&text),
            text,
        }
    }
}

/// A proven enclosure [lo, hi] as the report carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactEnclosure {
    /// The ends as "p/q" text (rounded outward when too long, see [`REPORT_MAX_BITS`]).
    pub text: [String; 2],
    /// The ends' exact values (equal to `text`).
    pub lo: Rational,
    /// The upper end's exact value.
    pub hi: Rational,
    /// Whether the enclosure is the exact value (`{name}_exact`; lo = hi before any rounding);
    /// always set by a producer.
    pub exact: Option<bool>,
}

/// Equal when they write the same JSON (a non-finite f64 is null, so NaN equals NaN here).
impl PartialEq for Readings {
    fn eq(&self, o: &Self) -> bool {
        let (mut a, mut b) = (Map::new(), Map::new());
        self.write_into("", &mut a);
        o.write_into("", &mut b);
        a == b
    }
}

impl Readings {
    /// The readings of an estimate: the enclosure rounded outward when its ends are too long for
    /// the report (with a note saying so).
    pub fn of(e: &Estimate) -> Self {
        let mut notes = e.notes.clone();
        let enclosure = e.enclosure.as_ref().map(|enc| {
            let shown = match short_enclosure(enc) {
                Some(short) => {
                    notes.push(format!(
                        "the enclosure's ends have more than {REPORT_MAX_BITS} bits: shown \
                         rounded outward to {SHORT_BITS} bits (the certificate holds them exactly)"
                    ));
                    short
                }
                None => enc.clone(),
            };
            ExactEnclosure {
                text: [q_to_string(shown.lo()), q_to_string(shown.hi())],
                lo: q_to_rug(shown.lo()),
                hi: q_to_rug(shown.hi()),
                exact: Some(e.exact_value().is_some()),
            }
        });
        Readings {
            f64: e.f64,
            f64_tolerance: Some(e.f64_tol),
            mpfr: e.mpfr_string().map(Decimal::of),
            mpfr_tolerance: e.mpfr_tol.as_ref().map(|t| t.to_f64()),
            enclosure,
            notes,
        }
    }

    /// Write the readings into a JSON object under the keys of the quantity `name`.
    pub fn write_into(&self, name: &str, m: &mut Map<String, Value>) {
        m.insert(format!("{name}_f64"), json_f64(self.f64));
        if let Some(t) = self.f64_tolerance {
            m.insert(format!("{name}_f64_tolerance"), json_f64(t));
        }
        if let Some(d) = &self.mpfr {
            m.insert(format!("{name}_mpfr"), Value::String(d.text.clone()));
        }
        if let Some(t) = self.mpfr_tolerance {
            m.insert(format!("{name}_mpfr_tolerance"), json_f64(t));
        }
        if let Some(e) = &self.enclosure {
            m.insert(format!("{name}_enclosure"), json!(e.text));
            if let Some(exact) = e.exact {
                m.insert(format!("{name}_exact"), Value::Bool(exact));
            }
        }
        if !self.notes.is_empty() {
            m.insert(format!("{name}_notes"), json!(self.notes));
        }
    }

    /// The readings named `name` taken out of `m`, when its keys have exactly the shape
    /// [`Readings::write_into`] gives them (otherwise `m` is left as it is).
    fn take(name: &str, m: &mut Map<String, Value>) -> Option<Self> {
        let key = |s: &str| format!("{name}_{s}");
        let num = |v: &Value| match v {
            Value::Null => Some(f64::NAN),
            v => v.as_f64(),
        };
        let f64 = num(m.get(&key("f64"))?)?;
        let f64_tolerance = match m.get(&key("f64_tolerance")) {
            None => None,
            Some(v) => Some(num(v)?),
        };
        let mpfr = match m.get(&key("mpfr")) {
            None => None,
            Some(v) => Some(Decimal::of(v.as_str()?.to_string())),
        };
        let mpfr_tolerance = match m.get(&key("mpfr_tolerance")) {
            None => None,
            Some(v) => Some(num(v)?),
        };
        let enclosure = match (m.get(&key("enclosure")), m.get(&key("exact"))) {
            (None, None) => None,
            (Some(Value::Array(a)), exact) if a.len() == 2 => {
                let exact = match exact {
                    None => None,
                    Some(e) => Some(e.as_bool()?),
                };
                let lo = a[0].as_str()?.to_string();
                let hi = a[1].as_str()?.to_string();
                Some(ExactEnclosure {
                    lo: parse_rational(&lo)?,
                    hi: parse_rational(&hi)?,
                    text: [lo, hi],
                    exact,
                })
            }
            _ => return None,
        };
        let notes = match m.get(&key("notes")) {
            None => Vec::new(),
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect::<Option<_>>()?,
            Some(_) => return None,
        };
        let r = Readings {
            f64,
            f64_tolerance,
            mpfr,
            mpfr_tolerance,
            enclosure,
            notes,
        };
        // only a faithful round trip is typed (e.g. a finite f64 written as a string stays extra)
        let mut again = Map::new();
        r.write_into(name, &mut again);
        if again.iter().any(|(k, v)| m.get(k) != Some(v)) {
            return None;
        }
        for k in again.keys() {
            m.remove(k);
        }
        Some(r)
    }
}

impl Values {
    /// The point counts of an aggregated verdict.
    pub fn tally(&self) -> Option<Tally> {
        self.tally
    }
    /// Set the point counts.
    pub fn set_tally(&mut self, t: Tally) {
        self.tally = Some(t);
    }
    /// The Hessian's top eigenvalue at the checked point (the quantity `lambda_max`), if any.
    pub fn lambda_max(&self) -> Option<&Readings> {
        self.estimates.get("lambda_max")
    }
    /// The least λ_max over all minimizers (the quantity `min_sharpness`, KP), if any.
    pub fn min_sharpness(&self) -> Option<&Readings> {
        self.estimates.get("min_sharpness")
    }
    /// The headline quantities present, in the order a summary shows them, each with its
    /// readable label (λ_max, Σc², the minimum sharpness, …): the contract's quantity names stay
    /// here, with the producer, and the writers read labels and readings only.
    pub fn headline_estimates(&self) -> impl Iterator<Item = (&'static str, &Readings)> + '_ {
        HEADLINE_QUANTITIES
            .iter()
            .filter_map(|&(name, label)| self.estimates.get(name).map(|r| (label, r)))
    }
    /// Set the readings of the quantity `name` from its estimate.
    pub fn set_estimate(&mut self, name: &str, e: &Estimate) {
        self.estimates.insert(name.to_string(), Readings::of(e));
    }
    /// Set the basis of the verdict.
    pub fn set_basis(&mut self, b: Basis) {
        self.basis = Some(BasisValue {
            name: b.as_str().to_string(),
            agreement_bits: match b {
                Basis::Agreement { bits } => Some(u64::from(bits)),
                _ => None,
            },
        });
    }
    /// Set the classes compared at a point.
    pub fn set_classes(&mut self, criterion: &str, certificate: &str, detail: &str) {
        self.classes = Some(ClassPair {
            criterion: criterion.into(),
            certificate: certificate.into(),
            detail: Some(detail.into()),
        });
    }
    /// Add a value carried only to the JSON.
    pub fn insert(&mut self, key: String, v: Value) {
        self.extra.insert(key, v);
    }
    /// Add values carried only to the JSON.
    pub fn extend(&mut self, m: impl IntoIterator<Item = (String, Value)>) {
        self.extra.extend(m);
    }
    /// Add `o`'s values; where both set a value, `o`'s wins.
    pub fn merge(&mut self, o: Values) {
        self.tally = o.tally.or(self.tally);
        self.point_table = o.point_table.or(self.point_table.take());
        self.decisive_point = o.decisive_point.or(self.decisive_point.take());
        self.basis = o.basis.or(self.basis.take());
        self.classes = o.classes.or(self.classes.take());
        self.estimates.extend(o.estimates);
        self.f_star = o.f_star.or(self.f_star.take());
        self.loss = o.loss.or(self.loss.take());
        self.critical_value = o.critical_value.or(self.critical_value.take());
        self.precision_bits_used = o.precision_bits_used.or(self.precision_bits_used);
        self.extra.extend(o.extra);
    }
    /// The single numbers by their JSON keys: `f_star`, `loss`, `critical_value`.
    pub fn numbers(&self) -> [(&'static str, Option<&Number>); 3] {
        [
            ("f_star", self.f_star.as_ref()),
            ("loss", self.loss.as_ref()),
            ("critical_value", self.critical_value.as_ref()),
        ]
    }
    /// The value under the JSON key `key`, as the JSON holds it.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// The JSON object (keys sorted, as `serde_json::Map` keeps them).
    pub fn to_map(&self) -> Map<String, Value> {
        let mut m = self.extra.clone();
        if let Some(t) = &self.tally {
            m.insert("points".into(), json!(t.points));
            m.insert("points_holding".into(), json!(t.holding));
            m.insert("points_vacuous".into(), json!(t.vacuous));
        }
        if let Some(p) = &self.decisive_point {
            m.insert("decisive_point".into(), json!(p));
        }
        if let Some(b) = &self.basis {
            m.insert("basis".into(), json!(b.name));
            if let Some(bits) = b.agreement_bits {
                m.insert("agreement_bits".into(), json!(bits));
            }
        }
        if let Some(c) = &self.classes {
            m.insert("class_by_criterion".into(), json!(c.criterion));
            m.insert("class_by_certificate".into(), json!(c.certificate));
            if let Some(d) = &c.detail {
                m.insert("certificate_detail".into(), json!(d));
            }
        }
        for (name, r) in &self.estimates {
            r.write_into(name, &mut m);
        }
        for (key, x) in self.numbers() {
            if let Some(x) = x {
                m.insert(key.into(), json!(x.text()));
            }
        }
        if let Some(p) = self.precision_bits_used {
            m.insert("precision_bits_used".into(), json!(p));
        }
        if let Some(rows) = &self.point_table {
            m.insert("point_table".into(), json!(rows));
        }
        m
    }

    /// The values of a JSON object: the keys of typed values, when they have the shape the
    /// writer gives them, into their fields; the rest into `extra`.
    pub fn from_map(mut m: Map<String, Value>) -> Self {
        let count = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_u64);
        let tally = match (
            count(&m, "points"),
            count(&m, "points_holding"),
            count(&m, "points_vacuous"),
        ) {
            (Some(p), Some(h), Some(v)) => {
                for k in ["points", "points_holding", "points_vacuous"] {
                    m.remove(k);
                }
                Some(Tally {
                    points: p as usize,
                    holding: h as usize,
                    vacuous: v as usize,
                })
            }
            _ => None,
        };
        // only a faithful round trip is typed (a hand-written table of another shape stays extra)
        let point_table = m
            .get("point_table")
            .and_then(|v| {
                let rows: Vec<PointRow> = serde_json::from_value(v.clone()).ok()?;
                (json!(rows) == *v).then_some(rows)
            })
            .inspect(|_| {
                m.remove("point_table");
            });
        let decisive_point = match m.get("decisive_point") {
            Some(Value::String(_)) => m.remove("decisive_point").and_then(string),
            _ => None,
        };
        let basis = match (m.get("basis"), m.get("agreement_bits")) {
            (Some(Value::String(_)), None) => Some(None),
            (Some(Value::String(_)), Some(b)) if b.is_u64() => Some(b.as_u64()),
            _ => None,
        }
        .map(|agreement_bits| {
            m.remove("agreement_bits");
            BasisValue {
                name: m.remove("basis").and_then(string).unwrap_or_default(),
                agreement_bits,
            }
        });
        let is_text = |m: &Map<String, Value>, k: &str| m.get(k).is_some_and(Value::is_string);
        let classes = (is_text(&m, "class_by_criterion")
            && is_text(&m, "class_by_certificate")
            && m.get("certificate_detail").map_or(true, Value::is_string))
        .then(|| ClassPair {
            criterion: m
                .remove("class_by_criterion")
                .and_then(string)
                .unwrap_or_default(),
            certificate: m
                .remove("class_by_certificate")
                .and_then(string)
                .unwrap_or_default(),
            detail: m.remove("certificate_detail").and_then(string),
        });
        let mut number = |k: &str| match m.get(k) {
            Some(Value::String(_)) => m.remove(k).and_then(string).map(|t| Number::of(&t)),
            _ => None,
        };
        let (f_star, loss, critical_value) =
            (number("f_star"), number("loss"), number("critical_value"));
        let precision_bits_used = m
            .get("precision_bits_used")
            .and_then(Value::as_u64)
            .inspect(|_| {
                m.remove("precision_bits_used");
            });
        let names: Vec<String> = m
            .keys()
            .filter_map(|k| k.strip_suffix("_f64"))
            .map(str::to_string)
            .collect();
        let mut estimates = BTreeMap::new();
        for name in names {
            if let Some(r) = Readings::take(&name, &mut m) {
                estimates.insert(name, r);
            }
        }
        Values {
            tally,
            point_table,
            decisive_point,
            basis,
            classes,
            estimates,
            f_star,
            loss,
            critical_value,
            precision_bits_used,
            extra: m,
        }
    }
}

/// The values of a JSON object, typed as [`Values::from_map`] types them.
impl From<Map<String, Value>> for Values {
    fn from(m: Map<String, Value>) -> Self {
        Values::from_map(m)
    }
}

/// Boxed values of a JSON object (an [`Outcome`]'s), typed as [`Values::from_map`] types them.
impl From<Map<String, Value>> for Box<Values> {
    fn from(m: Map<String, Value>) -> Self {
        Box::new(Values::from_map(m))
    }
}

fn string(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(Values::from_map)
    }
}

/// Tests read values by their JSON key, as the JSON holds them.
#[cfg(test)]
impl std::ops::Index<&str> for Values {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        Box::leak(Box::new(self.get(key).unwrap_or(Value::Null)))
    }
}

/// Parse "p/q", an integer, or a decimal such as "-1.25e-3" exactly (the report's exact texts).
pub fn parse_rational(s: &str) -> Option<Rational> {
    let s = s.trim();
    if s.contains('/') {
        return Rational::parse(s).ok().map(Rational::from);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = Integer::from_str_radix(&digits, 10).ok()?;
    let q = Rational::from(n) * pow10(exp - frac_part.len() as i64);
    Some(if neg { -q } else { q })
}

/// 10^e as an exact rational.
pub fn pow10(e: i64) -> Rational {
    let p = Integer::from(Integer::u_pow_u(10, e.unsigned_abs() as u32));
    if e >= 0 {
        Rational::from(p)
    } else {
        Rational::from((Integer::from(1), p))
    }
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
/// counterexample's certificate, a proved verification those of every holding point. The values
/// hold the tally and one [`PointRow`] per point (`point_table`, the case's own point first).
///
/// When the case's own point holds on a proof but the verdict is weaker (numerical, or
/// inconclusive, or refuted elsewhere) because of points dlncheck added itself, the reason says
/// so and names those points (see `case_point_note`): an added point never weakens the verdict at
/// the case's point silently.
pub fn aggregate(findings: Vec<(String, Finding)>) -> Outcome {
    let mut o = decide(&findings);
    if let Some(note) = case_point_note(&findings, &o) {
        o.reason = Some(match o.reason.take() {
            Some(r) => format!("{r}; {note}"),
            None => note,
        });
    }
    o.values.point_table = Some(point_table(&findings, &o));
    o
}

/// How many added points [`case_point_note`] names before it counts the rest.
const NAMED_ADDED_POINTS: usize = 3;

/// The note that tells a verdict at the case's own point from the check's verdict: `Some` when
/// the case's point holds with proof while the check's verdict is not a proved verification
/// (some point dlncheck added — a generated minimizer, the balanced SVD factorization, a
/// constructed critical point — is only numerical, undecided, or a counterexample). It names
/// those added points with what each rests on and how a case leaves them out (`generate:`).
fn case_point_note(findings: &[(String, Finding)], o: &Outcome) -> Option<String> {
    let (case_label, at_case) = findings.iter().find(|(l, _)| is_case_point(l))?;
    let Finding::Holds(case_basis, _) = at_case else {
        return None;
    };
    if case_basis.strength() != Strength::Proved
        || (o.verdict() == Verdict::Verified && o.strength() == Some(Strength::Proved))
    {
        return None;
    }
    let weaker: Vec<String> = findings
        .iter()
        .filter(|(l, _)| !is_case_point(l))
        .filter_map(|(l, f)| match f {
            Finding::Holds(b, _) | Finding::Vacuous(b, _) if b.strength() != Strength::Proved => {
                Some(format!("{l} (basis {})", b.as_str()))
            }
            Finding::Fails(b, ..) => Some(format!("{l} (fails, basis {})", b.as_str())),
            Finding::Undecided(..) => Some(format!("{l} (undecided)")),
            _ => None,
        })
        .collect();
    if weaker.is_empty() {
        return None;
    }
    let mut named = weaker[..weaker.len().min(NAMED_ADDED_POINTS)].join(", ");
    if weaker.len() > NAMED_ADDED_POINTS {
        named.push_str(&format!(" and {} more", weaker.len() - NAMED_ADDED_POINTS));
    }
    let switch = if weaker.iter().any(|w| w.starts_with(BALANCED_LABEL)) {
        "`generate: {balanced: false}` leaves the balanced factorization out"
    } else {
        "the case's `generate:` section sets which points are added"
    };
    Some(format!(
        "at {case_label} the claim holds, proved (basis {}); the verdict is weaker only because of \
         points dlncheck added: {named} ({switch}; values.point_table has every point)",
        case_basis.as_str()
    ))
}

/// The verdict of [`aggregate`], without the table of points.
fn decide(findings: &[(String, Finding)]) -> Outcome {
    let total = findings.len();
    let vacuous = findings
        .iter()
        .filter(|(_, f)| matches!(f, Finding::Vacuous(..)))
        .count();
    let holding = findings
        .iter()
        .filter(|(_, f)| matches!(f, Finding::Holds(..)))
        .count();
    let tally = Tally {
        points: total,
        holding,
        vacuous,
    };
    let with = |mut o: Outcome, origin: &str, ev: &Evidence, basis: Option<Basis>| {
        o.values.set_tally(tally);
        o.values.decisive_point = Some(origin.to_string());
        if let Some(b) = basis {
            o.values.set_basis(b);
            if b.is_certified() {
                o.certificate = bundle(ev.certificate.iter());
            }
        }
        o.values.merge(ev.values.clone());
        o
    };
    // the first counterexample, the case's point when it is one (the point the user asked about)
    let failing = |proved: bool| {
        let mut fails = findings
            .iter()
            .filter(|(_, f)| matches!(f, Finding::Fails(b, ..) if b.is_certified() == proved));
        let first = fails.clone().next();
        fails.find(|(l, _)| is_case_point(l)).or(first)
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
            o.values.set_tally(tally);
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
    fn single_numbers_are_typed_and_written_as_their_text() {
        let m = json!({
            "f_star": "1/3", "loss": "-2", "critical_value": "1.25e-1",
            "precision_bits_used": 512, "other": "7/2",
        });
        let v = Values::from_map(m.as_object().unwrap().clone());
        assert_eq!(v.f_star, Some(Number::Exact(Rational::from((1, 3)))));
        assert_eq!(v.loss, Some(Number::Exact(Rational::from(-2))));
        let d = v.critical_value.as_ref().unwrap();
        assert!(matches!(d, Number::Decimal(_)));
        assert_eq!(d.value(), Some(&Rational::from((1, 8))));
        assert_eq!(v.precision_bits_used, Some(512));
        assert_eq!(v.extra.keys().collect::<Vec<_>>(), ["other"]);
        assert_eq!(json!(v), m);
    }

    /// Evidence with one exact quantity `lambda_max` = q and a certificate naming `tag`.
    fn certified(q: i64, tag: &str) -> Evidence {
        let mut values = Values::default();
        values.set_estimate(
            "lambda_max",
            &Estimate::exact(&BigRational::from_integer(q.into()), 64),
        );
        values.insert("tag".into(), json!(tag));
        Evidence {
            values,
            certificate: Some(json!({"claim": "X", "tag": tag})),
        }
    }

    #[test]
    fn case_point_labels() {
        assert!(is_case_point(CASE_POINT));
        assert!(is_case_point("the case's point [S = {1}]"));
        assert!(is_case_point("the case's point [S = {1}] (MPFR)"));
        assert!(!is_case_point(
            "the exact minimizer projected from the case's point"
        ));
        assert!(!is_case_point("the case's points"));
        assert!(!is_case_point("generated minimizer #0 (…)"));
    }

    #[test]
    fn the_case_point_row_comes_first_with_its_certificate_index() {
        let o = aggregate(vec![
            (
                "generated minimizer #0".into(),
                Finding::Holds(Basis::Exact, certified(3, "g0")),
            ),
            (
                "the balanced SVD factorization".into(),
                Finding::Vacuous(Basis::Exact, "premise false".into()),
            ),
            (
                "generated minimizer #1".into(),
                Finding::Holds(Basis::Exact, certified(5, "g1")),
            ),
            (
                CASE_POINT.into(),
                Finding::Holds(Basis::Exact, certified(7, "case")),
            ),
        ]);
        assert_eq!(o.verdict(), Verdict::Verified);
        let rows = o.values.point_table.as_ref().unwrap();
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                CASE_POINT,
                "generated minimizer #0",
                "the balanced SVD factorization",
                "generated minimizer #1"
            ]
        );
        assert_eq!(
            rows.iter().map(|r| r.case_point).collect::<Vec<_>>(),
            [true, false, false, false]
        );
        assert_eq!(rows.len(), o.values.tally().unwrap().points);
        // the bundle holds the holding points in the findings' order: g0, g1, case
        let bundle = o.certificate.as_ref().unwrap()["points"]
            .as_array()
            .unwrap()
            .clone();
        for r in rows {
            match r.verdict {
                PointVerdict::Holds => {
                    let i = r.certificate.unwrap();
                    assert_eq!(&bundle[i]["tag"], &r.figures["tag"], "{}", r.label);
                    assert_eq!(r.strength, Some(Strength::Proved));
                    assert_eq!(r.basis.as_deref(), Some("exact"));
                    assert!(r.reason.is_none());
                }
                v => {
                    assert_eq!(v, PointVerdict::Vacuous);
                    assert_eq!(r.certificate, None);
                    assert_eq!(r.reason.as_deref(), Some("premise false"));
                }
            }
        }
        assert_eq!(rows[0].figures.lambda_max().unwrap().f64, 7.0);
    }

    #[test]
    fn rows_of_refutations_and_undecided_points() {
        let o = aggregate(vec![
            (
                "a".into(),
                Finding::Undecided("wide".into(), Evidence::default()),
            ),
            (
                "b".into(),
                Finding::Fails(Basis::Mpfr, certified(2, "b"), "numerically".into()),
            ),
            (
                "c".into(),
                Finding::Fails(Basis::Exact, certified(4, "c"), "3 > 2".into()),
            ),
        ]);
        assert_eq!(o.verdict(), Verdict::Refuted);
        let rows = o.values.point_table.clone().unwrap();
        assert_eq!(rows[0].verdict, PointVerdict::Undecided);
        assert_eq!((rows[0].strength, rows[0].basis.as_deref()), (None, None));
        assert_eq!(rows[1].verdict, PointVerdict::Fails);
        assert_eq!(rows[1].strength, Some(Strength::Numerical));
        // only the proved counterexample is in the bundle
        assert_eq!(
            rows.iter().map(|r| r.certificate).collect::<Vec<_>>(),
            [None, None, Some(0)]
        );
        assert_eq!(o.certificate.unwrap()["points"][0]["tag"], json!("c"));
        assert!(rows.iter().all(|r| !r.case_point));
    }

    /// Of two proved counterexamples, the case's point is the decisive one, wherever it stands
    /// among the findings; a numerical one there does not displace a proved one elsewhere.
    #[test]
    fn the_case_point_decides_among_counterexamples_of_one_strength() {
        let fails = |tag: &str, b: Basis| Finding::Fails(b, certified(2, tag), format!("at {tag}"));
        let o = aggregate(vec![
            ("generated #0".into(), fails("g0", Basis::Exact)),
            (CASE_POINT.into(), fails("case", Basis::Exact)),
        ]);
        assert_eq!(o.values.decisive_point.as_deref(), Some(CASE_POINT));
        assert_eq!(
            o.reason.as_deref(),
            Some("counterexample at the case's point: at case")
        );
        assert_eq!(o.certificate.unwrap()["points"][0]["tag"], json!("case"));
        let o = aggregate(vec![
            ("generated #0".into(), fails("g0", Basis::Exact)),
            (CASE_POINT.into(), fails("case", Basis::Mpfr)),
        ]);
        assert_eq!(o.values.decisive_point.as_deref(), Some("generated #0"));
        assert_eq!(o.strength(), Some(Strength::Proved));
    }

    #[test]
    fn point_tables_round_trip_through_json_and_keep_the_counts() {
        let mut ev = certified(9, "x");
        ev.values
            .insert("long".into(), json!("y".repeat(MAX_FIGURE_TEXT + 1)));
        ev.values.insert("object".into(), json!({"a": 1}));
        ev.values.insert("ranks".into(), json!([1, 2, 1]));
        ev.values
            .insert("many".into(), json!(vec![0; MAX_FIGURE_ITEMS + 1]));
        ev.values.insert("x_notes".into(), json!(["a note"]));
        // a quantity is kept whole, however long its enclosure's ends
        let big = BigRational::from_integer(BigInt::from(10).pow(300u32));
        ev.values.set_estimate("huge", &Estimate::exact(&big, 64));
        let o = aggregate(vec![(CASE_POINT.into(), Finding::Holds(Basis::Exact, ev))]);
        let m = o.values.to_map();
        assert_eq!(m["points"], json!(1));
        assert_eq!(m["points_holding"], json!(1));
        let row = &m["point_table"][0];
        assert_eq!(row["label"], json!(CASE_POINT));
        assert_eq!(row["case_point"], json!(true));
        assert_eq!(row["verdict"], json!("holds"));
        assert_eq!(row["strength"], json!("proved"));
        assert_eq!(row["certificate"], json!(0));
        assert_eq!(row["figures"]["lambda_max_enclosure"], json!(["9", "9"]));
        assert_eq!(row["figures"]["ranks"], json!([1, 2, 1]));
        assert_eq!(row["figures"]["huge_exact"], json!(true));
        assert!(row["figures"]["huge_enclosure"][0].as_str().unwrap().len() > 300);
        for dropped in ["long", "object", "many", "x_notes"] {
            assert!(row["figures"].get(dropped).is_none(), "{dropped}");
        }
        let text = serde_json::to_string(&*o.values).unwrap();
        let back: Values = serde_json::from_str(&text).unwrap();
        assert_eq!(back, *o.values);
        assert_eq!(
            back.point_table.as_ref().unwrap()[0]
                .figures
                .lambda_max()
                .unwrap()
                .f64,
            9.0
        );
        // a table of another shape stays an untyped value
        let mut odd = Map::new();
        odd.insert("point_table".into(), json!([{"label": 1}]));
        let v = Values::from_map(odd.clone());
        assert!(v.point_table.is_none());
        assert_eq!(v.to_map(), odd);
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
    fn added_points_never_weaken_the_case_point_silently() {
        let holds = |b| Finding::Holds(b, Evidence::default());
        let balanced = format!("{BALANCED_LABEL} (MPFR-256 rounding)");
        // proved at the case's point, numerical at the balanced factorization
        let o = aggregate(vec![
            (CASE_POINT.into(), holds(Basis::Algebraic)),
            ("generated minimizer #0".into(), holds(Basis::Exact)),
            (balanced.clone(), holds(Basis::Agreement { bits: 200 })),
        ]);
        assert_eq!(o.verdict(), Verdict::Verified);
        assert_eq!(o.strength(), Some(Strength::Numerical));
        let r = o.reason.unwrap();
        assert!(
            r.starts_with("at the case's point the claim holds, proved (basis exact-algebraic)"),
            "{r}"
        );
        assert!(
            r.contains(&format!("{balanced} (basis numerical-agreement)")),
            "{r}"
        );
        assert!(!r.contains("generated minimizer #0"), "{r}");
        assert!(r.contains("`generate: {balanced: false}`"), "{r}");
        // undecided at an added point: inconclusive, and the case's point is still named
        let o = aggregate(vec![
            (CASE_POINT.into(), holds(Basis::Exact)),
            (
                "generated minimizer #1".into(),
                Finding::Undecided("wide".into(), Evidence::default()),
            ),
        ]);
        assert_eq!(o.verdict(), Verdict::Inconclusive);
        let r = o.reason.unwrap();
        assert!(r.starts_with("undecided at generated minimizer #1: wide; at the case's point the claim holds, proved (basis exact)"), "{r}");
        assert!(
            r.contains("generated minimizer #1 (undecided)") && r.contains("`generate:` section"),
            "{r}"
        );
        // a proved counterexample at an added point still refutes, and says the case's point holds
        let o = aggregate(vec![
            (CASE_POINT.into(), holds(Basis::Exact)),
            (
                "generated minimizer #2".into(),
                Finding::Fails(Basis::Exact, Evidence::default(), "3 > 2".into()),
            ),
        ]);
        assert_eq!(o.verdict(), Verdict::Refuted);
        assert!(o
            .reason
            .unwrap()
            .contains("generated minimizer #2 (fails, basis exact)"));
        // the names are capped, the rest counted
        let mut many = vec![(CASE_POINT.to_string(), holds(Basis::Exact))];
        many.extend((0..5).map(|i| (format!("p{i}"), holds(Basis::Mpfr))));
        let r = aggregate(many).reason.unwrap();
        assert!(
            r.contains("p0 (basis mpfr-with-error-bound), p1")
                && r.contains("p2 (basis mpfr-with-error-bound) and 2 more"),
            "{r}"
        );
        // no note when nothing is weaker, when the case's point is itself weaker, or absent
        for findings in [
            vec![
                (CASE_POINT.into(), holds(Basis::Exact)),
                ("g".into(), holds(Basis::Enclosure)),
            ],
            vec![
                (CASE_POINT.into(), holds(Basis::Mpfr)),
                ("g".into(), holds(Basis::Mpfr)),
            ],
            vec![
                ("g".into(), holds(Basis::Exact)),
                ("h".into(), holds(Basis::Mpfr)),
            ],
            vec![
                (
                    CASE_POINT.into(),
                    Finding::Vacuous(Basis::Exact, "premise false".into()),
                ),
                ("g".into(), holds(Basis::Mpfr)),
            ],
        ] {
            let o = aggregate(findings);
            assert!(!o.reason.unwrap_or_default().contains("dlncheck added"));
        }
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
