//! Helpers the integration tests share: the crate root, the real binary, and `check` runs read
//! back as JSON. Each test module uses a subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod browser;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The crate root (cases, tests, ../shared are found from here).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real `dlncheck` binary, run from the crate root as in CI (no colors, no progress bar).
pub fn dlncheck() -> Command {
    let mut c = Command::cargo_bin("dlncheck").unwrap();
    c.current_dir(root()).env("CI", "true");
    c
}

/// The report.json in `dir`, parsed.
pub fn report_of(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// `dlncheck check ARGS --report-dir DIR`: (exit code, report.json). Panics with the binary's
/// stderr when no report was written.
pub fn run_check(args: &[&str], dir: &Path) -> (i32, Value) {
    let out = dlncheck()
        .arg("check")
        .args(args)
        .arg("--report-dir")
        .arg(dir)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|_| {
        panic!(
            "no report.json; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, serde_json::from_str(&text).unwrap())
}

/// The report.json in `dir` keeps the JSON v1 contract with strengths, checked by the shared tool
/// other programs rely on (`../shared/tools/check-report.py --require-strength`: every decided
/// verdict carries its strength, every refutation is proved, the summary counts proved verdicts).
pub fn contract_holds(dir: &Path) {
    let out = std::process::Command::new("python3")
        .arg(root().join("../shared/tools/check-report.py"))
        .arg("--require-strength")
        .arg(dir.join("report.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The check of `claim` in the case named `case` of a parsed report.json (panics naming what is
/// missing).
pub fn check_of<'a>(report: &'a Value, case: &str, claim: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == case)
        .unwrap_or_else(|| panic!("case {case} missing"))["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["claim"] == claim)
        .unwrap_or_else(|| panic!("check {claim} missing in {case}"))
}

/// An exact rational matrix as the tests write it, a list of rows (the tests' own arithmetic,
/// independent of dlncheck's linear algebra).
pub type ExactMat = Vec<Vec<num_rational::BigRational>>;

/// The exact product a · b of two [`ExactMat`]s, from the definition.
pub fn exact_mul(a: &ExactMat, b: &ExactMat) -> ExactMat {
    (0..a.len())
        .map(|i| {
            (0..b[0].len())
                .map(|j| (0..b.len()).map(|k| &a[i][k] * &b[k][j]).sum())
                .collect()
        })
        .collect()
}
