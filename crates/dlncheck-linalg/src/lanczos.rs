//! The top eigenpair of a symmetric operator given only by its products v ↦ Hv: Lanczos with
//! partial reorthogonalization (Golub & Van Loan, *Matrix Computations*, 4th ed., §10.1 and
//! §10.3.5; H. D. Simon, "The Lanczos algorithm with partial reorthogonalization", *Math. Comp.* 42
//! (1984) 115–142), with a computed residual bound.
//!
//! What is proven, and what is not. The returned θ is the Rayleigh quotient of the returned unit
//! vector v, and r = Hv − θv is recomputed with one more product at the end, so (Parlett, *The
//! Symmetric Eigenvalue Problem*, Thm 4.5.1) some eigenvalue λ of H satisfies |λ − θ| ≤ ‖r‖₂, and
//! θ ≤ λ_max (a Rayleigh quotient), both up to the rounding of the final product. That statement
//! does not depend on how orthogonal the Lanczos basis is. It is NOT proven that this λ is the top
//! one: Krylov methods never see an eigenvector orthogonal to the start vector, so a deficient
//! start could miss λ_max. The start is a seeded random vector (entries uniform in [−1, 1)), for
//! which that has probability zero (and, in floating point, is repaired by rounding within a few
//! steps).
//!
//! What the reorthogonalization guarantees. The Lanczos vectors q_k lose orthogonality in floating
//! point as Ritz values converge (Paige, 1976). Simon's recurrence (1984, eq. (3.2) of the Math.
//! Comp. paper) tracks estimates ω_{j,k} of q_jᵀq_k from the tridiagonal coefficients alone,
//! in O(j) work per step, with a rounding term ε·√n·‖T‖ added in the direction of growth (as
//! PROPACK does, R. M. Larsen 1998). Whenever some |ω_{j+1,k}| exceeds √ε, the new vector and the
//! next one are reorthogonalized against the whole basis (classical Gram–Schmidt, twice when the
//! first pass cancels much), and the estimates are reset to the rounding level. The basis thus
//! stays *semiorthogonal*, |q_jᵀq_k| ≲ √ε for j ≠ k, and Simon's theorem (H. D. Simon, "Analysis
//! of the symmetric Lanczos algorithm with reorthogonalization methods", *Linear Algebra Appl.* 61
//! (1984) 101–131, §4; also Parlett, op. cit., §13.8) states that then the computed T_j equals
//! N_jᵀHN_j + O(ε‖H‖), N_j an orthonormal basis of span(q_1, …, q_j): the Ritz values are those of
//! an exact Rayleigh–Ritz projection up to rounding, with no spurious copies, just as with full
//! reorthogonalization, at a fraction of its O(n·j²) cost. The estimates are not a proof (they
//! model the rounding, not bound it); the proven part is the final residual, above.

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Longest Lanczos basis (steps) of dlncheck's matrix-free paths: at most 8·m·600 bytes of f64
/// vectors for an operator of dimension m (the case loader's memory budget counts it too).
pub const MAX_BASIS: usize = 600;

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
    /// Steps at which the new Lanczos vector was reorthogonalized against the whole basis.
    pub reorthogonalizations: usize,
    /// The largest estimate max_{j≠k} |ω_{j,k}| ≈ |q_jᵀq_k| over the basis kept (Simon's
    /// recurrence after any reorthogonalization): at most √ε ≈ 1.5·10⁻⁸ by construction.
    pub orthogonality: f64,
}

/// Lanczos with partial reorthogonalization for the largest eigenvalue of the symmetric operator
/// `apply(v, out)` ↦ out = Hv of dimension `n`, from a seeded random start. Stops when the
/// Ritz residual estimate β_j|s_j| ≤ `rel_tol`·|θ| (ARPACK's criterion; the true residual is
/// then recomputed), at an invariant subspace, or after `max_steps` steps.
pub fn top_eigenpair(
    n: usize,
    apply: impl FnMut(&[f64], &mut [f64]),
    seed: u64,
    rel_tol: f64,
    max_steps: usize,
) -> RitzPair {
    lanczos(n, apply, seed, rel_tol, max_steps).0
}

/// [`top_eigenpair`] with its Lanczos basis (n × k, column-major).
fn lanczos(
    n: usize,
    mut apply: impl FnMut(&[f64], &mut [f64]),
    seed: u64,
    rel_tol: f64,
    max_steps: usize,
) -> (RitzPair, Vec<f64>) {
    assert!(n > 0, "lanczos: empty operator");
    let m = max_steps.clamp(1, n);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // the basis grows a column at a time (a run takes a few dozen steps, far fewer than m)
    let mut q: Vec<f64> = Vec::with_capacity(n * (m + 1).min(64));
    {
        let start: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let norm = norm2(&start);
        q.extend(start.iter().map(|x| x / norm));
    }
    let mut alpha = Vec::with_capacity(m);
    let mut beta: Vec<f64> = Vec::with_capacity(m);
    let mut w = vec![0.0; n];
    let mut h = vec![0.0; m + 1];
    let mut omega = Omega::new();
    let (mut products, mut reorthogonalizations) = (0, 0);
    let (mut converged, mut force, mut worst) = (false, false, 0.0f64);
    // ‖T‖ ≤ max_i (|α_i| + β_{i−1} + β_i) (Gershgorin), a running estimate of ‖H‖
    let mut norm_t = 0.0f64;
    let root_eps = f64::EPSILON.sqrt();
    let reset = f64::EPSILON * (n as f64).sqrt();
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
        let qj = &q[j * n..(j + 1) * n];
        apply(qj, &mut w);
        products += 1;
        let a = dot(qj, &w);
        alpha.push(a);
        // the three-term recurrence w −= α_j q_j + β_{j−1} q_{j−1}
        let prev = if j > 0 { beta[j - 1] } else { 0.0 };
        if j > 0 {
            let qp = &q[(j - 1) * n..j * n];
            for ((x, y), z) in w.iter_mut().zip(qj).zip(qp) {
                *x -= a * y + prev * z;
            }
        } else {
            for (x, y) in w.iter_mut().zip(qj) {
                *x -= a * y;
            }
        }
        let mut b = norm2(&w);
        norm_t = norm_t.max(a.abs() + prev + b);
        let grown = omega.advance(&alpha, &beta, b, f64::EPSILON * (n as f64).sqrt() * norm_t);
        if force || grown > root_eps {
            b = reorthogonalize(&q, n, j + 1, &mut w, &mut h[..j + 1], par);
            omega.reset(reset);
            reorthogonalizations += 1;
            // Simon: reorthogonalize the next vector too (ω_{j+1,·} also feeds its recurrence)
            force = !force;
        }
        worst = worst.max(omega.largest());
        // a cheap O(j) test every step (Sturm bisection), confirmed by the dense eigensolver, which
        // also runs every few steps in case the estimate misses (O(j³): at most ~⅛ more products)
        let last_step = j + 1 == m;
        let (theta, s_last) = sturm_top(&alpha, &beta);
        let scale = theta.abs().max(f64::MIN_POSITIVE);
        let invariant = b <= 64.0 * f64::EPSILON * scale;
        if invariant || b * s_last <= rel_tol * scale || last_step || j >= next_check {
            next_check = j + 1 + j / 8;
            ritz = tridiagonal_top(&alpha, &beta);
            let scale = ritz.0.abs().max(f64::MIN_POSITIVE);
            let invariant = b <= 64.0 * f64::EPSILON * scale;
            let met = invariant || b * ritz.1[j].abs() <= rel_tol * scale;
            if met || last_step {
                converged = met;
                break;
            }
        }
        beta.push(b);
        q.extend(w.iter().map(|x| x / b));
    }
    // v = Q s, then θ = vᵀHv and r = Hv − θv with one more product
    let k = alpha.len();
    q.truncate(n * k);
    let mut v = vec![0.0; n];
    matmul(
        MatMut::from_column_major_slice_mut(&mut v, n, 1),
        Accum::Replace,
        MatRef::from_column_major_slice(&q, n, k),
        MatRef::from_column_major_slice(&ritz.1, k, 1),
        1.0,
        par,
    );
    let vn = norm2(&v);
    let vector: Vec<f64> = v.iter().map(|x| x / vn).collect();
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
    let pair = RitzPair {
        value,
        vector,
        residual,
        products,
        converged,
        reorthogonalizations,
        orthogonality: worst,
    };
    (pair, q)
}

/// w ← (I − QQᵀ)w for the first `cols` columns of the basis `q` (n rows), by classical
/// Gram–Schmidt, repeated once when the first pass cancels more than 1/√2 of w's norm (Daniel,
/// Gragg, Kaufman and Stewart's criterion, "twice is enough"); returns ‖w‖.
fn reorthogonalize(
    q: &[f64],
    n: usize,
    cols: usize,
    w: &mut [f64],
    h: &mut [f64],
    par: Par,
) -> f64 {
    let basis = MatRef::from_column_major_slice(&q[..n * cols], n, cols);
    let mut before = norm2(w);
    for _ in 0..2 {
        matmul(
            MatMut::from_column_major_slice_mut(h, cols, 1),
            Accum::Replace,
            basis.transpose(),
            MatRef::from_column_major_slice(w, n, 1),
            1.0,
            par,
        );
        matmul(
            MatMut::from_column_major_slice_mut(w, n, 1),
            Accum::Add,
            basis,
            MatRef::from_column_major_slice(h, cols, 1),
            -1.0,
            par,
        );
        let after = norm2(w);
        if after > std::f64::consts::FRAC_1_SQRT_2 * before {
            return after;
        }
        before = after;
    }
    before
}

/// Simon's estimates of the Lanczos vectors' inner products: after step j (0-based),
/// `cur[k]` ≈ q_jᵀq_k (k ≤ j, `cur[j]` = 1) and `old[k]` ≈ q_{j−1}ᵀq_k. From
/// Hq_k = β_k q_{k+1} + α_k q_k + β_{k−1} q_{k−1} + f_k (f_k the rounding) and the symmetry
/// q_kᵀHq_j = q_jᵀHq_k,
///
/// β_j ω_{j+1,k} = β_k ω_{j,k+1} + (α_k − α_j) ω_{j,k} + β_{k−1} ω_{j,k−1} − β_{j−1} ω_{j−1,k}
///                 + (q_jᵀf_k − q_kᵀf_j)
///
/// (Simon 1984, Math. Comp. 42, eq. (3.2)), the last term modelled as ±ε√n‖T‖ in the direction of
/// growth, and ω_{j+1,j} at that level (the three-term recurrence makes q_{j+1} locally
/// orthogonal to rounding).
struct Omega {
    old: Vec<f64>,
    cur: Vec<f64>,
    new: Vec<f64>,
}

impl Omega {
    fn new() -> Self {
        Omega {
            old: Vec::new(),
            cur: vec![1.0],
            new: Vec::new(),
        }
    }

    /// The estimates for q_{j+1} = w/β_j (j = `alpha.len()` − 1, `beta` = β_0..β_{j−1},
    /// `b` = β_j, `level` the modelled rounding ε√n‖T‖); returns max_{k ≤ j} |ω_{j+1,k}|.
    fn advance(&mut self, alpha: &[f64], beta: &[f64], b: f64, level: f64) -> f64 {
        let j = alpha.len() - 1;
        if j > 0 {
            // rows move down: ω_{j−1,·} ← ω_{j,·} ← ω_{j+1,·} of the previous step
            std::mem::swap(&mut self.old, &mut self.cur);
            std::mem::swap(&mut self.cur, &mut self.new);
        }
        let b = b.max(f64::MIN_POSITIVE);
        let (old, cur) = (&self.old, &self.cur);
        self.new.clear();
        for k in 0..j {
            let mut t = beta[k] * cur[k + 1] + (alpha[k] - alpha[j]) * cur[k];
            if k > 0 {
                t += beta[k - 1] * cur[k - 1];
            }
            if j > 0 {
                t -= beta[j - 1] * old[k];
            }
            self.new.push((t + level.copysign(t)) / b);
        }
        self.new.push(level / b);
        self.new.push(1.0);
        self.largest()
    }

    /// After reorthogonalizing q_{j+1}: its inner products are at the rounding level `level`.
    fn reset(&mut self, level: f64) {
        let k = self.new.len() - 1;
        self.new[..k].fill(level);
    }

    /// max_{k ≤ j} |ω_{j+1,k}| of the latest estimates (before the closing 1).
    fn largest(&self) -> f64 {
        let k = self.new.len() - 1;
        self.new[..k].iter().fold(0.0f64, |acc, x| acc.max(x.abs()))
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm2(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// The largest eigenvalue θ of the symmetric tridiagonal T_j (diagonal `alpha`, off-diagonal
/// `beta`, one shorter, all β > 0) and |s_j|, the last entry of its unit eigenvector, in O(j)
/// per bisection step: the test of the stopping criterion at every step.
///
/// θ by bisection on Sturm counts: the pivots d_1 = α_1 − x, d_i = α_i − x − β_{i−1}²/d_{i−1} of
/// T − xI = LDLᵀ are all negative iff x > λ_max(T) (Sylvester's law of inertia), started from
/// [max_i α_i, Gershgorin's upper bound] and run down to 2ε relative width; θ is the upper end.
/// |s_j|: with χ_i(x) = det(T_i − xI) (T_i the leading i × i block) and θ simple,
/// adj(T − θI) = Π_{λ≠θ}(λ − θ)·ssᵀ = −χ_j′(θ)·ssᵀ, whose (j, j) entry is χ_{j−1}(θ); so
/// s_j² = χ_{j−1}(θ)/(−χ_j′(θ)); with χ_i = Π_{l≤i} d_l that is −1/(d_j′ + d_j Σ_{i<j} d_i′/d_i),
/// d_i′ = −1 + β_{i−1}² d_{i−1}′/d_{i−1}² (differentiating the pivots' recurrence). When a leading
/// block T_i already has θ to rounding (a localized eigenvector, s_j ≪ √ε) the pivot d_i is
/// rounding noise and the estimate only says "small"; it just decides when to run
/// [`tridiagonal_top`], whose eigenvector is the one used, and that also runs on a fixed schedule.
fn sturm_top(alpha: &[f64], beta: &[f64]) -> (f64, f64) {
    let j = alpha.len();
    let off = |i: usize| if i < beta.len() { beta[i].abs() } else { 0.0 };
    let mut lo = alpha.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut hi = (0..j)
        .map(|i| alpha[i] + off(i) + if i > 0 { off(i - 1) } else { 0.0 })
        .fold(f64::NEG_INFINITY, f64::max);
    let above = |x: f64| {
        let mut d = alpha[0] - x;
        if d >= 0.0 {
            return false;
        }
        for i in 1..j {
            d = alpha[i] - x - beta[i - 1] * beta[i - 1] / d;
            if d >= 0.0 {
                return false;
            }
        }
        true
    };
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if hi - lo <= 2.0 * f64::EPSILON * lo.abs().max(hi.abs()) || mid <= lo || mid >= hi {
            break;
        }
        if above(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    // d_i, d_i′ and Σ_{i<j} d_i′/d_i at θ
    let (mut d, mut dd, mut log_der) = (alpha[0] - hi, -1.0f64, 0.0f64);
    for i in 1..j {
        let b2 = beta[i - 1] * beta[i - 1];
        let prev = if d == 0.0 { -f64::MIN_POSITIVE } else { d };
        log_der += dd / prev;
        dd = -1.0 + b2 * dd / (prev * prev);
        d = alpha[i] - hi - b2 / prev;
    }
    (hi, (-1.0 / (dd + d * log_der)).sqrt())
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

    /// Q diag(λ) Qᵀ with Q = H_1H_2H_3 a product of seeded random Householder reflections
    /// (dense and orthogonal), as a faer matrix.
    fn dense_known(lambdas: &[f64], seed: u64) -> faer::Mat<f64> {
        let n = lambdas.len();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut q = faer::Mat::<f64>::identity(n, n);
        for _ in 0..3 {
            let u: Vec<f64> = (0..n).map(|_| rng.gen_range(-1.0..1.0)).collect();
            let uu = dot(&u, &u);
            // q ← q (I − 2uuᵀ/uᵀu)
            for i in 0..n {
                let t: f64 = (0..n).map(|k| q[(i, k)] * u[k]).sum::<f64>() * 2.0 / uu;
                for k in 0..n {
                    q[(i, k)] -= t * u[k];
                }
            }
        }
        faer::Mat::from_fn(n, n, |i, j| {
            (0..n).map(|k| q[(i, k)] * lambdas[k] * q[(j, k)]).sum()
        })
    }

    fn product(a: &faer::Mat<f64>) -> impl FnMut(&[f64], &mut [f64]) + '_ {
        |v, out| {
            for (i, o) in out.iter_mut().enumerate() {
                *o = (0..v.len()).map(|j| a[(i, j)] * v[j]).sum();
            }
        }
    }

    #[test]
    fn clustered_top_with_a_tiny_gap_keeps_a_semiorthogonal_basis() {
        let n = 300;
        // λ_max = 10 with two more eigenvalues within 2·10⁻⁶ of it, the rest spread over [−5, 9]
        let lambdas: Vec<f64> = (0..n)
            .map(|i| match i {
                0 => 10.0,
                1 => 10.0 - 1e-6,
                2 => 10.0 - 2e-6,
                _ => -5.0 + 14.0 * (i as f64) / (n as f64),
            })
            .collect();
        let a = dense_known(&lambdas, 7);
        // the oracle: faer's dense eigenvalues of the same matrix
        let dense = a.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
        let top = dense[n - 1];
        let (pair, q) = lanczos(n, product(&a), 3, 1e-12, n);
        assert!(pair.converged);
        // the value is λ_max, not one of its neighbours 10⁻⁶ below: within 1e-12·‖A‖ of it
        assert!((pair.value - top).abs() <= 1e-11, "{} vs {top}", pair.value);
        // the reported residual is the true one (recomputed here with the dense matrix)
        let mut av = vec![0.0; n];
        product(&a)(&pair.vector, &mut av);
        let r = av
            .iter()
            .zip(&pair.vector)
            .map(|(x, v)| (x - pair.value * v).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(
            r <= pair.residual * (1.0 + 1e-6) + 1e-14,
            "{r:e} > {:e}",
            pair.residual
        );
        assert!(pair.residual <= 1e-10);
        // loss of orthogonality, measured on the basis itself: max |QᵀQ − I| ≤ 10·√ε
        let k = q.len() / n;
        let mut worst = 0.0f64;
        for i in 0..k {
            for j in 0..=i {
                let g = dot(&q[i * n..(i + 1) * n], &q[j * n..(j + 1) * n]);
                worst = worst.max((g - if i == j { 1.0 } else { 0.0 }).abs());
            }
        }
        assert!(
            worst <= 10.0 * f64::EPSILON.sqrt(),
            "max |QᵀQ − I| = {worst:e}"
        );
        assert!(pair.orthogonality <= f64::EPSILON.sqrt());
        // partial: some steps reorthogonalized, not all
        assert!(
            pair.reorthogonalizations > 0 && pair.reorthogonalizations < k,
            "{} of {k}",
            pair.reorthogonalizations
        );
    }

    #[test]
    fn sturm_estimate_matches_the_dense_tridiagonal_eigensolver() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for j in [1usize, 2, 5, 40, 120] {
            let alpha: Vec<f64> = (0..j).map(|_| rng.gen_range(-3.0..3.0)).collect();
            let beta: Vec<f64> = (1..j).map(|_| rng.gen_range(0.01..2.0)).collect();
            let (theta, s) = sturm_top(&alpha, &beta);
            // the oracle: faer's dense eigendecomposition of the same T
            let (want, vec) = tridiagonal_top(&alpha, &beta);
            assert!(
                (theta - want).abs() <= 1e-13 * want.abs().max(1.0),
                "{theta} vs {want}"
            );
            let w = vec[j - 1].abs();
            // accurate where it decides convergence; below √ε only "small" is promised
            if w >= 1e-6 {
                assert!((s - w).abs() <= 1e-6 * w, "j = {j}: {s:e} vs {w:e}");
            } else {
                assert!(s <= 1e-6, "j = {j}: {s:e} vs {w:e}");
            }
        }
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
