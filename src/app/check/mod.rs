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
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Case files or directories.
    #[arg(default_value = "cases")]
    pub paths: Vec<PathBuf>,
    /// Directory receiving report.json, report.md, report.html, junit.xml and certs/.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// MPFR precision in bits for every case (overrides precision_bits).
    #[arg(long)]
    pub precision: Option<u32>,
    /// Seed for every random choice (overrides each case's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Target relative width 2^-BITS of exact λ_max enclosures.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(8..=1000))]
    pub enclosure_bits: u32,
    /// Highest MPFR precision in bits: a check left inconclusive by too coarse bounds is
    /// retried at twice the precision until it is decided or this is reached.
    #[arg(long, default_value_t = options::DEFAULT_MAX_PRECISION, value_parser = clap::value_parser!(u32).range(16..=65536))]
    pub max_precision: u32,
    /// Leave per-check seconds out (null) so reports compare byte for byte.
    #[arg(long)]
    pub no_timing: bool,
    /// Run only shard i of n (files in sorted order, every n-th from the i-th); combine the
    /// shards' report.json files with `dlncheck merge`.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// No progress output. The closing table and the list of unmet checks and invalid cases
    /// are still printed.
    #[arg(long, short)]
    pub quiet: bool,
    /// After the table, list every check with its verdict and expectation (not only the
    /// unmet ones).
    #[arg(long, short)]
    pub verbose: bool,
    /// Run only the checks of this claim (repeatable; ids are case-insensitive); the other
    /// checks are reported as deselected, not as failures.
    #[arg(long = "claim", value_name = "ID")]
    pub claims: Vec<String>,
    /// Run only the checks whose case name or claim id contains PATTERN (repeatable: any
    /// pattern; case-insensitive), e.g. `-k depth2 -k KP-min`; the others are deselected.
    #[arg(short = 'k', value_name = "PATTERN")]
    pub patterns: Vec<String>,
    /// Stop at the first case with an unmet check or an error: the cases after it (in sorted
    /// order) are reported as not run, whatever the thread count.
    #[arg(long)]
    pub fail_fast: bool,
    /// The longest tier to run: `default` skips (and reports) `tier: long` cases; `long`
    /// runs every case.
    #[arg(long, default_value = "default", value_parser = parse_tier)]
    pub tier: Tier,
    /// Wall-clock limit per case in seconds (default 300); a case still running then is
    /// reported as `timeout` (status error, "stopped": "timeout") and the run goes on.
    #[arg(long, value_name = "SECS", default_value_t = options::DEFAULT_CASE_TIMEOUT_SECS as f64, value_parser = positive_seconds)]
    pub case_timeout: f64,
    /// Memory budget per case in MiB (default 2048); a case whose estimated need (dense
    /// Hessian and KP operator in f64, MPFR and exact arithmetic) is larger is refused before
    /// any work ("stopped": "refused") and the run goes on.
    #[arg(long, value_name = "MIB", default_value_t = options::DEFAULT_MEMORY_BUDGET_MIB, value_parser = clap::value_parser!(u64).range(1..=(1 << 40)))]
    pub memory_budget: u64,
}

/// Run the checks and write the reports. Ctrl-C stops the cases and writes no report (the last
/// complete one stays): the result is then [`runner::RunError::Interrupted`].
pub fn run(args: Args) -> Result<Status, AppError> {
    let mut wanted = Vec::new();
    for id in &args.claims {
        match claims::find(id) {
            Some(c) => wanted.push(c.info().id.to_string()),
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
        timing: !args.no_timing,
        enclosure_bits: args.enclosure_bits,
        max_precision: args.max_precision,
        tier: args.tier,
        case_timeout: Duration::from_secs_f64(args.case_timeout),
        memory_budget: args.memory_budget << 20,
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

/// `--case-timeout`: a positive, finite number of seconds.
fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("{s}: expected a number of seconds > 0")),
    }
}

/// `--tier default|long`.
fn parse_tier(s: &str) -> Result<Tier, String> {
    match s {
        "default" => Ok(Tier::Default),
        "long" => Ok(Tier::Long),
        _ => Err(format!("expected `default` or `long`, found `{s}`")),
    }
}
