//! Runs checks over case files: discovery, per-case isolation, parallelism, certificates, report.
//! Observers (progress) are told about each finished case; the runner never formats output.

use super::isolate::{self, Finished};
use super::options::{settings_for, RunOptions};
use crate::case::{self, Case, CaseError, Expect, Tier};
use crate::claims::{self, CaseContext, Outcome};
use crate::report::{atomic, CaseReport, CheckReport, Report, Stopped, FAIL_FAST_SKIP};
use crate::verdict::{Strength, Verdict};
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Errors of the runner layer (usage and I/O, never a case's own problem).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path on the command line does not exist.
    #[error("{0}: no such file or directory")]
    Missing(PathBuf),
    /// No case files were found.
    #[error("no case files (*.yaml, *.yml) under {0}")]
    NoCases(String),
    /// Reading a directory or writing a report failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The thread pool could not be built.
    #[error("could not start {0} worker threads")]
    Pool(usize),
    /// The run was interrupted (SIGINT): no report was written.
    #[error("interrupted: no report written (a previous report in the directory is untouched)")]
    Interrupted,
}

/// Case files under the given paths (files as given; directories searched recursively for *.yaml
/// and *.yml), sorted and deduplicated.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, RunError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
        } else if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            return Err(RunError::Missing(p.clone()));
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(RunError::NoCases(shown.join(", ")));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), RunError> {
    let io = |source| RunError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// A shard i/n of a run (1 ≤ i ≤ n): the case files whose position in the sorted list is ≡ i − 1
/// mod n, so shards are disjoint, cover every file and do not depend on the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--shard {s}: expected i/n with 1 ≤ i ≤ n, e.g. 2/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The files of this shard, from the sorted list of all files.
    pub fn select(&self, files: Vec<PathBuf>) -> Vec<PathBuf> {
        files
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % self.count == self.index - 1)
            .map(|(_, f)| f)
            .collect()
    }
}

/// Run every case file and write the reports. `on_case` observes each finished case. When the
/// process is interrupted ([`isolate::interrupt`]) the run stops and writes nothing.
pub fn run(
    files: &[PathBuf],
    opts: &RunOptions,
    on_case: &(dyn Fn(&CaseReport) + Sync),
) -> Result<Report, RunError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .map_err(|_| RunError::Pool(opts.jobs))?;
    // with --fail-fast: the position of the first failed case in sorted order so far; the cases
    // after it are not started, and at the end every case after the first failure (whatever ran
    // meanwhile on another thread) is reported as not run, so the report does not depend on timing
    let first_failure = AtomicUsize::new(usize::MAX);
    let mut cases: Vec<CaseReport> = pool.install(|| {
        files
            .par_iter()
            .enumerate()
            .map(|(i, f)| {
                if opts.fail_fast && i > first_failure.load(Ordering::SeqCst) {
                    return not_run_report(f, None);
                }
                let r = run_file(f, opts);
                if opts.fail_fast && r.failed() {
                    first_failure.fetch_min(i, Ordering::SeqCst);
                }
                if !isolate::interrupted() {
                    on_case(&r);
                }
                r
            })
            .collect()
    });
    if isolate::interrupted() {
        return Err(RunError::Interrupted);
    }
    let first = first_failure.into_inner();
    if first < cases.len() {
        let at = cases[first].name.clone();
        for (c, f) in cases.iter_mut().zip(files).skip(first + 1) {
            *c = not_run_report(f, Some(&at));
        }
    }
    let report = Report::new(cases);
    report
        .write(&opts.report_dir)
        .map_err(|source| RunError::Io {
            path: opts.report_dir.clone(),
            source,
        })?;
    Ok(report)
}

/// Load and check one case file; every failure becomes this case's error status. The case is
/// refused before any work when its memory estimate exceeds the budget, and runs on its own
/// thread under the wall-clock limit (a case past it is reported as timed out).
pub fn run_file(file: &Path, opts: &RunOptions) -> CaseReport {
    let shown = file.display().to_string();
    if isolate::interrupted() {
        return error_report(&shown, file, CaseError::interrupted(file));
    }
    let mut c = match case::load_file(file, &opts.load) {
        Err(e) => return error_report(&shown, file, e),
        Ok(c) => c,
    };
    // `--claim` and `-k`: keep the selected checks, remember the others
    let mut deselected = Vec::new();
    let name = c.name.clone();
    c.checks.retain(|k| {
        let keep = opts.selects(&name, &k.claim);
        if !keep {
            deselected.push(k.claim.clone());
        }
        keep
    });
    if c.tier == Tier::Long && opts.tier == Tier::Default {
        return skipped_report(&c, &shown);
    }
    let memory = super::plan::estimate(&c, &settings_for(&c, opts));
    if memory.bytes > u128::from(opts.memory_budget) {
        let e = c.error(
            "model.dims",
            format!(
                "refused: the work needs an estimated {} bytes (mostly the {}), more than the \
                 memory budget of {} bytes (--memory-budget {} MiB)",
                memory.bytes,
                memory.dominant,
                opts.memory_budget,
                opts.memory_budget >> 20
            ),
        );
        return stopped_report(&shown, file, e, Stopped::Refused);
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let work = {
        let (c, shown, opts, cancel) = (c.clone(), shown.clone(), opts.clone(), cancel.clone());
        move || catch_unwind(AssertUnwindSafe(|| run_case(&c, &shown, &opts, &cancel)))
    };
    match isolate::run_limited(opts.case_timeout, cancel, work) {
        Finished::Done(Ok(r)) => CaseReport { deselected, ..r },
        Finished::Done(Err(p)) => {
            let e = c.error(
                "<case>",
                format!("internal error while checking: {}", panic_message(&p)),
            );
            error_report(&shown, file, e)
        }
        Finished::Lost(why) => error_report(
            &shown,
            file,
            c.error("<case>", format!("internal error while checking: {why}")),
        ),
        Finished::TimedOut => {
            let secs = opts.case_timeout.as_secs_f64();
            let e = c.error(
                "<case>",
                format!(
                    "timeout: the case did not finish within {secs} s (--case-timeout {secs}); \
                     its checks were abandoned"
                ),
            );
            stopped_report(&shown, file, e, Stopped::Timeout)
        }
        Finished::Interrupted => error_report(&shown, file, CaseError::interrupted(file)),
    }
}

/// The report of a valid case that was stopped (refused or timed out): status "error" (the JSON
/// v1 contract knows only ok and error), `stopped` saying why.
fn stopped_report(shown: &str, file: &Path, e: CaseError, why: Stopped) -> CaseReport {
    CaseReport {
        stopped: Some(why),
        ..error_report(shown, file, e)
    }
}

/// A `tier: long` case left out of a default-tier run: reported, with no checks.
fn skipped_report(c: &Case, shown: &str) -> CaseReport {
    not_run(
        c.name.clone(),
        shown.to_string(),
        "tier: long; run with `dlncheck check --tier long`".into(),
    )
}

/// A valid case whose checks were not run, and why (`skipped`; status "ok", no checks).
fn not_run(name: String, file: String, why: String) -> CaseReport {
    CaseReport {
        name,
        file,
        status: "ok".into(),
        error: None,
        errors: Vec::new(),
        seed: None,
        precision_bits: None,
        notes: Vec::new(),
        checks: Vec::new(),
        skipped: Some(why),
        stopped: None,
        deselected: Vec::new(),
        diagnostic: None,
    }
}

/// A case left out by `--fail-fast` after the case `after` failed (`None` while the run is still
/// going; every such report is rewritten with the name once the run ends).
fn not_run_report(file: &Path, after: Option<&str>) -> CaseReport {
    let shown = file.display().to_string();
    let why = match after {
        Some(name) => format!("{FAIL_FAST_SKIP} stopped the run after case {name} failed"),
        None => FAIL_FAST_SKIP.to_string(),
    };
    not_run(stem_or(file, &shown), shown, why)
}

/// The file's stem: the name of a case that was not read.
fn stem_or(file: &Path, shown: &str) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.to_string())
}

fn error_report(shown: &str, file: &Path, e: CaseError) -> CaseReport {
    CaseReport {
        name: stem_or(file, shown),
        file: shown.to_string(),
        status: "error".into(),
        error: Some(e.to_string()),
        errors: if e.also.is_empty() {
            Vec::new()
        } else {
            e.all_lines()
        },
        diagnostic: Some(Box::new(e)),
        seed: None,
        precision_bits: None,
        notes: Vec::new(),
        checks: Vec::new(),
        skipped: None,
        stopped: None,
        deselected: Vec::new(),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// The verdict an expectation asks for (`proved` asks for `verified`, with strength proved).
fn expect_verdict(e: Expect) -> Verdict {
    match e {
        Expect::Verified | Expect::Proved => Verdict::Verified,
        Expect::Refuted => Verdict::Refuted,
        Expect::Inconclusive => Verdict::Inconclusive,
    }
}

/// Check `claim` with [`claims::check_escalating`], a panic caught as an internal error, until
/// `cancel` is set.
fn check_escalating(
    claim: &dyn claims::Claim,
    ctx: &CaseContext,
    c: &Case,
    seed: u64,
    max_prec: u32,
    cancel: &AtomicBool,
) -> (Outcome, u32) {
    let run = |ctx: &CaseContext| {
        catch_unwind(AssertUnwindSafe(|| claim.check(ctx)))
            .unwrap_or_else(|p| Outcome::error(format!("internal error: {}", panic_message(&p))))
    };
    claims::check_escalating(claim, ctx, c, seed, max_prec, run, || {
        !cancel.load(Ordering::SeqCst)
    })
}

/// Does a verdict of this strength meet the expectation? `proved` needs a proved verification;
/// the others need their verdict, of any strength.
fn expect_met(e: Expect, verdict: Verdict, strength: Option<Strength>) -> bool {
    verdict == expect_verdict(e) && (e != Expect::Proved || strength == Some(Strength::Proved))
}

/// Check every claim of the case; once `cancel` is set (the case was abandoned) no further check
/// starts and no certificate is written.
fn run_case(c: &Case, shown: &str, opts: &RunOptions, cancel: &AtomicBool) -> CaseReport {
    let seed = opts.seed.or(c.seed).unwrap_or(0);
    let settings = settings_for(c, opts);
    let prec = settings.prec;
    let ctx = CaseContext::new(c, settings, seed);
    let checks = c
        .checks
        .iter()
        .enumerate()
        .take_while(|_| !cancel.load(Ordering::SeqCst))
        .map(|(i, spec)| {
            let start = Instant::now();
            let (outcome, used_prec) = match claims::find(&spec.claim) {
                None => (Outcome::error(claims::unknown(&spec.claim)), prec),
                // refused before it starts, at the check's own line
                Some(claim) => match claim.scope().refusal(claim.info().id, c) {
                    Some(na) => (na.at_check(c, i), prec),
                    None => check_escalating(claim, &ctx, c, seed, opts.max_precision, cancel),
                },
            };
            let mut outcome = outcome;
            if used_prec != prec {
                outcome.values.precision_bits_used = Some(u64::from(used_prec));
            }
            let seconds = opts.timing.then(|| start.elapsed().as_secs_f64());
            let saved = outcome.certificate.as_ref().and_then(|cert| {
                if cancel.load(Ordering::SeqCst) {
                    return None;
                }
                let mut cert = cert.clone();
                cert["case"] = serde_json::json!(c.name);
                cert["verdict"] = serde_json::json!(outcome.verdict().as_str());
                cert["strength"] = serde_json::json!(outcome.strength().map(|s| s.as_str()));
                let path = opts
                    .report_dir
                    .join("certs")
                    .join(format!("{}--{}.json", c.name, spec.claim));
                let text = serde_json::to_string_pretty(&cert).ok()? + "\n";
                atomic::write(&path, text.as_bytes()).ok()?;
                Some((path.display().to_string(), sha256_hex(text.as_bytes())))
            });
            let (certificate, certificate_sha256) = saved.unzip();
            let met = spec
                .expect
                .map_or(outcome.verdict() != Verdict::Error, |e| {
                    expect_met(e, outcome.verdict(), outcome.strength())
                });
            CheckReport {
                claim: spec.claim.clone(),
                verdict: outcome.verdict(),
                strength: outcome.strength(),
                expect: spec.expect.map(expect_verdict),
                expect_strength: spec
                    .expect
                    .and_then(|e| (e == Expect::Proved).then_some(Strength::Proved)),
                met,
                reason: outcome.reason,
                values: outcome.values,
                certificate,
                certificate_sha256,
                seconds,
            }
        })
        .collect();
    CaseReport {
        name: c.name.clone(),
        file: shown.to_string(),
        status: "ok".into(),
        error: None,
        errors: Vec::new(),
        seed: Some(seed),
        precision_bits: Some(prec),
        notes: c.float_inputs.iter().cloned().chain(ctx.notes()).collect(),
        checks,
        skipped: None,
        stopped: None,
        deselected: Vec::new(),
        diagnostic: None,
    }
}

/// SHA-256 of `bytes` in lowercase hex (the digest `verify-cert --report` compares).
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
