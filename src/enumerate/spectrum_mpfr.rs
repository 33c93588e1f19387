//! Σ's spectrum in MPFR, for the cases whose eigenvalues are not all rational (\[AMG\], claims.md:
//! "exact when Σ … has rational spectrum, MPFR otherwise").
//!
//! Eigenpairs (θ_j, u_j) come from the cyclic Jacobi method in MPFR at `prec` bits, so the u_j are
//! orthonormal to working precision. Each θ_j is then *certified* by the residual bound for
//! symmetric matrices: for any vector u ≠ 0 and scalar θ, some eigenvalue of Σ lies within
//! ρ = ‖Σu − θu‖ / ‖u‖ of θ (Parlett, The Symmetric Eigenvalue Problem, Thm 4.5.1). The residual is
//! evaluated in interval arithmetic with directed rounding ([`Ival`]) on the exact Σ, and ρ_j is
//! the upper end of ‖r‖ divided by the lower end of ‖u‖, rounded up: a proven radius, no estimate.
//! When the d_L intervals [θ_j ± ρ_j] are pairwise disjoint (checked with outward rounding) they
//! hold d_L distinct eigenvalues, hence every eigenvalue, each simple: that is the proof that
//! λ_1 > … > λ_{d_L}. Eigenvalues that are exactly zero (d_L − rk Σ of them, rk Σ computed exactly)
//! are set to 0 with radius 0.

use super::spectrum::{half_trace_syy, phi_and_sigma};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Field, Interval, Ival, Mpfr};
use num_rational::BigRational;
use rug::float::Round;
use rug::Float;

/// Σ's spectrum in MPFR with certified radii (module doc).
#[derive(Clone, Debug)]
pub struct MpfrSpectrum {
    /// MPFR precision in bits.
    pub prec: u32,
    /// Φ = Σ_YX Σ_XX⁻¹ (exact).
    pub phi: Mat<BigRational>,
    /// λ_1 > … > λ_{d_L} to `prec` bits.
    pub eigenvalues: Vec<Float>,
    /// |λ_j(true) − eigenvalues\[j\]| ≤ radii\[j\].
    pub radii: Vec<Float>,
    /// Orthonormal (to working precision) eigenvectors, one per eigenvalue.
    pub eigenvectors: Vec<Vec<Float>>,
    /// ½ tr Σ_YY (exact).
    pub half_trace_syy: BigRational,
}

/// Why no certified MPFR spectrum is available.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MpfrSpectrumError {
    /// X Xᵀ is singular.
    #[error("X Xᵀ is singular")]
    SingularX,
    /// Two certified intervals overlap: the eigenvalues are not proven distinct.
    #[error("the eigenvalues near {0} and {1} are not separated at {2} bits: the [AMG] statements assume distinct eigenvalues")]
    NotSeparated(String, String, u32),
}

/// The proven residual radius ρ = ‖Σu − θu‖ / ‖u‖ (module doc): Σ enclosed by `sigma`, u and θ
/// exact MPFR values, the norms taken from interval sums of squares (upper end over lower end,
/// rounded up); +∞ when u is 0.
fn residual_radius(iv: &Ival, sigma: &Mat<Interval>, theta: &Float, u: &[Float]) -> Float {
    let prec = iv.prec;
    let ui: Vec<Interval> = u.iter().map(Interval::point).collect();
    let th = Interval::point(theta);
    let su = mat::matvec(iv, sigma, &ui);
    let res: Vec<Interval> = su
        .iter()
        .zip(&ui)
        .map(|(a, b)| iv.sub(a, &iv.mul(&th, b)))
        .collect();
    let sum_sq = |v: &[Interval]| {
        v.iter()
            .fold(iv.zero(), |acc, x| iv.add(&acc, &x.square(prec)))
            .sqrt(prec)
    };
    let (r, un) = (sum_sq(&res), sum_sq(&ui));
    Float::with_val_round(prec, r.hi() / un.lo(), Round::Up).0
}

/// Σ's spectrum in MPFR with certified, pairwise disjoint eigenvalue intervals, or why not.
pub fn mpfr_spectrum(
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
    prec: u32,
) -> Result<MpfrSpectrum, MpfrSpectrumError> {
    let (phi, sigma) = phi_and_sigma(x, y).ok_or(MpfrSpectrumError::SingularX)?;
    let n = sigma.rows();
    let mp = Mpfr { prec };
    let s = mat::from_exact(&mp, &sigma);
    let (theta, v) = crate::linalg::jacobi::eigen(&s, prec);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| theta[j].partial_cmp(&theta[i]).expect("finite eigenvalues"));
    let zeros = n - mat::rank_exact(&sigma);
    let iv = Ival { prec };
    let sigma_iv = mat::from_exact(&iv, &sigma);
    let mut eigenvalues = Vec::with_capacity(n);
    let mut radii = Vec::with_capacity(n);
    let mut eigenvectors = Vec::with_capacity(n);
    for (rank, &j) in order.iter().enumerate() {
        let u: Vec<Float> = (0..n).map(|i| v.at(i, j).clone()).collect();
        if rank >= n - zeros {
            // Σ ⪰ 0 has exactly `zeros` zero eigenvalues (exact rank), the smallest ones
            eigenvalues.push(Float::new(prec));
            radii.push(Float::new(prec));
        } else {
            eigenvalues.push(theta[j].clone());
            radii.push(residual_radius(&iv, &sigma_iv, &theta[j], &u));
        }
        eigenvectors.push(u);
    }
    for j in 1..n {
        // lower end of λ̃_{j−1} − ρ_{j−1} − (λ̃_j + ρ_j) must be > 0
        let gap = Float::with_val_round(prec, &eigenvalues[j - 1] - &eigenvalues[j], Round::Down).0;
        let reach = Float::with_val_round(prec, &radii[j - 1] + &radii[j], Round::Up).0;
        if gap <= reach {
            return Err(MpfrSpectrumError::NotSeparated(
                crate::linalg::field::mpfr_decimal(&eigenvalues[j - 1]),
                crate::linalg::field::mpfr_decimal(&eigenvalues[j]),
                prec,
            ));
        }
    }
    Ok(MpfrSpectrum {
        prec,
        phi,
        eigenvalues,
        radii,
        eigenvectors,
        half_trace_syy: half_trace_syy(y),
    })
}

impl MpfrSpectrum {
    /// The critical value ½(tr Σ_YY − Σ_{j∈S} λ_j) (AMG-values) and its certified radius
    /// ½ Σ_{j∈S} ρ_j.
    pub fn critical_value(&self, s: &[usize]) -> (Float, Float) {
        let mp = Mpfr { prec: self.prec };
        let mut v = crate::linalg::Field::embed(&mp, &self.half_trace_syy);
        let mut r = Float::new(self.prec);
        for &j in s {
            v -= Float::with_val(self.prec, &self.eigenvalues[j] >> 1);
            r += Float::with_val(self.prec, &self.radii[j] >> 1);
        }
        (v, r)
    }

    /// A proven enclosure of the critical value ½(tr Σ_YY − Σ_{j∈S} λ_j): interval arithmetic over
    /// the exact ½ tr Σ_YY and the certified intervals [θ_j − ρ_j, θ_j + ρ_j] ∋ λ_j.
    pub fn critical_value_enclosure(&self, s: &[usize]) -> Interval {
        let iv = Ival { prec: self.prec };
        let half = iv.embed(&BigRational::new(1.into(), 2.into()));
        s.iter().fold(iv.embed(&self.half_trace_syy), |acc, &j| {
            let lam = Interval::new(
                Float::with_val_round(
                    self.prec,
                    &self.eigenvalues[j] - &self.radii[j],
                    Round::Down,
                )
                .0,
                Float::with_val_round(self.prec, &self.eigenvalues[j] + &self.radii[j], Round::Up)
                    .0,
            );
            iv.sub(&acc, &iv.mul(&half, &lam))
        })
    }

    /// The columns u_j, j ∈ S, as a d_L × |S| matrix U_S.
    pub fn basis(&self, s: &[usize]) -> Mat<Float> {
        let n = self.eigenvectors.first().map_or(0, Vec::len);
        Mat::from_fn(n, s.len(), |i, k| self.eigenvectors[s[k]][i].clone())
    }

    /// Is λ_j exactly zero (module doc)?
    pub fn is_zero(&self, j: usize) -> bool {
        self.eigenvalues[j].is_zero() && self.radii[j].is_zero()
    }

    /// λ_j as "value ± radius", for reports.
    pub fn describe(&self, j: usize) -> String {
        format!(
            "{} ± {:e}",
            crate::linalg::field::mpfr_decimal(&self.eigenvalues[j]),
            self.radii[j].to_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::critical::tests::q;
    use crate::linalg::Exact;

    #[test]
    fn golden_spectrum_is_certified_and_orthonormal() {
        // Y = [[1,1],[0,1]], X = I: Σ = YYᵀ = [[2,1],[1,1]], eigenvalues (3 ± √5)/2
        let y = Mat::from_vec(2, 2, vec![q(1), q(1), q(0), q(1)]);
        let sp = mpfr_spectrum(&mat::identity(&Exact, 2), &y, 200).unwrap();
        let five = Float::with_val(200, 5).sqrt();
        let want = [
            Float::with_val(200, &five + 3u32) / 2u32,
            Float::with_val(200, 3u32 - five.clone()) / 2u32,
        ];
        for ((got, radius), want) in sp.eigenvalues.iter().zip(&sp.radii).zip(&want) {
            let err = Float::with_val(200, got - want).abs();
            assert!(err <= *radius, "{err} vs radius {radius}");
            assert!(*radius < Float::with_val(200, 1) >> 90, "{radius}");
        }
        let mp = Mpfr { prec: 200 };
        let u = sp.basis(&[0, 1]);
        let gram = mat::matmul_tn(&mp, &u, &u);
        let off = Float::with_val(200, gram.at(0, 1).abs_ref());
        assert!(off < Float::with_val(200, 1) >> 150, "{off}");
        let (v, r) = sp.critical_value(&[0]);
        // ½ tr Σ_YY − ½ λ_1 = ½·3 − (3 + √5)/4
        let want_v = Float::with_val(200, 3u32) / 2u32 - Float::with_val(200, &want[0] / 2u32);
        assert!(Float::with_val(200, &v - &want_v).abs() <= r);
    }

    #[test]
    fn zero_eigenvalues_are_exact_and_close_values_need_precision() {
        // Σ = diag(2, 0) rotated into [[1,1],[1,1]]: eigenvalues 2 and 0
        let y = Mat::from_vec(2, 2, vec![q(1), q(0), q(1), q(0)]);
        let sp = mpfr_spectrum(&mat::identity(&Exact, 2), &y, 128).unwrap();
        assert!(sp.is_zero(1) && !sp.is_zero(0));
        // λ = 1 ± 2^-80·… : separated at 256 bits, not at 64
        let eps = BigRational::new(1.into(), num_bigint::BigInt::from(2).pow(80));
        let y = Mat::from_vec(
            2,
            2,
            vec![q(1), eps, BigRational::new(0.into(), 1.into()), q(1)],
        );
        assert!(mpfr_spectrum(&mat::identity(&Exact, 2), &y, 256).is_ok());
        assert!(matches!(
            mpfr_spectrum(&mat::identity(&Exact, 2), &y, 64),
            Err(MpfrSpectrumError::NotSeparated(..))
        ));
    }
}
