//! The [`Claim`] trait: one checkable statement of claims.md, with its id, source and statement.

use super::{CaseContext, Outcome};

/// One checkable statement (argmin-style: one required method besides the identifiers).
pub trait Claim: Sync {
    /// The id used in YAML cases, reports and the CLI (claims.md).
    fn id(&self) -> &'static str;
    /// The paper or section of claims.md the statement comes from.
    fn source(&self) -> &'static str;
    /// The statement being checked, in the project's conventions (the ½ in the loss).
    fn statement(&self) -> &'static str;
    /// Check the claim on a case.
    fn check(&self, ctx: &CaseContext) -> Outcome;
    /// Does a higher MPFR precision help when this claim's check leaves points undecided? When
    /// it does, the runner repeats an inconclusive check at twice the precision, up to
    /// `--max-precision`, before reporting it (claims whose undecided points are a matter of
    /// principle, or that raise the precision themselves, say no).
    fn escalates(&self) -> bool {
        false
    }
}

/// The `error` outcome of a claim whose case is invalid for it (the message names the field).
pub fn not_applicable(message: impl Into<String>) -> Outcome {
    Outcome::error(message)
}
