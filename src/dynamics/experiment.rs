//! The multi-run protocols of the dynamics claims (claims.md), as typed experiments whose
//! results the claims only interpret.
//!
//! - **Escape** (KP-escape, \[KP\] Kamber & Parhi): gradient descent with step η on
//!   f = ½‖W_{L:1}X − Y‖² from W_0 = W* + ε v, v the unit top eigenvector of the f64 Hessian
//!   ∇²f(W*) at a minimizer W*, in f64, tracking ‖W_t − W*‖_F at every step and keeping a thinned
//!   trajectory (with the f64 λ_max(∇²f(W_t)) at kept points); then the same run in MPFR from the
//!   same f64 start over a prefix of the steps, so that a decision made in f64 can be
//!   checked against higher precision. Near W* the linearization gives
//!   ‖W_t − W*‖ ≈ ε·|1 − ηλ_max|^t, so the distance stays below ε when η < 2/λ_max and grows
//!   geometrically when η > 2/λ_max; the stays/leaves rule applied to the distances is the claim's.

use super::descent::{descend, Run, StopRule};
use super::trajectory::{Record, Thinned};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_f64, Field, Mpfr, F64};
use crate::model::{l2, linear};
use num_rational::BigRational;

/// The settings of one escape experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct EscapeSetup {
    /// ε: the start is W* + ε v with ‖v‖ = 1.
    pub epsilon: f64,
    /// When the f64 run stops.
    pub rule: StopRule,
    /// About this many trajectory points are kept (see [`Thinned`]).
    pub max_points: usize,
    /// The MPFR re-run covers the first `mpfr_steps` steps; the prefix distance of a run is its
    /// largest distance over steps 0 ..= `mpfr_steps`.
    pub mpfr_steps: usize,
}

/// The numbers of one traced GD run.
#[derive(Clone, Debug)]
pub struct Traced<T> {
    /// The end of the run.
    pub run: Run<T>,
    /// max_t ‖W_t − W*‖_F over the whole run.
    pub max_distance: f64,
    /// max_t ‖W_t − W*‖_F over t ≤ the setup's `mpfr_steps`.
    pub prefix_distance: f64,
    /// The thinned trajectory (distances to W*).
    pub records: Vec<Record>,
}

/// ‖A − B‖_F over all layers: Σ_k ‖A_k − B_k‖²_F in the field, then rounded to f64 and rooted.
fn distance<F: Field>(f: &F, a: &[Mat<F::T>], b: &[Mat<F::T>]) -> f64 {
    let s = a.iter().zip(b).fold(f.zero(), |s, (x, y)| {
        f.add(&s, &mat::frob2(f, &mat::sub(f, x, y)))
    });
    f.to_f64(&s).sqrt()
}

/// GD from `start` in arithmetic `f` with step `eta`, stopped by `setup.rule`, tracking the
/// distance to `center` at every step (and its maximum over the first `setup.mpfr_steps` steps)
/// and keeping a trajectory thinned to about `setup.max_points` points; with `with_lambda`, each
/// kept point with a finite loss carries the f64 λ_max of ∇²f at the point (the f64 rounding of
/// the point and the data; `None` where the eigensolver does not converge).
pub fn traced<F: Field>(
    f: &F,
    p: &l2::Problem<F::T>,
    center: &[Mat<F::T>],
    start: Vec<Mat<F::T>>,
    eta: &F::T,
    setup: &EscapeSetup,
    with_lambda: bool,
) -> Traced<F::T> {
    let rule = &setup.rule;
    let mut thin = Thinned::new(rule.max_steps, setup.max_points);
    let mut max_distance: f64 = 0.0;
    let mut prefix_distance: f64 = 0.0;
    let run = descend(f, p, start, eta, rule, None, |step, ws, loss, grad_norm| {
        let d = distance(f, ws, center);
        max_distance = max_distance.max(d);
        if step <= setup.mpfr_steps {
            prefix_distance = prefix_distance.max(d);
        }
        let lambda_max = (with_lambda && thin.keeps(step) && loss.is_finite())
            .then(|| {
                let wf: Vec<Mat<f64>> = ws.iter().map(|w| w.map(|x| f.to_f64(x))).collect();
                let pf = l2::Problem {
                    x: p.x.map(|x| f.to_f64(x)),
                    y: p.y.map(|x| f.to_f64(x)),
                    lambda: 0.0,
                    mask: None,
                };
                eigen_f64::top_eigenpair(&l2::hessian(&F64, &pf, &wf))
                    .ok()
                    .map(|t| t.value)
            })
            .flatten();
        thin.offer(Record {
            step,
            loss,
            distance: d,
            grad_norm,
            lambda_max,
        });
    });
    Traced {
        run,
        max_distance,
        prefix_distance,
        records: thin.finish(),
    }
}

/// One escape experiment: the f64 run and its MPFR re-run over the prefix.
#[derive(Clone, Debug)]
pub struct Escape {
    /// The f64 run, with λ_max at kept points.
    pub f64: Traced<f64>,
    /// The MPFR run over the first `mpfr_steps` steps (no λ_max); its `max_distance` is the
    /// MPFR prefix distance.
    pub mpfr: Traced<rug::Float>,
    /// The steps the MPFR run may take: min(the f64 budget, the setup's `mpfr_steps`).
    pub mpfr_steps: usize,
}

/// The escape experiment at the minimizer `center` of `problem` (λ = 0, no mask) with step `eta`
/// (finite and positive): W_0 = W* + ε v with W* the f64 rounding of `center` and v the unit top
/// eigenvector of the f64 Hessian there; GD in f64 under `setup.rule`; then GD in MPFR (`mp`) from
/// the same f64 start, center and step (embedded exactly when `mp` has ≥ 53 bits), on the problem
/// rounded to `mp`, over the first min(budget, `setup.mpfr_steps`) steps. Fails (with the eigensolver's message) when the
/// top eigenvector is not found.
pub fn escape(
    problem: &l2::Problem<BigRational>,
    center: &[Mat<BigRational>],
    eta: f64,
    setup: &EscapeSetup,
    mp: &Mpfr,
) -> Result<Escape, String> {
    let pf = problem.embed(&F64);
    let center: Vec<Mat<f64>> = center.iter().map(|w| mat::from_exact(&F64, w)).collect();
    let h = l2::hessian(&F64, &pf, &center);
    let v = eigen_f64::top_eigenpair(&h)
        .map_err(|e| e.to_string())?
        .vector;
    let off = linear::offsets(&center);
    let start: Vec<Mat<f64>> = center
        .iter()
        .enumerate()
        .map(|(k, w)| {
            Mat::from_fn(w.rows(), w.cols(), |a, b| {
                w.at(a, b) + setup.epsilon * v[off[k] + a * w.cols() + b]
            })
        })
        .collect();
    let f64_run = traced(&F64, &pf, &center, start.clone(), &eta, setup, true);
    let mp_setup = EscapeSetup {
        rule: StopRule {
            max_steps: setup.rule.max_steps.min(setup.mpfr_steps),
            ..setup.rule.clone()
        },
        ..setup.clone()
    };
    let mpfr_run = traced(
        mp,
        &problem.embed(mp),
        &to_mpfr(mp, &center),
        to_mpfr(mp, &start),
        &rug::Float::with_val(mp.prec, eta),
        &mp_setup,
        false,
    );
    Ok(Escape {
        f64: f64_run,
        mpfr: mpfr_run,
        mpfr_steps: mp_setup.rule.max_steps,
    })
}

/// f64 weights in MPFR, each entry rounded to `mp` (exactly when `mp` has ≥ 53 bits).
fn to_mpfr(mp: &Mpfr, ws: &[Mat<f64>]) -> Vec<Mat<rug::Float>> {
    ws.iter()
        .map(|w| w.map(|&x| rug::Float::with_val(mp.prec, x)))
        .collect()
}

/// ‖∇f(W)‖_F at f64 weights `ws`, evaluated in MPFR on `problem` rounded to `mp` (the layers'
/// ‖∇_k f‖²_F rounded to f64 and summed in f64): the gradient norm of a run's final point
/// re-checked at higher precision.
pub fn grad_norm_mpfr(problem: &l2::Problem<BigRational>, ws: &[Mat<f64>], mp: &Mpfr) -> f64 {
    let (_, g) = l2::value_and_gradient(mp, &problem.embed(mp), &to_mpfr(mp, ws), None);
    g.iter()
        .fold(0.0, |s, g| s + mp.to_f64(&mat::frob2(mp, g)))
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::Stop;

    fn q(n: i64) -> BigRational {
        BigRational::from_integer(n.into())
    }

    fn scalar(v: BigRational) -> Mat<BigRational> {
        Mat::from_vec(1, 1, vec![v])
    }

    /// f(w) = ½(2w − 2)², one layer: λ = ∇²f = 4 everywhere, minimizer w* = 1, and GD gives
    /// w_t − 1 = (1 − 4η)^t (w_0 − 1).
    fn linear_scalar() -> l2::Problem<BigRational> {
        l2::Problem {
            x: scalar(q(2)),
            y: scalar(q(2)),
            lambda: q(0),
            mask: None,
        }
    }

    fn escape_setup(max_steps: usize, max_points: usize, mpfr_steps: usize) -> EscapeSetup {
        EscapeSetup {
            epsilon: 1e-9,
            rule: StopRule {
                max_steps,
                grad_tol: 0.0,
                diverge_above: 1e6,
            },
            max_points,
            mpfr_steps,
        }
    }

    #[test]
    fn escape_distances_follow_the_closed_form() {
        let p = linear_scalar();
        let mp = Mpfr { prec: 200 };
        // 1 − 4η = −1.4: ‖w_t − w*‖ = ε·1.4^t, largest at the last step
        let (t, prefix) = (60, 20);
        let eta = 0.6;
        let s = escape_setup(t, t, prefix);
        let e = escape(&p, &[scalar(q(1))], eta, &s, &mp).unwrap();
        let r = &e.f64;
        assert_eq!((r.run.stop, r.run.steps), (Stop::Budget, t));
        // the start w* + ε is rounded to f64 next to 1, so the distances carry a relative error
        // of up to 2^-53/ε ≈ 1e-7
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b;
        assert!(
            close(r.max_distance, 1e-9 * 1.4f64.powi(t as i32)),
            "{}",
            r.max_distance
        );
        assert!(close(r.prefix_distance, 1e-9 * 1.4f64.powi(prefix as i32)));
        // every step is kept: the maximum is the largest recorded distance, each of which
        // follows ε|1 − 4η|^t, with λ_max = 4 at each point
        assert_eq!(r.records.len(), t + 1);
        let recomputed = r.records.iter().map(|x| x.distance).fold(0.0, f64::max);
        assert_eq!(r.max_distance, recomputed);
        for x in &r.records {
            assert!(
                close(x.distance, 1e-9 * 1.4f64.powi(x.step as i32)),
                "{x:?}"
            );
            assert!((x.lambda_max.unwrap() - 4.0).abs() < 1e-12, "{x:?}");
        }
        // the MPFR re-run stops at the prefix and agrees with f64 there
        assert_eq!((e.mpfr_steps, e.mpfr.run.steps), (prefix, prefix));
        assert!(close(e.mpfr.max_distance, r.prefix_distance));
        assert!(e.mpfr.records.iter().all(|x| x.lambda_max.is_none()));

        // 1 − 4η = 0.2: the distance only shrinks, so the maximum is the start's ε
        let e = escape(&p, &[scalar(q(1))], 0.2, &escape_setup(t, 10, prefix), &mp).unwrap();
        assert!(close(e.f64.max_distance, 1e-9));
        assert!(e.f64.records.len() <= 12);
        // thinned: the kept steps are multiples of the stride 6, plus the last one
        assert!(e
            .f64
            .records
            .iter()
            .all(|x| x.step % 6 == 0 || x.step == e.f64.run.steps));
    }

    #[test]
    fn the_final_gradient_norm_in_mpfr_is_the_closed_form() {
        // f = ½(2w − 2)²: f'(w) = 2(2w − 2), which is 2 at w = 3/2
        let mp = Mpfr { prec: 128 };
        let g = grad_norm_mpfr(&linear_scalar(), &[Mat::from_vec(1, 1, vec![1.5])], &mp);
        assert_eq!(g, 2.0);
    }
}
