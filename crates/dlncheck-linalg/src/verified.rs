//! A proven enclosure of λ_max of a symmetric matrix known as a floating-point matrix K̃ plus a
//! perturbation of spectral norm ≤ ρ, computed in f64 with a rigorous bound on every rounding
//! error (verified floating point in the sense of Rump, "Verification methods", *Acta Numerica*
//! 19 (2010), §10 and §13) — it scales where exact rationals cannot.
//!
//! The mathematics. Let K̃X = XD + R for an approximate eigendecomposition (X, D = diag(d_i)) from
//! faer, with ‖XᵀX − I‖₂ ≤ α < 1 and ‖R‖₂ ≤ β. Then σ_min(X)² ≥ 1 − α and
//! - X⁻¹K̃X = D + X⁻¹R, so by Bauer–Fike every eigenvalue μ of K̃ has min_i |μ − d_i| ≤
//!   ‖X⁻¹R‖₂ ≤ η := β / √(1 − α); hence λ_max(K̃) ≤ max_i d_i + η;
//! - for the column x of X belonging to d_max, ‖K̃x − d_max x‖ / ‖x‖ ≤ β / √(1 − α) = η, and a
//!   symmetric matrix has an eigenvalue within that distance of d_max, so λ_max(K̃) ≥ d_max − η;
//! - Weyl: |λ_max(K) − λ_max(K̃)| ≤ ‖K − K̃‖₂ ≤ ρ.
//!
//! The rounding. For floating products, |fl(AB) − AB| ≤ γ_m |A||B| entrywise with
//! γ_m = m·u/(1 − m·u), u = 2⁻⁵³, m the inner dimension, in any summation order and with or
//! without FMA (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.5), and
//! ‖|A||B|‖_F ≤ ‖A‖_F‖B‖_F. So with R̃ = fl(fl(K̃X) − fl(XD)) and Ẽ = fl(fl(XᵀX) − I):
//! β ≤ ‖R̃‖_F + γ_{n+2}(‖K̃‖_F + max|d_i|)‖X‖_F and α ≤ ‖Ẽ‖_F + γ_{n+2}‖X‖_F².
//! Norms and the final sums of nonnegative terms are computed in f64 and then inflated by the
//! relative factor (1 + 2⁻²⁰) (a sum or product of m ≤ 2³⁰ nonnegative floats has relative error
//! ≤ γ_m < 2⁻²², ignoring underflow), plus the absolute 2⁻⁹⁶⁰ against underflow; the ends are
//! finally moved outward by one ulp.

use faer::linalg::matmul::matmul;
use faer::Accum;

/// A proven enclosure of λ_max, with the quantities that prove it.
#[derive(Clone, Debug)]
pub struct VerifiedTop {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// max_i d_i from the floating eigendecomposition.
    pub center: f64,
    /// η = β/√(1 − α), the eigendecomposition's residual bound.
    pub eta: f64,
    /// ρ ≥ ‖K − K̃‖₂, the input's own uncertainty.
    pub rho: f64,
}

/// Why no enclosure could be proven.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// faer's eigensolver did not converge.
    #[error("faer's self-adjoint eigensolver did not converge")]
    NoConvergence,
    /// The eigenvector matrix is too far from orthogonal (α ≥ 1/2) or a bound overflowed.
    #[error("the eigenvector basis could not be proven nearly orthogonal (α = {0:e})")]
    NotOrthogonal(f64),
    /// A non-finite entry.
    #[error("the matrix has a non-finite entry")]
    NonFinite,
}

/// 2⁻⁵³
const U: f64 = f64::EPSILON / 2.0;
/// Relative inflation of computed sums of nonnegative terms.
const INFLATE: f64 = 1.0 + 1.0 / 1048576.0;
/// Absolute allowance against underflow.
const TINY: f64 = 1.0e-289;

/// γ_m = m·u/(1 − m·u), rounded up.
pub fn gamma(m: usize) -> f64 {
    let mu = m as f64 * U;
    (mu / (1.0 - mu)) * INFLATE
}

/// The least f64 above `x` (x itself for NaN and +∞).
pub fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// The greatest f64 below `x`.
pub fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// ‖A‖_F computed in f64 and rounded up as described in the module doc.
pub fn frobenius_up(a: faer::MatRef<'_, f64>) -> f64 {
    let mut s = 0.0f64;
    let mut scale = 0.0f64;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            scale = scale.max(a[(i, j)].abs());
        }
    }
    if scale == 0.0 {
        return 0.0;
    }
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            let x = a[(i, j)] / scale;
            s += x * x;
        }
    }
    (scale * s.sqrt()) * INFLATE * INFLATE + TINY
}

/// A proven enclosure of λ_max(K) for every symmetric K with ‖K − K̃‖₂ ≤ `rho`, where K̃ =
/// `mid` is symmetric (only its lower triangle is read by the eigensolver; the products use all
/// of it, so it must be exactly symmetric).
pub fn verified_top(mid: faer::MatRef<'_, f64>, rho: f64) -> Result<VerifiedTop, VerifyError> {
    let n = mid.nrows();
    assert!(
        n > 0 && mid.ncols() == n,
        "verified_top: square matrix required"
    );
    for j in 0..n {
        for i in 0..n {
            if !mid[(i, j)].is_finite() {
                return Err(VerifyError::NonFinite);
            }
        }
    }
    let evd = mid
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|_| VerifyError::NoConvergence)?;
    let x = evd.U();
    let d = evd.S().column_vector();
    let dmax_abs = (0..n).fold(0.0f64, |m, i| m.max(d[i].abs()));
    let center = d[n - 1];
    let par = faer::get_global_parallelism();
    // R̃ = fl(K̃X) − fl(XD)
    let mut r = faer::Mat::<f64>::zeros(n, n);
    matmul(r.as_mut(), Accum::Replace, mid, x, 1.0, par);
    for j in 0..n {
        for i in 0..n {
            r[(i, j)] -= x[(i, j)] * d[j];
        }
    }
    // Ẽ = fl(XᵀX) − I
    let mut e = faer::Mat::<f64>::zeros(n, n);
    matmul(e.as_mut(), Accum::Replace, x.transpose(), x, 1.0, par);
    for i in 0..n {
        e[(i, i)] -= 1.0;
    }
    let xf = frobenius_up(x);
    let kf = frobenius_up(mid);
    let g = gamma(n + 2);
    let beta = (frobenius_up(r.as_ref()) + g * (kf + dmax_abs) * xf * INFLATE) * INFLATE;
    let alpha = (frobenius_up(e.as_ref()) + g * xf * xf * INFLATE) * INFLATE;
    if alpha.is_nan() || alpha >= 0.5 || !beta.is_finite() {
        return Err(VerifyError::NotOrthogonal(alpha));
    }
    // η = β/√(1 − α), rounded up: 1 − α rounded down, then the quotient inflated
    let eta = beta / ((1.0 - alpha) * (1.0 - 4.0 * U)).sqrt() * INFLATE;
    let rho = rho * INFLATE;
    let width = (eta + rho) * INFLATE + TINY;
    let lo = next_down(center - width - center.abs() * 4.0 * U);
    let hi = next_up(center + width + center.abs() * 4.0 * U);
    Ok(VerifiedTop {
        lo,
        hi,
        center,
        eta,
        rho,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encloses_a_known_top_eigenvalue_tightly() {
        // tridiagonal (−1, 2, −1) of size n: λ_max = 2 − 2cos(nπ/(n+1))
        let n = 200;
        let k = faer::Mat::<f64>::from_fn(n, n, |i, j| {
            if i == j {
                2.0
            } else if i.abs_diff(j) == 1 {
                -1.0
            } else {
                0.0
            }
        });
        let exact = 2.0 - 2.0 * (n as f64 * std::f64::consts::PI / (n as f64 + 1.0)).cos();
        let v = verified_top(k.as_ref(), 0.0).unwrap();
        assert!(v.lo <= exact && exact <= v.hi, "{v:?}");
        assert!(v.hi - v.lo < 1e-9, "{v:?}");
        // an input uncertainty widens the enclosure by exactly that much (to rounding)
        let w = verified_top(k.as_ref(), 1e-6).unwrap();
        assert!(w.lo <= v.lo - 1e-6 + 1e-12 && w.hi >= v.hi + 1e-6 - 1e-12);
    }

    #[test]
    fn neighbours() {
        assert_eq!(next_up(1.0), 1.0 + f64::EPSILON);
        assert_eq!(next_down(1.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(next_up(-1.0), -1.0 + f64::EPSILON / 2.0);
        assert!(next_up(0.0) > 0.0 && next_down(0.0) < 0.0);
        assert_eq!(next_up(f64::MAX), f64::INFINITY);
    }

    #[test]
    fn rejects_non_finite_input() {
        let mut k = faer::Mat::<f64>::identity(3, 3);
        k[(1, 1)] = f64::NAN;
        assert!(matches!(
            verified_top(k.as_ref(), 0.0),
            Err(VerifyError::NonFinite)
        ));
    }
}
