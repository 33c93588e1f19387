//! `dlncheck sharpness CASE.yaml`: λ_max of the Hessian at the case's point, three ways.

use crate::case::Case;
use crate::certify::lambda_max::{lambda_max, Settings};
use crate::claims::sources::{HessianAt, KpOperatorAt};
use crate::enumerate::minimizers::Point;
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::linalg::{mat, Exact};
use crate::model::linear;
use crate::sharpness_fast::FastOptions;
use std::fmt::Write;

/// The case's point as an exact [`Point`] (the sharpness command needs `point.weights`).
pub fn point_of(c: &Case) -> Result<Point, String> {
    let weights = c.point.clone().ok_or_else(|| {
        c.error("point", "the sharpness command needs point.weights")
            .to_string()
    })?;
    Ok(Point {
        weights,
        x: c.x.clone(),
        y: c.y.clone(),
        exact: true,
        origin: "the case's point".into(),
    })
}

/// A text report of λ_max at the case's point: first the planned fast paths
/// ([`crate::sharpness_fast`]: which path, value, bound, time); then, when P is within the MPFR
/// limit, the full Hessian three ways — f64 (faer) with its tolerance, MPFR at the case's
/// precision, and the exact enclosure — and at zero-loss points also the KP-exact operator's.
pub fn report(c: &Case, settings: &Settings, fast: &FastOptions) -> Result<String, String> {
    let p = point_of(c)?;
    let fast_report = crate::sharpness_fast::measure(&p, settings, fast)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "case {} ({}), P = {} parameters, convention f = ½‖PX − Y‖²",
        c.name,
        c.file.display(),
        c.param_count()
    );
    out += &crate::sharpness_fast::render(&fast_report);
    if c.param_count() > settings.mpfr_limit {
        out += &format!(
            "three-way full-Hessian comparison skipped: P = {} exceeds the MPFR limit {}\n",
            c.param_count(),
            settings.mpfr_limit
        );
        return Ok(out);
    }
    let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
    let zero_loss = mat::is_zero_mat(&Exact, &ev.residual);
    let _ = writeln!(out, "loss f = {}", q_to_string(&linear::loss(&Exact, &ev)));
    let mut show = |label: &str, est: &crate::certify::estimate::Estimate| {
        let _ = writeln!(out, "{label}");
        let _ = writeln!(
            out,
            "  f64       {:.17e}  (tolerance {:.1e})",
            est.f64, est.f64_tol
        );
        if let Some(m) = est.mpfr_string() {
            let _ = writeln!(out, "  MPFR-{:<4} {m}", settings.prec);
        }
        match &est.enclosure {
            Some(e) if e.is_exact() => {
                let _ = writeln!(
                    out,
                    "  exact     {} (λ_max identified exactly)",
                    q_to_string(e.lo())
                );
            }
            Some(e) => {
                let _ = writeln!(
                    out,
                    "  enclosure [{:.17e}, {:.17e}], relative width {:.1e}\n            [{}, {}]",
                    q_to_f64(e.lo()),
                    q_to_f64(e.hi()),
                    q_to_f64(&e.relative_width()),
                    q_to_string(e.lo()),
                    q_to_string(e.hi())
                );
            }
            None => {}
        }
        for n in &est.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        if let Some(d) = est.disagreement() {
            let _ = writeln!(out, "  DISAGREEMENT: {d}");
        }
    };
    show(
        "λ_max(∇²f), full Hessian:",
        &lambda_max(&HessianAt(&p), settings).0,
    );
    if zero_loss {
        show(
            "λ_max of the KP-exact operator (zero-loss point):",
            &lambda_max(&KpOperatorAt(&p), settings).0,
        );
    }
    Ok(out)
}
