//! \[WJ\] Wang & Jacot, L2-regularized deep linear networks (claims.md, "\[WJ\]"): the per-singular-value
//! equation of balanced critical points (WJ-scalar-roots), local minima of several ranks (WJ-ranks)
//! and SGD's one-way jumps from higher to lower rank (WJ-one-way).
//!
//! The balanced points are built in the singular bases of A* (see `enumerate::l2_minima`); the SGD
//! experiment maps them back to the original basis through A*'s f64 SVD (faer), because SGD over
//! entries is not invariant under rotations.
//!
//! WJ-one-way's runs (seeded streams, start noise, SGD, settling GD, rank of the product, the tally
//! against the start's rank) are [`crate::dynamics::experiment::OneWaySetup::tally`]; this claim
//! reads the settings, checks the rank threshold against the certified minima, and reads the
//! tallies as upward and downward jumps.

use super::context::{CaseContext, Problem};
use super::evidence::{aggregate, figures, json_f64, Evidence, Finding, Outcome, PointRow, Values};
use super::{claim, Claim, Data, NotApplicable, Scope};
use crate::case::ModelKind;
use crate::certify::estimate::Basis;
use crate::dynamics::experiment::{divergence_bound, to_original_basis, OneWaySetup};
use crate::dynamics::wilson95;
use crate::enumerate::l2_minima::{self, Balanced, Class, Root, SingularValue};
use crate::linalg::field::{mpfr_decimal, q_to_f64, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::F64;
use crate::model::l2;
use crate::report::numbers;
use num_rational::BigRational;
use num_traits::Signed;
use serde_json::{json, Map, Value};

/// Every \[WJ\] claim, in the order of claims.md.
pub static CLAIMS: [&dyn Claim; 3] = [&WjScalarRoots, &WjRanks, &WjOneWay];

/// The balanced critical points of one case: its depth, λ, singular values, roots and points.
struct WjProblem {
    depth: usize,
    lambda: BigRational,
    svs: Vec<SingularValue>,
    roots: Vec<Result<Vec<Root>, String>>,
    points: Vec<Balanced>,
}

/// The cases every [WJ] claim concerns: l2-regularized matrix factorization of depth L ≥ 2.
const WJ_SCOPE: Scope = Scope {
    kinds: &[ModelKind::L2Regularized],
    data: Data::Identity,
    depth: (2, usize::MAX),
    ..Scope::ANY
};

/// Built once per case through [`CaseContext::problem`]: for a case within [`WJ_SCOPE`], the
/// balanced critical points, or why the case still does not fit the [WJ] setting (naming the field).
impl Problem for WjProblem {
    fn build(ctx: &CaseContext) -> Result<WjProblem, NotApplicable> {
        let c = ctx.case;
        let lambda = c.lambda.clone().unwrap_or_default();
        if !lambda.is_positive() {
            return Err(NotApplicable::new(
                "model.lambda",
                "the [WJ] claims need λ > 0",
            ));
        }
        if c.mask.is_some() {
            return Err(NotApplicable::new(
            "data.mask",
            "the balanced points are built from the SVD of the full target; a mask breaks that reduction",
        ));
        }
        let depth = c.depth();
        let prec = ctx.settings.prec;
        let svs = l2_minima::singular_values(&c.y, prec);
        let roots: Vec<Result<Vec<Root>, String>> = svs
            .iter()
            .map(|s| l2_minima::scalar_roots(depth, s, &lambda, prec))
            .collect();
        let usable: Vec<Vec<Root>> = roots
            .iter()
            .map_while(|r| r.as_ref().ok().cloned())
            .collect();
        let target = Mat::from_fn(c.y.rows(), c.y.cols(), |i, j| {
            if i == j && i < svs.len() {
                svs[i].mpfr.clone()
            } else {
                rug::Float::new(prec)
            }
        });
        let points = l2_minima::balanced_points(&c.dims, &target, &lambda, &usable, prec);
        Ok(WjProblem {
            depth,
            lambda,
            svs,
            roots,
            points,
        })
    }
}

fn sv_json(s: &SingularValue) -> Value {
    json!({
        "mpfr": mpfr_decimal(&s.mpfr),
        "f64": json_f64(s.mpfr.to_f64()),
        "enclosure": [q_to_string(&s.lo), q_to_string(&s.hi)],
        "enclosure_proven": s.proven,
    })
}

/// The figures of a balanced point: its roots t per singular value (0 for s = 0), rank, value,
/// class (with the reason when undecided), gradient norm against its bound, orbit dimension and
/// least normal Hessian eigenvalue against its bound.
fn point_json(p: &Balanced, roots: &[Vec<Root>]) -> Value {
    let t: Vec<f64> = p
        .choice
        .iter()
        .enumerate()
        .map(|(j, c)| c.map_or(0.0, |i| roots[j][i].t.to_f64()))
        .collect();
    json!({
        "t": t,
        "rank": p.rank,
        "value_f64": json_f64(p.value.to_f64()),
        "value_mpfr": mpfr_decimal(&p.value),
        "class": p.class.as_str(),
        "reason": match &p.class { Class::Undecided(w) => Some(w.clone()), _ => None },
        "grad_norm": json_f64(p.grad_norm.to_f64()),
        "grad_bound": json_f64(p.grad_bound.to_f64()),
        "orbit_dim": p.orbit_dim,
        "min_normal_eigenvalue": p.min_normal_eigenvalue.as_ref().map(|x| json_f64(x.to_f64())),
        "eigen_bound": p.eigen_bound.as_ref().map(|x| json_f64(x.to_f64())),
    })
}

/// The indices of the points sorted by value (the order of their rows in the report's table).
fn by_value(w: &WjProblem) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..w.points.len()).collect();
    idx.sort_by(|&a, &b| {
        w.points[a]
            .value
            .partial_cmp(&w.points[b].value)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    idx
}

/// WJ-ranks' table: every balanced point in order of value, its row saying whether it is a
/// certified local minimum (`holds`), a saddle (`vacuous`: it does not bear on the claim, with
/// why) or undecided, with the figures of [`point_json`]. No point has a certificate.
fn ranks_table(w: &WjProblem) -> Vec<PointRow> {
    let roots: Vec<Vec<Root>> = w
        .roots
        .iter()
        .map_while(|r| r.as_ref().ok().cloned())
        .collect();
    by_value(w)
        .into_iter()
        .map(|i| {
            let p = &w.points[i];
            let values: Values = match point_json(p, &roots) {
                Value::Object(m) => m.into(),
                _ => Values::default(),
            };
            let ev = Evidence {
                values: values.clone(),
                certificate: None,
            };
            let f = match &p.class {
                Class::LocalMin => Finding::Holds(Basis::Mpfr, ev),
                Class::Saddle => Finding::Vacuous(
                    Basis::Mpfr,
                    "a saddle (negative eigenvalue of the compressed Hessian), not a local minimum"
                        .into(),
                ),
                Class::Undecided(why) => Finding::Undecided(why.clone(), ev),
            };
            // a vacuous finding carries no values: every row keeps the point's figures
            PointRow {
                figures: figures(&values),
                ..PointRow::of(&balanced_label(p), &f, None)
            }
        })
        .collect()
}

/// The label of a balanced point: its rank and the root chosen per singular value.
fn balanced_label(p: &Balanced) -> String {
    format!("balanced point of rank {} ({:?})", p.rank, p.choice)
}

claim! {
    WjScalarRoots {
        id: "WJ-scalar-roots",
        source: "[WJ] Wang & Jacot, ICLR 2024 (derived)",
        statement: "balanced critical points act per singular value a of A* through s = t^L with t^{2L−2} − a t^{L−2} + λ = 0, plus s = 0, which is a local minimum for L ≥ 3",
        escalates: false,
        scope: WJ_SCOPE,
    }
}

impl WjScalarRoots {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let w = ctx.problem::<WjProblem>();
        let w = match &*w {
            Ok(w) => w,
            Err(e) => return e.outcome(ctx.case),
        };
        let mut findings = Vec::new();
        let mut per_value = Vec::new();
        for (j, (sv, r)) in w.svs.iter().zip(&w.roots).enumerate() {
            let origin = format!("singular value a_{} = {:.12e}", j + 1, sv.mpfr.to_f64());
            let mut v = Map::new();
            v.insert("a".into(), sv_json(sv));
            match r {
                Ok(roots) => {
                    let rs: Vec<Value> = roots
                        .iter()
                        .map(|r| {
                            json!({"t": mpfr_decimal(&r.t), "s": mpfr_decimal(&r.s),
                                   "bracket": [q_to_string(&r.bracket[0]), q_to_string(&r.bracket[1])]})
                        })
                        .collect();
                    v.insert("roots".into(), Value::Array(rs));
                    let basis = if sv.proven { Basis::Exact } else { Basis::Mpfr };
                    let ev = Evidence {
                        values: v.clone().into(),
                        certificate: None,
                    };
                    findings.push((origin, Finding::Holds(basis, ev)));
                }
                Err(e) => {
                    v.insert("error".into(), json!(e));
                    findings.push((
                        origin,
                        Finding::Undecided(
                            e.clone(),
                            Evidence {
                                values: v.clone().into(),
                                certificate: None,
                            },
                        ),
                    ));
                }
            }
            per_value.push(Value::Object(v));
        }
        // every balanced point built from the roots must be critical
        // (in order of value, each with its figures: t, rank, value, class, gradient, …)
        let roots: Vec<Vec<Root>> = w
            .roots
            .iter()
            .map_while(|r| r.as_ref().ok().cloned())
            .collect();
        for p in by_value(w).into_iter().map(|i| &w.points[i]) {
            let origin = balanced_label(p);
            let v = match point_json(p, &roots) {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            let ev = Evidence {
                values: v.into(),
                certificate: None,
            };
            if p.grad_norm > p.grad_bound {
                let why = format!(
                    "‖∇F‖ = {} > {}: not critical",
                    numbers::mpfr_value(&p.grad_norm),
                    numbers::mpfr_value(&p.grad_bound)
                );
                findings.push((origin, Finding::Fails(Basis::Mpfr, ev, why)));
            } else {
                findings.push((origin, Finding::Holds(Basis::Mpfr, ev)));
            }
        }
        // s = 0 is a local minimum for L ≥ 3
        if let Some(zero) = w.points.iter().find(|p| p.rank == 0) {
            let origin = "the rank-0 point W = 0".to_string();
            let ev = Evidence {
                values: Values::default(),
                certificate: None,
            };
            let f = match (&zero.class, w.depth >= 3) {
                (_, false) => Finding::Vacuous(
                    Basis::Exact,
                    "L = 2: the statement about s = 0 is for L ≥ 3".into(),
                ),
                (Class::LocalMin, true) => Finding::Holds(Basis::Mpfr, ev),
                (Class::Saddle, true) => Finding::Fails(
                    Basis::Mpfr,
                    ev,
                    "W = 0 has a negative Hessian eigenvalue".into(),
                ),
                (Class::Undecided(why), true) => Finding::Undecided(why.clone(), ev),
            };
            findings.push((origin, f));
        }
        let mut out = aggregate(findings);
        out.values.insert("depth".into(), json!(w.depth));
        out.values
            .insert("lambda".into(), json!(q_to_string(&w.lambda)));
        out.values
            .insert("singular_values".into(), Value::Array(per_value));
        out.values.insert(
            "root_count_argument".into(),
            json!("Descartes' rule of signs: t^{2L-2} - a t^{L-2} + λ has at most two positive roots (L ≥ 3; one iff a > λ for L = 2); each root found is bracketed by rationals where the exact value of g changes sign for every a in the enclosure"),
        );
        out
    }
}

claim! {
    WjRanks {
        id: "WJ-ranks",
        source: "[WJ] Wang & Jacot, ICLR 2024",
        statement: "for L ≥ 3 and small λ, F has local minima of different ranks",
        escalates: false,
        scope: WJ_SCOPE,
    }
}

impl WjRanks {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let w = ctx.problem::<WjProblem>();
        let w = match &*w {
            Ok(w) => w,
            Err(e) => return e.outcome(ctx.case),
        };
        let mut min_ranks: Vec<usize> = w
            .points
            .iter()
            .filter(|p| p.class == Class::LocalMin)
            .map(|p| p.rank)
            .collect();
        min_ranks.sort_unstable();
        min_ranks.dedup();
        let undecided = w
            .points
            .iter()
            .filter(|p| matches!(p.class, Class::Undecided(_)))
            .count();
        let root_errors: Vec<&String> = w.roots.iter().filter_map(|r| r.as_ref().err()).collect();
        let mut out = if w.depth < 3 {
            Outcome::inconclusive(format!(
                "the claim is for L ≥ 3; this case has L = {}",
                w.depth
            ))
        } else if min_ranks.len() >= 2 {
            Outcome::verified(Basis::Mpfr.strength()).with_reason(format!(
                "certified local minima of ranks {min_ranks:?} (MPFR at {} bits: ‖∇F‖ within its bound, Hessian positive definite on the normal space of the orbit beyond its error bound)",
                ctx.settings.prec
            ))
        } else if undecided > 0 || !root_errors.is_empty() {
            Outcome::inconclusive(format!(
                "local minima of ranks {min_ranks:?} only, with {undecided} undecided points and {} singular values whose roots were not bracketed",
                root_errors.len()
            ))
        } else {
            Outcome::inconclusive(format!(
                "at λ = {} every balanced critical point is decided and local minima have ranks {min_ranks:?} only: λ is not small enough for the claim's premise",
                q_to_string(&w.lambda)
            ))
        };
        out.values.set_basis(Basis::Mpfr);
        out.values.insert("depth".into(), json!(w.depth));
        out.values
            .insert("lambda".into(), json!(q_to_string(&w.lambda)));
        out.values
            .insert("local_min_ranks".into(), json!(min_ranks));
        out.values.insert(
            "singular_values".into(),
            Value::Array(w.svs.iter().map(sv_json).collect()),
        );
        out.values.point_table = Some(ranks_table(w));
        out.values.insert(
            "certificate_rule".into(),
            json!("critical: ||grad F|| <= 2^(-prec/2)(1 + ||A*||^2); local minimum: the Hessian compressed to the orthogonal complement of the symmetry directions W_i -> O_i W_i O_{i-1}^T has smallest eigenvalue above its MPFR error bound plus the gradient bound; saddle: below minus that bound"),
        );
        out
    }
}

/// Defaults of WJ-one-way (claims.md planning setting).
const DEFAULT_ETAS: [f64; 1] = [0.12];
const DEFAULT_RUNS: usize = 200;
const DEFAULT_STEPS: usize = 4000;
const DEFAULT_BATCH: usize = 1;
const DEFAULT_NOISE: f64 = 1e-2;
const DEFAULT_SETTLE: usize = 20_000;
const DEFAULT_GRAD_TOL: f64 = 1e-10;
const DEFAULT_RANK_THRESHOLD: f64 = 1e-3;

claim! {
    WjOneWay {
        id: "WJ-one-way",
        source: "[WJ] Wang & Jacot, ICLR 2024",
        statement: "SGD with small λ and η jumps from a higher-rank minimum to a lower-rank one with positive probability and never back up",
        escalates: false,
        scope: WJ_SCOPE,
    }
}

impl WjOneWay {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let w = ctx.problem::<WjProblem>();
        let w = match &*w {
            Ok(w) => w,
            Err(e) => return e.outcome(ctx.case),
        };
        let d = &ctx.case.dynamics;
        let etas: Vec<f64> = d
            .etas
            .as_ref()
            .map_or(DEFAULT_ETAS.to_vec(), |v| v.iter().map(q_to_f64).collect());
        let y = mat::from_exact(&F64, &ctx.case.y);
        let s = OneWaySetup {
            seed: ctx.seed,
            runs: d.runs.unwrap_or(DEFAULT_RUNS),
            noise: d.noise.as_ref().map_or(DEFAULT_NOISE, q_to_f64),
            sgd_steps: d.steps.unwrap_or(DEFAULT_STEPS),
            batch: d.batch.unwrap_or(DEFAULT_BATCH),
            settle_steps: d.settle_steps.unwrap_or(DEFAULT_SETTLE),
            grad_tol: d.grad_tol.as_ref().map_or(DEFAULT_GRAD_TOL, q_to_f64),
            rank_threshold: d
                .rank_threshold
                .as_ref()
                .map_or(DEFAULT_RANK_THRESHOLD, q_to_f64),
            diverge_above: divergence_bound(&y),
        };
        let mins: Vec<&Balanced> = w
            .points
            .iter()
            .filter(|p| p.class == Class::LocalMin)
            .collect();
        let roots: Vec<Vec<Root>> = w
            .roots
            .iter()
            .map_while(|r| r.as_ref().ok().cloned())
            .collect();
        // the smallest nonzero singular value of the product over the certified minima
        let s_min = mins
            .iter()
            .flat_map(|p| {
                p.choice
                    .iter()
                    .enumerate()
                    .filter_map(|(j, c)| c.map(|i| roots[j][i].s.to_f64()))
            })
            .fold(f64::INFINITY, f64::min);
        let mut settings = json!({
            "L": w.depth, "widths": ctx.case.dims, "lambda": q_to_string(&w.lambda), "etas": etas,
            "runs_per_setting": s.runs, "sgd_steps": s.sgd_steps, "batch": s.batch,
            "batching": "uniform observed entries with replacement, gradient weights (draws)·N/batch (unbiased)",
            "start_noise": format!("independent uniform in [-{0}, {0}] per weight entry", s.noise),
            "settle": format!("full-batch GD with the same eta, at most {} steps, until ||grad F|| <= {:e}", s.settle_steps, s.grad_tol),
            "rank_threshold": s.rank_threshold,
            "seed": ctx.seed,
            "streams": "ChaCha8 seeded by the case seed, stream (eta index << 40) | (start index << 20) | run index",
        });
        if mins.len() < 2 || !s_min.is_finite() {
            let mut o = Outcome::inconclusive(format!(
                "fewer than two certified local minima of different ranks ({}), so no jump can be observed",
                mins.len()
            ));
            o.values.insert("settings".into(), settings);
            return o;
        }
        if s.rank_threshold >= s_min / 10.0 {
            return ctx.not_applicable(
                "dynamics.rank_threshold",
                format!("the rank threshold {:e} must be below a tenth of the smallest nonzero singular value {s_min:e} of the product at the certified minima", s.rank_threshold),
            );
        }
        settings["rank_threshold_reason"] = json!(format!(
            "at every certified local minimum the product's singular values are 0 or >= s_min = {s_min:.6}; a settled run is within about ||grad F||/lambda of a minimum, so the threshold {:e} lies {:.0} times below s_min and far above the settled residue",
            s.rank_threshold,
            s_min / s.rank_threshold
        ));
        let problem = l2::Problem {
            x: mat::identity(&F64, ctx.case.dims[0]),
            y: y.clone(),
            lambda: q_to_f64(&w.lambda),
            mask: None,
        };
        let max_rank = mins.iter().map(|p| p.rank).max().unwrap_or(0);
        let mut table = Vec::new();
        let mut up_total = 0;
        let mut down_where_predicted = 0;
        let mut first_up: Option<String> = None;
        for (e, &eta) in etas.iter().enumerate() {
            for (m, start) in mins.iter().enumerate() {
                let base: Vec<Mat<f64>> = start
                    .weights
                    .iter()
                    .map(|w| w.map(|x| x.to_f64()))
                    .collect();
                let Some(base) = to_original_basis(base, &y) else {
                    return Outcome::inconclusive("faer's SVD of A* failed");
                };
                let t = s.tally(&problem, &base, start.rank, eta, (e, m));
                if let (Some(k), None) = (t.up_runs.first(), &first_up) {
                    first_up = Some(format!(
                        "η = {eta}, start rank {}, run {k} (seed {})",
                        start.rank, ctx.seed
                    ));
                }
                up_total += t.up;
                if start.rank == max_rank && start.rank > 0 {
                    down_where_predicted += t.down;
                }
                let hist_len = max_rank.max(ctx.case.dims.iter().copied().min().unwrap_or(0)) + 1;
                table.push(json!({
                    "down_runs": t.down_runs,
                    "diverged_runs": t.diverged_runs,
                    "eta": eta,
                    "start_rank": start.rank,
                    "start_value": json_f64(start.value.to_f64()),
                    "runs": s.runs,
                    "down": wilson95(t.down, t.ranked()),
                    "up": wilson95(t.up, t.ranked()),
                    "same": t.same,
                    "diverged": wilson95(t.diverged, t.endings.len()),
                    "unsettled": t.unsettled,
                    "final_rank_counts": t.rank_counts(hist_len),
                }));
            }
        }
        let mut out = if let Some(run) = first_up {
            Outcome::counterexample(
                Basis::Simulation.strength(),
                format!("{up_total} upward rank transitions; the first at {run}"),
            )
        } else if down_where_predicted > 0 {
            Outcome::verified(Basis::Simulation.strength()).with_reason(format!(
                "no upward transition in any setting; {down_where_predicted} downward transitions from the rank-{max_rank} minimum (seeded simulation, not a proof; Wilson 95% intervals in `transitions`)"
            ))
        } else {
            Outcome::inconclusive(format!(
                "no upward transition, but no downward transition from the rank-{max_rank} minimum was observed either: positive probability is not exercised at these settings"
            ))
        };
        out.values.set_basis(Basis::Simulation);
        out.values.insert("settings".into(), settings);
        out.values.insert("transitions".into(), Value::Array(table));
        out
    }
}
