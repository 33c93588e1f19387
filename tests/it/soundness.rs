//! Soundness under near misses (issue 13): equalities that fail by a relative 2⁻ᵏ, for k from 10
//! up to four times the working precision, at precisions from 16 to 4096 bits. A false statement
//! is never `verified` with strength `proved`, a true one is never `refuted`, and every report
//! keeps the JSON contract with strengths (a refutation is always proved).
//!
//! The truth of each statement is worked out here by hand, not taken from dlncheck:
//! - KP-naive on W_1 = I, W_2 = diag(1 + 2e, 1), W_3 = diag(1, 1 + e), X = 2I (diagonal, so the
//!   KP operator is diagonal): λ_max = 4(2(1 + e)² + (1 + 2e)²) while Σ c_i² = 4(2(1 + 2e)² +
//!   (1 + e)²), larger by 4(2e + 3e²) > 0: KP-naive is false, KP-bound and KP-exact are true.
//! - Scalar depth 2, w = (1, 1 + e), X = 1: λ_max = w_1² + w_2² = 1 + (1 + e)² exceeds the minimal
//!   sharpness 2|w_1w_2| = 2(1 + e) by e²: the point is not flat, so KP-flat-necessary (a theorem)
//!   holds vacuously and KP-min (λ_max ≥ the minimum) holds; neither may be refuted.

use crate::common::check_of;
use crate::common::{contract_holds, dlncheck, report_of};

use num_bigint::BigInt;
use std::path::Path;

/// "p/q" for (2ᵏ + a)/2ᵏ · s, i.e. s·(1 + a·2⁻ᵏ).
fn near_one(k: u32, a: u32, s: u32) -> String {
    let q = BigInt::from(1) << k as usize;
    let p = (&q + BigInt::from(a)) * BigInt::from(s);
    format!("\"{p}/{q}\"")
}

fn write_naive(dir: &Path, k: u32) {
    let (e2, e1) = (near_one(k, 2, 1), near_one(k, 1, 1));
    // Y = M X with M = W_3 W_2 W_1 = diag(1 + 2e, 1 + e), X = 2I
    let (y1, y2) = (near_one(k, 2, 2), near_one(k, 1, 2));
    let text = format!(
        "version: 1\nname: naive-2^-{k}\nmodel: {{kind: linear, dims: [2, 2, 2, 2]}}\n\
         data: {{x: [[2, 0], [0, 2]], y: [[{y1}, 0], [0, {y2}]]}}\n\
         point:\n  weights:\n    - [[1, 0], [0, 1]]\n    - [[{e2}, 0], [0, 1]]\n    - [[1, 0], [0, {e1}]]\n\
         checks:\n  - {{claim: KP-naive}}\n  - {{claim: KP-bound}}\n  - {{claim: KP-exact}}\n"
    );
    std::fs::write(dir.join(format!("naive-{k}.yaml")), text).unwrap();
}

fn write_flat(dir: &Path, k: u32) {
    let w2 = near_one(k, 1, 1);
    let text = format!(
        "version: 1\nname: flat-2^-{k}\nmodel: {{kind: linear, dims: [1, 1, 1]}}\n\
         data: {{x: identity, y: [[{w2}]]}}\n\
         point:\n  weights:\n    - [[1]]\n    - [[{w2}]]\n\
         checks:\n  - {{claim: KP-flat-necessary}}\n  - {{claim: KP-min}}\n"
    );
    std::fs::write(dir.join(format!("flat-{k}.yaml")), text).unwrap();
}

#[test]
fn near_misses_are_never_proved_false_nor_refuted_true() {
    for precision in [16u32, 64, 256, 1024, 4096] {
        let cases = tempfile::tempdir().unwrap();
        let mut ks: Vec<u32> = vec![10, 30, 60, 100];
        ks.extend([precision / 2, precision, 2 * precision, 4 * precision]);
        ks.sort_unstable();
        ks.dedup();
        for &k in &ks {
            write_naive(cases.path(), k);
            write_flat(cases.path(), k);
        }
        let out = tempfile::tempdir().unwrap();
        let status = dlncheck()
            .arg("check")
            .arg(cases.path())
            .args(["--quiet", "--no-timing", "--precision"])
            .arg(precision.to_string())
            .arg("--report-dir")
            .arg(out.path())
            .output()
            .unwrap();
        assert!(
            status.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        contract_holds(out.path());
        let report = report_of(out.path());
        for &k in &ks {
            let naive = check_of(&report, &format!("naive-2^-{k}"), "KP-naive");
            assert!(
                !(naive["verdict"] == "verified" && naive["strength"] == "proved"),
                "KP-naive false by 2^-{k} proved at {precision} bits: {naive:#}"
            );
            for (case, claim) in [
                (format!("naive-2^-{k}"), "KP-bound"),
                (format!("naive-2^-{k}"), "KP-exact"),
                (format!("flat-2^-{k}"), "KP-flat-necessary"),
                (format!("flat-2^-{k}"), "KP-min"),
            ] {
                let c = check_of(&report, &case, claim);
                assert_ne!(
                    c["verdict"], "refuted",
                    "{claim} (true) refuted on {case} at {precision} bits: {c:#}"
                );
                assert_ne!(c["verdict"], "error", "{case} {claim}: {c:#}");
            }
        }
    }
}

#[test]
fn an_exact_near_miss_is_refuted_with_proof() {
    // far above any working precision, yet the point is rational: λ_max of the Hessian and the
    // c_k² are rational (denominators up to 2^12000), identified exactly and compared exactly, so
    // KP-naive is refuted with proof
    let cases = tempfile::tempdir().unwrap();
    write_naive(cases.path(), 3000);
    let out = tempfile::tempdir().unwrap();
    let status = dlncheck()
        .arg("check")
        .arg(cases.path())
        .args(["--quiet", "--no-timing", "--report-dir"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(status.status.code().is_some_and(|c| c <= 1));
    contract_holds(out.path());
    let report = report_of(out.path());
    let naive = check_of(&report, "naive-2^-3000", "KP-naive");
    assert_eq!(naive["verdict"], "refuted", "{naive:#}");
    assert_eq!(naive["strength"], "proved", "{naive:#}");
    assert_eq!(naive["values"]["basis"], "exact", "{naive:#}");
    assert_eq!(naive["values"]["lambda_max_exact"], true, "{naive:#}");
}
