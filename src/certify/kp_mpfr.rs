//! λ_max(∇²f) in MPFR at an exact zero-loss point of a linear network, at any size the f64 KP
//! path handles, with a proven enclosure: the KP-exact operator K = Σ_k G_k ⊗ S_k applied
//! matrix-free in MPFR and the top eigenpair refined from the f64 Lanczos vector
//! ([`mpfr_refine`]).
//!
//! 1. Zero loss is checked exactly; then λ_max(∇²f) = λ_max(K) (K = JJᵀ and ∇²f = JᵀJ share their
//!    nonzero eigenvalues, both ⪰ 0; claims.md, KP-exact).
//! 2. G_k = z_kᵀz_k (n × n) and S_k = A_kA_kᵀ (d_L × d_L) are formed exactly (integers over a
//!    common denominator, as in [`super::kp_verified`]) and rounded to `prec` bits with relative error
//!    ≤ γ₂ ([`Scaled::to_floats`](crate::linalg::scaled::Scaled::to_floats)): G̃_k = G_k + ΔG_k with |ΔG_k| ≤ γ₂|G_k| ≤ η|G̃_k| entrywise,
//!    η = γ₃ ≥ γ₂/(1 − γ₂), u = 2^(1−prec). So
//!    ‖G ⊗ S − G̃ ⊗ S̃‖_F ≤ (2η + η²)‖G̃‖_F‖S̃‖_F (‖A ⊗ B‖_F = ‖A‖_F‖B‖_F).
//! 3. The product K̃·vec(V) = Σ_k vec(S̃_k V G̃_k) (Van Loan, *J. Comput. Appl. Math.* 123 (2000))
//!    is computed as T_k = fl(S̃_k V) (dot products of length d_L) accumulated into one sum of
//!    L·n fused multiply-adds per entry, Σ_k Σ_l T_k[p, l]G̃_k[i, l]. Then
//!    |computed − Σ_k S̃_kVG̃_k| ≤ (γ_{d_L} + γ_{Ln}(1 + γ_{d_L})) Σ_k|S̃_k||V||G̃_k|
//!    ≤ γ_{d_L+Ln} Σ_k|S̃_k||V||G̃_k| (Higham, *Accuracy and Stability of Numerical Algorithms*,
//!    2nd ed., Lemma 3.3 and §3.5), and ‖|S||V||G|‖_F ≤ ‖S‖_F‖V‖_F‖G‖_F, so the operator's
//!    product error is ε = (2η + η² + γ_{d_L+Ln}) Σ_k ‖G̃_k‖_F‖S̃_k‖_F per unit ‖v‖.
//! 4. The gap proof uses K̂ = fl₆₄(Σ_k Ĝ_k ⊗ Ŝ_k) with Ĝ_k = fl₆₄(G̃_k) (|G_k − Ĝ_k| ≤ 2⁻⁵²|Ĝ_k|
//!    entrywise, covering both roundings), so ‖K − K̂‖₂ ≤ ρ̂ = Σ_k [‖ΔĜ‖_F(‖Ŝ‖_F + ‖ΔŜ‖_F) +
//!    ‖Ĝ‖_F‖ΔŜ‖_F] + γ_L⁽⁶⁴⁾ Σ_k ‖Ĝ_k‖_F‖Ŝ_k‖_F (as [`super::kp_verified`]); it is O(m³) f64 work and
//!    (d_L·n)² memory, the one dense step.

use crate::certify::kp_verified::{zero_loss_factors, ZeroLossFactors};
use crate::certify::planner;
use crate::enumerate::minimizers::Point;
use crate::linalg::mpfr_refine::{
    self, complement_upper, deflated_upper, deflation_vector, gamma, norm_up, up, RefineOperator,
    RefineOptions, BOUND_PREC,
};
use crate::model::network_f64::{kron_sum, KpMatFree};
use rug::float::Round;
use rug::Float;

/// The KP operator at an exact zero-loss point, in MPFR and f64 (module doc).
pub struct KpMpfr {
    prec: u32,
    /// d_L
    a: usize,
    /// n
    n: usize,
    /// (G̃_k row-major n × n, S̃_k row-major d_L × d_L).
    grams: Vec<(Vec<Float>, Vec<Float>)>,
    /// T_k = fl(S̃_k V), column-major d_L × n, reused.
    t: Vec<Float>,
    /// ε of item 3.
    eps: Float,
    /// (Ĝ_k, Ŝ_k) of item 4.
    grams64: Vec<(faer::Mat<f64>, faer::Mat<f64>)>,
    /// ρ̂ of item 4.
    rho64: f64,
    f64_op: KpMatFree,
}

impl KpMpfr {
    /// The operator at `p` at `prec` bits. Errors when the point is not exact or its loss is not
    /// exactly zero.
    pub fn new(p: &Point, prec: u32) -> Result<Self, String> {
        let ZeroLossFactors { z, above } = zero_loss_factors(p)?;
        let l = p.weights.len();
        let (a, n) = (p.y.rows(), p.y.cols());
        let mut grams = Vec::with_capacity(l);
        let mut grams64 = Vec::with_capacity(l);
        let mut magnitude = Float::new(BOUND_PREC);
        let (mut rho64, mut magnitude64) = (Float::new(BOUND_PREC), Float::new(BOUND_PREC));
        let rel64 = Float::with_val(BOUND_PREC, f64::EPSILON);
        for k in 0..l {
            let g = z[k].gram_tn().to_floats(prec);
            let s = above[k].gram_nt().to_floats(prec);
            magnitude = up(&magnitude + &up(&norm_up(&g) * &norm_up(&s)));
            let (g64, s64) = (to_f64(&g, n), to_f64(&s, a));
            let gf = Float::with_val(
                BOUND_PREC,
                crate::linalg::verified::frobenius_up(g64.as_ref()),
            );
            let sf = Float::with_val(
                BOUND_PREC,
                crate::linalg::verified::frobenius_up(s64.as_ref()),
            );
            let (dg, ds) = (up(&gf * &rel64), up(&sf * &rel64));
            let term = up(&up(&dg * &up(&sf + &ds)) + &up(&gf * &ds));
            rho64 = up(&rho64 + &term);
            magnitude64 = up(&magnitude64 + &up(&gf * &sf));
            grams.push((g, s));
            grams64.push((g64, s64));
        }
        let eta = gamma(3, prec);
        let factor = up(&up(&up(&eta * 2u32) + &up(eta.square_ref())) + &gamma(a + l * n, prec));
        let eps = up(&factor * &magnitude);
        let rho64 = up(&rho64 + &up(&magnitude64 * crate::linalg::verified::gamma(l)));
        let f64_op = KpMatFree::new(grams64.clone(), par(a, n));
        Ok(KpMpfr {
            prec,
            a,
            n,
            grams,
            t: vec![Float::new(prec); a * n],
            eps,
            grams64,
            rho64: rho64.to_f64_round(Round::Up),
            f64_op,
        })
    }
}

/// faer's global parallelism for products large enough to gain from it.
fn par(a: usize, n: usize) -> faer::Par {
    if a * n * a.max(n) >= 1 << 15 {
        faer::get_global_parallelism()
    } else {
        faer::Par::Seq
    }
}

/// A row-major square MPFR matrix rounded to f64.
fn to_f64(m: &[Float], size: usize) -> faer::Mat<f64> {
    faer::Mat::from_fn(size, size, |i, j| m[i * size + j].to_f64())
}

impl RefineOperator for KpMpfr {
    fn dim(&self) -> usize {
        self.a * self.n
    }

    fn prec(&self) -> u32 {
        self.prec
    }

    /// out = vec(Σ_k S̃_k V G̃_k) for v = vec(V) column-major (entry i·d_L + p is V[p, i]),
    /// the index order of [`kron_sum`] and [`KpMatFree`].
    fn apply_mpfr(&mut self, v: &[Float], out: &mut [Float]) {
        let (a, n) = (self.a, self.n);
        for o in out.iter_mut() {
            *o = Float::new(self.prec);
        }
        for (g, s) in &self.grams {
            for l in 0..n {
                let col = &v[l * a..(l + 1) * a];
                for p in 0..a {
                    let row = &s[p * a..(p + 1) * a];
                    let acc = &mut self.t[l * a + p];
                    *acc = Float::new(self.prec);
                    for (sq, vq) in row.iter().zip(col) {
                        *acc += sq * vq;
                    }
                }
            }
            for i in 0..n {
                for l in 0..n {
                    let gil = &g[i * n + l];
                    let (tcol, ocol) = (&self.t[l * a..(l + 1) * a], &mut out[i * a..(i + 1) * a]);
                    for (o, tp) in ocol.iter_mut().zip(tcol) {
                        *o += tp * gil;
                    }
                }
            }
        }
    }

    fn product_error(&self) -> Float {
        self.eps.clone()
    }

    fn apply_f64(&mut self, v: &[f64], out: &mut [f64]) {
        self.f64_op.apply(v, out);
    }
}

/// λ_max(∇²f) refined in MPFR with its proven enclosure.
#[derive(Clone, Debug)]
pub struct KpMpfrTop {
    /// The midpoint of the enclosure (or θ_R's bounds when the upper end is missing).
    pub value: Float,
    /// A proven lower end.
    pub lo: Float,
    /// A proven upper end, when the gap bound could be computed.
    pub hi: Option<Float>,
    /// Whether the refined eigenvalue was proven to be the top one ([`mpfr_refine::enclose`]).
    pub separated: bool,
    /// MPFR products.
    pub products: usize,
    /// f64 products (Lanczos start and correction solves).
    pub f64_products: usize,
    /// Why the upper end is missing.
    pub note: Option<String>,
    /// Seconds of the dense gap bound (forming K̂, deflating, the verified f64 bound).
    pub gap_seconds: f64,
}

/// The refinement of λ_max(K) at `p` (module doc): the f64 Lanczos pair of K̂ as start, the
/// dense gap bound deflated by it ([`deflated_upper`]), [`mpfr_refine::refine`] as far as that
/// gap needs, then [`mpfr_refine::enclose`].
pub fn refine_top(p: &Point, prec: u32) -> Result<KpMpfrTop, String> {
    let mut op = KpMpfr::new(p, prec)?;
    let m = op.dim();
    let start = planner::lanczos_pair(m, |v, out| op.f64_op.apply(v, out));
    // the gap bound first, on the start vector: it sets how far to refine
    let t = std::time::Instant::now();
    let w = deflation_vector(&start.vector, start.value);
    let deflated = deflated_upper(kron_sum(&op.grams64), op.rho64, &w);
    let gap_seconds = t.elapsed().as_secs_f64();
    let opts = RefineOptions {
        gap: deflated.as_ref().ok().map(|d| start.value - d),
        ..RefineOptions::default()
    };
    let r = mpfr_refine::refine(&mut op, &start.vector, &opts).map_err(|e| e.to_string())?;
    let f64_products = start.products + r.f64_products;
    match deflated {
        Ok(d) => {
            let e = mpfr_refine::enclose(&r, &complement_upper(d, &w, &r.x));
            let value = Float::with_val(prec, &e.lo + &e.hi) / 2u32;
            Ok(KpMpfrTop {
                value,
                lo: e.lo,
                hi: Some(e.hi),
                separated: e.separated,
                products: r.products,
                f64_products,
                note: None,
                gap_seconds,
            })
        }
        Err(err) => Ok(KpMpfrTop {
            value: Float::with_val(prec, &r.theta_lo + &r.theta_hi) / 2u32,
            lo: r.theta_lo,
            hi: None,
            separated: false,
            products: r.products,
            f64_products,
            note: Some(format!(
                "the gap bound failed ({err}): only λ_max ≥ lo is proven"
            )),
            gap_seconds,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::kp_verified::tests::kp_naive_counterexample;
    use crate::enumerate::minimizers::tests::q;

    /// README's KP-naive counterexample, λ_max = 91/9 (proven exactly there).
    #[test]
    fn encloses_91_over_9_to_the_precision() {
        let p = kp_naive_counterexample();
        let t = refine_top(&p, 256).unwrap();
        let want = rug::Rational::from((91, 9));
        let hi = t.hi.clone().unwrap();
        assert!(t.lo <= want && want <= hi, "{t:?}");
        assert!(t.separated);
        assert!(Float::with_val(256, &hi - &t.lo) < Float::with_val(64, Float::u_exp(1, -230)));
        // a nonzero loss is refused
        let mut off = p.clone();
        *off.y.at_mut(0, 0) = q(2, 1);
        assert!(refine_top(&off, 256)
            .unwrap_err()
            .contains("not exactly zero"));
    }
}
