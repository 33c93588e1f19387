//! Exact numbers and small dense rational matrices, written for the verifier alone.
//!
//! A certificate writes every number as a string `"p"` or `"-p/q"` (decimal digits, q ≠ 0);
//! [`parse_exact`] reads exactly that and nothing else. [`Mat`] is a row-major dense matrix over
//! ℚ with the few operations the checks need: product, transpose, Kronecker product, sums,
//! Frobenius norm and trace.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// A rational number.
pub(crate) type Q = BigRational;

/// Longest number string accepted, so that a short file cannot ask for a huge parse.
pub(crate) const MAX_NUMBER_LEN: usize = 100_000;

/// Read an exact number: an optional `-`, decimal digits, and optionally `/` followed by
/// decimal digits that are not all zero. The error text says what is wrong with `s`.
pub(crate) fn parse_exact(s: &str) -> Result<Q, String> {
    let bad = || format!("not an exact number {s:?} (expected \"p\" or \"-p/q\")");
    if s.len() > MAX_NUMBER_LEN {
        return Err(format!(
            "number string of {} characters exceeds the limit of {MAX_NUMBER_LEN}",
            s.len()
        ));
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (num, den) = match body.split_once('/') {
        Some((n, d)) => (n, Some(d)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(num) || !den.map_or(true, digits) {
        return Err(bad());
    }
    let n: BigInt = num.parse().map_err(|_| bad())?;
    let d: BigInt = match den {
        Some(d) => d.parse().map_err(|_| bad())?,
        None => BigInt::one(),
    };
    if d.is_zero() {
        return Err(format!("zero denominator in {s:?}"));
    }
    let q = Q::new(n, d);
    Ok(if negative { -q } else { q })
}

/// A dense `rows × cols` matrix over ℚ, stored row by row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Mat {
    rows: usize,
    cols: usize,
    data: Vec<Q>,
}

impl Mat {
    /// The zero matrix.
    pub(crate) fn zeros(rows: usize, cols: usize) -> Mat {
        Mat {
            rows,
            cols,
            data: vec![Q::zero(); rows * cols],
        }
    }

    /// The `n × n` identity.
    pub(crate) fn identity(n: usize) -> Mat {
        let mut m = Mat::zeros(n, n);
        for i in 0..n {
            m.data[i * n + i] = Q::one();
        }
        m
    }

    /// The matrix with the given entries, row by row (`data.len() == rows · cols`).
    pub(crate) fn from_data(rows: usize, cols: usize, data: Vec<Q>) -> Mat {
        assert_eq!(data.len(), rows * cols, "Mat::from_data: wrong entry count");
        Mat { rows, cols, data }
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub(crate) fn cols(&self) -> usize {
        self.cols
    }

    /// The entries, row by row.
    pub(crate) fn data(&self) -> &[Q] {
        &self.data
    }

    /// Entry (i, j), 0-based.
    pub(crate) fn at(&self, i: usize, j: usize) -> &Q {
        &self.data[i * self.cols + j]
    }

    /// Mutable entry (i, j), 0-based.
    pub(crate) fn at_mut(&mut self, i: usize, j: usize) -> &mut Q {
        &mut self.data[i * self.cols + j]
    }

    /// The product `self · other`.
    pub(crate) fn mul(&self, other: &Mat) -> Mat {
        assert_eq!(self.cols, other.rows, "Mat::mul: inner dimensions differ");
        let mut out = Mat::zeros(self.rows, other.cols);
        for i in 0..self.rows {
            for k in 0..self.cols {
                let a = self.at(i, k);
                if a.is_zero() {
                    continue;
                }
                for j in 0..other.cols {
                    let b = other.at(k, j);
                    if !b.is_zero() {
                        *out.at_mut(i, j) += a * b;
                    }
                }
            }
        }
        out
    }

    /// The transpose.
    pub(crate) fn transpose(&self) -> Mat {
        let mut out = Mat::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                *out.at_mut(j, i) = self.at(i, j).clone();
            }
        }
        out
    }

    /// The Kronecker product P ⊗ Q with (P⊗Q)[i·q_rows + k][j·q_cols + l] = P_ij · Q_kl.
    pub(crate) fn kron(&self, q: &Mat) -> Mat {
        let mut out = Mat::zeros(self.rows * q.rows, self.cols * q.cols);
        for i in 0..self.rows {
            for j in 0..self.cols {
                let p = self.at(i, j);
                if p.is_zero() {
                    continue;
                }
                for k in 0..q.rows {
                    for l in 0..q.cols {
                        *out.at_mut(i * q.rows + k, j * q.cols + l) = p * q.at(k, l);
                    }
                }
            }
        }
        out
    }

    /// The entrywise sum `self + other`.
    pub(crate) fn add(&self, other: &Mat) -> Mat {
        assert_eq!((self.rows, self.cols), (other.rows, other.cols));
        let data = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| a + b)
            .collect();
        Mat::from_data(self.rows, self.cols, data)
    }

    /// The entrywise difference `self − other`.
    pub(crate) fn sub(&self, other: &Mat) -> Mat {
        assert_eq!((self.rows, self.cols), (other.rows, other.cols));
        let data = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| a - b)
            .collect();
        Mat::from_data(self.rows, self.cols, data)
    }

    /// u·I − self, for a square matrix.
    pub(crate) fn shift_neg(&self, u: &Q) -> Mat {
        assert_eq!(self.rows, self.cols, "Mat::shift_neg: not square");
        let mut out = Mat::zeros(self.rows, self.cols);
        for i in 0..self.rows {
            for j in 0..self.cols {
                let v = -self.at(i, j);
                *out.at_mut(i, j) = if i == j { v + u } else { v };
            }
        }
        out
    }

    /// ‖self‖²_F = Σ_ij a_ij².
    pub(crate) fn frobenius_sq(&self) -> Q {
        self.data.iter().map(|a| a * a).sum()
    }

    /// tr(self) = Σ_i a_ii, for a square matrix.
    pub(crate) fn trace(&self) -> Q {
        (0..self.rows.min(self.cols))
            .map(|i| self.at(i, i).clone())
            .sum()
    }

    /// c · self.
    pub(crate) fn scale(&self, c: &Q) -> Mat {
        let data = self.data.iter().map(|a| a * c).collect();
        Mat::from_data(self.rows, self.cols, data)
    }

    /// Is every entry 0?
    pub(crate) fn is_zero(&self) -> bool {
        self.data.iter().all(Zero::is_zero)
    }

    /// The columns of `self` taken in order, keeping each one that is not a linear combination of
    /// the ones kept before (Gaussian elimination over ℚ): their number is the rank, and they are
    /// a basis of the column space.
    pub(crate) fn independent_columns(&self) -> Vec<usize> {
        // reduced rows of the kept columns' echelon form, by forward elimination column by column
        let mut pivots: Vec<(usize, Vec<Q>)> = Vec::new(); // (pivot row, reduced column)
        let mut kept = Vec::new();
        for j in 0..self.cols {
            let mut col: Vec<Q> = (0..self.rows).map(|i| self.at(i, j).clone()).collect();
            for (row, p) in &pivots {
                if !col[*row].is_zero() {
                    let f = &col[*row] / &p[*row];
                    for (c, x) in col.iter_mut().zip(p) {
                        *c -= &f * x;
                    }
                }
            }
            if let Some(row) = col.iter().position(|c| !c.is_zero()) {
                pivots.push((row, col));
                kept.push(j);
            }
        }
        kept
    }

    /// The rank over ℚ.
    pub(crate) fn rank(&self) -> usize {
        self.independent_columns().len()
    }

    /// The columns `cols` of `self`, in that order.
    pub(crate) fn columns(&self, cols: &[usize]) -> Mat {
        let mut out = Mat::zeros(self.rows, cols.len());
        for i in 0..self.rows {
            for (k, &j) in cols.iter().enumerate() {
                *out.at_mut(i, k) = self.at(i, j).clone();
            }
        }
        out
    }

    /// The inverse of a square matrix by Gauss–Jordan elimination over ℚ, or `None` when it is
    /// singular.
    pub(crate) fn inverse(&self) -> Option<Mat> {
        let n = self.rows;
        if n != self.cols {
            return None;
        }
        let mut a = self.clone();
        let mut inv = Mat::identity(n);
        for c in 0..n {
            let p = (c..n).find(|&r| !a.at(r, c).is_zero())?;
            if p != c {
                for j in 0..n {
                    a.data.swap(p * n + j, c * n + j);
                    inv.data.swap(p * n + j, c * n + j);
                }
            }
            let d = a.at(c, c).clone();
            for j in 0..n {
                *a.at_mut(c, j) /= &d;
                *inv.at_mut(c, j) /= &d;
            }
            for r in 0..n {
                if r == c || a.at(r, c).is_zero() {
                    continue;
                }
                let f = a.at(r, c).clone();
                for j in 0..n {
                    let (x, y) = (a.at(c, j) * &f, inv.at(c, j) * &f);
                    *a.at_mut(r, j) -= x;
                    *inv.at_mut(r, j) -= y;
                }
            }
        }
        Some(inv)
    }

    /// vᵀ · self · v for a square matrix and a vector of matching length.
    pub(crate) fn quadratic_form(&self, v: &[Q]) -> Q {
        assert_eq!(self.rows, v.len());
        assert_eq!(self.cols, v.len());
        let mut s = Q::zero();
        for (i, vi) in v.iter().enumerate() {
            if vi.is_zero() {
                continue;
            }
            let mut row = Q::zero();
            for (j, vj) in v.iter().enumerate() {
                if !vj.is_zero() {
                    row += self.at(i, j) * vj;
                }
            }
            s += vi * row;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Q {
        parse_exact(s).unwrap()
    }

    fn m(rows: usize, cols: usize, xs: &[i64]) -> Mat {
        Mat::from_data(
            rows,
            cols,
            xs.iter().map(|&x| Q::from_integer(x.into())).collect(),
        )
    }

    #[test]
    fn parses_exact_numbers_only() {
        assert_eq!(q("3"), Q::from_integer(3.into()));
        assert_eq!(q("-91/9"), Q::new((-91).into(), 9.into()));
        assert_eq!(q("4/6"), Q::new(2.into(), 3.into()));
        assert_eq!(q("-0"), Q::zero());
        assert_eq!(
            q("123456789012345678901234567890"),
            Q::from_integer("123456789012345678901234567890".parse().unwrap())
        );
        for bad in [
            "", "-", "abc", "1.5", "1e3", "+3", " 3", "3 ", "1/", "/2", "1/-2", "--1", "1/2/3",
            "0x10",
        ] {
            let e = parse_exact(bad).unwrap_err();
            assert!(e.contains("not an exact number"), "{bad:?}: {e}");
        }
        assert!(parse_exact("1/0").unwrap_err().contains("zero denominator"));
        assert!(parse_exact("-5/000")
            .unwrap_err()
            .contains("zero denominator"));
        let long = "1".repeat(MAX_NUMBER_LEN + 1);
        assert!(parse_exact(&long).unwrap_err().contains("exceeds"));
    }

    #[test]
    fn product_transpose_kron() {
        let a = m(2, 3, &[1, 2, 3, 4, 5, 6]);
        let b = m(3, 2, &[1, 0, 0, 1, 1, 1]);
        assert_eq!(a.mul(&b), m(2, 2, &[4, 5, 10, 11]));
        assert_eq!(a.transpose(), m(3, 2, &[1, 4, 2, 5, 3, 6]));
        let p = m(2, 2, &[1, 2, 3, 4]);
        let k = m(1, 2, &[0, 5]);
        // (P⊗K)[i·1 + 0][j·2 + l] = P_ij K_0l
        assert_eq!(p.kron(&k), m(2, 4, &[0, 5, 0, 10, 0, 15, 0, 20]));
        assert_eq!(a.frobenius_sq(), Q::from_integer(91.into()));
        assert_eq!(p.trace(), Q::from_integer(5.into()));
        assert_eq!(p.shift_neg(&q("10")), m(2, 2, &[9, -2, -3, 6]));
        assert_eq!(
            p.quadratic_form(&[q("1"), q("-1")]),
            Q::from_integer(0.into()) // 1 − 2 − 3 + 4
        );
        assert_eq!(p.add(&p).sub(&p), p);
        assert_eq!(Mat::identity(2).mul(&p), p);
    }
}
