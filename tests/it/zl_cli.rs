//! The real binary on the shipped ZL cases: every ZL claim decided as expected, per-sample
//! tightness ratios in report.json, and the ZL certificates accepted by `verify-cert`, while a
//! certificate with one changed entry is rejected.

use crate::common::{contract_holds, dlncheck, root, verify_cert};

use serde_json::Value;
use std::path::{Path, PathBuf};

fn zl_cases() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("zl-") && n.ends_with(".yaml"))
        .map(|n| format!("cases/{n}"))
        .collect();
    v.sort();
    v
}

fn run(dir: &Path) -> Value {
    let out = dlncheck()
        .arg("check")
        .args(zl_cases())
        .args(["--no-timing", "--report-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

fn verify(path: &Path) -> (Option<i32>, String) {
    verify_cert(&[], &[path.to_path_buf()])
}

#[test]
fn zl_cases_decide_every_claim_with_ratios_and_verified_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let report = run(dir.path());
    let cases = report["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let kinds: std::collections::BTreeSet<String> = cases
        .iter()
        .map(|c| {
            c["checks"][0]["values"]["model_kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    let mut decided = std::collections::BTreeMap::<String, usize>::new();
    for c in cases {
        for k in c["checks"].as_array().unwrap() {
            let claim = k["claim"].as_str().unwrap();
            assert!(claim.starts_with("ZL-"));
            assert_eq!(k["met"], true, "{} {claim}", c["name"]);
            if k["verdict"] == "verified" || k["verdict"] == "refuted" {
                *decided.entry(claim.to_string()).or_default() += 1;
                let cert = PathBuf::from(
                    k["certificate"]
                        .as_str()
                        .expect("exact verdicts carry certificates"),
                );
                let (code, text) = verify(&cert);
                assert_eq!(code, Some(0), "{text}");
            }
            if claim.starts_with("ZL-gd-") && k["verdict"] == "verified" {
                // per-sample ratios are present and the maximum is ≤ 1
                let ratios = k["values"]["tightness_ratios"].as_array().unwrap();
                assert_eq!(
                    ratios.len(),
                    k["values"]["samples"].as_u64().unwrap() as usize
                );
                let max = k["values"]["tightness_ratio_max"].as_f64().unwrap();
                assert!(max <= 1.0 && max > 0.0, "{max}");
                assert!(ratios.iter().all(|r| r.as_f64().is_none_or(|r| r <= max)));
                // the all-f64 ratio falls inside the certified bracket (up to f64 rounding), and
                // the MPFR loss gap and gradient norm agree with the exact ones
                let v = &k["values"];
                assert!(
                    v["tightness_ratio_f64_outside_bracket_relative"]
                        .as_f64()
                        .unwrap()
                        < 1e-9
                );
                assert!(
                    v["tightness_ratio_bracket_max_relative_width"]
                        .as_f64()
                        .unwrap()
                        < 1e-4
                );
                assert!(v["mpfr_max_relative_error"].as_f64().unwrap() < 1e-60);
            }
        }
    }
    // every ZL claim of the registry (eight of them) is decided on some shipped case
    let zl: Vec<String> = dlncheck::claims::known_ids()
        .into_iter()
        .filter(|id| id.starts_with("ZL-"))
        .collect();
    assert_eq!(zl.len(), 8, "{zl:?}");
    for claim in &zl {
        assert!(
            decided.get(claim.as_str()).copied().unwrap_or(0) > 0,
            "{claim} never decided"
        );
    }
    // the fixed reading of regularity fails along the minimizer set, exactly
    let fixed = cases
        .iter()
        .find(|c| c["name"] == "zl-linear-depth3")
        .unwrap()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["claim"] == "ZL-regularity-fixed")
        .unwrap();
    assert_eq!(fixed["verdict"], "refuted");
    assert!(
        fixed["values"]["directions_without_positive_beta"]
            .as_u64()
            .unwrap()
            >= 1
    );

    // scalar least squares: ρ = 1 at every sample (worked out in the case's `about`) while
    // σ_min(X) = √5/2 is irrational: decided exactly through σ_min(X)² = ‖X‖² = 5/4
    let scalar = cases
        .iter()
        .find(|c| c["name"] == "zl-scalar-regression-equality")
        .unwrap();
    let gd = scalar["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["claim"] == "ZL-gd-linear")
        .unwrap();
    assert_eq!(
        (&gd["verdict"], &gd["strength"]),
        (&"verified".into(), &"proved".into())
    );
    assert_eq!(
        gd["values"]["tightness_ratio_max_enclosure"],
        serde_json::json!(["1", "1"])
    );
    let cert: Value = serde_json::from_str(
        &std::fs::read_to_string(gd["certificate"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (&cert["x_sigma"]["lower_sq"], &cert["x_sigma"]["upper_sq"]),
        (&"5/4".into(), &"5/4".into())
    );

    // the JSON contract stays green
    contract_holds(dir.path());
}

/// A change to a certificate.
type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn a_zl_certificate_with_one_changed_entry_fails() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path());
    let certs = dir.path().join("certs");
    let tampered = dir.path().join("tampered.json");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(certs.join(name)).unwrap()).unwrap()
    };
    let edits: Vec<(&str, Edit)> = vec![
        // a sample point's entry: f − f* and ‖∇f‖² no longer match
        (
            "zl-linear-depth3--ZL-gd-linear.json",
            Box::new(|c: &mut Value| {
                let e = &mut c["samples"][0]["params"][0][0][0];
                let changed = if e == "5" { "6" } else { "5" };
                *e = Value::String(changed.into());
            }),
        ),
        // a minimizer's entry: it is no longer a minimizer
        (
            "zl-residual-depth2--ZL-gd-residual.json",
            Box::new(|c: &mut Value| {
                c["minimizers"][0]["params"][0][0][0] = Value::String("7".into());
            }),
        ),
        // a σ_min lower bound raised above σ_min: LDLᵀ rejects it
        (
            "zl-onehidden-slope-one--ZL-gd-nonlinear.json",
            Box::new(|c: &mut Value| {
                c["samples"][0]["sigma"][0]["lower"] = Value::String("100".into());
            }),
        ),
        // σ_min(X)² = 5/4 stated larger or smaller: LDLᵀ of XXᵀ − sI, resp. the Rayleigh bound,
        // rejects it
        (
            "zl-scalar-regression-equality--ZL-gd-linear.json",
            Box::new(|c: &mut Value| {
                c["x_sigma"]["lower_sq"] = Value::String("81/64".into());
            }),
        ),
        (
            "zl-scalar-regression-equality--ZL-gd-linear.json",
            Box::new(|c: &mut Value| {
                c["x_sigma"]["upper_sq"] = Value::String("79/64".into());
            }),
        ),
        // a negative radius, which ‖W − W*‖² ≤ δ² alone would let through
        (
            "zl-linear-depth3--ZL-regularity.json",
            Box::new(|c: &mut Value| {
                let r = c["samples"][0]["radius"].as_str().unwrap().to_string();
                c["samples"][0]["radius"] = Value::String(format!("-{r}"));
            }),
        ),
        // the regularity inner product
        (
            "zl-linear-depth3--ZL-regularity.json",
            Box::new(|c: &mut Value| {
                c["samples"][1]["inner"] = Value::String("-1".into());
            }),
        ),
    ];
    for (name, edit) in edits {
        let (code, _) = verify(&certs.join(name));
        assert_eq!(code, Some(0), "{name} must pass before tampering");
        let mut cert = read(name);
        edit(&mut cert);
        std::fs::write(&tampered, serde_json::to_string(&cert).unwrap()).unwrap();
        let (code, text) = verify(&tampered);
        assert_eq!(code, Some(1), "{name}: {text}");
        assert!(text.contains('✗'), "{text}");
    }
}
