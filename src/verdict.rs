//! The four verdicts a check can reach and the strength of a decided one (design.md, "Verdicts"
//! and "Strength of a verdict").

use serde::{Deserialize, Serialize};

/// The outcome of checking one claim on one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The claim holds on the case, with evidence.
    Verified,
    /// A counterexample, with a certificate when the arithmetic was exact.
    Refuted,
    /// The numerics could not decide within the stated precision; the reason is reported.
    Inconclusive,
    /// The case is invalid for this claim (the message names the field).
    Error,
}

impl Verdict {
    /// The lowercase name used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Refuted => "refuted",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Error => "error",
        }
    }
}

/// What kind of evidence stands behind a decided verdict (design.md, "Strength of a verdict").
/// Ordered from strongest to weakest, so `max` of two strengths is what a conclusion drawn from
/// both rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Every instance was decided by exact arithmetic or by a rigorous enclosure, premises
    /// included.
    Proved,
    /// Some instance rests on approximate values that agree within estimated errors (e.g. an
    /// equality of irrational numbers seen to N bits).
    Numerical,
    /// Seeded runs of the dynamics.
    Simulated,
}

impl Strength {
    /// The lowercase name used in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Proved => "proved",
            Strength::Numerical => "numerical",
            Strength::Simulated => "simulated",
        }
    }
}
