//! The top eigenpair of a symmetric operator K refined to MPFR precision from an f64 start, with
//! a rigorous enclosure of λ_max(K) — MPFR work grows like the operator's products, not like m³.
//!
//! # Refinement (Newton on the eigenpair, correction solved in f64)
//! From a unit x with Rayleigh quotient θ = xᵀKx and residual r = Kx − θx (one MPFR product),
//! the correction t ⊥ x solves (I − xxᵀ)(θI − K)(I − xxᵀ) t = r (the Jacobi–Davidson correction
//! equation, Sleijpen & Van der Vorst, *SIAM J. Matrix Anal. Appl.* 17 (1996), eq. (6) with the
//! sign flipped), and x ← (x + t)/‖x + t‖. Solving it only to relative accuracy τ (here in f64, by
//! conjugate gradients on x⊥, where θI − K is positive definite with eigenvalues in
//! [θ − λ₂, θ − λ_min] when θ is near the top eigenvalue λ₁) multiplies the eigenvector error
//! by about τ + u₆₄·κ, κ = (θ − λ_min)/(θ − λ₂) (mixed-precision iterative refinement of an
//! eigenpair: Dongarra, Moler & Wilkinson, *SIAM J. Numer. Anal.* 20 (1983)), i.e. 40–50 bits per
//! step on a well-separated top eigenvalue, and the eigenvalue error is the square of it. The
//! iteration keeps the best residual seen and stops when it stagnates (the MPFR rounding floor) or
//! is small enough; nothing of the enclosure depends on the refinement being right — a wrong or
//! tampered start only gives a wide enclosure or an unproven one.
//!
//! # The enclosure
//! Let x̂ = x/‖x‖, θ_R = x̂ᵀKx̂, b = ‖Kx̂ − θ_R x̂‖ and μ = max{yᵀKy : ‖y‖ = 1, y ⊥ x̂}.
//! 1. λ_max(K) ≥ θ_R (Rayleigh–Ritz).
//! 2. In an orthonormal basis (x̂, Q) of ℝᵐ, K = [[θ_R, bᵀ], [b, C]] with ‖b‖ = b and C ⪯ μI, so
//!    for unit (α, z), (α, z)ᵀK(α, z) ≤ θ_Rα² + 2b|α|‖z‖ + μ‖z‖², the quadratic form of the 2 × 2
//!    matrix [[θ_R, b], [b, μ]] at (|α|, ‖z‖): λ_max(K) ≤ (θ_R + μ)/2 + √(((θ_R − μ)/2)² + b²),
//!    which is ≤ θ_R + b²/(θ_R − μ) when μ < θ_R (√(a² + b²) ≤ a + b²/(2a)), and ≤ max(θ_R, μ) + b
//!    always. This is the Kato–Temple bound (Kato, *J. Phys. Soc. Japan* 4 (1949); Parlett, *The
//!    Symmetric Eigenvalue Problem*, 1998, §10.5) in the form that needs no a-priori gap: the bound
//!    is increasing in θ_R, μ and b, so upper bounds of them may be used.
//! 3. b ≤ ‖Kx − cx‖/‖x‖ for every scalar c (the Rayleigh quotient minimizes the residual).
//! 4. μ ≤ λ₁(K − wwᵀ) + ‖w − cx‖² for every vector w and scalar c: for unit y ⊥ x,
//!    yᵀKy = yᵀ(K − wwᵀ)y + (yᵀw)² and yᵀw = yᵀ(w − cx). The first term is bounded by a verified
//!    f64 enclosure of the deflated matrix ([`top_upper`], a proven upper bound of λ_max of every
//!    symmetric matrix within ρ of an f64 matrix); with w ≈ √θ·x̂ it is ≈ λ₂, so the top eigenvalue
//!    is proven separated when that bound is below θ_R ("the value found is the top one"), and then
//!    the radius is ≈ b²/(θ − λ₂). When it is not (a near tie, or a start on the wrong eigenvector),
//!    the enclosure is still proven, but only as wide as max(θ_R, μ) + b.
//!
//! # Rounding
//! The operator reports ε with ‖ỹ − Kv‖ ≤ ε‖v‖ for its computed MPFR product ỹ of every v
//! ([`RefineOperator::product_error`]: its entries' rounding into MPFR and the products'). With
//! u = 2^(1−prec) and γ_m = mu/(1 − mu), a computed dot product of length m errs by ≤
//! γ_m Σ|x_iy_i| ≤ γ_m‖x‖‖y‖ and fl(y_i − c·x_i) by ≤ γ₂(|y_i| + |c||x_i|) (Higham, *Accuracy and
//! Stability of Numerical Algorithms*, 2nd ed., §3.1 and Lemma 3.1; MPFR rounds every operation
//! correctly, so these hold with u the unit roundoff of the precision). Norms, and every other
//! bound, are computed in 64-bit MPFR with upward (or downward) rounding of every operation on
//! nonnegative quantities, so they are bounds of the exact values without further analysis.

use crate::verified::{verified_top, VerifyError};
use rug::float::Round;
use rug::ops::AssignRound;
use rug::Float;
use std::cmp::Ordering;

/// Precision of the bound arithmetic (every operation rounded in the safe direction).
pub const BOUND_PREC: u32 = 64;

/// `v` rounded up to [`BOUND_PREC`] bits.
pub fn up<T>(v: T) -> Float
where
    Float: AssignRound<T, Round = Round, Ordering = Ordering>,
{
    Float::with_val_round(BOUND_PREC, v, Round::Up).0
}

/// `v` rounded down to [`BOUND_PREC`] bits.
pub fn down<T>(v: T) -> Float
where
    Float: AssignRound<T, Round = Round, Ordering = Ordering>,
{
    Float::with_val_round(BOUND_PREC, v, Round::Down).0
}

/// γ_m = m·u/(1 − m·u) for u = 2^(1−prec), rounded up (Higham §3.1).
pub fn gamma(m: usize, prec: u32) -> Float {
    let u = Float::with_val(BOUND_PREC, Float::u_exp(1, 1 - prec as i32));
    let mu = up(&u * m as f64);
    let one_minus = down(1 - &mu);
    up(&mu / &one_minus)
}

/// ‖v‖₂² at `prec` bits with every square and sum rounded in direction `round` (Up or Down), so
/// a bound of the exact value on that side.
pub fn sum_squares(v: &[Float], prec: u32, round: Round) -> Float {
    let mut s = Float::new(prec);
    for x in v {
        let sq = Float::with_val_round(prec, x.square_ref(), round).0;
        s = Float::with_val_round(prec, &s + &sq, round).0;
    }
    s
}

/// An upper bound of ‖v‖₂.
pub fn norm_up(v: &[Float]) -> Float {
    up(sum_squares(v, BOUND_PREC, Round::Up).sqrt_ref())
}

/// A lower bound of ‖v‖₂.
pub fn norm_down(v: &[Float]) -> Float {
    down(sum_squares(v, BOUND_PREC, Round::Down).sqrt_ref())
}

/// A symmetric operator K known exactly only through MPFR products with a proven error, plus an
/// f64 approximation of it for the correction solves.
pub trait RefineOperator {
    /// The dimension m.
    fn dim(&self) -> usize;
    /// The MPFR precision of the products.
    fn prec(&self) -> u32;
    /// out ← the computed MPFR product ỹ ≈ Kv.
    fn apply_mpfr(&mut self, v: &[Float], out: &mut [Float]);
    /// ε with ‖ỹ − Kv‖₂ ≤ ε‖v‖₂ for every v and the exact K (rounded up).
    fn product_error(&self) -> Float;
    /// out ← K̃v for an f64 approximation K̃ of K (used only to compute corrections).
    fn apply_f64(&mut self, v: &[f64], out: &mut [f64]);
}

/// Limits of the refinement.
#[derive(Clone, Debug)]
pub struct RefineOptions {
    /// At most this many MPFR products.
    pub max_products: usize,
    /// Relative tolerance of the f64 conjugate-gradient correction solves.
    pub cg_tol: f64,
    /// At most this many f64 products per correction solve.
    pub cg_max: usize,
    /// A lower bound δ of θ − μ when known beforehand (the gap proof done on the start vector):
    /// the refinement then stops once b²/δ ≤ 2^−(prec+8)|θ|, i.e. at the relative residual
    /// √(2^−(prec+8)·δ/|θ|); without it at 2^(−3·prec/4).
    pub gap: Option<f64>,
    /// The relative residual ‖r‖/|θ| at which to stop, when the caller needs no more than that
    /// (the eigenvalue is then known to about this relative accuracy by the residual bound);
    /// never below the default target of `gap` above.
    pub residual_target: Option<f64>,
}

impl Default for RefineOptions {
    fn default() -> Self {
        RefineOptions {
            max_products: 10,
            cg_tol: 1e-14,
            cg_max: 2000,
            gap: None,
            residual_target: None,
        }
    }
}

/// A refined eigenpair with the proven quantities of the module doc.
#[derive(Clone, Debug)]
pub struct Refined {
    /// The refined vector x (‖x‖ ≈ 1).
    pub x: Vec<Float>,
    /// A lower bound of θ_R = x̂ᵀKx̂ (so of λ_max(K)), at the operator's precision.
    pub theta_lo: Float,
    /// An upper bound of θ_R.
    pub theta_hi: Float,
    /// An upper bound of b = ‖Kx̂ − θ_R x̂‖.
    pub residual: Float,
    /// MPFR products used.
    pub products: usize,
    /// f64 products used by the correction solves.
    pub f64_products: usize,
    /// The computed relative residual ‖r̃‖/|θ| after each MPFR product.
    pub history: Vec<f64>,
}

/// Why no refinement could be made.
#[derive(Debug, thiserror::Error)]
pub enum RefineError {
    /// The start vector is zero, empty, of the wrong length or not finite.
    #[error("the start vector is unusable (zero, non-finite or of the wrong length)")]
    BadStart,
}

/// One MPFR product at x and what it gives: y = K̃x, θ̃ = fl(xᵀy)/fl(xᵀx), r̃ = fl(y − θ̃x).
struct Step {
    x: Vec<Float>,
    y: Vec<Float>,
    theta: Float,
    r: Vec<Float>,
    rel: f64,
}

fn step(op: &mut impl RefineOperator, x: Vec<Float>) -> Step {
    let prec = op.prec();
    let mut y = vec![Float::new(prec); x.len()];
    op.apply_mpfr(&x, &mut y);
    let (n1, n2) = (dot(&x, &y, prec), dot(&x, &x, prec));
    let theta = Float::with_val(prec, &n1 / &n2);
    let r: Vec<Float> = y
        .iter()
        .zip(&x)
        .map(|(yi, xi)| {
            let t = Float::with_val(prec, &theta * xi);
            Float::with_val(prec, yi - &t)
        })
        .collect();
    let rn = dot(&r, &r, prec).sqrt().to_f64();
    let rel = rn / theta.to_f64().abs().max(f64::MIN_POSITIVE);
    Step {
        x,
        y,
        theta,
        r,
        rel,
    }
}

/// fl(Σ a_i b_i) at `prec` (fused multiply-adds).
fn dot(a: &[Float], b: &[Float], prec: u32) -> Float {
    let mut s = Float::new(prec);
    for (x, y) in a.iter().zip(b) {
        s += x * y;
    }
    s
}

/// x/fl(‖x‖) at `prec`.
fn normalized(x: &[Float], prec: u32) -> Vec<Float> {
    let n = dot(x, x, prec).sqrt();
    x.iter().map(|v| Float::with_val(prec, v / &n)).collect()
}

/// Refine the eigenpair of `op` from `start` (an f64 approximation of the top eigenvector) and
/// bound θ_R and b rigorously (module doc).
pub fn refine(
    op: &mut impl RefineOperator,
    start: &[f64],
    opts: &RefineOptions,
) -> Result<Refined, RefineError> {
    let (m, prec) = (op.dim(), op.prec());
    if start.len() != m || m == 0 || start.iter().any(|v| !v.is_finite()) {
        return Err(RefineError::BadStart);
    }
    if start.iter().all(|v| *v == 0.0) {
        return Err(RefineError::BadStart);
    }
    let x0: Vec<Float> = start.iter().map(|v| Float::with_val(prec, *v)).collect();
    let mut best = step(op, normalized(&x0, prec));
    let mut history = vec![best.rel];
    let mut products = 1;
    let mut f64_products = 0;
    let theta = best.theta.to_f64().abs().max(f64::MIN_POSITIVE);
    let target = match opts.gap {
        Some(gap) if gap > 0.0 => ((-(prec as f64) - 8.0).exp2() * gap / theta).sqrt(),
        _ => (-(prec as f64) * 0.75).exp2(),
    };
    let target = opts.residual_target.map_or(target, |t| t.max(target));
    while products < opts.max_products && best.rel > target && m > 1 {
        let (t, used) = correction(op, &best, opts);
        f64_products += used;
        let rn = dot(&best.r, &best.r, prec).sqrt();
        let x: Vec<Float> = best
            .x
            .iter()
            .zip(&t)
            .map(|(xi, ti)| Float::with_val(prec, xi + &(Float::with_val(prec, &rn * *ti))))
            .collect();
        let next = step(op, normalized(&x, prec));
        products += 1;
        history.push(next.rel);
        // the rounding floor (or a failed solve): keep the best residual seen
        if next.rel.is_nan() || next.rel >= best.rel * 0.5 {
            if next.rel < best.rel {
                best = next;
            }
            break;
        }
        best = next;
    }
    let (theta_lo, theta_hi, residual) = bounds(&best, op.product_error(), prec);
    Ok(Refined {
        x: best.x,
        theta_lo,
        theta_hi,
        residual,
        products,
        f64_products,
        history,
    })
}

/// The rigorous θ_R ∈ [θ_lo, θ_hi] and b ≤ residual of the module doc at the step's x, from its
/// computed y, θ̃ and r̃ and the operator's product error ε.
fn bounds(s: &Step, eps: Float, prec: u32) -> (Float, Float, Float) {
    let m = s.x.len();
    let (nx_up, nx_dn) = (norm_up(&s.x), norm_down(&s.x));
    let ny_up = norm_up(&s.y);
    // ‖x‖² at full precision: θ_R's bounds are divided by it
    let nx2_up = sum_squares(&s.x, prec, Round::Up);
    let nx2_dn = sum_squares(&s.x, prec, Round::Down);
    // |fl(xᵀy) − xᵀKx| ≤ γ_m‖x‖‖y‖ + ε‖x‖²
    let e1 = up(&up(&up(&gamma(m, prec) * &nx_up) * &ny_up) + &up(&eps * &nx2_up));
    let n1 = dot(&s.x, &s.y, prec);
    let lo_num = Float::with_val_round(prec, &n1 - &e1, Round::Down).0;
    let hi_num = Float::with_val_round(prec, &n1 + &e1, Round::Up).0;
    let div = |num: &Float, round: Round| {
        // num/‖x‖² rounded in direction `round`, with ‖x‖² bounded on the safe side
        let den = match (num.is_sign_negative(), round) {
            (false, Round::Down) | (true, Round::Up) => &nx2_up,
            _ => &nx2_dn,
        };
        Float::with_val_round(prec, num / den, round).0
    };
    let theta_lo = div(&lo_num, Round::Down);
    let theta_hi = div(&hi_num, Round::Up);
    // ‖Kx − θ̃x‖ ≤ ‖r̃‖ + ε‖x‖ + γ₂(‖y‖ + |θ̃|‖x‖), then divided by ‖x‖
    let abs_theta = up(s.theta.abs_ref());
    let sub = up(&gamma(2, prec) * &up(&ny_up + &up(&abs_theta * &nx_up)));
    let num = up(&up(&norm_up(&s.r) + &up(&eps * &nx_up)) + &sub);
    (theta_lo, theta_hi, up(&num / &nx_dn))
}

/// An approximate solution t ⊥ x of (I − xxᵀ)(θI − K̃)(I − xxᵀ)t = r/‖r‖ by conjugate gradients
/// in f64 (Hestenes & Stiefel 1952), at most `cg_max` products; stops early at a non-positive
/// curvature (θ is then not above the rest of the spectrum of K̃ on x⊥). Returns t and the
/// products used.
fn correction(op: &mut impl RefineOperator, s: &Step, opts: &RefineOptions) -> (Vec<f64>, usize) {
    let m = s.x.len();
    let theta = s.theta.to_f64();
    let xf: Vec<f64> = s.x.iter().map(|v| v.to_f64()).collect();
    let xn = xf.iter().map(|v| v * v).sum::<f64>().sqrt();
    let xf: Vec<f64> = xf.iter().map(|v| v / xn).collect();
    let project = |v: &mut [f64]| {
        let c: f64 = v.iter().zip(&xf).map(|(a, b)| a * b).sum();
        for (vi, xi) in v.iter_mut().zip(&xf) {
            *vi -= c * xi;
        }
    };
    let rn = dot(&s.r, &s.r, op.prec()).sqrt();
    let mut g: Vec<f64> =
        s.r.iter()
            .map(|v| Float::with_val(64, v / &rn).to_f64())
            .collect();
    project(&mut g);
    let mut t = vec![0.0; m];
    let mut res = g.clone();
    let mut p = res.clone();
    let mut ap = vec![0.0; m];
    let g_norm = norm2(&g);
    let mut rr = g_norm * g_norm;
    let mut used = 0;
    while used < opts.cg_max && rr.sqrt() > opts.cg_tol * g_norm {
        op.apply_f64(&p, &mut ap);
        used += 1;
        for (a, pi) in ap.iter_mut().zip(&p) {
            *a = theta * pi - *a;
        }
        project(&mut ap);
        let curv: f64 = p.iter().zip(&ap).map(|(a, b)| a * b).sum();
        if curv.is_nan() || curv <= 0.0 {
            break;
        }
        let alpha = rr / curv;
        for i in 0..m {
            t[i] += alpha * p[i];
            res[i] -= alpha * ap[i];
        }
        let rr_new: f64 = res.iter().map(|v| v * v).sum();
        let beta = rr_new / rr;
        rr = rr_new;
        for i in 0..m {
            p[i] = res[i] + beta * p[i];
        }
    }
    project(&mut t);
    (t, used)
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Above this order the gap proof's dense step is a verified Cholesky instead of a verified
/// eigendecomposition (the same crossover as the KP enclosure's).
pub const CHOLESKY_ABOVE: usize = 128;

/// A proven upper bound of λ_max(M) for every symmetric M with ‖M − mid‖₂ ≤ ρ: the gap proof's
/// one dense step. Up to [`CHOLESKY_ABOVE`] a verified eigendecomposition ([`verified_top`]);
/// above it (O(m³/3) instead of a full eigendecomposition's larger constant: 4096² in seconds)
/// an f64 Lanczos vector of `mid` and the first u above its Rayleigh quotient that a verified
/// floating Cholesky of uI − mid proves ([`crate::cholesky_verified::verified_top_cholesky`]);
/// the vector only places the candidate u, the bound is proven whatever it is. `mid` must be
/// exactly symmetric.
pub fn top_upper(mid: faer::MatRef<'_, f64>, rho: f64) -> Result<f64, VerifyError> {
    let m = mid.nrows();
    if m <= CHOLESKY_ABOVE {
        return Ok(verified_top(mid, rho)?.hi);
    }
    let par = faer::get_global_parallelism();
    let pair = crate::lanczos::top_eigenpair(
        m,
        |v, out| {
            faer::linalg::matmul::matmul(
                faer::ColMut::from_slice_mut(out).as_mat_mut(),
                faer::Accum::Replace,
                mid,
                faer::ColRef::from_slice(v).as_mat(),
                1.0,
                par,
            )
        },
        GAP_LANCZOS_SEED,
        1e-10,
        m.min(300),
    );
    Ok(crate::cholesky_verified::verified_top_cholesky(mid, rho, &pair.vector)?.hi)
}

/// The seed of the gap proof's Lanczos start vector (any seed gives a proven bound).
const GAP_LANCZOS_SEED: u64 = 0x6a9;

/// The deflation vector w = √θ·x/‖x‖ in f64 (any w is valid in item 4 of the module doc; this
/// one makes λ₁(K − wwᵀ) ≈ λ₂ when x ≈ the top eigenvector and θ ≈ λ₁).
pub fn deflation_vector(x: &[f64], theta: f64) -> Vec<f64> {
    let c = theta.max(0.0).sqrt() / norm2(x);
    x.iter().map(|v| v * c).collect()
}

/// A proven upper bound of λ₁(K − wwᵀ) from an f64 matrix `k` with ‖K − k‖₂ ≤ `rho` (consumed:
/// deflated in place): M = fl(k − wwᵀ) is exactly symmetric and each entry errs by
/// ≤ γ₂⁽⁶⁴⁾(|k_ij| + |w_i w_j|), so ‖K − wwᵀ − M‖₂ ≤ ρ + γ₂⁽⁶⁴⁾(‖k‖_F + ‖w‖²); then
/// [`top_upper`].
pub fn deflated_upper(mut k: faer::Mat<f64>, rho: f64, w: &[f64]) -> Result<f64, VerifyError> {
    let m = w.len();
    assert!(k.nrows() == m && k.ncols() == m, "deflated_upper: sizes");
    let kf = crate::verified::frobenius_up(k.as_ref());
    let mut w2 = Float::new(BOUND_PREC);
    for wi in w {
        w2 = up(&w2 + &up(*wi * *wi));
    }
    for j in 0..m {
        for i in 0..m {
            k[(i, j)] -= w[i] * w[j];
        }
    }
    let g2 = crate::verified::gamma(2);
    let radius = up(&Float::with_val(BOUND_PREC, rho) + &up(&up(&w2 + kf) * g2));
    top_upper(k.as_ref(), radius.to_f64_round(Round::Up))
}

/// μ = max{yᵀKy : ‖y‖ = 1, y ⊥ x} ≤ `deflated` + ‖w − cx‖² (module doc, item 4) for the
/// deflation vector `w`, `deflated` ≥ λ₁(K − wwᵀ) ([`deflated_upper`]) and c = fl(wᵀx/xᵀx)
/// (any c is valid); ‖w − cx‖² is bounded entrywise from the exact products c·x_i (at twice the
/// precision) with directed roundings.
pub fn complement_upper(deflated: f64, w: &[f64], x: &[Float]) -> Float {
    let prec = x.first().map_or(BOUND_PREC, Float::prec);
    let wm: Vec<Float> = w.iter().map(|v| Float::with_val(prec, *v)).collect();
    let c = Float::with_val(prec, dot(&wm, x, prec) / dot(x, x, prec));
    let mut d2 = Float::new(BOUND_PREC);
    for (wi, xi) in w.iter().zip(x) {
        let p = Float::with_val(2 * prec, &c * xi);
        let d_up = up(*wi - &p).abs();
        let d_dn = down(*wi - &p).abs();
        let d = if d_up > d_dn { d_up } else { d_dn };
        d2 = up(&d2 + &up(d.square_ref()));
    }
    up(&Float::with_val(BOUND_PREC, deflated) + &d2)
}

/// A proven enclosure [lo, hi] of λ_max(K) from a refinement and an upper bound `mu` of μ
/// (module doc, items 1–2).
#[derive(Clone, Debug)]
pub struct TopEnclosure {
    /// Lower end (θ_R's lower bound).
    pub lo: Float,
    /// Upper end.
    pub hi: Float,
    /// Whether μ < θ_R was proven: the refined eigenvalue is the top one and the radius is the
    /// Kato–Temple b²/(θ − μ); else hi = max(θ_R, μ) + b (as wide as the f64 gap bound).
    pub separated: bool,
}

/// The enclosure of item 2 of the module doc from θ_R ∈ [θ_lo, θ_hi], b ≤ `r.residual` and
/// μ ≤ `mu`, every operation rounded outward at the refinement's precision.
pub fn enclose(r: &Refined, mu: &Float) -> TopEnclosure {
    let prec = r.theta_hi.prec();
    let b2 = up(r.residual.square_ref());
    let separated = *mu < r.theta_lo;
    let hi = if separated {
        let gap = Float::with_val_round(BOUND_PREC, &r.theta_lo - mu, Round::Down).0;
        let extra = up(&b2 / &gap);
        Float::with_val_round(prec, &r.theta_hi + &extra, Round::Up).0
    } else {
        let top = if *mu > r.theta_hi {
            Float::with_val_round(prec, mu, Round::Up).0
        } else {
            r.theta_hi.clone()
        };
        Float::with_val_round(prec, &top + &r.residual, Round::Up).0
    };
    TopEnclosure {
        lo: r.theta_lo.clone(),
        hi,
        separated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rug::Rational;

    /// A dense symmetric K known exactly (rationals), as an operator: MPFR entries rounded to
    /// nearest (‖K − K̃‖₂ ≤ ‖K − K̃‖_F ≤ u‖K̃‖_F/(1 − u) ≤ 2u‖K̃‖_F) and products errring by
    /// ≤ γ_m‖K̃‖_F‖v‖.
    struct Dense {
        m: usize,
        prec: u32,
        mp: Vec<Float>,
        f: Vec<f64>,
    }

    impl Dense {
        fn new(k: &[Rational], m: usize, prec: u32) -> Self {
            Dense {
                m,
                prec,
                mp: k.iter().map(|q| Float::with_val(prec, q)).collect(),
                f: k.iter().map(|q| q.to_f64()).collect(),
            }
        }

        /// The f64 matrix and a bound of its distance to K (2⁻⁵²‖k‖_F ≥ u₆₄‖K‖_F/(1 − u₆₄)).
        fn f64_matrix(&self) -> (faer::Mat<f64>, f64) {
            let k = faer::Mat::from_fn(self.m, self.m, |i, j| self.f[i * self.m + j]);
            let rho = crate::verified::frobenius_up(k.as_ref()) * f64::EPSILON * 1.01;
            (k, rho)
        }
    }

    impl RefineOperator for Dense {
        fn dim(&self) -> usize {
            self.m
        }
        fn prec(&self) -> u32 {
            self.prec
        }
        fn apply_mpfr(&mut self, v: &[Float], out: &mut [Float]) {
            for (i, o) in out.iter_mut().enumerate() {
                *o = dot(&self.mp[i * self.m..(i + 1) * self.m], v, self.prec);
            }
        }
        fn product_error(&self) -> Float {
            let kf = norm_up(&self.mp);
            let u2 = Float::with_val(BOUND_PREC, Float::u_exp(1, 2 - self.prec as i32));
            up(&up(&gamma(self.m, self.prec) + &u2) * &kf)
        }
        fn apply_f64(&mut self, v: &[f64], out: &mut [f64]) {
            for (i, o) in out.iter_mut().enumerate() {
                *o = (0..self.m).map(|j| self.f[i * self.m + j] * v[j]).sum();
            }
        }
    }

    /// H = I − 2vvᵀ/(vᵀv), exactly orthogonal and rational.
    fn householder(v: &[i64]) -> Vec<Rational> {
        let m = v.len();
        let vv: i64 = v.iter().map(|x| x * x).sum();
        let mut h = vec![Rational::new(); m * m];
        for i in 0..m {
            for j in 0..m {
                let d = if i == j { 1 } else { 0 };
                h[i * m + j] = Rational::from(d) - Rational::from((2 * v[i] * v[j], vv));
            }
        }
        h
    }

    fn matmul(a: &[Rational], b: &[Rational], m: usize) -> Vec<Rational> {
        let mut c = vec![Rational::new(); m * m];
        for i in 0..m {
            for k in 0..m {
                for j in 0..m {
                    c[i * m + j] += Rational::from(&a[i * m + k] * &b[k * m + j]);
                }
            }
        }
        c
    }

    /// Q D Qᵀ with Q = H(v₁)H(v₂) (exactly orthogonal): eigenvalues exactly `d`, eigenvectors the
    /// columns of Q (also returned, row-major).
    fn known(d: &[Rational]) -> (Vec<Rational>, Vec<Rational>) {
        let m = d.len();
        let v1: Vec<i64> = (0..m as i64).map(|i| (i * 7 + 3) % 5 - 2).collect();
        let v2: Vec<i64> = (0..m as i64).map(|i| (i * 3 + 1) % 4 + 1).collect();
        let q = matmul(&householder(&v1), &householder(&v2), m);
        let mut qd = q.clone();
        for i in 0..m {
            for j in 0..m {
                qd[i * m + j] *= &d[j];
            }
        }
        let mut qt = q.clone();
        for i in 0..m {
            for j in 0..m {
                qt[i * m + j] = q[j * m + i].clone();
            }
        }
        (matmul(&qd, &qt, m), q)
    }

    fn f64_top_vector(k: &faer::Mat<f64>) -> Vec<f64> {
        let evd = k.self_adjoint_eigen(faer::Side::Lower).unwrap();
        let m = k.nrows();
        (0..m).map(|i| evd.U()[(i, m - 1)]).collect()
    }

    /// Refine from `start` and enclose, the gap bound from the f64 matrix.
    /// The gap bound from the start vector, then the refinement and the enclosure.
    fn run(op: &mut Dense, start: &[f64]) -> (Refined, TopEnclosure) {
        let mut ks = vec![0.0; start.len()];
        op.apply_f64(start, &mut ks);
        let theta0 = ks.iter().zip(start).map(|(a, b)| a * b).sum::<f64>()
            / start.iter().map(|v| v * v).sum::<f64>();
        let (k, rho) = op.f64_matrix();
        let w = deflation_vector(start, theta0);
        let deflated = deflated_upper(k, rho, &w).unwrap();
        let opts = RefineOptions {
            gap: Some(theta0 - deflated),
            ..RefineOptions::default()
        };
        let r = refine(op, start, &opts).unwrap();
        let mu = complement_upper(deflated, &w, &r.x);
        let e = enclose(&r, &mu);
        (r, e)
    }

    fn q(n: i64, d: i64) -> Rational {
        Rational::from((n, d))
    }

    fn contains(e: &TopEnclosure, v: &Rational) -> bool {
        e.lo <= *v && *v <= e.hi
    }

    #[test]
    fn a_separated_top_eigenvalue_is_enclosed_to_the_precision() {
        let d: Vec<Rational> = [5, 3, 2, 1, 1, 0, -1, 7, 2, 4, 0, 1]
            .iter()
            .map(|&v| q(v, 3))
            .collect();
        let (k, _) = known(&d);
        let mut op = Dense::new(&k, d.len(), 256);
        let start = f64_top_vector(&op.f64_matrix().0);
        let (r, e) = run(&mut op, &start);
        let top = q(7, 3);
        assert!(contains(&e, &top), "{e:?}");
        assert!(e.separated);
        // 256-bit arithmetic on O(1) entries: a radius near 2⁻²⁴⁰
        let width = Float::with_val(256, &e.hi - &e.lo);
        assert!(
            width < Float::with_val(64, Float::u_exp(1, -230)),
            "{width} {r:?}"
        );
        assert!(r.products <= 6, "{r:?}");
    }

    #[test]
    fn a_near_tie_gets_an_honest_enclosure() {
        // λ₁ = 1, λ₂ = 1 − 10⁻³⁰: f64 cannot tell the two eigenvectors apart
        let tiny = Rational::from((1, rug::Integer::from(rug::Integer::u_pow_u(10, 30))));
        let mut d: Vec<Rational> = (0..10).map(|i| q(i, 20)).collect();
        d[3] = q(1, 1);
        d[7] = q(1, 1) - tiny;
        let (k, _) = known(&d);
        let mut op = Dense::new(&k, d.len(), 256);
        let start = f64_top_vector(&op.f64_matrix().0);
        let (_, e) = run(&mut op, &start);
        assert!(contains(&e, &q(1, 1)), "{e:?}");
        // the top eigenvalue cannot be proven separated, and the width says so
        assert!(!e.separated);
        assert!(Float::with_val(256, &e.hi - &e.lo) > 1e-30);
    }

    #[test]
    fn a_wrong_start_vector_still_gives_a_true_enclosure() {
        let d: Vec<Rational> = (0..9).map(|i| q(i * i + 1, 2)).collect();
        let (k, qm) = known(&d);
        let m = d.len();
        let top = q(65, 2);
        // the exact eigenvector of the second eigenvalue (25/2), then a random one
        let second: Vec<f64> = (0..m).map(|i| qm[i * m + 7].to_f64()).collect();
        let random: Vec<f64> = (0..m).map(|i| ((i * 37 + 11) % 13) as f64 - 6.0).collect();
        for (start, wrong) in [(second, true), (random, false)] {
            let mut op = Dense::new(&k, m, 256);
            let (_, e) = run(&mut op, &start);
            assert!(contains(&e, &top), "{e:?}");
            // refined to 25/2, the deflated matrix still has 65/2: never claimed the top (a
            // random start may converge to any eigenpair; only the enclosure is promised)
            if wrong {
                assert!(!e.separated, "{e:?}");
            }
        }
        let mut op = Dense::new(&k, m, 256);
        assert!(refine(&mut op, &vec![0.0; m], &RefineOptions::default()).is_err());
        assert!(refine(&mut op, &[1.0], &RefineOptions::default()).is_err());
    }

    #[test]
    fn bound_arithmetic_rounds_outward() {
        let v = vec![Float::with_val(256, 1) / 3u32; 3];
        let exact = Float::with_val(256, 1) / Float::with_val(256, 3).sqrt();
        assert!(norm_down(&v) <= exact && exact <= norm_up(&v));
        // γ₂ at 53 bits: 2·2⁻⁵²/(1 − 2·2⁻⁵²) ≥ 4.44e-16
        assert!(gamma(2, 53) >= 4.44e-16 && gamma(2, 53) < 4.45e-16);
    }
}
