//! Ranks: exact (modular fast path, then rational elimination), exact rank factorizations, and
//! numerical ranks of f64 and MPFR matrices by thresholded singular values.
//!
//! The exact full-row-rank test (used for the data matrix X) is fast on large matrices.
//!
//! Reducing entries modulo a prime p (a/b ↦ a·b⁻¹ mod p, when p ∤ b) is a ring homomorphism, and
//! minors commute with it, so a nonzero r×r minor mod p is a nonzero minor over ℚ: rank mod p ≤
//! rank over ℚ. Full row rank modulo any prime therefore proves full row rank exactly. Only when
//! every prime tried says otherwise is the exact rank computed with rational arithmetic
//! ([`rank_exact`]), which also gives the number the error message reports.

use crate::eigen_mpfr;
use crate::field::Mpfr;
use crate::mat::{self, rank_exact};
use crate::Mat;
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use rug::Float;

/// Primes below 2⁶² (products of two residues fit in u128).
const PRIMES: [u64; 3] = [2_305_843_009_213_693_951, 1_000_000_007, 998_244_353];

/// `Ok(())` when `a` has full row rank, else `Err(rank)` with its exact rank.
pub fn full_row_rank(a: &Mat<BigRational>) -> Result<(), usize> {
    if a.rows() <= a.cols() && PRIMES.iter().any(|&p| rank_mod(a, p) == Some(a.rows())) {
        return Ok(());
    }
    let rank = rank_exact(a);
    if rank == a.rows() {
        Ok(())
    } else {
        Err(rank)
    }
}

fn mul(a: u64, b: u64, p: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(p)) as u64
}

fn inv(a: u64, p: u64) -> u64 {
    // Fermat: a^(p−2) mod p, for prime p and a ≢ 0.
    let (mut base, mut e, mut acc) = (a, p - 2, 1u64);
    while e > 0 {
        if e & 1 == 1 {
            acc = mul(acc, base, p);
        }
        base = mul(base, base, p);
        e >>= 1;
    }
    acc
}

fn residue(n: &BigInt, p: &BigInt) -> Option<u64> {
    n.mod_floor(p).to_u64()
}

/// Rank of `a` reduced modulo the prime `p`; `None` when some denominator is divisible by p.
fn rank_mod(a: &Mat<BigRational>, p: u64) -> Option<usize> {
    let (rows, cols) = (a.rows(), a.cols());
    let pb = BigInt::from(p);
    let mut m = Vec::with_capacity(rows * cols);
    for q in a.as_slice() {
        let den = residue(q.denom(), &pb)?;
        if den == 0 {
            return None;
        }
        m.push(mul(residue(q.numer(), &pb)?, inv(den, p), p));
    }
    let mut rank = 0;
    for col in 0..cols {
        let Some(piv) = (rank..rows).find(|&r| m[r * cols + col] != 0) else {
            continue;
        };
        for j in 0..cols {
            m.swap(rank * cols + j, piv * cols + j);
        }
        let scale = inv(m[rank * cols + col], p);
        for r in rank + 1..rows {
            let f = mul(m[r * cols + col], scale, p);
            if f == 0 {
                continue;
            }
            for j in col..cols {
                let t = mul(f, m[rank * cols + j], p);
                let v = &mut m[r * cols + j];
                *v = if *v >= t { *v - t } else { *v + p - t };
            }
        }
        rank += 1;
        if rank == rows {
            break;
        }
    }
    Some(rank)
}

/// An exact rank factorization M = C R with C = the pivot columns of M and R = the nonzero rows
/// of its reduced row echelon form.
pub fn factorization(m: &Mat<BigRational>) -> (Mat<BigRational>, Mat<BigRational>) {
    let (r, pivots) = crate::mat::rref(m);
    let c = Mat::from_fn(m.rows(), pivots.len(), |i, j| m.at(i, pivots[j]).clone());
    let rr = Mat::from_fn(pivots.len(), m.cols(), |i, j| r.at(i, j).clone());
    (c, rr)
}

/// Numerical rank of an f64 matrix: the number of its singular values (faer's SVD) above
/// `threshold`; `None` when the SVD does not converge.
pub fn numerical_f64(m: &Mat<f64>, threshold: f64) -> Option<usize> {
    let f = faer::Mat::<f64>::from_fn(m.rows(), m.cols(), |i, j| *m.at(i, j));
    f.singular_values()
        .ok()
        .map(|s| s.iter().filter(|&&x| x > threshold).count())
}

/// Numerical rank of an MPFR matrix at `prec` bits: the number of eigenvalues of its smaller Gram matrix above
/// 2^(−prec/2)·(1 + ‖M‖²_F). For matrices computed in MPFR from exact data, true zero
/// singular values are rounding-sized (about 2^(−prec)) and the others are products of eigenvector entries and data,
/// far above the threshold unless the data themselves are that small.
pub fn numerical_mpfr(m: &Mat<Float>, prec: u32) -> usize {
    let mp = &Mpfr { prec };
    if m.rows() == 0 || m.cols() == 0 {
        return 0;
    }
    let g = if m.rows() <= m.cols() {
        mat::matmul_nt(mp, m, m)
    } else {
        mat::matmul_tn(mp, m, m)
    };
    let thr = Float::with_val(mp.prec, mat::frob2(mp, m) + 1u32) >> (mp.prec as i32 / 2);
    g.rows() - eigen_mpfr::tridiagonalize(&g, mp.prec).count_below(&thr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mat(rows: usize, cols: usize, v: &[(i64, i64)]) -> Mat<BigRational> {
        Mat::from_vec(
            rows,
            cols,
            v.iter()
                .map(|&(n, d)| BigRational::new(n.into(), d.into()))
                .collect(),
        )
    }

    #[test]
    fn agrees_with_the_exact_rank() {
        let full = mat(2, 3, &[(1, 2), (0, 1), (3, 1), (2, 3), (1, 1), (0, 1)]);
        assert_eq!(full_row_rank(&full), Ok(()));
        let deficient = mat(2, 3, &[(1, 2), (1, 1), (3, 2), (1, 3), (2, 3), (1, 1)]);
        assert_eq!(full_row_rank(&deficient), Err(1));
        let tall = mat(3, 2, &[(1, 1), (0, 1), (0, 1), (1, 1), (1, 1), (1, 1)]);
        assert_eq!(full_row_rank(&tall), Err(2));
        let zero = mat(2, 2, &[(0, 1); 4]);
        assert_eq!(full_row_rank(&zero), Err(0));
    }

    #[test]
    fn unlucky_primes_fall_back_to_exact_arithmetic() {
        // det = p₁p₂p₃ vanishes modulo every prime tried, yet the matrix is invertible.
        let det: BigInt = PRIMES.iter().map(|&p| BigInt::from(p)).product();
        let m = Mat::from_vec(
            2,
            2,
            vec![
                BigRational::from_integer(det),
                BigRational::from_integer(0.into()),
                BigRational::from_integer(0.into()),
                BigRational::from_integer(1.into()),
            ],
        );
        assert!(PRIMES.iter().all(|&p| rank_mod(&m, p) == Some(1)));
        assert_eq!(full_row_rank(&m), Ok(()));
        // A denominator divisible by p skips that prime.
        let p = PRIMES[2] as i64;
        let m = mat(1, 1, &[(1, p)]);
        assert_eq!(rank_mod(&m, PRIMES[2]), None);
        assert_eq!(full_row_rank(&m), Ok(()));
    }

    #[test]
    fn modular_inverse() {
        for &p in &PRIMES {
            for a in [1u64, 2, 3, 12345, p - 1] {
                assert_eq!(mul(a, inv(a, p), p), 1);
            }
        }
    }

    #[test]
    fn numerical_mpfr_rank_sees_through_rounding() {
        let mp = Mpfr { prec: 128 };
        // rank 1: [[1, 2], [1/3, 2/3]] rounded (1/3 is not exact in binary)
        let m = mat::from_exact(
            &mp,
            &Mat::from_vec(
                2,
                2,
                vec![
                    BigRational::from_integer(1.into()),
                    BigRational::from_integer(2.into()),
                    BigRational::new(1.into(), 3.into()),
                    BigRational::new(2.into(), 3.into()),
                ],
            ),
        );
        assert_eq!(numerical_mpfr(&m, mp.prec), 1);
        assert_eq!(numerical_mpfr(&mat::identity(&mp, 3), mp.prec), 3);
        assert_eq!(numerical_mpfr(&mat::zeros(&mp, 2, 3), mp.prec), 0);
    }
}
