//! Critical points for each index set S when Σ's spectrum is not rational (\[AMG\], claims.md):
//! the constructions of [`super::critical`] (same rank profiles, same zero point) with
//! C = U_S and R = U_SᵀΦ in MPFR, U_S the certified orthonormal eigenvectors of
//! [`super::spectrum_mpfr`]. Then C R = U_SU_SᵀΦ, and the point is critical up to the eigenvector
//! residuals: ∇_{W_L}f ∝ (I − U_SU_Sᵀ)ΣU_S = (I − U_SU_Sᵀ)(Σu_j − θ_ju_j)_j (module doc of
//! `critical`), so ‖∇f‖ is of the order of the residuals times the sizes of the other factors.
//! Every point is therefore checked against the stated bound [`tolerance`], never assumed critical.

use super::critical::{layered, profiles, set_description, zero_point};
use super::spectrum_mpfr::MpfrSpectrum;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Mpfr;
use num_rational::BigRational;
use rug::Float;

/// A critical point in MPFR with its index set.
#[derive(Clone, Debug)]
pub struct MpfrCriticalPoint {
    /// W_1 … W_L, rounded to the spectrum's precision.
    pub weights: Vec<Mat<Float>>,
    /// S without the indices of zero eigenvalues (they leave U_SU_SᵀΦ unchanged), 0-based.
    pub set: Vec<usize>,
    /// How the point was built, for reports.
    pub origin: String,
}

/// The bound τ = 2^(−prec/2)·(1 + ‖Φ‖_F + ‖X‖_F + ‖Y‖_F)^(2L+2) that MPFR figures at constructed
/// points are checked against (gradient norm, loss against the critical value, product against
/// U_SU_SᵀΦ). Why it is safe: each such figure is a sum of products of at most 2L + 2 factors, one
/// of them an eigen-residual (≤ the certified radii, themselves ≥ 2^(−prec/2)-margin only when the
/// residual is tiny) or a rounding error of relative size 2^(−prec), and the others bounded by the
/// norms above (U_S is orthonormal, the middle layers are 0/1 matrices).
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

/// The constructed critical points of index set S (0-based, λ order), in MPFR.
pub fn critical_points_mpfr(
    dims: &[usize],
    sp: &MpfrSpectrum,
    set: &[usize],
) -> Vec<MpfrCriticalPoint> {
    let mp = Mpfr { prec: sp.prec };
    let l = dims.len() - 1;
    let canonical: Vec<usize> = set.iter().copied().filter(|&j| !sp.is_zero(j)).collect();
    let c = sp.basis(&canonical);
    let r = mat::matmul_tn(&mp, &c, &mat::from_exact(&mp, &sp.phi));
    let s = canonical.len();
    let mut out: Vec<MpfrCriticalPoint> = Vec::new();
    let mut push = |weights: Vec<Mat<Float>>, origin: String| {
        if !out.iter().any(|p| p.weights == weights) {
            out.push(MpfrCriticalPoint {
                weights,
                set: canonical.clone(),
                origin,
            });
        }
    };
    for (ranks, origin) in profiles(dims, s, &set_description(set)) {
        push(layered(&mp, dims, &c, &r, &ranks), origin);
    }
    if s == 0 && l >= 2 {
        push(zero_point(&mp, dims), "the zero point".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::critical::tests::q;
    use crate::enumerate::spectrum_mpfr::mpfr_spectrum;
    use crate::linalg::Exact;
    use crate::model::linear;

    #[test]
    fn constructed_points_are_critical_to_the_bound_with_the_right_value() {
        // Σ = [[2,1],[1,1]] (eigenvalues (3 ± √5)/2), depth 3, widths 2
        let y = Mat::from_vec(2, 2, vec![q(1), q(1), q(0), q(1)]);
        let x = mat::identity(&Exact, 2);
        let prec = 256;
        let sp = mpfr_spectrum(&x, &y, prec).unwrap();
        let tau = tolerance(prec, &sp.phi, &x, &y, 3);
        assert!(tau < Float::with_val(prec, 1) >> 100, "{tau}");
        let mp = Mpfr { prec };
        let (xm, ym) = (mat::from_exact(&mp, &x), mat::from_exact(&mp, &y));
        let mut seen = 0;
        for set in [vec![], vec![0], vec![1], vec![0, 1]] {
            let (value, radius) = sp.critical_value(&set);
            for p in critical_points_mpfr(&[2, 2, 2, 2], &sp, &set) {
                let ev = linear::evaluate(&mp, &p.weights, &xm, &ym);
                let g2 = linear::gradient(&mp, &ev)
                    .iter()
                    .fold(Float::new(prec), |acc, g| acc + mat::frob2(&mp, g));
                assert!(g2.sqrt() <= tau, "{}: gradient too large", p.origin);
                let err = Float::with_val(prec, linear::loss(&mp, &ev) - &value).abs();
                assert!(err <= Float::with_val(prec, &radius + &tau), "{}", p.origin);
                seen += 1;
            }
        }
        // tight + loose for each S; they coincide when s = 2, and for S = ∅ the tight point is
        // the zero point
        assert_eq!(seen, 2 + 2 + 2 + 1);
        // a point that is not critical fails the same test: S = {2} with the top eigenvector
        let wrong = critical_points_mpfr(&[2, 2, 2, 2], &sp, &[0]);
        let mut shifted = wrong[0].weights.clone();
        *shifted[0].at_mut(0, 0) += 1u32;
        let ev = linear::evaluate(&mp, &shifted, &xm, &ym);
        let g2 = linear::gradient(&mp, &ev)
            .iter()
            .fold(Float::new(prec), |acc, g| acc + mat::frob2(&mp, g));
        assert!(g2.sqrt() > tau);
    }
}
