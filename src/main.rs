//! The dlncheck command line: parses arguments, converts them into the command's own arguments,
//! runs it ([`dlncheck::app`]), prints an error once and exits with [`app::exit_code`] (0: every
//! check met its expectation; 1: some did not; 2: invalid input or usage; 130: interrupted).

use clap::{Parser, Subcommand};
use dlncheck::app;
use dlncheck::app::check::{options, runner};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dlncheck",
    version,
    about = "Checks the theory of deep linear networks' loss landscapes, claim by claim, on concrete cases",
    after_help = "Examples:\n  dlncheck check cases\n  dlncheck check cases/kp-scalar-balanced.yaml --report-dir out --no-timing\n  dlncheck sharpness cases/kp-depth2-golden.yaml\n  dlncheck enumerate cases/amg-depth3-diagonal.yaml\n  dlncheck verify-cert reports/certs/*.json\n  dlncheck audit KP-naive --trials 100 --seed 1 --out cases/audit\n  dlncheck check cases --shard 1/2 --report-dir reports/shard-1 && dlncheck merge reports/shard-*/report.json\n  dlncheck claims"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the claims listed in case files (files or directories, searched recursively).
    Check {
        /// Case files or directories.
        #[arg(default_value = "cases")]
        paths: Vec<PathBuf>,
        /// Directory receiving report.json, report.md, report.html, junit.xml and certs/.
        #[arg(long, default_value = "reports")]
        report_dir: PathBuf,
        /// MPFR precision in bits for every case (overrides precision_bits).
        #[arg(long)]
        precision: Option<u32>,
        /// Seed for every random choice (overrides each case's seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (0: one per core).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Target relative width 2^-BITS of exact λ_max enclosures.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(8..=1000))]
        enclosure_bits: u32,
        /// Highest MPFR precision in bits: a check left inconclusive by too coarse bounds is
        /// retried at twice the precision until it is decided or this is reached.
        #[arg(long, default_value_t = options::DEFAULT_MAX_PRECISION, value_parser = clap::value_parser!(u32).range(16..=65536))]
        max_precision: u32,
        /// Leave per-check seconds out (null) so reports compare byte for byte.
        #[arg(long)]
        no_timing: bool,
        /// Run only shard i of n (files in sorted order, every n-th from the i-th); combine the
        /// shards' report.json files with `dlncheck merge`.
        #[arg(long)]
        shard: Option<runner::Shard>,
        /// No progress output. The closing table and the list of unmet checks and invalid cases
        /// are still printed.
        #[arg(long, short)]
        quiet: bool,
        /// After the table, list every check with its verdict and expectation (not only the
        /// unmet ones).
        #[arg(long, short)]
        verbose: bool,
        /// Run only the checks of this claim (repeatable; ids are case-insensitive); the other
        /// checks are reported as deselected, not as failures.
        #[arg(long = "claim", value_name = "ID")]
        claims: Vec<String>,
        /// Run only the checks whose case name or claim id contains PATTERN (repeatable: any
        /// pattern; case-insensitive), e.g. `-k depth2 -k KP-min`; the others are deselected.
        #[arg(short = 'k', value_name = "PATTERN")]
        patterns: Vec<String>,
        /// Stop at the first case with an unmet check or an error: the cases after it (in sorted
        /// order) are reported as not run, whatever the thread count.
        #[arg(long)]
        fail_fast: bool,
        /// The longest tier to run: `default` skips (and reports) `tier: long` cases; `long`
        /// runs every case.
        #[arg(long, default_value = "default", value_parser = parse_tier)]
        tier: dlncheck::case::Tier,
        /// Wall-clock limit per case in seconds (default 300); a case still running then is
        /// reported as `timeout` (status error, "stopped": "timeout") and the run goes on.
        #[arg(long, value_name = "SECS", default_value_t = options::DEFAULT_CASE_TIMEOUT_SECS as f64, value_parser = positive_seconds)]
        case_timeout: f64,
        /// Memory budget per case in MiB (default 2048); a case whose estimated need (dense
        /// Hessian and KP operator in f64, MPFR and exact arithmetic) is larger is refused before
        /// any work ("stopped": "refused") and the run goes on.
        #[arg(long, value_name = "MIB", default_value_t = options::DEFAULT_MEMORY_BUDGET_MIB, value_parser = clap::value_parser!(u64).range(1..=(1 << 40)))]
        memory_budget: u64,
    },
    /// λ_max of the Hessian of the case's own model (linear, residual, one-hidden-layer,
    /// l2-regularized) at its point: f64, MPFR and proven enclosure. A leaky-ReLU point with a
    /// zero pre-activation (a kink: no Hessian) is refused, naming the entries (exit 2).
    Sharpness {
        /// The case file (must have point.weights; the A_k for a residual network).
        case: PathBuf,
        /// MPFR precision in bits (overrides precision_bits).
        #[arg(long)]
        precision: Option<u32>,
        /// Force the f64 path (default: the planner's choice from sizes and loss). Only `dense`
        /// serves one-hidden-layer and l2-regularized models.
        #[arg(long, value_enum)]
        path: Option<app::sharpness::PathArg>,
        /// Time the f64 path this many times (median reported).
        #[arg(long, default_value_t = 1)]
        repeat: usize,
        /// Skip the MPFR value.
        #[arg(long)]
        no_mpfr: bool,
        /// Skip the proven enclosure.
        #[arg(long)]
        no_certify: bool,
        /// Print the fast paths' results as JSON (for benches/compare.sh).
        #[arg(long)]
        json: bool,
    },
    /// Critical points of a linear case per index set S, classified by criterion and certificate.
    #[command(
        after_help = "With --json the points are written to stdout as one JSON object: the case, its dims, \
Σ's eigenvalues, f* and `points`, one row per critical point (the case's own point first when it is critical): \
label, case_point, verdict (holds when both readings of the criterion agree with the certificate, fails when not, \
undecided without a certificate), strength, and figures (index_set, critical_value, loss_gap = f − f*, \
class_by_criterion, class_by_criterion_path, class_by_certificate, certificate_detail, layer_ranks, prefix_ranks). \
Exit code 0 when every point agrees, 1 when one does not."
    )]
    Enumerate {
        /// The case file.
        case: PathBuf,
        /// MPFR precision in bits for recognizing Σ's eigenvalues.
        #[arg(long)]
        precision: Option<u32>,
        /// Print the critical points as JSON (the rows of report.json's point tables) instead of
        /// the Markdown table.
        #[arg(long)]
        json: bool,
    },
    /// Re-check a saved certificate with exact rational arithmetic only (independent of the producer).
    VerifyCert {
        /// Certificate files (JSON).
        #[arg(required_unless_present = "report", conflicts_with = "report")]
        certs: Vec<PathBuf>,
        /// Check every certificate a run's report.json names, each also against the report: its
        /// SHA-256, case, claim, verdict, strength and, for a bundle, its number of points (a
        /// proved verdict without a certificate fails).
        #[arg(long, value_name = "REPORT_JSON")]
        report: Option<PathBuf>,
        /// Print only the failures and the summary line.
        #[arg(long)]
        quiet: bool,
    },
    /// Combine shard reports (report.json files) into one report (JSON, Markdown, JUnit).
    Merge {
        /// The shards' report.json files.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Directory receiving the merged report.json, report.md, report.html and junit.xml.
        #[arg(long, default_value = "reports")]
        report_dir: PathBuf,
        /// After the table, list every check with its verdict and expectation.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Search random small cases for a counterexample to a claim; shrink it and write it as a case.
    #[command(
        after_help = "Output: trials drawn, how many the claim applied to (its verdict was not error), how many \
had the claim's premise holding, the verdicts with their strengths, why the other trials did not apply, and the \
depths drawn. A counterexample is shrunk (fewer layers, then narrower widths, then simpler entries) and printed \
in full (the YAML case and the decisive figures), written to --out with its certificate.\n\n\
Exit codes: 0 the audit ran (with or without a counterexample); 2 invalid usage, or no trial was applicable \
(a warning on stderr says why, e.g. the WJ claims need --kind l2-regularized).\n\n\
Claim ids are case-insensitive. Examples:\n  dlncheck audit kp-flat-necessary-deep --seed 1 --out /tmp/audit\n  \
dlncheck audit AMG-classify --depth 2..4 --max-width 3 --json\n  dlncheck audit KP-naive --widths 2,3,2 --x general"
    )]
    Audit {
        /// The claim id (see `dlncheck claims`).
        claim: String,
        /// Random cases to try.
        #[arg(long, default_value_t = 200)]
        trials: usize,
        /// Seed of the search (the same seed gives the same cases and the same counterexample).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Directory for the minimal counterexample (YAML case with `expect: refuted`) and its
        /// certificate.
        #[arg(long, default_value = "cases/audit")]
        out: PathBuf,
        /// Depth L of the drawn networks: one value (3) or an inclusive range (2..4). Default: the
        /// claim's own range (2..4 for AMG, 3..4 for KP-flat-necessary-deep, 1..4 otherwise).
        #[arg(long)]
        depth: Option<String>,
        /// Every width d_0,…,d_L, comma-separated (fixes the depth too), e.g. 2,2,2,2.
        #[arg(long, value_delimiter = ',', conflicts_with_all = ["depth", "max_width"])]
        widths: Option<Vec<usize>>,
        /// Largest width drawn (default 3, at most 6).
        #[arg(long)]
        max_width: Option<usize>,
        /// Model kind: linear, residual (all widths equal) or l2-regularized (λ = 1/n, n ≤ 20).
        /// Default: l2-regularized for the WJ claims, linear otherwise.
        #[arg(long)]
        kind: Option<String>,
        /// Data X: identity, or general ([I | R] with 1 or 2 random rational columns). Default:
        /// general for the KP claims on data and BAL-invariant, identity otherwise.
        #[arg(long)]
        x: Option<String>,
        /// Print a machine-readable JSON summary instead of the text (same exit codes).
        #[arg(long)]
        json: bool,
    },
    /// Follow a training run: per checkpoint the loss, λ_max (f64 by the planner's path, proven
    /// where the size allows) against 2/η, the balancedness ‖D_k‖_F and, near a minimizer, the
    /// ZL tightness ratio; writes trajectory.json and trajectory.html.
    #[command(
        after_help = "The step of a checkpoint is the last integer in its file name (step-0040.npz is step 40). \
A pattern that matches nothing, a file name without a step, or two files of one step stop the run (exit 2). \
A checkpoint that cannot be read (missing file, wrong shape, NaN) is reported as a row with its error and the \
others go on (exit 1).\n\nExample:\n  dlncheck trajectory tests/data/trajectory/case.yaml \
--checkpoints 'tests/data/trajectory/run/step-*.npz' --eta 0.04 --out /tmp/traj"
    )]
    Trajectory {
        /// The case file: the model and the data (its point and checks are not used).
        case: PathBuf,
        /// Checkpoint files, or shell patterns with *, ? or […] (quote them), e.g.
        /// 'run/step-*.npz' or 'runs/*/step-*.npz'; each file holds W_1 … W_L as
        /// `point: {file: …}` does.
        #[arg(long, required = true, num_args = 1..)]
        checkpoints: Vec<String>,
        /// The step size η of the run, exactly (0.01, 1/100, 1e-2): the edge of stability is 2/η.
        #[arg(long, allow_hyphen_values = true)]
        eta: String,
        /// Directory receiving trajectory.json and trajectory.html.
        #[arg(long, default_value = "reports/trajectory")]
        out: PathBuf,
        /// Worker threads (0: one per core); the output is the same for any number.
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Names of the layers' arrays in each checkpoint, W_1 first (default: every array of
        /// the file, in natural order).
        #[arg(long, value_delimiter = ',')]
        arrays: Vec<String>,
        /// τ of "near a minimizer" (where the ZL ratio is computed): f − f* ≤ τ·(½‖Y‖² − f*).
        #[arg(long, default_value = app::trajectory::DEFAULT_NEAR)]
        near: String,
        /// MPFR precision in bits (overrides precision_bits).
        #[arg(long)]
        precision: Option<u32>,
    },
    /// Print the JSON Schema of case files (the one shipped as cases/schema.json).
    Schema,
    /// List the claims dlncheck checks.
    Claims,
    /// What a claim states, its source, which cases it applies to, how it is decided.
    Explain {
        /// The claim id (case-insensitive).
        claim: String,
    },
    /// Write a case file to start from for one claim (the smallest shipped example, reduced to
    /// that check, with a header explaining the fields).
    Init {
        /// The claim id (case-insensitive).
        #[arg(long)]
        claim: String,
        /// The file to write (never overwritten); stdout when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Read and validate case files without running them (exit 2 when some file is invalid).
    Validate {
        /// Case files or directories.
        #[arg(default_value = "cases")]
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let result = run(Cli::parse().command);
    if let Err(e) = &result {
        // the one place errors are printed (quietly dropped if stderr is closed)
        use std::io::{IsTerminal, Write};
        let color = std::io::stderr().is_terminal() && !ci();
        let _ = write!(std::io::stderr(), "{}", e.render(color));
    }
    ExitCode::from(app::exit_code(&result))
}

/// Is this a CI run (`CI` set, not empty, not `false`)? Output is then never colored.
fn ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Convert the command line into the command's arguments and run it.
fn run(command: Command) -> Result<app::Status, app::AppError> {
    match command {
        Command::Check {
            paths,
            report_dir,
            precision,
            seed,
            jobs,
            enclosure_bits,
            max_precision,
            no_timing,
            shard,
            quiet,
            verbose,
            claims,
            patterns,
            fail_fast,
            tier,
            case_timeout,
            memory_budget,
        } => app::check::run(app::check::Args {
            paths,
            report_dir,
            precision,
            seed,
            jobs,
            enclosure_bits,
            max_precision,
            timing: !no_timing,
            shard,
            quiet,
            verbose,
            claims,
            patterns,
            fail_fast,
            tier,
            case_timeout: std::time::Duration::from_secs_f64(case_timeout),
            memory_budget_mib: memory_budget,
        }),
        Command::Merge {
            reports,
            report_dir,
            verbose,
        } => app::merge::run(app::merge::Args {
            reports,
            report_dir,
            verbose,
        }),
        Command::Sharpness {
            case,
            precision,
            path,
            repeat,
            no_mpfr,
            no_certify,
            json,
        } => app::sharpness::run(app::sharpness::Args {
            case,
            precision,
            path: path.map(Into::into),
            repeat,
            mpfr: !no_mpfr,
            certify: !no_certify,
            json,
        }),
        Command::Enumerate {
            case,
            precision,
            json,
        } => app::enumerate::run(app::enumerate::Args {
            case,
            precision,
            json,
        }),
        Command::VerifyCert {
            certs,
            report,
            quiet,
        } => app::verify_cert::run(app::verify_cert::Args {
            certs,
            report,
            quiet,
        }),
        Command::Audit {
            claim,
            trials,
            seed,
            out,
            depth,
            widths,
            max_width,
            kind,
            x,
            json,
        } => app::audit::run(app::audit::Args {
            claim,
            trials,
            seed,
            out,
            depth,
            widths,
            max_width,
            kind,
            x,
            json,
        }),
        Command::Trajectory {
            case,
            checkpoints,
            eta,
            out,
            jobs,
            arrays,
            near,
            precision,
        } => app::trajectory::run(app::trajectory::Args {
            case,
            checkpoints,
            eta,
            out,
            jobs,
            arrays,
            near,
            precision,
        }),
        Command::Schema => app::schema::run(),
        Command::Claims => app::claims::run(),
        Command::Explain { claim } => app::explain::run(&claim),
        Command::Init { claim, out } => app::init::run(app::init::Args { claim, out }),
        Command::Validate { paths } => app::validate::run(&paths),
    }
}

/// `--case-timeout`: a positive, finite number of seconds.
fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("{s}: expected a number of seconds > 0")),
    }
}

/// `--tier default|long`.
fn parse_tier(s: &str) -> Result<dlncheck::case::Tier, String> {
    match s {
        "default" => Ok(dlncheck::case::Tier::Default),
        "long" => Ok(dlncheck::case::Tier::Long),
        _ => Err(format!("expected `default` or `long`, found `{s}`")),
    }
}
