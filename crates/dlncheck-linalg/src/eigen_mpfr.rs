//! Symmetric eigenvalues in MPFR arithmetic: Householder tridiagonalization, then bisection with
//! Sturm counts (Golub & Van Loan, *Matrix Computations*, §8.3 and §8.4.1).

use super::interval::{Interval, Ival};
use super::mat::Mat;
use super::Field;
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

/// λ_max of a symmetric MPFR matrix at precision `prec`: an approximation (Householder reduction
/// and bisection in round-to-nearest). Its proven enclosure is [`enclose_kth_largest`]; the a priori
/// figure [`error_bound`] is only an estimate.
pub fn top_eigenvalue(h: &Mat<Float>, prec: u32) -> Float {
    tridiagonalize(h, prec).kth_largest(1)
}

/// An a priori *estimate* (not a proof) of the error of [`top_eigenvalue`]:
/// 2^(−prec)·(72·n·‖H‖_F + 8). The 64·n·‖H‖_F part stands for the backward error of the Householder
/// reduction (Golub–Van Loan §8.3, first order: the rounding of forming H, the growth of the
/// reflections' errors and the Sturm counts are not bounded), the rest for the bisection's stopping
/// width. Decisions that must be proofs use [`enclose_kth_largest`] instead.
pub fn error_bound(h: &Mat<Float>, prec: u32) -> Float {
    let mut frob2 = Float::new(prec);
    for x in h.as_slice() {
        frob2 += Float::with_val(prec, x.square_ref());
    }
    let scaled = Float::with_val(prec, frob2.sqrt() * (72 * h.rows() as u32)) + 8u32;
    scaled >> (prec as i32)
}

/// The number of eigenvalues below `x` of *every* symmetric matrix whose lower-triangle entries lie
/// in the intervals of `h`, proven; `None` when the proof fails (some pivot interval contains 0).
///
/// Mathematics: if all leading principal minors of the symmetric A = H − xI are nonzero, then
/// A = LDLᵀ with L unit lower triangular and D = diag(d_1, …, d_n), the pivots of symmetric
/// Gaussian elimination without pivoting, d_k = a_kk^{(k)}, a_ij^{(k+1)} = a_ij^{(k)} −
/// a_ik^{(k)}a_jk^{(k)}/d_k (Golub & Van Loan, *Matrix Computations*, 4th ed., §4.1.2). By Sylvester's
/// law of inertia (ibid. Thm 8.1.17) A and D have the same number of negative eigenvalues, i.e.
/// #{λ_i(H) < x} = #{k : d_k < 0}, and x is not an eigenvalue. The elimination runs in interval
/// arithmetic ([`Ival`]), so each interval pivot contains the exact pivot of every matrix in `h`
/// (inclusion property); when every pivot interval excludes 0 the signs, hence the count, are
/// proven. Cost: n³/3 interval multiply-adds.
pub fn proven_count_below(h: &Mat<Interval>, x: &Float, prec: u32) -> Option<usize> {
    let n = h.rows();
    if !h.is_square() {
        return None;
    }
    let iv = Ival { prec };
    let xi = iv.float(x);
    let mut a: Vec<Vec<Interval>> = (0..n)
        .map(|i| {
            (0..=i)
                .map(|j| {
                    if i == j {
                        iv.sub(h.at(i, i), &xi)
                    } else {
                        h.at(i, j).clone()
                    }
                })
                .collect()
        })
        .collect();
    let mut count = 0;
    for k in 0..n {
        let d = a[k][k].clone();
        if d.contains_zero() || !d.is_finite() {
            return None;
        }
        if d.is_negative() {
            count += 1;
        }
        // column k below the pivot: a_jk, j = k + 1 … n − 1
        let col: Vec<Interval> = a[k + 1..].iter().map(|row| row[k].clone()).collect();
        for (row, aik) in a[k + 1..].iter_mut().zip(&col) {
            let l = iv.div(aik, &d);
            // a_ij −= l·a_jk for k < j ≤ i (the lower triangle of row i)
            for (aij, ajk) in row[k + 1..].iter_mut().zip(&col) {
                *aij = iv.sub(aij, &iv.mul(&l, ajk));
            }
        }
    }
    Some(count)
}

/// A proven enclosure (lo, hi), lo < λ_k < hi, of the k-th largest eigenvalue (k = 1 is λ_max) of
/// every symmetric matrix enclosed by `h`; `None` when k is out of range or the proof fails.
///
/// Mathematics: #{λ < lo} ≤ n − k means at least k eigenvalues are ≥ lo, so λ_k ≥ lo, and since lo
/// is proven not to be an eigenvalue, λ_k > lo; #{λ < hi} ≥ n − k + 1 means at most k − 1
/// eigenvalues are ≥ hi, so λ_k < hi. Both counts are proven by [`proven_count_below`]. The two
/// points are placed at λ̃ ∓ δ around the approximation λ̃ of the midpoint matrix (Householder and
/// bisection, [`tridiagonalize`]), with δ starting at 2^(8−prec)·(1 + ‖mid‖_F) + n·max radius and
/// multiplied by 2^8 after each failed attempt (at most 8 attempts).
pub fn enclose_kth_largest(h: &Mat<Interval>, k: usize, prec: u32) -> Option<(Float, Float)> {
    let n = h.rows();
    if !h.is_square() || k == 0 || k > n || !h.as_slice().iter().all(Interval::is_finite) {
        return None;
    }
    let approx = tridiagonalize(&h.map(Interval::mid), prec).kth_largest(k);
    enclose_kth_largest_near(h, k, &approx, prec)
}

/// [`enclose_kth_largest`] around a given approximation `approx` of λ_k (for a caller that has
/// already computed it): the same proof, without recomputing the approximation.
pub fn enclose_kth_largest_near(
    h: &Mat<Interval>,
    k: usize,
    approx: &Float,
    prec: u32,
) -> Option<(Float, Float)> {
    let n = h.rows();
    if !h.is_square() || k == 0 || k > n || !h.as_slice().iter().all(Interval::is_finite) {
        return None;
    }
    let mut frob2 = Float::new(prec);
    let mut rad = Float::new(prec);
    for x in h.as_slice() {
        frob2 += Float::with_val(prec, x.mid().square_ref());
        rad = rad.max(&x.rad());
    }
    let mut delta = Float::with_val(prec, frob2.sqrt() + 1u32) >> (prec as i32 - 8);
    delta += Float::with_val(prec, rad * n as u32);
    for _ in 0..8 {
        let lo = Float::with_val(prec, approx - &delta);
        let hi = Float::with_val(prec, approx + &delta);
        let below_lo = proven_count_below(h, &lo, prec);
        let below_hi = proven_count_below(h, &hi, prec);
        if let (Some(a), Some(b)) = (below_lo, below_hi) {
            if a + k <= n && b + k > n {
                return Some((lo, hi));
            }
        }
        delta <<= 8;
    }
    None
}

/// The symmetric MPFR matrix `h` as a point interval matrix (each entry exactly [h_ij, h_ij]).
pub fn point_matrix(h: &Mat<Float>) -> Mat<Interval> {
    h.map(Interval::point)
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
        let f64_top = crate::eigen_f64::top_eigenpair(&sym).unwrap().value;
        let mp = top_eigenvalue(&sym.map(|&x| Float::with_val(128, x)), 128).to_f64();
        assert!((mp - f64_top).abs() < 1e-12 * f64_top.abs().max(1.0));
    }

    /// λ_max and λ_min of random rational symmetric 2×2 matrices [[a, b], [b, c]]: the closed form
    /// λ = (a + c)/2 ± √(((a − c)/2)² + b²) lies in the proven enclosure. Checked exactly: for a
    /// rational t, λ_max > t ⟺ ¬(a − t < 0 ∧ det(H − tI) > 0) (H − tI negative definite), and
    /// λ_min < t ⟺ ¬(a − t > 0 ∧ det(H − tI) > 0) (H − tI positive definite).
    #[test]
    fn proven_enclosures_contain_the_exact_eigenvalues_of_rational_2x2_matrices() {
        use crate::field::float_to_q;
        use crate::mat;
        use num_rational::BigRational;
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let zero = BigRational::from_integer(0.into());
        for prec in [24u32, 64, 256] {
            let iv = Ival { prec };
            for _ in 0..200 {
                let mut r = || {
                    BigRational::new(
                        rng.gen_range(-50i64..50).into(),
                        rng.gen_range(1i64..13).into(),
                    )
                };
                let (a, b, c) = (r(), r(), r());
                let hq = Mat::from_vec(2, 2, vec![a.clone(), b.clone(), b.clone(), c.clone()]);
                let h = mat::from_exact(&iv, &hq);
                let shifted = |t: &BigRational| {
                    let (p, q) = (&a - t, &c - t);
                    let det = &p * &q - &b * &b;
                    (p, det)
                };
                let above_max = |t: &BigRational| {
                    let (p, det) = shifted(t);
                    p < zero && det > zero
                };
                let below_min = |t: &BigRational| {
                    let (p, det) = shifted(t);
                    p > zero && det > zero
                };
                let (lo, hi) = enclose_kth_largest(&h, 1, prec).expect("λ_max enclosed");
                let (lo, hi) = (float_to_q(&lo).unwrap(), float_to_q(&hi).unwrap());
                assert!(!above_max(&lo) && above_max(&hi), "λ_max ∉ ({lo}, {hi})");
                if b != zero {
                    // simple eigenvalues: the bottom one is enclosed as well
                    let (lo, hi) = enclose_kth_largest(&h, 2, prec).expect("λ_min enclosed");
                    let (lo, hi) = (float_to_q(&lo).unwrap(), float_to_q(&hi).unwrap());
                    assert!(below_min(&lo) && !below_min(&hi), "λ_min ∉ ({lo}, {hi})");
                }
            }
        }
    }

    #[test]
    fn counts_are_refused_at_an_eigenvalue() {
        // diag(1, 2): no count is proven at x = 1 (a zero pivot), 0 and 1 and 2 elsewhere
        let prec = 64;
        let h = point_matrix(&Mat::from_vec(
            2,
            2,
            [1, 0, 0, 2]
                .iter()
                .map(|&x| Float::with_val(prec, x))
                .collect(),
        ));
        let at = |x: f64| proven_count_below(&h, &Float::with_val(prec, x), prec);
        assert_eq!(at(1.0), None);
        assert_eq!(at(0.5), Some(0));
        assert_eq!(at(1.5), Some(1));
        assert_eq!(at(3.0), Some(2));
        assert_eq!(enclose_kth_largest(&h, 3, prec), None);
    }

    /// Random rational symmetric matrices of orders 3 to 6: every eigenvalue's proven enclosure
    /// (lo, hi) is checked exactly against the inertia of the rational matrix (exact LDLᵀ of
    /// [`crate::definite`]): λ_k > lo ⟺ fewer than n − k + 1 eigenvalues are ≤ lo, and
    /// λ_k < hi; for k = 1 these read hi·I − H ≻ 0 and lo·I − H ⋡ 0.
    #[test]
    fn proven_enclosures_of_random_rational_matrices_hold_exactly() {
        use crate::definite::{definiteness, Definiteness};
        use crate::field::float_to_q;
        use crate::mat;
        use num_rational::BigRational;
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
        for n in 3..=6usize {
            for _ in 0..20 {
                let vals: Vec<BigRational> = (0..n * n)
                    .map(|_| {
                        BigRational::new(
                            rng.gen_range(-20i64..20).into(),
                            rng.gen_range(1i64..7).into(),
                        )
                    })
                    .collect();
                let hq = Mat::from_fn(n, n, |i, j| vals[i.min(j) * n + i.max(j)].clone());
                let prec = 128;
                let h = mat::from_exact(&Ival { prec }, &hq);
                let shifted = |t: &BigRational| {
                    Mat::from_fn(n, n, |i, j| {
                        if i == j {
                            t - hq.at(i, j)
                        } else {
                            -hq.at(i, j).clone()
                        }
                    })
                };
                let (lo, hi) = enclose_kth_largest(&h, 1, prec).expect("λ_max enclosed");
                let (lo, hi) = (float_to_q(&lo).unwrap(), float_to_q(&hi).unwrap());
                assert_eq!(definiteness(&shifted(&hi)), Definiteness::PositiveDefinite);
                assert!(matches!(
                    definiteness(&shifted(&lo)),
                    Definiteness::NotPositiveSemidefinite
                ));
                // λ_min: H − lo·I ≻ 0 and H − hi·I ⋡ 0
                let neg = Mat::from_fn(n, n, |i, j| -hq.at(i, j).clone());
                let minus = |t: &BigRational| {
                    Mat::from_fn(n, n, |i, j| {
                        if i == j {
                            -(t + neg.at(i, j))
                        } else {
                            -neg.at(i, j).clone()
                        }
                    })
                };
                if let Some((lo, hi)) = enclose_kth_largest(&h, n, prec) {
                    let (lo, hi) = (float_to_q(&lo).unwrap(), float_to_q(&hi).unwrap());
                    assert_eq!(definiteness(&minus(&lo)), Definiteness::PositiveDefinite);
                    assert!(matches!(
                        definiteness(&minus(&hi)),
                        Definiteness::NotPositiveSemidefinite
                    ));
                }
            }
        }
    }
}
