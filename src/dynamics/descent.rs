//! Gradient descent W ← W − η ∇F(W) and SGD W ← W − η ∇F_B(W), with F_B the unbiased mini-batch
//! estimate of F (model::l2 entry weights ω_ij = (draws of (i,j)) · N / batch over N observed
//! entries, or ω_{·j} = (draws of sample j) · n / batch over n samples; the penalty term is exact).

use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use crate::model::l2::{self, Problem};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// When a run stops. The rule is checked before every step, at the current point W_t.
#[derive(Clone, Debug, PartialEq)]
pub struct StopRule {
    /// The step budget: at most this many updates.
    pub max_steps: usize,
    /// Converged when ‖∇F(W_t)‖_F ≤ grad_tol (full-batch runs only; SGD runs use the budget).
    pub grad_tol: f64,
    /// Diverged when F(W_t) (or its mini-batch estimate) is not finite or exceeds this.
    pub diverge_above: f64,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// ‖∇F‖ ≤ grad_tol.
    Converged,
    /// The step budget was spent.
    Budget,
    /// The loss left the finite range or exceeded the divergence threshold.
    Diverged,
}

impl Stop {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Converged => "converged",
            Stop::Budget => "step-budget",
            Stop::Diverged => "diverged",
        }
    }
}

/// What an SGD step samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batching {
    /// Observed entries (i, j) of Y (matrix completion / factorization).
    Entries,
    /// Samples: whole columns j of X and Y.
    Samples,
}

/// The mini-batch sampler of SGD: `batch` draws, uniform with replacement, from a seeded stream.
pub struct MiniBatch {
    /// Entries or samples.
    pub batching: Batching,
    /// Draws per step.
    pub batch: usize,
    /// The seeded random stream.
    pub rng: ChaCha8Rng,
    /// The observed entries, listed on first use.
    observed: Option<Vec<(usize, usize)>>,
}

impl MiniBatch {
    /// A sampler of `batch` draws per step from the stream `rng`.
    pub fn new(batching: Batching, batch: usize, rng: ChaCha8Rng) -> Self {
        MiniBatch {
            batching,
            batch,
            rng,
            observed: None,
        }
    }

    /// The entry weights ω of one draw (see the module doc).
    fn weights<F: Field>(&mut self, f: &F, p: &Problem<F::T>) -> Mat<F::T> {
        let (r, c) = (p.y.rows(), p.y.cols());
        let mut counts = vec![0u64; r * c];
        match self.batching {
            Batching::Entries => {
                let obs = self.observed.get_or_insert_with(|| l2::observed(f, p));
                for _ in 0..self.batch {
                    let (i, j) = obs[self.rng.gen_range(0..obs.len())];
                    counts[i * c + j] += obs.len() as u64;
                }
            }
            Batching::Samples => {
                for _ in 0..self.batch {
                    let j = self.rng.gen_range(0..c);
                    for i in 0..r {
                        counts[i * c + j] += c as u64;
                    }
                }
            }
        }
        let batch = f.embed(&num_rational::BigRational::from_integer(
            (self.batch as u64).into(),
        ));
        let per_draw = f.div(&f.one(), &batch);
        let w = Mat::from_fn(r, c, |i, j| match counts[i * c + j] {
            0 => f.zero(),
            n => f.mul(
                &f.embed(&num_rational::BigRational::from_integer(n.into())),
                &per_draw,
            ),
        });
        match (&p.mask, self.batching) {
            (Some(m), Batching::Samples) => mat::zip::<F>(&w, m, |a, b| f.mul(a, b)),
            _ => w,
        }
    }
}

/// The end of a run.
#[derive(Clone, Debug)]
pub struct Run<T> {
    /// The last point W_t.
    pub weights: Vec<Mat<T>>,
    /// Why it stopped.
    pub stop: Stop,
    /// Updates made.
    pub steps: usize,
    /// F(W_t) (full batch) or its last mini-batch estimate (SGD), as f64.
    pub loss: f64,
    /// ‖∇F(W_t)‖_F (or of its mini-batch estimate), as f64.
    pub grad_norm: f64,
}

/// ‖G‖_F over all layers, as f64 (computed as the field's Σ g², then rounded).
fn norm<F: Field>(f: &F, g: &[Mat<F::T>]) -> f64 {
    let s = g.iter().fold(f.zero(), |s, m| f.add(&s, &mat::frob2(f, m)));
    f.to_f64(&s).sqrt()
}

/// Run GD (no sampler) or SGD (with one) with step η from `start` until `rule` stops it.
/// `observe(t, W_t, F, ‖∇F‖)` sees every point before its update (and the final point).
pub fn descend<F: Field>(
    f: &F,
    p: &Problem<F::T>,
    start: Vec<Mat<F::T>>,
    eta: &F::T,
    rule: &StopRule,
    mut sampler: Option<&mut MiniBatch>,
    mut observe: impl FnMut(usize, &[Mat<F::T>], f64, f64),
) -> Run<F::T> {
    let mut ws = start;
    let mut t = 0;
    loop {
        let weights = sampler.as_deref_mut().map(|s| s.weights(f, p));
        let (value, grad) = l2::value_and_gradient(f, p, &ws, weights.as_ref());
        let (loss, grad_norm) = (f.to_f64(&value), norm(f, &grad));
        observe(t, &ws, loss, grad_norm);
        let stop = if !loss.is_finite() || !grad_norm.is_finite() || loss > rule.diverge_above {
            Some(Stop::Diverged)
        } else if sampler.is_none() && grad_norm <= rule.grad_tol {
            Some(Stop::Converged)
        } else if t >= rule.max_steps {
            Some(Stop::Budget)
        } else {
            None
        };
        if let Some(stop) = stop {
            return Run {
                weights: ws,
                stop,
                steps: t,
                loss,
                grad_norm,
            };
        }
        ws = ws
            .iter()
            .zip(&grad)
            .map(|(w, g)| mat::sub(f, w, &mat::scale(f, eta, g)))
            .collect();
        t += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{Exact, Mpfr, F64};
    use num_rational::BigRational;
    use rand::SeedableRng;

    fn scalar_problem(target: i64, lambda: i64) -> Problem<BigRational> {
        Problem {
            x: mat::identity(&Exact, 1),
            y: Mat::from_vec(1, 1, vec![BigRational::from_integer(target.into())]),
            lambda: BigRational::new(lambda.into(), 10.into()),
            mask: None,
        }
    }

    fn scalars(vs: &[f64]) -> Vec<Mat<f64>> {
        vs.iter().map(|&v| Mat::from_vec(1, 1, vec![v])).collect()
    }

    fn rule(max_steps: usize) -> StopRule {
        StopRule {
            max_steps,
            grad_tol: 1e-12,
            diverge_above: 1e12,
        }
    }

    #[test]
    fn gd_converges_on_a_scalar_factorization_and_stops_by_each_rule() {
        let p = scalar_problem(8, 0).embed(&F64);
        let run = descend(
            &F64,
            &p,
            scalars(&[1.9, 2.1, 2.0]),
            &0.01,
            &rule(100_000),
            None,
            |_, _, _, _| {},
        );
        assert_eq!(run.stop, Stop::Converged);
        let prod: f64 = run.weights.iter().map(|w| *w.at(0, 0)).product();
        assert!((prod - 8.0).abs() < 1e-10, "product {prod}");
        let run = descend(
            &F64,
            &p,
            scalars(&[1.9, 2.1, 2.0]),
            &0.01,
            &rule(3),
            None,
            |_, _, _, _| {},
        );
        assert_eq!((run.stop, run.steps), (Stop::Budget, 3));
        // at w = (2,2,2) λ_max = 48: η = 0.1 > 2/48 blows up from a distant start
        let run = descend(
            &F64,
            &p,
            scalars(&[3.0, 3.0, 3.0]),
            &0.1,
            &rule(1000),
            None,
            |_, _, _, _| {},
        );
        assert_eq!(run.stop, Stop::Diverged);
    }

    #[test]
    fn mpfr_and_f64_trajectories_agree_over_a_stable_run() {
        let pq = scalar_problem(8, 1);
        let mp = Mpfr { prec: 200 };
        let start = [1.5, 2.5, 2.0];
        let mut f64_losses = Vec::new();
        let mut mp_losses = Vec::new();
        descend(
            &F64,
            &pq.embed(&F64),
            scalars(&start),
            &0.01,
            &rule(200),
            None,
            |_, _, l, _| f64_losses.push(l),
        );
        let sm: Vec<_> = start
            .iter()
            .map(|&v| Mat::from_vec(1, 1, vec![rug::Float::with_val(200, v)]))
            .collect();
        let eta = mp.embed(&BigRational::new(1.into(), 100.into()));
        descend(
            &mp,
            &pq.embed(&mp),
            sm,
            &eta,
            &rule(200),
            None,
            |_, _, l, _| mp_losses.push(l),
        );
        assert_eq!(f64_losses.len(), mp_losses.len());
        for (a, b) in f64_losses.iter().zip(&mp_losses) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn sgd_weights_are_unbiased_and_seeded() {
        let mut p = Problem {
            x: mat::identity(&Exact, 2),
            y: Mat::from_vec(
                2,
                2,
                (1..=4)
                    .map(|k| BigRational::from_integer(k.into()))
                    .collect(),
            ),
            lambda: BigRational::from_integer(0.into()),
            mask: None,
        };
        p.mask = Some(Mat::from_vec(
            2,
            2,
            [1, 1, 0, 1]
                .iter()
                .map(|&k| BigRational::from_integer(k.into()))
                .collect(),
        ));
        let pf = p.embed(&F64);
        let mut sampler = MiniBatch::new(Batching::Entries, 2, ChaCha8Rng::seed_from_u64(3));
        let mut mean = [0.0; 4];
        let n = 30_000;
        for _ in 0..n {
            let w = sampler.weights(&F64, &pf);
            assert_eq!(*w.at(1, 0), 0.0, "unobserved entry never drawn");
            for (m, v) in mean.iter_mut().zip(w.as_slice()) {
                *m += v / n as f64;
            }
        }
        // E ω = 1 on observed entries; ω ∈ {0, 1.5, 3}, sd ≤ 1.5/√2 per draw, so the mean's standard
        // error is below 1.1/√30000 ≈ 0.006 and 0.03 is five of them
        for k in [0, 1, 3] {
            assert!((mean[k] - 1.0).abs() < 0.03, "entry {k}: {}", mean[k]);
        }
        let draw = |seed| {
            let mut s = MiniBatch::new(Batching::Entries, 1, ChaCha8Rng::seed_from_u64(seed));
            (0..20)
                .map(|_| s.weights(&F64, &pf).as_slice().to_vec())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(5), draw(5));
        assert_ne!(draw(5), draw(6));
    }

    #[test]
    fn sample_batches_weight_whole_columns_without_bias() {
        let p = Problem {
            x: Mat::from_vec(1, 3, vec![BigRational::from_integer(1.into()); 3]),
            y: Mat::from_vec(
                2,
                3,
                (1..=6)
                    .map(|k| BigRational::from_integer(k.into()))
                    .collect(),
            ),
            lambda: BigRational::from_integer(0.into()),
            mask: None,
        }
        .embed(&F64);
        let mut sampler = MiniBatch::new(Batching::Samples, 2, ChaCha8Rng::seed_from_u64(8));
        let n = 30_000;
        let mut mean = [0.0; 6];
        for _ in 0..n {
            let w = sampler.weights(&F64, &p);
            // a drawn sample weighs its whole column: both rows carry the same weight
            for j in 0..3 {
                assert_eq!(w.at(0, j), w.at(1, j));
            }
            for (m, v) in mean.iter_mut().zip(w.as_slice()) {
                *m += v / n as f64;
            }
        }
        // ω ∈ {0, 1.5, 3}: the mean's standard error is below 0.01, so 0.05 is five of them
        assert!(mean.iter().all(|m| (m - 1.0).abs() < 0.05), "{mean:?}");
    }
}
