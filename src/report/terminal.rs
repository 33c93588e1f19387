//! The end of `dlncheck check` (and `merge`) on the terminal: an aligned per-claim table with the
//! cases that did not run as rows, then, pytest-style, one block per unmet check and per invalid
//! or stopped case: what was expected, what came out, why, the decisive figures and the
//! certificate. report.md keeps its Markdown table (CI step summaries read Markdown); this is the
//! text a person reads at the end of a run.
//!
//! Like every writer it renders the report and never recomputes a verdict; the output depends on
//! the report alone, so the same report prints the same text.

use super::markdown::{expect_cell, verdict_text};
use super::numbers::{self, Shown};
use super::{CaseReport, CheckReport, Report, Stopped};
use crate::claims::evidence::Number;
use comfy_table::{presets, CellAlignment, ColumnConstraint, ContentArrangement, Table, Width};
use std::fmt::Write;

/// Widest cell of free text (case names, reasons) in a table before it wraps.
const TEXT_WIDTH: u16 = 60;

/// How much the terminal summary lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Detail {
    /// Also list every check (`-v`), not only the unmet ones.
    pub every_check: bool,
    /// Color the source snippets of invalid case files (a terminal outside CI).
    pub color: bool,
}

/// The whole terminal summary: the per-claim table, the listing of every check when asked, and
/// one block per unmet check and per case that is invalid or was stopped.
pub fn summary(r: &Report, detail: Detail) -> String {
    let mut out = claim_table(r);
    if detail.every_check {
        out.push('\n');
        out += &check_table(r);
    }
    let blocks = problem_blocks(r, detail);
    if !blocks.is_empty() {
        let _ = writeln!(out, "\n{}", blocks.join("\n"));
    }
    let warnings = warnings(r);
    if !warnings.is_empty() {
        if blocks.is_empty() {
            out.push('\n');
        }
        out += &warnings;
    }
    out
}

/// At most this many notes of one case are printed as warnings (report.json keeps them all).
const MAX_WARNINGS: usize = 5;

/// The cases' notes on their inputs (YAML floats read as their exact binary values) as
/// `warning: FILE: NOTE` lines, at most five per case and then how many more.
pub fn warnings(r: &Report) -> String {
    let mut out = String::new();
    for c in &r.cases {
        for note in c.notes.iter().take(MAX_WARNINGS) {
            let _ = writeln!(out, "warning: {}: {note}", c.file);
        }
        if c.notes.len() > MAX_WARNINGS {
            let _ = writeln!(
                out,
                "warning: {}: and {} more notes (report.json lists them); quote a decimal (\"0.1\") \
                 or write a fraction (\"1/10\") to mean it exactly",
                c.file,
                c.notes.len() - MAX_WARNINGS
            );
        }
    }
    out
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .apply_modifier(comfy_table::modifiers::UTF8_ROUND_CORNERS)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

/// The per-claim counts, the cases that did not run (skipped by tier, invalid, stopped by a
/// limit) as rows of their own, and the totals.
pub fn claim_table(r: &Report) -> String {
    let per_claim = super::markdown::counts_per_claim(r);
    let mut t = new_table();
    t.set_header(vec![
        "claim",
        "verified",
        "refuted",
        "inconclusive",
        "error",
        "proved",
        "numerical",
        "simulated",
        "unmet",
    ]);
    for (claim, n) in &per_claim {
        let mut row = vec![claim.to_string()];
        row.extend(n.iter().map(usize::to_string));
        t.add_row(row);
    }
    for c in &r.cases {
        if let Some(label) = not_run(c) {
            let why = match (label, &c.skipped) {
                // "tier: long; run with …": the part before the advice
                ("skipped", Some(w)) => format!(" ({})", w.split(';').next().unwrap_or(w)),
                _ => " (below)".to_string(),
            };
            let mut row = vec![format!("{label}: {}{why}", c.name)];
            row.extend(vec!["—".to_string(); 8]);
            t.add_row(row);
        }
    }
    let s = &r.summary;
    let mut parts = vec![format!("{} cases", s.cases)];
    for (n, what) in [
        (s.skipped, "skipped"),
        (invalid_count(r), "invalid"),
        (stopped_count(r), "stopped"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    t.add_row(vec![
        format!("all ({})", parts.join(", ")),
        s.verified.to_string(),
        s.refuted.to_string(),
        s.inconclusive.to_string(),
        (s.checks - s.verified - s.refuted - s.inconclusive).to_string(),
        s.proved.to_string(),
        s.numerical.to_string(),
        s.simulated.to_string(),
        s.unmet.to_string(),
    ]);
    if let Some(col) = t.column_mut(0) {
        col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(36)));
    }
    for i in 1..9 {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    format!("{t}\n")
}

/// The closing line: what needs attention (unmet checks, invalid case files, cases stopped by a
/// limit), then how many checks met their expectation and how many cases were skipped.
pub fn status_line(r: &Report) -> String {
    let s = &r.summary;
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut problems = Vec::new();
    if s.unmet > 0 {
        problems.push(plural(
            s.unmet,
            "check differs from its expectation",
            "checks differ from their expectation",
        ));
    }
    let invalid = invalid_count(r);
    if invalid > 0 {
        problems.push(plural(invalid, "invalid case file", "invalid case files"));
    }
    let stopped = stopped_count(r);
    if stopped > 0 {
        problems.push(plural(
            stopped,
            "case stopped by a limit (timeout or memory budget)",
            "cases stopped by a limit (timeout or memory budget)",
        ));
    }
    let met = s.checks - s.unmet;
    let mut line = if problems.is_empty() {
        format!(
            "all {} met their expectation",
            plural(s.checks, "check", "checks")
        )
    } else {
        format!(
            "{}; {met} of {} met their expectation",
            problems.join(", "),
            plural(s.checks, "check", "checks")
        )
    };
    let deselected: usize = r.cases.iter().map(|c| c.deselected.len()).sum();
    if deselected > 0 {
        line += &format!(
            " ({} deselected by --claim or -k)",
            plural(deselected, "check", "checks")
        );
    }
    let not_run = r
        .cases
        .iter()
        .filter(|c| {
            c.skipped
                .as_deref()
                .is_some_and(|w| w.starts_with(super::FAIL_FAST_SKIP))
        })
        .count();
    if s.skipped > not_run {
        line += &format!(
            " ({} skipped: `--tier long` runs them)",
            plural(s.skipped - not_run, "case", "cases")
        );
    }
    if not_run > 0 {
        line += &format!(
            " ({} not run: --fail-fast stopped the run)",
            plural(not_run, "case", "cases")
        );
    }
    line
}

/// `skipped`, `invalid` or `stopped` for a case that did not run its checks; `None` otherwise.
fn not_run(c: &CaseReport) -> Option<&'static str> {
    if c.skipped.is_some() {
        Some("skipped")
    } else if c.stopped.is_some() {
        Some("stopped")
    } else if c.error.is_some() {
        Some("invalid")
    } else {
        None
    }
}

fn invalid_count(r: &Report) -> usize {
    r.cases
        .iter()
        .filter(|c| not_run(c) == Some("invalid"))
        .count()
}

fn stopped_count(r: &Report) -> usize {
    r.cases.iter().filter(|c| c.stopped.is_some()).count()
}

/// `-v`: every check, one row each, unmet ones marked.
pub fn check_table(r: &Report) -> String {
    let mut t = new_table();
    t.set_header(vec!["", "case", "claim", "verdict", "expected"]);
    for c in &r.cases {
        for k in &c.checks {
            t.add_row(vec![
                if k.met { "ok" } else { "UNMET" }.to_string(),
                c.name.clone(),
                k.claim.clone(),
                verdict_text(k),
                expect_cell(k).to_string(),
            ]);
        }
    }
    if let Some(col) = t.column_mut(1) {
        col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(TEXT_WIDTH)));
    }
    format!("{t}\n")
}

/// One block per unmet check and per case that did not run for a reason that needs fixing
/// (invalid input, a limit); skipped cases are only rows of the table.
pub fn problem_blocks(r: &Report, detail: Detail) -> Vec<String> {
    let mut blocks = Vec::new();
    for c in &r.cases {
        if c.skipped.is_some() {
            continue;
        }
        if c.error.is_some() {
            let lines = c.error_lines();
            let label = if lines.len() > 1 { "errors" } else { "error" };
            // each message followed by its source line and caret, when the error is at hand
            let text = match &c.diagnostic {
                Some(e) => e
                    .all()
                    .map(|e| {
                        let source = crate::case::snippet::render_source(e, detail.color);
                        format!("{e}\n{source}")
                    })
                    .collect::<String>(),
                None => lines.join("\n"),
            };
            let what = match c.stopped {
                Some(Stopped::Timeout) => "stopped: timed out",
                Some(Stopped::Refused) => "stopped: refused by the memory budget",
                None => "invalid case",
            };
            blocks.push(block(
                &format!("{what}: {}", c.name),
                &[("file", c.file.clone()), (label, text)],
            ));
            continue;
        }
        for k in c.checks.iter().filter(|k| !k.met) {
            blocks.push(check_block(c, k));
        }
    }
    blocks
}

/// The block of one unmet check.
pub fn check_block(c: &CaseReport, k: &CheckReport) -> String {
    let mut lines = vec![
        ("file", c.file.clone()),
        ("verdict", verdict_text(k)),
        ("expected", expectation(k)),
    ];
    if let Some(reason) = &k.reason {
        lines.push(("reason", reason.clone()));
    }
    let figures = figures(k);
    for (label, value) in &figures {
        lines.push((label, value.clone()));
    }
    if let Some(cert) = &k.certificate {
        lines.push(("certificate", cert.clone()));
    }
    block(&format!("unmet: {} · {}", c.name, k.claim), &lines)
}

/// The expectation in words: `verified`, `a proved verification`, or `no error` when none was set.
fn expectation(k: &CheckReport) -> String {
    match (k.expect, k.expect_strength) {
        (Some(v), Some(s)) => format!("{} ({})", v.as_str(), s.as_str()),
        (Some(v), None) => v.as_str().to_string(),
        (None, _) => "no expectation: a check that runs without error".to_string(),
    }
}

/// A titled block of `label: value` lines, the values aligned and continued under themselves.
fn block(title: &str, lines: &[(&str, String)]) -> String {
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    // a rule of 80 columns with the title in it, as pytest heads its failures
    let tail = 80usize.saturating_sub(title.chars().count() + 5).max(3);
    let mut out = format!("─── {title} {}\n", "─".repeat(tail));
    for (label, value) in lines {
        let pad = " ".repeat(width - label.chars().count());
        let indent = " ".repeat(width + 4);
        let mut first = true;
        for part in value.lines() {
            if first {
                let _ = writeln!(out, "  {label}:{pad} {part}");
                first = false;
            } else {
                let _ = writeln!(out, "{indent}{part}");
            }
        }
    }
    out
}

/// At most this many quantities per block.
const MAX_QUANTITIES: usize = 3;

/// The decisive figures of a check, readable: where it was decided, the classes compared, the
/// main quantities as [`Shown::labelled`] writes them (exact values whole when short, otherwise
/// correctly rounded and marked; enclosures rounded outward; floating-point values with their
/// error bound), f*, the points that held and
/// the basis of the verdict.
pub fn figures(k: &CheckReport) -> Vec<(&'static str, String)> {
    let v = &k.values;
    let reason = k.reason.as_deref().unwrap_or("");
    let mut out = Vec::new();
    if let Some(p) = &v.decisive_point {
        if !reason.contains(p.as_str()) {
            out.push(("at", p.clone()));
        }
    }
    if let Some(c) = &v.classes {
        out.push((
            "class",
            format!(
                "{} by the criterion, {} by the certificate",
                c.criterion, c.certificate
            ),
        ));
    }
    for (label, q) in v
        .headline_estimates()
        .filter_map(|(label, r)| Shown::of(r).map(|q| (label, q)))
        .take(MAX_QUANTITIES)
    {
        out.push((label, q.labelled()));
    }
    for (label, x) in [
        ("f*", &v.f_star),
        ("loss", &v.loss),
        ("f", &v.critical_value),
    ] {
        if let Some(x) = x {
            out.push((label, readable(x)));
        }
    }
    if let Some(t) = v.tally() {
        let (n, h, vac) = (t.points, t.holding, t.vacuous);
        let vac = if vac > 0 {
            format!(" ({vac} vacuously)")
        } else {
            String::new()
        };
        out.push(("points", format!("the claim holds at {h} of {n}{vac}")));
    }
    if let Some(p) = v.precision_bits_used {
        out.push(("precision", format!("{p} bits")));
    }
    if let Some(b) = &v.basis {
        out.push(("basis", b.name.clone()));
    }
    out
}

/// A single number: its exact value as [`numbers::exact`] (a decimal's too), else its text.
fn readable(x: &Number) -> String {
    match x.value() {
        Some(q) => numbers::exact(q),
        None => x.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_align_their_values() {
        let b = block("t", &[("a", "x".into()), ("long", "y\nz".into())]);
        let rule = "─".repeat(74);
        assert_eq!(
            b,
            format!("─── t {rule}\n  a:    x\n  long: y\n        z\n")
        );
    }
}
