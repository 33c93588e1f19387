//! The two arithmetics of the \[AMG\] classification ([`super::classify`]): exact rationals when Σ's
//! spectrum is rational ([`Exact`] as a [`Judge`], [`ExactAmg`]), MPFR with proven enclosures
//! otherwise ([`MpfrJudge`], [`MpfrAmg`]).

use super::classify::{
    certify, class_by_rule, evaluate, optimum_set, set_label, Assertion, Certificate, Class,
    Classifier, Judge, Reading,
};
use super::critical::{descent_directions, index_sets, CriticalPoint, MpfrCriticalPoint};
use super::minimizers::Point;
use super::spectrum::Spectrum;
use super::spectrum_mpfr::MpfrSpectrum;
use crate::certify::estimate::Basis;
use crate::certify::lambda_max::PROVEN_MPFR_LIMIT;
use crate::linalg::definite::{definiteness, Definiteness};
use crate::linalg::field::{f64_to_q, mpfr_decimal, q_to_f64, q_to_string};
use crate::linalg::mat::{self, rank_exact, Mat};
use crate::linalg::rank;
use crate::linalg::{eigen_f64, eigen_mpfr, Exact, Interval, Ival, Mpfr, F64};
use crate::model::linear::{self, Evaluated};
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use rug::float::Round;
use rug::Float;

/// The exact judge: exact ranks, exact zero tests; what it decides is proved.
impl Judge for Exact {
    type F = Exact;
    fn field(&self) -> &Exact {
        self
    }
    fn basis(&self) -> Basis {
        Basis::Exact
    }
    fn rank(&self, m: &Mat<BigRational>) -> usize {
        rank_exact(m)
    }
    fn nonzero(&self, name: &str, ms: &[Mat<BigRational>]) -> Option<String> {
        (!ms.iter().all(|m| mat::is_zero_mat(&Exact, m))).then(|| format!("{name} ≠ 0 exactly"))
    }
    fn show(&self, v: &BigRational) -> String {
        q_to_string(v)
    }
}

/// The \[AMG\] problem with a rational spectrum, decided exactly: f = f* exactly, and second-order
/// certificates a verifier re-checks exactly (a rational negative-curvature direction, or ∇²f ⪰ 0
/// by exact LDLᵀ with a descent curve along an extension direction of [`descent_directions`]).
#[derive(Clone, Debug)]
pub struct ExactAmg {
    /// Σ's exact spectrum.
    pub spectrum: Spectrum,
    /// f* = ½(tr Σ_YY − Σ_{j∈S*} λ_j).
    pub f_star: BigRational,
    /// X.
    pub x: Mat<BigRational>,
    /// Y.
    pub y: Mat<BigRational>,
    /// The largest number of parameters whose exact Hessian is formed.
    pub exact_limit: usize,
}

impl Classifier for ExactAmg {
    type J = Exact;
    type Point = CriticalPoint;
    fn judge(&self) -> &Exact {
        &Exact
    }
    fn data(&self) -> (&Mat<BigRational>, &Mat<BigRational>) {
        (&self.x, &self.y)
    }
    fn weights<'p>(&self, p: &'p CriticalPoint) -> &'p [Mat<BigRational>] {
        &p.point.weights
    }
    fn origin<'p>(&self, p: &'p CriticalPoint) -> &'p str {
        &p.point.origin
    }
    /// {j : u_jᵀP ≠ 0}; a constructed S may also list eigenvectors with λ_j = 0, which leave P
    /// unchanged.
    fn index_set(&self, p: &CriticalPoint, ev: &Evaluated<BigRational>) -> Vec<usize> {
        self.spectrum
            .index_set_of(ev.partials.product())
            .unwrap_or_else(|| p.set.clone())
    }
    fn optimum(&self, f: &BigRational) -> Option<Certificate> {
        (f == &self.f_star).then(|| {
            Certificate::decided(
                Class::GlobalMinimizer,
                format!("f = f* = {}", q_to_string(f)),
                vec![Assertion::Loss(f.clone())],
            )
        })
    }
    fn hessian_limit(&self) -> (usize, String) {
        let n = self.exact_limit;
        (n, format!("the exact limit {n}"))
    }
    /// A rational v with vᵀ∇²f v < 0 (rounded from the f64 bottom eigenvector) makes a strict
    /// saddle; else ∇²f ⪰ 0 by exact LDLᵀ and a direction V whose curve f(W + tV) − f(W) has a
    /// negative lowest coefficient make a non-strict one.
    fn curvature(&self, cp: &CriticalPoint, ev: &Evaluated<BigRational>) -> Certificate {
        let p = &cp.point;
        let h = linear::hessian(&Exact, &p.weights, ev);
        let shape = |flat: &[BigRational]| -> Vec<Mat<BigRational>> {
            let off = linear::offsets(&p.weights);
            p.weights
                .iter()
                .enumerate()
                .map(|(k, w)| Mat::from_vec(w.rows(), w.cols(), flat[off[k]..off[k + 1]].to_vec()))
                .collect()
        };
        if let Ok(bottom) = eigen_f64::bottom_eigenpair(&mat::from_exact(&F64, &h)) {
            let v: Vec<BigRational> = bottom
                .vector
                .iter()
                .map(|&x| f64_to_q(x).unwrap_or_else(BigRational::zero))
                .collect();
            let q = mat::dot(&Exact, &v, &mat::matvec(&Exact, &h, &v));
            if q.is_negative() {
                return Certificate::decided(
                    Class::StrictSaddle,
                    format!("vᵀ∇²f v = {:.6e} < 0", q_to_f64(&q)),
                    vec![Assertion::NegativeCurvature {
                        direction: shape(&v),
                        value: q,
                    }],
                );
            }
        }
        if definiteness(&h) == Definiteness::NotPositiveSemidefinite {
            return Certificate::undecided(
                "∇²f is not PSD (exact LDLᵀ) but the f64 eigenvector gave no rational negative \
                 direction"
                    .into(),
                false,
            );
        }
        let descent = |dir: Vec<Mat<BigRational>>, along: &str| {
            let c = linear::loss_polynomial(&p.weights, &dir, &p.x, &p.y);
            let (order, first) = c.iter().enumerate().skip(1).find(|(_, x)| !x.is_zero())?;
            // an odd lowest order decreases along −V when it increases along V
            let (dir, c) = match (first.is_negative(), order % 2 == 1) {
                (true, _) => (dir, c),
                (false, true) => (
                    dir.iter().map(|m| m.map(|x| -x)).collect(),
                    c.iter()
                        .enumerate()
                        .map(|(k, x)| if k % 2 == 1 { -x } else { x.clone() })
                        .collect(),
                ),
                (false, false) => return None,
            };
            Some(Certificate::decided(
                Class::NonStrictSaddle,
                format!("∇²f ⪰ 0 and f decreases at order {order} along {along}"),
                vec![
                    Assertion::HessianPsd,
                    Assertion::DescentCurve {
                        direction: dir,
                        coefficients: c[1..].to_vec(),
                    },
                ],
            ))
        };
        let extension = descent_directions(&self.spectrum, &cp.set, &p.weights)
            .into_iter()
            .find_map(|dir| descent(dir, "the curve"));
        if let Some(found) = extension {
            return found;
        }
        let kernel = kernel_directions(&h)
            .into_iter()
            .find_map(|v| descent(shape(&v), "a direction of ker ∇²f"));
        if let Some(found) = kernel {
            return found;
        }
        let mut open = Certificate::undecided(
            "∇²f ⪰ 0 and f > f*, but no descent curve was found among the extension directions \
             and the tried directions of ker ∇²f"
                .into(),
            false,
        );
        open.assertions.push(Assertion::HessianPsd);
        open
    }
}

/// How many random combinations of ker ∇²f's basis [`kernel_directions`] offers after the sum.
const KERNEL_TRIES: usize = 16;

/// Candidate descent directions in ker ∇²f (exact null space), for a point with ∇²f ⪰ 0 where no
/// extension direction descends. Along V ∈ ker ∇²f the curve f(W + tV) − f(W) has c_1 = ⟨∇f, V⟩
/// = 0 and c_2 = ½Vᵀ∇²fV = 0, so its lowest nonzero coefficient c_k has k ≥ 3, and when k is odd
/// V or −V descends. A single basis vector moves one parameter, while the lowest term usually
/// needs several layers moved at once (e.g. δ_3δ_2δ_1 when W_1, W_2, W_3 vanish), so the
/// candidates are generic elements of the kernel: the sum of the basis, then [`KERNEL_TRIES`]
/// combinations with coefficients drawn from ±1, ±2, ±3 by a fixed seed (deterministic).
fn kernel_directions(h: &Mat<BigRational>) -> Vec<Vec<BigRational>> {
    use rand::{Rng, SeedableRng};
    let basis = mat::null_space(h);
    let Some(first) = basis.first() else {
        return Vec::new();
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6b65_726e);
    let combination = |coef: &mut dyn FnMut() -> i64| -> Vec<BigRational> {
        basis
            .iter()
            .fold(vec![BigRational::zero(); first.len()], |acc, v| {
                let c = BigRational::from_integer(coef().into());
                acc.iter().zip(v).map(|(a, x)| a + &c * x).collect()
            })
    };
    let mut out = vec![combination(&mut || 1)];
    for _ in 0..KERNEL_TRIES {
        out.push(combination(&mut || {
            let c: i64 = rng.gen_range(1..=3);
            if rng.gen_bool(0.5) {
                c
            } else {
                -c
            }
        }));
    }
    out
}

/// The index set the criterion uses at `cp`, with |S| = rk P ([`ExactAmg::index_set`]).
pub fn canonical_set(sp: &Spectrum, cp: &CriticalPoint) -> Vec<usize> {
    let ev = linear::evaluate(&Exact, &cp.point.weights, &cp.point.x, &cp.point.y);
    sp.index_set_of(ev.partials.product())
        .unwrap_or_else(|| cp.set.clone())
}

/// The rank criterion at an exact point ([`class_by_rule`] with exact ranks).
pub fn class_by_criterion(dims: &[usize], p: &Point, set: &[usize], reading: Reading) -> Class {
    let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
    class_by_rule(&Exact, dims, &ev, &p.x, set, reading)
}

/// The exact certificate at `cp` ([`certify`] on the exact problem): the class (None when no
/// certificate was found), the assertions proving it, and what it rests on.
pub fn class_by_certificate(
    sp: &Spectrum,
    cp: &CriticalPoint,
    f_star: &BigRational,
    exact_limit: usize,
) -> (Option<Class>, Vec<Assertion>, String) {
    let problem = ExactAmg {
        spectrum: sp.clone(),
        f_star: f_star.clone(),
        x: cp.point.x.clone(),
        y: cp.point.y.clone(),
        exact_limit,
    };
    let c = certify(&problem, cp, &evaluate(&problem, cp));
    (c.class, c.assertions, c.detail)
}

/// The bound τ = 2^(−prec/2)·(1 + ‖Φ‖_F + ‖X‖_F + ‖Y‖_F)^(2L+2) that MPFR figures at constructed
/// points are checked against (gradient norm, loss against the critical value, product against
/// U_SU_SᵀΦ). Why it is safe: each such figure is a sum of products of at most 2L + 2 factors, one
/// of them an eigen-residual (≤ the certified radii, themselves ≥ 2^(−prec/2)-margin only when the
/// residual is tiny) or a rounding error of relative size 2^(−prec), and the others bounded by the
/// norms above (U_S is orthonormal, the middle layers are 0/1 matrices). The lane and
/// borrowed-slot points have other factors (scalars ±n/d, n, d ≤ 3, and changes of basis), which
/// the margin 2^(−prec/2) covers by far at the depths and widths built here; they are kept only
/// when ‖∇f‖ ≤ τ is measured ([`MpfrAmg::critical_to_bound`]), never assumed.
pub fn tolerance(
    prec: u32,
    phi: &Mat<BigRational>,
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
    depth: usize,
) -> Float {
    let mp = Mpfr { prec };
    let norm = |m: &Mat<BigRational>| mat::frob2(&mp, &mat::from_exact(&mp, m)).sqrt();
    let scale = Float::with_val(prec, norm(phi) + norm(x)) + norm(y) + 1u32;
    use rug::ops::Pow;
    Float::with_val(prec, scale.pow(2 * depth as u32 + 2)) >> (prec as i32 / 2)
}

/// The MPFR judge: numerical ranks, and matrices nonzero beyond the bound τ of [`tolerance`]
/// (the constructed points are critical only to τ, a stated bound), so what it decides rests on
/// `Basis::Mpfr` (numerical).
#[derive(Clone, Debug)]
pub struct MpfrJudge {
    /// The working arithmetic.
    pub mp: Mpfr,
    /// The bound τ.
    pub tau: Float,
}

impl MpfrJudge {
    /// (Σ_k ‖M_k‖²_F)^½ in MPFR.
    pub fn norm(&self, ms: &[Mat<Float>]) -> Float {
        ms.iter()
            .fold(Float::with_val(self.mp.prec, 0.0), |acc, m| {
                acc + mat::frob2(&self.mp, m)
            })
            .sqrt()
    }
}

impl Judge for MpfrJudge {
    type F = Mpfr;
    fn field(&self) -> &Mpfr {
        &self.mp
    }
    fn basis(&self) -> Basis {
        Basis::Mpfr
    }
    fn rank(&self, m: &Mat<Float>) -> usize {
        rank::numerical_mpfr(m, self.mp.prec)
    }
    /// Nonzero beyond the bound τ.
    fn nonzero(&self, name: &str, ms: &[Mat<Float>]) -> Option<String> {
        let n = self.norm(ms);
        (n > self.tau).then(|| format!("‖{name}‖ = {:e} > τ = {:e}", n.to_f64(), self.tau.to_f64()))
    }
    fn show(&self, v: &Float) -> String {
        mpfr_decimal(v)
    }
}

/// The \[AMG\] problem with an irrational spectrum, in MPFR (claims.md: "exact when Σ has rational
/// spectrum, MPFR otherwise"). Σ's eigenvalue
/// radii, the critical values' enclosures and the enclosure of λ_min(∇²f) are proven (interval
/// arithmetic with directed rounding); the points themselves are critical only to the stated bound
/// τ ([`tolerance`]), so its classes rest on `Basis::Mpfr` (numerical).
///
/// What it decides: not critical when ‖∇f‖ > τ; a global minimizer only when f ± τ meets the
/// proven enclosure of f* and no other critical value's ([`MpfrSpectrum::critical_value_enclosure`]):
/// a critical value ½(tr Σ_YY − Σ_{j∈T} λ_j), |T| ≤ r, equals f* exactly iff T and S* agree outside
/// the indices of zero eigenvalues (the λ_j are proven distinct and ≥ 0, so a T that misses an
/// index i ∈ S* with λ_i > 0 has Σ_T λ < Σ_{S*} λ), and only those other values must be separated
/// from f; a strict saddle when ∇²f at the point (formed in interval arithmetic, so it encloses the
/// exact Hessian there) has an eigenvalue below some x ≤ −τ, proven by the inertia count of
/// [`eigen_mpfr::proven_count_below`] at x = λ̃/k, k = 2, 3, 4, for the approximation λ̃ of λ_min.
/// Otherwise undecided: values not separated at this precision may be at a higher one; ∇²f ⪰ 0
/// with zero eigenvalues (a non-strict saddle) cannot be proven in floating point.
#[derive(Clone, Debug)]
pub struct MpfrAmg {
    /// Σ's certified MPFR spectrum.
    pub spectrum: MpfrSpectrum,
    /// The judge: MPFR at the spectrum's precision, with the bound τ of [`tolerance`].
    pub judge: MpfrJudge,
    /// X at the working precision.
    pub x: Mat<Float>,
    /// Y at the working precision.
    pub y: Mat<Float>,
    x_exact: Mat<BigRational>,
    y_exact: Mat<BigRational>,
    dims: Vec<usize>,
    limit: usize,
}

impl MpfrAmg {
    /// The problem for data X, Y, widths `dims`, forming interval Hessians up to `mpfr_limit`
    /// parameters (and never beyond [`PROVEN_MPFR_LIMIT`]).
    pub fn new(
        spectrum: MpfrSpectrum,
        x: &Mat<BigRational>,
        y: &Mat<BigRational>,
        dims: &[usize],
        mpfr_limit: usize,
    ) -> Self {
        let mp = Mpfr {
            prec: spectrum.prec,
        };
        MpfrAmg {
            judge: MpfrJudge {
                tau: tolerance(spectrum.prec, &spectrum.phi, x, y, dims.len() - 1),
                mp,
            },
            x: mat::from_exact(&mp, x),
            y: mat::from_exact(&mp, y),
            x_exact: x.clone(),
            y_exact: y.clone(),
            dims: dims.to_vec(),
            limit: mpfr_limit.min(PROVEN_MPFR_LIMIT),
            spectrum,
        }
    }

    /// Is ‖∇f‖ ≤ τ at `ws` (the bound the classification tests criticality against)?
    pub fn critical_to_bound(&self, ws: &[Mat<Float>]) -> bool {
        let ev = linear::evaluate(&self.judge.mp, ws, &self.x, &self.y);
        self.judge
            .nonzero("∇f", &linear::gradient(&self.judge.mp, &ev))
            .is_none()
    }
}

impl Classifier for MpfrAmg {
    type J = MpfrJudge;
    type Point = MpfrCriticalPoint;
    fn judge(&self) -> &MpfrJudge {
        &self.judge
    }
    fn data(&self) -> (&Mat<Float>, &Mat<Float>) {
        (&self.x, &self.y)
    }
    fn weights<'p>(&self, p: &'p MpfrCriticalPoint) -> &'p [Mat<Float>] {
        &p.weights
    }
    fn origin<'p>(&self, p: &'p MpfrCriticalPoint) -> &'p str {
        &p.origin
    }
    /// S as constructed, without the indices of zero eigenvalues.
    fn index_set(&self, p: &MpfrCriticalPoint, _: &Evaluated<Float>) -> Vec<usize> {
        p.set.clone()
    }
    fn optimum(&self, f: &Float) -> Option<Certificate> {
        let (prec, tau, sp) = (self.judge.mp.prec, &self.judge.tau, &self.spectrum);
        let canonical =
            |t: &[usize]| -> Vec<usize> { t.iter().copied().filter(|&j| !sp.is_zero(j)).collect() };
        let optimum = canonical(&optimum_set(&self.dims));
        let band = Interval::new(
            Float::with_val_round(prec, f - tau, Round::Down).0,
            Float::with_val_round(prec, f + tau, Round::Up).0,
        );
        let r = *self.dims.iter().min().expect("dims");
        let mut near_optimum = false;
        let mut near_others: Vec<String> = Vec::new();
        for t in index_sets(self.dims[self.dims.len() - 1], r) {
            if !band.overlaps(&sp.critical_value_enclosure(&t)) {
                continue;
            }
            let c = canonical(&t);
            if c == optimum {
                near_optimum = true;
            } else if !near_others.contains(&set_label(&c)) {
                near_others.push(set_label(&c));
            }
        }
        if !near_optimum {
            return None;
        }
        Some(if near_others.is_empty() {
            Certificate::decided(
                Class::GlobalMinimizer,
                format!(
                    "f = {} meets the enclosure of f* and no other critical value's",
                    crate::report::numbers::mpfr(f, tau)
                ),
                Vec::new(),
            )
        } else {
            Certificate::undecided(
                format!(
                    "f = {} (± τ) meets the enclosures of f* and of the critical value(s) of \
                     S = {}: the values are not separated at {prec} bits",
                    crate::report::numbers::mpfr(f, tau),
                    near_others.join(", ")
                ),
                true,
            )
        })
    }
    fn hessian_limit(&self) -> (usize, String) {
        let n = self.limit;
        (n, format!("the limit {n} of the interval Hessian"))
    }
    /// λ̃, an approximation of λ_min from the midpoint matrix; the decision rests on a proven count
    /// below a shift x = λ̃/k ≤ −τ, which moves the (near-)zero eigenvalues of the saddle's flat
    /// directions well away from x so that the interval LDLᵀ has no tiny pivots.
    fn curvature(&self, p: &MpfrCriticalPoint, _: &Evaluated<Float>) -> Certificate {
        let (prec, tau) = (self.judge.mp.prec, &self.judge.tau);
        let iv = Ival { prec };
        let ws: Vec<Mat<Interval>> = p.weights.iter().map(eigen_mpfr::point_matrix).collect();
        let ev = linear::evaluate(
            &iv,
            &ws,
            &mat::from_exact(&iv, &self.x_exact),
            &mat::from_exact(&iv, &self.y_exact),
        );
        let h = linear::hessian(&iv, &ws, &ev);
        let minus_h = h.map(|x| -x.mid());
        let approx = -eigen_mpfr::top_eigenvalue(&minus_h, prec);
        let minus_tau = Float::with_val(prec, -tau);
        let two_tau = Float::with_val(prec, tau * 2u32);
        if approx >= -two_tau.clone() {
            return Certificate::undecided(
                format!(
                    "λ_min(∇²f) ≈ {:.3e} ≥ −2τ = {:e}: no negative curvature beyond the bound, \
                     and positive semidefiniteness (a non-strict saddle) cannot be proven in \
                     floating point at an irrational point",
                    approx.to_f64(),
                    -two_tau.to_f64()
                ),
                false,
            );
        }
        for k in [2u32, 3, 4] {
            let x = Float::with_val(prec, &approx / k);
            if x >= minus_tau {
                continue;
            }
            if let Some(count @ 1..) = eigen_mpfr::proven_count_below(&h, &x, prec) {
                return Certificate::decided(
                    Class::StrictSaddle,
                    format!(
                        "λ_min(∇²f) = {:.6e} < −τ = {:e} (proven: {count} eigenvalue(s) of ∇²f \
                         below {:e}, by an interval LDLᵀ inertia count)",
                        approx.to_f64(),
                        -tau.to_f64(),
                        x.to_f64()
                    ),
                    Vec::new(),
                );
            }
        }
        Certificate::undecided(
            format!(
                "λ_min(∇²f) ≈ {:.3e} < −2τ, but no eigenvalue below −τ could be proven at {prec} \
                 bits (inertia counts failed)",
                approx.to_f64()
            ),
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The candidates lie in the kernel (H v = 0), start with the sum of the basis, and are
    /// generic: for H = diag(0, 0, 1) every candidate has a zero third entry and none is 0; an
    /// invertible H offers none.
    #[test]
    fn kernel_directions_are_nonzero_elements_of_the_kernel() {
        let q = |n: i64| BigRational::from_integer(n.into());
        let h = Mat::from_fn(3, 3, |i, j| q(i64::from(i == j && i == 2)));
        let dirs = kernel_directions(&h);
        assert_eq!(dirs.len(), 1 + KERNEL_TRIES);
        assert_eq!(dirs[0], vec![q(1), q(1), q(0)]);
        for d in &dirs {
            assert!(mat::matvec(&Exact, &h, d).iter().all(Zero::is_zero));
            assert!(d.iter().any(|x| !x.is_zero()));
        }
        // not all the same direction: the draws differ
        assert!(dirs.iter().skip(1).any(|d| d[0] != d[1]));
        assert!(kernel_directions(&mat::identity(&Exact, 3)).is_empty());
    }
}
