//! The ZL claim values (ids, statements) and their checks.

use super::case_point::{AtCasePoint, AtPoint, CasePoint, PointPart};
use super::cert::certificate;
use super::gd::{self, Decision, SampleEval};
use super::points::{round_down, round_up};
use super::setup::{pointwise_scope, Setup, ZL_SCOPE};
use super::table;
use crate::case::ModelKind;
use crate::certify::estimate::Basis;
use crate::certify::sigma::sqrt_upper;
use crate::certify::sigma::SigmaBracket;
use crate::claims::evidence::{is_case_point, json_f64, Finding};
use crate::claims::{claim, CaseContext, Outcome};
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::linalg::mat;
use crate::linalg::Exact;
use crate::model::zl::{Net, ZlProblem, Q};
use crate::verdict::Verdict;
use num_traits::{One, Signed, Zero};
use serde_json::{json, Map, Value};

const SOURCE: &str = "[ZL] Zhou & Liang, arXiv 1710.06910 (claims.md, [ZL])";

/// The verdict of per-point decisions (label, decision): any failure refutes, else any undecided
/// point makes it inconclusive, else verified; with the reason.
fn verdict_of(decisions: &[(String, Decision)], what: &str) -> (Verdict, String) {
    let at = |d: Decision| decisions.iter().find(|x| x.1 == d).map(|x| x.0.as_str());
    if let Some(l) = at(Decision::Fails) {
        (
            Verdict::Refuted,
            format!("counterexample at {l}: {what} fails there (certified)"),
        )
    } else if let Some(l) = at(Decision::Undecided) {
        (
            Verdict::Inconclusive,
            format!("undecided at {l}: the certified bracket of the tightness ratio contains 1"),
        )
    } else {
        let samples = decisions.iter().filter(|d| !is_case_point(&d.0)).count();
        let point = if samples < decisions.len() {
            " and at the case's point"
        } else {
            ""
        };
        (
            Verdict::Verified,
            format!("{what} holds at all {samples} samples{point} (decided in exact arithmetic)"),
        )
    }
}

/// The tightness-ratio values of a set of evaluated samples (per-sample ρ_hi as f64, the max with
/// its certified bracket, f64/MPFR cross-checks, per-radius maxima).
fn ratio_values(setup: &Setup, evals: &[SampleEval], v: &mut Map<String, Value>) {
    let hi = |e: &SampleEval| e.ratio.as_ref().map(|(_, h)| q_to_f64(h));
    v.insert(
        "tightness_ratios".into(),
        json!(evals
            .iter()
            .map(|e| hi(e).map_or(Value::Null, json_f64))
            .collect::<Vec<_>>()),
    );
    let best = evals
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.ratio.as_ref().map(|r| (i, r)))
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1));
    if let Some((i, (lo, h))) = best {
        v.insert("tightness_ratio_max".into(), json_f64(q_to_f64(h)));
        v.insert(
            "tightness_ratio_max_enclosure".into(),
            json!([q_to_string(&round_down(lo)), q_to_string(&round_up(h))]),
        );
        v.insert("tightness_ratio_max_sample".into(), json!(i));
    }
    // the all-f64 ratio against the certified bracket: its relative distance to [ρ_lo, ρ_hi]
    // (0 when inside), and the bracket's own largest relative width
    let f64_outside = evals
        .iter()
        .filter_map(|e| {
            e.ratio.as_ref().map(|(lo, h)| {
                let (lo, h) = (q_to_f64(lo), q_to_f64(h));
                let d = (lo - e.ratio_f64).max(e.ratio_f64 - h).max(0.0);
                d / h.max(f64::MIN_POSITIVE)
            })
        })
        .fold(0.0, f64::max);
    let width = evals
        .iter()
        .filter_map(|e| e.ratio.as_ref())
        .filter(|(_, h)| h.is_positive())
        .map(|(lo, h)| q_to_f64(&((h - lo) / h)))
        .fold(0.0, f64::max);
    v.insert(
        "tightness_ratio_f64_outside_bracket_relative".into(),
        json_f64(f64_outside),
    );
    v.insert(
        "tightness_ratio_bracket_max_relative_width".into(),
        json_f64(width),
    );
    v.insert(
        "mpfr_max_relative_error".into(),
        json_f64(evals.iter().map(|e| e.mpfr_rel_err).fold(0.0, f64::max)),
    );
    let count = |d: Decision| evals.iter().filter(|e| e.decision == d).count();
    v.insert("samples_holding".into(), json!(count(Decision::Holds)));
    v.insert("samples_failing".into(), json!(count(Decision::Fails)));
    v.insert(
        "samples_undecided".into(),
        json!(count(Decision::Undecided)),
    );
    v.insert(
        "samples_near_surface".into(),
        json!(setup.samples.iter().filter(|s| s.near_surface).count()),
    );
    if setup.pb.slope().is_some() {
        v.insert(
            "samples_on_kinks".into(),
            json!(evals.iter().filter(|e| e.kinks > 0).count()),
        );
    }
    let mut radii: Vec<&Q> = setup.samples.iter().map(|s| &s.radius).collect();
    radii.sort();
    radii.dedup();
    v.insert(
        "per_radius".into(),
        json!(radii
            .iter()
            .map(|r| {
                let max = setup
                    .samples
                    .iter()
                    .zip(evals)
                    .filter(|(s, _)| &s.radius == *r)
                    .filter_map(|(_, e)| hi(e))
                    .fold(f64::NEG_INFINITY, f64::max);
                json!({"radius": q_to_string(r), "tightness_ratio_max": json_f64(max)})
            })
            .collect::<Vec<_>>()),
    );
}

/// The finding of sample `i` for the point table.
fn sample_row(setup: &Setup, i: usize, e: &SampleEval, what: &str) -> (String, Finding) {
    let mut fig = Map::new();
    fig.insert(
        "radius".into(),
        json!(q_to_string(&setup.samples[i].radius)),
    );
    fig.insert("loss_gap_f64".into(), json_f64(q_to_f64(&e.gap)));
    fig.insert("grad_norm_sq_f64".into(), json_f64(q_to_f64(&e.grad_sq)));
    if let Some((lo, hi)) = &e.ratio {
        fig.insert(
            "tightness_ratio_enclosure".into(),
            json!([q_to_string(&round_down(lo)), q_to_string(&round_up(hi))]),
        );
    }
    let label = format!("sample #{i}");
    let f = table::finding(&e.decision, fig, format!("{what} fails at {label}"));
    (label, f)
}

/// An outcome from evaluated samples and the case's point, with values, the point table and
/// (for exact verdicts) the certificate.
fn outcome(
    claim: &str,
    setup: &Setup,
    evals: &[SampleEval],
    what: &str,
    extra_values: Map<String, Value>,
    extra_cert: Map<String, Value>,
    point: Option<PointPart>,
) -> Outcome {
    let mut decisions: Vec<(String, Decision)> = evals
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("sample #{i}"), e.decision.clone()))
        .collect();
    if let Some(d) = point.as_ref().and_then(PointPart::decision) {
        decisions.insert(0, (CasePoint::label().to_string(), d));
    }
    let (verdict, reason) = verdict_of(&decisions, what);
    let mut o = Outcome::decided(verdict, Basis::Exact.strength(), reason);
    let mut values = Map::new();
    ratio_values(setup, evals, &mut values);
    values.extend(extra_values);
    if let Some(p) = &point {
        values.insert("case_point".into(), p.json());
    }
    o.values = Box::new(setup.values(values));
    o.values.set_basis(Basis::Exact);
    let mut rows: Vec<(String, Finding)> = point
        .iter()
        .map(|p| p.row(&format!("{what} fails at the case's point")))
        .collect();
    rows.extend(
        evals
            .iter()
            .enumerate()
            .map(|(i, e)| sample_row(setup, i, e, what)),
    );
    table::attach(&mut o, &rows);
    if verdict != Verdict::Inconclusive {
        let sigma: Vec<Vec<SigmaBracket>> = setup
            .minimizers
            .iter()
            .map(|m| gd::minimizer_sigma(&setup.pb, m))
            .collect();
        let mut samples: Vec<Value> = setup
            .samples
            .iter()
            .zip(evals)
            .map(|(s, e)| gd::sample_json(s, e))
            .collect();
        let mut extra_min = Vec::new();
        if let Some(p) = point {
            if let Some(s) = p.cert_sample {
                samples.insert(0, s);
            }
            extra_min.extend(p.extra_minimizer);
        }
        o.certificate = Some(certificate(
            claim, setup, &sigma, &extra_min, samples, extra_cert,
        ));
    }
    o
}

claim! {
    ZlGdLinear {
        id: "ZL-gd-linear",
        source: SOURCE,
        statement: "If every W_j is invertible: f(W) − f* ≤ ‖∇f(W)‖² / (2 σ_min(X)² Σ_k Π_{j≠k} σ_min(W_j)²) (derived pointwise form).",
        escalates: false,
        scope: pointwise_scope(&[ModelKind::Linear]),
        run: |id, ctx| pointwise(id, ctx),
    }
}

claim! {
    ZlGdResidual {
        id: "ZL-gd-residual",
        source: SOURCE,
        statement: "The same with σ_min(I + A_j) for the residual network W_j = I + A_j, gradient in A.",
        escalates: false,
        scope: pointwise_scope(&[ModelKind::Residual]),
        run: |id, ctx| pointwise(id, ctx),
    }
}

claim! {
    ZlGdNonlinear {
        id: "ZL-gd-nonlinear",
        source: SOURCE,
        statement: "σ leaky ReLU with slope a ∈ (0,1], X square invertible, f* = 0: f ≤ ‖∇f‖² / (2 [σ_min(X)² σ_min(W_2)² a² + σ_min(σ(W_1X))²]) (derived).",
        escalates: false,
        scope: pointwise_scope(&[ModelKind::OneHiddenLayer]),
        run: |id, ctx| pointwise(id, ctx),
    }
}

/// ZL-gd-linear, ZL-gd-residual and ZL-gd-nonlinear (pointwise), for a case of the claim's kind.
fn pointwise(id: &str, ctx: &CaseContext) -> Outcome {
    let setup = ctx.problem::<Setup>();
    let setup = match &*setup {
        Ok(s) => s,
        Err(e) => return e.outcome(ctx.case),
    };
    if let Some(a) = setup.pb.slope() {
        if a > &Q::one() {
            return ctx.not_applicable(
                "model.activation.leaky_relu",
                format!(
                    "ZL-gd-nonlinear assumes a slope a ∈ (0, 1], found {}",
                    q_to_string(a)
                ),
            );
        }
    }
    let evals: Vec<SampleEval> = setup
        .samples
        .iter()
        .map(|s| gd::evaluate(setup, s, None, ctx.settings.prec))
        .collect();
    let at = ctx.problem::<AtCasePoint>();
    let point = match &*at {
        Ok(AtCasePoint(Some(cp))) => Some(pointwise_part(setup, cp)),
        _ => None,
    };
    outcome(
        id,
        setup,
        &evals,
        "f − f* ≤ ‖∇f‖²/D",
        Map::new(),
        Map::new(),
        point,
    )
}

/// The pointwise inequality at the case's point: decided there unless a layer is singular (the
/// premise fails); its certificate sample refers to the closest generated minimizer.
fn pointwise_part(setup: &Setup, cp: &CasePoint) -> PointPart {
    let figures = cp.figures();
    match cp.pointwise_decision(&setup.pb.net) {
        Err(why) => PointPart {
            at: AtPoint::Vacuous(why),
            figures,
            cert_sample: None,
            extra_minimizer: None,
        },
        Ok(e) => {
            let (i, dist_sq) = &cp.closest_generated;
            let mut sample = gd::point_json(&cp.params, *i, &sqrt_upper(dist_sq), e);
            sample["origin"] = json!(CasePoint::label());
            PointPart {
                at: AtPoint::Decided(e.decision.clone()),
                figures,
                cert_sample: Some(sample),
                extra_minimizer: None,
            }
        }
    }
}

/// ZL-gd-neighborhood at the case's point: f − f* ≤ λ(δ)‖∇f‖² with W* the nearest minimizer (else
/// the closest generated one) and δ ≥ ‖W − W*‖_F, when the point is in the paper's neighborhood
/// of W*; vacuous otherwise. W* joins the certificate's minimizers after the generated ones.
fn neighborhood_part(setup: &Setup, cp: &CasePoint, prec: u32) -> PointPart {
    let mut figures = cp.figures();
    match cp.neighborhood(setup) {
        Err(why) => PointPart {
            at: AtPoint::Vacuous(why),
            figures,
            cert_sample: None,
            extra_minimizer: None,
        },
        Ok((star, delta, sigma, shifts)) => {
            let e = gd::evaluate_at(
                &setup.pb,
                &setup.x_sigma,
                &cp.params,
                Some((&sigma, &shifts)),
                prec,
            );
            figures.insert(
                "neighborhood".into(),
                json!({
                    "delta": q_to_string(&delta),
                    "denominator_enclosure": [q_to_string(&e.denominators.0), q_to_string(&e.denominators.1)],
                    "tightness_ratio_enclosure": e.ratio.as_ref().map(|(lo, hi)| [q_to_string(lo), q_to_string(hi)]),
                }),
            );
            let mut sample = gd::point_json(&cp.params, setup.minimizers.len(), &delta, &e);
            sample["origin"] = json!(CasePoint::label());
            PointPart {
                at: AtPoint::Decided(e.decision.clone()),
                figures,
                cert_sample: Some(sample),
                extra_minimizer: Some((star, sigma)),
            }
        }
    }
}

claim! {
    /// The uniform constant λ(δ) = 1/D_δ on the ball of radius δ (gd.rs).
    ZlGdNeighborhood {
        id: "ZL-gd-neighborhood",
        source: SOURCE,
        statement: "On the ball ‖W − W*‖_F ≤ δ around a full-rank global minimizer W*, f − f* ≤ λ(δ)‖∇f‖² with λ(δ) = 1/D_δ, D_δ the pointwise denominator at σ_min(W*_j) − δ (Weyl; σ(W*_1X) shifted by δ‖X‖_F for the one-hidden-layer network).",
        escalates: false,
        scope: ZL_SCOPE,
    }
}

impl ZlGdNeighborhood {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let setup = ctx.problem::<Setup>();
        let setup = match &*setup {
            Ok(s) => s,
            Err(e) => return e.outcome(ctx.case),
        };
        let pb = &setup.pb;
        let star: Vec<Vec<SigmaBracket>> = setup
            .minimizers
            .iter()
            .map(|m| gd::minimizer_sigma(pb, m))
            .collect();
        let evals: Vec<SampleEval> = setup
            .samples
            .iter()
            .map(|s| {
                let sh = gd::shifts(pb, &s.radius);
                gd::evaluate(setup, s, Some((&star[s.minimizer], &sh)), ctx.settings.prec)
            })
            .collect();
        let mut extra = Map::new();
        let per_min: Vec<Value> = star
            .iter()
            .map(|st| {
                json!({
                    "delta_max_finite_f64": gd::delta_max_finite(pb, st).map_or(Value::Null, json_f64),
                    "delta_all_layers_invertible_f64": json_f64(gd::delta_invertible(st)),
                    "sigma_min_f64": st.iter().map(|b| json_f64(b.f64)).collect::<Vec<_>>(),
                })
            })
            .collect();
        extra.insert("minimizer_radii".into(), json!(per_min));
        // sampled behaviour: per radius, is λ(δ) finite, and how tight is it on the samples
        let mut radii: Vec<&Q> = setup.samples.iter().map(|s| &s.radius).collect();
        radii.sort();
        radii.dedup();
        let by_radius: Vec<Value> = radii
            .iter()
            .map(|r| {
                let idx: Vec<usize> = (0..setup.samples.len())
                    .filter(|&i| &setup.samples[i].radius == *r)
                    .collect();
                let finite = idx
                    .iter()
                    .filter(|&&i| evals[i].denominators.0.is_positive())
                    .count();
                let sampled_lambda = idx
                    .iter()
                    .filter(|&&i| evals[i].grad_sq.is_positive())
                    .map(|&i| q_to_f64(&(&evals[i].gap / &evals[i].grad_sq)))
                    .fold(0.0, f64::max);
                let reach = idx
                    .iter()
                    .map(|&i| q_to_f64(&(&setup.samples[i].dist_sq / (*r * *r))).sqrt())
                    .fold(0.0, f64::max);
                json!({
                    "radius": q_to_string(r),
                    "max_distance_over_radius_f64": json_f64(reach),
                    "samples_with_finite_bound": finite,
                    "sampled_max_gap_over_grad_sq_f64": json_f64(sampled_lambda),
                })
            })
            .collect();
        extra.insert("neighborhood_by_radius".into(), json!(by_radius));
        let mut cert = Map::new();
        if pb.slope().is_some() {
            cert.insert(
                "x_norm_upper".into(),
                json!(q_to_string(&crate::certify::sigma::frobenius_upper(&pb.x))),
            );
        }
        let at = ctx.problem::<AtCasePoint>();
        let point = match &*at {
            Ok(AtCasePoint(Some(cp))) => Some(neighborhood_part(setup, cp, ctx.settings.prec)),
            _ => None,
        };
        outcome(
            Self::INFO.id,
            setup,
            &evals,
            "f − f* ≤ λ(δ)‖∇f‖² on the δ-ball",
            extra,
            cert,
            point,
        )
    }
}

claim! {
    /// The characterization of the global minimizers (square layers).
    ZlMinimizers {
        id: "ZL-minimizers",
        source: SOURCE,
        statement: "With square layers and X of full row rank: W is a global minimizer of the linear (residual: W_j = I + A_j) network iff W_L⋯W_1 = Φ = YXᵀ(XXᵀ)⁻¹, f* = ½‖ΦX − Y‖²; of the one-hidden-layer leaky-ReLU network with X square invertible iff W_2σ(W_1X) = Y, f* = 0. Full-rank minimizers exist when Φ (resp. Y) is invertible.",
        escalates: false,
        scope: ZL_SCOPE,
    }
}

impl ZlMinimizers {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let setup = ctx.problem::<Setup>();
        let setup = match &*setup {
            Ok(s) => s,
            Err(e) => return e.outcome(ctx.case),
        };
        let pb = &setup.pb;
        let mut failures = Vec::new();
        let star: Vec<Vec<SigmaBracket>> = setup
            .minimizers
            .iter()
            .map(|m| gd::minimizer_sigma(pb, m))
            .collect();
        for (i, m) in setup.minimizers.iter().enumerate() {
            let (l, g) = pb.loss_and_gradient(&Exact, m);
            if l != pb.f_star {
                failures.push(format!("minimizer #{i}: f = {} ≠ f*", q_to_string(&l)));
            }
            if !g.iter().all(|gk| mat::is_zero_mat(&Exact, gk)) {
                failures.push(format!("minimizer #{i}: ∇f ≠ 0"));
            }
            if !mat::is_zero_mat(&Exact, &pb.constraint(m)) {
                failures.push(format!(
                    "minimizer #{i}: the characterization's equation fails"
                ));
            }
            // invertibility decided exactly (rank), not by the σ_min bracket
            if gd::factors(pb, m)
                .iter()
                .any(|f| mat::rank_exact(f) < f.cols())
            {
                failures.push(format!("minimizer #{i}: a factor is singular"));
            }
        }
        if let Net::Linear { .. } | Net::Residual { .. } = pb.net {
            // f* is the global minimum: the normal equations (ΦX − Y)Xᵀ = 0 hold
            let phi_res = normal_residual(pb);
            if !phi_res {
                failures.push("(ΦX − Y)Xᵀ ≠ 0: f* is not the least-squares minimum".into());
            }
        }
        // the characterization at every sample: f − f* = ½‖c(W)X‖² (linear, residual) or
        // ½‖c(W)‖² (one-hidden-layer), so f = f* exactly when c(W) = 0
        let mut gaps = Vec::new();
        let mut rows = Vec::new();
        let what = "f − f* = ½‖c(W)X‖²";
        let at = ctx.problem::<AtCasePoint>();
        let point = match &*at {
            Ok(AtCasePoint(Some(cp))) => {
                let (gap, holds) = characterization(pb, &cp.params);
                if !holds {
                    failures.push("the case's point: f − f* ≠ ½‖c(W)X‖²".to_string());
                }
                let sample = json!({
                    "params": super::cert::params_json(&cp.params),
                    "minimizer": cp.closest_generated.0,
                    "loss_gap": q_to_string(&gap),
                    "origin": CasePoint::label(),
                });
                let part = PointPart {
                    at: AtPoint::Decided(if holds {
                        Decision::Holds
                    } else {
                        Decision::Fails
                    }),
                    figures: cp.figures(),
                    cert_sample: Some(sample),
                    extra_minimizer: None,
                };
                rows.push(part.row(&format!("{what} fails at the case's point")));
                Some(part)
            }
            _ => None,
        };
        for (i, s) in setup.samples.iter().enumerate() {
            let (gap, holds) = characterization(pb, &s.params);
            if !holds {
                failures.push(format!("sample #{i}: f − f* ≠ ½‖c(W)X‖²"));
            }
            let mut fig = Map::new();
            fig.insert("radius".into(), json!(q_to_string(&s.radius)));
            fig.insert("loss_gap_f64".into(), json_f64(q_to_f64(&gap)));
            let d = if holds {
                Decision::Holds
            } else {
                Decision::Fails
            };
            rows.push((
                format!("sample #{i}"),
                table::finding(&d, fig, format!("{what} fails at sample #{i}")),
            ));
            gaps.push(gap);
        }
        let dims = tangent_dimensions(setup);
        let mut o = if failures.is_empty() {
            Outcome::verified(Basis::Exact.strength()).with_reason(format!(
                "{} generated minimizers have f = f*, ∇f = 0, certified invertible factors and satisfy the characterization; at all {} samples{} f − f* equals the characterization's residual exactly",
                setup.minimizers.len(),
                setup.samples.len(),
                if point.is_some() { " and at the case's point" } else { "" }
            ))
        } else {
            Outcome::counterexample(Basis::Exact.strength(), failures.join("; "))
        };
        o.values = Box::new(setup.values(Map::new()));
        o.values.set_basis(Basis::Exact);
        o.values.insert(
            "minimizer_set_dimension".into(),
            json!(dims.iter().map(|(t, _)| t).collect::<Vec<_>>()),
        );
        o.values
            .insert("parameter_count".into(), json!(dims.first().map(|d| d.1)));
        o.values.insert(
            "minimizer_sigma_min_f64".into(),
            json!(star
                .iter()
                .map(|s| s.iter().map(|b| json_f64(b.f64)).collect::<Vec<_>>())
                .collect::<Vec<_>>()),
        );
        o.values.insert(
            "sample_loss_gaps_f64".into(),
            json!(gaps
                .iter()
                .map(|g| json_f64(q_to_f64(g)))
                .collect::<Vec<_>>()),
        );
        table::attach(&mut o, &rows);
        let mut samples: Vec<Value> = setup
            .samples
            .iter()
            .zip(&gaps)
            .map(|(s, g)| {
                json!({
                    "params": super::cert::params_json(&s.params),
                    "minimizer": s.minimizer,
                    "loss_gap": q_to_string(g),
                })
            })
            .collect();
        if let Some(p) = point {
            o.values.insert("case_point".into(), p.json());
            samples.splice(0..0, p.cert_sample);
        }
        o.certificate = Some(certificate(
            Self::INFO.id,
            setup,
            &star,
            &[],
            samples,
            Map::new(),
        ));
        o
    }
}

/// f − f* at `params` and whether it equals the characterization's residual ½‖c(W)X‖² (½‖c(W)‖²
/// for the one-hidden-layer network) exactly, f − f* ≥ 0.
fn characterization(pb: &ZlProblem, params: &[crate::linalg::Mat<Q>]) -> (Q, bool) {
    let (l, _) = pb.loss_and_gradient(&Exact, params);
    let gap = &l - &pb.f_star;
    let c = pb.constraint(params);
    let cx = match pb.net {
        Net::OneHidden { .. } => c,
        _ => mat::matmul(&Exact, &c, &pb.x),
    };
    let half = mat::frob2(&Exact, &cx) / Q::from_integer(2.into());
    let holds = gap == half && !gap.is_negative();
    (gap, holds)
}

/// (ΦX − Y)Xᵀ = 0 exactly (Φ solves the normal equations, so f* = ½‖ΦX − Y‖² is the minimum
/// over all products, and every product is reachable with square layers).
fn normal_residual(pb: &ZlProblem) -> bool {
    match &pb.net {
        Net::Linear { phi } | Net::Residual { phi } => {
            let r = mat::sub(&Exact, &mat::matmul(&Exact, phi, &pb.x), &pb.y);
            mat::is_zero_mat(&Exact, &mat::matmul_nt(&Exact, &r, &pb.x))
        }
        Net::OneHidden { .. } => pb.f_star.is_zero(),
    }
}

/// For each minimizer: (dimension of the minimizer set near it = P − rank J, P), with J the exact
/// Jacobian of the characterization's constraint (a submersion at full-rank minimizers; for
/// square linear layers the dimension is (L − 1) d², the changes of basis between layers).
fn tangent_dimensions(setup: &Setup) -> Vec<(usize, usize)> {
    setup
        .minimizers
        .iter()
        .map(|m| {
            let j = setup.pb.jacobian(m);
            (j.cols() - mat::rank_exact(&j), j.cols())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denominators_follow_the_formulas() {
        let q = |n: i64, d: i64| Q::new(n.into(), d.into());
        let pb = ZlProblem {
            net: Net::OneHidden { slope: q(1, 2) },
            x: mat::identity(&Exact, 1),
            y: mat::identity(&Exact, 1),
            f_star: Q::zero(),
            width: 1,
            depth: 2,
        };
        // 2 (s_X² s_W2² a² + s_H²) = 2 (4·9·¼ + 5) = 28
        assert_eq!(
            gd::denominator(&pb, &q(4, 1), &[q(9, 1), q(5, 1)]),
            q(28, 1)
        );
        let lin = ZlProblem {
            net: Net::Linear {
                phi: mat::identity(&Exact, 1),
            },
            depth: 3,
            ..pb
        };
        // 2 · 1 · (s2 s3 + s1 s3 + s1 s2) = 2 (6 + 3 + 2) = 22
        assert_eq!(
            gd::denominator(&lin, &q(1, 1), &[q(1, 1), q(2, 1), q(3, 1)]),
            q(22, 1)
        );
        let (r, d) = gd::decide(&q(1, 1), &q(4, 1), &(q(2, 1), q(3, 1)));
        assert_eq!(r, Some((q(1, 2), q(3, 4))));
        assert_eq!(d, Decision::Holds);
        assert_eq!(
            gd::decide(&q(1, 1), &q(1, 1), &(q(2, 1), q(3, 1))).1,
            Decision::Fails
        );
        assert_eq!(
            gd::decide(&q(1, 1), &q(5, 2), &(q(2, 1), q(3, 1))).1,
            Decision::Undecided
        );
        assert_eq!(
            gd::decide(&q(1, 1), &q(0, 1), &(q(2, 1), q(3, 1))).1,
            Decision::Fails
        );
    }
}
