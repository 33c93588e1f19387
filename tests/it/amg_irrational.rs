//! The [AMG] claims on cases whose Σ has irrational eigenvalues: the real binary on the shipped
//! cases, through the MPFR path (values, products, strict saddles decided; non-strict saddles
//! reported undecided with the reason).

use crate::common::{dlncheck, run_check, stdout_of, verdict};
use serde_json::Value;

fn checks(case: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&[case, "--no-timing"], dir.path());
    assert_eq!(code, 0);
    report["cases"][0]["checks"].as_array().unwrap().clone()
}

#[test]
fn depth2_irrational_spectrum_is_decided_in_mpfr() {
    let checks = checks("cases/amg-depth2-irrational.yaml");
    for claim in [
        "AMG-values",
        "AMG-product",
        "AMG-classify",
        "AMG-classify-path",
    ] {
        assert_eq!(verdict(&checks, claim), "verified", "{claim}");
    }
    assert_eq!(verdict(&checks, "AMG-minimizers"), "inconclusive");
    let text = serde_json::to_string(&checks).unwrap();
    assert!(text.contains("irrational eigenvalues"), "{text}");
    // the golden-ratio spectrum of [[2,1],[1,1]] appears with its certified radius
    let table = stdout_of(&["enumerate", "cases/amg-depth2-irrational.yaml"]);
    assert!(table.contains("eigenvalues of Σ (MPFR, certified radii) = [2.61803398874989484820458683436563811772030917980576286213544862270526046"), "{table}");
    assert!(!table.contains("| NO |"));
    assert_eq!(
        table.matches("strict-saddle (λ_min(∇²f) = ").count(),
        6,
        "{table}"
    );
}

#[test]
fn depth3_irrational_spectrum_leaves_only_non_strict_saddles_undecided() {
    let checks = checks("cases/amg-depth3-irrational.yaml");
    assert_eq!(verdict(&checks, "AMG-values"), "verified");
    assert_eq!(verdict(&checks, "AMG-classify"), "inconclusive");
    let out = dlncheck()
        .args(["enumerate", "cases/amg-depth3-irrational.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "rows without a certificate do not agree"
    );
    let table = String::from_utf8(out.stdout).unwrap();
    for line in table.lines().filter(|l| l.ends_with("| NO |")) {
        // every disagreement is an undecided non-strict saddle, never a contradiction
        assert!(line.contains("**non-strict-saddle**"), "{line}");
        assert!(
            line.contains("cannot be proven in floating point"),
            "{line}"
        );
    }
    assert_eq!(table.matches("| NO |").count(), 2, "{table}");
}
