//! The ZL claim values (ids, statements) and their checks.

use super::cert::certificate;
use super::gd::{self, Decision, SampleEval};
use super::net::{Net, ZlProblem, Q};
use super::points::{round_down, round_up};
use super::setup::{Setup, ZL_SCOPE};
use super::sigma::SigmaBracket;
use crate::case::ModelKind;
use crate::certify::estimate::Basis;
use crate::claims::evidence::json_f64;
use crate::claims::{claim, CaseContext, Outcome, Scope};
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::linalg::mat;
use crate::linalg::Exact;
use crate::verdict::Verdict;
use num_traits::{One, Signed, Zero};
use serde_json::{json, Map, Value};

const SOURCE: &str = "[ZL] Zhou & Liang, arXiv 1710.06910 (claims.md, [ZL])";

/// The verdict of per-sample decisions: any failure refutes, else any undecided sample makes it
/// inconclusive, else verified; with the reason.
fn verdict_of(decisions: &[Decision], what: &str) -> (Verdict, String) {
    let pos = |d: Decision| decisions.iter().position(|x| *x == d);
    if let Some(i) = pos(Decision::Fails) {
        (
            Verdict::Refuted,
            format!("counterexample at sample #{i}: {what} fails there (certified)"),
        )
    } else if let Some(i) = pos(Decision::Undecided) {
        (
            Verdict::Inconclusive,
            format!(
                "undecided at sample #{i}: the certified bracket of the tightness ratio contains 1"
            ),
        )
    } else {
        (
            Verdict::Verified,
            format!(
                "{what} holds at all {} samples (decided in exact arithmetic)",
                decisions.len()
            ),
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

/// An outcome from evaluated samples, with values and (for exact verdicts) the certificate.
fn outcome(
    claim: &str,
    setup: &Setup,
    evals: &[SampleEval],
    what: &str,
    extra_values: Map<String, Value>,
    extra_cert: Map<String, Value>,
) -> Outcome {
    let decisions: Vec<Decision> = evals.iter().map(|e| e.decision.clone()).collect();
    let (verdict, reason) = verdict_of(&decisions, what);
    let mut o = Outcome::decided(verdict, Basis::Exact.strength(), reason);
    let mut values = setup.common_values();
    ratio_values(setup, evals, &mut values);
    values.extend(extra_values);
    o.values = values.into();
    o.values.set_basis(Basis::Exact);
    if verdict != Verdict::Inconclusive {
        let sigma: Vec<Vec<SigmaBracket>> = setup
            .minimizers
            .iter()
            .map(|m| gd::minimizer_sigma(&setup.pb, m))
            .collect();
        let samples = setup
            .samples
            .iter()
            .zip(evals)
            .map(|(s, e)| gd::sample_json(s, e))
            .collect();
        o.certificate = Some(certificate(claim, setup, &sigma, samples, extra_cert));
    }
    o
}

claim! {
    ZlGdLinear {
        id: "ZL-gd-linear",
        source: SOURCE,
        statement: "If every W_j is invertible: f(W) − f* ≤ ‖∇f(W)‖² / (2 σ_min(X)² Σ_k Π_{j≠k} σ_min(W_j)²) (derived pointwise form).",
        escalates: false,
        scope: Scope {
            kinds: &[ModelKind::Linear],
            ..Scope::ANY
        },
    }
}

impl ZlGdLinear {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        pointwise(Self::INFO.id, ctx)
    }
}

claim! {
    ZlGdResidual {
        id: "ZL-gd-residual",
        source: SOURCE,
        statement: "The same with σ_min(I + A_j) for the residual network W_j = I + A_j, gradient in A.",
        escalates: false,
        scope: Scope {
            kinds: &[ModelKind::Residual],
            ..Scope::ANY
        },
    }
}

impl ZlGdResidual {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        pointwise(Self::INFO.id, ctx)
    }
}

claim! {
    ZlGdNonlinear {
        id: "ZL-gd-nonlinear",
        source: SOURCE,
        statement: "σ leaky ReLU with slope a ∈ (0,1], X square invertible, f* = 0: f ≤ ‖∇f‖² / (2 [σ_min(X)² σ_min(W_2)² a² + σ_min(σ(W_1X))²]) (derived).",
        escalates: false,
        scope: Scope {
            kinds: &[ModelKind::OneHiddenLayer],
            ..Scope::ANY
        },
    }
}

impl ZlGdNonlinear {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        pointwise(Self::INFO.id, ctx)
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
    outcome(
        id,
        setup,
        &evals,
        "f − f* ≤ ‖∇f‖²/D",
        Map::new(),
        Map::new(),
    )
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
                json!(q_to_string(&super::sigma::frobenius_upper(&pb.x))),
            );
        }
        outcome(
            Self::INFO.id,
            setup,
            &evals,
            "f − f* ≤ λ(δ)‖∇f‖² on the δ-ball",
            extra,
            cert,
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
            if star[i].iter().any(|b| !b.lower.is_positive()) {
                failures.push(format!(
                    "minimizer #{i}: a factor is not certified invertible"
                ));
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
        for (i, s) in setup.samples.iter().enumerate() {
            let (l, _) = pb.loss_and_gradient(&Exact, &s.params);
            let gap = &l - &pb.f_star;
            let c = pb.constraint(&s.params);
            let cx = match pb.net {
                Net::OneHidden { .. } => c.clone(),
                _ => mat::matmul(&Exact, &c, &pb.x),
            };
            let half = mat::frob2(&Exact, &cx) / Q::from_integer(2.into());
            if gap != half || gap.is_negative() {
                failures.push(format!("sample #{i}: f − f* ≠ ½‖c(W)X‖²"));
            }
            gaps.push(gap);
        }
        let dims = tangent_dimensions(setup);
        let mut o = if failures.is_empty() {
            Outcome::verified(Basis::Exact.strength()).with_reason(format!(
                "{} generated minimizers have f = f*, ∇f = 0, certified invertible factors and satisfy the characterization; at all {} samples f − f* equals the characterization's residual exactly",
                setup.minimizers.len(),
                setup.samples.len()
            ))
        } else {
            Outcome::counterexample(Basis::Exact.strength(), failures.join("; "))
        };
        o.values = setup.common_values().into();
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
        let samples = setup
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
        o.certificate = Some(certificate(
            Self::INFO.id,
            setup,
            &star,
            samples,
            Map::new(),
        ));
        o
    }
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
