//! Near-minimizers (issue 16, item 2): `point: {…, project: nearest-minimizer}` checks the
//! minimizer claims at the exact global minimizer W* that the inverse map of the parameterization
//! (src/enumerate/coordinates.rs) assigns to the case's point W, and reports ‖W − W*‖_F,
//! f(W) − f* and λ_max at W itself. Every figure is checked against a value computed here (or by
//! numpy in tests/data/nearmin/make.py), not read back from dlncheck.
//!
//! A point that is not near any minimizer — its product W_L⋯W_1 has lower rank than Φ, as the
//! zero point — has no coordinates: dlncheck refuses it with a clear error naming
//! `point.project` rather than projecting it somewhere far (decision for item (d) of the issue).

use crate::common::{contract_holds, root, run_check};

use num_bigint::BigInt;
use num_rational::BigRational;
use serde_json::Value;

fn q(s: &str) -> BigRational {
    s.parse().unwrap()
}

fn check<'a>(report: &'a Value, claim: &str) -> &'a Value {
    report["cases"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["claim"] == claim)
        .unwrap_or_else(|| panic!("no {claim} in {report}"))
}

/// Check the case `text`, written as case.yaml into a fresh directory next to copies of the
/// `data` files of tests/data/nearmin: (exit code, report.json, the report directory).
fn run_case(text: &str, data: &[&str]) -> (i32, Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for f in data {
        std::fs::copy(
            root().join("tests/data/nearmin").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("case.yaml"), text).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&[dir.path().to_str().unwrap()], out.path());
    (code, report, out)
}

/// The reason of KP-exact, which must be an error.
fn kp_exact_error(report: &Value) -> String {
    let k = check(report, "KP-exact");
    assert_eq!(k["verdict"], "error", "{k}");
    k["reason"].as_str().unwrap().to_string()
}

/// The diagonal depth-2 case: X = I, Y = Φ = diag(4, 1), and the point
/// W1 = diag(2 + ε₁, 1), W2 = diag(2, 1 + ε₂) with ε₁ = 10⁻⁸, ε₂ = −3·10⁻⁸ (decimal strings), an
/// exact minimizer (diag(2, 1), diag(2, 1)) perturbed.
///
/// The nearest minimizer by hand. Φ = diag(4, 1) has rank 2, its rank factorization is C = Φ,
/// R = I (rref Φ = I), so R⁺ = I. The paths are g₀ = R⁺ = I and g₁ = W1 g₀ = W1 (invertible,
/// kept); every hidden width equals the rank, so the free blocks vanish; the projection puts
/// g₂ = C. Hence W1* = g₁ g₀⁺ = W1 and W2* = g₂ g₁⁺ = Φ W1⁻¹ = diag(4/(2 + ε₁), 1). So
///
///   ‖W − W*‖²_F = (2 − 4/(2 + ε₁))² + ε₂² = (2ε₁/(2 + ε₁))² + ε₂²,
///   f(W) = ½‖W2 W1 − Φ‖²_F = ½((2(2 + ε₁) − 4)² + ((1 + ε₂) − 1)²) = ½(4ε₁² + ε₂²),  f* = 0.
#[test]
fn a_perturbed_exact_minimizer_is_checked_at_its_projection() {
    let (code, report, out) = run_case(
        "version: 1
name: near
model: {kind: linear, dims: [2, 2, 2]}
data: {x: identity, y: [[4, 0], [0, 1]]}
point:
  weights:
    - [[\"2.00000001\", 0], [0, 1]]
    - [[2, 0], [0, \"0.99999997\"]]
  project: nearest-minimizer
checks:
  - {claim: KP-exact, expect: proved}
  - {claim: KP-trace, expect: verified}
",
        &[],
    );
    assert_eq!(code, 0, "{report:#}");
    contract_holds(out.path());
    let v = &check(&report, "KP-exact")["values"];
    let (e1, e2) = (q("1/100000000"), q("-3/100000000"));
    let two = q("2");
    let d1 = &two * &e1 / (&two + &e1);
    let dist2 = &d1 * &d1 + &e2 * &e2;
    let loss = (q("4") * &e1 * &e1 + &e2 * &e2) / &two;
    assert_eq!(v["projected_from_case_point"], true);
    assert_eq!(v["projection"], "nearest-minimizer");
    assert_eq!(v["target_projected"], false);
    assert_eq!(q(v["projection_distance_squared"].as_str().unwrap()), dist2);
    assert_eq!(q(v["loss_at_case_point"].as_str().unwrap()), loss);
    assert_eq!(q(v["loss_gap"].as_str().unwrap()), loss);
    assert_eq!(q(v["loss_minimum"].as_str().unwrap()), q("0"));
    // the enclosure of the distance holds √dist2
    let enc = v["projection_distance_enclosure"].as_array().unwrap();
    let (lo, hi) = (q(enc[0].as_str().unwrap()), q(enc[1].as_str().unwrap()));
    assert!(&lo * &lo <= dist2 && dist2 <= &hi * &hi, "{enc:?}");
    assert!(&hi - &lo <= &lo * q("1/1000000000000"));
    let d = v["projection_distance_f64"].as_f64().unwrap();
    // √(10⁻¹⁶(1 + 9)) to first order
    assert!((d - 3.16227e-8).abs() < 1e-12, "{d}");
    // λ_max at W itself, next to the one at W*: within O(ε) of each other
    let at_w = v["case_point_lambda_max_f64"].as_f64().unwrap();
    let at_star = v["lambda_max_f64"].as_f64().unwrap();
    assert!((at_w - at_star).abs() < 1e-6, "{at_w} vs {at_star}");
    assert_eq!(v["case_point_lambda_max_exact"].as_bool(), Some(false));
    assert!(v["case_point_lambda_max_enclosure"].is_array());
    assert_eq!(v["case_point_lambda_max_strength"], "proved");
    // the case says it was projected
    let notes = report["cases"][0]["notes"].to_string();
    assert!(notes.contains("point.project"), "{notes}");
    // the other KP claims carry the same statement
    assert_eq!(
        check(&report, "KP-trace")["values"]["projected_from_case_point"],
        true
    );
}

/// A scalar depth-2 case where the distance is a rational: W = (1 + ε, 1), Φ = 1. With C = R = 1
/// the path g₁ = 1 + ε is kept and W2* = 1/(1 + ε), so ‖W − W*‖ = 1 − 1/(1 + ε) = ε/(1 + ε)
/// exactly, and the enclosure is that point.
#[test]
fn a_rational_distance_is_reported_exactly() {
    let (code, report, _out) = run_case(
        "version: 1
name: scalar
model: {kind: linear, dims: [1, 1, 1]}
data: {x: identity, y: [[1]]}
point: {weights: [[[\"1.00000001\"]], [[1]]], project: nearest-minimizer}
checks:
  - {claim: KP-exact, expect: proved}
",
        &[],
    );
    assert_eq!(code, 0, "{report:#}");
    let v = &check(&report, "KP-exact")["values"];
    let want = BigRational::new(BigInt::from(1), BigInt::from(100_000_001));
    let enc = v["projection_distance_enclosure"].as_array().unwrap();
    assert_eq!(q(enc[0].as_str().unwrap()), want);
    assert_eq!(q(enc[1].as_str().unwrap()), want);
    assert_eq!(v["projection_distance_exact"], true);
}

/// A depth-3 network "trained" in numpy and saved as float32, with float32 data whose Y is not of
/// the form M X (tests/data/nearmin/make.py): the point and the target are both projected, and
/// the figures agree with numpy's float64 oracle in expected.json.
#[test]
fn a_float32_checkpoint_with_float_data_is_projected() {
    let (code, report, out) = run_case(
        "version: 1
name: trained
model: {kind: linear, dims: [2, 3, 3, 2]}
data: {file: data.npz, x: X, y: Y}
point: {file: trained.npz, arrays: [W1, W2, W3], project: nearest-minimizer}
generate: {balanced: false}
checks:
  - {claim: KP-exact, expect: verified}
  - {claim: KP-bound, expect: verified}
",
        &["trained.npz", "data.npz"],
    );
    assert_eq!(code, 0, "{report:#}");
    contract_holds(out.path());
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/nearmin/expected.json")).unwrap(),
    )
    .unwrap();
    let v = &check(&report, "KP-exact")["values"];
    assert_eq!(v["target_projected"], true);
    let close = |key: &str, got: &str| {
        let (g, w) = (v[got].as_f64().unwrap(), expected[key].as_f64().unwrap());
        assert!((g - w).abs() <= 1e-6 * w.abs(), "{key}: {g} vs numpy {w}");
    };
    close("loss_at_case_point", "loss_at_case_point_f64");
    close("target_residual_squared", "target_residual_squared_f64");
    close("loss_gap", "loss_gap_f64");
    // exact strings agree with the f64 figures
    let gap = q(v["loss_gap"].as_str().unwrap());
    assert!(gap > q("0"));
    // W* minimizes for the projected target Φ' X, and Φ' differs from make.py's Φ by the 1e-4
    // noise in Y (X is O(1) with 6 columns): W moves by O(1e-4), far more than float32 rounding
    let d = v["projection_distance_f64"].as_f64().unwrap();
    assert!(d > 1e-7 && d < 1e-3, "{d}");
    assert!(v["case_point_lambda_max_f64"].as_f64().unwrap() > 0.0);
    assert_eq!(
        check(&report, "KP-bound")["values"]["target_projected"],
        true
    );
}

/// Without `project` the point that is not a minimizer is refused as before, and so is a target
/// not of the form M X.
#[test]
fn without_project_the_old_errors_stay() {
    let (_, report, _out) = run_case(
        "version: 1
name: near
model: {kind: linear, dims: [2, 2, 2]}
data: {x: identity, y: [[4, 0], [0, 1]]}
point:
  weights:
    - [[\"2.00000001\", 0], [0, 1]]
    - [[2, 0], [0, \"0.99999997\"]]
checks:
  - {claim: KP-exact}
",
        &[],
    );
    let why = kp_exact_error(&report);
    assert!(why.contains("not a zero-loss minimizer"), "{why}");
    assert!(check(&report, "KP-exact")["values"]
        .get("projected_from_case_point")
        .is_none());

    let (_, report, _out) = run_case(
        "version: 1
name: noisy
model: {kind: linear, dims: [2, 2, 2]}
data: {file: data.npz, x: X, y: Y}
checks:
  - {claim: KP-exact}
",
        &["data.npz"],
    );
    let why = kp_exact_error(&report);
    assert!(why.contains("Y is not of the form M X"), "{why}");
}

/// The zero point is not near any minimizer: its product has rank 0 < rk Φ, it has no
/// coordinates, and `project` gives an error naming the field instead of a far "projection".
#[test]
fn a_point_far_from_every_minimizer_is_an_error() {
    let (_, report, _out) = run_case(
        "version: 1
name: zero
model: {kind: linear, dims: [2, 2, 2]}
data: {x: identity, y: [[4, 0], [0, 1]]}
point: {weights: [[[0, 0], [0, 0]], [[0, 0], [0, 0]]], project: nearest-minimizer}
checks:
  - {claim: KP-exact}
",
        &[],
    );
    let why = kp_exact_error(&report);
    assert!(
        why.contains("point.project") && why.contains("too far"),
        "{why}"
    );
}

/// `project` belongs to the linear network's minimizers: another kind is a case error.
#[test]
fn project_needs_a_linear_network() {
    let (_, report, _out) = run_case(
        "version: 1
name: res
model: {kind: residual, dims: [1, 1, 1]}
data: {x: identity, y: [[1]]}
point: {weights: [[[0]], [[0]]], project: nearest-minimizer}
checks:
  - {claim: KP-exact}
",
        &[],
    );
    let case = &report["cases"][0];
    assert_eq!(case["status"], "error", "{case}");
    assert!(
        case["error"].to_string().contains("point.project"),
        "{case}"
    );
}
