//! The registry: every claim dlncheck knows, found by id.

use super::{amg, balance, escape, kp, wj, zl, Claim};

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
        .find(|c| c.info().id.eq_ignore_ascii_case(id))
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
    registry().iter().map(|c| c.info().id.to_string()).collect()
}
