//! The report of a run (the JSON v1 contract of design.md) and its writers. Writers render results
//! and never recompute them; every file is written to a temporary name and renamed.

pub mod atomic;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod numbers;
pub mod terminal;
pub mod trajectory;

use crate::claims::evidence::Values;
use crate::verdict::{Strength, Verdict};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The whole run, exactly the JSON report v1 (extra fields are additions the contract allows).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Always 1.
    pub version: u32,
    /// "dlncheck"
    pub tool: String,
    /// The crate version.
    pub tool_version: String,
    /// "half": f(W) = ½‖PX − Y‖² (papers without the ½ have every eigenvalue doubled).
    pub convention: String,
    /// One entry per case file, in path order.
    pub cases: Vec<CaseReport>,
    /// Counts over the cases.
    pub summary: Summary,
}

/// One case file's results.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CaseReport {
    /// The case's name.
    pub name: String,
    /// The case file as given on the command line (or found under a directory).
    pub file: String,
    /// "ok" or "error" (the case itself is invalid).
    pub status: String,
    /// The error with file, field and line, when status is "error" (the first one found).
    pub error: Option<String>,
    /// Every error of an invalid case file, `error` first and the others in line order; absent
    /// when there is at most one (an addition the JSON contract allows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The seed that fixed this case's random choices.
    pub seed: Option<u64>,
    /// The MPFR precision used, in bits.
    pub precision_bits: Option<u32>,
    /// Notes on the inputs (YAML floats read as their exact binary values).
    pub notes: Vec<String>,
    /// One entry per check of the case.
    pub checks: Vec<CheckReport>,
    /// Why the case was not run (a `tier: long` case in a default-tier run, or a case after the
    /// first failure with `--fail-fast`); its checks are empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Set when a valid case was stopped: `"timeout"` (past `--case-timeout`) or `"refused"`
    /// (memory estimate over `--memory-budget`); its status is then "error". Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
    /// The claims of the case left out by `check --claim` (not run, not failures); absent when
    /// none were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deselected: Vec<String>,
    /// The invalid case file's errors with their source lines, for the terminal's failure block
    /// (each message followed by its line and a caret); never written to report.json or
    /// report.md, which keep the one-line messages (a report read back from JSON has none).
    #[serde(skip)]
    pub diagnostic: Option<Box<crate::case::CaseError>>,
}

/// How the `skipped` reason of a case left out by `check --fail-fast` begins.
pub const FAIL_FAST_SKIP: &str = "not run: --fail-fast";

impl CaseReport {
    /// Every error of the case: `errors` when it lists them, else `error` alone.
    pub fn error_lines(&self) -> Vec<&str> {
        if self.errors.is_empty() {
            self.error.iter().map(String::as_str).collect()
        } else {
            self.errors.iter().map(String::as_str).collect()
        }
    }

    /// Did the case fail: invalid or stopped (status "error"), or a check that did not meet its
    /// expectation?
    pub fn failed(&self) -> bool {
        self.status == "error" || self.checks.iter().any(|k| !k.met)
    }
}

/// Why a valid case was stopped before its checks finished.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Stopped {
    /// It ran past the wall-clock limit (`--case-timeout`).
    Timeout,
    /// Its memory estimate exceeded the budget (`--memory-budget`); nothing ran.
    Refused,
}

/// One claim checked on one case.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CheckReport {
    /// The claim id (claims.md).
    pub claim: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What kind of evidence stands behind a verified or refuted verdict (`proved`, `numerical`
    /// or `simulated`); null for inconclusive and error (design.md, "Strength of a verdict").
    #[serde(default)]
    pub strength: Option<Strength>,
    /// The case's expectation, if any.
    pub expect: Option<Verdict>,
    /// The strength the expectation asks for (`expect: proved`); absent when it asks for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_strength: Option<Strength>,
    /// Whether the verdict met the expectation (without one: whether the check ran without error).
    pub met: bool,
    /// Why the verdict is what it is.
    pub reason: Option<String>,
    /// The numbers behind the verdict (typed where the writers read them; JSON v1 `values`).
    pub values: Box<Values>,
    /// Path of the saved certificate, for verdicts decided in exact arithmetic.
    pub certificate: Option<String>,
    /// SHA-256 of the certificate file's bytes (lowercase hex), binding the file to this report:
    /// `verify-cert --report` fails a certificate whose digest differs (docs/certificates.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<String>,
    /// Wall-clock seconds (null with --no-timing, so reports can be compared byte for byte).
    pub seconds: Option<f64>,
}

/// Counts over the cases, as the contract defines them.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    /// Number of case files.
    pub cases: usize,
    /// Number of checks.
    pub checks: usize,
    /// Checks verified.
    pub verified: usize,
    /// Checks refuted.
    pub refuted: usize,
    /// Checks inconclusive.
    pub inconclusive: usize,
    /// Cases whose status is "error".
    pub errors: usize,
    /// Checks whose verdict differs from the expectation.
    pub unmet: usize,
    /// Verified or refuted checks whose strength is `proved`.
    #[serde(default)]
    pub proved: usize,
    /// Verified checks whose strength is `numerical`.
    #[serde(default)]
    pub numerical: usize,
    /// Verified checks whose strength is `simulated`.
    #[serde(default)]
    pub simulated: usize,
    /// Cases not run because of their tier (absent from the JSON when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skipped: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    /// A report over these cases with its summary computed from them.
    pub fn new(cases: Vec<CaseReport>) -> Self {
        let mut s = Summary {
            cases: cases.len(),
            ..Summary::default()
        };
        for c in &cases {
            s.errors += usize::from(c.status == "error");
            s.skipped += usize::from(c.skipped.is_some());
            for k in &c.checks {
                s.checks += 1;
                match k.verdict {
                    Verdict::Verified => s.verified += 1,
                    Verdict::Refuted => s.refuted += 1,
                    Verdict::Inconclusive => s.inconclusive += 1,
                    Verdict::Error => {}
                }
                s.unmet += usize::from(!k.met);
                match k.strength {
                    Some(Strength::Proved) => s.proved += 1,
                    Some(Strength::Numerical) => s.numerical += 1,
                    Some(Strength::Simulated) => s.simulated += 1,
                    None => {}
                }
            }
        }
        Report {
            version: 1,
            tool: "dlncheck".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            convention: "half".into(),
            cases,
            summary: s,
        }
    }

    /// Write report.json, report.md, report.html and junit.xml into `dir` (each atomically).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)? + "\n";
        let junit = junit::render(self).map_err(std::io::Error::other)?;
        atomic::write(&dir.join("report.json"), json.as_bytes())?;
        atomic::write(&dir.join("report.md"), markdown::render(self).as_bytes())?;
        atomic::write(
            &dir.join("report.html"),
            html::render_in(self, dir).as_bytes(),
        )?;
        atomic::write(&dir.join("junit.xml"), junit.as_bytes())
    }

    /// Combine shard reports into one: cases in file order (as an unsharded run lists them), the
    /// summary recomputed. A file present in two shards is an error.
    pub fn merge(parts: Vec<Report>) -> Result<Report, String> {
        let mut cases: Vec<CaseReport> = parts.into_iter().flat_map(|r| r.cases).collect();
        // the order of an unsharded run: case files sorted as paths
        cases.sort_by(|a, b| Path::new(&a.file).cmp(Path::new(&b.file)));
        if let Some(w) = cases.windows(2).find(|w| w[0].file == w[1].file) {
            return Err(format!("{} appears in more than one shard", w[0].file));
        }
        Ok(Report::new(cases))
    }
}
