//! [ZL] Zhou & Liang, gradient dominance and regularity (claims.md, "[ZL]"): global minimizers of
//! linear, residual and one-hidden-layer networks with square layers, the pointwise
//! gradient-dominance inequalities, the uniform constant on a ball around a minimizer, and the
//! regularity condition in three readings.
//!
//! Data flow: [`setup::Setup`] (problem, seeded minimizers and samples) → per-sample exact
//! evaluation ([`gd`], [`regularity`]) → an [`Outcome`] with per-sample tightness ratios in its
//! values and a `dlncheck-zl-certificate` ([`cert`]) for exact verdicts.

pub mod cert;
pub mod claims;
pub mod gd;
pub mod net;
pub mod points;
pub mod regularity;
pub mod setup;
pub mod sigma;

pub use claims::CLAIMS;
