//! [KP] Kamber & Parhi, sharpness of zero-loss minimizers (claims.md, "[KP]"), checked at every
//! point of the case's KP problem (its point or the rank-factorization minimizer, seeded generated
//! minimizers, and the balanced SVD factorization when X = I).

use super::context::{sum, CaseContext, KpProblem, Top};
use super::evidence::{aggregate, estimate_values, Evidence, Finding, Outcome};
use super::{not_applicable, Claim};
use crate::certify::estimate::{Basis, Comparison, Estimate};
use crate::certify::lambda_max::EnclosureProof;
use crate::certify::scalar::{estimate_scalar, ScalarSource};
use crate::enumerate::minimizers::Point;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use crate::model::linear;
use num_rational::BigRational;
use num_traits::Zero;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// Every KP claim, in the order of claims.md.
pub static CLAIMS: [&dyn Claim; 11] = [
    &KpExact,
    &KpTrace,
    &KpBound,
    &KpNaive,
    &KpDepth2,
    &KpScalar,
    &KpMin,
    &KpFlatSufficientA,
    &KpFlatSufficientB,
    &KpFlatNecessary,
    &KpFlatNecessaryDeep,
];

/// Run `f` at every point of the KP problem and aggregate.
fn per_point(ctx: &CaseContext, f: impl Fn(&KpProblem, usize) -> Finding) -> Outcome {
    match ctx.kp() {
        Err(e) => not_applicable(e),
        Ok(kp) => aggregate(
            (0..kp.points.len())
                .map(|i| (kp.points[i].origin.clone(), f(kp, i)))
                .collect(),
        ),
    }
}

/// The certificate of a finding: the point exactly and, for each quantity, its enclosure with the
/// proof (Rayleigh vector for the lower end; u with uI − H ≻ 0 for the upper end).
fn certificate(
    claim: &str,
    p: &Point,
    items: &[(&str, &Estimate, Option<&EnclosureProof>)],
) -> Option<Value> {
    if !p.exact {
        return None;
    }
    let matrix = |m: &Mat<BigRational>| -> Value {
        (0..m.rows())
            .map(|i| {
                (0..m.cols())
                    .map(|j| q_to_string(m.at(i, j)))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let mut qs = Map::new();
    for (name, est, proof) in items {
        let [lo, hi] = est.enclosure_strings()?;
        let mut q = json!({"enclosure": [lo, hi], "exact": est.exact_value().is_some()});
        if let Some(pr) = proof {
            q["rayleigh_vector"] = json!(pr.vector.iter().map(q_to_string).collect::<Vec<_>>());
            q["upper"] = json!(q_to_string(&pr.upper));
            q["upper_proof"] = json!(if pr.exact {
                "upper·I − H is positive semidefinite and singular (exact LDLᵀ)"
            } else {
                "upper·I − H is positive definite (exact LDLᵀ)"
            });
        }
        qs.insert(name.to_string(), q);
    }
    Some(json!({
        "kind": "dlncheck-certificate",
        "version": 1,
        "claim": claim,
        "convention": "half",
        "point": p.origin,
        "weights": p.weights.iter().map(matrix).collect::<Vec<_>>(),
        "x": matrix(&p.x),
        "y": matrix(&p.y),
        "quantities": qs,
    }))
}

fn values_of(items: &[(&str, &Estimate)]) -> Map<String, Value> {
    let mut m = Map::new();
    for (name, e) in items {
        m.extend(estimate_values(name, e));
    }
    m
}

/// The relation a claim asserts between two quantities.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rel {
    /// lhs = rhs
    Eq,
    /// lhs ≤ rhs
    Le,
    /// lhs ≥ rhs
    Ge,
}

/// A named quantity with the proof of its enclosure, when it has one.
type Side<'a> = (&'a str, &'a Estimate, Option<&'a EnclosureProof>);

/// The top eigenvalue `t` as a [`Side`] named `name`.
fn top<'a>(name: &'a str, t: &'a Top) -> Side<'a> {
    (name, &t.0, t.1.as_ref())
}

/// Decide `lhs rel rhs` at point `p`, with the evidence and certificate of both sides.
fn relation(claim: &str, p: &Point, lhs: Side, rhs: Side, rel: Rel, tol: &BigRational) -> Finding {
    let ev = Evidence {
        values: values_of(&[(lhs.0, lhs.1), (rhs.0, rhs.1)]),
        certificate: certificate(claim, p, &[lhs, rhs]),
    };
    let (l, r) = (lhs.1, rhs.1);
    if let Some(d) = l.disagreement().or_else(|| r.disagreement()) {
        return Finding::Undecided(d, ev);
    }
    match l.compare(r, tol) {
        Comparison::Decided(ord, b)
            if ord == Ordering::Equal
                || (rel == Rel::Le && ord == Ordering::Less)
                || (rel == Rel::Ge && ord == Ordering::Greater) =>
        {
            Finding::Holds(b, ev)
        }
        Comparison::Decided(ord, b) => {
            let sym = if ord == Ordering::Less { "<" } else { ">" };
            let why = format!(
                "{} = {:.15e} {sym} {} = {:.15e} ({})",
                lhs.0,
                l.f64,
                rhs.0,
                r.f64,
                b.as_str()
            );
            Finding::Fails(b, ev, why)
        }
        Comparison::Undecided(why) => Finding::Undecided(why, ev),
    }
}

/// Are all c_k² equal? `Some(Ok(basis))` constant, `Some(Err(basis))` certified not constant,
/// `None` undecided.
fn constant(c2: &[Estimate], tol: &BigRational) -> Result<Result<Basis, Basis>, String> {
    let mut weakest = Basis::Exact;
    for c in &c2[1..] {
        match c.compare(&c2[0], tol) {
            Comparison::Decided(Ordering::Equal, b) => {
                if b != Basis::Exact {
                    weakest = if weakest == Basis::Mpfr || b == Basis::Mpfr {
                        Basis::Mpfr
                    } else {
                        b
                    };
                }
            }
            Comparison::Decided(_, b) => return Ok(Err(b)),
            Comparison::Undecided(w) => return Err(w),
        }
    }
    Ok(Ok(weakest))
}

fn c_values(c2: &[Estimate]) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "c_squared_f64".into(),
        json!(c2.iter().map(|c| c.f64).collect::<Vec<_>>()),
    );
    m.insert(
        "c_squared_enclosures".into(),
        json!(c2
            .iter()
            .map(|c| c.enclosure_strings().map(|e| e.to_vec()))
            .collect::<Vec<_>>()),
    );
    m
}

/// Is the point flat (λ_max = the KP-min value)? `Ok(true/false)` decided, `Err` undecided.
fn flat(ctx: &CaseContext, kp: &KpProblem, i: usize) -> Result<bool, String> {
    let s_star = kp
        .min_sharpness
        .as_ref()
        .ok_or("the minimum sharpness is known only for X = I")?;
    let (l, _) = ctx.hessian_top(kp, i);
    match l.compare(s_star, &ctx.eq_tol()) {
        Comparison::Decided(Ordering::Equal, _) => Ok(true),
        Comparison::Decided(Ordering::Greater, _) => Ok(false),
        Comparison::Decided(Ordering::Less, b) => Err(format!(
            "λ_max = {:.15e} is below the KP-min value {:.15e} ({}): flatness is undefined while KP-min fails",
            l.f64,
            s_star.f64,
            b.as_str()
        )),
        Comparison::Undecided(w) => Err(w),
    }
}

fn require_identity_x(ctx: &CaseContext, claim: &str) -> Option<Outcome> {
    (!ctx.case.x_is_identity).then(|| {
        not_applicable(ctx.field_error(
            "data.x",
            format!("{claim} concerns matrix factorization: X must be the identity"),
        ))
    })
}

macro_rules! claim {
    ($ty:ident, $id:literal, $source:literal, $statement:literal) => {
        #[doc = concat!("Claim ", $id, ": ", $statement)]
        pub struct $ty;
        impl $ty {
            const ID: &'static str = $id;
        }
        impl Claim for $ty {
            fn id(&self) -> &'static str {
                $id
            }
            fn source(&self) -> &'static str {
                $source
            }
            fn statement(&self) -> &'static str {
                $statement
            }
            fn check(&self, ctx: &CaseContext) -> Outcome {
                self.run(ctx)
            }
        }
    };
}

claim!(
    KpExact,
    "KP-exact",
    "derived from [KP]",
    "At a zero-loss minimizer λ_max(∇²f) = λ_max(Σ_i (XᵀB_iᵀB_iX) ⊗ (A_iA_iᵀ))."
);
impl KpExact {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        per_point(ctx, |kp, i| {
            let (k, kproof) = ctx.kp_operator_top(kp, i);
            relation(
                Self::ID,
                &kp.points[i],
                top("lambda_max", ctx.hessian_top(kp, i)),
                ("kp_operator", k, kproof.as_ref()),
                Rel::Eq,
                &ctx.eq_tol(),
            )
        })
    }
}

claim!(
    KpTrace,
    "KP-trace",
    "derived from [KP]",
    "At a zero-loss minimizer tr ∇²f = Σ_i ‖A_i‖²_F ‖B_iX‖²_F."
);

struct TraceOfHessian<'a>(&'a Point);
impl ScalarSource for TraceOfHessian<'_> {
    fn eval<F: Field>(&self, f: &F) -> F::T {
        let ws: Vec<_> = self
            .0
            .weights
            .iter()
            .map(|w| mat::from_exact(f, w))
            .collect();
        let ev = linear::evaluate(
            f,
            &ws,
            &mat::from_exact(f, &self.0.x),
            &mat::from_exact(f, &self.0.y),
        );
        mat::trace(f, &linear::hessian(f, &ws, &ev))
    }
    fn is_exact(&self) -> bool {
        self.0.exact
    }
    fn op_count(&self) -> usize {
        linear::offsets(&self.0.weights)
            .last()
            .copied()
            .unwrap_or(1)
            * 4
    }
}
struct TraceFormula<'a>(&'a Point);
impl ScalarSource for TraceFormula<'_> {
    fn eval<F: Field>(&self, f: &F) -> F::T {
        let ws: Vec<_> = self
            .0
            .weights
            .iter()
            .map(|w| mat::from_exact(f, w))
            .collect();
        let ev = linear::evaluate(
            f,
            &ws,
            &mat::from_exact(f, &self.0.x),
            &mat::from_exact(f, &self.0.y),
        );
        (0..ws.len()).fold(f.zero(), |acc, k| {
            f.add(
                &acc,
                &f.mul(
                    &mat::frob2(f, ev.partials.above(k)),
                    &mat::frob2(f, &ev.bx[k]),
                ),
            )
        })
    }
    fn is_exact(&self) -> bool {
        self.0.exact
    }
    fn op_count(&self) -> usize {
        linear::offsets(&self.0.weights)
            .last()
            .copied()
            .unwrap_or(1)
            * 4
    }
}
impl KpTrace {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let prec = ctx.settings.prec;
        per_point(ctx, |kp, i| {
            let p = &kp.points[i];
            let lhs = estimate_scalar(&TraceOfHessian(p), prec);
            let rhs = estimate_scalar(&TraceFormula(p), prec);
            relation(
                Self::ID,
                p,
                ("trace_hessian", &lhs, None),
                ("trace_formula", &rhs, None),
                Rel::Eq,
                &ctx.eq_tol(),
            )
        })
    }
}

claim!(
    KpBound,
    "KP-bound",
    "derived from [KP]",
    "At a zero-loss minimizer λ_max ≤ Σ_i c_i², with c_i = ‖A_i‖₂‖B_iX‖₂."
);
impl KpBound {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        per_point(ctx, |kp, i| {
            let rhs = ctx.sum_c_squared(kp, i);
            let mut f = relation(
                Self::ID,
                &kp.points[i],
                top("lambda_max", ctx.hessian_top(kp, i)),
                ("sum_c_squared", &rhs, None),
                Rel::Le,
                &ctx.eq_tol(),
            );
            add_values(&mut f, c_values(ctx.c_squared(kp, i)));
            f
        })
    }
}

fn add_values(f: &mut Finding, extra: Map<String, Value>) {
    match f {
        Finding::Holds(_, ev) | Finding::Fails(_, ev, _) | Finding::Undecided(_, ev) => {
            ev.values.extend(extra)
        }
        Finding::Vacuous(_) => {}
    }
}

claim!(
    KpNaive,
    "KP-naive",
    "a reading to audit",
    "λ_max = Σ_i c_i² at every zero-loss minimizer."
);
impl KpNaive {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        per_point(ctx, |kp, i| {
            let rhs = ctx.sum_c_squared(kp, i);
            let mut f = relation(
                Self::ID,
                &kp.points[i],
                top("lambda_max", ctx.hessian_top(kp, i)),
                ("sum_c_squared", &rhs, None),
                Rel::Eq,
                &ctx.eq_tol(),
            );
            add_values(&mut f, c_values(ctx.c_squared(kp, i)));
            f
        })
    }
}

claim!(
    KpDepth2,
    "KP-depth2",
    "[KP]",
    "For L = 2 and X = I, λ_max = ‖W_2‖₂² + ‖W_1‖₂² at every zero-loss minimizer."
);
impl KpDepth2 {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        if ctx.case.depth() != 2 {
            return not_applicable(ctx.field_error(
                "model.dims",
                "KP-depth2 concerns depth L = 2 (dims of length 3)",
            ));
        }
        if let Some(o) = require_identity_x(ctx, Self::ID) {
            return o;
        }
        per_point(ctx, |kp, i| {
            let rhs = sum(ctx.layer_norms2(kp, i));
            relation(
                Self::ID,
                &kp.points[i],
                top("lambda_max", ctx.hessian_top(kp, i)),
                ("norms_squared_sum", &rhs, None),
                Rel::Eq,
                &ctx.eq_tol(),
            )
        })
    }
}

claim!(
    KpScalar,
    "KP-scalar",
    "[KP]",
    "For scalar networks (all d_i = 1, X = 1): λ_max = m² Σ_i w_i⁻², m = Π_i w_i."
);
struct ScalarFormula<'a>(&'a Point);
impl ScalarSource for ScalarFormula<'_> {
    fn eval<F: Field>(&self, f: &F) -> F::T {
        let w: Vec<F::T> = self.0.weights.iter().map(|m| f.embed(m.at(0, 0))).collect();
        let m = w.iter().fold(f.one(), |acc, x| f.mul(&acc, x));
        w.iter().fold(f.zero(), |acc, x| {
            let r = f.div(&m, x);
            f.add(&acc, &f.mul(&r, &r))
        })
    }
    fn is_exact(&self) -> bool {
        self.0.exact
    }
    fn op_count(&self) -> usize {
        4 * self.0.weights.len()
    }
}
impl KpScalar {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        if ctx.case.dims.iter().any(|&d| d != 1) {
            return not_applicable(ctx.field_error(
                "model.dims",
                "KP-scalar concerns scalar networks: every width must be 1",
            ));
        }
        if let Some(o) = require_identity_x(ctx, Self::ID) {
            return o;
        }
        per_point(ctx, |kp, i| {
            let p = &kp.points[i];
            if p.weights.iter().any(|w| w.at(0, 0).is_zero()) {
                return Finding::Vacuous("some w_i = 0, where m² Σ w_i⁻² is undefined".into());
            }
            let rhs = estimate_scalar(&ScalarFormula(p), ctx.settings.prec);
            relation(
                Self::ID,
                p,
                top("lambda_max", ctx.hessian_top(kp, i)),
                ("scalar_formula", &rhs, None),
                Rel::Eq,
                &ctx.eq_tol(),
            )
        })
    }
}

claim!(KpMin, "KP-min", "derived from [KP]",
    "For X = I the minimum sharpness over minimizers of M is L·σ_1(M)^{2(L−1)/L}, attained by balanced SVD factorizations.");
impl KpMin {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        if let Some(o) = require_identity_x(ctx, Self::ID) {
            return o;
        }
        per_point(ctx, |kp, i| {
            let s_star = kp
                .min_sharpness
                .as_ref()
                .expect("X = I gives the KP-min value");
            // the balanced factorization attains the minimum; every other minimizer lies above it
            let rel = if kp.balanced_index == Some(i) {
                Rel::Eq
            } else {
                Rel::Ge
            };
            relation(
                Self::ID,
                &kp.points[i],
                top("lambda_max", ctx.hessian_top(kp, i)),
                ("min_sharpness", s_star, None),
                rel,
                &ctx.eq_tol(),
            )
        })
    }
}

/// The implication "c_i constant ⇒ conclusion" at point i.
fn c_constant_implies(
    ctx: &CaseContext,
    kp: &KpProblem,
    i: usize,
    conclusion: impl FnOnce() -> Finding,
) -> Finding {
    let c2 = ctx.c_squared(kp, i);
    match constant(c2, &ctx.eq_tol()) {
        Ok(Ok(_)) => {
            let mut f = conclusion();
            add_values(&mut f, c_values(c2));
            f
        }
        Ok(Err(_)) => Finding::Vacuous("the c_i are not all equal".into()),
        Err(w) => Finding::Undecided(
            format!("whether the c_i are equal: {w}"),
            Evidence {
                values: c_values(c2),
                certificate: None,
            },
        ),
    }
}

claim!(KpFlatSufficientA, "KP-flat-sufficient-a", "[KP], reading a",
    "X = I: c_i constant in i ⇒ the minimizer is flat (its sharpness is the minimum over minimizers).");
impl KpFlatSufficientA {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        if let Some(o) = require_identity_x(ctx, Self::ID) {
            return o;
        }
        per_point(ctx, |kp, i| {
            c_constant_implies(ctx, kp, i, || {
                let s_star = kp
                    .min_sharpness
                    .as_ref()
                    .expect("X = I gives the KP-min value");
                relation(
                    Self::ID,
                    &kp.points[i],
                    top("lambda_max", ctx.hessian_top(kp, i)),
                    ("min_sharpness", s_star, None),
                    Rel::Eq,
                    &ctx.eq_tol(),
                )
            })
        })
    }
}

claim!(
    KpFlatSufficientB,
    "KP-flat-sufficient-b",
    "[KP], reading b",
    "c_i constant in i ⇒ λ_max = Σ_i c_i² (the bound is attained)."
);
impl KpFlatSufficientB {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        per_point(ctx, |kp, i| {
            c_constant_implies(ctx, kp, i, || {
                let rhs = ctx.sum_c_squared(kp, i);
                relation(
                    Self::ID,
                    &kp.points[i],
                    top("lambda_max", ctx.hessian_top(kp, i)),
                    ("sum_c_squared", &rhs, None),
                    Rel::Eq,
                    &ctx.eq_tol(),
                )
            })
        })
    }
}

/// The implication "flat ⇒ c_i constant" at point i.
fn flat_implies_constant(ctx: &CaseContext, kp: &KpProblem, i: usize) -> Finding {
    let (l, proof) = ctx.hessian_top(kp, i);
    let mut values = estimate_values("lambda_max", l);
    if let Some(s) = &kp.min_sharpness {
        values.extend(estimate_values("min_sharpness", s));
    }
    let c2 = ctx.c_squared(kp, i);
    values.extend(c_values(c2));
    let mut items = vec![("lambda_max", l, proof.as_ref())];
    if let Some(s) = &kp.min_sharpness {
        items.push(("min_sharpness", s, None));
    }
    let names: Vec<String> = (0..c2.len())
        .map(|k| format!("c_squared_{}", k + 1))
        .collect();
    items.extend(c2.iter().zip(&names).map(|(c, n)| (n.as_str(), c, None)));
    let ev = Evidence {
        values,
        certificate: certificate("flat-necessary", &kp.points[i], &items),
    };
    match flat(ctx, kp, i) {
        Ok(false) => Finding::Vacuous("the point is not flat".into()),
        Err(w) => Finding::Undecided(format!("whether the point is flat: {w}"), ev),
        Ok(true) => match constant(c2, &ctx.eq_tol()) {
            Ok(Ok(b)) => Finding::Holds(b, ev),
            Ok(Err(b)) => {
                let list: Vec<String> = c2.iter().map(|c| format!("{:.6}", c.f64)).collect();
                Finding::Fails(
                    b,
                    ev,
                    format!(
                        "flat (λ_max = {:.15e}) but c_i² = [{}] are not all equal",
                        l.f64,
                        list.join(", ")
                    ),
                )
            }
            Err(w) => Finding::Undecided(format!("whether the c_i are equal: {w}"), ev),
        },
    }
}

claim!(
    KpFlatNecessary,
    "KP-flat-necessary",
    "[KP]",
    "X = I, L = 2 or scalar networks of any depth: flat ⇒ c_i constant in i."
);
impl KpFlatNecessary {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        if let Some(o) = require_identity_x(ctx, Self::ID) {
            return o;
        }
        let scalar = ctx.case.dims.iter().all(|&d| d == 1);
        if ctx.case.depth() != 2 && !scalar {
            return not_applicable(ctx.field_error(
                "model.dims",
                "KP-flat-necessary concerns L = 2 or scalar networks (see KP-flat-necessary-deep)",
            ));
        }
        per_point(ctx, |kp, i| flat_implies_constant(ctx, kp, i))
    }
}

claim!(
    KpFlatNecessaryDeep,
    "KP-flat-necessary-deep",
    "a reading to audit",
    "X = I, matrix networks with L ≥ 3: flat ⇒ c_i constant in i."
);
impl KpFlatNecessaryDeep {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        if let Some(o) = require_identity_x(ctx, Self::ID) {
            return o;
        }
        if ctx.case.depth() < 3 || ctx.case.dims.iter().all(|&d| d == 1) {
            return not_applicable(ctx.field_error(
                "model.dims",
                "KP-flat-necessary-deep concerns matrix networks of depth L ≥ 3",
            ));
        }
        per_point(ctx, |kp, i| flat_implies_constant(ctx, kp, i))
    }
}
