//! Exact rational enclosures [lo, hi] of real numbers, and the interval arithmetic the claims need.

use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

/// A closed interval [lo, hi] with rational ends, proven to contain a real quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enclosure {
    lo: BigRational,
    hi: BigRational,
}

impl Enclosure {
    /// The interval [lo, hi]; `None` when lo > hi.
    pub fn new(lo: BigRational, hi: BigRational) -> Option<Self> {
        (lo <= hi).then_some(Enclosure { lo, hi })
    }
    /// The degenerate interval [q, q]: the quantity is known exactly.
    pub fn exact(q: BigRational) -> Self {
        Enclosure {
            lo: q.clone(),
            hi: q,
        }
    }
    /// Lower end.
    pub fn lo(&self) -> &BigRational {
        &self.lo
    }
    /// Upper end.
    pub fn hi(&self) -> &BigRational {
        &self.hi
    }
    /// Is the quantity known exactly (lo = hi)?
    pub fn is_exact(&self) -> bool {
        self.lo == self.hi
    }
    /// hi − lo
    pub fn width(&self) -> BigRational {
        &self.hi - &self.lo
    }
    /// Width relative to the magnitude, (hi − lo) / max(|lo|, |hi|), or the absolute width when both
    /// ends are 0.
    pub fn relative_width(&self) -> BigRational {
        let mag = self.lo.abs().max(self.hi.abs());
        if mag.is_zero() {
            self.width()
        } else {
            self.width() / mag
        }
    }
    /// Sum of two enclosed quantities.
    pub fn add(&self, o: &Enclosure) -> Enclosure {
        Enclosure {
            lo: &self.lo + &o.lo,
            hi: &self.hi + &o.hi,
        }
    }
    /// Product of two enclosed nonnegative quantities (both lower ends must be ≥ 0).
    pub fn mul_nonneg(&self, o: &Enclosure) -> Enclosure {
        assert!(
            !self.lo.is_negative() && !o.lo.is_negative(),
            "mul_nonneg: negative end"
        );
        Enclosure {
            lo: &self.lo * &o.lo,
            hi: &self.hi * &o.hi,
        }
    }
    /// Product with an exact nonnegative rational.
    pub fn scale(&self, s: &BigRational) -> Enclosure {
        assert!(!s.is_negative(), "scale: negative factor");
        Enclosure {
            lo: &self.lo * s,
            hi: &self.hi * s,
        }
    }
    /// Do the two intervals share a point?
    pub fn overlaps(&self, o: &Enclosure) -> bool {
        self.lo <= o.hi && o.lo <= self.hi
    }
    /// The order of the enclosed quantities when it is decided by the intervals: `Less` when
    /// self.hi < o.lo, `Greater` when self.lo > o.hi, `Equal` when both are the same exact value,
    /// `None` when the intervals overlap otherwise.
    pub fn certified_cmp(&self, o: &Enclosure) -> Option<Ordering> {
        if self.hi < o.lo {
            Some(Ordering::Less)
        } else if self.lo > o.hi {
            Some(Ordering::Greater)
        } else if self.is_exact() && o.is_exact() {
            Some(Ordering::Equal)
        } else {
            None
        }
    }
    /// The simplest rational (smallest denominator, then smallest magnitude) in the interval.
    pub fn simplest(&self) -> BigRational {
        simplest_in(&self.lo, &self.hi)
    }
}

/// The simplest rational in [lo, hi] (Stern–Brocot descent by continued fractions).
pub fn simplest_in(lo: &BigRational, hi: &BigRational) -> BigRational {
    assert!(lo <= hi, "simplest_in: empty interval");
    if !lo.is_positive() && !hi.is_negative() {
        return BigRational::zero();
    }
    if hi.is_negative() {
        return -simplest_in(&-hi, &-lo);
    }
    // 0 < lo ≤ hi: iterate x = a0 + 1/(a1 + 1/…) while building the convergent.
    let (mut lo, mut hi) = (lo.clone(), hi.clone());
    let mut terms = Vec::new();
    loop {
        let fl = lo.floor();
        if fl == lo {
            terms.push(fl.to_integer());
            break;
        }
        if &fl + BigRational::one() <= hi {
            terms.push(fl.to_integer() + 1);
            break;
        }
        terms.push(fl.to_integer());
        let (nlo, nhi) = ((&hi - &fl).recip(), (&lo - &fl).recip());
        lo = nlo;
        hi = nhi;
    }
    let mut x = BigRational::from_integer(terms.pop().expect("at least one term"));
    while let Some(a) = terms.pop() {
        x = BigRational::from_integer(a) + x.recip();
    }
    x
}

/// Number of bits of the denominator of q (a measure of how "simple" a rational is).
pub fn denominator_bits(q: &BigRational) -> u64 {
    q.denom().bits()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn simplest_rationals() {
        assert_eq!(simplest_in(&q(3, 10), &q(4, 10)), q(1, 3));
        assert_eq!(simplest_in(&q(-4, 10), &q(-3, 10)), q(-1, 3));
        assert_eq!(simplest_in(&q(-1, 10), &q(3, 10)), q(0, 1));
        assert_eq!(simplest_in(&q(91, 9), &q(91, 9)), q(91, 9));
        let eps = q(1, 1 << 50);
        assert_eq!(
            simplest_in(&(q(91, 9) - &eps), &(q(91, 9) + &eps)),
            q(91, 9)
        );
        assert_eq!(simplest_in(&q(5, 2), &q(7, 2)), q(3, 1));
    }

    #[test]
    fn interval_arithmetic_and_order() {
        let a = Enclosure::new(q(1, 1), q(2, 1)).unwrap();
        let b = Enclosure::new(q(3, 1), q(4, 1)).unwrap();
        assert_eq!(a.certified_cmp(&b), Some(Ordering::Less));
        assert_eq!(b.certified_cmp(&a), Some(Ordering::Greater));
        assert_eq!(a.add(&b), Enclosure::new(q(4, 1), q(6, 1)).unwrap());
        assert_eq!(a.mul_nonneg(&b), Enclosure::new(q(3, 1), q(8, 1)).unwrap());
        assert_eq!(a.certified_cmp(&a), None);
        assert!(Enclosure::new(q(2, 1), q(1, 1)).is_none());
        assert_eq!(
            Enclosure::exact(q(7, 3)).certified_cmp(&Enclosure::exact(q(7, 3))),
            Some(Ordering::Equal)
        );
        assert_eq!(a.relative_width(), q(1, 2));
    }
}
