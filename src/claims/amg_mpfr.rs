//! [AMG] claims when Σ's spectrum is not rational: the same statements as in [`super::amg`],
//! checked at MPFR critical points ([`crate::enumerate::critical_mpfr`]) against the stated bound τ
//! of [`tolerance`].
//!
//! What is proven and what is not: Σ's eigenvalue radii, the critical values' enclosures and the
//! enclosure of λ_min(∇²f) at an MPFR point are proven (interval arithmetic with directed
//! rounding). The MPFR points themselves are only critical to τ, a stated bound rather than a proof
//! of the distance to the exact critical point they stand for, so every verdict here rests on
//! `Basis::Mpfr` (numerical) and a failure is never a refutation.
//!
//! What MPFR can and cannot decide: a critical value, a product U_SU_SᵀΦ and a strict saddle
//! (proven λ_min(∇²f) below −τ) are decided; a global minimizer only when its value is separated
//! from every critical value other than f* by more than the bounds ([`certificate`]), else the
//! point is undecided at this precision and the runner retries at twice the precision up to
//! `--max-precision`; a non-strict saddle needs ∇²f ⪰ 0 with zero eigenvalues, which floating
//! point cannot prove at an irrational point, so such points are reported as undecided with that
//! reason.

use super::amg::{classification, criterion, optimum_set, set_label, Class, Reading};
use super::evidence::{aggregate, Evidence, Finding, Outcome};
use super::CaseContext;
use crate::certify::estimate::Basis;
use crate::certify::lambda_max::PROVEN_MPFR_LIMIT;
use crate::enumerate::critical::index_sets;
use crate::enumerate::critical_mpfr::{critical_points_mpfr, tolerance, MpfrCriticalPoint};
use crate::enumerate::minimizers;
use crate::enumerate::spectrum_mpfr::MpfrSpectrum;
use crate::linalg::field::mpfr_decimal;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_mpfr, Exact, Interval, Ival, Mpfr};
use crate::model::linear;
use num_rational::BigRational;
use rand::SeedableRng;
use rug::float::Round;
use rug::Float;
use serde_json::json;

/// A case with an MPFR spectrum: the data embedded at the working precision and the bound τ.
struct Setting<'a> {
    ctx: &'a CaseContext<'a>,
    sp: &'a MpfrSpectrum,
    mp: Mpfr,
    x: Mat<Float>,
    y: Mat<Float>,
    tau: Float,
}

impl<'a> Setting<'a> {
    fn new(ctx: &'a CaseContext<'a>, sp: &'a MpfrSpectrum) -> Self {
        let c = ctx.case;
        let mp = Mpfr { prec: sp.prec };
        Setting {
            ctx,
            sp,
            x: mat::from_exact(&mp, &c.x),
            y: mat::from_exact(&mp, &c.y),
            tau: tolerance(sp.prec, &sp.phi, &c.x, &c.y, c.dims.len() - 1),
            mp,
        }
    }

    fn float(&self, v: impl Into<f64>) -> Float {
        Float::with_val(self.sp.prec, v.into())
    }

    /// ‖∇f(W)‖_F and f(W) in MPFR.
    fn gradient_norm_and_loss(&self, ws: &[Mat<Float>]) -> (Float, Float) {
        let ev = linear::evaluate(&self.mp, ws, &self.x, &self.y);
        let g2 = linear::gradient(&self.mp, &ev)
            .iter()
            .fold(self.float(0), |acc, g| acc + mat::frob2(&self.mp, g));
        (g2.sqrt(), linear::loss(&self.mp, &ev))
    }

    /// Every constructed point of every index set S with |S| ≤ r, each followed by
    /// `generate.critical_points.per_set` seeded changes of basis W_i ↦ G_iW_iG_{i−1}⁻¹ (rational G).
    fn points(&self) -> Vec<MpfrCriticalPoint> {
        let c = self.ctx.case;
        let r = *c.dims.iter().min().expect("dims");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.ctx.seed);
        let mut out = Vec::new();
        for set in index_sets(c.dims[c.dims.len() - 1], r) {
            for cp in critical_points_mpfr(&c.dims, self.sp, &set) {
                for k in 0..c.generate.critical_points_per_set.unwrap_or(0) {
                    let gs: Vec<_> = cp.weights[..cp.weights.len() - 1]
                        .iter()
                        .map(|w| minimizers::random_invertible(&mut rng, w.rows()))
                        .collect();
                    let weights = change_basis(&self.mp, &cp.weights, &gs);
                    out.push(MpfrCriticalPoint {
                        weights,
                        set: cp.set.clone(),
                        origin: format!(
                            "{}, change of basis #{k} (seed {})",
                            cp.origin, self.ctx.seed
                        ),
                    });
                }
                out.push(cp);
            }
        }
        out
    }

    fn label(&self, p: &MpfrCriticalPoint) -> String {
        format!("{} [S = {}] (MPFR)", p.origin, set_label(&p.set))
    }

    fn evidence(&self, p: &MpfrCriticalPoint) -> Evidence {
        let mut ev = Evidence::default();
        ev.values
            .insert("index_set".into(), json!(set_label(&p.set)));
        ev.values
            .insert("tolerance".into(), json!(self.tau.to_f64()));
        ev
    }
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

/// Numerical rank of an MPFR matrix: the eigenvalues of its smaller Gram matrix above
/// 2^(−prec/2)·(1 + ‖M‖²_F). At the constructed points the true zero singular values are
/// rounding-sized (about 2^(−prec)) and the others are products of eigenvector entries and data,
/// far above the threshold unless the data themselves are that small.
fn numerical_rank(mp: &Mpfr, m: &Mat<Float>) -> usize {
    if m.rows() == 0 || m.cols() == 0 {
        return 0;
    }
    let g = if m.rows() <= m.cols() {
        mat::matmul_nt(mp, m, m)
    } else {
        mat::matmul_tn(mp, m, m)
    };
    let thr = Float::with_val(mp.prec, mat::frob2(mp, m) + 1u32) >> (mp.prec as i32 / 2);
    g.rows() - eigen_mpfr::tridiagonalize(&g, mp.prec).count_below(&thr)
}

/// AMG-values in MPFR: every constructed point is critical to τ and has the value
/// ½(tr Σ_YY − Σ_{j∈S} λ_j) to τ plus the certified radius of that value.
pub(crate) fn values(ctx: &CaseContext, sp: &MpfrSpectrum) -> Outcome {
    let st = Setting::new(ctx, sp);
    let findings = st
        .points()
        .iter()
        .map(|p| {
            let (want, radius) = sp.critical_value(&p.set);
            let (g, f) = st.gradient_norm_and_loss(&p.weights);
            let mut ev = st.evidence(p);
            ev.values
                .insert("critical_value".into(), json!(mpfr_decimal(&want)));
            ev.values
                .insert("critical_value_radius".into(), json!(radius.to_f64()));
            ev.values.insert("gradient_norm".into(), json!(g.to_f64()));
            let err = Float::with_val(sp.prec, &f - &want).abs();
            let finding = if g > st.tau {
                Finding::Fails(
                    Basis::Mpfr,
                    ev,
                    format!("a constructed point has ‖∇f‖ = {:e} > τ", g.to_f64()),
                )
            } else if err > Float::with_val(sp.prec, &radius + &st.tau) {
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
            (st.label(p), finding)
        })
        .collect();
    aggregate(findings)
}

/// AMG-product in MPFR: the product of every constructed point, and of the case's point when it
/// is exactly critical, is U_SU_SᵀΦ for some S to τ.
pub(crate) fn product(ctx: &CaseContext, sp: &MpfrSpectrum) -> Outcome {
    let st = Setting::new(ctx, sp);
    let c = ctx.case;
    let phi = mat::from_exact(&st.mp, &sp.phi);
    let r = *c.dims.iter().min().expect("dims");
    let sets = index_sets(c.dims[c.dims.len() - 1], r);
    // distance of a product to U_SU_SᵀΦ for the nearest S
    let nearest = |p: &Mat<Float>| -> (Vec<usize>, Float) {
        sets.iter()
            .map(|s| {
                let u = sp.basis(s);
                let want = mat::matmul(&st.mp, &mat::matmul_nt(&st.mp, &u, &u), &phi);
                let d = mat::frob2(&st.mp, &mat::sub(&st.mp, p, &want)).sqrt();
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
        ev.values.insert("tolerance".into(), json!(st.tau.to_f64()));
        let finding = if d <= st.tau {
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
    let mut findings: Vec<_> = st
        .points()
        .iter()
        .map(|p| {
            let ev = linear::Partials::new(&st.mp, &p.weights);
            judge(st.label(p), ev.product().clone())
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
                mat::from_exact(&st.mp, ev.partials.product()),
            ));
        }
    }
    aggregate(findings)
}

/// AMG-classify (either reading) in MPFR: the criterion with numerical ranks against the MPFR
/// certificate of [`certificate`].
pub(crate) fn classify(ctx: &CaseContext, sp: &MpfrSpectrum, reading: Reading) -> Outcome {
    let st = Setting::new(ctx, sp);
    let mut retry = false;
    let mut findings = Vec::new();
    for p in st.points() {
        let (by_rule, cert) = (rule(&st, &p, reading), certificate(&st, &p));
        retry |= cert.precision_limited;
        let finding = classification(
            st.evidence(&p),
            by_rule,
            cert.class,
            &cert.detail,
            Basis::Mpfr,
        );
        retry |= matches!(finding, Finding::Fails(..));
        findings.push((st.label(&p), finding));
    }
    let mut outcome = aggregate(findings);
    // only points a higher precision may decide make the runner retry; a non-strict saddle is
    // undecided in floating point at any precision
    outcome.undecided_points &= retry;
    outcome
}

/// The rank criterion at an MPFR point: numerical ranks, and path terms nonzero beyond τ.
fn rule(st: &Setting, p: &MpfrCriticalPoint, reading: Reading) -> Class {
    let dims = &st.ctx.case.dims;
    let ev = linear::evaluate(&st.mp, &p.weights, &st.x, &st.y);
    let pt = &ev.partials;
    let rxt = mat::matmul_nt(&st.mp, &ev.residual, &st.x);
    let l = dims.len() - 1;
    criterion(
        dims,
        &p.set,
        reading,
        |from, to| numerical_rank(&st.mp, pt.prod(from, to)),
        |h1, h2| {
            let term = mat::matmul_nt(
                &st.mp,
                &mat::matmul_tn(&st.mp, pt.prod(h2, l), &rxt),
                pt.prod(0, h1 - 1),
            );
            mat::frob2(&st.mp, &term).sqrt() > st.tau
        },
    )
}

/// The certificate's answer at an MPFR point: the class (None when undecided), what it rests on,
/// and whether a higher precision may decide what this one left open.
struct Certificate {
    class: Option<Class>,
    detail: String,
    precision_limited: bool,
}

impl Certificate {
    fn decided(class: Class, detail: String) -> Self {
        Certificate {
            class: Some(class),
            detail,
            precision_limited: false,
        }
    }
    fn undecided(detail: String, precision_limited: bool) -> Self {
        Certificate {
            class: None,
            detail,
            precision_limited,
        }
    }
}

/// The class an MPFR point shows from its loss and Hessian (module doc):
///
/// - not critical: ‖∇f‖ > τ;
/// - global minimizer: f ± τ meets the proven enclosure of f* = ½(tr Σ_YY − Σ_{j∈S*} λ_j) and no
///   other critical value's enclosure ([`MpfrSpectrum::critical_value_enclosure`]). A critical
///   value ½(tr Σ_YY − Σ_{j∈T} λ_j), |T| ≤ r, equals f* exactly iff T and S* agree outside the
///   indices of zero eigenvalues: the λ_j are proven distinct and ≥ 0 (Σ ⪰ 0), so a T that misses
///   an index i ∈ S* with λ_i > 0 has Σ_T λ < Σ_{S*} λ (exchange each j ∈ T∖S* for a larger
///   missing λ_i). Only those other values have to be separated from f;
/// - a strict saddle: ∇²f at the point (formed in interval arithmetic, so it encloses the exact
///   Hessian there) has an eigenvalue below some x ≤ −τ, proven by the inertia count of
///   [`eigen_mpfr::proven_count_below`] at x = λ̃/k, k = 2, 3, 4, for the approximation λ̃ of
///   λ_min; when λ̃ ≥ −2τ no negative curvature beyond the bound is visible;
/// - otherwise undecided: when f is within the bounds of f* and of another critical value, a
///   higher precision narrows τ and the enclosures and may separate them (the runner retries);
///   ∇²f ⪰ 0 with zero eigenvalues (a non-strict saddle) cannot be proven in floating point.
fn certificate(st: &Setting, p: &MpfrCriticalPoint) -> Certificate {
    let prec = st.sp.prec;
    let (g, f) = st.gradient_norm_and_loss(&p.weights);
    if g > st.tau {
        return Certificate::decided(
            Class::NotCritical,
            format!("‖∇f‖ = {:e} > τ = {:e}", g.to_f64(), st.tau.to_f64()),
        );
    }
    let dims = &st.ctx.case.dims;
    let canonical =
        |t: &[usize]| -> Vec<usize> { t.iter().copied().filter(|&j| !st.sp.is_zero(j)).collect() };
    let optimum = canonical(&optimum_set(dims));
    let iv = Ival { prec };
    let band = Interval::new(
        Float::with_val_round(prec, &f - &st.tau, Round::Down).0,
        Float::with_val_round(prec, &f + &st.tau, Round::Up).0,
    );
    let r = *dims.iter().min().expect("dims");
    let mut near_optimum = false;
    let mut near_others: Vec<String> = Vec::new();
    for t in index_sets(dims[dims.len() - 1], r) {
        if !band.overlaps(&st.sp.critical_value_enclosure(&t)) {
            continue;
        }
        let c = canonical(&t);
        if c == optimum {
            near_optimum = true;
        } else if !near_others.contains(&set_label(&c)) {
            near_others.push(set_label(&c));
        }
    }
    if near_optimum && near_others.is_empty() {
        return Certificate::decided(
            Class::GlobalMinimizer,
            format!(
                "f = {} ± τ = {:e} meets the enclosure of f* and no other critical value's",
                mpfr_decimal(&f),
                st.tau.to_f64()
            ),
        );
    }
    if near_optimum {
        return Certificate::undecided(
            format!(
                "f = {} ± τ = {:e} meets the enclosures of f* and of the critical value(s) of S = \
                 {}: the values are not separated at {prec} bits",
                mpfr_decimal(&f),
                st.tau.to_f64(),
                near_others.join(", ")
            ),
            true,
        );
    }
    let params = linear::offsets(&p.weights).last().copied().unwrap_or(0);
    let limit = st.ctx.settings.mpfr_limit.min(PROVEN_MPFR_LIMIT);
    if params > limit {
        return Certificate::undecided(
            format!("P = {params} exceeds the limit {limit} of the interval Hessian"),
            false,
        );
    }
    let ws: Vec<Mat<Interval>> = p.weights.iter().map(eigen_mpfr::point_matrix).collect();
    let ev = linear::evaluate(
        &iv,
        &ws,
        &mat::from_exact(&iv, &st.ctx.case.x),
        &mat::from_exact(&iv, &st.ctx.case.y),
    );
    let h = linear::hessian(&iv, &ws, &ev);
    // λ̃, an approximation of λ_min from the midpoint matrix; the decision rests on a proven count
    // below a shift x = λ̃/k ≤ −τ, which moves the (near-)zero eigenvalues of the saddle's flat
    // directions well away from x so that the interval LDLᵀ has no tiny pivots
    let minus_h = h.map(|x| -x.mid());
    let approx = -eigen_mpfr::top_eigenvalue(&minus_h, prec);
    let minus_tau = Float::with_val(prec, -&st.tau);
    let two_tau = Float::with_val(prec, &st.tau * 2u32);
    if approx >= -two_tau.clone() {
        return Certificate::undecided(
            format!(
                "λ_min(∇²f) ≈ {:.3e} ≥ −2τ = {:e}: no negative curvature beyond the bound, and \
                 positive semidefiniteness (a non-strict saddle) cannot be proven in floating \
                 point at an irrational point",
                approx.to_f64(),
                -two_tau.to_f64()
            ),
            false,
        );
    }
    for k in [2u32, 3, 4] {
        let x = Float::with_val(prec, &approx / k);
        if x >= minus_tau {
            continue;
        }
        if let Some(count @ 1..) = eigen_mpfr::proven_count_below(&h, &x, prec) {
            return Certificate::decided(
                Class::StrictSaddle,
                format!(
                    "λ_min(∇²f) = {:.6e} < −τ = {:e} (proven: {count} eigenvalue(s) of ∇²f below \
                     {:e}, by an interval LDLᵀ inertia count)",
                    approx.to_f64(),
                    -st.tau.to_f64(),
                    x.to_f64()
                ),
            );
        }
    }
    Certificate::undecided(
        format!(
            "λ_min(∇²f) ≈ {:.3e} < −2τ, but no eigenvalue below −τ could be proven at {prec} bits \
             (inertia counts failed)",
            approx.to_f64()
        ),
        true,
    )
}

/// One row of `dlncheck enumerate` for an MPFR point: value, ranks of the layers and of the
/// prefixes W_k⋯W_1, the two criterion classes, the certificate and its detail.
pub struct MpfrRow {
    /// S (canonical).
    pub set: String,
    /// f at the point (MPFR decimal).
    pub value: String,
    /// How the point was built.
    pub origin: String,
    /// Numerical ranks of W_1 … W_L.
    pub layer_ranks: Vec<usize>,
    /// Numerical ranks of W_k⋯W_1.
    pub prefix_ranks: Vec<usize>,
    /// Class by the criterion, reading (a) then (b).
    pub criterion: (Class, Class),
    /// Class by the MPFR certificate, when one was found.
    pub certificate: Option<Class>,
    /// What the certificate rests on.
    pub detail: String,
}

/// The rows of `dlncheck enumerate` for a case with an MPFR spectrum.
pub fn rows(ctx: &CaseContext, sp: &MpfrSpectrum) -> Vec<MpfrRow> {
    let st = Setting::new(ctx, sp);
    st.points()
        .iter()
        .map(|p| {
            let ev = linear::evaluate(&st.mp, &p.weights, &st.x, &st.y);
            let Certificate {
                class: certificate,
                detail,
                ..
            } = certificate(&st, p);
            MpfrRow {
                set: set_label(&p.set),
                value: mpfr_decimal(&linear::loss(&st.mp, &ev)),
                origin: p.origin.clone(),
                layer_ranks: p
                    .weights
                    .iter()
                    .map(|w| numerical_rank(&st.mp, w))
                    .collect(),
                prefix_ranks: (1..=p.weights.len())
                    .map(|k| numerical_rank(&st.mp, ev.partials.prod(0, k)))
                    .collect(),
                criterion: (
                    rule(&st, p, Reading::Tightened),
                    rule(&st, p, Reading::Path),
                ),
                certificate,
                detail,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{load_str, LoadOptions};
    use crate::certify::lambda_max::Settings;
    use crate::claims::amg::{
        all_critical_points, canonical_set, class_by_certificate, class_by_criterion, optimum,
    };
    use crate::enumerate::spectrum::spectrum;
    use crate::enumerate::spectrum_mpfr::mpfr_spectrum;

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
            let yaml = format!(
                "version: 1\nmodel: {{kind: linear, dims: {dims}}}\ndata: {{x: identity, y: {y}}}\nchecks: [{{claim: AMG-classify}}]\n"
            );
            let opts = LoadOptions {
                known_claims: crate::claims::known_ids(),
                ..LoadOptions::default()
            };
            let case = load_str(&yaml, std::path::Path::new("t.yaml"), &opts).unwrap();
            let ctx = CaseContext::new(&case, Settings::default(), 0);
            let exact = spectrum(&case.x, &case.y, 256).unwrap();
            let (_, f_star) = optimum(&case.dims, &exact);
            let sp = mpfr_spectrum(&case.x, &case.y, 256).unwrap();
            let rows = rows(&ctx, &sp);
            let cps = all_critical_points(&case, &exact, 0);
            assert_eq!(rows.len(), cps.len(), "{dims}");
            let mut undecided = 0;
            for (row, cp) in rows.iter().zip(&cps) {
                let set = canonical_set(&exact, cp);
                assert_eq!(row.set, set_label(&set));
                assert_eq!(
                    row.criterion,
                    (
                        class_by_criterion(&case.dims, &cp.point, &set, Reading::Tightened),
                        class_by_criterion(&case.dims, &cp.point, &set, Reading::Path)
                    ),
                    "{dims}: {}",
                    row.origin
                );
                let (by_exact, _, _) = class_by_certificate(&exact, cp, &f_star, 160);
                match row.certificate {
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

    #[test]
    fn numerical_rank_sees_through_rounding() {
        let mp = Mpfr { prec: 128 };
        // rank 1: [[1, 2], [1/3, 2/3]] rounded (1/3 is not exact in binary)
        let m = mat::from_exact(
            &mp,
            &Mat::from_vec(
                2,
                2,
                vec![
                    BigRational::from_integer(1.into()),
                    BigRational::from_integer(2.into()),
                    BigRational::new(1.into(), 3.into()),
                    BigRational::new(2.into(), 3.into()),
                ],
            ),
        );
        assert_eq!(numerical_rank(&mp, &m), 1);
        assert_eq!(numerical_rank(&mp, &mat::identity(&mp, 3)), 3);
        assert_eq!(numerical_rank(&mp, &mat::zeros(&mp, 2, 3)), 0);
    }
}
