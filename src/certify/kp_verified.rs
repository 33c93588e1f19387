//! A proven enclosure of λ_max(∇²f) at an exact zero-loss point that scales to thousands of
//! parameters: through the KP-exact operator and verified floating point.
//!
//! 1. Zero loss is checked exactly (z_L = W_{L−1}⋯W_0 X = Y in rationals). Then ∇²f = JᵀJ and
//!    K = JJᵀ = Σ_k z_kᵀz_k ⊗ A_kA_kᵀ (claims.md, KP-exact), and JᵀJ, JJᵀ have the same nonzero
//!    eigenvalues and are both ⪰ 0, so λ_max(∇²f) = λ_max(K).
//! 2. The 2L Gram factors G_k = z_kᵀz_k and S_k = A_kA_kᵀ are computed exactly (rationals; they
//!    are only n × n and d_L × d_L), rounded to f64 (G̃_k, S̃_k) and the rounding errors bounded
//!    entrywise exactly: r(G)_ij ≥ |G_ij − G̃_ij|.
//! 3. K̃ = fl(Σ_k G̃_k ⊗ S̃_k), and ‖K − K̃‖₂ ≤ ρ with
//!    ρ = Σ_k [‖r(G_k)‖_F(‖S̃_k‖_F + ‖r(S_k)‖_F) + ‖G̃_k‖_F‖r(S_k)‖_F] + γ_L Σ_k ‖G̃_k‖_F‖S̃_k‖_F
//!    (‖A ⊗ B‖_F = ‖A‖_F‖B‖_F; a length-L floating dot product errs by ≤ γ_L Σ|x_i y_i|).
//! 4. λ_max of every matrix within ρ of K̃ is enclosed by [`verified_top`] (full verified
//!    eigendecomposition) up to m = [`CHOLESKY_ABOVE`], beyond it by [`verified_top_cholesky`]
//!    (Rayleigh quotient of a Lanczos vector of K̃ below, one verified floating Cholesky of
//!    uI − K̃ above: n³/3 multiply-adds instead of the eigendecomposition's ≈ 9n³ plus two
//!    products; at m = 1024 the Cholesky takes 0.11 s, so it serves every m up to KP_LIMIT =
//!    4096).

use crate::enumerate::minimizers::Point;
use crate::linalg::cholesky_verified::verified_top_cholesky;
use crate::linalg::field::{f64_to_q, q_to_rug};
use crate::linalg::lanczos;
use crate::linalg::mat::Mat;
use crate::linalg::scaled::Scaled;
use crate::linalg::verified::{frobenius_up, gamma, next_up, verified_top, VerifiedTop};
use crate::linalg::Enclosure;
use crate::model::network_f64::kron_sum;
use num_rational::BigRational;
use rug::float::Round;
use rug::Float;

/// A proven enclosure of λ_max(∇²f) through the KP operator, with its parts.
#[derive(Clone, Debug)]
pub struct KpEnclosure {
    /// The enclosure (rational ends, exactly the f64 ends below).
    pub enclosure: Enclosure,
    /// The verified eigenvalue bound of K̃ and the input radius ρ.
    pub top: VerifiedTop,
    /// The dimension d_L·n of K.
    pub dim: usize,
    /// How K̃'s top eigenvalue was enclosed: "kp-verified-f64" (eigendecomposition) or
    /// "kp-verified-f64-cholesky".
    pub method: &'static str,
}

/// Largest m enclosed by the verified eigendecomposition; above it the verified Cholesky takes
/// over (at such sizes both take milliseconds, and the eigendecomposition's enclosure is the
/// narrower one).
pub const CHOLESKY_ABOVE: usize = 128;
/// Relative residual of the Lanczos vector for the Rayleigh quotient (its error is about the
/// residual squared over the gap, so a loose tolerance suffices).
const RAYLEIGH_TOL: f64 = 1e-10;

/// Prove an enclosure of λ_max(∇²f) at the exact point `p` through the KP operator. Errors when
/// the point is not exact, its loss is not exactly zero, or a bound cannot be proven.
pub fn enclose(p: &Point) -> Result<KpEnclosure, String> {
    let ZeroLossFactors { z, above } = zero_loss_factors(p)?;
    let l = p.weights.len();
    let mut pairs = Vec::with_capacity(l);
    let mut rho = 0.0f64;
    let mut magnitude = 0.0f64;
    for k in 0..l {
        let (g, rg) = rounded(&z[k].gram_tn().to_q())?;
        let (s, rs) = rounded(&above[k].gram_nt().to_q())?;
        let (gf, sf) = (frobenius_up(g.as_ref()), frobenius_up(s.as_ref()));
        let (rgf, rsf) = (frobenius_up(rg.as_ref()), frobenius_up(rs.as_ref()));
        rho += rgf * (sf + rsf) + gf * rsf;
        magnitude += gf * sf;
        pairs.push((g, s));
    }
    let rho = rho + gamma(l) * magnitude;
    let k = kron_sum(&pairs);
    let m = k.nrows();
    let (top, method) = if m <= CHOLESKY_ABOVE {
        let top = verified_top(k.as_ref(), rho).map_err(|e| e.to_string())?;
        (top, "kp-verified-f64")
    } else {
        let par = faer::get_global_parallelism();
        let pair = lanczos::top_eigenpair(
            m,
            |v, out| {
                faer::linalg::matmul::matmul(
                    faer::ColMut::from_slice_mut(out).as_mat_mut(),
                    faer::Accum::Replace,
                    k.as_ref(),
                    faer::ColRef::from_slice(v).as_mat(),
                    1.0,
                    par,
                )
            },
            crate::certify::planner::LANCZOS_SEED,
            RAYLEIGH_TOL,
            m.min(300),
        );
        let top =
            verified_top_cholesky(k.as_ref(), rho, &pair.vector).map_err(|e| e.to_string())?;
        (top, "kp-verified-f64-cholesky")
    };
    let lo = f64_to_q(top.lo.max(0.0)).ok_or("non-finite lower end")?;
    let hi = f64_to_q(top.hi).ok_or("non-finite upper end")?;
    let enclosure = Enclosure::new(lo, hi).ok_or("lower end above upper end")?;
    Ok(KpEnclosure {
        enclosure,
        top,
        dim: m,
        method,
    })
}

/// The exact factors of J(V) = Σ_k A_k V_k z_k at an exact zero-loss point (shared by the KP
/// enclosures and by [`super::hessian_mpfr`]).
pub struct ZeroLossFactors {
    /// z_k = W_{k−1}⋯W_0 X, k = 0..=L (z_L = Y).
    pub z: Vec<Scaled>,
    /// A_k = W_{L−1}⋯W_{k+1}, k = 0..L (A_{L−1} = I).
    pub above: Vec<Scaled>,
}

/// [`ZeroLossFactors`] at `p`; errors when the point is not exact (an MPFR rounding) or its loss
/// is not exactly zero (then ∇²f ≠ JᵀJ and the KP operator does not give λ_max(∇²f)).
pub fn zero_loss_factors(p: &Point) -> Result<ZeroLossFactors, String> {
    if !p.exact {
        return Err("the point is not exact (an MPFR rounding): no proven enclosure".into());
    }
    let l = p.weights.len();
    let ws: Vec<Scaled> = p.weights.iter().map(Scaled::from_q).collect();
    let z = activations(&ws, &p.x);
    if !z[l].equals(&p.y) {
        return Err(
            "the loss is not exactly zero: the KP operator does not give λ_max(∇²f)".into(),
        );
    }
    let mut above = vec![Scaled::identity(p.y.rows())];
    for k in (1..l).rev() {
        let next = above.last().expect("A_{L−1} is present").matmul(&ws[k]);
        above.push(next);
    }
    above.reverse();
    Ok(ZeroLossFactors { z, above })
}

/// z_k = W_{k−1}⋯W_0 X exactly, k = 0..=L.
pub fn activations(ws: &[Scaled], x: &Mat<BigRational>) -> Vec<Scaled> {
    let mut z = vec![Scaled::from_q(x)];
    for w in ws {
        let next = w.matmul(z.last().expect("z_0 is present"));
        z.push(next);
    }
    z
}

/// Is the loss exactly zero at `p` (W_L⋯W_1 X = Y in rationals)?
pub fn exact_zero_loss(p: &Point) -> bool {
    let ws: Vec<Scaled> = p.weights.iter().map(Scaled::from_q).collect();
    let mut z = Scaled::from_q(&p.x);
    for w in &ws {
        z = w.matmul(&z);
    }
    z.equals(&p.y)
}

/// The nearest f64 matrix to an exact one and an entrywise upper bound of the rounding error:
/// q rounded down and up by MPFR at 53 bits (correctly rounded, so q lies between the two), the
/// nearest one kept and the distance between the two (exact in f64: adjacent floats, or 0 when q
/// is a float) as the bound. No rational arithmetic (whose gcds dominated at m = 4096).
fn rounded(m: &Mat<BigRational>) -> Result<(faer::Mat<f64>, faer::Mat<f64>), String> {
    let mut mid = faer::Mat::<f64>::zeros(m.rows(), m.cols());
    let mut rad = faer::Mat::<f64>::zeros(m.rows(), m.cols());
    for i in 0..m.rows() {
        for j in 0..m.cols() {
            let q = q_to_rug(m.at(i, j));
            let down = Float::with_val_round(53, &q, Round::Down).0.to_f64();
            let up = Float::with_val_round(53, &q, Round::Up).0.to_f64();
            let near = Float::with_val(53, &q).to_f64();
            if !(down.is_finite() && up.is_finite()) {
                return Err("a Gram entry overflows f64".into());
            }
            mid[(i, j)] = near;
            rad[(i, j)] = next_up(up - down);
        }
    }
    Ok((mid, rad))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::certify::lambda_max::{lambda_max, Settings};
    use crate::certify::sources::HessianAt;
    use crate::linalg::field::q_to_f64;
    use crate::linalg::{mat, Exact};

    use crate::enumerate::minimizers::tests::q;

    /// README's KP-naive counterexample: W = (diag(1/3, 1/2), diag(3, 1), diag(1, 2)), X = I,
    /// Y = W_3 W_2 W_1 = I, a zero-loss minimizer with λ_max = 91/9.
    pub(crate) fn kp_naive_counterexample() -> Point {
        let diag = |a: BigRational, b: BigRational| {
            Mat::from_fn(2, 2, |i, j| match (i, j) {
                (0, 0) => a.clone(),
                (1, 1) => b.clone(),
                _ => q(0, 1),
            })
        };
        Point {
            weights: vec![
                diag(q(1, 3), q(1, 2)),
                diag(q(3, 1), q(1, 1)),
                diag(q(1, 1), q(2, 1)),
            ],
            x: mat::identity(&Exact, 2),
            y: diag(q(1, 1), q(1, 1)),
            exact: true,
            origin: "test".into(),
        }
    }

    #[test]
    fn encloses_the_exact_lambda_max_of_the_kp_naive_counterexample() {
        let p = kp_naive_counterexample();
        let e = enclose(&p).unwrap();
        let want = q(91, 9);
        assert!(e.enclosure.lo() <= &want && &want <= e.enclosure.hi());
        assert!(q_to_f64(&e.enclosure.relative_width()) < 1e-12);
        // and it agrees with the exact path's enclosure
        let (est, _) = lambda_max(&HessianAt(&p), &Settings::default());
        assert_eq!(est.exact_value(), Some(&want));
        // a nonzero loss is refused
        let mut off = p.clone();
        *off.y.at_mut(0, 0) = q(2, 1);
        assert!(enclose(&off).unwrap_err().contains("not exactly zero"));
    }

    #[test]
    fn the_cholesky_path_contains_the_exact_lambda_max_of_the_full_hessian() {
        // depth 2, X = I₁₂, W_1 2 × 12, W_2 12 × 2 with mixed small entries, Y = W_2W_1: zero
        // loss, KP dimension 144 (> CHOLESKY_ABOVE) and P = 48, where the exact rational
        // enclosure of the full 48 × 48 Hessian (not the KP operator) is the oracle
        let w = |r: usize, c: usize, s: i64| {
            Mat::from_fn(r, c, |i, j| {
                q(
                    (s * 5 + 3 * i as i64 + 7 * j as i64) % 9 - 4,
                    1 + (i + j) as i64 % 3,
                )
            })
        };
        let (w1, w2) = (w(2, 12, 1), w(12, 2, 2));
        let y = Mat::from_fn(12, 12, |i, j| {
            (0..2).fold(q(0, 1), |acc, k| acc + w2.at(i, k) * w1.at(k, j))
        });
        let p = Point {
            weights: vec![w1, w2],
            x: mat::identity(&Exact, 12),
            y,
            exact: true,
            origin: "test".into(),
        };
        let e = enclose(&p).unwrap();
        assert_eq!((e.dim, e.method), (144, "kp-verified-f64-cholesky"));
        let (est, _) = lambda_max(&HessianAt(&p), &Settings::default());
        let exact = est.enclosure.expect("P = 48 is within the exact limit");
        assert!(e.enclosure.lo() <= exact.hi() && exact.lo() <= e.enclosure.hi());
        assert!(
            q_to_f64(&e.enclosure.relative_width()) < 1e-9,
            "{:?}",
            e.top
        );
    }
}
