//! Zero-loss minimizers of f(W) = ½‖W_L⋯W_1 X − Y‖² when Y = Φ X with Φ = Y Xᵀ (X Xᵀ)⁻¹.
//!
//! - A base minimizer from an exact rank factorization Φ = C R (k = rk Φ ≤ min_i d_i):
//!   W_1 = [R; 0], W_i = [I_k 0; 0 0] for 1 < i < L, W_L = [C 0].
//! - The orbit of a minimizer under invertible changes of basis between layers,
//!   W_i ↦ G_i W_i G_{i−1}⁻¹ (G_0 = I, G_L = I), which leaves the product unchanged; with orthogonal
//!   G_i (rational, by the Cayley transform) balancedness and sharpness are preserved too.
//! - The balanced SVD factorization W_i = U_i Σ^{1/L} U_{i−1}ᵀ (claims.md, KP-min), written in the
//!   singular bases of Φ, where its Hessian is orthogonally similar to the one in the original basis.

use crate::linalg::eigen_mpfr;
use crate::linalg::field::{float_to_q, q_to_rug};
use crate::linalg::mat::{self, Mat};
use crate::linalg::rank;
use crate::linalg::{Exact, Mpfr};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rand::Rng;
use rug::Float;

/// A parameter point together with the data it is evaluated on.
#[derive(Clone, Debug)]
pub struct Point {
    /// W_1 … W_L
    pub weights: Vec<Mat<BigRational>>,
    /// X (d_0 × n)
    pub x: Mat<BigRational>,
    /// Y (d_L × n)
    pub y: Mat<BigRational>,
    /// True when the weights are the point itself; false when they are an MPFR rounding of an
    /// irrational point (then no exact enclosure is claimed for it).
    pub exact: bool,
    /// Where the point comes from, for reports.
    pub origin: String,
}

/// Φ = Y Xᵀ (X Xᵀ)⁻¹, or `None` when X Xᵀ is singular.
pub fn target_map(x: &Mat<BigRational>, y: &Mat<BigRational>) -> Option<Mat<BigRational>> {
    if *x == mat::identity(&Exact, x.rows()) {
        // Φ = Y: no exact elimination on (possibly long) entries of Y
        return Some(y.clone());
    }
    let sxx = mat::matmul_nt(&Exact, x, x);
    let syx = mat::matmul_nt(&Exact, y, x);
    // Φ Σ_XX = Σ_YX ⇔ Σ_XX Φᵀ = Σ_YXᵀ (Σ_XX symmetric)
    mat::solve_exact(&sxx, &syx.transpose()).map(|t| t.transpose())
}

/// The base minimizer of the module doc for the widths `dims`; `Err` when rk Φ > min_i d_i.
pub fn base_minimizer(
    dims: &[usize],
    phi: &Mat<BigRational>,
) -> Result<Vec<Mat<BigRational>>, String> {
    let l = dims.len() - 1;
    if l == 1 {
        return Ok(vec![phi.clone()]);
    }
    let (c, r) = rank::factorization(phi);
    let k = r.rows();
    let width = dims[1..l].iter().copied().min().unwrap_or(usize::MAX);
    if k > width {
        return Err(format!("rank of the target map Φ is {k} > the narrowest hidden width {width}: no zero-loss minimizer"));
    }
    let zero = BigRational::zero;
    let mut ws = Vec::with_capacity(l);
    ws.push(Mat::from_fn(dims[1], dims[0], |i, j| {
        if i < k {
            r.at(i, j).clone()
        } else {
            zero()
        }
    }));
    for i in 1..l - 1 {
        ws.push(Mat::from_fn(dims[i + 1], dims[i], |a, b| {
            if a == b && a < k {
                BigRational::one()
            } else {
                zero()
            }
        }));
    }
    ws.push(Mat::from_fn(dims[l], dims[l - 1], |i, j| {
        if j < k {
            c.at(i, j).clone()
        } else {
            zero()
        }
    }));
    Ok(ws)
}

fn small_rational(rng: &mut impl Rng) -> BigRational {
    let num: i64 = rng.gen_range(-3..=3);
    let den: i64 = rng.gen_range(1..=4);
    BigRational::new(num.into(), den.into())
}

/// A seeded random invertible rational matrix G = L·U (unit lower triangular times upper triangular
/// with nonzero diagonal, so det G ≠ 0 by construction) and its exact inverse.
pub fn random_invertible(rng: &mut impl Rng, n: usize) -> (Mat<BigRational>, Mat<BigRational>) {
    let lower = Mat::from_fn(n, n, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Greater => small_rational(rng),
        std::cmp::Ordering::Equal => BigRational::one(),
        std::cmp::Ordering::Less => BigRational::zero(),
    });
    let upper = Mat::from_fn(n, n, |i, j| {
        if i == j {
            let v: i64 = rng.gen_range(1..=3);
            let sign = if rng.gen_bool(0.5) { 1 } else { -1 };
            BigRational::new((sign * v).into(), rng.gen_range(1i64..=2).into())
        } else if i < j {
            small_rational(rng)
        } else {
            BigRational::zero()
        }
    });
    let g = mat::matmul(&Exact, &lower, &upper);
    let inv = mat::solve_exact(&g, &mat::identity(&Exact, n))
        .expect("L·U with nonzero diagonal is invertible");
    (g, inv)
}

/// A seeded random rational orthogonal matrix Q = (I − S)(I + S)⁻¹ (Cayley transform of a random
/// skew-symmetric S; I + S is invertible because S has imaginary spectrum), and Q⁻¹ = Qᵀ.
pub fn random_orthogonal(rng: &mut impl Rng, n: usize) -> (Mat<BigRational>, Mat<BigRational>) {
    let mut s = mat::zeros(&Exact, n, n);
    for i in 0..n {
        for j in i + 1..n {
            let v = small_rational(rng);
            *s.at_mut(j, i) = -v.clone();
            *s.at_mut(i, j) = v;
        }
    }
    let id = mat::identity(&Exact, n);
    let plus = mat::add(&Exact, &id, &s);
    let minus = mat::sub(&Exact, &id, &s);
    let inv_plus = mat::solve_exact(&plus, &id).expect("I + S is invertible for skew S");
    let q = mat::matmul(&Exact, &minus, &inv_plus);
    let qt = q.transpose();
    (q, qt)
}

/// W_i ↦ G_i W_i G_{i−1}⁻¹ for the hidden layers, given (G_i, G_i⁻¹) for i = 1 … L−1.
pub fn change_basis(
    ws: &[Mat<BigRational>],
    gs: &[(Mat<BigRational>, Mat<BigRational>)],
) -> Vec<Mat<BigRational>> {
    let l = ws.len();
    assert_eq!(
        gs.len(),
        l.saturating_sub(1),
        "change_basis: one G per hidden layer"
    );
    (0..l)
        .map(|i| {
            let mut w = ws[i].clone();
            if i + 1 < l {
                w = mat::matmul(&Exact, &gs[i].0, &w);
            }
            if i > 0 {
                w = mat::matmul(&Exact, &w, &gs[i - 1].1);
            }
            w
        })
        .collect()
}

/// A seeded change of basis of every hidden layer: orthogonal when `orthogonal`, else general.
pub fn random_transform(
    rng: &mut impl Rng,
    ws: &[Mat<BigRational>],
    orthogonal: bool,
) -> Vec<Mat<BigRational>> {
    let gs: Vec<_> = ws[..ws.len().saturating_sub(1)]
        .iter()
        .map(|w| {
            if orthogonal {
                random_orthogonal(rng, w.rows())
            } else {
                random_invertible(rng, w.rows())
            }
        })
        .collect();
    change_basis(ws, &gs)
}

/// Add seeded free blocks acting on kernels: W_k ↦ W_k + N(A_k)·R_k with A_k = W_L⋯W_{k+1}
/// and N(A_k) a basis of its null space, then W_k ↦ W_k + R'_k·N(B_kᵀ)ᵀ with B_k = W_{k−1}⋯W_1, so
/// A_k Z_k B_k = 0 and the product W_L⋯W_1 is unchanged (the part of the parameterization of the
/// minimizers that changes of basis do not reach when a width exceeds the rank).
pub fn add_free_blocks(rng: &mut impl Rng, ws: &[Mat<BigRational>]) -> Vec<Mat<BigRational>> {
    let mut out = ws.to_vec();
    let l = out.len();
    for k in 0..l {
        let above = out[k + 1..]
            .iter()
            .fold(mat::identity(&Exact, out[k].rows()), |p, w| {
                mat::matmul(&Exact, w, &p)
            });
        for n in mat::null_space(&above) {
            let coeffs: Vec<BigRational> =
                (0..out[k].cols()).map(|_| small_rational(rng)).collect();
            let block = Mat::from_fn(n.len(), coeffs.len(), |i, j| &n[i] * &coeffs[j]);
            out[k] = mat::add(&Exact, &out[k], &block);
        }
        let below = out[..k]
            .iter()
            .fold(mat::identity(&Exact, out[0].cols()), |p, w| {
                mat::matmul(&Exact, w, &p)
            });
        for n in mat::null_space(&below.transpose()) {
            let coeffs: Vec<BigRational> =
                (0..out[k].rows()).map(|_| small_rational(rng)).collect();
            let block = Mat::from_fn(coeffs.len(), n.len(), |i, j| &coeffs[i] * &n[j]);
            out[k] = mat::add(&Exact, &out[k], &block);
        }
    }
    out
}

/// Is every row and every column of M free of all but at most one nonzero entry? Then its
/// singular values are the absolute values of the entries, exactly.
pub fn monomial_singular_values(m: &Mat<BigRational>) -> Option<Vec<BigRational>> {
    let nz = |i: usize| (0..m.cols()).filter(|&j| !m.at(i, j).is_zero()).count();
    let nzc = |j: usize| (0..m.rows()).filter(|&i| !m.at(i, j).is_zero()).count();
    if (0..m.rows()).any(|i| nz(i) > 1) || (0..m.cols()).any(|j| nzc(j) > 1) {
        return None;
    }
    let mut s: Vec<BigRational> = m
        .as_slice()
        .iter()
        .filter(|v| !v.is_zero())
        .map(|v| v.abs())
        .collect();
    s.sort_by(|a, b| b.cmp(a));
    Some(s)
}

/// The exact rational L-th root of q ≥ 0 when there is one.
pub fn exact_root(q: &BigRational, l: u32) -> Option<BigRational> {
    let n = q_to_rug(q);
    let (num, den) = (n.numer().clone(), n.denom().clone());
    let (rn, remn) = num.root_rem(rug::Integer::new(), l);
    let (rd, remd) = den.root_rem(rug::Integer::new(), l);
    (remn.is_zero() && remd.is_zero())
        .then(|| crate::linalg::field::rug_to_q(&rug::Rational::from((rn, rd))))
}

/// The balanced SVD factorization of Φ (X = I), in the singular bases: W_i has σ_j^{1/L} at (j, j)
/// for j < rk Φ and zeros elsewhere, and the data becomes (I, Σ) with Σ the rectangular diagonal of
/// singular values. Exact when Φ is monomial with L-th-power singular values; otherwise the MPFR
/// rounding at `prec` bits of the true point (`exact = false`).
pub fn balanced_factorization(dims: &[usize], phi: &Mat<BigRational>, prec: u32) -> Point {
    let l = dims.len() - 1;
    let (sigma, exact_sigma) = match monomial_singular_values(phi) {
        Some(s) => (s, true),
        None => {
            let gram = mat::matmul_nt(&Exact, phi, phi);
            let mp = Mpfr { prec };
            let t = eigen_mpfr::tridiagonalize(&mat::from_exact(&mp, &gram), prec);
            let rank = mat::rank_exact(phi);
            let s = (1..=rank)
                .map(|k| {
                    let ev = t.kth_largest(k).max(&Float::new(prec));
                    float_to_q(&ev.sqrt()).unwrap_or_else(BigRational::zero)
                })
                .collect();
            (s, false)
        }
    };
    let roots: Vec<(BigRational, bool)> = sigma
        .iter()
        .map(|s| match exact_root(s, l as u32).filter(|_| exact_sigma) {
            Some(r) => (r, true),
            None => {
                let v = Float::with_val(prec, &q_to_rug(s)).root(l as u32);
                (float_to_q(&v).unwrap_or_else(BigRational::zero), false)
            }
        })
        .collect();
    let exact = exact_sigma && roots.iter().all(|r| r.1);
    let weights = (0..l)
        .map(|i| {
            Mat::from_fn(dims[i + 1], dims[i], |a, b| {
                if a == b && a < roots.len() {
                    roots[a].0.clone()
                } else {
                    BigRational::zero()
                }
            })
        })
        .collect();
    let y = Mat::from_fn(dims[l], dims[0], |a, b| {
        if a == b && a < sigma.len() {
            if exact {
                sigma[a].clone()
            } else {
                // keep the data consistent with the rounded point: Σ = product of the rounded roots
                (0..l).fold(BigRational::one(), |acc, _| acc * &roots[a].0)
            }
        } else {
            BigRational::zero()
        }
    });
    Point {
        weights,
        x: mat::identity(&Exact, dims[0]),
        y,
        exact,
        origin: if exact {
            format!("{BALANCED_LABEL} (exact, in the singular bases of Φ)")
        } else {
            format!("{BALANCED_LABEL} (MPFR-{prec} rounding, in the singular bases of Φ)")
        },
    }
}

/// The label with which the balanced SVD factorization's origin begins (the reports name the
/// point by it, and the aggregation of findings recognizes it to name the
/// `generate: {balanced: false}` switch).
pub const BALANCED_LABEL: &str = "balanced SVD factorization";

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::SeedableRng;

    /// n/d
    pub(crate) fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    /// W_L⋯W_1, exactly.
    pub(crate) fn product(ws: &[Mat<BigRational>]) -> Mat<BigRational> {
        crate::model::linear::Partials::new(&Exact, ws)
            .product()
            .clone()
    }

    #[test]
    fn base_minimizer_and_its_orbit_reproduce_the_target() {
        let phi = Mat::from_vec(
            3,
            2,
            vec![q(1, 1), q(2, 1), q(2, 1), q(4, 1), q(0, 1), q(1, 3)],
        );
        let dims = [2, 3, 2, 3];
        let ws = base_minimizer(&dims, &phi).unwrap();
        assert_eq!(product(&ws), phi);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for orth in [false, true] {
            let moved = random_transform(&mut rng, &ws, orth);
            assert_ne!(moved, ws);
            assert_eq!(product(&moved), phi);
        }
        let free = add_free_blocks(&mut rng, &ws);
        assert_ne!(free, ws, "widths above the rank leave free blocks");
        assert_eq!(product(&free), phi);
        let (qm, qt) = random_orthogonal(&mut rng, 3);
        assert_eq!(mat::matmul(&Exact, &qm, &qt), mat::identity(&Exact, 3));
        assert!(base_minimizer(&[2, 1, 3], &phi).is_err());
    }

    #[test]
    fn target_map_inverts_the_data() {
        let x = Mat::from_vec(
            2,
            3,
            vec![q(1, 1), q(0, 1), q(1, 1), q(0, 1), q(1, 1), q(1, 1)],
        );
        let phi = Mat::from_vec(1, 2, vec![q(2, 1), q(-1, 3)]);
        let y = mat::matmul(&Exact, &phi, &x);
        assert_eq!(target_map(&x, &y).unwrap(), phi);
    }

    #[test]
    fn balanced_factorization_is_exact_for_perfect_powers() {
        let phi = Mat::from_vec(2, 2, vec![q(0, 1), q(8, 1), q(1, 27), q(0, 1)]);
        let p = balanced_factorization(&[2, 2, 2, 2], &phi, 128);
        assert!(p.exact);
        assert_eq!(
            p.weights[0],
            Mat::from_vec(2, 2, vec![q(2, 1), q(0, 1), q(0, 1), q(1, 3)])
        );
        assert_eq!(product(&p.weights), p.y);
        let irr = balanced_factorization(
            &[2, 2, 2],
            &Mat::from_vec(2, 2, vec![q(2, 1), q(1, 1), q(1, 1), q(1, 1)]),
            128,
        );
        assert!(!irr.exact);
        // σ_1 = φ² for [[2,1],[1,1]]: the square of W's (0,0) entry, to MPFR accuracy
        let s0 = crate::linalg::field::q_to_f64(irr.weights[0].at(0, 0));
        assert!((s0 * s0 - (3.0 + 5f64.sqrt()) / 2.0).abs() < 1e-14);
    }
}
