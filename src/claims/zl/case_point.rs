//! The case's own point in the ZL checks (issue 15, item 4): when a case gives `point:`, every ZL
//! claim reports, exactly and beside its seeded samples, f − f*, ‖∇f‖², the certified σ_min
//! brackets of the bound's factors, the tightness ratio ρ = (f − f*) D / ‖∇f‖² and the nearest
//! global minimizer, and decides the claim at that point where its premise holds there.
//!
//! Premises at the point (claims.md, \[ZL\]); a point where one fails is *vacuous*, never decided:
//! - ZL-gd-linear / ZL-gd-residual: every W_j (resp. I + A_j) invertible, by exact rank;
//!   ZL-gd-nonlinear has no premise on the point.
//! - ZL-gd-neighborhood: the point lies in the paper's neighborhood of a full-rank minimizer W*:
//!   with δ ≥ ‖W − W*‖_F a rational upper bound, every shifted factor bound σ_min(W*_j) − shift_j(δ)
//!   is certified positive (the lower ends of the brackets exceed the shifts).
//! - The regularity readings concern W *near* a minimizer; the case says what near means by its
//!   sample radii, so the point counts when ‖W − W*‖_F ≤ δ_max, the largest radius. W* is the
//!   nearest minimizer ([`super::nearest`]) for `ZL-regularity` and `ZL-regularity-normal` (W − W*
//!   is then normal to the minimizer set to the stated tolerance) and the closest generated
//!   minimizer for `ZL-regularity-fixed`.
//! - ZL-minimizers: the characterization f − f* = ½‖c(W)X‖² holds at every point.

use super::gd::{self, Decision, SampleEval};
use super::nearest::{nearest_minimizer, NEAREST_TOL};
use super::setup::Setup;
use super::table;
use crate::certify::estimate::Basis;
use crate::certify::sigma::sqrt_upper;
use crate::certify::sigma::SigmaBracket;
use crate::claims::context::Problem;
use crate::claims::evidence::{json_f64, Evidence, Finding, CASE_POINT};
use crate::claims::{CaseContext, NotApplicable};
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::linalg::mat;
use crate::model::zl::{diff, inner, Net, Params, Q};
use num_traits::{Signed, Zero};
use serde_json::{json, Map, Value};

/// The global minimizer nearest to the case's point, made exact ([`nearest_minimizer`]).
#[derive(Clone, Debug)]
pub struct Nearest {
    /// W*, an exact global minimizer.
    pub star: Params,
    /// The certified σ_min brackets of W*'s factors.
    pub sigma: Vec<SigmaBracket>,
    /// ‖W − W*‖²_F, exactly.
    pub dist_sq: Q,
    /// ‖t‖²/‖W − W*‖² for the part t of W − W* tangent to the minimizer set, exactly (0 when
    /// W = W*).
    pub tangential_sq: Q,
}

impl Nearest {
    /// Whether the projection is certified: the relative tangential residual is at most
    /// [`NEAREST_TOL`].
    pub fn certified(&self) -> bool {
        self.tangential_sq <= tolerance_sq()
    }
}

/// [`NEAREST_TOL`]², exactly.
pub fn tolerance_sq() -> Q {
    Q::from_float(NEAREST_TOL * NEAREST_TOL).expect("finite")
}

/// The case's point with what every ZL claim reports at it.
#[derive(Clone, Debug)]
pub struct CasePoint {
    /// The parameters (W_k; A_k for the residual network; (W_1, W_2) for the one-hidden-layer one).
    pub params: Params,
    /// The pointwise inequality at the point: f − f*, ‖∇f‖², the σ_min brackets, D and ρ.
    pub pointwise: SampleEval,
    /// Every factor of the bound (the layers W_j or I + A_j; for the one-hidden-layer network W_2
    /// and σ(W_1X)) has full rank, by exact elimination.
    pub factors_invertible: bool,
    /// The index of the generated minimizer closest to the point, and ‖W − W*_i‖²_F.
    pub closest_generated: (usize, Q),
    /// The nearest global minimizer, when the projection converges to one.
    pub nearest: Option<Nearest>,
}

/// The case's point, when the case gives one ([`Problem`] built once per case, after [`Setup`]).
pub struct AtCasePoint(pub Option<CasePoint>);

impl Problem for AtCasePoint {
    fn build(ctx: &CaseContext) -> Result<Self, NotApplicable> {
        let setup = ctx.problem::<Setup>();
        let (Ok(setup), Some(params)) = (&*setup, &ctx.case.point) else {
            return Ok(AtCasePoint(None));
        };
        Ok(AtCasePoint(Some(CasePoint::new(
            setup,
            params.clone(),
            ctx.settings.prec,
        ))))
    }
}

impl CasePoint {
    /// Evaluate the point `params` of the setup's problem.
    pub fn new(setup: &Setup, params: Params, prec: u32) -> Self {
        let pb = &setup.pb;
        let pointwise = gd::evaluate_at(pb, &setup.x_sigma, &params, None, prec);
        let factors_invertible = gd::factors(pb, &params)
            .iter()
            .all(|m| mat::rank_exact(m) == m.rows().min(m.cols()));
        let closest_generated = setup
            .minimizers
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let e = diff(&params, m);
                (i, inner(&e, &e))
            })
            .min_by(|a, b| a.1.cmp(&b.1))
            .expect("at least one generated minimizer");
        // start from the closest generated minimizer; when that projection is not certified,
        // start again from the point itself and keep the better one
        let from = |start: &Params| {
            nearest_minimizer(pb, &params, start).map(|(star, tangential_sq)| {
                let e = diff(&params, &star);
                Nearest {
                    sigma: gd::minimizer_sigma(pb, &star),
                    dist_sq: inner(&e, &e),
                    star,
                    tangential_sq,
                }
            })
        };
        let first = from(&setup.minimizers[closest_generated.0]);
        let nearest = match first {
            Some(n) if n.certified() => Some(n),
            other => match (other, from(&params)) {
                (Some(a), Some(b)) => Some(if b.tangential_sq < a.tangential_sq {
                    b
                } else {
                    a
                }),
                (a, b) => a.or(b),
            },
        };
        CasePoint {
            params,
            pointwise,
            factors_invertible,
            closest_generated,
            nearest,
        }
    }

    /// The label of the point in reasons and point tables.
    pub fn label() -> &'static str {
        CASE_POINT
    }

    /// The pointwise claims at the point: `Err(why)` when the premise fails there (vacuous).
    pub fn pointwise_decision(&self, net: &Net) -> Result<&SampleEval, String> {
        match net {
            Net::OneHidden { .. } => Ok(&self.pointwise),
            _ if self.factors_invertible => Ok(&self.pointwise),
            _ => Err("a layer of the case's point is singular, so the premise (every W_j invertible) fails there".into()),
        }
    }

    /// The figures every ZL claim reports at the point, every number exact (with an f64 reading).
    pub fn figures(&self) -> Map<String, Value> {
        let e = &self.pointwise;
        let q = |v: &Q| json!(q_to_string(v));
        let mut m = Map::new();
        m.insert("loss_gap".into(), q(&e.gap));
        m.insert("loss_gap_f64".into(), json_f64(q_to_f64(&e.gap)));
        m.insert("grad_norm_sq".into(), q(&e.grad_sq));
        m.insert("grad_norm_sq_f64".into(), json_f64(q_to_f64(&e.grad_sq)));
        m.insert(
            "sigma_min_enclosures".into(),
            json!(e
                .sigma
                .iter()
                .map(|b| json!([q_to_string(&b.lower), q_to_string(&b.upper)]))
                .collect::<Vec<_>>()),
        );
        m.insert("factors_invertible".into(), json!(self.factors_invertible));
        m.insert(
            "denominator_enclosure".into(),
            json!([
                q_to_string(&e.denominators.0),
                q_to_string(&e.denominators.1)
            ]),
        );
        m.insert(
            "tightness_ratio_enclosure".into(),
            e.ratio.as_ref().map_or(Value::Null, |(lo, hi)| {
                json!([q_to_string(lo), q_to_string(hi)])
            }),
        );
        m.insert(
            "tightness_ratio_f64".into(),
            e.ratio
                .as_ref()
                .map_or(Value::Null, |(_, hi)| json_f64(q_to_f64(hi))),
        );
        m.insert("is_global_minimizer".into(), json!(e.gap.is_zero()));
        m.insert(
            "closest_generated_minimizer".into(),
            json!({
                "index": self.closest_generated.0,
                "dist_sq": q_to_string(&self.closest_generated.1),
            }),
        );
        m.insert(
            "nearest_minimizer".into(),
            self.nearest.as_ref().map_or(Value::Null, |n| {
                json!({
                    "params": super::cert::params_json(&n.star),
                    "dist_sq": q_to_string(&n.dist_sq),
                    "distance_f64": json_f64(q_to_f64(&n.dist_sq).sqrt()),
                    "relative_tangential_residual_sq": q_to_string(&n.tangential_sq),
                    "certified_nearest": n.certified(),
                    "tolerance": json_f64(NEAREST_TOL),
                })
            }),
        );
        m
    }

    /// ZL-gd-neighborhood at the point: the minimizer W* (the nearest one, else the closest
    /// generated one, which is certified full rank too), δ = a rational upper bound of
    /// ‖W − W*‖_F, and W*'s brackets; `Err(why)` when the point is outside the paper's
    /// neighborhood of W* (some shifted factor bound is not certified positive).
    pub fn neighborhood(
        &self,
        setup: &Setup,
    ) -> Result<(Params, Q, Vec<SigmaBracket>, Vec<Q>), String> {
        let pb = &setup.pb;
        let (star, dist_sq, sigma) = match &self.nearest {
            Some(n) => (n.star.clone(), n.dist_sq.clone(), n.sigma.clone()),
            None => {
                let i = self.closest_generated.0;
                let m = &setup.minimizers[i];
                (
                    m.clone(),
                    self.closest_generated.1.clone(),
                    gd::minimizer_sigma(pb, m),
                )
            }
        };
        let delta = sqrt_upper(&dist_sq);
        let shifts = gd::shifts(pb, &delta);
        if sigma.iter().zip(&shifts).all(|(b, s)| &b.lower > s) {
            Ok((star, delta, sigma, shifts))
        } else {
            Err(format!(
                "the case's point is {} away from the minimizer W*, outside the paper's neighborhood (some σ_min(W*_j) is not certified above the shift)",
                crate::report::numbers::exact(&crate::linalg::field::q_to_rug(&delta))
            ))
        }
    }

    /// The reference minimizer W* of a regularity reading (with `nearest`: the nearest global
    /// minimizer, which must be certified, and its tangential residual; else the closest generated
    /// minimizer), or why the reading does not decide at the point: it is farther from W* than
    /// `max_radius` ([`RegularityMiss::Far`]) or no nearest minimizer is certified
    /// ([`RegularityMiss::Undecided`]).
    pub fn regularity_reference(
        &self,
        setup: &Setup,
        nearest: bool,
        max_radius: &Q,
    ) -> Result<(Params, Option<Q>), RegularityMiss> {
        let (star, dist_sq, tangential) = if nearest {
            match &self.nearest {
                Some(n) if n.certified() => {
                    (n.star.clone(), n.dist_sq.clone(), Some(n.tangential_sq.clone()))
                }
                _ => return Err(RegularityMiss::Undecided(format!(
                    "no nearest minimizer of the case's point was certified to the stated tolerance {NEAREST_TOL:e}"
                ))),
            }
        } else {
            let i = self.closest_generated.0;
            (
                setup.minimizers[i].clone(),
                self.closest_generated.1.clone(),
                None,
            )
        };
        if !dist_sq.is_positive() || dist_sq <= max_radius * max_radius {
            Ok((star, tangential))
        } else {
            Err(RegularityMiss::Far(format!(
                "the case's point is farther from W* (‖W − W*‖² = {}) than the largest sample radius δ = {} the case calls near",
                crate::report::numbers::exact(&crate::linalg::field::q_to_rug(&dist_sq)),
                q_to_string(max_radius)
            )))
        }
    }
}

/// Why a regularity reading does not decide at the case's point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegularityMiss {
    /// The point is not near (vacuous there).
    Far(String),
    /// The nearest minimizer is not certified (undecided there).
    Undecided(String),
}

/// The decision at the case's point, as the point table and the verdict read it.
#[derive(Clone, Debug, PartialEq)]
pub enum AtPoint {
    /// Decided (holds, fails or undecided by the certified bracket).
    Decided(Decision),
    /// The premise fails at the point: nothing is exercised.
    Vacuous(String),
    /// The numbers could not decide.
    Undecided(String),
}

/// What a ZL check found at the case's point: the decision there (or why there is none), the
/// figures reported, and the certificate's sample for a decided point with the minimizer it refers
/// to when that one is not a generated minimizer.
pub struct PointPart {
    /// The decision at the point.
    pub at: AtPoint,
    /// The figures of [`CasePoint::figures`] and the check's own.
    pub figures: Map<String, Value>,
    /// The certificate sample (decided points only).
    pub cert_sample: Option<Value>,
    /// W* and its brackets, when the sample refers to a minimizer not among the generated ones.
    pub extra_minimizer: Option<(Params, Vec<SigmaBracket>)>,
}

impl PointPart {
    /// The decision counted in the verdict, if the point is not vacuous.
    pub fn decision(&self) -> Option<Decision> {
        match &self.at {
            AtPoint::Decided(d) => Some(d.clone()),
            AtPoint::Undecided(_) => Some(Decision::Undecided),
            AtPoint::Vacuous(_) => None,
        }
    }

    /// The point's row of the point table; `fails` says why it fails.
    pub fn row(&self, fails: &str) -> (String, Finding) {
        let label = CasePoint::label().to_string();
        let ev = |figures: &Map<String, Value>| Evidence {
            values: figures.clone().into(),
            certificate: None,
        };
        let f = match &self.at {
            AtPoint::Decided(d) => table::finding(d, self.figures.clone(), fails),
            AtPoint::Vacuous(why) => Finding::Vacuous(Basis::Exact, why.clone()),
            AtPoint::Undecided(why) => Finding::Undecided(why.clone(), ev(&self.figures)),
        };
        (label, f)
    }

    /// The figures with the decision, as `values.case_point`.
    pub fn json(&self) -> Value {
        let mut m = self.figures.clone();
        let (decision, why) = match &self.at {
            AtPoint::Decided(Decision::Holds) => ("holds", None),
            AtPoint::Decided(Decision::Fails) => ("fails", None),
            AtPoint::Decided(Decision::Undecided) => ("undecided", None),
            AtPoint::Undecided(w) => ("undecided", Some(w)),
            AtPoint::Vacuous(w) => ("vacuous", Some(w)),
        };
        m.insert("decision".into(), json!(decision));
        if let Some(w) = why {
            m.insert("why".into(), json!(w));
        }
        Value::Object(m)
    }
}
