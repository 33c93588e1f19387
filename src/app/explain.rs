//! `dlncheck explain CLAIM`: what a claim states, where it comes from, which cases it applies to,
//! how it is decided, and how to start a case for it.

use super::{emit, AppError, Status};
use crate::claims::{self, Claim};
use std::fmt::Write;

/// The page of docs/ that explains the claim's family (the id's prefix before the first `-`:
/// KP → docs/claims/kp.md, and KP-escape, a dynamics claim, → docs/claims/dynamics.md).
pub fn doc_page(id: &str) -> String {
    if id == "KP-escape" {
        return "docs/claims/dynamics.md".into();
    }
    let family = id.split('-').next().unwrap_or(id).to_lowercase();
    format!("docs/claims/{family}.md")
}

/// The explanation of `claim`, as printed.
pub fn explain(claim: &dyn Claim) -> String {
    let mut out = String::new();
    let id = claim.info().id;
    let _ = writeln!(out, "{id}  ({})", claim.info().source);
    let _ = writeln!(out, "\n  {}\n", claim.info().statement);
    let _ = writeln!(out, "applies to (checked before the claim runs):");
    for (field, text) in claim.scope().describe() {
        let _ = writeln!(out, "  {field:<11} {text}");
    }
    let _ = writeln!(
        out,
        "\ndecided: exactly (rationals) or by proven enclosures where the inputs are exact, which \
         gives strength `proved`; by agreeing MPFR and f64 values with their error bounds \
         (`numerical`); by seeded simulation (`simulated`). `refuted` always rests on a proved \
         counterexample, premise included; otherwise the verdict is `inconclusive` with the reason."
    );
    if claim.escalates() {
        let _ = writeln!(
            out,
            "precision: a check left inconclusive by too coarse bounds is retried at twice the \
             precision, up to --max-precision."
        );
    }
    let _ = writeln!(out, "\nread more: {}", doc_page(id));
    let _ = writeln!(
        out,
        "start a case: dlncheck init --claim {id} --out my-case.yaml"
    );
    out
}

/// Print the explanation of the claim `id` (case-insensitive; a misspelt id gets a suggestion).
pub fn run(id: &str) -> Result<Status, AppError> {
    let claim = claims::find(id).ok_or_else(|| AppError::Failed(claims::unknown(id)))?;
    emit(&explain(claim));
    Ok(Status::Met)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every claim's page exists in docs/claims/ and names the claim.
    #[test]
    fn every_claim_has_its_page() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for c in claims::registry() {
            let page = doc_page(c.info().id);
            let text = std::fs::read_to_string(root.join(&page))
                .unwrap_or_else(|e| panic!("{}: {page}: {e}", c.info().id));
            assert!(
                text.contains(c.info().id),
                "{page} does not mention {}",
                c.info().id
            );
        }
    }

    #[test]
    fn the_explanation_states_the_scope() {
        let text = explain(claims::find("kp-depth2").unwrap());
        assert!(text.starts_with("KP-depth2"), "{text}");
        assert!(text.contains("depth L = 2"), "{text}");
        assert!(text.contains("X = I (matrix factorization)"), "{text}");
        assert!(text.contains("docs/claims/kp.md"), "{text}");
    }
}
