//! The figures of one checkpoint: with W the weights the file holds (read exactly: every binary
//! float is the dyadic rational it encodes),
//! - the loss f(W) of the case's model, exact when the network is small enough
//!   ([`EXACT_WORK_LIMIT`] multiply-adds), else in f64;
//! - λ_max(∇²f(W)) by the planner of `dlncheck sharpness` ([`fast::measure`]): the f64 value by
//!   the path it picks, and the proven enclosure where the size allows (the exact rational path on
//!   the Hessian up to P = 64, then interval arithmetic and verified floating point up to
//!   P = 1024, at a nonzero loss; the KP operator at an exactly zero loss);
//! - the side of 2/η: proven when the enclosure's outward-rounded ends lie on one side of the exact
//!   2/η, else read from the f64 value;
//! - ‖D_k‖_F, D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ (k = 1 … L−1), for the models whose layers compose
//!   linearly: linear, residual (W_k = I + A_k) and l2-regularized; not defined for the
//!   one-hidden-layer network (σ sits between its layers);
//! - near a minimizer, the ZL tightness ratio ρ = (f − f*)·D/‖∇f‖² of the claim ZL-gd-linear,
//!   -residual or -nonlinear, evaluated by the ZL claims' own code
//!   ([`crate::claims::zl::gd::evaluate_at`]). "Near" is f − f* ≤ τ·(½‖Y‖²_F − f*): the excess
//!   loss is at most a fraction τ (`--near`, default 1/1000) of that of the zero output, a
//!   criterion that does not depend on the scale of the data.

use super::Checkpoint;
use crate::app::sharpness::fast::{self, FastOptions};
use crate::case::{Case, ModelKind};
use crate::certify::lambda_max::Settings;
use crate::certify::sigma::SigmaBracket;
use crate::claims::zl::gd;
use crate::claims::zl::setup::x_sigma_bracket;
use crate::linalg::field::{f64_to_q, q_to_f64, q_to_f64_down, q_to_f64_up, q_to_rug, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Field, F64};
use crate::model::instance::{Family, ModelPoint};
use crate::model::residual;
use crate::model::zl::{Net, ZlProblem};
use crate::report::trajectory::{
    Applicability, Balance, Edge, Exactly, LambdaMax, Loss, Proven, Row, Trajectory, ZlRow,
    ZlSetting,
};
use num_rational::BigRational;
use num_traits::{One, Zero};
use std::fmt::Write;

/// Largest number of multiply-adds done in exact rational arithmetic for the loss
/// (Σ_k d_k d_{k−1} n), for ‖D_k‖²_F (Σ_k d_k² (d_{k−1} + d_{k+1})) and, through the loss, for
/// the ZL ratio; beyond it those figures are computed in f64 (and the ZL ratio is left out).
pub const EXACT_WORK_LIMIT: usize = 1 << 18;

/// What every checkpoint is evaluated against: the case, its model, η and the ZL problem.
pub struct Setting {
    case: Case,
    family: Family,
    settings: Settings,
    two_over_eta: BigRational,
    near: BigRational,
    arrays: Option<Vec<String>>,
    max_dim: usize,
    zl: Result<Zl, String>,
}

/// The ZL problem of the case, built once.
struct Zl {
    pb: ZlProblem,
    x_sigma: SigmaBracket,
    /// ½‖Y‖²_F − f*.
    reference: BigRational,
    claim: &'static str,
}

/// A number exactly and as its nearest f64.
pub fn exactly(q: &BigRational) -> Exactly {
    Exactly {
        exact: q_to_string(q),
        f64: q_to_f64(q),
    }
}

/// `q` with 17 significant digits cut toward zero, "…" before the exponent when more follow.
fn readable(q: &BigRational) -> String {
    crate::report::numbers::truncated(&q_to_rug(q), 17)
}

impl Setting {
    /// The setting of a run: the case's model, 2/η, τ and the layer array names; the ZL problem
    /// when the case is in its scope.
    pub fn new(
        c: &Case,
        settings: Settings,
        eta: &BigRational,
        near: BigRational,
        arrays: Option<Vec<String>>,
        max_dim: usize,
    ) -> Result<Setting, String> {
        let family = Family::of_case(c)?;
        Ok(Setting {
            zl: zl_of(c),
            case: c.clone(),
            family,
            settings,
            two_over_eta: BigRational::from_integer(2.into()) / eta,
            near,
            arrays,
            max_dim,
        })
    }

    /// Whether D_k is defined for the case's model.
    pub fn balancedness(&self) -> Applicability {
        match self.case.kind {
            ModelKind::OneHiddenLayer => Applicability {
                defined: false,
                reason: Some(
                    "the one-hidden-layer network has the leaky ReLU between W_1 and W_2, so \
                     W_2ᵀW_2 − W_1W_1ᵀ is not conserved by its gradient flow"
                        .into(),
                ),
            },
            _ if self.case.depth() < 2 => Applicability {
                defined: false,
                reason: Some("a network of one layer has no D_k".into()),
            },
            _ => Applicability {
                defined: true,
                reason: None,
            },
        }
    }

    /// The ZL setting of the run.
    pub fn zl_setting(&self) -> ZlSetting {
        match &self.zl {
            Ok(z) => ZlSetting {
                applies: true,
                reason: None,
                claim: Some(z.claim.into()),
                f_star: Some(exactly(&z.pb.f_star)),
                reference: Some(exactly(&z.reference)),
                near: exactly(&self.near),
            },
            Err(reason) => ZlSetting {
                applies: false,
                reason: Some(reason.clone()),
                claim: None,
                f_star: None,
                reference: None,
                near: exactly(&self.near),
            },
        }
    }

    /// The row of one checkpoint: its figures, or its error (a panic included) naming the file.
    pub fn row(&self, ck: &Checkpoint) -> Row {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.evaluate(ck)));
        let error = match run {
            Ok(Ok(row)) => return row,
            Ok(Err(e)) => e,
            Err(p) => format!(
                "{}: internal error: {}",
                ck.shown,
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
        };
        Row {
            step: ck.step,
            file: ck.shown.clone(),
            error: Some(error),
            loss: None,
            lambda_max: None,
            edge: None,
            balancedness: None,
            zl: None,
        }
    }

    fn evaluate(&self, ck: &Checkpoint) -> Result<Row, String> {
        let c = &self.case;
        let params = crate::case::read_weights(
            &ck.path,
            &ck.shown,
            self.arrays.as_deref(),
            &c.dims,
            self.max_dim,
        )?;
        let mp = ModelPoint::new(self.family.clone(), params, c.x.clone(), c.y.clone())
            .map_err(|e| format!("{}: {e}", ck.shown))?;
        let n = c.x.cols();
        let loss_work: usize = c.dims.windows(2).map(|w| w[0] * w[1] * n).sum();
        let exact_loss = (loss_work <= EXACT_WORK_LIMIT).then(|| mp.loss(&Exact));
        let zl_row = match (&self.zl, &exact_loss) {
            (Ok(z), Some(f)) => Some(self.zl_row(z, &mp, f)),
            _ => None,
        };
        let loss = match &exact_loss {
            Some(f) => Loss {
                f64: q_to_f64(f),
                decimal: readable(f),
                exact: true,
                excess: self.zl.as_ref().ok().map(|z| q_to_f64(&(f - &z.pb.f_star))),
            },
            None => {
                let v = mp.loss(&F64);
                Loss {
                    f64: v,
                    decimal: format!("{v:e}"),
                    exact: false,
                    excess: None,
                }
            }
        };
        let measured = fast::measure(
            &mp,
            &self.settings,
            &FastOptions {
                path: None,
                repeat: 1,
                mpfr: false,
                certify: true,
            },
        )
        .map_err(|e| format!("{}: λ_max: {e}", ck.shown))?;
        let proven = measured.certified.as_ref().map(|p| Proven {
            via: p.via.into(),
            lo: p.lo,
            hi: p.hi,
            lo_exact: p.lo_exact.clone(),
            hi_exact: p.hi_exact.clone(),
            relative_width: p.relative_width,
        });
        let value = measured.f64.value;
        let t = &self.two_over_eta;
        let side = proven.as_ref().and_then(|p| {
            let (lo, hi) = (f64_to_q(p.lo), f64_to_q(p.hi));
            if lo.as_ref().is_some_and(|lo| lo > t) {
                Some(true)
            } else if hi.as_ref().is_some_and(|hi| hi <= t) {
                Some(false)
            } else {
                None
            }
        });
        let edge = Edge {
            above: side.unwrap_or(value > q_to_f64(t)),
            decided_by: if side.is_some() { "proven" } else { "f64" }.into(),
            ratio: value / q_to_f64(t),
        };
        let lambda_max = LambdaMax {
            f64: value,
            path: measured.f64.path.into(),
            reason: measured.f64.reason.clone(),
            bound: measured.f64.bound,
            bound_kind: measured.f64.bound_kind.into(),
            products: measured.f64.products,
            proven,
            notes: measured.notes.clone(),
        };
        Ok(Row {
            step: ck.step,
            file: ck.shown.clone(),
            error: None,
            loss: Some(loss),
            lambda_max: Some(lambda_max),
            edge: Some(edge),
            balancedness: self.balance(&mp),
            zl: zl_row,
        })
    }

    /// ‖D_k‖_F for k = 1 … L−1 of the network's layers (W_k, or I + A_k for the residual model).
    fn balance(&self, mp: &ModelPoint) -> Option<Vec<Balance>> {
        if !self.balancedness().defined {
            return None;
        }
        let layers = match self.case.kind {
            ModelKind::Residual => residual::layers(&Exact, &mp.params),
            _ => mp.params.clone(),
        };
        let d = &self.case.dims;
        let work: usize = (1..d.len() - 1)
            .map(|k| d[k] * d[k] * (d[k - 1] + d[k + 1]))
            .sum();
        let exact = work <= EXACT_WORK_LIMIT;
        let norms = if exact {
            d_norms(&Exact, &layers)
        } else {
            d_norms(&F64, &layers)
        };
        Some(
            norms
                .into_iter()
                .enumerate()
                .map(|(i, frobenius)| Balance {
                    k: i + 1,
                    frobenius,
                    exact,
                })
                .collect(),
        )
    }

    /// The ZL row at a checkpoint with exact loss `f`.
    fn zl_row(&self, z: &Zl, mp: &ModelPoint, f: &BigRational) -> ZlRow {
        let gap = f - &z.pb.f_star;
        let rel = if z.reference.is_zero() {
            if gap.is_zero() {
                BigRational::zero()
            } else {
                BigRational::from_integer(1.into())
            }
        } else {
            &gap / &z.reference
        };
        let near = rel <= self.near;
        let (ratio, ratio_bracket, decision) = if near {
            let e = gd::evaluate_at(&z.pb, &z.x_sigma, &mp.params, None, self.settings.prec);
            (
                // from the exact bracket: the all-f64 cross-check of the ZL code loses every
                // digit of f − f* to cancellation this close to a minimizer
                e.ratio
                    .as_ref()
                    .map(|(lo, hi)| q_to_f64(&((lo + hi) / BigRational::from_integer(2.into())))),
                e.ratio
                    .as_ref()
                    .map(|(lo, hi)| [q_to_f64_down(lo), q_to_f64_up(hi)]),
                Some(
                    match e.decision {
                        gd::Decision::Holds => "holds",
                        gd::Decision::Fails => "fails",
                        gd::Decision::Undecided => "undecided",
                    }
                    .to_string(),
                ),
            )
        } else {
            (None, None, None)
        };
        ZlRow {
            relative_excess: q_to_f64(&rel),
            near,
            ratio,
            ratio_bracket,
            decision,
        }
    }
}

/// ‖D_k‖_F = √‖W_{k+1}ᵀW_{k+1} − W_kW_kᵀ‖²_F in arithmetic `f` (the square computed in `f`, its
/// root in f64).
fn d_norms<F: Field>(f: &F, layers: &[Mat<BigRational>]) -> Vec<f64> {
    let w: Vec<Mat<F::T>> = layers.iter().map(|m| mat::from_exact(f, m)).collect();
    w.windows(2)
        .map(|p| {
            let d = mat::sub(
                f,
                &mat::matmul_tn(f, &p[1], &p[1]),
                &mat::matmul_nt(f, &p[0], &p[0]),
            );
            f.to_f64(&mat::frob2(f, &d)).sqrt()
        })
        .collect()
}

/// The ZL problem of the case, or why the tightness ratio is not computed.
fn zl_of(c: &Case) -> Result<Zl, String> {
    let pb = ZlProblem::from_case(c).map_err(|(field, m)| format!("{field}: {m}"))?;
    let n = c.x.cols();
    let work: usize = c.dims.windows(2).map(|w| w[0] * w[1] * n).sum();
    if work > EXACT_WORK_LIMIT {
        return Err(format!(
            "the ratio is exact work; this network needs {work} multiply-adds per loss, beyond \
             the limit {EXACT_WORK_LIMIT}"
        ));
    }
    let claim = match &pb.net {
        Net::Linear { .. } => "ZL-gd-linear",
        Net::Residual { .. } => "ZL-gd-residual",
        Net::OneHidden { slope } => {
            if *slope > BigRational::one() {
                return Err(format!(
                    "ZL-gd-nonlinear needs a leaky ReLU slope a ≤ 1, the case has {}",
                    q_to_string(slope)
                ));
            }
            "ZL-gd-nonlinear"
        }
    };
    let half_y = mat::frob2(&Exact, &c.y) / BigRational::from_integer(2.into());
    Ok(Zl {
        x_sigma: x_sigma_bracket(&pb),
        reference: half_y - &pb.f_star,
        claim,
        pb,
    })
}

/// The text `trajectory` prints: one line per checkpoint.
pub fn text(t: &Trajectory) -> String {
    let mut out = format!(
        "trajectory of {} ({} model, dims {:?}, P = {}), η = {}, 2/η = {}\n",
        t.name, t.model, t.dims, t.params, t.eta.exact, t.two_over_eta.exact
    );
    let _ = writeln!(
        out,
        "{:>8}  {:<24} {:>24}  {:>22}  {:<15} {:<6} {:>12}  {:>10}",
        "step", "loss f", "λ_max (f64)", "proven enclosure", "path", "2/η", "max ‖D_k‖_F", "ZL ρ"
    );
    for r in &t.rows {
        if let Some(e) = &r.error {
            let _ = writeln!(out, "{:>8}  error: {e}", r.step);
            continue;
        }
        let loss = r.loss.as_ref().map_or("—".into(), |l| l.decimal.clone());
        let (lam, proven, path) = match &r.lambda_max {
            Some(l) => (
                format!("{:.17e}", l.f64),
                l.proven.as_ref().map_or("none".to_string(), |p| {
                    format!("±{:.1e} rel", p.relative_width)
                }),
                l.path.clone(),
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
        let side = r
            .edge
            .as_ref()
            .map_or("—", |e| match (e.above, e.decided_by.as_str()) {
                (true, "proven") => "ABOVE!",
                (true, _) => "above",
                (false, "proven") => "below!",
                (false, _) => "below",
            });
        let bal = r
            .balancedness
            .as_ref()
            .and_then(|b| b.iter().map(|b| b.frobenius).reduce(f64::max))
            .map_or("—".into(), |v| format!("{v:.4e}"));
        let zl = match &r.zl {
            Some(z) if z.near => z.ratio.map_or("—".into(), |v| format!("{v:.3e}")),
            Some(_) => "not near".into(),
            None => "—".into(),
        };
        let _ = writeln!(
            out,
            "{:>8}  {:<24} {:>24}  {:>22}  {:<15} {:<6} {:>12}  {:>10}",
            r.step, loss, lam, proven, path, side, bal, zl
        );
    }
    out.push_str("(2/η: ! marks a side proven by the enclosure)\n");
    out
}
