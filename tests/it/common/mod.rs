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

/// Run `cmd` to its end, asserting that it succeeds (the message is its stderr); its output.
pub fn succeeds(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `dlncheck ARGS`, which must succeed ([`succeeds`]), its stdout parsed as JSON.
pub fn json_of(args: &[&str]) -> Value {
    serde_json::from_slice(&succeeds(dlncheck().args(args)).stdout).unwrap()
}

/// `dlncheck ARGS`, which must succeed ([`succeeds`]), its stdout as text.
pub fn stdout_of(args: &[&str]) -> String {
    String::from_utf8(succeeds(dlncheck().args(args)).stdout).unwrap()
}

/// A matrix (a list of rows) as a YAML flow sequence of quoted entries, `[["1", "2/3"], …]`, the
/// way a case file writes exact numbers.
pub fn yaml_matrix<T: std::fmt::Display>(m: &[Vec<T>]) -> String {
    let rows: Vec<String> = m
        .iter()
        .map(|r| {
            let e: Vec<String> = r.iter().map(|x| format!("\"{x}\"")).collect();
            format!("[{}]", e.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// The certificates a `check` run wrote to `dir`/certs, sorted by path.
pub fn certificates(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("certs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// `dlncheck verify-cert FLAGS FILES`: (exit code, stdout).
pub fn verify_cert(flags: &[&str], files: &[PathBuf]) -> (Option<i32>, String) {
    let out = dlncheck()
        .arg("verify-cert")
        .args(flags)
        .args(files)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `dlncheck COMMAND ARGS --out OUT` (`trajectory`, `audit`): (exit code, stdout, stderr).
pub fn run_out(command: &str, args: &[&str], out: &Path) -> (i32, String, String) {
    let o = dlncheck()
        .arg(command)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
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

/// The verdict of the check of `claim` among a case's `checks` (panics when there is none).
pub fn verdict<'a>(checks: &'a [Value], claim: &str) -> &'a str {
    checks
        .iter()
        .find(|c| c["claim"] == claim)
        .unwrap_or_else(|| panic!("no {claim}"))["verdict"]
        .as_str()
        .unwrap()
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

/// A decimal string as dlncheck prints one ("42.11…", "-1.5e-3", "2.5E4") as the exact rational
/// it denotes: the digits without the point, times 10^(exponent − digits after the point).
pub fn decimal(s: &str) -> num_rational::BigRational {
    let (mant, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap()),
        None => (s, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: num_bigint::BigInt = format!("{int}{frac}").parse().unwrap();
    let scale = exp - frac.len() as i32;
    let p = num_traits::pow(
        num_rational::BigRational::from_integer(10.into()),
        scale.unsigned_abs() as usize,
    );
    let m = num_rational::BigRational::from_integer(digits);
    if scale >= 0 {
        m * p
    } else {
        m / p
    }
}
