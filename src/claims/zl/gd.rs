//! The pointwise gradient-dominance inequalities (ZL-gd-linear, ZL-gd-residual, ZL-gd-nonlinear)
//! and the uniform constant on a ball (ZL-gd-neighborhood), at exact sample points.
//!
//! Each inequality reads f − f* ≤ ‖∇f‖² / D with D monotone increasing in the σ_min's:
//! - linear / residual: D = 2 σ_min(X)² Σ_k Π_{j≠k} σ_min(W_j)² (W_j = I + A_j for the residual
//!   network). Derivation: ∇_{W_k}f = A_kᵀ (P − Φ) X Xᵀ B_kᵀ with A_k = W_{L:k+1}, B_k = W_{k−1:1},
//!   so ‖∇_{W_k}f‖ ≥ σ_min(A_k) σ_min(B_k) σ_min(X) ‖(P − Φ)X‖ and f − f* = ½‖(P − Φ)X‖²;
//!   σ_min of a product of square matrices is ≥ the product of the σ_min's.
//! - one-hidden-layer (0 < a ≤ 1, f* = 0): D = 2[σ_min(X)² σ_min(W_2)² a² + σ_min(σ(W_1X))²], from
//!   ‖∇_{W_2}f‖ = ‖R Hᵀ‖ ≥ σ_min(H)‖R‖ and ‖∇_{W_1}f‖ = ‖(D ⊙ W_2ᵀR)Xᵀ‖ ≥ σ_min(X) a σ_min(W_2)‖R‖
//!   (every activation slope is a or 1 ≥ a, including the right derivative 1 at kinks).
//!
//! The tightness ratio of a sample is ρ = (f − f*) D / ‖∇f‖² (the claim says ρ ≤ 1). f − f* and
//! ‖∇f‖² are exact; D is bracketed by the certified σ_min brackets (lower ends give D_lo, upper
//! ends D_hi), so ρ ∈ [ρ_lo, ρ_hi]: ρ_hi ≤ 1 proves the inequality at the sample, ρ_lo > 1 proves
//! a counterexample, and a bracket straddling 1 leaves the sample undecided.
//!
//! **Neighborhood (ZL-gd-neighborhood).** On the ball ‖W − W*‖_F ≤ δ around a full-rank minimizer
//! W*, Weyl's inequality gives σ_min(W_j) ≥ σ_min(W*_j) − ‖W_j − W*_j‖₂ ≥ σ_min(W*_j) − δ (the same
//! for I + A_j, whose displacement is A_j − A*_j). Since D is increasing in each σ_min, every W in
//! the ball satisfies f − f* ≤ ‖∇f‖² / D_δ with D_δ = D evaluated at (σ_min(W*_j) − δ)₊: the uniform
//! constant λ(δ) = 1/D_δ. For the one-hidden-layer network σ is 1-Lipschitz entrywise, so
//! ‖σ(W_1X) − σ(W*_1X)‖₂ ≤ ‖W_1 − W*_1‖_F ‖X‖₂ ≤ δ ‖X‖_F and σ_min(σ(W_1X)) ≥ σ_min(σ(W*_1X)) − δ‖X‖_F.
//! λ(δ) is finite while D_δ > 0: for L ≥ 2 square linear layers until δ reaches the second
//! smallest σ_min(W*_j) (one vanishing factor leaves the term without it), for L = 1 always; for
//! the one-hidden-layer network until δ ≥ max(σ_min(W*_2), σ_min(σ(W*_1X))/‖X‖_F). The paper's
//! neighborhood keeps every layer invertible: δ < min_j σ_min(W*_j).

use super::points::Sample;
use super::setup::Setup;
use crate::certify::sigma::{bracket, frobenius_upper, tight_bracket, SigmaBracket};
use crate::linalg::field::{float_to_q, q_to_f64, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Field, Mpfr, F64};
use crate::model::zl::{Net, Params, ZlProblem, Q};
use num_traits::{One, Signed, Zero};

/// The matrices whose σ_min enter D, in the certificate's order: the layers W_1 … W_L (I + A_k
/// for the residual network) or, for the one-hidden-layer network, [W_2, σ(W_1 X)].
pub fn factors(pb: &ZlProblem, params: &[Mat<Q>]) -> Vec<Mat<Q>> {
    match pb.net {
        Net::OneHidden { .. } => vec![
            params[1].clone(),
            pb.hidden(params).expect("one-hidden-layer"),
        ],
        _ => pb.layers(params),
    }
}

/// D from squared σ_min values: 2 s_X² Σ_k Π_{j≠k} s_j² (linear, residual) or
/// 2 (s_X² s_{W2}² a² + s_H²) (one-hidden-layer).
pub fn denominator(pb: &ZlProblem, sx2: &Q, s2: &[Q]) -> Q {
    let two = Q::from_integer(2.into());
    match &pb.net {
        Net::OneHidden { slope } => two * (sx2 * &s2[0] * slope * slope + &s2[1]),
        _ => {
            let sum = (0..s2.len()).fold(Q::zero(), |acc, k| {
                acc + s2
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .fold(Q::one(), |p, (_, s)| p * s)
            });
            two * sx2 * sum
        }
    }
}

/// (D_lo, D_hi) from brackets, each σ first shifted down by `shift` (and clamped at 0); an
/// unshifted σ enters through its squared ends ([`SigmaBracket::squared`], exact when λ_min is
/// rational), as does σ_min(X).
pub fn denominator_bracket(
    pb: &ZlProblem,
    x: &SigmaBracket,
    s: &[SigmaBracket],
    shift: &[Q],
) -> (Q, Q) {
    let down = |v: &Q, d: &Q| {
        let r = v - d;
        if r.is_negative() {
            Q::zero()
        } else {
            &r * &r
        }
    };
    let (lo, hi): (Vec<Q>, Vec<Q>) = s
        .iter()
        .zip(shift)
        .map(|(b, d)| match d.is_zero() {
            true => b.squared(),
            false => (down(&b.lower, d), down(&b.upper, d)),
        })
        .unzip();
    let (x_lo, x_hi) = x.squared();
    (denominator(pb, &x_lo, &lo), denominator(pb, &x_hi, &hi))
}

/// What the check found at one sample.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// ρ_hi ≤ 1 (or the sample is a minimizer: f − f* = 0 = ‖∇f‖²).
    Holds,
    /// ρ_lo > 1 (or ‖∇f‖² = 0 < f − f* with D_lo > 0): a counterexample.
    Fails,
    /// The bracket straddles 1.
    Undecided,
}

/// One evaluated sample.
#[derive(Clone, Debug)]
pub struct SampleEval {
    /// f − f*, exactly.
    pub gap: Q,
    /// ‖∇f‖², exactly.
    pub grad_sq: Q,
    /// The σ_min brackets of [`factors`] at the sample.
    pub sigma: Vec<SigmaBracket>,
    /// (D_lo, D_hi) used for this sample.
    pub denominators: (Q, Q),
    /// [ρ_lo, ρ_hi], `None` when ‖∇f‖² = 0.
    pub ratio: Option<(Q, Q)>,
    /// The decision.
    pub decision: Decision,
    /// ρ computed entirely in f64 (loss, gradient, σ_min by faer), for the cross-check.
    pub ratio_f64: f64,
    /// max relative error of the MPFR f − f* and ‖∇f‖² against the exact values.
    pub mpfr_rel_err: f64,
    /// Entries of W_1 X that are exactly 0 (kinks; one-hidden-layer only).
    pub kinks: usize,
}

/// (f − f*, ‖∇f‖²) in arithmetic `f`.
fn gap_and_grad<F: Field>(pb: &ZlProblem, f: &F, p: &[Mat<Q>]) -> (F::T, F::T) {
    let (l, g) = pb.loss_and_gradient(f, p);
    let gsq = g
        .iter()
        .fold(f.zero(), |acc, m| f.add(&acc, &mat::frob2(f, m)));
    (f.sub(&l, &f.embed(&pb.f_star)), gsq)
}

/// Decide the inequality from exact gap, ‖∇f‖² and (D_lo, D_hi).
pub fn decide(gap: &Q, grad_sq: &Q, (dlo, dhi): &(Q, Q)) -> (Option<(Q, Q)>, Decision) {
    if grad_sq.is_zero() {
        let d = if gap.is_zero() {
            Decision::Holds
        } else if dlo.is_positive() {
            Decision::Fails
        } else {
            Decision::Undecided
        };
        return (None, d);
    }
    let lo = gap * dlo / grad_sq;
    let hi = gap * dhi / grad_sq;
    let d = if hi <= Q::one() {
        Decision::Holds
    } else if lo > Q::one() {
        Decision::Fails
    } else {
        Decision::Undecided
    };
    (Some((lo, hi)), d)
}

/// Evaluate one sample. `shifted` = Some((minimizer brackets, shifts)) for the neighborhood
/// constant (D_δ from the minimizer's σ_min's), None for the pointwise constant.
pub fn evaluate(
    setup: &Setup,
    s: &Sample,
    shifted: Option<(&[SigmaBracket], &[Q])>,
    prec: u32,
) -> SampleEval {
    evaluate_at(&setup.pb, &setup.x_sigma, &s.params, shifted, prec)
}

/// Evaluate the inequality at the point `params` of `pb`, with σ_min(X)'s bracket `x_sigma`
/// ([`super::setup::x_sigma_bracket`]): [`evaluate`] for any point (e.g. a training checkpoint).
pub fn evaluate_at(
    pb: &ZlProblem,
    x_sigma: &SigmaBracket,
    params: &[Mat<Q>],
    shifted: Option<(&[SigmaBracket], &[Q])>,
    prec: u32,
) -> SampleEval {
    let (gap, grad_sq) = gap_and_grad(pb, &Exact, params);
    let mats = factors(pb, params);
    let mut sigma: Vec<SigmaBracket> = mats.iter().map(bracket).collect();
    let pointwise = |sigma: &[SigmaBracket]| {
        let zero = vec![Q::zero(); sigma.len()];
        denominator_bracket(pb, x_sigma, sigma, &zero)
    };
    let mut denominators = match shifted {
        None => pointwise(&sigma),
        Some((star, shift)) => denominator_bracket(pb, x_sigma, star, shift),
    };
    let (mut ratio, mut decision) = decide(&gap, &grad_sq, &denominators);
    if decision == Decision::Undecided && shifted.is_none() {
        // the 2^-20 brackets leave ρ straddling 1: retry with 2^-60 ones
        sigma = mats.iter().map(tight_bracket).collect();
        denominators = pointwise(&sigma);
        (ratio, decision) = decide(&gap, &grad_sq, &denominators);
    }
    // f64 cross-check: everything in f64
    let (gf, gsf) = gap_and_grad(pb, &F64, params);
    let dnf = {
        let q = |x: f64| crate::linalg::field::f64_to_q(x * x).unwrap_or_else(Q::zero);
        let sx = q(x_sigma.f64);
        let s2: Vec<Q> = match shifted {
            None => sigma.iter().map(|b| q(b.f64)).collect(),
            Some((star, shift)) => star
                .iter()
                .zip(shift)
                .map(|(b, d)| q((b.f64 - q_to_f64(d)).max(0.0)))
                .collect(),
        };
        q_to_f64(&denominator(pb, &sx, &s2))
    };
    let ratio_f64 = gf * dnf / gsf;
    let mp = Mpfr { prec };
    let (gm, gsm) = gap_and_grad(pb, &mp, params);
    // the MPFR values read exactly (every finite MPFR float is a dyadic rational)
    let rel = |approx: &rug::Float, exact: &Q| match float_to_q(approx) {
        Some(a) if exact.is_zero() => q_to_f64(&a.abs()),
        Some(a) => q_to_f64(&((a - exact) / exact).abs()),
        None => f64::INFINITY,
    };
    let mpfr_rel_err = rel(&gm, &gap).max(rel(&gsm, &grad_sq));
    let kinks = match pb.slope() {
        Some(a) => crate::model::one_hidden::evaluate(&Exact, params, a, &pb.x, &pb.y).kinks,
        None => 0,
    };
    SampleEval {
        gap,
        grad_sq,
        sigma,
        denominators,
        ratio,
        decision,
        ratio_f64,
        mpfr_rel_err,
        kinks,
    }
}

/// The shifts of the neighborhood bound for radius δ: δ for every layer factor, δ·x̄ (x̄ ≥ ‖X‖₂)
/// for the hidden-activation factor of the one-hidden-layer network.
pub fn shifts(pb: &ZlProblem, delta: &Q) -> Vec<Q> {
    match pb.net {
        Net::OneHidden { .. } => vec![delta.clone(), delta * frobenius_upper(&pb.x)],
        _ => vec![delta.clone(); pb.depth],
    }
}

/// The largest δ for which D_δ stays positive (f64, from the σ_min estimates of the minimizer's
/// factors), `None` when it never vanishes (L = 1).
pub fn delta_max_finite(pb: &ZlProblem, star: &[SigmaBracket]) -> Option<f64> {
    match pb.net {
        Net::OneHidden { .. } => {
            let xf = q_to_f64(&frobenius_upper(&pb.x));
            Some(star[0].f64.max(star[1].f64 / xf))
        }
        _ if star.len() < 2 => None,
        _ => {
            let mut s: Vec<f64> = star.iter().map(|b| b.f64).collect();
            s.sort_by(f64::total_cmp);
            Some(s[1])
        }
    }
}

/// The smallest σ_min(W*_j) (f64): the paper's neighborhood radius keeping every layer invertible.
pub fn delta_invertible(star: &[SigmaBracket]) -> f64 {
    star.iter().map(|b| b.f64).fold(f64::INFINITY, f64::min)
}

/// The certificate form of one evaluated sample.
pub fn sample_json(s: &Sample, e: &SampleEval) -> serde_json::Value {
    point_json(&s.params, s.minimizer, &s.radius, e)
}

/// The certificate form of the inequality evaluated at `params`, referring to minimizer number
/// `minimizer` of the certificate and the radius δ of its ball.
pub fn point_json(
    params: &Params,
    minimizer: usize,
    radius: &Q,
    e: &SampleEval,
) -> serde_json::Value {
    serde_json::json!({
        "params": params.iter().map(crate::claims::book::matrix_json).collect::<Vec<_>>(),
        "minimizer": minimizer,
        "radius": q_to_string(radius),
        "loss_gap": q_to_string(&e.gap),
        "grad_norm_sq": q_to_string(&e.grad_sq),
        "sigma": e.sigma.iter().map(SigmaBracket::json).collect::<Vec<_>>(),
        "ratio": e.ratio.as_ref().map(|(lo, hi)| [q_to_string(lo), q_to_string(hi)]),
    })
}

/// The minimizer's factors' brackets.
pub fn minimizer_sigma(pb: &ZlProblem, m: &Params) -> Vec<SigmaBracket> {
    factors(pb, m).iter().map(bracket).collect()
}
