//! λ_max of a symmetric matrix three ways, side by side: f64 (faer), MPFR (Householder + Sturm
//! bisection) and, where the matrix is rational, a proven enclosure [lo, hi]:
//! - lo = vᵀHv / vᵀv for a rational vector v (Rayleigh: every Rayleigh quotient is ≤ λ_max);
//! - hi = u with uI − H ≻ 0 proven by exact fraction-free elimination (all eigenvalues < u);
//! - when the simplest rational q in [lo, hi] makes qI − H positive semidefinite and singular,
//!   λ_max = q exactly.

use super::estimate::Estimate;
use crate::linalg::definite::{definiteness, Definiteness};
use crate::linalg::enclosure::simplest_in;
use crate::linalg::field::{f64_to_q, float_to_q, q_to_f64};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_f64, eigen_mpfr, Enclosure, Exact, Field, Ival, Mpfr, F64};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rug::float::Round;
use rug::Float;

/// A symmetric matrix that can be built in any of the three arithmetics.
pub trait SymmetricSource {
    /// Build the matrix in arithmetic `f`.
    fn build<F: Field>(&self, f: &F) -> Mat<F::T>;
    /// Are the inputs exact rationals (so the exact build is the true matrix)?
    fn is_exact(&self) -> bool;
}

/// Limits and targets for the three computations.
#[derive(Clone, Debug)]
pub struct Settings {
    /// MPFR precision in bits.
    pub prec: u32,
    /// Target relative width of exact enclosures: 2^(−enclosure_bits).
    pub enclosure_bits: u32,
    /// Largest dimension for the exact enclosure (its cost grows like n³ big-integer operations).
    pub exact_limit: usize,
    /// Largest dimension for the MPFR eigensolver (n³ MPFR operations).
    pub mpfr_limit: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            prec: 256,
            enclosure_bits: 50,
            exact_limit: 160,
            mpfr_limit: 320,
        }
    }
}

/// The proof behind an enclosure, kept for the certificate.
#[derive(Clone, Debug)]
pub struct EnclosureProof {
    /// The rational vector whose Rayleigh quotient is the lower end.
    pub vector: Vec<BigRational>,
    /// The upper end u, with uI − H ≻ 0 (or ⪰ 0 and singular when exact).
    pub upper: BigRational,
    /// Whether λ_max was identified exactly.
    pub exact: bool,
}

/// λ_max of `src` in the three arithmetics, with the enclosure's proof when there is one.
pub fn lambda_max(src: &impl SymmetricSource, s: &Settings) -> (Estimate, Option<EnclosureProof>) {
    let h64 = src.build(&F64);
    let n = h64.rows();
    let mut notes = Vec::new();
    let (f64_value, vector) = match eigen_f64::top_eigenpair(&h64) {
        Ok(top) => (top.value, Some(top.vector)),
        Err(e) => {
            notes.push(e.to_string());
            (f64::NAN, None)
        }
    };
    let f64_tol = eigen_f64::error_bound(&h64);
    let (mpfr, mpfr_tol) = if n <= s.mpfr_limit {
        let mp = Mpfr { prec: s.prec };
        let hm = src.build(&mp);
        let value = eigen_mpfr::top_eigenvalue(&hm, s.prec);
        let tol = proven_radius(src, n, &value, s.prec).unwrap_or_else(|| {
            notes.push(format!(
                "the MPFR error bound is an a priori estimate, not proven (dimension {n} above \
                 the interval limit {PROVEN_MPFR_LIMIT}, or the interval count failed)"
            ));
            eigen_mpfr::error_bound(&hm, s.prec)
        });
        (Some(value), Some(tol))
    } else {
        notes.push(format!(
            "MPFR eigensolver skipped: dimension {n} exceeds the MPFR limit {}",
            s.mpfr_limit
        ));
        (None, None)
    };
    let mut proof = None;
    let enclosure = if !src.is_exact() {
        notes.push("inputs are not exact rationals: no exact enclosure".into());
        None
    } else if n > s.exact_limit {
        notes.push(format!(
            "exact enclosure skipped: dimension {n} exceeds the exact limit {}",
            s.exact_limit
        ));
        None
    } else {
        let hq = src.build(&Exact);
        let center = mpfr
            .as_ref()
            .and_then(float_to_q)
            .or_else(|| f64_to_q(f64_value));
        match (center, vector) {
            (Some(c), Some(v)) => match enclose(&hq, &c, &v, s.enclosure_bits) {
                Ok((enc, pr)) => {
                    proof = Some(pr);
                    Some(enc)
                }
                Err(msg) => {
                    notes.push(msg);
                    None
                }
            },
            _ => None,
        }
    };
    let est = Estimate {
        f64: f64_value,
        f64_tol,
        mpfr,
        mpfr_tol,
        enclosure,
        notes,
    };
    (est, proof)
}

/// Largest dimension for which the MPFR error bound of λ_max is proven by interval arithmetic
/// ([`eigen_mpfr::enclose_kth_largest`], n³/3 interval operations per count).
pub const PROVEN_MPFR_LIMIT: usize = 64;

/// A proven bound on |λ_max(H) − `value`| for the matrix H built from `src`'s inputs: H is built in
/// interval arithmetic ([`Ival`], so it encloses the matrix of the inputs), λ_max is enclosed in
/// (lo, hi) by proven inertia counts, and max(value − lo, hi − value) is rounded up. `None` above
/// [`PROVEN_MPFR_LIMIT`] (n is H's dimension) or when the counts cannot be proven at this precision.
fn proven_radius(src: &impl SymmetricSource, n: usize, value: &Float, prec: u32) -> Option<Float> {
    if n > PROVEN_MPFR_LIMIT {
        return None;
    }
    let h = src.build(&Ival { prec });
    let (lo, hi) = eigen_mpfr::enclose_kth_largest_near(&h, 1, value, prec)?;
    let below = Float::with_val_round(prec, value - &lo, Round::Up).0;
    let above = Float::with_val_round(prec, &hi - value, Round::Up).0;
    Some(below.max(&above).max(&Float::new(prec)))
}

/// Prove an enclosure of λ_max(H) around the approximation `center`, with lower end the Rayleigh
/// quotient of (the exact rational value of) the f64 eigenvector `v`.
fn enclose(
    h: &Mat<BigRational>,
    center: &BigRational,
    v: &[f64],
    bits: u32,
) -> Result<(Enclosure, EnclosureProof), String> {
    let n = h.rows();
    let vq: Vec<BigRational> = v
        .iter()
        .map(|&x| f64_to_q(x).unwrap_or_else(BigRational::zero))
        .collect();
    let vv = mat::dot(&Exact, &vq, &vq);
    if vv.is_zero() {
        return Err("eigenvector is zero: no lower bound".into());
    }
    let lo = mat::dot(&Exact, &vq, &mat::matvec(&Exact, h, &vq)) / vv;
    let scale_ref = {
        let maxabs = h
            .as_slice()
            .iter()
            .map(|x| x.abs())
            .max()
            .unwrap_or_else(BigRational::zero);
        let s = center.abs().max(maxabs);
        if s.is_zero() {
            BigRational::one()
        } else {
            s
        }
    };
    let mut margin = &scale_ref / BigRational::from_integer(BigInt::one() << (bits as usize + 2));
    // Ends are rounded outward to multiples of 2^(−k), k a few bits finer than the margin, so
    // they stay short (rounding outward keeps both bounds valid).
    let log2_scale = scale_ref.numer().bits() as i64 - scale_ref.denom().bits() as i64;
    let k = bits as i64 + 8 - log2_scale;
    let grid = |q: &BigRational, up: bool| -> BigRational {
        let g = if k >= 0 {
            BigRational::new(BigInt::one(), BigInt::one() << k as usize)
        } else {
            BigRational::from_integer(BigInt::one() << (-k) as usize)
        };
        let t = q / &g;
        (if up { t.ceil() } else { t.floor() }) * g
    };
    let lo = grid(&lo, false);
    for _ in 0..8 {
        let u = grid(&(center + &margin), true);
        if u >= lo && definiteness(&shifted(h, &u)) == Definiteness::PositiveDefinite {
            // try to name λ_max exactly
            let q = simplest_in(&lo, &u);
            if q.denom().bits() <= 64 && q < u {
                if let Definiteness::PositiveSemidefinite { rank } = definiteness(&shifted(h, &q)) {
                    if rank < n {
                        let pr = EnclosureProof {
                            vector: vq,
                            upper: q.clone(),
                            exact: true,
                        };
                        return Ok((Enclosure::exact(q), pr));
                    }
                }
            }
            let enc = Enclosure::new(lo, u.clone()).ok_or("lower end above upper end")?;
            return Ok((
                enc,
                EnclosureProof {
                    vector: vq,
                    upper: u,
                    exact: false,
                },
            ));
        }
        margin *= BigRational::from_integer(256.into());
    }
    Err(format!(
        "could not prove an upper bound for λ_max near {:e} (uI − H not positive definite up to margin {:e})",
        q_to_f64(center),
        q_to_f64(&margin)
    ))
}

/// uI − H
pub fn shifted(h: &Mat<BigRational>, u: &BigRational) -> Mat<BigRational> {
    Mat::from_fn(h.rows(), h.cols(), |i, j| {
        if i == j {
            u - h.at(i, j)
        } else {
            -h.at(i, j).clone()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    struct ExactMatrix(Mat<BigRational>);

    impl SymmetricSource for ExactMatrix {
        fn build<F: Field>(&self, f: &F) -> Mat<F::T> {
            mat::from_exact(f, &self.0)
        }
        fn is_exact(&self) -> bool {
            true
        }
    }

    #[test]
    fn rational_lambda_max_is_named_exactly() {
        // diag(91/9, 1, 1/2) rotated by a rational orthogonal matrix (3/5, 4/5; −4/5, 3/5) ⊕ 1
        let d = [q(91, 9), q(1, 1), q(1, 2)];
        let r = Mat::from_vec(
            3,
            3,
            vec![
                q(3, 5),
                q(4, 5),
                q(0, 1),
                q(-4, 5),
                q(3, 5),
                q(0, 1),
                q(0, 1),
                q(0, 1),
                q(1, 1),
            ],
        );
        let dm = Mat::from_fn(3, 3, |i, j| if i == j { d[i].clone() } else { q(0, 1) });
        let h = mat::matmul(&Exact, &mat::matmul(&Exact, &r, &dm), &r.transpose());
        let (est, proof) = lambda_max(&ExactMatrix(h), &Settings::default());
        assert_eq!(est.exact_value(), Some(&q(91, 9)));
        assert!(proof.unwrap().exact);
        assert!((est.f64 - 91.0 / 9.0).abs() < 1e-13);
        assert!(est.disagreement().is_none());
    }

    #[test]
    fn irrational_lambda_max_is_enclosed_tightly() {
        // [[2,1],[1,1]]: λ_max = φ² = (3+√5)/2
        let h = Mat::from_vec(2, 2, vec![q(2, 1), q(1, 1), q(1, 1), q(1, 1)]);
        let s = Settings::default();
        let (est, _) = lambda_max(&ExactMatrix(h), &s);
        let enc = est.enclosure.clone().unwrap();
        assert!(!enc.is_exact());
        assert!(enc.relative_width() <= crate::certify::estimate::pow2_neg(s.enclosure_bits));
        // φ² in MPFR lies inside
        let phi2 = (rug::Float::with_val(256, 5).sqrt() + 3u32) / 2u32;
        let phi2q = float_to_q(&phi2).unwrap();
        assert!(enc.lo() < &phi2q && &phi2q < enc.hi());
        // and it is narrow: width below 2^-50 relative
        assert!(est.disagreement().is_none());
    }

    #[test]
    fn tiny_and_huge_scales_keep_relative_width() {
        for e in [-120i32, 120] {
            let s = if e < 0 {
                q(1, 1) / BigRational::from_integer(BigInt::one() << (-e) as usize)
            } else {
                BigRational::from_integer(BigInt::one() << e as usize)
            };
            let h = Mat::from_vec(2, 2, vec![q(2, 1) * &s, s.clone(), s.clone(), s.clone()]);
            let (est, _) = lambda_max(&ExactMatrix(h), &Settings::default());
            let enc = est.enclosure.clone().expect("enclosure at any scale");
            let tol = crate::certify::estimate::pow2_neg(50);
            assert!(enc.relative_width() <= tol, "scale 2^{e}");
            assert!(est.disagreement().is_none(), "scale 2^{e}");
        }
    }

    #[test]
    fn repeated_and_zero_eigenvalues() {
        let z = Mat::from_vec(2, 2, vec![q(0, 1); 4]);
        let (est, _) = lambda_max(&ExactMatrix(z), &Settings::default());
        assert_eq!(est.exact_value(), Some(&q(0, 1)));
        let i3 = mat::identity(&Exact, 3);
        let (est, _) = lambda_max(
            &ExactMatrix(mat::scale(&Exact, &q(-7, 3), &i3)),
            &Settings::default(),
        );
        assert_eq!(est.exact_value(), Some(&q(-7, 3)));
    }
}
