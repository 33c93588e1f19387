//! Which way to compute λ_max(∇²f) in f64, picked from the sizes and the loss, and the three fast
//! paths themselves:
//! - `kp-operator`: at a zero-loss point ∇²f = JᵀJ and the KP-exact operator K = JJᵀ
//!   (claims.md, KP-exact) has the same nonzero eigenvalues, in dimension d_L·n instead of
//!   P = Σ d_k d_{k−1}; K is formed in O(L·(d_L n)²); up to [`KP_DENSE_EIG_LIMIT`] all its
//!   eigenvalues are computed by faer (backward stable: |λ̂ − λ| ≤ 64·m·u·‖K‖_F,
//!   [`eigen_f64::error_bound`]), beyond it Lanczos on K (faer products) with its residual;
//! - `kp-operator-lanczos`: the same K, never formed: Lanczos on
//!   K·vec(V) = Σ_k vec(M_k V G_k) ([`KpMatFree`], O(L·(d_L²n + d_L n²)) per product,
//!   O(L·(d_L² + n²)) memory), with its residual as for `lanczos-hvp`;
//! - `lanczos-hvp`: anywhere, matrix-free Lanczos ([`lanczos`]) on the O(L)-product
//!   Hessian-vector product of [`NetworkF64`], with its computed residual ‖Hv − θv‖ (an
//!   eigenvalue lies within it of θ; that it is the top one is not proven, see [`lanczos`]);
//! - `dense`: the P × P Hessian from P products, all eigenvalues by faer (backward stable), only
//!   when P is small or it is asked for.
//!
//! The first three, and the products of `dense`, are the linear network's kernels
//! ([`NetworkF64`]). They serve the linear model and the residual one (whose Hessian in A is the
//! linear network's at W = I + A, [`crate::model::instance`]). The one-hidden-layer and
//! L2-regularized models have only `dense`, with the P × P Hessian built by the model's own
//! formula ([`dense_matrix_top`]), up to P = [`DENSE_MODEL_LIMIT`]; any other path, or a larger
//! P, is refused with the reason, never answered with another model's Hessian.

use crate::case::ModelKind;
use crate::linalg::{eigen_f64, lanczos, Mat};
use crate::model::network_f64::{KpMatFree, NetworkF64};

/// A way to compute λ_max in f64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// The KP-exact operator (zero-loss points only).
    KpOperator,
    /// Lanczos on the KP-exact operator applied without forming it (zero-loss points only).
    KpOperatorLanczos,
    /// Lanczos on Hessian-vector products.
    LanczosHvp,
    /// The dense Hessian.
    Dense,
}

impl Path {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Path::KpOperator => "kp-operator",
            Path::KpOperatorLanczos => "kp-operator-lanczos",
            Path::LanczosHvp => "lanczos-hvp",
            Path::Dense => "dense",
        }
    }
}

/// Largest P for which the planner picks the dense Hessian by itself (P² doubles, P³/3 flops: at
/// 400 that is 1.3 MB and about 20 Mflop, well under a Lanczos run's fixed costs).
pub const DENSE_AUTO_LIMIT: usize = 400;
/// Largest P of the dense Hessian of a model the linear network's kernels do not serve
/// (one-hidden-layer, L2-regularized): the matrix is built entry by entry in generic arithmetic
/// (P² entries, 8·P² bytes, a few copies: 100 MB at 2048) before faer's eigensolver.
pub const DENSE_MODEL_LIMIT: usize = 2048;
/// Largest d_L·n for the KP operator (m² doubles: 4096 is 134 MB; its eigensolver is O(m³)).
pub const KP_LIMIT: usize = 4096;
/// Largest d_L·n for which the KP operator's eigenvalues are all computed (dense, backward stable,
/// the top one proven to be the top); beyond it Lanczos runs on the formed K (K ⪰ 0).
pub const KP_DENSE_EIG_LIMIT: usize = 128;
/// Relative residual target of the Lanczos path (ARPACK's ‖r‖ ≤ tol·|θ|, as jax-eigsh's tol).
pub const LANCZOS_TOL: f64 = 1e-12;
/// The Lanczos start vector's seed.
pub const LANCZOS_SEED: u64 = 0x5eed;
pub use crate::linalg::lanczos::MAX_BASIS as LANCZOS_MAX_BASIS;

/// The top Ritz pair of the symmetric operator `apply` of dimension `m` as every f64 Lanczos run of
/// the λ_max paths takes it: from the seed [`LANCZOS_SEED`], to the relative residual
/// [`LANCZOS_TOL`], in at most min(m, [`LANCZOS_MAX_BASIS`]) steps.
pub fn lanczos_pair(m: usize, apply: impl FnMut(&[f64], &mut [f64])) -> lanczos::RitzPair {
    lanczos::top_eigenpair(
        m,
        apply,
        LANCZOS_SEED,
        LANCZOS_TOL,
        m.min(LANCZOS_MAX_BASIS),
    )
}

/// The planner's choice and why.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The path.
    pub path: Path,
    /// One line saying why.
    pub reason: String,
}

/// The sizes the planner decides from.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// P = Σ_k d_{k+1} d_k.
    pub params: usize,
    /// d_L·n, the KP operator's dimension m.
    pub kp_dim: usize,
    /// Σ_k d_{k+1} d_k n: one Hessian-vector product costs about 4 (zero loss) to 6 times this
    /// in multiply-adds.
    pub hvp_size: usize,
    /// L.
    pub depth: usize,
    /// d_L (so n = kp_dim / out_dim).
    pub out_dim: usize,
    /// The model whose Hessian is wanted.
    pub kind: ModelKind,
}

impl Sizes {
    /// The sizes of a model of `kind` with weight matrices `weights` (W_k of d_{k+1} × d_k), data
    /// X with n = `x.cols()` columns and targets Y of d_L × n: P = Σ_k d_{k+1} d_k,
    /// m = d_L·n, Σ_k d_{k+1} d_k n.
    pub fn of<T>(weights: &[Mat<T>], x: &Mat<T>, y: &Mat<T>, kind: ModelKind) -> Sizes {
        Sizes {
            params: weights.iter().map(|w| w.rows() * w.cols()).sum(),
            kp_dim: y.rows() * y.cols(),
            hvp_size: weights.iter().map(|w| w.rows() * w.cols() * x.cols()).sum(),
            depth: weights.len(),
            out_dim: y.rows(),
            kind,
        }
    }
}

/// Do the linear network's kernels (KP operator, Hessian-vector products) compute the Hessian of
/// a model of this kind? Yes for linear and residual (the linear network at W = I + A).
pub fn kernels_serve(kind: ModelKind) -> bool {
    matches!(kind, ModelKind::Linear | ModelKind::Residual)
}

/// Lanczos steps assumed by the cost model (the benchmarks take 60–100 at tolerance 1e-12).
const STEPS: f64 = 80.0;

/// Multiply-adds of the KP path: forming K (L·m²), the products (S·m²) and the
/// reorthogonalization (S²·m, every step reorthogonalized: an upper bound, as
/// [`lanczos`]' partial reorthogonalization runs at a fraction of the steps); all eigenvalues (≈ 4m³/3... counted as m³) up to the dense limit.
fn kp_cost(z: Sizes) -> f64 {
    let m = z.kp_dim as f64;
    if z.kp_dim <= KP_DENSE_EIG_LIMIT {
        z.depth as f64 * m * m + m * m * m
    } else {
        (z.depth as f64 + STEPS) * m * m + STEPS * STEPS * m
    }
}

/// Multiply-adds of the matrix-free KP path: S products of L·(d_L²n + d_L n²) = L·m·(d_L + n)
/// plus the reorthogonalization, at most S²·m (the Gram factors, common to both KP paths, not counted).
fn kp_free_cost(z: Sizes) -> f64 {
    let m = z.kp_dim as f64;
    let (a, n) = (z.out_dim as f64, (z.kp_dim / z.out_dim.max(1)) as f64);
    STEPS * z.depth as f64 * m * (a + n) + STEPS * STEPS * m
}

/// Multiply-adds of the Lanczos-on-HVP path: S products of ≈ 4·hvp_size plus the
/// reorthogonalization, at most S²·P.
fn hvp_cost(z: Sizes) -> f64 {
    STEPS * 4.0 * z.hvp_size as f64 + STEPS * STEPS * z.params as f64
}

/// Pick the path: `requested` if given and valid; else, at a zero-loss point with d_L·n ≤ P, the
/// cheapest by the multiply-add counts above of the formed KP operator (`kp_cost`, only up to
/// d_L·n = [`KP_LIMIT`]), the matrix-free one (`kp_free_cost`) and Lanczos on HVPs
/// (`hvp_cost`), ties to the earlier; so beyond [`KP_LIMIT`], where K is not formed, the
/// matrix-free KP path competes with HVPs alone (per product L·m·(d_L + n) against about
/// 4·Σ_k d_{k+1}d_k n, and a basis of length m instead of P); at a nonzero loss the dense Hessian when P ≤ [`DENSE_AUTO_LIMIT`], else
/// Lanczos. `zero_loss` must be a proven (exact) fact for the KP path to give λ_max(∇²f).
/// For a model the kernels do not serve ([`kernels_serve`]) the only path is `dense`, up to
/// P = [`DENSE_MODEL_LIMIT`]; anything else is an error saying why.
pub fn plan(z: Sizes, zero_loss: bool, requested: Option<Path>) -> Result<Plan, String> {
    if !kernels_serve(z.kind) {
        if let Some(p) = requested.filter(|&p| p != Path::Dense) {
            return Err(format!(
                "path {} computes the linear network's Hessian and cannot serve the {} model; \
                 its only path is dense",
                p.name(),
                z.kind
            ));
        }
        if z.params > DENSE_MODEL_LIMIT {
            return Err(format!(
                "the {} model has only the dense Hessian of its own formula, limited to \
                 P = {DENSE_MODEL_LIMIT} parameters; this point has P = {} (the KP operator and \
                 Lanczos on Hessian-vector products serve linear and residual models only)",
                z.kind, z.params
            ));
        }
        return Ok(Plan {
            path: Path::Dense,
            reason: format!(
                "{} model: the dense Hessian of its own formula, P = {}",
                z.kind, z.params
            ),
        });
    }
    if let Some(p) = requested {
        if matches!(p, Path::KpOperator | Path::KpOperatorLanczos) && !zero_loss {
            return Err(
                "the KP operator gives λ_max(∇²f) only at zero-loss points; this point's loss is \
                 not zero"
                    .into(),
            );
        }
        return Ok(Plan {
            path: p,
            reason: "requested".into(),
        });
    }
    let (kp, free, hvp) = (kp_cost(z), kp_free_cost(z), hvp_cost(z));
    let kp_ok = zero_loss && z.kp_dim <= z.params;
    Ok(
        if kp_ok && z.kp_dim <= KP_LIMIT && kp <= free && kp <= hvp {
            Plan {
                path: Path::KpOperator,
                reason: format!(
                    "zero loss, d_L·n = {}: about {kp:.1e} multiply-adds against {free:.1e} \
                     matrix-free and {hvp:.1e} for Lanczos on HVPs",
                    z.kp_dim
                ),
            }
        } else if kp_ok && free <= hvp {
            Plan {
                path: Path::KpOperatorLanczos,
                reason: format!(
                    "zero loss, d_L·n = {}: about {free:.1e} multiply-adds matrix-free against \
                     {} for the formed K and {hvp:.1e} for Lanczos on HVPs",
                    z.kp_dim,
                    if z.kp_dim <= KP_LIMIT {
                        format!("{kp:.1e}")
                    } else {
                        format!("(d_L·n)² > {KP_LIMIT}² doubles")
                    }
                ),
            }
        } else if z.params <= DENSE_AUTO_LIMIT {
            Plan {
                path: Path::Dense,
                reason: format!("P = {} ≤ {DENSE_AUTO_LIMIT}", z.params),
            }
        } else {
            Plan {
                path: Path::LanczosHvp,
                reason: if zero_loss {
                    format!(
                    "zero loss, but Lanczos on HVPs costs about {hvp:.1e} multiply-adds against \
                     {free:.1e} for the matrix-free KP operator (d_L·n = {})",
                    z.kp_dim
                )
                } else {
                    format!("nonzero loss and P = {} > {DENSE_AUTO_LIMIT}", z.params)
                },
            }
        },
    )
}

/// λ_max in f64 by one path, with its error statement.
#[derive(Clone, Debug)]
pub struct FastTop {
    /// The path used.
    pub path: Path,
    /// λ_max (f64).
    pub value: f64,
    /// The bound on |value − λ_max|: a priori (backward stability) for the dense paths, the
    /// computed residual ‖Hv − θv‖ for Lanczos.
    pub bound: f64,
    /// What `bound` is.
    pub bound_kind: &'static str,
    /// Hessian-vector products used (Lanczos; 0 otherwise).
    pub products: usize,
}

/// λ_max(∇²f) at `net` along `path` (the caller has established zero loss for the KP path).
pub fn top_f64(net: &NetworkF64, path: Path) -> Result<FastTop, String> {
    match path {
        Path::KpOperator => {
            let k = net.kp_operator();
            let m = k.nrows();
            if m <= KP_DENSE_EIG_LIMIT {
                return dense_top(k, path);
            }
            let par = if m >= 512 {
                faer::get_global_parallelism()
            } else {
                faer::Par::Seq
            };
            let pair = lanczos_pair(m, |v, out| {
                let v = faer::ColRef::from_slice(v);
                let out = faer::ColMut::from_slice_mut(out);
                faer::linalg::matmul::matmul(
                    out.as_mat_mut(),
                    faer::Accum::Replace,
                    k.as_ref(),
                    v.as_mat(),
                    1.0,
                    par,
                );
            });
            lanczos_top(pair, path)
        }
        Path::KpOperatorLanczos => {
            let grams = net.kp_grams();
            let (a, n) = (grams[0].1.nrows(), grams[0].0.nrows());
            let mut op = KpMatFree::new(grams, product_par(a, n));
            let m = op.dim();
            let pair = lanczos_pair(m, |v, out| op.apply(v, out));
            lanczos_top(pair, path)
        }
        Path::Dense => {
            let p = net.params();
            let mut h = faer::Mat::<f64>::zeros(p, p);
            let mut s = net.scratch();
            let mut e = vec![0.0; p];
            for j in 0..p {
                e[j] = 1.0;
                let col = h
                    .col_mut(j)
                    .try_as_col_major_mut()
                    .expect("faer::Mat columns are contiguous")
                    .as_slice_mut();
                net.hvp(&e, col, &mut s);
                e[j] = 0.0;
            }
            dense_top(h, path)
        }
        Path::LanczosHvp => {
            let mut s = net.scratch();
            let pair = lanczos_pair(net.params(), |v, out| net.hvp(v, out, &mut s));
            lanczos_top(pair, path)
        }
    }
}

/// λ_max of a dense symmetric Hessian built by the model's own formula (the `dense` path of the
/// models the kernels do not serve), with the a priori bound of [`eigen_f64::error_bound`].
pub fn dense_matrix_top(h: &Mat<f64>) -> Result<FastTop, String> {
    let m = faer::Mat::from_fn(h.rows(), h.cols(), |i, j| *h.at(i, j));
    dense_top(m, Path::Dense)
}

/// Smallest d_L·n·max(d_L, n) (multiply-adds of one of [`KpMatFree`]'s products) for which its
/// products run in parallel. Below it they stay sequential, so small problems pay no thread
/// hand-off; measured sequential at d_L = n = 64 (2.6e5 per product, 66–85 products): 18–25 ms for
/// the whole λ_max at L = 3 and 12 on the 2-core bench machine. The threshold itself (4× that
/// size) is not tuned by measurement.
const KP_FREE_PAR_MIN: usize = 1 << 20;

/// The parallelism of one matrix-free product of a d_L × n operand.
fn product_par(a: usize, n: usize) -> faer::Par {
    if a * n * a.max(n) >= KP_FREE_PAR_MIN {
        faer::get_global_parallelism()
    } else {
        faer::Par::Seq
    }
}

/// A Lanczos result as a [`FastTop`], or why it is not one.
fn lanczos_top(pair: lanczos::RitzPair, path: Path) -> Result<FastTop, String> {
    if !pair.converged {
        return Err(format!(
            "Lanczos did not reach the relative residual {LANCZOS_TOL:e} in {} products \
             (residual {:e})",
            pair.products, pair.residual
        ));
    }
    Ok(FastTop {
        path,
        value: pair.value,
        bound: pair.residual,
        bound_kind: "residual ‖Mv − θv‖ (an eigenvalue within it; top not proven)",
        products: pair.products,
    })
}

/// All eigenvalues of a dense symmetric f64 matrix (values only), the top one with the a priori
/// bound of [`eigen_f64::error_bound`].
fn dense_top(m: faer::Mat<f64>, path: Path) -> Result<FastTop, String> {
    let n = m.nrows();
    let vals = m
        .self_adjoint_eigenvalues(faer::Side::Lower)
        .map_err(|_| "faer's self-adjoint eigensolver did not converge".to_string())?;
    let value = vals[n - 1];
    let as_mat = Mat::from_fn(n, n, |i, j| m[(i, j)]);
    Ok(FastTop {
        path,
        value,
        bound: eigen_f64::error_bound(&as_mat),
        bound_kind: "a priori 64·m·u·‖M‖_F (backward stability)",
        products: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kp_lanczos_agrees_with_all_eigenvalues_of_the_same_operator() {
        // dims 20 → 15 → 20, X = I_20: K is 400 × 400 > KP_DENSE_EIG_LIMIT, so Lanczos runs
        let w = |r: usize, c: usize, s: f64| {
            Mat::from_fn(r, c, |i, j| {
                ((i * 7 + j * 3) as f64 * s).sin() + if i == j { 1.0 } else { 0.0 }
            })
        };
        let ws = vec![w(15, 20, 0.37), w(20, 15, 0.91)];
        let x = Mat::from_fn(20, 20, |i, j| if i == j { 1.0 } else { 0.0 });
        let net = NetworkF64::new(&ws, &x, &x);
        assert!(net.kp_operator().nrows() > KP_DENSE_EIG_LIMIT);
        let fast = top_f64(&net, Path::KpOperator).unwrap();
        let all = dense_top(net.kp_operator(), Path::KpOperator).unwrap();
        assert!(fast.products > 0 && all.products == 0);
        assert!(
            (fast.value - all.value).abs() <= fast.bound + all.bound,
            "{fast:?} vs {all:?}"
        );
        assert!(fast.bound <= 1e-10 * all.value);
        // the matrix-free path on the same operator
        let free = top_f64(&net, Path::KpOperatorLanczos).unwrap();
        assert_eq!(free.path.name(), "kp-operator-lanczos");
        assert!(free.products > 0);
        assert!(
            (free.value - all.value).abs() <= free.bound + all.bound,
            "{free:?} vs {all:?}"
        );
        assert!(free.bound <= 1e-10 * all.value);
    }

    fn sizes(l: usize, d: usize) -> Sizes {
        Sizes {
            params: l * d * d,
            kp_dim: d * d,
            hvp_size: l * d * d * d,
            depth: l,
            out_dim: d,
            kind: ModelKind::Linear,
        }
    }

    #[test]
    fn planner_rules() {
        // zero loss: K formed while d⁴ products are cheap, matrix-free beyond, never HVPs at
        // square layers; at L = 12, d = 32 forming K (≈ 9e7) loses to matrix-free (≈ 7e7)
        assert_eq!(
            plan(sizes(12, 32), true, None).unwrap().path,
            Path::KpOperatorLanczos
        );
        assert_eq!(
            plan(sizes(12, 16), true, None).unwrap().path,
            Path::KpOperator
        );
        // K of 4096² not formed (its products alone would cost S·d⁴), but matrix-free KP
        // products (2·L·d³) undercut HVPs (4·L·d³) and its basis is d² long instead of L·d²
        for l in [3, 6, 12] {
            assert_eq!(
                plan(sizes(l, 64), true, None).unwrap().path,
                Path::KpOperatorLanczos
            );
            assert!(kp_free_cost(sizes(l, 64)) < hvp_cost(sizes(l, 64)) / 2.0);
        }
        // at d = 32 forming K costs (L + S)·d⁴ against S·2L·d³ + S²·d²: matrix-free wins at L = 3
        assert_eq!(
            plan(sizes(3, 32), true, None).unwrap().path,
            Path::KpOperatorLanczos
        );
        assert!(plan(sizes(3, 4), false, Some(Path::KpOperatorLanczos)).is_err());
        assert_eq!(
            plan(sizes(12, 4), true, None).unwrap().path,
            Path::KpOperator
        );
        assert_eq!(
            plan(sizes(12, 32), false, None).unwrap().path,
            Path::LanczosHvp
        );
        assert_eq!(plan(sizes(3, 8), false, None).unwrap().path, Path::Dense);
        // KP larger than the Hessian (wide output, many columns): the Hessian is smaller
        let wide = Sizes {
            params: 12,
            kp_dim: 40,
            hvp_size: 120,
            depth: 2,
            out_dim: 4,
            kind: ModelKind::Linear,
        };
        assert_eq!(plan(wide, true, None).unwrap().path, Path::Dense);
        assert!(plan(sizes(3, 4), false, Some(Path::KpOperator)).is_err());
        assert_eq!(
            plan(sizes(3, 4), false, Some(Path::LanczosHvp))
                .unwrap()
                .path,
            Path::LanczosHvp
        );
        // the residual model is the linear network at I + A: every path; the others dense only
        let residual = Sizes {
            kind: ModelKind::Residual,
            ..sizes(12, 32)
        };
        assert_eq!(
            plan(residual, true, None).unwrap().path,
            Path::KpOperatorLanczos
        );
        for kind in [ModelKind::OneHiddenLayer, ModelKind::L2Regularized] {
            let small = Sizes {
                kind,
                ..sizes(2, 4)
            };
            assert_eq!(plan(small, true, None).unwrap().path, Path::Dense);
            assert_eq!(
                plan(small, false, Some(Path::Dense)).unwrap().path,
                Path::Dense
            );
            for p in [Path::KpOperator, Path::KpOperatorLanczos, Path::LanczosHvp] {
                let e = plan(small, true, Some(p)).unwrap_err();
                assert!(e.contains(&kind.to_string()) && e.contains(p.name()), "{e}");
            }
            let big = Sizes {
                kind,
                ..sizes(3, 32)
            };
            assert!(plan(big, false, None).unwrap_err().contains("dense"));
        }
    }
}
