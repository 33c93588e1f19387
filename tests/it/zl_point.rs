//! The ZL claims at the case's own point (issue 15, item 4): every ZL check reports f − f*,
//! ‖∇f‖², the σ_min brackets, the tightness ratio and the nearest global minimizer at the point
//! the case gives, decides the claim there when its premise holds (vacuous otherwise), lists the
//! point first in its point table, and certifies it so that `verify-cert` re-derives it.
//!
//! Oracles computed here, apart from the program: the loss of the YAML's weights in exact
//! rationals, and ‖∇f‖² from exact 5-point central differences of the loss itself along each
//! coordinate (exact because f is a polynomial of degree ≤ 4 in each coordinate at depth 2).

use crate::common::{check_of, contract_holds, dlncheck, exact_mul as mul, run_check};
use num_rational::BigRational;
use num_traits::{One, Zero};
use serde_json::Value;
use std::str::FromStr;

type Q = BigRational;
type M = Vec<Vec<Q>>;

const CASE: &str = "cases/zl-linear-given-point.yaml";

fn q(s: &str) -> Q {
    Q::from_str(s).unwrap()
}

fn m(rows: &[&[&str]]) -> M {
    rows.iter()
        .map(|r| r.iter().map(|s| q(s)).collect())
        .collect()
}

/// ½‖W_2 W_1 − Y‖² (X = I), written here from the definition.
fn loss(ws: &[M], y: &M) -> Q {
    let p = mul(&ws[1], &ws[0]);
    let mut s = Q::zero();
    for i in 0..y.len() {
        for j in 0..y[0].len() {
            let d = &p[i][j] - &y[i][j];
            s += &d * &d;
        }
    }
    s / Q::from_integer(2.into())
}

/// ‖∇f‖² by exact central differences: f'(0) = (f(−2h) − 8f(−h) + 8f(h) − f(2h)) / 12h, exact for
/// polynomials of degree ≤ 4.
fn grad_sq(ws: &[M], y: &M) -> Q {
    let h = Q::one();
    let mut total = Q::zero();
    for l in 0..ws.len() {
        for i in 0..ws[l].len() {
            for j in 0..ws[l][0].len() {
                let at = |t: &Q| {
                    let mut v = ws.to_vec();
                    v[l][i][j] += t;
                    loss(&v, y)
                };
                let two = Q::from_integer(2.into());
                let d = (at(&(-&two * &h)) - at(&-h.clone()) * Q::from_integer(8.into())
                    + at(&h) * Q::from_integer(8.into())
                    - at(&(&two * &h)))
                    / (Q::from_integer(12.into()) * &h);
                total += &d * &d;
            }
        }
    }
    total
}

fn params(v: &Value) -> Vec<M> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| q(x.as_str().unwrap()))
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn point() -> Vec<M> {
    vec![
        m(&[&["1", "1/20"], &["-1/30", "1"]]),
        m(&[&["2", "1"], &["1/40", "1/2"]]),
    ]
}

fn target() -> M {
    m(&[&["2", "1"], &["0", "1/2"]])
}

#[test]
fn every_zl_claim_reports_and_decides_the_case_point_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&[CASE, "--no-timing", "--quiet"], dir.path());
    assert_eq!(code, 0);
    contract_holds(dir.path());
    let (w, y) = (point(), target());
    let (gap, gsq) = (loss(&w, &y), grad_sq(&w, &y));
    assert!(gap > Q::zero() && gsq > Q::zero());
    for claim in [
        "ZL-minimizers",
        "ZL-gd-linear",
        "ZL-gd-neighborhood",
        "ZL-regularity",
        "ZL-regularity-fixed",
        "ZL-regularity-normal",
    ] {
        let k = check_of(&report, "zl-linear-given-point", claim);
        let cp = &k["values"]["case_point"];
        assert_eq!(q(cp["loss_gap"].as_str().unwrap()), gap, "{claim}");
        assert_eq!(q(cp["grad_norm_sq"].as_str().unwrap()), gsq, "{claim}");
        assert_eq!(cp["factors_invertible"], true);
        // the ratio enclosure is (f − f*)·D/‖∇f‖² at the ends of D's enclosure
        let d = cp["denominator_enclosure"].as_array().unwrap();
        let r = cp["tightness_ratio_enclosure"].as_array().unwrap();
        for (dd, rr) in d.iter().zip(r) {
            let want = &gap * q(dd.as_str().unwrap()) / &gsq;
            assert_eq!(q(rr.as_str().unwrap()), want, "{claim}");
        }
        // D = 2σ_min(X)² Σ_k Π_{j≠k} σ_min(W_j)² = 2(σ_min(W_1)² + σ_min(W_2)²) here; σ_min of a
        // 2 × 2 matrix in closed form: σ_min² = (‖A‖² − √(‖A‖⁴ − 4 det²)) / 2
        let smin2 = |a: &M| {
            let f: f64 = a.iter().flatten().map(|x| num_f64(x).powi(2)).sum();
            let det = num_f64(&(&a[0][0] * &a[1][1] - &a[0][1] * &a[1][0]));
            (f - (f * f - 4.0 * det * det).sqrt()) / 2.0
        };
        let dd = 2.0 * (smin2(&w[0]) + smin2(&w[1]));
        let (lo, hi) = (
            num_f64(&q(d[0].as_str().unwrap())),
            num_f64(&q(d[1].as_str().unwrap())),
        );
        assert!(
            lo <= dd * (1.0 + 1e-12) && dd <= hi * (1.0 + 1e-12),
            "{lo} {dd} {hi}"
        );
        // the nearest minimizer: W*_2 W*_1 = Y exactly, at the distance stated
        let n = &cp["nearest_minimizer"];
        let star = params(&n["params"]);
        assert_eq!(mul(&star[1], &star[0]), y, "{claim}");
        let dist: Q = w
            .iter()
            .zip(&star)
            .flat_map(|(a, b)| a.iter().flatten().zip(b.iter().flatten()))
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        assert_eq!(q(n["dist_sq"].as_str().unwrap()), dist);
        assert_eq!(n["certified_nearest"], true);
        // the point table: the case's point first, as decided
        let rows = k["values"]["point_table"].as_array().unwrap();
        assert_eq!(rows[0]["label"], "the case's point");
        assert_eq!(rows[0]["case_point"], true);
        assert_eq!(rows.len() as u64, k["values"]["points"].as_u64().unwrap());
        let want = match claim {
            // the closest generated minimizer is far away: not near, so vacuous there
            "ZL-regularity-fixed" => "vacuous",
            _ => "holds",
        };
        assert_eq!(rows[0]["verdict"], want, "{claim}: {}", rows[0]);
        assert_eq!(cp["decision"], want, "{claim}");
    }
    let k = check_of(&report, "zl-linear-given-point", "ZL-gd-linear");
    assert!(k["reason"]
        .as_str()
        .unwrap()
        .contains("and at the case's point"));
    // every certificate passes, and names the case's point among its samples where decided
    let certs = dir.path().join("certs");
    let mut n = 0;
    for e in std::fs::read_dir(&certs).unwrap() {
        let p = e.unwrap().path();
        let out = dlncheck().arg("verify-cert").arg(&p).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", p.display());
        let cert: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        if cert["claim"] != "ZL-regularity-fixed" {
            let s = &cert["samples"][0];
            assert_eq!(s["origin"], "the case's point", "{}", p.display());
            n += 1;
            // a tampered figure at the case's point is rejected
            let mut bad = cert.clone();
            bad["samples"][0]["params"][0][0][1] = Value::from("1/21");
            let t = dir.path().join("tampered.json");
            std::fs::write(&t, serde_json::to_string(&bad).unwrap()).unwrap();
            let out = dlncheck().arg("verify-cert").arg(&t).output().unwrap();
            assert_ne!(out.status.code(), Some(0), "{}", p.display());
        }
    }
    assert_eq!(n, 5);
}

fn num_f64(x: &Q) -> f64 {
    use num_traits::ToPrimitive;
    x.to_f64().unwrap()
}

#[test]
fn a_singular_layer_makes_the_pointwise_premise_false_at_the_case_point() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("singular.yaml");
    std::fs::write(
        &case,
        "version: 1\nseed: 3\nmodel: {kind: linear, dims: [2, 2, 2]}\n\
         data: {x: identity, y: [[2, 1], [0, \"1/2\"]]}\n\
         point:\n  weights:\n    - [[\"1\", \"0\"], [\"0\", \"0\"]]\n    - [[\"2\", \"1\"], [\"0\", \"1/2\"]]\n\
         samples: {count: 2, radii: [\"1/100\"]}\n\
         checks:\n  - {claim: ZL-gd-linear, expect: proved}\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let (code, report) = run_check(
        &[case.to_str().unwrap(), "--no-timing", "--quiet"],
        &out_dir,
    );
    assert_eq!(code, 0);
    let k = check_of(&report, "singular", "ZL-gd-linear");
    let cp = &k["values"]["case_point"];
    assert_eq!(cp["factors_invertible"], false);
    assert_eq!(cp["decision"], "vacuous");
    assert!(cp["why"].as_str().unwrap().contains("singular"));
    // the loss gap is still reported exactly: ½‖W_2W_1 − Y‖² computed here
    let w = vec![
        m(&[&["1", "0"], &["0", "0"]]),
        m(&[&["2", "1"], &["0", "1/2"]]),
    ];
    assert_eq!(q(cp["loss_gap"].as_str().unwrap()), loss(&w, &target()));
    assert_eq!(k["values"]["points_vacuous"], 1);
    assert_eq!(k["verdict"], "verified");
    assert!(!k["reason"].as_str().unwrap().contains("case's point"));
}
