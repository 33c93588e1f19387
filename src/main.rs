//! The dlncheck command line: parses arguments, dispatches, maps outcomes to exit codes
//! (0: every check met its expectation; 1: some did not; 2: invalid input or usage).

use clap::{Parser, Subcommand};
use dlncheck::claims;
use dlncheck::progress::Progress;
use dlncheck::runner::{self, RunOptions};
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
        #[arg(long, default_value_t = runner::DEFAULT_MAX_PRECISION, value_parser = clap::value_parser!(u32).range(16..=65536))]
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
        /// The longest tier to run: `default` skips (and reports) `tier: long` cases; `long`
        /// runs every case.
        #[arg(long, default_value = "default", value_parser = parse_tier)]
        tier: dlncheck::case::Tier,
        /// Wall-clock limit per case in seconds (default 300); a case still running then is
        /// reported as `timeout` (status error, "stopped": "timeout") and the run goes on.
        #[arg(long, value_name = "SECS", default_value_t = runner::DEFAULT_CASE_TIMEOUT_SECS as f64, value_parser = positive_seconds)]
        case_timeout: f64,
        /// Memory budget per case in MiB (default 2048); a case whose estimated need (dense
        /// Hessian and KP operator in f64, MPFR and exact arithmetic) is larger is refused before
        /// any work ("stopped": "refused") and the run goes on.
        #[arg(long, value_name = "MIB", default_value_t = runner::DEFAULT_MEMORY_BUDGET_MIB, value_parser = clap::value_parser!(u64).range(1..=(1 << 40)))]
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
        path: Option<dlncheck::certify::planner::Path>,
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
    Enumerate {
        /// The case file.
        case: PathBuf,
        /// MPFR precision in bits for recognizing Σ's eigenvalues.
        #[arg(long)]
        precision: Option<u32>,
    },
    /// Re-check a saved certificate with exact rational arithmetic only (independent of the producer).
    VerifyCert {
        /// Certificate files (JSON).
        #[arg(required = true)]
        certs: Vec<PathBuf>,
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
    /// Print the JSON Schema of case files (the one shipped as cases/schema.json).
    Schema,
    /// List the claims dlncheck checks.
    Claims,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
            claims: selected,
            tier,
            case_timeout,
            memory_budget,
        } => {
            let mut wanted = Vec::new();
            for id in &selected {
                match claims::find(id) {
                    Some(c) => wanted.push(c.id().to_string()),
                    None => return fail(&format!("--claim: {}", claims::unknown(id))),
                }
            }
            let opts = RunOptions {
                report_dir,
                precision,
                seed,
                jobs,
                timing: !no_timing,
                enclosure_bits,
                max_precision,
                tier,
                case_timeout: std::time::Duration::from_secs_f64(case_timeout),
                memory_budget: memory_budget << 20,
                claims: wanted,
                ..RunOptions::default()
            };
            // Ctrl-C: stop the cases, write no report (the last complete one stays), exit 130
            if let Err(e) = ctrlc::set_handler(dlncheck::isolate::interrupt) {
                return fail(&format!("cannot install the Ctrl-C handler: {e}"));
            }
            let files = match runner::discover(&paths) {
                Ok(f) => match shard {
                    Some(s) => s.select(f),
                    None => f,
                },
                Err(e) => return fail(&e.to_string()),
            };
            let progress = Progress::new(files.len(), quiet);
            let report = match runner::run(&files, &opts, &|c| progress.case_done(c)) {
                Ok(r) => r,
                Err(runner::RunError::Interrupted) => {
                    eprintln!("dlncheck: {}", runner::RunError::Interrupted);
                    return ExitCode::from(130);
                }
                Err(e) => return fail(&e.to_string()),
            };
            progress.finish();
            finish(&report, &opts.report_dir, verbose)
        }
        Command::Merge {
            reports,
            report_dir,
            verbose,
        } => {
            let mut parts = Vec::new();
            for path in &reports {
                let text = match std::fs::read_to_string(path) {
                    Ok(t) => t,
                    Err(e) => return fail(&format!("{}: {e}", path.display())),
                };
                match serde_json::from_str::<dlncheck::report::Report>(&text) {
                    Ok(r) => parts.push(r),
                    Err(e) => {
                        return fail(&format!(
                            "{}: not a dlncheck JSON v1 report: {e}",
                            path.display()
                        ))
                    }
                }
            }
            let report = match dlncheck::report::Report::merge(parts) {
                Ok(r) => r,
                Err(e) => return fail(&e),
            };
            if let Err(e) = report.write(&report_dir) {
                return fail(&format!("{}: {e}", report_dir.display()));
            }
            finish(&report, &report_dir, verbose)
        }
        Command::Sharpness {
            case,
            precision,
            path,
            repeat,
            no_mpfr,
            no_certify,
            json,
        } => {
            // no dense-size limit: the planner never forms the Hessian of a large case
            let (c, settings) = match load_sized(&case, precision, u64::MAX) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            let fast = dlncheck::sharpness_fast::FastOptions {
                path,
                repeat,
                mpfr: !no_mpfr,
                certify: !no_certify,
            };
            if json {
                let measured = dlncheck::model::instance::ModelPoint::of_case(&c)
                    .and_then(|p| dlncheck::sharpness_fast::measure(&p, &settings, &fast));
                return match measured {
                    Ok(r) => match serde_json::to_string_pretty(&r) {
                        Ok(text) => {
                            emit(&format!("{text}\n"));
                            ExitCode::SUCCESS
                        }
                        Err(e) => fail(&e.to_string()),
                    },
                    Err(e) => fail(&e),
                };
            }
            match dlncheck::sharpness::report(&c, &settings, &fast) {
                Ok(text) => {
                    emit(&text);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::Enumerate { case, precision } => {
            let (c, settings) = match load(&case, precision) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            match dlncheck::enumerate_table::table(&c, &settings, c.seed.unwrap_or(0)) {
                Ok((text, agree)) => {
                    emit(&text);
                    if agree {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(&e),
            }
        }
        Command::VerifyCert { certs, quiet } => {
            let stdout = std::io::stdout();
            let stderr = std::io::stderr();
            match dlncheck::verify::verify_files(
                &certs,
                quiet,
                &mut stdout.lock(),
                &mut stderr.lock(),
            ) {
                Ok(t) if t.unreadable > 0 => ExitCode::from(2),
                Ok(t) if t.failed > 0 => ExitCode::from(1),
                Ok(_) => ExitCode::SUCCESS,
                // the reader went away (`verify-cert … | head`): stop quietly
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
                Err(e) => fail(&e.to_string()),
            }
        }
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
        } => {
            let opts = match audit_options(depth, widths, max_width, kind, x) {
                Ok(o) => o,
                Err(e) => return fail(&e),
            };
            let r = match dlncheck::audit::audit_with(
                &claim,
                trials,
                seed,
                &out,
                &Default::default(),
                &opts,
            ) {
                Ok(r) => r,
                Err(e) => return fail(&e),
            };
            if json {
                let text = serde_json::to_string_pretty(&r.to_json()).unwrap_or_default();
                emit(&format!("{text}\n"));
            } else {
                emit(&r.text());
            }
            if r.applicable == 0 && r.trials > 0 {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "dlncheck: warning: {} applied to none of the {} trials: {}",
                    r.claim,
                    r.trials,
                    r.main_reason().unwrap_or("no reason given")
                );
                return ExitCode::from(2);
            }
            ExitCode::SUCCESS
        }
        Command::Schema => {
            match serde_json::to_string_pretty(&dlncheck::case::json_schema()) {
                Ok(text) => emit(&format!("{text}\n")),
                Err(e) => return fail(&e.to_string()),
            }
            ExitCode::SUCCESS
        }
        Command::Claims => {
            let mut text = String::new();
            for c in claims::registry() {
                text += &format!("{:<24} {:<22} {}\n", c.id(), c.source(), c.statement());
            }
            emit(&text);
            ExitCode::SUCCESS
        }
    }
}

/// Print the per-claim table, the unmet checks and invalid cases one block each (every check
/// too with `verbose`), and map the outcome to the exit code (0 met, 1 unmet or a valid case
/// stopped by a limit, 2 invalid). The closing status line is colored only on a terminal outside
/// CI.
fn finish(report: &dlncheck::report::Report, dir: &std::path::Path, verbose: bool) -> ExitCode {
    let detail = dlncheck::report::terminal::Detail {
        every_check: verbose,
    };
    let mut text = dlncheck::report::terminal::summary(report, detail);
    text += &format!("reports: {}\n", dir.join("report.json").display());
    let s = &report.summary;
    let stopped = report.cases.iter().filter(|c| c.stopped.is_some()).count();
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    console::set_colors_enabled(console::Term::stdout().is_term() && !ci);
    let code = if s.errors > stopped {
        2
    } else if stopped > 0 || s.unmet > 0 {
        1
    } else {
        0
    };
    let words = dlncheck::report::terminal::status_line(report);
    let line = if code == 0 {
        console::style(words).green().bold()
    } else {
        console::style(words).red().bold()
    };
    emit(&format!("{text}{line}\n"));
    ExitCode::from(code)
}

/// Write `text` to stdout. A reader that has gone away (`dlncheck … | head`: a closed pipe) or
/// any other write error ends the output quietly; the exit code stays that of the work done.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Load one case file, with the settings it runs with (`--precision` overriding its own).
fn load(
    path: &std::path::Path,
    precision: Option<u32>,
) -> Result<
    (
        dlncheck::case::Case,
        dlncheck::certify::lambda_max::Settings,
    ),
    ExitCode,
> {
    load_sized(
        path,
        precision,
        dlncheck::case::LoadOptions::default().max_dense_bytes,
    )
}

/// [`load`] with a given limit on the dense Hessian's memory estimate.
fn load_sized(
    path: &std::path::Path,
    precision: Option<u32>,
    max_dense_bytes: u64,
) -> Result<
    (
        dlncheck::case::Case,
        dlncheck::certify::lambda_max::Settings,
    ),
    ExitCode,
> {
    let opts = dlncheck::case::LoadOptions {
        known_claims: claims::known_ids(),
        max_dense_bytes,
        ..Default::default()
    };
    let c = dlncheck::case::load_file(path, &opts).map_err(|e| fail(&e.to_string()))?;
    let settings = runner::settings_for(
        &c,
        &RunOptions {
            precision,
            ..RunOptions::default()
        },
    );
    Ok((c, settings))
}

/// `--case-timeout`: a positive, finite number of seconds.
fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("{s}: expected a number of seconds > 0")),
    }
}

/// Report an error on stderr (quietly dropped if stderr is closed) and exit with code 2.
/// The audit's `--depth`, `--widths`, `--max-width`, `--kind` and `--x`.
fn audit_options(
    depth: Option<String>,
    widths: Option<Vec<usize>>,
    max_width: Option<usize>,
    kind: Option<String>,
    x: Option<String>,
) -> Result<dlncheck::audit::AuditOptions, String> {
    use dlncheck::audit::XKind;
    use dlncheck::case::ModelKind;
    let kind = match kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("linear") => Some(ModelKind::Linear),
        Some("residual") => Some(ModelKind::Residual),
        Some("l2-regularized") => Some(ModelKind::L2Regularized),
        Some(k) => {
            return Err(format!(
                "--kind {k}: audit draws linear, residual or l2-regularized models"
            ))
        }
    };
    let x = match x.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("identity") => Some(XKind::Identity),
        Some("general" | "random") => Some(XKind::General),
        Some(v) => return Err(format!("--x {v}: expected identity or general")),
    };
    Ok(dlncheck::audit::AuditOptions {
        depth: depth
            .as_deref()
            .map(dlncheck::audit::parse_depth)
            .transpose()?,
        widths,
        max_width,
        kind,
        x,
    })
}

fn fail(msg: &str) -> ExitCode {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "dlncheck: {msg}");
    ExitCode::from(2)
}

/// `--tier default|long`.
fn parse_tier(s: &str) -> Result<dlncheck::case::Tier, String> {
    match s {
        "default" => Ok(dlncheck::case::Tier::Default),
        "long" => Ok(dlncheck::case::Tier::Long),
        _ => Err(format!("expected `default` or `long`, found `{s}`")),
    }
}
