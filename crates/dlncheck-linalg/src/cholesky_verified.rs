//! Proven upper bounds of λ_max of a symmetric matrix known as a floating-point matrix K̃ plus a
//! perturbation of spectral norm ≤ ρ, by one floating-point Cholesky factorization with a
//! rigorous bound on its rounding (verified positive definiteness: Rump, "Verification of
//! positive definiteness", *BIT* 46 (2006) 433–452; Demmel, "On floating point errors in
//! Cholesky", LAPACK Working Note 14 (1989)). It costs n³/3 multiply-adds, against the full
//! eigendecomposition of [`crate::verified::verified_top`], and so reaches n = 4096.
//!
//! **Theorem** ([`proves_below`]). Let K̃ be a symmetric f64 matrix of order n, ρ ≥ 0, u and c > 0
//! f64 numbers, and B̃ the f64 matrix with b̃_ij = −k̃_ij (i ≠ j, exact) and
//! b̃_ii = fl(fl(u − k̃_ii) − c). If the floating Cholesky factorization below runs to completion
//! (every pivot positive) with computed factor R̃ (B̃ ≈ R̃ᵀR̃, here stored as L̃ = R̃ᵀ), and
//!
//!   c > γ_{n+1}‖R̃‖_F² + max_i e_i + ρ,   e_i = u_r(|fl(u − k̃_ii)| + |b̃_ii|)   (u_r = 2⁻⁵³),
//!
//! then λ_max(K) < u for every symmetric K with ‖K − K̃‖₂ ≤ ρ.
//!
//! *Proof.* (1) Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Thm 10.3: the
//! computed factor satisfies R̃ᵀR̃ = B̃ + ΔB with |ΔB| ≤ γ_{n+1}|R̃ᵀ||R̃| entrywise, for every
//! order of evaluation of the inner products (it rests on Lemma 8.4, which holds for any order
//! and with or without fused multiply-add) — here each entry is l_ic = (b̃_ic − Σ_{k<c} l_ik l_ck)/l_cc,
//! its sum evaluated partly by faer's matrix product (the trailing updates) and partly by axpy
//! loops, with a true division and a correctly rounded square root. Hence
//! ‖ΔB‖₂ ≤ γ_{n+1}‖|R̃ᵀ||R̃|‖₂ ≤ γ_{n+1}‖R̃‖_F², and since R̃ᵀR̃ ⪰ 0 (Weyl)
//! λ_min(B̃) ≥ −γ_{n+1}‖R̃‖_F². (2) Each diagonal entry of B̃ is two correctly rounded
//! operations away from u − k̃_ii − c, and a rounding to nearest errs by at most u_r times the
//! rounded result (Higham Thm 2.2), so uI − K̃ = B̃ + cI + E with E diagonal, |E_ii| ≤ e_i.
//! (3) Weyl again: λ_min(uI − K) ≥ λ_min(B̃) + c − max_i e_i − ρ > 0.  ∎
//!
//! Off-diagonal entries are never rounded (−k̃_ij is exact). The bound of the right-hand side is
//! computed in f64 with the inflation of [`crate::verified`] (sums of nonnegative terms times
//! 1 + 2⁻²⁰, plus 10⁻²⁸⁹ against underflow — gradual underflow adds at most (n + 2)·2⁻¹⁰⁷⁴ per
//! entry, far below it), and c is compared with it strictly.
//!
//! [`verified_top_cholesky`] adds the other end: λ_max(K) ≥ λ_max(K̃) − ρ ≥ vᵀK̃v/vᵀv − ρ for any
//! nonzero v (Courant–Fischer, Weyl), with the Rayleigh quotient of an f64 vector bounded below
//! rigorously: |fl(vᵀfl(K̃v)) − vᵀK̃v| ≤ γ_{2n+1}|v|ᵀ|K̃||v| (two nested length-n inner products,
//! Higham §3.1), and vᵀv bounded above by fl(Σv_i²)(1 + γ_n).

use crate::verified::{frobenius_up, gamma, next_down, next_up, VerifiedTop, VerifyError};
use faer::linalg::matmul::triangular::{matmul, BlockStructure};
use faer::prelude::{Reborrow, ReborrowMut};
use faer::Accum;

/// 2⁻⁵³
const U: f64 = f64::EPSILON / 2.0;
/// Relative inflation of computed sums of nonnegative terms (as in [`crate::verified`]).
const INFLATE: f64 = 1.0 + 1.0 / 1048576.0;
/// Absolute allowance against underflow (as in [`crate::verified`]).
const TINY: f64 = 1.0e-289;
/// Columns per panel of the blocked factorization.
const BLOCK: usize = 64;
/// Calls of [`proves_below`] [`verified_top_cholesky`] makes before giving up.
const TRIES: usize = 6;

/// Is λ_max(K) < `u` proven for every symmetric K with ‖K − `mid`‖₂ ≤ `rho`? `true` is a proof
/// (module doc, Theorem); `false` means only that the factorization did not prove it (u at or
/// below λ_max, or too close above it for the rounding). `mid` must be exactly symmetric (only its
/// lower triangle is read; a non-symmetric `mid` is a programming error and panics).
pub fn proves_below(mid: faer::MatRef<'_, f64>, rho: f64, u: f64) -> Result<bool, VerifyError> {
    let n = mid.nrows();
    assert!(
        n > 0 && mid.ncols() == n,
        "proves_below: square matrix required"
    );
    check_input(mid, rho)?;
    if !u.is_finite() {
        return Err(VerifyError::NonFinite);
    }
    let g = gamma(n + 1);
    // the shift c covers γ_{n+1}‖R̃‖_F² ≈ γ_{n+1}·tr(B̃) ≤ γ_{n+1}Σ|u − k̃_ii|, the diagonal
    // roundings and ρ, with room to spare (it is checked a posteriori below)
    let mut diag_sum = 0.0f64;
    let mut diag_max = 0.0f64;
    for i in 0..n {
        let t = (u - mid[(i, i)]).abs();
        diag_sum += t;
        diag_max = diag_max.max(t);
    }
    let c = 2.0 * (g * diag_sum + 4.0 * U * diag_max + rho) * INFLATE + TINY;
    let mut b = faer::Mat::<f64>::zeros(n, n);
    let mut e_max = 0.0f64;
    for j in 0..n {
        let t = u - mid[(j, j)];
        let d = t - c;
        e_max = e_max.max(U * (t.abs() + d.abs()));
        b[(j, j)] = d;
        for i in j + 1..n {
            b[(i, j)] = -mid[(i, j)];
        }
    }
    if !cholesky_lower(b.as_mut()) {
        return Ok(false);
    }
    let rf = frobenius_up(b.as_ref());
    if !rf.is_finite() {
        return Ok(false);
    }
    let need = ((g * (rf * rf * INFLATE) + e_max) * INFLATE + rho) * INFLATE + TINY;
    Ok(c > need)
}

/// A proven enclosure of λ_max(K) for every symmetric K with ‖K − `mid`‖₂ ≤ `rho`, from an
/// approximate top eigenvector `v` of `mid` (e.g. Lanczos): the lower end is the rigorous lower
/// bound of v's Rayleigh quotient minus ρ, the upper end the first u = θ + δ_t (θ the computed
/// Rayleigh quotient, δ_t growing eightfold from about the factorization's rounding) that
/// [`proves_below`] proves, after at most six factorizations. `center` is θ, `eta` the larger
/// distance from θ to an end less ρ.
pub fn verified_top_cholesky(
    mid: faer::MatRef<'_, f64>,
    rho: f64,
    v: &[f64],
) -> Result<VerifiedTop, VerifyError> {
    let n = mid.nrows();
    assert!(
        n > 0 && mid.ncols() == n && v.len() == n,
        "verified_top_cholesky: square matrix and vector of its order required"
    );
    check_input(mid, rho)?;
    if v.iter().any(|x| !x.is_finite()) {
        return Err(VerifyError::NonFinite);
    }
    let (theta, rq_lo) = rayleigh_lower(mid, v).ok_or(VerifyError::NotOrthogonal(f64::NAN))?;
    let rho_up = rho * INFLATE;
    let lo = next_down((rq_lo - rho_up) - (rq_lo - rho_up).abs() * 4.0 * U - TINY);
    // the first margin: a few times the rounding the factorization must absorb
    let mut scale = 0.0f64;
    for i in 0..n {
        scale += (theta - mid[(i, i)]).abs();
    }
    let mut delta = 4.0 * gamma(n + 1) * scale + 2.0 * rho_up + theta.abs() * 64.0 * U + TINY;
    for _ in 0..TRIES {
        let u = theta + delta;
        if proves_below(mid, rho, u)? {
            let hi = next_up(u);
            return Ok(VerifiedTop {
                lo,
                hi,
                center: theta,
                eta: (hi - theta).max(theta - lo) - rho,
                rho,
            });
        }
        delta *= 8.0;
    }
    Err(VerifyError::NotOrthogonal(delta))
}

/// Reject non-finite entries, a non-finite or negative ρ and a non-symmetric matrix.
fn check_input(mid: faer::MatRef<'_, f64>, rho: f64) -> Result<(), VerifyError> {
    let n = mid.nrows();
    if !(rho >= 0.0 && rho.is_finite()) {
        return Err(VerifyError::NonFinite);
    }
    for j in 0..n {
        for i in j..n {
            let x = mid[(i, j)];
            if !x.is_finite() {
                return Err(VerifyError::NonFinite);
            }
            assert!(x == mid[(j, i)], "the matrix must be exactly symmetric");
        }
    }
    Ok(())
}

/// (θ, a rigorous lower bound of vᵀK̃v/vᵀv) for f64 `v` (module doc); `None` for v = 0 or an
/// overflow.
fn rayleigh_lower(mid: faer::MatRef<'_, f64>, v: &[f64]) -> Option<(f64, f64)> {
    let n = v.len();
    let mut num = 0.0f64;
    let mut abs = 0.0f64;
    for j in 0..n {
        let col = mid.col(j);
        let (mut w, mut wa) = (0.0f64, 0.0f64);
        for i in 0..n {
            w += col[i] * v[i];
            wa += col[i].abs() * v[i].abs();
        }
        num += v[j] * w;
        abs += v[j].abs() * wa;
    }
    let den = v.iter().map(|x| x * x).sum::<f64>();
    if !(den > 0.0 && num.is_finite() && abs.is_finite()) {
        return None;
    }
    let theta = num / den;
    // |num − vᵀK̃v| ≤ γ_{2n+1}|v|ᵀ|K̃||v|, and the computed `abs` is at most (1 + γ_{2n}) short of it
    let err = gamma(2 * n + 1) * abs * (1.0 + gamma(2 * n)) * INFLATE + TINY;
    let num_lo = num - err - (num - err).abs() * U;
    // Σv_i² (n products, n − 1 sums) errs by at most γ_n·Σv_i²; the product by 1 ± γ_{n+1}
    // rounds once more, covered by the step to the neighbouring float
    let den_up = next_up(den * (1.0 + gamma(n + 1)));
    let den_lo = next_down(den * (1.0 - gamma(n + 1)));
    let q = if num_lo >= 0.0 {
        num_lo / den_up
    } else {
        num_lo / den_lo
    };
    Some((theta, q - q.abs() * 2.0 * U - TINY))
}

/// Blocked right-looking Cholesky of the lower triangle of `a` in place (L̃ = R̃ᵀ; the strict
/// upper triangle is left as it was, then zeroed so that ‖·‖_F of the result is ‖R̃‖_F). Returns
/// `false` at a pivot that is not positive (or not finite). Every entry is computed as
/// l_ic = (a_ic − Σ_{k<c} l_ik l_ck)/l_cc with a true division (the form Higham's Thm 10.3
/// analyses): the sums over earlier panels by faer's matrix product, within a panel by axpy.
fn cholesky_lower(mut a: faer::MatMut<'_, f64>) -> bool {
    let n = a.nrows();
    let par = if n >= 256 {
        faer::get_global_parallelism()
    } else {
        faer::Par::Seq
    };
    let mut j0 = 0;
    while j0 < n {
        let jb = BLOCK.min(n - j0);
        // the panel: columns j0..j0+jb, rows j0..n, left-looking within it
        for c in j0..j0 + jb {
            for k in j0..c {
                let l_ck = a[(c, k)];
                if l_ck != 0.0 {
                    let (src, dst) = a.rb_mut().get_mut(c.., ..).two_cols_mut(k, c);
                    let src = src.try_as_col_major().expect("contiguous").as_slice();
                    let dst = dst
                        .try_as_col_major_mut()
                        .expect("contiguous")
                        .as_slice_mut();
                    for (d, s) in dst.iter_mut().zip(src) {
                        *d -= s * l_ck;
                    }
                }
            }
            let d = a[(c, c)];
            if !(d > 0.0 && d.is_finite()) {
                return false;
            }
            let r = d.sqrt();
            a[(c, c)] = r;
            let col = a
                .rb_mut()
                .get_mut(c + 1.., c)
                .try_as_col_major_mut()
                .expect("contiguous")
                .as_slice_mut();
            for x in col {
                *x /= r;
            }
        }
        // the trailing update A22 −= L21 L21ᵀ (lower triangle)
        let rest = j0 + jb;
        if rest < n {
            let (l21, a22) = {
                let (_, _, bl, br) = a.rb_mut().split_at_mut(rest, rest);
                (bl.get(.., j0..rest).rb().to_owned(), br)
            };
            matmul(
                a22,
                BlockStructure::TriangularLower,
                Accum::Add,
                l21.as_ref(),
                BlockStructure::Rectangular,
                l21.transpose(),
                BlockStructure::Rectangular,
                -1.0,
                par,
            );
        }
        j0 = rest;
    }
    for j in 1..n {
        for i in 0..j {
            a[(i, j)] = 0.0;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definite::{definiteness, Definiteness};
    use crate::field::{f64_to_q, q_to_f64};
    use crate::mat::Mat;
    use num_rational::BigRational;
    use quickcheck::{QuickCheck, TestResult};

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    /// Q = H_1⋯H_t with H = I − 2wwᵀ/(wᵀw) for 0/±1 vectors w of four scattered nonzeros (wᵀw = 4,
    /// so H has entries in {0, ±1/2, 1}): exactly orthogonal, with dyadic entries.
    fn householders(n: usize, t: usize) -> Mat<BigRational> {
        let mut qm = Mat::from_fn(n, n, |i, j| q((i == j) as i64, 1));
        for s in 0..t {
            let w: Vec<i64> = (0..n)
                .map(|i| {
                    let k = (5 * i + 7 * s) % n;
                    if k < 4 {
                        if (i + s) % 3 == 0 {
                            -1
                        } else {
                            1
                        }
                    } else {
                        0
                    }
                })
                .collect();
            let h = Mat::from_fn(n, n, |i, j| q((i == j) as i64, 1) - q(w[i] * w[j], 2));
            qm = Mat::from_fn(n, n, |i, j| {
                (0..n).fold(q(0, 1), |acc, k| acc + qm.at(i, k) * h.at(k, j))
            });
        }
        qm
    }

    /// A = Q·diag(d)·Qᵀ exactly, and as an f64 matrix (asserted exact: dyadic entries).
    fn known_spectrum(d: &[BigRational], t: usize) -> (Mat<BigRational>, faer::Mat<f64>) {
        let n = d.len();
        let qm = householders(n, t);
        let a = Mat::from_fn(n, n, |i, j| {
            (0..n).fold(q(0, 1), |acc, k| acc + qm.at(i, k) * &d[k] * qm.at(j, k))
        });
        let f = faer::Mat::from_fn(n, n, |i, j| {
            let x = q_to_f64(a.at(i, j));
            assert_eq!(&f64_to_q(x).unwrap(), a.at(i, j), "entry not exact in f64");
            x
        });
        (a, f)
    }

    #[test]
    fn decides_just_above_and_never_at_or_below_a_known_lambda_max() {
        // spectrum {−3, 1/4, 5/2, 7, 7 − 2⁻²⁰, 10 + 3/8, 11/2, 1} (λ_max = 83/8), mixed by five
        // reflections: the exact oracle is the construction itself
        let d = [
            q(-3, 1),
            q(1, 4),
            q(5, 2),
            q(7, 1),
            q(7 * 1048576 - 1, 1048576),
            q(83, 8),
            q(11, 2),
            q(1, 1),
        ];
        let (a, f) = known_spectrum(&d, 5);
        assert!(
            (0..8).any(|i| (0..8).any(|j| i != j && *a.at(i, j) != q(0, 1))),
            "the mixing must leave off-diagonal entries"
        );
        let top = 83.0 / 8.0;
        let rel = 2f64.powi(-40);
        assert!(proves_below(f.as_ref(), 0.0, top * (1.0 + rel)).unwrap());
        assert!(!proves_below(f.as_ref(), 0.0, top).unwrap());
        assert!(!proves_below(f.as_ref(), 0.0, top * (1.0 - rel)).unwrap());
        assert!(!proves_below(f.as_ref(), 0.0, 7.0).unwrap());
        // a radius that crosses the gap flips the answer: some K within ρ has λ_max ≥ u
        assert!(proves_below(f.as_ref(), top * rel / 4.0, top * (1.0 + rel)).unwrap());
        assert!(!proves_below(f.as_ref(), top * rel, top * (1.0 + rel)).unwrap());
        assert!(!proves_below(f.as_ref(), top * rel * 2.0, top * (1.0 + rel)).unwrap());
    }

    #[test]
    fn decides_at_a_larger_order_with_a_repeated_top_eigenvalue() {
        // n = 96, spectrum k/8 for k = 0..95 with the top one (95/8) doubled: λ_max = 95/8
        let n = 96;
        let mut d: Vec<BigRational> = (0..n as i64).map(|k| q(k, 8)).collect();
        d[n - 2] = q(95, 8);
        let (_, f) = known_spectrum(&d, 20);
        let top = 95.0 / 8.0;
        let rel = 2f64.powi(-40);
        // the shift absorbing the rounding is about 2γ_{n+1}·tr(uI − A) ≈ 10⁻¹¹: proven 2⁻³² above
        assert!(proves_below(f.as_ref(), 0.0, top * (1.0 + 2f64.powi(-32))).unwrap());
        assert!(!proves_below(f.as_ref(), 0.0, top * (1.0 + 2f64.powi(-52))).unwrap());
        assert!(!proves_below(f.as_ref(), 0.0, top).unwrap());
        assert!(!proves_below(f.as_ref(), 0.0, top * (1.0 - rel)).unwrap());
        // the exact top eigenvector (column n − 1 of Q, dyadic) gives the exact Rayleigh quotient
        let qm = householders(n, 20);
        let x: Vec<f64> = (0..n).map(|i| q_to_f64(qm.at(i, n - 1))).collect();
        let v = verified_top_cholesky(f.as_ref(), 0.0, &x).unwrap();
        assert!(v.lo <= top && top <= v.hi && v.hi - v.lo < 1e-9, "{v:?}");
    }

    #[test]
    fn encloses_the_top_of_the_second_difference_matrix_tightly() {
        // tridiagonal (−1, 2, −1) of order n: λ_max = 2 − 2cos(nπ/(n+1)), eigenvector
        // sin(ijπ/(n+1)) with j = n
        let n = 300;
        let k = faer::Mat::<f64>::from_fn(n, n, |i, j| match i.abs_diff(j) {
            0 => 2.0,
            1 => -1.0,
            _ => 0.0,
        });
        let h = std::f64::consts::PI / (n as f64 + 1.0);
        let exact = 2.0 - 2.0 * (n as f64 * h).cos();
        let v: Vec<f64> = (1..=n).map(|i| (i as f64 * n as f64 * h).sin()).collect();
        let t = verified_top_cholesky(k.as_ref(), 0.0, &v).unwrap();
        assert!(t.lo <= exact && exact <= t.hi, "{t:?}");
        assert!(t.hi - t.lo < 1e-9, "{t:?}");
        let w = verified_top_cholesky(k.as_ref(), 1e-6, &v).unwrap();
        assert!(w.lo <= exact - 1e-6 && exact + 1e-6 <= w.hi, "{w:?}");
    }

    #[test]
    fn rejects_non_finite_input() {
        let mut k = faer::Mat::<f64>::identity(3, 3);
        assert!(matches!(
            proves_below(k.as_ref(), f64::NAN, 2.0),
            Err(VerifyError::NonFinite)
        ));
        k[(1, 1)] = f64::INFINITY;
        assert!(matches!(
            proves_below(k.as_ref(), 0.0, 2.0),
            Err(VerifyError::NonFinite)
        ));
    }

    /// Never `true` when exact elimination says (u − ρ)I − A is not positive definite (some K
    /// within ρ of A, A + ρvvᵀ, has λ_max ≥ u), and `true` whenever (u − 2ρ − 1/8)I − A is, over
    /// random small symmetric integer matrices, thresholds u on a grid of quarters and radii ρ.
    #[test]
    fn never_claims_what_exact_definiteness_denies() {
        fn prop(entries: Vec<i8>, n: u8, u: i16, rho: u8) -> TestResult {
            let n = (n % 7) as usize + 1;
            if entries.len() < n * n {
                return TestResult::discard();
            }
            let at = |i: usize, j: usize| entries[i.max(j) * n + i.min(j)] as i64;
            let f = faer::Mat::from_fn(n, n, |i, j| at(i, j) as f64);
            let (u, rho) = (u as f64 / 4.0, rho as f64 / 64.0);
            let claimed = proves_below(f.as_ref(), rho, u).unwrap();
            // exact oracle: (u − ρ)I − A ≻ 0, in rationals
            let shift = f64_to_q(u).unwrap() - f64_to_q(rho).unwrap();
            let m = Mat::from_fn(n, n, |i, j| {
                let d = if i == j { shift.clone() } else { q(0, 1) };
                d - q(at(i, j), 1)
            });
            let pd = definiteness(&m) == Definiteness::PositiveDefinite;
            // and power: with room 2ρ + 1/8 (far above the rounding at these sizes) it proves
            let roomy = Mat::from_fn(n, n, |i, j| {
                m.at(i, j)
                    - if i == j {
                        f64_to_q(rho).unwrap() + q(1, 8)
                    } else {
                        q(0, 1)
                    }
            });
            let must = definiteness(&roomy) == Definiteness::PositiveDefinite;
            TestResult::from_bool((!claimed || pd) && (claimed || !must))
        }
        QuickCheck::new()
            .tests(500)
            .quickcheck(prop as fn(Vec<i8>, u8, i16, u8) -> TestResult);
    }
}
