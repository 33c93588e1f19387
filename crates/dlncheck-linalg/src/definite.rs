//! Exact definiteness of a symmetric rational matrix: fraction-free symmetric elimination
//! (Bareiss) with diagonal pivoting, in GMP integers.
//!
//! Mathematics: scale A by the positive common denominator D so N = D·A is integral. After k
//! Bareiss steps with positive pivots, the remaining diagonal entry N⁽ᵏ⁾_ii equals
//! det(N_K) · S_ii, where N_K is the leading k×k block and S its Schur complement; so a negative
//! diagonal entry proves A is not PSD, and an all-zero remaining diagonal forces the Schur
//! complement of a PSD matrix to vanish. Sylvester's criterion on the symmetrically permuted
//! matrix (congruent to A) then gives: A ≻ 0 iff all n pivots are positive; A ⪰ 0 with rank k iff k
//! positive pivots are followed by an all-zero remainder.

use super::field::bigint_to_rug;
use super::mat::Mat;
use num_integer::Integer as _;
use num_rational::BigRational;
use rug::Integer;

/// What exact elimination proved about a symmetric matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Definiteness {
    /// A ≻ 0 (all n leading minors of the pivoted matrix positive).
    PositiveDefinite,
    /// A ⪰ 0 and singular, with its rank.
    PositiveSemidefinite {
        /// rank of A (< n)
        rank: usize,
    },
    /// A is not positive semidefinite.
    NotPositiveSemidefinite,
}

impl Definiteness {
    /// A ⪰ 0 (including the definite case).
    pub fn is_psd(&self) -> bool {
        !matches!(self, Definiteness::NotPositiveSemidefinite)
    }
}

/// Decide the definiteness of a symmetric exact matrix. Panics if `a` is not square.
pub fn definiteness(a: &Mat<BigRational>) -> Definiteness {
    assert!(a.is_square(), "definiteness: matrix must be square");
    let n = a.rows();
    let denom = a
        .as_slice()
        .iter()
        .fold(num_bigint::BigInt::from(1), |acc, q| acc.lcm(q.denom()));
    let mut m: Vec<Vec<Integer>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let q = a.at(i, j);
                    bigint_to_rug(&(q.numer() * (&denom / q.denom())))
                })
                .collect()
        })
        .collect();
    let mut prev = Integer::from(1);
    for k in 0..n {
        if (k..n).any(|i| m[i][i].cmp0().is_lt()) {
            return Definiteness::NotPositiveSemidefinite;
        }
        let pivot = (k..n).filter(|&i| m[i][i].cmp0().is_gt()).max_by(|&i, &j| {
            m[i][i].cmp(&m[j][j]).then(j.cmp(&i)) // largest, first on ties
        });
        let Some(p) = pivot else {
            let rest_zero = (k..n).all(|i| (k..n).all(|j| m[i][j].is_zero()));
            return if rest_zero {
                Definiteness::PositiveSemidefinite { rank: k }
            } else {
                Definiteness::NotPositiveSemidefinite
            };
        };
        m.swap(k, p);
        for row in m.iter_mut() {
            row.swap(k, p);
        }
        for i in k + 1..n {
            for j in i..n {
                let v = Integer::from(&m[k][k] * &m[i][j]) - Integer::from(&m[i][k] * &m[k][j]);
                let v = v.div_exact(&prev);
                m[j][i].clone_from(&v);
                m[i][j] = v;
            }
        }
        prev = m[k][k].clone();
    }
    Definiteness::PositiveDefinite
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mat(n: usize, v: &[i64]) -> Mat<BigRational> {
        Mat::from_vec(
            n,
            n,
            v.iter()
                .map(|&x| BigRational::from_integer(x.into()))
                .collect(),
        )
    }

    #[test]
    fn classifies_small_matrices() {
        assert_eq!(
            definiteness(&mat(2, &[2, 1, 1, 2])),
            Definiteness::PositiveDefinite
        );
        assert_eq!(
            definiteness(&mat(2, &[1, 1, 1, 1])),
            Definiteness::PositiveSemidefinite { rank: 1 }
        );
        assert_eq!(
            definiteness(&mat(2, &[1, 2, 2, 1])),
            Definiteness::NotPositiveSemidefinite
        );
        // zero diagonal with a nonzero off-diagonal entry: indefinite
        assert_eq!(
            definiteness(&mat(2, &[0, 1, 1, 0])),
            Definiteness::NotPositiveSemidefinite
        );
        assert_eq!(
            definiteness(&mat(2, &[0, 0, 0, 0])),
            Definiteness::PositiveSemidefinite { rank: 0 }
        );
        // needs pivoting: leading entry zero but PSD
        assert_eq!(
            definiteness(&mat(3, &[0, 0, 0, 0, 2, 1, 0, 1, 1])),
            Definiteness::PositiveSemidefinite { rank: 2 }
        );
    }

    #[test]
    fn rational_entries_and_near_singular() {
        // [[1/3, 1/2],[1/2, 3/4 + ε]] is PD iff det = 1/4 + ε/3 − 1/4 > 0 iff ε > 0
        let q = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        let eps = q(1, 1 << 40);
        let a = Mat::from_vec(2, 2, vec![q(1, 3), q(1, 2), q(1, 2), q(3, 4) + eps.clone()]);
        assert_eq!(definiteness(&a), Definiteness::PositiveDefinite);
        let b = Mat::from_vec(2, 2, vec![q(1, 3), q(1, 2), q(1, 2), q(3, 4) - eps]);
        assert_eq!(definiteness(&b), Definiteness::NotPositiveSemidefinite);
    }
}
