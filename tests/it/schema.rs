//! The JSON Schema of case files (`dlncheck::case::json_schema`): `cases/schema.json` is the
//! generated schema, every shipped case satisfies it, and malformed documents do not.
//!
//! Regenerate `cases/schema.json` with `DLNCHECK_WRITE_SCHEMA=1 cargo test --test it schema::`.

use dlncheck::case::{json_schema, SCHEMA_TITLE};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn manifest_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The YAML files directly under `dir` (relative to the crate root), sorted.
fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(manifest_path(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

fn yaml_to_json(src: &str) -> Value {
    serde_yaml::from_str::<Value>(src).expect("YAML that converts to JSON")
}

/// Checks `value` against `schema` for the keywords schemars emits (`pattern` and `format` are
/// not checked). Panics on any other keyword, so that the check cannot silently pass.
fn check(root: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    let obj = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{path}: no value is allowed here")),
        Value::Object(obj) => obj,
        other => panic!("not a schema: {other}"),
    };
    for (key, sub) in obj {
        let fail = |what: String| Err(format!("{path}: {what}"));
        match key.as_str() {
            "$ref" => {
                let name = sub.as_str().unwrap().strip_prefix("#/$defs/").unwrap();
                check(root, &root["$defs"][name], value, path)?;
            }
            "type" => {
                let types: Vec<&str> = match sub {
                    Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
                    t => vec![t.as_str().unwrap()],
                };
                let is = |t: &str| match t {
                    "null" => value.is_null(),
                    "boolean" => value.is_boolean(),
                    "integer" => value.is_i64() || value.is_u64(),
                    "number" => value.is_number(),
                    "string" => value.is_string(),
                    "array" => value.is_array(),
                    "object" => value.is_object(),
                    t => panic!("unknown type {t}"),
                };
                if !types.iter().any(|t| is(t)) {
                    return fail(format!("expected {types:?}, found {value}"));
                }
            }
            "const" if value != sub => return fail(format!("expected {sub}, found {value}")),
            "enum" if !sub.as_array().unwrap().contains(value) => {
                return fail(format!("expected one of {sub}, found {value}"))
            }
            "minimum" if value.as_f64().is_some_and(|v| v < sub.as_f64().unwrap()) => {
                return fail(format!("{value} is below the minimum {sub}"))
            }
            "maximum" if value.as_f64().is_some_and(|v| v > sub.as_f64().unwrap()) => {
                return fail(format!("{value} is above the maximum {sub}"))
            }
            "required" if value.is_object() => {
                for name in sub.as_array().unwrap() {
                    if value.get(name.as_str().unwrap()).is_none() {
                        return fail(format!("missing key {name}"));
                    }
                }
            }
            "properties" | "additionalProperties" if value.is_object() => {
                let props = obj.get("properties").and_then(Value::as_object);
                for (name, v) in value.as_object().unwrap() {
                    let p = format!("{path}.{name}");
                    match props.and_then(|props| props.get(name)) {
                        Some(s) if key == "properties" => check(root, s, v, &p)?,
                        None if key == "additionalProperties" => check(root, sub, v, &p)?,
                        _ => {}
                    }
                }
            }
            "items" if value.is_array() => {
                for (i, v) in value.as_array().unwrap().iter().enumerate() {
                    check(root, sub, v, &format!("{path}[{i}]"))?;
                }
            }
            "allOf" => {
                for s in sub.as_array().unwrap() {
                    check(root, s, value, path)?;
                }
            }
            "not" if check(root, sub, value, path).is_ok() => {
                return fail(format!(
                    "{value} matches the schema it must not match: {sub}"
                ))
            }
            "if" => {
                if check(root, sub, value, path).is_ok() {
                    if let Some(then) = obj.get("then") {
                        check(root, then, value, path)?;
                    }
                } else if let Some(otherwise) = obj.get("else") {
                    check(root, otherwise, value, path)?;
                }
            }
            "anyOf" | "oneOf" => {
                let branches = sub.as_array().unwrap();
                let errors: Vec<String> = branches
                    .iter()
                    .filter_map(|s| check(root, s, value, path).err())
                    .collect();
                let passed = branches.len() - errors.len();
                if passed == 0 || (key == "oneOf" && passed > 1) {
                    return fail(format!("{key}: {passed} branches match ({errors:?})"));
                }
            }
            "const"
            | "not"
            | "then"
            | "else"
            | "enum"
            | "minimum"
            | "maximum"
            | "required"
            | "properties"
            | "additionalProperties"
            | "items"
            | "pattern"
            | "format"
            | "description"
            | "title"
            | "$schema"
            | "$defs"
            | "default" => {}
            other => panic!("the test checker does not know the keyword {other}"),
        }
    }
    Ok(())
}

fn validate(value: &Value) -> Result<(), String> {
    let schema = json_schema();
    check(&schema, &schema, value, "$")
}

#[test]
fn committed_schema_is_the_generated_one() {
    let path = manifest_path("cases/schema.json");
    let text = serde_json::to_string_pretty(&json_schema()).unwrap() + "\n";
    if std::env::var_os("DLNCHECK_WRITE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} is out of date: regenerate it with `DLNCHECK_WRITE_SCHEMA=1 cargo test --test it schema::`",
        path.display()
    );
}

#[test]
fn schema_has_the_expected_top_level_shape() {
    let s = json_schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["title"], SCHEMA_TITLE);
    assert_eq!(s["type"], "object");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(
        s["required"],
        serde_json::json!(["version", "model", "data"])
    );
    assert_eq!(s["properties"]["version"]["const"], 1);
    for def in ["Number", "Matrix", "X", "Model", "Data", "Check"] {
        assert!(s["$defs"][def].is_object(), "missing $defs/{def}");
    }
}

#[test]
fn every_shipped_case_satisfies_the_schema() {
    let files = yaml_files("cases");
    assert!(files.len() > 10, "too few case files: {files:?}");
    for file in files {
        let doc = yaml_to_json(&std::fs::read_to_string(&file).unwrap());
        if let Err(e) = validate(&doc) {
            panic!("{}: {e}", file.display());
        }
    }
}

#[test]
fn the_loaders_good_test_data_satisfies_the_schema() {
    let mut validated = 0;
    for file in yaml_files("tests/data/good") {
        let src = std::fs::read_to_string(&file).unwrap();
        // serde_json cannot hold integers beyond 64 bits, which the loader reads exactly.
        let Ok(doc) = serde_yaml::from_str::<Value>(&src) else {
            continue;
        };
        if let Err(e) = validate(&doc) {
            panic!("{}: {e}", file.display());
        }
        validated += 1;
    }
    assert!(validated > 0);
}

const GOOD: &str = "
version: 1
tier: long
model: {kind: one-hidden-layer, dims: [2, 2, 1], activation: {leaky_relu: \"1/10\"}}
data: {x: [[1, 0.5], [\"1/3\", \"2.5e-1\"]], y: [[1, -2]]}
point: {weights: [[[1, 0], [0, 1]], [[1, 1]]]}
generate: {minimizers: {count: 2}, critical_points: {per_set: 3}}
checks: [{claim: KP-exact, expect: verified}, {claim: KP-naive}]
";

#[test]
fn a_document_using_every_key_passes() {
    validate(&yaml_to_json(GOOD)).unwrap();
}

#[test]
fn array_files_pass_and_names_need_a_file() {
    let doc = "version: 1
model: {kind: linear, dims: [2, 2, 2]}
data: {file: d.npz, x: X, y: identity}
point: {file: p.safetensors, arrays: [fc1.weight, fc2.weight]}
checks: [{claim: KP-exact}]
";
    validate(&yaml_to_json(doc)).unwrap();
    validate(&yaml_to_json(&doc.replace(
        "p.safetensors, arrays: [fc1.weight, fc2.weight]",
        "p.npz",
    )))
    .unwrap();
    let no_file = yaml_to_json(&doc.replace("file: d.npz, ", ""));
    assert!(validate(&no_file)
        .unwrap_err()
        .contains("missing key \"file\""));
}

#[test]
fn malformed_documents_are_rejected() {
    let bad = [
        ("tier: long", "colour: blue"),
        ("kind: one-hidden-layer", "kind: quadratic"),
        ("dims: [2, 2, 1]", "dims: [2, 2, 1], widths: [2]"),
        ("version: 1", "version: 2"),
        ("expect: verified", "expect: maybe"),
        ("x: [[1, 0.5]", "x: [[true, 0.5]"),
        ("{leaky_relu: \"1/10\"}", "{relu: \"1/10\"}"),
        ("{count: 2}", "{count: -2}"),
        ("{claim: KP-naive}", "{expect: refuted}"),
        (
            "data: {x: [[1, 0.5], [\"1/3\", \"2.5e-1\"]], ",
            "data: {x: eye, ",
        ),
        (
            "data: {x: [[1, 0.5], [\"1/3\", \"2.5e-1\"]], ",
            "data: {x: {file: x.npy}, ",
        ),
    ];
    for (from, to) in bad {
        assert!(GOOD.contains(from), "{from}");
        let doc = yaml_to_json(&GOOD.replace(from, to));
        assert!(validate(&doc).is_err(), "accepted {to}");
    }
    // Whole-file errors from the loader's own test data.
    for name in [
        "bad_kind",
        "bad_x_word",
        "missing_version",
        "unknown_key",
        "wrong_version",
        "nan",
        "inf",
    ] {
        let src = std::fs::read_to_string(manifest_path(&format!("tests/bad/{name}.yaml")));
        assert!(validate(&yaml_to_json(&src.unwrap())).is_err(), "{name}");
    }
}
