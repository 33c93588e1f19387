//! Exact real algebraic numbers for the verifier, written again from the mathematics (no code
//! shared with the producer): polynomials over ℚ with Euclid's algorithm over ℚ, the
//! characteristic polynomial by Faddeev–LeVerrier on an integer matrix, Sturm sequences of
//! rational remainders, and the polynomials of sums, products and powers as characteristic
//! polynomials of Kronecker sums, products and powers of companion matrices.
//!
//! A relation with an `"algebraic"` proof (docs/certificates.md) is checked here: each leaf
//! quantity's value is shown to be the only root of a recomputed square-free polynomial in its
//! stated interval, each side's value the only root of its recomputed polynomial in the interval
//! arithmetic of the leaves', and the relation follows from the side intervals (an order) or from
//! a root of the gcd of the two sides' polynomials in their common interval (an equality).

use super::rational::Q;
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

/// gcd of two integers (Euclid), nonnegative.
fn igcd(a: &BigInt, b: &BigInt) -> BigInt {
    let (mut a, mut b) = (a.abs(), b.abs());
    while !b.is_zero() {
        let r = &a % &b;
        a = b;
        b = r;
    }
    a
}

/// lcm of two positive integers.
fn ilcm(a: &BigInt, b: &BigInt) -> BigInt {
    a / igcd(a, b) * b
}

/// Largest matrix order whose characteristic polynomial the verifier computes, and largest
/// degree of a polynomial it builds: Faddeev–LeVerrier is O(n⁴), and certificates are small.
pub(crate) const MAX_ORDER: usize = 64;

/// A polynomial over ℚ, coefficients low to high, no trailing zeros.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct P(pub(crate) Vec<Q>);

impl P {
    fn trim(mut v: Vec<Q>) -> P {
        while v.last().is_some_and(Zero::is_zero) {
            v.pop();
        }
        P(v)
    }
    /// From integer coefficients.
    pub(crate) fn from_ints(c: &[BigInt]) -> P {
        P::trim(c.iter().map(|x| Q::from_integer(x.clone())).collect())
    }
    fn deg(&self) -> Option<usize> {
        self.0.len().checked_sub(1)
    }
    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
    fn lead(&self) -> &Q {
        self.0.last().expect("nonzero")
    }
    /// (quotient, remainder) over ℚ.
    fn div_rem(&self, d: &P) -> (P, P) {
        let dd = d.deg().expect("division by zero polynomial");
        let mut r = self.0.clone();
        if r.len() <= dd {
            return (P(vec![]), P::trim(r));
        }
        let mut q = vec![Q::zero(); r.len() - dd];
        for k in (0..q.len()).rev() {
            let t = &r[k + dd] / d.lead();
            for (j, c) in d.0.iter().enumerate() {
                r[k + j] -= &t * c;
            }
            q[k] = t;
        }
        (P::trim(q), P::trim(r))
    }
    fn derivative(&self) -> P {
        P::trim(
            self.0
                .iter()
                .enumerate()
                .skip(1)
                .map(|(k, c)| c * Q::from_integer(BigInt::from(k)))
                .collect(),
        )
    }
    fn eval(&self, x: &Q) -> Q {
        self.0.iter().rev().fold(Q::zero(), |acc, c| acc * x + c)
    }
    /// The integer coefficients of the primitive multiple with a positive leading coefficient.
    pub(crate) fn normalized(&self) -> Vec<BigInt> {
        if self.is_zero() {
            return vec![];
        }
        let den = self
            .0
            .iter()
            .fold(BigInt::one(), |l, c| ilcm(&l, c.denom()));
        let ints: Vec<BigInt> = self
            .0
            .iter()
            .map(|c| (c * Q::from_integer(den.clone())).to_integer())
            .collect();
        let mut g = ints.iter().fold(BigInt::zero(), |g, c| igcd(&g, c));
        if ints.last().expect("nonzero").is_negative() {
            g = -g;
        }
        ints.iter().map(|c| c / &g).collect()
    }
}

/// gcd over ℚ by Euclid's algorithm (a monic multiple; 0 for gcd(0, 0)).
pub(crate) fn gcd(a: &P, b: &P) -> P {
    let (mut a, mut b) = (a.clone(), b.clone());
    while !b.is_zero() {
        let r = a.div_rem(&b).1;
        a = b;
        b = r;
    }
    a
}

/// p / gcd(p, p′): the same distinct roots, each simple.
pub(crate) fn square_free(p: &P) -> P {
    if p.deg().unwrap_or(0) == 0 {
        return p.clone();
    }
    p.div_rem(&gcd(p, &p.derivative())).0
}

/// The Sturm sequence p, p′, −rem(p, p′), … over ℚ.
fn sturm(p: &P) -> Vec<P> {
    let mut s = vec![p.clone(), p.derivative()];
    while !s[s.len() - 1].is_zero() {
        let r = s[s.len() - 2].div_rem(&s[s.len() - 1]).1;
        s.push(P::trim(r.0.iter().map(|c| -c).collect()));
    }
    s.pop();
    s
}

fn sign(q: &Q) -> i8 {
    if q.is_positive() {
        1
    } else if q.is_negative() {
        -1
    } else {
        0
    }
}

fn changes(signs: impl Iterator<Item = i8>) -> usize {
    let nz: Vec<i8> = signs.filter(|&s| s != 0).collect();
    nz.windows(2).filter(|w| w[0] != w[1]).count()
}

/// The number of distinct real roots of a square-free p in the closed interval [a, b] (a ≤ b):
/// [p(a) = 0] + V(a) − V(b), Sturm's theorem on (a, b].
pub(crate) fn roots_in(p: &P, a: &Q, b: &Q) -> usize {
    if p.deg().unwrap_or(0) == 0 {
        return 0;
    }
    let at_a = usize::from(p.eval(a).is_zero());
    if a == b {
        return at_a;
    }
    let s = sturm(p);
    let v = |x: &Q| changes(s.iter().map(|q| sign(&q.eval(x))));
    at_a + v(a).saturating_sub(v(b))
}

/// The number of distinct real roots of a square-free p in (a, ∞).
pub(crate) fn roots_above(p: &P, a: &Q) -> usize {
    if p.deg().unwrap_or(0) == 0 {
        return 0;
    }
    let s = sturm(p);
    let va = changes(s.iter().map(|q| sign(&q.eval(a))));
    let vinf = changes(s.iter().map(|q| sign(q.lead())));
    va.saturating_sub(vinf)
}

/// det(xI − A) of a square rational matrix (rows), by Faddeev–LeVerrier on B = D·A (D the common
/// denominator): c_n = 1, M_0 = 0, M_k = B·M_(k−1) + c_(n−k+1)·I, c_(n−k) = −tr(B·M_k)/k (exact in
/// ℤ, the coefficients of an integer matrix's characteristic polynomial being integers); then
/// det(xI − A) has the roots of det(xI − B) divided by D.
pub(crate) fn charpoly(a: &[Vec<Q>]) -> Result<P, String> {
    let n = a.len();
    if n > MAX_ORDER {
        return Err(format!(
            "matrix order {n} exceeds the verifier's cap {MAX_ORDER}"
        ));
    }
    let d = a
        .iter()
        .flatten()
        .fold(BigInt::one(), |l, q| ilcm(&l, q.denom()));
    let b: Vec<Vec<BigInt>> = a
        .iter()
        .map(|r| {
            r.iter()
                .map(|q| (q * Q::from_integer(d.clone())).to_integer())
                .collect()
        })
        .collect();
    let mut c = vec![BigInt::zero(); n + 1];
    c[n] = BigInt::one();
    let mut m = vec![vec![BigInt::zero(); n]; n];
    for k in 1..=n {
        // M_k = B·M_(k−1) + c_(n−k+1) I
        let mut next = vec![vec![BigInt::zero(); n]; n];
        for i in 0..n {
            for j in 0..n {
                let mut s: BigInt = (0..n).map(|l| &b[i][l] * &m[l][j]).sum();
                if i == j {
                    s += &c[n - k + 1];
                }
                next[i][j] = s;
            }
        }
        m = next;
        let tr: BigInt = (0..n)
            .map(|i| (0..n).map(|l| &b[i][l] * &m[l][i]).sum::<BigInt>())
            .sum();
        c[n - k] = -(tr / BigInt::from(k));
    }
    // roots of det(xI − B) are D·λ: substitute x ↦ D·x
    let mut dk = BigInt::one();
    let scaled: Vec<BigInt> = c
        .iter()
        .map(|x| {
            let y = x * &dk;
            dk *= &d;
            y
        })
        .collect();
    Ok(P::from_ints(&scaled))
}

fn companion(p: &P) -> Vec<Vec<Q>> {
    let n = p.deg().expect("degree ≥ 1");
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if j == n - 1 {
                        -(&p.0[i] / p.lead())
                    } else if i == j + 1 {
                        Q::one()
                    } else {
                        Q::zero()
                    }
                })
                .collect()
        })
        .collect()
}

fn kron_with(a: &[Vec<Q>], b: &[Vec<Q>], f: impl Fn(&Q, &Q, bool, bool) -> Q) -> Vec<Vec<Q>> {
    let (m, n) = (a.len(), b.len());
    (0..m * n)
        .map(|i| {
            (0..m * n)
                .map(|j| {
                    f(
                        &a[i / n][j / n],
                        &b[i % n][j % n],
                        i / n == j / n,
                        i % n == j % n,
                    )
                })
                .collect()
        })
        .collect()
}

fn degree_checked(p: &P, q: &P) -> Result<(), String> {
    match (p.deg(), q.deg()) {
        (Some(a), Some(b)) if a >= 1 && b >= 1 && a * b <= MAX_ORDER => Ok(()),
        (Some(a), Some(b)) if a >= 1 && b >= 1 => Err(format!(
            "degree {} exceeds the verifier's cap {MAX_ORDER}",
            a * b
        )),
        _ => Err("a constant polynomial".into()),
    }
}

/// Square-free polynomial with the roots α + β: charpoly(C_p ⊗ I + I ⊗ C_q).
pub(crate) fn sum(p: &P, q: &P) -> Result<P, String> {
    degree_checked(p, q)?;
    let k = kron_with(&companion(p), &companion(q), |a, b, ii, jj| {
        let mut s = Q::zero();
        if jj {
            s += a;
        }
        if ii {
            s += b;
        }
        s
    });
    Ok(square_free(&charpoly(&k)?))
}

/// Square-free polynomial with the roots α·β: charpoly(C_p ⊗ C_q).
pub(crate) fn product(p: &P, q: &P) -> Result<P, String> {
    degree_checked(p, q)?;
    let k = kron_with(&companion(p), &companion(q), |a, b, _, _| a * b);
    Ok(square_free(&charpoly(&k)?))
}

/// Square-free polynomial with the roots factor·y, y^b = α^a: r = charpoly(C_p^a) square-free,
/// then r(x^b), square-free, with roots scaled by `factor`.
pub(crate) fn power(p: &P, a: usize, b: usize, factor: &Q) -> Result<P, String> {
    let m = p.deg().filter(|&m| m >= 1).ok_or("a constant polynomial")?;
    if m * b > MAX_ORDER {
        return Err(format!(
            "degree {} exceeds the verifier's cap {MAX_ORDER}",
            m * b
        ));
    }
    let c = companion(p);
    let mut pw: Vec<Vec<Q>> = (0..m)
        .map(|i| {
            (0..m)
                .map(|j| if i == j { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect();
    for _ in 0..a {
        pw = (0..m)
            .map(|i| {
                (0..m)
                    .map(|j| (0..m).map(|k| &pw[i][k] * &c[k][j]).sum())
                    .collect()
            })
            .collect();
    }
    let r = square_free(&charpoly(&pw)?);
    let mut comp = vec![Q::zero(); r.0.len().saturating_sub(1) * b + 1];
    for (k, x) in r.0.iter().enumerate() {
        comp[k * b] = x.clone();
    }
    let s = square_free(&P::trim(comp));
    // roots times factor: coefficients c_k·factor^(−k)
    let mut f = Q::one();
    let inv = factor.recip();
    Ok(P::trim(
        s.0.iter()
            .map(|x| {
                let y = x * &f;
                f *= &inv;
                y
            })
            .collect(),
    ))
}

/// Compare two normalized polynomials.
pub(crate) fn same(p: &P, stated: &[BigInt]) -> bool {
    p.normalized() == stated
}

/// The order of two closed intervals when disjoint.
pub(crate) fn order(a: &(Q, Q), b: &(Q, Q)) -> Option<Ordering> {
    if a.1 < b.0 {
        Some(Ordering::Less)
    } else if b.1 < a.0 {
        Some(Ordering::Greater)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Q {
        Q::from_integer(n.into())
    }
    fn ints(v: &[i64]) -> Vec<BigInt> {
        v.iter().map(|&x| BigInt::from(x)).collect()
    }

    #[test]
    fn sqrt2_plus_sqrt3_and_charpolys() {
        let s = sum(
            &P::from_ints(&ints(&[-2, 0, 1])),
            &P::from_ints(&ints(&[-3, 0, 1])),
        )
        .unwrap();
        assert_eq!(s.normalized(), ints(&[1, 0, -10, 0, 1]));
        let p = product(
            &P::from_ints(&ints(&[-2, 0, 1])),
            &P::from_ints(&ints(&[-3, 0, 1])),
        )
        .unwrap();
        assert_eq!(p.normalized(), ints(&[-6, 0, 1]));
        // [[2,1],[1,1]]/3: det(xI − A) = x² − x + 1/9 → 9x² − 9x + 1
        let a = vec![
            vec![Q::new(2.into(), 3.into()), Q::new(1.into(), 3.into())],
            vec![Q::new(1.into(), 3.into()), Q::new(1.into(), 3.into())],
        ];
        assert_eq!(charpoly(&a).unwrap().normalized(), ints(&[1, -9, 9]));
        // 2·(4)^(1/2) = 4 is a root of the power polynomial
        let pw = power(&P::from_ints(&ints(&[-4, 1])), 1, 2, &q(2)).unwrap();
        assert!(pw.eval(&q(4)).is_zero());
        // Sturm counts: (x−1)(x−2)(x−3)
        let c = P::from_ints(&ints(&[-6, 11, -6, 1]));
        assert_eq!(roots_in(&c, &q(1), &q(3)), 3);
        assert_eq!(roots_in(&c, &q(2), &q(2)), 1);
        assert_eq!(roots_above(&c, &q(2)), 1);
        assert_eq!(
            gcd(&c, &P::from_ints(&ints(&[-2, 1]))).normalized(),
            ints(&[-2, 1])
        );
    }
}
