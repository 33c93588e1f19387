//! λ_max(∇²f) at a case's point along the planned fast paths, timed: f64 by the planner's path
//! ([`planner`]), MPFR through the KP operator (zero loss) or the Hessian (Householder + Sturm
//! bisection), and a proven enclosure through verified floating point on the KP operator
//! ([`kp_verified`]) or, for small non-minimizers, the exact rational path. Used by
//! `dlncheck sharpness` (text, or JSON with `--json` for `benches/compare.sh`).

use crate::certify::kp_verified;
use crate::certify::lambda_max::{lambda_max, Settings, SymmetricSource};
use crate::certify::planner::{self, Path};
use crate::claims::sources::{HessianAt, KpOperatorAt};
use crate::enumerate::minimizers::Point;
use crate::linalg::field::{mpfr_decimal, q_to_f64, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_mpfr, Mpfr, F64};
use crate::model::network_f64::NetworkF64;
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
    /// "kp-operator" or "hessian".
    pub via: &'static str,
    /// Precision in bits.
    pub precision: u32,
    /// λ_max as a decimal string.
    pub value: String,
    /// Seconds (building the matrix in MPFR and the eigensolver).
    pub seconds: f64,
}

/// The proven enclosure.
#[derive(Clone, Debug, Serialize)]
pub struct CertifiedPart {
    /// "kp-verified-f64" or "exact-rational".
    pub via: &'static str,
    /// Lower end (f64, exactly the rational end when via = kp-verified-f64).
    pub lo: f64,
    /// Upper end.
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

/// Run the fast paths at the exact point `p`.
pub fn measure(p: &Point, settings: &Settings, opts: &FastOptions) -> Result<FastReport, String> {
    let params: usize = p.weights.iter().map(|w| w.rows() * w.cols()).sum();
    let kp_dim = p.y.rows() * p.y.cols();
    let t = Instant::now();
    let zero_loss = p.exact && kp_verified::exact_zero_loss(p);
    let zero_loss_seconds = t.elapsed().as_secs_f64();
    let sizes = planner::Sizes {
        params,
        kp_dim,
        hvp_size: p
            .weights
            .iter()
            .map(|w| w.rows() * w.cols() * p.x.cols())
            .sum(),
        depth: p.weights.len(),
        out_dim: p.y.rows(),
    };
    let plan = planner::plan(sizes, zero_loss, opts.path)?;
    let ws: Vec<Mat<f64>> = p.weights.iter().map(|w| mat::from_exact(&F64, w)).collect();
    let (x, y) = (mat::from_exact(&F64, &p.x), mat::from_exact(&F64, &p.y));
    // one untimed run first: the first faer product of a process reads the CPU's cache sizes from
    // /sys (gemm's lazy initialization, about 1 ms, measured with strace), which is not part of
    // the computation being timed (the process wall time still includes it)
    planner::top_f64(&NetworkF64::new(&ws, &x, &y), plan.path)?;
    let mut all_seconds = Vec::new();
    let mut top = None;
    for _ in 0..opts.repeat.max(1) {
        let t = Instant::now();
        let net = NetworkF64::new(&ws, &x, &y);
        let r = planner::top_f64(&net, plan.path)?;
        all_seconds.push(t.elapsed().as_secs_f64());
        top = Some(r);
    }
    let top = top.expect("at least one repeat");
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
    let use_kp = zero_loss && kp_dim <= params;
    let mpfr = if !opts.mpfr {
        None
    } else {
        let dim = if use_kp { kp_dim } else { params };
        if dim > settings.mpfr_limit {
            notes.push(format!(
                "MPFR skipped: dimension {dim} exceeds the MPFR limit {} (O(m³) MPFR operations)",
                settings.mpfr_limit
            ));
            None
        } else {
            let mp = Mpfr {
                prec: settings.prec,
            };
            let t = Instant::now();
            let m = if use_kp {
                KpOperatorAt(p).build(&mp)
            } else {
                HessianAt(p).build(&mp)
            };
            let v = eigen_mpfr::top_eigenvalue(&m, settings.prec);
            Some(MpfrPart {
                via: if use_kp { "kp-operator" } else { "hessian" },
                precision: settings.prec,
                value: mpfr_decimal(&v),
                seconds: t.elapsed().as_secs_f64(),
            })
        }
    };
    let certified = if !opts.certify {
        None
    } else {
        certify(p, settings, zero_loss, params, kp_dim, &mut notes)
    };
    Ok(FastReport {
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

/// Largest KP dimension for the exact rational enclosure at zero loss (beyond it the entries of
/// deep products of 53-bit dyadics make fraction-free elimination slow; verified floating point
/// takes over).
pub const EXACT_KP_LIMIT: usize = 32;
/// Largest P for the exact rational enclosure of the full Hessian at nonzero loss.
pub const EXACT_HESSIAN_LIMIT: usize = 64;

/// The proven enclosure: at zero loss the exact rational path on the small KP operator (tightest;
/// can name λ_max exactly) up to [`EXACT_KP_LIMIT`], then KP + verified floating point; at
/// nonzero loss the exact rational path on the Hessian up to [`EXACT_HESSIAN_LIMIT`]; else none
/// (with a note).
fn certify(
    p: &Point,
    settings: &Settings,
    zero_loss: bool,
    params: usize,
    kp_dim: usize,
    notes: &mut Vec<String>,
) -> Option<CertifiedPart> {
    let t = Instant::now();
    if !p.exact {
        notes.push("no enclosure: the point is not exact".into());
        return None;
    }
    let part = |via, enc: &crate::linalg::Enclosure, t: Instant| CertifiedPart {
        via,
        lo: q_to_f64(enc.lo()),
        hi: q_to_f64(enc.hi()),
        lo_exact: q_to_string(enc.lo()),
        hi_exact: q_to_string(enc.hi()),
        relative_width: q_to_f64(&enc.relative_width()),
        seconds: t.elapsed().as_secs_f64(),
    };
    if zero_loss && kp_dim <= EXACT_KP_LIMIT && kp_dim <= params {
        // KP-exact: at zero loss λ_max(∇²f) = λ_max(K), and K is the smaller matrix
        let (est, _) = lambda_max(&KpOperatorAt(p), settings);
        if let Some(enc) = est.enclosure {
            return Some(part("exact-rational-kp", &enc, t));
        }
        notes.extend(est.notes);
    } else if zero_loss && kp_dim <= planner::KP_LIMIT {
        match kp_verified::enclose(p) {
            Ok(e) => return Some(part("kp-verified-f64", &e.enclosure, t)),
            Err(e) => notes.push(format!("KP verified enclosure failed: {e}")),
        }
    } else if params <= EXACT_HESSIAN_LIMIT {
        let (est, _) = lambda_max(&HessianAt(p), settings);
        if let Some(enc) = est.enclosure {
            return Some(part("exact-rational", &enc, t));
        }
        notes.extend(est.notes);
    } else {
        notes.push(format!(
            "no enclosure: nonzero loss (or KP too large) and P = {params} exceeds the exact \
             limit {EXACT_HESSIAN_LIMIT}"
        ));
    }
    None
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
        out += &format!(
            "  MPFR-{:<4} {} via {}; {:.4} s\n",
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
    use num_rational::BigRational;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    /// The scalar minimizer w = (1, 2, 4), X = 1, Y = 8: λ_max = 1·(4·2)²/… = 84 (claims.md).
    fn scalar(y: i64) -> Point {
        let one = |v: i64| Mat::from_vec(1, 1, vec![q(v, 1)]);
        Point {
            weights: vec![one(1), one(2), one(4)],
            x: one(1),
            y: one(y),
            exact: true,
            origin: "test".into(),
        }
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
}
