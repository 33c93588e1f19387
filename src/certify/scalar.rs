//! A scalar formula evaluated in the three arithmetics, as an [`Estimate`].

use super::estimate::Estimate;
use crate::linalg::{Enclosure, Exact, Field, Mpfr, F64};
use rug::Float;

/// A real-valued formula that can be evaluated in any arithmetic.
pub trait ScalarSource {
    /// Evaluate in arithmetic `f`.
    fn eval<F: Field>(&self, f: &F) -> F::T;
    /// Are the inputs exact (so the exact evaluation is the true value)?
    fn is_exact(&self) -> bool;
    /// The number of floating-point operations behind one evaluation, for the error bound.
    fn op_count(&self) -> usize;
}

/// Evaluate `src` in f64, MPFR and (when exact) rationals. Error bounds: k·u·(|value| + 1) with k
/// the operation count and u the unit roundoff of the arithmetic (a first-order bound for sums of
/// products of inputs of moderate size; the "+ 1" covers cancellation to values near 0).
pub fn estimate_scalar(src: &impl ScalarSource, prec: u32) -> Estimate {
    let v = src.eval(&F64);
    let k = src.op_count().max(1) as f64;
    let mp = Mpfr { prec };
    let m = src.eval(&mp);
    let mtol = Float::with_val(prec, Float::with_val(prec, m.clone().abs() + 1u32) * k)
        >> (prec as i32 - 1);
    Estimate {
        f64: v,
        f64_tol: k * f64::EPSILON * (v.abs() + 1.0),
        mpfr: Some(m),
        mpfr_tol: Some(mtol),
        enclosure: src.is_exact().then(|| Enclosure::exact(src.eval(&Exact))),
        notes: Vec::new(),
    }
}
