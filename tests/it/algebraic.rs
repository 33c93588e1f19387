//! Equalities of irrational numbers decided exactly (issue 13, item 2): the real binary `check` on
//! `cases/kp-exact-irrational.yaml`, where λ_max = (11 + √5)/2 is irrational, proves KP-exact,
//! KP-depth2, KP-naive and KP-bound on the basis `exact-algebraic` (the gcd of the two sides'
//! square-free polynomials has a root in the intersection of their isolating intervals); every
//! certificate passes `verify-cert`, and a copy whose gcd, polynomial or interval is altered fails.
//! The shipped near miss (KP-naive false by a relative 2·10⁻²⁰) stays refuted with proof.
//!
//! The truth is worked out by hand: W_1 = [[1, 1], [0, 1]], W_2 = diag(2, 1), X = I; ‖W_1‖₂² is the
//! top eigenvalue of W_1ᵀW_1 = [[1, 1], [1, 2]], i.e. (3 + √5)/2, and ‖W_2‖₂² = 4, so KP-depth2
//! (a theorem of [KP] for L = 2, X = I) says λ_max = φ² + 4 = (11 + √5)/2; KP-exact is a
//! theorem at every zero-loss point; at this point c_1² = ‖W_2‖₂²‖I‖₂² = 4 and
//! c_2² = ‖I‖₂²‖W_1‖₂² = φ², so Σc² = φ² + 4 = λ_max and KP-naive and KP-bound hold too.

use crate::common::check_of as check;
use crate::common::{certificates, contract_holds, run_check, verify_cert};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn cert(dir: &Path, name: &str) -> PathBuf {
    dir.join("certs").join(name)
}

#[test]
fn irrational_equalities_are_proved_and_their_certificates_checked() {
    let out = tempfile::tempdir().unwrap();
    let (code, report) = run_check(
        &[
            "cases/kp-exact-irrational.yaml",
            "cases/adversarial-naive-near-miss.yaml",
        ],
        out.path(),
    );
    assert_eq!(code, 0, "{report}");
    contract_holds(out.path());
    for claim in ["KP-exact", "KP-depth2", "KP-naive", "KP-bound"] {
        let k = check(&report, "kp-exact-irrational", claim);
        assert_eq!(k["verdict"], "verified", "{claim}: {k}");
        assert_eq!(k["strength"], "proved", "{claim}: {k}");
        assert_eq!(k["values"]["basis"], "exact-algebraic", "{claim}: {k}");
        // the enclosure is around φ² + 4 = (11 + √5)/2
        let enc = &k["values"]["lambda_max_enclosure"];
        let f = |s: &Value| {
            let (p, q) = s.as_str().unwrap().split_once('/').unwrap();
            p.parse::<f64>().unwrap() / q.parse::<f64>().unwrap()
        };
        let (lo, hi) = (f(&enc[0]), f(&enc[1]));
        assert!(
            lo <= hi && (lo - (11.0 + 5f64.sqrt()) / 2.0).abs() < 1e-12,
            "{enc}"
        );
    }
    let naive = check(&report, "adversarial-naive-near-miss", "KP-naive");
    assert_eq!(naive["verdict"], "refuted");
    assert_eq!(naive["strength"], "proved");

    // every certificate passes; tampered copies of the algebraic proofs fail
    let (code, text) = verify_cert(&["--quiet"], &certificates(out.path()));
    assert_eq!(code, Some(0), "{text}");
    for (name, edit) in [
        ("kp-exact-irrational--KP-exact.json", "gcd"),
        ("kp-exact-irrational--KP-naive.json", "poly"),
        ("kp-exact-irrational--KP-depth2.json", "interval"),
    ] {
        let path = cert(out.path(), name);
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let a = &mut v["points"][0]["assertions"][0]["algebraic"];
        match edit {
            "gcd" => a["gcd"] = json!(["-7", "1"]),
            "poly" => a["rhs"]["poly"][0] = json!("1"),
            _ => a["lhs"]["interval"] = json!(["0", "1"]),
        }
        let bad = out.path().join(format!("tampered-{name}"));
        std::fs::write(&bad, v.to_string()).unwrap();
        let (code, text) = verify_cert(&["--quiet"], &[bad]);
        assert_eq!(code, Some(1), "tampered {edit} of {name} passed: {text}");
        assert!(text.contains("FAIL"), "{text}");
    }
}
