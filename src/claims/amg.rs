//! \[AMG\] Achour, Malgouyres & Gerchinovitz: critical points of the linear network (claims.md,
//! "\[AMG\]"), checked at the critical points constructed for every index set S (and at the case's
//! point when it is critical), each classified twice: by the rank criterion (two readings) and by
//! certificates computed from the Hessian itself ([`crate::enumerate::classify`]). The problem
//! (spectrum, points, classification) is built once per case ([`AmgProblem`]) and shared by every
//! claim here and by both readings.

use super::amg_mpfr;
use super::book::{matrix_json, Book};
use super::context::Problem;
use super::evidence::{aggregate, Evidence, Finding, Number, Outcome};
use super::{claim, CaseContext, Claim, NotApplicable, Points, Scope};
use crate::certify::estimate::Basis;
use crate::enumerate::classify::{optimum_set, set_label, Assertion, Classifier, Judge};
use crate::enumerate::coordinates;
use crate::enumerate::critical::{critical_points, index_sets};
use crate::enumerate::judge::ExactAmg;
use crate::enumerate::landscape::{landscape, Critical, Landscape};
use crate::enumerate::minimizers::{self, Point};
use crate::linalg::field::{f64_to_q, q_to_string};
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::model::linear;
use num_rational::BigRational;
use num_traits::Zero;
use rand::SeedableRng;
use serde_json::{json, Value};

// The classification as library users (and the property tests) know it under this module.
use crate::enumerate::classify::{Class, Reading};
use crate::verdict::Verdict;

/// An outcome of the exact path: its undecided points are not a matter of precision, so the
/// runner does not retry it ([`Claim::escalates`] concerns the MPFR path).
fn exact_outcome(mut o: Outcome) -> Outcome {
    o.undecided_points = false;
    o
}

/// The \[AMG\] problem of the case ([`landscape`]), built once per case context, or the outcome of
/// every \[AMG\] claim when there is none: inconclusive (out of scope; retried at a higher
/// precision when eigenvalues are not separated). A case outside the premises is not applicable
/// ([`Problem::build`] fails).
pub struct AmgProblem(Result<Landscape, Outcome>);

impl Problem for AmgProblem {
    fn build(ctx: &CaseContext) -> Result<Self, NotApplicable> {
        match landscape(ctx.case, &ctx.settings, ctx.seed) {
            Ok(l) => {
                let left_out = match &l {
                    Landscape::Exact(c) => &c.left_out,
                    Landscape::Mpfr(c) => &c.left_out,
                };
                if let Some(why) = left_out {
                    ctx.note(why.clone());
                }
                Ok(AmgProblem(Ok(l)))
            }
            Err(e) => match e.field {
                Some(field) => Err(NotApplicable::new(field, e.message)),
                None => {
                    let mut o = Outcome::inconclusive(format!("out of scope: {}", e.message));
                    o.undecided_points = e.separable;
                    Ok(AmgProblem(Err(o)))
                }
            },
        }
    }
}

impl AmgProblem {
    /// The problem, or the outcome for a claim when there is none.
    fn get(&self) -> Result<&Landscape, Outcome> {
        self.0.as_ref().map_err(Clone::clone)
    }
}

/// The exact problem, or the outcome for a claim that needs one.
fn exact_problem<'a>(amg: &'a AmgProblem, what: &str) -> Result<&'a Critical<ExactAmg>, Outcome> {
    match amg.get()? {
        Landscape::Exact(c) => Ok(c),
        Landscape::Mpfr(c) => {
            let sp = &c.problem.spectrum;
            Err(Outcome::inconclusive(format!(
                "out of scope: Σ has irrational eigenvalues ({}), and {what}",
                (0..sp.eigenvalues.len())
                    .map(|j| crate::report::numbers::mpfr(&sp.eigenvalues[j], &sp.radii[j]))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }
}

/// The certificate's statements as JSON assertions (the verifier's format).
fn assertions_json(book: &mut Book, assertions: &[Assertion]) {
    for a in assertions {
        book.assert(match a {
            Assertion::Critical => json!({"type": "critical"}),
            Assertion::Loss(f) => json!({"type": "loss", "value": q_to_string(f)}),
            Assertion::NegativeCurvature { direction, value } => json!({
                "type": "negative_curvature",
                "direction": direction.iter().map(matrix_json).collect::<Vec<Value>>(),
                "value": q_to_string(value),
            }),
            Assertion::HessianPsd => json!({"type": "hessian_psd"}),
            Assertion::DescentCurve {
                direction,
                coefficients,
            } => json!({
                "type": "descent_curve",
                "direction": direction.iter().map(matrix_json).collect::<Vec<Value>>(),
                "coefficients": coefficients.iter().map(q_to_string).collect::<Vec<_>>(),
            }),
        });
    }
}

/// AMG-classify in either reading: at every point, the criterion's class against the
/// certificate's, both from the shared classification.
fn classify_check(claim: &str, ctx: &CaseContext, reading: Reading) -> Outcome {
    let amg = ctx.problem::<AmgProblem>();
    let amg = match &*amg {
        Ok(amg) => amg,
        Err(na) => return na.outcome(ctx.case),
    };
    match amg.get() {
        Err(o) => o,
        Ok(Landscape::Exact(c)) => {
            let basis = c.problem.judge().basis();
            let findings = c
                .points
                .iter()
                .zip(c.classified())
                .map(|(cp, k)| {
                    let mut book = Book::default();
                    assertions_json(&mut book, &k.certificate.assertions);
                    let mut ev = Evidence {
                        values: Default::default(),
                        certificate: book.certificate(claim, &cp.point),
                    };
                    ev.values
                        .insert("index_set".into(), json!(set_label(&k.set)));
                    let cert = &k.certificate;
                    let finding =
                        classification(ev, k.by_rule(reading), cert.class, &cert.detail, basis);
                    (
                        format!("{} [S = {}]", cp.point.origin, set_label(&cp.set)),
                        finding,
                    )
                })
                .collect();
            let mut o = exact_outcome(aggregate(findings));
            if let Some(note) = singular_sigma(&c.problem.spectrum.eigenvalues, &ctx.case.dims) {
                if o.verdict() == Verdict::Refuted {
                    let why = o.reason.take().unwrap_or_default();
                    o = o.with_reason(format!("{why}; {note}"));
                }
                o.values.insert("sigma_singular".into(), json!(note));
            }
            o
        }
        Ok(Landscape::Mpfr(c)) => {
            let basis = c.problem.judge().basis();
            let mut retry = false;
            let mut findings = Vec::new();
            for (p, k) in c.points.iter().zip(c.classified()) {
                let cert = &k.certificate;
                retry |= cert.precision_limited;
                let ev = amg_mpfr::evidence(&c.problem, p);
                let finding =
                    classification(ev, k.by_rule(reading), cert.class, &cert.detail, basis);
                retry |= matches!(finding, Finding::Fails(..));
                findings.push((amg_mpfr::label(p), finding));
            }
            let mut outcome = aggregate(findings);
            // only points a higher precision may decide make the runner retry; a non-strict
            // saddle is undecided in floating point at any precision
            outcome.undecided_points &= retry;
            outcome
        }
    }
}

/// What a zero eigenvalue of Σ does to the criterion, when Σ has one and it matters. claims.md's
/// premise (distinct eigenvalues λ_1 > … > λ_{d_L}) allows one λ_j = 0; then u_jᵀΦ = 0, so
/// S = {j : u_jᵀP ≠ 0} never holds j and s = |S| = rk P ≤ k = rank Σ. When k < min(r, d_L), (i)'s
/// S* = {1, …, min(r, d_L)} is out of reach and the restated criterion calls no global minimizer
/// one: a refutation there is a counterexample to the restatement under claims.md's premise, and
/// the case lies outside a statement that also assumes Σ nonsingular (rank Σ_YX = d_L, the
/// hypothesis secondary sources give the paper). Both readings are said beside the verdict.
fn singular_sigma(eigenvalues: &[BigRational], dims: &[usize]) -> Option<String> {
    let k = eigenvalues.iter().filter(|l| !l.is_zero()).count();
    let top = optimum_set(dims).len();
    (k < top).then(|| {
        format!(
            "Σ is singular (rank {k} < min(r, d_L) = {top}): S = {{j : u_jᵀP ≠ 0}} never reaches \
             S* = {}, so (i) as restated names no global minimizer here — a counterexample to the \
             restatement under claims.md's premise (distinct eigenvalues), while a statement \
             that also assumes Σ nonsingular (rank Σ_YX = d_L) does not cover this case",
            set_label(&optimum_set(dims))
        )
    })
}

/// The finding of a classification check: the classes and the certificate's detail in the
/// evidence; holds when the certificate's class is the criterion's, fails when it is another,
/// undecided without a certificate.
fn classification(
    mut ev: Evidence,
    by_rule: Class,
    by_cert: Option<Class>,
    detail: &str,
    basis: Basis,
) -> Finding {
    ev.values.set_classes(
        by_rule.as_str(),
        by_cert.map_or(crate::claims::evidence::UNDETERMINED, Class::as_str),
        detail,
    );
    match by_cert {
        None => Finding::Undecided(format!("no certificate: {detail}"), ev),
        Some(c) if c == by_rule => Finding::Holds(basis, ev),
        Some(c) => Finding::Fails(
            basis,
            ev,
            format!(
                "the criterion says {} but the {} certificate says {} ({detail})",
                by_rule.as_str(),
                basis.as_str(),
                c.as_str()
            ),
        ),
    }
}

claim! {
    AmgClassify {
        id: "AMG-classify",
        source: "[AMG] as restated (hypothesis)",
        statement: "Critical points: S = {1..min(r,d_L)} ⇔ global minimizer; S ≠ {1..s} ⇒ strict saddle; S = {1..s}, s < r: non-strict iff tightened (rk W_{h1:1} = rk W_{h2:h1+1} = rk W_{L:h2+1} = s for some 1 ≤ h1 < h2 ≤ L−1).",
        // on an irrational spectrum the MPFR path leaves points undecided when the bounds at
        // this precision are too wide (eigenvalues or critical values not separated): twice the
        // precision may decide them
        escalates: true,
        scope: Scope {
            points: Points::Critical,
            ..Scope::ANY
        },
    }
}

impl AmgClassify {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        classify_check(self.info().id, ctx, Reading::Tightened)
    }
}

claim! {
    AmgClassifyPath {
        id: "AMG-classify-path",
        source: "derived (second reading)",
        statement: "As AMG-classify, but for S = {1..s}, s < r: strict iff for some 1 ≤ h1 < h2 ≤ L, W_{L:h2+1}ᵀ(PX−Y)XᵀW_{h1−1:1}ᵀ ≠ 0 and rk W_{h2−1:h1+1} > s.",
        // on an irrational spectrum the MPFR path leaves points undecided when the bounds at
        // this precision are too wide (eigenvalues or critical values not separated): twice the
        // precision may decide them
        escalates: true,
        scope: Scope {
            points: Points::Critical,
            ..Scope::ANY
        },
    }
}

impl AmgClassifyPath {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        classify_check(self.info().id, ctx, Reading::Path)
    }
}

claim! {
    AmgValues {
        id: "AMG-values",
        source: "[AMG]",
        statement: "The critical values are ½(tr Σ_YY − Σ_{j∈S} λ_j) for S ⊆ {1..d_L}, |S| ≤ r, each attained by some critical point.",
        // on an irrational spectrum the MPFR path leaves points undecided when the bounds at
        // this precision are too wide (eigenvalues or critical values not separated): twice the
        // precision may decide them
        escalates: true,
        scope: Scope {
            points: Points::Critical,
            ..Scope::ANY
        },
    }
}

impl AmgValues {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let amg = ctx.problem::<AmgProblem>();
        let amg = match &*amg {
            Ok(amg) => amg,
            Err(na) => return na.outcome(ctx.case),
        };
        let sp = match amg.get() {
            Ok(Landscape::Exact(c)) => &c.problem.spectrum,
            Ok(Landscape::Mpfr(c)) => return amg_mpfr::values(c),
            Err(o) => return o,
        };
        let c = ctx.case;
        let r = *c.dims.iter().min().expect("dims");
        let findings = index_sets(c.dims[c.dims.len() - 1], r)
            .into_iter()
            .map(|set| {
                let want = sp.critical_value(&set);
                let pts = critical_points(&c.dims, sp, &set, &c.x, &c.y);
                let mut ev = Evidence::default();
                ev.values.insert("index_set".into(), json!(set_label(&set)));
                ev.values.critical_value = Some(Number::exact(&want));
                ev.values.insert("critical_points".into(), json!(pts.len()));
                let label = format!("S = {}", set_label(&set));
                let Some(first) = pts.first() else {
                    return (
                        label,
                        Finding::Undecided(
                            "no critical point was constructed for this S".into(),
                            ev,
                        ),
                    );
                };
                let mut book = Book::default();
                book.assert(json!({"type": "critical"}));
                book.assert(json!({"type": "loss", "value": q_to_string(&want)}));
                ev.certificate = book.certificate(self.info().id, &first.point);
                let bad = pts.iter().find(|p| {
                    linear::loss(
                        &Exact,
                        &linear::evaluate(&Exact, &p.point.weights, &c.x, &c.y),
                    ) != want
                });
                let finding = match bad {
                    None => Finding::Holds(Basis::Exact, ev),
                    Some(p) => Finding::Fails(
                        Basis::Exact,
                        ev,
                        format!(
                            "{} is critical with a value other than {}",
                            p.point.origin,
                            q_to_string(&want)
                        ),
                    ),
                };
                (label, finding)
            })
            .collect();
        exact_outcome(aggregate(findings))
    }
}

claim! {
    AmgProduct {
        id: "AMG-product",
        source: "[AMG]",
        statement: "At every critical point, P = U_S U_Sᵀ Φ for some S.",
        // on an irrational spectrum the MPFR path leaves points undecided when the bounds at
        // this precision are too wide (eigenvalues or critical values not separated): twice the
        // precision may decide them
        escalates: true,
        scope: Scope {
            points: Points::Critical,
            ..Scope::ANY
        },
    }
}

impl AmgProduct {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let amg = ctx.problem::<AmgProblem>();
        let amg = match &*amg {
            Ok(amg) => amg,
            Err(na) => return na.outcome(ctx.case),
        };
        let (sp, critical) = match amg.get() {
            Ok(Landscape::Exact(c)) => (&c.problem.spectrum, &c.points),
            Ok(Landscape::Mpfr(c)) => return amg_mpfr::product(ctx, c),
            Err(o) => return o,
        };
        let c = ctx.case;
        let mut pts: Vec<Point> = critical.iter().map(|cp| cp.point.clone()).collect();
        // the case's point counts whenever it is critical, whatever its product
        if let Some(ws) = &c.point {
            let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
            let critical = linear::gradient(&Exact, &ev)
                .iter()
                .all(|g| mat::is_zero_mat(&Exact, g));
            if critical && sp.index_set_of(ev.partials.product()).is_none() {
                pts.push(Point {
                    weights: ws.clone(),
                    x: c.x.clone(),
                    y: c.y.clone(),
                    exact: true,
                    origin: "the case's point".into(),
                });
            }
        }
        let findings = pts
            .iter()
            .map(|p| {
                let ev = linear::evaluate(&Exact, &p.weights, &p.x, &p.y);
                // the certificate: the point is critical (the verifier recomputes P's form)
                let mut book = Book::default();
                book.assert(json!({"type": "critical"}));
                let mut e = Evidence {
                    values: Default::default(),
                    certificate: book.certificate(self.info().id, p),
                };
                let finding = match sp.index_set_of(ev.partials.product()) {
                    Some(s) => {
                        e.values.insert("index_set".into(), json!(set_label(&s)));
                        Finding::Holds(Basis::Exact, e)
                    }
                    None => Finding::Fails(
                        Basis::Exact,
                        e,
                        "a critical point whose product is not U_S U_Sᵀ Φ for any S".into(),
                    ),
                };
                (p.origin.clone(), finding)
            })
            .collect();
        exact_outcome(aggregate(findings))
    }
}

/// The point with 1e-6 added to every entry and each entry rounded to the nearest f64: a stand-in
/// for a minimizer reached by gradient descent.
fn perturbed(ws: &[Mat<BigRational>]) -> Vec<Mat<BigRational>> {
    ws.iter()
        .map(|w| {
            w.map(|x| {
                f64_to_q(crate::linalg::field::q_to_f64(x) + 1e-6)
                    .expect("a small rational plus 1e-6 is finite")
            })
        })
        .collect()
}

claim! {
    AmgMinimizers {
        id: "AMG-minimizers",
        source: "[AMG]",
        statement: "W is a global minimizer iff P = U_{S*}U_{S*}ᵀΦ with S* = {1..min(r, d_L)}; minimizers are parameterized by changes of basis between layers.",
        escalates: false,
        scope: Scope {
            points: Points::Critical,
            ..Scope::ANY
        },
    }
}

impl AmgMinimizers {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let amg = ctx.problem::<AmgProblem>();
        let amg = match &*amg {
            Ok(amg) => amg,
            Err(na) => return na.outcome(ctx.case),
        };
        let critical = match exact_problem(
            amg,
            "the minimizers are generated exactly from a rational U_{S*}U_{S*}ᵀΦ",
        ) {
            Ok(critical) => critical,
            Err(o) => return o,
        };
        let c = ctx.case;
        let f_star = critical.problem.f_star.clone();
        let target = critical.problem.spectrum.product_for(&optimum_set(&c.dims));
        let mut findings = Vec::new();
        // (⇐) minimizers generated from the parameterization: f = f* exactly
        match minimizers::base_minimizer(&c.dims, &target) {
            Err(m) => return ctx.not_applicable("model.dims", m),
            Ok(base) => {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(ctx.seed);
                let count = c.generate.minimizers.unwrap_or(4);
                for i in 0..=count {
                    let ws = match i {
                        0 => base.clone(),
                        _ if i % 3 == 0 => {
                            let moved = minimizers::random_transform(&mut rng, &base, false);
                            minimizers::add_free_blocks(&mut rng, &moved)
                        }
                        _ => minimizers::random_transform(&mut rng, &base, i % 2 == 0),
                    };
                    let ev = linear::evaluate(&Exact, &ws, &c.x, &c.y);
                    let f = linear::loss(&Exact, &ev);
                    let point = Point {
                        weights: ws,
                        x: c.x.clone(),
                        y: c.y.clone(),
                        exact: true,
                        origin: format!("parameterized minimizer #{i} (seed {})", ctx.seed),
                    };
                    let mut book = Book::default();
                    book.assert(json!({"type": "critical"}));
                    book.assert(json!({"type": "loss", "value": q_to_string(&f_star)}));
                    let mut e = Evidence {
                        values: Default::default(),
                        certificate: book.certificate(self.info().id, &point),
                    };
                    e.values.loss = Some(Number::exact(&f));
                    e.values.f_star = Some(Number::exact(&f_star));
                    // the inverse map for any widths, and the exact projection of this
                    // minimizer perturbed by 1e-6 and rounded to f64 (as gradient descent would
                    // leave it) back onto the minimizers
                    let round_trip = coordinates::to_coordinates(&point.weights, &target)
                        .and_then(|co| coordinates::from_coordinates(&co, &target))
                        .map(|back| back == point.weights);
                    let projected = coordinates::project(&perturbed(&point.weights), &target)
                        .map(|p| linear::loss(&Exact, &linear::evaluate(&Exact, &p, &c.x, &c.y)));
                    e.values.insert(
                        "inverse_map_round_trip".into(),
                        json!(round_trip.as_ref().ok()),
                    );
                    e.values.insert(
                        "projected_perturbation_loss".into(),
                        json!(projected.as_ref().ok().map(q_to_string)),
                    );
                    let finding = if round_trip != Ok(true) {
                        Finding::Fails(
                            Basis::Exact,
                            e,
                            format!(
                                "the inverse map does not return the minimizer: {}",
                                round_trip
                                    .err()
                                    .map_or("a different point".into(), |x| x.to_string())
                            ),
                        )
                    } else if projected.as_ref() != Ok(&f_star) {
                        Finding::Fails(
                            Basis::Exact,
                            e,
                            "the projection of a perturbed minimizer is not a minimizer".into(),
                        )
                    } else if f == f_star && ev.partials.product() == &target {
                        Finding::Holds(Basis::Exact, e)
                    } else {
                        Finding::Fails(
                            Basis::Exact,
                            e,
                            format!("a parameterized point has f = {} ≠ f*", q_to_string(&f)),
                        )
                    };
                    findings.push((point.origin.clone(), finding));
                }
            }
        }
        // (⇒) a constructed critical point reaches f* exactly when its product is U_{S*}U_{S*}ᵀΦ
        for cp in &critical.points {
            let ev = linear::evaluate(&Exact, &cp.point.weights, &c.x, &c.y);
            let f = linear::loss(&Exact, &ev);
            let at_target = ev.partials.product() == &target;
            // the certificate: a critical point (the verifier recomputes whether it reaches f*)
            let mut book = Book::default();
            book.assert(json!({"type": "critical"}));
            if f == f_star {
                book.assert(json!({"type": "loss", "value": q_to_string(&f)}));
            }
            let mut e = Evidence {
                values: Default::default(),
                certificate: book.certificate(self.info().id, &cp.point),
            };
            e.values
                .insert("index_set".into(), json!(set_label(&cp.set)));
            e.values.loss = Some(Number::exact(&f));
            let finding = if (f == f_star) == at_target {
                Finding::Holds(Basis::Exact, e)
            } else {
                Finding::Fails(
                    Basis::Exact,
                    e,
                    "f = f* does not coincide with P = U_{S*}U_{S*}ᵀΦ".into(),
                )
            };
            findings.push((
                format!("{} [S = {}]", cp.point.origin, set_label(&cp.set)),
                finding,
            ));
        }
        aggregate(findings)
    }
}
