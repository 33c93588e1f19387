//! One case's work on its own thread, under a wall-clock limit and the process's interrupt flag.
//!
//! Rust cannot stop a thread from outside, so a case that runs past its limit is abandoned: the
//! caller gets [`Finished::TimedOut`] at once and goes on, and the case's `cancel` flag tells its
//! thread to start no further check and write no certificate; the thread ends with the process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Set by [`interrupt`] (the binary's SIGINT handler): runs stop and write no report.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How often a waiting worker looks at the interrupt flag.
const POLL: Duration = Duration::from_millis(20);

/// Ask every run in this process to stop (async-signal-safe: one atomic store).
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether [`interrupt`] was called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// How a limited piece of work ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Finished<T> {
    /// It finished in time with this result.
    Done(T),
    /// It was still running when the limit passed (and was abandoned).
    TimedOut,
    /// The process was interrupted while it ran (and it was abandoned).
    Interrupted,
    /// Its thread died without a result (a panic the work did not catch), or could not start.
    Lost(String),
}

/// Run `work` on a new thread and wait at most `limit` for it. `cancel` is set when the work is
/// abandoned (timeout or interrupt), for the work to poll.
pub fn run_limited<T: Send + 'static>(
    limit: Duration,
    cancel: Arc<AtomicBool>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Finished<T> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("dlncheck-case".into())
        .spawn(move || {
            // the receiver is gone when the case was abandoned; nothing to deliver then
            let _ = tx.send(work());
        });
    if let Err(e) = spawned {
        return Finished::Lost(format!("could not start a thread: {e}"));
    }
    let deadline = Instant::now() + limit;
    loop {
        if interrupted() {
            cancel.store(true, Ordering::SeqCst);
            return Finished::Interrupted;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            cancel.store(true, Ordering::SeqCst);
            return Finished::TimedOut;
        }
        match rx.recv_timeout(left.min(POLL)) {
            Ok(r) => return Finished::Done(r),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Finished::Lost("the case's thread ended without a result".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_work_is_done_and_slow_work_times_out_and_is_told_to_stop() {
        let cancel = Arc::new(AtomicBool::new(false));
        let r = run_limited(Duration::from_secs(10), cancel.clone(), || 6 * 7);
        assert_eq!(r, Finished::Done(42));
        assert!(!cancel.load(Ordering::SeqCst));

        let seen = Arc::new(AtomicBool::new(false));
        let (c, s) = (cancel.clone(), seen.clone());
        let start = Instant::now();
        let r = run_limited(Duration::from_millis(100), cancel.clone(), move || {
            while !c.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            s.store(true, Ordering::SeqCst);
        });
        assert_eq!(r, Finished::TimedOut);
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(100) && waited < Duration::from_secs(5),
            "{waited:?}"
        );
        // the abandoned work sees its cancel flag and stops
        let t = Instant::now();
        while !seen.load(Ordering::SeqCst) && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(seen.load(Ordering::SeqCst));
    }

    #[test]
    fn a_panicking_thread_is_lost_not_hung() {
        let r: Finished<()> = run_limited(
            Duration::from_secs(10),
            Arc::new(AtomicBool::new(false)),
            || panic!("boom"),
        );
        assert!(matches!(r, Finished::Lost(_)), "{r:?}");
    }
}
