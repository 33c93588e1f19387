//! The `sharpness` fast paths through the real binary: the planner's choice, the JSON fields that
//! benches/compare.sh reads, forced paths, and the refusal of the KP path at a nonzero loss.

use assert_cmd::Command;
use num_rational::BigRational;
use serde_json::Value;

fn sharpness(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("dlncheck")
        .unwrap()
        .arg("sharpness")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn q(s: &str) -> BigRational {
    s.parse().unwrap()
}

#[test]
fn planner_picks_the_kp_operator_at_a_minimizer_and_proves_91_over_9() {
    let (code, out, err) = sharpness(&["cases/kp-depth3-diagonal.yaml", "--json", "--repeat", "3"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["zero_loss"], true);
    assert_eq!(v["f64"]["path"], "kp-operator");
    assert_eq!(v["f64"]["all_seconds"].as_array().unwrap().len(), 3);
    let f = v["f64"]["value"].as_f64().unwrap();
    assert!((f - 91.0 / 9.0).abs() <= v["f64"]["bound"].as_f64().unwrap());
    assert_eq!(v["mpfr"]["via"], "kp-operator-refined");
    assert_eq!(v["mpfr"]["proven"], true);
    assert!(v["mpfr"]["value"]
        .as_str()
        .unwrap()
        .starts_with("10.11111111111111111111111111111111111"));
    let c = &v["certified"];
    assert_eq!(c["via"], "exact-rational-kp");
    assert_eq!(q(c["lo_exact"].as_str().unwrap()), q("91/9"));
    assert_eq!(q(c["hi_exact"].as_str().unwrap()), q("91/9"));
    // the matrix-free KP operator, forced: the same value within its residual
    let (code, out, err) = sharpness(&[
        "cases/kp-depth3-diagonal.yaml",
        "--json",
        "--path",
        "kp-operator-lanczos",
        "--no-mpfr",
        "--no-certify",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["f64"]["path"], "kp-operator-lanczos");
    let (f, r) = (
        v["f64"]["value"].as_f64().unwrap(),
        v["f64"]["bound"].as_f64().unwrap(),
    );
    assert!(v["f64"]["products"].as_u64().unwrap() > 0);
    // θ itself carries rounding of a few ulps of 10: 1e-13 on top of the residual
    assert!(
        r < 1e-10 && (f - 91.0 / 9.0).abs() <= r + 1e-13,
        "{f} ± {r}"
    );
}

#[test]
fn every_forced_path_agrees_within_its_bound_and_kp_is_refused_off_a_minimizer() {
    let case = "tests/data/perf/nonmin-depth3.yaml";
    let (code, out, err) = sharpness(&[case, "--json"]);
    assert_eq!(code, 0, "{err}");
    let auto: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(auto["zero_loss"], false);
    assert_eq!(auto["f64"]["path"], "dense");
    let c = &auto["certified"];
    assert_eq!(c["via"], "exact-rational");
    let (lo, hi) = (c["lo"].as_f64().unwrap(), c["hi"].as_f64().unwrap());
    let (code, out, err) = sharpness(&[case, "--json", "--path", "lanczos-hvp", "--no-certify"]);
    assert_eq!(code, 0, "{err}");
    let lz: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(lz["f64"]["path"], "lanczos-hvp");
    assert!(lz["certified"].is_null());
    let (v, r) = (
        lz["f64"]["value"].as_f64().unwrap(),
        lz["f64"]["bound"].as_f64().unwrap(),
    );
    // the residual bound (plus f64 rounding of the enclosure's ends) reaches the proven interval
    assert!(
        v + r >= lo - 1e-14 * hi.abs() && v - r <= hi + 1e-14 * hi.abs(),
        "{v} ± {r} vs [{lo}, {hi}]"
    );
    assert!(r < 1e-10);
    for path in ["kp-operator", "kp-operator-lanczos"] {
        let (code, _, err) = sharpness(&[case, "--path", path]);
        assert_eq!(code, 2);
        assert!(err.contains("zero-loss"), "{err}");
    }
    // the text form names the path
    let (code, out, _) = sharpness(&[case]);
    assert_eq!(code, 0);
    assert!(out.contains("via dense (P = 12 ≤ 400)"), "{out}");
}
