//! Independent checker for dlncheck certificates (docs/certificates.md, version 1).
//!
//! A certificate fixes a deep linear network problem exactly — weights W_1 … W_L, inputs X and
//! targets Y, every number an exact string `"p"` or `"-p/q"` — and states enclosures of λ_max of
//! symmetric matrices built from it, exact scalars, and assertions about the loss
//! f(W) = ½‖W_L⋯W_1 X − Y‖²_F at that point. This module re-checks all of it in exact rational
//! arithmetic with code of its own: its own rational matrices (`rational.rs`), its own loss,
//! gradient and Hessian obtained purely from loss evaluations by exact polynomial interpolation
//! (`loss.rs`), and its own LDLᵀ definiteness test (`ldlt.rs`). It shares no numerical code with
//! the producer of the certificates.
//!
//! The verdict is then re-derived (`rules.rs`, `verdict.rs`): per claim, which of the facts that
//! passed imply which verdict; a certificate whose stated verdict or strength does not follow, of
//! an unknown claim, with a tolerance, or without the assertions its verdict needs, fails.
//!
//! [`verify_str`] and [`verify_file`] return a [`VerifyReport`] with one [`CheckLine`] per
//! quantity and per assertion and the verdict's derivation, or a [`VerifyError`] when the certificate cannot be read (invalid
//! JSON, wrong kind or version, a malformed field — the message names its JSON path, e.g.
//! `problem.weights[1][0][2]: not an exact number "abc" …`).
#![warn(missing_docs)]

mod algebraic;
mod amg;
mod binding;
mod json;
mod kind;
mod ldlt;
mod loss;
mod point;
mod rational;
mod rules;
mod verdict;
mod zl;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

/// The most parameters P = Σ_k d_k d_{k−1} a certificate may have (the Hessian is P × P and is
/// built from O(P²) interpolations); larger problems are refused before anything is allocated.
pub const MAX_PARAMS: usize = 4096;

/// The most entries X and Y may each have (so that d_L·n and the Kronecker operator stay small).
pub const MAX_DATA_ENTRIES: usize = 4096;

/// One checked statement of a certificate: a quantity or an assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckLine {
    /// What was checked, e.g. `quantity lambda_max: λ_max(hessian) ∈ [91/9, 91/9]`.
    pub what: String,
    /// Whether the check passed.
    pub ok: bool,
    /// The evidence, e.g. `RQ(v) = 91/9 ≥ lo = 91/9; …`; failed parts are marked ✗.
    pub detail: String,
}

impl fmt::Display for CheckLine {
    /// `✓ what — detail` or `✗ what — detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.ok { '✓' } else { '✗' };
        write!(f, "{mark} {} — {}", self.what, self.detail)
    }
}

/// The result of checking a readable certificate: the arithmetic (one line per quantity, then
/// one per assertion, per point), then the verdict re-derived from the facts that passed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The arithmetic checks, in order: quantities (by name), then assertions (in file order);
    /// in a check certificate, point by point.
    pub lines: Vec<CheckLine>,
    /// The verdict's derivation: the claim has a rule, what each point shows (holds, fails,
    /// vacuous), the strength, and whether the stated verdict follows.
    pub verdict: Vec<CheckLine>,
}

impl VerifyReport {
    /// Did every arithmetic check pass (and is there at least one)?
    pub fn arithmetic_passed(&self) -> bool {
        !self.lines.is_empty() && self.lines.iter().all(|l| l.ok)
    }

    /// The certificate passes when its arithmetic passed and its stated verdict and strength
    /// follow from the facts it proves.
    pub fn passed(&self) -> bool {
        self.arithmetic_passed() && !self.verdict.is_empty() && self.verdict.iter().all(|l| l.ok)
    }

    /// The lines that failed, arithmetic first.
    pub fn failures(&self) -> impl Iterator<Item = &CheckLine> {
        self.lines.iter().chain(&self.verdict).filter(|l| !l.ok)
    }
}

impl fmt::Display for VerifyReport {
    /// Each line on its own row, as [`CheckLine`] displays it, the verdict's derivation last.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in self.lines.iter().chain(&self.verdict) {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// A certificate that cannot be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The certificate file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The text is not valid JSON.
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A field is missing, of the wrong type or shape, not an exact number, of an unknown kind,
    /// or too large; `path` is its JSON path such as `problem.weights[1][0][2]`.
    #[error("{path}: {message}")]
    Malformed {
        /// The JSON path of the offending field.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Check the certificate in the JSON text `json`.
pub fn verify_str(json: &str) -> Result<VerifyReport, VerifyError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    kind::verify_value(&value)
}

/// The fuzzing entry point of `verify-cert` (`fuzz/fuzz_targets/certificate.rs`, replayed by
/// `tests/it/fuzz_regressions.rs`): any bytes, read as a certificate, are checked or rejected with a
/// [`VerifyError`]; the report or the error is rendered. Returns whether the certificate passed.
pub fn fuzz_certificate(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    match verify_str(text) {
        Ok(report) => {
            let _ = report.to_string();
            report.passed()
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

/// Read the certificate file at `path` and check it.
pub fn verify_file(path: &Path) -> Result<VerifyReport, VerifyError> {
    let text = std::fs::read_to_string(path).map_err(|source| VerifyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    verify_str(&text)
}

/// What a `verify-cert` run over several files found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Certificates that passed.
    pub passed: usize,
    /// Certificates that were read and failed.
    pub failed: usize,
    /// Certificates that could not be read (also counted in `failed`).
    pub unreadable: usize,
}

/// `verify-cert`: check each file, write `PATH: PASS` or `PATH: FAIL` with its lines to `out`
/// (with `quiet`, only failures, and of them only the failed lines), an unreadable certificate's
/// error to `err`, and end with the summary line `N passed, M failed`. An I/O error on `out`
/// (such as a closed pipe) stops the run and is returned.
pub fn verify_files(
    paths: &[PathBuf],
    quiet: bool,
    out: &mut impl std::io::Write,
    err: &mut impl std::io::Write,
) -> std::io::Result<Tally> {
    let mut t = Tally::default();
    for path in paths {
        let shown = path.display().to_string();
        t.record(&shown, verify_file(path), quiet, out, err)?;
    }
    t.summary(out)?;
    Ok(t)
}

/// `verify-cert --report REPORT`: check every certificate the report names (in its own `certs/`
/// directory) as [`verify_files`] does, and each against the report (`binding`: digest, case,
/// claim, verdict, strength and the number of points of a bundle); a proved verdict without a
/// certificate fails too. Output and summary as [`verify_files`]; a report that cannot be read
/// is returned as the error.
pub fn verify_report(
    report: &Path,
    quiet: bool,
    out: &mut impl std::io::Write,
    err: &mut impl std::io::Write,
) -> Result<Tally, ReportError> {
    let mut t = Tally::default();
    for b in binding::bound_checks(report)? {
        let result = match &b.path {
            None => Ok(VerifyReport {
                lines: Vec::new(),
                verdict: vec![CheckLine {
                    what: "report: a certificate".into(),
                    ok: false,
                    detail: "✗ the verdict is proved but the report names no certificate".into(),
                }],
            }),
            Some(path) => std::fs::read_to_string(path)
                .map_err(|source| VerifyError::Io {
                    path: path.clone(),
                    source,
                })
                .and_then(|text| {
                    let mut r = verify_str(&text)?;
                    r.verdict.extend(b.lines(&text));
                    Ok(r)
                }),
        };
        let shown = b
            .path
            .as_ref()
            .map_or_else(|| b.label.clone(), |p| p.display().to_string());
        t.record(&shown, result, quiet, out, err)?;
    }
    t.summary(out)?;
    Ok(t)
}

/// Why `verify-cert --report` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The report could not be read or is not a report.
    #[error("{0}")]
    Report(#[from] VerifyError),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("{0}")]
    Output(#[from] std::io::Error),
}

impl Tally {
    /// Count one certificate's result and write it (see [`verify_files`]).
    fn record(
        &mut self,
        shown: &str,
        result: Result<VerifyReport, VerifyError>,
        quiet: bool,
        out: &mut impl std::io::Write,
        err: &mut impl std::io::Write,
    ) -> std::io::Result<()> {
        match result {
            Ok(report) if report.passed() => {
                self.passed += 1;
                if !quiet {
                    writeln!(out, "{shown}: PASS")?;
                    write!(out, "{report}")?;
                }
            }
            Ok(report) => {
                self.failed += 1;
                writeln!(out, "{shown}: FAIL")?;
                if quiet {
                    for line in report.failures() {
                        writeln!(out, "{line}")?;
                    }
                } else {
                    write!(out, "{report}")?;
                }
            }
            Err(e) => {
                self.failed += 1;
                self.unreadable += 1;
                writeln!(out, "{shown}: FAIL (unreadable)")?;
                writeln!(err, "dlncheck: {shown}: {e}")?;
            }
        }
        Ok(())
    }

    /// The closing line `N passed, M failed`.
    fn summary(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(out, "{} passed, {} failed", self.passed, self.failed)?;
        out.flush()
    }
}
