//! Seeded full-rank global minimizers of a \[ZL\] problem and seeded sample points in balls around
//! them (claims.md, ZL-minimizers and the pointwise claims).
//!
//! Minimizers (square layers): for the linear and residual networks W is a global minimizer iff
//! W_L ⋯ W_1 = Φ; with Φ invertible, every choice of invertible W_1 … W_{L−1} and
//! W_L = Φ (W_{L−1} ⋯ W_1)⁻¹ gives one, and all have full-rank layers (A_k = W_k − I for the
//! residual parameters). For the one-hidden-layer network with X invertible, W is a global
//! minimizer (f* = 0) iff W_2 σ(W_1 X) = Y; an invertible W_1 with σ(W_1 X) invertible and
//! W_2 = Y σ(W_1 X)⁻¹ gives a full-rank one (W_2 is invertible when Y is).

use crate::certify::sigma::sqrt_upper;
use crate::enumerate::minimizers::random_invertible;
use crate::linalg::enclosure::simplest_in;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::model::residual;
use crate::model::zl::{axpy, Net, Params, ZlProblem, Q};
use num_traits::{One, Signed, Zero};
use rand::Rng;

/// How often a one-hidden-layer draw may give a singular σ(W_1 X) before giving up.
const HIDDEN_TRIES: usize = 50;

/// The exact minimizer completing the free layers: W_L = Φ (W_{L−1} ⋯ W_1)⁻¹ (linear, residual;
/// `free` are the layers W_1 … W_{L−1}) or W_2 = Y σ(W_1 X)⁻¹ (one-hidden-layer, `free` = \[W_1\]).
/// Returns the parameters, `None` when the needed inverse does not exist.
pub fn complete(pb: &ZlProblem, free: &[Mat<Q>]) -> Option<Params> {
    match &pb.net {
        Net::Linear { phi } | Net::Residual { phi } => {
            let below = free.iter().fold(mat::identity(&Exact, pb.width), |acc, w| {
                mat::matmul(&Exact, w, &acc)
            });
            // W_L B = Φ ⇔ Bᵀ W_Lᵀ = Φᵀ
            let last = mat::solve_exact(&below.transpose(), &phi.transpose())?.transpose();
            let mut ws = free.to_vec();
            ws.push(last);
            Some(match pb.net {
                Net::Residual { .. } => residual::parameters(&Exact, &ws),
                _ => ws,
            })
        }
        Net::OneHidden { slope } => {
            let w1 = free[0].clone();
            let h = crate::model::one_hidden::evaluate(
                &Exact,
                &[w1.clone(), mat::zeros(&Exact, pb.width, pb.width)],
                slope,
                &pb.x,
                &pb.y,
            )
            .hidden;
            let w2 = mat::solve_exact(&h.transpose(), &pb.y.transpose())?.transpose();
            Some(vec![w1, w2])
        }
    }
}

/// The free layers of a minimizer (inverse of [`complete`]'s input): W_1 … W_{L−1} or W_1.
pub fn free_layers(pb: &ZlProblem, params: &[Mat<Q>]) -> Params {
    let w = pb.layers(params);
    w[..w.len() - 1].to_vec()
}

/// `count` seeded full-rank global minimizers; `Err` when none can be drawn.
pub fn generate(pb: &ZlProblem, rng: &mut impl Rng, count: usize) -> Result<Vec<Params>, String> {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let mut found = None;
        for _ in 0..HIDDEN_TRIES {
            let free: Params = (0..pb.depth - 1)
                .map(|_| random_invertible(rng, pb.width).0)
                .collect();
            if let Some(p) = complete(pb, &free) {
                found = Some(p);
                break;
            }
        }
        out.push(found.ok_or_else(|| {
            format!("no full-rank minimizer found in {HIDDEN_TRIES} draws (σ(W_1X) singular)")
        })?);
    }
    Ok(out)
}

/// The simplest rational in [x − |x|·2⁻³⁰, x]: a short lower bound for reports (the certificate
/// keeps the exact value).
pub fn round_down(x: &Q) -> Q {
    let w = x.abs() / Q::from_integer((1u64 << 30).into());
    simplest_in(&(x - &w), x)
}

/// The simplest rational in [x, x + |x|·2⁻³⁰].
pub fn round_up(x: &Q) -> Q {
    -round_down(&-x)
}

/// One sample: the point, the minimizer it was drawn around, the ball's radius and ‖W − W*‖².
#[derive(Clone, Debug)]
pub struct Sample {
    /// The parameters.
    pub params: Params,
    /// Index of the minimizer it was drawn around.
    pub minimizer: usize,
    /// The radius δ of the ball.
    pub radius: Q,
    /// ‖W − W*‖²_F exactly (≤ δ²).
    pub dist_sq: Q,
    /// Whether it was drawn within 1/64 of the ball's surface.
    pub near_surface: bool,
}

/// The fraction ρ of the radius at which a sample is placed: ρ ∈ [63/64, 1] (steps of 1/1024)
/// near the surface, else ρ = k/64 with k ∈ 1..=64.
pub fn radius_fraction(rng: &mut impl Rng, near_surface: bool) -> Q {
    if near_surface {
        Q::one() - Q::new(rng.gen_range(0i64..=16).into(), 1024.into())
    } else {
        Q::new(rng.gen_range(1i64..=64).into(), 64.into())
    }
}

/// `count` seeded points in the Frobenius ball of radius δ around `center`: W* + (δρ/u) U with U
/// a random rational direction, u ≥ ‖U‖_F and ρ ∈ (0, 1]; odd-numbered samples take
/// ρ ∈ [63/64, 1] (near the surface), even ones ρ = k/64, k ∈ 1..=64.
pub fn ball_samples(
    center: &[Mat<Q>],
    minimizer: usize,
    radius: &Q,
    count: usize,
    rng: &mut impl Rng,
) -> Vec<Sample> {
    (0..count)
        .map(|i| {
            let dir: Params = center
                .iter()
                .map(|m| {
                    Mat::from_fn(m.rows(), m.cols(), |_, _| {
                        Q::new(rng.gen_range(-16i64..=16).into(), 16.into())
                    })
                })
                .collect();
            let norm2 = crate::model::zl::inner(&dir, &dir);
            let dir = if norm2.is_zero() {
                center
                    .iter()
                    .map(|m| mat::identity(&Exact, m.rows()))
                    .collect()
            } else {
                dir
            };
            let u = sqrt_upper(&crate::model::zl::inner(&dir, &dir));
            let near_surface = i % 2 == 1;
            let rho = radius_fraction(rng, near_surface);
            let s = radius * rho / u;
            let params = axpy(center, &s, &dir);
            let dist_sq = &s * &s * crate::model::zl::inner(&dir, &dir);
            Sample {
                params,
                minimizer,
                radius: radius.clone(),
                dist_sq,
                near_surface,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_root_bounds_bracket_exactly() {
        for (n, d) in [(2i64, 1i64), (1, 3), (10_000, 7), (1, 1 << 40)] {
            let s = Q::new(n.into(), d.into());
            let hi = sqrt_upper(&s);
            assert!(&hi * &hi >= s);
            // within a relative 2⁻²⁰ of √s: (hi(1 − 2⁻¹⁹))² < s
            let below = &hi * (Q::one() - Q::new(1.into(), (1i64 << 19).into()));
            assert!(&below * &below < s);
        }
        assert!(sqrt_upper(&Q::zero()).is_zero());
    }
}
