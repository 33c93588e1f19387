//! The three arithmetics dlncheck computes in, behind one small trait.
//!
//! A [`Field`] is an arithmetic *context*: it knows how to make and combine its scalars. Passing the
//! context explicitly (faer style) lets the MPFR field carry its precision without global state, and
//! lets every formula of the model be written once and run in f64, exact rationals and MPFR.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, ToPrimitive, Zero};
use rug::Float;

/// An ordered field with explicit context: f64, exact rationals or MPFR floats.
pub trait Field: Sync + Send {
    /// The scalar type of this arithmetic.
    type T: Clone + Send + Sync + std::fmt::Debug;
    /// Short name used in reports ("f64", "exact", "mpfr-256").
    fn name(&self) -> String;
    /// The scalar nearest to the exact rational `q` (exact for [`Exact`]).
    fn embed(&self, q: &BigRational) -> Self::T;
    /// a + b
    fn add(&self, a: &Self::T, b: &Self::T) -> Self::T;
    /// a − b
    fn sub(&self, a: &Self::T, b: &Self::T) -> Self::T;
    /// a · b
    fn mul(&self, a: &Self::T, b: &Self::T) -> Self::T;
    /// a / b; the caller guarantees b ≠ 0.
    fn div(&self, a: &Self::T, b: &Self::T) -> Self::T;
    /// Is `a` exactly zero?
    fn is_zero(&self, a: &Self::T) -> bool;
    /// Nearest f64 (for display and cross-checks).
    fn to_f64(&self, a: &Self::T) -> f64;
    /// 0
    fn zero(&self) -> Self::T {
        self.embed(&BigRational::zero())
    }
    /// 1
    fn one(&self) -> Self::T {
        self.embed(&BigRational::one())
    }
    /// −a
    fn neg(&self, a: &Self::T) -> Self::T {
        self.sub(&self.zero(), a)
    }
    /// Is `a` < 0? (Exact for every field: the rational and MPFR fields compare their own values.)
    fn is_negative(&self, a: &Self::T) -> bool {
        self.to_f64(a) < 0.0
    }
}

/// IEEE binary64 arithmetic.
#[derive(Clone, Copy, Debug, Default)]
pub struct F64;

/// Exact rational arithmetic (num-rational `BigRational`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Exact;

/// MPFR arithmetic (rug) at a fixed precision in bits, round-to-nearest.
#[derive(Clone, Copy, Debug)]
pub struct Mpfr {
    /// Precision of every scalar, in bits.
    pub prec: u32,
}

impl Field for F64 {
    type T = f64;
    fn name(&self) -> String {
        "f64".into()
    }
    fn embed(&self, q: &BigRational) -> f64 {
        q_to_f64(q)
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn sub(&self, a: &f64, b: &f64) -> f64 {
        a - b
    }
    fn mul(&self, a: &f64, b: &f64) -> f64 {
        a * b
    }
    fn div(&self, a: &f64, b: &f64) -> f64 {
        a / b
    }
    fn is_zero(&self, a: &f64) -> bool {
        *a == 0.0
    }
    fn to_f64(&self, a: &f64) -> f64 {
        *a
    }
}

impl Field for Exact {
    type T = BigRational;
    fn name(&self) -> String {
        "exact".into()
    }
    fn embed(&self, q: &BigRational) -> BigRational {
        q.clone()
    }
    fn add(&self, a: &BigRational, b: &BigRational) -> BigRational {
        a + b
    }
    fn sub(&self, a: &BigRational, b: &BigRational) -> BigRational {
        a - b
    }
    fn mul(&self, a: &BigRational, b: &BigRational) -> BigRational {
        a * b
    }
    fn div(&self, a: &BigRational, b: &BigRational) -> BigRational {
        a / b
    }
    fn is_zero(&self, a: &BigRational) -> bool {
        a.is_zero()
    }
    fn to_f64(&self, a: &BigRational) -> f64 {
        q_to_f64(a)
    }
    fn is_negative(&self, a: &BigRational) -> bool {
        num_traits::Signed::is_negative(a)
    }
}

impl Field for Mpfr {
    type T = Float;
    fn name(&self) -> String {
        format!("mpfr-{}", self.prec)
    }
    fn embed(&self, q: &BigRational) -> Float {
        Float::with_val(self.prec, &q_to_rug(q))
    }
    fn add(&self, a: &Float, b: &Float) -> Float {
        Float::with_val(self.prec, a + b)
    }
    fn sub(&self, a: &Float, b: &Float) -> Float {
        Float::with_val(self.prec, a - b)
    }
    fn mul(&self, a: &Float, b: &Float) -> Float {
        Float::with_val(self.prec, a * b)
    }
    fn div(&self, a: &Float, b: &Float) -> Float {
        Float::with_val(self.prec, a / b)
    }
    fn is_zero(&self, a: &Float) -> bool {
        a.is_zero()
    }
    fn to_f64(&self, a: &Float) -> f64 {
        a.to_f64()
    }
    fn zero(&self) -> Float {
        Float::new(self.prec)
    }
    fn is_negative(&self, a: &Float) -> bool {
        a.is_sign_negative() && !a.is_zero()
    }
}

/// Exact conversion num-bigint → GMP integer (through the decimal-free byte representation).
pub fn bigint_to_rug(n: &BigInt) -> rug::Integer {
    let (sign, bytes) = n.to_bytes_le();
    let mut out = rug::Integer::from_digits(&bytes, rug::integer::Order::Lsf);
    if sign == num_bigint::Sign::Minus {
        out = -out;
    }
    out
}

/// Exact conversion GMP integer → num-bigint.
pub fn rug_to_bigint(n: &rug::Integer) -> BigInt {
    let bytes = n.to_digits::<u8>(rug::integer::Order::Lsf);
    let mag = BigInt::from_bytes_le(num_bigint::Sign::Plus, &bytes);
    if n.cmp0() == std::cmp::Ordering::Less {
        -mag
    } else {
        mag
    }
}

/// Exact conversion of a rational to a GMP rational.
pub fn q_to_rug(q: &BigRational) -> rug::Rational {
    rug::Rational::from((bigint_to_rug(q.numer()), bigint_to_rug(q.denom())))
}

/// Exact conversion of a GMP rational to a num-rational one.
pub fn rug_to_q(q: &rug::Rational) -> BigRational {
    BigRational::new(rug_to_bigint(q.numer()), rug_to_bigint(q.denom()))
}

/// The exact rational value of a finite MPFR float (every finite binary float is a dyadic rational).
pub fn float_to_q(x: &Float) -> Option<BigRational> {
    x.to_rational().map(|r| rug_to_q(&r))
}

/// The exact rational value of a finite f64, `None` for NaN and ±∞.
pub fn f64_to_q(x: f64) -> Option<BigRational> {
    BigRational::from_float(x)
}

/// Nearest f64 to a rational (correctly rounded through MPFR at 53 bits).
pub fn q_to_f64(q: &BigRational) -> f64 {
    if q.is_zero() {
        return 0.0;
    }
    match (q.numer().to_f64(), q.denom().to_f64()) {
        (Some(n), Some(d)) if n.is_finite() && d.is_finite() && n.abs() < 9.0e15 && d < 9.0e15 => {
            n / d
        }
        _ => Float::with_val(53, &q_to_rug(q)).to_f64(),
    }
}

/// The largest f64 ≤ q (q rounded toward −∞): the nearest f64, stepped down one ulp when it lies
/// above q. Above the f64 range it is f64::MAX, below it −∞.
pub fn q_to_f64_down(q: &BigRational) -> f64 {
    let r = q_to_f64(q);
    match f64_to_q(r) {
        Some(rq) if rq > *q => -step_up(-r),
        Some(_) => r,
        // nearest is ±∞: q lies beyond ±f64::MAX
        None if r > 0.0 => f64::MAX,
        None => r,
    }
}

/// The next f64 above a finite x (or −∞): one step of the binary64 grid toward +∞ (the smallest
/// positive subnormal above ±0). `f64::next_up` needs Rust 1.86, above this crate's rust-version.
fn step_up(x: f64) -> f64 {
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let b = x.to_bits();
    f64::from_bits(if x > 0.0 { b + 1 } else { b - 1 })
}

/// The smallest f64 ≥ q (q rounded toward +∞): the nearest f64, stepped up one ulp when it lies
/// below q. Below the f64 range it is −f64::MAX, above it +∞.
pub fn q_to_f64_up(q: &BigRational) -> f64 {
    -q_to_f64_down(&-q)
}

/// A decimal string of an MPFR float with as many digits as its precision supports, e.g.
/// "1.2345e1" (parseable by Python's Fraction and float, as the JSON contract needs).
pub fn mpfr_decimal(x: &Float) -> String {
    let digits = (x.prec() as f64 * std::f64::consts::LOG10_2).floor() as usize;
    x.to_string_radix(10, Some(digits.max(1)))
}

/// Render a rational as `"p/q"` (or `"p"` when integral), the JSON contract's exact format.
pub fn q_to_string(q: &BigRational) -> String {
    if q.denom().is_one() {
        q.numer().to_string()
    } else {
        format!("{}/{}", q.numer(), q.denom())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn conversions_round_trip_exactly() {
        let x = q(-91, 9);
        assert_eq!(rug_to_q(&q_to_rug(&x)), x);
        assert_eq!(q_to_string(&x), "-91/9");
        assert_eq!(q_to_string(&q(6, 3)), "2");
        assert_eq!(f64_to_q(0.5).unwrap(), q(1, 2));
        assert!(f64_to_q(f64::NAN).is_none());
        let big = BigInt::from(3u8).pow(200) * -1;
        assert_eq!(rug_to_bigint(&bigint_to_rug(&big)), big);
    }

    #[test]
    fn the_three_fields_agree_on_a_small_formula() {
        // (1/3 + 2/7) * 5 / (−2) = −65/42
        fn formula<F: Field>(f: &F) -> f64 {
            let s = f.add(&f.embed(&q(1, 3)), &f.embed(&q(2, 7)));
            let p = f.mul(&s, &f.embed(&q(5, 1)));
            f.to_f64(&f.div(&p, &f.embed(&q(-2, 1))))
        }
        let want = -65.0 / 42.0;
        assert!((formula(&F64) - want).abs() < 1e-15);
        assert_eq!(formula(&Exact), want);
        assert_eq!(formula(&Mpfr { prec: 128 }), want);
        assert_eq!(q_to_f64(&q(1, 3)), 1.0 / 3.0);
    }

    #[test]
    fn directed_conversions_bracket_the_rational() {
        let big = BigRational::from_integer(BigInt::from(10u8).pow(400));
        for x in [
            q(91, 9),
            q(-91, 9),
            q(1, 3),
            q(2, 3),
            q(1, 1),
            q(0, 1),
            big.clone(),
            -big,
        ] {
            let (lo, hi) = (q_to_f64_down(&x), q_to_f64_up(&x));
            assert!(lo <= hi, "{x}");
            if let Some(l) = f64_to_q(lo) {
                assert!(l <= x, "{x}");
            }
            if let Some(h) = f64_to_q(hi) {
                assert!(h >= x, "{x}");
            }
            // tight: one ulp apart, or equal when x is an f64
            match f64_to_q(q_to_f64(&x)) {
                Some(r) if r == x => assert_eq!(lo, hi),
                _ => assert!(step_up(lo) == hi || lo == f64::MAX || hi == -f64::MAX),
            }
        }
        assert!(q_to_f64_down(&q(91, 9)) < 91.0 / 9.0 || q_to_f64_up(&q(91, 9)) > 91.0 / 9.0);
    }
}
