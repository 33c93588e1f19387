//! `verify-cert --report`: a run's certificates checked against the report that names them. A
//! point deleted from a bundle still passes `verify-cert FILE` (the remaining points prove what
//! they state), but not against the report, which says how many points the verdict rests on; an
//! edited file fails on its SHA-256, a missing one as unreadable, a proved verdict whose
//! certificate the report no longer names as missing.

use crate::common::{dlncheck, run_check};
use serde_json::Value;
use std::path::Path;

/// A case whose AMG-values verdict rests on a bundle of several points, and a refuted KP check.
const CASES: [&str; 2] = [
    "cases/amg-depth2-diagonal.yaml",
    "cases/kp-depth3-flat-deep-counterexample.yaml",
];
const BUNDLE: &str = "certs/amg-depth2-diagonal--AMG-values.json";

/// `verify-cert ARGS --quiet`: (exit code, stdout).
fn verify(args: &[&str]) -> (i32, String) {
    let out = dlncheck()
        .arg("verify-cert")
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap() + "\n").unwrap();
}

/// The passed and failed counts of the summary line `N passed, M failed`.
fn counts(stdout: &str) -> (usize, usize) {
    let last = stdout.lines().last().unwrap_or_default();
    let n: Vec<usize> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(n.len(), 2, "summary line: {last}");
    (n[0], n[1])
}

#[test]
fn the_report_binds_its_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&CASES, dir.path());
    assert_eq!(code, 0);
    let report_path = dir.path().join("report.json");
    let rp = report_path.to_str().unwrap();
    let named: Vec<&Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["checks"].as_array().unwrap())
        .filter(|k| k["certificate"].is_string())
        .collect();
    assert!(named.iter().all(|k| k["certificate_sha256"]
        .as_str()
        .is_some_and(|d| d.len() == 64)));
    let (code, out) = verify(&["--report", rp]);
    assert_eq!((code, counts(&out)), (0, (named.len(), 0)), "{out}");

    // a point deleted from the bundle: the file alone still passes, the report does not
    let bundle = dir.path().join(BUNDLE);
    let original = std::fs::read_to_string(&bundle).unwrap();
    let mut cert = read(&bundle);
    let points = cert["points"].as_array_mut().unwrap();
    let n = points.len();
    assert!(n >= 2, "the bundle should hold several points");
    points.pop();
    write(&bundle, &cert);
    let (code, out) = verify(&[bundle.to_str().unwrap()]);
    assert_eq!((code, counts(&out)), (0, (1, 0)), "{out}");
    let (code, out) = verify(&["--report", rp]);
    assert_eq!((code, counts(&out)), (1, (named.len() - 1, 1)), "{out}");
    assert!(out.contains(&format!("report: {} point certificate(s)", n - 1)));
    assert!(out.contains(&format!("rests on {n} point(s)")), "{out}");

    // the same bytes plus a space: still a valid certificate, but not the one the report names
    std::fs::write(&bundle, format!("{original} ")).unwrap();
    let (code, out) = verify(&["--report", rp]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("✗ report: the certificate's SHA-256"), "{out}");

    // the certificate gone
    std::fs::remove_file(&bundle).unwrap();
    let (code, out) = verify(&["--report", rp]);
    assert_eq!((code, counts(&out).1), (2, 1), "{out}");

    // restored, but the report's refuted check no longer names its certificate
    std::fs::write(&bundle, &original).unwrap();
    let mut edited = report.clone();
    let refuted = edited["cases"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .flat_map(|c| c["checks"].as_array_mut().unwrap())
        .find(|k| k["verdict"] == "refuted" && k["strength"] == "proved")
        .expect("a proved refutation");
    refuted["certificate"] = Value::Null;
    write(&report_path, &edited);
    let (code, out) = verify(&["--report", rp]);
    assert_eq!((code, counts(&out)), (1, (named.len() - 1, 1)), "{out}");
    assert!(out.contains("names no certificate"), "{out}");

    // a report that is not one
    std::fs::write(&report_path, "{}").unwrap();
    let (code, _) = verify(&["--report", rp]);
    assert_eq!(code, 2);
}
