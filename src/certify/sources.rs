//! The symmetric matrices whose top eigenvalues the claims compare, as [`SymmetricSource`]s that can
//! be built in any arithmetic from a point's exact (or dyadic) weights.

use super::lambda_max::SymmetricSource;
use crate::enumerate::minimizers::Point;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use crate::model::linear;
use num_rational::BigRational;

/// The weights of `p` in arithmetic `f` and the evaluated network.
pub fn evaluated<F: Field>(f: &F, p: &Point) -> (Vec<Mat<F::T>>, linear::Evaluated<F::T>) {
    let ws: Vec<Mat<F::T>> = p.weights.iter().map(|w| mat::from_exact(f, w)).collect();
    let ev = linear::evaluate(f, &ws, &mat::from_exact(f, &p.x), &mat::from_exact(f, &p.y));
    (ws, ev)
}

/// The full Hessian ∇²f at a point (P × P).
pub struct HessianAt<'a>(pub &'a Point);

impl SymmetricSource for HessianAt<'_> {
    fn build<F: Field>(&self, f: &F) -> Mat<F::T> {
        let (ws, ev) = evaluated(f, self.0);
        linear::hessian(f, &ws, &ev)
    }
    fn is_exact(&self) -> bool {
        self.0.exact
    }
}

/// The KP-exact operator Σ_k (B_kX)ᵀ(B_kX) ⊗ A_kA_kᵀ at a point (d_L·n × d_L·n).
pub struct KpOperatorAt<'a>(pub &'a Point);

impl SymmetricSource for KpOperatorAt<'_> {
    fn build<F: Field>(&self, f: &F) -> Mat<F::T> {
        let (_, ev) = evaluated(f, self.0);
        linear::kp_operator(f, &ev)
    }
    fn is_exact(&self) -> bool {
        self.0.exact
    }
}

/// A Gram matrix MᵀM or MMᵀ of a rational matrix: its λ_max is ‖M‖₂².
pub struct Gram {
    /// The symmetric Gram matrix, exactly.
    pub gram: Mat<BigRational>,
    /// Whether M is the true matrix (false for an MPFR rounding of an irrational one).
    pub exact: bool,
}

impl Gram {
    /// MᵀM
    pub fn tn(m: &Mat<BigRational>, exact: bool) -> Self {
        Gram {
            gram: mat::matmul_tn(&crate::linalg::Exact, m, m),
            exact,
        }
    }
    /// MMᵀ
    pub fn nt(m: &Mat<BigRational>, exact: bool) -> Self {
        Gram {
            gram: mat::matmul_nt(&crate::linalg::Exact, m, m),
            exact,
        }
    }
}

impl SymmetricSource for Gram {
    fn build<F: Field>(&self, f: &F) -> Mat<F::T> {
        mat::from_exact(f, &self.gram)
    }
    fn is_exact(&self) -> bool {
        self.exact
    }
}
