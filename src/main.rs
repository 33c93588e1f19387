//! The dlncheck command line: clap parses the arguments into the command's own `Args` (which
//! derive `clap::Args` in [`dlncheck::app`]), `run` dispatches to the command, and `main`
//! prints an error once and exits with [`app::exit_code`] (0: every check met its expectation;
//! 1: some did not; 2: invalid input or usage; 130: interrupted).

use clap::{Parser, Subcommand};
use dlncheck::app;
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
    Check(app::check::Args),
    /// λ_max of the Hessian of the case's own model (linear, residual, one-hidden-layer,
    /// l2-regularized) at its point: f64, MPFR and proven enclosure. A leaky-ReLU point with a
    /// zero pre-activation (a kink: no Hessian) is refused, naming the entries (exit 2).
    Sharpness(app::sharpness::Args),
    /// Critical points of a linear case per index set S, classified by criterion and certificate.
    #[command(
        after_help = "With --json the points are written to stdout as one JSON object: the case, its dims, \
Σ's eigenvalues, f* and `points`, one row per critical point (the case's own point first when it is critical): \
label, case_point, verdict (holds when both readings of the criterion agree with the certificate, fails when not, \
undecided without a certificate), strength, and figures (index_set, critical_value, loss_gap = f − f*, \
class_by_criterion, class_by_criterion_path, class_by_certificate, certificate_detail, layer_ranks, prefix_ranks). \
Exit code 0 when every point agrees, 1 when one does not."
    )]
    Enumerate(app::enumerate::Args),
    /// Re-check a saved certificate with exact rational arithmetic only (independent of the producer).
    VerifyCert(app::verify_cert::Args),
    /// Combine shard reports (report.json files) into one report (JSON, Markdown, JUnit).
    Merge(app::merge::Args),
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
    Audit(app::audit::Args),
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
    Trajectory(app::trajectory::Args),
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
    Init(app::init::Args),
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

/// Run the command.
fn run(command: Command) -> Result<app::Status, app::AppError> {
    match command {
        Command::Check(args) => app::check::run(args),
        Command::Merge(args) => app::merge::run(args),
        Command::Sharpness(args) => app::sharpness::run(args),
        Command::Enumerate(args) => app::enumerate::run(args),
        Command::VerifyCert(args) => app::verify_cert::run(args),
        Command::Audit(args) => app::audit::run(args),
        Command::Trajectory(args) => app::trajectory::run(args),
        Command::Schema => app::schema::run(),
        Command::Claims => app::claims::run(),
        Command::Explain { claim } => app::explain::run(&claim),
        Command::Init(args) => app::init::run(args),
        Command::Validate { paths } => app::validate::run(&paths),
    }
}
