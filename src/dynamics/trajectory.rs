//! A trajectory thinned to a bounded number of points: step t is kept when t is a multiple of the
//! stride ⌈budget / max_points⌉, and the last point is always kept, so at most max_points + 2
//! points are stored whatever the step budget.

use serde::Serialize;

/// One kept point of a trajectory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    /// The step t (W_t before its update).
    pub step: usize,
    /// F(W_t).
    pub loss: f64,
    /// ‖W_t − W*‖_F to the reference point (the starting minimizer).
    pub distance: f64,
    /// ‖∇F(W_t)‖_F.
    pub grad_norm: f64,
    /// λ_max(∇²F(W_t)) in f64, where computed.
    pub lambda_max: Option<f64>,
}

/// The thinning recorder.
#[derive(Clone, Debug)]
pub struct Thinned {
    stride: usize,
    /// The kept points, in step order.
    pub records: Vec<Record>,
    last: Option<Record>,
}

impl Thinned {
    /// A recorder for runs of at most `budget` steps keeping about `max_points` points.
    pub fn new(budget: usize, max_points: usize) -> Self {
        Thinned {
            stride: budget.div_ceil(max_points.max(1)).max(1),
            records: Vec::new(),
            last: None,
        }
    }
    /// The stride between kept steps.
    pub fn stride(&self) -> usize {
        self.stride
    }
    /// Is step t kept?
    pub fn keeps(&self, step: usize) -> bool {
        step % self.stride == 0
    }
    /// Offer a point; kept when its step is a multiple of the stride.
    pub fn offer(&mut self, r: Record) {
        if self.keeps(r.step) {
            self.records.push(r);
        } else {
            self.last = Some(r);
        }
    }
    /// The kept points plus the final one.
    pub fn finish(mut self) -> Vec<Record> {
        if let Some(last) = self.last {
            if self.records.last().map_or(true, |r| r.step < last.step) {
                self.records.push(last);
            }
        }
        self.records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_is_bounded_and_keeps_the_end() {
        let mut t = Thinned::new(10_000, 100);
        for step in 0..=7_777 {
            t.offer(Record {
                step,
                loss: step as f64,
                distance: 0.0,
                grad_norm: 0.0,
                lambda_max: None,
            });
        }
        assert_eq!(t.stride(), 100);
        let r = t.finish();
        assert!(r.len() <= 102);
        assert_eq!(r.first().unwrap().step, 0);
        assert_eq!(r.last().unwrap().step, 7_777);
        assert!(r.windows(2).all(|w| w[0].step < w[1].step));
    }
}
