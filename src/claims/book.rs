//! Named quantities of one finding and the relations asserted between them, kept in the form of
//! the certificate format (docs/certificates.md), so that what the producer compares is exactly
//! what `verify-cert` re-checks.

use super::evidence::{Evidence, Finding, Readings, Values};
use crate::certify::estimate::{Basis, Comparison, Estimate};
use crate::certify::lambda_max::EnclosureProof;
use crate::enumerate::minimizers::Point;
use crate::linalg::algebraic::{interval_of, sum_of_products, Caps, Poly, RealAlgebraic};
use crate::linalg::field::{q_to_rug, q_to_string};
use crate::linalg::Mat;
use crate::report::numbers::{self, Shown};
use num_rational::BigRational;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// A relation between two expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// lhs = rhs
    Eq,
    /// lhs ≤ rhs
    Le,
    /// lhs ≥ rhs
    Ge,
    /// lhs ≠ rhs
    Ne,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Ne => "!=",
        }
    }
    /// Does `ord` (lhs compared with rhs) satisfy the relation?
    fn holds(self, ord: Ordering) -> bool {
        match self {
            Op::Eq => ord == Ordering::Equal,
            Op::Le => ord != Ordering::Greater,
            Op::Ge => ord != Ordering::Less,
            Op::Ne => ord != Ordering::Equal,
        }
    }
}

/// A decided relation.
pub struct Decision {
    /// Whether the asserted relation holds.
    pub holds: bool,
    /// What decided it.
    pub basis: Basis,
    /// The order of lhs and rhs.
    pub order: Ordering,
    /// Both sides' values, for reasons.
    pub text: String,
}

/// A sum of products of named quantities, e.g. Σ_k ‖A_k‖²‖B_kX‖² = [[a1, b1], [a2, b2]].
pub type Expr = Vec<Vec<String>>;

/// One named quantity: its spec in the certificate format, its estimate and enclosure proof.
struct Item {
    name: String,
    spec: Value,
    /// The estimate, without its algebraic number (kept in `alg`: the book builds the algebraic
    /// numbers of expressions itself, from the leaves, as the certificate states them).
    est: Estimate,
    proof: Option<EnclosureProof>,
    /// The value as an exact algebraic number (irrational, or the exact rational), if known.
    alg: Option<RealAlgebraic>,
}

/// A quantity derived from another as factor·of^(a/b) (the KP-min value L·(σ_1²)^((L−1)/L)).
struct Derived {
    name: String,
    of: String,
    a: u32,
    b: u32,
    factor: u32,
}

/// The quantities of one finding.
#[derive(Default)]
pub struct Book {
    items: Vec<Item>,
    assertions: Vec<Value>,
    notes: Map<String, Value>,
    uncertifiable: bool,
    derived: Vec<Derived>,
}

impl Book {
    /// Add a quantity: `spec` is its matrix (`{"matrix": …}`) or scalar (`{"scalar": …}`) spec.
    pub fn add(
        &mut self,
        name: &str,
        spec: Value,
        top: (&Estimate, Option<&EnclosureProof>),
    ) -> &mut Self {
        let mut est = top.0.clone();
        let alg = est.as_algebraic();
        est.algebraic = None;
        self.items.push(Item {
            name: name.into(),
            spec,
            est,
            proof: top.1.cloned(),
            alg,
        });
        self
    }

    /// Declare quantity `name` to be factor·`of`^(a/b) (both already added), so that its exact
    /// algebraic number is built from `of`'s as `verify-cert` rebuilds it.
    pub fn derive_power(&mut self, name: &str, of: &str, a: u32, b: u32, factor: u32) {
        self.derived.push(Derived {
            name: name.into(),
            of: of.into(),
            a,
            b,
            factor,
        });
    }

    fn item(&self, name: &str) -> &Item {
        self.items
            .iter()
            .find(|i| i.name == name)
            .expect("quantity added before use")
    }

    /// Decide `lhs` against `rhs` exactly as real algebraic numbers (docs/certificates.md,
    /// "exact-algebraic relations"): every leaf quantity is an algebraic number with an isolating
    /// interval, each side's polynomial is built from the leaves' (products, then sums, as
    /// [`sum_of_products`]), its root isolated in the interval arithmetic of the leaves'
    /// intervals, and the two sides are compared by [`RealAlgebraic::cmp`]. Returns the order and
    /// the certificate data (leaf intervals, each side's polynomial and interval, their gcd);
    /// `None` when a leaf is not algebraic or a cap is exceeded.
    fn algebraic(&self, lhs: &[Vec<String>], rhs: &[Vec<String>]) -> Option<(Ordering, Value)> {
        let caps = Caps::default();
        let derived = |n: &str| self.derived.iter().find(|d| d.name == n);
        let mut names: Vec<String> = Vec::new();
        for n in lhs.iter().chain(rhs).flatten() {
            if let Some(d) = derived(n) {
                if !names.contains(&d.of) {
                    names.push(d.of.clone());
                }
            }
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        let mut slots: Vec<Option<RealAlgebraic>> = names
            .iter()
            .map(|n| match derived(n) {
                Some(_) => None,
                None => self.item(n).alg.clone(),
            })
            .collect();
        for (i, n) in names.iter().enumerate() {
            if let Some(d) = derived(n) {
                let of = names.iter().position(|m| *m == d.of)?;
                let base = slots[of].as_mut()?;
                let v = base.pow_ratio(d.a, d.b, &caps).ok()?;
                slots[i] = Some(v.scale(&BigRational::from_integer(d.factor.into())));
            }
        }
        let mut leaves: Vec<RealAlgebraic> = slots.into_iter().collect::<Option<_>>()?;
        let index = |e: &[Vec<String>]| -> Option<Vec<Vec<usize>>> {
            let single = e.len() == 1 && e[0].len() == 1;
            e.iter()
                .map(|t| {
                    t.iter()
                        .map(|n| {
                            // a derived leaf's interval must stay as derived: single leaves only
                            (single || derived(n).is_none())
                                .then(|| names.iter().position(|m| m == n))
                                .flatten()
                        })
                        .collect()
                })
                .collect()
        };
        let (tl, tr) = (index(lhs)?, index(rhs)?);
        let mut l = sum_of_products(&mut leaves, &tl, &caps).ok()?;
        let mut r = sum_of_products(&mut leaves, &tr, &caps).ok()?;
        let g = l.poly().gcd(r.poly());
        let ord = l.cmp(&mut r, &caps).ok()?;
        let pair = |a: &BigRational, b: &BigRational| json!([q_to_string(a), q_to_string(b)]);
        let poly = |p: &Poly| json!(p.coeffs().iter().map(|c| c.to_string()).collect::<Vec<_>>());
        let side = |x: &RealAlgebraic, t: &[Vec<usize>]| {
            let (lo, hi) = interval_of(&leaves, t);
            json!({"poly": poly(x.poly()), "interval": pair(x.lo(), x.hi()), "leaf_interval": pair(&lo, &hi)})
        };
        let leaf_map: Map<String, Value> = names
            .iter()
            .zip(&leaves)
            .map(|(n, x)| (n.clone(), pair(x.lo(), x.hi())))
            .collect();
        let data = json!({
            "leaves": leaf_map,
            "lhs": side(&l, &tl),
            "rhs": side(&r, &tr),
            "gcd": poly(&g),
        });
        Some((ord, data))
    }

    /// Add a plain value to the report's values (e.g. which path produced a quantity).
    pub fn note(&mut self, key: &str, v: Value) -> &mut Self {
        self.notes.insert(key.into(), v);
        self
    }

    /// Mark the book as having quantities the certificate format cannot carry: no certificate.
    pub fn uncertifiable(&mut self) -> &mut Self {
        self.uncertifiable = true;
        self
    }

    fn get(&self, name: &str) -> &Estimate {
        &self.item(name).est
    }

    /// The estimate of an expression (interval arithmetic on the enclosures, as the verifier does).
    pub fn eval(&self, e: &[Vec<String>]) -> Estimate {
        let term = |t: &Vec<String>| {
            let mut it = t.iter();
            let first = self.get(it.next().expect("nonempty term")).clone();
            it.fold(first, |acc, n| acc.mul_nonneg(self.get(n)))
        };
        let mut terms = e.iter();
        let first = term(terms.next().expect("nonempty expression"));
        terms.fold(first, |acc, t| acc.add(&term(t)))
    }

    /// Decide `lhs op rhs`, record the assertion, and say whether it holds (with the basis) or why
    /// it could not be decided.
    pub fn relation(
        &mut self,
        lhs: &[Vec<String>],
        op: Op,
        rhs: &[Vec<String>],
        tol: &BigRational,
    ) -> Result<Decision, String> {
        let (l, r) = (self.eval(lhs), self.eval(rhs));
        if let Some(d) = l.disagreement().or_else(|| r.disagreement()) {
            return Err(d);
        }
        let mut algebraic = None;
        let compared = match l.compare(&r, tol) {
            Comparison::Decided(ord, basis) if basis.is_certified() => {
                Comparison::Decided(ord, basis)
            }
            other => match self.algebraic(lhs, rhs) {
                Some((ord, data)) => {
                    algebraic = Some(data);
                    Comparison::Decided(ord, Basis::Algebraic)
                }
                None => other,
            },
        };
        match compared {
            Comparison::Decided(ord, basis) => {
                // record what was proven: the claimed relation, or the one that refutes it; an
                // equality (possibly within the tolerance) is recorded as `=`, which is what the
                // independent checker can re-check for a `≤` or `≥` claim that holds with equality
                let holds = op.holds(ord);
                let shown = if holds && ord != Ordering::Equal {
                    op.symbol()
                } else {
                    shown_op(ord)
                };
                // only proved relations reach a certificate, and an equality is proved only
                // exactly (`Basis::Exact`, or `Basis::Algebraic` with the data that proves it),
                // so no tolerance is written: the format allows none
                let mut a = json!({
                    "type": "relation", "lhs": lhs, "op": shown, "rhs": rhs,
                });
                if let Some(data) = algebraic.take() {
                    a["algebraic"] = data;
                }
                self.assertions.push(a);
                let text = relation_text(&l, lhs, shown, &r, rhs, basis);
                Ok(Decision {
                    holds,
                    basis,
                    order: ord,
                    text,
                })
            }
            Comparison::Undecided(why) => Err(why),
        }
    }

    /// Record an assertion of another type (e.g. `{"type": "critical"}`).
    pub fn assert(&mut self, a: Value) {
        self.assertions.push(a);
    }

    /// The values of every quantity (and of `extra` expressions) for the report.
    pub fn values(&self, extra: &[(&str, &[Vec<String>])]) -> Values {
        let mut m = Values::default();
        for i in &self.items {
            m.set_estimate(&i.name, &i.est);
        }
        for (name, e) in extra {
            m.set_estimate(name, &self.eval(e));
        }
        m.extend(self.notes.clone());
        m
    }

    /// The certificate of this finding at point `p` (exact points only).
    pub fn certificate(&self, claim: &str, p: &Point) -> Option<Value> {
        if !p.exact || self.uncertifiable {
            return None;
        }
        let mut qs = Map::new();
        for i in &self.items {
            let [lo, hi] = i.est.enclosure_strings()?;
            let mut q = i.spec.clone();
            q["enclosure"] = json!([lo, hi]);
            if let Some(pr) = &i.proof {
                q["rayleigh_vector"] = json!(pr.vector.iter().map(q_to_string).collect::<Vec<_>>());
                q["upper"] = json!(q_to_string(&pr.upper));
                q["exact"] = json!(pr.exact);
            }
            qs.insert(i.name.clone(), q);
        }
        Some(json!({
            "kind": "dlncheck-certificate",
            "version": 1,
            "claim": claim,
            "point": p.origin,
            "problem": {"weights": p.weights.iter().map(matrix_json).collect::<Vec<_>>(), "x": matrix_json(&p.x), "y": matrix_json(&p.y)},
            "quantities": qs,
            "assertions": self.assertions,
        }))
    }

    /// Evidence for a finding: values and certificate.
    pub fn evidence(&self, claim: &str, p: &Point, extra: &[(&str, &[Vec<String>])]) -> Evidence {
        Evidence {
            values: self.values(extra),
            certificate: self.certificate(claim, p),
        }
    }

    /// A finding from `lhs op rhs` between two single quantities already in the book.
    pub fn compare(
        &mut self,
        claim: &str,
        p: &Point,
        lhs: &str,
        op: Op,
        rhs: &str,
        tol: &BigRational,
    ) -> Finding {
        self.finding(claim, p, (lhs, q(lhs)), op, (rhs, q(rhs)), tol)
    }

    /// A finding from one relation: holds or fails (a counterexample) or undecided.
    pub fn finding(
        &mut self,
        claim: &str,
        p: &Point,
        lhs: (&str, Expr),
        op: Op,
        rhs: (&str, Expr),
        tol: &BigRational,
    ) -> Finding {
        let decided = self.relation(&lhs.1, op, &rhs.1, tol);
        let extra: Vec<(&str, &[Vec<String>])> = [(lhs.0, &lhs.1), (rhs.0, &rhs.1)]
            .into_iter()
            .filter(|(n, e)| !(e.len() == 1 && e[0].len() == 1 && e[0][0] == *n))
            .map(|(n, e)| (n, e.as_slice()))
            .collect();
        let ev = self.evidence(claim, p, &extra);
        match decided {
            Ok(Decision {
                holds: true, basis, ..
            }) => Finding::Holds(basis, ev),
            Ok(Decision { basis, text, .. }) => Finding::Fails(basis, ev, text),
            Err(why) => Finding::Undecided(why, ev),
        }
    }
}

fn shown_op(ord: Ordering) -> &'static str {
    match ord {
        Ordering::Less => "<",
        Ordering::Greater => ">",
        Ordering::Equal => "=",
    }
}

/// `lhs op rhs` in words for a reason: each side named as the claims name it, with its best
/// reading ([`Shown`]), and how the relation was decided. When both sides are exact and print
/// alike, their exact difference is added (it is what the relation rests on).
fn relation_text(
    l: &Estimate,
    lhs: &[Vec<String>],
    op: &str,
    r: &Estimate,
    rhs: &[Vec<String>],
    basis: Basis,
) -> String {
    let side = |e: &Estimate, x: &[Vec<String>]| {
        let name = show(x);
        match Shown::of(&Readings::of(e)) {
            Some(s) => (s.named(&name), Some(s)),
            None => (format!("{name} = {}", numbers::shortest(e.f64)), None),
        }
    };
    let ((lt, ls), (rt, rs)) = (side(l, lhs), side(r, rhs));
    let mut text = format!("{lt} {op} {rt} ({})", basis_words(basis));
    if let (Some(a), Some(b), Some(x), Some(y)) = (ls, rs, l.exact_value(), r.exact_value()) {
        if a.text == b.text && x != y {
            let d = q_to_rug(&(x - y));
            text += &format!("; the difference is {}", numbers::exact(&d));
        }
    }
    text
}

/// How a relation was decided, in words.
fn basis_words(b: Basis) -> String {
    match b {
        Basis::Exact => "decided in exact arithmetic".into(),
        Basis::Algebraic => "decided exactly on real algebraic numbers".into(),
        Basis::Enclosure => "decided by disjoint proven enclosures".into(),
        Basis::Agreement { bits } => format!("equal to {bits} bits numerically, not proved"),
        Basis::Mpfr => "decided by MPFR values with error bounds, not proved".into(),
        Basis::Simulation => "decided by a seeded simulation, not proved".into(),
    }
}

/// The name the claims give a book quantity (claims.md): `λ_max`, `σ₁²`, `c_k²` for the product
/// ‖A_k‖₂²·‖B_kX‖₂² of `gram_above_k` and `gram_below_x_k`; the internal name otherwise.
fn quantity_name(name: &str) -> String {
    let indexed = |prefix: &str| {
        name.strip_prefix(prefix)
            .filter(|k| k.parse::<usize>().is_ok())
    };
    if let Some(k) = indexed("gram_above_") {
        return format!("‖A_{k}‖₂²");
    }
    if let Some(k) = indexed("gram_below_x_") {
        return format!("‖B_{k}X‖₂²");
    }
    if let Some(k) = indexed("gram_weight_") {
        return format!("‖W_{k}‖₂²");
    }
    match name {
        "lambda_max" => "λ_max",
        "min_sharpness" => "the minimal sharpness",
        "sigma1_squared" => "σ₁²",
        "kp_operator" => "λ_max(KP operator)",
        "trace_hessian" => "tr ∇²f",
        "trace_formula" => "the trace formula",
        "scalar_formula" => "the scalar formula",
        other => other,
    }
    .to_string()
}

/// A term (a product of quantities) by name: `c_k²` for ‖A_k‖₂²·‖B_kX‖₂².
fn term_name(t: &[String]) -> String {
    if let [a, b] = t {
        let (ka, kb) = (
            a.strip_prefix("gram_above_"),
            b.strip_prefix("gram_below_x_"),
        );
        if let (Some(ka), Some(kb)) = (ka, kb) {
            if ka == kb {
                return format!("c_{ka}²");
            }
        }
    }
    t.iter()
        .map(|n| quantity_name(n))
        .collect::<Vec<_>>()
        .join("·")
}

/// An expression by name: `Σc²` for c_1² + … + c_L², `Σ‖W_k‖₂²` for the sum of every
/// ‖W_k‖₂², else its terms joined by `+`.
fn show(e: &[Vec<String>]) -> String {
    let names: Vec<String> = e.iter().map(|t| term_name(t)).collect();
    let all = |f: &dyn Fn(usize) -> String| {
        names.len() > 1 && names.iter().enumerate().all(|(i, n)| *n == f(i + 1))
    };
    if all(&|k| format!("c_{k}²")) {
        return "Σc²".into();
    }
    if all(&|k| format!("‖W_{k}‖₂²")) {
        return "Σ‖W_k‖₂²".into();
    }
    names.join(" + ")
}

/// A single-quantity expression.
pub fn q(name: &str) -> Expr {
    vec![vec![name.to_string()]]
}

/// A rational matrix as rows of exact strings.
pub fn matrix_json(m: &Mat<BigRational>) -> Value {
    (0..m.rows())
        .map(|i| {
            (0..m.cols())
                .map(|j| q_to_string(m.at(i, j)))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::lambda_max::{lambda_max, Settings};
    use crate::certify::sources::{Gram, HessianAt};
    use crate::linalg::{mat, Exact};

    fn r(n: i64) -> BigRational {
        BigRational::from_integer(n.into())
    }

    #[test]
    fn expressions_are_named_as_the_claims_name_them() {
        let c = |k: usize| vec![format!("gram_above_{k}"), format!("gram_below_x_{k}")];
        assert_eq!(show(&[c(1), c(2), c(3)]), "Σc²");
        assert_eq!(show(&[c(2)]), "c_2²");
        assert_eq!(show(&[c(1), c(3)]), "c_1² + c_3²");
        assert_eq!(show(&q("lambda_max")), "λ_max");
        assert_eq!(
            show(&[vec!["gram_weight_1".into()], vec!["gram_weight_2".into()]]),
            "Σ‖W_k‖₂²"
        );
        assert_eq!(show(&[vec!["gram_above_2".into()]]), "‖A_2‖₂²");
    }

    /// A relation with the KP-min value L·(σ_1²)^((L−1)/L), an algebraic power, decided here and
    /// re-derived by `verify-cert`. W_1 = [[1, 1], [0, 1]], W_2 = I, X = I, Y = W_1 (zero loss,
    /// not balanced): by hand, λ_max(∇²f) = ‖W_1‖₂² + ‖W_2‖₂² = φ² + 1 (KP-depth2) and the KP-min
    /// value is 2σ_1(Y) = 2φ, and φ² + 1 − 2φ = (φ − 1)² > 0, so λ_max > the KP-min value.
    #[test]
    fn a_relation_with_an_algebraic_power_is_proved_and_verified() {
        let w1 = Mat::from_vec(2, 2, vec![r(1), r(1), r(0), r(1)]);
        let p = Point {
            weights: vec![w1.clone(), mat::identity(&Exact, 2)],
            x: mat::identity(&Exact, 2),
            y: w1,
            exact: true,
            origin: "test point".into(),
        };
        let s = Settings::default();
        let (h, hp) = lambda_max(&HessianAt(&p), &s);
        let (g, gp) = lambda_max(&Gram::tn(&p.y, true), &s);
        let m = g.pow_ratio(1, 2, s.enclosure_bits).scale(&r(2), s.prec);
        let mut b = Book::default();
        b.add(
            "lambda_max",
            json!({"matrix": "hessian"}),
            (&h, hp.as_ref()),
        );
        b.add(
            "sigma1_squared",
            json!({"matrix": "gram_target"}),
            (&g, gp.as_ref()),
        );
        b.add(
            "min_sharpness",
            json!({"scalar": "min_sharpness", "of": "sigma1_squared"}),
            (&m, None),
        );
        b.derive_power("min_sharpness", "sigma1_squared", 1, 2, 2);
        let (ord, data) = b
            .algebraic(&q("lambda_max"), &q("min_sharpness"))
            .expect("within the caps");
        assert_eq!(ord, Ordering::Greater);
        b.assert(json!({
            "type": "relation", "lhs": q("lambda_max"), "op": ">",
            "rhs": q("min_sharpness"), "algebraic": data,
        }));
        let mut cert = b.certificate("KP-min", &p).expect("exact point");
        cert["verdict"] = json!("verified");
        cert["strength"] = json!("proved");
        cert["case"] = json!("test");
        let report = dlncheck_verify::verify_str(&cert.to_string()).unwrap();
        assert!(report.passed(), "{report}");
        assert!(
            report.to_string().contains("as algebraic numbers"),
            "{report}"
        );
        // the KP-min value's interval moved below its true place: the power check fails
        let mut bad = cert.clone();
        bad["assertions"][0]["algebraic"]["leaves"]["min_sharpness"] = json!(["0", "1"]);
        let report = dlncheck_verify::verify_str(&bad.to_string()).unwrap();
        assert!(!report.passed(), "{report}");
    }
}
