//! Interval arithmetic over MPFR with directed rounding: a [`Field`] whose scalars are closed
//! intervals [lo, hi] with MPFR ends, so that every formula written once over [`Field`] also
//! evaluates to a *proven* enclosure of its exact value.
//!
//! The inclusion property (Moore, Kearfott & Cloud, *Introduction to Interval Analysis*, SIAM 2009,
//! §2.3 and §4.1): if x ∈ X and y ∈ Y then x ∘ y ∈ X ∘ Y for ∘ ∈ {+, −, ·, /} (0 ∉ Y for /), with
//!
//! - [a, b] + [c, d] = [a + c, b + d],  [a, b] − [c, d] = [a − d, b − c],
//! - [a, b] · [c, d] = [min(ac, ad, bc, bd), max(ac, ad, bc, bd)],
//! - [a, b] / [c, d] = [a, b] · [1/d, 1/c] when 0 ∉ [c, d].
//!
//! Each lower end is computed by MPFR rounded toward −∞ and each upper end toward +∞ (MPFR's
//! correctly rounded operations, `rug::float::Round::Down` / `Up`), so the computed interval
//! contains the exact real interval above. A division by an interval containing 0 returns the whole
//! line [−∞, +∞], which is still an enclosure; no operation panics.

use super::field::{q_to_rug, Field};
use num_rational::BigRational;
use rug::float::{Round, Special};
use rug::Float;
use std::cmp::Ordering;

/// A closed interval [lo, hi] of reals with MPFR ends (lo ≤ hi; the ends may be ±∞).
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    lo: Float,
    hi: Float,
}

/// The interval arithmetic at a fixed precision (in bits) of the ends.
#[derive(Clone, Copy, Debug)]
pub struct Ival {
    /// Precision of both ends, in bits.
    pub prec: u32,
}

impl Interval {
    /// [lo, hi]; a NaN end becomes the infinite end on its side, and reversed ends give the whole
    /// line (an enclosure of anything), so the result is always a valid interval.
    pub fn new(lo: Float, hi: Float) -> Self {
        let prec = lo.prec().max(hi.prec());
        let lo = if lo.is_nan() {
            Float::with_val(prec, Special::NegInfinity)
        } else {
            lo
        };
        let hi = if hi.is_nan() {
            Float::with_val(prec, Special::Infinity)
        } else {
            hi
        };
        if lo > hi {
            return Interval::entire(prec);
        }
        Interval { lo, hi }
    }
    /// The degenerate interval [x, x] of a finite MPFR float (exact: no rounding).
    pub fn point(x: &Float) -> Self {
        Interval::new(x.clone(), x.clone())
    }
    /// [−∞, +∞].
    pub fn entire(prec: u32) -> Self {
        Interval {
            lo: Float::with_val(prec, Special::NegInfinity),
            hi: Float::with_val(prec, Special::Infinity),
        }
    }
    /// Lower end.
    pub fn lo(&self) -> &Float {
        &self.lo
    }
    /// Upper end.
    pub fn hi(&self) -> &Float {
        &self.hi
    }
    /// Does the interval contain 0?
    pub fn contains_zero(&self) -> bool {
        self.lo.cmp0() != Some(Ordering::Greater) && self.hi.cmp0() != Some(Ordering::Less)
    }
    /// Is every element > 0?
    pub fn is_positive(&self) -> bool {
        self.lo.cmp0() == Some(Ordering::Greater)
    }
    /// Is every element < 0?
    pub fn is_negative(&self) -> bool {
        self.hi.cmp0() == Some(Ordering::Less)
    }
    /// Are both ends finite?
    pub fn is_finite(&self) -> bool {
        self.lo.is_finite() && self.hi.is_finite()
    }
    /// The midpoint (rounded to nearest): an approximation, not an enclosure.
    pub fn mid(&self) -> Float {
        let p = self.lo.prec();
        Float::with_val(p, &self.lo + &self.hi) / 2u32
    }
    /// An upper bound on the half-width: max(hi − mid, mid − lo), rounded up. With [`Self::mid`]
    /// this gives a ball mid ± rad containing the interval.
    pub fn rad(&self) -> Float {
        let p = self.lo.prec();
        let m = self.mid();
        let up = Float::with_val_round(p, &self.hi - &m, Round::Up).0;
        let down = Float::with_val_round(p, &m - &self.lo, Round::Up).0;
        up.max(&down)
    }
    /// An upper bound on max |x| over the interval.
    pub fn mag(&self) -> Float {
        Float::with_val(self.lo.prec(), self.lo.abs_ref())
            .max(&Float::with_val(self.hi.prec(), self.hi.abs_ref()))
    }
    /// A lower bound on min |x| over the interval (0 when it contains 0).
    pub fn mig(&self) -> Float {
        let p = self.lo.prec();
        if self.contains_zero() {
            Float::new(p)
        } else {
            Float::with_val(p, self.lo.abs_ref()).min(&Float::with_val(p, self.hi.abs_ref()))
        }
    }
    /// {x² : x ∈ X}, tighter than X·X when X contains 0.
    pub fn square(&self, prec: u32) -> Interval {
        let lo2 = self.mig();
        let hi2 = self.mag();
        Interval::new(
            Float::with_val_round(prec, lo2.square_ref(), Round::Down).0,
            Float::with_val_round(prec, hi2.square_ref(), Round::Up).0,
        )
    }
    /// {√x : x ∈ X, x ≥ 0}: the lower end is clamped at 0 (callers take roots of quantities that
    /// are ≥ 0 in exact arithmetic, such as sums of squares).
    pub fn sqrt(&self, prec: u32) -> Interval {
        let zero = Float::new(prec);
        let lo = self.lo.clone().max(&zero);
        let hi = self.hi.clone().max(&zero);
        Interval::new(
            Float::with_val_round(prec, lo.sqrt_ref(), Round::Down).0,
            Float::with_val_round(prec, hi.sqrt_ref(), Round::Up).0,
        )
    }
    /// The exact rational ends, when both are finite.
    pub fn to_enclosure(&self) -> Option<super::Enclosure> {
        let lo = super::field::float_to_q(&self.lo)?;
        let hi = super::field::float_to_q(&self.hi)?;
        super::Enclosure::new(lo, hi)
    }
    /// Do the two intervals share a point?
    pub fn overlaps(&self, o: &Interval) -> bool {
        self.lo <= o.hi && o.lo <= self.hi
    }
}

/// `a ∘ b` rounded in direction `r` to `prec` bits.
fn rounded<T>(prec: u32, v: T, r: Round) -> Float
where
    Float: rug::ops::AssignRound<T, Round = Round, Ordering = Ordering>,
{
    Float::with_val_round(prec, v, r).0
}

impl Field for Ival {
    type T = Interval;
    fn name(&self) -> String {
        format!("interval-{}", self.prec)
    }
    fn embed(&self, q: &BigRational) -> Interval {
        let r = q_to_rug(q);
        Interval::new(
            rounded(self.prec, &r, Round::Down),
            rounded(self.prec, &r, Round::Up),
        )
    }
    fn add(&self, a: &Interval, b: &Interval) -> Interval {
        Interval::new(
            rounded(self.prec, &a.lo + &b.lo, Round::Down),
            rounded(self.prec, &a.hi + &b.hi, Round::Up),
        )
    }
    fn sub(&self, a: &Interval, b: &Interval) -> Interval {
        Interval::new(
            rounded(self.prec, &a.lo - &b.hi, Round::Down),
            rounded(self.prec, &a.hi - &b.lo, Round::Up),
        )
    }
    fn mul(&self, a: &Interval, b: &Interval) -> Interval {
        // 0·∞ is NaN in MPFR; the products of finite ends are all that occurs for finite inputs,
        // and an infinite input yields the whole line through `Interval::new`'s NaN rule
        let ends = [
            (&a.lo, &b.lo),
            (&a.lo, &b.hi),
            (&a.hi, &b.lo),
            (&a.hi, &b.hi),
        ];
        let downs: Vec<Float> = ends
            .iter()
            .map(|(x, y)| rounded(self.prec, *x * *y, Round::Down))
            .collect();
        let ups: Vec<Float> = ends
            .iter()
            .map(|(x, y)| rounded(self.prec, *x * *y, Round::Up))
            .collect();
        if downs.iter().chain(&ups).any(Float::is_nan) {
            return Interval::entire(self.prec);
        }
        let lo = downs.into_iter().reduce(|p, q| p.min(&q));
        let hi = ups.into_iter().reduce(|p, q| p.max(&q));
        match (lo, hi) {
            (Some(lo), Some(hi)) => Interval::new(lo, hi),
            _ => Interval::entire(self.prec),
        }
    }
    fn div(&self, a: &Interval, b: &Interval) -> Interval {
        if b.contains_zero() {
            return Interval::entire(self.prec);
        }
        let inv = Interval::new(
            rounded(self.prec, 1u32 / &b.hi, Round::Down),
            rounded(self.prec, 1u32 / &b.lo, Round::Up),
        );
        self.mul(a, &inv)
    }
    /// Is the interval exactly [0, 0]?
    fn is_zero(&self, a: &Interval) -> bool {
        a.lo.is_zero() && a.hi.is_zero()
    }
    fn to_f64(&self, a: &Interval) -> f64 {
        a.mid().to_f64()
    }
    fn zero(&self) -> Interval {
        Interval::point(&Float::new(self.prec))
    }
    /// Is every element of the interval < 0?
    fn is_negative(&self, a: &Interval) -> bool {
        Interval::is_negative(a)
    }
}

impl Ival {
    /// [x, x] for an MPFR float (exact when x has at most `prec` bits, else rounded outward).
    pub fn float(&self, x: &Float) -> Interval {
        Interval::new(
            rounded(self.prec, x, Round::Down),
            rounded(self.prec, x, Round::Up),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::float_to_q;
    use crate::Exact;
    use rand::{Rng, SeedableRng};

    fn contains(i: &Interval, q: &BigRational) -> bool {
        let lo = float_to_q(i.lo()).expect("finite");
        let hi = float_to_q(i.hi()).expect("finite");
        lo <= *q && *q <= hi
    }

    /// A random rational expression tree evaluated in both fields: the interval encloses the
    /// exact rational value (num-rational) at every node, at low and high precision.
    #[test]
    fn intervals_enclose_the_exact_rational_result() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        for prec in [8u32, 24, 53, 200] {
            let iv = Ival { prec };
            for _ in 0..300 {
                let mut exact: Vec<BigRational> = Vec::new();
                let mut enc: Vec<Interval> = Vec::new();
                for _ in 0..4 {
                    let q = BigRational::new(
                        rng.gen_range(-1000i64..1000).into(),
                        rng.gen_range(1i64..997).into(),
                    );
                    enc.push(iv.embed(&q));
                    exact.push(q);
                }
                for _ in 0..12 {
                    let (i, j) = (rng.gen_range(0..exact.len()), rng.gen_range(0..exact.len()));
                    let op = rng.gen_range(0..4);
                    let (x, y) = (&exact[i], &exact[j]);
                    if op == 3 && num_traits::Zero::is_zero(y) {
                        continue;
                    }
                    let (e, v) = match op {
                        0 => (Exact.add(x, y), iv.add(&enc[i], &enc[j])),
                        1 => (Exact.sub(x, y), iv.sub(&enc[i], &enc[j])),
                        2 => (Exact.mul(x, y), iv.mul(&enc[i], &enc[j])),
                        _ => (Exact.div(x, y), iv.div(&enc[i], &enc[j])),
                    };
                    if v.is_finite() {
                        assert!(contains(&v, &e), "prec {prec}: {e} ∉ {v:?}");
                    } else {
                        // only a divisor interval containing 0 may lose finiteness
                        assert_eq!(op, 3);
                        assert!(enc[j].contains_zero());
                    }
                    exact.push(e);
                    enc.push(v);
                }
            }
        }
    }

    #[test]
    fn roots_squares_and_signs() {
        let iv = Ival { prec: 64 };
        let two = iv.embed(&BigRational::from_integer(2.into()));
        let r = two.sqrt(64);
        // r contains √2: lo² ≤ 2 ≤ hi² exactly
        let (lo, hi) = (float_to_q(r.lo()).unwrap(), float_to_q(r.hi()).unwrap());
        let q2 = BigRational::from_integer(2.into());
        assert!(&lo * &lo <= q2 && q2 <= &hi * &hi);
        assert!(r.is_positive() && !r.contains_zero());
        let third = iv.embed(&BigRational::new(1.into(), 3.into()));
        assert!(!third.lo().is_zero() && third.lo() < third.hi());
        let straddle = iv.sub(&third, &iv.embed(&BigRational::new(1.into(), 3.into())));
        assert!(straddle.contains_zero() && !straddle.is_negative());
        let sq = straddle.square(64);
        assert!(sq.lo().is_zero() && !sq.hi().is_sign_negative());
        assert!(iv.div(&iv.one(), &straddle).lo().is_infinite());
        let neg = iv.neg(&two);
        assert!(Field::is_negative(&iv, &neg) && neg.mag() >= 2u32 && neg.mig() > 1u32);
        let ball = iv.add(&third, &two);
        let (m, rad) = (ball.mid(), ball.rad());
        // exact at 256 bits (both operands have 64)
        assert!(
            Float::with_val(256, &m - &rad) <= *ball.lo()
                && *ball.hi() <= Float::with_val(256, &m + &rad)
        );
        assert!(ball.to_enclosure().is_some());
        assert!(Interval::entire(64).to_enclosure().is_none());
    }
}
