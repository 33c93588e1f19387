//! `dlncheck audit CLAIM`: a seeded search for counterexamples to a claim over random small cases,
//! shrinking the first one found (fewer layers, narrower layers, simpler rationals) with
//! quickcheck's `Arbitrary::shrink`, and writing the minimal one as a YAML case with
//! `expect: refuted` and its certificate.
//!
//! Trials are drawn from a ChaCha generator seeded by `--seed` (quickcheck's own generator cannot be
//! seeded), so an audit is reproducible; shrinking is deterministic. Entries live on a fixed grid
//! per layer (row i, column j of layer k), so removing a layer or narrowing a width leaves every
//! other entry where it was, and shrinking tries smaller depths first, then smaller widths, then
//! simpler entries, then fresh entries at a smaller shape: it stops at a local minimum of
//! (depth, widths, entry sizes).

mod case;
mod report;
mod search;
mod shape;

pub use case::{yaml_matrix, AuditCase, Construction, LanePoint};
pub use report::{AuditReport, BorrowedTally, Counterexample};
pub use search::{audit, resolve_claim};
pub use shape::{parse_depth, AuditOptions, Regions, XKind, GRID, MAX_DEPTH};

use super::{emit, AppError, Status};
use crate::case::ModelKind;
use crate::certify::lambda_max::Settings;
use std::path::PathBuf;

/// The audit's command line: the claim, the search and the draws as typed.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The claim id (see `dlncheck claims`).
    pub claim: String,
    /// Random cases to try.
    #[arg(long, default_value_t = 200)]
    pub trials: usize,
    /// Seed of the search (the same seed gives the same cases and the same counterexample).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Directory for the minimal counterexample (YAML case with `expect: refuted`) and its
    /// certificate.
    #[arg(long, default_value = "cases/audit")]
    pub out: PathBuf,
    /// Depth L of the drawn networks: one value (3) or an inclusive range (2..4). Default: the
    /// claim's own range (2..4 for AMG, 3..4 for KP-flat-necessary-deep, 1..4 otherwise).
    #[arg(long)]
    pub depth: Option<String>,
    /// Every width d_0,…,d_L, comma-separated (fixes the depth too), e.g. 2,2,2,2.
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["depth", "max_width"])]
    pub widths: Option<Vec<usize>>,
    /// Largest width drawn (default 3, at most 6).
    #[arg(long)]
    pub max_width: Option<usize>,
    /// Model kind: linear, residual (all widths equal), l2-regularized (λ = 1/n, n ≤ 20) or
    /// one-hidden-layer (leaky ReLU, dims [d, d, d], X square invertible). Default: the first of
    /// these kinds the claim concerns (l2-regularized for the WJ claims, residual for
    /// ZL-gd-residual, one-hidden-layer for ZL-gd-nonlinear), linear otherwise.
    #[arg(long)]
    pub kind: Option<String>,
    /// Data X: identity, or general ([I | R] with 1 or 2 random rational columns; for
    /// one-hidden-layer models, whose X must be square, I plus a random strictly lower triangle).
    /// Default: general for the claims about general data (KP on data, BAL-invariant, ZL),
    /// identity otherwise.
    #[arg(long)]
    pub x: Option<String>,
    /// Delicate region of the draws: mixed (half plain; a sixth each near — two compared values
    /// 2^-s apart, s from 12 to 300 —, repeated — near-repeated singular values — and
    /// rank-deficient), or only plain, near, repeated or rank-deficient (case-insensitive). What
    /// each changes per claim family: docs/commands.md, `audit`.
    #[arg(long, default_value = "mixed")]
    pub region: String,
    /// Give the drawn lane points (claims about critical points) free kernel blocks: random
    /// entries in every layer position that maps a direction not reached from the data to one
    /// that does not reach the output. The point stays exactly critical while the ranks of the
    /// partial products and the Hessian change (docs/commands.md, `audit`). Off by default, so
    /// the documented seeds draw the points they always drew.
    #[arg(long)]
    pub free_blocks: bool,
    /// Make the drawn critical points (claims about critical points) borrowed-slot points:
    /// directions sharing one hidden unit at different depths (src/enumerate/borrowed.rs). The
    /// drawn lane type is read over the padded positions; when it does not fit the widths or
    /// does not borrow, a type is redrawn from a stream of its own, else the trial keeps its lane
    /// point, and the report counts each (docs/commands.md, `audit`). Off by default, so the
    /// documented seeds draw the points they always drew.
    #[arg(long, conflicts_with = "free_blocks")]
    pub borrowed: bool,
    /// Print a machine-readable JSON summary instead of the text (same exit codes).
    #[arg(long)]
    pub json: bool,
}

/// Run the audit and print its report (text or JSON): [`Status::Met`] when it ran (with or
/// without a counterexample), [`Status::NothingApplicable`] with a warning on stderr when the
/// claim applied to none of the trials.
pub fn run(args: Args) -> Result<Status, AppError> {
    let opts = options(&args)?;
    let r = audit(
        &args.claim,
        args.trials,
        args.seed,
        &args.out,
        &Settings::default(),
        &opts,
    )?;
    if args.json {
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
        return Ok(Status::NothingApplicable);
    }
    Ok(Status::Met)
}

/// The draws `--depth`, `--widths`, `--max-width`, `--kind`, `--x` and `--region` ask for.
fn options(args: &Args) -> Result<AuditOptions, String> {
    let kind = match args.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("linear") => Some(ModelKind::Linear),
        Some("residual") => Some(ModelKind::Residual),
        Some("l2-regularized") => Some(ModelKind::L2Regularized),
        Some("one-hidden-layer") => Some(ModelKind::OneHiddenLayer),
        Some(k) => {
            return Err(format!(
                "--kind {k}: audit draws linear, residual, l2-regularized or one-hidden-layer \
                 models"
            ))
        }
    };
    let x = match args.x.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("identity") => Some(XKind::Identity),
        Some("general" | "random") => Some(XKind::General),
        Some(v) => return Err(format!("--x {v}: expected identity or general")),
    };
    let regions = match args.region.to_ascii_lowercase().as_str() {
        "mixed" => Regions::Mixed,
        "plain" => Regions::Plain,
        "near" => Regions::Near,
        "repeated" => Regions::Repeated,
        "rank-deficient" => Regions::RankDeficient,
        v => {
            return Err(format!(
                "--region {v}: expected mixed, plain, near, repeated or rank-deficient"
            ))
        }
    };
    Ok(AuditOptions {
        depth: args.depth.as_deref().map(parse_depth).transpose()?,
        widths: args.widths.clone(),
        max_width: args.max_width,
        kind,
        x,
        regions,
        free_blocks: args.free_blocks,
        borrowed: args.borrowed,
    })
}
