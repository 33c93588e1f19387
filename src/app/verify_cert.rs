//! `dlncheck verify-cert CERTS…` / `--report report.json`: re-check saved certificates with the
//! independent exact checker ([`crate::verify`]), or every certificate of a run, each bound to the
//! report that names it.

use super::{AppError, Status};
use crate::verify::ReportError;
use std::path::PathBuf;

/// Which certificates to check.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Certificate files (JSON).
    #[arg(required_unless_present = "report", conflicts_with = "report")]
    pub certs: Vec<PathBuf>,
    /// Check every certificate a run's report.json names, each also against the report: its
    /// SHA-256, case, claim, verdict, strength and, for a bundle, its number of points (a
    /// proved verdict without a certificate fails).
    #[arg(long, value_name = "REPORT_JSON")]
    pub report: Option<PathBuf>,
    /// Print only the failures and the summary line.
    #[arg(long)]
    pub quiet: bool,
}

/// Check every certificate, streaming the results: [`Status::Invalid`] when one could not be
/// read, [`Status::Unmet`] when one failed or the reader went away (`verify-cert … | head`: the
/// output stops quietly), else [`Status::Met`].
pub fn run(args: Args) -> Result<Status, AppError> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let result = match &args.report {
        Some(report) => {
            match crate::verify::verify_report(report, args.quiet, &mut out, &mut err) {
                Ok(t) => Ok(t),
                Err(ReportError::Output(e)) => Err(e),
                Err(ReportError::Report(e)) => {
                    return Err(AppError::Failed(format!("{}: {e}", report.display())))
                }
            }
        }
        None => crate::verify::verify_files(&args.certs, args.quiet, &mut out, &mut err),
    };
    match result {
        Ok(t) if t.unreadable > 0 => Ok(Status::Invalid),
        Ok(t) if t.failed > 0 => Ok(Status::Unmet),
        Ok(_) => Ok(Status::Met),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Status::Unmet),
        Err(e) => Err(e.into()),
    }
}
