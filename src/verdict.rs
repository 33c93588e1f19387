//! The four verdicts a check can reach (design.md, "Verdicts").

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
