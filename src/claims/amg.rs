//! [AMG] Achour, Malgouyres & Gerchinovitz: critical points of the linear network (claims.md,
//! "[AMG]"), checked at the critical points constructed for every index set S (and at the case's
//! point when it is critical), each classified twice: by the rank criterion (two readings) and by
//! certificates computed from the Hessian itself.

use super::amg_mpfr;
use super::book::{matrix_json, Book};
use super::evidence::{aggregate, Evidence, Finding, Outcome};
use super::{not_applicable, CaseContext, Claim};
use crate::certify::estimate::Basis;
use crate::enumerate::coordinates;
use crate::enumerate::critical::{critical_points, descent_directions, index_sets, CriticalPoint};
use crate::enumerate::minimizers::{self, Point};
use crate::enumerate::spectrum::{spectrum, Spectrum, SpectrumError};
use crate::enumerate::spectrum_mpfr::{mpfr_spectrum, MpfrSpectrum, MpfrSpectrumError};
use crate::linalg::definite::{definiteness, Definiteness};
use crate::linalg::field::{f64_to_q, q_to_string};
use crate::linalg::mat::{self, rank_exact, Mat};
use crate::linalg::{eigen_f64, Exact};
use crate::model::linear;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use rand::SeedableRng;
use serde_json::json;

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

/// Rank of the exact product W_{to}⋯W_{from+1} (code indices; identity when from = to).
fn rank_of(pt: &linear::Partials<BigRational>, from: usize, to: usize) -> usize {
    rank_exact(pt.prod(from, to))
}

/// Classify a critical point by the rank criterion (claims.md, AMG-classify (i)–(iii) with the
/// chosen reading of (iii)). `set` is S with P = U_SU_SᵀΦ. Exact ranks and exact zero tests.
pub fn class_by_criterion(dims: &[usize], p: &Point, set: &[usize], reading: Reading) -> Class {
    let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
    let pt = &ev.partials;
    let rxt = mat::matmul_nt(&Exact, &ev.residual, &p.x);
    criterion(
        dims,
        set,
        reading,
        |from, to| rank_of(pt, from, to),
        |h1, h2| {
            let term = mat::matmul_nt(
                &Exact,
                &mat::matmul_tn(&Exact, pt.prod(h2, l_of(dims)), &rxt),
                pt.prod(0, h1 - 1),
            );
            !mat::is_zero_mat(&Exact, &term)
        },
    )
}

fn l_of(dims: &[usize]) -> usize {
    dims.len() - 1
}

/// The rank criterion itself, over any arithmetic: `rank(from, to)` is rk W_{to}⋯W_{from+1} (code
/// indices) and `path_term_nonzero(h1, h2)` says whether W_{L:h2+1}ᵀ(PX − Y)XᵀW_{h1−1:1}ᵀ ≠ 0.
pub(crate) fn criterion(
    dims: &[usize],
    set: &[usize],
    reading: Reading,
    rank: impl Fn(usize, usize) -> usize,
    path_term_nonzero: impl Fn(usize, usize) -> bool,
) -> Class {
    let l = l_of(dims);
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

/// Classify a point by certificates from the loss and Hessian alone, exactly: f = f* (global
/// minimizer); a rational v with vᵀ∇²f v < 0 (strict saddle); ∇²f ⪰ 0 by exact LDLᵀ, f > f*, and a
/// direction V whose curve f(W + tV) − f(W) has a negative lowest coefficient (non-strict saddle).
/// Returns the class (None when no certificate was found) and the certificate's book.
pub fn class_by_certificate(
    sp: &Spectrum,
    cp: &CriticalPoint,
    f_star: &BigRational,
    exact_limit: usize,
) -> (Option<Class>, Book, String) {
    let p = &cp.point;
    let mut book = Book::default();
    let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
    if !linear::gradient(&Exact, &ev)
        .iter()
        .all(|g| mat::is_zero_mat(&Exact, g))
    {
        return (Some(Class::NotCritical), book, "∇f ≠ 0 exactly".into());
    }
    book.assert(json!({"type": "critical"}));
    let f = linear::loss(&Exact, &ev);
    if &f == f_star {
        book.assert(json!({"type": "loss", "value": q_to_string(&f)}));
        return (
            Some(Class::GlobalMinimizer),
            book,
            format!("f = f* = {}", q_to_string(&f)),
        );
    }
    // f > f* needs no assertion: a negative curvature or a descent curve shows that the point
    // is not a minimizer
    let params = linear::offsets(&p.weights).last().copied().unwrap_or(0);
    if params > exact_limit {
        return (
            None,
            book,
            format!("P = {params} exceeds the exact limit {exact_limit}"),
        );
    }
    let h = linear::hessian(&Exact, &p.weights, &ev);
    let shape = |flat: &[BigRational]| -> Vec<Mat<BigRational>> {
        let off = linear::offsets(&p.weights);
        p.weights
            .iter()
            .enumerate()
            .map(|(k, w)| Mat::from_vec(w.rows(), w.cols(), flat[off[k]..off[k + 1]].to_vec()))
            .collect()
    };
    if let Ok(bottom) = eigen_f64::bottom_eigenpair(&mat::from_exact(&crate::linalg::F64, &h)) {
        let v: Vec<BigRational> = bottom
            .vector
            .iter()
            .map(|&x| f64_to_q(x).unwrap_or_else(BigRational::zero))
            .collect();
        let q = mat::dot(&Exact, &v, &mat::matvec(&Exact, &h, &v));
        if q.is_negative() {
            let dir = shape(&v);
            book.assert(json!({"type": "negative_curvature", "direction": dir.iter().map(matrix_json).collect::<Vec<_>>(), "value": q_to_string(&q)}));
            return (
                Some(Class::StrictSaddle),
                book,
                format!("vᵀ∇²f v = {:.6e} < 0", crate::linalg::field::q_to_f64(&q)),
            );
        }
    }
    match definiteness(&h) {
        Definiteness::NotPositiveSemidefinite => {
            (None, book, "∇²f is not PSD (exact LDLᵀ) but the f64 eigenvector gave no rational negative direction".into())
        }
        _ => {
            book.assert(json!({"type": "hessian_psd"}));
            for dir in descent_directions(sp, &cp.set, &p.weights) {
                let c = linear::loss_polynomial(&p.weights, &dir, &p.x, &p.y);
                if let Some((order, first)) = c.iter().enumerate().skip(1).find(|(_, x)| !x.is_zero()) {
                    if first.is_negative() {
                        book.assert(json!({
                            "type": "descent_curve",
                            "direction": dir.iter().map(matrix_json).collect::<Vec<_>>(),
                            "coefficients": c[1..].iter().map(q_to_string).collect::<Vec<_>>(),
                        }));
                        return (Some(Class::NonStrictSaddle), book, format!("∇²f ⪰ 0 and f decreases at order {order} along the curve"));
                    }
                }
            }
            (None, book, "∇²f ⪰ 0 and f > f*, but no descent curve was found among the extension directions".into())
        }
    }
}

/// An outcome of the exact path: its undecided points are not a matter of precision, so the
/// runner does not retry it ([`Claim::escalates`] concerns the MPFR path).
fn exact_outcome(mut o: Outcome) -> Outcome {
    o.undecided_points = false;
    o
}

/// Σ's spectrum: exact when every eigenvalue is rational, else certified in MPFR.
pub enum Problem {
    /// Rational spectrum: exact critical points and certificates.
    Exact(Spectrum),
    /// Irrational spectrum: MPFR critical points checked against a stated bound.
    Mpfr(MpfrSpectrum),
}

/// The spectrum of the case, or the reason the [AMG] claims do not apply.
pub fn problem(ctx: &CaseContext) -> Result<Problem, Outcome> {
    let c = ctx.case;
    if c.kind != crate::case::ModelKind::Linear {
        return Err(not_applicable(ctx.field_error(
            "model.kind",
            "the [AMG] claims concern the linear network",
        )));
    }
    let out_of_scope = |e: String| Outcome::inconclusive(format!("out of scope: {e}"));
    match spectrum(&c.x, &c.y, ctx.settings.prec) {
        Ok(sp) => Ok(Problem::Exact(sp)),
        Err(SpectrumError::SingularX) => Err(not_applicable(
            ctx.field_error("data.x", SpectrumError::SingularX.to_string()),
        )),
        Err(SpectrumError::Irrational(_)) => mpfr_spectrum(&c.x, &c.y, ctx.settings.prec)
            .map(Problem::Mpfr)
            .map_err(|e| {
                let separable = matches!(e, MpfrSpectrumError::NotSeparated(..));
                let mut o = out_of_scope(e.to_string());
                // eigenvalues not separated at this precision may be at a higher one
                o.undecided_points = separable;
                o
            }),
        Err(other) => Err(out_of_scope(other.to_string())),
    }
}

/// The exact spectrum, or the outcome for a claim that needs one.
fn exact_problem(ctx: &CaseContext, what: &str) -> Result<Spectrum, Outcome> {
    match problem(ctx)? {
        Problem::Exact(sp) => Ok(sp),
        Problem::Mpfr(sp) => Err(Outcome::inconclusive(format!(
            "out of scope: Σ has irrational eigenvalues ({}), and {what}",
            (0..sp.eigenvalues.len())
                .map(|j| sp.describe(j))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The index set the criterion uses, with |S| = rk P: {j : u_jᵀP ≠ 0}. A constructed S may also
/// list eigenvectors with λ_j = 0, which leave P unchanged.
pub fn canonical_set(sp: &Spectrum, cp: &CriticalPoint) -> Vec<usize> {
    let ev = linear::evaluate(&Exact, &cp.point.weights, &cp.point.x, &cp.point.y);
    sp.index_set_of(ev.partials.product())
        .unwrap_or_else(|| cp.set.clone())
}

/// Every constructed critical point, and the case's point when it is critical.
/// With `generate.critical_points.per_set: K`, each constructed point is followed by K seeded
/// changes of basis W_i ↦ G_i W_i G_{i−1}⁻¹ (f is invariant, so criticality, value and rank profile
/// are kept while the coordinates are no longer aligned).
pub fn all_critical_points(c: &crate::case::Case, sp: &Spectrum, seed: u64) -> Vec<CriticalPoint> {
    let r = *c.dims.iter().min().expect("dims");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for set in index_sets(c.dims[c.dims.len() - 1], r) {
        for cp in critical_points(&c.dims, sp, &set, &c.x, &c.y) {
            for k in 0..c.generate.critical_points_per_set.unwrap_or(0) {
                let weights = minimizers::random_transform(&mut rng, &cp.point.weights, false);
                let origin = format!("{}, change of basis #{k} (seed {seed})", cp.point.origin);
                let point = Point {
                    weights,
                    origin,
                    ..cp.point.clone()
                };
                out.push(CriticalPoint {
                    point,
                    set: cp.set.clone(),
                });
            }
            out.push(cp);
        }
    }
    if let Some(ws) = &c.point {
        let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
        if let Some(set) = sp.index_set_of(ev.partials.product()) {
            let point = Point {
                weights: ws.clone(),
                x: c.x.clone(),
                y: c.y.clone(),
                exact: true,
                origin: "the case's point".into(),
            };
            out.push(CriticalPoint { point, set });
        }
    }
    out
}

/// S* = {1, …, min(r, d_L)} (0-based indices).
pub fn optimum_set(d: &[usize]) -> Vec<usize> {
    (0..(*d.iter().min().expect("dims")).min(d[d.len() - 1])).collect()
}

/// S* and f* = its critical value.
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

fn classify_check(claim: &str, ctx: &CaseContext, reading: Reading) -> Outcome {
    let sp = match problem(ctx) {
        Ok(Problem::Exact(sp)) => sp,
        Ok(Problem::Mpfr(sp)) => return amg_mpfr::classify(ctx, &sp, reading),
        Err(o) => return o,
    };
    let (_, f_star) = optimum(&ctx.case.dims, &sp);
    let findings = all_critical_points(ctx.case, &sp, ctx.seed)
        .iter()
        .map(|cp| {
            let product = linear::evaluate(&Exact, &cp.point.weights, &cp.point.x, &cp.point.y)
                .partials
                .product()
                .clone();
            let set = sp.index_set_of(&product).unwrap_or_else(|| cp.set.clone());
            let by_rule = class_by_criterion(&ctx.case.dims, &cp.point, &set, reading);
            let (by_cert, book, detail) =
                class_by_certificate(&sp, cp, &f_star, ctx.settings.exact_limit);
            let mut ev = Evidence {
                values: Default::default(),
                certificate: book.certificate(claim, &cp.point),
            };
            ev.values.insert("index_set".into(), json!(set_label(&set)));
            let finding = classification(ev, by_rule, by_cert, &detail, Basis::Exact);
            (
                format!("{} [S = {}]", cp.point.origin, set_label(&cp.set)),
                finding,
            )
        })
        .collect();
    exact_outcome(aggregate(findings))
}

/// The finding of a classification check: the classes and the certificate's detail in the
/// evidence; holds when the certificate's class is the criterion's, fails when it is another,
/// undecided without a certificate.
pub(crate) fn classification(
    mut ev: Evidence,
    by_rule: Class,
    by_cert: Option<Class>,
    detail: &str,
    basis: Basis,
) -> Finding {
    ev.values.set_classes(
        by_rule.as_str(),
        by_cert.map_or("undetermined", Class::as_str),
        detail,
    );
    match by_cert {
        None => Finding::Undecided(format!("no certificate: {detail}"), ev),
        Some(c) if c == by_rule => Finding::Holds(basis, ev),
        Some(c) => Finding::Fails(
            basis,
            ev,
            format!(
                "the criterion says {} but the {} certificate says {} ({detail})",
                by_rule.as_str(),
                basis.as_str(),
                c.as_str()
            ),
        ),
    }
}

/// Claim AMG-classify.
pub struct AmgClassify;
impl Claim for AmgClassify {
    fn id(&self) -> &'static str {
        "AMG-classify"
    }
    fn source(&self) -> &'static str {
        "[AMG] as restated (hypothesis)"
    }
    fn statement(&self) -> &'static str {
        "Critical points: S = {1..min(r,d_L)} ⇔ global minimizer; S ≠ {1..s} ⇒ strict saddle; S = {1..s}, s < r: non-strict iff tightened (rk W_{h1:1} = rk W_{h2:h1+1} = rk W_{L:h2+1} = s for some 1 ≤ h1 < h2 ≤ L−1)."
    }
    /// On an irrational spectrum the MPFR path leaves points undecided when the bounds at this
    /// precision are too wide (eigenvalues or critical values not separated): twice the precision
    /// may decide them.
    fn escalates(&self) -> bool {
        true
    }
    fn check(&self, ctx: &CaseContext) -> Outcome {
        classify_check(self.id(), ctx, Reading::Tightened)
    }
}

/// Claim AMG-classify-path.
pub struct AmgClassifyPath;
impl Claim for AmgClassifyPath {
    fn id(&self) -> &'static str {
        "AMG-classify-path"
    }
    fn source(&self) -> &'static str {
        "derived (second reading)"
    }
    fn statement(&self) -> &'static str {
        "As AMG-classify, but for S = {1..s}, s < r: strict iff for some 1 ≤ h1 < h2 ≤ L, W_{L:h2+1}ᵀ(PX−Y)XᵀW_{h1−1:1}ᵀ ≠ 0 and rk W_{h2−1:h1+1} > s."
    }
    /// On an irrational spectrum the MPFR path leaves points undecided when the bounds at this
    /// precision are too wide (eigenvalues or critical values not separated): twice the precision
    /// may decide them.
    fn escalates(&self) -> bool {
        true
    }
    fn check(&self, ctx: &CaseContext) -> Outcome {
        classify_check(self.id(), ctx, Reading::Path)
    }
}

/// Claim AMG-values.
pub struct AmgValues;
impl Claim for AmgValues {
    fn id(&self) -> &'static str {
        "AMG-values"
    }
    fn source(&self) -> &'static str {
        "[AMG]"
    }
    fn statement(&self) -> &'static str {
        "The critical values are ½(tr Σ_YY − Σ_{j∈S} λ_j) for S ⊆ {1..d_L}, |S| ≤ r, each attained by some critical point."
    }
    /// On an irrational spectrum the MPFR path leaves points undecided when the bounds at this
    /// precision are too wide (eigenvalues or critical values not separated): twice the precision
    /// may decide them.
    fn escalates(&self) -> bool {
        true
    }
    fn check(&self, ctx: &CaseContext) -> Outcome {
        let sp = match problem(ctx) {
            Ok(Problem::Exact(sp)) => sp,
            Ok(Problem::Mpfr(sp)) => return amg_mpfr::values(ctx, &sp),
            Err(o) => return o,
        };
        let c = ctx.case;
        let r = *c.dims.iter().min().expect("dims");
        let findings = index_sets(c.dims[c.dims.len() - 1], r)
            .into_iter()
            .map(|set| {
                let want = sp.critical_value(&set);
                let pts = critical_points(&c.dims, &sp, &set, &c.x, &c.y);
                let mut ev = Evidence::default();
                ev.values.insert("index_set".into(), json!(set_label(&set)));
                ev.values
                    .insert("critical_value".into(), json!(q_to_string(&want)));
                ev.values.insert("critical_points".into(), json!(pts.len()));
                let label = format!("S = {}", set_label(&set));
                let Some(first) = pts.first() else {
                    return (
                        label,
                        Finding::Undecided(
                            "no critical point was constructed for this S".into(),
                            ev,
                        ),
                    );
                };
                let mut book = Book::default();
                book.assert(json!({"type": "critical"}));
                book.assert(json!({"type": "loss", "value": q_to_string(&want)}));
                ev.certificate = book.certificate(self.id(), &first.point);
                let bad = pts.iter().find(|p| {
                    linear::loss(
                        &Exact,
                        &linear::evaluate(&Exact, &p.point.weights, &c.x, &c.y),
                    ) != want
                });
                let finding = match bad {
                    None => Finding::Holds(Basis::Exact, ev),
                    Some(p) => Finding::Fails(
                        Basis::Exact,
                        ev,
                        format!(
                            "{} is critical with a value other than {}",
                            p.point.origin,
                            q_to_string(&want)
                        ),
                    ),
                };
                (label, finding)
            })
            .collect();
        exact_outcome(aggregate(findings))
    }
}

/// Claim AMG-product.
pub struct AmgProduct;
impl Claim for AmgProduct {
    fn id(&self) -> &'static str {
        "AMG-product"
    }
    fn source(&self) -> &'static str {
        "[AMG]"
    }
    fn statement(&self) -> &'static str {
        "At every critical point, P = U_S U_Sᵀ Φ for some S."
    }
    /// On an irrational spectrum the MPFR path leaves points undecided when the bounds at this
    /// precision are too wide (eigenvalues or critical values not separated): twice the precision
    /// may decide them.
    fn escalates(&self) -> bool {
        true
    }
    fn check(&self, ctx: &CaseContext) -> Outcome {
        let sp = match problem(ctx) {
            Ok(Problem::Exact(sp)) => sp,
            Ok(Problem::Mpfr(sp)) => return amg_mpfr::product(ctx, &sp),
            Err(o) => return o,
        };
        let c = ctx.case;
        let mut pts: Vec<Point> = all_critical_points(ctx.case, &sp, ctx.seed)
            .into_iter()
            .map(|cp| cp.point)
            .collect();
        // the case's point counts whenever it is critical, whatever its product
        if let Some(ws) = &c.point {
            let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
            let critical = linear::gradient(&Exact, &ev)
                .iter()
                .all(|g| mat::is_zero_mat(&Exact, g));
            if critical && sp.index_set_of(ev.partials.product()).is_none() {
                pts.push(Point {
                    weights: ws.clone(),
                    x: c.x.clone(),
                    y: c.y.clone(),
                    exact: true,
                    origin: "the case's point".into(),
                });
            }
        }
        let findings = pts
            .iter()
            .map(|p| {
                let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
                // the certificate: the point is critical (the verifier recomputes P's form)
                let mut book = Book::default();
                book.assert(json!({"type": "critical"}));
                let mut e = Evidence {
                    values: Default::default(),
                    certificate: book.certificate(self.id(), p),
                };
                let finding = match sp.index_set_of(ev.partials.product()) {
                    Some(s) => {
                        e.values.insert("index_set".into(), json!(set_label(&s)));
                        Finding::Holds(Basis::Exact, e)
                    }
                    None => Finding::Fails(
                        Basis::Exact,
                        e,
                        "a critical point whose product is not U_S U_Sᵀ Φ for any S".into(),
                    ),
                };
                (p.origin.clone(), finding)
            })
            .collect();
        exact_outcome(aggregate(findings))
    }
}

/// The point with 1e-6 added to every entry and each entry rounded to the nearest f64: a stand-in
/// for a minimizer reached by gradient descent.
fn perturbed(ws: &[Mat<BigRational>]) -> Vec<Mat<BigRational>> {
    ws.iter()
        .map(|w| {
            w.map(|x| {
                f64_to_q(crate::linalg::field::q_to_f64(x) + 1e-6)
                    .expect("a small rational plus 1e-6 is finite")
            })
        })
        .collect()
}

/// Claim AMG-minimizers.
pub struct AmgMinimizers;
impl Claim for AmgMinimizers {
    fn id(&self) -> &'static str {
        "AMG-minimizers"
    }
    fn source(&self) -> &'static str {
        "[AMG]"
    }
    fn statement(&self) -> &'static str {
        "W is a global minimizer iff P = U_{S*}U_{S*}ᵀΦ with S* = {1..min(r, d_L)}; minimizers are parameterized by changes of basis between layers."
    }
    fn check(&self, ctx: &CaseContext) -> Outcome {
        let sp = match exact_problem(
            ctx,
            "the minimizers are generated exactly from a rational U_{S*}U_{S*}ᵀΦ",
        ) {
            Ok(sp) => sp,
            Err(o) => return o,
        };
        let c = ctx.case;
        let (top, f_star) = optimum(&ctx.case.dims, &sp);
        let target = sp.product_for(&top);
        let mut findings = Vec::new();
        // (⇐) minimizers generated from the parameterization: f = f* exactly
        match minimizers::base_minimizer(&c.dims, &target) {
            Err(m) => return not_applicable(ctx.field_error("model.dims", m)),
            Ok(base) => {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(ctx.seed);
                let count = c.generate.minimizers.unwrap_or(4);
                for i in 0..=count {
                    let ws = match i {
                        0 => base.clone(),
                        _ if i % 3 == 0 => {
                            let moved = minimizers::random_transform(&mut rng, &base, false);
                            minimizers::add_free_blocks(&mut rng, &moved)
                        }
                        _ => minimizers::random_transform(&mut rng, &base, i % 2 == 0),
                    };
                    let ev = linear::evaluate(&Exact, &ws, &c.x, &c.y);
                    let f = linear::loss(&Exact, &ev);
                    let point = Point {
                        weights: ws,
                        x: c.x.clone(),
                        y: c.y.clone(),
                        exact: true,
                        origin: format!("parameterized minimizer #{i} (seed {})", ctx.seed),
                    };
                    let mut book = Book::default();
                    book.assert(json!({"type": "critical"}));
                    book.assert(json!({"type": "loss", "value": q_to_string(&f_star)}));
                    let mut e = Evidence {
                        values: Default::default(),
                        certificate: book.certificate(self.id(), &point),
                    };
                    e.values.insert("loss".into(), json!(q_to_string(&f)));
                    e.values
                        .insert("f_star".into(), json!(q_to_string(&f_star)));
                    // the inverse map for any widths, and the exact projection of this
                    // minimizer perturbed by 1e-6 and rounded to f64 (as gradient descent would
                    // leave it) back onto the minimizers
                    let round_trip = coordinates::to_coordinates(&point.weights, &target)
                        .and_then(|co| coordinates::from_coordinates(&co, &target))
                        .map(|back| back == point.weights);
                    let projected = coordinates::project(&perturbed(&point.weights), &target)
                        .map(|p| linear::loss(&Exact, &linear::evaluate(&Exact, &p, &c.x, &c.y)));
                    e.values.insert(
                        "inverse_map_round_trip".into(),
                        json!(round_trip.as_ref().ok()),
                    );
                    e.values.insert(
                        "projected_perturbation_loss".into(),
                        json!(projected.as_ref().ok().map(q_to_string)),
                    );
                    let finding = if round_trip != Ok(true) {
                        Finding::Fails(
                            Basis::Exact,
                            e,
                            format!(
                                "the inverse map does not return the minimizer: {}",
                                round_trip
                                    .err()
                                    .map_or("a different point".into(), |x| x.to_string())
                            ),
                        )
                    } else if projected.as_ref() != Ok(&f_star) {
                        Finding::Fails(
                            Basis::Exact,
                            e,
                            "the projection of a perturbed minimizer is not a minimizer".into(),
                        )
                    } else if f == f_star && ev.partials.product() == &target {
                        Finding::Holds(Basis::Exact, e)
                    } else {
                        Finding::Fails(
                            Basis::Exact,
                            e,
                            format!("a parameterized point has f = {} ≠ f*", q_to_string(&f)),
                        )
                    };
                    findings.push((point.origin.clone(), finding));
                }
            }
        }
        // (⇒) a constructed critical point reaches f* exactly when its product is U_{S*}U_{S*}ᵀΦ
        for cp in all_critical_points(ctx.case, &sp, ctx.seed) {
            let ev = linear::evaluate(&Exact, &cp.point.weights, &c.x, &c.y);
            let f = linear::loss(&Exact, &ev);
            let at_target = ev.partials.product() == &target;
            // the certificate: a critical point (the verifier recomputes whether it reaches f*)
            let mut book = Book::default();
            book.assert(json!({"type": "critical"}));
            if f == f_star {
                book.assert(json!({"type": "loss", "value": q_to_string(&f)}));
            }
            let mut e = Evidence {
                values: Default::default(),
                certificate: book.certificate(self.id(), &cp.point),
            };
            e.values
                .insert("index_set".into(), json!(set_label(&cp.set)));
            e.values.insert("loss".into(), json!(q_to_string(&f)));
            let finding = if (f == f_star) == at_target {
                Finding::Holds(Basis::Exact, e)
            } else {
                Finding::Fails(
                    Basis::Exact,
                    e,
                    "f = f* does not coincide with P = U_{S*}U_{S*}ᵀΦ".into(),
                )
            };
            findings.push((
                format!("{} [S = {}]", cp.point.origin, set_label(&cp.set)),
                finding,
            ));
        }
        aggregate(findings)
    }
}
