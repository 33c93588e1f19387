//! Dense univariate polynomials with integer coefficients, kept primitive (content 1, leading
//! coefficient positive) where only the roots matter, and Sturm sequences over them.
//!
//! A polynomial over ℚ has the same roots as its primitive integer multiple, so every polynomial
//! whose roots are what counts is normalized by [`Poly::primitive`]: this keeps the coefficients
//! small (Gauss's lemma: the product of primitive polynomials is primitive). Remainders are
//! pseudo-remainders (Knuth, TAOCP vol. 2, §4.6.1, Algorithm R), made primitive after each step:
//! the *primitive polynomial remainder sequence*, which never leaves ℤ\[x\].

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

/// a_0 + a_1 x + … + a_n x^n with integer a_k, stored low to high, no trailing zeros (the zero
/// polynomial has no coefficients).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Poly {
    c: Vec<BigInt>,
}

impl Poly {
    /// The polynomial with coefficients `c` (low to high); trailing zeros are dropped.
    pub fn new(mut c: Vec<BigInt>) -> Poly {
        while c.last().is_some_and(Zero::is_zero) {
            c.pop();
        }
        Poly { c }
    }

    /// From small integer coefficients (low to high).
    pub fn from_i64(c: &[i64]) -> Poly {
        Poly::new(c.iter().map(|&x| BigInt::from(x)).collect())
    }

    /// The primitive polynomial d·x − n with the root n/d.
    pub fn linear_root(q: &BigRational) -> Poly {
        Poly::new(vec![-q.numer().clone(), q.denom().clone()]).primitive()
    }

    /// The coefficients, low to high.
    pub fn coeffs(&self) -> &[BigInt] {
        &self.c
    }

    /// Is this the zero polynomial?
    pub fn is_zero(&self) -> bool {
        self.c.is_empty()
    }

    /// The degree (`None` for the zero polynomial).
    pub fn degree(&self) -> Option<usize> {
        self.c.len().checked_sub(1)
    }

    /// The leading coefficient (0 for the zero polynomial).
    pub fn lead(&self) -> BigInt {
        self.c.last().cloned().unwrap_or_else(BigInt::zero)
    }

    /// The largest bit length of a coefficient.
    pub fn max_bits(&self) -> u64 {
        self.c.iter().map(|x| x.bits()).max().unwrap_or(0)
    }

    /// The content: the gcd of the coefficients (0 for the zero polynomial).
    pub fn content(&self) -> BigInt {
        self.c.iter().fold(BigInt::zero(), |g, x| g.gcd(x))
    }

    /// p / content(p), with a positive leading coefficient: the same roots, smallest integers.
    pub fn primitive(&self) -> Poly {
        if self.is_zero() {
            return self.clone();
        }
        let mut g = self.content();
        if self.lead().is_negative() {
            g = -g;
        }
        Poly::new(self.c.iter().map(|x| x / &g).collect())
    }

    /// p + q
    pub fn add(&self, o: &Poly) -> Poly {
        let n = self.c.len().max(o.c.len());
        let z = BigInt::zero();
        Poly::new(
            (0..n)
                .map(|i| self.c.get(i).unwrap_or(&z) + o.c.get(i).unwrap_or(&z))
                .collect(),
        )
    }

    /// −p
    pub fn neg(&self) -> Poly {
        Poly::new(self.c.iter().map(|x| -x).collect())
    }

    /// p − q
    pub fn sub(&self, o: &Poly) -> Poly {
        self.add(&o.neg())
    }

    /// p·q
    pub fn mul(&self, o: &Poly) -> Poly {
        if self.is_zero() || o.is_zero() {
            return Poly::new(vec![]);
        }
        let mut c = vec![BigInt::zero(); self.c.len() + o.c.len() - 1];
        for (i, a) in self.c.iter().enumerate() {
            if a.is_zero() {
                continue;
            }
            for (j, b) in o.c.iter().enumerate() {
                c[i + j] += a * b;
            }
        }
        Poly::new(c)
    }

    /// s·p for an integer s.
    pub fn scale(&self, s: &BigInt) -> Poly {
        Poly::new(self.c.iter().map(|x| x * s).collect())
    }

    /// p′ = Σ k a_k x^(k−1)
    pub fn derivative(&self) -> Poly {
        Poly::new(
            self.c
                .iter()
                .enumerate()
                .skip(1)
                .map(|(k, a)| a * BigInt::from(k))
                .collect(),
        )
    }

    /// A positive multiple of the remainder of p divided by q over ℚ: the pseudo-remainder
    /// lc(q)^k·p mod q of Knuth's Algorithm R (TAOCP vol. 2, §4.6.1), negated when lc(q) < 0 and
    /// k is odd, so that no sign is lost. `q` must be nonzero.
    pub fn pseudo_rem(&self, q: &Poly) -> Poly {
        signed_rem(self, q)
    }

    /// p / q over ℚ when q divides p exactly, as a primitive integer polynomial (same roots);
    /// `None` when the division leaves a remainder. `q` must be nonzero.
    pub fn div_exact(&self, q: &Poly) -> Option<Poly> {
        let dq = q.degree().expect("division by the zero polynomial");
        let lq = BigRational::from_integer(q.lead());
        let mut r: Vec<BigRational> = self
            .c
            .iter()
            .map(|x| BigRational::from_integer(x.clone()))
            .collect();
        if r.len() <= dq {
            return if r.iter().all(Zero::is_zero) {
                Some(Poly::new(vec![]))
            } else {
                None
            };
        }
        let mut quot = vec![BigRational::zero(); r.len() - dq];
        for k in (0..quot.len()).rev() {
            let t = &r[k + dq] / &lq;
            if !t.is_zero() {
                for (j, b) in q.c.iter().enumerate() {
                    r[k + j] -= &t * BigRational::from_integer(b.clone());
                }
            }
            quot[k] = t;
        }
        if !r.iter().all(Zero::is_zero) {
            return None;
        }
        Some(from_rationals(&quot).primitive())
    }

    /// gcd(p, q), primitive, by the primitive polynomial remainder sequence; gcd(0, 0) = 0.
    pub fn gcd(&self, o: &Poly) -> Poly {
        let (mut a, mut b) = (self.primitive(), o.primitive());
        if a.degree() < b.degree() {
            std::mem::swap(&mut a, &mut b);
        }
        while !b.is_zero() {
            let r = a.pseudo_rem(&b).primitive();
            a = b;
            b = r;
        }
        a.primitive()
    }

    /// The square-free part p / gcd(p, p′), primitive: the same distinct roots, each simple.
    pub fn square_free(&self) -> Poly {
        if self.degree().unwrap_or(0) == 0 {
            return self.primitive();
        }
        let g = self.gcd(&self.derivative());
        self.div_exact(&g)
            .expect("gcd(p, p') divides p")
            .primitive()
    }

    /// p(x) exactly at a rational x (Horner).
    pub fn eval(&self, x: &BigRational) -> BigRational {
        self.c.iter().rev().fold(BigRational::zero(), |acc, a| {
            acc * x + BigRational::from_integer(a.clone())
        })
    }

    /// The sign of p(n/d): sign of Σ a_k n^k d^(deg−k), an integer (d > 0).
    pub fn sign_at(&self, x: &BigRational) -> Ordering {
        let (n, d) = (x.numer(), x.denom());
        let Some(deg) = self.degree() else {
            return Ordering::Equal;
        };
        // Horner in homogeneous form: s = s·n + a_k·d^(deg−k)
        let mut s = BigInt::zero();
        let mut dpow = BigInt::one();
        let mut pows = Vec::with_capacity(deg + 1);
        for _ in 0..=deg {
            pows.push(dpow.clone());
            dpow *= d;
        }
        for k in (0..=deg).rev() {
            s = s * n + &self.c[k] * &pows[deg - k];
        }
        s.sign_cmp()
    }

    /// The sign of p at +∞ (`at_plus`) or −∞.
    pub fn sign_at_infinity(&self, at_plus: bool) -> Ordering {
        let Some(deg) = self.degree() else {
            return Ordering::Equal;
        };
        let s = self.lead().sign_cmp();
        if at_plus || deg % 2 == 0 {
            s
        } else {
            s.reverse()
        }
    }

    /// p(x/s)·s^deg for a nonzero rational s = n/d, made primitive: the polynomial whose roots
    /// are s times those of p (Σ a_k x^k (d/n)^k, times n^deg: Σ a_k d^k n^(deg−k) x^k).
    pub fn scale_roots(&self, s: &BigRational) -> Poly {
        let Some(deg) = self.degree() else {
            return self.clone();
        };
        let (n, d) = (s.numer(), s.denom());
        Poly::new(
            (0..=deg)
                .map(|k| &self.c[k] * d.pow(k as u32) * n.pow((deg - k) as u32))
                .collect(),
        )
        .primitive()
    }

    /// p(x^b): the polynomial whose roots are the b-th roots of p's.
    pub fn compose_power(&self, b: usize) -> Poly {
        let mut c = vec![BigInt::zero(); self.c.len().saturating_sub(1) * b + 1];
        for (k, a) in self.c.iter().enumerate() {
            c[k * b] = a.clone();
        }
        Poly::new(c)
    }

    /// The Sturm sequence p_0 = p, p_1 = p′, p_(i+1) = −rem(p_(i−1), p_i) up to the last nonzero
    /// one (Sturm 1829; Basu, Pollack & Roy, *Algorithms in Real Algebraic Geometry*, §2.2.2),
    /// each remainder computed as a pseudo-remainder and divided by a positive number, which keeps
    /// every sign and so every sign-variation count.
    pub fn sturm(&self) -> Vec<Poly> {
        let mut seq = vec![self.clone(), self.derivative()];
        if seq[1].is_zero() {
            seq.pop();
            return seq;
        }
        loop {
            let (a, b) = (&seq[seq.len() - 2], &seq[seq.len() - 1]);
            let r = signed_rem(a, b);
            if r.is_zero() {
                return seq;
            }
            let g = r.content();
            seq.push(Poly::new(r.c.iter().map(|x| -(x / &g)).collect()));
        }
    }
}

/// [`Poly::pseudo_rem`]: each step multiplies by lc(b) and cancels the leading term; the
/// product lc(b)^steps is made positive at the end, so the result is a positive multiple of
/// rem(a, b) over ℚ.
fn signed_rem(a: &Poly, b: &Poly) -> Poly {
    let db = b.degree().expect("nonzero divisor");
    let lb = b.lead();
    let mut r = a.c.clone();
    let mut steps = 0usize;
    while r.len() > db && !r.is_empty() {
        let k = r.len() - 1 - db;
        let lr = r.last().cloned().expect("nonempty");
        for x in r.iter_mut() {
            *x *= &lb;
        }
        for (j, c) in b.c.iter().enumerate() {
            r[k + j] -= &lr * c;
        }
        r.pop();
        while r.last().is_some_and(Zero::is_zero) {
            r.pop();
        }
        steps += 1;
    }
    let p = Poly::new(r);
    if lb.is_negative() && steps % 2 == 1 {
        p.neg()
    } else {
        p
    }
}

/// The primitive integer polynomial with the same roots as Σ q_k x^k over ℚ.
pub fn from_rationals(q: &[BigRational]) -> Poly {
    let den = q.iter().fold(BigInt::one(), |l, x| l.lcm(x.denom()));
    Poly::new(q.iter().map(|x| (x * &den).to_integer()).collect()).primitive()
}

trait SignCmp {
    fn sign_cmp(&self) -> Ordering;
}
impl SignCmp for BigInt {
    fn sign_cmp(&self) -> Ordering {
        self.cmp(&BigInt::zero())
    }
}

/// Sign variations in a sequence of signs, zeros left out.
fn variations(signs: impl Iterator<Item = Ordering>) -> usize {
    let mut last = Ordering::Equal;
    let mut v = 0;
    for s in signs.filter(|s| *s != Ordering::Equal) {
        if last != Ordering::Equal && s != last {
            v += 1;
        }
        last = s;
    }
    v
}

/// A Sturm sequence, for counting the distinct real roots of a square-free polynomial.
pub struct Sturm {
    seq: Vec<Poly>,
}

impl Sturm {
    /// The Sturm sequence of `p` (square-free, nonzero).
    pub fn new(p: &Poly) -> Sturm {
        Sturm { seq: p.sturm() }
    }

    /// V(x): sign variations of the sequence at x.
    pub fn variations_at(&self, x: &BigRational) -> usize {
        variations(self.seq.iter().map(|p| p.sign_at(x)))
    }

    /// V(±∞).
    pub fn variations_at_infinity(&self, plus: bool) -> usize {
        variations(self.seq.iter().map(|p| p.sign_at_infinity(plus)))
    }

    /// The number of distinct real roots in (a, b] (a < b): V(a) − V(b), Sturm's theorem for a
    /// square-free p (a root at a is not counted, one at b is).
    pub fn count_half_open(&self, a: &BigRational, b: &BigRational) -> usize {
        self.variations_at(a).saturating_sub(self.variations_at(b))
    }

    /// The number of distinct real roots in the closed interval [a, b] (a ≤ b).
    pub fn count_closed(&self, a: &BigRational, b: &BigRational) -> usize {
        let at_a = usize::from(self.seq[0].sign_at(a) == Ordering::Equal);
        if a == b {
            return at_a;
        }
        at_a + self.count_half_open(a, b)
    }

    /// The number of distinct real roots in (a, +∞).
    pub fn count_above(&self, a: &BigRational) -> usize {
        self.variations_at(a)
            .saturating_sub(self.variations_at_infinity(true))
    }
}
