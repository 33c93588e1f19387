//! \[ZL\] Zhou & Liang, gradient dominance and regularity (claims.md, "\[ZL\]"): global minimizers of
//! linear, residual and one-hidden-layer networks with square layers, the pointwise
//! gradient-dominance inequalities, the uniform constant on a ball around a minimizer, and the
//! regularity condition in three readings.
//!
//! Data flow: [`problem`] (the case's setting and f*, a [`crate::model::zl::ZlProblem`]) →
//! [`setup::Setup`] (problem, seeded minimizers and samples) → per-sample exact evaluation
//! ([`gd`], [`regularity`]) → an `Outcome` with per-sample tightness ratios in its values and a
//! `dlncheck-zl-certificate` ([`cert`]) for exact verdicts. When the case gives a
//! point, [`case_point::AtCasePoint`] evaluates it once (with its nearest minimizer,
//! [`nearest`]) and every claim reports and decides it beside the samples; [`table`] lists every
//! point of a check, the case's first.

pub mod case_point;
pub mod cert;
pub mod claims;
pub mod gd;
pub mod nearest;
pub mod points;
pub mod problem;
pub mod regularity;
pub mod setup;
pub mod table;

use crate::claims::Claim;
use claims::{ZlGdLinear, ZlGdNeighborhood, ZlGdNonlinear, ZlGdResidual, ZlMinimizers};
use regularity::{ZlRegularityFixed, ZlRegularityNearest, ZlRegularityNormal};

/// Every ZL claim, in the order of claims.md (the regularity readings last).
pub static CLAIMS: [&dyn Claim; 8] = [
    &ZlMinimizers,
    &ZlGdLinear,
    &ZlGdResidual,
    &ZlGdNonlinear,
    &ZlGdNeighborhood,
    &ZlRegularityNearest,
    &ZlRegularityFixed,
    &ZlRegularityNormal,
];
