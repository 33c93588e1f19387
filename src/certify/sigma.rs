//! Certified rational brackets t ≤ σ_min(M) ≤ u of a rational matrix M with at least as many rows
//! as columns (σ_min(M)² = λ_min(MᵀM)).
//!
//! Lower end: t with MᵀM − t²I ⪰ 0, proven by exact fraction-free LDLᵀ (linalg::definite); then
//! every eigenvalue of MᵀM is ≥ t², i.e. σ_min(M) ≥ t. Upper end: for any rational v ≠ 0,
//! σ_min(M)² ≤ ‖Mv‖²/‖v‖² (Courant–Fischer), so u ≥ √(‖Mv‖²/‖v‖²) is an upper bound; v is the
//! f64 eigenvector of λ_min(MᵀM) read exactly. The f64 estimate comes from faer's symmetric
//! eigensolver. The short rationals both ends are built from ([`simple_near`], [`sqrt_upper`])
//! serve the \[ZL\] claims' sample points and radii too.
//!
//! **Near-singular M.** When f64 cannot resolve λ_min(MᵀM) (it is below f64's resolution of
//! MᵀM's entries, e.g. σ_min ≈ 2⁻⁴⁰ with entries of order 1) but M has full column rank (decided
//! exactly), the bracket is computed in exact arithmetic instead (`exact_bracket`): inverse
//! iteration v ← (MᵀM)⁻¹v by exact solves (unrounded: a direction error ε moves the Rayleigh
//! quotient by about λ_max ε², which must stay below λ_min) gives the Rayleigh quotient
//! ρ ≥ λ_min; the lower end is
//! the largest t² = ρ(1 − 2⁻²⁰·4ᵏ) that LDLᵀ proves, and at worst the bound
//! λ_min ≥ det(MᵀM) / (tr(MᵀM)/(n − 1))ⁿ⁻¹ (AM–GM on the other n − 1 eigenvalues, whose sum is at
//! most the trace), which is positive exactly when M has full column rank. So a nonsingular M
//! never gets the lower end 0.

use crate::linalg::definite::definiteness;
use crate::linalg::eigen_f64::bottom_eigenpair;
use crate::linalg::enclosure::simplest_in;
use crate::linalg::field::{f64_to_q, q_to_f64, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, F64};
use num_rational::BigRational as Q;
use num_traits::{One, Signed, Zero};
use serde_json::{json, Value};

/// How many times the lower end is lowered (by a factor 1 − 2⁻²⁰·4ᵏ) before falling back to 0.
const LOWER_TRIES: usize = 8;

/// A certified bracket t ≤ σ_min(M) ≤ u.
#[derive(Clone, Debug, PartialEq)]
pub struct SigmaBracket {
    /// t (LDLᵀ-certified lower bound, ≥ 0).
    pub lower: Q,
    /// u (Rayleigh-quotient upper bound).
    pub upper: Q,
    /// The rational vector v behind u.
    pub vector: Vec<Q>,
    /// s ≤ σ_min(M)² = λ_min(MᵀM), with MᵀM − sI ⪰ 0 (LDLᵀ): ρ(v) itself when v is an exact
    /// eigenvector (then λ_min = ρ exactly, rational even where σ_min is not), else t².
    pub lower_sq: Q,
    /// ρ(v) = ‖Mv‖²/‖v‖² ≥ σ_min(M)² (≤ u²).
    pub upper_sq: Q,
    /// The f64 estimate of σ_min(M).
    pub f64: f64,
}

impl SigmaBracket {
    /// The certificate form `{"lower", "upper", "vector"}`.
    pub fn json(&self) -> Value {
        json!({
            "lower": q_to_string(&self.lower),
            "upper": q_to_string(&self.upper),
            "vector": self.vector.iter().map(q_to_string).collect::<Vec<_>>(),
            "lower_sq": q_to_string(&self.lower_sq),
            "upper_sq": q_to_string(&self.upper_sq),
        })
    }

    /// The bracket [t, u] of σ_min(M) with its vector v, and the squared ends it implies on
    /// λ_min(MᵀM) from the Gram matrix G = MᵀM and v's Rayleigh quotient ρ = vᵀGv/vᵀv (the
    /// caller's, computed once): [ρ, ρ] when G − ρI ⪰ 0 (then λ_min ≥ ρ ≥ λ_min), else [t², ρ].
    fn new(gram: &Mat<Q>, lower: Q, upper: Q, vector: Vec<Q>, rho: Q, f64: f64) -> Self {
        let lower_sq = if definiteness(&gram_minus(gram, &rho)).is_psd() {
            rho.clone()
        } else {
            &lower * &lower
        };
        SigmaBracket {
            lower,
            upper,
            vector,
            lower_sq,
            upper_sq: rho,
            f64,
        }
    }

    /// The ends [`Self::lower_sq`], [`Self::upper_sq`] of σ_min(M)² (t² ≤ s ≤ σ_min² ≤ ρ ≤ u² by
    /// construction): what a bound in σ_min² (the \[ZL\] denominators) uses.
    pub fn squared(&self) -> (Q, Q) {
        (self.lower_sq.clone(), self.upper_sq.clone())
    }
}

/// G − sI for the Gram matrix G = MᵀM.
fn gram_minus(gram: &Mat<Q>, s: &Q) -> Mat<Q> {
    Mat::from_fn(gram.rows(), gram.cols(), |i, j| {
        if i == j {
            gram.at(i, j) - s
        } else {
            gram.at(i, j).clone()
        }
    })
}

/// Is MᵀM − t²I ⪰ 0 (exact)?
pub fn lower_holds(gram: &Mat<Q>, t: &Q) -> bool {
    definiteness(&gram_minus(gram, &(t * t))).is_psd()
}

/// The f64 estimate of σ_min from G = MᵀM (faer) and its eigenvector read as short rationals
/// (within 2⁻³⁰ of its largest entry; e_1 when f64 fails).
fn f64_start(gram: &Mat<Q>) -> (f64, Vec<Q>) {
    let gf = mat::from_exact(&F64, gram);
    let (lam, vec) = match bottom_eigenpair(&gf) {
        Ok(p) => (p.value.max(0.0), p.vector),
        Err(_) => (0.0, vec![1.0; gram.rows()]),
    };
    let scale = vec.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut v: Vec<Q> = vec
        .iter()
        .map(|x| {
            let near = f64_to_q(*x).unwrap_or_else(Q::zero);
            let w = f64_to_q(scale * 2f64.powi(-30)).unwrap_or_else(Q::zero);
            simplest_in(&(&near - &w), &(&near + &w))
        })
        .collect();
    if v.iter().all(Zero::is_zero) {
        v[0] = Q::from_integer(1.into());
    }
    (lam.sqrt(), v)
}

/// A certified bracket of σ_min(M) = √λ_min(MᵀM) for a rational M (rows ≥ columns).
pub fn bracket(m: &Mat<Q>) -> SigmaBracket {
    let gram = mat::matmul_tn(&Exact, m, m);
    let (sigma, v) = f64_start(&gram);
    if let Some(exact) = rational_sigma(&gram, sigma) {
        return exact;
    }
    // lower end: slightly below the estimate, lowered until LDLᵀ proves it
    let mut lower = Q::zero();
    let mut factor = 1.0 - 2f64.powi(-20);
    for _ in 0..LOWER_TRIES {
        let cand = simple_near(sigma * factor, (1.0 - factor) / 4.0);
        if !cand.is_positive() {
            break;
        }
        if lower_holds(&gram, &cand) {
            lower = cand;
            break;
        }
        factor = 1.0 - (1.0 - factor) * 4.0;
    }
    // upper end: Rayleigh quotient of the f64 eigenvector
    let mv = mat::matvec(&Exact, m, &v);
    let rq = mat::dot(&Exact, &mv, &mv) / mat::dot(&Exact, &v, &v);
    if lower.is_zero() && mat::rank_exact(m) == m.cols() {
        return exact_bracket(&gram, v, sigma, WIDE_SHRINK_BITS);
    }
    SigmaBracket::new(&gram, lower, sqrt_upper(&rq), v, rq, sigma)
}

/// The bracket [t, t] when σ_min(M) is the simple rational t nearest the f64 estimate: MᵀM − t²I
/// ⪰ 0 (so σ_min ≥ t) and singular, with a null vector v, so ‖Mv‖² = t²‖v‖² and σ_min ≤ t. This
/// decides the equality cases of the inequalities σ_min enters (e.g. σ_min(I) = 1).
fn rational_sigma(gram: &Mat<Q>, sigma: f64) -> Option<SigmaBracket> {
    exact_sigma(gram, simple_near(sigma, 2f64.powi(-40)), sigma)
}

/// [t, t] when t = σ_min exactly: MᵀM − t²I ⪰ 0 and singular ([`rational_sigma`]).
fn exact_sigma(gram: &Mat<Q>, t: Q, sigma: f64) -> Option<SigmaBracket> {
    if !t.is_positive() || !lower_holds(gram, &t) {
        return None;
    }
    // a null vector v of G − t²I has ρ(v) = t²
    let t2 = &t * &t;
    let v = mat::null_space(&gram_minus(gram, &t2)).into_iter().next()?;
    Some(SigmaBracket::new(gram, t.clone(), t, v, t2, sigma))
}

/// A bracket of σ_min(M) about 2⁻⁶⁰ wide (relative) where [`bracket`]'s is about 2⁻²⁰: the same
/// f64 start and exact-rational attempt, then the exact path of the module doc ("Near-singular
/// M") with the lower end tried from ρ(1 − 2⁻⁶⁴) down. For the inequalities σ_min enters, when
/// the 2⁻²⁰ bracket leaves a decision open. A rank-deficient M gets [`bracket`]'s (lower end 0).
pub fn tight_bracket(m: &Mat<Q>) -> SigmaBracket {
    if mat::rank_exact(m) < m.cols() {
        return bracket(m);
    }
    let gram = mat::matmul_tn(&Exact, m, m);
    let (sigma, v) = f64_start(&gram);
    if let Some(exact) = rational_sigma(&gram, sigma) {
        return exact;
    }
    exact_bracket(&gram, v, sigma, TIGHT_SHRINK_BITS)
}

/// The first shrink 2⁻ᵏ of the exact path's lower end: wide ([`bracket`]) and tight
/// ([`tight_bracket`]).
const WIDE_SHRINK_BITS: u32 = 20;
const TIGHT_SHRINK_BITS: u32 = 64;

/// Inverse-iteration steps of [`exact_bracket`]: each multiplies the error of the direction by
/// λ_min/λ₂ (tiny when λ_min is below f64's resolution; from an f64 eigenvector already accurate
/// to about 2⁻⁵², three steps reach far below 2⁻⁶⁴ unless λ_min is nearly repeated, where the
/// lower end then simply comes from a larger shrink).
const INVERSE_STEPS: usize = 3;

/// The bracket of σ_min(M) from the Gram matrix G = MᵀM of a full-column-rank M, in exact
/// arithmetic (module doc, "Near-singular M"); `v` starts the inverse iteration, and the lower end
/// is tried at ρ(1 − 2⁻ᵏ) for k = `shrink_bits`, then k − 2, … down to k = 1.
fn exact_bracket(
    gram: &Mat<Q>,
    mut v: Vec<Q>,
    f64_estimate: f64,
    shrink_bits: u32,
) -> SigmaBracket {
    let n = gram.rows();
    for _ in 0..INVERSE_STEPS {
        let rhs = Mat::from_vec(n, 1, v.clone());
        let Some(w) = mat::solve_exact(gram, &rhs) else {
            break; // G singular: not reached for a full-column-rank M
        };
        v = normalized(w.as_slice());
    }
    let gv = mat::matvec(&Exact, gram, &v);
    let rq = mat::dot(&Exact, &v, &gv) / mat::dot(&Exact, &v, &v);
    // λ_min itself when it is the square of a rational: ρ (exact for an exact eigenvector, e.g.
    // n = 1) or the simplest rational within 2⁻⁸⁰ below it
    let near = simplest_in(
        &(&rq * (Q::one() - Q::new(1.into(), num_bigint::BigInt::one() << 80usize))),
        &rq,
    );
    for lam in [&rq, &near] {
        if let Some(t) = rational_sqrt(lam) {
            if let Some(exact) = exact_sigma(gram, t, f64_estimate) {
                return exact;
            }
        }
    }
    let lower = (1..=shrink_bits)
        .rev()
        .step_by(2)
        .map(|k| {
            let shrink = Q::new(1.into(), num_bigint::BigInt::one() << k);
            dyadic_sqrt(&(&rq * (Q::one() - shrink)), false)
        })
        .find(|cand| cand.is_positive() && lower_holds(gram, cand))
        .unwrap_or_else(|| dyadic_sqrt(&det_lower(gram), false));
    SigmaBracket::new(gram, lower, dyadic_sqrt(&rq, true), v, rq, f64_estimate)
}

/// λ_min(G) ≥ det G / (tr G / (n − 1))ⁿ⁻¹ for a symmetric positive definite G of order n ≥ 2 (and
/// λ_min = G for n = 1): the other eigenvalues multiply to det G / λ_min, and by AM–GM their
/// product is at most (their sum / (n − 1))ⁿ⁻¹ ≤ (tr G / (n − 1))ⁿ⁻¹.
fn det_lower(gram: &Mat<Q>) -> Q {
    let n = gram.rows();
    if n == 1 {
        return gram.at(0, 0).clone();
    }
    let det = determinant(gram);
    let mean = mat::trace(&Exact, gram) / Q::from_integer((n as i64 - 1).into());
    det / num_traits::pow(mean, n - 1)
}

/// det A by exact Gaussian elimination (the product of the pivots, the sign flipped per row swap).
fn determinant(a: &Mat<Q>) -> Q {
    let n = a.rows();
    let mut m = a.clone();
    let mut det = Q::one();
    for c in 0..n {
        let Some(p) = (c..n).find(|&r| !m.at(r, c).is_zero()) else {
            return Q::zero();
        };
        if p != c {
            for j in 0..n {
                let t = m.at(p, j).clone();
                *m.at_mut(p, j) = m.at(c, j).clone();
                *m.at_mut(c, j) = t;
            }
            det = -det;
        }
        let pivot = m.at(c, c).clone();
        for r in c + 1..n {
            let f = m.at(r, c) / &pivot;
            for j in c..n {
                let v = m.at(r, j) - &f * m.at(c, j);
                *m.at_mut(r, j) = v;
            }
        }
        det *= pivot;
    }
    det
}

/// The entries of w divided by its largest |entry| (the iterate of an inverse iteration: only
/// its direction matters).
fn normalized(w: &[Q]) -> Vec<Q> {
    let max = w.iter().map(Signed::abs).max().unwrap_or_else(Q::zero);
    if max.is_zero() {
        return w.to_vec();
    }
    w.iter().map(|x| x / &max).collect()
}

/// √q when it is rational (numerator and denominator perfect squares, q ≥ 0).
fn rational_sqrt(q: &Q) -> Option<Q> {
    if q.is_negative() {
        return None;
    }
    let (n, d) = (q.numer().sqrt(), q.denom().sqrt());
    (&(&n * &n) == q.numer() && &(&d * &d) == q.denom()).then(|| Q::new(n, d))
}

/// A dyadic rational within a relative 2⁻⁹⁰ of √s (s ≥ 0), below it (⌊√⌊s·4ᵖ⌋⌋ / 2ᵖ) or, with
/// `up`, above it (one unit more), by integer square roots.
pub fn dyadic_sqrt(s: &Q, up: bool) -> Q {
    if !s.is_positive() {
        return Q::zero();
    }
    // p with s·4ᵖ ≥ 2¹⁸⁰, so the integer square root keeps ≥ 90 bits
    let bits = |x: &num_bigint::BigInt| x.bits() as i64;
    let p = ((180 - (bits(s.numer()) - bits(s.denom()))) / 2 + 1).max(0) as usize;
    let scaled = (s * Q::from_integer(num_bigint::BigInt::one() << (2 * p)))
        .floor()
        .to_integer();
    let root = scaled.sqrt() + num_bigint::BigInt::from(u8::from(up));
    Q::new(root, num_bigint::BigInt::one() << p)
}

/// The simplest rational (smallest denominator) within relative distance `rel` of `x`: keeps the
/// exact computations at sample points small.
pub fn simple_near(x: f64, rel: f64) -> Q {
    match (f64_to_q(x * (1.0 - rel)), f64_to_q(x * (1.0 + rel))) {
        (Some(a), Some(b)) if a <= b => simplest_in(&a, &b),
        (Some(a), Some(b)) => simplest_in(&b, &a),
        _ => Q::zero(),
    }
}

/// A simple rational u ≥ √s (s ≥ 0) within a relative 2⁻²⁰ of it, checked exactly.
pub fn sqrt_upper(s: &Q) -> Q {
    if s.is_zero() {
        return Q::zero();
    }
    let r = q_to_f64(s).sqrt();
    let mut u = simple_near(r * (1.0 + 2f64.powi(-21)), 2f64.powi(-22));
    while u.is_zero() || &(&u * &u) < s {
        u = if u.is_zero() {
            s + Q::one()
        } else {
            &u * Q::new(1025.into(), 1024.into())
        };
    }
    u
}

/// An upper bound on ‖M‖₂: √(‖M‖²_F) rounded up (used for the Lipschitz step of the nonlinear
/// neighborhood bound).
pub fn frobenius_upper(m: &Mat<Q>) -> Q {
    sqrt_upper(&mat::frob2(&Exact, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::enumerate::minimizers::tests::q;

    #[test]
    fn brackets_contain_the_true_smallest_singular_value() {
        // diag(3, 1/2): σ_min = 1/2, exactly
        let m = Mat::from_vec(2, 2, vec![q(3, 1), q(0, 1), q(0, 1), q(1, 2)]);
        let b = bracket(&m);
        assert_eq!((&b.lower, &b.upper), (&q(1, 2), &q(1, 2)));
        // ‖Mv‖² = σ²‖v‖² at the certificate's vector (the upper end's proof)
        let mv = mat::matvec(&Exact, &m, &b.vector);
        let (n2, v2) = (
            mat::dot(&Exact, &mv, &mv),
            mat::dot(&Exact, &b.vector, &b.vector),
        );
        assert!(v2.is_positive() && n2 == q(1, 4) * v2);
        // [[1,1],[0,1]]: σ_min = (√5 − 1)/2 ≈ 0.618034, irrational: a proper bracket
        let g = Mat::from_vec(2, 2, vec![q(1, 1), q(1, 1), q(0, 1), q(1, 1)]);
        let b = bracket(&g);
        let s = (5f64.sqrt() - 1.0) / 2.0;
        assert!(q_to_f64(&b.lower) <= s);
        assert!(q_to_f64(&b.upper) >= s);
        assert!(b.lower < b.upper);
        assert!(lower_holds(&mat::matmul_tn(&Exact, &g, &g), &b.lower));
        assert!(!lower_holds(&mat::matmul_tn(&Exact, &g, &g), &q(62, 100)));
        // singular: lower end 0
        let z = Mat::from_vec(2, 2, vec![q(1, 1), q(2, 1), q(2, 1), q(4, 1)]);
        assert!(bracket(&z).lower.is_zero());
    }

    /// A nonsingular M whose σ_min is far below f64's resolution of MᵀM still gets a positive,
    /// tight bracket. Oracle: for the 2 × 2 Gram matrix G (trace T, determinant D), t² ≤ λ_min
    /// iff t² ≤ T/2 and t⁴ − T t² + D ≥ 0; u² ≥ λ_min iff u² ≥ T/2 or u⁴ − T u² + D ≤ 0.
    #[test]
    fn near_singular_brackets_are_positive_and_tight() {
        for shift in [40u32, 120, 300] {
            let e = Q::new(1.into(), num_bigint::BigInt::one() << shift);
            let m = Mat::from_vec(2, 2, vec![q(0, 1), q(1, 1), e.clone(), q(1, 1)]);
            let g = mat::matmul_tn(&Exact, &m, &m);
            let (t, d) = (
                g.at(0, 0) + g.at(1, 1),
                g.at(0, 0) * g.at(1, 1) - g.at(0, 1) * g.at(1, 0),
            );
            let half = &t / q(2, 1);
            let quartic = |x2: &Q| x2 * x2 - &t * x2 + &d;
            let b = bracket(&m);
            let (l2, u2) = (&b.lower * &b.lower, &b.upper * &b.upper);
            assert!(b.lower.is_positive(), "2^-{shift}: lower end 0");
            assert!(
                l2 <= half && !quartic(&l2).is_negative(),
                "2^-{shift}: lower"
            );
            assert!(
                u2 >= half || !quartic(&u2).is_positive(),
                "2^-{shift}: upper"
            );
            // σ_min ≈ 2^-s/√2: the bracket is within a relative 2^-10
            assert!(
                &b.upper - &b.lower < &b.lower / q(1024, 1),
                "2^-{shift}: width"
            );
        }
    }

    #[test]
    fn dyadic_square_roots_from_both_sides() {
        for (x, root) in [(q(1, 4), q(1, 2)), (q(9, 1), q(3, 1))] {
            assert_eq!(dyadic_sqrt(&x, false), root);
            assert!(dyadic_sqrt(&x, true) > root);
        }
        let tiny = Q::new(2.into(), num_bigint::BigInt::one() << 601);
        for x in [q(2, 1), q(1, 3), tiny] {
            let (lo, hi) = (dyadic_sqrt(&x, false), dyadic_sqrt(&x, true));
            assert!(lo.is_positive() && &lo * &lo <= x && &hi * &hi >= x);
            // within a relative 2^-90
            assert!((&hi - &lo) * Q::from_integer(num_bigint::BigInt::one() << 90usize) <= lo);
        }
        assert!(dyadic_sqrt(&q(0, 1), true).is_zero() && dyadic_sqrt(&q(-1, 1), false).is_zero());
    }

    /// The tight bracket of σ_min([[1,1],[0,1]]) = (√5 − 1)/2 is about 2^-60 wide and contains
    /// it: t² ≤ λ_min = (3 − √5)/2 iff t² ≤ 3/2 and t⁴ − 3t² + 1 ≥ 0 (G's trace 3, determinant
    /// 1), the same for u with the inequality reversed.
    #[test]
    fn tight_brackets_are_narrow_and_contain_the_value() {
        let g = Mat::from_vec(2, 2, vec![q(1, 1), q(1, 1), q(0, 1), q(1, 1)]);
        let b = tight_bracket(&g);
        let quartic = |x2: &Q| x2 * x2 - q(3, 1) * x2 + q(1, 1);
        let (l2, u2) = (&b.lower * &b.lower, &b.upper * &b.upper);
        assert!(l2 <= q(3, 2) && !quartic(&l2).is_negative());
        assert!(u2 <= q(3, 2) && !quartic(&u2).is_positive());
        // λ_min is irrational too: the squared ends are t² and the Rayleigh quotient
        assert_eq!(b.lower_sq, &b.lower * &b.lower);
        assert!(b.upper_sq <= u2 && !quartic(&b.upper_sq).is_positive());
        let width = (&b.upper - &b.lower) / &b.lower;
        assert!(
            width * Q::from_integer(num_bigint::BigInt::one() << 60usize) < q(1, 1),
            "{b:?}"
        );
        // a rational σ_min with a large denominator is recognized exactly: 1 × 1, and a
        // diagonal 2 × 2 whose f64 estimate is not within 2^-40 of a simple rational
        let w = q(123_456_789, 1 << 30);
        let b = tight_bracket(&Mat::from_vec(1, 1, vec![w.clone()]));
        assert_eq!((&b.lower, &b.upper), (&w, &w));
        let m = Mat::from_vec(2, 2, vec![w.clone(), q(0, 1), q(0, 1), q(3, 1)]);
        assert_eq!(tight_bracket(&m).lower, w);
        // σ_min(Xᵀ) = ‖X‖ = √5/2 for X = [1, 1/2]: irrational, with the exact square 5/4
        let xt = Mat::from_vec(2, 1, vec![q(1, 1), q(1, 2)]);
        for b in [bracket(&xt), tight_bracket(&xt)] {
            assert!(b.lower < b.upper);
            assert_eq!(b.squared(), (q(5, 4), q(5, 4)));
        }
        // rational and singular cases as `bracket`
        assert_eq!(tight_bracket(&mat::identity(&Exact, 3)).lower, q(1, 1));
        let z = Mat::from_vec(2, 2, vec![q(1, 1), q(2, 1), q(2, 1), q(4, 1)]);
        assert!(tight_bracket(&z).lower.is_zero());
    }
}
