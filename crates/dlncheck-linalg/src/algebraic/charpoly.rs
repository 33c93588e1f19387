//! Characteristic polynomials over ℚ (Berkowitz's division-free algorithm) and the polynomials of
//! sums, products, rational multiples and rational powers of algebraic numbers built from them.

use super::poly::Poly;
use super::{AlgError, Caps};
use crate::field::Exact;
use crate::mat::{self, Mat};
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// det(xI − A) of a square integer matrix, by Berkowitz's algorithm (S. J. Berkowitz, *On
/// computing the determinant in small parallel time using a small number of processors*, IPL 18,
/// 1984; the sequential form in Abdeljaoued & Lombardi, *Méthodes matricielles*, §7.2): with
/// A_(r+1) = [[A_r, S], [R, a]], the coefficient vector of det(xI − A_(r+1)) (high to low) is the
/// lower-triangular Toeplitz matrix with first column (1, −a, −RS, −RA_rS, …, −RA_r^(r−1)S) times
/// that of A_r. O(n⁴) integer operations, no division.
pub fn charpoly_integer(a: &Mat<BigInt>) -> Poly {
    let n = a.rows();
    assert!(a.is_square(), "charpoly of a non-square matrix");
    // v: coefficients of det(xI − A_r), high to low
    let mut v: Vec<BigInt> = vec![BigInt::one()];
    for r in 0..n {
        // R = row r, columns 0..r; S = column r, rows 0..r; a = A[r][r]
        let mut col = Vec::with_capacity(r + 2);
        col.push(BigInt::one());
        col.push(-a.at(r, r).clone());
        // w = A_r^k S for k = 0, 1, …, r−1; entry −R·w
        let mut w: Vec<BigInt> = (0..r).map(|i| a.at(i, r).clone()).collect();
        for k in 0..r {
            let rw: BigInt = (0..r).map(|j| a.at(r, j) * &w[j]).sum();
            col.push(-rw);
            if k + 1 < r {
                w = (0..r)
                    .map(|i| (0..r).map(|j| a.at(i, j) * &w[j]).sum())
                    .collect();
            }
        }
        // new v = T·v, T the (r+2) × (r+1) Toeplitz matrix with first column `col`
        let next: Vec<BigInt> = (0..r + 2)
            .map(|i| {
                (0..=r.min(i))
                    .filter(|&j| i - j < col.len())
                    .map(|j| &col[i - j] * &v[j])
                    .sum()
            })
            .collect();
        v = next;
    }
    v.reverse();
    Poly::new(v)
}

/// det(xI − A) of a square rational matrix, as a primitive integer polynomial (same roots): with D
/// the common denominator of A's entries, B = D·A is an integer matrix and
/// det(xI − A) = D^(−n)·det(DxI − B), whose coefficients are b_k·D^k (b_k those of det(xI − B)).
/// Refused beyond the caps on the order and on n × the bits of B's entries.
pub fn charpoly(a: &Mat<BigRational>, caps: &Caps) -> Result<Poly, AlgError> {
    let n = a.rows();
    if n > caps.max_order {
        return Err(AlgError::Order {
            n,
            cap: caps.max_order,
        });
    }
    let d = a
        .as_slice()
        .iter()
        .fold(BigInt::one(), |l, q| l.lcm(q.denom()));
    let b = a.map(|q| (q * BigRational::from_integer(d.clone())).to_integer());
    let bits = b.as_slice().iter().map(|x| x.bits()).max().unwrap_or(0);
    if bits * n as u64 > caps.max_order_times_bits {
        return Err(AlgError::EntryBits {
            bits: bits * n as u64,
            cap: caps.max_order_times_bits,
        });
    }
    let pb = charpoly_integer(&b);
    let mut dk = BigInt::one();
    let c: Vec<BigInt> = pb
        .coeffs()
        .iter()
        .map(|x| {
            let y = x * &dk;
            dk *= &d;
            y
        })
        .collect();
    Ok(Poly::new(c).primitive())
}

/// The companion matrix of p (degree ≥ 1) over ℚ: its characteristic polynomial is p / lc(p).
fn companion(p: &Poly) -> Mat<BigRational> {
    let n = p.degree().expect("nonzero");
    let lc = BigRational::from_integer(p.lead());
    Mat::from_fn(n, n, |i, j| {
        if j == n - 1 {
            -BigRational::from_integer(p.coeffs()[i].clone()) / &lc
        } else if i == j + 1 {
            BigRational::one()
        } else {
            BigRational::zero()
        }
    })
}

fn kron(a: &Mat<BigRational>, b: &Mat<BigRational>) -> Mat<BigRational> {
    let (m, n) = (a.rows(), b.rows());
    Mat::from_fn(m * n, m * n, |i, j| a.at(i / n, j / n) * b.at(i % n, j % n))
}

fn check_degree(deg: usize, caps: &Caps) -> Result<(), AlgError> {
    if deg > caps.max_degree {
        Err(AlgError::Degree {
            degree: deg,
            cap: caps.max_degree,
        })
    } else {
        Ok(())
    }
}

/// The square-free polynomial whose roots include every α + β (α a root of p, β of q): the
/// characteristic polynomial of C_p ⊗ I + I ⊗ C_q (eigenvalues α_i + β_j), which equals
/// Res_y(p(y), q(x − y)) up to a constant (Loos, *Computing in algebraic extensions*, 1982).
pub fn sum_poly(p: &Poly, q: &Poly, caps: &Caps) -> Result<Poly, AlgError> {
    let (m, n) = (degree(p)?, degree(q)?);
    check_degree(m * n, caps)?;
    let (cp, cq) = (companion(p), companion(q));
    let s = kron(&cp, &mat::identity(&Exact, n));
    let t = kron(&mat::identity(&Exact, m), &cq);
    let sum = Mat::from_fn(m * n, m * n, |i, j| s.at(i, j) + t.at(i, j));
    Ok(charpoly(&sum, caps)?.square_free())
}

/// The square-free polynomial whose roots include every α·β: the characteristic polynomial of
/// C_p ⊗ C_q (eigenvalues α_iβ_j), equal to Res_y(p(y), y^(deg q)·q(x/y)) up to a constant.
pub fn product_poly(p: &Poly, q: &Poly, caps: &Caps) -> Result<Poly, AlgError> {
    let (m, n) = (degree(p)?, degree(q)?);
    check_degree(m * n, caps)?;
    Ok(charpoly(&kron(&companion(p), &companion(q)), caps)?.square_free())
}

/// The square-free polynomial whose roots include every y ≥ 0 with y^b = α^a (α a root of p):
/// r(x^b) with r = charpoly(C_p^a), whose roots are the α_i^a.
pub fn power_poly(p: &Poly, a: u32, b: u32, caps: &Caps) -> Result<Poly, AlgError> {
    let m = degree(p)?;
    check_degree(m * b as usize, caps)?;
    let c = companion(p);
    let mut pw = mat::identity(&Exact, m);
    for _ in 0..a {
        pw = Mat::from_fn(m, m, |i, j| {
            (0..m)
                .map(|k| pw.at(i, k) * c.at(k, j))
                .sum::<BigRational>()
        });
    }
    let r = charpoly(&pw, caps)?.square_free();
    Ok(r.compose_power(b as usize).square_free())
}

fn degree(p: &Poly) -> Result<usize, AlgError> {
    match p.degree() {
        Some(d) if d >= 1 => Ok(d),
        _ => Err(AlgError::Constant),
    }
}

/// The companion matrix, for the tests.
#[cfg(test)]
pub(super) fn companion_of(p: &Poly) -> Mat<BigRational> {
    companion(p)
}
