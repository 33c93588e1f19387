//! λ_max of a symmetric matrix in f64, by faer's self-adjoint eigensolver.

use super::mat::Mat;

/// An extreme eigenpair of a symmetric matrix, in f64.
#[derive(Clone, Debug)]
pub struct TopPairF64 {
    /// λ_max
    pub value: f64,
    /// A unit eigenvector for λ_max.
    pub vector: Vec<f64>,
}

/// faer's eigensolver failed to converge (it reports no other failure).
#[derive(Debug, thiserror::Error)]
#[error("faer's self-adjoint eigensolver did not converge")]
pub struct NoConvergence;

/// Top eigenpair of the symmetric matrix `h` (only the lower triangle is read), via faer's
/// `self_adjoint_eigen` (Householder tridiagonalization + divide and conquer); backward stable, so
/// |λ̂ − λ| ≤ c·n·u·‖H‖_F with u = 2⁻⁵³.
pub fn top_eigenpair(h: &Mat<f64>) -> Result<TopPairF64, NoConvergence> {
    eigenpair(h, true)
}

/// The bottom eigenpair (λ_min and a unit eigenvector), as [`top_eigenpair`].
pub fn bottom_eigenpair(h: &Mat<f64>) -> Result<TopPairF64, NoConvergence> {
    eigenpair(h, false)
}

fn eigenpair(h: &Mat<f64>, top: bool) -> Result<TopPairF64, NoConvergence> {
    let n = h.rows();
    assert!(
        h.is_square() && n > 0,
        "eigenpair: need a nonempty square matrix"
    );
    let m = faer::Mat::<f64>::from_fn(n, n, |i, j| *h.at(i, j));
    let evd = m
        .self_adjoint_eigen(faer::Side::Lower)
        .map_err(|_| NoConvergence)?;
    let k = if top { n - 1 } else { 0 };
    let value = evd.S().column_vector()[k];
    let u = evd.U();
    let vector = (0..n).map(|i| u[(i, k)]).collect();
    Ok(TopPairF64 { value, vector })
}

/// A priori bound on the error of [`top_eigenpair`]'s value: 64·n·2⁻⁵³·‖H‖_F (Weyl's inequality
/// applied to the backward error of a Householder-based symmetric eigensolver; the constant 64 is a
/// generous allowance for the accumulation constant of the tridiagonalization, Golub–Van Loan §8.3).
pub fn error_bound(h: &Mat<f64>) -> f64 {
    // scaled sum of squares: ‖H‖_F without overflow for entries near the f64 range's ends
    let scale = h.as_slice().iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let frob = if scale > 0.0 && scale.is_finite() {
        scale
            * h.as_slice()
                .iter()
                .map(|x| (x / scale) * (x / scale))
                .sum::<f64>()
                .sqrt()
    } else {
        scale
    };
    64.0 * h.rows() as f64 * f64::EPSILON / 2.0 * frob.max(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_ratio_matrix() {
        // [[2,1],[1,1]] has λ_max = φ² = (3 + √5)/2
        let h = Mat::from_vec(2, 2, vec![2.0, 1.0, 1.0, 1.0]);
        let top = top_eigenpair(&h).unwrap();
        let phi2 = (3.0 + 5f64.sqrt()) / 2.0;
        assert!((top.value - phi2).abs() < 1e-14);
        let v = &top.vector;
        let hv0 = 2.0 * v[0] + v[1];
        assert!((hv0 - phi2 * v[0]).abs() < 1e-14);
        assert!(error_bound(&h) > 0.0 && error_bound(&h) < 1e-12);
        // the bound stays finite for entries near the top of the f64 range
        let big = Mat::from_vec(1, 1, vec![4e300]);
        assert!(error_bound(&big).is_finite() && error_bound(&big) > 0.0);
        let bottom = bottom_eigenpair(&h).unwrap();
        assert!((bottom.value - (3.0 - 5f64.sqrt()) / 2.0).abs() < 1e-14);
    }
}
