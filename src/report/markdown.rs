//! report.md: a per-claim summary and a per-case table, suitable for a CI step summary.

use super::{numbers, CheckReport, Report};
use crate::claims::evidence::{json_f64, Readings};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A long name cut to its first `chars` characters, "…" marking the cut; "—" when absent.
fn short(s: Option<&str>, chars: usize) -> String {
    match s {
        Some(s) if s.chars().count() > chars => {
            format!("{}…", s.chars().take(chars).collect::<String>())
        }
        Some(s) => s.to_string(),
        None => "—".into(),
    }
}

/// The MPFR value with its error bound ([`numbers::with_radius`]), or its text when it is not
/// finite.
fn mpfr_text(r: &Readings) -> Option<String> {
    let d = r.mpfr.as_ref()?;
    let tol = r
        .mpfr_tolerance
        .filter(|t| t.is_finite())
        .and_then(rug::Rational::from_f64);
    Some(match (&d.value, tol) {
        (Some(q), Some(t)) => numbers::with_radius(q, &t),
        (Some(q), None) => numbers::exact(q),
        (None, _) => d.text.clone(),
    })
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The verdict with its strength, e.g. `verified (proved)`, marked ✗ when unmet.
pub fn verdict_cell(c: &CheckReport) -> String {
    let mark = if c.met { "" } else { " ✗" };
    format!("{}{mark}", verdict_text(c))
}

/// The verdict with its strength, e.g. `refuted (proved)`, without the unmet mark.
pub fn verdict_text(c: &CheckReport) -> String {
    match c.strength {
        Some(s) => format!("{} ({})", c.verdict.as_str(), s.as_str()),
        None => c.verdict.as_str().to_string(),
    }
}

/// The expectation, e.g. `verified`, or `proved` when it asks for a proved verification.
pub fn expect_cell(c: &CheckReport) -> &'static str {
    match (c.expect, c.expect_strength) {
        (Some(_), Some(s)) => s.as_str(),
        (Some(v), None) => v.as_str(),
        (None, _) => "—",
    }
}

/// Per claim: counts of verified, refuted, inconclusive and error verdicts, of proved, numerical
/// and simulated decided verdicts, and of unmet expectations (in that order).
pub(crate) fn counts_per_claim(r: &Report) -> BTreeMap<&str, [usize; 8]> {
    // verified, refuted, inconclusive, error, proved, numerical, simulated, unmet
    let mut per_claim: BTreeMap<&str, [usize; 8]> = BTreeMap::new();
    for c in &r.cases {
        for k in &c.checks {
            let e = per_claim.entry(&k.claim).or_default();
            e[k.verdict as usize] += 1;
            if let Some(s) = k.strength {
                e[4 + s as usize] += 1;
            }
            e[7] += usize::from(!k.met);
        }
    }
    per_claim
}

/// The per-claim table (Markdown): counts of each verdict, of proved, numerical and simulated
/// decided verdicts, and of unmet expectations, plus totals.
pub fn summary_table(r: &Report) -> String {
    let per_claim = counts_per_claim(r);
    let mut out = String::from(
        "| claim | verified | refuted | inconclusive | error | proved | numerical | simulated | unmet |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (claim, n) in &per_claim {
        let _ = writeln!(
            out,
            "| {claim} | {} | {} | {} | {} | {} | {} | {} | {} |",
            n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]
        );
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "| **all ({} cases, {} invalid)** | {} | {} | {} | {} | {} | {} | {} | {} |",
        s.cases,
        s.errors,
        s.verified,
        s.refuted,
        s.inconclusive,
        s.checks - s.verified - s.refuted - s.inconclusive,
        s.proved,
        s.numerical,
        s.simulated,
        s.unmet
    );
    out
}

/// Render the Markdown report.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(out, "# dlncheck report\n");
    let _ = writeln!(
        out,
        "{} cases, {} checks: {} verified, {} refuted, {} inconclusive; of the decided verdicts {} proved, {} numerical, {} simulated; {} invalid cases; **{} unmet expectations**. Convention: f = ½‖PX − Y‖² (`{}`); dlncheck {}.\n",
        s.cases, s.checks, s.verified, s.refuted, s.inconclusive, s.proved, s.numerical, s.simulated, s.errors, s.unmet, r.convention, r.tool_version
    );
    let _ = writeln!(out, "## By claim\n\n{}\n## By case\n", summary_table(r));
    for c in &r.cases {
        let _ = writeln!(out, "### {} (`{}`)\n", c.name, c.file);
        if let (Some(e), Some(why)) = (&c.error, c.stopped) {
            let what = match why {
                crate::report::Stopped::Timeout => "timed out",
                crate::report::Stopped::Refused => "refused",
            };
            let _ = writeln!(out, "**{what}**: {}\n", cell(e));
            continue;
        }
        if c.error.is_some() {
            match c.error_lines().as_slice() {
                [one] => {
                    let _ = writeln!(out, "**invalid case**: {}\n", cell(one));
                }
                all => {
                    let _ = writeln!(out, "**invalid case** ({} errors):\n", all.len());
                    for e in all {
                        let _ = writeln!(out, "- {}", cell(e));
                    }
                    let _ = writeln!(out);
                }
            }
            continue;
        }
        if let Some(why) = &c.skipped {
            let _ = writeln!(out, "**skipped**: {}\n", cell(why));
            continue;
        }
        for n in &c.notes {
            let _ = writeln!(out, "- note: {}", cell(n));
        }
        let _ = writeln!(
            out,
            "| claim | verdict | expected | λ_max f64 | λ_max MPFR | λ_max enclosure | basis | reason |\n|---|---|---|---|---|---|---|---|"
        );
        for k in &c.checks {
            let expect = expect_cell(k);
            let lam = k.values.lambda_max();
            // the f64 value as the JSON writes it (a non-finite value is null there: "—")
            let f64_text = lam
                .filter(|r| r.f64.is_finite())
                .map(|r| json_f64(r.f64).to_string());
            let enclosure = lam
                .and_then(|r| r.enclosure.as_ref())
                .map(|e| numbers::enclosure(&e.lo, &e.hi));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                k.claim,
                verdict_cell(k),
                expect,
                f64_text.as_deref().unwrap_or("—"),
                lam.and_then(mpfr_text).as_deref().unwrap_or("—"),
                enclosure.as_deref().unwrap_or("—"),
                short(k.values.basis.as_ref().map(|b| b.name.as_str()), 40),
                cell(k.reason.as_deref().unwrap_or("")),
            );
        }
        let _ = writeln!(out);
        for k in &c.checks {
            if let Some(t) = point_table(k) {
                let _ = writeln!(out, "{t}");
            }
        }
    }
    out
}

/// A check's points folded in a `<details>` block: one row per point (the case's own first, in
/// bold and marked "case"), with what the point says, on what strength, its certificate's place in
/// the bundle and its figures ([`numbers::figures`]); `None` without a table.
pub fn point_table(k: &CheckReport) -> Option<String> {
    let rows = k.values.point_table.as_ref().filter(|r| !r.is_empty())?;
    let mut out = format!(
        "<details><summary>{}: {}</summary>\n\n| point | at the point | strength | certificate | figures |\n|---|---|---|---|---|\n",
        k.claim,
        numbers::points_heading(rows)
    );
    for r in rows {
        let label = if r.case_point {
            format!("**{}** (case)", cell(&r.label))
        } else {
            cell(&r.label)
        };
        let verdict = match &r.reason {
            Some(why) => format!("{}: {}", r.verdict.as_str(), cell(why)),
            None => r.verdict.as_str().to_string(),
        };
        let _ = writeln!(
            out,
            "| {label} | {verdict} | {} | {} | {} |",
            r.strength.map_or("—", |s| s.as_str()),
            r.certificate.map_or("—".into(), |i| format!("point {i}")),
            cell(&numbers::figures(&r.figures).join("; ")),
        );
    }
    out.push_str("\n</details>\n");
    Some(out)
}
