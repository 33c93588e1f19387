//! Balanced critical points of the L2-regularized loss F(W) = ½‖W_{L:1} − A*‖² + (λ/2)Σ‖W_i‖²
//! (claims.md, WJ-scalar-roots and WJ-ranks; X = I, no mask), per rank, with their certification.
//!
//! Mathematics. F is invariant under A* ↦ U A* Vᵀ with W_L ↦ U W_L, W_1 ↦ W_1 Vᵀ (U, V orthogonal),
//! so it suffices to work in the singular bases, with target Σ = diag(a_1 ≥ a_2 ≥ … > 0). A balanced
//! point has every layer equal to the (rectangular) diagonal diag(t_1, …, t_k, 0, …) with
//! k ≤ min(r, rk A*), r = min_i d_i. Per value, with h(t) = ½(t^L − a)² + (λL/2)t²,
//! h'(t) = L t g(t) with g(t) = t^{2L−2} − a t^{L−2} + λ, so t is 0 or a positive root of g
//! (s = t^L is the product's singular value). For λ > 0 and L ≥ 3 the coefficient signs
//! (+, −, +) allow at most two positive roots (Descartes' rule of signs); for L = 2,
//! g = t² + (λ − a) has one iff a > λ. Each root is bracketed by rationals at which the exact
//! rational value of g changes sign, so every root is accounted for.
//!
//! Certification of a local minimum: ‖∇F‖ below a stated bound at the MPFR point, and the Hessian
//! compressed to the orthogonal complement of the symmetry directions (the tangent space of the
//! orbit W_i ↦ O_i W_i O_{i−1}ᵀ, O_0 = I, O_L = I, O_i orthogonal, spanned by K W_i − … for skew K)
//! positive definite beyond its MPFR error bound; F is constant on the orbit, so this is the
//! second-order sufficient condition on the quotient. At W = 0 with L ≥ 3 the data term is
//! O(‖W‖³), the orbit is a point and ∇²F(0) = λI, so the rank-0 point is a strict local minimum.

use super::minimizers::{exact_root, monomial_singular_values};
use crate::linalg::enclosure::simplest_in;
use crate::linalg::field::{float_to_q, mpfr_decimal, q_to_rug};
use crate::linalg::mat::{self, null_space, Mat};
use crate::linalg::{eigen_mpfr, Exact, Field, Mpfr};
use crate::model::l2;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rug::ops::Pow;
use rug::Float;

/// A nonzero singular value a of A*: its MPFR value and a rational enclosure [lo, hi].
#[derive(Clone, Debug)]
pub struct SingularValue {
    /// a in MPFR.
    pub mpfr: Float,
    /// lo ≤ a.
    pub lo: BigRational,
    /// a ≤ hi.
    pub hi: BigRational,
    /// Whether the enclosure is proven (a² recognized as an exact eigenvalue of A*A*ᵀ); otherwise
    /// it is the MPFR value ± its a priori error bound.
    pub proven: bool,
}

/// The nonzero singular values of `a`, descending: exact when A* is monomial, else from the MPFR
/// eigenvalues of A*A*ᵀ, recognized as rationals q (A*A*ᵀ − qI singular, exactly) and enclosed by
/// rationals lo ≤ √q ≤ hi checked by lo² ≤ q ≤ hi².
pub fn singular_values(a: &Mat<BigRational>, prec: u32) -> Vec<SingularValue> {
    if let Some(s) = monomial_singular_values(a) {
        return s
            .into_iter()
            .map(|q| SingularValue {
                mpfr: Float::with_val(prec, &q_to_rug(&q)),
                lo: q.clone(),
                hi: q,
                proven: true,
            })
            .collect();
    }
    let gram = mat::matmul_nt(&Exact, a, a);
    let n = gram.rows();
    let t = eigen_mpfr::tridiagonalize(&mat::from_exact(&Mpfr { prec }, &gram), prec);
    let half = Float::with_val(prec, Float::with_val(prec, 1) >> (prec as i32 / 2));
    (1..=mat::rank_exact(a))
        .map(|k| {
            let ev = t.kth_largest(k).max(&Float::new(prec));
            let root = Float::with_val(prec, ev.sqrt_ref());
            let w = Float::with_val(prec, &half * Float::with_val(prec, &ev + 1u32));
            let recognized = float_to_q(&Float::with_val(prec, &ev - &w))
                .zip(float_to_q(&Float::with_val(prec, &ev + &w)))
                .map(|(lo, hi)| simplest_in(&lo, &hi))
                .filter(|q| {
                    let shifted = Mat::from_fn(n, n, |i, j| {
                        if i == j {
                            gram.at(i, j) - q
                        } else {
                            gram.at(i, j).clone()
                        }
                    });
                    !null_space(&shifted).is_empty()
                });
            let rw = Float::with_val(prec, &half * Float::with_val(prec, &root + 1u32));
            let lo =
                float_to_q(&Float::with_val(prec, &root - &rw)).unwrap_or_else(BigRational::zero);
            let hi =
                float_to_q(&Float::with_val(prec, &root + &rw)).unwrap_or_else(BigRational::zero);
            match recognized {
                Some(q) => match exact_root(&q, 2) {
                    Some(r) => SingularValue {
                        mpfr: root,
                        lo: r.clone(),
                        hi: r,
                        proven: true,
                    },
                    None => {
                        let proven = &lo * &lo <= q && q <= &hi * &hi && !lo.is_negative();
                        SingularValue {
                            mpfr: root,
                            lo,
                            hi,
                            proven,
                        }
                    }
                },
                None => SingularValue {
                    mpfr: root,
                    lo,
                    hi,
                    proven: false,
                },
            }
        })
        .collect()
}

/// g(t; a) = t^{2L−2} − a t^{L−2} + λ, exactly.
pub fn g_exact(l: usize, t: &BigRational, a: &BigRational, lambda: &BigRational) -> BigRational {
    let tp = |e: usize| num_traits::pow::pow(t.clone(), e);
    tp(2 * l - 2) - a * tp(l - 2) + lambda
}

/// g(t; a) in MPFR.
fn g_mpfr(l: usize, t: &Float, a: &Float, lambda: &Float) -> Float {
    let p = t.prec();
    let t1 = Float::with_val(p, t.clone().pow(2 * l as u32 - 2));
    let t2 = Float::with_val(p, t.clone().pow(l as u32 - 2));
    Float::with_val(p, t1 - Float::with_val(p, a * t2)) + lambda
}

/// The sign of g(t; a) for every a in [lo, hi], proven by exact rational evaluation: g is
/// decreasing in a for t > 0, so g(t; hi) > 0 proves positive and g(t; lo) < 0 proves negative.
fn certified_sign(
    l: usize,
    t: &BigRational,
    sv: &SingularValue,
    lambda: &BigRational,
) -> Option<i8> {
    if g_exact(l, t, &sv.hi, lambda).is_positive() {
        Some(1)
    } else if g_exact(l, t, &sv.lo, lambda).is_negative() {
        Some(-1)
    } else {
        None
    }
}

/// A positive root t of g for one singular value, with its rational bracket.
#[derive(Clone, Debug)]
pub struct Root {
    /// t in MPFR.
    pub t: Float,
    /// s = t^L in MPFR.
    pub s: Float,
    /// lo < t < hi with g(lo), g(hi) of opposite certified signs.
    pub bracket: [BigRational; 2],
}

/// Why the roots of one value could not be bracketed.
pub type RootError = String;

/// Bisection for a sign change of g in (lo, hi) in MPFR, where g(lo) has sign `left`.
fn bisect(l: usize, a: &Float, lambda: &Float, mut lo: Float, mut hi: Float, left: i8) -> Float {
    let p = lo.prec();
    for _ in 0..(p + 64) {
        let mid = Float::with_val(p, Float::with_val(p, &lo + &hi) / 2u32);
        if mid <= lo || mid >= hi {
            break;
        }
        let v = g_mpfr(l, &mid, a, lambda);
        if (v.is_sign_positive() && !v.is_zero()) == (left > 0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Float::with_val(p, Float::with_val(p, &lo + &hi) / 2u32)
}

/// A rational bracket around the MPFR root r with exact sign change (left sign `left`), widened
/// until proven (at most 8 times by 2^16).
fn bracket(
    l: usize,
    r: &Float,
    sv: &SingularValue,
    lambda: &BigRational,
    left: i8,
) -> Option<[BigRational; 2]> {
    let p = r.prec();
    let rq = float_to_q(r)?;
    let mut delta = BigRational::new(BigInt::one(), BigInt::one() << (p as usize * 3 / 4))
        * (rq.abs() + BigRational::one());
    for _ in 0..8 {
        let (lo, hi) = (&rq - &delta, &rq + &delta);
        if lo.is_positive()
            && certified_sign(l, &lo, sv, lambda) == Some(left)
            && certified_sign(l, &hi, sv, lambda) == Some(-left)
        {
            return Some([lo, hi]);
        }
        delta *= BigRational::from_integer((1u64 << 16).into());
    }
    None
}

/// Every positive root of g for singular value `sv` (ascending), each rationally bracketed, with
/// the count proven complete by Descartes' rule of signs (see the module doc). λ > 0, L ≥ 2.
pub fn scalar_roots(
    l: usize,
    sv: &SingularValue,
    lambda: &BigRational,
    prec: u32,
) -> Result<Vec<Root>, RootError> {
    assert!(
        l >= 2 && lambda.is_positive(),
        "scalar_roots: L ≥ 2 and λ > 0"
    );
    let lam = Float::with_val(prec, &q_to_rug(lambda));
    let a = &sv.mpfr;
    let root = |t: Float, br: [BigRational; 2]| Root {
        s: Float::with_val(prec, t.clone().pow(l as u32)),
        t,
        bracket: br,
    };
    // an upper end T = 1 + hi: T ≥ 1 and T^L ≥ T > a, so g(T) ≥ T^{L−2}(T^L − a) + λ > 0
    let top = BigRational::one() + &sv.hi;
    if l == 2 {
        // g = t² + λ − a: one root √(a − λ) iff a > λ
        if &sv.hi <= lambda {
            return Ok(Vec::new());
        }
        if &sv.lo <= lambda {
            return Err("a − λ changes sign within the enclosure of a".into());
        }
        let r = bisect(
            l,
            a,
            &lam,
            Float::new(prec),
            Float::with_val(prec, &q_to_rug(&top)),
            -1,
        );
        let br = bracket(l, &r, sv, lambda, -1).ok_or("no proven bracket for the root")?;
        return Ok(vec![root(r, br)]);
    }
    // g'(t) = 0 at t_m = (a(L−2)/(2L−2))^{1/L}, the minimum of g on t > 0
    let tm = Float::with_val(
        prec,
        Float::with_val(prec, a * (l as u32 - 2)) / (2 * l as u32 - 2),
    )
    .root(l as u32);
    let tm_q = float_to_q(&tm).ok_or("t_m not finite")?;
    match certified_sign(l, &tm_q, sv, lambda) {
        Some(-1) => {}
        Some(_) => {
            // min g ≥ 0 up to rounding: decide in MPFR with a margin of 2^(−prec/2)
            let gm = g_mpfr(l, &tm, a, &lam);
            let margin = Float::with_val(prec, Float::with_val(prec, 1) >> (prec as i32 / 2));
            return if gm > margin {
                Ok(Vec::new())
            } else {
                Err(format!(
                    "g(t_m) = {} is too close to 0 to count the roots",
                    mpfr_decimal(&gm)
                ))
            };
        }
        None => {
            return Err("the sign of g at its minimum is not decided by the enclosure of a".into())
        }
    }
    let r1 = bisect(l, a, &lam, Float::new(prec), tm.clone(), 1);
    let r2 = bisect(l, a, &lam, tm, Float::with_val(prec, &q_to_rug(&top)), -1);
    let b1 = bracket(l, &r1, sv, lambda, 1).ok_or("no proven bracket for the smaller root")?;
    let b2 = bracket(l, &r2, sv, lambda, -1).ok_or("no proven bracket for the larger root")?;
    Ok(vec![root(r1, b1), root(r2, b2)])
}

/// How one balanced point was classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class {
    /// Critical, Hessian positive definite on the complement of the symmetry directions.
    LocalMin,
    /// Critical, a negative eigenvalue of the compressed Hessian: a saddle (or local maximum).
    Saddle,
    /// The numbers did not decide (reason).
    Undecided(String),
}

impl Class {
    /// Name for reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Class::LocalMin => "local-min",
            Class::Saddle => "saddle",
            Class::Undecided(_) => "undecided",
        }
    }
}

/// One balanced critical point in the singular bases.
#[derive(Clone, Debug)]
pub struct Balanced {
    /// Per singular value j < k: None (t = 0) or the index of the root of value j.
    pub choice: Vec<Option<usize>>,
    /// W_1 … W_L (rectangular diagonals) in MPFR.
    pub weights: Vec<Mat<Float>>,
    /// rank W_{L:1} = number of nonzero t_j.
    pub rank: usize,
    /// F at the point.
    pub value: Float,
    /// ‖∇F‖_F at the point.
    pub grad_norm: Float,
    /// The bound ‖∇F‖ must meet to count as critical.
    pub grad_bound: Float,
    /// Dimension of the symmetry directions (the orbit's tangent space).
    pub orbit_dim: usize,
    /// Smallest eigenvalue of the Hessian on the complement of the symmetry directions.
    pub min_normal_eigenvalue: Option<Float>,
    /// Its MPFR error bound.
    pub eigen_bound: Option<Float>,
    /// The classification.
    pub class: Class,
}

/// Every balanced critical point for widths `dims`, singular values `svs` with their roots, as
/// every choice of 0 or a root per value j < min(r, #values) (3^k points at most).
pub fn balanced_points(
    dims: &[usize],
    target: &Mat<Float>,
    lambda: &BigRational,
    roots: &[Vec<Root>],
    prec: u32,
) -> Vec<Balanced> {
    let r = dims.iter().copied().min().unwrap_or(0);
    let k = r.min(roots.len());
    let mut choices: Vec<Vec<Option<usize>>> = vec![Vec::new()];
    for value_roots in &roots[..k] {
        choices = choices
            .into_iter()
            .flat_map(|c| {
                std::iter::once(None)
                    .chain((0..value_roots.len()).map(Some))
                    .map(move |x| {
                        let mut c = c.clone();
                        c.push(x);
                        c
                    })
            })
            .collect();
    }
    let mp = Mpfr { prec };
    let problem = l2::Problem {
        x: mat::identity(&mp, dims[0]),
        y: target.clone(),
        lambda: mp.embed(lambda),
        mask: None,
    };
    choices
        .into_iter()
        .map(|choice| {
            let t: Vec<Float> = choice
                .iter()
                .enumerate()
                .map(|(j, c)| c.map_or_else(|| Float::new(prec), |i| roots[j][i].t.clone()))
                .collect();
            let weights: Vec<Mat<Float>> = (0..dims.len() - 1)
                .map(|i| {
                    Mat::from_fn(dims[i + 1], dims[i], |a, b| {
                        if a == b && a < t.len() {
                            t[a].clone()
                        } else {
                            Float::new(prec)
                        }
                    })
                })
                .collect();
            classify(&mp, &problem, choice, weights)
        })
        .collect()
}

/// Gradient bound, symmetry directions, compressed Hessian and classification of one point.
fn classify(
    mp: &Mpfr,
    p: &l2::Problem<Float>,
    choice: Vec<Option<usize>>,
    weights: Vec<Mat<Float>>,
) -> Balanced {
    let prec = mp.prec;
    let (value, grad) = l2::value_and_gradient(mp, p, &weights, None);
    let mut g2 = Float::new(prec);
    for g in &grad {
        g2 += mat::frob2(mp, g);
    }
    let grad_norm = g2.sqrt();
    // the roots are accurate to about 2^(−prec) relative: require ‖∇F‖ ≤ 2^(−prec/2)(1 + ‖A*‖²)
    let scale = Float::with_val(prec, mat::frob2(mp, &p.y) + 1u32);
    let grad_bound = Float::with_val(prec, scale >> (prec as i32 / 2));
    let rank = choice.iter().filter(|c| c.is_some()).count();
    let h = l2::hessian(mp, p, &weights);
    let tangent = symmetry_directions(mp, &weights);
    let (q, orbit_dim) = normal_basis(mp, &tangent, h.rows());
    let mut out = Balanced {
        choice,
        weights,
        rank,
        value,
        grad_norm: grad_norm.clone(),
        grad_bound: grad_bound.clone(),
        orbit_dim,
        min_normal_eigenvalue: None,
        eigen_bound: None,
        class: Class::Undecided(String::new()),
    };
    if grad_norm > grad_bound {
        out.class = Class::Undecided(format!(
            "‖∇F‖ = {} exceeds the bound {}: not certified critical",
            mpfr_decimal(&grad_norm),
            mpfr_decimal(&grad_bound)
        ));
        return out;
    }
    if q.is_empty() {
        out.class = Class::LocalMin;
        return out;
    }
    // C = Qᵀ H Q
    let qm = Mat::from_fn(h.rows(), q.len(), |i, j| q[j][i].clone());
    let c = mat::matmul_tn(mp, &qm, &mat::matmul(mp, &h, &qm));
    let tri = eigen_mpfr::tridiagonalize(&c, prec);
    let min = tri.kth_largest(c.rows());
    // eigen error bound plus the effect of the 2^(−prec/2) gradient-level inexactness of the point
    let bound = Float::with_val(prec, eigen_mpfr::error_bound(&c, prec) + &grad_bound);
    out.class = if min > bound {
        Class::LocalMin
    } else if Float::with_val(prec, -&min) > bound {
        Class::Saddle
    } else {
        Class::Undecided(format!(
            "the smallest normal eigenvalue {} is within its error bound {}",
            mpfr_decimal(&min),
            mpfr_decimal(&bound)
        ))
    };
    out.min_normal_eigenvalue = Some(min);
    out.eigen_bound = Some(bound);
    out
}

/// The tangent directions of the orbit W_i ↦ O_i W_i O_{i−1}ᵀ at W: for each hidden layer i and
/// skew generator K = E_ab − E_ba (a < b), δW_{i+1} = −W_{i+1}K, δW_i = K W_i (code indices: layer
/// i−1 and i), flattened in the parameter order of `linear::offsets`.
fn symmetry_directions(mp: &Mpfr, ws: &[Mat<Float>]) -> Vec<Vec<Float>> {
    let mut out = Vec::new();
    for i in 1..ws.len() {
        let d = ws[i - 1].rows();
        for a in 0..d {
            for b in a + 1..d {
                let k = Mat::from_fn(d, d, |x, y| {
                    if (x, y) == (a, b) {
                        mp.one()
                    } else if (x, y) == (b, a) {
                        mp.neg(&mp.one())
                    } else {
                        mp.zero()
                    }
                });
                let dirs: Vec<Mat<Float>> = ws
                    .iter()
                    .enumerate()
                    .map(|(j, w)| {
                        if j == i - 1 {
                            mat::matmul(mp, &k, w)
                        } else if j == i {
                            mat::scale(mp, &mp.neg(&mp.one()), &mat::matmul(mp, w, &k))
                        } else {
                            mat::zeros(mp, w.rows(), w.cols())
                        }
                    })
                    .collect();
                out.push(dirs.iter().flat_map(|m| m.as_slice().to_vec()).collect());
            }
        }
    }
    out
}

/// An orthonormal basis of the complement of span(tangent) in ℝⁿ (modified Gram–Schmidt in MPFR
/// over the tangent vectors then the standard basis, dropping vectors whose remaining norm is below
/// 2^(−prec/4)); returns the complement basis and the dimension of the tangent span.
fn normal_basis(mp: &Mpfr, tangent: &[Vec<Float>], n: usize) -> (Vec<Vec<Float>>, usize) {
    let prec = mp.prec;
    let drop = Float::with_val(prec, Float::with_val(prec, 1) >> (prec as i32 / 4));
    let mut basis: Vec<Vec<Float>> = Vec::new();
    let push = |v: &[Float], basis: &mut Vec<Vec<Float>>| -> bool {
        let mut w = v.to_vec();
        for _ in 0..2 {
            for b in basis.iter() {
                let c = mat::dot(mp, &w, b);
                for (x, y) in w.iter_mut().zip(b) {
                    *x = mp.sub(x, &mp.mul(&c, y));
                }
            }
        }
        let norm = mat::dot(mp, &w, &w).sqrt();
        if norm <= drop {
            return false;
        }
        basis.push(w.iter().map(|x| mp.div(x, &norm)).collect());
        true
    };
    for t in tangent {
        push(t, &mut basis);
    }
    let orbit_dim = basis.len();
    for j in 0..n {
        let e: Vec<Float> = (0..n)
            .map(|i| if i == j { mp.one() } else { mp.zero() })
            .collect();
        push(&e, &mut basis);
    }
    (basis.split_off(orbit_dim), orbit_dim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::field::q_to_f64;

    use crate::enumerate::minimizers::tests::q;

    fn diag21() -> Mat<BigRational> {
        Mat::from_vec(2, 2, vec![q(2, 1), q(0, 1), q(0, 1), q(1, 1)])
    }

    /// claims.md reference values: L = 3, A* = diag(2, 1), λ = 1/10: t = 0.050003 and 1.242793
    /// (s = 1.919536) for a = 2, s = 0.896283 for a = 1. The references have six decimals, so the
    /// tolerance is half a unit of the sixth decimal, 5e-7.
    #[test]
    fn reference_roots_of_claims_md() {
        let svs = singular_values(&diag21(), 256);
        assert_eq!(
            svs.iter().map(|s| s.mpfr.to_f64()).collect::<Vec<_>>(),
            vec![2.0, 1.0]
        );
        let r2 = scalar_roots(3, &svs[0], &q(1, 10), 256).unwrap();
        let r1 = scalar_roots(3, &svs[1], &q(1, 10), 256).unwrap();
        let close = |x: &Float, want: f64| (x.to_f64() - want).abs() < 5e-7;
        assert!(close(&r2[0].t, 0.050003), "{}", r2[0].t);
        assert!(close(&r2[1].t, 1.242793), "{}", r2[1].t);
        assert!(close(&r2[1].s, 1.919536), "{}", r2[1].s);
        assert!(close(&r1[1].s, 0.896283), "{}", r1[1].s);
        for r in r2.iter().chain(&r1) {
            let tq = float_to_q(&r.t).unwrap();
            assert!(r.bracket[0] < tq && tq < r.bracket[1]);
        }
    }

    #[test]
    fn no_roots_when_lambda_is_large_and_l2_has_one() {
        let svs = singular_values(&diag21(), 128);
        assert!(scalar_roots(3, &svs[1], &q(10, 1), 128).unwrap().is_empty());
        let r = scalar_roots(2, &svs[0], &q(1, 10), 128).unwrap();
        assert_eq!(r.len(), 1);
        assert!((r[0].t.to_f64() - 1.9f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn irrational_singular_values_are_enclosed() {
        // [[1, 1], [0, 1]]: singular values φ and 1/φ, a² = (3 ± √5)/2 irrational
        let a = Mat::from_vec(2, 2, vec![q(1, 1), q(1, 1), q(0, 1), q(1, 1)]);
        let svs = singular_values(&a, 256);
        let phi = (5f64.sqrt() + 1.0) / 2.0;
        assert!((svs[0].mpfr.to_f64() - phi).abs() < 1e-15);
        assert!((svs[1].mpfr.to_f64() - 1.0 / phi).abs() < 1e-15);
        assert!(svs.iter().all(|s| s.lo <= s.hi && !s.proven));
        // [[3, 0], [4, 0]] has the single rational singular value 5 (proven)
        let b = Mat::from_vec(2, 2, vec![q(3, 1), q(0, 1), q(4, 1), q(0, 1)]);
        let s = singular_values(&b, 128);
        assert_eq!(s.len(), 1);
        assert!(s[0].proven && s[0].lo == q(5, 1));
    }

    quickcheck::quickcheck! {
        /// For random a ∈ (0, 8], λ ∈ (0, 2], L ∈ 3..=6: the roots come in the number Descartes
        /// allows (0 or 2), each bracket shows an exact sign change of g, the brackets are ordered
        /// and disjoint, and g is negative between the roots (at the midpoint of the brackets).
        /// An error is right only at a tangency, where the two roots merge and min g = 0 (e.g.
        /// a = 3, λ = 2, L = 4): with s = t_m^L = a(L − 2)/(2L − 2) the minimum is
        /// g(t_m) = s^((L−2)/L)(s − a) + λ, computed here in f64 as the oracle.
        fn roots_are_bracketed_by_exact_sign_changes(a: u8, lam: u8, depth: u8) -> bool {
            let a = q(1 + a as i64 % 64, 8);
            let lambda = q(1 + lam as i64 % 16, 8);
            let l = 3 + depth as usize % 4;
            let sv = SingularValue {
                mpfr: Float::with_val(128, &q_to_rug(&a)),
                lo: a.clone(),
                hi: a.clone(),
                proven: true,
            };
            match scalar_roots(l, &sv, &lambda, 128) {
                Err(_) => {
                    let (af, lf) = (q_to_f64(&a), q_to_f64(&lambda));
                    let s = af * (l - 2) as f64 / (2 * l - 2) as f64;
                    let g_min = s.powf((l - 2) as f64 / l as f64) * (s - af) + lf;
                    g_min.abs() <= 1e-9 * (1.0 + af)
                }
                Ok(r) if r.is_empty() => true,
                Ok(r) => {
                    let sign = |t: &BigRational| g_exact(l, t, &a, &lambda).is_positive();
                    let mid = (&r[0].bracket[1] + &r[1].bracket[0]) / q(2, 1);
                    r.len() == 2
                        && sign(&r[0].bracket[0]) && !sign(&r[0].bracket[1])
                        && !sign(&r[1].bracket[0]) && sign(&r[1].bracket[1])
                        && r[0].bracket[1] < r[1].bracket[0]
                        && g_exact(l, &mid, &a, &lambda).is_negative()
                }
            }
        }
    }

    #[test]
    fn ranks_of_the_planning_setting() {
        let prec = 192;
        let svs = singular_values(&diag21(), prec);
        let roots: Vec<Vec<Root>> = svs
            .iter()
            .map(|s| scalar_roots(3, s, &q(1, 10), prec).unwrap())
            .collect();
        let target = mat::from_exact(&Mpfr { prec }, &diag21());
        let pts = balanced_points(&[2, 2, 2, 2], &target, &q(1, 10), &roots, prec);
        assert_eq!(pts.len(), 9);
        let mins: Vec<_> = pts.iter().filter(|p| p.class == Class::LocalMin).collect();
        // 0, (upper root of 2, 0), (upper, upper) are minima; (0, upper root of 1) is a saddle
        let mut choice: Vec<_> = mins.iter().map(|p| p.choice.clone()).collect();
        choice.sort();
        assert_eq!(
            choice,
            vec![
                vec![None, None],
                vec![Some(1), None],
                vec![Some(1), Some(1)]
            ]
        );
        assert!(pts.iter().all(|p| !matches!(p.class, Class::Undecided(_))));
        let swapped = pts
            .iter()
            .find(|p| p.choice == vec![None, Some(1)])
            .unwrap();
        assert_eq!(swapped.class, Class::Saddle);
    }
}
