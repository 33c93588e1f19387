//! The top eigenpair of a symmetric operator given only by its products v ↦ Hv: Lanczos with full
//! reorthogonalization (Golub & Van Loan, *Matrix Computations*, 4th ed., §10.1 and Algorithm
//! 10.3.1), with a computed residual bound.
//!
//! What is proven, and what is not. The returned θ is the Rayleigh quotient of the returned unit
//! vector v, and r = Hv − θv is recomputed with one more product at the end, so (Parlett, *The
//! Symmetric Eigenvalue Problem*, Thm 4.5.1) some eigenvalue λ of H satisfies |λ − θ| ≤ ‖r‖₂, and
//! θ ≤ λ_max (a Rayleigh quotient), both up to the rounding of the final product. It is NOT proven
//! that this λ is the top one: Krylov methods never see an eigenvector orthogonal to the start
//! vector, so a deficient start could miss λ_max. The start is a seeded random vector (entries uniform in [−1, 1)), for
//! which that has probability zero (and, in floating point, is repaired by rounding within a few steps).

use faer::linalg::matmul::matmul;
use faer::{Accum, Par};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A Ritz pair with its residual.
#[derive(Clone, Debug)]
pub struct RitzPair {
    /// θ = vᵀHv (v of unit norm).
    pub value: f64,
    /// The unit Ritz vector v.
    pub vector: Vec<f64>,
    /// ‖Hv − θv‖₂, recomputed with one more product.
    pub residual: f64,
    /// Operator products used (including the final residual check).
    pub products: usize,
    /// Whether the stopping test was met (else the step limit was reached).
    pub converged: bool,
}

/// Lanczos with full reorthogonalization for the largest eigenvalue of the symmetric operator
/// `apply(v, out)` ↦ out = Hv of dimension `n`, from a seeded random start. Stops when the
/// Ritz residual estimate β_j|s_j| ≤ `rel_tol`·|θ| (ARPACK's criterion; the true residual is
/// then recomputed), at an invariant subspace, or after `max_steps` steps.
pub fn top_eigenpair(
    n: usize,
    mut apply: impl FnMut(&[f64], &mut [f64]),
    seed: u64,
    rel_tol: f64,
    max_steps: usize,
) -> RitzPair {
    assert!(n > 0, "lanczos: empty operator");
    let m = max_steps.clamp(1, n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut q = faer::Mat::<f64>::zeros(n, m + 1);
    {
        let start: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let norm = start.iter().map(|x| x * x).sum::<f64>().sqrt();
        for (i, x) in start.iter().enumerate() {
            q[(i, 0)] = x / norm;
        }
    }
    let mut alpha = Vec::with_capacity(m);
    let mut beta: Vec<f64> = Vec::with_capacity(m);
    let mut w = faer::Mat::<f64>::zeros(n, 1);
    let mut h = faer::Mat::<f64>::zeros(m + 1, 1);
    let mut products = 0;
    let mut converged = false;
    let mut ritz = (0.0, vec![1.0]);
    let mut next_check = 0;
    // the basis products are memory-bound n × j matrix-vector products: parallel only when n is
    // very large (measured on the 2-core bench machine: at n = 4096–49152 parallel ones made
    // whole runs 0–60% slower, thread hand-off and spinning against a shared memory bus)
    let par = if n >= 1 << 17 {
        faer::get_global_parallelism()
    } else {
        Par::Seq
    };
    for j in 0..m {
        apply(col(&q, j), col_mut(&mut w, 0));
        products += 1;
        let a = dot(col(&q, j), col(&w, 0));
        alpha.push(a);
        // the three-term recurrence w −= α_j q_j + β_{j−1} q_{j−1} first, so that the
        // reorthogonalization below only removes rounding-level components (one pass suffices
        // unless it cancels much)
        {
            let prev = if j > 0 { beta[j - 1] } else { 0.0 };
            let wj = col_mut(&mut w, 0);
            for (i, x) in wj.iter_mut().enumerate() {
                *x -= a * q[(i, j)] + if j > 0 { prev * q[(i, j - 1)] } else { 0.0 };
            }
        }
        // full reorthogonalization against q_0..q_j by classical Gram–Schmidt, repeated once
        // when the first pass cancels more than 1/√2 of w's norm (Daniel, Gragg, Kaufman and
        // Stewart's criterion, "twice is enough")
        let mut before = dot(col(&w, 0), col(&w, 0)).sqrt();
        for _ in 0..2 {
            let basis = q.as_ref().subcols(0, j + 1);
            let mut hj = h.as_mut().subrows_mut(0, j + 1);
            matmul(
                hj.as_mut(),
                Accum::Replace,
                basis.transpose(),
                w.as_ref(),
                1.0,
                par,
            );
            matmul(w.as_mut(), Accum::Add, basis, hj.as_ref(), -1.0, par);
            let after = dot(col(&w, 0), col(&w, 0)).sqrt();
            if after > std::f64::consts::FRAC_1_SQRT_2 * before {
                break;
            }
            before = after;
        }
        let b = dot(col(&w, 0), col(&w, 0)).sqrt();
        // the Ritz test costs O(j³): run it every few steps (at most ~⅛ more products)
        let last_step = j + 1 == m;
        if !(last_step || j >= next_check || b == 0.0) {
            beta.push(b);
            for i in 0..n {
                q[(i, j + 1)] = w[(i, 0)] / b;
            }
            continue;
        }
        next_check = j + 1 + j / 8;
        ritz = tridiagonal_top(&alpha, &beta);
        let last = ritz.1[j];
        let scale = ritz.0.abs().max(f64::MIN_POSITIVE);
        let invariant = b <= 64.0 * f64::EPSILON * scale;
        if invariant || b * last.abs() <= rel_tol * scale || last_step {
            converged = invariant || b * last.abs() <= rel_tol * scale;
            break;
        }
        beta.push(b);
        for i in 0..n {
            q[(i, j + 1)] = w[(i, 0)] / b;
        }
    }
    // v = Q s, then θ = vᵀHv and r = Hv − θv with one more product
    let k = alpha.len();
    let s = faer::Mat::<f64>::from_fn(k, 1, |i, _| ritz.1[i]);
    let mut v = faer::Mat::<f64>::zeros(n, 1);
    matmul(
        v.as_mut(),
        Accum::Replace,
        q.as_ref().subcols(0, k),
        s.as_ref(),
        1.0,
        Par::Seq,
    );
    let vn = dot(col(&v, 0), col(&v, 0)).sqrt();
    let vector: Vec<f64> = col(&v, 0).iter().map(|x| x / vn).collect();
    let mut hv = vec![0.0; n];
    apply(&vector, &mut hv);
    products += 1;
    let value = dot(&vector, &hv);
    let residual = hv
        .iter()
        .zip(&vector)
        .map(|(a, b)| (a - value * b).powi(2))
        .sum::<f64>()
        .sqrt();
    RitzPair {
        value,
        vector,
        residual,
        products,
        converged,
    }
}

fn col(m: &faer::Mat<f64>, j: usize) -> &[f64] {
    m.col(j)
        .try_as_col_major()
        .expect("faer::Mat columns are contiguous")
        .as_slice()
}

fn col_mut(m: &mut faer::Mat<f64>, j: usize) -> &mut [f64] {
    m.col_mut(j)
        .try_as_col_major_mut()
        .expect("faer::Mat columns are contiguous")
        .as_slice_mut()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Top eigenpair (θ, s) of the symmetric tridiagonal matrix with diagonal `alpha` and
/// off-diagonal `beta` (one shorter), by faer's dense self-adjoint eigensolver (the Lanczos
/// matrices here are at most a few hundred wide).
fn tridiagonal_top(alpha: &[f64], beta: &[f64]) -> (f64, Vec<f64>) {
    let k = alpha.len();
    let t = faer::Mat::<f64>::from_fn(k, k, |i, j| {
        if i == j {
            alpha[i]
        } else if i == j + 1 {
            beta[j]
        } else if j == i + 1 {
            beta[i]
        } else {
            0.0
        }
    });
    match t.self_adjoint_eigen(faer::Side::Lower) {
        Ok(evd) => {
            let u = evd.U();
            (
                evd.S().column_vector()[k - 1],
                (0..k).map(|i| u[(i, k - 1)]).collect(),
            )
        }
        // faer's tridiagonal QR/divide-and-conquer does not fail on finite input; keep the last
        // Lanczos vector's Rayleigh quotient as a fallback.
        Err(_) => (alpha[k - 1], {
            let mut e = vec![0.0; k];
            e[k - 1] = 1.0;
            e
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dense symmetric test matrix with known spectrum: Q diag(λ) Qᵀ, Q a product of Givens
    /// rotations.
    fn known(n: usize, lambdas: &[f64]) -> Vec<Vec<f64>> {
        let mut a: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| if i == j { lambdas[i] } else { 0.0 })
                    .collect()
            })
            .collect();
        for (p, qq) in (0..n - 1).map(|i| (i, i + 1)).chain([(0, n - 1)]) {
            let (c, s) = (0.6f64, 0.8f64);
            for row in a.iter_mut() {
                let (x, y) = (row[p], row[qq]);
                row[p] = c * x - s * y;
                row[qq] = s * x + c * y;
            }
            let (rp, rq) = (a[p].clone(), a[qq].clone());
            for (j, (x, y)) in rp.into_iter().zip(rq).enumerate() {
                a[p][j] = c * x - s * y;
                a[qq][j] = s * x + c * y;
            }
        }
        a
    }

    #[test]
    fn finds_the_top_of_an_indefinite_spectrum_with_its_residual() {
        let n = 60;
        // the largest magnitude is negative: a magnitude-based solver would return −9
        let lambdas: Vec<f64> = (0..n)
            .map(|i| match i {
                0 => -9.0,
                7 => 5.5,
                _ => (i as f64) / 20.0,
            })
            .collect();
        let a = known(n, &lambdas);
        let pair = top_eigenpair(
            n,
            |v, out| {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = a[i].iter().zip(v).map(|(x, y)| x * y).sum();
                }
            },
            1,
            1e-13,
            n,
        );
        assert!(pair.converged);
        assert!((pair.value - 5.5).abs() < 1e-11, "{}", pair.value);
        assert!(pair.residual < 1e-10);
        assert!(pair.products < n + 2);
        // same seed, same answer bit for bit
        let again = top_eigenpair(
            n,
            |v, out| {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = a[i].iter().zip(v).map(|(x, y)| x * y).sum();
                }
            },
            1,
            1e-13,
            n,
        );
        assert_eq!(again.value.to_bits(), pair.value.to_bits());
    }

    #[test]
    fn one_dimensional_and_invariant_subspaces() {
        let pair = top_eigenpair(1, |v, out| out[0] = 3.0 * v[0], 0, 1e-12, 10);
        assert_eq!(pair.value, 3.0);
        assert!(pair.residual == 0.0 && pair.converged);
        // a multiple of the identity: the first step is invariant
        let pair = top_eigenpair(5, |v, out| out.copy_from_slice(v), 3, 1e-12, 5);
        assert!((pair.value - 1.0).abs() < 1e-15 && pair.converged);
    }
}
