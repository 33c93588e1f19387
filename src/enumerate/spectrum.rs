//! The problem data of \[AMG\] (claims.md): Σ_XX = XXᵀ, Φ = Σ_YX Σ_XX⁻¹, Σ = Φ Σ_XX Φᵀ with
//! eigenvalues λ_1 ≥ … ≥ λ_{d_L}, and the projectors U_S U_Sᵀ onto sums of eigenspaces.
//!
//! Eigenvalues are found in MPFR, recognized as rationals, and then proven exactly (Σ − qI
//! singular); eigenvectors are then exact null vectors, and U_S U_Sᵀ = Σ_{j∈S} u_j u_jᵀ / u_jᵀu_j
//! is rational even though the normalized U is not.

use super::minimizers::target_map;
use crate::linalg::enclosure::simplest_in;
use crate::linalg::field::{float_to_q, q_to_string};
use crate::linalg::mat::{self, null_space, Mat};
use crate::linalg::{eigen_mpfr, Exact, Mpfr};
use num_rational::BigRational;
use num_traits::Zero;
use rug::Float;

/// Σ's spectrum, exactly.
#[derive(Clone, Debug)]
pub struct Spectrum {
    /// Φ = Σ_YX Σ_XX⁻¹
    pub phi: Mat<BigRational>,
    /// Σ = Φ Σ_XX Φᵀ
    pub sigma: Mat<BigRational>,
    /// λ_1 ≥ … ≥ λ_{d_L}, exact.
    pub eigenvalues: Vec<BigRational>,
    /// An (unnormalized) exact eigenvector for each eigenvalue.
    pub eigenvectors: Vec<Vec<BigRational>>,
    /// ½ tr Σ_YY, so that critical values are ½ tr Σ_YY − ½ Σ_{j∈S} λ_j.
    pub half_trace_syy: BigRational,
}

/// Why the exact spectrum is unavailable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpectrumError {
    /// X Xᵀ is singular.
    SingularX,
    /// Some eigenvalue of Σ (MPFR value given) is not recognized as a rational at this precision:
    /// irrational, or a rational too close to a simpler one or to another eigenvalue to be told
    /// apart here. The MPFR path decides what it can.
    Unrecognized(String),
    /// Two eigenvalues coincide, proven exactly (Σ − qI has a null space of dimension ≥ 2): the
    /// \[AMG\] statements assume λ_1 > … > λ_{d_L}.
    Repeated(String),
}

impl std::fmt::Display for SpectrumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpectrumError::SingularX => write!(f, "X Xᵀ is singular"),
            SpectrumError::Unrecognized(v) => write!(f, "Σ has the eigenvalue {v}, not recognized as a rational at this precision (it may be irrational): exact critical points are built only for rational spectra"),
            SpectrumError::Repeated(v) => write!(f, "Σ has the repeated eigenvalue {v}: the [AMG] statements assume distinct eigenvalues, so they are out of scope here"),
        }
    }
}

/// Compute Σ's spectrum exactly, or say why not.
pub fn spectrum(
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
    prec: u32,
) -> Result<Spectrum, SpectrumError> {
    let (phi, sigma) = phi_and_sigma(x, y).ok_or(SpectrumError::SingularX)?;
    let n = sigma.rows();
    let mp = Mpfr { prec };
    let t = eigen_mpfr::tridiagonalize(&mat::from_exact(&mp, &sigma), prec);
    let tol = Float::with_val(prec, Float::with_val(prec, 1) >> (prec as i32 / 2));
    let mut eigenvalues: Vec<BigRational> = Vec::with_capacity(n);
    let mut eigenvectors = Vec::with_capacity(n);
    for k in 1..=n {
        let v = t.kth_largest(k);
        let scale = Float::with_val(prec, v.clone().abs() + 1u32);
        let w = Float::with_val(prec, &tol * &scale);
        let lo = float_to_q(&Float::with_val(prec, &v - &w))
            .ok_or_else(|| SpectrumError::Unrecognized(v.to_string()))?;
        let hi = float_to_q(&Float::with_val(prec, &v + &w))
            .ok_or_else(|| SpectrumError::Unrecognized(v.to_string()))?;
        let q = simplest_in(&lo, &hi);
        if eigenvalues.last() == Some(&q) {
            // q was proven a simple eigenvalue one step before (null space of dimension 1), so
            // this is another eigenvalue within the window of q: distinct, but not resolved at
            // this precision — never "repeated" without the exact proof below
            return Err(SpectrumError::Unrecognized(
                crate::linalg::field::mpfr_decimal(&v),
            ));
        }
        let shifted = Mat::from_fn(n, n, |i, j| {
            if i == j {
                sigma.at(i, j) - &q
            } else {
                sigma.at(i, j).clone()
            }
        });
        let null = null_space(&shifted);
        match null.len() {
            0 => {
                return Err(SpectrumError::Unrecognized(
                    crate::linalg::field::mpfr_decimal(&v),
                ))
            }
            1 => {}
            _ => return Err(SpectrumError::Repeated(q_to_string(&q))),
        }
        eigenvalues.push(q);
        eigenvectors.push(null.into_iter().next().expect("one null vector"));
    }
    Ok(Spectrum {
        phi,
        sigma,
        eigenvalues,
        eigenvectors,
        half_trace_syy: half_trace_syy(y),
    })
}

/// Φ = Σ_YX Σ_XX⁻¹ and Σ = Φ Σ_XX Φᵀ (Σ_XX = XXᵀ), exactly; None when Σ_XX is singular.
pub(crate) fn phi_and_sigma(
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
) -> Option<(Mat<BigRational>, Mat<BigRational>)> {
    let phi = target_map(x, y)?;
    let sxx = mat::matmul_nt(&Exact, x, x);
    let sigma = mat::matmul(&Exact, &mat::matmul(&Exact, &phi, &sxx), &phi.transpose());
    Some((phi, sigma))
}

/// ½ tr Σ_YY = ½‖Y‖²_F, exactly (the loss at W = 0, from which the critical values subtract).
pub(crate) fn half_trace_syy(y: &Mat<BigRational>) -> BigRational {
    mat::frob2(&Exact, y) / BigRational::from_integer(2.into())
}

impl Spectrum {
    /// U_S U_Sᵀ = Σ_{j∈S} u_j u_jᵀ / (u_jᵀ u_j) (indices 0-based, λ order).
    pub fn projector(&self, s: &[usize]) -> Mat<BigRational> {
        let n = self.sigma.rows();
        let mut p = mat::zeros(&Exact, n, n);
        for &j in s {
            let u = &self.eigenvectors[j];
            let norm2 = mat::dot(&Exact, u, u);
            for a in 0..n {
                for b in 0..n {
                    *p.at_mut(a, b) += &u[a] * &u[b] / &norm2;
                }
            }
        }
        p
    }

    /// The critical value ½(tr Σ_YY − Σ_{j∈S} λ_j) of claims.md, AMG-values.
    pub fn critical_value(&self, s: &[usize]) -> BigRational {
        s.iter().fold(self.half_trace_syy.clone(), |acc, &j| {
            acc - &self.eigenvalues[j] / BigRational::from_integer(2.into())
        })
    }

    /// U_S U_Sᵀ Φ, the end-to-end product of the critical points of index set S (AMG-product).
    pub fn product_for(&self, s: &[usize]) -> Mat<BigRational> {
        mat::matmul(&Exact, &self.projector(s), &self.phi)
    }

    /// The index set S of a product P = U_S U_Sᵀ Φ, if P has that form: S = {j : u_jᵀP ≠ 0}.
    pub fn index_set_of(&self, p: &Mat<BigRational>) -> Option<Vec<usize>> {
        let s: Vec<usize> = (0..self.eigenvalues.len())
            .filter(|&j| {
                let u = &self.eigenvectors[j];
                (0..p.cols()).any(|c| {
                    !(0..p.rows())
                        .fold(BigRational::zero(), |acc, r| acc + &u[r] * p.at(r, c))
                        .is_zero()
                })
            })
            .collect();
        (self.product_for(&s) == *p).then_some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> BigRational {
        BigRational::from_integer(n.into())
    }

    #[test]
    fn rational_spectrum_with_rotated_eigenvectors() {
        // Y = [[2,1],[1,2]], X = I: Σ = Y Yᵀ = [[5,4],[4,5]], eigenvalues 9 and 1
        let y = Mat::from_vec(2, 2, vec![q(2), q(1), q(1), q(2)]);
        let sp = spectrum(&mat::identity(&Exact, 2), &y, 128).unwrap();
        assert_eq!(sp.eigenvalues, vec![q(9), q(1)]);
        let p = sp.projector(&[0]);
        assert_eq!(
            p,
            Mat::from_vec(2, 2, vec![BigRational::new(1.into(), 2.into()); 4])
        );
        assert_eq!(sp.critical_value(&[]), q(5));
        assert_eq!(sp.critical_value(&[0, 1]), q(0));
        assert_eq!(sp.index_set_of(&sp.product_for(&[1])), Some(vec![1]));
        assert_eq!(sp.index_set_of(&y), Some(vec![0, 1]));
        assert_eq!(sp.index_set_of(&mat::identity(&Exact, 2)), None);
    }

    #[test]
    fn repeated_and_irrational_spectra_are_reported() {
        let id = mat::identity(&Exact, 2);
        assert!(matches!(
            spectrum(&id, &id, 128),
            Err(SpectrumError::Repeated(_))
        ));
        let y = Mat::from_vec(2, 2, vec![q(1), q(1), q(0), q(1)]);
        assert!(matches!(
            spectrum(&id, &y, 128),
            Err(SpectrumError::Unrecognized(_))
        ));
    }

    #[test]
    fn eigenvalues_closer_than_the_precision_are_never_called_repeated() {
        // Y = diag(1 + 2^-300, 1): Σ = diag((1 + 2^-300)², 1), distinct eigenvalues that 128 or
        // 256 bits cannot tell apart
        let id = mat::identity(&Exact, 2);
        let tiny = BigRational::new(1.into(), num_bigint::BigInt::from(1) << 300u32);
        let y = Mat::from_vec(2, 2, vec![q(1) + &tiny, q(0), q(0), q(1)]);
        for prec in [128, 256] {
            assert!(
                matches!(spectrum(&id, &y, prec), Err(SpectrumError::Unrecognized(_))),
                "{prec}"
            );
        }
        // Σ_11 = 1 + 2^-299 + 2^-600: the window 2^-2048 of 4096 bits resolves both, each proven
        // by its null vector
        let sp = spectrum(&id, &y, 4096).unwrap();
        assert_eq!(sp.eigenvalues[1], q(1));
        assert!(sp.eigenvalues[0] > q(1));
        // the mirror case: an eigenvalue 2^-300 *below* 1 beside 1
        let y = Mat::from_vec(2, 2, vec![q(1), q(0), q(0), q(1) - tiny]);
        assert!(matches!(
            spectrum(&id, &y, 256),
            Err(SpectrumError::Unrecognized(_))
        ));
    }
}
