//! A scalar formula evaluated in the three arithmetics, as an [`Estimate`].

use super::estimate::Estimate;
use crate::linalg::{Enclosure, Exact, Field, Ival, Mpfr, F64};
use rug::float::Round;
use rug::Float;

/// A real-valued formula that can be evaluated in any arithmetic.
pub trait ScalarSource {
    /// Evaluate in arithmetic `f`.
    fn eval<F: Field>(&self, f: &F) -> F::T;
    /// Are the inputs exact (so the exact evaluation is the true value)?
    fn is_exact(&self) -> bool;
    /// The number of floating-point operations behind one evaluation, for the f64 error estimate.
    fn op_count(&self) -> usize;
}

/// Evaluate `src` in f64, MPFR and (when exact) rationals.
///
/// The MPFR error bound is proven: the same formula is evaluated in interval arithmetic with
/// directed rounding ([`Ival`], inclusion property of interval arithmetic) to [lo, hi] ∋ the exact
/// value, and the bound is max(m − lo, hi − m) rounded up for the MPFR value m. When an interval end
/// is infinite (a division by an interval containing 0) the bound is +∞, which decides nothing.
/// The f64 bound stays the first-order estimate k·u·(|value| + 1) (k the operation count, u the unit
/// roundoff); it only cross-checks the other two.
pub fn estimate_scalar(src: &impl ScalarSource, prec: u32) -> Estimate {
    let v = src.eval(&F64);
    let k = src.op_count().max(1) as f64;
    let m = src.eval(&Mpfr { prec });
    let enc = src.eval(&Ival { prec });
    let below = Float::with_val_round(prec, &m - enc.lo(), Round::Up).0;
    let above = Float::with_val_round(prec, enc.hi() - &m, Round::Up).0;
    let mtol = below.max(&above).max(&Float::new(prec));
    Estimate {
        f64: v,
        f64_tol: k * f64::EPSILON * (v.abs() + 1.0),
        mpfr: Some(m),
        mpfr_tol: Some(mtol),
        enclosure: src.is_exact().then(|| Enclosure::exact(src.eval(&Exact))),
        algebraic: None,
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_rational::BigRational;

    /// (1/3)·(1/3)·… − 1/9 ·…: a formula with cancellation whose exact value is known.
    struct Cancel;
    impl ScalarSource for Cancel {
        fn eval<F: Field>(&self, f: &F) -> F::T {
            let third = f.embed(&BigRational::new(1.into(), 3.into()));
            let ninth = f.embed(&BigRational::new(1.into(), 9.into()));
            let big = f.embed(&BigRational::from_integer(1_000_000.into()));
            // (1/3 · 1/3 − 1/9) · 10⁶ + 10⁶ = 10⁶ exactly
            f.add(&f.mul(&f.sub(&f.mul(&third, &third), &ninth), &big), &big)
        }
        fn is_exact(&self) -> bool {
            true
        }
        fn op_count(&self) -> usize {
            4
        }
    }

    #[test]
    fn the_mpfr_bound_contains_the_exact_value() {
        for prec in [16u32, 53, 128] {
            let e = estimate_scalar(&Cancel, prec);
            let (m, t) = (e.mpfr.clone().unwrap(), e.mpfr_tol.clone().unwrap());
            let exact = e.exact_value().unwrap().clone();
            let m = crate::linalg::field::float_to_q(&m).unwrap();
            let t = crate::linalg::field::float_to_q(&t).unwrap();
            assert!(&m - &t <= exact && exact <= &m + &t, "prec {prec}");
            assert!(e.disagreement().is_none());
        }
    }
}
