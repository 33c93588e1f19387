//! `dlncheck validate PATHS…`: read and validate case files without running their checks: the
//! YAML, every field, shapes, exact numbers, known claim ids, and each check's claim against the
//! case (its scope), with the same file, field and line as `check` would report.

use super::{emit, AppError, Status};
use crate::app::check::options::RunOptions;
use crate::app::check::runner;
use crate::case;
use crate::claims;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Validate every case file under `paths` (files, or directories searched recursively); print one
/// line per valid file and one `invalid  file:line:column: field: message` line per problem found,
/// each followed by its source line with a caret under the column (colored on a terminal outside
/// CI). [`Status::Invalid`] when some file is invalid.
pub fn run(paths: &[PathBuf]) -> Result<Status, AppError> {
    let files = runner::discover(paths)?;
    let opts = RunOptions::default();
    let mut out = String::new();
    let mut invalid = 0;
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let color = std::io::stdout().is_terminal() && !ci;
    for file in &files {
        match case::load_file(file, &opts.load) {
            Err(e) => {
                invalid += 1;
                for e in e.all() {
                    let _ = writeln!(out, "invalid  {e}");
                    out += &indent(&case::snippet::render_source(e, color));
                }
            }
            Ok(c) => {
                let refused: Vec<case::CaseError> = c
                    .checks
                    .iter()
                    .enumerate()
                    .filter_map(|(i, k)| {
                        let claim = claims::find(&k.claim)?;
                        let why = claim.scope().refusal(claim.info().id, &c)?;
                        Some(c.error(
                            &format!("checks[{i}]"),
                            format!("{}: {}", why.field, why.message),
                        ))
                    })
                    .collect();
                if refused.is_empty() {
                    let _ = writeln!(
                        out,
                        "ok       {} ({} checks)",
                        file.display(),
                        c.checks.len()
                    );
                } else {
                    invalid += 1;
                    for r in refused {
                        let _ = writeln!(out, "invalid  {r}");
                        out += &indent(&case::snippet::render_source(&r, color));
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "{} valid, {invalid} invalid", files.len() - invalid);
    emit(&out);
    Ok(if invalid > 0 {
        Status::Invalid
    } else {
        Status::Met
    })
}

/// `text` with every line indented under the `invalid  ` of the message above it.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("         {l}\n")).collect()
}
