//! `dlncheck schema`: print the JSON Schema of case files (the one shipped as cases/schema.json).

use super::{emit, AppError, Status};

/// Print the schema.
pub fn run() -> Result<Status, AppError> {
    let text = serde_json::to_string_pretty(&crate::case::json_schema())?;
    emit(&format!("{text}\n"));
    Ok(Status::Met)
}
