//! `dlncheck trajectory` on a real numpy training run (tests/data/trajectory/train.py: a depth-3
//! linear network trained by gradient descent with η = 0.04, float32 checkpoints every 10 steps).
//! The figures are checked against oracles computed here from the npz files, read with the `zip`
//! and `npyz` crates directly (not dlncheck's reader): the loss in plain f64, λ_max from a Hessian
//! assembled from exact second differences of the loss along coordinate directions (exact
//! rational arithmetic; the loss is a polynomial of degree 6 along a line, so the 7-point stencil
//! is exact) and faer's eigenvalues, ‖D_k‖_F and f* in f64. Then determinism across thread
//! counts, the errors (no match, no step, bad checkpoints as rows), and the page in a browser.

use crate::common::browser::{assert_self_contained, browser_for, keep, screenshot};
use crate::common::{root, run_out};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use serde_json::Value;
use std::io::Read;
use std::path::Path;

const CASE: &str = "tests/data/trajectory/case.yaml";
const RUN: &str = "tests/data/trajectory/run/step-*.npz";

/// A matrix in f64, row-major.
#[derive(Clone, Debug)]
struct M {
    r: usize,
    c: usize,
    v: Vec<f64>,
}

impl M {
    fn at(&self, i: usize, j: usize) -> f64 {
        self.v[i * self.c + j]
    }
    fn mul(&self, b: &M) -> M {
        assert_eq!(self.c, b.r);
        let mut v = vec![0.0; self.r * b.c];
        for i in 0..self.r {
            for j in 0..b.c {
                v[i * b.c + j] = (0..self.c).map(|k| self.at(i, k) * b.at(k, j)).sum();
            }
        }
        M {
            r: self.r,
            c: b.c,
            v,
        }
    }
    fn t(&self) -> M {
        let mut v = vec![0.0; self.r * self.c];
        for i in 0..self.r {
            for j in 0..self.c {
                v[j * self.r + i] = self.at(i, j);
            }
        }
        M {
            r: self.c,
            c: self.r,
            v,
        }
    }
    fn frob2_of_diff(&self, b: &M) -> f64 {
        self.v.iter().zip(&b.v).map(|(x, y)| (x - y).powi(2)).sum()
    }
}

/// The named float32 arrays of an npz file, read with zip + npyz.
fn npz(path: &Path, names: &[&str]) -> Vec<M> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    names
        .iter()
        .map(|n| {
            let mut bytes = Vec::new();
            zip.by_name(&format!("{n}.npy"))
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            let f = npyz::NpyFile::new(&bytes[..]).unwrap();
            let shape = f.shape().to_vec();
            let v: Vec<f64> = f
                .into_vec::<f32>()
                .unwrap()
                .into_iter()
                .map(f64::from)
                .collect();
            M {
                r: shape[0] as usize,
                c: shape[1] as usize,
                v,
            }
        })
        .collect()
}

fn data() -> (M, M) {
    let d = npz(&root().join("tests/data/trajectory/data.npz"), &["X", "Y"]);
    (d[0].clone(), d[1].clone())
}

fn weights(step: u64) -> Vec<M> {
    npz(
        &root().join(format!("tests/data/trajectory/run/step-{step:04}.npz")),
        &["W1", "W2", "W3"],
    )
}

/// ½‖W3 W2 W1 X − Y‖²_F in f64.
fn loss_f64(w: &[M], x: &M, y: &M) -> f64 {
    0.5 * w[2].mul(&w[1]).mul(&w[0]).mul(x).frob2_of_diff(y)
}

/// The loss in exact rationals at the flat parameter vector θ (W1, W2, W3 row-major).
fn loss_exact(
    theta: &[BigRational],
    d: usize,
    x: &[Vec<BigRational>],
    y: &[Vec<BigRational>],
) -> BigRational {
    let w = |k: usize, i: usize, j: usize| &theta[k * d * d + i * d + j];
    let n = x[0].len();
    // P X column by column: W3 (W2 (W1 x))
    let mut total = BigRational::zero();
    for s in 0..n {
        let mut h: Vec<BigRational> = (0..d).map(|i| x[i][s].clone()).collect();
        for k in 0..3 {
            h = (0..d)
                .map(|i| (0..d).fold(BigRational::zero(), |a, j| a + w(k, i, j) * &h[j]))
                .collect();
        }
        for i in 0..d {
            let r = &h[i] - &y[i][s];
            total += &r * &r;
        }
    }
    total / BigRational::from_integer(2.into())
}

fn q(x: f64) -> BigRational {
    BigRational::from_float(x).unwrap()
}

/// λ_max of the Hessian at checkpoint `step`: H_ij = ¼(q(e_i + e_j) − q(e_i − e_j)) with
/// q(u) = d²/dt² f(θ + t u) at 0, exact by the 7-point stencil (f is of degree 6 in t), then
/// faer's eigenvalues of H rounded to f64.
fn lambda_max_oracle(step: u64) -> f64 {
    let (x, y) = data();
    let w = weights(step);
    let d = 3;
    let theta: Vec<BigRational> = w.iter().flat_map(|m| m.v.iter().map(|&v| q(v))).collect();
    let xq: Vec<Vec<BigRational>> = (0..d)
        .map(|i| (0..x.c).map(|j| q(x.at(i, j))).collect())
        .collect();
    let yq: Vec<Vec<BigRational>> = (0..d)
        .map(|i| (0..y.c).map(|j| q(y.at(i, j))).collect())
        .collect();
    let p = theta.len();
    let stencil: [(i64, i64); 7] = [
        (-3, 2),
        (-2, -27),
        (-1, 270),
        (0, -490),
        (1, 270),
        (2, -27),
        (3, 2),
    ];
    let second = |u: &[(usize, i64)]| -> BigRational {
        let mut acc = BigRational::zero();
        for &(t, c) in &stencil {
            let mut th = theta.clone();
            for &(i, s) in u {
                th[i] += BigRational::from_integer(BigInt::from(t * s));
            }
            acc += loss_exact(&th, d, &xq, &yq) * BigRational::from_integer(c.into());
        }
        acc / BigRational::from_integer(180.into())
    };
    // the lower triangle (the eigensolver reads only it)
    let m = faer::Mat::from_fn(p, p, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Equal => second(&[(i, 1)]).to_f64().unwrap(),
        std::cmp::Ordering::Greater => ((second(&[(i, 1), (j, 1)]) - second(&[(i, 1), (j, -1)]))
            / BigRational::from_integer(4.into()))
        .to_f64()
        .unwrap(),
        std::cmp::Ordering::Less => 0.0,
    });
    let ev = m.self_adjoint_eigenvalues(faer::Side::Lower).unwrap();
    ev.into_iter().fold(f64::NEG_INFINITY, f64::max)
}

/// Run `trajectory` into `out`: (exit code, stdout, stderr).
fn run(args: &[&str], out: &Path) -> (i32, String, String) {
    run_out("trajectory", args, out)
}

fn json(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("trajectory.json")).unwrap()).unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
}

#[test]
fn the_numpy_run_against_independent_oracles() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(
        &[CASE, "--checkpoints", RUN, "--eta", "0.04", "--jobs", "2"],
        dir.path(),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("wrote "), "{stdout}");
    let t = json(dir.path());
    assert_eq!(t["version"], 1);
    assert_eq!(t["model"], "linear");
    assert_eq!(t["convention"], "half");
    assert_eq!(t["eta"]["exact"], "1/25");
    assert_eq!(t["two_over_eta"]["exact"], "50");
    assert_eq!(t["two_over_eta"]["f64"], 50.0);
    let rows = t["rows"].as_array().unwrap();
    let steps: Vec<u64> = rows.iter().map(|r| r["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, (0..=120).step_by(10).collect::<Vec<u64>>());
    assert_eq!(t["summary"]["errors"], 0);
    assert_eq!(t["summary"]["checkpoints"], 13);

    let (x, y) = data();
    // f* = ½‖ΦX − Y‖², Φ = Y Xᵀ (X Xᵀ)⁻¹ (3 × 3 inverse by cofactors), in f64
    let g = x.mul(&x.t());
    let det = g.at(0, 0) * (g.at(1, 1) * g.at(2, 2) - g.at(1, 2) * g.at(2, 1))
        - g.at(0, 1) * (g.at(1, 0) * g.at(2, 2) - g.at(1, 2) * g.at(2, 0))
        + g.at(0, 2) * (g.at(1, 0) * g.at(2, 1) - g.at(1, 1) * g.at(2, 0));
    let cof = |i: usize, j: usize| {
        let (r0, r1) = ([1, 0, 0][i], [2, 2, 1][i]);
        let (c0, c1) = ([1, 0, 0][j], [2, 2, 1][j]);
        let s = if (i + j) % 2 == 0 { 1.0 } else { -1.0 };
        s * (g.at(r0, c0) * g.at(r1, c1) - g.at(r0, c1) * g.at(r1, c0))
    };
    let inv = M {
        r: 3,
        c: 3,
        v: (0..9).map(|k| cof(k % 3, k / 3) / det).collect(),
    };
    let phi = y.mul(&x.t()).mul(&inv);
    let f_star = 0.5 * phi.mul(&x).frob2_of_diff(&y);
    let zl = &t["zl"];
    assert_eq!(zl["applies"], true, "{zl}");
    assert_eq!(zl["claim"], "ZL-gd-linear");
    assert!(
        rel(zl["f_star"]["f64"].as_f64().unwrap(), f_star) < 1e-6,
        "{zl} vs {f_star}"
    );
    let reference = 0.5 * y.v.iter().map(|v| v * v).sum::<f64>() - f_star;

    for r in rows {
        let step = r["step"].as_u64().unwrap();
        let w = weights(step);
        // the loss, in plain f64
        let f = loss_f64(&w, &x, &y);
        let loss = &r["loss"];
        assert_eq!(loss["exact"], true);
        assert!(
            rel(loss["f64"].as_f64().unwrap(), f) < 1e-9,
            "step {step}: {loss} vs {f}"
        );
        // the readable decimal has the f64's leading digits
        let dec = loss["decimal"].as_str().unwrap().replace('…', "");
        assert!(rel(dec.parse::<f64>().unwrap(), f) < 1e-9, "{dec}");
        // D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ
        let bal = r["balancedness"].as_array().unwrap();
        assert_eq!(bal.len(), 2);
        for (k, b) in bal.iter().enumerate() {
            let a = w[k + 1].t().mul(&w[k + 1]);
            let c = w[k].mul(&w[k].t());
            let norm = a.frob2_of_diff(&c).sqrt();
            assert_eq!(b["k"], k + 1);
            assert!(
                rel(b["frobenius"].as_f64().unwrap(), norm) < 1e-12,
                "step {step}: {b} vs {norm}"
            );
        }
        // λ_max: the planner's f64 inside its proven enclosure, the side of 2/η from it
        let lam = &r["lambda_max"];
        let v = lam["f64"].as_f64().unwrap();
        let p = &lam["proven"];
        assert_eq!(p["via"], "exact-rational", "{lam}");
        let (lo, hi) = (p["lo"].as_f64().unwrap(), p["hi"].as_f64().unwrap());
        assert!(
            lo <= hi && rel(lo, v) < 1e-12 && rel(hi, v) < 1e-12,
            "{lam}"
        );
        let edge = &r["edge"];
        assert_eq!(edge["above"], v > 50.0, "{edge}");
        assert_eq!(edge["decided_by"], "proven");
        assert!(rel(edge["ratio"].as_f64().unwrap(), v / 50.0) < 1e-15);
        // near a minimizer: f − f* ≤ τ (½‖Y‖² − f*), τ = 1/1000
        let z = &r["zl"];
        let near = (f - f_star) / reference <= 1e-3;
        assert_eq!(z["near"], near, "step {step}: {z}");
        if near {
            let ratio = z["ratio"].as_f64().unwrap();
            let b = z["ratio_bracket"].as_array().unwrap();
            let (rlo, rhi) = (b[0].as_f64().unwrap(), b[1].as_f64().unwrap());
            assert!(
                rlo <= ratio && ratio <= rhi && (rhi - rlo) < 1e-3 * ratio,
                "{z}"
            );
            assert!(ratio > 0.0 && ratio < 1.0, "{z}");
            assert_eq!(z["decision"], "holds");
        } else {
            assert!(z["ratio"].is_null() && z["decision"].is_null());
        }
    }
    // the run starts beyond the edge of stability and settles below it
    assert_eq!(rows[0]["edge"]["above"], true);
    assert_eq!(t["summary"]["above_edge"], 1);
    assert!(t["summary"]["near_minimizer"].as_u64().unwrap() >= 5);

    // λ_max against the Hessian assembled here, at the start (above 2/η) and at the end
    for (i, step) in [(0usize, 0u64), (12, 120)] {
        let oracle = lambda_max_oracle(step);
        let lam = &rows[i]["lambda_max"];
        let v = lam["f64"].as_f64().unwrap();
        assert!(
            rel(v, oracle) < 1e-10,
            "step {step}: {v} vs oracle {oracle}"
        );
        let lo = lam["proven"]["lo"].as_f64().unwrap();
        let hi = lam["proven"]["hi"].as_f64().unwrap();
        assert!(
            lo <= oracle * (1.0 + 1e-13) && oracle <= hi * (1.0 + 1e-13),
            "{lam} vs {oracle}"
        );
        assert_eq!(oracle > 50.0, step == 0);
    }
}

#[test]
fn the_output_does_not_depend_on_the_thread_count() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, jobs) in [(&one, "1"), (&two, "2")] {
        let (code, out, err) = run(
            &[CASE, "--checkpoints", RUN, "--eta", "1/25", "--jobs", jobs],
            dir.path(),
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    for f in ["trajectory.json", "trajectory.html"] {
        let a = std::fs::read(one.path().join(f)).unwrap();
        let b = std::fs::read(two.path().join(f)).unwrap();
        assert!(!a.is_empty());
        assert!(a == b, "{f} differs between --jobs 1 and --jobs 2");
    }
}

#[test]
fn bad_checkpoints_are_rows_with_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        &[
            CASE,
            "--checkpoints",
            "tests/data/trajectory/run/step-001*.npz",
            "tests/data/trajectory/run/step-01?0.npz",
            "tests/data/trajectory/bad/step-0005.npz",
            "tests/data/trajectory/bad/step-0007.npz",
            "tests/data/trajectory/bad/step-0003.npz",
            "--eta",
            "0.04",
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}{err}");
    let t = json(dir.path());
    let rows = t["rows"].as_array().unwrap();
    let steps: Vec<u64> = rows.iter().map(|r| r["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, [3, 5, 7, 10, 100, 110, 120]);
    assert_eq!(t["summary"]["errors"], 3);
    let error = |i: usize| rows[i]["error"].as_str().unwrap_or_default().to_string();
    let e = error(0);
    assert!(
        e.starts_with("tests/data/trajectory/bad/step-0003.npz: cannot read"),
        "{e}"
    );
    let e = error(1);
    assert!(
        e.starts_with("tests/data/trajectory/bad/step-0005.npz: array \"W2\": expected 3 columns (d_1 = 3), found 2"),
        "{e}"
    );
    let e = error(2);
    assert!(
        e.starts_with("tests/data/trajectory/bad/step-0007.npz: ")
            && e.contains("array \"W1\" entry [1][2] is NaN"),
        "{e}"
    );
    for r in &rows[..3] {
        assert!(r["loss"].is_null() && r["lambda_max"].is_null(), "{r}");
    }
    for r in &rows[3..] {
        assert!(
            r["error"].is_null() && r["lambda_max"]["f64"].as_f64().unwrap() > 0.0,
            "{r}"
        );
    }
    // the text names them too, and the page shows them
    assert!(
        out.contains("error: tests/data/trajectory/bad/step-0005.npz"),
        "{out}"
    );
    let page = std::fs::read_to_string(dir.path().join("trajectory.html")).unwrap();
    assert!(page.contains("banner bad") && page.contains("is NaN"));
}

#[test]
fn a_run_that_cannot_start_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // (checkpoints, η, what the error says)
    let refused: [(&[&str], &str, &str); 4] = [
        // no file matches
        (
            &["tests/data/trajectory/run/ckpt-*.npz"],
            "0.04",
            "--checkpoints tests/data/trajectory/run/ckpt-*.npz: no file matches",
        ),
        // a file name without a step
        (
            &["tests/data/trajectory/data.npz"],
            "0.04",
            "tests/data/trajectory/data.npz: no step number in the file name",
        ),
        // two files of one step
        (
            &[
                "tests/data/trajectory/bad/step-0005.npz",
                "tests/data/trajectory/run/step-0000.npz",
                "tests/data/trajectory/bad/step-5.npz",
            ],
            "0.04",
            "are both step 5",
        ),
        // η must be a positive number
        (&[RUN], "-1", "--eta: expected a number > 0"),
    ];
    for (checkpoints, eta, why) in refused {
        let mut args = vec![CASE, "--checkpoints"];
        args.extend_from_slice(checkpoints);
        args.extend(["--eta", eta]);
        let (code, _, err) = run(&args, &out);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(why), "{err}");
    }
    assert!(!out.exists(), "a failed run left {}", out.display());
}

#[test]
fn the_page_renders_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&[CASE, "--checkpoints", RUN, "--eta", "0.04"], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    let file = dir.path().join("trajectory.html");
    let page = std::fs::read_to_string(&file).unwrap();
    assert_self_contained(&page);
    for id in ["plot-sharpness", "plot-loss", "plot-balance"] {
        let start = page
            .find(&format!("<figure id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} missing"));
        let fig = &page[start..start + page[start..].find("</figure>").unwrap()];
        assert!(
            fig.contains("<svg width=") && fig.contains("role=\"img\""),
            "{id} has no plot"
        );
        assert!(!fig.contains("could not be drawn"), "{id}: {fig}");
    }
    assert!(page.contains("2/η = 50"));
    assert_eq!(page.matches("<tr id=\"step-").count(), 13);
    keep(&file);
    let Some(browser) = browser_for("trajectory.html") else {
        return;
    };
    let shot = dir.path().join("trajectory.png");
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>\n").unwrap();
    let blank_shot = dir.path().join("blank.png");
    screenshot(&browser, &file, &shot);
    screenshot(&browser, &blank, &blank_shot);
    keep(&shot);
    let size = std::fs::metadata(&shot).unwrap().len();
    let blank_size = std::fs::metadata(&blank_shot).unwrap().len();
    assert!(
        size > 5 * blank_size && size > 20_000,
        "the screenshot ({size} bytes) is not much larger than a blank page's ({blank_size} bytes)"
    );
}

#[test]
fn other_models_get_their_own_figures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/data/trajectory/data.npz"),
        dir.path().join("data.npz"),
    )
    .unwrap();
    let write = |name: &str, model: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!("version: 1\nmodel: {model}\ndata: {{file: data.npz, x: X, y: Y}}\n"),
        )
        .unwrap();
        p.display().to_string()
    };
    // residual: the checkpoints' arrays are the A_k, the layers W_k = I + A_k
    let res = write("res.yaml", "{kind: residual, dims: [3, 3, 3, 3]}");
    let out = dir.path().join("res");
    let (code, o, e) = run(&[&res, "--checkpoints", RUN, "--eta", "0.04"], &out);
    assert_eq!(code, 0, "{o}{e}");
    let t = json(&out);
    assert_eq!(t["model"], "residual");
    assert_eq!(t["zl"]["claim"], "ZL-gd-residual");
    let (x, y) = data();
    for r in t["rows"].as_array().unwrap() {
        let step = r["step"].as_u64().unwrap();
        let layers: Vec<M> = weights(step)
            .into_iter()
            .map(|mut a| {
                for i in 0..3 {
                    a.v[i * 3 + i] += 1.0;
                }
                a
            })
            .collect();
        let f = loss_f64(&layers, &x, &y);
        assert!(rel(r["loss"]["f64"].as_f64().unwrap(), f) < 1e-9, "{r}");
        for (k, b) in r["balancedness"].as_array().unwrap().iter().enumerate() {
            let norm = layers[k + 1]
                .t()
                .mul(&layers[k + 1])
                .frob2_of_diff(&layers[k].mul(&layers[k].t()))
                .sqrt();
            assert!(rel(b["frobenius"].as_f64().unwrap(), norm) < 1e-12, "{b}");
        }
        assert_eq!(r["lambda_max"]["proven"]["via"], "exact-rational");
    }
    // one hidden layer: two layers, so the checkpoints' three arrays are refused row by row …
    let one = write(
        "one.yaml",
        "{kind: one-hidden-layer, dims: [3, 3, 3], activation: {leaky_relu: \"1/2\"}}",
    );
    let out = dir.path().join("one");
    let (code, o, e) = run(&[&one, "--checkpoints", RUN, "--eta", "0.04"], &out);
    assert_eq!(code, 1, "{o}{e}");
    let t = json(&out);
    let err = t["rows"][0]["error"].as_str().unwrap();
    assert!(
        err.contains("expected 2 weight matrices W_1 … W_2 (L = 2), found 3")
            && err.contains("\"W3\"; name the layers with --arrays"),
        "{err}"
    );
    // … and read with --arrays W1,W2: its own Hessian, D_k not defined, ZL out of scope (X 3 × 8)
    let (code, o, e) = run(
        &[
            &one,
            "--checkpoints",
            RUN,
            "--eta",
            "0.04",
            "--arrays",
            "W1,W2",
        ],
        &out,
    );
    assert_eq!(code, 0, "{o}{e}");
    let t = json(&out);
    assert_eq!(t["balancedness"]["defined"], false);
    assert_eq!(t["zl"]["applies"], false);
    assert!(
        t["zl"]["reason"]
            .as_str()
            .unwrap()
            .contains("square and invertible"),
        "{}",
        t["zl"]
    );
    for r in t["rows"].as_array().unwrap() {
        assert!(r["balancedness"].is_null() && r["zl"].is_null(), "{r}");
        assert_eq!(r["lambda_max"]["path"], "dense");
        assert_eq!(r["lambda_max"]["proven"]["via"], "exact-rational");
    }
    let page = std::fs::read_to_string(out.join("trajectory.html")).unwrap();
    assert!(page.contains("is not defined for this model"));
}
