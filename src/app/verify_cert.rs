//! `dlncheck verify-cert CERTS…`: re-check saved certificates with the independent exact checker
//! ([`crate::verify`]).

use super::{AppError, Status};
use std::path::PathBuf;

/// Which certificates to check.
#[derive(Clone, Debug)]
pub struct Args {
    /// Certificate files (JSON).
    pub certs: Vec<PathBuf>,
    /// Print only the failures and the summary line.
    pub quiet: bool,
}

/// Check every certificate, streaming the results: [`Status::Invalid`] when one could not be
/// read, [`Status::Unmet`] when one failed or the reader went away (`verify-cert … | head`: the
/// output stops quietly), else [`Status::Met`].
pub fn run(args: Args) -> Result<Status, AppError> {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    match crate::verify::verify_files(
        &args.certs,
        args.quiet,
        &mut stdout.lock(),
        &mut stderr.lock(),
    ) {
        Ok(t) if t.unreadable > 0 => Ok(Status::Invalid),
        Ok(t) if t.failed > 0 => Ok(Status::Unmet),
        Ok(_) => Ok(Status::Met),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Status::Unmet),
        Err(e) => Err(e.into()),
    }
}
