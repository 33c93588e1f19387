//! λ_max(∇²f) in MPFR at an exact zero-loss point of a linear network from the P-dimensional
//! Hessian itself, not from the KP operator: the Hessian side of KP-exact beyond the dense path.
//!
//! 1. Zero loss is checked exactly (R = W_L⋯W_1X − Y = 0 in rationals), so the terms of the
//!    Hessian that carry R vanish and ∇²f = JᵀJ exactly, with J(V) = Σ_k A_k V_k z_k the
//!    derivative of the product along V = (V_0, …, V_{L−1}) (A_k = W_{L−1}⋯W_{k+1}, z_k =
//!    W_{k−1}⋯W_0X, code indices as [`crate::model::network_f64`]). Nothing here forms
//!    JJᵀ = K: the operator is P × P.
//! 2. The start is the top Ritz pair of f64 Lanczos on the loss's own Hessian-vector products
//!    (Pearlmutter's R-operator, [`NetworkF64::hvp`], the residual terms included) from a seeded
//!    random vector, so which eigenvalue is refined is found on ∇²f alone; it is not proven to be
//!    the top one (a Krylov method cannot see eigenvectors orthogonal to its start).
//! 3. The pair is refined in MPFR ([`mpfr_refine::refine`]) with the products
//!    E = fl(Σ_k fl(Ã_kV_k)z̃_k), out_k = fl(fl(Ã_kᵀE)z̃_kᵀ), where Ã_k, z̃_k are the exact
//!    factors (integers over a common denominator) rounded to `prec` bits, |ΔA_k| ≤ γ₂|A_k| ≤
//!    η|Ã_k| entrywise with η = γ₃ (as in [`super::kp_mpfr`]). With a_k = ‖Ã_k‖_F,
//!    c_k = ‖z̃_k‖_F and α² = Σ_k a_k²c_k² (so ‖J̃‖₂ ≤ α by Cauchy–Schwarz):
//!    - |E − J̃v| ≤ γ₁ Σ_k |Ã_k||V_k||z̃_k| with γ₁ = γ_{max d + Σ_k d_k} (the dot products
//!      of Ã_kV_k, then one fused chain over every k; Higham, *Accuracy and Stability of
//!      Numerical Algorithms*, 2nd ed., Lemma 3.3), so ‖E − J̃v‖ ≤ γ₁α‖v‖ and ‖E‖ ≤ (1 + γ₁)α‖v‖;
//!    - |out_k − Ã_kᵀEz̃_kᵀ| ≤ γ₂|Ã_k|ᵀ|E||z̃_k|ᵀ with γ₂ = γ_{d_L + n}, so
//!      ‖out − J̃ᵀE‖ ≤ γ₂(1 + γ₁)α²‖v‖;
//!    - ‖J − J̃‖₂ ≤ δ = (2η + η²)α, so ‖JᵀJ − J̃ᵀJ̃‖₂ ≤ δ(2α + δ).
//!
//!    In all ‖computed − JᵀJv‖ ≤ ε‖v‖ with
//!    ε = α²[γ₁ + γ₂(1 + γ₁) + (2η + η²)(2 + 2η + η²)], every bound rounded upward.
//! 4. The refinement bounds the Rayleigh quotient θ_R of the final vector and its residual b
//!    rigorously; an eigenvalue of ∇²f lies in [θ_R − b, θ_R + b] (the residual bound of a
//!    symmetric matrix, Parlett, *The Symmetric Eigenvalue Problem*, 1998, Thm 4.5.1). That this
//!    eigenvalue is λ_max rests on step 2 only: the value is numerical evidence about λ_max, with a
//!    proven distance to the spectrum.

use crate::certify::kp_verified::{zero_loss_factors, ZeroLossFactors};
use crate::certify::planner;
use crate::enumerate::minimizers::Point;
use crate::linalg::mpfr_refine::{
    self, gamma, sum_squares, up, RefineOperator, RefineOptions, BOUND_PREC,
};
use crate::model::network_f64::{HvpScratch, NetworkF64};
use rug::float::Round;
use rug::Float;

/// JᵀJ at an exact zero-loss point, in MPFR, with the f64 Hessian for the corrections (module
/// doc).
pub struct GaussNewtonMpfr {
    prec: u32,
    /// (rows, cols) of V_k = the shape of W_k.
    shapes: Vec<(usize, usize)>,
    /// Offsets of V_k in the parameter vector (row-major blocks, [`crate::model::linear::offsets`]).
    offsets: Vec<usize>,
    /// d_L
    out_dim: usize,
    /// n
    n: usize,
    /// Ã_k row-major d_L × d_{k+1}.
    above: Vec<Vec<Float>>,
    /// z̃_k row-major d_k × n.
    z: Vec<Vec<Float>>,
    /// ε of step 3.
    eps: Float,
    net: NetworkF64,
    scratch: HvpScratch,
}

impl GaussNewtonMpfr {
    /// The operator at `p` at `prec` bits. Errors when the point is not exact or its loss is not
    /// exactly zero.
    pub fn new(p: &Point, prec: u32) -> Result<Self, String> {
        let ZeroLossFactors { z, above } = zero_loss_factors(p)?;
        let l = p.weights.len();
        let (out_dim, n) = (p.y.rows(), p.y.cols());
        let above: Vec<Vec<Float>> = above.iter().map(|a| a.to_floats(prec)).collect();
        let z: Vec<Vec<Float>> = z[..l].iter().map(|z| z.to_floats(prec)).collect();
        let mut alpha_sq = Float::new(BOUND_PREC);
        for (a, zk) in above.iter().zip(&z) {
            let term =
                up(&sum_squares(a, BOUND_PREC, Round::Up)
                    * &sum_squares(zk, BOUND_PREC, Round::Up));
            alpha_sq = up(&alpha_sq + &term);
        }
        let shapes: Vec<(usize, usize)> = p.weights.iter().map(|w| (w.rows(), w.cols())).collect();
        let widest = shapes.iter().map(|s| s.0).max().unwrap_or(0);
        let chain: usize = shapes.iter().map(|s| s.1).sum();
        let (g1, g2, eta) = (
            gamma(widest + chain, prec),
            gamma(out_dim + n, prec),
            gamma(3, prec),
        );
        let two_eta = up(&up(&eta * 2u32) + &up(eta.square_ref()));
        let factor =
            up(&up(&g1 + &up(&g2 * &up(&g1 + 1u32))) + &up(&two_eta * &up(&two_eta + 2u32)));
        let eps = up(&factor * &alpha_sq);
        let net = crate::certify::planned::network_f64(p);
        let scratch = net.scratch();
        Ok(GaussNewtonMpfr {
            prec,
            offsets: crate::model::linear::offsets(&p.weights),
            shapes,
            out_dim,
            n,
            above,
            z,
            eps,
            net,
            scratch,
        })
    }
}

impl RefineOperator for GaussNewtonMpfr {
    fn dim(&self) -> usize {
        *self.offsets.last().expect("offsets start at 0")
    }

    fn prec(&self) -> u32 {
        self.prec
    }

    /// out = J̃ᵀ(J̃v) in the order of step 3.
    fn apply_mpfr(&mut self, v: &[Float], out: &mut [Float]) {
        let (dl, n, prec) = (self.out_dim, self.n, self.prec);
        let mut e = vec![Float::new(prec); dl * n];
        for (k, &(r, c)) in self.shapes.iter().enumerate() {
            let vk = &v[self.offsets[k]..self.offsets[k + 1]];
            let (a, z) = (&self.above[k], &self.z[k]);
            // T = Ã_k V_k (d_L × c), then E += T z̃_k
            for i in 0..dl {
                let arow = &a[i * r..(i + 1) * r];
                for j in 0..c {
                    let mut t = Float::new(prec);
                    for (q, aq) in arow.iter().enumerate() {
                        t += aq * &vk[q * c + j];
                    }
                    let zrow = &z[j * n..(j + 1) * n];
                    for (eo, zq) in e[i * n..(i + 1) * n].iter_mut().zip(zrow) {
                        *eo += &t * zq;
                    }
                }
            }
        }
        for (k, &(r, c)) in self.shapes.iter().enumerate() {
            let (a, z) = (&self.above[k], &self.z[k]);
            let ok = &mut out[self.offsets[k]..self.offsets[k + 1]];
            // U = Ã_kᵀ E (r × n), out_k = U z̃_kᵀ (r × c)
            for i in 0..r {
                let mut u = vec![Float::new(prec); n];
                for q in 0..dl {
                    let aqi = &a[q * r + i];
                    for (uo, eq) in u.iter_mut().zip(&e[q * n..(q + 1) * n]) {
                        *uo += aqi * eq;
                    }
                }
                for j in 0..c {
                    let mut s = Float::new(prec);
                    for (uq, zq) in u.iter().zip(&z[j * n..(j + 1) * n]) {
                        s += uq * zq;
                    }
                    ok[i * c + j] = s;
                }
            }
        }
    }

    fn product_error(&self) -> Float {
        self.eps.clone()
    }

    fn apply_f64(&mut self, v: &[f64], out: &mut [f64]) {
        self.net.hvp(v, out, &mut self.scratch);
    }
}

/// An eigenvalue of ∇²f found by f64 Lanczos on the Hessian-vector products and refined in MPFR
/// on JᵀJ (module doc).
#[derive(Clone, Debug)]
pub struct HessianMpfrTop {
    /// The f64 Ritz value of the start (Lanczos on ∇²f).
    pub f64_value: f64,
    /// Its residual ‖Hv − θv‖ (an eigenvalue lies within it; not proven to be the top one).
    pub f64_residual: f64,
    /// The refined value: the midpoint of the bounds of θ_R.
    pub value: Float,
    /// r with an eigenvalue of ∇²f in [value − r, value + r] (rounded up).
    pub radius: Float,
    /// MPFR products.
    pub products: usize,
    /// f64 Hessian-vector products (Lanczos start and correction solves).
    pub f64_products: usize,
}

/// The top eigenvalue of ∇²f at the exact zero-loss point `p`, from the Hessian alone (module
/// doc), at `prec` bits, refined until the residual is below `rel` relative to the value (or the
/// refinement's own limits, [`RefineOptions`]).
pub fn refine_top(p: &Point, prec: u32, rel: f64) -> Result<HessianMpfrTop, String> {
    let mut op = GaussNewtonMpfr::new(p, prec)?;
    let m = op.dim();
    let start = planner::lanczos_pair(m, |v, out| op.apply_f64(v, out));
    let opts = RefineOptions {
        residual_target: Some(rel),
        ..RefineOptions::default()
    };
    let r = mpfr_refine::refine(&mut op, &start.vector, &opts).map_err(|e| e.to_string())?;
    let value = Float::with_val(prec, &r.theta_lo + &r.theta_hi) / 2u32;
    let half =
        up(&Float::with_val_round(BOUND_PREC, &r.theta_hi - &r.theta_lo, Round::Up).0 / 2u32);
    let radius = up(&r.residual + &half);
    Ok(HessianMpfrTop {
        f64_value: start.value,
        f64_residual: start.residual,
        value,
        radius,
        products: r.products,
        f64_products: start.products + r.f64_products,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{mat, Exact};
    use num_rational::BigRational;

    use crate::enumerate::minimizers::tests::q;

    /// The operator against the exact Hessian of the loss: ∇²f v computed in rationals by the
    /// generic [`crate::model::linear::hvp`] (residual terms included) at a zero-loss point.
    #[test]
    fn products_match_the_exact_hessian_within_epsilon() {
        let w1 = mat::Mat::from_fn(3, 2, |i, j| q(i as i64 + 2 * j as i64 - 1, 3));
        let w2 = mat::Mat::from_fn(2, 3, |i, j| q(1 + i as i64 * j as i64, 2 + j as i64));
        let x = mat::Mat::from_fn(2, 4, |i, j| q((i * 4 + j) as i64 % 3 - 1, 1 + i as i64));
        let ws = vec![w1, w2];
        let ev = crate::model::linear::evaluate(&Exact, &ws, &x, &mat::zeros(&Exact, 2, 4));
        let y = ev.partials.product().clone();
        let y = mat::matmul(&Exact, &y, &x);
        let p = Point {
            weights: ws.clone(),
            x: x.clone(),
            y: y.clone(),
            exact: true,
            origin: "test".into(),
        };
        let mut op = GaussNewtonMpfr::new(&p, 80).expect("an exact zero-loss point");
        let m = op.dim();
        let v: Vec<BigRational> = (0..m).map(|i| q((i as i64 * 7) % 5 - 2, 3)).collect();
        let vf: Vec<Float> = v
            .iter()
            .map(|x| Float::with_val(80, crate::linalg::field::q_to_rug(x)))
            .collect();
        let mut out = vec![Float::new(80); m];
        op.apply_mpfr(&vf, &mut out);
        let ev = crate::model::linear::evaluate(&Exact, &ws, &x, &y);
        let blocks: Vec<mat::Mat<BigRational>> = ws
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let off = op.offsets[k];
                mat::Mat::from_fn(w.rows(), w.cols(), |i, j| v[off + i * w.cols() + j].clone())
            })
            .collect();
        let exact: Vec<BigRational> = crate::model::linear::hvp(&Exact, &ev, &blocks)
            .iter()
            .flat_map(|b| b.as_slice().to_vec())
            .collect();
        let err: f64 = out
            .iter()
            .zip(&exact)
            .map(|(o, e)| {
                let d = Float::with_val(
                    200,
                    o - &Float::with_val(200, crate::linalg::field::q_to_rug(e)),
                );
                d.to_f64().powi(2)
            })
            .sum::<f64>()
            .sqrt();
        let vnorm = v
            .iter()
            .map(|x| crate::linalg::field::q_to_f64(x).powi(2))
            .sum::<f64>()
            .sqrt();
        assert!(err > 0.0 || out.iter().all(|o| o.is_zero()));
        assert!(err <= op.product_error().to_f64() * vnorm, "{err} > ε‖v‖");
        // and ε is a small multiple of the unit roundoff, not a vacuous bound
        assert!(op.product_error().to_f64() < 1e-20);
    }

    /// At a scalar depth-2 minimizer (w₂, w₁) = (3, 2), y = 6: ∇²f = [[9, 6], [6, 4]] + 0, whose
    /// top eigenvalue is 13 (computed by hand: trace 13, determinant 0).
    #[test]
    fn refines_the_scalar_top_eigenvalue() {
        let p = Point {
            weights: vec![
                mat::Mat::from_fn(1, 1, |_, _| q(2, 1)),
                mat::Mat::from_fn(1, 1, |_, _| q(3, 1)),
            ],
            x: mat::identity(&Exact, 1),
            y: mat::Mat::from_fn(1, 1, |_, _| q(6, 1)),
            exact: true,
            origin: "test".into(),
        };
        let top = refine_top(&p, 256, 0.0).expect("refined");
        let d = Float::with_val(256, &top.value - 13u32).abs();
        assert!(d <= top.radius, "13 lies within the radius");
        assert!(top.radius.to_f64() < 1e-60, "radius {}", top.radius);
    }
}
