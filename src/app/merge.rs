//! `dlncheck merge REPORTS…`: combine the report.json files of shards into one report.

use super::{summarize, AppError, Status};
use crate::report::Report;
use std::path::PathBuf;

/// Which reports to combine and where the result goes.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The shards' report.json files.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Directory receiving the merged report.json, report.md, report.html and junit.xml.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// After the table, list every check with its verdict and expectation.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Read the shard reports, merge them, write the merged reports and print the summary.
pub fn run(args: Args) -> Result<Status, AppError> {
    let mut parts = Vec::new();
    for path in &args.reports {
        let text = std::fs::read_to_string(path).map_err(|source| AppError::Io {
            path: path.clone(),
            source,
        })?;
        let part = serde_json::from_str::<Report>(&text).map_err(|e| {
            AppError::Failed(format!(
                "{}: not a dlncheck JSON v1 report: {e}",
                path.display()
            ))
        })?;
        parts.push(part);
    }
    let report = Report::merge(parts)?;
    report
        .write(&args.report_dir)
        .map_err(|source| AppError::Io {
            path: args.report_dir.clone(),
            source,
        })?;
    Ok(summarize(&report, &args.report_dir, args.verbose))
}
