//! The global minimizer nearest to a point W (claims.md, \[ZL\]): min ‖W − Z‖_F over the minimizer
//! set {Z : c(Z) = 0}, c the characterization's constraint (W_L⋯W_1 − Φ, or W_2σ(W_1X) − Y).
//!
//! Newton–projection steps in f64 (Z ← Z + (W − Z) − Jᵀ(JJᵀ)⁻¹(J(W − Z) + c(Z)), J = ∂c/∂Z) find
//! the foot of the perpendicular; its free layers are then read as simple rationals and completed
//! to an exact minimizer W*. First-order optimality of the projection says W − W* is normal to the
//! minimizer set, i.e. its tangential part t (the part in ker J*) vanishes; the squared relative
//! residual ‖t‖²/‖W − W*‖² is computed exactly and compared with [`NEAREST_TOL`]².

use super::points::{complete, free_layers};
use crate::certify::sigma::simple_near;
use crate::linalg::field::q_to_f64;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, F64};
use crate::model::zl::{diff, flatten, Params, ZlProblem, Q};
use num_traits::Zero;

/// The stated tolerance of the nearest-minimizer certificate: ‖tangential part of W − W*‖ ≤
/// 2⁻²⁰ ‖W − W*‖ (first-order optimality of min ‖W − Z‖ over the minimizer set, to this
/// tolerance; the squared ratio is compared with 2⁻⁴⁰ exactly).
pub const NEAREST_TOL: f64 = 9.5367431640625e-7;
/// Maximum projection iterations.
const MAX_ITERS: usize = 40;

/// Jᵀ(JJᵀ)⁻¹ J e: the component of e normal to the minimizer set at `z`, exactly (None if JJᵀ is
/// singular).
fn normal_part(pb: &ZlProblem, z: &[Mat<Q>], e: &[Q]) -> Option<Vec<Q>> {
    let j = pb.jacobian(z);
    let rhs = mat::matvec(&Exact, &j, e);
    let jjt = mat::matmul_nt(&Exact, &j, &j);
    let mu = mat::solve_exact(&jjt, &Mat::from_vec(rhs.len(), 1, rhs))?;
    Some(mat::matvec(&Exact, &j.transpose(), mu.as_slice()))
}

/// One f64 Newton–projection step toward the minimizer set nearest to `w`:
/// Z ← Z + (W − Z) − Jᵀ(JJᵀ)⁻¹(J(W − Z) + c(Z)) (faer's partial-pivoting LU for JJᵀ); returns
/// the new Z and the squared step length.
fn projection_step(pb: &ZlProblem, w: &[f64], z: &[Mat<f64>]) -> Option<(Vec<Mat<f64>>, f64)> {
    use faer::linalg::solvers::Solve;
    let j = pb.jacobian_in(&F64, z);
    let c = pb.constraint_in(&F64, z);
    let zf: Vec<f64> = z.iter().flat_map(|m| m.as_slice().to_vec()).collect();
    let e: Vec<f64> = w.iter().zip(&zf).map(|(a, b)| a - b).collect();
    let je = mat::matvec(&F64, &j, &e);
    let (m, p) = (j.rows(), j.cols());
    let jjt = faer::Mat::<f64>::from_fn(m, m, |r, s| (0..p).map(|a| j.at(r, a) * j.at(s, a)).sum());
    let mut rhs = faer::Mat::<f64>::from_fn(m, 1, |r, _| je[r] + c.as_slice()[r]);
    jjt.as_ref().partial_piv_lu().solve_in_place(rhs.as_mut());
    let mu: Vec<f64> = (0..m).map(|r| rhs[(r, 0)]).collect();
    if mu.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = mat::matvec(&F64, &j.transpose(), &mu);
    let step: Vec<f64> = e.iter().zip(&n).map(|(a, b)| a - b).collect();
    let size = step.iter().map(|s| s * s).sum();
    let moved: Vec<f64> = zf.iter().zip(&step).map(|(a, b)| a + b).collect();
    let mut at = 0;
    let out = z
        .iter()
        .map(|mz| {
            let k = mz.rows() * mz.cols();
            let r = Mat::from_vec(mz.rows(), mz.cols(), moved[at..at + k].to_vec());
            at += k;
            r
        })
        .collect();
    Some((out, size))
}

/// The nearest global minimizer to `w`, starting from `start`: f64 Newton–projection steps
/// (`projection_step`) until the step is below 10⁻³⁰ (squared), then the free layers read exactly
/// and made an exact minimizer by [`complete`]; with the squared relative tangential residual
/// ‖t‖²/‖W − W*‖² (t the part of W − W* in ker J*, the tangent space), computed exactly.
pub fn nearest_minimizer(pb: &ZlProblem, w: &[Mat<Q>], start: &[Mat<Q>]) -> Option<(Params, Q)> {
    let wf: Vec<f64> = flatten(w).iter().map(q_to_f64).collect();
    let mut z: Vec<Mat<f64>> = start.iter().map(|m| mat::from_exact(&F64, m)).collect();
    for _ in 0..MAX_ITERS {
        let (next, size) = projection_step(pb, &wf, &z)?;
        z = next;
        if size < 1e-30 {
            break;
        }
    }
    let zq: Params = z
        .iter()
        .map(|m| m.map(|v| simple_near(*v, 2f64.powi(-44))))
        .collect();
    let star = complete(pb, &free_layers(pb, &zq))?;
    let e = flatten(&diff(w, &star));
    let e2: Q = e.iter().map(|x| x * x).sum();
    if e2.is_zero() {
        return Some((star, Q::zero()));
    }
    let n = normal_part(pb, &star, &e)?;
    let t2: Q = e.iter().zip(&n).map(|(a, b)| (a - b) * (a - b)).sum();
    Some((star, t2 / e2))
}
