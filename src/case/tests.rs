//! Tests of loading and validation, including every file under `tests/bad/`.

use super::*;
use num_bigint::BigInt;
use num_traits::{One, Zero};

fn opts() -> LoadOptions {
    LoadOptions {
        known_claims: crate::claims::known_ids(),
        ..LoadOptions::default()
    }
}

use crate::enumerate::minimizers::tests::q;

fn load(src: &str) -> Result<Case, CaseError> {
    load_str(src, Path::new("cases/t.yaml"), &opts())
}

fn data_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(sub)
}

/// A valid depth-2 case; `{Y}` and friends are replaced by the tests.
const BASE: &str = "\
version: 1
model:
  kind: linear
  dims: [2, 3, 2]
data:
  x: identity
  y:
    - [1, 0]
    - [0, 1]
checks:
  - claim: KP-exact
";

fn expect_err(src: &str, field: &str, line: usize, needle: &str) -> CaseError {
    let e = load(src).expect_err("the case should be rejected");
    assert_eq!(e.field, field, "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert!(e.message.contains(needle), "{e}\n  wanted: {needle}");
    assert_eq!(e.file, PathBuf::from("cases/t.yaml"));
    e
}

#[test]
fn the_design_example_loads() {
    let path = data_dir("good/depth3-diagonal.yaml");
    let c = load_file(&path, &opts()).unwrap();
    assert_eq!(c.name, "depth3-diagonal");
    assert_eq!(c.file, path);
    assert_eq!(c.seed, Some(7));
    assert_eq!(c.precision_bits, 256);
    assert_eq!(c.kind, ModelKind::Linear);
    assert_eq!(c.dims, vec![2, 2, 2, 2]);
    assert_eq!((c.depth(), c.param_count()), (3, 12));
    assert!(c.x_is_identity);
    assert_eq!((c.x.rows(), c.x.cols()), (2, 2));
    assert!(c.x.at(0, 0).is_one() && c.x.at(0, 1).is_zero() && c.x.at(1, 1).is_one());
    let w = c.point.as_ref().unwrap();
    assert_eq!(w.len(), 3);
    assert_eq!(*w[0].at(0, 0), q(1, 3));
    assert_eq!(*w[2].at(1, 1), q(2, 1));
    assert_eq!(c.generate.minimizers, Some(16));
    assert_eq!(c.checks.len(), 2);
    assert_eq!(c.checks[0].claim, "KP-exact");
    assert_eq!(c.checks[0].expect, None);
    assert_eq!(c.checks[0].line, Some(20));
    assert_eq!(c.checks[1].expect, Some(Expect::Refuted));
    assert_eq!(c.checks[1].line, Some(21));
    assert!(c.float_inputs.is_empty());
    assert_eq!(c.tier, Tier::Default);
    assert_eq!(c.activation, None);
    assert_eq!(c.lambda, None);
    assert_eq!(c.locate("point.weights[1][0]"), Some(15));
    assert_eq!(c.locate("data.x"), Some(10));
    assert_eq!(c.locate("model.lambda"), None);
}

#[test]
fn every_number_form_loads_exactly() {
    let c = load_file(&data_dir("good/leaky-floats.yaml"), &opts()).unwrap();
    assert_eq!(c.name, "leaky-floats", "the name defaults to the file stem");
    assert_eq!(c.tier, Tier::Long);
    assert_eq!(c.kind, ModelKind::OneHiddenLayer);
    assert_eq!(c.activation, Some(Activation::LeakyRelu(q(1, 10))));
    assert!(!c.x_is_identity);
    assert_eq!(*c.x.at(0, 2), q(1, 2));
    assert_eq!(*c.x.at(1, 2), q(-3, 100));
    let float = BigRational::new(
        BigInt::from(3602879701896397u64),
        BigInt::from(36028797018963968u64),
    );
    assert_eq!(*c.y.at(0, 0), float);
    assert_eq!(*c.y.at(0, 1), q(2, 3));
    assert_eq!(
        *c.y.at(0, 2),
        BigRational::from_integer("12345678901234567890123".parse().unwrap())
    );
    let w = c.point.as_ref().unwrap();
    assert_eq!(*w[0].at(2, 0), q(1500, 1));
    assert_eq!(*w[0].at(2, 1), q(-1, 2));
    assert_eq!(
        c.float_inputs,
        vec![
            "data.y[0][0]: YAML float 0.1 read as its exact binary value \
             3602879701896397/36028797018963968"
                .to_string()
        ]
    );
}

#[test]
fn float_notes_name_each_field() {
    let src = BASE
        .replace("kind: linear", "kind: l2-regularized\n  lambda: 0.25")
        .replace("[0, 1]", "[0, 1.5]");
    let c = load(&src).unwrap();
    assert_eq!(c.lambda, Some(q(1, 4)));
    assert_eq!(
        c.float_inputs,
        vec![
            "model.lambda: YAML float 0.25 read as its exact binary value 1/4".to_string(),
            "data.y[1][1]: YAML float 1.5 read as its exact binary value 3/2".to_string(),
        ]
    );
}

#[test]
fn number_errors_carry_field_and_line() {
    let e = expect_err(
        &BASE.replace("[0, 1]", "[0, \"1/0\"]"),
        "data.y[1][1]",
        9,
        "zero denominator in \"1/0\"",
    );
    assert_eq!(e.column, Some(11));
    expect_err(
        &BASE.replace("[0, 1]", "[.nan, 1]"),
        "data.y[1][0]",
        9,
        "non-finite number",
    );
    expect_err(
        &BASE.replace("[0, 1]", "[\"inf\", 1]"),
        "data.y[1][0]",
        9,
        "non-finite number",
    );
    expect_err(
        &BASE.replace("[0, 1]", "[0, 1 half]"),
        "data.y[1][1]",
        9,
        "found \"1 half\"",
    );
    expect_err(&BASE.replace("[0, 1]", "[0, ~]"), "data.y[1][1]", 9, "null");
}

#[test]
fn identity_is_expanded_and_an_explicit_identity_is_recognised() {
    let c = load(BASE).unwrap();
    assert!(c.x_is_identity);
    assert_eq!((c.x.rows(), c.x.cols()), (2, 2));
    let c = load(&BASE.replace("x: identity", "x: [[1, 0], [0, \"2/2\"]]")).unwrap();
    assert!(c.x_is_identity);
    let c = load(&BASE.replace("x: identity", "x: [[1, 1], [0, 1]]")).unwrap();
    assert!(!c.x_is_identity);
}

#[test]
fn rank_deficient_x_is_rejected() {
    let src = BASE
        .replace("x: identity", "x: [[1, 2, 3], [\"1/2\", 1, \"1.5\"]]")
        .replace("[1, 0]", "[1, 0, 0]")
        .replace("[0, 1]", "[0, 1, 0]");
    let e = expect_err(
        &src,
        "data.x",
        6,
        "X must have full row rank (Σ_XX invertible): rank 1 < d_0 = 2",
    );
    assert_eq!(
        e.to_string(),
        "cases/t.yaml:6:6: data.x: X must have full row rank (Σ_XX invertible): rank 1 < d_0 = 2"
    );
    // Too few columns can never have full row rank.
    let src = BASE
        .replace("x: identity", "x: [[1], [2]]")
        .replace("[1, 0]", "[1]")
        .replace("[0, 1]", "[0]");
    expect_err(&src, "data.x", 6, "rank 1 < d_0 = 2");
}

#[test]
fn shape_errors_name_field_and_line() {
    expect_err(
        &BASE.replace("x: identity", "x: [[1, 0], [0, 1], [1, 1]]"),
        "data.x",
        6,
        "expected 2 rows (d_0 = 2), found 3",
    );
    expect_err(
        &BASE.replace("    - [0, 1]\n", ""),
        "data.y",
        8,
        "expected 2 rows (d_L = d_2 = 2), found 1",
    );
    expect_err(
        &BASE
            .replace("[1, 0]", "[1, 0, 0]")
            .replace("[0, 1]", "[0, 1, 0]"),
        "data.y",
        8,
        "expected 2 columns (n = 2, the columns of data.x), found 3",
    );
    expect_err(
        &BASE.replace("[0, 1]", "[0]"),
        "data.y[1]",
        9,
        "ragged matrix: row 1 has 1 entry but row 0 has 2",
    );
    expect_err(
        &BASE.replace("y:\n    - [1, 0]\n    - [0, 1]", "y: []"),
        "data.y",
        7,
        "no rows",
    );
    expect_err(
        &BASE.replace("y:\n    - [1, 0]\n    - [0, 1]", "y: [[]]"),
        "data.y[0]",
        7,
        "row 0 has no entries",
    );
    let with_point = |w: &str| format!("{BASE}point:\n  weights:\n{w}");
    expect_err(
        &with_point("    - [[1, 0], [0, 1], [1, 1]]\n    - [[1, 0, 0], [0, 1, 0], [0, 0, 1]]\n"),
        "point.weights[1]",
        15,
        "expected 2 rows (d_2 = 2), found 3: W_2 must be d_2 × d_1 = 2 × 3",
    );
    expect_err(
        &with_point("    - [[1, 0], [0, 1], [1, 1]]\n    - [[1, 0], [0, 1]]\n"),
        "point.weights[1]",
        15,
        "expected 3 columns (d_1 = 3), found 2",
    );
    expect_err(
        &with_point("    - [[1, 0], [0, 1], [1, 1]]\n"),
        "point.weights",
        14,
        "expected 2 weight matrices W_1 … W_2 (L = 2), found 1",
    );
    let ok = with_point("    - [[1, 0], [0, 1], [1, 1]]\n    - [[1, 0, 0], [0, 1, 0]]\n");
    let c = load(&ok).unwrap();
    assert_eq!(c.locate("point.weights[1][0]"), Some(15));
    assert_eq!(c.point.unwrap()[1].cols(), 3);
}

#[test]
fn dims_are_checked() {
    expect_err(
        &BASE.replace("[2, 3, 2]", "[2]"),
        "model.dims",
        4,
        "at least two widths",
    );
    expect_err(
        &BASE.replace("[2, 3, 2]", "[2, 0, 2]"),
        "model.dims[1]",
        4,
        "d_1 = 0: every width must be ≥ 1",
    );
    expect_err(
        &BASE.replace("[2, 3, 2]", "[2, 5000, 2]"),
        "model.dims[1]",
        4,
        "d_1 = 5000 exceeds the limit of 4096 (max_dim)",
    );
    expect_err(
        &BASE.replace("[2, 3, 2]", "[2, -3, 2]"),
        "model.dims[1]",
        4,
        "invalid type: integer `-3`, expected u64",
    );
    expect_err(
        &BASE.replace("kind: linear", "kind: residual"),
        "model.dims",
        4,
        "equal widths",
    );
    expect_err(
        &BASE
            .replace(
                "kind: linear",
                "kind: one-hidden-layer\n  activation: {leaky_relu: 0}",
            )
            .replace("[2, 3, 2]", "[2, 2, 2, 2]"),
        "model.dims",
        5,
        "exactly three widths",
    );
}

#[test]
fn the_size_limit_explains_the_numbers() {
    let src = BASE.replace("[2, 3, 2]", "[100, 100, 100]");
    let e = expect_err(&src, "model.dims", 4, "P = 20000 parameters");
    assert_eq!(
        e.message,
        "P = 20000 parameters: the dense Hessian needs 8.9 GiB (24·P² = 9600000000 bytes) \
         but the limit is 4.0 GiB (4294967296 bytes)"
    );
    // Just under the limit passes the size check (and then fails on Y, which is fine).
    let small = LoadOptions {
        max_dense_bytes: 24 * 12 * 12,
        ..opts()
    };
    let c = load_str(BASE, Path::new("t.yaml"), &small).unwrap();
    assert_eq!(c.param_count(), 12);
    let tiny = LoadOptions {
        max_dense_bytes: 24 * 12 * 12 - 1,
        ..opts()
    };
    let e = load_str(BASE, Path::new("t.yaml"), &tiny).unwrap_err();
    assert!(
        e.message.contains("needs 3.4 KiB (24·P² = 3456 bytes)"),
        "{e}"
    );
    let narrow = LoadOptions {
        max_dim: 2,
        ..opts()
    };
    let e = load_str(
        &BASE
            .replace("[2, 3, 2]", "[1, 1]")
            .replace("x: identity", "x: [[1, 2, 3]]")
            .replace("y:\n    - [1, 0]\n    - [0, 1]", "y: [[1, 2, 3]]"),
        Path::new("t.yaml"),
        &narrow,
    )
    .unwrap_err();
    assert_eq!(e.field, "data.x");
    assert!(
        e.message
            .contains("n = 3 data columns exceed the limit of 2"),
        "{e}"
    );
}

#[test]
fn kind_specific_fields() {
    expect_err(
        &BASE.replace("kind: linear", "kind: one-hidden-layer"),
        "model.activation",
        3,
        "needs `activation",
    );
    expect_err(
        &BASE.replace(
            "kind: linear",
            "kind: linear\n  activation: {leaky_relu: \"1/10\"}",
        ),
        "model.activation",
        4,
        "only for kind one-hidden-layer, not linear",
    );
    expect_err(
        &BASE.replace("kind: linear", "kind: l2-regularized"),
        "model.lambda",
        3,
        "needs `lambda`",
    );
    expect_err(
        &BASE.replace("kind: linear", "kind: l2-regularized\n  lambda: \"-1/3\""),
        "model.lambda",
        4,
        "lambda must be ≥ 0, found -1/3",
    );
    expect_err(
        &BASE.replace("kind: linear", "kind: linear\n  activation: {relu: 1}"),
        "model.activation.relu",
        4,
        "unknown field `relu`, expected `leaky_relu`",
    );
    let c = load(&BASE.replace("kind: linear", "kind: l2-regularized\n  lambda: 0")).unwrap();
    assert_eq!(c.lambda, Some(q(0, 1)));
    assert_eq!(c.kind, ModelKind::L2Regularized);
    let c = load(
        &BASE
            .replace("kind: linear", "kind: residual")
            .replace("[2, 3, 2]", "[2, 2]"),
    )
    .unwrap();
    assert_eq!(c.kind, ModelKind::Residual);
}

#[test]
fn unknown_keys_are_named() {
    expect_err(
        &BASE.replace("version: 1\n", "version: 1\nseeds: 3\n"),
        "seeds",
        2,
        "unknown field `seeds`",
    );
    expect_err(
        &BASE.replace("  x: identity", "  x: identity\n  z: 1"),
        "data.z",
        7,
        "unknown field `z`",
    );
    expect_err(
        &format!("{BASE}    expected: verified\n"),
        "checks[0].expected",
        12,
        "unknown field `expected`",
    );
    expect_err(
        &format!("{BASE}generate:\n  minimizers: {{count: 3, seed: 1}}\n"),
        "generate.minimizers.seed",
        13,
        "unknown field `seed`",
    );
}

#[test]
fn top_level_fields_are_checked() {
    expect_err(
        &BASE.replace("version: 1", "version: 2"),
        "version",
        1,
        "unsupported case-file version 2: this dlncheck reads version 1",
    );
    expect_err(
        &BASE.replace("version: 1", "version: \"1\""),
        "version",
        1,
        "unsupported case-file version '1'",
    );
    expect_err(
        &BASE.replace("version: 1\n", ""),
        "version",
        1,
        "missing field `version`",
    );
    expect_err(
        &BASE.replace("  y:\n    - [1, 0]\n    - [0, 1]\n", ""),
        "data.y",
        6,
        "missing field `y`",
    );
    expect_err(
        &format!("precision_bits: 70000\n{BASE}"),
        "precision_bits",
        1,
        "precision_bits = 70000 is outside 16..=65536",
    );
    expect_err(&format!("name: \"  \"\n{BASE}"), "name", 1, "non-empty");
    expect_err(
        &format!("seed: -1\n{BASE}"),
        "seed",
        1,
        "invalid type: integer `-1`",
    );
    expect_err(
        &format!("tier: short\n{BASE}"),
        "tier",
        1,
        "unknown variant `short`",
    );
    expect_err(
        &format!("{BASE}generate:\n  minimizers: {{count: 0}}\n"),
        "generate.minimizers.count",
        13,
        "count = 0 is outside 1..=10000",
    );
    expect_err(
        &BASE.replace("x: identity", "x: eye"),
        "data.x",
        6,
        "\"eye\" is neither `identity` nor a matrix; as the name of an array it needs `data.file`",
    );
    let c = load(&format!(
        "name: given\nprecision_bits: 64\nseed: 3\nabout: hi\n{BASE}generate:\n  minimizers: {{count: 10000}}\n"
    ))
    .unwrap();
    assert_eq!(
        (
            c.name.as_str(),
            c.precision_bits,
            c.seed,
            c.about.as_deref()
        ),
        ("given", 64, Some(3), Some("hi"))
    );
    assert_eq!(c.generate.minimizers, Some(10000));
    assert!(c.generate.balanced);
    let c = load(BASE).unwrap();
    assert_eq!(c.name, "t");
    assert_eq!(c.generate, Generate::default());
    let c = load(&format!("{BASE}generate:\n  balanced: false\n")).unwrap();
    assert!(!c.generate.balanced);
    assert_eq!(c.generate.minimizers, None);
    expect_err(
        &format!("{BASE}generate:\n  balanced: maybe\n"),
        "generate.balanced",
        13,
        "",
    );
}

#[test]
fn claim_ids_are_case_insensitive() {
    let c = load(&BASE.replace("KP-exact", "KP-EXACT")).unwrap();
    assert_eq!(c.checks[0].claim, "KP-exact");
    expect_err(
        &format!("{}  - claim: kp-exact\n", BASE),
        "checks[1].claim",
        12,
        "duplicate claim",
    );
}

#[test]
fn checks_are_validated() {
    let e = expect_err(
        &BASE.replace("KP-exact", "KP-exactly"),
        "checks[0].claim",
        11,
        "unknown claim \"KP-exactly\"; did you mean KP-exact?",
    );
    assert!(e.message.ends_with("lists every claim)"), "{e}");
    let e = expect_err(
        &BASE.replace("KP-exact", "Nothing-like-it"),
        "checks[0].claim",
        11,
        "unknown claim \"Nothing-like-it\"; known claims: KP-exact, KP-trace,",
    );
    // every known claim is listed, through the registry's last
    let last = crate::claims::known_ids().pop().unwrap();
    assert!(e.message.ends_with(&last), "{e}");
    expect_err(
        &format!("{BASE}  - claim: KP-trace\n  - claim: KP-exact\n"),
        "checks[2].claim",
        13,
        "duplicate claim \"KP-exact\" (already listed as checks[0])",
    );
    expect_err(
        &BASE.replace("checks:\n  - claim: KP-exact\n", ""),
        "checks",
        1,
        "no checks",
    );
    expect_err(
        &BASE.replace("  - claim: KP-exact\n", "  []\n"),
        "checks",
        11,
        "no checks",
    );
    expect_err(
        &format!("{BASE}    expect: maybe\n"),
        "checks[0].expect",
        12,
        "unknown variant `maybe`",
    );
    let c = load(&format!("{BASE}    expect: inconclusive\n")).unwrap();
    assert_eq!(c.checks[0].expect, Some(Expect::Inconclusive));
    assert_eq!(c.checks[0].line, Some(11));
}

#[test]
fn case_error_uses_locate() {
    let c = load(BASE).unwrap();
    let e = c.error("data.y[1]", "bad row");
    assert_eq!((e.line, e.column), (Some(9), Some(7)));
    assert_eq!(e.to_string(), "cases/t.yaml:9:7: data.y[1]: bad row");
    let e = c.error("point", "this claim needs a point");
    assert_eq!(
        e.line,
        Some(1),
        "an absent field falls back to the document"
    );
    assert_eq!(c.source(), BASE);
}

#[test]
fn syntax_errors_and_io_errors() {
    let e = load("version: 1\nmodel:\n  kind: linear\n  dims: [2, 2]]\n").unwrap_err();
    assert_eq!(e.field, "<document>");
    assert_eq!((e.line, e.column), (Some(4), Some(15)));
    assert_eq!(
        e.message,
        "did not find expected key, while parsing a block mapping at line 3 column 3"
    );
    let e = load("version: 1\nmodel:\n\tkind: linear\n").unwrap_err();
    assert_eq!((e.field.as_str(), e.line), ("<document>", Some(3)));
    let e = load("").unwrap_err();
    assert_eq!((e.field.as_str(), e.line), ("version", Some(1)));
    assert!(e.message.contains("missing field `version`"), "{e}");
    let e = load_file(Path::new("/nonexistent/case.yaml"), &opts()).unwrap_err();
    assert_eq!(e.field, "<file>");
    assert!(e.message.contains("cannot read"), "{e}");
    assert_eq!(
        e.to_string(),
        format!("/nonexistent/case.yaml: <file>: {}", e.message)
    );
}

#[test]
fn truncated_and_mangled_inputs_never_panic() {
    let src = std::fs::read_to_string(data_dir("good/leaky-floats.yaml")).unwrap();
    for (i, _) in src.char_indices() {
        let _ = load(&src[..i]);
        let mut mangled = src.clone();
        mangled.replace_range(
            i..i + src[i..].chars().next().map_or(0, char::len_utf8),
            "]",
        );
        let _ = load(&mangled);
    }
    for weird in ["- 1\n- 2", "42", "~", "a: &x [*x]", "version: 1\nmodel: *nope", "{version: 1, model: {kind: linear, dims: [1, 1]}, data: {x: identity, y: [[1]]}, checks: [{claim: KP-min}]}"] {
        let _ = load(weird);
    }
}

/// Every file under tests/bad/ with an `expect-error` header starts with `# expect-error: <field>
/// <message substring>`, the first error; each further error of the file is announced by a line
/// `# also-error: <line> <field> <message substring>`, in line order, and no other error is listed.
#[test]
fn every_bad_case_file_fails_as_announced() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} bad case files", files.len());
    // every claim id, as the commands read case files
    let opts = LoadOptions {
        known_claims: crate::claims::known_ids(),
        ..LoadOptions::default()
    };
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        let first = src.lines().next().unwrap_or_default();
        if first.starts_with("# expect-check-error: ") {
            // valid input whose point or data does not suit one claim: it must load
            if let Err(e) = load_file(&path, &opts) {
                panic!("{}: {e}", path.display());
            }
            continue;
        }
        let header = first
            .strip_prefix("# expect-error: ")
            .unwrap_or_else(|| panic!("{}: no expect-error header", path.display()));
        let (field, needle) = header.split_once(' ').unwrap();
        let e = load_file(&path, &opts)
            .err()
            .unwrap_or_else(|| panic!("{} loaded without error", path.display()));
        assert_eq!(e.field, field, "{}: {e}", path.display());
        assert!(
            e.message.contains(needle),
            "{}: {e}\n  wanted: {needle}",
            path.display()
        );
        assert!(e.line.is_some(), "{}: no line: {e}", path.display());
        assert_eq!(e.file, path);
        let also: Vec<(usize, &str, &str)> = src
            .lines()
            .filter_map(|l| l.strip_prefix("# also-error: "))
            .map(|rest| {
                let mut parts = rest.splitn(3, ' ');
                let line = parts.next().unwrap().parse().unwrap();
                (line, parts.next().unwrap(), parts.next().unwrap())
            })
            .collect();
        assert_eq!(
            e.also.len(),
            also.len(),
            "{}: {:#?}",
            path.display(),
            e.all_lines()
        );
        for (got, (line, field, needle)) in e.also.iter().zip(&also) {
            assert_eq!(
                (got.line, got.field.as_str()),
                (Some(*line), *field),
                "{}: {got}",
                path.display()
            );
            assert!(got.message.contains(needle), "{}: {got}", path.display());
        }
    }
}

#[test]
fn every_good_case_file_loads() {
    for entry in std::fs::read_dir(data_dir("good")).unwrap() {
        let path = entry.unwrap().path();
        if let Err(e) = load_file(&path, &opts()) {
            panic!("{e}");
        }
    }
}

/// Every independent error of a file: a misspelt key (renamed to its suggestion, so its value is
/// still read), a bad number (replaced), a shape error found after both, and every unknown claim;
/// the first error found stays first, the others follow in line order.
#[test]
fn every_independent_error_is_listed() {
    let src = "version: 1
model:
  kind: linear
  dim: [2, 2]
data:
  x: identity
  y: [[1, \"1/0\"], [0, 1], [1, 1]]
checks:
  - claim: KP-exatc
  - claim: KP-nope
";
    let e = super::load_str(src, Path::new("t.yaml"), &opts()).unwrap_err();
    let all: Vec<(String, Option<usize>)> = e.all().map(|e| (e.field.clone(), e.line)).collect();
    assert_eq!(
        all,
        vec![
            ("model.dim".to_string(), Some(4)),
            ("data.y[0][1]".to_string(), Some(7)),
            ("checks[0].claim".to_string(), Some(9)),
            ("checks[1].claim".to_string(), Some(10)),
        ],
        "{:#?}",
        e.all_lines()
    );
}
