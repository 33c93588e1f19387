//! Tampering with certificates: the real binary `check` writes certificates for a few shipped
//! cases (KP, balancedness, AMG and ZL claims, verified and refuted), every one of them passes
//! `verify-cert`, and every mutation of them — drawn at random from a fixed seed — fails it:
//! a flipped verdict, a changed strength, a deleted assertion, a tolerance of 1, emptied samples,
//! an unknown claim id, a perturbed stated number (p/q → p/q + 1/q²: an exact enclosure, a loss
//! value, a curvature, a descent coefficient, f*, a sample's gap, gradient norm, ratio or inner
//! product), an emptied bundle.

use crate::common::{self, certificates, run_check, verify_cert};

use num_bigint::BigInt;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// Cases whose certificates cover every certificate family quickly in a debug build.
const CASES: [&str; 5] = [
    "cases/kp-depth3-diagonal.yaml",
    "cases/kp-depth3-flat-deep-counterexample.yaml",
    "cases/bal-flat-depth2.yaml",
    "cases/amg-depth3-diagonal.yaml",
    "cases/zl-linear-depth1-unique.yaml",
];

/// Mutations per certificate.
const PER_CERT: usize = 4;

/// Fields whose numbers are not perturbed. The point and the problem (`problem`, `x`, `y`,
/// `params`, `reference`, directions): another point or direction is another certificate, which
/// may well be true (the balancedness identity holds everywhere, a critical point can have free
/// blocks), so changing them is not a lie in itself (tests/cli.rs changes a weight under an exact
/// λ_max). One-sided bounds and optional evidence: a slightly larger upper bound, radius or norm
/// bound, or another Rayleigh vector of an exact quantity, is still true. The isolating intervals
/// of an algebraic proof (`leaves`, `interval`) likewise: a slightly different interval that still
/// holds the one root is another true proof (their polynomials, gcd and the recomputed
/// `leaf_interval` stay strict).
const SLACK: [&str; 16] = [
    "problem",
    "x",
    "y",
    "params",
    "reference",
    "direction",
    "rayleigh_vector",
    "vector",
    "upper",
    "lower",
    "upper_sq",
    "lower_sq",
    "radius",
    "x_norm_upper",
    "leaves",
    "interval",
];

/// Every JSON path (as a list of keys/indices) to a string value that is an exact number the
/// certificate *states* and its verdict depends on exactly: not under a [`SLACK`] field, and
/// enclosures only of exact quantities (a wider enclosure of an inexact one is still one).
fn numbers(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::String(s) if is_exact(s) => out.push(at.clone()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                at.push(Step::Index(i));
                numbers(x, at, out);
                at.pop();
            }
        }
        Value::Object(o) => {
            let exact = o.get("exact") == Some(&Value::Bool(true))
                || o.get("scalar")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s != "min_sharpness");
            for (k, x) in o {
                if SLACK.contains(&k.as_str()) || (k == "enclosure" && !exact) {
                    continue;
                }
                at.push(Step::Key(k.clone()));
                numbers(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn is_exact(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.split('/');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let first = parts.next();
    digits(first) && parts.next().map_or(true, |d| digits(Some(d))) && parts.next().is_none()
}

fn at_mut<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// p/q + 1/q² as a string (q = 1 for integers), in big integers.
fn perturbed(s: &str) -> String {
    let (p, q): (BigInt, BigInt) = match s.split_once('/') {
        Some((p, q)) => (p.parse().unwrap(), q.parse().unwrap()),
        None => (s.parse().unwrap(), BigInt::from(1)),
    };
    // p/q + 1/q² = (p·q + 1)/q²
    format!("{}/{}", &p * &q + 1, &q * &q)
}

/// The objects holding assertions: the certificate itself or each point of a bundle.
fn point_objects(cert: &Value) -> Vec<Vec<Step>> {
    match cert["points"].as_array() {
        Some(ps) => (0..ps.len())
            .map(|i| vec![Step::Key("points".into()), Step::Index(i)])
            .collect(),
        None if cert.get("assertions").is_some() => vec![vec![]],
        None => vec![],
    }
}

/// One mutation of `cert`, or `None` when this kind does not apply to it; the text names it.
fn mutate(cert: &Value, kind: usize, rng: &mut impl Rng) -> Option<(Value, String)> {
    let mut c = cert.clone();
    let what = match kind {
        0 => {
            let v = if c["verdict"] == "verified" {
                "refuted"
            } else {
                "verified"
            };
            c["verdict"] = Value::String(v.into());
            format!("verdict → {v}")
        }
        1 => {
            let s = ["numerical", "simulated"].choose(rng).unwrap();
            c["strength"] = Value::String((*s).into());
            format!("strength → {s}")
        }
        2 => {
            let pts = point_objects(&c);
            let p = pts.choose(rng)?;
            let a = at_mut(&mut c, p)["assertions"].as_array_mut()?;
            if a.is_empty() {
                return None;
            }
            let i = rng.gen_range(0..a.len());
            a.remove(i);
            format!("assertion {i} deleted")
        }
        3 => {
            let pts = point_objects(&c);
            let p = pts.choose(rng)?;
            let a = at_mut(&mut c, p)["assertions"].as_array_mut()?;
            let rel: Vec<usize> = (0..a.len())
                .filter(|&i| a[i]["type"] == "relation")
                .collect();
            let i = *rel.choose(rng)?;
            a[i]["tolerance"] = Value::String("1".into());
            format!("tolerance of assertion {i} → 1")
        }
        4 => {
            c.get("samples")?;
            c["samples"] = Value::Array(vec![]);
            "samples emptied".into()
        }
        5 => {
            c["claim"] = Value::String("KP-everything".into());
            "claim → KP-everything".into()
        }
        6 => {
            let mut all = Vec::new();
            numbers(&c, &mut Vec::new(), &mut all);
            // the numbers the verifier reads: not the report-only `point` text
            let path = all.choose(rng)?.clone();
            let slot = at_mut(&mut c, &path);
            let old = slot.as_str().unwrap().to_string();
            *slot = Value::String(perturbed(&old));
            format!("number at {path:?}: {old} → {}", perturbed(&old))
        }
        7 => {
            c.get("points")?;
            c["points"] = Value::Array(vec![]);
            "points emptied".into()
        }
        _ => unreachable!(),
    };
    Some((c, what))
}

#[test]
fn untouched_certificates_pass_and_tampered_ones_fail() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<&str> = CASES.to_vec();
    args.push("--no-timing");
    let (code, report) = run_check(&args, dir.path());
    assert_eq!(code, 0, "{report:#}");
    let certs = certificates(dir.path());
    assert!(certs.len() >= 15, "only {} certificates", certs.len());
    let (code, text) = verify_cert(&["--quiet"], &certs);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.ends_with(&format!("{} passed, 0 failed\n", certs.len())),
        "{text}"
    );
    // both verdicts and the ZL kind are among them
    let texts: Vec<String> = certs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.contains("\"refuted\"")));
    assert!(texts.iter().any(|t| t.contains("dlncheck-zl-certificate")));
    assert!(texts
        .iter()
        .any(|t| t.contains("dlncheck-check-certificate")));

    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let tampered_dir = dir.path().join("tampered");
    std::fs::create_dir(&tampered_dir).unwrap();
    let mut files = Vec::new();
    let mut described = Vec::new();
    for (path, text) in certs.iter().zip(&texts) {
        let cert: Value = serde_json::from_str(text).unwrap();
        // every kind that applies once (verdict, strength, claim always do), then random ones
        let mut kinds: Vec<usize> = (0..8).collect();
        kinds.shuffle(&mut rng);
        let mut made = 0;
        for kind in kinds.into_iter().chain((0..PER_CERT).map(|_| 6)) {
            let Some((bad, what)) = mutate(&cert, kind, &mut rng) else {
                continue;
            };
            let name = format!(
                "{}--{made}.json",
                path.file_stem().unwrap().to_string_lossy()
            );
            let f = tampered_dir.join(name);
            std::fs::write(&f, serde_json::to_string(&bad).unwrap()).unwrap();
            described.push(format!("{}: {what}", f.display()));
            files.push(f);
            made += 1;
        }
        // verdict, strength and claim always apply (an AMG-product point states no number)
        assert!(made >= 3, "{}", path.display());
    }
    for kind in [
        "verdict",
        "strength",
        "deleted",
        "tolerance",
        "samples",
        "claim",
        "number",
        "points",
    ] {
        let n = described.iter().filter(|d| d.contains(kind)).count();
        assert!(n >= 3, "only {n} mutations of kind {kind}");
    }
    let (code, text) = verify_cert(&["--quiet"], &files);
    assert_ne!(code, Some(0));
    if !text.ends_with(&format!("0 passed, {} failed\n", files.len())) {
        // name the tampered certificates that passed: the ones --quiet did not list as failing
        let passed: Vec<&String> = files
            .iter()
            .zip(&described)
            .filter(|(f, _)| !text.contains(&format!("{}: FAIL", f.display())))
            .map(|(_, d)| d)
            .collect();
        panic!(
            "{} tampered certificates passed:\n{}",
            passed.len(),
            passed
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // with --quiet nothing passing is printed
    assert!(!text.contains(": PASS"));
}

#[test]
fn a_closed_pipe_ends_verify_cert_quietly() {
    let data = common::root().join("tests/data/certs/scalar-exact.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dlncheck"))
        .arg("verify-cert")
        .args(std::iter::repeat(&data).take(2000))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // read one line, then close the pipe
    {
        use std::io::BufRead;
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.ends_with(": PASS\n"), "{first}");
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "{err}");
}
