//! `dlncheck init --claim ID [--out FILE]`: write a case file to start from, for one claim.
//!
//! The scaffold is the smallest shipped case (cases/, embedded in the binary at build time) that
//! checks the claim and lies within its scope, with a header saying what each field is, its
//! `name` replaced and its `checks` reduced to the one claim. It is validated like any case before
//! it is written, so a scaffold is always a case `check` accepts.

use super::{emit, AppError, Status};
use crate::case::{self, LoadOptions};
use crate::claims::{self, Claim};
use include_dir::{include_dir, Dir};
use std::path::{Path, PathBuf};

/// The shipped cases, embedded at build time.
static SHIPPED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/cases");

/// The header written above every scaffold.
const HEADER: &str = "\
# A dlncheck case (cases/schema.json has every field; `dlncheck explain CLAIM` says what a claim
# needs). Numbers: integers, quoted rationals \"1/3\" and quoted decimals \"0.1\" are exact; an
# unquoted float 0.1 is read as the binary value it stands for.
#   model:  kind (linear, residual, one-hidden-layer, l2-regularized) and dims [d_0, …, d_L],
#           W_k is d_k × d_(k−1)
#   data:   x (d_0 × n, or `identity`) and y (d_L × n)
#   point:  the weights W_1 … W_L (optional for claims that generate their own points)
#   checks: the claims to check, each with an optional `expect: verified|proved|refuted|inconclusive`
# Run it with: dlncheck check FILE
";

/// What to write.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The claim id (case-insensitive).
    #[arg(long)]
    pub claim: String,
    /// The file to write (never overwritten); stdout when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The scaffold for `claim`: the header, then the smallest shipped example case that checks it,
/// renamed and reduced to that one check; `None` when no shipped case checks it.
pub fn scaffold(claim: &dyn Claim) -> Option<String> {
    let opts = LoadOptions {
        known_claims: claims::known_ids(),
        ..LoadOptions::default()
    };
    let mut examples: Vec<(&str, &str)> = SHIPPED
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "yaml"))
        .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
        .collect();
    examples.sort_by_key(|(name, text)| (text.len(), *name));
    examples.into_iter().find_map(|(name, text)| {
        let shown = Path::new("cases").join(name);
        let c = case::load_str(text, &shown, &opts).ok()?;
        let checks_it = c.checks.iter().any(|k| k.claim == claim.info().id);
        if !checks_it || claim.scope().refusal(claim.info().id, &c).is_some() {
            return None;
        }
        let body = reduce(text, claim.info().id)?;
        let out = format!(
            "{HEADER}# Started from {} (dlncheck init --claim {}).\n{body}",
            shown.display(),
            claim.info().id
        );
        case::load_str(&out, Path::new("scaffold.yaml"), &opts).ok()?;
        Some(out)
    })
}

/// The case text with its top-level `name` set to `my-<id>` and its top-level `checks` block
/// replaced (with the comment lines inside it) by the one check of `id`; `None` when the text has
/// no `checks` block at column 0.
fn reduce(text: &str, id: &str) -> Option<String> {
    let mut out = String::new();
    let mut in_checks = false;
    let mut saw_checks = false;
    let mut saw_name = false;
    for line in text.lines() {
        let top_level = line
            .chars()
            .next()
            .is_some_and(|ch| !ch.is_whitespace() && ch != '-' && ch != '#');
        if top_level {
            in_checks = false;
        }
        if top_level && line.starts_with("checks:") {
            in_checks = true;
            saw_checks = true;
            out += &format!("checks:\n  - {{claim: {id}}}\n");
            continue;
        }
        if in_checks {
            continue;
        }
        if top_level && line.starts_with("name:") {
            saw_name = true;
            out += &format!("name: my-{}\n", id.to_lowercase());
            continue;
        }
        if top_level && line.starts_with("tier:") {
            continue;
        }
        out += line;
        out.push('\n');
    }
    if !saw_name {
        out = format!("name: my-{}\n{out}", id.to_lowercase());
    }
    saw_checks.then_some(out)
}

/// Write the scaffold for the claim to `--out` (never over an existing file) or stdout.
pub fn run(args: Args) -> Result<Status, AppError> {
    let claim =
        claims::find(&args.claim).ok_or_else(|| AppError::Failed(claims::unknown(&args.claim)))?;
    let text = scaffold(claim).ok_or_else(|| {
        AppError::Failed(format!(
            "no shipped case checks {} within its scope to start from",
            claim.info().id
        ))
    })?;
    match &args.out {
        None => emit(&text),
        Some(path) => {
            use std::io::Write;
            let io = |source| AppError::Io {
                path: path.clone(),
                source,
            };
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            eprintln!(
                "wrote {} (check it with: dlncheck check {})",
                path.display(),
                path.display()
            );
        }
    }
    Ok(Status::Met)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduce_keeps_the_case_and_one_check() {
        let text = "version: 1\nname: x\nmodel: {kind: linear, dims: [1, 1]}\nchecks:\n  - {claim: KP-exact}\n  - {claim: KP-trace, expect: proved}\n# end\nseed: 3\n";
        let out = reduce(text, "KP-trace").unwrap();
        assert_eq!(
            out,
            "version: 1\nname: my-kp-trace\nmodel: {kind: linear, dims: [1, 1]}\nchecks:\n  - {claim: KP-trace}\nseed: 3\n"
        );
        assert!(reduce("version: 1\n", "KP-exact").is_none());
    }
}
