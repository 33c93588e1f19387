//! The \[AMG\] problem of a linear case, built once: Σ's spectrum (exact when every eigenvalue is
//! rational, else certified in MPFR), the constructed critical points, and their classification
//! ([`super::classify`]), computed on first use and shared by every claim and reading that needs it
//! and by `dlncheck enumerate`.

use super::classify::{classify, evaluate, optimum, Classified, Classifier, Judge};
use super::critical::{
    critical_points, critical_points_mpfr, index_sets, CriticalPoint, MpfrCriticalPoint,
};
use super::judge::{ExactAmg, MpfrAmg};
use super::minimizers::{self, Point};
use super::spectrum::{spectrum, SpectrumError};
use super::spectrum_mpfr::{mpfr_spectrum, MpfrSpectrumError};
use super::{borrowed, lanes};
use crate::case::{Case, ModelKind};
use crate::certify::lambda_max::Settings;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Mpfr};
use crate::model::linear;
use num_rational::BigRational;
use rand::SeedableRng;
use rug::Float;
use std::sync::OnceLock;

/// A classifier with its constructed critical points and, once asked for, their classification.
pub struct Critical<C: Classifier> {
    /// The problem in its arithmetic.
    pub problem: C,
    /// The constructed critical points (and the case's point when it is exactly critical).
    pub points: Vec<C::Point>,
    /// Why the case's point is not among `points` when it is not critical
    /// ([`case_point_not_critical`]).
    pub left_out: Option<String>,
    dims: Vec<usize>,
    classified: OnceLock<Vec<Classified>>,
}

/// One row of `dlncheck enumerate`: a point, its value and rank profile, and its classification.
pub struct Row<'a> {
    /// How the point was built.
    pub origin: &'a str,
    /// f at the point (exact or MPFR decimal).
    pub value: String,
    /// Ranks of W_1 … W_L.
    pub layer_ranks: Vec<usize>,
    /// Ranks of W_k⋯W_1.
    pub prefix_ranks: Vec<usize>,
    /// The point classified by the criterion (both readings) and by certificate.
    pub classified: &'a Classified,
}

impl<C: Classifier> Critical<C> {
    fn new(problem: C, points: Vec<C::Point>, c: &Case) -> Self {
        Critical {
            problem,
            points,
            left_out: case_point_not_critical(c),
            dims: c.dims.clone(),
            classified: OnceLock::new(),
        }
    }

    /// Every point classified ([`classify`]), in the order of [`Critical::points`]; computed once.
    pub fn classified(&self) -> &[Classified] {
        self.classified.get_or_init(|| {
            self.points
                .iter()
                .map(|p| classify(&self.problem, &self.dims, p))
                .collect()
        })
    }

    /// The rows of `dlncheck enumerate`, one per point, ranks in the judge's arithmetic.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let judge = self.problem.judge();
        self.points
            .iter()
            .zip(self.classified())
            .map(|(p, classified)| {
                let ev = evaluate(&self.problem, p);
                let ws = self.problem.weights(p);
                Row {
                    origin: self.problem.origin(p),
                    value: judge.show(&linear::loss(judge.field(), &ev)),
                    layer_ranks: ws.iter().map(|w| judge.rank(w)).collect(),
                    prefix_ranks: (1..=ws.len())
                        .map(|k| judge.rank(ev.partials.prod(0, k)))
                        .collect(),
                    classified,
                }
            })
            .collect()
    }
}

/// The \[AMG\] problem in the arithmetic its spectrum allows.
pub enum Landscape {
    /// Rational spectrum: exact critical points and certificates.
    Exact(Critical<ExactAmg>),
    /// Irrational spectrum: MPFR critical points checked against a stated bound.
    Mpfr(Critical<MpfrAmg>),
}

/// Why a case has no \[AMG\] problem.
#[derive(Clone, Debug)]
pub struct LandscapeError {
    /// The field of the case at fault, when the case itself is outside the statements' premises
    /// (the claims do not apply); None when the case is only out of scope of the construction.
    pub field: Option<&'static str>,
    /// What is wrong.
    pub message: String,
    /// Out of scope only because eigenvalues are not separated at this precision: a higher one
    /// may separate them.
    pub separable: bool,
}

/// The \[AMG\] problem of a linear case at `settings.prec` bits, with the points of
/// [`all_critical_points`] (exact) or [`all_critical_points_mpfr`] (MPFR) for `seed`.
pub fn landscape(c: &Case, settings: &Settings, seed: u64) -> Result<Landscape, LandscapeError> {
    let fails = |field, message: String, separable| LandscapeError {
        field,
        message,
        separable,
    };
    if c.kind != ModelKind::Linear {
        return Err(fails(
            Some("model.kind"),
            "the [AMG] claims concern the linear network".into(),
            false,
        ));
    }
    match spectrum(&c.x, &c.y, settings.prec) {
        Ok(sp) => {
            let points = all_critical_points(c, &sp, seed);
            let (_, f_star) = optimum(&c.dims, &sp);
            let problem = ExactAmg {
                spectrum: sp,
                f_star,
                x: c.x.clone(),
                y: c.y.clone(),
                exact_limit: settings.exact_limit,
            };
            Ok(Landscape::Exact(Critical::new(problem, points, c)))
        }
        Err(SpectrumError::SingularX) => Err(fails(
            Some("data.x"),
            SpectrumError::SingularX.to_string(),
            false,
        )),
        Err(SpectrumError::Unrecognized(_)) => match mpfr_spectrum(&c.x, &c.y, settings.prec) {
            Ok(sp) => {
                let problem = MpfrAmg::new(sp, &c.x, &c.y, &c.dims, settings.mpfr_limit);
                let points = all_critical_points_mpfr(c, &problem, seed);
                Ok(Landscape::Mpfr(Critical::new(problem, points, c)))
            }
            Err(e) => {
                let separable = matches!(e, MpfrSpectrumError::NotSeparated(..));
                Err(fails(None, e.to_string(), separable))
            }
        },
        Err(other) => Err(fails(None, other.to_string(), false)),
    }
}

/// Why the case's point is left out of the critical points: `None` without a point or where
/// ∇f = 0 exactly; else that ∇f ≠ 0 there, naming the YAML floats among the weights and the data
/// that may be why ([`Case::float_hint`]: a float is read as its binary value, which can move an
/// exactly critical point off the critical set).
pub fn case_point_not_critical(c: &Case) -> Option<String> {
    let ws = c.point.as_ref()?;
    let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
    if linear::gradient(&Exact, &ev)
        .iter()
        .all(|g| mat::is_zero_mat(&Exact, g))
    {
        return None;
    }
    let floats = c
        .float_hint(&["point.weights", "data."])
        .map(|h| format!("; {h}"))
        .unwrap_or_default();
    Some(format!(
        "point.weights: the case's point is not critical (∇f ≠ 0 there, decided exactly), so the \
         [AMG] claims leave it out and check only the constructed critical points{floats}"
    ))
}

/// Every constructed critical point, and the case's point when it is critical.
/// With `generate.critical_points.per_set: K`, each constructed point is followed by K seeded
/// changes of basis W_i ↦ G_i W_i G_{i−1}⁻¹ (f is invariant, so criticality, value and rank profile
/// are kept while the coordinates are no longer aligned). With `generate.critical_points.lanes: N`,
/// N seeded lane points ([`super::lanes::lane_points`]: directions cut at different layers) follow,
/// each exactly critical, its origin naming its type.
pub fn all_critical_points(
    c: &Case,
    sp: &super::spectrum::Spectrum,
    seed: u64,
) -> Vec<CriticalPoint> {
    let r = *c.dims.iter().min().expect("dims");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for set in index_sets(c.dims[c.dims.len() - 1], r) {
        for cp in critical_points(&c.dims, sp, &set, &c.x, &c.y) {
            for k in 0..c.generate.critical_points_per_set.unwrap_or(0) {
                let weights = minimizers::random_transform(&mut rng, &cp.point.weights, false);
                let origin = format!("{}, change of basis #{k} (seed {seed})", cp.point.origin);
                let point = Point {
                    weights,
                    origin,
                    ..cp.point.clone()
                };
                out.push(CriticalPoint {
                    point,
                    set: cp.set.clone(),
                });
            }
            out.push(cp);
        }
    }
    if c.generate.critical_point_lanes > 0 {
        let (lanes, _) = super::lanes::lane_points(
            &c.dims,
            sp,
            &c.x,
            &c.y,
            c.generate.critical_point_lanes,
            seed,
            c.generate.critical_point_free_blocks,
        );
        out.extend(lanes);
    }
    if c.generate.critical_point_borrowed > 0 {
        out.extend(super::borrowed::borrowed_points(
            &c.dims,
            sp,
            &c.x,
            &c.y,
            c.generate.critical_point_borrowed,
            seed,
        ));
    }
    if let Some(ws) = c
        .point
        .as_ref()
        .filter(|_| case_point_not_critical(c).is_none())
    {
        let ev = linear::evaluate(&Exact, ws, &c.x, &c.y);
        if let Some(set) = sp.index_set_of(ev.partials.product()) {
            let point = Point {
                weights: ws.clone(),
                x: c.x.clone(),
                y: c.y.clone(),
                exact: true,
                origin: "the case's point".into(),
            };
            out.push(CriticalPoint { point, set });
        }
    }
    out
}

/// Every constructed MPFR point of every index set S with |S| ≤ r, each followed by
/// `generate.critical_points.per_set` seeded changes of basis W_i ↦ G_iW_iG_{i−1}⁻¹ (rational G);
/// then the lane and borrowed-slot points of `generate.critical_points` over the MPFR frames
/// ([`lanes::Frames::mpfr`]: the types, scalars and changes of basis of the exact draws of the
/// seed), each kept only when ‖∇f‖ ≤ τ ([`MpfrAmg::critical_to_bound`]).
pub fn all_critical_points_mpfr(c: &Case, problem: &MpfrAmg, seed: u64) -> Vec<MpfrCriticalPoint> {
    let r = *c.dims.iter().min().expect("dims");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for set in index_sets(c.dims[c.dims.len() - 1], r) {
        for cp in critical_points_mpfr(&c.dims, &problem.spectrum, &set) {
            for k in 0..c.generate.critical_points_per_set.unwrap_or(0) {
                let gs: Vec<_> = cp.weights[..cp.weights.len() - 1]
                    .iter()
                    .map(|w| minimizers::random_invertible(&mut rng, w.rows()))
                    .collect();
                out.push(MpfrCriticalPoint {
                    weights: change_basis(&problem.judge.mp, &cp.weights, &gs),
                    set: cp.set.clone(),
                    origin: format!("{}, change of basis #{k} (seed {seed})", cp.origin),
                });
            }
            out.push(cp);
        }
    }
    let gen = &c.generate;
    if gen.critical_point_lanes + gen.critical_point_borrowed == 0 {
        return out;
    }
    let Some(frames) = lanes::Frames::mpfr(&problem.spectrum, &c.x) else {
        return out;
    };
    let (mp, keep) = (&problem.judge.mp, |ws: &[Mat<Float>]| {
        problem.critical_to_bound(ws)
    });
    if gen.critical_point_lanes > 0 {
        let count = gen.critical_point_lanes;
        let free = gen.critical_point_free_blocks;
        out.extend(lanes::lane_draws(mp, &c.dims, &frames, count, seed, free, keep).0);
    }
    if gen.critical_point_borrowed > 0 {
        let count = gen.critical_point_borrowed;
        out.extend(borrowed::borrowed_draws(
            mp, &c.dims, &frames, count, seed, keep,
        ));
    }
    out
}

/// W_i ↦ G_i W_i G_{i−1}⁻¹ with rational (G_i, G_i⁻¹) embedded in MPFR.
fn change_basis(
    mp: &Mpfr,
    ws: &[Mat<Float>],
    gs: &[(Mat<BigRational>, Mat<BigRational>)],
) -> Vec<Mat<Float>> {
    let l = ws.len();
    (0..l)
        .map(|i| {
            let mut w = ws[i].clone();
            if i + 1 < l {
                w = mat::matmul(mp, &mat::from_exact(mp, &gs[i].0), &w);
            }
            if i > 0 {
                w = mat::matmul(mp, &w, &mat::from_exact(mp, &gs[i - 1].1));
            }
            w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{load_str, LoadOptions};
    use crate::enumerate::classify::{set_label, Class, Reading};
    use crate::enumerate::judge::{canonical_set, class_by_certificate, class_by_criterion};

    /// The case of the YAML text `yaml`, every claim id known.
    fn load(yaml: &str) -> Case {
        let opts = LoadOptions {
            known_claims: crate::claims::known_ids(),
            ..LoadOptions::default()
        };
        load_str(yaml, std::path::Path::new("t.yaml"), &opts).unwrap()
    }

    /// On rational spectra both paths run: the MPFR path must reproduce the exact classes row by
    /// row (criterion with numerical ranks = criterion with exact ranks; a decided MPFR
    /// certificate = the exact certificate), and leave only non-strict saddles undecided.
    #[test]
    fn mpfr_path_agrees_with_the_exact_path_on_rational_spectra() {
        for (dims, y) in [
            ("[2, 2, 2, 2]", "[[3, 0], [0, 1]]"),
            ("[2, 3, 2, 2, 2]", "[[2, 1], [1, 2]]"),
            ("[2, 2, 2]", "[[5, 4], [4, 5]]"),
        ] {
            let case = load(&format!(
                "version: 1\nmodel: {{kind: linear, dims: {dims}}}\ndata: {{x: identity, y: {y}}}\nchecks: [{{claim: AMG-classify}}]\n"
            ));
            let exact = spectrum(&case.x, &case.y, 256).unwrap();
            let (_, f_star) = optimum(&case.dims, &exact);
            let sp = mpfr_spectrum(&case.x, &case.y, 256).unwrap();
            let problem = MpfrAmg::new(
                sp,
                &case.x,
                &case.y,
                &case.dims,
                Settings::default().mpfr_limit,
            );
            let points = all_critical_points_mpfr(&case, &problem, 0);
            let critical = Critical::new(problem, points, &case);
            let rows = critical.rows();
            let cps = all_critical_points(&case, &exact, 0);
            assert_eq!(rows.len(), cps.len(), "{dims}");
            let mut undecided = 0;
            for (row, cp) in rows.iter().zip(&cps) {
                let set = canonical_set(&exact, cp);
                assert_eq!(set_label(&row.classified.set), set_label(&set));
                assert_eq!(
                    row.classified.criterion,
                    (
                        class_by_criterion(&case.dims, &cp.point, &set, Reading::Tightened),
                        class_by_criterion(&case.dims, &cp.point, &set, Reading::Path)
                    ),
                    "{dims}: {}",
                    row.origin
                );
                let (by_exact, _, _) = class_by_certificate(&exact, cp, &f_star, 160);
                match row.classified.certificate.class {
                    Some(c) => assert_eq!(Some(c), by_exact, "{dims}: {}", row.origin),
                    None => {
                        assert_eq!(by_exact, Some(Class::NonStrictSaddle));
                        undecided += 1;
                    }
                }
            }
            // depth ≥ 3 cases have tightened non-strict saddles (the zero point at least)
            assert_eq!(undecided > 0, case.dims.len() > 3, "{dims}");
        }
    }

    /// W = (0.1, 10) with X = Y = 1 is a global minimizer when "0.1" is read exactly, but not
    /// critical when the YAML float 0.1 is read as its binary value: then it is left out of the
    /// points, and why names the float and how to write it; read exactly it is among the points
    /// and nothing is left out.
    #[test]
    fn a_float_that_makes_the_case_point_non_critical_is_named() {
        let landscape_of = |w1: &str| {
            let case = load(&format!(
                "version: 1\nmodel: {{kind: linear, dims: [1, 1, 1]}}\ndata: {{x: [[1]], y: [[1]]}}\npoint: {{weights: [[[{w1}]], [[10]]]}}\nchecks: [{{claim: AMG-classify}}]\n"
            ));
            match landscape(&case, &Settings::default(), 0) {
                Ok(Landscape::Exact(c)) => {
                    let origins: Vec<String> =
                        c.points.iter().map(|p| p.point.origin.clone()).collect();
                    (origins, c.left_out)
                }
                _ => panic!("a rational spectrum"),
            }
        };
        let (origins, left_out) = landscape_of("0.1");
        assert!(
            !origins.iter().any(|o| o == "the case's point"),
            "{origins:?}"
        );
        let why = left_out.expect("the case's point is left out");
        assert!(why.contains("the case's point is not critical"), "{why}");
        assert!(
            why.contains(
                "point.weights[0][0][0] = 0.1 was read as the binary value 0.1000000000000000055"
            ) && why.contains("write \"0.1\" or \"1/10\""),
            "{why}"
        );
        let (origins, left_out) = landscape_of("\"0.1\"");
        assert!(
            origins.iter().any(|o| o == "the case's point"),
            "{origins:?}"
        );
        assert_eq!(left_out, None);
    }
}
