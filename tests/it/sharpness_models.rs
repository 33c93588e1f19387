//! `dlncheck sharpness --json` on one small case per model kind (tests/data/models/), against an
//! oracle that shares no code with dlncheck's models: each loss is written out again here, its
//! Hessian is taken by exact central second differences of that loss, and λ_max is bracketed by
//! bisection on the positive definiteness of xI − H (exact Gaussian elimination).
//!
//! Why the second differences are exact: along s·e_i + t·e_j the network output is affine in each
//! layer's entries (linear and residual products, W_2 σ(W_1 X) on a fixed branch of σ), so the
//! loss is a polynomial in (s, t) of degree ≤ 2 in each variable (≤ 2 in all when i, j lie in one
//! layer), and the penalty is quadratic. For such a polynomial Σ c_ab s^a t^b the central
//! differences
//!   [f(h, h) − f(h, −h) − f(−h, h) + f(−h, −h)] / 4h² = c_11,  [f(h) − 2f(0) + f(−h)] / h² = 2c_2
//! are the second derivatives exactly, at any h. For the leaky ReLU the oracle checks that no
//! evaluation leaves the point's branch (no sign of W_1 X changes).

use crate::common::{decimal, dlncheck, exact_mul as mul, json_of, root};
use num_rational::BigRational as Q;
use num_traits::{One, Signed, Zero};
use serde_json::Value;
use serde_yaml::Value as Yaml;
use std::process::Stdio;

type M = Vec<Vec<Q>>;

/// The model families, as the oracle knows them.
#[derive(Clone)]
enum Kind {
    Linear,
    Residual,
    Leaky(Q),
    L2 { lambda: Q, mask: Option<M> },
}

/// A case file's model, data and point.
#[derive(Clone)]
struct Case {
    kind: Kind,
    x: M,
    y: M,
    params: Vec<M>,
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

fn path(name: &str) -> String {
    format!("tests/data/models/{name}.yaml")
}

/// An integer or a "p/q" string.
fn num(v: &Yaml) -> Q {
    match v {
        Yaml::Number(n) => Q::from_integer(n.as_i64().expect("integer").into()),
        Yaml::String(s) => match s.split_once('/') {
            Some((a, b)) => Q::new(a.trim().parse().unwrap(), b.trim().parse().unwrap()),
            None => Q::from_integer(s.trim().parse().unwrap()),
        },
        other => panic!("not a number: {other:?}"),
    }
}

fn matrix(v: &Yaml) -> M {
    v.as_sequence()
        .unwrap()
        .iter()
        .map(|row| row.as_sequence().unwrap().iter().map(num).collect())
        .collect()
}

fn identity(n: usize) -> M {
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| if i == j { Q::one() } else { Q::zero() })
                .collect()
        })
        .collect()
}

fn read(name: &str) -> Case {
    let text = std::fs::read_to_string(root().join(path(name))).unwrap();
    let doc: Yaml = serde_yaml::from_str(&text).unwrap();
    let model = &doc["model"];
    let d0 = model["dims"][0].as_u64().unwrap() as usize;
    let kind = match model["kind"].as_str().unwrap() {
        "linear" => Kind::Linear,
        "residual" => Kind::Residual,
        "one-hidden-layer" => Kind::Leaky(num(&model["activation"]["leaky_relu"])),
        "l2-regularized" => Kind::L2 {
            lambda: num(&model["lambda"]),
            mask: doc["data"].get("mask").map(matrix),
        },
        k => panic!("unknown kind {k}"),
    };
    let x = match &doc["data"]["x"] {
        Yaml::String(s) if s == "identity" => identity(d0),
        m => matrix(m),
    };
    let params = doc["point"]["weights"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(matrix)
        .collect();
    Case {
        kind,
        x,
        y: matrix(&doc["data"]["y"]),
        params,
    }
}

/// The signs of W_1 X (−1, 0, 1) of a one-hidden-layer point.
fn signs(c: &Case, params: &[M]) -> Vec<Vec<i32>> {
    mul(&params[0], &c.x)
        .iter()
        .map(|r| {
            r.iter()
                .map(|z| {
                    if z.is_zero() {
                        0
                    } else if z.is_negative() {
                        -1
                    } else {
                        1
                    }
                })
                .collect()
        })
        .collect()
}

/// The loss of the case's model at `params`, written out independently of dlncheck.
fn loss(c: &Case, params: &[M]) -> Q {
    let out = match &c.kind {
        Kind::Linear | Kind::L2 { .. } => params.iter().fold(c.x.clone(), |z, w| mul(w, &z)),
        // (I + A) Z = Z + A Z
        Kind::Residual => params.iter().fold(c.x.clone(), |z, a| {
            let az = mul(a, &z);
            z.iter()
                .zip(&az)
                .map(|(r, s)| r.iter().zip(s).map(|(u, v)| u + v).collect())
                .collect()
        }),
        Kind::Leaky(a) => {
            let z = mul(&params[0], &c.x);
            let h: M = z
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|t| if t.is_negative() { a * t } else { t.clone() })
                        .collect()
                })
                .collect();
            mul(&params[1], &h)
        }
    };
    let mut data = Q::zero();
    for (i, row) in out.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let r = v - &c.y[i][j];
            let observed = match &c.kind {
                Kind::L2 { mask: Some(m), .. } => !m[i][j].is_zero(),
                _ => true,
            };
            if observed {
                data += &r * &r / q(2, 1);
            }
        }
    }
    if let Kind::L2 { lambda, .. } = &c.kind {
        let norms: Q = params.iter().flatten().flatten().map(|w| w * w).sum();
        data += lambda * norms / q(2, 1);
    }
    data
}

/// The Hessian of [`loss`] at the case's point, by exact central second differences.
fn hessian(c: &Case) -> M {
    let theta: Vec<Q> = c.params.iter().flatten().flatten().cloned().collect();
    let n = theta.len();
    let base_signs = matches!(c.kind, Kind::Leaky(_)).then(|| signs(c, &c.params));
    let f = |moves: &[(usize, Q)]| -> Q {
        let mut t = theta.clone();
        for (i, s) in moves {
            t[*i] += s;
        }
        let mut it = t.into_iter();
        let params: Vec<M> = c
            .params
            .iter()
            .map(|w| {
                w.iter()
                    .map(|row| row.iter().map(|_| it.next().unwrap()).collect())
                    .collect()
            })
            .collect();
        if let Some(s) = &base_signs {
            assert_eq!(
                &signs(c, &params),
                s,
                "a difference left the point's branch"
            );
        }
        loss(c, &params)
    };
    let h = q(1, 64);
    let f0 = f(&[]);
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if i == j {
                        (f(&[(i, h.clone())]) - &f0 * q(2, 1) + f(&[(i, -h.clone())])) / (&h * &h)
                    } else {
                        (f(&[(i, h.clone()), (j, h.clone())])
                            - f(&[(i, h.clone()), (j, -h.clone())])
                            - f(&[(i, -h.clone()), (j, h.clone())])
                            + f(&[(i, -h.clone()), (j, -h.clone())]))
                            / (&h * &h * q(4, 1))
                    }
                })
                .collect()
        })
        .collect()
}

/// Is the symmetric matrix positive definite? (Gaussian elimination without pivoting: every
/// pivot positive.)
fn positive_definite(mut a: M) -> bool {
    let n = a.len();
    for k in 0..n {
        if !a[k][k].is_positive() {
            return false;
        }
        let (top, rest) = a.split_at_mut(k + 1);
        let pivot_row = &top[k];
        for row in rest.iter_mut() {
            let factor = &row[k] / &pivot_row[k];
            for (v, p) in row.iter_mut().zip(pivot_row).skip(k) {
                *v -= &factor * p;
            }
        }
    }
    true
}

/// [lo, hi] with lo ≤ λ_max(h) < hi and hi − lo = 2^−220 of the starting bracket: bisection on
/// "xI − H ≻ 0 ⇔ x > λ_max", started from Gershgorin's bound.
fn lambda_max(h: &M) -> (Q, Q) {
    let bound: Q = h
        .iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<Q>())
        .max()
        .unwrap()
        + Q::one();
    let (mut lo, mut hi) = (-bound.clone(), bound);
    for _ in 0..220 {
        let mid = (&lo + &hi) / q(2, 1);
        let shifted: M = h
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.iter()
                    .enumerate()
                    .map(|(j, v)| if i == j { &mid - v } else { -v.clone() })
                    .collect()
            })
            .collect();
        if positive_definite(shifted) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    (lo, hi)
}

fn exact(s: &Value) -> Q {
    let s = s.as_str().unwrap();
    match s.split_once('/') {
        Some((a, b)) => Q::new(a.parse().unwrap(), b.parse().unwrap()),
        None => Q::from_integer(s.parse().unwrap()),
    }
}

/// `sharpness --json` on the case, parsed (the command must succeed).
fn sharpness(name: &str) -> Value {
    json_of(&["sharpness", &path(name), "--json"])
}

/// The binary's λ_max of `name` agrees with the oracle's: its proven interval meets the oracle's
/// bracket, its f64 ends contain its exact ends, its f64 and MPFR values are close. Returns the
/// oracle's bracket and the binary's proven interval.
fn agrees(name: &str, kind: &str, loss_has: &str) -> ((Q, Q), (Q, Q), Value) {
    let c = read(name);
    let (lo, hi) = lambda_max(&hessian(&c));
    let r = sharpness(name);
    assert_eq!(r["model"], kind, "{name}");
    let formula = r["loss"].as_str().unwrap();
    assert!(formula.contains(loss_has), "{name}: {formula}");
    let cert = &r["certified"];
    let (clo, chi) = (exact(&cert["lo_exact"]), exact(&cert["hi_exact"]));
    assert!(
        clo <= hi && lo <= chi,
        "{name}: proven [{clo}, {chi}], oracle [{lo}, {hi}]"
    );
    let (flo, fhi) = (cert["lo"].as_f64().unwrap(), cert["hi"].as_f64().unwrap());
    assert!(
        Q::from_float(flo).unwrap() <= clo,
        "{name}: f64 lower end {flo}"
    );
    assert!(
        Q::from_float(fhi).unwrap() >= chi,
        "{name}: f64 upper end {fhi}"
    );
    let v = Q::from_float(r["f64"]["value"].as_f64().unwrap()).unwrap();
    let scale = hi.abs().max(Q::one());
    assert!(
        (&v - &lo).abs() <= &scale * q(1, 1_000_000_000),
        "{name}: f64 {v}"
    );
    let m = decimal(r["mpfr"]["value"].as_str().unwrap());
    let tol = &scale / Q::from_integer(num_traits::pow(num_bigint::BigInt::from(10), 50));
    assert!(&lo - &tol <= m && m <= &hi + &tol, "{name}: MPFR {m}");
    ((lo, hi), (clo, chi), r)
}

#[test]
fn linear_91_9_with_its_f64_ends_rounded_outward() {
    let ((lo, hi), (clo, chi), r) = agrees("linear-91-9", "linear", "½‖W_L⋯W_1 X − Y‖²_F");
    let exact = q(91, 9);
    assert!(lo <= exact && exact < hi);
    assert_eq!((clo.clone(), chi.clone()), (exact.clone(), exact.clone()));
    // 91/9 is not an f64: the f64 ends are the two neighbours around it
    let (flo, fhi) = (
        r["certified"]["lo"].as_f64().unwrap(),
        r["certified"]["hi"].as_f64().unwrap(),
    );
    assert!(flo < fhi, "{flo} {fhi}");
    assert!(Q::from_float(flo).unwrap() < exact && exact < Q::from_float(fhi).unwrap());
}

#[test]
fn residual_lambda_max_is_the_residual_models() {
    let (_, (clo, chi), r) = agrees(
        "residual-depth2",
        "residual",
        "½‖(I + A_L)⋯(I + A_1) X − Y‖²_F",
    );
    // the plain linear network at W = A has another λ_max, outside the proven interval
    let mut plain = read("residual-depth2");
    plain.kind = Kind::Linear;
    let (plo, phi) = lambda_max(&hessian(&plain));
    assert!(
        phi < clo || plo > chi,
        "linear [{plo}, {phi}] vs [{clo}, {chi}]"
    );
    // the residual network is the linear network at I + A: every linear path serves it
    assert_eq!(r["f64"]["path"], "dense");
    let lanczos = json_of(&[
        "sharpness",
        &path("residual-depth2"),
        "--json",
        "--path",
        "lanczos-hvp",
        "--no-mpfr",
        "--no-certify",
    ]);
    let v = Q::from_float(lanczos["f64"]["value"].as_f64().unwrap()).unwrap();
    assert!((v - &clo).abs() < q(1, 1_000_000_000));
}

#[test]
fn l2_lambda_max_includes_the_penalty() {
    for name in ["l2-lambda-tenth", "l2-mask"] {
        let (_, (clo, chi), _) = agrees(name, "l2-regularized", "(λ/2) Σ_k ‖W_k‖²_F, λ = 1/10");
        // the data term alone (the plain linear network) is λ = 1/10 lower
        let mut plain = read(name);
        let Kind::L2 { mask, .. } = plain.kind.clone() else {
            unreachable!()
        };
        plain.kind = Kind::L2 {
            lambda: Q::zero(),
            mask,
        };
        let (plo, phi) = lambda_max(&hessian(&plain));
        assert!(
            phi < clo || plo > chi,
            "{name}: data term alone is not the answer"
        );
        if name == "l2-lambda-tenth" {
            // without a mask H = H_data + λI exactly
            assert!(plo + q(1, 10) <= chi && clo <= phi + q(1, 10), "{name}");
        }
    }
}

/// Beyond the exact limit (P = 75 > 64) at a point of nonzero loss the enclosure is proven by the
/// Hessian built in interval arithmetic and verified floating point; the oracle checks the
/// interval itself on its exact Hessian: hi·I − H ≻ 0 and lo·I − H is not positive definite, so
/// lo ≤ λ_max < hi.
#[test]
fn beyond_the_exact_limit_the_nonzero_loss_enclosure_is_verified_floating_point() {
    let name = "linear-nonzero-loss-p75";
    let c = read(name);
    let h = hessian(&c);
    assert_eq!(h.len(), 75);
    let r = sharpness(name);
    assert_eq!(r["zero_loss"], false);
    let cert = &r["certified"];
    assert_eq!(cert["via"], "verified-f64-interval-hessian", "{r}");
    let (clo, chi) = (exact(&cert["lo_exact"]), exact(&cert["hi_exact"]));
    assert!(cert["relative_width"].as_f64().unwrap() < 1e-10, "{cert}");
    let shifted = |x: &Q| -> M {
        h.iter()
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .enumerate()
                    .map(|(j, v)| if i == j { x - v } else { -v.clone() })
                    .collect()
            })
            .collect()
    };
    assert!(
        positive_definite(shifted(&chi)),
        "hi = {chi} is not above λ_max"
    );
    assert!(
        !positive_definite(shifted(&clo)),
        "lo = {clo} is above λ_max"
    );
}

#[test]
fn leaky_relu_away_from_a_kink() {
    let (_, _, r) = agrees("leaky-relu", "one-hidden-layer", "σ(W_1 X)");
    assert_eq!(r["f64"]["path"], "dense");
    assert!(r["loss"].as_str().unwrap().contains("a = 1/10"));
}

#[test]
fn a_kink_is_refused_with_its_entries_named() {
    for json in [true, false] {
        let mut cmd = dlncheck();
        cmd.args(["sharpness", &path("leaky-relu-kink")]);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("kink"), "{err}");
        assert!(err.contains("(layer 1, row 1, sample 2)"), "{err}");
        assert!(err.contains("(layer 1, row 1, sample 3)"), "{err}");
        assert!(!err.contains("row 2"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn the_linear_kernels_refuse_other_models() {
    for (name, kind) in [
        ("l2-lambda-tenth", "l2-regularized"),
        ("leaky-relu", "one-hidden-layer"),
    ] {
        for p in ["kp-operator", "kp-operator-lanczos", "lanczos-hvp"] {
            let out = dlncheck()
                .args(["sharpness", &path(name), "--json", "--path", p])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{name} {p}");
            assert!(out.stdout.is_empty());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(kind) && err.contains(p), "{err}");
        }
    }
}

/// Run the binary with its stdout closed before it writes: no panic, the usual exit code.
fn closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dlncheck"))
        .current_dir(root())
        .env("CI", "true")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let (code, err) = closed_pipe(&["sharpness", &path("linear-91-9"), "--json"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    let (code, err) = closed_pipe(&["sharpness", &path("linear-91-9")]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().to_str().unwrap();
    let (code, err) = closed_pipe(&["check", &path("linear-91-9"), "--report-dir", report]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(dir.path().join("report.json").exists());
}
