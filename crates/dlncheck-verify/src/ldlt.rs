//! Exact definiteness of a symmetric rational matrix by LDLᵀ with diagonal pivoting.
//!
//! Symmetric Gaussian elimination on the active index set S, starting from S = all indices:
//! - a negative diagonal entry a_ii of the current Schur complement proves M is not PSD
//!   (the Schur complement of a PSD matrix is PSD);
//! - a zero diagonal entry a_ii with a nonzero a_ij (j ∈ S) proves M is not PSD (the principal
//!   2 × 2 minor [[0, a_ij], [a_ij, a_jj]] has determinant −a_ij² < 0); when its whole row is
//!   zero, i leaves S and M is singular;
//! - otherwise a positive pivot a_pp is eliminated: a_ij ← a_ij − a_ip a_pj / a_pp for i, j ∈ S∖{p}.
//!
//! When S is exhausted every pivot was positive: M is positive definite if no zero row was
//! dropped, and positive semidefinite and singular otherwise (its rank is the number of pivots).

use super::rational::Mat;
use num_traits::{Signed, Zero};

/// The definiteness class of a symmetric matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Definiteness {
    /// M ≻ 0: all n pivots positive.
    PositiveDefinite,
    /// M ⪰ 0 and singular: `rank` positive pivots, the rest of the Schur complement zero.
    SemidefiniteSingular {
        /// The number of positive pivots (the rank of M).
        rank: usize,
    },
    /// M is not positive semidefinite (or not symmetric); `reason` says why.
    NotSemidefinite {
        /// The witness, e.g. "pivot −3 < 0 at index 2".
        reason: String,
    },
}

impl Definiteness {
    /// True for positive definite and for semidefinite-singular.
    pub(crate) fn is_psd(&self) -> bool {
        !matches!(self, Definiteness::NotSemidefinite { .. })
    }

    /// A short description, e.g. "≻ 0 (12 positive pivots)".
    pub(crate) fn describe(&self, n: usize) -> String {
        match self {
            Definiteness::PositiveDefinite => format!("≻ 0 (all {n} LDLᵀ pivots positive)"),
            Definiteness::SemidefiniteSingular { rank } => {
                format!("⪰ 0 and singular (LDLᵀ rank {rank} of {n})")
            }
            Definiteness::NotSemidefinite { reason } => format!("not ⪰ 0: {reason}"),
        }
    }
}

/// Classify the square matrix `m` exactly (see the module documentation).
pub(crate) fn classify(m: &Mat) -> Definiteness {
    let n = m.rows();
    assert_eq!(n, m.cols(), "classify: not square");
    for i in 0..n {
        for j in i + 1..n {
            if m.at(i, j) != m.at(j, i) {
                return Definiteness::NotSemidefinite {
                    reason: format!("not symmetric at ({i}, {j})"),
                };
            }
        }
    }
    let mut a = m.clone();
    let mut active: Vec<usize> = (0..n).collect();
    let mut rank = 0;
    let mut singular = false;
    loop {
        if let Some(&i) = active.iter().find(|&&i| a.at(i, i).is_negative()) {
            return Definiteness::NotSemidefinite {
                reason: format!("pivot {} < 0 at index {i}", a.at(i, i)),
            };
        }
        let mut keep = Vec::with_capacity(active.len());
        for &i in &active {
            if !a.at(i, i).is_zero() {
                keep.push(i);
                continue;
            }
            if let Some(&j) = active.iter().find(|&&j| !a.at(i, j).is_zero()) {
                return Definiteness::NotSemidefinite {
                    reason: format!(
                        "zero pivot at index {i} with entry {} at ({i}, {j})",
                        a.at(i, j)
                    ),
                };
            }
            singular = true;
        }
        active = keep;
        let Some((&p, rest)) = active.split_first() else {
            break;
        };
        let pivot = a.at(p, p).clone();
        for &i in rest {
            let factor = a.at(i, p) / &pivot;
            if factor.is_zero() {
                continue;
            }
            for &j in rest {
                let update = &factor * a.at(p, j);
                if !update.is_zero() {
                    *a.at_mut(i, j) -= update;
                }
            }
        }
        active.remove(0);
        rank += 1;
    }
    if singular {
        Definiteness::SemidefiniteSingular { rank }
    } else {
        Definiteness::PositiveDefinite
    }
}

#[cfg(test)]
mod tests {
    use super::super::rational::parse_exact;
    use super::*;

    fn mat(n: usize, xs: &[&str]) -> Mat {
        Mat::from_data(n, n, xs.iter().map(|s| parse_exact(s).unwrap()).collect())
    }

    #[test]
    fn classifies() {
        use Definiteness::*;
        assert_eq!(classify(&mat(2, &["2", "-1", "-1", "2"])), PositiveDefinite);
        // rank-1 [[1,1],[1,1]]
        assert_eq!(
            classify(&mat(2, &["1", "1", "1", "1"])),
            SemidefiniteSingular { rank: 1 }
        );
        // zero matrix
        assert_eq!(
            classify(&mat(2, &["0", "0", "0", "0"])),
            SemidefiniteSingular { rank: 0 }
        );
        // indefinite with positive diagonal: [[1,2],[2,1]] has Schur complement −3
        assert!(matches!(
            classify(&mat(2, &["1", "2", "2", "1"])),
            NotSemidefinite { reason } if reason.contains("-3")
        ));
        // zero diagonal with a nonzero off-diagonal entry
        assert!(!classify(&mat(2, &["0", "1", "1", "5"])).is_psd());
        // negative diagonal
        assert!(!classify(&mat(2, &["-1", "0", "0", "5"])).is_psd());
        // not symmetric
        assert!(!classify(&mat(2, &["1", "0", "1", "1"])).is_psd());
        // zero pivot appearing only after elimination: [[1,1,1],[1,1,1],[1,1,2]] (rank 2, PSD)
        assert_eq!(
            classify(&mat(3, &["1", "1", "1", "1", "1", "1", "1", "1", "2"])),
            SemidefiniteSingular { rank: 2 }
        );
        // the same with an extra −ε: [[1,1,1],[1,1,2],[1,2,2]] is indefinite via a zero pivot
        assert!(!classify(&mat(3, &["1", "1", "1", "1", "1", "2", "1", "2", "2"])).is_psd());
        // 48·I − 16·𝟙𝟙ᵀ (3 × 3) is PSD singular; 49·I − it is PD; 47·I − it is not PSD.
        let h = mat(3, &["16"; 9]);
        let s = |u: &str| classify(&h.shift_neg(&parse_exact(u).unwrap()));
        assert_eq!(s("48"), SemidefiniteSingular { rank: 2 });
        assert_eq!(s("49"), PositiveDefinite);
        assert!(!s("47").is_psd());
    }
}
