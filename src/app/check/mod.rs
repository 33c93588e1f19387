//! `dlncheck check PATHS…`: run the checks of case files in parallel, each case isolated, write
//! the reports and print the summary.

pub mod isolate;
pub mod options;
pub mod plan;
pub mod progress;
pub mod runner;

use super::{summarize, AppError, Status};
use crate::case::Tier;
use crate::claims;
use options::RunOptions;
use progress::Progress;
use runner::Shard;
use std::path::PathBuf;
use std::time::Duration;

/// What to check and how.
#[derive(Clone, Debug)]
pub struct Args {
    /// Case files or directories (searched recursively).
    pub paths: Vec<PathBuf>,
    /// Directory receiving the reports and certs/.
    pub report_dir: PathBuf,
    /// MPFR precision in bits for every case (overrides precision_bits).
    pub precision: Option<u32>,
    /// Seed for every random choice (overrides each case's seed).
    pub seed: Option<u64>,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Target relative width 2^-bits of exact λ_max enclosures.
    pub enclosure_bits: u32,
    /// Highest MPFR precision an inconclusive check is retried at.
    pub max_precision: u32,
    /// Record per-check seconds (off: reports compare byte for byte).
    pub timing: bool,
    /// Run only this shard of the sorted case files.
    pub shard: Option<Shard>,
    /// No progress output.
    pub quiet: bool,
    /// List every check after the table, not only the unmet ones.
    pub verbose: bool,
    /// Run only the checks of these claims (ids as typed, case-insensitive); empty: every check.
    pub claims: Vec<String>,
    /// `-k` patterns: run only the checks whose case name or claim id contains one of them
    /// (case-insensitive); empty: every check.
    pub patterns: Vec<String>,
    /// Stop at the first case that fails (the later cases are reported as not run).
    pub fail_fast: bool,
    /// The longest tier to run.
    pub tier: Tier,
    /// Wall-clock limit per case.
    pub case_timeout: Duration,
    /// Memory budget per case in MiB.
    pub memory_budget_mib: u64,
}

/// Run the checks and write the reports. Ctrl-C stops the cases and writes no report (the last
/// complete one stays): the result is then [`runner::RunError::Interrupted`].
pub fn run(args: Args) -> Result<Status, AppError> {
    let mut wanted = Vec::new();
    for id in &args.claims {
        match claims::find(id) {
            Some(c) => wanted.push(c.id().to_string()),
            None => {
                return Err(AppError::Failed(format!(
                    "--claim: {}",
                    claims::unknown(id)
                )))
            }
        }
    }
    let opts = RunOptions {
        report_dir: args.report_dir,
        precision: args.precision,
        seed: args.seed,
        jobs: args.jobs,
        timing: args.timing,
        enclosure_bits: args.enclosure_bits,
        max_precision: args.max_precision,
        tier: args.tier,
        case_timeout: args.case_timeout,
        memory_budget: args.memory_budget_mib << 20,
        claims: wanted,
        patterns: args.patterns.iter().map(|p| p.to_lowercase()).collect(),
        fail_fast: args.fail_fast,
        ..RunOptions::default()
    };
    ctrlc::set_handler(isolate::interrupt)
        .map_err(|e| AppError::Failed(format!("cannot install the Ctrl-C handler: {e}")))?;
    let files = runner::discover(&args.paths)?;
    let files = match args.shard {
        Some(s) => s.select(files),
        None => files,
    };
    let progress = Progress::new(files.len(), args.quiet);
    let report = runner::run(&files, &opts, &|c| progress.case_done(c))?;
    progress.finish();
    Ok(summarize(&report, &opts.report_dir, args.verbose))
}
