//! End-to-end tests of the verifier on hand-written certificates (tests/data/certs/) and on
//! variants of them.

use super::*;
use serde_json::{json, Value};

fn cert_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join("tests/data/certs")
        .join(name)
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(cert_path(name)).expect("certificate file");
    serde_json::from_str(&text).expect("valid JSON")
}

fn run(v: &Value) -> VerifyReport {
    verify_str(&v.to_string()).unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

fn run_err(v: &Value) -> String {
    match verify_str(&v.to_string()) {
        Ok(r) => panic!("expected an error, got a report:\n{r}"),
        Err(e) => e.to_string(),
    }
}

/// The line whose `what` starts with `prefix`.
fn line<'a>(r: &'a VerifyReport, prefix: &str) -> &'a CheckLine {
    r.lines
        .iter()
        .find(|l| l.what.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in\n{r}"))
}

/// The names of the lines that failed.
fn failed(r: &VerifyReport) -> Vec<&str> {
    r.lines
        .iter()
        .filter(|l| !l.ok)
        .map(|l| l.what.as_str())
        .collect()
}

#[test]
fn shipped_certificates_pass() {
    for name in [
        "scalar-exact.json",
        "depth3-diagonal.json",
        "zero-depth2.json",
        "zero-depth3.json",
    ] {
        let r = verify_file(&cert_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(r.passed(), "{name}:\n{r}");
    }
}

#[test]
fn scalar_network_lambda_max_is_48() {
    let v = load("scalar-exact.json");
    let r = run(&v);
    assert_eq!(r.lines.len(), 14);
    let l = line(&r, "quantity lambda_max:");
    assert!(l.ok);
    assert_eq!(l.what, "quantity lambda_max: λ_max(hessian) ∈ [48, 48]");
    assert!(l.detail.contains("RQ(v) = 48 ≥ lo = 48"), "{}", l.detail);
    assert!(
        l.detail.contains("⪰ 0 and singular (LDLᵀ rank 2 of 3)"),
        "{}",
        l.detail
    );
    assert!(line(&r, "quantity min_sharpness:").ok);
    assert!(line(&r, "quantity kp:").ok);

    // upper = 47 below λ_max: the exact claim and 47·I − H ⪰ 0 both fail.
    let mut bad = v.clone();
    bad["quantities"]["lambda_max"]["upper"] = json!("47");
    let r = run(&bad);
    assert!(!r.passed());
    assert_eq!(
        failed(&r),
        vec!["quantity lambda_max: λ_max(hessian) ∈ [48, 48]"]
    );
    assert!(line(&r, "quantity lambda_max:").detail.contains("not ⪰ 0"));
    // Even with a consistent enclosure [47, 47] the LDLᵀ refutes it (and RQ = 48 > 47 is fine).
    bad["quantities"]["lambda_max"]["enclosure"] = json!(["47", "47"]);
    assert!(!run(&bad).passed());

    // Exact: the singular 48·I − H ⪰ 0 proves λ_max = 48 without an eigenvector, so an
    // approximate Rayleigh vector (RQ((1,1,0)) = 32 < 48) is only reported.
    let mut approx = v.clone();
    approx["quantities"]["lambda_max"]["rayleigh_vector"] = json!(["1", "1", "0"]);
    let r = run(&approx);
    assert!(r.passed(), "{r}");
    assert!(line(&r, "quantity lambda_max:")
        .detail
        .contains("RQ(v) < lo = 48 (not needed: exact)"));

    // Not exact: [48, 49] with upper 49 (49·I − H ≻ 0) passes.
    let mut loose = v.clone();
    loose["quantities"]["lambda_max"] = json!({"matrix": "hessian", "enclosure": ["48", "49"], "rayleigh_vector": ["1", "1", "1"], "upper": "49", "exact": false});
    loose["assertions"] = json!([]);
    let r = run(&loose);
    assert!(r.arithmetic_passed(), "{r}");
    // … but with no assertion left, KP-scalar's verdict no longer follows
    assert!(!r.passed(), "{r}");
    assert!(line(&r, "quantity lambda_max:").detail.contains("≻ 0"));
    // Not exact with upper = λ_max: 48·I − H is singular, not ≻ 0.
    loose["quantities"]["lambda_max"]["upper"] = json!("48");
    assert!(!run(&loose).arithmetic_passed());
    // A Rayleigh vector off the top eigenvector: RQ((1,0,0)) = 16 < lo = 48.
    loose["quantities"]["lambda_max"]["upper"] = json!("49");
    loose["quantities"]["lambda_max"]["rayleigh_vector"] = json!(["1", "0", "0"]);
    let r = run(&loose);
    assert!(!r.arithmetic_passed());
    assert!(line(&r, "quantity lambda_max:")
        .detail
        .contains("RQ(v) = 16 < lo = 48 ✗"));
    // A zero Rayleigh vector proves nothing.
    loose["quantities"]["lambda_max"]["rayleigh_vector"] = json!(["0", "0", "0"]);
    assert!(!run(&loose).arithmetic_passed());
}

#[test]
fn scalar_quantities_must_be_exact() {
    let v = load("scalar-exact.json");
    for (name, wrong) in [("trace", "47"), ("trace_formula", "49"), ("formula", "96")] {
        let mut bad = v.clone();
        bad["quantities"][name]["enclosure"] = json!([wrong, wrong]);
        let r = run(&bad);
        assert!(!line(&r, &format!("quantity {name}:")).ok, "{name}");
    }
    // min_sharpness = 3·64^(2/3) = 48: any enclosure containing 48 passes, others fail.
    for (enc, ok) in [
        (["48", "48"], true),
        (["47", "49"], true),
        (["0", "48"], true),
        (["49", "50"], false),
        (["47", "47"], false),
        (["-1", "48"], false),
    ] {
        let mut m = v.clone();
        m["quantities"]["min_sharpness"]["enclosure"] = json!(enc);
        let r = run(&m);
        assert_eq!(line(&r, "quantity min_sharpness:").ok, ok, "{enc:?}");
    }
    // min_sharpness must be of λ_max(YᵀY).
    let mut m = v.clone();
    m["quantities"]["min_sharpness"]["of"] = json!("lambda_max");
    m["quantities"]["min_sharpness"]["enclosure"] = json!(["0", "1000"]);
    assert!(!line(&run(&m), "quantity min_sharpness:").ok);
}

#[test]
fn depth3_diagonal_lambda_max_is_91_9() {
    let v = load("depth3-diagonal.json");
    let r = run(&v);
    assert!(r.passed(), "{r}");
    assert!(line(&r, "quantity lambda_max:")
        .detail
        .contains("RQ(v) = 91/9 ≥ lo = 91/9"));
    assert!(line(&r, "quantity lambda_max:")
        .detail
        .contains("rank 11 of 12"));
    assert!(line(&r, "quantity lambda_max_kp:").ok);
    assert!(line(&r, "quantity trace:").detail.contains("1091/36"));

    // 91/9 is not the answer for 10: too high for exact, but a fine non-exact upper bound.
    let mut m = v.clone();
    m["quantities"]["lambda_max"]["upper"] = json!("10");
    m["quantities"]["lambda_max"]["enclosure"] = json!(["91/9", "91/9"]);
    assert!(!line(&run(&m), "quantity lambda_max:").ok);
    m["quantities"]["lambda_max"]["upper"] = json!("92/9");
    m["quantities"]["lambda_max"]["enclosure"] = json!(["91/9", "92/9"]);
    m["quantities"]["lambda_max"]["exact"] = json!(false);
    assert!(line(&run(&m), "quantity lambda_max:").ok);
    m["quantities"]["lambda_max"]["upper"] = json!("10");
    m["quantities"]["lambda_max"]["enclosure"] = json!(["91/9", "10"]);
    assert!(!line(&run(&m), "quantity lambda_max:").ok, "10 < 91/9");

    // Tampering with one weight entry breaks criticality, the loss and λ_max.
    let mut t = v.clone();
    t["problem"]["weights"][0][0][0] = json!("1/2");
    let r = run(&t);
    assert!(!r.passed());
    let f = failed(&r);
    assert!(f.contains(&"assertion 0: critical: ∇f = 0"), "{f:?}");
    assert!(f.contains(&"assertion 1: loss = 0"), "{f:?}");
    assert!(
        f.iter().any(|w| w.starts_with("quantity lambda_max:")),
        "{f:?}"
    );
    assert!(line(&r, "assertion 0:")
        .detail
        .contains("∂f/∂weights[0][0][0] = "));
    // f = ½(3/2 − 1)² = 1/8.
    assert!(line(&r, "assertion 1:")
        .detail
        .contains("f = 1/8 ≠ value = 0"));
}

#[test]
fn saddles_at_the_zero_point() {
    // Depth 2: vᵀHv = 2⟨−Y, V_2V_1⟩ = −2 Y_11 = −2.
    let v = load("zero-depth2.json");
    let r = run(&v);
    assert!(r.passed(), "{r}");
    let mut m = v.clone();
    m["assertions"][3]["value"] = json!("-1");
    assert!(!line(&run(&m), "assertion 3:").ok);
    // V_2 = −e1e1ᵀ: curvature +2, correct but not negative.
    m["assertions"][3]["direction"][1][0][0] = json!("-1");
    m["assertions"][3]["value"] = json!("2");
    let r = run(&m);
    assert!(!line(&r, "assertion 3:").ok);
    assert!(line(&r, "assertion 3:")
        .detail
        .contains("vᵀ∇²f v = 2 = value = 2"));
    // The Hessian at the depth-2 zero point is indefinite.
    let mut m = v.clone();
    m["assertions"] = json!([{"type": "hessian_psd"}]);
    let r = run(&m);
    assert!(!r.passed());
    assert!(line(&r, "assertion 0:").detail.contains("not ⪰ 0"));

    // Depth 3: H = 0 is PSD, and f(tV) − f(0) = −t³ + ½t⁶ along V_k = e1e1ᵀ.
    let v = load("zero-depth3.json");
    let r = run(&v);
    assert!(r.passed(), "{r}");
    assert!(line(&r, "assertion 2:").detail.contains("rank 0 of 12"));
    assert!(line(&r, "assertion 3:")
        .detail
        .contains("(-1)·t^3 + (1/2)·t^6 exactly"));
    let curve = |coeffs: Value, flip: bool| {
        let mut m = v.clone();
        m["assertions"][3]["coefficients"] = coeffs;
        if flip {
            m["assertions"][3]["direction"][0][0][0] = json!("-1");
        }
        line(&run(&m), "assertion 3:").ok
    };
    assert!(curve(
        json!(["0", "0", "-1", "0", "0", "1/2", "0", "0"]),
        false
    ));
    assert!(!curve(json!(["0", "0", "-2", "0", "0", "1/2"]), false));
    assert!(!curve(json!(["0", "0", "-1"]), false), "c_6 left out");
    assert!(!curve(json!(["0", "0", "-1", "0", "0", "1/2", "1"]), false));
    // Flipping V_1: c_3 = +1, exact but not a descent.
    assert!(!curve(json!(["0", "0", "1", "0", "0", "1/2"]), true));
}

#[test]
fn relations_by_interval_arithmetic() {
    let mut v = load("scalar-exact.json");
    v["quantities"]["wide"] = json!({"matrix": "hessian", "enclosure": ["48", "49"],
        "rayleigh_vector": ["1", "1", "1"], "upper": "49", "exact": false});
    let rel = |lhs: Value, op: &str, rhs: Value, tol: &str| json!({"type": "relation", "lhs": lhs, "op": op, "rhs": rhs, "tolerance": tol});
    let cases = [
        // [48, 49] ≤ 64
        (
            rel(json!([["wide"]]), "<=", json!([["sigma_sq"]]), "0"),
            true,
        ),
        (
            rel(json!([["wide"]]), "<", json!([["sigma_sq"]]), "0"),
            true,
        ),
        (
            rel(json!([["wide"]]), ">", json!([["sigma_sq"]]), "0"),
            false,
        ),
        // [48, 49] < 48 fails, ≥ 48 holds, ≤ 48 cannot be decided
        (
            rel(json!([["wide"]]), "<", json!([["lambda_max"]]), "0"),
            false,
        ),
        (
            rel(json!([["wide"]]), ">=", json!([["lambda_max"]]), "0"),
            true,
        ),
        (
            rel(json!([["wide"]]), "<=", json!([["lambda_max"]]), "0"),
            false,
        ),
        // relative width of [48, 49] is 1/49: overlapping within a tolerance is no proof of
        // equality, so the format allows no positive tolerance at all
        (
            rel(json!([["wide"]]), "=", json!([["lambda_max"]]), "1/40"),
            false,
        ),
        (
            rel(json!([["wide"]]), "=", json!([["lambda_max"]]), "1/49"),
            false,
        ),
        (
            rel(json!([["wide"]]), "=", json!([["lambda_max"]]), "0"),
            false,
        ),
        (
            rel(
                json!([["lambda_max"]]),
                "=",
                json!([["lambda_max"]]),
                "1/49",
            ),
            false,
        ),
        (
            rel(json!([["wide"]]), "=", json!([["lambda_max"]]), "1/50"),
            false,
        ),
        (
            rel(json!([["wide"]]), "=", json!([["sigma_sq"]]), "1"),
            false,
        ),
        (
            rel(json!([["wide"]]), "!=", json!([["sigma_sq"]]), "0"),
            true,
        ),
        (
            rel(json!([["wide"]]), "!=", json!([["lambda_max"]]), "0"),
            false,
        ),
        // products and sums: 48 ≤ 64·64 + 48; 64 ≥ 48·48 + 48 is false
        (
            rel(
                json!([["lambda_max"]]),
                "<=",
                json!([["sigma_sq", "sigma_sq"], ["formula"]]),
                "0",
            ),
            true,
        ),
        (
            rel(
                json!([["sigma_sq"]]),
                ">=",
                json!([["lambda_max", "trace"], ["formula"]]),
                "0",
            ),
            false,
        ),
        // 2·48 = 48 + 48 exactly; [48, 49]·64 vs [3072, 3136]
        (
            rel(
                json!([["lambda_max"], ["formula"]]),
                "=",
                json!([["trace"], ["trace_formula"]]),
                "0",
            ),
            true,
        ),
        (
            rel(
                json!([["wide", "sigma_sq"]]),
                ">=",
                json!([["lambda_max", "sigma_sq"]]),
                "0",
            ),
            true,
        ),
    ];
    for (i, (a, ok)) in cases.iter().enumerate() {
        let mut m = v.clone();
        m["assertions"] = json!([a]);
        let r = run(&m);
        assert_eq!(r.lines.last().unwrap().ok, *ok, "case {i}: {a}\n{r}");
    }
    // A quantity with a negative end cannot enter a product.
    let mut m = v.clone();
    m["quantities"]["neg"] = json!({"scalar": "trace_hessian", "enclosure": ["-1", "48"]});
    m["assertions"] = json!([rel(json!([["neg"]]), "<=", json!([["sigma_sq"]]), "0")]);
    let r = run(&m);
    let l = r.lines.last().unwrap();
    assert!(!l.ok);
    assert!(l.detail.contains("negative end"), "{}", l.detail);
}

/// A deterministic stream of small rationals p/q with p ∈ [−5, 5], q ∈ [1, 4].
struct Rationals(u64);

impl Rationals {
    fn next(&mut self) -> String {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let p = ((self.0 >> 33) % 11) as i64 - 5;
        let q = ((self.0 >> 45) % 4) + 1;
        format!("{p}/{q}")
    }

    fn matrix(&mut self, rows: usize, cols: usize) -> Value {
        json!((0..rows)
            .map(|_| (0..cols).map(|_| self.next()).collect::<Vec<_>>())
            .collect::<Vec<_>>())
    }
}

#[test]
fn balancedness_holds_at_random_points() {
    // d = (2, 3, 2, 2), n = 3; W_k^T ∇_k f relations hold everywhere, critical or not.
    for seed in 1..=3u64 {
        let mut g = Rationals(seed);
        let dims = [2, 3, 2, 2];
        let weights: Vec<Value> = (1..dims.len())
            .map(|k| g.matrix(dims[k], dims[k - 1]))
            .collect();
        let cert = json!({
            "kind": "dlncheck-certificate",
            "version": 1,
            "problem": {"weights": weights, "x": g.matrix(2, 3), "y": g.matrix(2, 3)},
            "assertions": [
                {"type": "identity", "name": "balancedness"},
                {"type": "critical"},
                {"type": "loss_above", "value": "0"}
            ]
        });
        let r = run(&cert);
        let b = line(&r, "assertion 0:");
        assert!(b.ok, "seed {seed}: {}", b.detail);
        assert!(b.detail.contains("k = 1 … 2"));
        assert!(
            !line(&r, "assertion 1:").ok,
            "seed {seed}: a random point is not critical"
        );
        assert!(line(&r, "assertion 2:").ok, "seed {seed}");
        // An unknown identity name is an error.
        let mut bad = cert.clone();
        bad["assertions"][0]["name"] = json!("conservation");
        assert!(run_err(&bad).contains("assertions[0].name: unknown identity"));
    }
}

#[test]
fn malformed_certificates_are_errors() {
    let v = load("depth3-diagonal.json");
    assert!(verify_str("{ not json")
        .unwrap_err()
        .to_string()
        .starts_with("not valid JSON"));
    assert!(run_err(&json!([1, 2])).starts_with("certificate: expected an object"));

    let with = |f: &dyn Fn(&mut Value)| {
        let mut m = v.clone();
        f(&mut m);
        run_err(&m)
    };
    let e = with(&|m| m["kind"] = json!("something-else"));
    assert!(
        e.starts_with("kind: expected \"dlncheck-certificate\""),
        "{e}"
    );
    let e = with(&|m| m["version"] = json!(2));
    assert!(e.starts_with("version: unsupported version 2"), "{e}");
    let e = with(&|m| {
        m.as_object_mut().unwrap().remove("problem");
    });
    assert_eq!(e, "problem: missing field");
    let e = with(&|m| m["problem"]["weights"][1][0][1] = json!("1/0"));
    assert_eq!(e, "problem.weights[1][0][1]: zero denominator in \"1/0\"");
    let e = with(&|m| m["problem"]["weights"][1][0][1] = json!("abc"));
    assert!(
        e.starts_with("problem.weights[1][0][1]: not an exact number \"abc\""),
        "{e}"
    );
    let e = with(&|m| m["problem"]["weights"][1][0][1] = json!(0.5));
    assert!(
        e.starts_with("problem.weights[1][0][1]: expected an exact number string"),
        "{e}"
    );
    let e = with(&|m| m["problem"]["x"][1][0] = json!("1.0"));
    assert!(e.starts_with("problem.x[1][0]: not an exact number"), "{e}");
    // W_2 of shape 2×3 after W_1 of shape 2×2.
    let e = with(&|m| m["problem"]["weights"][1] = json!([["1", "0", "0"], ["0", "1", "0"]]));
    assert!(
        e.starts_with("problem.weights[1]: shape 2×3: expected 2 columns"),
        "{e}"
    );
    let e = with(&|m| m["problem"]["weights"][0][1] = json!(["1"]));
    assert_eq!(e, "problem.weights[0][1]: row has 1 entries, row 0 has 2");
    let e = with(&|m| m["problem"]["y"] = json!([["1", "0", "0"], ["0", "1", "0"]]));
    assert!(e.starts_with("problem.y: shape 2×3: expected 2×2"), "{e}");
    let e = with(&|m| m["problem"]["weights"] = json!([]));
    assert_eq!(e, "problem.weights: needs at least one layer");
    let e = with(&|m| m["quantities"]["lambda_max"]["matrix"] = json!("jacobian"));
    assert_eq!(
        e,
        "quantities.lambda_max.matrix: unknown matrix \"jacobian\""
    );
    let e = with(&|m| m["quantities"]["above_1"]["matrix"] = json!({"gram_above": 4}));
    assert!(
        e.starts_with("quantities.above_1.matrix.gram_above: expected a layer number 1 … 3"),
        "{e}"
    );
    let e = with(&|m| m["quantities"]["lambda_max"]["rayleigh_vector"] = json!(["1", "0"]));
    assert!(
        e.starts_with(
            "quantities.lambda_max.rayleigh_vector: has 2 entries, but hessian is 12 × 12"
        ),
        "{e}"
    );
    let e = with(&|m| m["quantities"]["trace"]["enclosure"] = json!(["1"]));
    assert_eq!(
        e,
        "quantities.trace.enclosure: expected [lo, hi], found 1 numbers"
    );
    let e = with(&|m| m["quantities"]["trace"]["scalar"] = json!("scalar_formula"));
    assert!(
        e.starts_with("quantities.trace.scalar: scalar_formula needs a scalar network"),
        "{e}"
    );
    let e = with(&|m| m["assertions"][2]["type"] = json!("saddle"));
    assert_eq!(e, "assertions[2].type: unknown assertion type \"saddle\"");
    let e = with(&|m| m["assertions"][3]["op"] = json!("=="));
    assert_eq!(e, "assertions[3].op: unknown operator \"==\"");
    let e = with(&|m| m["assertions"][3]["rhs"] = json!([["nope"]]));
    assert_eq!(e, "assertions[3].rhs[0][0]: unknown quantity \"nope\"");
    let e = with(&|m| {
        m["assertions"][0] = json!({"type": "negative_curvature", "value": "-1",
            "direction": [[["1", "0"], ["0", "0"]], [["1", "0"]], [["1", "0"], ["0", "0"]]]});
    });
    assert_eq!(
        e,
        "assertions[0].direction[1]: shape 1×2, expected 2×2 (the shape of W_2)"
    );
    // Too many parameters is refused from the shapes alone.
    let row: Vec<&str> = vec!["0"; 65];
    let big: Vec<Vec<&str>> = vec![row; 65];
    let e = with(&|m| {
        m["problem"]["weights"] = json!([big.clone()]);
        m["problem"]["x"] = json!(vec![vec!["1"]; 65]);
        m["problem"]["y"] = json!(vec![vec!["1"]; 65]);
    });
    assert_eq!(
        e,
        "problem.weights: 4225 parameters exceed the limit of 4096"
    );
    // A missing file is an I/O error naming it.
    let e = verify_file(Path::new("/nonexistent/cert.json")).unwrap_err();
    assert!(matches!(e, VerifyError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/cert.json"));
}

#[test]
fn empty_certificate_does_not_pass() {
    let r = run(&json!({
        "kind": "dlncheck-certificate",
        "version": 1,
        "problem": {"weights": [[["1"]]], "x": [["1"]], "y": [["1"]]}
    }));
    assert!(r.lines.is_empty());
    assert!(!r.passed());
}

/// The verdict lines that failed.
fn verdict_failed(r: &VerifyReport) -> Vec<String> {
    r.verdict
        .iter()
        .filter(|l| !l.ok)
        .map(|l| format!("{} — {}", l.what, l.detail))
        .collect()
}

/// λ_max(gram_above k) or λ_max(gram_below_x k) of a scalar network: the 1 × 1 matrix [v].
fn gram(kind: &str, k: usize, v: &str) -> Value {
    json!({"matrix": {kind: k}, "enclosure": [v, v], "rayleigh_vector": ["1"], "upper": v, "exact": true})
}

/// scalar-exact.json (w = (2, 2, 2), X = 1, Y = 8, λ_max = 48) with c_k² = ‖A_k‖²‖B_kX‖²:
/// (A_k, B_kX) = (4, 1), (2, 2), (1, 4), so c_k² = 16 for every k and Σc² = 48.
fn scalar_with_c() -> Value {
    let mut v = load("scalar-exact.json");
    for (k, a, b) in [(1, "16", "1"), (2, "4", "4"), (3, "1", "16")] {
        v["quantities"][format!("a{k}")] = gram("gram_above", k, a);
        v["quantities"][format!("b{k}")] = gram("gram_below_x", k, b);
    }
    v
}

fn relation(lhs: Value, op: &str, rhs: Value) -> Value {
    json!({"type": "relation", "lhs": lhs, "op": op, "rhs": rhs})
}

#[test]
fn kp_rules_read_the_relations_by_their_matrices() {
    let base = scalar_with_c();
    let sum_c = json!([["a1", "b1"], ["a2", "b2"], ["a3", "b3"]]);
    // KP-naive: λ = Σc² verifies, and cannot be called refuted
    let mut v = base.clone();
    v["claim"] = json!("KP-naive");
    v["assertions"] = json!([relation(json!([["lambda_max"]]), "=", sum_c.clone())]);
    assert!(run(&v).passed(), "{}", run(&v));
    v["verdict"] = json!("refuted");
    assert!(!run(&v).passed());
    // the sides may be swapped; the names do not matter, the matrices do
    let mut v = base.clone();
    v["claim"] = json!("KP-bound");
    v["assertions"] = json!([relation(sum_c.clone(), ">=", json!([["lambda_max"]]))]);
    assert!(run(&v).passed(), "{}", run(&v));
    // a relation against the wrong matrices (only two of the three c_k²) decides nothing
    v["assertions"] = json!([relation(
        json!([["lambda_max"]]),
        "<=",
        json!([["a1", "b1"], ["a2", "b2"], ["kp"]])
    )]);
    let r = run(&v);
    assert!(r.arithmetic_passed(), "{r}");
    assert!(!r.passed());
    assert!(verdict_failed(&r)
        .iter()
        .any(|l| l.contains("undetermined") && l.contains("Σ_k c_k²")));
}

#[test]
fn flat_necessary_needs_the_whole_chain_of_c_equalities() {
    let mut v = scalar_with_c();
    v["claim"] = json!("KP-flat-necessary");
    let chain = vec![
        relation(json!([["lambda_max"]]), "=", json!([["min_sharpness"]])),
        relation(json!([["a2", "b2"]]), "=", json!([["a1", "b1"]])),
        relation(json!([["a3", "b3"]]), "=", json!([["a1", "b1"]])),
    ];
    v["assertions"] = json!(chain);
    assert!(run(&v).passed(), "{}", run(&v));
    // each assertion is needed: without one the verdict does not follow
    for i in 0..3 {
        let mut cut = v.clone();
        cut["assertions"].as_array_mut().unwrap().remove(i);
        let r = run(&cut);
        assert!(r.arithmetic_passed() && !r.passed(), "without {i}:\n{r}");
    }
    // a tolerance is never allowed, even on a true exact equality
    let mut tol = v.clone();
    tol["assertions"][1]["tolerance"] = json!("1/1000");
    assert!(!run(&tol).passed());
    tol["assertions"][1]["tolerance"] = json!("0");
    assert!(run(&tol).passed());
    // the KP premise is recomputed: Y = 9 makes f ≠ 0 (and λ_max changes, but the rule alone
    // already refuses a point that is not a zero-loss minimizer)
    let mut moved = v.clone();
    moved["problem"]["y"] = json!([["9"]]);
    let r = run(&moved);
    assert!(verdict_failed(&r)
        .iter()
        .any(|l| l.contains("zero-loss point")));
}

#[test]
fn strength_claim_and_verdict_must_be_stated_and_follow() {
    let v = load("scalar-exact.json");
    assert!(run(&v).passed());
    for (field, value, why) in [
        ("strength", json!("numerical"), "strength"),
        ("strength", Value::Null, "strength"),
        ("claim", json!("KP-everything"), "unknown claim"),
        ("claim", json!("KP-escape"), "unknown claim"),
        ("verdict", json!("inconclusive"), "cannot be certified"),
        ("verdict", json!("refuted"), "counterexamples"),
    ] {
        let mut bad = v.clone();
        bad[field] = value;
        let r = run(&bad);
        assert!(!r.passed(), "{field}: {r}");
        assert!(
            verdict_failed(&r).iter().any(|l| l.contains(why)),
            "{field}: {r}"
        );
    }
    let mut bad = v.clone();
    bad.as_object_mut().unwrap().remove("verdict");
    assert!(!run(&bad).passed());
}

#[test]
fn amg_classes_and_the_optimum_are_recomputed() {
    // W = 0 at depth 2 is a strict saddle (both readings), at depth 3 a non-strict one
    let mut v = load("zero-depth2.json");
    for claim in ["AMG-classify", "AMG-classify-path"] {
        v["claim"] = json!(claim);
        assert!(run(&v).passed(), "{claim}: {}", run(&v));
    }
    let mut v = load("zero-depth3.json");
    for claim in ["AMG-classify", "AMG-classify-path"] {
        v["claim"] = json!(claim);
        assert!(run(&v).passed(), "{claim}: {}", run(&v));
        v["verdict"] = json!("refuted");
        assert!(!run(&v).passed());
        v["verdict"] = json!("verified");
    }
    // X = I, Y = diag(1, 2), widths 2-1-2 (r = 1): Σ = diag(1, 4), f* = ½(5 − 4) = ½ at
    // P = e₂e₂ᵀY, reached by W_1 = (0 1), W_2 = (0 2)ᵀ
    let cert = |w1: [&str; 2], w2: [&str; 2], loss: &str, claim: &str| {
        json!({
            "kind": "dlncheck-certificate", "version": 1, "claim": claim,
            "verdict": "verified", "strength": "proved",
            "problem": {"weights": [[w1], [[w2[0]], [w2[1]]]],
                        "x": [["1", "0"], ["0", "1"]], "y": [["1", "0"], ["0", "2"]]},
            "assertions": [{"type": "critical"}, {"type": "loss", "value": loss}],
        })
    };
    for claim in [
        "AMG-minimizers",
        "AMG-classify",
        "AMG-values",
        "AMG-product",
    ] {
        let r = run(&cert(["0", "1"], ["0", "2"], "1/2", claim));
        assert!(r.passed(), "{claim}: {r}");
    }
    // the critical point P = e₁e₁ᵀY has f = 2 > f*: calling it a global minimizer fails, as f*
    // cannot be shown to be 2
    let r = run(&cert(["1", "0"], ["1", "0"], "2", "AMG-minimizers"));
    assert!(r.arithmetic_passed(), "{r}");
    assert!(!r.passed());
    assert!(verdict_failed(&r)
        .iter()
        .any(|l| l.contains("f = f* not shown")));
    // …while as a critical value of S = {1} it is fine
    assert!(run(&cert(["1", "0"], ["1", "0"], "2", "AMG-values")).passed());
    // without a `loss` assertion an AMG-minimizers point is shown to miss f*: S = {1} is not a
    // top set (λ = 4 lies outside it); the global minimizer without its `loss` is undetermined
    let mut miss = cert(["1", "0"], ["1", "0"], "2", "AMG-minimizers");
    miss["assertions"].as_array_mut().unwrap().pop();
    assert!(run(&miss).passed(), "{}", run(&miss));
    let mut min = cert(["0", "1"], ["0", "2"], "1/2", "AMG-minimizers");
    min["assertions"].as_array_mut().unwrap().pop();
    assert!(!run(&min).passed());
}

/// The first point's first assertion's algebraic proof, mutably.
fn algebraic_proof(v: &mut Value) -> &mut Value {
    &mut v["points"][0]["assertions"][0]["algebraic"]
}

#[test]
fn irrational_equalities_are_rederived_and_tampering_fails() {
    // produced by `dlncheck check cases/kp-exact-irrational.yaml`: λ_max = (11 + √5)/2 of the
    // Hessian against the KP operator, and against Σ_k c_k² (a sum of products of Gram λ_max's)
    for name in ["kp-exact-irrational.json", "kp-naive-irrational.json"] {
        let v = load(name);
        let r = run(&v);
        assert!(r.passed(), "{name}:\n{r}");
        let rel = r
            .lines
            .iter()
            .find(|l| l.what.contains("relation"))
            .expect("a relation line");
        assert!(
            rel.detail.contains("as algebraic numbers"),
            "{}",
            rel.detail
        );

        let must_fail = |what: &str, edit: &dyn Fn(&mut Value)| {
            let mut bad = v.clone();
            edit(&mut bad);
            let r = run(&bad);
            assert!(!r.passed(), "{name}: tampered {what} passed:\n{r}");
        };
        must_fail("lhs polynomial", &|b| {
            let p = &mut algebraic_proof(b)["lhs"]["poly"];
            let c: i64 = p[1].as_str().unwrap().parse().unwrap();
            p[1] = json!((c + 1).to_string());
        });
        must_fail("rhs polynomial", &|b| {
            algebraic_proof(b)["rhs"]["poly"][0] = json!("7");
        });
        must_fail("rhs interval", &|b| {
            // [hi + 1, hi + 2]: no root of the rhs polynomial there
            let hi = algebraic_proof(b)["rhs"]["interval"][1]
                .as_str()
                .unwrap()
                .to_string();
            let q = crate::rational::parse_exact(&hi).unwrap();
            let one = crate::rational::Q::from_integer(1.into());
            algebraic_proof(b)["rhs"]["interval"] =
                json!([(&q + &one).to_string(), (&q + &one + &one).to_string()]);
        });
        must_fail("leaf interval", &|b| {
            let leaves = algebraic_proof(b)["leaves"].as_object_mut().unwrap();
            let iv = leaves.get_mut("lambda_max").unwrap();
            iv[0] = json!("0");
            iv[1] = json!("1");
        });
        must_fail("gcd", &|b| {
            algebraic_proof(b)["gcd"] = json!(["-1", "1"]);
        });
        must_fail("operator", &|b| {
            b["points"][0]["assertions"][0]["op"] = json!("<");
        });
        must_fail("verdict", &|b| {
            b["verdict"] = json!("refuted");
        });
        must_fail("proof removed", &|b| {
            b["points"][0]["assertions"][0]
                .as_object_mut()
                .unwrap()
                .remove("algebraic");
        });
    }
}
