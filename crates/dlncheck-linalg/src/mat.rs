//! Dense row-major matrices over any [`Field`], with the handful of operations the model needs.
//!
//! The f64 eigensolvers hand these to faer; the exact and MPFR paths use them directly.

use super::field::Field;
use num_rational::BigRational;

/// A dense `rows × cols` matrix, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Mat<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

impl<T> Mat<T> {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
}

impl<T: Clone> Mat<T> {
    /// Build from a row-major vector; `data.len()` must be `rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<T>) -> Self {
        assert_eq!(data.len(), rows * cols, "Mat::from_vec: wrong length");
        Mat { rows, cols, data }
    }
    /// Build entry by entry.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> T) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Mat { rows, cols, data }
    }
    /// Entry (i, j).
    pub fn at(&self, i: usize, j: usize) -> &T {
        &self.data[i * self.cols + j]
    }
    /// Mutable entry (i, j).
    pub fn at_mut(&mut self, i: usize, j: usize) -> &mut T {
        &mut self.data[i * self.cols + j]
    }
    /// Row-major entries (this is vec of the transpose in column-major terms).
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }
    /// Aᵀ
    pub fn transpose(&self) -> Self {
        Mat::from_fn(self.cols, self.rows, |i, j| self.at(j, i).clone())
    }
    /// Apply `f` to every entry (used to change arithmetic).
    pub fn map<U: Clone>(&self, f: impl FnMut(&T) -> U) -> Mat<U> {
        Mat {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(f).collect(),
        }
    }
    /// Is this matrix square?
    pub fn is_square(&self) -> bool {
        self.rows == self.cols
    }
}

/// The zero matrix.
pub fn zeros<F: Field>(f: &F, rows: usize, cols: usize) -> Mat<F::T> {
    Mat::from_vec(rows, cols, vec![f.zero(); rows * cols])
}

/// The identity matrix I_n.
pub fn identity<F: Field>(f: &F, n: usize) -> Mat<F::T> {
    Mat::from_fn(n, n, |i, j| if i == j { f.one() } else { f.zero() })
}

/// Convert an exact matrix into the arithmetic `f`.
pub fn from_exact<F: Field>(f: &F, a: &Mat<BigRational>) -> Mat<F::T> {
    a.map(|q| f.embed(q))
}

/// A · B
pub fn matmul<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> Mat<F::T> {
    assert_eq!(a.cols, b.rows, "matmul: inner dimensions differ");
    let mut out = zeros(f, a.rows, b.cols);
    for i in 0..a.rows {
        for k in 0..a.cols {
            let aik = a.at(i, k);
            if f.is_zero(aik) {
                continue;
            }
            for j in 0..b.cols {
                let t = f.mul(aik, b.at(k, j));
                let o = out.at_mut(i, j);
                *o = f.add(o, &t);
            }
        }
    }
    out
}

/// Aᵀ · B without forming Aᵀ.
pub fn matmul_tn<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> Mat<F::T> {
    matmul(f, &a.transpose(), b)
}

/// A · Bᵀ without forming Bᵀ.
pub fn matmul_nt<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> Mat<F::T> {
    matmul(f, a, &b.transpose())
}

/// Entrywise combination of two matrices of equal shape.
pub fn zip<F: Field>(
    a: &Mat<F::T>,
    b: &Mat<F::T>,
    mut op: impl FnMut(&F::T, &F::T) -> F::T,
) -> Mat<F::T> {
    assert_eq!((a.rows, a.cols), (b.rows, b.cols), "zip: shapes differ");
    Mat {
        rows: a.rows,
        cols: a.cols,
        data: a.data.iter().zip(&b.data).map(|(x, y)| op(x, y)).collect(),
    }
}

/// A + B
pub fn add<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> Mat<F::T> {
    zip::<F>(a, b, |x, y| f.add(x, y))
}

/// A − B
pub fn sub<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> Mat<F::T> {
    zip::<F>(a, b, |x, y| f.sub(x, y))
}

/// s · A
pub fn scale<F: Field>(f: &F, s: &F::T, a: &Mat<F::T>) -> Mat<F::T> {
    a.map(|x| f.mul(s, x))
}

/// ⟨A, B⟩_F = Σ_ij A_ij B_ij
pub fn inner<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> F::T {
    assert_eq!((a.rows, a.cols), (b.rows, b.cols), "inner: shapes differ");
    a.data
        .iter()
        .zip(&b.data)
        .fold(f.zero(), |acc, (x, y)| f.add(&acc, &f.mul(x, y)))
}

/// ‖A‖²_F
pub fn frob2<F: Field>(f: &F, a: &Mat<F::T>) -> F::T {
    inner(f, a, a)
}

/// tr A
pub fn trace<F: Field>(f: &F, a: &Mat<F::T>) -> F::T {
    (0..a.rows.min(a.cols)).fold(f.zero(), |acc, i| f.add(&acc, a.at(i, i)))
}

/// Does every entry vanish?
pub fn is_zero_mat<F: Field>(f: &F, a: &Mat<F::T>) -> bool {
    a.data.iter().all(|x| f.is_zero(x))
}

/// Kronecker product A ⊗ B: (A ⊗ B)[(i·p + k), (j·q + l)] = A_ij B_kl for B of shape p × q.
pub fn kron<F: Field>(f: &F, a: &Mat<F::T>, b: &Mat<F::T>) -> Mat<F::T> {
    Mat::from_fn(a.rows * b.rows, a.cols * b.cols, |r, c| {
        f.mul(a.at(r / b.rows, c / b.cols), b.at(r % b.rows, c % b.cols))
    })
}

/// Matrix–vector product A v.
pub fn matvec<F: Field>(f: &F, a: &Mat<F::T>, v: &[F::T]) -> Vec<F::T> {
    assert_eq!(a.cols, v.len(), "matvec: length differs");
    (0..a.rows)
        .map(|i| (0..a.cols).fold(f.zero(), |acc, j| f.add(&acc, &f.mul(a.at(i, j), &v[j]))))
        .collect()
}

/// vᵀ w
pub fn dot<F: Field>(f: &F, v: &[F::T], w: &[F::T]) -> F::T {
    v.iter()
        .zip(w)
        .fold(f.zero(), |acc, (x, y)| f.add(&acc, &f.mul(x, y)))
}

/// The reduced row echelon form of an exact matrix (Gauss–Jordan) and its pivot columns.
pub fn rref(a: &Mat<BigRational>) -> (Mat<BigRational>, Vec<usize>) {
    use num_traits::Zero;
    let (rows, cols) = (a.rows, a.cols);
    let mut m = a.clone();
    let mut pivots = Vec::new();
    for col in 0..cols {
        let r = pivots.len();
        let Some(p) = (r..rows).find(|&i| !m.at(i, col).is_zero()) else {
            continue;
        };
        for j in 0..cols {
            m.data.swap(r * cols + j, p * cols + j);
        }
        let inv = m.at(r, col).recip();
        for j in 0..cols {
            *m.at_mut(r, j) *= &inv;
        }
        for i in 0..rows {
            if i != r && !m.at(i, col).is_zero() {
                let factor = m.at(i, col).clone();
                for j in 0..cols {
                    let t = &factor * m.at(r, j);
                    *m.at_mut(i, j) -= t;
                }
            }
        }
        pivots.push(col);
    }
    (m, pivots)
}

/// Rank of an exact matrix (the number of pivots of its reduced row echelon form).
pub fn rank_exact(a: &Mat<BigRational>) -> usize {
    rref(a).1.len()
}

/// A basis of the null space {x : A x = 0} of an exact matrix, one vector per free column of the
/// reduced row echelon form.
pub fn null_space(a: &Mat<BigRational>) -> Vec<Vec<BigRational>> {
    use num_traits::{One, Zero};
    let (m, pivots) = rref(a);
    (0..a.cols)
        .filter(|c| !pivots.contains(c))
        .map(|free| {
            let mut v = vec![BigRational::zero(); a.cols];
            v[free] = BigRational::one();
            for (i, &pc) in pivots.iter().enumerate() {
                v[pc] = -m.at(i, free).clone();
            }
            v
        })
        .collect()
}

/// Solve A X = B exactly for square invertible A (the reduced row echelon form of [A | B] is
/// [I | X]); `None` when A is singular.
pub fn solve_exact(a: &Mat<BigRational>, b: &Mat<BigRational>) -> Option<Mat<BigRational>> {
    assert!(a.is_square() && a.rows == b.rows, "solve_exact: shapes");
    let n = a.rows;
    let augmented = Mat::from_fn(n, n + b.cols, |i, j| {
        if j < n {
            a.at(i, j).clone()
        } else {
            b.at(i, j - n).clone()
        }
    });
    let (r, pivots) = rref(&augmented);
    (pivots.len() >= n && pivots[..n].iter().copied().eq(0..n))
        .then(|| Mat::from_fn(n, b.cols, |i, j| r.at(i, n + j).clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Exact, F64};

    fn q(n: i64) -> BigRational {
        BigRational::from_integer(n.into())
    }

    #[test]
    fn products_and_kron() {
        let a = Mat::from_vec(2, 2, vec![1.0, 2.0, 3.0, 4.0]);
        let b = Mat::from_vec(2, 1, vec![1.0, -1.0]);
        assert_eq!(matmul(&F64, &a, &b).as_slice(), &[-1.0, -1.0]);
        assert_eq!(
            matmul_tn(&F64, &a, &a).as_slice(),
            &[10.0, 14.0, 14.0, 20.0]
        );
        let k = kron(&F64, &identity(&F64, 2), &a);
        assert_eq!(k.at(2, 3), &2.0);
        assert_eq!(k.at(0, 2), &0.0);
        assert_eq!(trace(&F64, &k), 10.0);
        assert_eq!(frob2(&F64, &a), 30.0);
    }

    #[test]
    fn exact_rank_and_solve() {
        let a = Mat::from_vec(2, 3, vec![q(1), q(2), q(3), q(2), q(4), q(6)]);
        assert_eq!(rank_exact(&a), 1);
        let null = null_space(&a);
        assert_eq!(null.len(), 2);
        for v in &null {
            assert!(matvec(&Exact, &a, v).iter().all(|x| *x == q(0)));
        }
        let m = Mat::from_vec(2, 2, vec![q(0), q(2), q(3), q(1)]);
        let x = solve_exact(&m, &identity(&Exact, 2)).unwrap();
        assert_eq!(matmul(&Exact, &m, &x), identity(&Exact, 2));
        let singular = Mat::from_vec(2, 2, vec![q(1), q(2), q(2), q(4)]);
        assert!(solve_exact(&singular, &identity(&Exact, 2)).is_none());
    }
}
