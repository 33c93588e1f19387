//! Symmetric eigenvalues in MPFR arithmetic: Householder tridiagonalization, then bisection with
//! Sturm counts (Golub & Van Loan, *Matrix Computations*, §8.3 and §8.4.1).

use super::mat::Mat;
use rug::Float;

/// A symmetric tridiagonal matrix: diagonal `d` (n entries) and off-diagonal `e` (n − 1 entries).
#[derive(Clone, Debug)]
pub struct Tridiagonal {
    d: Vec<Float>,
    e: Vec<Float>,
    prec: u32,
}

/// Reduce a symmetric MPFR matrix to tridiagonal form T = QᵀHQ by n − 2 Householder reflections,
/// at the precision of the entries of `h`. T has the eigenvalues of H.
pub fn tridiagonalize(h: &Mat<Float>, prec: u32) -> Tridiagonal {
    let n = h.rows();
    assert!(h.is_square(), "tridiagonalize: square matrix required");
    let f = |x: Float| Float::with_val(prec, x);
    let mut a: Vec<Vec<Float>> = (0..n)
        .map(|i| (0..n).map(|j| f(h.at(i, j).clone())).collect())
        .collect();
    let mut d = Vec::with_capacity(n);
    let mut e = Vec::with_capacity(n.saturating_sub(1));
    for k in 0..n.saturating_sub(1) {
        // x = a[k+1.., k]; reflect it onto alpha·e1 with alpha = −sign(x0)‖x‖.
        let m = n - k - 1;
        let mut norm2 = Float::new(prec);
        for i in 0..m {
            norm2 += Float::with_val(prec, a[k + 1 + i][k].square_ref());
        }
        let norm = norm2.sqrt();
        if norm.is_zero() || m == 1 {
            d.push(a[k][k].clone());
            e.push(a[k + 1][k].clone());
            continue;
        }
        let alpha = if a[k + 1][k].is_sign_negative() {
            norm.clone()
        } else {
            -norm.clone()
        };
        let mut v: Vec<Float> = (0..m).map(|i| a[k + 1 + i][k].clone()).collect();
        v[0] -= &alpha;
        let mut vnorm2 = Float::new(prec);
        for x in &v {
            vnorm2 += Float::with_val(prec, x.square_ref());
        }
        let vnorm = vnorm2.sqrt();
        for x in v.iter_mut() {
            *x /= &vnorm;
        }
        // p = A22 v; w = p − (vᵀp) v; A22 ← A22 − 2 v wᵀ − 2 w vᵀ
        let p: Vec<Float> = (0..m)
            .map(|i| {
                let mut s = Float::new(prec);
                for j in 0..m {
                    s += Float::with_val(prec, &a[k + 1 + i][k + 1 + j] * &v[j]);
                }
                s
            })
            .collect();
        let mut vp = Float::new(prec);
        for i in 0..m {
            vp += Float::with_val(prec, &v[i] * &p[i]);
        }
        let w: Vec<Float> = (0..m)
            .map(|i| Float::with_val(prec, &p[i] - Float::with_val(prec, &vp * &v[i])))
            .collect();
        for i in 0..m {
            for j in 0..m {
                let t = Float::with_val(prec, &v[i] * &w[j]) + Float::with_val(prec, &w[i] * &v[j]);
                a[k + 1 + i][k + 1 + j] -= Float::with_val(prec, t * 2u32);
            }
        }
        d.push(a[k][k].clone());
        e.push(alpha);
    }
    if n > 0 {
        d.push(a[n - 1][n - 1].clone());
    }
    Tridiagonal { d, e, prec }
}

impl Tridiagonal {
    /// Number of eigenvalues strictly less than x (Sturm count of the LDLᵀ pivots of T − xI; a
    /// zero pivot is replaced by a tiny one, which is the standard safe choice, Demmel §5.3.4).
    pub fn count_below(&self, x: &Float) -> usize {
        let prec = self.prec;
        let tiny = Float::with_val(prec, Float::with_val(prec, 1) >> (prec as i32 + 64));
        let mut count = 0;
        let mut q = Float::with_val(prec, &self.d[0] - x);
        for i in 0..self.d.len() {
            if i > 0 {
                let e2 = Float::with_val(prec, self.e[i - 1].square_ref());
                q = Float::with_val(prec, &self.d[i] - x) - Float::with_val(prec, e2 / &q);
            }
            if q.is_zero() {
                q = tiny.clone();
            }
            if q.is_sign_negative() {
                count += 1;
            }
        }
        count
    }

    /// Gershgorin interval [lo, hi] containing every eigenvalue.
    fn gershgorin(&self) -> (Float, Float) {
        let prec = self.prec;
        let n = self.d.len();
        let mut lo: Option<Float> = None;
        let mut hi: Option<Float> = None;
        for i in 0..n {
            let mut r = Float::new(prec);
            if i > 0 {
                r += self.e[i - 1].clone().abs();
            }
            if i + 1 < n {
                r += self.e[i].clone().abs();
            }
            let l = Float::with_val(prec, &self.d[i] - &r);
            let h = Float::with_val(prec, &self.d[i] + &r);
            lo = Some(match lo {
                Some(x) if x < l => x,
                _ => l,
            });
            hi = Some(match hi {
                Some(x) if x > h => x,
                _ => h,
            });
        }
        (lo.expect("nonempty"), hi.expect("nonempty"))
    }

    /// The k-th largest eigenvalue (k = 1 is λ_max) by bisection until the bracket stops shrinking
    /// at this precision.
    pub fn kth_largest(&self, k: usize) -> Float {
        let n = self.d.len();
        assert!(k >= 1 && k <= n, "kth_largest: k out of range");
        let (mut lo, mut hi) = self.gershgorin();
        let one = Float::with_val(self.prec, 1);
        lo -= &one;
        hi += &one;
        // Stop at an absolute width of 2^(−prec)·(|lo| + |hi|): near 0 a purely relative test would
        // bisect through the whole exponent range.
        let floor = Float::with_val(
            self.prec,
            Float::with_val(self.prec, lo.clone().abs() + hi.clone().abs()) >> self.prec as i32,
        );
        // invariant: count_below(lo) ≤ n − k < count_below(hi)
        loop {
            let mid = Float::with_val(self.prec, Float::with_val(self.prec, &lo + &hi) / 2u32);
            if mid <= lo || mid >= hi || Float::with_val(self.prec, &hi - &lo) <= floor {
                return hi;
            }
            if self.count_below(&mid) <= n - k {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
}

/// λ_max of a symmetric MPFR matrix at precision `prec`. Its error is bounded a priori by
/// c·n·2^(−prec)·‖H‖_F (backward stability of the Householder reduction, plus a bisection bracket of
/// one ulp); see [`error_bound`].
pub fn top_eigenvalue(h: &Mat<Float>, prec: u32) -> Float {
    tridiagonalize(h, prec).kth_largest(1)
}

/// The a priori error bound used with [`top_eigenvalue`]: 2^(−prec)·(72·n·‖H‖_F + 8). The
/// 64·n·‖H‖_F part covers the backward error of the Householder reduction (a generous constant,
/// Golub–Van Loan §8.3); the rest covers the bisection's stopping width 2^(−prec)·(|lo| + |hi|) for
/// the Gershgorin interval widened by 1, |lo|, |hi| ≤ √n·‖H‖_F + 1.
pub fn error_bound(h: &Mat<Float>, prec: u32) -> Float {
    let mut frob2 = Float::new(prec);
    for x in h.as_slice() {
        frob2 += Float::with_val(prec, x.square_ref());
    }
    let scaled = Float::with_val(prec, frob2.sqrt() * (72 * h.rows() as u32)) + 8u32;
    scaled >> (prec as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_ratio_to_high_precision() {
        let prec = 256;
        let h = Mat::from_vec(
            3,
            3,
            [2, 1, 0, 1, 1, 0, 0, 0, -5]
                .iter()
                .map(|&x| Float::with_val(prec, x))
                .collect(),
        );
        let top = top_eigenvalue(&h, prec);
        let phi2 = (Float::with_val(prec, 5).sqrt() + 3u32) / 2u32;
        let err = Float::with_val(prec, &top - &phi2).abs();
        assert!(
            err < Float::with_val(prec, Float::with_val(prec, 1) >> 240),
            "err {err}"
        );
        let t = tridiagonalize(&h, prec);
        assert_eq!(t.count_below(&Float::with_val(prec, 0)), 1);
        assert!((t.kth_largest(3).to_f64() + 5.0).abs() < 1e-60);
    }

    #[test]
    fn dense_random_matrix_matches_faer() {
        let n = 9;
        let vals: Vec<f64> = (0..n * n)
            .map(|k| (((k * 37 + 11) % 17) as f64 - 8.0) / 3.0)
            .collect();
        let sym = Mat::from_fn(n, n, |i, j| vals[i.min(j) * n + i.max(j)]);
        let f64_top = crate::linalg::eigen_f64::top_eigenpair(&sym).unwrap().value;
        let mp = top_eigenvalue(&sym.map(|&x| Float::with_val(128, x)), 128).to_f64();
        assert!((mp - f64_top).abs() < 1e-12 * f64_top.abs().max(1.0));
    }
}
