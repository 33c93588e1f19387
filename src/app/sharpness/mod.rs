//! `dlncheck sharpness CASE.yaml`: λ_max of the Hessian of the case's own model (linear,
//! residual, one-hidden-layer or L2-regularized, [`ModelPoint`]) at the case's point, three ways.

pub mod fast;

use super::{emit, load_case, AppError, Status};
use crate::case::Case;
use crate::certify::lambda_max::{lambda_max, Settings};
use crate::certify::planner::Path;
use crate::certify::sources::KpOperatorAt;
use crate::linalg::field::{q_to_f64, q_to_f64_down, q_to_f64_up, q_to_string};
use crate::linalg::Exact;
use crate::model::instance::ModelPoint;
use fast::FastOptions;
use std::fmt::Write;
use std::path::PathBuf;

/// The case and what to compute.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The case file (must have point.weights; the A_k for a residual network).
    pub case: PathBuf,
    /// MPFR precision in bits (overrides precision_bits).
    #[arg(long)]
    pub precision: Option<u32>,
    /// Force the f64 path (default: the planner's choice from sizes and loss). Only `dense`
    /// serves one-hidden-layer and l2-regularized models.
    #[arg(long, value_enum)]
    pub path: Option<PathArg>,
    /// Time the f64 path this many times (median reported).
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Skip the MPFR value.
    #[arg(long)]
    pub no_mpfr: bool,
    /// Skip the proven enclosure.
    #[arg(long)]
    pub no_certify: bool,
    /// Print the fast paths' results as JSON (for benches/compare.sh).
    #[arg(long)]
    pub json: bool,
}

/// The values of `--path`, one per [`Path`] (the numerics do not know the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PathArg {
    /// The KP-exact operator (zero-loss points only).
    KpOperator,
    /// Lanczos on the KP-exact operator applied without forming it (zero-loss points only).
    KpOperatorLanczos,
    /// Lanczos on Hessian-vector products.
    LanczosHvp,
    /// The dense Hessian.
    Dense,
}

impl From<PathArg> for Path {
    fn from(p: PathArg) -> Self {
        match p {
            PathArg::KpOperator => Path::KpOperator,
            PathArg::KpOperatorLanczos => Path::KpOperatorLanczos,
            PathArg::LanczosHvp => Path::LanczosHvp,
            PathArg::Dense => Path::Dense,
        }
    }
}

/// Print λ_max at the case's point: the text [`report`], or the fast paths' results as JSON.
pub fn run(args: Args) -> Result<Status, AppError> {
    // no dense-size limit: the planner never forms the Hessian of a large case
    let (c, settings) = load_case(&args.case, args.precision, u64::MAX)?;
    let fast = FastOptions {
        path: args.path.map(Into::into),
        repeat: args.repeat,
        mpfr: !args.no_mpfr,
        certify: !args.no_certify,
    };
    let text = if args.json {
        let measured = ModelPoint::of_case(&c).and_then(|p| fast::measure(&p, &settings, &fast))?;
        format!("{}\n", serde_json::to_string_pretty(&measured)?)
    } else {
        report(&c, &settings, &fast)?
    };
    emit(&text);
    Ok(Status::Met)
}

/// A text report of λ_max at the case's point: the model and its loss; the planned fast paths
/// ([`fast`]: which path, value, bound, time); then, when P is within the MPFR
/// limit, the model's full Hessian three ways — f64 (faer) with its tolerance, MPFR at the case's
/// precision, and the exact enclosure — and, for the linear network (linear and residual models)
/// at zero-loss points, also the KP-exact operator's.
pub fn report(c: &Case, settings: &Settings, fast: &FastOptions) -> Result<String, String> {
    let mp = ModelPoint::of_case(c)?;
    let fast_report = fast::measure(&mp, settings, fast)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "case {} ({}), model {}, P = {} parameters, loss {}",
        c.name,
        c.file.display(),
        c.kind,
        mp.param_count(),
        mp.family.loss_formula()
    );
    out += &fast::render(&fast_report);
    if mp.param_count() > settings.mpfr_limit {
        out += &format!(
            "three-way full-Hessian comparison skipped: P = {} exceeds the MPFR limit {}\n",
            mp.param_count(),
            settings.mpfr_limit
        );
        return Ok(out);
    }
    let _ = writeln!(out, "loss f = {}", q_to_string(&mp.loss(&Exact)));
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
                    "  enclosure [{:.17e}, {:.17e}] (f64 ends rounded outward), relative width {:.1e}\n            [{}, {}]",
                    q_to_f64_down(e.lo()),
                    q_to_f64_up(e.hi()),
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
        &format!("λ_max(∇²f) of the {} model, full Hessian:", c.kind),
        &lambda_max(&mp, settings).0,
    );
    if fast_report.zero_loss {
        if let Some(p) = mp.linear_network() {
            show(
                "λ_max of the KP-exact operator (zero-loss point):",
                &lambda_max(&KpOperatorAt(&p), settings).0,
            );
        }
    }
    Ok(out)
}
