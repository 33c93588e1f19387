//! λ_max of the Hessian of a case's own model at its point along the planned fast paths, timed:
//! f64 by the planner's path ([`planner`]), MPFR through the KP operator (linear network at zero
//! loss) or the model's Hessian (Householder + Sturm bisection), and a proven enclosure through
//! verified floating point on the KP operator ([`kp_verified`]) or, for small points, the exact
//! rational path on the KP operator or the model's Hessian. The KP operator and the
//! Hessian-vector products are the linear network's: they serve the linear model and the residual
//! one (the linear network at W = I + A); the one-hidden-layer and L2-regularized models go
//! through their own dense Hessian only ([`ModelPoint`]). Used by `dlncheck sharpness` (text, or
//! JSON with `--json` for `benches/compare.sh`).

use crate::case::ModelKind;
use crate::certify::lambda_max::{Settings, SymmetricSource};
use crate::certify::planned::prove;
use crate::certify::planner::FastTop;
use crate::certify::planner::{self, Path};
use crate::certify::{kp_mpfr, kp_verified};
use crate::enumerate::minimizers::Point;
use crate::linalg::field::{mpfr_decimal, q_to_f64, q_to_f64_down, q_to_f64_up, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_mpfr, Exact, Mpfr, F64};
use crate::model::instance::ModelPoint;
use crate::model::network_f64::NetworkF64;
use num_traits::Zero;
use rug::float::Round;
use rug::Float;
use serde::Serialize;
use std::time::Instant;

/// What to compute besides the f64 value.
#[derive(Clone, Debug)]
pub struct FastOptions {
    /// Force a path instead of the planner's choice.
    pub path: Option<Path>,
    /// Time the f64 path this many times and report the median.
    pub repeat: usize,
    /// Compute the MPFR value.
    pub mpfr: bool,
    /// Compute a proven enclosure.
    pub certify: bool,
}

impl Default for FastOptions {
    fn default() -> Self {
        FastOptions {
            path: None,
            repeat: 1,
            mpfr: true,
            certify: true,
        }
    }
}

/// The f64 result.
#[derive(Clone, Debug, Serialize)]
pub struct F64Part {
    /// The path used.
    pub path: &'static str,
    /// Why the planner chose it.
    pub reason: String,
    /// λ_max.
    pub value: f64,
    /// Error bound (see `bound_kind`).
    pub bound: f64,
    /// What the bound is.
    pub bound_kind: &'static str,
    /// Hessian-vector products (Lanczos).
    pub products: usize,
    /// Median seconds over the repeats (from f64 weights in memory to the value).
    pub seconds: f64,
    /// Every repeat's seconds.
    pub all_seconds: Vec<f64>,
}

/// The MPFR result.
#[derive(Clone, Debug, Serialize)]
pub struct MpfrPart {
    /// "kp-operator-refined" (zero-loss linear and residual points, [`kp_mpfr`], at any size) or
    /// "hessian" (the dense Hessian, Householder + Sturm bisection, up to the MPFR limit).
    pub via: &'static str,
    /// Precision in bits.
    pub precision: u32,
    /// λ_max as a decimal string.
    pub value: String,
    /// A proven bound of |λ_max − value| (value as printed), rounded up; None when not proven.
    pub radius: Option<f64>,
    /// The proven lower end, as a decimal rounded down.
    pub lo: Option<String>,
    /// The proven upper end, as a decimal rounded up.
    pub hi: Option<String>,
    /// Whether [lo, hi] is a proven enclosure of λ_max.
    pub proven: bool,
    /// Whether the refined eigenvalue was proven to be the top one (then the radius is the
    /// Kato–Temple one; else it is as wide as the f64 gap bound).
    pub separated: Option<bool>,
    /// MPFR operator products (refinement).
    pub products: Option<usize>,
    /// Seconds of the dense f64 gap bound, included in `seconds` (refinement only).
    pub gap_seconds: Option<f64>,
    /// Seconds (building the matrix in MPFR and the eigensolver).
    pub seconds: f64,
}

/// The proven enclosure.
#[derive(Clone, Debug, Serialize)]
pub struct CertifiedPart {
    /// How it was proven: "exact-rational-kp", "kp-verified-f64", "exact-rational" or
    /// "verified-f64-interval-hessian" ([`crate::certify::planned::prove`]).
    pub via: &'static str,
    /// Lower end as an f64 rounded down: the largest f64 ≤ the exact lower end (equal to it when
    /// that is an f64, as with via = kp-verified-f64).
    pub lo: f64,
    /// Upper end as an f64 rounded up: the smallest f64 ≥ the exact upper end. So [lo, hi]
    /// always contains [lo_exact, hi_exact].
    pub hi: f64,
    /// Exact ends as "p/q".
    pub lo_exact: String,
    /// Exact upper end.
    pub hi_exact: String,
    /// (hi − lo)/|hi|.
    pub relative_width: f64,
    /// Seconds, from the exact point.
    pub seconds: f64,
}

/// Everything `sharpness` measured.
#[derive(Clone, Debug, Serialize)]
pub struct FastReport {
    /// The case's model kind, whose Hessian every value is of.
    pub model: ModelKind,
    /// Its loss, as a formula with the model's constants.
    pub loss: String,
    /// The parameter count P.
    pub params: usize,
    /// d_L·n, the KP operator's dimension.
    pub kp_dim: usize,
    /// Whether the loss is exactly zero (decided in rationals).
    pub zero_loss: bool,
    /// Seconds of the exact zero-loss check.
    pub zero_loss_seconds: f64,
    /// The f64 value.
    pub f64: F64Part,
    /// The MPFR value, when computed.
    pub mpfr: Option<MpfrPart>,
    /// The enclosure, when proven.
    pub certified: Option<CertifiedPart>,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

/// Run the fast paths at the case's model point `mp`: the planner's f64 path, the MPFR value and
/// a proven enclosure, each of λ_max of `mp`'s own model (the linear network's kernels only for
/// the linear and residual models, [`ModelPoint::linear_network`]).
pub fn measure(
    mp: &ModelPoint,
    settings: &Settings,
    opts: &FastOptions,
) -> Result<FastReport, String> {
    let kind = mp.family.kind();
    let lin = mp.linear_network();
    let sizes = planner::Sizes::of(&mp.params, &mp.x, &mp.y, kind);
    let (params, kp_dim) = (sizes.params, sizes.kp_dim);
    let t = Instant::now();
    let (zero_loss, plan) = match &lin {
        Some(p) => {
            let zero = kp_verified::exact_zero_loss(p);
            (zero, planner::plan(sizes, zero, opts.path)?)
        }
        // the other models' plan does not depend on the loss: refuse before any exact work
        None => {
            let plan = planner::plan(sizes, false, opts.path)?;
            (mp.loss(&Exact).is_zero(), plan)
        }
    };
    let zero_loss_seconds = t.elapsed().as_secs_f64();
    let (all_seconds, top) = match &lin {
        Some(p) => time_network(p, plan.path, opts.repeat)?,
        None => time_model(mp, opts.repeat)?,
    };
    let f64_part = F64Part {
        path: top.path.name(),
        reason: plan.reason,
        value: top.value,
        bound: top.bound,
        bound_kind: top.bound_kind,
        products: top.products,
        seconds: median(&all_seconds),
        all_seconds,
    };
    let mut notes = Vec::new();
    // at zero loss ∇²f = JᵀJ and K = JJᵀ share their nonzero eigenvalues (linear networks)
    let kp_point = lin.as_ref().filter(|_| zero_loss && kp_dim <= params);
    let mpfr = if !opts.mpfr {
        None
    } else if let Some(p) = kp_point {
        match mpfr_refined(p, settings.prec, &mut notes) {
            Ok(part) => Some(part),
            Err(e) => {
                notes.push(format!("MPFR refinement failed: {e}"));
                None
            }
        }
    } else if params > settings.mpfr_limit {
        notes.push(format!(
            "MPFR skipped: the Hessian's dimension {params} exceeds the MPFR limit {} (O(m³) MPFR \
             operations; the matrix-free MPFR refinement serves zero-loss linear and residual \
             points only)",
            settings.mpfr_limit
        ));
        None
    } else {
        let t = Instant::now();
        let v = eigen_mpfr::top_eigenvalue(
            &mp.build(&Mpfr {
                prec: settings.prec,
            }),
            settings.prec,
        );
        Some(MpfrPart {
            via: "hessian",
            precision: settings.prec,
            value: mpfr_decimal(&v),
            radius: None,
            lo: None,
            hi: None,
            proven: false,
            separated: None,
            products: None,
            gap_seconds: None,
            seconds: t.elapsed().as_secs_f64(),
        })
    };
    let certified = if !opts.certify {
        None
    } else {
        certify(mp, lin.as_ref(), settings, zero_loss, &mut notes)
    };
    Ok(FastReport {
        model: kind,
        loss: mp.family.loss_formula(),
        params,
        kp_dim,
        zero_loss,
        zero_loss_seconds,
        f64: f64_part,
        mpfr,
        certified,
        notes,
    })
}

/// The MPFR value of λ_max at the zero-loss point `p` by [`kp_mpfr::refine_top`], with its
/// proven enclosure (or a note in `notes` why only the lower end is proven): ends printed rounded outward, and the radius measured from the printed
/// value v (parsed at prec + 64 bits, whose rounding |v − v'| ≤ 2^−(prec+63)|v'| is added).
fn mpfr_refined(p: &Point, prec: u32, notes: &mut Vec<String>) -> Result<MpfrPart, String> {
    let t = Instant::now();
    let top = kp_mpfr::refine_top(p, prec)?;
    let value = mpfr_decimal(&top.value);
    let digits = (prec as f64 * std::f64::consts::LOG10_2).floor() as usize;
    let lo = top.lo.to_string_radix_round(10, Some(digits), Round::Down);
    let radius = top.hi.as_ref().map(|hi| {
        let v = Float::with_val(prec + 64, Float::parse(&value).expect("an MPFR decimal"));
        let above = Float::with_val_round(64, hi - &v, Round::Up).0;
        let below = Float::with_val_round(64, &v - &top.lo, Round::Up).0;
        let parse = Float::with_val_round(64, v.abs_ref(), Round::Up).0 >> (prec + 63);
        let r = if above > below { above } else { below };
        Float::with_val_round(64, &r + &parse, Round::Up)
            .0
            .to_f64_round(Round::Up)
    });
    if let Some(n) = top.note {
        notes.push(format!("MPFR value not proven: {n}"));
    }
    Ok(MpfrPart {
        via: "kp-operator-refined",
        precision: prec,
        value,
        radius,
        lo: Some(lo),
        hi: top
            .hi
            .as_ref()
            .map(|h| h.to_string_radix_round(10, Some(digits), Round::Up)),
        proven: radius.is_some(),
        separated: Some(top.separated),
        products: Some(top.products),
        gap_seconds: Some(top.gap_seconds),
        seconds: t.elapsed().as_secs_f64(),
    })
}

/// The linear network's f64 path at `p`, timed `repeat` times from f64 weights in memory to the
/// value, after an untimed warm-up product: the first faer product of a process reads the CPU's
/// cache sizes from /sys (gemm's lazy initialization, about 1 ms, measured with strace), which is
/// not part of the computation being timed (the process wall time still includes it).
fn time_network(p: &Point, path: Path, repeat: usize) -> Result<(Vec<f64>, FastTop), String> {
    let ws: Vec<Mat<f64>> = p.weights.iter().map(|w| mat::from_exact(&F64, w)).collect();
    let (x, y) = (mat::from_exact(&F64, &p.x), mat::from_exact(&F64, &p.y));
    // one 64 × 64 faer product (0.26 M multiply-adds, tens of µs) runs that initialization
    let warm = faer::Mat::<f64>::identity(64, 64);
    std::hint::black_box(&warm * &warm);
    let mut all_seconds = Vec::new();
    let mut top = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let net = NetworkF64::new(&ws, &x, &y);
        top = Some(planner::top_f64(&net, path)?);
        all_seconds.push(t.elapsed().as_secs_f64());
    }
    top.map(|t| (all_seconds, t))
        .ok_or_else(|| "no f64 run".to_string())
}

/// The dense path of a model the network kernels do not serve: its Hessian built in f64 by the
/// model's own formula from the exact point, then all its eigenvalues; timed `repeat` times.
fn time_model(mp: &ModelPoint, repeat: usize) -> Result<(Vec<f64>, FastTop), String> {
    let mut all_seconds = Vec::new();
    let mut top = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let r = planner::dense_matrix_top(&mp.hessian(&F64))?;
        all_seconds.push(t.elapsed().as_secs_f64());
        top = Some(r);
    }
    top.map(|t| (all_seconds, t))
        .ok_or_else(|| "no f64 run".to_string())
}

/// The proven enclosure of λ_max of `mp`'s model ([`prove`]): for the linear network (`lin`, the
/// linear and residual models) at zero loss the exact rational path on the small KP operator
/// (tightest; can name λ_max exactly) up to [`EXACT_KP_LIMIT`], then KP + verified floating point;
/// otherwise the exact rational path on the model's own Hessian up to [`EXACT_HESSIAN_LIMIT`];
/// else none (with a note).
///
/// [`EXACT_KP_LIMIT`]: crate::certify::planned::EXACT_KP_LIMIT
/// [`EXACT_HESSIAN_LIMIT`]: crate::certify::planned::EXACT_HESSIAN_LIMIT
fn certify(
    mp: &ModelPoint,
    lin: Option<&Point>,
    settings: &Settings,
    zero_loss: bool,
    notes: &mut Vec<String>,
) -> Option<CertifiedPart> {
    let t = Instant::now();
    let (via, enc) = prove(mp.param_count(), lin, Some(mp), settings, zero_loss, notes)?;
    Some(CertifiedPart {
        via,
        lo: q_to_f64_down(enc.lo()),
        hi: q_to_f64_up(enc.hi()),
        lo_exact: q_to_string(enc.lo()),
        hi_exact: q_to_string(enc.hi()),
        relative_width: q_to_f64(&enc.relative_width()),
        seconds: t.elapsed().as_secs_f64(),
    })
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The text form of a [`FastReport`].
pub fn render(r: &FastReport) -> String {
    let mut out = format!(
        "fast paths (P = {}, d_L·n = {}, loss {}):\n  f64       {:.17e}  via {} ({}); {} {:.1e}; {:.4} s (median of {})\n",
        r.params,
        r.kp_dim,
        if r.zero_loss { "exactly zero" } else { "nonzero" },
        r.f64.value,
        r.f64.path,
        r.f64.reason,
        r.f64.bound_kind,
        r.f64.bound,
        r.f64.seconds,
        r.f64.all_seconds.len()
    );
    if let Some(m) = &r.mpfr {
        let bound = match (m.radius, m.separated) {
            (Some(rad), Some(true)) => format!(" ± {rad:.1e} (proven)"),
            (Some(rad), _) => format!(" ± {rad:.1e} (proven; the top eigenvalue not separated)"),
            (None, _) => String::new(),
        };
        out += &format!(
            "  MPFR-{:<4} {}{bound} via {}; {:.4} s\n",
            m.precision, m.value, m.via, m.seconds
        );
    }
    if let Some(c) = &r.certified {
        out += &format!(
            "  proven    [{:.17e}, {:.17e}] via {}, relative width {:.1e}; {:.3} s\n",
            c.lo, c.hi, c.via, c.relative_width, c.seconds
        );
    }
    for n in &r.notes {
        out += &format!("  note: {n}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instance::Family;

    use crate::enumerate::minimizers::tests::q;

    /// The scalar minimizer w = (1, 2, 4), X = 1, Y = 8: λ_max = 1·(4·2)²/… = 84 (claims.md).
    fn scalar(y: i64) -> ModelPoint {
        let one = |v: i64| Mat::from_vec(1, 1, vec![q(v, 1)]);
        ModelPoint::new(Family::Linear, vec![one(1), one(2), one(4)], one(1), one(y)).unwrap()
    }

    #[test]
    fn every_path_gives_84_at_the_scalar_minimizer() {
        let p = scalar(8);
        for path in [
            Path::KpOperator,
            Path::KpOperatorLanczos,
            Path::LanczosHvp,
            Path::Dense,
        ] {
            let r = measure(
                &p,
                &Settings::default(),
                &FastOptions {
                    path: Some(path),
                    ..FastOptions::default()
                },
            )
            .unwrap();
            assert!(r.zero_loss);
            assert_eq!(r.f64.path, path.name());
            assert!(
                (r.f64.value - 84.0).abs() <= 1e-12 * 84.0,
                "{path:?}: {r:?}"
            );
            let c = r.certified.as_ref().unwrap();
            assert_eq!(c.via, "exact-rational-kp");
            assert_eq!((c.lo_exact.as_str(), c.hi_exact.as_str()), ("84", "84"));
            let m = rug::Float::parse(&r.mpfr.as_ref().unwrap().value).unwrap();
            let m = rug::Float::with_val(256, m);
            assert!((m - 84u32).abs() < 1e-60, "{path:?}");
        }
        // the planner's own choice at a nonzero loss, with the exact path for the enclosure
        let r = measure(&scalar(7), &Settings::default(), &FastOptions::default()).unwrap();
        assert!(!r.zero_loss);
        assert_eq!(r.f64.path, "dense");
        assert_eq!(r.certified.unwrap().via, "exact-rational");
        assert_eq!(r.mpfr.unwrap().via, "hessian");
    }

    /// The same scalar point read as other models: residual (a = w, W = 1 + a: the linear
    /// network at (2, 3, 5), zero loss for Y = 30, λ_max = Σ_k (P/w_k)² = 225 + 100 + 36 = 361),
    /// and L2 (λ = 1/10 on the linear Hessian: 84 + 1/10 at Y = 8), each proven exactly.
    #[test]
    fn other_models_get_their_own_lambda_max() {
        let one = |v: i64| Mat::from_vec(1, 1, vec![q(v, 1)]);
        let ws = vec![one(1), one(2), one(4)];
        let res = ModelPoint::new(Family::Residual, ws.clone(), one(1), one(30)).unwrap();
        let r = measure(&res, &Settings::default(), &FastOptions::default()).unwrap();
        assert_eq!(r.model, ModelKind::Residual);
        assert!(r.zero_loss);
        let c = r.certified.unwrap();
        assert_eq!((c.lo_exact.as_str(), c.hi_exact.as_str()), ("361", "361"));
        let fam = Family::L2 {
            lambda: q(1, 10),
            mask: None,
        };
        let l2 = ModelPoint::new(fam, ws, one(1), one(8)).unwrap();
        let r = measure(&l2, &Settings::default(), &FastOptions::default()).unwrap();
        assert_eq!(r.model, ModelKind::L2Regularized);
        assert!(r.loss.contains("(λ/2)"));
        assert_eq!(r.f64.path, "dense");
        let c = r.certified.unwrap();
        assert_eq!(c.via, "exact-rational");
        assert_eq!(
            (c.lo_exact.as_str(), c.hi_exact.as_str()),
            ("841/10", "841/10")
        );
        assert!(c.lo < 84.1 || c.hi > 84.1);
        assert!((r.f64.value - 84.1).abs() < 1e-12);
        // a path of the linear network's kernels cannot serve it
        for path in [Path::KpOperator, Path::LanczosHvp] {
            let opts = FastOptions {
                path: Some(path),
                ..FastOptions::default()
            };
            assert!(measure(&l2, &Settings::default(), &opts).is_err());
        }
    }
}
