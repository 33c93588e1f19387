//! What every ZL check of one case starts from: the problem, the seeded minimizers, σ_min(X)'s
//! bracket and the seeded samples in balls around the minimizers.

use super::points::{ball_samples, generate, Sample};
use crate::case::ModelKind;
use crate::certify::sigma::{tight_bracket, SigmaBracket};
use crate::claims::context::Problem;
use crate::claims::evidence::{json_f64, Number, Values};
use crate::claims::{CaseContext, Data, NotApplicable, Points, Scope, Widths};
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::linalg::Exact;
use crate::model::zl::{Params, ZlProblem, Q};
use rand::SeedableRng;
use serde_json::{json, Map, Value};

/// Sample count per ball when the case has no `samples:` section.
pub const DEFAULT_COUNT: usize = 6;
/// Ball radii when the case has no `samples:` section: 1/100 and 1/10.
pub const DEFAULT_RADII: [(i64, i64); 2] = [(1, 100), (1, 10)];

/// The cases the ZL claims concern: linear, residual and one-hidden-layer networks with square
/// layers and general data X of full row rank (the pointwise inequalities narrow it to one kind
/// each, [`pointwise_scope`]); the points are the family's own balls around its minimizers, and
/// the case's point when given.
pub const ZL_SCOPE: Scope = Scope {
    kinds: &[
        ModelKind::Linear,
        ModelKind::Residual,
        ModelKind::OneHiddenLayer,
    ],
    widths: Widths::Square,
    data: Data::General,
    ..Scope::ANY
};

/// The scope of a pointwise gradient-dominance inequality (ZL-gd-linear, -residual, -nonlinear):
/// [`ZL_SCOPE`] narrowed to one model kind, about every point (the inequality holds pointwise
/// wherever its premise does).
pub const fn pointwise_scope(kinds: &'static [ModelKind]) -> Scope {
    Scope {
        kinds,
        points: Points::Every,
        ..ZL_SCOPE
    }
}

/// The shared starting point of the ZL checks, built once per case ([`CaseContext::problem`]).
pub struct Setup {
    /// The problem.
    pub pb: ZlProblem,
    /// Seeded full-rank global minimizers (`generate.minimizers.count`, default 1).
    pub minimizers: Vec<Params>,
    /// σ_min(X), certified.
    pub x_sigma: SigmaBracket,
    /// Seeded samples: for each minimizer, each radius, `count` points.
    pub samples: Vec<Sample>,
    /// Whether the radii and count are the defaults (the case has no `samples:`).
    pub default_samples: bool,
}

impl Problem for Setup {
    /// Build it for a case, or say which field rules the case out.
    fn build(ctx: &CaseContext) -> Result<Setup, NotApplicable> {
        let c = ctx.case;
        let pb = ZlProblem::from_case(c).map_err(|(field, msg)| NotApplicable::new(field, msg))?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(ctx.seed);
        let minimizers = generate(&pb, &mut rng, c.generate.minimizers.unwrap_or(1))
            .map_err(|m| NotApplicable::new("generate.minimizers", m))?;
        let (count, radii, default_samples) = match &c.samples {
            Some(s) => (s.count, s.radii.clone(), false),
            None => (
                DEFAULT_COUNT,
                DEFAULT_RADII
                    .iter()
                    .map(|&(n, d)| Q::new(n.into(), d.into()))
                    .collect(),
                true,
            ),
        };
        let mut samples = Vec::new();
        for (i, m) in minimizers.iter().enumerate() {
            for r in &radii {
                samples.extend(ball_samples(m, i, r, count, &mut rng));
            }
        }
        let x_sigma = x_sigma_bracket(&pb);
        Ok(Setup {
            pb,
            minimizers,
            x_sigma,
            samples,
            default_samples,
        })
    }
}

impl Setup {
    /// The values every ZL outcome carries (f* among them), with the outcome's own `more` added
    /// (where both set a value, `more`'s wins).
    pub fn values(&self, more: Map<String, Value>) -> Values {
        let mut v = Map::new();
        v.insert("model_kind".into(), json!(self.pb.kind_name()));
        v.insert("f_star_f64".into(), json_f64(q_to_f64(&self.pb.f_star)));
        v.insert("minimizers".into(), json!(self.minimizers.len()));
        v.insert("samples".into(), json!(self.samples.len()));
        v.insert("default_samples".into(), json!(self.default_samples));
        if let Some(a) = self.pb.slope() {
            // zero pre-activations of W*_1 X: the minimizer sits on a kink of σ, where the
            // minimizer set is only piecewise smooth
            let kinks: Vec<usize> = self
                .minimizers
                .iter()
                .map(|m| {
                    crate::model::one_hidden::evaluate(&Exact, m, a, &self.pb.x, &self.pb.y).kinks
                })
                .collect();
            v.insert("minimizer_kinks".into(), json!(kinks));
        }
        v.insert(
            "x_sigma_min_enclosure".into(),
            json!([
                q_to_string(&self.x_sigma.lower),
                q_to_string(&self.x_sigma.upper)
            ]),
        );
        v.extend(more);
        let mut v = Values::from_map(v);
        v.f_star = Some(Number::exact(&self.pb.f_star));
        v
    }
}

/// The certified bracket of σ_min(X) the ZL bounds use, the tight one ([`tight_bracket`]): it
/// enters every sample's D.
pub fn x_sigma_bracket(pb: &ZlProblem) -> SigmaBracket {
    tight_bracket(&square_x(pb))
}

/// Xᵀ (n × d): its Gram matrix (Xᵀ)ᵀXᵀ = X Xᵀ has eigenvalues σ_i(X)², so the bracket of σ_min of
/// Xᵀ (over its d-dimensional domain) is a bracket of σ_min(X) = √λ_min(X Xᵀ).
fn square_x(pb: &ZlProblem) -> crate::linalg::Mat<Q> {
    pb.x.transpose()
}
