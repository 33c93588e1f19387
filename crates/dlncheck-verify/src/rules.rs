//! Which re-checked assertions imply which verdict, claim by claim (shared/claims.md).
//!
//! The arithmetic of a point certificate ([`super::check`]) establishes facts: enclosures of
//! λ_max of named matrices, exact relations between them, criticality, loss values, curvature.
//! This module reads only facts that passed their check and derives from them, for the
//! certificate's claim, what the point shows:
//!
//! - [`Finding::Holds`]: the claim's premise holds at the point and so does its conclusion;
//! - [`Finding::Fails`]: the premise holds and the conclusion fails (a counterexample);
//! - [`Finding::Vacuous`]: the premise fails (an implication with a false premise);
//! - [`Finding::Undetermined`]: the facts do not settle it (an assertion is missing, or the
//!   certificate is of a claim this verifier has no rule for).
//!
//! Premises about the problem itself — a zero-loss point (f = 0, so a global minimizer of the
//! KP claims), X = I, the depth, scalar or square layers, balancedness W_{k+1}ᵀW_{k+1} = W_kW_kᵀ,
//! Σ_XX invertible, f = f* — are recomputed here from the problem, never read from the
//! certificate. Relations are recognized by the *matrices* their quantities enclose, not by their
//! names: λ = λ_max(∇²f); K = λ_max of the KP operator; c_k² = λ_max(A_kᵀA_k)·λ_max((B_kX)(B_kX)ᵀ)
//! = ‖A_k‖₂²‖B_kX‖₂²; Σc² = Σ_k c_k² over k = 1…L; N = Σ_k λ_max(W_kᵀW_k) (L = 2); m = the KP-min
//! value L·σ_1^{2(L−1)/L}; the exact scalars tr ∇²f, Σ_k‖A_k‖²_F‖B_kX‖²_F and m²Σ_k w_k⁻².

use super::amg::Regression;
use super::point::{Assertion, Expr, MatrixName, Op, PointCheck, Quantity, QuantityKind};
use num_traits::Zero;
use std::collections::BTreeMap;

/// What one point certificate shows about its claim, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Finding {
    /// Premise and conclusion hold.
    Holds(String),
    /// The premise holds and the conclusion fails: a counterexample.
    Fails(String),
    /// The premise fails.
    Vacuous(String),
    /// The facts do not decide.
    Undetermined(String),
}

/// The claims whose `dlncheck-certificate`s this module can read (the ZL claims have their own
/// certificate kind, [`ZL_CLAIMS`]).
pub(super) const POINT_CLAIMS: [&str; 18] = [
    "KP-exact",
    "KP-trace",
    "KP-bound",
    "KP-naive",
    "KP-depth2",
    "KP-scalar",
    "KP-min",
    "KP-flat-sufficient-a",
    "KP-flat-sufficient-b",
    "KP-flat-necessary",
    "KP-flat-necessary-deep",
    "BAL-invariant",
    "BAL-flat",
    "AMG-values",
    "AMG-product",
    "AMG-minimizers",
    "AMG-classify",
    "AMG-classify-path",
];

/// The claims of `dlncheck-zl-certificate`s.
pub(super) const ZL_CLAIMS: [&str; 8] = [
    "ZL-minimizers",
    "ZL-gd-linear",
    "ZL-gd-residual",
    "ZL-gd-nonlinear",
    "ZL-gd-neighborhood",
    "ZL-regularity",
    "ZL-regularity-fixed",
    "ZL-regularity-normal",
];

/// A relation operator read as the order between two expressions that a passing relation
/// proves.
impl Op {
    /// The same fact with the sides swapped.
    fn mirrored(self) -> Op {
        match self {
            Op::Lt => Op::Gt,
            Op::Le => Op::Ge,
            Op::Ge => Op::Le,
            Op::Gt => Op::Lt,
            k => k,
        }
    }
    /// Is lhs ≠ rhs proved?
    fn differs(self) -> bool {
        matches!(self, Op::Lt | Op::Gt | Op::Ne)
    }
    /// Is lhs ≤ rhs proved?
    fn at_most(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Eq)
    }
}

/// A canonical expression: a sorted list of terms, each a sorted list of matrix/scalar keys.
type Shape = Vec<Vec<String>>;

fn key(q: &Quantity) -> String {
    match &q.kind {
        QuantityKind::LambdaMax { matrix, .. } => match matrix {
            MatrixName::Hessian => "hessian".into(),
            MatrixName::KpOperator => "kp_operator".into(),
            MatrixName::GramAbove(k) => format!("gram_above {k}"),
            MatrixName::GramBelowX(k) => format!("gram_below_x {k}"),
            MatrixName::GramWeight(k) => format!("gram_weight {k}"),
            MatrixName::GramTarget => "gram_target".into(),
        },
        QuantityKind::TraceHessian => "trace_hessian".into(),
        QuantityKind::TraceFormula => "trace_formula".into(),
        QuantityKind::ScalarFormula => "scalar_formula".into(),
        QuantityKind::MinSharpness { .. } => "min_sharpness".into(),
    }
}

fn shape_of(e: &Expr, qs: &BTreeMap<String, Quantity>) -> Shape {
    let mut terms: Shape = e
        .iter()
        .map(|t| {
            let mut keys: Vec<String> = t.iter().map(|n| key(&qs[n])).collect();
            keys.sort();
            keys
        })
        .collect();
    terms.sort();
    terms
}

fn one(k: &str) -> Shape {
    vec![vec![k.to_string()]]
}
const LAMBDA: &str = "hessian";
const MIN: &str = "min_sharpness";

/// c_k² as a shape.
fn c_sq(k: usize) -> Shape {
    vec![vec![format!("gram_above {k}"), format!("gram_below_x {k}")]]
}

/// Σ_{k=1..L} c_k².
fn sum_c_sq(l: usize) -> Shape {
    let mut s: Shape = (1..=l).flat_map(c_sq).collect();
    s.sort();
    s
}

/// The facts of a point: its passing relations in canonical form, and its other passing
/// assertions.
struct Facts<'a> {
    pc: &'a PointCheck,
    relations: Vec<(Shape, Op, Shape)>,
}

impl<'a> Facts<'a> {
    fn new(pc: &'a PointCheck) -> Facts<'a> {
        let relations = pc
            .assertions
            .iter()
            .filter(|(_, ok)| *ok)
            .filter_map(|(a, _)| match a {
                Assertion::Relation { lhs, op, rhs, .. } => Some((
                    shape_of(lhs, &pc.quantities),
                    *op,
                    shape_of(rhs, &pc.quantities),
                )),
                _ => None,
            })
            .collect();
        Facts { pc, relations }
    }

    /// What is proved about `a` against `b`: equality or a strict order first, then ≤, ≥.
    fn relation(&self, a: &Shape, b: &Shape) -> Option<Op> {
        let found: Vec<Op> = self
            .relations
            .iter()
            .filter_map(|(l, k, r)| {
                if l == a && r == b {
                    Some(*k)
                } else if l == b && r == a {
                    Some(k.mirrored())
                } else {
                    None
                }
            })
            .collect();
        [Op::Eq, Op::Lt, Op::Gt, Op::Ne, Op::Le, Op::Ge]
            .into_iter()
            .find(|k| found.contains(k))
    }

    /// Does a passing assertion satisfy `pred`?
    fn has(&self, pred: impl Fn(&Assertion) -> bool) -> bool {
        self.pc.assertions.iter().any(|(a, ok)| *ok && pred(a))
    }

    fn depth(&self) -> usize {
        self.pc.land.net.depth()
    }
}

/// Derive the finding of a point certificate of `claim`.
pub(super) fn point_finding(claim: &str, pc: &PointCheck) -> Finding {
    let f = Facts::new(pc);
    let net = &pc.land.net;
    let l = f.depth();
    let x_identity =
        net.x.rows() == net.x.cols() && net.x == super::rational::Mat::identity(net.x.rows());
    let scalar = net.weights.iter().all(|w| (w.rows(), w.cols()) == (1, 1));
    let zero_loss = pc.land.loss().is_zero();
    let need = |ok: bool, what: &str| -> Result<(), Finding> {
        if ok {
            Ok(())
        } else {
            Err(Finding::Undetermined(format!(
                "the claim's setting needs {what}, which this problem does not meet"
            )))
        }
    };
    let kp = |extra: Result<(), Finding>| -> Result<(), Finding> {
        need(
            zero_loss,
            "a zero-loss point (f = 0: a global minimizer with Y = PX)",
        )?;
        extra
    };
    let result = match claim {
        "KP-exact" => kp(Ok(())).map(|_| {
            equality(
                &f,
                &one(LAMBDA),
                &one("kp_operator"),
                "λ_max(∇²f) = λ_max(KP operator)",
            )
        }),
        "KP-trace" => kp(Ok(())).map(|_| {
            equality(
                &f,
                &one("trace_hessian"),
                &one("trace_formula"),
                "tr ∇²f = Σ_k ‖A_k‖²_F‖B_kX‖²_F",
            )
        }),
        "KP-bound" => kp(Ok(())).map(|_| match f.relation(&one(LAMBDA), &sum_c_sq(l)) {
            Some(k) if k.at_most() => Finding::Holds("λ_max ≤ Σ_k c_k²".into()),
            Some(Op::Gt) => Finding::Fails("λ_max > Σ_k c_k²".into()),
            _ => missing("λ_max against Σ_k c_k²"),
        }),
        "KP-naive" => {
            kp(Ok(())).map(|_| equality(&f, &one(LAMBDA), &sum_c_sq(l), "λ_max = Σ_k c_k²"))
        }
        "KP-depth2" => kp(need(l == 2, "L = 2").and(need(x_identity, "X = I"))).map(|_| {
            let norms = vec![
                vec!["gram_weight 1".to_string()],
                vec!["gram_weight 2".to_string()],
            ];
            equality(&f, &one(LAMBDA), &norms, "λ_max = ‖W_1‖₂² + ‖W_2‖₂²")
        }),
        "KP-scalar" => kp(need(scalar, "a scalar network")
            .and(need(x_identity, "X = 1"))
            .and(need(
                net.weights.iter().all(|w| !w.at(0, 0).is_zero()),
                "every w_i ≠ 0",
            )))
        .map(|_| {
            equality(
                &f,
                &one(LAMBDA),
                &one("scalar_formula"),
                "λ_max = m²Σ_i w_i⁻²",
            )
        }),
        "KP-min" => kp(need(x_identity, "X = I")).map(|_| kp_min(&f, balanced(pc))),
        "KP-flat-sufficient-a" => kp(need(x_identity, "X = I")).map(|_| {
            c_constant_implies(&f, l, || match f.relation(&one(LAMBDA), &one(MIN)) {
                Some(Op::Eq) => {
                    Finding::Holds("c_k constant and λ_max = the KP-min value: flat".into())
                }
                Some(Op::Gt) => {
                    Finding::Fails("c_k constant, yet λ_max > the KP-min value: not flat".into())
                }
                _ => missing("λ_max against the KP-min value"),
            })
        }),
        "KP-flat-sufficient-b" => kp(Ok(())).map(|_| {
            c_constant_implies(&f, l, || {
                equality(
                    &f,
                    &one(LAMBDA),
                    &sum_c_sq(l),
                    "c_k constant ⇒ λ_max = Σ_k c_k²",
                )
            })
        }),
        "KP-flat-necessary" => {
            kp(need(x_identity, "X = I").and(need(l == 2 || scalar, "L = 2 or a scalar network")))
                .map(|_| flat_implies_constant(&f, l))
        }
        "KP-flat-necessary-deep" => {
            kp(need(x_identity, "X = I")
                .and(need(l >= 3 && !scalar, "a matrix network with L ≥ 3")))
            .map(|_| flat_implies_constant(&f, l))
        }
        "BAL-invariant" => need(l >= 2, "L ≥ 2").map(|_| {
            if f.has(|a| matches!(a, Assertion::Balancedness)) {
                Finding::Holds("W_(k+1)ᵀ∇_(k+1)f = ∇_kf W_kᵀ exactly".into())
            } else {
                missing("the balancedness identity")
            }
        }),
        "BAL-flat" => need(x_identity, "X = I")
            .and(need(
                net.weights
                    .iter()
                    .all(|w| w.rows() == w.cols() && w.rows() == net.x.rows()),
                "square layers",
            ))
            .and(need(zero_loss, "a zero-loss point"))
            .map(|_| {
                if !balanced(pc) {
                    return Finding::Vacuous("the minimizer is not balanced".into());
                }
                match f.relation(&one(LAMBDA), &one(MIN)) {
                    Some(Op::Eq) => Finding::Holds("balanced and λ_max = the KP-min value".into()),
                    Some(Op::Gt) => Finding::Fails("balanced, yet λ_max > the KP-min value".into()),
                    _ => missing("λ_max against the KP-min value"),
                }
            }),
        "AMG-values" | "AMG-product" | "AMG-minimizers" | "AMG-classify" | "AMG-classify-path" => {
            amg(claim, &f)
        }
        other => Err(Finding::Undetermined(format!(
            "unknown claim {other:?}: this verifier has no rule for it"
        ))),
    };
    result.unwrap_or_else(|f| f)
}

fn missing(what: &str) -> Finding {
    Finding::Undetermined(format!("no passing relation {what}"))
}

/// An equality claim at a point: `=` holds, a proved `<`, `>` or `≠` fails.
fn equality(f: &Facts, a: &Shape, b: &Shape, what: &str) -> Finding {
    match f.relation(a, b) {
        Some(Op::Eq) => Finding::Holds(what.to_string()),
        Some(k) if k.differs() => Finding::Fails(format!("not {what}: the sides differ")),
        _ => missing(what),
    }
}

/// W_{k+1}ᵀW_{k+1} = W_kW_kᵀ for every k, exactly.
fn balanced(pc: &PointCheck) -> bool {
    let w = &pc.land.net.weights;
    w.windows(2)
        .all(|p| p[1].transpose().mul(&p[1]) == p[0].mul(&p[0].transpose()))
}

/// KP-min at a zero-loss point (X = I): λ_max ≥ m everywhere, and λ_max = m at balanced points
/// (balanced zero-loss factorizations are the balanced SVD factorizations).
fn kp_min(f: &Facts, balanced: bool) -> Finding {
    match f.relation(&one(LAMBDA), &one(MIN)) {
        Some(Op::Eq) => Finding::Holds("λ_max = the KP-min value".into()),
        Some(Op::Lt) => Finding::Fails("λ_max < the KP-min value".into()),
        Some(Op::Gt) if balanced => {
            Finding::Fails("a balanced factorization with λ_max > the KP-min value".into())
        }
        Some(Op::Gt | Op::Ge) if !balanced => {
            Finding::Holds("λ_max ≥ the KP-min value at an unbalanced minimizer".into())
        }
        _ => missing("λ_max against the KP-min value"),
    }
}

/// Premise "c_k² all equal", read as the producer decides it: c_k² against c_1² for k = 2, 3, …
/// up to the first that differs. `Some(true)` when c_k² = c_1² for every k, `Some(false)` when
/// c_k² ≠ c_1² for some k after an unbroken chain of equalities, `None` when the chain has a gap.
fn c_constant(f: &Facts, l: usize) -> Option<bool> {
    for k in 2..=l {
        match f.relation(&c_sq(k), &c_sq(1)) {
            Some(Op::Eq) => {}
            Some(d) if d.differs() => return Some(false),
            _ => return None,
        }
    }
    Some(true)
}

/// "c_k constant ⇒ conclusion".
fn c_constant_implies(f: &Facts, l: usize, conclusion: impl FnOnce() -> Finding) -> Finding {
    match c_constant(f, l) {
        Some(true) => conclusion(),
        Some(false) => Finding::Vacuous("the c_k are not all equal".into()),
        None => missing("between the c_k²"),
    }
}

/// "flat ⇒ c_k constant": flat is λ_max = the KP-min value.
fn flat_implies_constant(f: &Facts, l: usize) -> Finding {
    match f.relation(&one(LAMBDA), &one(MIN)) {
        Some(Op::Eq) => match c_constant(f, l) {
            Some(true) => Finding::Holds("flat and the c_k are all equal".into()),
            Some(false) => Finding::Fails("flat, yet the c_k are not all equal".into()),
            None => missing("between the c_k²"),
        },
        Some(Op::Gt) => Finding::Vacuous("λ_max > the KP-min value: not flat".into()),
        _ => missing("λ_max against the KP-min value"),
    }
}

/// The class a point's assertions prove: f = f* (global minimizer), a negative curvature (strict
/// saddle: not a minimizer, and ∇²f ⪰̸ 0), or ∇²f ⪰ 0 with a descent curve (non-strict saddle: f
/// decreases along a curve, so not a local minimizer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Global,
    Strict,
    NonStrict,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Global => "global minimizer",
            Class::Strict => "strict saddle",
            Class::NonStrict => "non-strict saddle",
        }
    }
}

/// The [AMG] claims at a critical point (Σ_XX invertible).
fn amg(claim: &str, f: &Facts) -> Result<Finding, Finding> {
    if !f.has(|a| matches!(a, Assertion::Critical)) {
        return Ok(missing("critical: ∇f = 0"));
    }
    let reg = Regression::new(&f.pc.land.net).map_err(Finding::Undetermined)?;
    let loss = f.pc.land.loss().clone();
    let asserted_value = f.has(|a| matches!(a, Assertion::Loss(q) if *q == loss));
    let optimum = || {
        if asserted_value {
            reg.proves_optimum(&loss)
        } else {
            Err("no passing loss assertion".to_string())
        }
    };
    let form = reg.product_form();
    Ok(match claim {
        "AMG-product" => match form {
            Ok(()) => Finding::Holds("P = U_SU_SᵀΦ (P = ΠΦ, ΠΣ = ΣΠ)".into()),
            Err(e) => Finding::Fails(format!("a critical point with {e}")),
        },
        "AMG-values" => match (asserted_value, form) {
            (true, Ok(())) => Finding::Holds(format!(
                "f = {loss} = ½(‖Y‖² − tr ΠΣ) = ½(tr Σ_YY − Σ_(j∈S) λ_j), |S| = {}",
                reg.rank()
            )),
            (false, _) => missing("loss: the critical value"),
            (true, Err(e)) => Finding::Undetermined(format!(
                "{e}: whether f is another critical value is not decided here"
            )),
        },
        // a point stated to reach f* (a `loss` assertion) is a global minimizer of that form
        "AMG-minimizers" if asserted_value => match optimum() {
            Err(e) => Finding::Undetermined(format!("f = f* not shown: {e}")),
            Ok(why) => match form {
                Ok(()) => Finding::Holds(format!("{why}; P = U_(S*)U_(S*)ᵀΦ")),
                Err(e) => Finding::Fails(format!("{why}, yet {e}")),
            },
        },
        // any other critical point is neither: S not a top set (some λ outside S exceeds one
        // in S), or a top set of s < k with a positive eigenvalue outside it, gives
        // Σ_(j∈S) λ_j < Σ_(j≤k) λ_j, so f > f*, and range P ≠ range U_(S*)U_(S*)ᵀΦ
        "AMG-minimizers" => match (form, reg.is_top_set()) {
            (Err(e), _) => Finding::Undetermined(format!("{e}: the criterion needs P = U_SU_SᵀΦ")),
            (Ok(()), Some(false)) => Finding::Holds(
                "S is not a top set: f > f* and P ≠ U_(S*)U_(S*)ᵀΦ".into(),
            ),
            (Ok(()), Some(true)) if reg.rank() < reg.k() && reg.positive_outside() => {
                Finding::Holds(format!(
                    "S is a top set of s = {} < k = {} with a positive eigenvalue outside: f > f* and P ≠ U_(S*)U_(S*)ᵀΦ",
                    reg.rank(),
                    reg.k()
                ))
            }
            _ => missing("loss: a point that is neither shown to reach f* nor to miss it"),
        },
        _ => {
            let shown = if optimum().is_ok() {
                Some(Class::Global)
            } else if f.has(|a| matches!(a, Assertion::NegativeCurvature { .. })) {
                Some(Class::Strict)
            } else if f.has(|a| matches!(a, Assertion::HessianPsd))
                && f.has(|a| matches!(a, Assertion::DescentCurve { .. }))
            {
                Some(Class::NonStrict)
            } else {
                None
            };
            let Some(shown) = shown else {
                return Ok(missing(
                    "of a class: f = f*, a negative curvature, or ∇²f ⪰ 0 with a descent curve",
                ));
            };
            if let Err(e) = form {
                return Ok(Finding::Undetermined(format!(
                    "{e}: the criterion needs P = U_SU_SᵀΦ"
                )));
            }
            let path = claim == "AMG-classify-path";
            match criterion(f, &reg, path) {
                None => Finding::Undetermined(
                    "whether S is a top set {1, …, s} is not decided (tied eigenvalues)".into(),
                ),
                Some(c) if c == shown => {
                    Finding::Holds(format!("criterion and certificate: {}", c.name()))
                }
                Some(c) => Finding::Fails(format!(
                    "the criterion says {} but the certificate shows a {}",
                    c.name(),
                    shown.name()
                )),
            }
        }
    })
}

/// The rank criterion of AMG-classify (claims.md): S = {1…min(r, d_L)} ⇔ global minimizer;
/// S ≠ {1…s} ⇒ strict saddle; S = {1…s}, s < r: non-strict iff tightened (rk W_{h1:1} =
/// rk W_{h2:h1+1} = rk W_{L:h2+1} = s for some 1 ≤ h1 < h2 ≤ L−1), or, with `path` (AMG-classify-
/// path), strict iff W_{L:h2+1}ᵀ(PX − Y)XᵀW_{h1−1:1}ᵀ ≠ 0 and rk W_{h2−1:h1+1} > s for some
/// 1 ≤ h1 < h2 ≤ L. Here s = rk P and S the eigenvectors spanning range P.
fn criterion(f: &Facts, reg: &Regression, path: bool) -> Option<Class> {
    let net = &f.pc.land.net;
    let l = net.depth();
    let s = reg.rank();
    let top = reg.is_top_set()?;
    if top && s == reg.k() {
        return Some(Class::Global);
    }
    if !top {
        return Some(Class::Strict);
    }
    // W_to⋯W_(from+1) (code indices; the identity of size d_from when from = to)
    let prod = |from: usize, to: usize| {
        let d = if from == 0 {
            net.x.rows()
        } else {
            net.weights[from - 1].rows()
        };
        net.weights[from..to]
            .iter()
            .fold(super::rational::Mat::identity(d), |acc, w| w.mul(&acc))
    };
    let rank = |from: usize, to: usize| prod(from, to).rank();
    if path {
        let residual = prod(0, l).mul(&net.x).sub(&net.y);
        let rxt = residual.mul(&net.x.transpose());
        let strict = (1..=l).any(|h1| {
            (h1 + 1..=l).any(|h2| {
                let term = prod(h2, l)
                    .transpose()
                    .mul(&rxt)
                    .mul(&prod(0, h1 - 1).transpose());
                !term.is_zero() && rank(h1, h2 - 1) > s
            })
        });
        Some(if strict {
            Class::Strict
        } else {
            Class::NonStrict
        })
    } else {
        let tightened = (1..l).any(|h1| {
            (h1 + 1..l).any(|h2| rank(0, h1) == s && rank(h1, h2) == s && rank(h2, l) == s)
        });
        Some(if tightened {
            Class::NonStrict
        } else {
            Class::Strict
        })
    }
}
