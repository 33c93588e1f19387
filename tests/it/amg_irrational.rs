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

#[test]
fn lane_free_block_and_borrowed_points_are_built_and_classified_on_an_irrational_spectrum() {
    // Y = [[2,1,0],[1,1,0],[0,0,1/2]], X = I: Σ = YYᵀ has eigenvalues (7 ± 3√5)/2 and 1/4
    let out = dlncheck()
        .args(["enumerate", "cases/amg-irrational-lanes.yaml", "--json"])
        .output()
        .unwrap();
    // exit 1: not every row's criterion meets a certificate (7 stay undetermined)
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["arithmetic"], "mpfr");
    assert_eq!(v["agree"], false);
    let points = v["points"].as_array().unwrap();
    let labelled = |prefix: &str| {
        points
            .iter()
            .filter(|p| p["label"].as_str().unwrap().starts_with(prefix))
            .count()
    };
    // generate.critical_points: {lanes: 30, free_blocks: true, borrowed: 10}: every draw is kept
    // (‖∇f‖ ≤ τ), beside the 7 rank-profile points
    assert_eq!(labelled("lanes: "), 30);
    assert_eq!(labelled("borrowed slots: "), 10);
    assert_eq!(points.len(), 47);
    // lane 1 runs through every layer with a nonzero target: carried, or cut at ≥ 2 of the 4
    // layers (1 + 6 + 4 + 1 = 12 ways); lane 2 has positions in W_1 and W_4 only: any zero set
    // of them (4 ways) — 48 types, 30 of them sampled for the 30 lane points
    assert_eq!(v["lane_types"]["total"], "48");
    let types = v["lane_types"]["types"].as_array().unwrap();
    assert_eq!(types.len(), 30);
    let families = v["point_families"]["families"].as_array().unwrap();
    let in_family = |name: &str| {
        families
            .iter()
            .find(|f| f["family"] == name)
            .map_or(0, |f| f["points"].as_u64().unwrap())
    };
    assert_eq!(in_family("rank profiles"), 7);
    assert_eq!(in_family("borrowed slots"), 10);
    assert_eq!(in_family("lanes") + in_family("lanes with free blocks"), 30);
    let with_free = points
        .iter()
        .filter(|p| p["label"].as_str().unwrap().contains("free-block entries"))
        .count();
    assert!(with_free >= 5, "{with_free}");
    // critical values from the spectrum, against closed forms computed here: ½‖Y‖² = 29/8 for
    // S = ∅, and f* = ½(29/4 − (7 + 3√5)/2) for S = {1}
    let f_star = (29.0 / 4.0 - (7.0 + 3.0 * 5f64.sqrt()) / 2.0) / 2.0;
    let mut decided = 0;
    for p in points {
        let f = &p["figures"];
        let value: f64 = f["critical_value"].as_str().unwrap().parse().unwrap();
        match f["index_set"].as_str().unwrap() {
            "{}" => assert_eq!(value, 3.625, "{}", p["label"]),
            "{1}" => assert!((value - f_star).abs() < 1e-15, "{}", p["label"]),
            _ => {}
        }
        // where the certificate decides, the path reading agrees with it
        let by_certificate = f["class_by_certificate"].as_str().unwrap();
        if by_certificate != "undetermined" {
            assert_eq!(
                f["class_by_criterion_path"], by_certificate,
                "{}",
                p["label"]
            );
            decided += 1;
        }
    }
    assert_eq!(decided, 40);
    // the MPFR lanes meet the configuration of the exact counterexamples (tightened: strict,
    // path: non-strict), which floating point can neither confirm nor refute
    let split = points
        .iter()
        .filter(|p| {
            let f = &p["figures"];
            f["class_by_criterion"] == "strict-saddle"
                && f["class_by_criterion_path"] == "non-strict-saddle"
        })
        .collect::<Vec<_>>();
    assert_eq!(split.len(), 2);
    for p in split {
        assert_eq!(p["verdict"], "undecided", "{}", p["label"]);
    }
}
