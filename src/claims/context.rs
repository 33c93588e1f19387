//! Everything the claims of one case share, computed at most once: the problem data (Φ), the
//! points to check (the case's point, the base and balanced minimizers, seeded generated ones) and,
//! per point, the three-way top eigenvalues.

use super::evidence::{json_f64, Outcome, Values};
use super::NotApplicable;
use crate::case::Case;
use crate::certify::estimate::{pow2_neg, Estimate};
use crate::certify::lambda_max::{lambda_max, EnclosureProof, Settings};
use crate::certify::sources::{Gram, HessianAt, KpOperatorAt};
use crate::enumerate::coordinates;
use crate::enumerate::minimizers::{self, Point};
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::model::linear;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use rand::SeedableRng;
use serde_json::json;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A top eigenvalue with the proof of its enclosure.
pub type Top = (Estimate, Option<EnclosureProof>);

/// Which path produced λ_max(∇²f) at a point, for the values of every claim that uses it.
#[derive(Clone, Debug)]
pub struct LambdaPath {
    /// `dense` (the full Hessian three ways, [`lambda_max`]) or the planner's f64 path
    /// (`kp-operator`, `kp-operator-lanczos`, `lanczos-hvp`).
    pub path: &'static str,
    /// How the enclosure was proven on the planned path (`exact-rational-kp`,
    /// `kp-verified-f64`), when it was.
    pub proven_by: Option<&'static str>,
    /// Why this path.
    pub reason: String,
    /// Would a higher precision narrow the value's MPFR tolerance ([`crate::certify::planned::Planned::precision_helps`])?
    pub precision_helps: bool,
}

impl LambdaPath {
    /// Is this the planned path of `sharpness` rather than the dense Hessian?
    pub fn planned(&self) -> bool {
        self.path != "dense"
    }
}

/// Largest P·L·β (parameters × depth × the most bits of any input number) for the dense exact
/// path: the Hessian's entries have about L·β bits, and beyond this the exact enclosure of the
/// P × P Hessian takes seconds to minutes (measured on the random minimizers of
/// benches/compare.py: P = 96, L = 6, β = 338, i.e. 1.9·10⁵, took 19 s; the shipped cases stay
/// below 1.5·10⁴).
pub const EXACT_WORK_LIMIT: u128 = 50_000;

/// Does `check` take λ_max(∇²f) at a point with P parameters, depth L, inputs of at most β bits
/// and KP dimension d_L·n = `kp_dim` from the planned path of `sharpness`
/// ([`crate::certify::planned::planned`]) instead of the dense Hessian? When the dense path is
/// beyond its exact limit (no enclosure there: P > exact_limit) or its exact work is too long
/// (P·L·β > [`EXACT_WORK_LIMIT`]), and the KP operator serves (d_L·n ≤ P,
/// d_L·n ≤ [`crate::certify::planner::KP_LIMIT`]).
pub fn uses_planned_path(
    params: usize,
    depth: usize,
    bits: u64,
    kp_dim: usize,
    s: &Settings,
) -> bool {
    let work = params as u128 * depth as u128 * u128::from(bits);
    (params > s.exact_limit || work > EXACT_WORK_LIMIT)
        && kp_dim <= params
        && kp_dim <= crate::certify::planner::KP_LIMIT
}

/// β: the most bits of any numerator or denominator among `mats`.
pub fn input_bits<'m>(mats: impl IntoIterator<Item = &'m Mat<BigRational>>) -> u64 {
    mats.into_iter()
        .flat_map(|m| m.as_slice())
        .map(|q| q.numer().bits().max(q.denom().bits()))
        .max()
        .unwrap_or(1)
        .max(1)
}

/// The lazily computed quantities at one point.
#[derive(Default)]
pub struct PointEval {
    hessian: OnceLock<(Top, LambdaPath)>,
    hessian_alone: OnceLock<Estimate>,
    kp_operator: OnceLock<Top>,
    grams: OnceLock<Grams>,
    min_sharpness: OnceLock<(Top, Estimate)>,
}

/// λ_max of the Gram matrices at one point: ‖A_k‖₂², ‖B_kX‖₂² and ‖W_k‖₂² for every layer k.
pub struct Grams {
    /// λ_max(A_kᵀA_k)
    pub above: Vec<Top>,
    /// λ_max((B_kX)(B_kX)ᵀ)
    pub below_x: Vec<Top>,
    /// λ_max(W_kᵀW_k)
    pub weight: Vec<Top>,
}

/// The zero-loss minimizers of a linear case and what every KP claim needs about them.
pub struct KpProblem {
    /// Φ = Y Xᵀ (X Xᵀ)⁻¹ with Y = Φ X.
    pub phi: Mat<BigRational>,
    /// The points to check, each a zero-loss minimizer.
    pub points: Vec<Point>,
    evals: Vec<PointEval>,
    /// The index of the balanced SVD factorization among the points, when X = I.
    pub balanced_index: Option<usize>,
    /// With `point.project: nearest-minimizer`: the values stating the projection (of the point
    /// and, when Y ≠ Φ X, of the target), added to every outcome built on this problem.
    pub projection: Option<Values>,
}

impl KpProblem {
    /// `o` with the projection's values added (nothing without `point.project`), so that no
    /// verdict at the projected point reads as one at the case's own point.
    pub fn annotate(&self, mut o: Outcome) -> Outcome {
        if let Some(p) = &self.projection {
            o.values.merge(p.clone());
        }
        o
    }
}

/// One case with its cached computations.
pub struct CaseContext<'a> {
    /// The validated case.
    pub case: &'a Case,
    /// Precision, enclosure width and size limits.
    pub settings: Settings,
    /// The seed fixing every random choice of this case.
    pub seed: u64,
    kp: OnceLock<Result<KpProblem, NotApplicable>>,
    problems: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    notes: Mutex<Vec<String>>,
}

/// What the claims of one family share about a case (the ZL setup, the WJ balanced points),
/// built once per case by [`CaseContext::problem`].
pub trait Problem: Sized + Send + Sync + 'static {
    /// Build it for the case of `ctx`, or say why the case does not fit the family.
    fn build(ctx: &CaseContext) -> Result<Self, NotApplicable>;
}

/// The storage of one problem type: empty until first asked for.
type Slot<P> = OnceLock<Arc<Result<P, NotApplicable>>>;

impl<'a> CaseContext<'a> {
    /// A context for `case` with the given settings and seed.
    pub fn new(case: &'a Case, settings: Settings, seed: u64) -> Self {
        CaseContext {
            case,
            settings,
            seed,
            kp: OnceLock::new(),
            problems: Mutex::default(),
            notes: Mutex::default(),
        }
    }

    /// Note something about the case's inputs that a family found while building its problem
    /// (e.g. that the case's point is not critical, so the \[AMG\] claims leave it out); each
    /// text is kept once.
    pub fn note(&self, text: String) {
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    /// The notes of [`CaseContext::note`], in the order they were made.
    pub fn notes(&self) -> Vec<String> {
        self.notes.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The relative width below which certified enclosures that overlap count as equal: 2^(−bits).
    pub fn eq_tol(&self) -> BigRational {
        pow2_neg(self.settings.enclosure_bits)
    }

    /// The `error` outcome of a claim that does not apply to this case: [`NotApplicable`] at
    /// `field` with `message`, reported with the field's file and line.
    pub fn not_applicable(&self, field: &str, message: impl Into<String>) -> Outcome {
        NotApplicable::new(field, message).outcome(self.case)
    }

    /// The family problem `P` of this case, built on first use and shared by every claim that
    /// asks for it (one build per case and precision, whichever claims the case lists).
    pub fn problem<P: Problem>(&self) -> Arc<Result<P, NotApplicable>> {
        let slot = {
            let mut slots = self.problems.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = slots
                .entry(TypeId::of::<P>())
                .or_insert_with(|| Arc::new(Slot::<P>::new()) as Arc<dyn Any + Send + Sync>)
                .clone();
            slot.downcast::<Slot<P>>()
                .expect("the slot of type P holds a P")
        };
        // built outside the lock, so that building P may ask for another problem
        slot.get_or_init(|| Arc::new(P::build(self))).clone()
    }

    /// The KP problem (built on first use); `Err` says why the case has no zero-loss minimizers
    /// or why its point is not one.
    pub fn kp(&self) -> Result<&KpProblem, &NotApplicable> {
        self.kp.get_or_init(|| self.build_kp()).as_ref()
    }

    fn build_kp(&self) -> Result<KpProblem, NotApplicable> {
        let c = self.case;
        if c.kind != crate::case::ModelKind::Linear {
            return Err(NotApplicable::new(
                "model.kind",
                "the KP claims concern the linear network (kind: linear)",
            ));
        }
        let phi = minimizers::target_map(&c.x, &c.y).ok_or_else(|| {
            NotApplicable::new("data.x", "X Xᵀ is singular: X must have full row rank")
        })?;
        let fitted = if c.x_is_identity {
            phi.clone()
        } else {
            mat::matmul(&Exact, &phi, &c.x)
        };
        let mut projection = c.project.map(|_| {
            let mut v = Values::default();
            v.insert("projected_from_case_point".into(), json!(true));
            v.insert("projection".into(), json!("nearest-minimizer"));
            v
        });
        let target = if fitted == c.y {
            if let Some(v) = projection.as_mut() {
                v.insert("target_projected".into(), json!(false));
            }
            c.y.clone()
        } else if let Some(v) = projection.as_mut() {
            // f* of the unconstrained problem: ½‖Y − ΦX‖², the residual of least squares
            let r2 = frobenius_sq(&mat::sub(&Exact, &c.y, &fitted));
            v.insert("target_projected".into(), json!(true));
            v.insert("target_residual_squared".into(), json!(q_to_string(&r2)));
            v.insert(
                "target_residual_squared_f64".into(),
                json_f64(q_to_f64(&r2)),
            );
            fitted
        } else {
            // a YAML float among the data may be why
            let floats = c
                .float_hint(&["data."])
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(NotApplicable::new(
                "data.y",
                format!("Y is not of the form M X (Y = Φ X fails), so no parameter reaches zero loss{floats}; the KP claims concern zero-loss minimizers (with `point.project: nearest-minimizer` the target is replaced by its projection Φ X)"),
            ));
        };
        let point = |weights: Vec<Mat<BigRational>>, origin: String| Point {
            weights,
            x: c.x.clone(),
            y: target.clone(),
            exact: true,
            origin,
        };
        let mut points = Vec::new();
        let base = match (&c.point, projection.as_mut()) {
            (Some(ws), Some(values)) => {
                let star = self.project_point(ws, &phi, &target, values)?;
                points.push(point(
                    star.clone(),
                    "the exact minimizer projected from the case's point".into(),
                ));
                star
            }
            (Some(ws), None) => {
                // the zero-loss test over a common denominator (no gcd per operation); the loss
                // itself only for the message
                if !crate::certify::kp_verified::exact_zero_loss(&point(ws.clone(), String::new()))
                {
                    let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
                    let f = linear::loss(&Exact, &ev);
                    // a YAML float among the weights or the data may be why
                    let floats = c
                        .float_hint(&["point.weights", "data."])
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    return Err(NotApplicable::new(
                        "point.weights",
                        format!(
                            "the point is not a zero-loss minimizer: f = ½‖PX − Y‖² = {} ≠ 0{floats} (with `point.project: nearest-minimizer` the claims are checked at the nearest exact minimizer)",
                            readable(&f)
                        ),
                    ));
                }
                points.push(point(ws.clone(), "the case's point".into()));
                ws.clone()
            }
            (None, _) => {
                let ws = minimizers::base_minimizer(&c.dims, &phi)
                    .map_err(|m| NotApplicable::new("model.dims", m))?;
                points.push(point(ws.clone(), "the rank-factorization minimizer".into()));
                ws
            }
        };
        let balanced = (c.x_is_identity && c.generate.balanced)
            .then(|| minimizers::balanced_factorization(&c.dims, &phi, self.settings.prec));
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
        for i in 0..c.generate.minimizers.unwrap_or(0) {
            // even: a general change of basis of the base point; odd: an orthogonal one of the
            // balanced point when it is exact (staying flat and balanced), else of the base point
            let (from, orthogonal, what) = match &balanced {
                Some(b) if i % 2 == 1 && b.exact && b.x == c.x && b.y == target => (
                    &b.weights,
                    true,
                    "orthogonal transform of the balanced minimizer",
                ),
                _ if i % 2 == 1 => (&base, true, "orthogonal transform of the base minimizer"),
                _ => (&base, false, "invertible transform of the base minimizer"),
            };
            let ws = minimizers::random_transform(&mut rng, from, orthogonal);
            points.push(point(
                ws,
                format!("generated minimizer #{i} ({what}, seed {})", self.seed),
            ));
        }
        let balanced_index = balanced.map(|b| {
            points.push(b);
            points.len() - 1
        });
        let evals = points.iter().map(|_| PointEval::default()).collect();
        Ok(KpProblem {
            phi,
            points,
            evals,
            balanced_index,
            projection,
        })
    }

    /// The exact minimizer W* for Φ that the inverse map of the parameterization assigns to the
    /// case's point W (enumerate::coordinates::project), with the values stating the projection:
    /// ‖W − W*‖_F (squared exactly, and enclosed), f(W) with the case's own Y, f(W) − f* and
    /// λ_max of the Hessian at W itself.
    fn project_point(
        &self,
        ws: &[Mat<BigRational>],
        phi: &Mat<BigRational>,
        target: &Mat<BigRational>,
        values: &mut Values,
    ) -> Result<Vec<Mat<BigRational>>, NotApplicable> {
        let c = self.case;
        let star = coordinates::project(ws, phi).map_err(|e| {
            NotApplicable::new(
                "point.project",
                format!(
                    "the point is too far from every global minimizer to be projected onto one: \
                     {e} (its product W_L⋯W_1 does not have the rank of Φ), so it is not near a \
                     zero-loss minimizer"
                ),
            )
        })?;
        let d2 = ws
            .iter()
            .zip(&star)
            .map(|(w, s)| frobenius_sq(&mat::sub(&Exact, w, s)))
            .fold(BigRational::zero(), |a, b| a + b);
        let (lo, hi) = sqrt_enclosure(&d2, 64);
        values.insert(
            "projection_distance_squared".into(),
            json!(q_to_string(&d2)),
        );
        values.insert(
            "projection_distance_f64".into(),
            json_f64(q_to_f64(&d2).sqrt()),
        );
        values.insert(
            "projection_distance_enclosure".into(),
            json!([q_to_string(&lo), q_to_string(&hi)]),
        );
        values.insert("projection_distance_exact".into(), json!(lo == hi));
        let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
        let f = linear::loss(&Exact, &ev);
        // f* = ½‖Y − ΦX‖² (zero when Y = ΦX): the minimum over all products, which W* attains
        let star_ev = linear::evaluate(&Exact, &star, &c.x, &c.y);
        let f_star = linear::loss(&Exact, &star_ev);
        debug_assert_eq!(
            f_star,
            frobenius_sq(&mat::sub(&Exact, &c.y, target)) / BigRational::from_integer(2.into())
        );
        let gap = &f - &f_star;
        values.insert("loss_at_case_point".into(), json!(q_to_string(&f)));
        values.insert("loss_at_case_point_f64".into(), json_f64(q_to_f64(&f)));
        values.insert("loss_minimum".into(), json!(q_to_string(&f_star)));
        values.insert("loss_gap".into(), json!(q_to_string(&gap)));
        values.insert("loss_gap_f64".into(), json_f64(q_to_f64(&gap)));
        let at_w = Point {
            weights: ws.to_vec(),
            x: c.x.clone(),
            y: c.y.clone(),
            exact: true,
            origin: "the case's point".into(),
        };
        let (top, _) = lambda_max(&HessianAt(&at_w), &self.settings);
        values.set_estimate("case_point_lambda_max", &top);
        values.insert(
            "case_point_lambda_max_strength".into(),
            json!(if top.enclosure.is_some() {
                "proved"
            } else {
                "numerical"
            }),
        );
        Ok(star)
    }

    /// The three-way λ_max of the Hessian at point `i` of the KP problem: the dense Hessian
    /// ([`lambda_max`]) or, beyond its limits ([`uses_planned_path`]), the planned path of
    /// `sharpness` (zero-loss points: the KP operator's proven enclosure).
    pub fn hessian_top<'k>(&self, kp: &'k KpProblem, i: usize) -> &'k Top {
        &self.hessian_eval(kp, i).0
    }

    /// The path that produced [`Self::hessian_top`].
    pub fn hessian_path<'k>(&self, kp: &'k KpProblem, i: usize) -> &'k LambdaPath {
        &self.hessian_eval(kp, i).1
    }

    /// Does λ_max(∇²f) at point `i` go along the planned path ([`uses_planned_path`])? Decided
    /// from the sizes alone, before anything is computed.
    pub fn takes_planned_path(&self, kp: &KpProblem, i: usize) -> bool {
        let p = &kp.points[i];
        let params = p.weights.iter().map(|w| w.rows() * w.cols()).sum();
        // the exact work counts at exact points only (an MPFR rounding has no exact path)
        let bits = if p.exact {
            input_bits(p.weights.iter().chain([&p.x, &p.y]))
        } else {
            1
        };
        uses_planned_path(
            params,
            p.weights.len(),
            bits,
            p.y.rows() * p.y.cols(),
            &self.settings,
        )
    }

    fn hessian_eval<'k>(&self, kp: &'k KpProblem, i: usize) -> &'k (Top, LambdaPath) {
        kp.evals[i].hessian.get_or_init(|| {
            let p = &kp.points[i];
            let params: usize = p.weights.iter().map(|w| w.rows() * w.cols()).sum();
            let mut fallback = None;
            if self.takes_planned_path(kp, i) {
                match crate::certify::planned::planned(p, &self.settings) {
                    Ok(r) => {
                        let path = LambdaPath {
                            path: r.path,
                            proven_by: r.proven_by,
                            reason: r.reason,
                            precision_helps: r.precision_helps,
                        };
                        return ((r.estimate, None), path);
                    }
                    Err(e) => fallback = Some(format!("the planned path failed ({e})")),
                }
            }
            let reason = fallback.unwrap_or_else(|| {
                format!(
                    "P = {params} within the exact limit {} (or the KP operator does not serve)",
                    self.settings.exact_limit
                )
            });
            (
                lambda_max(&HessianAt(p), &self.settings),
                LambdaPath {
                    path: "dense",
                    proven_by: None,
                    reason,
                    precision_helps: true,
                },
            )
        })
    }

    /// The three-way λ_max of the KP-exact operator K at point `i`: the dense estimate
    /// ([`lambda_max`]) or, where the Hessian takes the planned path, that path's estimate, which
    /// is K's at zero loss (its MPFR value and enclosure come from K; its f64 value too, unless
    /// the planner chose Lanczos on the Hessian, which is then replaced by Lanczos on K).
    pub fn kp_operator_top<'k>(&self, kp: &'k KpProblem, i: usize) -> &'k Top {
        kp.evals[i].kp_operator.get_or_init(|| {
            let p = &kp.points[i];
            let ((est, proof), path) = self.hessian_eval(kp, i);
            if !path.planned() {
                return lambda_max(&KpOperatorAt(p), &self.settings);
            }
            let mut est = est.clone();
            if !path.path.starts_with("kp-operator") {
                let net = crate::certify::planned::network_f64(p);
                match crate::certify::planner::top_f64(
                    &net,
                    crate::certify::planner::Path::KpOperatorLanczos,
                ) {
                    Ok(t) => {
                        est.f64 = t.value;
                        est.f64_tol = t.bound;
                    }
                    Err(e) => est.notes.push(format!("f64 Lanczos on K failed: {e}")),
                }
            }
            (est, proof.clone())
        })
    }

    /// λ_max(∇²f) at point `i` from the Hessian alone, never through K (the left side of
    /// KP-exact where the Hessian takes the planned path): f64 Lanczos on the loss's own
    /// Hessian-vector products, refined in MPFR on ∇²f = JᵀJ
    /// ([`crate::certify::hessian_mpfr`]); an eigenvalue of ∇²f within the radius, not proven to
    /// be the top one, so an equality with it is at most numerical.
    pub fn hessian_alone<'k>(&self, kp: &'k KpProblem, i: usize) -> &'k Estimate {
        kp.evals[i].hessian_alone.get_or_init(|| {
            let p = &kp.points[i];
            // the residual an equality needs (estimate::confirmable), with 8 bits to spare
            let bits =
                self.settings.enclosure_bits + crate::certify::estimate::EQUALITY_MARGIN_BITS + 8;
            let rel = (-f64::from(bits)).exp2();
            match crate::certify::hessian_mpfr::refine_top(p, self.settings.prec, rel) {
                Ok(t) => Estimate {
                    f64: t.f64_value,
                    f64_tol: t.f64_residual,
                    mpfr: Some(t.value),
                    mpfr_tol: Some(t.radius),
                    enclosure: None,
                    algebraic: None,
                    notes: vec![format!(
                        "from the Hessian alone: f64 Lanczos on the loss's Hessian-vector products \
                         (seeded random start; not proven to be the top eigenvalue), refined in \
                         MPFR on ∇²f = JᵀJ (exact zero loss) with {} products; an eigenvalue of \
                         ∇²f lies within the MPFR tolerance",
                        t.products
                    )],
                },
                Err(e) => {
                    let net = crate::certify::planned::network_f64(p);
                    let top = crate::certify::planner::top_f64(
                        &net,
                        crate::certify::planner::Path::LanczosHvp,
                    );
                    let (f64, f64_tol, why) = match top {
                        Ok(t) => (t.value, t.bound, None),
                        Err(e) => (f64::NAN, f64::NAN, Some(e)),
                    };
                    let mut est = Estimate {
                        f64,
                        f64_tol,
                        mpfr: None,
                        mpfr_tol: None,
                        enclosure: None,
                        algebraic: None,
                        notes: why.into_iter().collect(),
                    };
                    est.notes
                        .push(format!("no MPFR value from the Hessian alone: {e}"));
                    est
                }
            }
        })
    }

    /// λ_max of the Gram matrices of the partial products at point `i` (KP-bound, KP-depth2).
    pub fn grams<'k>(&self, kp: &'k KpProblem, i: usize) -> &'k Grams {
        kp.evals[i].grams.get_or_init(|| {
            let p = &kp.points[i];
            let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
            let top = |g: Gram| lambda_max(&g, &self.settings);
            Grams {
                above: (0..p.weights.len())
                    .map(|k| top(Gram::tn(ev.partials.above(k), p.exact)))
                    .collect(),
                below_x: ev.bx.iter().map(|b| top(Gram::nt(b, p.exact))).collect(),
                weight: p
                    .weights
                    .iter()
                    .map(|w| top(Gram::tn(w, p.exact)))
                    .collect(),
            }
        })
    }

    /// c_k² = ‖A_k‖₂² ‖B_k X‖₂² for every layer k at point `i` (KP-bound).
    pub fn c_squared(&self, kp: &KpProblem, i: usize) -> Vec<Estimate> {
        let g = self.grams(kp, i);
        g.above
            .iter()
            .zip(&g.below_x)
            .map(|(a, b)| a.0.mul_nonneg(&b.0))
            .collect()
    }

    /// σ_1² = λ_max(YᵀY) of the point's own target (X = I) and the KP-min value
    /// L·σ_1^{2(L−1)/L} = L·(σ_1²)^{(L−1)/L}; `None` unless X = I.
    pub fn min_sharpness<'k>(&self, kp: &'k KpProblem, i: usize) -> Option<&'k (Top, Estimate)> {
        let p = &kp.points[i];
        if p.x != mat::identity(&Exact, p.x.rows()) {
            return None;
        }
        Some(kp.evals[i].min_sharpness.get_or_init(|| {
            let l = p.weights.len() as u32;
            let sigma1_sq = lambda_max(&Gram::tn(&p.y, p.exact), &self.settings);
            let value = sigma1_sq
                .0
                .pow_ratio(l - 1, l, self.settings.enclosure_bits)
                .scale(&BigRational::from_integer(l.into()), self.settings.prec);
            (sigma1_sq, value)
        }))
    }
}

/// ‖A‖²_F, exactly.
fn frobenius_sq(a: &Mat<BigRational>) -> BigRational {
    a.as_slice()
        .iter()
        .fold(BigRational::zero(), |s, x| s + x * x)
}

/// [lo, hi] ∋ √q for q ≥ 0, with hi − lo ≤ 2^−b relative to the scale of q (lo = hi when q is the
/// square of a rational): floor(√⌊q·4^e⌋) = ⌊√(q·4^e)⌋ for integers.
fn sqrt_enclosure(q: &BigRational, bits: u64) -> (BigRational, BigRational) {
    let (rn, rd) = (q.numer().sqrt(), q.denom().sqrt());
    if &(&rn * &rn) == q.numer() && &(&rd * &rd) == q.denom() {
        // a square of a rational (zero included): the root is exact
        let r = BigRational::new(rn, rd);
        return (r.clone(), r);
    }
    let e = bits + q.denom().bits().div_ceil(2) + 1;
    let scale = BigInt::one() << (2 * e);
    let scaled = q.numer() * &scale;
    let n = &scaled / q.denom();
    let s = n.sqrt();
    let unit = BigRational::new(BigInt::one(), BigInt::one() << e);
    let lo = BigRational::from_integer(s.clone()) * &unit;
    if &s * &s == n && (&scaled % q.denom()).is_zero() {
        return (lo.clone(), lo);
    }
    let hi = BigRational::from_integer(s + 1) * &unit;
    (lo, hi)
}

/// An exact value for a reason: whole when short, else correctly rounded and marked so
/// ([`crate::report::numbers::exact`]).
fn readable(q: &num_rational::BigRational) -> String {
    let text = crate::linalg::field::q_to_string(q);
    text.parse::<rug::Rational>()
        .map_or(text, |r| crate::report::numbers::exact(&r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> BigRational {
        s.parse().unwrap()
    }

    /// The dense exact path is left for the planned one past the exact limit of P, or when the
    /// inputs' bits make the exact work long, and only where the KP operator serves.
    #[test]
    fn the_planned_path_takes_over_from_long_exact_work() {
        let s = Settings::default();
        // the shipped cases' sizes stay dense
        assert!(!uses_planned_path(60, 15, 16, 4, &s));
        // P = 96, L = 6, β = 338 (a random minimizer of benches/compare.py): 1.9·10⁵ > limit
        assert!(uses_planned_path(96, 6, 338, 16, &s));
        // past the exact limit of P whatever the bits
        assert!(uses_planned_path(s.exact_limit + 1, 2, 1, 4, &s));
        // the KP operator larger than the Hessian: no planned path
        assert!(!uses_planned_path(96, 6, 338, 97, &s));
        let m = Mat::from_fn(1, 2, |_, j| q(["3/1024", "-1"][j]));
        assert_eq!(input_bits([&m]), 11);
    }

    #[test]
    fn sqrt_enclosures_hold_the_root_and_are_exact_on_squares() {
        for s in ["0", "1/4", "9/10000000200000001", "4"] {
            let (lo, hi) = sqrt_enclosure(&q(s), 64);
            assert_eq!(lo, hi, "{s}");
            assert_eq!(&lo * &lo, q(s));
        }
        for s in [
            "2",
            "1/3",
            "400000003600000009/400000004000000010000000000000000",
        ] {
            let x = q(s);
            let (lo, hi) = sqrt_enclosure(&x, 64);
            assert!(&lo * &lo <= x && x <= &hi * &hi, "{s}");
            assert!(
                lo < hi && &hi - &lo <= &lo * q("1/18446744073709551616"),
                "{s}"
            );
        }
    }
}
