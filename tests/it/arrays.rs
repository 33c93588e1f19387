//! Cases whose point and data come from array files (issue 16): `.npz` from `np.savez` and
//! `np.savez_compressed`, `.npy` per layer (one in Fortran order), `.safetensors` from the
//! `safetensors` package — all written by numpy itself (tests/data/arrays/make.py). The oracle is
//! the same case written out in YAML with exact strings: both must give the same figures.

use crate::common::{contract_holds, root, run_check};

use serde_json::Value;
use std::path::Path;

/// The point and data of make.py as exact strings: W1, W2, X = I, Y = W2 W1.
const TWIN: &str = "version: 1
name: twin
model: {kind: linear, dims: [2, 2, 2]}
data: {x: identity, y: [[\"-1/8\", \"5/4\"], [\"25/16\", \"-31/32\"]]}
point:
  weights:
    - [[\"1/2\", \"1/4\"], [\"3/2\", -1]]
    - [[2, \"-3/4\"], [\"1/8\", 1]]
checks:
  - {claim: KP-exact, expect: verified}
  - {claim: BAL-invariant}
";

/// A folder with the array files and a case whose `point:`/`data:` lines are `point`/`data`.
fn case_with(dir: &Path, name: &str, dims: &str, data: &str, point: &str) {
    for f in std::fs::read_dir(root().join("tests/data/arrays")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
    let text = format!(
        "version: 1\nname: {name}\nmodel: {{kind: linear, dims: {dims}}}\ndata: {data}\n\
         point: {point}\nchecks:\n  - {{claim: KP-exact, expect: verified}}\n  - {{claim: BAL-invariant}}\n"
    );
    std::fs::write(dir.join(format!("{name}.yaml")), text).unwrap();
}

fn checks(report: &Value) -> Vec<(String, Value, Value)> {
    report["cases"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["claim"].as_str().unwrap().to_string(),
                k["verdict"].clone(),
                k["values"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_point_from_array_files_is_the_point_written_out() {
    let twin_dir = tempfile::tempdir().unwrap();
    std::fs::write(twin_dir.path().join("twin.yaml"), TWIN).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, twin) = run_check(&[twin_dir.path().to_str().unwrap()], out.path());
    assert_eq!(code, 0);
    let expected = checks(&twin);
    assert_eq!(expected[0].1, "verified");

    let y = "{x: identity, y: [[\"-1/8\", \"5/4\"], [\"25/16\", \"-31/32\"]]}";
    let variants = [
        ("npz", y, "{file: point.npz}"),
        (
            "named",
            y,
            "{file: point_named.npz, arrays: [first, second]}",
        ),
        ("npy", y, "{files: [w1.npy, w2_fortran.npy]}"),
        (
            "st",
            y,
            "{file: point.safetensors, arrays: [layers.0.weight, layers.1.weight]}",
        ),
        ("data", "{file: data.npz, x: X, y: Y}", "{file: point.npz}"),
    ];
    for (name, data, point) in variants {
        let dir = tempfile::tempdir().unwrap();
        case_with(dir.path(), name, "[2, 2, 2]", data, point);
        let out = tempfile::tempdir().unwrap();
        let (code, report) = run_check(
            &[dir.path().join(format!("{name}.yaml")).to_str().unwrap()],
            out.path(),
        );
        assert_eq!(code, 0, "{name}: {report}");
        assert_eq!(checks(&report), expected, "{name}");
        contract_holds(out.path());
        // float arrays are noted as read exactly, integer ones are not
        let notes = report["cases"][0]["notes"].to_string();
        assert!(notes.contains("exact binary values"), "{name}: {notes}");
    }
}

/// `check` on one case file made of `data`/`point`, expecting an input error: exit 2 and stderr.
fn error_of(dims: &str, data: &str, point: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    case_with(dir.path(), "bad", dims, data, point);
    let out = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&[dir.path().join("bad.yaml").to_str().unwrap()], out.path());
    assert_eq!(code, 2, "{report}");
    report["cases"][0]["error"].as_str().unwrap().to_string()
}

#[test]
fn bad_array_files_get_errors_naming_file_field_and_array() {
    let y = "{x: identity, y: [[1, 0], [0, 1]]}";
    let cases = [
        // every tensor in natural order includes a 1-D bias
        ("{file: point.safetensors}", "layers.10.bias\" is 1-D"),
        (
            "{file: nan.npz}",
            "nan.npz: array \"arr_0\" entry [0][1] is NaN",
        ),
        (
            "{file: point.npz, arrays: [W1, W2]}",
            "no array named \"W1\"",
        ),
        ("{file: missing.npz}", "missing.npz: cannot read"),
        ("{file: point.txt}", "unknown array file type"),
        ("{file: point.npz, weights: [[[1]]]}", "exactly one of"),
        (
            "{files: [w1.npy], arrays: [a]}",
            "`arrays` names the layers",
        ),
        ("{files: [w1.npy]}", "expected 2 weight matrices"),
    ];
    for (point, wanted) in cases {
        let e = error_of("[2, 2, 2]", y, point);
        assert!(e.contains(wanted), "{point}: {e}");
        assert!(e.contains("bad.yaml:5"), "{point}: no line 5 in {e}");
        assert!(e.contains("point"), "{point}: no field in {e}");
    }
    // (dims, data, point, the field or array named, what is wrong)
    let x3 = "{x: identity, y: [[1, 0, 0], [0, 1, 0]]}";
    let misfits = [
        // W_1 saved as input × output (3 × 2) for a 3 → 2 → 2 network
        (
            "[3, 2, 2]",
            x3,
            "{file: transposed.npz}",
            "array \"arr_0\" of transposed.npz",
            "fits transposed",
        ),
        // X saved with one sample per row
        (
            "[2, 2, 2]",
            "{x: [[1, 0], [0, 1], [1, 1]], y: [[1, 0, 0], [0, 1, 0]]}",
            "{file: point.npz}",
            "data.x",
            "fits transposed",
        ),
        (
            "[2, 2, 2]",
            "{x: identity, y: Y}",
            "{file: point.npz}",
            "data.y",
            "needs `data.file`",
        ),
        (
            "[2, 2, 2]",
            "{file: data.npz, x: X, y: Z}",
            "{file: point.npz}",
            "data.file",
            "no array named \"Z\"",
        ),
    ];
    for (dims, data, point, named, wrong) in misfits {
        let e = error_of(dims, data, point);
        assert!(e.contains(named) && e.contains(wrong), "{e}");
    }
}
