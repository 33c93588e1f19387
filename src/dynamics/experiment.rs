//! The multi-run protocols of the two dynamics claims (claims.md), as typed experiments whose
//! results the claims only interpret:
//!
//! - **Escape** (KP-escape, \[KP\] Kamber & Parhi): gradient descent with step η on
//!   f = ½‖W_{L:1}X − Y‖² from W_0 = W* + ε v, v the unit top eigenvector of the f64 Hessian
//!   ∇²f(W*) at a minimizer W*, in f64, tracking ‖W_t − W*‖_F at every step and keeping a thinned
//!   trajectory (with the f64 λ_max(∇²f(W_t)) at kept points); then the same run in MPFR from the
//!   same f64 start over a prefix of the steps, so that a decision made in f64 can be
//!   checked against higher precision. Near W* the linearization gives
//!   ‖W_t − W*‖ ≈ ε·|1 − ηλ_max|^t, so the distance stays below ε when η < 2/λ_max and grows
//!   geometrically when η > 2/λ_max; the stays/leaves rule applied to the distances is the claim's.
//! - **One-way** (WJ-one-way, \[WJ\] Wang & Jacot): from a local minimum of
//!   F(W) = ½‖W_{L:1} − A*‖² + (λ/2)Σ‖W_k‖², `runs` independent runs, each perturbing every weight
//!   entry by uniform noise in [−noise, noise], running SGD on mini-batches of observed entries
//!   for a fixed number of steps, then full-batch GD with the same η to settle
//!   (‖∇F‖ ≤ grad_tol or a step budget), and reading the rank of the product W_{L:1} (its
//!   singular values above a threshold). Run k of setting (η index e, start index m) draws from
//!   the ChaCha8 stream `(e << 40) | (m << 20) | k` of the case seed, so the tally is the same
//!   whatever the order and thread of the runs. The tally counts the final ranks below, above and
//!   equal to the start's rank; reading them as jumps (and as evidence for or against "never
//!   back up") is the claim's.

use super::descent::{descend, Batching, MiniBatch, Run, Stop, StopRule};
use super::trajectory::{Record, Thinned};
use crate::linalg::mat::{self, Mat};
use crate::linalg::{eigen_f64, rank, Field, Mpfr, F64};
use crate::model::{l2, linear};
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

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

/// The balanced weights of a factorization of diag(σ) moved to the original basis of A* = U Σ Vᵀ
/// (faer's f64 SVD): W_1 ← W_1 Vᵀ, W_L ← U W_L, so that W_{L:1} ← U W_{L:1} Vᵀ (SGD over entries is
/// not invariant under rotations, so the runs start in the basis of the data). `None` when the SVD
/// fails.
pub fn to_original_basis(ws: Vec<Mat<f64>>, y: &Mat<f64>) -> Option<Vec<Mat<f64>>> {
    let m = faer::Mat::<f64>::from_fn(y.rows(), y.cols(), |i, j| *y.at(i, j));
    let svd = m.svd().ok()?;
    let (u, v) = (svd.U(), svd.V());
    let um = Mat::from_fn(y.rows(), y.rows(), |i, j| u[(i, j)]);
    let vt = Mat::from_fn(y.cols(), y.cols(), |i, j| v[(j, i)]);
    let l = ws.len();
    let mut ws = ws;
    ws[0] = mat::matmul(&F64, &ws[0], &vt);
    ws[l - 1] = mat::matmul(&F64, &um, &ws[l - 1]);
    Some(ws)
}

/// rank W_{L:1}: the number of its singular values (faer) above `threshold`; `None` when faer's
/// SVD fails.
pub fn product_rank(ws: &[Mat<f64>], threshold: f64) -> Option<usize> {
    let p = ws[1..]
        .iter()
        .fold(ws[0].clone(), |acc, w| mat::matmul(&F64, w, &acc));
    rank::numerical_f64(&p, threshold)
}

/// A run has diverged when its loss exceeds DIVERGE_FACTOR·max(1, f(0)) ([`divergence_bound`]).
pub const DIVERGE_FACTOR: f64 = 1e6;

/// The loss above which a run counts as diverged: DIVERGE_FACTOR·max(1, ½‖Y‖²), ½‖Y‖² being the
/// data term at the zero point (the scale of the problem's losses).
pub fn divergence_bound(y: &Mat<f64>) -> f64 {
    DIVERGE_FACTOR * (0.5 * mat::frob2(&F64, y)).max(1.0)
}

/// The ChaCha8 stream of run `run` from start `start` at step size `eta` (indices into the case's
/// lists): `(eta << 40) | (start << 20) | run`.
pub fn stream(eta: usize, start: usize, run: usize) -> u64 {
    ((eta as u64) << 40) | ((start as u64) << 20) | run as u64
}

/// The settings of the one-way experiment, shared by every start and step size of a case.
#[derive(Clone, Debug, PartialEq)]
pub struct OneWaySetup {
    /// The seed of every run's ChaCha8 generator (the run's stream picks its sequence).
    pub seed: u64,
    /// Runs per start and step size.
    pub runs: usize,
    /// Half-width of the uniform start noise per weight entry.
    pub noise: f64,
    /// SGD steps (all of them: SGD has no convergence test).
    pub sgd_steps: usize,
    /// Observed entries drawn per SGD step (uniform, with replacement).
    pub batch: usize,
    /// The step budget of the full-batch settling GD.
    pub settle_steps: usize,
    /// Settled when ‖∇F‖_F ≤ grad_tol.
    pub grad_tol: f64,
    /// The rank counts the product's singular values above this.
    pub rank_threshold: f64,
    /// A run diverged when F (or its mini-batch estimate) is not finite or exceeds this.
    pub diverge_above: f64,
}

/// How one run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The product's rank after settling, and whether the settling GD converged.
    Rank(usize, bool),
    /// SGD or settling diverged (or the settled product's SVD failed).
    Diverged,
}

/// The endings of the runs from one start at one step size, counted against the start's rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// The start's rank.
    pub start_rank: usize,
    /// Every run's ending, by run index.
    pub endings: Vec<Ending>,
    /// Runs ending at a lower rank.
    pub down: usize,
    /// Runs ending at a higher rank.
    pub up: usize,
    /// Runs ending at the start's rank.
    pub same: usize,
    /// Runs that diverged.
    pub diverged: usize,
    /// Runs ending at a rank whose settling GD spent its budget (‖∇F‖ > grad_tol).
    pub unsettled: usize,
    /// The indices of the runs ending at a lower rank.
    pub down_runs: Vec<usize>,
    /// The indices of the runs ending at a higher rank.
    pub up_runs: Vec<usize>,
    /// The indices of the runs that diverged.
    pub diverged_runs: Vec<usize>,
}

impl Tally {
    /// The tally of `endings` (run k at index k) against `start_rank`.
    pub fn of(start_rank: usize, endings: Vec<Ending>) -> Tally {
        let runs_where = |pred: &dyn Fn(&Ending) -> bool| -> Vec<usize> {
            endings
                .iter()
                .enumerate()
                .filter(|(_, x)| pred(x))
                .map(|(k, _)| k)
                .collect()
        };
        let down_runs = runs_where(&|x| matches!(x, Ending::Rank(r, _) if *r < start_rank));
        let up_runs = runs_where(&|x| matches!(x, Ending::Rank(r, _) if *r > start_rank));
        let diverged_runs = runs_where(&|x| *x == Ending::Diverged);
        let unsettled = runs_where(&|x| matches!(x, Ending::Rank(_, false))).len();
        let (down, up, diverged) = (down_runs.len(), up_runs.len(), diverged_runs.len());
        Tally {
            start_rank,
            same: endings.len() - down - up - diverged,
            endings,
            down,
            up,
            diverged,
            unsettled,
            down_runs,
            up_runs,
            diverged_runs,
        }
    }

    /// The runs that ended at a rank (did not diverge).
    pub fn ranked(&self) -> usize {
        self.down + self.up + self.same
    }

    /// How many runs ended at rank r, for r < `len` (ranks ≥ `len` are left out).
    pub fn rank_counts(&self, len: usize) -> Vec<usize> {
        let mut hist = vec![0usize; len];
        for x in &self.endings {
            if let Ending::Rank(r, _) = x {
                if *r < len {
                    hist[*r] += 1;
                }
            }
        }
        hist
    }
}

impl OneWaySetup {
    /// One run from `start` at step `eta` on `problem` (f64), drawing from `stream` of the seed:
    /// start noise (entry by entry, layer by layer, row-major), SGD over `batch` uniformly drawn
    /// observed entries per step with unbiased weights (see [`MiniBatch`]) for `sgd_steps` steps,
    /// then full-batch GD with the same step until ‖∇F‖ ≤ grad_tol or `settle_steps` steps, and
    /// the settled product's rank.
    pub fn run(
        &self,
        problem: &l2::Problem<f64>,
        start: &[Mat<f64>],
        eta: f64,
        stream: u64,
    ) -> Ending {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(stream);
        let noisy: Vec<Mat<f64>> = start
            .iter()
            .map(|w| w.map(|x| x + rng.gen_range(-self.noise..=self.noise)))
            .collect();
        let mut sampler = MiniBatch::new(Batching::Entries, self.batch, rng);
        let sgd_rule = StopRule {
            max_steps: self.sgd_steps,
            grad_tol: 0.0,
            diverge_above: self.diverge_above,
        };
        let run = descend(
            &F64,
            problem,
            noisy,
            &eta,
            &sgd_rule,
            Some(&mut sampler),
            |_, _, _, _| {},
        );
        if run.stop == Stop::Diverged {
            return Ending::Diverged;
        }
        let gd_rule = StopRule {
            max_steps: self.settle_steps,
            grad_tol: self.grad_tol,
            diverge_above: self.diverge_above,
        };
        let settled = descend(
            &F64,
            problem,
            run.weights,
            &eta,
            &gd_rule,
            None,
            |_, _, _, _| {},
        );
        if settled.stop == Stop::Diverged {
            return Ending::Diverged;
        }
        // the settled loss is finite here, so faer's SVD can fail only on a non-finite product:
        // such a run is counted with the diverged ones
        match product_rank(&settled.weights, self.rank_threshold) {
            Some(r) => Ending::Rank(r, settled.stop == Stop::Converged),
            None => Ending::Diverged,
        }
    }

    /// All `runs` runs from `start` (of rank `start_rank`) at step `eta`, in parallel (rayon), run k
    /// on [`stream`]`(eta_index, start_index, k)`, tallied against `start_rank`.
    pub fn tally(
        &self,
        problem: &l2::Problem<f64>,
        start: &[Mat<f64>],
        start_rank: usize,
        eta: f64,
        (eta_index, start_index): (usize, usize),
    ) -> Tally {
        let endings = (0..self.runs)
            .into_par_iter()
            .map(|k| self.run(problem, start, eta, stream(eta_index, start_index, k)))
            .collect();
        Tally::of(start_rank, endings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Exact;

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

    /// The claims.md planning setting: depth 3, widths 2, A* = diag(2, 1), λ = 1/10, whose local
    /// minima have ranks 0, 1 and 2 (s = 0 is a local minimum per singular value for L ≥ 3).
    fn one_way_problem() -> l2::Problem<f64> {
        l2::Problem {
            x: mat::identity(&Exact, 2),
            y: Mat::from_vec(2, 2, vec![q(2), q(0), q(0), q(1)]),
            lambda: BigRational::new(1.into(), 10.into()),
            mask: None,
        }
        .embed(&F64)
    }

    fn one_way_setup(runs: usize) -> OneWaySetup {
        OneWaySetup {
            seed: 7,
            runs,
            noise: 0.3,
            sgd_steps: 100,
            batch: 1,
            settle_steps: 1000,
            grad_tol: 1e-10,
            rank_threshold: 1e-3,
            diverge_above: 1e6,
        }
    }

    /// W_k = 0.3·I: the product 0.027·I lies between the basins of the minima of ranks 0 and 2.
    fn small_start() -> Vec<Mat<f64>> {
        vec![mat::scale(&F64, &0.3, &mat::identity(&F64, 2)); 3]
    }

    #[test]
    fn one_way_tally_matches_a_direct_loop() {
        let (p, s, start) = (one_way_problem(), one_way_setup(24), small_start());
        // η = 0.15 is large enough that some runs diverge
        let eta = 0.15;
        let tally = s.tally(&p, &start, 1, eta, (1, 2));
        // the protocol written out run by run
        let direct: Vec<Ending> = (0..s.runs)
            .map(|k| {
                let mut rng = ChaCha8Rng::seed_from_u64(7);
                rng.set_stream((1 << 40) | (2 << 20) | k as u64);
                let noisy: Vec<Mat<f64>> = start
                    .iter()
                    .map(|w| w.map(|x| x + rng.gen_range(-0.3..=0.3)))
                    .collect();
                let mut sampler = MiniBatch::new(Batching::Entries, 1, rng);
                let rule = |max_steps, grad_tol| StopRule {
                    max_steps,
                    grad_tol,
                    diverge_above: 1e6,
                };
                let sgd = descend(
                    &F64,
                    &p,
                    noisy,
                    &eta,
                    &rule(100, 0.0),
                    Some(&mut sampler),
                    |_, _, _, _| {},
                );
                if sgd.stop == Stop::Diverged {
                    return Ending::Diverged;
                }
                let gd = descend(
                    &F64,
                    &p,
                    sgd.weights,
                    &eta,
                    &rule(1000, 1e-10),
                    None,
                    |_, _, _, _| {},
                );
                if gd.stop == Stop::Diverged {
                    return Ending::Diverged;
                }
                let w = &gd.weights;
                let prod = mat::matmul(&F64, &w[2], &mat::matmul(&F64, &w[1], &w[0]));
                let r = rank::numerical_f64(&prod, 1e-3).unwrap();
                Ending::Rank(r, gd.stop == Stop::Converged)
            })
            .collect();
        assert_eq!(tally.endings, direct);
        let runs_where = |pred: &dyn Fn(&Ending) -> bool| -> Vec<usize> {
            (0..direct.len()).filter(|&k| pred(&direct[k])).collect()
        };
        let rank_is = |pred: fn(usize) -> bool| {
            runs_where(&move |x| matches!(x, Ending::Rank(r, _) if pred(*r)))
        };
        assert_eq!(tally.down_runs, rank_is(|r| r < 1));
        assert_eq!(tally.up_runs, rank_is(|r| r > 1));
        assert_eq!(tally.diverged_runs, runs_where(&|x| *x == Ending::Diverged));
        assert_eq!(
            (tally.down, tally.up, tally.same, tally.diverged),
            (
                tally.down_runs.len(),
                tally.up_runs.len(),
                rank_is(|r| r == 1).len(),
                tally.diverged_runs.len()
            )
        );
        assert_eq!(tally.ranked() + tally.diverged, 24);
        let unsettled = runs_where(&|x| matches!(x, Ending::Rank(_, false))).len();
        assert_eq!(tally.unsettled, unsettled);
        // at this seed every count is exercised
        assert!(
            tally.down > 0 && tally.up > 0 && tally.same > 0 && tally.diverged > 0 && unsettled > 0,
            "{tally:?}"
        );
        assert_eq!(tally.rank_counts(3), vec![tally.down, tally.same, tally.up]);
        assert_eq!(tally.rank_counts(1), vec![tally.down]);
    }

    #[test]
    fn one_way_runs_in_parallel_tally_as_run_one_by_one() {
        let (p, s, start) = (one_way_problem(), one_way_setup(16), small_start());
        let parallel = s.tally(&p, &start, 2, 0.15, (0, 3));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one_thread = pool.install(|| s.tally(&p, &start, 2, 0.15, (0, 3)));
        let sequential = Tally::of(
            2,
            (0..16)
                .map(|k| s.run(&p, &start, 0.15, stream(0, 3, k)))
                .collect(),
        );
        assert_eq!(parallel, one_thread);
        assert_eq!(parallel, sequential);
        // another stream is another experiment
        assert_ne!(
            parallel.endings,
            s.tally(&p, &start, 2, 0.15, (1, 3)).endings
        );
    }

    #[test]
    fn streams_pack_the_three_indices() {
        assert_eq!(stream(1, 2, 3), (1 << 40) + (2 << 20) + 3);
        assert_eq!(stream(0, 0, (1 << 20) - 1), 0xF_FFFF);
    }

    #[test]
    fn the_original_basis_rotates_the_product() {
        // A* = [[0, 2], [1, 0]] = U diag(2, 1) Vᵀ: the balanced diagonal factors map to A* itself
        let y = Mat::from_vec(2, 2, vec![0.0, 2.0, 1.0, 0.0]);
        let d = |a: f64, b: f64| Mat::from_vec(2, 2, vec![a, 0.0, 0.0, b]);
        let s2 = 2f64.sqrt();
        let ws = to_original_basis(vec![d(s2, 1.0), d(s2, 1.0)], &y).unwrap();
        let prod = mat::matmul(&F64, &ws[1], &ws[0]);
        for (a, b) in prod.as_slice().iter().zip(y.as_slice()) {
            assert!((a - b).abs() < 1e-12, "{prod:?}");
        }
        assert_eq!(product_rank(&ws, 1e-3), Some(2));
        assert_eq!(product_rank(&[d(1.0, 0.0), d(3.0, 5.0)], 1e-3), Some(1));
    }
}
