//! Balancedness (claims.md, "Balancedness"): the exact invariance of D_i = W_{i+1}ᵀW_{i+1} − W_iW_iᵀ.

use super::book::{q, Book, Op};
use super::evidence::{aggregate, json_f64, Evidence, Finding, Outcome};
use super::kp::{add_min_sharpness, with_hessian};
use super::{claim, CaseContext, Data, Points, Scope, Widths};
use crate::case::ModelKind;
use crate::certify::estimate::Basis;
use crate::enumerate::minimizers::Point;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Field, Mpfr, F64};
use crate::model::linear;
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map};

/// The GD step size at which the one-step drift identity is checked.
const GD_STEP: (i64, i64) = (1, 8);

/// The gradient identity's residual W_{k+1}ᵀ ∇_{k+1} − ∇_k W_kᵀ for each k, in arithmetic `f`.
fn identity_residuals<F: Field>(
    f: &F,
    ws: &[Mat<F::T>],
    x: &Mat<F::T>,
    y: &Mat<F::T>,
) -> Vec<Mat<F::T>> {
    let g = linear::gradient(f, &linear::evaluate(f, ws, x, y));
    (0..ws.len() - 1)
        .map(|k| {
            mat::sub(
                f,
                &mat::matmul_tn(f, &ws[k + 1], &g[k + 1]),
                &mat::matmul_nt(f, &g[k], &ws[k]),
            )
        })
        .collect()
}

/// D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ.
fn imbalance<F: Field>(f: &F, ws: &[Mat<F::T>], k: usize) -> Mat<F::T> {
    mat::sub(
        f,
        &mat::matmul_tn(f, &ws[k + 1], &ws[k + 1]),
        &mat::matmul_nt(f, &ws[k], &ws[k]),
    )
}

fn max_abs<F: Field>(f: &F, ms: &[Mat<F::T>]) -> f64 {
    ms.iter()
        .flat_map(|m| m.as_slice().iter().map(|v| f.to_f64(v).abs()))
        .fold(0.0, f64::max)
}

/// Check at one point, exactly: (1) W_{k+1}ᵀ∇_{k+1}f = ∇_k f W_kᵀ for every k; (2) one GD step
/// W' = W − η∇f changes D_k by exactly η²(∇_{k+1}ᵀ∇_{k+1} − ∇_k∇_kᵀ) (the O(η) term cancels by (1)).
fn check_point(
    origin: &str,
    ws: &[Mat<BigRational>],
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
    prec: u32,
) -> Finding {
    let res = identity_residuals(&Exact, ws, x, y);
    let to = |f: &dyn Fn(&BigRational) -> f64| -> Vec<Mat<f64>> {
        ws.iter().map(|w| w.map(f)).collect()
    };
    let wf = to(&|q| F64.embed(q));
    let mp = Mpfr { prec };
    let wm: Vec<_> = ws.iter().map(|w| mat::from_exact(&mp, w)).collect();
    let mut values = Map::new();
    values.insert(
        "identity_max_residual_f64".into(),
        json_f64(max_abs(
            &F64,
            &identity_residuals(
                &F64,
                &wf,
                &mat::from_exact(&F64, x),
                &mat::from_exact(&F64, y),
            ),
        )),
    );
    values.insert(
        "identity_max_residual_mpfr".into(),
        json_f64(max_abs(
            &mp,
            &identity_residuals(&mp, &wm, &mat::from_exact(&mp, x), &mat::from_exact(&mp, y)),
        )),
    );
    let eta = BigRational::new(GD_STEP.0.into(), GD_STEP.1.into());
    let g = linear::gradient(&Exact, &linear::evaluate(&Exact, ws, x, y));
    let stepped: Vec<_> = ws
        .iter()
        .zip(&g)
        .map(|(w, gk)| mat::sub(&Exact, w, &mat::scale(&Exact, &eta, gk)))
        .collect();
    let eta2 = &eta * &eta;
    let drift_ok = (0..ws.len() - 1).all(|k| {
        let drift = mat::sub(
            &Exact,
            &imbalance(&Exact, &stepped, k),
            &imbalance(&Exact, ws, k),
        );
        let predicted = mat::scale(
            &Exact,
            &eta2,
            &mat::sub(
                &Exact,
                &mat::matmul_tn(&Exact, &g[k + 1], &g[k + 1]),
                &mat::matmul_nt(&Exact, &g[k], &g[k]),
            ),
        );
        drift == predicted
    });
    let identity_ok = res.iter().all(|m| mat::is_zero_mat(&Exact, m));
    values.insert("identity_exact".into(), json!(identity_ok));
    values.insert(
        "gd_step".into(),
        json!(format!("{}/{}", GD_STEP.0, GD_STEP.1)),
    );
    values.insert(
        "gd_drift_is_eta_squared_term_exactly".into(),
        json!(drift_ok),
    );
    let mut book = Book::default();
    book.assert(json!({"type": "identity", "name": "balancedness"}));
    let point = Point {
        weights: ws.to_vec(),
        x: x.clone(),
        y: y.clone(),
        exact: true,
        origin: origin.into(),
    };
    let ev = Evidence {
        values: values.into(),
        certificate: book.certificate("BAL-invariant", &point),
    };
    match (identity_ok, drift_ok) {
        (true, true) => Finding::Holds(Basis::Exact, ev),
        (false, _) => Finding::Fails(
            Basis::Exact,
            ev,
            "W_{k+1}ᵀ∇_{k+1}f ≠ ∇_k f W_kᵀ in exact arithmetic".into(),
        ),
        (true, false) => Finding::Fails(
            Basis::Exact,
            ev,
            "one GD step changes D_k by more than its η² term".into(),
        ),
    }
}

fn random_point(rng: &mut impl Rng, dims: &[usize]) -> Vec<Mat<BigRational>> {
    (0..dims.len() - 1)
        .map(|k| {
            Mat::from_fn(dims[k + 1], dims[k], |_, _| {
                BigRational::new(
                    rng.gen_range(-5i64..=5).into(),
                    rng.gen_range(1i64..=4).into(),
                )
            })
        })
        .collect()
}

claim! {
    BalInvariant {
        id: "BAL-invariant",
        source: "claims.md, Balancedness",
        statement: "For every i, W_{i+1}ᵀ∇_{W_{i+1}}f = ∇_{W_i}f W_iᵀ at every point, so D_i is constant under gradient flow and drifts by O(η²) per GD step.",
        escalates: false,
        scope: Scope {
            kinds: &[ModelKind::Linear],
            points: Points::Every,
            ..Scope::ANY
        },
    }
}

impl BalInvariant {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let c = ctx.case;
        if c.depth() < 2 {
            return ctx.not_applicable("model.dims", "BAL-invariant needs at least two layers");
        }
        let mut findings = Vec::new();
        if let Some(ws) = &c.point {
            findings.push((
                "the case's point".to_string(),
                check_point("the case's point", ws, &c.x, &c.y, ctx.settings.prec),
            ));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(ctx.seed);
        let count = c.generate.minimizers.unwrap_or(0).max(3);
        for i in 0..count {
            let ws = random_point(&mut rng, &c.dims);
            let origin = format!("random point #{i} (seed {})", ctx.seed);
            let finding = check_point(&origin, &ws, &c.x, &c.y, ctx.settings.prec);
            findings.push((origin, finding));
        }
        aggregate(findings)
    }
}

/// Are all D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ exactly zero?
fn balanced(ws: &[Mat<BigRational>]) -> bool {
    (0..ws.len() - 1).all(|k| mat::is_zero_mat(&Exact, &imbalance(&Exact, ws, k)))
}

claim! {
    BalFlat {
        id: "BAL-flat",
        source: "claims.md, Balancedness",
        statement: "For X = I and square layers, balanced minimizers (all D_i = 0) attain KP-min; reported: whether every flat minimizer is balanced (Frobenius) and/or spectral-norm balanced.",
        escalates: true,
        scope: Scope {
            kinds: &[ModelKind::Linear],
            data: Data::Identity,
            widths: Widths::Square,
            points: Points::Flat,
            ..Scope::ANY
        },
    }
}

impl BalFlat {
    fn run(&self, ctx: &CaseContext) -> Outcome {
        let kp = match ctx.kp() {
            Ok(kp) => kp,
            Err(e) => return e.outcome(ctx.case),
        };
        let tol = ctx.eq_tol();
        let (mut flat, mut flat_balanced, mut flat_spectral) = (0usize, 0usize, 0usize);
        let mut findings = Vec::new();
        for i in 0..kp.points.len() {
            let p = &kp.points[i];
            let mut b = with_hessian(ctx, kp, i);
            add_min_sharpness(ctx, kp, i, &mut b);
            let is_balanced = balanced(&p.weights);
            let d = b.relation(&q("lambda_max"), Op::Eq, &q("min_sharpness"), &tol);
            let is_flat = matches!(&d, Ok(d) if d.holds);
            if is_flat {
                flat += 1;
                flat_balanced += usize::from(is_balanced);
                // spectral-norm balance: ‖W_{k+1}‖₂ = ‖W_k‖₂ for every k, on certified enclosures
                let g = &ctx.grams(kp, i).weight;
                let spectral = g.windows(2).all(|w| {
                    matches!(
                        w[1].0.compare(&w[0].0, &tol),
                        crate::certify::estimate::Comparison::Decided(std::cmp::Ordering::Equal, _)
                    )
                });
                flat_spectral += usize::from(spectral);
            }
            let finding = if !is_balanced {
                Finding::Vacuous(Basis::Exact, "the minimizer is not balanced".into())
            } else {
                let ev = b.evidence(Self::INFO.id, p, &[]);
                match d {
                    Ok(d) if d.holds => Finding::Holds(d.basis, ev),
                    Ok(d) => {
                        Finding::Fails(d.basis, ev, format!("balanced but not flat: {}", d.text))
                    }
                    Err(why) => Finding::Undecided(why, ev),
                }
            };
            findings.push((p.origin.clone(), finding));
        }
        let mut out = aggregate(findings);
        out.values.insert("flat_points".into(), json!(flat));
        out.values
            .insert("flat_and_balanced".into(), json!(flat_balanced));
        out.values.insert(
            "flat_and_spectral_norm_balanced".into(),
            json!(flat_spectral),
        );
        kp.annotate(out)
    }
}
