//! Seeded gradient dynamics for KP-escape and WJ-one-way (claims.md): full-batch gradient descent
//! and SGD over mini-batches of observed entries or samples, on the one model of
//! [`crate::model::l2`] (λ = 0 and no mask is the plain linear loss), in any [`crate::linalg::Field`]
//! (f64 for the experiments, MPFR to re-run a trajectory and check its decisions), with stated
//! stopping rules and trajectories thinned to a bounded number of points.
//!
//! Every random choice comes from a ChaCha8 stream fixed by (seed, stream), so a run depends on its
//! seed and its index only, never on the thread that runs it.
//!
//! [`experiment`] holds the two claims' multi-run protocols (the escape run with its MPFR re-run,
//! and the seeded one-way SGD runs with their tally), so that the claims only read settings and
//! interpret the results. This module knows the models and the linear algebra, not the claims.

pub mod descent;
pub mod experiment;
pub mod stats;
pub mod trajectory;

pub use descent::{descend, Batching, MiniBatch, Run, Stop, StopRule};
pub use stats::{wilson95, Proportion};
pub use trajectory::{Record, Thinned};
