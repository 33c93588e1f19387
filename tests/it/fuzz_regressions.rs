//! Replays the saved fuzzing inputs (fuzz/regressions/<target>/) through the same library entry
//! points the cargo-fuzz targets call, so CI checks every crash once found stays fixed without
//! cargo-fuzz. Each input must return (no panic) within a few seconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Per-input time limit: the targets run each input in well under a millisecond on average; a
/// slow input is a hang regression.
const LIMIT: Duration = Duration::from_secs(10);

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn replay<T>(target: &str, entry: impl Fn(&[u8]) -> T) -> Vec<(String, T)> {
    let files = inputs(target);
    assert!(!files.is_empty(), "no saved inputs for {target}");
    files
        .into_iter()
        .map(|f| {
            let data = std::fs::read(&f).unwrap();
            let start = Instant::now();
            let out = entry(&data);
            assert!(
                start.elapsed() < LIMIT,
                "{}: {:?}",
                f.display(),
                start.elapsed()
            );
            (f.file_name().unwrap().to_string_lossy().into_owned(), out)
        })
        .collect()
}

#[test]
fn saved_case_inputs_are_planned_or_rejected_with_a_message() {
    for (name, out) in replay("case_input", dlncheck::app::check::plan::fuzz_case_input) {
        // a rejection renders as an error naming the (virtual) fuzz file and a field
        if let Some(msg) = out {
            assert!(msg.starts_with("fuzz.yaml"), "{name}: {msg}");
        }
    }
}

#[test]
fn saved_certificates_are_checked_or_rejected() {
    let results = replay("certificate", dlncheck::verify::fuzz_certificate);
    // a mutated certificate must not pass by accident; the one valid seed kept as a control does
    for (name, passed) in &results {
        assert_eq!(*passed, name.starts_with("valid-"), "{name}");
    }
}
