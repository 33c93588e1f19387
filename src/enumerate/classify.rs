//! One classification of the critical points of f(W) = ½‖W_L⋯W_1X − Y‖² (\[AMG\], claims.md,
//! AMG-classify and AMG-classify-path), written once over the arithmetic.
//!
//! Every point gets two answers: the rank criterion (both readings of claims.md), and a certificate
//! computed from the loss and the Hessian alone ([`certify`]). A [`Judge`] is the arithmetic that
//! decides: a [`Field`] in which the formulas are evaluated, the rank of a matrix, whether a matrix
//! is nonzero, and the strength of what it decides. A [`Classifier`] is the \[AMG\] problem in that
//! arithmetic: its points, and the certificate questions that depend on what the arithmetic can
//! prove (is f = f*? the second-order class of a point that is not a minimizer). Exact rationals
//! ([`super::judge::ExactAmg`]) decide every question they answer, so their classes are proved;
//! MPFR ([`super::judge::MpfrAmg`]) decides with proven enclosures where they separate, otherwise
//! it leaves the point undecided (inconclusive) and says whether a higher precision may decide it.

use super::spectrum::Spectrum;
use crate::certify::estimate::Basis;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use crate::model::linear::{self, Evaluated};
use num_rational::BigRational;

/// The class of a point of the landscape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// f = f*.
    GlobalMinimizer,
    /// A critical point where ∇²f has a negative eigenvalue.
    StrictSaddle,
    /// A critical point, not a minimizer, with ∇²f ⪰ 0.
    NonStrictSaddle,
    /// ∇f ≠ 0.
    NotCritical,
}

impl Class {
    /// The report's name of the class.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::GlobalMinimizer => "global-minimizer",
            Class::StrictSaddle => "strict-saddle",
            Class::NonStrictSaddle => "non-strict-saddle",
            Class::NotCritical => "not-critical",
        }
    }
}

/// The two readings of the saddle criterion in claims.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// AMG-classify: non-strict iff tightened.
    Tightened,
    /// AMG-classify-path: strict iff some residual path term is nonzero over a rank > s bridge.
    Path,
}

/// A statement of a certificate, which the independent verifier re-checks exactly at an exact
/// point (an MPFR point is never written as a certificate).
#[derive(Clone, Debug)]
pub enum Assertion {
    /// ∇f = 0.
    Critical,
    /// f equals this value (f* at a global minimizer).
    Loss(BigRational),
    /// vᵀ∇²f v = `value` < 0 for the direction v (one matrix per layer).
    NegativeCurvature {
        /// v, shaped as the layers.
        direction: Vec<Mat<BigRational>>,
        /// vᵀ∇²f v.
        value: BigRational,
    },
    /// ∇²f ⪰ 0.
    HessianPsd,
    /// f(W + tV) − f(W) = Σ_{k≥1} c_k t^k with a negative lowest nonzero coefficient.
    DescentCurve {
        /// V, shaped as the layers.
        direction: Vec<Mat<BigRational>>,
        /// c_1, c_2, …
        coefficients: Vec<BigRational>,
    },
}

/// The certificate's answer at a point: the class (None when undecided), what it rests on, the
/// assertions that prove it, and whether a higher precision may decide what this one left open.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The class shown, when one is.
    pub class: Option<Class>,
    /// What the answer rests on, for reports.
    pub detail: String,
    /// The statements that prove the class (also recorded for an undecided point).
    pub assertions: Vec<Assertion>,
    /// Undecided only because of the working precision.
    pub precision_limited: bool,
}

impl Certificate {
    /// A decided class with the assertions proving it.
    pub fn decided(class: Class, detail: String, assertions: Vec<Assertion>) -> Self {
        Certificate {
            class: Some(class),
            detail,
            assertions,
            precision_limited: false,
        }
    }

    /// No class; `precision_limited` when twice the precision may decide it.
    pub fn undecided(detail: String, precision_limited: bool) -> Self {
        Certificate {
            class: None,
            detail,
            assertions: Vec::new(),
            precision_limited,
        }
    }

    /// The same answer, its assertions preceded by `first` (what was shown on the way to it).
    fn after(mut self, mut first: Vec<Assertion>) -> Self {
        first.append(&mut self.assertions);
        self.assertions = first;
        self
    }
}

/// The scalars of a judge's arithmetic.
pub type Scalar<J> = <<J as Judge>::F as Field>::T;

/// The scalars of a classifier's judge.
pub type ScalarOf<C> = Scalar<<C as Classifier>::J>;

/// An arithmetic that decides (module doc): the formulas run in [`Judge::F`], and the answers
/// below say what that arithmetic proves.
pub trait Judge {
    /// The arithmetic the formulas are evaluated in.
    type F: Field;
    /// The field context.
    fn field(&self) -> &Self::F;
    /// What a decided answer rests on: exact arithmetic (proved), or MPFR with its bounds.
    fn basis(&self) -> Basis;
    /// The rank of a matrix.
    fn rank(&self, m: &Mat<Scalar<Self>>) -> usize;
    /// Why the matrices (together) are nonzero, naming them `name`; None when they are zero as
    /// far as this arithmetic decides.
    fn nonzero(&self, name: &str, ms: &[Mat<Scalar<Self>>]) -> Option<String>;
    /// A scalar as an exact or decimal string, for reports.
    fn show(&self, v: &Scalar<Self>) -> String;
}

/// The \[AMG\] problem of a case in one arithmetic: its constructed critical points, and the
/// certificate questions at them that the arithmetic decides ([`certify`]).
pub trait Classifier {
    /// The arithmetic.
    type J: Judge;
    /// A constructed critical point in this arithmetic.
    type Point;
    /// The judge.
    fn judge(&self) -> &Self::J;
    /// The data X and Y in this arithmetic.
    fn data(&self) -> (&Mat<ScalarOf<Self>>, &Mat<ScalarOf<Self>>);
    /// The layers W_1 … W_L of a point.
    fn weights<'p>(&self, p: &'p Self::Point) -> &'p [Mat<ScalarOf<Self>>];
    /// How the point was built, for reports.
    fn origin<'p>(&self, p: &'p Self::Point) -> &'p str;
    /// The index set S of the point's product P = U_SU_SᵀΦ, with |S| = rk P.
    fn index_set(&self, p: &Self::Point, ev: &Evaluated<ScalarOf<Self>>) -> Vec<usize>;
    /// At a critical point of loss `f`: a global minimizer shown, or the reason it is left
    /// undecided; None when f is shown not to be f*.
    fn optimum(&self, f: &ScalarOf<Self>) -> Option<Certificate>;
    /// The largest number of parameters whose Hessian is formed, and its name in reports.
    fn hessian_limit(&self) -> (usize, String);
    /// The second-order class of a critical point shown not to be a minimizer (strict or
    /// non-strict saddle), or why it is left undecided.
    fn curvature(&self, p: &Self::Point, ev: &Evaluated<ScalarOf<Self>>) -> Certificate;
}

/// The loss, residual and partial products at a point, in the classifier's arithmetic.
pub fn evaluate<C: Classifier>(c: &C, p: &C::Point) -> Evaluated<ScalarOf<C>> {
    let (x, y) = c.data();
    linear::evaluate(c.judge().field(), c.weights(p), x, y)
}

/// S* = {1, …, min(r, d_L)} (0-based indices).
pub fn optimum_set(d: &[usize]) -> Vec<usize> {
    (0..(*d.iter().min().expect("dims")).min(d[d.len() - 1])).collect()
}

/// S* and f* = its critical value ½(tr Σ_YY − Σ_{j∈S*} λ_j) (AMG-values), exactly.
pub fn optimum(d: &[usize], sp: &Spectrum) -> (Vec<usize>, BigRational) {
    let top = optimum_set(d);
    let f = sp.critical_value(&top);
    (top, f)
}

/// S as {1,2,…} (1-based, as in claims.md).
pub fn set_label(s: &[usize]) -> String {
    format!(
        "{{{}}}",
        s.iter()
            .map(|j| (j + 1).to_string())
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// Classify a critical point by the rank criterion (claims.md, AMG-classify (i)–(iii) with the
/// chosen reading of (iii)) at a point evaluated on data X = `x`; `set` is S with P = U_SU_SᵀΦ.
/// Ranks and zero tests are the judge's.
pub fn class_by_rule<J: Judge>(
    j: &J,
    dims: &[usize],
    ev: &Evaluated<Scalar<J>>,
    x: &Mat<Scalar<J>>,
    set: &[usize],
    reading: Reading,
) -> Class {
    let f = j.field();
    let pt = &ev.partials;
    let rxt = mat::matmul_nt(f, &ev.residual, x);
    let l = dims.len() - 1;
    criterion(
        dims,
        set,
        reading,
        |from, to| j.rank(pt.prod(from, to)),
        |h1, h2| {
            let term = mat::matmul_nt(
                f,
                &mat::matmul_tn(f, pt.prod(h2, l), &rxt),
                pt.prod(0, h1 - 1),
            );
            j.nonzero("", std::slice::from_ref(&term)).is_some()
        },
    )
}

/// The rank criterion itself: `rank(from, to)` is rk W_{to}⋯W_{from+1} (code indices) and
/// `path_term_nonzero(h1, h2)` says whether W_{L:h2+1}ᵀ(PX − Y)XᵀW_{h1−1:1}ᵀ ≠ 0.
fn criterion(
    dims: &[usize],
    set: &[usize],
    reading: Reading,
    rank: impl Fn(usize, usize) -> usize,
    path_term_nonzero: impl Fn(usize, usize) -> bool,
) -> Class {
    let l = dims.len() - 1;
    let r = *dims.iter().min().expect("dims");
    let d_l = dims[l];
    let s = set.len();
    if set == (0..r.min(d_l)).collect::<Vec<_>>() {
        return Class::GlobalMinimizer;
    }
    if set != (0..s).collect::<Vec<_>>() {
        return Class::StrictSaddle;
    }
    match reading {
        Reading::Tightened => {
            // 1 ≤ h1 < h2 ≤ L−1: rk W_{h1:1} = rk W_{h2:h1+1} = rk W_{L:h2+1} = s
            let tightened = (1..l).any(|h1| {
                (h1 + 1..l).any(|h2| rank(0, h1) == s && rank(h1, h2) == s && rank(h2, l) == s)
            });
            if tightened {
                Class::NonStrictSaddle
            } else {
                Class::StrictSaddle
            }
        }
        Reading::Path => {
            // 1 ≤ h1 < h2 ≤ L: W_{L:h2+1}ᵀ R Xᵀ W_{h1−1:1}ᵀ ≠ 0 and rk W_{h2−1:h1+1} > s
            let strict = (1..=l)
                .any(|h1| (h1 + 1..=l).any(|h2| path_term_nonzero(h1, h2) && rank(h1, h2 - 1) > s));
            if strict {
                Class::StrictSaddle
            } else {
                Class::NonStrictSaddle
            }
        }
    }
}

/// Classify a point by certificates from the loss and Hessian alone, in this order: ∇f ≠ 0 (not
/// critical); f = f* (global minimizer, [`Classifier::optimum`]); otherwise, when the Hessian is
/// within the size limit, the second-order answer ([`Classifier::curvature`]: a negative curvature
/// makes a strict saddle, ∇²f ⪰ 0 with a descent curve a non-strict one). f > f* needs no
/// assertion: a negative curvature or a descent curve shows that the point is not a minimizer.
pub fn certify<C: Classifier>(c: &C, p: &C::Point, ev: &Evaluated<ScalarOf<C>>) -> Certificate {
    let f = c.judge().field();
    if let Some(why) = c.judge().nonzero("∇f", &linear::gradient(f, ev)) {
        return Certificate::decided(Class::NotCritical, why, Vec::new());
    }
    let critical = vec![Assertion::Critical];
    if let Some(answer) = c.optimum(&linear::loss(f, ev)) {
        return answer.after(critical);
    }
    let params = linear::offsets(c.weights(p)).last().copied().unwrap_or(0);
    let (limit, what) = c.hessian_limit();
    if params > limit {
        return Certificate::undecided(format!("P = {params} exceeds {what}"), false)
            .after(critical);
    }
    c.curvature(p, ev).after(critical)
}

/// A point classified both ways: its index set, the criterion's class in each reading, and the
/// certificate.
#[derive(Clone, Debug)]
pub struct Classified {
    /// S with |S| = rk P ([`Classifier::index_set`]).
    pub set: Vec<usize>,
    /// The criterion's class, reading (a) then (b).
    pub criterion: (Class, Class),
    /// The certificate's answer.
    pub certificate: Certificate,
}

impl Classified {
    /// The criterion's class in `reading`.
    pub fn by_rule(&self, reading: Reading) -> Class {
        match reading {
            Reading::Tightened => self.criterion.0,
            Reading::Path => self.criterion.1,
        }
    }
}

/// Classify a constructed critical point by the criterion (both readings) and by certificate.
pub fn classify<C: Classifier>(c: &C, dims: &[usize], p: &C::Point) -> Classified {
    let ev = evaluate(c, p);
    let set = c.index_set(p, &ev);
    let (j, x) = (c.judge(), c.data().0);
    Classified {
        criterion: (
            class_by_rule(j, dims, &ev, x, &set, Reading::Tightened),
            class_by_rule(j, dims, &ev, x, &set, Reading::Path),
        ),
        certificate: certify(c, p, &ev),
        set,
    }
}
