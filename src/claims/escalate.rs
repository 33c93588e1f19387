//! Precision escalation (shared/design.md, issue 13: "raise the precision ×2 up to
//! `--max-precision` before answering inconclusive"): the one loop that `check` and `audit` both
//! run, so an audit decides a trial exactly as `check` would decide the written case.

use super::{CaseContext, Claim, Outcome};
use crate::case::Case;
use crate::certify::lambda_max::Settings;
use crate::verdict::Verdict;

/// Check `claim` with `run`, and while it is inconclusive with points the numbers left undecided
/// ([`Outcome::undecided_points`]), check it again at twice the precision, up to `max_prec`
/// (only for claims that [escalate](Claim::escalates)) and while `go_on()` holds. Returns the
/// outcome and the precision it was reached at. A lower precision can thus only leave a check
/// inconclusive, never decide it differently.
pub fn check_escalating(
    claim: &dyn Claim,
    ctx: &CaseContext,
    case: &Case,
    seed: u64,
    max_prec: u32,
    run: impl Fn(&CaseContext) -> Outcome,
    go_on: impl Fn() -> bool,
) -> (Outcome, u32) {
    let mut prec = ctx.settings.prec;
    let mut outcome = run(ctx);
    while claim.escalates()
        && outcome.verdict() == Verdict::Inconclusive
        && outcome.undecided_points
        && prec < max_prec
        && go_on()
    {
        prec = prec.saturating_mul(2).min(max_prec);
        let higher = CaseContext::new(
            case,
            Settings {
                prec,
                ..ctx.settings.clone()
            },
            seed,
        );
        outcome = run(&higher);
    }
    (outcome, prec)
}
