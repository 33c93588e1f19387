//! KP-escape (\[KP\], claims.md): gradient descent with step η started ε from a zero-loss minimizer
//! W* along the top Hessian eigenvector stays near W* when η < 2/λ_max(∇²f(W*)), leaves when
//! η > 2/λ_max, and when it then converges, converges to a point with λ_max ≤ 2/η.
//!
//! Convention: f = ½‖PX − Y‖² (claims.md); GD on f with step η is GD on the paper's ½-free loss
//! with step η/2, and both thresholds read 2/λ_max in their own convention.
//!
//! Decision rules, per minimizer and step size (each stated in the report's `rules`):
//! - the side of η is decided by comparing λ_max(W*) (certified enclosure where exact) with 2/η;
//! - "stays near": max_t ‖W_t − W*‖_F ≤ 2ε (the linearization gives ‖W_t − W*‖ ≤ ε·|1 − ηλ|^t ≤ ε,
//!   the factor 2 allows the O(ε²) curvature of the minimizer set and f64 rounding);
//! - "leaves": max_t ‖W_t − W*‖_F ≥ 100ε (impossible for the linearization when |1 − ηλ| < 1);
//!   between the two: undecided;
//! - after leaving, a run that converged (‖∇f‖ ≤ grad_tol) ends at a near-critical point whose
//!   λ_max (three-way, certified enclosure at the exact dyadic final point) is compared with 2/η;
//!   a diverged run or one that spent its budget satisfies the conditional statement vacuously;
//! - the same run in MPFR (the case's precision) over the first MPFR_STEPS steps must not reach a
//!   different stays/leaves decision than f64 over those steps, else the point is undecided.
//!
//! The runs themselves (the start W* + εv, GD in f64 with its distances and thinned trajectory,
//! the MPFR re-run of the prefix, the MPFR gradient norm at the final point) are
//! [`crate::dynamics::experiment::escape`]; this claim reads the settings, decides the side of η,
//! applies the stays/leaves rule to the distances (`movement`, with NEAR and FAR: an
//! interpretation, so it stays here), certifies λ_max at a converged final point and writes the
//! report's values.

use super::context::CaseContext;
use super::evidence::{aggregate, json_f64, Evidence, Finding, Outcome, Readings};
use super::{claim, Points, Scope};
use crate::case::ModelKind;
use crate::certify::estimate::{Basis, Comparison, Estimate};
use crate::certify::lambda_max::lambda_max;
use crate::certify::sources::HessianAt;
use crate::dynamics::experiment::{
    divergence_bound, escape, grad_norm_mpfr, EscapeSetup, DIVERGE_FACTOR,
};
use crate::dynamics::{Stop, StopRule};
use crate::enumerate::minimizers::Point;
use crate::linalg::field::{f64_to_q, q_to_f64, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Mpfr, F64};
use crate::model::l2;
use num_rational::BigRational;
use num_traits::Zero;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// Default ε (claims.md: the paper starts 1e-9 from the minimizer).
const DEFAULT_EPSILON: f64 = 1e-9;
/// Default step sizes, as multiples of 2/λ_max.
const DEFAULT_FACTORS: [f64; 4] = [0.5, 0.9, 1.1, 1.5];
/// Default step budget per run.
const DEFAULT_STEPS: usize = 5000;
/// Default convergence threshold on ‖∇f‖_F.
const DEFAULT_GRAD_TOL: f64 = 1e-10;
/// Default number of trajectory points kept per run.
const DEFAULT_POINTS: usize = 200;
/// "Stays near": max distance ≤ NEAR·ε.
const NEAR: f64 = 2.0;
/// "Leaves": max distance ≥ FAR·ε.
const FAR: f64 = 100.0;
/// The MPFR re-run covers the first MPFR_STEPS steps (the stays/leaves decision is made early:
/// at |1 − ηλ| = 1.2 the distance grows 100-fold in 26 steps); the f64 run's decision over the same
/// prefix must agree with it.
const MPFR_STEPS: usize = 500;

/// The settings of one case's escape experiment: the step factors, and the settings of each run.
struct Setup {
    factors: Vec<f64>,
    run: EscapeSetup,
}

impl Setup {
    fn from(ctx: &CaseContext) -> Self {
        let d = &ctx.case.dynamics;
        let y = mat::from_exact(&F64, &ctx.case.y);
        Setup {
            factors: d
                .step_factors
                .as_ref()
                .map_or(DEFAULT_FACTORS.to_vec(), |v| {
                    v.iter().map(q_to_f64).collect()
                }),
            run: EscapeSetup {
                epsilon: d.epsilon.as_ref().map_or(DEFAULT_EPSILON, q_to_f64),
                rule: StopRule {
                    max_steps: d.steps.unwrap_or(DEFAULT_STEPS),
                    grad_tol: d.grad_tol.as_ref().map_or(DEFAULT_GRAD_TOL, q_to_f64),
                    diverge_above: divergence_bound(&y),
                },
                max_points: d.max_points.unwrap_or(DEFAULT_POINTS),
                mpfr_steps: MPFR_STEPS,
            },
        }
    }
    fn json(&self) -> Value {
        let r = &self.run;
        json!({
            "epsilon": r.epsilon,
            "step_factors": self.factors,
            "max_steps": r.rule.max_steps,
            "grad_tol": r.rule.grad_tol,
            "diverge_above": r.rule.diverge_above,
            "max_points_per_trajectory": r.max_points,
            "rules": {
                "side": "lambda_max(W*) compared with 2/eta (certified enclosure where the minimizer is exact)",
                "stays_near": format!("max_t ||W_t - W*||_F <= {NEAR} * epsilon"),
                "leaves": format!("max_t ||W_t - W*||_F >= {FAR} * epsilon"),
                "converged": "||grad f(W_t)||_F <= grad_tol; then lambda_max(final) <= 2/eta is checked",
                "diverged": format!("f(W_t) not finite or > {DIVERGE_FACTOR:e} * max(1, f(0))"),
                "mpfr": format!("the same run in MPFR at the case precision over the first {MPFR_STEPS} steps must not reach a different stays/leaves decision than f64 over those steps"),
            },
        })
    }
}

claim! {
    KpEscape {
        id: "KP-escape",
        source: "[KP] Kamber & Parhi, arXiv 2509.25783",
        statement: "GD with step η started ε from a minimizer along the top Hessian eigenvector stays near it when η < 2/λ_max and leaves it when η > 2/λ_max; when it then converges, the limit has λ_max ≤ 2/η",
        escalates: false,
        scope: Scope {
            kinds: &[ModelKind::Linear],
            points: Points::Minimizers,
            ..Scope::ANY
        },
    }
}

impl KpEscape {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let kp = match ctx.kp() {
            Ok(kp) => kp,
            Err(e) => return e.outcome(ctx.case),
        };
        let setup = Setup::from(ctx);
        let mut findings = Vec::new();
        let mut runs = Vec::new();
        for (i, p) in kp.points.iter().enumerate() {
            // the balanced minimizer may coincide with the case's point: run each point once
            if kp.points[..i].iter().any(|q| q.weights == p.weights) {
                continue;
            }
            let top = &ctx.hessian_top(kp, i).0;
            for &factor in &setup.factors {
                let (finding, run) = escape_run(ctx, &setup, p, top, factor);
                findings.push((format!("{} at η = {factor}·2/λ_max", p.origin), finding));
                runs.push(run);
            }
        }
        let mut out = aggregate(findings);
        out.values.insert("settings".into(), setup.json());
        out.values.insert("runs".into(), Value::Array(runs));
        kp.annotate(out)
    }
}

/// The stays/leaves rule: leaves (`Some(true)`) when the largest distance is ≥ FAR·ε, stays near
/// (`Some(false)`) when it is ≤ NEAR·ε, undecided (`None`) between the two.
fn movement(max_distance: f64, epsilon: f64) -> Option<bool> {
    if max_distance <= NEAR * epsilon {
        Some(false)
    } else if max_distance >= FAR * epsilon {
        Some(true)
    } else {
        None
    }
}

/// One run at one minimizer and one step factor: its finding and its JSON record.
fn escape_run(
    ctx: &CaseContext,
    setup: &Setup,
    p: &Point,
    top: &Estimate,
    factor: f64,
) -> (Finding, Value) {
    let eta = factor * 2.0 / top.f64;
    let mut values = Map::new();
    values.insert("point".into(), json!(p.origin));
    values.insert("step_factor".into(), json!(factor));
    values.insert("eta".into(), json_f64(eta));
    Readings::of(top).write_into("lambda_max_start", &mut values);
    let (Some(eta_q), true) = (f64_to_q(eta), eta > 0.0) else {
        let why = format!("η = 2·{factor}/λ_max = {eta} is not a positive finite number");
        values.insert("decision".into(), json!("undecided"));
        return (
            Finding::Undecided(why, Evidence::default()),
            Value::Object(values),
        );
    };
    let two_over_eta = BigRational::from_integer(2.into()) / &eta_q;
    let threshold = Estimate::exact(&two_over_eta, ctx.settings.prec);
    values.insert("two_over_eta".into(), json!(q_to_string(&two_over_eta)));
    // the side: η > 2/λ_max ⇔ λ_max > 2/η
    let above = match top.compare(&threshold, &ctx.eq_tol()) {
        Comparison::Decided(Ordering::Greater, b) => (true, b),
        Comparison::Decided(Ordering::Less, b) => (false, b),
        Comparison::Decided(Ordering::Equal, _) => {
            return undecided(values, "η·λ_max is 2 to within the enclosure width".into())
        }
        Comparison::Undecided(why) => return undecided(values, why),
    };
    values.insert(
        "side".into(),
        json!(if above.0 {
            "eta > 2/lambda_max"
        } else {
            "eta < 2/lambda_max"
        }),
    );
    values.insert("side_basis".into(), json!(above.1.as_str()));

    // the f64 run from W* + ε v and its MPFR re-run over the prefix
    let problem_q = l2::Problem {
        x: p.x.clone(),
        y: p.y.clone(),
        lambda: BigRational::zero(),
        mask: None,
    };
    let mp = Mpfr {
        prec: ctx.settings.prec,
    };
    let (t64, tmp, mpfr_steps) = match escape(&problem_q, &p.weights, eta, &setup.run, &mp) {
        Ok(e) => (e.f64, e.mpfr, e.mpfr_steps),
        Err(why) => return undecided(values, why),
    };
    let epsilon = setup.run.epsilon;
    let (m64, m64_prefix, mmp) = (
        movement(t64.max_distance, epsilon),
        movement(t64.prefix_distance, epsilon),
        movement(tmp.max_distance, epsilon),
    );
    let show = |m: Option<bool>| match m {
        Some(true) => "leaves",
        Some(false) => "stays near",
        None => "undecided",
    };
    values.insert("max_distance_f64".into(), json_f64(t64.max_distance));
    values.insert(
        "max_distance_f64_prefix".into(),
        json_f64(t64.prefix_distance),
    );
    values.insert(
        "max_distance_mpfr_prefix".into(),
        json_f64(tmp.max_distance),
    );
    values.insert("movement_f64".into(), json!(show(m64)));
    values.insert("movement_f64_prefix".into(), json!(show(m64_prefix)));
    values.insert("movement_mpfr_prefix".into(), json!(show(mmp)));
    values.insert("mpfr_prefix_steps".into(), json!(mpfr_steps));
    values.insert("stop".into(), json!(t64.run.stop.as_str()));
    values.insert("stop_mpfr".into(), json!(tmp.run.stop.as_str()));
    values.insert("steps".into(), json!(t64.run.steps));
    values.insert("final_loss".into(), json_f64(t64.run.loss));
    values.insert("final_grad_norm".into(), json_f64(t64.run.grad_norm));
    values.insert("trajectory".into(), json!(t64.records));
    // MPFR must not contradict f64 on the common prefix; a prefix decided by neither is no check
    let mpfr_check = match (m64_prefix, mmp) {
        (Some(a), Some(b)) if a != b => {
            return undecided(
                values,
                format!(
                    "f64 and MPFR disagree over the first {} steps: f64 {}, MPFR {}",
                    mpfr_steps,
                    show(m64_prefix),
                    show(mmp)
                ),
            )
        }
        (Some(_), Some(_)) => "agrees",
        _ => "not decided within the prefix",
    };
    values.insert("mpfr_check".into(), json!(mpfr_check));
    let Some(moved) = m64 else {
        return undecided(
            values,
            format!(
                "movement undecided: max distance {:e} is between {NEAR}ε and {FAR}ε (ε = {:e})",
                t64.max_distance, epsilon
            ),
        );
    };
    if moved != above.0 {
        let why = format!(
            "η = {factor}·2/λ_max is {} yet the run {} (max distance {:e}, ε = {:e})",
            if above.0 {
                "above the threshold"
            } else {
                "below the threshold"
            },
            show(m64),
            t64.max_distance,
            epsilon
        );
        values.insert("decision".into(), json!("fails"));
        return (
            Finding::Fails(Basis::Simulation, evidence(&values), why),
            Value::Object(values),
        );
    }
    if !above.0 || t64.run.stop != Stop::Converged {
        values.insert("decision".into(), json!("holds"));
        return (
            Finding::Holds(Basis::Simulation, evidence(&values)),
            Value::Object(values),
        );
    }
    // converged after leaving: the final point's λ_max against 2/η
    let final_q: Option<Vec<Mat<BigRational>>> = t64
        .run
        .weights
        .iter()
        .map(|w| {
            let entries: Option<Vec<BigRational>> =
                w.as_slice().iter().map(|&x| f64_to_q(x)).collect();
            entries.map(|e| Mat::from_vec(w.rows(), w.cols(), e))
        })
        .collect();
    let Some(final_q) = final_q else {
        return undecided(values, "final point not finite".into());
    };
    let fp = Point {
        weights: final_q,
        x: p.x.clone(),
        y: p.y.clone(),
        exact: true,
        origin: "final point of the run".into(),
    };
    let (lam_final, _) = lambda_max(&HessianAt(&fp), &ctx.settings);
    let g_norm_mp = grad_norm_mpfr(&problem_q, &t64.run.weights, &mp);
    Readings::of(&lam_final).write_into("lambda_max_final", &mut values);
    values.insert("final_grad_norm_mpfr".into(), json_f64(g_norm_mp));
    match lam_final.compare(&threshold, &ctx.eq_tol()) {
        Comparison::Decided(Ordering::Greater, _) => {
            let why = format!(
                "converged (‖∇f‖ = {:e}) to a point with λ_max = {:.12e} > 2/η = {:.12e}",
                g_norm_mp,
                lam_final.f64,
                q_to_f64(&two_over_eta)
            );
            values.insert("decision".into(), json!("fails"));
            (
                Finding::Fails(Basis::Simulation, evidence(&values), why),
                Value::Object(values),
            )
        }
        Comparison::Decided(_, _) => {
            values.insert("decision".into(), json!("holds"));
            (
                Finding::Holds(Basis::Simulation, evidence(&values)),
                Value::Object(values),
            )
        }
        Comparison::Undecided(why) => undecided(values, why),
    }
}

/// The evidence of one run (the trajectory stays in the `runs` list only).
fn evidence(values: &Map<String, Value>) -> Evidence {
    let mut v = values.clone();
    v.remove("trajectory");
    Evidence {
        values: v.into(),
        certificate: None,
    }
}

fn undecided(mut values: Map<String, Value>, why: String) -> (Finding, Value) {
    values.insert("decision".into(), json!("undecided"));
    values.insert("reason".into(), json!(why));
    (
        Finding::Undecided(why, evidence(&values)),
        Value::Object(values),
    )
}
