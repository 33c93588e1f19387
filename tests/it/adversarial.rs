//! Adversarial numerics: statements known to be false must never come out `verified`, whatever
//! the precision and enclosure settings, including near misses that f64 cannot see.

use crate::common::{check_of, dlncheck, run_check};

use serde_json::Value;

/// (case file, case name, claim): statements that are false on that case, each for a reason
/// worked out by hand in the case's `about` (not taken from dlncheck's output).
const FALSE: [(&str, &str, &str); 4] = [
    // λ_max = 2(1+e)² + (1+2e)² < Σ c_i² = 2(1+2e)² + (1+e)², e = 1e-20 (relative gap 7e-21)
    (
        "cases/adversarial-naive-near-miss.yaml",
        "adversarial-naive-near-miss",
        "KP-naive",
    ),
    // λ_max = 91/9 ≠ Σ c_i² = 11
    (
        "cases/kp-depth3-diagonal.yaml",
        "depth3-diagonal",
        "KP-naive",
    ),
    // c_1 = c_2 = 2 but λ_max = 8 > 4 = minimal sharpness
    (
        "cases/kp-depth2-c-constant-not-flat.yaml",
        "kp-depth2-c-constant-not-flat",
        "KP-flat-sufficient-a",
    ),
    // flat (λ_max = 3 = L σ_1^{4/3}) with c² = (1, 36/25, 1)
    (
        "cases/kp-depth3-flat-deep-counterexample.yaml",
        "kp-depth3-flat-deep-counterexample",
        "KP-flat-necessary-deep",
    ),
];

#[test]
fn false_statements_are_never_verified_at_any_precision() {
    let files: Vec<&str> = FALSE.iter().map(|f| f.0).collect();
    for precision in ["64", "128", "256", "1024"] {
        for bits in ["8", "50", "120"] {
            let dir = tempfile::tempdir().unwrap();
            let mut args = files.clone();
            args.extend(["--quiet", "--no-timing", "--precision", precision]);
            args.extend(["--enclosure-bits", bits]);
            let (code, report) = run_check(&args, dir.path());
            assert!(code <= 1);
            for (_, case, claim) in FALSE {
                let check = check_of(&report, case, claim);
                let verdict = check["verdict"].as_str().unwrap();
                assert_ne!(
                    verdict, "verified",
                    "{case} / {claim} verified at --precision {precision} --enclosure-bits {bits}: {check:#}"
                );
                // an undecided near miss says why
                if verdict == "inconclusive" {
                    assert!(!check["reason"].as_str().unwrap_or("").is_empty());
                }
            }
        }
    }
}

#[test]
fn the_near_miss_is_refuted_exactly_and_the_cancellation_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(
        &[
            "cases/adversarial-naive-near-miss.yaml",
            "cases/adversarial-product-cancellation.yaml",
            "--quiet",
            "--no-timing",
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    let naive = &report["cases"][0]["checks"][0];
    assert_eq!(naive["claim"], "KP-naive");
    // both sides are rational and identified exactly: the counterexample is proved
    assert_eq!(naive["verdict"], "refuted", "{naive:#}");
    assert_eq!(naive["strength"], "proved");
    assert_eq!(naive["values"]["basis"], "exact");
    let reason = naive["reason"].as_str().unwrap();
    assert!(
        reason.contains("λ_max = 3 (rounded) < Σc² = 3 (rounded) (decided in exact arithmetic)"),
        "{reason}"
    );
    // f64 alone would call them equal
    assert_eq!(naive["values"]["lambda_max_f64"], 3.0);
    assert_eq!(naive["values"]["sum_c_squared_f64"], 3.0);
    // the cancellation case: f64 computes P = 0, the exact path a zero-loss minimizer
    let trace = report["cases"][1]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["claim"] == "KP-trace")
        .unwrap();
    assert_eq!(trace["verdict"], "verified");
    assert_eq!(trace["values"]["basis"], "exact");
}

#[test]
fn a_lambda_max_beyond_the_f64_range_is_decided_exactly() {
    // w = (1e160, 1e-160): λ_max = 1e320 + 1e-320 (trace of the Hessian, whose determinant is 0)
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(
        &[
            "cases/adversarial-scalar-1e320.yaml",
            "--quiet",
            "--no-timing",
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    let checks = report["cases"][0]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 6);
    let want = format!(
        "{}/{}",
        num_bigint::BigInt::from(10).pow(640) + 1,
        num_bigint::BigInt::from(10).pow(320)
    );
    for c in checks {
        assert_eq!(c["verdict"], "verified", "{c:#}");
        assert_eq!(c["strength"], "proved", "{c:#}");
    }
    let scalar = checks.iter().find(|c| c["claim"] == "KP-scalar").unwrap();
    assert_eq!(scalar["values"]["lambda_max_exact"], true);
    assert_eq!(scalar["values"]["lambda_max_enclosure"][0], want.as_str());
    // the f64 value is +inf, which JSON writes as null
    assert_eq!(scalar["values"]["lambda_max_f64"], Value::Null);

    // its certificate passes verify-cert; moved by 2^-500 either way, λ_max no longer passes
    let cert_file = dir
        .path()
        .join("certs/adversarial-scalar-1e320--KP-scalar.json");
    let verify = |path: &std::path::Path| dlncheck().arg("verify-cert").arg(path).output().unwrap();
    assert!(verify(&cert_file).status.success());
    let cert: Value = serde_json::from_str(&std::fs::read_to_string(&cert_file).unwrap()).unwrap();
    assert_eq!(
        cert["points"][0]["quantities"]["lambda_max"]["upper"],
        want.as_str()
    );
    let ten = |k: u32| num_bigint::BigInt::from(10).pow(k);
    let two500 = num_bigint::BigInt::from(1) << 500usize;
    for (sign, why) in [(1, "≻ 0"), (-1, "not ⪰ 0")] {
        // (10^640 + 1)/10^320 ± 2^-500 = ((10^640 + 1)·2^500 ± 10^320) / (10^320·2^500)
        let p = (ten(640) + 1) * &two500 + ten(320) * sign;
        let moved = format!("{p}/{}", ten(320) * &two500);
        let mut bad = cert.clone();
        let q = &mut bad["points"][0]["quantities"]["lambda_max"];
        q["upper"] = Value::from(moved.clone());
        q["enclosure"] = serde_json::json!([moved, moved]);
        let path = dir.path().join(format!("tampered{sign}.json"));
        std::fs::write(&path, bad.to_string()).unwrap();
        let out = verify(&path);
        assert!(!out.status.success(), "λ_max moved by {sign}·2^-500 passed");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(why), "{sign}: {text}");
    }
}
