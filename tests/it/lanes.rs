//! Lane critical points (directions cut at different layers, `generate.critical_points.lanes`) and
//! the audits that draw them, run as the real binary: the points `enumerate` lists are critical
//! by an oracle that shares no code with the gradient, `audit AMG-classify` finds and shrinks the
//! same counterexample for a fixed seed and `check` confirms it, and an audit to which no trial
//! applies exits 2.

use crate::common::{dlncheck, exact_mul as mul, root, run_check, run_out};
use dlncheck::enumerate::lanes::{lane_points, type_of_origin};
use dlncheck::enumerate::spectrum::spectrum;
use dlncheck::linalg::mat::Mat;
use num_rational::BigRational;
use num_traits::Zero;
use serde_json::Value;

fn q(n: i64) -> BigRational {
    BigRational::from_integer(n.into())
}

/// ½‖W_L⋯W_1X − Y‖² with X = I, by explicit loops over rationals.
fn loss(ws: &[Mat<BigRational>], y: &[Vec<BigRational>]) -> BigRational {
    let d0 = ws[0].cols();
    let mut p: Vec<Vec<BigRational>> = (0..d0)
        .map(|i| (0..d0).map(|j| q(i64::from(i == j))).collect())
        .collect();
    for w in ws {
        p = (0..w.rows())
            .map(|i| {
                (0..d0)
                    .map(|j| (0..w.cols()).map(|k| w.at(i, k) * &p[k][j]).sum())
                    .collect()
            })
            .collect();
    }
    let mut s = BigRational::zero();
    for (pi, yi) in p.iter().zip(y) {
        for (a, b) in pi.iter().zip(yi) {
            s += (a - b) * (a - b);
        }
    }
    s / q(2)
}

/// ∂f/∂(W_layer)_{row,col} at the point: t ↦ f(W + tE) is a polynomial of degree ≤ 2L, so its
/// derivative at 0 is the derivative of the interpolant at t = −L…L (exact).
fn derivative(
    ws: &[Mat<BigRational>],
    y: &[Vec<BigRational>],
    at: (usize, usize, usize),
) -> BigRational {
    let l = ws.len() as i64;
    let ts: Vec<i64> = (-l..=l).collect();
    let mut d = BigRational::zero();
    for (i, &ti) in ts.iter().enumerate() {
        let mut w = ws.to_vec();
        *w[at.0].at_mut(at.1, at.2) += q(ti);
        let fi = loss(&w, y);
        let mut li = BigRational::zero();
        for (m, &tm) in ts.iter().enumerate() {
            if m != i {
                let mut term = BigRational::from_integer(1.into()) / q(ti - tm);
                for (n, &tn) in ts.iter().enumerate() {
                    if n != i && n != m {
                        term *= q(-tn) / q(ti - tn);
                    }
                }
                li += term;
            }
        }
        d += li * fi;
    }
    d
}

#[test]
fn enumerated_lane_points_are_critical_by_an_interpolation_oracle() {
    lane_points_are_critical(false);
}

#[test]
/// `generate.critical_points.free_blocks`: the same types with free kernel blocks, still critical
/// by the oracle, and some points do carry free entries.
fn enumerated_lane_points_with_free_blocks_are_critical_by_an_interpolation_oracle() {
    lane_points_are_critical(true);
}

/// The 24 lane points `enumerate --json` lists for a 3 × 2 × 3 × 3 case (with or without free
/// kernel blocks) are the library's, and every partial derivative of the loss vanishes there by
/// exact interpolation.
fn lane_points_are_critical(free_blocks: bool) {
    let work = tempfile::tempdir().unwrap();
    let case = work.path().join("lanes.yaml");
    std::fs::write(
        &case,
        format!(
            "version: 1\nname: lanes\nseed: 4\nmodel: {{kind: linear, dims: [3, 2, 3, 3]}}\n\
             data: {{x: identity, y: [[3, 0, 0], [0, 2, 0], [0, 0, 1]]}}\n\
             generate: {{critical_points: {{lanes: 24, free_blocks: {free_blocks}}}}}\n\
             checks: [{{claim: AMG-product}}]\n"
        ),
    )
    .unwrap();
    let out = dlncheck()
        .args(["enumerate", "--json"])
        .arg(&case)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<&str> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["label"].as_str())
        .filter(|l| l.starts_with("lanes: "))
        .collect();
    assert_eq!(rows.len(), 24, "{v:#}");
    let cov = &v["lane_types"];
    // lanes 1, 2: carried or cut at ≥ 2 of 3 layers (5 each); lane 3 has a position in W_3
    // only (d_1 = 2): zero there or not (2)
    assert_eq!(cov["total"], "50");
    assert_eq!(cov["sampled"], true);
    let per_type: u64 = cov["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["points"].as_u64().unwrap())
        .sum();
    assert_eq!(per_type, 24);
    // the same points from the library (same dims, data and seed), checked by the oracle
    let y: Vec<Vec<BigRational>> = (0..3)
        .map(|i| {
            (0..3)
                .map(|j| q(if i == j { 3 - i as i64 } else { 0 }))
                .collect()
        })
        .collect();
    let y_mat = Mat::from_fn(3, 3, |i, j| y[i][j].clone());
    let x = Mat::from_fn(3, 3, |i, j| q(i64::from(i == j)));
    let sp = spectrum(&x, &y_mat, 128).unwrap();
    let (pts, _) = lane_points(&[3, 2, 3, 3], &sp, &x, &y_mat, 24, 4, free_blocks);
    let origins: Vec<&str> = pts.iter().map(|p| p.point.origin.as_str()).collect();
    assert_eq!(origins, rows);
    let mut cut_somewhere = 0;
    for p in &pts {
        let ws = &p.point.weights;
        for (k, w) in ws.iter().enumerate() {
            for i in 0..w.rows() {
                for j in 0..w.cols() {
                    assert!(
                        derivative(ws, &y, (k, i, j)).is_zero(),
                        "{}: ∂f/∂W_{}[{i},{j}] ≠ 0",
                        p.point.origin,
                        k + 1
                    );
                }
            }
        }
        cut_somewhere += usize::from(type_of_origin(&p.point.origin).unwrap().contains("cut"));
    }
    assert!(cut_somewhere > 0);
    let with_blocks = rows
        .iter()
        .filter(|r| r.contains("free-block entries"))
        .count();
    assert_eq!(with_blocks > 0, free_blocks, "{rows:#?}");
    // the point families count every listed point: the lane points with and without free
    // kernel-block entries as families of their own
    let fams = families(&v);
    assert_eq!(
        fams.get("lanes with free blocks").copied(),
        (with_blocks > 0).then_some(with_blocks)
    );
    assert_eq!(fams.get("lanes").copied(), Some(24 - with_blocks));
}

/// `enumerate --json`'s `point_families`: family → points, after checking that the families'
/// points add up to the points listed and each family's types to the family.
fn families(v: &Value) -> std::collections::BTreeMap<String, usize> {
    let listed = v["points"].as_array().unwrap().len();
    let cov = &v["point_families"];
    assert_eq!(cov["points"].as_u64(), Some(listed as u64));
    let n = |v: &Value| v.as_u64().unwrap() as usize;
    let mut out = std::collections::BTreeMap::new();
    for f in cov["families"].as_array().unwrap() {
        let types = f["types"].as_array().unwrap();
        for key in ["points", "tightened_disagree", "path_disagree"] {
            assert_eq!(
                types.iter().map(|t| n(&t[key])).sum::<usize>(),
                n(&f[key]),
                "{f:#}"
            );
        }
        out.insert(f["family"].as_str().unwrap().to_string(), n(&f["points"]));
    }
    assert_eq!(out.values().sum::<usize>(), listed, "{cov:#}");
    out
}

#[test]
/// `generate.critical_points.borrowed`: `enumerate --json` lists the 24 borrowed-slot points of the
/// shipped case, each classified by both readings and the certificate; `check` finds the
/// tightened reading's counterexample among them, the path reading holding at every point.
fn borrowed_slot_points_are_listed_and_classified() {
    let out = dlncheck()
        .args(["enumerate", "--json", "cases/amg-borrowed-slots.yaml"])
        .current_dir(root())
        .output()
        .unwrap();
    // exit 1: one point's classes disagree (the tightened reading's counterexample below)
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<&Value> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["label"]
                .as_str()
                .is_some_and(|l| l.starts_with("borrowed slots: "))
        })
        .collect();
    assert_eq!(rows.len(), 24, "{v:#}");
    let fails = rows.iter().filter(|r| r["verdict"] == "fails").count();
    assert_eq!(fails, 1, "{v:#}");
    // the families: the rank profiles and the 24 borrowed-slot points, the failing one
    // misclassified by the tightened reading only
    let fams = families(&v);
    assert_eq!(fams.get("borrowed slots"), Some(&24), "{fams:?}");
    assert_eq!(fams.len(), 2, "{fams:?}");
    let borrowed = v["point_families"]["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["family"] == "borrowed slots")
        .unwrap();
    assert_eq!(borrowed["tightened_disagree"], 1);
    assert_eq!(borrowed["path_disagree"], 0);
    let types = borrowed["types"].as_array().unwrap();
    assert!(
        types.len() > 1
            && types.iter().all(|t| t["point_type"]
                .as_str()
                .is_some_and(|ty| ty.contains("1 ") && !ty.contains("(seed")))
    );
    let work = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&["cases/amg-borrowed-slots.yaml"], work.path());
    assert_eq!(code, 0, "{report:#}");
    let path = crate::common::check_of(&report, "amg-borrowed-slots", "AMG-classify-path");
    assert_eq!(path["verdict"], "verified");
    let tight = crate::common::check_of(&report, "amg-borrowed-slots", "AMG-classify");
    assert_eq!(tight["verdict"], "refuted");
    assert!(
        tight["reason"]
            .as_str()
            .unwrap()
            .contains("counterexample at borrowed slots:"),
        "{tight:#}"
    );
}

fn audit(args: &[&str], out: &std::path::Path) -> (i32, String, String) {
    run_out("audit", args, out)
}

#[test]
/// With plain draws (`--region plain`: the trials of seed 0 as drawn on the grid) the audit finds
/// the lane counterexample; the default mixed regions find a rank-deficient one first
/// (tests/it/audit.rs).
fn audit_amg_classify_finds_and_shrinks_a_lane_counterexample_for_seed_0() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("a");
    // the plain draws of seed 0 (the claim id is case-insensitive, as the text run below shows)
    const SEARCH: [&str; 7] = [
        "--seed", "0", "--trials", "600", "--region", "plain", "--json",
    ];
    let (code, text, err) = audit(&[&["AMG-classify"][..], &SEARCH].concat(), &out);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let c = &v["counterexample"];
    assert_eq!(v["trials"], 42, "{}", text);
    assert_eq!(c["trial"], 41);
    assert_eq!(c["dims"], serde_json::json!([2, 2, 1, 1]));
    assert_eq!(c["strength"], "proved");
    assert_eq!(c["values"]["class_by_criterion"], "strict-saddle");
    assert_eq!(c["values"]["class_by_certificate"], "non-strict-saddle");
    let drawn: u64 = v["point_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trials"].as_u64().unwrap())
        .sum();
    assert_eq!(drawn, 42);
    // the shipped case is this shrunk point
    let yaml = c["yaml"].as_str().unwrap();
    let shipped =
        std::fs::read_to_string(root().join("cases/amg-classify-lanes-counterexample.yaml"))
            .unwrap();
    for line in yaml.lines().filter(|l| l.trim_start().starts_with("- [[")) {
        assert!(shipped.contains(line), "{line} not in the shipped case");
    }
    // the written case, through check: refuted (proved); the path reading holds there
    let path = out.join("audit-amg-classify-seed0.yaml");
    let (code, report) = run_check(&[path.to_str().unwrap()], &work.path().join("r"));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["cases"][0]["checks"][0]["verdict"], "refuted");
    let (code, report) = run_check(
        &["cases/amg-classify-lanes-counterexample.yaml"],
        &work.path().join("s"),
    );
    assert_eq!(code, 0, "{report:#}");
    // and the terminal shows the falsifying example with its lane type
    let (_, text, _) = audit(&[&["amg-classify"][..], &SEARCH[..6]].concat(), &out);
    assert!(text.contains("lane point types drawn:"), "{text}");
    assert!(
        text.contains("# lane point: 1 cut at W_1,W_2,W_3; 2 blocked"),
        "{text}"
    );
    assert!(
        text.contains("class_by_certificate: non-strict-saddle"),
        "{text}"
    );
}

#[test]
/// `--free-blocks`: every drawn lane point gets free kernel blocks and stays exactly critical (a
/// point that is not is never used: the trial would count as "no lane point"); the path reading
/// holds on all of them. The plain draws also keep Σ's eigenvalues distinct (d_0 ≥ d_L − 1), so no
/// trial is out of scope.
fn audit_with_free_blocks_draws_critical_points_with_free_entries() {
    let work = tempfile::tempdir().unwrap();
    let (code, text, err) = audit(
        &[
            "AMG-classify-path",
            "--free-blocks",
            "--region",
            "plain",
            "--seed",
            "3",
            "--trials",
            "80",
            "--json",
        ],
        &work.path().join("f"),
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["trials"], 80, "{text}");
    assert!(v["counterexample"].is_null(), "{text}");
    assert_eq!(v["inconclusive"], 0, "{text}");
    let types = v["point_types"].as_array().unwrap();
    let count = |pred: &dyn Fn(&str) -> bool| -> u64 {
        types
            .iter()
            .filter(|t| pred(t["type"].as_str().unwrap()))
            .map(|t| t["trials"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(count(&|t| t.starts_with("no lane point")), 0, "{text}");
    assert!(count(&|t| t.contains("free-block entries")) >= 10, "{text}");
    assert_eq!(count(&|_| true), 80);
}

#[test]
fn audit_of_a_critical_point_claim_on_residual_models_applies_to_nothing_and_exits_2() {
    let work = tempfile::tempdir().unwrap();
    let (code, text, err) = audit(
        &["AMG-classify", "--kind", "residual", "--trials", "5"],
        &work.path().join("r"),
    );
    assert_eq!(code, 2, "{text}{err}");
    assert!(text.contains("0 applicable"), "{text}");
    assert!(err.contains("applied to none of the 5 trials"), "{err}");
}

/// `cases/amg-nonstrict-kernel-descent.yaml`: ∇²f = 0 at W_1 = W_2 = W_3 = 0, and dlncheck proves
/// the non-strict saddle by a descent direction V taken from ker ∇²f. Checked here from the
/// certificate with this file's own arithmetic: along V the curve's lowest coefficient is
/// c_3 = −⟨Y, W_6W_5W_4V_3V_2V_1⟩ (X = I; the t³ term of P(W + tV), worked out in the case's
/// `about`), it is negative and equals the certificate's, c_1 = c_2 = 0, and the loss does drop
/// at t = 1/1000.
#[test]
fn a_non_strict_saddle_with_zero_hessian_descends_along_its_kernel_direction() {
    let dir = tempfile::tempdir().unwrap();
    let case = "cases/amg-nonstrict-kernel-descent.yaml";
    let (code, report) = run_check(&[case, "--no-timing"], dir.path());
    assert_eq!(code, 0);
    let ratio = |v: &Value| -> BigRational { v.as_str().unwrap().parse().unwrap() };
    let matrix = |v: &Value| -> Vec<Vec<BigRational>> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().iter().map(ratio).collect())
            .collect()
    };
    let to_mat = |m: &Vec<Vec<BigRational>>| {
        Mat::from_vec(m.len(), m[0].len(), m.iter().flatten().cloned().collect())
    };
    for claim in ["AMG-classify", "AMG-classify-path"] {
        let k = crate::common::check_of(&report, "amg-nonstrict-kernel-descent", claim);
        assert_eq!(
            (&k["verdict"], &k["strength"]),
            (&"verified".into(), &"proved".into())
        );
        let cert: Value = serde_json::from_str(
            &std::fs::read_to_string(k["certificate"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let at_case = cert["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["point"] == "the case's point")
            .unwrap();
        let curve = at_case["assertions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["type"] == "descent_curve")
            .unwrap();
        let w: Vec<_> = at_case["problem"]["weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(matrix)
            .collect();
        let v: Vec<_> = curve["direction"]
            .as_array()
            .unwrap()
            .iter()
            .map(matrix)
            .collect();
        let y = matrix(&at_case["problem"]["y"]);
        let c: Vec<BigRational> = curve["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .map(ratio)
            .collect();
        // c_3 = −⟨Y, W_6W_5W_4V_3V_2V_1⟩
        let path = [&v[0], &v[1], &v[2], &w[3], &w[4], &w[5]]
            .into_iter()
            .skip(1)
            .fold(v[0].clone(), |p, m| mul(m, &p));
        let inner: BigRational = path
            .iter()
            .flatten()
            .zip(y.iter().flatten())
            .map(|(a, b)| a * b)
            .sum();
        assert!(c[0].is_zero() && c[1].is_zero(), "{c:?}");
        assert_eq!(c[2], -&inner);
        assert!(c[2] < q(0), "{c:?}");
        // the loss itself drops along V, by this file's loss
        let t = BigRational::new(1.into(), 1000.into());
        let moved: Vec<_> = w
            .iter()
            .zip(&v)
            .map(|(a, b)| {
                a.iter()
                    .zip(b)
                    .map(|(ra, rb)| ra.iter().zip(rb).map(|(x, d)| x + &t * d).collect())
                    .collect::<Vec<Vec<BigRational>>>()
            })
            .collect();
        let as_mats = |ws: &[Vec<Vec<BigRational>>]| ws.iter().map(to_mat).collect::<Vec<_>>();
        assert!(loss(&as_mats(&moved), &y) < loss(&as_mats(&w), &y));
    }
}
