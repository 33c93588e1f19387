//! ZL-regularity: ⟨∇f(W), W − W*⟩ ≥ α‖∇f(W)‖² + β‖W − W*‖² near a minimizer W*, in three readings
//! of "the directions the paper allows", each its own claim id:
//! - `ZL-regularity` (nearest): W* is the global minimizer nearest to W (computed by a projection
//!   iteration, made an exact minimizer, and certified stationary: the component of W − W*
//!   tangent to the minimizer set, relative to ‖W − W*‖, is ≤ [`NEAREST_TOL`]); every sample W.
//! - `ZL-regularity-fixed`: W* is one fixed generated minimizer and W ranges over the whole ball,
//!   including other minimizers on the curves W*(t) = complete(free layers + tC). There ∇f = 0, so
//!   ⟨∇f, W − W*⟩ = 0 < β‖W − W*‖² for every β > 0: the directions along the minimizer set admit
//!   no positive β.
//! - `ZL-regularity-normal`: W* fixed, W = W* + N with N in the normal space range(J*ᵀ) of the
//!   minimizer set at W* (J* the Jacobian of the characterization's constraint).
//!
//! On samples, positive (α, β) exist iff a = ⟨∇f, W − W*⟩ > 0 at every sample with W ≠ W*: then
//! α = ½ min a/‖∇f‖² and β = ½ min a/‖W − W*‖² satisfy αG + βE ≤ a. The best α with β = 0 is
//! min a/G, the best β with α = 0 is min a/E; all are reported per radius.

use super::case_point::{AtCasePoint, AtPoint, CasePoint, PointPart, RegularityMiss};
use super::cert::{certificate, params_json};
use super::gd::{minimizer_sigma, Decision};
use super::nearest::{nearest_minimizer, NEAREST_TOL};
use super::points::{complete, free_layers, radius_fraction, round_down, Sample};
use super::setup::{Setup, ZL_SCOPE};
use super::table;
use crate::certify::estimate::Basis;
use crate::certify::sigma::sqrt_upper;
use crate::claims::evidence::{json_f64, Finding};
use crate::claims::{claim, CaseContext, Outcome};
use crate::linalg::field::{q_to_f64, q_to_rug, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::model::zl::{axpy, diff, inner, unflatten, Params, ZlProblem, Q};
use crate::report::numbers;
use crate::verdict::Verdict;
use num_traits::{Signed, Zero};
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

/// Which reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// W* nearest to W.
    Nearest,
    /// W* fixed, all directions (incl. along the minimizer set).
    Fixed,
    /// W* fixed, normal directions only.
    Normal,
}

/// One regularity sample: the point, its reference minimizer W*, and a, G, E.
struct RegSample {
    params: Params,
    reference: Params,
    radius: Q,
    inner: Q,
    grad_sq: Q,
    dist_sq: Q,
    decision: Decision,
    origin: String,
    tangential: Option<Q>,
}

fn reg_sample(
    pb: &ZlProblem,
    params: Params,
    reference: Params,
    radius: Q,
    origin: String,
    tangential: Option<Q>,
) -> RegSample {
    let (_, g) = pb.loss_and_gradient(&Exact, &params);
    let e = diff(&params, &reference);
    let a = inner(&g, &e);
    let gs = inner(&g, &g);
    let es = inner(&e, &e);
    let tol2 = Q::from_float(NEAREST_TOL * NEAREST_TOL).expect("finite");
    let decision = if tangential.as_ref().is_some_and(|t| t > &tol2) {
        Decision::Undecided
    } else if a.is_positive() || es.is_zero() {
        Decision::Holds
    } else {
        Decision::Fails
    };
    RegSample {
        params,
        reference,
        radius,
        inner: a,
        grad_sq: gs,
        dist_sq: es,
        decision,
        origin,
        tangential,
    }
}

/// Points on the minimizer set near minimizer `m`: complete(free layers + tC) for a seeded C,
/// with t halved until ‖W' − W*‖ ≤ δ; `None` when the minimizer is isolated (no free layers).
fn along_minimizer_set(
    pb: &ZlProblem,
    m: &Params,
    radius: &Q,
    rng: &mut impl Rng,
) -> Option<Params> {
    let free = free_layers(pb, m);
    if free.is_empty() {
        return None;
    }
    let dir: Params = free
        .iter()
        .map(|f| {
            Mat::from_fn(f.rows(), f.cols(), |_, _| {
                Q::new(rng.gen_range(-4i64..=4).into(), 4.into())
            })
        })
        .collect();
    let norm = sqrt_upper(&inner(&dir, &dir));
    if norm.is_zero() {
        return None;
    }
    let mut t = radius / (norm * Q::from_integer(4.into()));
    for _ in 0..60 {
        let moved = axpy(&free, &t, &dir);
        if let Some(p) = complete(pb, &moved) {
            let e = diff(&p, m);
            if inner(&e, &e) <= radius * radius {
                return Some(p);
            }
        }
        t /= Q::from_integer(2.into());
    }
    None
}

/// Samples in the normal space at `m`: W* + s N, N = J*ᵀμ for a seeded μ, scaled into the ball.
fn normal_samples(
    pb: &ZlProblem,
    m: &Params,
    radius: &Q,
    count: usize,
    rng: &mut impl Rng,
) -> Vec<Params> {
    let j = pb.jacobian(m);
    (0..count)
        .filter_map(|i| {
            let mu: Vec<Q> = (0..j.rows())
                .map(|_| Q::new(rng.gen_range(-16i64..=16).into(), 16.into()))
                .collect();
            let n = mat::matvec(&Exact, &j.transpose(), &mu);
            let n2: Q = n.iter().map(|x| x * x).sum();
            if n2.is_zero() {
                return None;
            }
            let rho = radius_fraction(rng, i % 2 == 1);
            let s = radius * rho / sqrt_upper(&n2);
            Some(axpy(m, &s, &unflatten(m, &n)))
        })
        .collect()
}

claim! {
    /// W* the global minimizer nearest to W.
    ZlRegularityNearest {
        id: "ZL-regularity",
        source: SOURCE,
        statement: "⟨∇f(W), W − W*⟩ ≥ α‖∇f(W)‖² + β‖W − W*‖² with α, β > 0 for W near the minimizer set, W* the nearest global minimizer (reading: directions normal to the minimizer set, via the projection).",
        escalates: false,
        scope: ZL_SCOPE,
        run: |id, ctx| check(id, ctx, Reading::Nearest),
    }
}

claim! {
    /// W* fixed, all directions (incl. along the minimizer set).
    ZlRegularityFixed {
        id: "ZL-regularity-fixed",
        source: SOURCE,
        statement: "The same with W* one fixed full-rank minimizer and every W in a ball around it (reading: all directions, including along the minimizer set).",
        escalates: false,
        scope: ZL_SCOPE,
        run: |id, ctx| check(id, ctx, Reading::Fixed),
    }
}

claim! {
    /// W* fixed, normal directions only.
    ZlRegularityNormal {
        id: "ZL-regularity-normal",
        source: SOURCE,
        statement: "The same with W* fixed and W − W* in the normal space of the minimizer set at W* (reading: the directions the paper allows are the normal ones).",
        escalates: false,
        scope: ZL_SCOPE,
        run: |id, ctx| check(id, ctx, Reading::Normal),
    }
}

/// The source of the regularity readings.
const SOURCE: &str =
    "[ZL] Zhou & Liang, arXiv 1710.06910 (claims.md, [ZL]); readings of the allowed directions";

/// ZL-regularity in one reading, for the claim `id`.
fn check(id: &str, ctx: &CaseContext, reading: Reading) -> Outcome {
    let setup = ctx.problem::<Setup>();
    let setup = match &*setup {
        Ok(s) => s,
        Err(e) => return e.outcome(ctx.case),
    };
    let pb = &setup.pb;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(ctx.seed ^ 0x5a5a_0001);
    let mut samples: Vec<RegSample> = Vec::new();
    let mut radii: Vec<Q> = setup.samples.iter().map(|s| s.radius.clone()).collect();
    radii.sort();
    radii.dedup();
    let per_ball = setup.samples.len() / (setup.minimizers.len() * radii.len()).max(1);
    match reading {
        Reading::Nearest => {
            for (i, s) in setup.samples.iter().enumerate() {
                let Sample {
                    params,
                    minimizer,
                    radius,
                    ..
                } = s;
                let origin = format!("sample #{i}");
                // start from the generated minimizer; if that projection is not certified
                // stationary, start again from the sample itself and keep the better one
                let tol2 = Q::from_float(NEAREST_TOL * NEAREST_TOL).expect("finite");
                let first = nearest_minimizer(pb, params, &setup.minimizers[*minimizer]);
                let found = match first {
                    Some((_, ref t)) if t <= &tol2 => first,
                    _ => nearest_minimizer(pb, params, params).or(first),
                };
                match found {
                    Some((star, tan)) => samples.push(reg_sample(
                        pb,
                        params.clone(),
                        star,
                        radius.clone(),
                        origin,
                        Some(tan),
                    )),
                    None => {
                        let mut r = reg_sample(
                            pb,
                            params.clone(),
                            setup.minimizers[*minimizer].clone(),
                            radius.clone(),
                            origin,
                            None,
                        );
                        r.decision = Decision::Undecided;
                        samples.push(r);
                    }
                }
            }
        }
        Reading::Fixed => {
            for (i, m) in setup.minimizers.iter().enumerate() {
                for r in &radii {
                    if let Some(p) = along_minimizer_set(pb, m, r, &mut rng) {
                        samples.push(reg_sample(
                            pb,
                            p,
                            m.clone(),
                            r.clone(),
                            format!(
                                "another minimizer near minimizer #{i} (along the minimizer set)"
                            ),
                            None,
                        ));
                    }
                }
            }
            for (i, s) in setup.samples.iter().enumerate() {
                samples.push(reg_sample(
                    pb,
                    s.params.clone(),
                    setup.minimizers[s.minimizer].clone(),
                    s.radius.clone(),
                    format!("sample #{i}"),
                    None,
                ));
            }
        }
        Reading::Normal => {
            for (i, m) in setup.minimizers.iter().enumerate() {
                for r in &radii {
                    for p in normal_samples(pb, m, r, per_ball, &mut rng) {
                        let k = samples.len();
                        samples.push(reg_sample(
                            pb,
                            p,
                            m.clone(),
                            r.clone(),
                            format!("normal sample #{k} around minimizer #{i}"),
                            None,
                        ));
                    }
                }
            }
        }
    }
    let at = ctx.problem::<AtCasePoint>();
    let point = match &*at {
        Ok(AtCasePoint(Some(cp))) => {
            let max_radius = radii.last().cloned().unwrap_or_else(Q::zero);
            let (part, sample) = case_point_part(setup, cp, reading, &max_radius);
            samples.splice(0..0, sample);
            Some(part)
        }
        _ => None,
    };
    outcome(id, setup, &samples, &radii, point)
}

/// The reading at the case's point: W* per [`CasePoint::regularity_reference`], counted (as the
/// first sample) when the point is near; vacuous when it is farther than every sample radius,
/// undecided when the nearest minimizer is not certified.
fn case_point_part(
    setup: &Setup,
    cp: &CasePoint,
    reading: Reading,
    max_radius: &Q,
) -> (PointPart, Option<RegSample>) {
    let mut figures = cp.figures();
    let nearest = reading != Reading::Fixed;
    let part = |at, figures| PointPart {
        at,
        figures,
        cert_sample: None,
        extra_minimizer: None,
    };
    match cp.regularity_reference(setup, nearest, max_radius) {
        Err(RegularityMiss::Far(why)) => (part(AtPoint::Vacuous(why), figures), None),
        Err(RegularityMiss::Undecided(why)) => (part(AtPoint::Undecided(why), figures), None),
        Ok((star, tangential)) => {
            let e = diff(&cp.params, &star);
            let radius = sqrt_upper(&inner(&e, &e));
            let s = reg_sample(
                &setup.pb,
                cp.params.clone(),
                star,
                radius,
                CasePoint::label().into(),
                tangential,
            );
            figures.insert(
                "regularity".into(),
                json!({
                    "reference": if nearest { "the nearest global minimizer" } else { "the closest generated minimizer" },
                    "inner": q_to_string(&s.inner),
                    "grad_norm_sq": q_to_string(&s.grad_sq),
                    "dist_sq": q_to_string(&s.dist_sq),
                }),
            );
            (part(AtPoint::Decided(s.decision.clone()), figures), Some(s))
        }
    }
}

fn outcome(
    claim: &str,
    setup: &Setup,
    samples: &[RegSample],
    radii: &[Q],
    point: Option<PointPart>,
) -> Outcome {
    let fails = samples.iter().position(|s| s.decision == Decision::Fails);
    let undecided = samples
        .iter()
        .position(|s| s.decision == Decision::Undecided);
    let (verdict, reason) = match (fails, undecided) {
        (Some(i), _) => (
            Verdict::Refuted,
            format!(
                "no positive β at {}: ⟨∇f, W − W*⟩ = {} with ‖W − W*‖² = {} > 0 (decided in \
                 exact arithmetic)",
                samples[i].origin,
                numbers::exact(&q_to_rug(&samples[i].inner)),
                numbers::exact(&q_to_rug(&samples[i].dist_sq))
            ),
        ),
        (None, Some(i)) => (
            Verdict::Inconclusive,
            format!(
                "undecided at {}: the nearest minimizer was not certified to the stated tolerance {NEAREST_TOL:e}",
                samples[i].origin
            ),
        ),
        (None, None) => (
            Verdict::Verified,
            format!(
                "⟨∇f, W − W*⟩ > 0 at all {} samples, so positive α, β exist on them (decided in \
                 exact arithmetic)",
                samples.len()
            ),
        ),
    };
    let mut o = Outcome::decided(verdict, Basis::Exact.strength(), reason);
    o.values = Box::new(setup.values(Map::new()));
    o.values.set_basis(Basis::Exact);
    o.values
        .insert("regularity_samples".into(), json!(samples.len()));
    let ratio = |num: &Q, den: &Q| (!den.is_zero()).then(|| num / den);
    o.values.insert(
        "inner_over_dist_sq".into(),
        json!(samples
            .iter()
            .map(|s| ratio(&s.inner, &s.dist_sq).map_or(Value::Null, |r| json_f64(q_to_f64(&r))))
            .collect::<Vec<_>>()),
    );
    o.values.insert(
        "inner_over_grad_sq".into(),
        json!(samples
            .iter()
            .map(|s| ratio(&s.inner, &s.grad_sq).map_or(Value::Null, |r| json_f64(q_to_f64(&r))))
            .collect::<Vec<_>>()),
    );
    if let Some(t) = samples.iter().filter_map(|s| s.tangential.as_ref()).max() {
        o.values.insert(
            "nearest_max_relative_tangential_residual".into(),
            json_f64(q_to_f64(&sqrt_upper(t))),
        );
        o.values
            .insert("nearest_tolerance".into(), json_f64(NEAREST_TOL));
    }
    let along = samples
        .iter()
        .filter(|s| s.grad_sq.is_zero() && s.dist_sq.is_positive())
        .count();
    o.values
        .insert("directions_without_positive_beta".into(), json!(along));
    let per_radius: Vec<Value> = radii
        .iter()
        .map(|r| {
            let mine: Vec<&RegSample> = samples.iter().filter(|s| &s.radius == r).collect();
            let min_of = |f: &dyn Fn(&RegSample) -> Option<Q>| mine.iter().filter_map(|s| f(s)).min();
            let alpha = min_of(&|s| ratio(&s.inner, &s.grad_sq));
            let beta = min_of(&|s| ratio(&s.inner, &s.dist_sq));
            let half = Q::new(1.into(), 2.into());
            let pair = match (&alpha, &beta) {
                (Some(a), Some(b)) if a.is_positive() && b.is_positive() => {
                    json!([q_to_string(&round_down(&(a * &half))), q_to_string(&round_down(&(b * &half)))])
                }
                _ => Value::Null,
            };
            json!({
                "radius": q_to_string(r),
                "samples": mine.len(),
                "best_alpha_with_beta_0_f64": alpha.as_ref().map_or(Value::Null, |a| json_f64(q_to_f64(a))),
                "best_beta_with_alpha_0_f64": beta.as_ref().map_or(Value::Null, |b| json_f64(q_to_f64(b))),
                "alpha_beta_holding_at_every_sample": pair,
            })
        })
        .collect();
    o.values.insert("per_radius".into(), json!(per_radius));
    let mut rows: Vec<(String, Finding)> = Vec::new();
    if let Some(p) = &point {
        o.values.insert("case_point".into(), p.json());
        rows.push(p.row("⟨∇f, W − W*⟩ > 0 fails at the case's point"));
    }
    rows.extend(
        samples
            .iter()
            .filter(|s| s.origin != CasePoint::label())
            .map(|s| {
                let mut fig = Map::new();
                fig.insert("radius".into(), json!(q_to_string(&s.radius)));
                fig.insert("inner_f64".into(), json_f64(q_to_f64(&s.inner)));
                fig.insert("grad_norm_sq_f64".into(), json_f64(q_to_f64(&s.grad_sq)));
                fig.insert("dist_sq_f64".into(), json_f64(q_to_f64(&s.dist_sq)));
                let why = format!("⟨∇f, W − W*⟩ ≤ 0 at {} with W ≠ W*", s.origin);
                (s.origin.clone(), table::finding(&s.decision, fig, why))
            }),
    );
    table::attach(&mut o, &rows);
    if verdict != Verdict::Inconclusive {
        let sigma: Vec<_> = setup
            .minimizers
            .iter()
            .map(|m| minimizer_sigma(&setup.pb, m))
            .collect();
        let cert_samples = samples
            .iter()
            .map(|s| {
                json!({
                    "origin": s.origin,
                    "params": params_json(&s.params),
                    "reference": params_json(&s.reference),
                    "radius": q_to_string(&s.radius),
                    "inner": q_to_string(&s.inner),
                    "grad_norm_sq": q_to_string(&s.grad_sq),
                    "dist_sq": q_to_string(&s.dist_sq),
                })
            })
            .collect();
        o.certificate = Some(certificate(
            claim,
            setup,
            &sigma,
            &[],
            cert_samples,
            Map::new(),
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::zl::Net;
    use rand::SeedableRng;

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    fn depth2() -> ZlProblem {
        let phi = Mat::from_vec(2, 2, vec![q(2, 1), q(1, 1), q(0, 1), q(1, 2)]);
        ZlProblem {
            net: Net::Linear { phi: phi.clone() },
            x: mat::identity(&Exact, 2),
            y: phi,
            f_star: Q::zero(),
            width: 2,
            depth: 2,
        }
    }

    #[test]
    fn the_nearest_minimizer_is_a_certified_stationary_minimizer() {
        let pb = depth2();
        let m = complete(&pb, &[mat::identity(&Exact, 2)]).unwrap();
        let w: Params = m
            .iter()
            .map(|a| {
                mat::add(
                    &Exact,
                    a,
                    &Mat::from_vec(2, 2, vec![q(1, 20), q(-1, 30), q(1, 40), q(1, 25)]),
                )
            })
            .collect();
        let (star, tan) = nearest_minimizer(&pb, &w, &m).unwrap();
        assert!(mat::is_zero_mat(&Exact, &pb.constraint(&star)));
        assert!(tan < q(1, 1 << 40), "tangential residual {tan}");
        // it is at least as near as the starting minimizer
        let (e0, e1) = (diff(&w, &m), diff(&w, &star));
        assert!(inner(&e1, &e1) <= inner(&e0, &e0));
        let s = reg_sample(&pb, w, star, q(1, 1), "t".into(), Some(tan));
        assert_eq!(s.decision, Decision::Holds);
    }

    #[test]
    fn other_minimizers_along_the_set_admit_no_positive_beta() {
        let pb = depth2();
        let m = complete(&pb, &[mat::identity(&Exact, 2)]).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let other = along_minimizer_set(&pb, &m, &q(1, 10), &mut rng).unwrap();
        assert_ne!(other, m);
        let s = reg_sample(&pb, other, m, q(1, 10), "t".into(), None);
        assert!(s.inner.is_zero() && s.grad_sq.is_zero() && s.dist_sq.is_positive());
        assert!(s.dist_sq <= q(1, 100));
        assert_eq!(s.decision, Decision::Fails);
    }
}
