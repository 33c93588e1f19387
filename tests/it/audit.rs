//! The `audit` command, run as the real binary: minimal shrunk counterexamples that `check`
//! confirms independently, the falsifying example on the terminal, `--json` counts that add up,
//! a claim that applies to no trial (exit 2, with the reason), and the shape options.

use crate::common::{exact_mul as mul, run_check, run_out};
use serde_json::Value;

/// `dlncheck audit <args> --out <out>`: (exit code, stdout, stderr).
fn audit(args: &[&str], out: &std::path::Path) -> (i32, String, String) {
    run_out("audit", args, out)
}

#[test]
fn kp_flat_necessary_deep_shrinks_to_depth_3_with_2x2_layers_and_check_confirms_it() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("audit");
    // the claim id is case-insensitive
    let (code, text, err) = audit(&["kp-flat-necessary-deep", "--seed", "1"], &out);
    assert_eq!(code, 0, "{err}");
    let yaml_path = out.join("audit-kp-flat-necessary-deep-seed1.yaml");
    let yaml = std::fs::read_to_string(&yaml_path).unwrap();
    assert!(
        yaml.contains("model: {kind: linear, dims: [2, 2, 2, 2]}"),
        "{yaml}"
    );
    // the terminal shows the falsifying example in full, its figures, and both paths
    assert!(
        text.contains("depth 3, dims [2, 2, 2, 2], refuted proved"),
        "{text}"
    );
    assert!(text.contains("falsifying example:"), "{text}");
    for line in yaml.lines() {
        assert!(
            text.contains(&format!("  | {line}")),
            "{line} not in {text}"
        );
    }
    assert!(text.contains("why: counterexample"), "{text}");
    assert!(text.contains("lambda_max_enclosure"), "{text}");
    assert!(
        text.contains(&format!("case: {}", yaml_path.display())),
        "{text}"
    );
    let cert = out.join("audit-kp-flat-necessary-deep-seed1.cert.json");
    assert!(
        text.contains(&format!("certificate: {}", cert.display())),
        "{text}"
    );
    assert!(cert.exists());
    // independent confirmation: the written case through `check`
    let (code, report) = run_check(&[yaml_path.to_str().unwrap()], &work.path().join("r"));
    assert_eq!(code, 0, "{report:#}");
    let c = &report["cases"][0]["checks"][0];
    assert_eq!(c["claim"], "KP-flat-necessary-deep");
    assert_eq!(c["verdict"], "refuted");
    assert_eq!(c["strength"], "proved");
}

#[test]
fn json_summary_parses_and_its_counts_add_up() {
    let work = tempfile::tempdir().unwrap();
    for args in [
        vec!["KP-flat-necessary-deep", "--seed", "1", "--json"],
        vec!["KP-bound", "--trials", "20", "--seed", "3", "--json"],
        vec!["KP-depth2", "--trials", "12", "--depth", "2..3", "--json"],
    ] {
        let (code, text, err) = audit(&args, &work.path().join(args[0]));
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&text).unwrap();
        let n = |k: &str| v[k].as_u64().unwrap();
        assert!(n("trials") > 0);
        assert_eq!(n("applicable") + n("not_applicable"), n("trials"), "{v:#}");
        assert_eq!(
            n("verified") + n("refuted") + n("inconclusive"),
            n("applicable"),
            "{v:#}"
        );
        assert!(n("premise_held") <= n("applicable"));
        let by: u64 = v["by_verdict_and_strength"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|m| m.as_object().unwrap().values())
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert_eq!(by, n("applicable"));
        let reasons: u64 = v["not_applicable_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["trials"].as_u64().unwrap())
            .sum();
        assert_eq!(reasons, n("not_applicable"));
        let depths: u64 = v["depths"]
            .as_object()
            .unwrap()
            .values()
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert_eq!(depths, n("trials"));
        if args[0] == "KP-flat-necessary-deep" {
            let c = &v["counterexample"];
            assert_eq!(c["depth"], 3);
            assert_eq!(c["dims"], serde_json::json!([2, 2, 2, 2]));
            assert_eq!(c["strength"], "proved");
            assert!(c["yaml"].as_str().unwrap().contains("expect: refuted"));
        }
    }
}

#[test]
fn wj_ranks_on_linear_models_applies_to_no_trial_and_says_why() {
    let work = tempfile::tempdir().unwrap();
    let (code, text, err) = audit(
        &["WJ-ranks", "--kind", "linear", "--trials", "10"],
        &work.path().join("wj"),
    );
    assert_eq!(code, 2, "{text}{err}");
    assert!(text.contains("0 applicable"), "{text}");
    assert!(text.contains("l2-regularized"), "{text}");
    assert!(err.contains("applied to none of the 10 trials"), "{err}");
    assert!(err.contains("l2-regularized"), "{err}");
    // and in JSON, same exit code, the reason listed
    let (code, text, _) = audit(
        &["wj-ranks", "--kind", "linear", "--trials", "10", "--json"],
        &work.path().join("wj"),
    );
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["applicable"], 0);
    assert_eq!(v["not_applicable"], 10);
    assert!(v["not_applicable_reasons"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("l2-regularized"));
    // by default the WJ claims are audited on l2-regularized models, where they apply
    let (code, text, err) = audit(&["WJ-ranks", "--trials", "5"], &work.path().join("wj"));
    assert_eq!(code, 0, "{err}");
    assert!(!text.contains(" 0 applicable"), "{text}");
}

#[test]
fn shape_options_fix_depth_widths_kind_and_x() {
    let work = tempfile::tempdir().unwrap();
    let json = |args: &[&str]| -> Value {
        let (code, text, err) = audit(args, &work.path().join("shape"));
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&text).unwrap()
    };
    let v = json(&["KP-bound", "--trials", "8", "--depth", "3", "--json"]);
    assert_eq!(v["depths"], serde_json::json!({"3": 8}));
    let v = json(&["KP-bound", "--trials", "6", "--widths", "2,3,2", "--json"]);
    assert_eq!(v["depths"], serde_json::json!({"2": 6}));
    let v = json(&[
        "KP-bound", "--trials", "6", "--depth", "1..2", "--x", "identity", "--json",
    ]);
    assert_eq!(v["applicable"], 6, "{v:#}");
    // residual models (square) for the claim about them
    let v = json(&[
        "ZL-gd-residual",
        "--trials",
        "6",
        "--kind",
        "residual",
        "--json",
    ]);
    assert_eq!(v["applicable"], 6, "{v:#}");
    // usage errors exit 2 with a message
    for bad in [
        vec!["KP-bound", "--depth", "0"],
        vec!["KP-bound", "--kind", "one-hidden-layer"],
        vec!["KP-bound", "--x", "weird"],
        vec!["KP-bound", "--max-width", "9"],
        vec!["no-such-claim"],
    ] {
        let (code, _, err) = audit(&bad, &work.path().join("bad"));
        assert_eq!(code, 2, "{bad:?}");
        assert!(!err.is_empty());
    }
}

/// Delicate regions: theorems are never refuted on near-misses (two compared values 2^-s apart,
/// s up to 300, beyond the 256-bit working precision), near-repeated singular values nor
/// rank-deficient cases, and the
/// `--json` summary counts the regions drawn.
#[test]
fn theorems_hold_in_the_delicate_regions() {
    let work = tempfile::tempdir().unwrap();
    for (claim, region, shape) in [
        ("KP-exact", "near", None),
        ("KP-depth2", "near", None),
        ("KP-scalar", "near", None),
        ("KP-trace", "near", None),
        ("BAL-invariant", "near", None),
        // repeated acts where every width is at least 2
        ("KP-exact", "repeated", Some("2,3,2,2")),
        ("KP-bound", "repeated", Some("3,2,3")),
        ("KP-exact", "rank-deficient", None),
        ("KP-bound", "rank-deficient", None),
    ] {
        let mut args = vec![claim, "--trials", "25", "--region", region, "--json"];
        if let Some(widths) = shape {
            args.extend(["--widths", widths]);
        }
        let (code, text, err) = audit(&args, &work.path().join(claim));
        assert_eq!(code, 0, "{claim}: {err}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["refuted"], 0, "{claim} {region}: {text}");
        assert!(v["counterexample"].is_null());
        let regions = v["regions"].as_object().unwrap();
        let total: u64 = regions.values().map(|n| n.as_u64().unwrap()).sum();
        assert_eq!(total, 25, "{claim}: {regions:?}");
        // a region that acts on the drawn shapes at all acts on most of them
        let acted: u64 = regions
            .iter()
            .filter(|(r, _)| r.as_str() != "plain")
            .map(|(_, n)| n.as_u64().unwrap())
            .sum();
        assert!(acted >= 10, "{claim} {region}: {regions:?}");
        if region == "near" || region == "repeated" {
            let prefix = format!("{region} 2^-");
            assert!(regions
                .keys()
                .all(|r| r == "plain" || r.starts_with(&prefix)));
        } else {
            assert!(regions
                .keys()
                .all(|r| r == "plain" || r == "rank-deficient"));
        }
        // every inconclusive trial is accounted for by a reason
        let reasons: u64 = v["inconclusive_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["trials"].as_u64().unwrap())
            .sum();
        assert_eq!(reasons, v["inconclusive"].as_u64().unwrap(), "{claim}");
    }
}

/// The restated rank criterion reads S from rk P (claims.md, AMG-classify (i)); when Σ has a zero
/// eigenvalue (Y rank-deficient) a global minimizer has |S| = rk P = rk Φ < min(r, d_L), so (i)
/// calls it a saddle. The default audit finds this in the rank-deficient region; the test checks
/// the written point itself: Y rank-deficient, the loss exactly zero (a global minimizer), and
/// rk(W_L⋯W_1) < min(r, d_L).
#[test]
fn amg_classify_breaks_where_y_is_rank_deficient() {
    use num_rational::BigRational;
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("a");
    let (code, text, err) = audit(&["AMG-classify", "--json"], &out);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let c = &v["counterexample"];
    assert_eq!(c["region"], "rank-deficient", "{text}");
    assert_eq!(c["strength"], "proved");
    assert_eq!(c["values"]["class_by_certificate"], "global-minimizer");
    let yaml: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(out.join("audit-amg-classify-seed0.yaml")).unwrap(),
    )
    .unwrap();
    let q = |v: &serde_yaml::Value| -> BigRational { v.as_str().unwrap().parse().unwrap() };
    let mat = |v: &serde_yaml::Value| -> Vec<Vec<BigRational>> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|r| r.as_sequence().unwrap().iter().map(q).collect())
            .collect()
    };
    // rank by exact Gaussian elimination
    let rank = |m: &Vec<Vec<BigRational>>| -> usize {
        let mut m = m.clone();
        let (mut r, cols) = (0, m[0].len());
        for col in 0..cols {
            let Some(p) = (r..m.len()).find(|&i| m[i][col] != BigRational::from_integer(0.into()))
            else {
                continue;
            };
            m.swap(r, p);
            for i in 0..m.len() {
                if i != r {
                    let f = &m[i][col] / &m[r][col];
                    let pivot = m[r].clone();
                    for (e, p) in m[i].iter_mut().zip(&pivot) {
                        *e -= &f * p;
                    }
                }
            }
            r += 1;
        }
        r
    };
    assert_eq!(yaml["data"]["x"].as_str(), Some("identity"));
    let y = mat(&yaml["data"]["y"]);
    let ws: Vec<_> = yaml["point"]["weights"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(mat)
        .collect();
    let p = ws[1..].iter().fold(ws[0].clone(), |p, w| mul(w, &p));
    assert_eq!(
        p, y,
        "the loss ½‖P − Y‖² is exactly zero: a global minimizer"
    );
    let dims: Vec<usize> = yaml["model"]["dims"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let r = *dims.iter().min().unwrap();
    let d_l = *dims.last().unwrap();
    assert!(rank(&y) < y.len(), "Y is rank-deficient");
    assert!(rank(&p) < r.min(d_l), "|S| = rk P < min(r, d_L)");
    // the written case through check: refuted, proved
    let (code, report) = run_check(
        &[out.join("audit-amg-classify-seed0.yaml").to_str().unwrap()],
        &work.path().join("r"),
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["cases"][0]["checks"][0]["verdict"], "refuted");
}

/// `--borrowed` (seed 0, plain draws): the trials' critical points are borrowed-slot points
/// wherever a type borrows (the tally and the point types add up to the trials); the tightened
/// reading is refuted at trial 20, shrunk to a borrowed-slot point of dims [2, 1, 1, 1] (lane 2
/// enters through W_1 into the single hidden unit, which the slot lanes have no position for).
/// The written case reproduces it through `check`, and the path reading holds at that point.
#[test]
fn borrowed_slot_points_refute_the_tightened_reading_and_the_written_case_reproduces_it() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("a");
    let args = [
        "AMG-classify",
        "--borrowed",
        "--region",
        "plain",
        "--trials",
        "300",
        "--json",
    ];
    let (code, text, err) = audit(&args, &out);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["trials"], 21, "{text}");
    let b = &v["borrowed"];
    let n = |v: &Value| v.as_u64().unwrap();
    assert_eq!(n(&b["points"]), n(&b["as_drawn"]) + n(&b["redrawn"]));
    assert_eq!(n(&b["points"]) + n(&b["lane_fallback"]), 21, "{b}");
    assert_eq!((n(&b["as_drawn"]), n(&b["redrawn"])), (3, 16), "{b}");
    let types = v["point_types"].as_array().unwrap();
    let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
        types
            .iter()
            .filter(|t| pred(t["type"].as_str().unwrap()))
            .map(|t| n(&t["trials"]))
            .sum()
    };
    assert_eq!(sum(&|_| true), 21);
    assert_eq!(sum(&|t| t.starts_with("borrowed slots: ")), n(&b["points"]));
    assert_eq!(
        sum(&|t| t.ends_with("(lane point: no borrowed type fits)")),
        n(&b["lane_fallback"])
    );
    let c = &v["counterexample"];
    assert_eq!(c["trial"], 20);
    assert_eq!(c["dims"], serde_json::json!([2, 1, 1, 1]));
    assert_eq!(c["values"]["class_by_criterion"], "strict-saddle");
    assert_eq!(c["values"]["class_by_certificate"], "non-strict-saddle");
    let yaml = std::fs::read_to_string(out.join("audit-amg-classify-seed0.yaml")).unwrap();
    assert_eq!(c["yaml"].as_str(), Some(yaml.as_str()));
    assert!(
        yaml.contains(
            "# borrowed-slot point (src/enumerate/borrowed.rs): 1 cut at W_1,W_2,W_3; 2 cut at W_2"
        ),
        "{yaml}"
    );
    // through check: refuted with proof, at the case's point
    let written = out.join("audit-amg-classify-seed0.yaml");
    let (code, report) = run_check(&[written.to_str().unwrap()], &work.path().join("r"));
    assert_eq!(code, 0, "{report:#}");
    let check = &report["cases"][0]["checks"][0];
    assert_eq!(check["verdict"], "refuted");
    assert_eq!(check["strength"], "proved");
    assert!(
        check["reason"]
            .as_str()
            .unwrap()
            .starts_with("counterexample at the case's point [S = {}]"),
        "{check:#}"
    );
    // the same point under the path reading and AMG-product: both hold
    let path_case = work.path().join("path.yaml");
    let checks = "checks:\n  - {claim: AMG-classify-path, expect: verified}\n  - {claim: AMG-product, expect: verified}\n";
    let body = yaml.split("checks:").next().unwrap();
    std::fs::write(&path_case, format!("{body}{checks}")).unwrap();
    let (code, report) = run_check(&[path_case.to_str().unwrap()], &work.path().join("p"));
    assert_eq!(code, 0, "{report:#}");
    for k in 0..2 {
        assert_eq!(report["cases"][0]["checks"][k]["verdict"], "verified");
    }
    // borrowed-slot points have no free kernel blocks of the slot model
    let (code, _, err) = audit(&["AMG-classify", "--borrowed", "--free-blocks"], &out);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}

/// The ZL claims are audited on their own kinds (square layers; residual for ZL-gd-residual,
/// one-hidden-layer for ZL-gd-nonlinear, drawn on and next to the leaky ReLU's kink) and never
/// refuted. Seed 0 of ZL-minimizers draws a minimizer with σ_min(W_1) ≈ 2^-40, below f64's
/// resolution of W_1ᵀW_1: it used to be refuted ("a factor is not certified invertible") although
/// the layer is invertible.
#[test]
fn zl_claims_are_audited_on_their_own_kinds_and_at_kinks() {
    let work = tempfile::tempdir().unwrap();
    let json = |args: &[&str]| -> Value {
        let (code, text, err) = audit(args, &work.path().join("zl"));
        assert_eq!(code, 0, "{args:?}: {err}");
        serde_json::from_str(&text).unwrap()
    };
    let v = json(&[
        "ZL-gd-nonlinear",
        "--trials",
        "6",
        "--region",
        "rank-deficient",
        "--json",
    ]);
    assert_eq!(
        (v["applicable"].as_u64(), v["refuted"].as_u64()),
        (Some(6), Some(0)),
        "{v:#}"
    );
    assert_eq!(v["regions"], serde_json::json!({"kink": 6}), "{v:#}");
    assert_eq!(v["depths"], serde_json::json!({"2": 6}));
    let v = json(&[
        "ZL-gd-nonlinear",
        "--trials",
        "4",
        "--region",
        "near",
        "--json",
    ]);
    assert_eq!(v["refuted"], 0, "{v:#}");
    assert!(v["regions"]
        .as_object()
        .unwrap()
        .keys()
        .all(|r| r.starts_with("near kink 2^-")));
    let v = json(&["ZL-gd-residual", "--trials", "4", "--json"]);
    assert_eq!(
        (v["applicable"].as_u64(), v["refuted"].as_u64()),
        (Some(4), Some(0)),
        "{v:#}"
    );
    let v = json(&["ZL-minimizers", "--trials", "20", "--json"]);
    assert_eq!(v["refuted"], 0, "{v:#}");
    assert!(v["applicable"].as_u64().unwrap() >= 10, "{v:#}");
    // one-hidden-layer networks have depth 2
    let (code, _, err) = audit(
        &["ZL-gd-nonlinear", "--depth", "3"],
        &work.path().join("bad"),
    );
    assert_eq!(code, 2);
    assert!(err.contains("depth 2"), "{err}");
}
