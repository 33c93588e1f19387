//! The claims of claims.md, each a value with an id, its source and statement, and a check over a
//! case. Claims compute verdicts and evidence; they never format output.

pub mod amg;
pub mod amg_mpfr;
pub mod balance;
pub mod book;
pub mod context;
pub mod escape;
pub mod evidence;
pub mod kp;
pub mod wj;
pub mod zl;

pub use context::CaseContext;
pub use evidence::Outcome;

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

/// Every claim dlncheck knows, in the order of claims.md.
pub fn registry() -> Vec<&'static dyn Claim> {
    let mut all: Vec<&'static dyn Claim> = kp::CLAIMS.to_vec();
    all.push(&balance::BalInvariant);
    all.push(&balance::BalFlat);
    all.extend([
        &amg::AmgValues as &dyn Claim,
        &amg::AmgProduct,
        &amg::AmgMinimizers,
        &amg::AmgClassify,
        &amg::AmgClassifyPath,
    ]);
    all.extend(zl::CLAIMS);
    all.push(&escape::KpEscape);
    all.extend(wj::CLAIMS);
    all
}

/// The claim with this id.
pub fn find(id: &str) -> Option<&'static dyn Claim> {
    // claim ids are case-insensitive: `kp-exact` is KP-exact
    registry()
        .into_iter()
        .find(|c| c.id().eq_ignore_ascii_case(id))
}

/// "unknown claim …" with the nearest known id when the given one looks misspelt.
pub fn unknown(id: &str) -> String {
    let ids = known_ids();
    match crate::suggest::nearest(id, ids.iter().map(String::as_str)) {
        Some(near) => format!(
            "unknown claim {id:?}; did you mean {near}? (`dlncheck claims` lists every claim)"
        ),
        None => format!("unknown claim {id:?}; `dlncheck claims` lists every claim"),
    }
}

/// The ids of every registered claim.
pub fn known_ids() -> Vec<String> {
    registry().iter().map(|c| c.id().to_string()).collect()
}

/// The `error` outcome of a claim whose case is invalid for it (the message names the field).
pub fn not_applicable(message: impl Into<String>) -> Outcome {
    Outcome::error(message)
}
