//! Certified rational brackets t ≤ σ_min(M) ≤ u of a rational matrix M with at least as many rows
//! as columns (σ_min(M)² = λ_min(MᵀM)).
//!
//! Lower end: t with MᵀM − t²I ⪰ 0, proven by exact fraction-free LDLᵀ (linalg::definite); then
//! every eigenvalue of MᵀM is ≥ t², i.e. σ_min(M) ≥ t. Upper end: for any rational v ≠ 0,
//! σ_min(M)² ≤ ‖Mv‖²/‖v‖² (Courant–Fischer), so u ≥ √(‖Mv‖²/‖v‖²) is an upper bound; v is the
//! f64 eigenvector of λ_min(MᵀM) read exactly. The f64 estimate comes from faer's symmetric
//! eigensolver. The short rationals both ends are built from ([`simple_near`], [`sqrt_upper`])
//! serve the \[ZL\] claims' sample points and radii too.

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
        })
    }
}

/// Is MᵀM − t²I ⪰ 0 (exact)?
pub fn lower_holds(gram: &Mat<Q>, t: &Q) -> bool {
    let t2 = t * t;
    let shifted = Mat::from_fn(gram.rows(), gram.cols(), |i, j| {
        if i == j {
            gram.at(i, j) - &t2
        } else {
            gram.at(i, j).clone()
        }
    });
    definiteness(&shifted).is_psd()
}

/// A certified bracket of σ_min(M) = √λ_min(MᵀM) for a rational M (rows ≥ columns).
pub fn bracket(m: &Mat<Q>) -> SigmaBracket {
    let gram = mat::matmul_tn(&Exact, m, m);
    let gf = mat::from_exact(&F64, &gram);
    let (lam, vec) = match bottom_eigenpair(&gf) {
        Ok(p) => (p.value.max(0.0), p.vector),
        Err(_) => (0.0, vec![1.0; gram.rows()]),
    };
    let sigma = lam.sqrt();
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
    let mv = mat::matvec(&Exact, m, &v);
    let rq = mat::dot(&Exact, &mv, &mv) / mat::dot(&Exact, &v, &v);
    SigmaBracket {
        lower,
        upper: sqrt_upper(&rq),
        vector: v,
        f64: sigma,
    }
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
        // diag(3, 1/2): σ_min = 1/2
        let m = Mat::from_vec(2, 2, vec![q(3, 1), q(0, 1), q(0, 1), q(1, 2)]);
        let b = bracket(&m);
        assert!(b.lower <= q(1, 2) && b.upper >= q(1, 2));
        assert!(b.lower > q(49, 100) && b.upper < q(51, 100));
        // [[1,1],[0,1]]: σ_min = (√5 − 1)/2 ≈ 0.618034
        let g = Mat::from_vec(2, 2, vec![q(1, 1), q(1, 1), q(0, 1), q(1, 1)]);
        let b = bracket(&g);
        let s = (5f64.sqrt() - 1.0) / 2.0;
        assert!(q_to_f64(&b.lower) <= s);
        assert!(q_to_f64(&b.upper) >= s);
        assert!(lower_holds(&mat::matmul_tn(&Exact, &g, &g), &b.lower));
        assert!(!lower_holds(&mat::matmul_tn(&Exact, &g, &g), &q(62, 100)));
        // singular: lower end 0
        let z = Mat::from_vec(2, 2, vec![q(1, 1), q(2, 1), q(2, 1), q(4, 1)]);
        assert!(bracket(&z).lower.is_zero());
    }
}
