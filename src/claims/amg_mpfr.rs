//! \[AMG\] claims when Σ's spectrum is not rational: AMG-values and AMG-product at the MPFR critical
//! points of the shared problem ([`crate::enumerate::landscape`]), against the stated bound τ of
//! [`crate::enumerate::judge::tolerance`]; AMG-classify runs the one classification of
//! [`crate::enumerate::classify`] with the MPFR judge.
//!
//! What is proven and what is not: Σ's eigenvalue radii, the critical values' enclosures and the
//! enclosure of λ_min(∇²f) at an MPFR point are proven (interval arithmetic with directed
//! rounding). The MPFR points themselves are only critical to τ, a stated bound rather than a proof
//! of the distance to the exact critical point they stand for, so every verdict here rests on
//! `Basis::Mpfr` (numerical) and a failure is never a refutation.
//!
//! What MPFR can and cannot decide: a critical value, a product U_SU_SᵀΦ and a strict saddle
//! (proven λ_min(∇²f) below −τ) are decided; a global minimizer only when its value is separated
//! from every critical value other than f* by more than the bounds
//! ([`crate::enumerate::judge::MpfrAmg`]), else the point is undecided at this precision and the
//! runner retries at twice the precision up to `--max-precision`; a non-strict saddle needs
//! ∇²f ⪰ 0 with zero eigenvalues, which floating point cannot prove at an irrational point, so such
//! points are reported as undecided with that reason.

use super::evidence::{aggregate, Decimal, Evidence, Finding, Number, Outcome};
use super::CaseContext;
use crate::certify::estimate::Basis;
use crate::enumerate::classify::{evaluate, set_label};
use crate::enumerate::critical::index_sets;
use crate::enumerate::critical::MpfrCriticalPoint;
use crate::enumerate::judge::MpfrAmg;
use crate::enumerate::landscape::Critical;
use crate::linalg::field::mpfr_decimal;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::model::linear;
use rug::Float;
use serde_json::json;

/// How a finding at an MPFR point is labelled.
pub(crate) fn label(p: &MpfrCriticalPoint) -> String {
    format!("{} [S = {}] (MPFR)", p.origin, set_label(&p.set))
}

/// The values every finding at an MPFR point carries: its index set and τ.
pub(crate) fn evidence(problem: &MpfrAmg, p: &MpfrCriticalPoint) -> Evidence {
    let mut ev = Evidence::default();
    ev.values
        .insert("index_set".into(), json!(set_label(&p.set)));
    ev.values
        .insert("tolerance".into(), json!(problem.judge.tau.to_f64()));
    ev
}

/// AMG-values in MPFR: every constructed point is critical to τ and has the value
/// ½(tr Σ_YY − Σ_{j∈S} λ_j) to τ plus the certified radius of that value.
pub(crate) fn values(c: &Critical<MpfrAmg>) -> Outcome {
    let (problem, sp) = (&c.problem, &c.problem.spectrum);
    let tau = &problem.judge.tau;
    let findings = c
        .points
        .iter()
        .map(|p| {
            let (want, radius) = sp.critical_value(&p.set);
            let ev = evaluate(problem, p);
            let g = problem
                .judge
                .norm(&linear::gradient(&problem.judge.mp, &ev));
            let f = linear::loss(&problem.judge.mp, &ev);
            let mut ev = evidence(problem, p);
            ev.values.critical_value = Some(Number::Decimal(Decimal::of(mpfr_decimal(&want))));
            ev.values
                .insert("critical_value_radius".into(), json!(radius.to_f64()));
            ev.values.insert("gradient_norm".into(), json!(g.to_f64()));
            let err = Float::with_val(sp.prec, &f - &want).abs();
            let finding = if g > *tau {
                Finding::Fails(
                    Basis::Mpfr,
                    ev,
                    format!("a constructed point has ‖∇f‖ = {:e} > τ", g.to_f64()),
                )
            } else if err > Float::with_val(sp.prec, &radius + tau) {
                Finding::Fails(
                    Basis::Mpfr,
                    ev,
                    format!(
                        "critical with value {} ≠ {}",
                        mpfr_decimal(&f),
                        mpfr_decimal(&want)
                    ),
                )
            } else {
                Finding::Holds(Basis::Mpfr, ev)
            };
            (label(p), finding)
        })
        .collect();
    aggregate(findings)
}

/// AMG-product in MPFR: the product of every constructed point, and of the case's point when it
/// is exactly critical, is U_SU_SᵀΦ for some S to τ.
pub(crate) fn product(ctx: &CaseContext, critical: &Critical<MpfrAmg>) -> Outcome {
    let (sp, mp, tau) = (
        &critical.problem.spectrum,
        &critical.problem.judge.mp,
        &critical.problem.judge.tau,
    );
    let c = ctx.case;
    let phi = mat::from_exact(mp, &sp.phi);
    let r = *c.dims.iter().min().expect("dims");
    let sets = index_sets(c.dims[c.dims.len() - 1], r);
    // distance of a product to U_SU_SᵀΦ for the nearest S
    let nearest = |p: &Mat<Float>| -> (Vec<usize>, Float) {
        sets.iter()
            .map(|s| {
                let u = sp.basis(s);
                let want = mat::matmul(mp, &mat::matmul_nt(mp, &u, &u), &phi);
                let d = mat::frob2(mp, &mat::sub(mp, p, &want)).sqrt();
                (s.clone(), d)
            })
            .min_by(|a, b| a.1.partial_cmp(&b.1).expect("finite"))
            .expect("S = ∅ is always an index set")
    };
    let judge = |label: String, product: Mat<Float>| {
        let (s, d) = nearest(&product);
        let mut ev = Evidence::default();
        ev.values.insert("index_set".into(), json!(set_label(&s)));
        ev.values.insert("distance".into(), json!(d.to_f64()));
        ev.values.insert("tolerance".into(), json!(tau.to_f64()));
        let finding = if d <= *tau {
            Finding::Holds(Basis::Mpfr, ev)
        } else {
            Finding::Fails(
                Basis::Mpfr,
                ev,
                "a critical point whose product is not U_S U_Sᵀ Φ for any S".into(),
            )
        };
        (label, finding)
    };
    let mut findings: Vec<_> = critical
        .points
        .iter()
        .map(|p| {
            let ev = linear::Partials::new(mp, &p.weights);
            judge(label(p), ev.product().clone())
        })
        .collect();
    if let Some(ws) = &c.point {
        let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
        if linear::gradient(&Exact, &ev)
            .iter()
            .all(|g| mat::is_zero_mat(&Exact, g))
        {
            findings.push(judge(
                "the case's point".into(),
                mat::from_exact(mp, ev.partials.product()),
            ));
        }
    }
    aggregate(findings)
}
