//! `dlncheck trajectory CASE.yaml --checkpoints 'run/step-*.npz' --eta η`: follow a training run
//! checkpoint by checkpoint. The case gives the model and the data; each checkpoint file holds the
//! weights of one step, read as `point: {file: …}` reads them ([`crate::case::read_weights`]).
//! Per checkpoint ([`point`]): the loss, λ_max(∇²f) by the planner of `sharpness` (the f64 value
//! with its path, the proven enclosure where the size allows), λ_max against 2/η, the
//! balancedness ‖D_k‖_F and, near a minimizer, the ZL tightness ratio.
//!
//! Checkpoints: each `--checkpoints` value is a file or a pattern whose last path component may
//! hold `*` (any run of characters) and `?` (one character); the directory part is taken
//! literally, relative to the working directory. The step of a file is the last integer in its
//! name (`step-0040.npz` → 40); a file name without one, two files of the same step, or a pattern
//! that matches nothing stop the run before any work (exit 2). Checkpoints are evaluated in
//! parallel (rayon, `--jobs`) and sorted by step; the results do not depend on the thread count.
//!
//! A checkpoint that cannot be evaluated (missing file, wrong shape, NaN, …) does not stop the
//! others: it is a row with its error (file, array and field named), and the command exits 1.
//! trajectory.json and trajectory.html are both rendered before either is written, each
//! atomically (a temporary file renamed), so an error never leaves a partial file.

pub mod point;

use super::{emit, AppError, Status};
use crate::app::check::options::{self, RunOptions};
use crate::case::{self, LoadOptions};
use crate::linalg::field::{q_to_f64, q_to_string};
use crate::report::trajectory::{Summary, Trajectory, VERSION};
use crate::report::{atomic, html};
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use point::Setting;
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// The default of `--near`: τ = 1/1000.
pub const DEFAULT_NEAR: &str = "1/1000";

/// The command's arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The case file: the model and the data (its point and checks are not used).
    pub case: PathBuf,
    /// Checkpoint files, or shell patterns with *, ? or […] (quote them), e.g.
    /// 'run/step-*.npz' or 'runs/*/step-*.npz'; each file holds W_1 … W_L as
    /// `point: {file: …}` does.
    #[arg(long, required = true, num_args = 1..)]
    pub checkpoints: Vec<String>,
    /// The step size η of the run, exactly (0.01, 1/100, 1e-2): the edge of stability is 2/η.
    #[arg(long, allow_hyphen_values = true)]
    pub eta: String,
    /// Directory receiving trajectory.json and trajectory.html.
    #[arg(long, default_value = "reports/trajectory")]
    pub out: PathBuf,
    /// Worker threads (0: one per core); the output is the same for any number.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Names of the layers' arrays in each checkpoint, W_1 first (default: every array of
    /// the file, in natural order).
    #[arg(long, value_delimiter = ',')]
    pub arrays: Vec<String>,
    /// τ of "near a minimizer" (where the ZL ratio is computed): f − f* ≤ τ·(½‖Y‖² − f*).
    #[arg(long, default_value = DEFAULT_NEAR)]
    pub near: String,
    /// MPFR precision in bits (overrides precision_bits).
    #[arg(long)]
    pub precision: Option<u32>,
}

/// One checkpoint file and its step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The file.
    pub path: PathBuf,
    /// The file as shown in reports.
    pub shown: String,
    /// The training step: the last integer in the file name.
    pub step: u64,
}

/// Evaluate every checkpoint and write trajectory.json and trajectory.html into `args.out`.
pub fn run(args: Args) -> Result<Status, AppError> {
    let start = Instant::now();
    let eta = positive(&args.eta, "--eta")?;
    let near = positive(&args.near, "--near")?;
    let opts = LoadOptions {
        known_claims: crate::claims::known_ids(),
        max_dense_bytes: u64::MAX,
        ..Default::default()
    };
    let c = case::load_model_file(&args.case, &opts)?;
    let settings = options::settings_for(
        &c,
        &RunOptions {
            precision: args.precision,
            ..RunOptions::default()
        },
    );
    let checkpoints = find(&args.checkpoints)?;
    let arrays = (!args.arrays.is_empty()).then(|| args.arrays.clone());
    let setting = Setting::new(&c, settings, &eta, near.clone(), arrays, opts.max_dim)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs)
        .build()
        .map_err(|e| AppError::Failed(format!("cannot start {} worker threads: {e}", args.jobs)))?;
    let rows = pool.install(|| {
        checkpoints
            .par_iter()
            .map(|ck| setting.row(ck))
            .collect::<Vec<_>>()
    });
    let two_over_eta = BigRational::from_integer(2.into()) / &eta;
    let summary = Summary {
        checkpoints: rows.len(),
        errors: rows.iter().filter(|r| r.error.is_some()).count(),
        above_edge: rows
            .iter()
            .filter(|r| r.edge.as_ref().is_some_and(|e| e.above))
            .count(),
        proven: rows
            .iter()
            .filter(|r| r.lambda_max.as_ref().is_some_and(|l| l.proven.is_some()))
            .count(),
        edge_proven: rows
            .iter()
            .filter(|r| r.edge.as_ref().is_some_and(|e| e.decided_by == "proven"))
            .count(),
        near_minimizer: rows
            .iter()
            .filter(|r| r.zl.as_ref().is_some_and(|z| z.near))
            .count(),
    };
    let t = Trajectory {
        version: VERSION,
        tool: "dlncheck".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        convention: "half".into(),
        case: args.case.display().to_string(),
        name: c.name.clone(),
        model: c.kind,
        dims: c.dims.clone(),
        params: c.param_count(),
        patterns: args.checkpoints.clone(),
        arrays: args.arrays.clone(),
        eta: point::exactly(&eta),
        two_over_eta: point::exactly(&two_over_eta),
        balancedness: setting.balancedness(),
        zl: setting.zl_setting(),
        rows,
        summary,
    };
    // render both before writing either: an error leaves no file of this run behind
    let json = serde_json::to_string_pretty(&t)? + "\n";
    let page = html::trajectory::render(&t);
    for (name, text) in [("trajectory.json", &json), ("trajectory.html", &page)] {
        let path = args.out.join(name);
        atomic::write(&path, text.as_bytes()).map_err(|source| AppError::Io { path, source })?;
    }
    emit(&format!(
        "{}wrote {} and {} ({} checkpoints in {:.2} s)\n",
        point::text(&t),
        args.out.join("trajectory.json").display(),
        args.out.join("trajectory.html").display(),
        t.rows.len(),
        start.elapsed().as_secs_f64()
    ));
    Ok(if t.summary.errors > 0 {
        Status::Unmet
    } else {
        Status::Met
    })
}

/// A positive exact number from the command line.
fn positive(text: &str, flag: &str) -> Result<BigRational, AppError> {
    let q = case::parse_exact(text).map_err(|e| AppError::Failed(format!("{flag}: {e}")))?;
    if !q.is_positive() {
        return Err(AppError::Failed(format!(
            "{flag}: expected a number > 0, found {}",
            q_to_string(&q)
        )));
    }
    if q_to_f64(&q).is_zero() || !q_to_f64(&q).is_finite() {
        return Err(AppError::Failed(format!(
            "{flag}: {text} is outside the range of an f64"
        )));
    }
    Ok(q)
}

/// The training step of a file: the last run of decimal digits in its name.
pub fn step_of(name: &str) -> Option<Result<u64, String>> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let end = stem.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = stem[..end]
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = &stem[start..end];
    Some(
        digits
            .parse::<u64>()
            .map_err(|_| format!("the step {digits} is beyond the range of a 64-bit integer")),
    )
}

/// The checkpoints named by `patterns`, sorted by step: each a file (kept even when missing:
/// reading it is that checkpoint's error) or a shell pattern (`*`, `?`, `[…]`, in any part of
/// the path; the `glob` crate) matching at least one file. A name without a step and two files of one step are errors.
pub fn find(patterns: &[String]) -> Result<Vec<Checkpoint>, AppError> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for pat in patterns {
        if !pat.contains(['*', '?', '[']) {
            files.push((PathBuf::from(pat), pat.clone()));
            continue;
        }
        let bad = |e: String| AppError::Failed(format!("--checkpoints {pat}: {e}"));
        let mut found = 0;
        for entry in glob::glob(pat).map_err(|e| bad(e.to_string()))? {
            let path = entry.map_err(|e| bad(e.to_string()))?;
            if !path.is_dir() {
                found += 1;
                files.push((path.clone(), path.display().to_string()));
            }
        }
        if found == 0 {
            return Err(bad("no file matches".into()));
        }
    }
    files.sort_by(|a, b| natord::compare(&a.1, &b.1));
    files.dedup_by(|a, b| a.1 == b.1);
    let mut out = Vec::with_capacity(files.len());
    for (path, shown) in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let step = match step_of(&name) {
            Some(Ok(s)) => s,
            Some(Err(e)) => return Err(AppError::Failed(format!("{shown}: {e}"))),
            None => {
                return Err(AppError::Failed(format!(
                    "{shown}: no step number in the file name; dlncheck takes the last integer in \
                     a checkpoint's name as its training step (step-0040.npz is step 40)"
                )))
            }
        };
        out.push(Checkpoint { path, shown, step });
    }
    out.sort_by_key(|c| c.step);
    if let Some(w) = out.windows(2).find(|w| w[0].step == w[1].step) {
        return Err(AppError::Failed(format!(
            "{} and {} are both step {}: one checkpoint per step",
            w[0].shown, w[1].shown, w[0].step
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_files_in_any_part_of_the_path_sorted_by_step() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, name) in [
            ("a", "step-10.npz"),
            ("a", "step-2.npz"),
            ("b", "step-7.npz"),
            ("b", "step-7.npy"),
            ("b", "notes.txt"),
        ] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join(name), b"").unwrap();
        }
        let root = dir.path().display().to_string();
        let steps = |pat: &str| {
            find(&[format!("{root}/{pat}")]).map(|c| c.iter().map(|c| c.step).collect::<Vec<_>>())
        };
        assert_eq!(steps("*/step-*.npz").unwrap(), vec![2, 7, 10]);
        assert_eq!(steps("a/step-?.npz").unwrap(), vec![2]);
        assert_eq!(steps("[ab]/step-1*.npz").unwrap(), vec![10]);
        // the directories themselves are not checkpoints; no file is an error
        assert!(steps("*").is_err());
        assert!(steps("c/step-*.npz")
            .unwrap_err()
            .to_string()
            .contains("no file matches"));
        // two files of one step
        assert!(steps("b/step-7.*")
            .unwrap_err()
            .to_string()
            .contains("both step 7"));
    }

    #[test]
    fn the_step_is_the_last_integer_of_the_name() {
        assert_eq!(step_of("step-0040.npz"), Some(Ok(40)));
        assert_eq!(step_of("run3_epoch2_step120.safetensors"), Some(Ok(120)));
        assert_eq!(step_of("final.npz"), None);
        // the extension's digits are not a step
        assert_eq!(step_of("final.pt2"), None);
        assert!(matches!(
            step_of("step-99999999999999999999.npz"),
            Some(Err(_))
        ));
    }

    #[test]
    fn checkpoints_are_found_sorted_by_step_and_refused_when_ambiguous() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["step-10.npz", "step-9.npz", "step-100.npz", "other.txt"] {
            std::fs::write(dir.path().join(n), b"").unwrap();
        }
        let pat = dir.path().join("step-*.npz").display().to_string();
        let found = find(std::slice::from_ref(&pat)).unwrap();
        let steps: Vec<u64> = found.iter().map(|c| c.step).collect();
        assert_eq!(steps, [9, 10, 100]);
        let none = dir.path().join("ckpt-*.npz").display().to_string();
        let e = find(&[none]).unwrap_err().to_string();
        assert!(e.contains("no file matches"), "{e}");
        std::fs::write(dir.path().join("step-009.npz"), b"").unwrap();
        let e = find(&[pat]).unwrap_err().to_string();
        assert!(e.contains("both step 9"), "{e}");
        std::fs::write(dir.path().join("final.npz"), b"").unwrap();
        let e = find(&[dir.path().join("final.npz").display().to_string()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no step number"), "{e}");
    }
}
