//! A proven enclosure of λ_max of a symmetric matrix known by exact inputs, at sizes where exact
//! rational arithmetic is too slow (a Hessian at a point of nonzero loss, where the KP operator
//! does not give λ_max): the matrix is built once in interval arithmetic and its top eigenvalue
//! enclosed by verified floating point.
//!
//! 1. H is built from the exact inputs in interval arithmetic with directed rounding
//!    ([`Ival`], 64-bit ends): every entry h_ij lies in its interval [a_ij, b_ij] (inclusion
//!    property, Moore–Kearfott–Cloud §2.3).
//! 2. H̃ is the symmetric f64 matrix of the midpoints (h̃_ij = h̃_ji = the f64 nearest to the
//!    midpoint of entry (i, j), i ≥ j), and r_ij ≥ max(b_ij − h̃_ij, h̃_ij − a_ij) over both
//!    triangles, rounded up; so |h_ij − h̃_ij| ≤ r_ij and ‖H − H̃‖₂ ≤ ‖R‖_F =: ρ.
//! 3. [`verified_top`] encloses λ_max of every symmetric matrix within ρ of H̃ (Rump's a
//!    posteriori bounds for the floating eigendecomposition of H̃, plus Weyl for ρ).

use crate::certify::lambda_max::SymmetricSource;
use crate::linalg::field::f64_to_q;
use crate::linalg::verified::{frobenius_up, verified_top, VerifiedTop};
use crate::linalg::{Enclosure, Ival};
use rug::float::Round;
use rug::Float;

/// Largest dimension for which the interval build and the verified eigendecomposition are tried:
/// the interval matrix holds n² pairs of 64-bit MPFR numbers (about 100 bytes each with their
/// headers: 100 MB at 1024) and the eigendecomposition of H̃ costs O(n³) flops.
pub const VERIFIED_DENSE_LIMIT: usize = 1024;

/// Precision of the interval ends, in bits (the enclosure's width is set by the f64
/// eigendecomposition, about n·2⁻⁵³‖H‖, so wider ends would not narrow it).
const INTERVAL_PREC: u32 = 64;

/// A proven enclosure of λ_max of `src`'s matrix at its exact inputs, with the verified
/// eigenvalue bound it rests on.
pub fn enclose(src: &impl SymmetricSource) -> Result<(Enclosure, VerifiedTop), String> {
    if !src.is_exact() {
        return Err("the inputs are not exact: no proven enclosure".into());
    }
    let h = src.build(&Ival {
        prec: INTERVAL_PREC,
    });
    let n = h.rows();
    if n > VERIFIED_DENSE_LIMIT {
        return Err(format!(
            "dimension {n} exceeds the verified dense limit {VERIFIED_DENSE_LIMIT}"
        ));
    }
    let mut mid = faer::Mat::<f64>::zeros(n, n);
    let mut rad = faer::Mat::<f64>::zeros(n, n);
    for i in 0..n {
        for j in 0..=i {
            let m = h.at(i, j).mid().to_f64();
            if !m.is_finite() {
                return Err(format!(
                    "entry ({i}, {j}) of the matrix is not finite in f64"
                ));
            }
            let mq = Float::with_val(INTERVAL_PREC, m);
            let mut r = 0.0f64;
            for e in [h.at(i, j), h.at(j, i)] {
                let above = Float::with_val_round(INTERVAL_PREC, e.hi() - &mq, Round::Up).0;
                let below = Float::with_val_round(INTERVAL_PREC, &mq - e.lo(), Round::Up).0;
                for d in [above, below] {
                    let d = d.to_f64_round(Round::Up);
                    if d.is_nan() || d == f64::INFINITY {
                        return Err(format!("entry ({i}, {j}) has an unbounded enclosure"));
                    }
                    r = r.max(d);
                }
            }
            mid[(i, j)] = m;
            mid[(j, i)] = m;
            rad[(i, j)] = r;
            rad[(j, i)] = r;
        }
    }
    let rho = frobenius_up(rad.as_ref());
    let top = verified_top(mid.as_ref(), rho).map_err(|e| e.to_string())?;
    let lo = f64_to_q(top.lo).ok_or("non-finite lower end")?;
    let hi = f64_to_q(top.hi).ok_or("non-finite upper end")?;
    let enclosure = Enclosure::new(lo, hi).ok_or("lower end above upper end")?;
    Ok((enclosure, top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::lambda_max::{lambda_max, Settings};
    use crate::certify::sources::HessianAt;
    use crate::enumerate::minimizers::Point;
    use crate::linalg::field::q_to_f64;
    use crate::linalg::mat::Mat;

    use crate::enumerate::minimizers::tests::q;

    /// A depth-3 point of nonzero loss with entries of mixed signs and denominators.
    fn point() -> Point {
        let m = |r: usize, c: usize, seed: i64| {
            Mat::from_fn(r, c, |i, j| {
                q(
                    (seed * 7 + 3 * i as i64 - 5 * j as i64) % 11 - 4,
                    3 + (i + j) as i64,
                )
            })
        };
        Point {
            weights: vec![m(3, 2, 1), m(2, 3, 2), m(2, 2, 3)],
            x: m(2, 3, 4),
            y: m(2, 3, 5),
            exact: true,
            origin: "test".into(),
        }
    }

    #[test]
    fn contains_the_exact_enclosure_at_nonzero_loss() {
        let p = point();
        let (exact, _) = lambda_max(&HessianAt(&p), &Settings::default());
        let exact = exact.enclosure.expect("P = 16 is within the exact limit");
        let (verified, top) = enclose(&HessianAt(&p)).unwrap();
        // the two proofs (exact rational bisection, verified floating point) must overlap, and
        // the verified one is narrow
        assert!(verified.lo() <= exact.hi() && exact.lo() <= verified.hi());
        assert!(q_to_f64(&verified.relative_width()) < 1e-11, "{top:?}");
        assert!(top.rho > 0.0, "the interval build has rounding: ρ > 0");
    }

    #[test]
    fn refuses_inexact_inputs() {
        let mut p = point();
        p.exact = false;
        assert!(enclose(&HessianAt(&p)).unwrap_err().contains("not exact"));
    }
}
