//! \[KP\] Kamber & Parhi, sharpness of zero-loss minimizers (claims.md, "\[KP\]"), checked at every
//! point of the case's KP problem (its point or the rank-factorization minimizer, seeded generated
//! minimizers, and the balanced SVD factorization when X = I).

use super::book::{q, Book, Expr, Op};
use super::context::{CaseContext, KpProblem};
use super::evidence::{aggregate, Finding, Outcome};
use super::{claim, Claim, Data, Points, Scope, Widths};
use crate::case::ModelKind;
use crate::certify::estimate::Basis;
use crate::certify::scalar::{estimate_scalar, ScalarSource};
use crate::certify::sources::evaluated;
use crate::enumerate::minimizers::Point;
use crate::linalg::mat;
use crate::linalg::Field;
use crate::model::linear;
use num_traits::Zero;
use serde_json::json;

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
pub(super) fn per_point(ctx: &CaseContext, f: impl Fn(&KpProblem, usize) -> Finding) -> Outcome {
    match ctx.kp() {
        Err(e) => e.outcome(ctx.case),
        Ok(kp) => kp.annotate(aggregate(
            (0..kp.points.len())
                .map(|i| (kp.points[i].origin.clone(), f(kp, i)))
                .collect(),
        )),
    }
}

/// [`per_point`], each point's finding made from a book that holds λ_max there ([`with_hessian`]).
fn per_point_with_hessian(
    ctx: &CaseContext,
    f: impl Fn(&KpProblem, usize, Book) -> Finding,
) -> Outcome {
    per_point(ctx, |kp, i| f(kp, i, with_hessian(ctx, kp, i)))
}

/// A book with λ_max of the Hessian at point i as quantity "lambda_max".
pub(super) fn with_hessian(ctx: &CaseContext, kp: &KpProblem, i: usize) -> Book {
    let mut b = Book::default();
    let (e, p) = ctx.hessian_top(kp, i);
    b.add("lambda_max", json!({"matrix": "hessian"}), (e, p.as_ref()));
    let path = ctx.hessian_path(kp, i);
    b.note("lambda_max_path", json!(path.path));
    b.note("lambda_max_path_reason", json!(path.reason));
    if let Some(by) = path.proven_by {
        b.note("lambda_max_proven_by", json!(by));
    }
    if path.planned() {
        // the verifier re-derives λ_max from a Rayleigh vector and an LDLᵀ of the dense Hessian;
        // the planned path's verified-f64 enclosure has neither, so no certificate is written
        b.uncertifiable();
    }
    b
}

/// The finding of `claim` at the point `p`: λ_max (the book's "lambda_max") `op` the book's
/// quantity `rhs`, within the case's tolerance.
fn lambda_max_against(
    b: &mut Book,
    claim: &str,
    ctx: &CaseContext,
    p: &Point,
    op: Op,
    rhs: &str,
) -> Finding {
    b.compare(claim, p, "lambda_max", op, rhs, &ctx.eq_tol())
}

/// A book with λ_max of the Hessian at point i as quantity "lambda_max" from the Hessian alone
/// ([`CaseContext::hessian_alone`]): KP-exact's left side where the planned path would take it
/// from K itself (the Gauss–Newton identity ∇²f = JᵀJ and K = JJᵀ, which is what KP-exact
/// states), so that the two sides are computed apart.
fn hessian_alone(ctx: &CaseContext, kp: &KpProblem, i: usize) -> Book {
    let mut b = Book::default();
    b.add(
        "lambda_max",
        json!({"matrix": "hessian"}),
        (ctx.hessian_alone(kp, i), None),
    );
    b.note("lambda_max_path", json!("lanczos-hvp+mpfr-gauss-newton"));
    b.note(
        "lambda_max_path_reason",
        json!(format!(
            "{}; KP-exact's Hessian side is computed apart from K: f64 Lanczos on the loss's \
             Hessian-vector products, refined in MPFR on ∇²f = JᵀJ (an eigenvalue within the \
             stated radius, not proven to be the top one, so the equality is at most numerical)",
            ctx.hessian_path(kp, i).reason
        )),
    );
    b.uncertifiable();
    b
}

/// Add the Gram quantities of c_k² = ‖A_k‖₂²‖B_kX‖₂² and return Σ_k c_k² and the list of c_k².
fn add_c_squared(ctx: &CaseContext, kp: &KpProblem, i: usize, b: &mut Book) -> (Expr, Vec<Expr>) {
    let g = ctx.grams(kp, i);
    let mut terms = Vec::new();
    for k in 0..g.above.len() {
        let (a, bx) = (
            format!("gram_above_{}", k + 1),
            format!("gram_below_x_{}", k + 1),
        );
        b.add(
            &a,
            json!({"matrix": {"gram_above": k + 1}}),
            (&g.above[k].0, g.above[k].1.as_ref()),
        );
        b.add(
            &bx,
            json!({"matrix": {"gram_below_x": k + 1}}),
            (&g.below_x[k].0, g.below_x[k].1.as_ref()),
        );
        terms.push(vec![a, bx]);
    }
    let each = terms.iter().map(|t| vec![t.clone()]).collect();
    (terms, each)
}

/// Add σ_1² and the KP-min value L·(σ_1²)^{(L−1)/L}; `false` unless X = I.
pub(super) fn add_min_sharpness(ctx: &CaseContext, kp: &KpProblem, i: usize, b: &mut Book) -> bool {
    match ctx.min_sharpness(kp, i) {
        None => false,
        Some(((s, sp), value)) => {
            b.add(
                "sigma1_squared",
                json!({"matrix": "gram_target"}),
                (s, sp.as_ref()),
            );
            b.add(
                "min_sharpness",
                json!({"scalar": "min_sharpness", "of": "sigma1_squared"}),
                (value, None),
            );
            // L·(σ_1²)^((L−1)/L)
            let l = kp.points[i].weights.len() as u32;
            b.derive_power("min_sharpness", "sigma1_squared", l - 1, l, l);
            true
        }
    }
}

/// The scope of most [KP] claims: linear networks at zero-loss minimizers, any data X; the
/// others narrow it.
const KP_SCOPE: Scope = Scope {
    kinds: &[ModelKind::Linear],
    data: Data::General,
    points: Points::Minimizers,
    ..Scope::ANY
};

claim! {
    KpExact {
        id: "KP-exact",
        source: "derived from [KP]",
        statement: "At a zero-loss minimizer λ_max(∇²f) = λ_max(Σ_i (XᵀB_iᵀB_iX) ⊗ (A_iA_iᵀ)).",
        escalates: true,
        scope: KP_SCOPE,
    }
}
impl KpExact {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let mut o = per_point(ctx, |kp, i| {
            let mut b = if ctx.takes_planned_path(kp, i) && kp.points[i].exact {
                // the two sides are independent computations: on two threads
                rayon::join(|| ctx.hessian_alone(kp, i), || ctx.kp_operator_top(kp, i));
                hessian_alone(ctx, kp, i)
            } else {
                with_hessian(ctx, kp, i)
            };
            let (k, kproof) = ctx.kp_operator_top(kp, i);
            b.add(
                "kp_operator",
                json!({"matrix": "kp_operator"}),
                (k, kproof.as_ref()),
            );
            lambda_max_against(
                &mut b,
                Self::INFO.id,
                ctx,
                &kp.points[i],
                Op::Eq,
                "kp_operator",
            )
        });
        // K's side limited by a cluster at its top, not by the precision: no futile escalation
        if let Ok(kp) = ctx.kp() {
            let stuck = (0..kp.points.len())
                .any(|i| ctx.takes_planned_path(kp, i) && !ctx.hessian_path(kp, i).precision_helps);
            if stuck && o.undecided_points {
                o.undecided_points = false;
                if let Some(r) = o.reason.as_mut() {
                    r.push_str(
                        " — K's top eigenvalue is not proven simple, so its enclosure has the \
                         width of a verified f64 bound, which no precision narrows",
                    );
                }
            }
        }
        o
    }
}

claim! {
    KpTrace {
        id: "KP-trace",
        source: "derived from [KP]",
        statement: "At a zero-loss minimizer tr ∇²f = Σ_i ‖A_i‖²_F ‖B_iX‖²_F.",
        escalates: true,
        scope: KP_SCOPE,
    }
}

/// tr ∇²f, from the diagonal of the dense Hessian.
struct TraceOfHessian<'a>(&'a Point);
impl ScalarSource for TraceOfHessian<'_> {
    fn eval<F: Field>(&self, f: &F) -> F::T {
        let (ws, ev) = evaluated(f, self.0);
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
/// Σ_k ‖A_k‖²_F ‖B_kX‖²_F (KP-trace's right-hand side).
struct TraceFormula<'a>(&'a Point);
impl ScalarSource for TraceFormula<'_> {
    fn eval<F: Field>(&self, f: &F) -> F::T {
        let (ws, ev) = evaluated(f, self.0);
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
            let mut b = Book::default();
            b.add(
                "trace_hessian",
                json!({"scalar": "trace_hessian"}),
                (&estimate_scalar(&TraceOfHessian(p), prec), None),
            );
            b.add(
                "trace_formula",
                json!({"scalar": "trace_formula"}),
                (&estimate_scalar(&TraceFormula(p), prec), None),
            );
            b.compare(
                Self::INFO.id,
                p,
                "trace_hessian",
                Op::Eq,
                "trace_formula",
                &ctx.eq_tol(),
            )
        })
    }
}

claim! {
    KpBound {
        id: "KP-bound",
        source: "derived from [KP]",
        statement: "At a zero-loss minimizer λ_max ≤ Σ_i c_i², with c_i = ‖A_i‖₂‖B_iX‖₂.",
        escalates: true,
        scope: KP_SCOPE,
        run: |id, ctx| lambda_against_sum_c_squared(id, ctx, Op::Le),
    }
}

/// λ_max `op` Σ_k c_k² at every point (KP-bound with ≤, KP-naive with =).
fn lambda_against_sum_c_squared(claim: &str, ctx: &CaseContext, op: Op) -> Outcome {
    per_point_with_hessian(ctx, |kp, i, mut b| {
        let (sum, _) = add_c_squared(ctx, kp, i, &mut b);
        b.finding(
            claim,
            &kp.points[i],
            ("lambda_max", q("lambda_max")),
            op,
            ("sum_c_squared", sum),
            &ctx.eq_tol(),
        )
    })
}

claim! {
    KpNaive {
        id: "KP-naive",
        source: "a reading to audit",
        statement: "λ_max = Σ_i c_i² at every zero-loss minimizer.",
        escalates: true,
        scope: KP_SCOPE,
        run: |id, ctx| lambda_against_sum_c_squared(id, ctx, Op::Eq),
    }
}

claim! {
    KpDepth2 {
        id: "KP-depth2",
        source: "[KP]",
        statement: "For L = 2 and X = I, λ_max = ‖W_2‖₂² + ‖W_1‖₂² at every zero-loss minimizer.",
        escalates: true,
        scope: Scope {
            data: Data::Identity,
            depth: (2, 2),
            points: Points::Minimizers,
            ..KP_SCOPE
        },
    }
}
impl KpDepth2 {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        per_point_with_hessian(ctx, |kp, i, mut b| {
            let g = ctx.grams(kp, i);
            let mut sum = Vec::new();
            for (k, t) in g.weight.iter().enumerate() {
                let name = format!("gram_weight_{}", k + 1);
                b.add(
                    &name,
                    json!({"matrix": {"gram_weight": k + 1}}),
                    (&t.0, t.1.as_ref()),
                );
                sum.push(vec![name]);
            }
            b.finding(
                Self::INFO.id,
                &kp.points[i],
                ("lambda_max", q("lambda_max")),
                Op::Eq,
                ("norms_squared_sum", sum),
                &ctx.eq_tol(),
            )
        })
    }
}

claim! {
    KpScalar {
        id: "KP-scalar",
        source: "[KP]",
        statement: "For scalar networks (all d_i = 1, X = 1): λ_max = m² Σ_i w_i⁻², m = Π_i w_i.",
        escalates: true,
        scope: Scope {
            data: Data::Identity,
            widths: Widths::Scalar,
            points: Points::Minimizers,
            ..KP_SCOPE
        },
    }
}
/// m² Σ_i w_i⁻² with m = Π_i w_i (all w_i ≠ 0).
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
        per_point(ctx, |kp, i| {
            let p = &kp.points[i];
            if p.weights.iter().any(|w| w.at(0, 0).is_zero()) {
                return Finding::Vacuous(
                    Basis::Exact,
                    "some w_i = 0, where m² Σ w_i⁻² is undefined".into(),
                );
            }
            let mut b = with_hessian(ctx, kp, i);
            let rhs = estimate_scalar(&ScalarFormula(p), ctx.settings.prec);
            b.add(
                "scalar_formula",
                json!({"scalar": "scalar_formula"}),
                (&rhs, None),
            );
            lambda_max_against(&mut b, Self::INFO.id, ctx, p, Op::Eq, "scalar_formula")
        })
    }
}

claim! {
    KpMin {
        id: "KP-min",
        source: "derived from [KP]",
        statement: "For X = I the minimum sharpness over minimizers of M is L·σ_1(M)^{2(L−1)/L}, attained by balanced SVD factorizations.",
        escalates: true,
        scope: Scope {
            data: Data::Identity,
            points: Points::Minimizers,
            ..KP_SCOPE
        },
    }
}
impl KpMin {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        per_point_with_hessian(ctx, |kp, i, mut b| {
            add_min_sharpness(ctx, kp, i, &mut b);
            // the balanced factorization attains the minimum; every other minimizer lies above it
            let op = if kp.balanced_index == Some(i) {
                Op::Eq
            } else {
                Op::Ge
            };
            lambda_max_against(
                &mut b,
                Self::INFO.id,
                ctx,
                &kp.points[i],
                op,
                "min_sharpness",
            )
        })
    }
}

/// A book with λ_max ([`with_hessian`]) and the c_k² ([`add_c_squared`]) at point i, and the
/// expressions of the c_k², for the claims relating "c_i constant" to flatness.
fn with_c_squared(ctx: &CaseContext, kp: &KpProblem, i: usize) -> (Book, Vec<Expr>) {
    let mut b = with_hessian(ctx, kp, i);
    let (_, each) = add_c_squared(ctx, kp, i, &mut b);
    (b, each)
}

/// Are the c_k² all equal at point i? Records the relations c_k² = c_1² (or the ≠ that breaks it).
/// `Ok(Ok(basis))` constant, `Ok(Err(basis))` not constant, `Err` undecided.
fn c_constant(
    ctx: &CaseContext,
    b: &mut Book,
    each: &[Expr],
) -> Result<Result<Basis, Basis>, String> {
    let mut weakest = Basis::Exact;
    for c in &each[1..] {
        let d = b.relation(c, Op::Eq, &each[0], &ctx.eq_tol())?;
        if !d.holds {
            return Ok(Err(d.basis));
        }
        weakest = weakest.weaker(d.basis);
    }
    Ok(Ok(weakest))
}

/// Is point i flat (λ_max = the KP-min value)? Records the relation.
fn flat(
    ctx: &CaseContext,
    kp: &KpProblem,
    i: usize,
    b: &mut Book,
) -> Result<(bool, Basis), String> {
    if !add_min_sharpness(ctx, kp, i, b) {
        return Err("the minimum sharpness is known only for X = I".into());
    }
    let d = b.relation(&q("lambda_max"), Op::Eq, &q("min_sharpness"), &ctx.eq_tol())?;
    if d.order == std::cmp::Ordering::Less {
        return Err(format!(
            "{}: flatter than the KP-min value, so KP-min fails here",
            d.text
        ));
    }
    Ok((d.holds, d.basis))
}

/// "c_i constant ⇒ λ_max = rhs" at every point, where `rhs` adds its quantities at point i and
/// returns the right-hand side (its name and expression).
fn c_constant_implies(
    claim: &str,
    ctx: &CaseContext,
    rhs: impl Fn(&KpProblem, usize, &mut Book) -> (&'static str, Expr),
) -> Outcome {
    per_point(ctx, |kp, i| c_constant_implies_at(claim, ctx, kp, i, &rhs))
}

/// "c_i constant ⇒ λ_max = rhs" at point i ([`c_constant_implies`]).
fn c_constant_implies_at(
    claim: &str,
    ctx: &CaseContext,
    kp: &KpProblem,
    i: usize,
    rhs: impl Fn(&KpProblem, usize, &mut Book) -> (&'static str, Expr),
) -> Finding {
    let (mut b, each) = with_c_squared(ctx, kp, i);
    match c_constant(ctx, &mut b, &each) {
        Ok(Ok(premise)) => {
            let rhs = rhs(kp, i, &mut b);
            let lhs = ("lambda_max", q("lambda_max"));
            match b.finding(claim, &kp.points[i], lhs, Op::Eq, rhs, &ctx.eq_tol()) {
                Finding::Holds(basis, ev) => Finding::Holds(basis.weaker(premise), ev),
                Finding::Fails(basis, ev, why) => Finding::Fails(
                    basis.weaker(premise),
                    ev,
                    format!("the c_i are all equal, yet {why}"),
                ),
                other => other,
            }
        }
        Ok(Err(basis)) => Finding::Vacuous(basis, "the c_i are not all equal".into()),
        Err(w) => Finding::Undecided(
            format!("whether the c_i are equal: {w}"),
            b.evidence(claim, &kp.points[i], &[]),
        ),
    }
}

claim! {
    KpFlatSufficientA {
        id: "KP-flat-sufficient-a",
        source: "[KP], reading a",
        statement: "X = I: c_i constant in i ⇒ the minimizer is flat (its sharpness is the minimum over minimizers).",
        escalates: true,
        scope: Scope {
            data: Data::Identity,
            points: Points::Flat,
            ..KP_SCOPE
        },
    }
}
impl KpFlatSufficientA {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        c_constant_implies(Self::INFO.id, ctx, |kp, i, b| {
            add_min_sharpness(ctx, kp, i, b);
            ("min_sharpness", q("min_sharpness"))
        })
    }
}

claim! {
    KpFlatSufficientB {
        id: "KP-flat-sufficient-b",
        source: "[KP], reading b",
        statement: "c_i constant in i ⇒ λ_max = Σ_i c_i² (the bound is attained).",
        escalates: true,
        scope: Scope {
            data: Data::General,
            points: Points::Flat,
            ..KP_SCOPE
        },
    }
}
impl KpFlatSufficientB {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        c_constant_implies(Self::INFO.id, ctx, |kp, i, _| {
            let sum = (1..=kp.points[i].weights.len())
                .map(|k| vec![format!("gram_above_{k}"), format!("gram_below_x_{k}")])
                .collect();
            ("sum_c_squared", sum)
        })
    }
}

/// "flat ⇒ c_i constant" at every point.
fn flat_implies_constant(claim: &str, ctx: &CaseContext) -> Outcome {
    per_point(ctx, |kp, i| flat_implies_constant_at(claim, ctx, kp, i))
}

/// "flat ⇒ c_i constant" at point i.
fn flat_implies_constant_at(claim: &str, ctx: &CaseContext, kp: &KpProblem, i: usize) -> Finding {
    let (mut b, each) = with_c_squared(ctx, kp, i);
    let p = &kp.points[i];
    match flat(ctx, kp, i, &mut b) {
        Err(w) => Finding::Undecided(
            format!("whether the point is flat: {w}"),
            b.evidence(claim, p, &[]),
        ),
        Ok((false, basis)) => Finding::Vacuous(basis, "the point is not flat".into()),
        Ok((true, premise)) => match c_constant(ctx, &mut b, &each) {
            Ok(Ok(basis)) => Finding::Holds(basis.weaker(premise), b.evidence(claim, p, &[])),
            Ok(Err(basis)) => {
                let c2: Vec<String> = ctx
                    .c_squared(kp, i)
                    .iter()
                    .map(|c| format!("{:.6}", c.f64))
                    .collect();
                let why = format!(
                    "the point is flat, yet c_i² = [{}] are not all equal",
                    c2.join(", ")
                );
                Finding::Fails(basis.weaker(premise), b.evidence(claim, p, &[]), why)
            }
            Err(w) => Finding::Undecided(
                format!("whether the c_i are equal: {w}"),
                b.evidence(claim, p, &[]),
            ),
        },
    }
}

claim! {
    KpFlatNecessary {
        id: "KP-flat-necessary",
        source: "[KP]",
        statement: "X = I, L = 2 or scalar networks of any depth: flat ⇒ c_i constant in i.",
        escalates: true,
        scope: Scope {
            data: Data::Identity,
            points: Points::Flat,
            ..KP_SCOPE
        },
    }
}
impl KpFlatNecessary {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let scalar = ctx.case.dims.iter().all(|&d| d == 1);
        if ctx.case.depth() != 2 && !scalar {
            return ctx.not_applicable(
                "model.dims",
                "KP-flat-necessary concerns L = 2 or scalar networks (see KP-flat-necessary-deep)",
            );
        }
        flat_implies_constant(Self::INFO.id, ctx)
    }
}

claim! {
    KpFlatNecessaryDeep {
        id: "KP-flat-necessary-deep",
        source: "a reading to audit",
        statement: "X = I, matrix networks with L ≥ 3: flat ⇒ c_i constant in i.",
        escalates: true,
        scope: Scope {
            data: Data::Identity,
            depth: (3, usize::MAX),
            widths: Widths::Matrix,
            points: Points::Flat,
            ..KP_SCOPE
        },
        run: |id, ctx| flat_implies_constant(id, ctx),
    }
}
