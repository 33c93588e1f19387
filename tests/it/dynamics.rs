//! Integration tests of the dynamics claims (KP-escape, WJ-*) on the real binary and the shipped
//! cases: determinism across thread counts, the claims.md reference values as reported, the
//! escape threshold of the scalar example, and the long tier.

use crate::common::root;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn check(args: &[&str], dir: &Path) -> (i32, Value, Vec<u8>) {
    let out = Command::cargo_bin("dlncheck")
        .unwrap()
        .current_dir(root())
        .env("CI", "true")
        .arg("check")
        .args(args)
        .arg("--no-timing")
        .arg("--report-dir")
        .arg(dir)
        .output()
        .unwrap();
    let bytes = std::fs::read(dir.join("report.json"))
        .unwrap_or_else(|_| panic!("no report; stderr {}", String::from_utf8_lossy(&out.stderr)));
    let v = serde_json::from_slice(&bytes).unwrap();
    (out.status.code().unwrap(), v, bytes)
}

fn check_of<'a>(r: &'a Value, claim: &str) -> &'a Value {
    r["cases"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["claim"] == claim)
        .unwrap()
}

#[test]
fn sgd_monte_carlo_is_bit_identical_across_thread_counts_and_seed_dependent() {
    let case = "cases/wj-planning-depth3.yaml";
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (c1, r1, b1) = check(&[case, "--jobs", "1"], dirs[0].path());
    let (c2, _, b2) = check(&[case, "--jobs", "2"], dirs[1].path());
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(b1, b2, "report.json differs between --jobs 1 and --jobs 2");
    // another seed draws other noise and batches: the transition table changes
    let (_, r3, _) = check(&[case, "--seed", "99"], dirs[2].path());
    assert_eq!(r3["cases"][0]["seed"], 99);
    let t1 = &check_of(&r1, "WJ-one-way")["values"]["transitions"];
    let t3 = &check_of(&r3, "WJ-one-way")["values"]["transitions"];
    assert_eq!(t1.as_array().unwrap().len(), 3);
    // the runs that jumped down from the rank-2 minimum (the counts alone may coincide)
    assert_eq!(t1[2]["start_rank"], 2);
    assert_ne!(
        t1[2]["down_runs"], t3[2]["down_runs"],
        "seed 99 and seed 11 jumped in the same runs"
    );
}

#[test]
fn reported_wj_roots_and_minima_match_claims_md() {
    let dir = tempfile::tempdir().unwrap();
    let (code, r, _) = check(&["cases/wj-planning-depth3.yaml"], dir.path());
    assert_eq!(code, 0);
    let roots = &check_of(&r, "WJ-scalar-roots")["values"]["singular_values"];
    let num = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
    // six-decimal references: tolerance half a unit of the sixth decimal
    let close = |v: &Value, want: f64| (num(v) - want).abs() < 5e-7;
    assert!(close(&roots[0]["roots"][0]["t"], 0.050003));
    assert!(close(&roots[0]["roots"][1]["t"], 1.242793));
    assert!(close(&roots[0]["roots"][1]["s"], 1.919536));
    assert!(close(&roots[1]["roots"][1]["s"], 0.896283));
    let ranks = &check_of(&r, "WJ-ranks")["values"];
    assert_eq!(ranks["local_min_ranks"], serde_json::json!([0, 1, 2]));
    let table = ranks["point_table"].as_array().unwrap();
    assert_eq!(table.len(), 9);
    let values: Vec<f64> = table
        .iter()
        .map(|p| p["figures"]["value_f64"].as_f64().unwrap())
        .collect();
    // a row holds exactly at a certified local minimum
    for p in table {
        assert_eq!(
            p["verdict"] == "holds",
            p["figures"]["class"] == "local-min",
            "{p}"
        );
    }
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
    let way = check_of(&r, "WJ-one-way");
    assert_eq!(way["verdict"], "verified");
    for row in way["values"]["transitions"].as_array().unwrap() {
        assert_eq!(row["up"]["count"], 0);
        let [lo, hi] =
            [&row["down"]["wilson95"][0], &row["down"]["wilson95"][1]].map(|v| v.as_f64().unwrap());
        let rate = row["down"]["rate"].as_f64().unwrap();
        assert!(lo <= rate && rate <= hi);
    }
}

#[test]
fn escape_threshold_of_the_scalar_reference_example() {
    // w = (2, 2, 2): λ_max = 48 exactly, threshold η = 2/48
    let dir = tempfile::tempdir().unwrap();
    let (code, r, _) = check(&["cases/dyn-escape-scalar-depth3.yaml"], dir.path());
    assert_eq!(code, 0);
    let k = check_of(&r, "KP-escape");
    assert_eq!(k["verdict"], "verified");
    let runs = k["values"]["runs"].as_array().unwrap();
    assert_eq!(
        runs.len(),
        4,
        "the balanced point coincides with the case's point"
    );
    for run in runs {
        assert_eq!(
            run["lambda_max_start_enclosure"],
            serde_json::json!(["48", "48"])
        );
        let factor = run["step_factor"].as_f64().unwrap();
        let eta = run["eta"].as_f64().unwrap();
        assert!((eta - factor * 2.0 / 48.0).abs() < 1e-15);
        let eps = k["values"]["settings"]["epsilon"].as_f64().unwrap();
        let dist = run["max_distance_f64"].as_f64().unwrap();
        if factor < 1.0 {
            assert_eq!(run["side"], "eta < 2/lambda_max");
            assert!(dist <= 2.0 * eps, "{dist}");
        } else {
            assert_eq!(run["side"], "eta > 2/lambda_max");
            assert!(dist >= 100.0 * eps, "{dist}");
        }
        let traj = run["trajectory"].as_array().unwrap();
        assert!(!traj.is_empty() && traj.len() <= 202);
        assert_eq!(traj[0]["step"], 0);
        assert!((traj[0]["lambda_max"].as_f64().unwrap() - 48.0).abs() < 1e-6);
    }
}

#[test]
fn escape_from_an_unbalanced_minimizer_converges_to_a_flatter_one() {
    let dir = tempfile::tempdir().unwrap();
    let (_, r, _) = check(&["cases/dyn-escape-scalar-unbalanced.yaml"], dir.path());
    let k = check_of(&r, "KP-escape");
    assert_eq!(k["verdict"], "verified");
    let converged: Vec<&Value> = k["values"]["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["step_factor"].as_f64().unwrap() > 1.0 && r["stop"] == "converged")
        .collect();
    assert!(!converged.is_empty());
    for run in converged {
        let lam = run["lambda_max_final_f64"].as_f64().unwrap();
        let (n, d) = run["two_over_eta"]
            .as_str()
            .unwrap()
            .split_once('/')
            .unwrap();
        let bound = n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap();
        assert!(
            lam <= bound && lam >= 48.0 - 1e-9,
            "λ_max {lam} vs 2/η {bound}"
        );
        assert!(run["final_grad_norm"].as_f64().unwrap() <= 1e-10);
    }
}

#[test]
fn long_cases_are_skipped_and_reported_unless_the_long_tier_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (code, r, _) = check(&["cases/dyn-escape-scalar-depth15-long.yaml"], dir.path());
    assert_eq!(code, 0);
    let case = &r["cases"][0];
    assert_eq!(case["status"], "ok");
    assert!(case["skipped"].as_str().unwrap().contains("--tier long"));
    assert_eq!(case["checks"].as_array().unwrap().len(), 0);
    assert_eq!(r["summary"]["skipped"], 1);
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("**skipped**"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("skipped: tier: long"));
    // a bad tier is a usage error
    let out = Command::cargo_bin("dlncheck")
        .unwrap()
        .current_dir(root())
        .args(["check", "cases/wj-depth2.yaml", "--tier", "longest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
