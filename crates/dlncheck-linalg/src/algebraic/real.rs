//! [`RealAlgebraic`]: a real algebraic number as (square-free polynomial, isolating interval).

use super::charpoly::{charpoly, power_poly, product_poly, sum_poly};
use super::poly::{Poly, Sturm};
use super::{AlgError, Caps};
use crate::mat::Mat;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

/// A real algebraic number α: `poly` is square-free and primitive, and α is its only root in the
/// closed interval [`lo`, `hi`] (lo ≤ hi rationals; lo = hi means α = lo).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RealAlgebraic {
    poly: Poly,
    lo: BigRational,
    hi: BigRational,
}

fn half() -> BigRational {
    BigRational::new(BigInt::one(), BigInt::from(2))
}

impl RealAlgebraic {
    /// The rational q, with polynomial d·x − n.
    pub fn rational(q: &BigRational) -> RealAlgebraic {
        RealAlgebraic {
            poly: Poly::linear_root(q),
            lo: q.clone(),
            hi: q.clone(),
        }
    }

    /// The root of `poly` in [lo, hi], checked: the square-free part must have exactly one root
    /// there (Sturm count).
    pub fn new(poly: &Poly, lo: BigRational, hi: BigRational) -> Result<RealAlgebraic, AlgError> {
        let p = poly.square_free();
        if p.degree().unwrap_or(0) == 0 {
            return Err(AlgError::Constant);
        }
        let n = Sturm::new(&p).count_closed(&lo, &hi);
        if n != 1 {
            return Err(AlgError::NotIsolating(n));
        }
        let mut a = RealAlgebraic { poly: p, lo, hi };
        a.collapse_if_root();
        Ok(a)
    }

    /// The square-free primitive polynomial.
    pub fn poly(&self) -> &Poly {
        &self.poly
    }
    /// The lower end of the isolating interval.
    pub fn lo(&self) -> &BigRational {
        &self.lo
    }
    /// The upper end of the isolating interval.
    pub fn hi(&self) -> &BigRational {
        &self.hi
    }
    /// The value when it is rational and known to be (lo = hi).
    pub fn as_rational(&self) -> Option<&BigRational> {
        (self.lo == self.hi).then_some(&self.lo)
    }

    /// λ_max of a symmetric rational matrix A: the largest root of p = the square-free part of
    /// det(xI − A) (every eigenvalue of a symmetric matrix is real, so λ_max is p's largest real
    /// root). `lo ≤ λ_max ≤ hi` is a hint (an enclosure): the interval [a, b] returned satisfies
    /// #roots of p in [a, b] = 1 and in (b, ∞) = 0, found by Sturm counts, bisecting [lo, hi] to
    /// the top root when it holds several (and widening it when the hint was wrong).
    pub fn top_eigenvalue(
        a: &Mat<BigRational>,
        lo: &BigRational,
        hi: &BigRational,
        caps: &Caps,
    ) -> Result<RealAlgebraic, AlgError> {
        let p = charpoly(a, caps)?.square_free();
        check_bits(&p, caps)?;
        let s = Sturm::new(&p);
        let (mut lo, mut hi) = (lo.clone(), hi.clone());
        // make [lo, hi] hold the largest root: nothing above hi, something in [lo, hi]
        let bound = cauchy_bound(&p);
        if s.count_above(&hi) > 0 {
            hi = bound.clone();
        }
        if s.count_closed(&lo, &hi) == 0 {
            lo = -bound;
        }
        let mut steps = 0;
        while s.count_closed(&lo, &hi) > 1 {
            steps += 1;
            if steps > caps.max_steps {
                return Err(AlgError::Steps(caps.max_steps));
            }
            let mid = (&lo + &hi) * half();
            if s.count_above(&mid) >= 1 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let mut r = RealAlgebraic { poly: p, lo, hi };
        r.collapse_if_root();
        Ok(r)
    }

    /// When an end of the interval is the root, shrink to it (then α is that rational).
    fn collapse_if_root(&mut self) {
        if self.poly.sign_at(&self.lo) == Ordering::Equal {
            self.hi = self.lo.clone();
        } else if self.poly.sign_at(&self.hi) == Ordering::Equal {
            self.lo = self.hi.clone();
        }
    }

    /// Halve the isolating interval: α is the only root in [lo, hi] and a simple one (p is
    /// square-free), and neither end is a root, so p changes sign across α; the half where it
    /// does holds α (or the midpoint is α).
    pub fn refine(&mut self) {
        if self.lo == self.hi {
            return;
        }
        let mid = (&self.lo + &self.hi) * half();
        let sm = self.poly.sign_at(&mid);
        if sm == Ordering::Equal {
            self.lo = mid.clone();
            self.hi = mid;
        } else if sm == self.poly.sign_at(&self.lo) {
            self.lo = mid;
        } else {
            self.hi = mid;
        }
    }

    /// Refine until hi − lo ≤ `width`.
    pub fn refine_to(&mut self, width: &BigRational, caps: &Caps) -> Result<(), AlgError> {
        let mut steps = 0;
        while &(&self.hi - &self.lo) > width {
            steps += 1;
            if steps > caps.max_steps {
                return Err(AlgError::Steps(caps.max_steps));
            }
            self.refine();
        }
        Ok(())
    }

    /// The exact order of α and β, refining both. Equal iff g = gcd(p_α, p_β) has a root in
    /// [max(lo), min(hi)] (that root is a root of p_α in α's interval, so it is α, and likewise β);
    /// otherwise α ≠ β and the intervals are halved until they are disjoint.
    pub fn cmp(&mut self, o: &mut RealAlgebraic, caps: &Caps) -> Result<Ordering, AlgError> {
        let g = self.poly.gcd(&o.poly);
        let common = g.degree().unwrap_or(0) >= 1;
        let mut checked_gcd = false;
        let mut steps = 0;
        loop {
            if self.hi < o.lo {
                return Ok(Ordering::Less);
            }
            if o.hi < self.lo {
                return Ok(Ordering::Greater);
            }
            if !checked_gcd {
                checked_gcd = true;
                if common {
                    let lo = (&self.lo).max(&o.lo).clone();
                    let hi = (&self.hi).min(&o.hi).clone();
                    if Sturm::new(&g).count_closed(&lo, &hi) >= 1 {
                        return Ok(Ordering::Equal);
                    }
                }
            }
            if self.lo == self.hi && o.lo == o.hi {
                // two rationals with overlapping point intervals are equal (caught above unless
                // the gcd is constant, which two equal rationals never have)
                return Ok(self.lo.cmp(&o.lo));
            }
            steps += 1;
            if steps > caps.max_steps {
                return Err(AlgError::Steps(caps.max_steps));
            }
            self.refine();
            o.refine();
        }
    }

    /// q·α for a rational q (roots of p scaled by q; the interval scaled, flipped when q < 0).
    pub fn scale(&self, q: &BigRational) -> RealAlgebraic {
        if q.is_zero() {
            return RealAlgebraic::rational(q);
        }
        let (a, b) = (&self.lo * q, &self.hi * q);
        let (lo, hi) = if q.is_negative() { (b, a) } else { (a, b) };
        RealAlgebraic {
            poly: self.poly.scale_roots(q),
            lo,
            hi,
        }
    }

    /// α^(a/b) for α ≥ 0, a ≥ 0, b ≥ 1: the nonnegative y with y^b = α^a, a root of
    /// [`power_poly`]; isolated in [c, d] with c^b ≤ lo^a and d^b ≥ hi^a (t ↦ t^(a/b) is
    /// monotone on [0, ∞)), refining α until that interval holds one root.
    pub fn pow_ratio(&mut self, a: u32, b: u32, caps: &Caps) -> Result<RealAlgebraic, AlgError> {
        if self.lo.is_negative() {
            return Err(AlgError::Negative);
        }
        if a == 0 {
            return Ok(RealAlgebraic::rational(&BigRational::one()));
        }
        if let Some(q) = self.as_rational().cloned() {
            // a rational base: the polynomial x^b·den − num of q^a
            let qa = num_traits::pow(q, a as usize);
            let p =
                Poly::new(vec![-qa.numer().clone(), qa.denom().clone()]).compose_power(b as usize);
            let mut k = 8;
            loop {
                let (c, d) = root_bracket(&qa, &qa, b, k);
                if let Ok(r) = RealAlgebraic::new(&p, c, d) {
                    return Ok(r);
                }
                k *= 2;
                if k > caps.max_steps {
                    return Err(AlgError::Steps(caps.max_steps));
                }
            }
        }
        let p = power_poly(&self.poly, a, b, caps)?;
        check_bits(&p, caps)?;
        let s = Sturm::new(&p);
        let mut k = 8;
        let mut steps = 0;
        loop {
            let lo_a = num_traits::pow(self.lo.clone(), a as usize);
            let hi_a = num_traits::pow(self.hi.clone(), a as usize);
            let (c, d) = root_bracket(&lo_a, &hi_a, b, k);
            if s.count_closed(&c, &d) == 1 {
                let mut r = RealAlgebraic {
                    poly: p,
                    lo: c,
                    hi: d,
                };
                r.collapse_if_root();
                return Ok(r);
            }
            steps += 1;
            if steps > caps.max_steps / 8 {
                return Err(AlgError::Steps(caps.max_steps));
            }
            self.refine();
            k += 4;
        }
    }
}

/// [c, d] with c = ⌊lo^(1/b)·2^k⌋/2^k ≤ lo^(1/b) and d = (⌊hi^(1/b)·2^k⌋ + 1)/2^k > hi^(1/b)
/// (lo, hi ≥ 0), from integer b-th roots: ⌊(⌊x·2^(kb)⌋)^(1/b)⌋ = ⌊(x·2^(kb))^(1/b)⌋.
fn root_bracket(
    lo: &BigRational,
    hi: &BigRational,
    b: u32,
    k: usize,
) -> (BigRational, BigRational) {
    let scale = BigInt::one() << (k * b as usize);
    let unit = BigRational::new(BigInt::one(), BigInt::one() << k);
    let root = |x: &BigRational| {
        (x * BigRational::from_integer(scale.clone()))
            .floor()
            .to_integer()
            .nth_root(b)
    };
    let c = BigRational::from_integer(root(lo)) * &unit;
    let d = BigRational::from_integer(root(hi) + 1) * &unit;
    (c, d)
}

/// 1 + max |a_k / a_n|: every root has absolute value below it (Cauchy).
fn cauchy_bound(p: &Poly) -> BigRational {
    let lc = BigRational::from_integer(p.lead().abs());
    let m = p.coeffs()[..p.coeffs().len() - 1]
        .iter()
        .map(|x| BigRational::from_integer(x.abs()) / &lc)
        .max()
        .unwrap_or_else(BigRational::zero);
    m + BigRational::one()
}

fn check_bits(p: &Poly, caps: &Caps) -> Result<(), AlgError> {
    let bits = p.max_bits();
    if bits > caps.max_coeff_bits {
        Err(AlgError::CoeffBits {
            bits,
            cap: caps.max_coeff_bits,
        })
    } else {
        Ok(())
    }
}

/// Σ_t Π_(i ∈ terms\[t\]) leaves\[i\] as a [`RealAlgebraic`], built the way `verify-cert` rebuilds it
/// (docs/certificates.md): each term's polynomial is the fold of [`product_poly`] over its
/// factors from the left, the sum's the fold of [`sum_poly`] over the terms, each step square-free;
/// a single leaf keeps its own polynomial. The interval is the interval sum of the interval
/// products of the leaves' intervals (products need nonnegative leaves), and the leaves are
/// refined in place until that interval holds exactly one root of the polynomial, so the
/// leaves' final intervals prove where the value lies.
pub fn sum_of_products(
    leaves: &mut [RealAlgebraic],
    terms: &[Vec<usize>],
    caps: &Caps,
) -> Result<RealAlgebraic, AlgError> {
    if terms.len() == 1 && terms[0].len() == 1 {
        return Ok(leaves[terms[0][0]].clone());
    }
    let mut poly: Option<Poly> = None;
    for t in terms {
        if t.len() > 1 && t.iter().any(|&i| leaves[i].lo.is_negative()) {
            return Err(AlgError::Negative);
        }
        let mut tp: Option<Poly> = None;
        for &i in t {
            let f = &leaves[i].poly;
            tp = Some(match tp {
                None => f.clone(),
                Some(p) => product_poly(&p, f, caps)?,
            });
        }
        let tp = tp.ok_or(AlgError::Constant)?;
        poly = Some(match poly {
            None => tp,
            Some(p) => sum_poly(&p, &tp, caps)?,
        });
    }
    let p = poly.ok_or(AlgError::Constant)?;
    check_bits(&p, caps)?;
    let s = Sturm::new(&p);
    let mut steps = 0;
    loop {
        let (lo, hi) = interval_of(leaves, terms);
        let n = s.count_closed(&lo, &hi);
        if n == 1 {
            let mut r = RealAlgebraic { poly: p, lo, hi };
            r.collapse_if_root();
            return Ok(r);
        }
        if n == 0 {
            return Err(AlgError::NotIsolating(0));
        }
        steps += 1;
        if steps > caps.max_steps {
            return Err(AlgError::Steps(caps.max_steps));
        }
        for t in terms {
            for &i in t {
                leaves[i].refine();
            }
        }
    }
}

/// The interval Σ_t Π_i [lo_i, hi_i] (nonnegative factors in products).
pub fn interval_of(leaves: &[RealAlgebraic], terms: &[Vec<usize>]) -> (BigRational, BigRational) {
    let mut lo = BigRational::zero();
    let mut hi = BigRational::zero();
    for t in terms {
        let (mut a, mut b) = (BigRational::one(), BigRational::one());
        for &i in t {
            a *= &leaves[i].lo;
            b *= &leaves[i].hi;
        }
        lo += a;
        hi += b;
    }
    (lo, hi)
}
