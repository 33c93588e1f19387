//! How a run is set up: the options of `check` and the settings each case runs with.

use crate::case::{Case, LoadOptions, Tier};
use crate::certify::lambda_max::Settings;
use crate::claims;
use std::path::PathBuf;
use std::time::Duration;

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Where report.json, report.md and certs/ go.
    pub report_dir: PathBuf,
    /// Overrides every case's precision_bits.
    pub precision: Option<u32>,
    /// Overrides every case's seed.
    pub seed: Option<u64>,
    /// Worker threads (cases run in parallel, each isolated).
    pub jobs: usize,
    /// Record wall-clock seconds per check (off for byte-identical reports).
    pub timing: bool,
    /// Target relative width of exact enclosures, 2^(−bits).
    pub enclosure_bits: u32,
    /// The highest MPFR precision an inconclusive check is retried at (doubling from the case's
    /// own), for claims that [escalate](crate::claims::Claim::escalates).
    pub max_precision: u32,
    /// Limits on case size.
    pub load: LoadOptions,
    /// The longest tier to run: `tier: long` cases run only when this is `Long`.
    pub tier: Tier,
    /// Wall-clock limit per case; a case still running then is reported as timed out.
    pub case_timeout: Duration,
    /// Memory budget per case in bytes; a case whose estimate ([`super::plan::estimate`]) exceeds
    /// it is refused before any work.
    pub memory_budget: u64,
    /// Run only the checks of these claims (registered ids); empty: every check. The others are
    /// reported as deselected.
    pub claims: Vec<String>,
    /// `-k` patterns, lower-cased: a check runs only when one of them is a substring of its case's
    /// name or its claim id (case-insensitive); empty: every check. The others are deselected.
    pub patterns: Vec<String>,
    /// Stop at the first failure (`--fail-fast`): once a case has an unmet check or is invalid,
    /// the cases after it in sorted order are not run ([`crate::report::CaseReport::skipped`]).
    pub fail_fast: bool,
}

impl RunOptions {
    /// Does the selection (`--claim` and `-k`) keep the check of `claim` in the case `case`?
    pub fn selects(&self, case: &str, claim: &str) -> bool {
        let by_claim = self.claims.is_empty() || self.claims.iter().any(|c| c == claim);
        let (case, claim) = (case.to_lowercase(), claim.to_lowercase());
        let by_pattern = self.patterns.is_empty()
            || self
                .patterns
                .iter()
                .any(|p| case.contains(p.as_str()) || claim.contains(p.as_str()));
        by_claim && by_pattern
    }
}

/// Default `--max-precision`, in bits.
pub const DEFAULT_MAX_PRECISION: u32 = 4096;

/// Default `--case-timeout`, in seconds.
pub const DEFAULT_CASE_TIMEOUT_SECS: u64 = 300;
/// Default `--memory-budget`, in MiB.
pub const DEFAULT_MEMORY_BUDGET_MIB: u64 = 2048;

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            report_dir: PathBuf::from("reports"),
            precision: None,
            seed: None,
            jobs: 0,
            timing: true,
            enclosure_bits: Settings::default().enclosure_bits,
            max_precision: DEFAULT_MAX_PRECISION,
            // `check` has the planned matrix-free path; its memory budget (plan::estimate)
            // refuses a dense path that does not fit
            load: LoadOptions {
                known_claims: claims::known_ids(),
                size_guard: crate::case::SizeGuard::MatrixFree,
                ..LoadOptions::default()
            },
            tier: Tier::Default,
            case_timeout: Duration::from_secs(DEFAULT_CASE_TIMEOUT_SECS),
            memory_budget: DEFAULT_MEMORY_BUDGET_MIB << 20,
            claims: Vec::new(),
            patterns: Vec::new(),
            fail_fast: false,
        }
    }
}

/// The settings a case runs with.
pub fn settings_for(c: &Case, opts: &RunOptions) -> Settings {
    Settings {
        prec: opts.precision.unwrap_or(c.precision_bits),
        enclosure_bits: opts.enclosure_bits,
        ..Settings::default()
    }
}
