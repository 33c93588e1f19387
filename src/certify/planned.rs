//! λ_max(∇²f) of a linear network at a point along the planned path (the planner's f64 path, the
//! MPFR value of the KP operator, a proven enclosure), shared by `dlncheck sharpness` and by the
//! claims whose points are beyond the dense path's limits
//! ([`crate::claims::context::uses_planned_path`]).

use super::dense_verified;
use super::sources::{HessianAt, KpOperatorAt};
use crate::case::ModelKind;
use crate::certify::lambda_max::{lambda_max, Settings, SymmetricSource};
use crate::certify::planner;
use crate::certify::{kp_mpfr, kp_verified};
use crate::enumerate::minimizers::Point;
use crate::linalg::field::float_to_q;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_mpfr, Enclosure, Mpfr, F64};
use crate::model::instance::ModelPoint;
use crate::model::network_f64::NetworkF64;
use rug::float::Round;
use rug::Float;

/// Largest KP dimension for the exact rational enclosure at zero loss (beyond it the entries of
/// deep products of 53-bit dyadics make fraction-free elimination slow; verified floating point
/// takes over).
pub const EXACT_KP_LIMIT: usize = 32;
/// Largest P for the exact rational enclosure of the full Hessian at nonzero loss.
pub const EXACT_HESSIAN_LIMIT: usize = 64;

/// The proven enclosure of λ_max (of `dlncheck sharpness`, and of [`planned`]) and the way it was
/// proven: at exact zero loss through the KP operator ("exact-rational-kp", "kp-verified-f64"),
/// else on the Hessian itself (`dense_enclosure`: "exact-rational",
/// "verified-f64-interval-hessian"). `lin` is the linear network (at an exact point), `mp` the
/// model whose own Hessian is meant (`sharpness`); without `mp` the linear network's Hessian is.
pub fn prove(
    params: usize,
    lin: Option<&Point>,
    mp: Option<&ModelPoint>,
    settings: &Settings,
    zero_loss: bool,
    notes: &mut Vec<String>,
) -> Option<(&'static str, crate::linalg::Enclosure)> {
    let kp_dim = lin.map_or(0, |p| p.y.rows() * p.y.cols());
    let kp_point = lin.filter(|_| zero_loss && kp_dim <= params);
    match kp_point {
        Some(p) if kp_dim <= EXACT_KP_LIMIT => {
            // KP-exact: at zero loss λ_max(∇²f) = λ_max(K), and K is the smaller matrix
            let (est, _) = lambda_max(&KpOperatorAt(p), settings);
            if let Some(enc) = est.enclosure {
                return Some(("exact-rational-kp", enc));
            }
            notes.extend(est.notes);
            return None;
        }
        Some(p) if kp_dim <= planner::KP_LIMIT => {
            match kp_verified::enclose(p) {
                Ok(e) => return Some((e.method, e.enclosure)),
                Err(e) => notes.push(format!("KP verified enclosure failed: {e}")),
            }
            return None;
        }
        _ => {}
    }
    // the Hessian itself: the model's own (`sharpness`), else the linear network's (`check`)
    let result = match (mp, lin) {
        (Some(mp), _) => dense_enclosure(mp, params, settings),
        (None, Some(p)) => dense_enclosure(&HessianAt(p), params, settings),
        (None, None) => Err("no point to build the Hessian at".into()),
    };
    match result {
        Ok((enc, via)) => return Some((via, enc)),
        Err(e) => notes.push(e),
    }
    None
}

/// The proven enclosure of λ_max of a Hessian `src` of dimension `params`: exact rational up to
/// [`EXACT_HESSIAN_LIMIT`] ("exact-rational"), then interval build + verified floating point up to
/// [`dense_verified::VERIFIED_DENSE_LIMIT`] ("verified-f64-interval-hessian").
fn dense_enclosure(
    src: &impl SymmetricSource,
    params: usize,
    settings: &Settings,
) -> Result<(Enclosure, &'static str), String> {
    let mut why = Vec::new();
    if params <= EXACT_HESSIAN_LIMIT {
        let (est, _) = lambda_max(src, settings);
        match est.enclosure {
            Some(enc) => return Ok((enc, "exact-rational")),
            None => why.extend(est.notes),
        }
    }
    if params > dense_verified::VERIFIED_DENSE_LIMIT {
        why.push(format!(
            "no enclosure: P = {params} exceeds the verified dense limit {}",
            dense_verified::VERIFIED_DENSE_LIMIT
        ));
        return Err(why.join("; "));
    }
    match dense_verified::enclose(src) {
        Ok((enc, _)) => Ok((enc, "verified-f64-interval-hessian")),
        Err(e) => {
            why.push(format!("verified dense enclosure failed: {e}"));
            Err(why.join("; "))
        }
    }
}

/// λ_max(∇²f) of the linear network at a point of `check`'s KP problem, along the planned path of
/// `dlncheck sharpness`: the f64 value by the planner's path, the MPFR value of the KP operator (zero loss,
/// d_L·n within the MPFR limit; a priori error bound), and, at an exact point, the proven
/// enclosure of `sharpness` ([`prove`]: exact KP, or KP + verified f64).
pub struct Planned {
    /// The three-way estimate (f64 value and bound; MPFR; enclosure).
    pub estimate: crate::certify::estimate::Estimate,
    /// The planner's f64 path.
    pub path: &'static str,
    /// Why the planner chose it.
    pub reason: String,
    /// How the enclosure was proven, when there is one.
    pub proven_by: Option<&'static str>,
    /// Would a higher precision narrow the MPFR value's tolerance? Not when it comes from a
    /// matrix-free refinement whose top eigenvalue is not proven simple (the width is the
    /// verified f64 bound of the deflated K).
    pub precision_helps: bool,
}

/// [`Planned`] at `p` (a linear network point; exact or an MPFR rounding).
pub fn planned(p: &Point, settings: &Settings) -> Result<Planned, String> {
    let sizes = planner::Sizes::of(&p.weights, &p.x, &p.y, ModelKind::Linear);
    let (params, kp_dim) = (sizes.params, sizes.kp_dim);
    let zero_loss = p.exact && kp_verified::exact_zero_loss(p);
    let plan = planner::plan(sizes, zero_loss, None)?;
    let top = planner::top_f64(&network_f64(p), plan.path)?;
    let mut notes = Vec::new();
    let kp_point = zero_loss && kp_dim <= params;
    // at exact zero loss: λ_max(K) refined in MPFR matrix-free, with a proven enclosure
    let refined = if kp_point {
        match kp_mpfr::refine_top(p, settings.prec) {
            Ok(top) => Some(top),
            Err(e) => {
                notes.push(format!("MPFR refinement of the KP operator failed: {e}"));
                None
            }
        }
    } else {
        None
    };
    // a top eigenvalue of K not proven simple (a cluster or a multiple eigenvalue) leaves the
    // refined enclosure as wide as the verified f64 bound of the deflated K, whatever the
    // precision; the dense MPFR eigenvalues of K serve it where they reach
    let clustered = refined.as_ref().is_some_and(|t| !t.separated);
    let dense_mpfr = kp_point && kp_dim <= settings.mpfr_limit;
    let (mpfr, mpfr_tol, refined_enclosure) = match &refined {
        Some(_) if clustered && dense_mpfr => {
            let m = KpOperatorAt(p).build(&Mpfr {
                prec: settings.prec,
            });
            let v = eigen_mpfr::top_eigenvalue(&m, settings.prec);
            notes.push(
                "MPFR value of the KP operator (λ_max(∇²f) = λ_max(K) at exact zero loss) from \
                 its dense eigenvalues, with an a priori error bound: the matrix-free refinement \
                 could not prove the top eigenvalue simple"
                    .into(),
            );
            (
                Some(v),
                Some(eigen_mpfr::error_bound(&m, settings.prec)),
                None,
            )
        }
        Some(top) => {
            if clustered {
                notes.push(
                    "the top eigenvalue of K is not proven simple (a cluster or a multiple \
                     eigenvalue): its enclosure is as wide as the verified f64 bound of the \
                     deflated K, which a higher precision does not narrow"
                        .into(),
                );
            }
            notes.push(
                "MPFR value of the KP operator (λ_max(∇²f) = λ_max(K) at exact zero loss), \
                 refined matrix-free from the f64 Lanczos vector, with a proven radius \
                 (Kato–Temple; src/certify/kp_mpfr.rs)"
                    .into(),
            );
            if let Some(n) = &top.note {
                notes.push(format!("MPFR value not proven: {n}"));
            }
            let enclosure = top
                .hi
                .as_ref()
                .and_then(|hi| Enclosure::new(float_to_q(&top.lo)?, float_to_q(hi)?));
            let tol = match &top.hi {
                Some(hi) => {
                    let above = Float::with_val_round(64, hi - &top.value, Round::Up).0;
                    let below = Float::with_val_round(64, &top.value - &top.lo, Round::Up).0;
                    Some(if above > below { above } else { below })
                }
                None => None,
            };
            (Some(top.value.clone()), tol, enclosure)
        }
        None if dense_mpfr => {
            let m = KpOperatorAt(p).build(&Mpfr {
                prec: settings.prec,
            });
            let v = eigen_mpfr::top_eigenvalue(&m, settings.prec);
            notes.push(
                "MPFR value of the KP operator (λ_max(∇²f) = λ_max(K) at exact zero loss), with an a \
                 priori error bound"
                    .into(),
            );
            (
                Some(v),
                Some(eigen_mpfr::error_bound(&m, settings.prec)),
                None,
            )
        }
        None => {
            notes.push(format!(
                "no MPFR value on the planned path ({})",
                if kp_point {
                    format!(
                        "d_L·n = {kp_dim} exceeds the MPFR limit {}",
                        settings.mpfr_limit
                    )
                } else {
                    "the loss is not exactly zero at this point".into()
                }
            ));
            (None, None, None)
        }
    };
    let proof = match refined_enclosure {
        // the exact rational enclosure of K identifies rational values exactly: keep it where
        // it is cheap; beyond, the refined MPFR enclosure is the narrower proof
        Some(enc) if kp_dim > EXACT_KP_LIMIT => Some(("kp-mpfr-refined", enc)),
        _ if p.exact => prove(params, Some(p), None, settings, zero_loss, &mut notes),
        _ => {
            notes.push("inputs are not exact rationals: no exact enclosure".into());
            None
        }
    };
    let (proven_by, enclosure) = match proof {
        Some((via, e)) => (Some(via), Some(e)),
        None => (None, None),
    };
    Ok(Planned {
        estimate: crate::certify::estimate::Estimate {
            f64: top.value,
            f64_tol: top.bound,
            mpfr,
            mpfr_tol,
            enclosure,
            algebraic: None,
            notes,
        },
        path: top.path.name(),
        reason: plan.reason,
        proven_by,
        precision_helps: !clustered || dense_mpfr,
    })
}

/// The linear network at `p` in f64 (each entry rounded to nearest), for the f64 paths.
pub fn network_f64(p: &Point) -> NetworkF64 {
    let ws: Vec<Mat<f64>> = p.weights.iter().map(|w| mat::from_exact(&F64, w)).collect();
    NetworkF64::new(
        &ws,
        &mat::from_exact(&F64, &p.x),
        &mat::from_exact(&F64, &p.y),
    )
}
