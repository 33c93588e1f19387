//! Resource limits: hostile inputs are rejected within a stated memory cap and time, never by a
//! crash; the real binary is run under `ulimit -v` (RLIMIT_AS) through `sh`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The address-space cap for rejecting any bad input: 512 MiB. Why this figure: a case file is at
/// most 4 MiB (`case::MAX_FILE_BYTES`) and the YAML parser holds about 50 bytes per input byte
/// (152 MiB peak measured on the 3 MB million-layer file), so reading stays under 200 MiB; the
/// rest is the binary's mappings, two worker stacks and the allocator's arenas. A check that
/// allocated per width, per entry of `x: identity` or per digit would exceed it by far.
const MEMORY_CAP_KIB: u64 = 512 * 1024;
/// Wall-clock bound per bad file (seconds): rejecting must not hang. Generous for a loaded CI box.
const TIME_CAP_SECS: u64 = 60;

/// Run `dlncheck check FILE` under the caps; returns (exit code, report, stderr).
fn check_capped(file: &Path, dir: &Path) -> (i32, Value, String) {
    let bin = assert_cmd::cargo::cargo_bin("dlncheck");
    let script = format!(
        "ulimit -v {MEMORY_CAP_KIB} && exec timeout {TIME_CAP_SECS} \"$0\" check \"$1\" --quiet --jobs 1 --report-dir \"$2\""
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&bin)
        .arg(file)
        .arg(dir)
        .current_dir(root())
        .env("CI", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // no signal (an allocation failure aborts), no timeout (124), no panic (101)
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{}: killed by a signal; {stderr}", file.display()));
    assert!(
        code == 1 || code == 2,
        "{}: exit {code} (124 is the {TIME_CAP_SECS} s timeout); {stderr}",
        file.display()
    );
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    let text = std::fs::read_to_string(dir.join("report.json"))
        .unwrap_or_else(|_| panic!("{}: no report; {stderr}", file.display()));
    (code, serde_json::from_str(&text).unwrap(), stderr)
}

#[test]
fn every_bad_input_is_rejected_within_the_memory_and_time_caps() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40);
    // hostile inputs too large to commit, generated here
    let work = tempfile::tempdir().unwrap();
    let gen = |name: &str, text: String| {
        let p = work.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let million = vec!["1"; 1_000_001].join(", ");
    files.push(gen(
        "million-layers.yaml",
        format!("version: 1\nmodel: {{kind: linear, dims: [{million}]}}\ndata: {{x: identity, y: [[1]]}}\nchecks: [{{claim: KP-exact}}]\n"),
    ));
    let wide_row = vec!["1"; 100_000].join(", ");
    files.push(gen(
        "wide-data.yaml",
        format!("version: 1\nmodel: {{kind: linear, dims: [1, 1]}}\ndata: {{x: [[{wide_row}]], y: [[{wide_row}]]}}\nchecks: [{{claim: KP-exact}}]\n"),
    ));
    files.push(gen(
        "oversized.yaml",
        format!(
            "version: 1\nabout: \"{}\"\nmodel: {{kind: linear, dims: [1, 1]}}\ndata: {{x: identity, y: [[1]]}}\nchecks: [{{claim: KP-exact}}]\n",
            "x".repeat(5 << 20)
        ),
    ));
    let mut expected_messages = 0;
    for f in &files {
        let dir = tempfile::tempdir().unwrap();
        let (code, report, _) = check_capped(f, dir.path());
        let case = &report["cases"][0];
        if code == 2 {
            assert_eq!(case["status"], "error", "{}", f.display());
        }
        let name = f.file_name().unwrap().to_str().unwrap();
        let msg = case["error"].as_str().unwrap_or_default();
        match name {
            "million-layers.yaml" => {
                assert!(msg.contains("P = 1000000 parameters"), "{msg}");
                expected_messages += 1;
            }
            "wide-data.yaml" => {
                assert!(msg.contains("data.x") && msg.contains("exceed"), "{msg}");
                expected_messages += 1;
            }
            "oversized.yaml" => {
                assert!(
                    msg.contains("oversized.yaml:1: <file>") && msg.contains("4194304 bytes"),
                    "{msg}"
                );
                expected_messages += 1;
            }
            _ => {}
        }
    }
    assert_eq!(expected_messages, 3);
}
