//! The commands of the `dlncheck` binary, one module each, over the library's layers.
//!
//! Each command takes a plain argument struct of its own (the binary converts its command line
//! into it) and returns what it established, a [`Status`], or the one [`AppError`] that stopped
//! it. [`exit_code`] maps either to the process's exit code, the only place exit codes are
//! decided: 0 every check met its expectation, 1 some did not, 2 invalid input or usage, 130
//! interrupted. Commands write their results to stdout themselves (a closed pipe ends
//! the output quietly); an error is left to the caller to print, once.

pub mod audit;
pub mod check;
pub mod claims;
pub mod enumerate;
pub mod explain;
pub mod init;
pub mod merge;
pub mod schema;
pub mod sharpness;
pub mod trajectory;
pub mod validate;
pub mod verify_cert;

use crate::case::{self, Case, CaseError, LoadOptions};
use crate::certify::lambda_max::Settings;
use check::options::{self, RunOptions};
use check::runner::RunError;
use std::path::{Path, PathBuf};

/// What a finished command established.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Everything asked was established: every check met its expectation, every certificate
    /// passed, every enumerated point's two classifications agree, the audit ran, the listing was
    /// printed.
    Met,
    /// Some check's verdict differs from its expectation or a valid case was stopped by a limit
    /// (timeout, memory refusal), a certificate failed, an enumerated point's classifications
    /// disagree, or the reader of the output went away before everything was written.
    Unmet,
    /// Some input was invalid (a case file in a report, an unreadable certificate); the rest was
    /// done and reported.
    Invalid,
    /// The audited claim applied to none of the trials (a warning says why).
    NothingApplicable,
}

/// Why a command stopped without finishing its work.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A case file could not be read or is invalid.
    #[error(transparent)]
    Case(Box<CaseError>),
    /// The check runner failed (usage, I/O) or was interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error(transparent)]
    Output(#[from] std::io::Error),
    /// Serializing to JSON failed.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// Invalid usage, or a command's own failure, in its words.
    #[error("{0}")]
    Failed(String),
}

impl AppError {
    /// The error as printed on stderr, ending with a line break: every error of an invalid case
    /// file, each with its source line and a caret ([`case::snippet`]), colored when `color`;
    /// any other error as `dlncheck: message`.
    pub fn render(&self, color: bool) -> String {
        match self {
            AppError::Case(e) => case::snippet::render_all(e, color),
            e => format!("dlncheck: {e}\n"),
        }
    }
}

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        AppError::Case(Box::new(e))
    }
}

impl From<String> for AppError {
    fn from(message: String) -> Self {
        AppError::Failed(message)
    }
}

/// The exit code of a command's result: 0 [`Status::Met`]; 1 [`Status::Unmet`]; 2
/// [`Status::Invalid`], [`Status::NothingApplicable`] and every error (invalid input or usage);
/// 130 an interrupted run (Ctrl-C).
pub fn exit_code(result: &Result<Status, AppError>) -> u8 {
    match result {
        Ok(Status::Met) => 0,
        Ok(Status::Unmet) => 1,
        Ok(Status::Invalid | Status::NothingApplicable) => 2,
        Err(AppError::Run(RunError::Interrupted)) => 130,
        Err(_) => 2,
    }
}

/// Write `text` to stdout. A reader that has gone away (`dlncheck … | head`: a closed pipe) or
/// any other write error ends the output quietly; the exit code stays that of the work done.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Load one case file, with the settings it runs with (`precision` overriding its own), under
/// the given limit on the dense Hessian's memory estimate.
fn load_case(
    path: &Path,
    precision: Option<u32>,
    max_dense_bytes: u64,
) -> Result<(Case, Settings), AppError> {
    let opts = LoadOptions {
        known_claims: crate::claims::known_ids(),
        max_dense_bytes,
        ..Default::default()
    };
    let c = case::load_file(path, &opts)?;
    let settings = options::settings_for(
        &c,
        &RunOptions {
            precision,
            ..RunOptions::default()
        },
    );
    Ok((c, settings))
}

/// Print a report's per-claim table, the unmet checks and invalid cases one block each (every
/// check too with `verbose`) and the closing status line, and say what the report established:
/// [`Status::Invalid`] when some case is invalid, [`Status::Unmet`] when some check is unmet or a
/// valid case was stopped by a limit, else [`Status::Met`]. The status line is colored only on a
/// terminal outside CI.
fn summarize(report: &crate::report::Report, dir: &Path, verbose: bool) -> Status {
    use crate::report::terminal;
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    let color = console::Term::stdout().is_term() && !ci;
    console::set_colors_enabled(color);
    let detail = terminal::Detail {
        every_check: verbose,
        color,
    };
    let mut text = terminal::summary(report, detail);
    text += &format!("reports: {}\n", dir.join("report.json").display());
    let s = &report.summary;
    let stopped = report.cases.iter().filter(|c| c.stopped.is_some()).count();
    let status = if s.errors > stopped {
        Status::Invalid
    } else if stopped > 0 || s.unmet > 0 {
        Status::Unmet
    } else {
        Status::Met
    };
    let words = terminal::status_line(report);
    let line = if status == Status::Met {
        console::style(words).green().bold()
    } else {
        console::style(words).red().bold()
    };
    emit(&format!("{text}{line}\n"));
    status
}
