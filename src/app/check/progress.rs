//! Progress as an observer of the runner: a bar on a terminal, plain per-case lines in CI or when
//! output is redirected, nothing with --quiet.

use crate::report::CaseReport;
use crate::verdict::Verdict;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where progress goes.
pub enum Progress {
    /// A progress bar (a terminal, not CI).
    Bar(ProgressBar),
    /// One line per finished case on stderr.
    Lines {
        /// Cases finished so far.
        done: AtomicUsize,
        /// Cases in the run.
        total: usize,
    },
    /// Nothing (--quiet).
    Quiet,
}

impl Progress {
    /// Choose the form from the environment: a bar on a terminal unless CI is set.
    pub fn new(total: usize, quiet: bool) -> Self {
        if quiet {
            return Progress::Quiet;
        }
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        if std::io::stderr().is_terminal() && !ci {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} cases {elapsed} {msg}")
            {
                bar.set_style(style);
            }
            Progress::Bar(bar)
        } else {
            Progress::Lines {
                done: AtomicUsize::new(0),
                total,
            }
        }
    }

    /// Observe one finished case.
    pub fn case_done(&self, c: &CaseReport) {
        let count = |v: Verdict| c.checks.iter().filter(|k| k.verdict == v).count();
        let line = match &c.error {
            Some(e) => format!("{}: invalid case: {e}", c.name),
            None => format!(
                "{}: {} verified ({} proved), {} refuted, {} inconclusive, {} error, {} unmet",
                c.name,
                count(Verdict::Verified),
                c.checks
                    .iter()
                    .filter(|k| k.verdict == Verdict::Verified
                        && k.strength == Some(crate::verdict::Strength::Proved))
                    .count(),
                count(Verdict::Refuted),
                count(Verdict::Inconclusive),
                count(Verdict::Error),
                c.checks.iter().filter(|k| !k.met).count()
            ),
        };
        match self {
            Progress::Bar(b) => {
                b.inc(1);
                b.set_message(c.name.clone());
            }
            Progress::Lines { done, total } => {
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                // a closed stderr ends the progress lines, not the run
                let _ = writeln!(std::io::stderr(), "[{n}/{total}] {line}");
            }
            Progress::Quiet => {}
        }
    }

    /// Remove the bar when the run is over.
    pub fn finish(&self) {
        if let Progress::Bar(b) = self {
            b.finish_and_clear();
        }
    }
}
