//! Per-point evidence: report.json's `values.point_table` (one row per point, the case's own
//! first, matching the check's counts, verdict, strength and certificate bundle), the folded
//! tables of report.md and report.html, and `dlncheck enumerate --json`.

use crate::common::{check_of, contract_holds, dlncheck, run_check};
use serde_json::Value;
use std::path::Path;

/// A case whose own point is a critical point the AMG landscape appends after the constructed
/// ones, so the table must move it first.
const AMG_CASE: &str = "cases/amg-depth3-given-point.yaml";
/// A KP case with the case's point, generated minimizers and the balanced factorization.
const KP_CASE: &str = "cases/kp-depth3-diagonal.yaml";

/// The rows of a check's point table.
fn rows(check: &Value) -> &Vec<Value> {
    check["values"]["point_table"]
        .as_array()
        .unwrap_or_else(|| panic!("no point_table in {}", check["claim"]))
}

/// The certificate file a check names, read from the report directory.
fn certificate(dir: &Path, check: &Value) -> Value {
    let name = Path::new(check["certificate"].as_str().unwrap())
        .file_name()
        .unwrap()
        .to_owned();
    serde_json::from_str(&std::fs::read_to_string(dir.join("certs").join(name)).unwrap()).unwrap()
}

#[test]
fn point_tables_put_the_case_point_first_and_agree_with_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&[AMG_CASE, KP_CASE, "--no-timing", "--quiet"], dir.path());
    assert_eq!(code, 0);
    contract_holds(dir.path());
    for (case, claim) in [
        ("amg-depth3-given-point", "AMG-classify"),
        ("amg-depth3-given-point", "AMG-classify-path"),
        ("depth3-diagonal", "KP-exact"),
        ("depth3-diagonal", "KP-trace"),
    ] {
        let k = check_of(&report, case, claim);
        let rows = rows(k);
        let v = &k["values"];
        assert_eq!(rows.len() as u64, v["points"].as_u64().unwrap(), "{claim}");
        assert!(rows.len() > 1, "{claim}: several points");
        let first = &rows[0];
        assert_eq!(first["case_point"], true, "{claim}: {first}");
        assert!(
            first["label"]
                .as_str()
                .unwrap()
                .starts_with("the case's point"),
            "{claim}: {first}"
        );
        assert!(rows[1..].iter().all(|r| r["case_point"] == false));
        // the check is verified and proved at every point, so is the case's point
        assert_eq!(k["verdict"], "verified", "{claim}");
        assert_eq!(first["verdict"], "holds", "{claim}");
        assert_eq!(first["strength"], k["strength"], "{claim}");
        let holding = rows.iter().filter(|r| r["verdict"] == "holds").count() as u64;
        assert_eq!(holding, v["points_holding"].as_u64().unwrap(), "{claim}");
        // every holding point's certificate is in the bundle, at the index its row names
        if k["certificate"].is_string() {
            let cert = certificate(dir.path(), k);
            let points = cert["points"].as_array().unwrap();
            assert_eq!(points.len() as u64, holding, "{claim}");
            let mut seen: Vec<u64> = rows
                .iter()
                .filter_map(|r| r["certificate"].as_u64())
                .collect();
            for r in rows.iter().filter(|r| r["certificate"].is_u64()) {
                let at = &points[r["certificate"].as_u64().unwrap() as usize]["point"];
                assert!(
                    r["label"]
                        .as_str()
                        .unwrap()
                        .starts_with(at.as_str().unwrap()),
                    "{claim}: row {} names the certificate of {at}",
                    r["label"]
                );
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..holding).collect::<Vec<_>>(), "{claim}");
        }
    }
    // AMG-classify: the case's point is the tight S = {1} point, a non-strict saddle both ways
    let k = check_of(&report, "amg-depth3-given-point", "AMG-classify");
    let figures = &rows(k)[0]["figures"];
    assert_eq!(
        figures["class_by_criterion"],
        figures["class_by_certificate"]
    );
    assert_eq!(figures["index_set"], "{1}");
    // the folded tables of report.md and report.html
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("<details><summary>AMG-classify: "), "{md}");
    assert!(
        md.contains("| **the case's point [S = {1}]** (case) | holds |"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("<tr class=\"point case-point\">"));
    assert!(html.contains("the case's point first</summary>"));
}

/// `dlncheck enumerate ARGS`: (exit code, stdout).
fn enumerate(args: &[&str]) -> (i32, String) {
    let out = dlncheck().arg("enumerate").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn enumerate_json_rows_agree_with_the_check_and_the_text_table() {
    let (code, out) = enumerate(&[AMG_CASE, "--json"]);
    assert_eq!(code, 0, "{out}");
    let e: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(e["arithmetic"], "exact");
    assert_eq!(e["agree"], true);
    let points = e["points"].as_array().unwrap();
    let first = &points[0];
    assert_eq!(first["case_point"], true);
    assert_eq!(first["label"], "the case's point");
    assert!(points[1..].iter().all(|r| r["case_point"] == false));
    let f = &first["figures"];
    // W_3W_2W_1 = diag(3, 0) against Y = diag(3, 1): f = ½, and f* = 0 (Y is reachable)
    assert_eq!(e["f_star"], "0");
    assert_eq!(f["critical_value"], "1/2");
    assert_eq!(f["loss_gap"], "1/2");
    assert_eq!(f["layer_ranks"], serde_json::json!([1, 1, 1]));
    // the classes of the case's point are those the AMG-classify checks report for it
    let dir = tempfile::tempdir().unwrap();
    let (_, report) = run_check(&[AMG_CASE, "--no-timing", "--quiet"], dir.path());
    let tight = &rows(check_of(&report, "amg-depth3-given-point", "AMG-classify"))[0];
    let path = &rows(check_of(
        &report,
        "amg-depth3-given-point",
        "AMG-classify-path",
    ))[0];
    assert_eq!(
        f["class_by_certificate"],
        tight["figures"]["class_by_certificate"]
    );
    assert_eq!(
        f["class_by_criterion"],
        tight["figures"]["class_by_criterion"]
    );
    assert_eq!(
        f["class_by_criterion_path"],
        path["figures"]["class_by_criterion"]
    );
    assert_eq!(first["strength"], "proved");
    // as many rows as the text table, and the JSON is listed in --help
    let (_, text) = enumerate(&[AMG_CASE]);
    // the header and the point rows start with "| ", the separator with "|---"; the point
    // families under the table count the same points
    let (table, families) = text.split_once("\npoint families: ").unwrap();
    let table_rows = table.lines().filter(|l| l.starts_with("| ")).count() - 1;
    assert_eq!(points.len(), table_rows, "{text}");
    assert!(
        families.starts_with(&format!("{} points in 2 families", points.len())),
        "{text}"
    );
    let (_, help) = enumerate(&["--help"]);
    assert!(help.contains("--json"), "{help}");
}

/// Issue 14: a point dlncheck adds (here the MPFR-rounded balanced SVD factorization, whose
/// entries are irrational) never weakens the verdict at the case's own point silently. With it the
/// check is numerical and its reason names the added point and the switch; with
/// `generate: {balanced: false}` the same check at the same case point is proved, with no note.
#[test]
fn added_points_that_weaken_a_verdict_are_named() {
    let src =
        std::fs::read_to_string(crate::common::root().join("cases/kp-depth2-golden.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with.yaml");
    let without = dir.path().join("without.yaml");
    std::fs::write(&with, &src).unwrap();
    let off = src.replace(
        "generate: {minimizers: {count: 4}}",
        "generate: {minimizers: {count: 4}, balanced: false}",
    );
    assert_ne!(
        off, src,
        "the case's generate line changed: update this test"
    );
    std::fs::write(&without, off).unwrap();
    for (file, balanced) in [(&with, true), (&without, false)] {
        let out = dir
            .path()
            .join(if balanced { "r-with" } else { "r-without" });
        let (_, report) = run_check(&[file.to_str().unwrap(), "--no-timing", "--quiet"], &out);
        let case = report["cases"][0]["name"].as_str().unwrap().to_string();
        for claim in ["KP-exact", "KP-depth2", "KP-trace"] {
            let k = check_of(&report, &case, claim);
            let rows = rows(k);
            assert_eq!(rows[0]["case_point"], true);
            assert_eq!(rows[0]["verdict"], "holds", "{claim}");
            assert_eq!(rows[0]["strength"], "proved", "{claim}");
            assert_eq!(k["verdict"], "verified", "{claim}");
            let reason = k["reason"].as_str().unwrap_or("");
            let added = rows
                .iter()
                .find(|r| r["label"].as_str().unwrap().starts_with("balanced SVD"));
            if balanced {
                let added = added.expect("the balanced factorization is checked");
                assert_eq!(added["strength"], "numerical", "{claim}: {added}");
                assert_eq!(k["strength"], "numerical", "{claim}");
                assert!(
                    reason.starts_with("at the case's point the claim holds, proved")
                        && reason.contains(added["label"].as_str().unwrap())
                        && reason.contains("`generate: {balanced: false}`"),
                    "{claim}: {reason}"
                );
            } else {
                assert!(added.is_none(), "{claim}");
                assert_eq!(k["strength"], "proved", "{claim}");
                assert!(!reason.contains("dlncheck added"), "{claim}: {reason}");
            }
        }
    }
}

/// Σ singular (X = I, Y = diag(1, 0), so Σ = diag(1, 0): distinct eigenvalues, rank 1 < r = 2)
/// and the case's point W_1 = diag(1, 0), W_2 = I with W_2W_1 = Y, hence f = 0 = f*: a global
/// minimizer that (i) cannot name (|S| = rk P = 1, S* = {1, 2}), so both readings are refuted
/// and the refutation is decided at the case's point, saying that Σ is singular; with
/// Y = diag(2, 1) (Σ nonsingular) the note is absent.
#[test]
fn a_refutation_at_a_singular_sigma_is_decided_at_the_case_point_and_names_the_premise() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, y: &str| {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(
            &path,
            format!(
                "version: 1\nseed: 0\nmodel: {{kind: linear, dims: [2, 2, 2]}}\n\
                 data: {{x: identity, y: {y}}}\n\
                 point: {{weights: [[[1, 0], [0, 0]], [[1, 0], [0, 1]]]}}\n\
                 checks:\n  - {{claim: AMG-classify}}\n  - {{claim: AMG-classify-path}}\n"
            ),
        )
        .unwrap();
        path.to_string_lossy().into_owned()
    };
    let singular = write("singular", "[[1, 0], [0, 0]]");
    let regular = write("regular", "[[2, 0], [0, 1]]");
    let out = dir.path().join("out");
    let (code, report) = run_check(&[&singular, &regular, "--no-timing"], &out);
    assert_eq!(code, 0);
    for claim in ["AMG-classify", "AMG-classify-path"] {
        let k = check_of(&report, "singular", claim);
        assert_eq!(
            (&k["verdict"], &k["strength"]),
            (&"refuted".into(), &"proved".into())
        );
        let v = &k["values"];
        assert_eq!(v["decisive_point"], "the case's point [S = {1}]", "{claim}");
        assert_eq!(v["class_by_certificate"], "global-minimizer");
        assert_ne!(v["class_by_criterion"], "global-minimizer");
        let note = v["sigma_singular"].as_str().unwrap();
        assert!(
            note.starts_with("Σ is singular (rank 1 < min(r, d_L) = 2)"),
            "{note}"
        );
        assert!(k["reason"].as_str().unwrap().ends_with(note));
        let cert = k["certificate"].as_str().unwrap();
        // the independent checker re-derives f = f* = 0 and the criterion's class
        let (vc, text) = crate::common::verify_cert(&[], &[cert.into()]);
        assert_eq!(vc, Some(0), "{text}");
        let k = check_of(&report, "regular", claim);
        assert!(k["values"].get("sigma_singular").is_none(), "{k:#}");
    }
    contract_holds(&out);
}
