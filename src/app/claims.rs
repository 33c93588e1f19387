//! `dlncheck claims`: list the claims dlncheck checks, with their sources and statements.

use super::{emit, AppError, Status};

/// Print one line per registered claim.
pub fn run() -> Result<Status, AppError> {
    let mut text = String::new();
    for c in crate::claims::registry() {
        text += &format!(
            "{:<24} {:<22} {}\n",
            c.info().id,
            c.info().source,
            c.info().statement
        );
    }
    emit(&text);
    Ok(Status::Met)
}
