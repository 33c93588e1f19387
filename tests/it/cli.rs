//! Integration tests: the real binary on the shipped cases and on malformed case files.

use crate::common::check_of;
use crate::common::{contract_holds, dlncheck, root, run_check, stdout_of, succeeds, verify_cert};

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fraction(s: &str) -> f64 {
    match s.split_once('/') {
        Some((n, d)) => n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap(),
        None => s.parse().unwrap(),
    }
}

#[test]
fn shipped_cases_meet_every_expectation_and_match_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&["cases", "--no-timing"], dir.path());
    assert_eq!(code, 0, "some expectation unmet: {:#}", report["summary"]);
    assert_eq!(report["summary"]["unmet"], 0);
    assert!(report["summary"]["cases"].as_u64().unwrap() >= 15);
    // the JSON v1 contract, checked by the shared tool other programs rely on
    contract_holds(dir.path());
    assert!(dir.path().join("report.md").is_file());

    // reference values of claims.md, as computed by the binary
    let enc = &check_of(&report, "depth3-diagonal", "KP-exact")["values"]["lambda_max_enclosure"];
    assert_eq!(enc, &serde_json::json!(["91/9", "91/9"]));
    let scalar = &check_of(&report, "kp-scalar-balanced", "KP-scalar")["values"];
    assert_eq!(
        scalar["lambda_max_enclosure"],
        serde_json::json!(["48", "48"])
    );
    assert_eq!(scalar["lambda_max_f64"].as_f64().unwrap().round(), 48.0);
    let golden = &check_of(&report, "kp-depth2-golden", "KP-depth2")["values"];
    let phi2_plus_4 = (3.0 + 5f64.sqrt()) / 2.0 + 4.0;
    let lo = fraction(golden["lambda_max_enclosure"][0].as_str().unwrap());
    let hi = fraction(golden["lambda_max_enclosure"][1].as_str().unwrap());
    assert!(
        lo <= phi2_plus_4 + 1e-15 && phi2_plus_4 <= hi + 1e-15,
        "[{lo}, {hi}]"
    );
    assert!((golden["lambda_max_f64"].as_f64().unwrap() - 6.618034).abs() < 1e-6);
    assert!(golden["lambda_max_mpfr"]
        .as_str()
        .unwrap()
        .starts_with("6.6180339887498948482045868343656381177"));

    // the audited readings are decided, with certificates that exist on disk
    let deep = check_of(
        &report,
        "kp-depth3-flat-deep-counterexample",
        "KP-flat-necessary-deep",
    );
    assert_eq!(deep["verdict"], "refuted");
    let cert = deep["certificate"]
        .as_str()
        .expect("exact refutation carries a certificate");
    let cert: Value = serde_json::from_str(&std::fs::read_to_string(cert).unwrap()).unwrap();
    assert_eq!(cert["claim"], "KP-flat-necessary-deep");
    assert_eq!(cert["verdict"], "refuted");
    // one point: the counterexample
    assert_eq!(cert["points"].as_array().unwrap().len(), 1);
    let point = &cert["points"][0];
    assert_eq!(point["quantities"]["lambda_max"]["matrix"], "hessian");
    assert_eq!(
        point["quantities"]["lambda_max"]["enclosure"],
        serde_json::json!(["3", "3"])
    );
    assert_eq!(
        check_of(&report, "depth3-diagonal", "KP-naive")["verdict"],
        "refuted"
    );
    assert_eq!(
        check_of(
            &report,
            "kp-depth2-c-constant-not-flat",
            "KP-flat-sufficient-a"
        )["verdict"],
        "refuted"
    );
}

#[test]
fn reports_are_byte_identical_across_thread_counts() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_check(&["cases", "--no-timing", "--jobs", "1"], a.path());
    run_check(&["cases", "--no-timing", "--jobs", "2"], b.path());
    let ra = std::fs::read(a.path().join("report.json")).unwrap();
    let rb = std::fs::read(b.path().join("report.json")).unwrap();
    // certificate paths differ by report dir; compare with the dirs masked
    let mask = |bytes: &[u8], dir: &Path| {
        String::from_utf8_lossy(bytes).replace(&dir.display().to_string(), "DIR")
    };
    assert_eq!(mask(&ra, a.path()), mask(&rb, b.path()));
    // the whole suite run a second time (same thread count): the same bytes again, in every
    // report file and certificate
    let c = tempfile::tempdir().unwrap();
    run_check(&["cases", "--no-timing", "--jobs", "2"], c.path());
    for name in ["report.json", "report.md", "junit.xml"] {
        let rb = std::fs::read(b.path().join(name)).unwrap();
        let rc = std::fs::read(c.path().join(name)).unwrap();
        assert_eq!(mask(&rb, b.path()), mask(&rc, c.path()), "{name}");
    }
    let certs = |d: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d.join("certs"))
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (cb, cc) = (certs(b.path()), certs(c.path()));
    assert!(cb.len() >= 40);
    assert_eq!(cb, cc);
    // and with a timing run in between, only the seconds differ
    let t = tempfile::tempdir().unwrap();
    let (_, timed) = run_check(&["cases", "--jobs", "2"], t.path());
    let mut untimed: Value = serde_json::from_slice(&report_bytes(b.path())).unwrap();
    let mut timed = timed;
    for r in [&mut untimed, &mut timed] {
        for case in r["cases"].as_array_mut().unwrap() {
            for k in case["checks"].as_array_mut().unwrap() {
                k["seconds"] = Value::Null;
            }
        }
    }
    assert_eq!(
        mask(untimed.to_string().as_bytes(), b.path()),
        mask(timed.to_string().as_bytes(), t.path())
    );
}

fn report_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("report.json")).unwrap()
}

/// Every file under tests/bad/ names what it must produce on its first line:
/// `# expect-error: <field> <substring>` (the case is invalid input: exit 2, status error, the
/// message names the file, a line, the field and the substring) or
/// `# expect-check-error: <claim> <field> <substring>` (valid input whose point or data does not
/// suit that claim, e.g. a point that is not a minimizer: the check's verdict is `error` with a
/// reason naming file, line and field, and the run exits 1 because the check did not pass).
#[test]
fn malformed_cases_exit_2_with_file_field_and_line() {
    let bad = root().join("tests/bad");
    let mut files: Vec<_> = std::fs::read_dir(&bad)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "only {} bad case files", files.len());
    let mut per_check = 0;
    for f in files {
        let first = std::fs::read_to_string(&f)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        let name = f.file_name().unwrap().to_str().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (code, report) = run_check(&[f.to_str().unwrap()], dir.path());
        let case = &report["cases"][0];
        let (msg, field, needle) = if let Some(spec) = first.strip_prefix("# expect-check-error: ")
        {
            let (claim, rest) = spec.split_once(' ').unwrap();
            let (field, needle) = rest.split_once(' ').unwrap();
            assert_eq!(code, 1, "{}", f.display());
            assert_eq!(case["status"], "ok", "{}", f.display());
            let check = check_of(&report, case["name"].as_str().unwrap(), claim);
            assert_eq!(check["verdict"], "error", "{}", f.display());
            assert_eq!(check["met"], false);
            per_check += 1;
            (check["reason"].as_str().unwrap().to_string(), field, needle)
        } else {
            let spec = first
                .strip_prefix("# expect-error: ")
                .expect("first line names the expected error");
            let (field, needle) = spec.split_once(' ').unwrap();
            assert_eq!(code, 2, "{}", f.display());
            assert_eq!(case["status"], "error");
            (case["error"].as_str().unwrap().to_string(), field, needle)
        };
        assert!(msg.contains(&format!("{name}:")), "{msg}");
        assert!(
            msg.contains(&format!(": {field}: ")) && msg.contains(needle),
            "{}: {msg}",
            f.display()
        );
        // a line number follows the file name
        let after = &msg[msg.find(name).unwrap() + name.len() + 1..];
        assert!(
            after.chars().next().unwrap().is_ascii_digit(),
            "no line in {msg}"
        );
    }
    assert!(per_check >= 3);
}

#[test]
fn one_bad_case_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("cases/kp-scalar-balanced.yaml"),
        work.path().join("a.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/bad/nan.yaml"),
        work.path().join("b.yaml"),
    )
    .unwrap();
    let (code, report) = run_check(&[work.path().to_str().unwrap()], dir.path());
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["cases"][0]["status"], "ok");
    assert_eq!(report["cases"][0]["checks"].as_array().unwrap().len(), 10);
    assert_eq!(report["cases"][1]["status"], "error");
}

#[test]
fn an_unmet_expectation_exits_1() {
    let work = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("cases/kp-depth3-diagonal.yaml")).unwrap();
    let wrong = text.replace(
        "{claim: KP-naive, expect: refuted}",
        "{claim: KP-naive, expect: verified}",
    );
    assert_ne!(text, wrong);
    let f = work.path().join("wrong.yaml");
    std::fs::write(&f, wrong).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&[f.to_str().unwrap()], dir.path());
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["unmet"], 1);
    assert_eq!(
        check_of(&report, "depth3-diagonal", "KP-naive")["met"],
        false
    );
}

/// A failing run ends, pytest-style, with one block per unmet check (case, claim, verdict against
/// expectation, reason, figures, certificate) and per invalid case; `-q` silences only progress.
#[test]
fn a_failing_run_lists_each_unmet_check_with_its_reason() {
    let work = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("cases/kp-depth3-diagonal.yaml")).unwrap();
    let wrong = text.replace(
        "{claim: KP-naive, expect: refuted}",
        "{claim: KP-naive, expect: verified}",
    );
    std::fs::write(work.path().join("wrong.yaml"), wrong).unwrap();
    std::fs::copy(
        root().join("tests/bad/nan.yaml"),
        work.path().join("nan.yaml"),
    )
    .unwrap();
    for quiet in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = dlncheck();
        cmd.args(["check", "--no-timing", "--report-dir"])
            .arg(dir.path())
            .arg(work.path());
        if quiet {
            cmd.arg("-q");
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stdout = String::from_utf8_lossy(&out.stdout);
        for needle in [
            "│ KP-naive",
            "│ invalid: nan (below)",
            "─── unmet: depth3-diagonal · KP-naive ───",
            "  verdict:     refuted (proved)\n  expected:    verified\n  reason:      counterexample at the case's point",
            "  λ_max:       91/9 (exact)",
            "  certificate: ",
            "─── invalid case: nan ───",
            "nan.yaml:8:11: data.y[0][1]: non-finite number NaN",
            "1 check differs from its expectation, 1 invalid case file; 5 of 6 checks met their expectation",
        ] {
            assert!(stdout.contains(needle), "{needle:?} missing (quiet: {quiet}):\n{stdout}");
        }
        assert!(
            !stdout.contains("| claim |"),
            "no Markdown pipes:\n{stdout}"
        );
        if quiet {
            assert!(
                out.stderr.is_empty(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // -v lists every check, the met ones too
    let dir = tempfile::tempdir().unwrap();
    let out = dlncheck()
        .args(["check", "-q", "-v", "--report-dir"])
        .arg(dir.path())
        .arg(work.path().join("wrong.yaml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("│ ok    ┆ depth3-diagonal ┆ KP-trace"),
        "{stdout}"
    );
    assert!(
        stdout.contains("│ UNMET ┆ depth3-diagonal ┆ KP-naive"),
        "{stdout}"
    );
}

/// Misspellings get the nearest name; a tab is named as such (tests/bad/ pins the rest).
#[test]
fn mistakes_get_messages_that_fix_them() {
    let out = dlncheck().args(["audit", "KP-exatc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown claim \"KP-exatc\"; did you mean KP-exact?"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dlncheck()
        .args([
            "check",
            "-q",
            "tests/bad/claim_typo.yaml",
            "tests/bad/tab_indent.yaml",
        ])
        .arg("--report-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("did you mean KP-exact?"), "{stdout}");
    assert!(
        stdout
            .contains("tab_indent.yaml:4:1: <document>: a tab character: YAML indents with spaces"),
        "{stdout}"
    );
}

/// `--claim` runs only the named claims (case-insensitively); the others are deselected, not failed.
#[test]
fn claim_narrows_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dlncheck()
        .args(["check", "-q", "--claim", "kp-naive", "--claim", "KP-TRACE"])
        .args(["cases/kp-depth3-diagonal.yaml", "--report-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .contains("all 2 checks met their expectation (4 checks deselected by --claim or -k)"),
        "{stdout}"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    let claims: Vec<&str> = report["cases"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["claim"].as_str().unwrap())
        .collect();
    assert_eq!(claims, ["KP-trace", "KP-naive"]);
    assert_eq!(
        report["cases"][0]["deselected"].as_array().unwrap().len(),
        4
    );
    let out = dlncheck()
        .args([
            "check",
            "--claim",
            "KP-exatc",
            "cases/kp-depth3-diagonal.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean KP-exact?"));
}

/// `-k` keeps the checks whose case name or claim id contains a pattern, case-insensitively.
#[test]
fn k_patterns_select_by_case_and_claim() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(
        &[
            "-q",
            "-k",
            "kp-T",
            "-k",
            "DEPTH2-GOLDEN",
            "cases/kp-depth3-diagonal.yaml",
            "cases/kp-depth2-golden.yaml",
        ],
        dir.path(),
    );
    assert_eq!(code, 0);
    let claims = |i: usize| -> Vec<String> {
        report["cases"][i]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["claim"].as_str().unwrap().to_string())
            .collect()
    };
    let names: Vec<&str> = (0..2)
        .map(|i| report["cases"][i]["name"].as_str().unwrap())
        .collect();
    let (golden, diagonal) = if names[0] == "depth3-diagonal" {
        (1, 0)
    } else {
        (0, 1)
    };
    // the depth-3 case keeps only the claim matching "kp-t"; every check of the golden case runs
    assert_eq!(claims(diagonal), ["KP-trace"]);
    assert_eq!(
        report["cases"][diagonal]["deselected"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert!(claims(golden).len() > 1, "{:?}", claims(golden));
    assert!(report["cases"][golden].get("deselected").is_none());
}

/// `--fail-fast`: the cases after the first failing one (in sorted order) are reported as not run,
/// and the report is the same whatever the thread count.
#[test]
fn fail_fast_stops_after_the_first_failure_whatever_the_threads() {
    let cases = tempfile::tempdir().unwrap();
    let ok = std::fs::read_to_string(root().join("cases/kp-depth3-diagonal.yaml")).unwrap();
    let unmet = ok
        .replace(
            "{claim: KP-naive, expect: refuted}",
            "{claim: KP-naive, expect: verified}",
        )
        .replace("name: depth3-diagonal", "name: failing");
    assert_ne!(ok, unmet);
    std::fs::write(cases.path().join("a.yaml"), &ok).unwrap();
    std::fs::write(cases.path().join("b.yaml"), &unmet).unwrap();
    std::fs::write(cases.path().join("c.yaml"), &ok).unwrap();
    std::fs::write(cases.path().join("d.yaml"), &ok).unwrap();
    let mut reports = Vec::new();
    for jobs in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dlncheck()
            .args([
                "check",
                "--fail-fast",
                "--no-timing",
                "--jobs",
                jobs,
                "--report-dir",
            ])
            .arg(dir.path())
            .arg(cases.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("(2 cases not run: --fail-fast stopped the run)"),
            "{stdout}"
        );
        let report = crate::common::report_of(dir.path());
        let skipped: Vec<Option<&str>> = report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["skipped"].as_str())
            .collect();
        assert_eq!(skipped[..2], [None, None]);
        for s in &skipped[2..] {
            assert_eq!(
                *s,
                Some("not run: --fail-fast stopped the run after case failing failed")
            );
        }
        assert_eq!(report["summary"]["unmet"], 1);
        assert_eq!(report["summary"]["skipped"], 2);
        contract_holds(dir.path());
        // certificate paths name the report directory: mask it
        let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
        reports.push(text.replace(&dir.path().display().to_string(), "<dir>"));
    }
    assert!(
        reports[0] == reports[1],
        "reports differ between --jobs 1 and 2"
    );
}

#[test]
fn sharpness_prints_the_three_values() {
    let out = succeeds(dlncheck().args(["sharpness", "cases/kp-depth3-diagonal.yaml"]));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("exact     91/9"), "{text}");
    assert!(text.contains("f64       1.0111111111111"), "{text}");
    assert!(
        text.contains("MPFR-256  10.11111111111111111111111111111111111111"),
        "{text}"
    );
    let missing = dlncheck()
        .args(["sharpness", "cases/kp-depth6-rectangular.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("point"));
}

#[test]
fn missing_path_is_a_usage_error() {
    let out = dlncheck().args(["check", "no/such/dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir"));
}

#[test]
fn every_saved_certificate_passes_the_independent_checker_and_tampering_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _) = run_check(&["cases", "--no-timing"], dir.path());
    assert_eq!(code, 0);
    let mut certs: Vec<PathBuf> = std::fs::read_dir(dir.path().join("certs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    certs.sort();
    assert!(certs.len() >= 40, "only {} certificates", certs.len());
    let out = dlncheck().arg("verify-cert").args(&certs).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches(": PASS").count(), certs.len());
    // and each against the report that names it (digest, verdict, points of a bundle)
    let out = dlncheck()
        .args(["verify-cert", "--quiet", "--report"])
        .arg(dir.path().join("report.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.trim(), format!("{} passed, 0 failed", certs.len()));

    // change one weight entry of a certificate about λ_max (the counterexample, the one point
    // of this check certificate): the re-check must fail
    let original = dir.path().join("certs/depth3-diagonal--KP-naive.json");
    let mut cert: Value =
        serde_json::from_str(&std::fs::read_to_string(&original).unwrap()).unwrap();
    let weight = &mut cert["points"][0]["problem"]["weights"][1][0][0];
    assert_eq!(*weight, "3");
    *weight = Value::String("4".into());
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, serde_json::to_string(&cert).unwrap()).unwrap();
    let out = dlncheck()
        .args(["verify-cert", tampered.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains(": FAIL"));

    // an unreadable certificate is a usage error naming the field
    cert["points"][0]["problem"]["weights"][1][0][0] = Value::String("1/0".into());
    std::fs::write(&tampered, serde_json::to_string(&cert).unwrap()).unwrap();
    let out = dlncheck()
        .args(["verify-cert", tampered.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("points[0].problem.weights[1][0][0]"));
}

#[test]
fn enumerate_prints_an_agreeing_table() {
    let text = stdout_of(&["enumerate", "cases/amg-depth3-given-point.yaml"]);
    assert!(text.contains("eigenvalues of Σ = [9, 1], f* = 0"), "{text}");
    // the zero point of a depth-3 network is a non-strict saddle by criterion and certificate
    let zero = text
        .lines()
        .find(|l| l.contains("tight (every hidden layer of rank 0)"))
        .unwrap();
    assert_eq!(zero.matches("non-strict-saddle").count(), 3, "{zero}");
    assert!(zero.ends_with("| yes |"));
    assert!(!text.contains("| NO |"));
}

#[test]
fn merged_shards_equal_the_unsharded_run_and_junit_has_one_case_per_check() {
    let work = tempfile::tempdir().unwrap();
    let full = work.path().join("full");
    let (code, _) = run_check(&["cases", "--no-timing"], &full);
    assert_eq!(code, 0);
    let mut shard_reports = Vec::new();
    for i in 1..=3 {
        let dir = work.path().join(format!("shard-{i}"));
        let (code, part) = run_check(
            &["cases", "--no-timing", "--shard", &format!("{i}/3")],
            &dir,
        );
        assert_eq!(code, 0);
        assert!(part["summary"]["cases"].as_u64().unwrap() >= 5);
        shard_reports.push(dir.join("report.json"));
    }
    let merged = work.path().join("merged");
    succeeds(
        dlncheck()
            .arg("merge")
            .args(&shard_reports)
            .arg("--report-dir")
            .arg(&merged),
    );
    // identical bytes once the report directories in certificate paths are masked
    let masked = |p: &Path| {
        let text = std::fs::read_to_string(p.join("report.json")).unwrap();
        let mut t = text.replace(&full.display().to_string(), "DIR");
        for i in 1..=3 {
            t = t.replace(
                &work.path().join(format!("shard-{i}")).display().to_string(),
                "DIR",
            );
        }
        t
    };
    assert_eq!(masked(&merged), masked(&full));

    // junit.xml: one test case per (case, claim), an unmet one is a failure with its evidence
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(full.join("report.json")).unwrap()).unwrap();
    let checks = report["summary"]["checks"].as_u64().unwrap() as usize;
    let junit = std::fs::read_to_string(merged.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), checks);
    assert!(junit.contains(&format!("tests=\"{checks}\"")) && junit.contains("failures=\"0\""));
    let wrong = std::fs::read_to_string(root().join("cases/kp-depth3-diagonal.yaml"))
        .unwrap()
        .replace(
            "{claim: KP-naive, expect: refuted}",
            "{claim: KP-naive, expect: verified}",
        );
    std::fs::write(work.path().join("wrong.yaml"), wrong).unwrap();
    let dir = work.path().join("wrong");
    let (code, _) = run_check(&[work.path().join("wrong.yaml").to_str().unwrap()], &dir);
    assert_eq!(code, 1);
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("failures=\"1\""));
    assert!(junit.contains("verdict refuted (proved), expected verified"));
    assert!(junit.contains("lambda_max_enclosure"));
}

#[test]
fn a_bad_shard_is_a_usage_error() {
    let out = dlncheck()
        .args(["check", "cases", "--shard", "4/3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 ≤ i ≤ n"));
}

#[test]
fn schema_command_prints_the_shipped_schema() {
    let shipped = std::fs::read_to_string(root().join("cases/schema.json")).unwrap();
    assert_eq!(stdout_of(&["schema"]), shipped);
}

#[test]
fn audits_of_the_readings_to_audit_find_shrunk_reproducible_counterexamples() {
    let work = tempfile::tempdir().unwrap();
    for (claim, trials) in [
        ("KP-naive", "50"),
        ("KP-flat-necessary-deep", "100"),
        ("KP-flat-sufficient-a", "400"),
    ] {
        let out_dir = work.path().join(claim);
        let run = || {
            stdout_of(&[
                "audit",
                claim,
                "--trials",
                trials,
                "--seed",
                "1",
                "--region",
                "plain",
                "--out",
                out_dir.to_str().unwrap(),
            ])
        };
        let text = run();
        assert!(text.contains("counterexample (after"), "{claim}: {text}");
        let name = format!("audit-{}-seed1", claim.to_lowercase());
        let yaml_path = out_dir.join(format!("{name}.yaml"));
        let first = std::fs::read_to_string(&yaml_path).unwrap();
        assert!(first.contains(&format!("{{claim: {claim}, expect: refuted}}")));
        // small after shrinking: at most 4 layers of width at most 3
        let dims_line = first.lines().find(|l| l.starts_with("model:")).unwrap();
        assert!(dims_line.matches(',').count() <= 5, "{dims_line}");
        // the same seed gives the same counterexample, byte for byte
        run();
        assert_eq!(std::fs::read_to_string(&yaml_path).unwrap(), first);
        // the written case reproduces the refutation through `check`, and its certificate verifies
        let (code, report) = run_check(
            &[yaml_path.to_str().unwrap()],
            &work.path().join(format!("{claim}-report")),
        );
        assert_eq!(code, 0, "{report:#}");
        assert_eq!(report["cases"][0]["checks"][0]["verdict"], "refuted");
        let cert = out_dir.join(format!("{name}.cert.json"));
        let (code, text) = verify_cert(&[], &[cert]);
        assert_eq!(code, Some(0), "{text}");
    }
    // a claim that holds: nothing found, nothing written
    let out_dir = work.path().join("bound");
    let out = dlncheck()
        .args([
            "audit", "KP-bound", "--trials", "30", "--seed", "3", "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("no counterexample found"));
    assert!(!out_dir.exists());
}

#[test]
fn killing_a_run_never_leaves_a_partial_report() {
    let bin = assert_cmd::cargo::cargo_bin("dlncheck");
    for delay_ms in [5u64, 40, 120, 250, 400, 700, 1000] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(&bin)
            .current_dir(root())
            .env("CI", "true")
            .args(["check", "cases", "--quiet", "--jobs", "2", "--report-dir"])
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL: no destructor, no cleanup runs
        let _ = child.wait();
        // every report or certificate present is complete (written to a temporary name, renamed)
        for name in ["report.json", "report.md", "junit.xml"] {
            let p = dir.path().join(name);
            if let Ok(text) = std::fs::read_to_string(&p) {
                match name {
                    "report.json" => {
                        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
                            panic!("partial report.json after {delay_ms} ms: {e}")
                        });
                        assert!(v["summary"]["cases"].as_u64().unwrap() >= 15);
                    }
                    "report.md" => assert!(text.contains("## By case"), "partial report.md"),
                    _ => assert!(
                        text.trim_end().ends_with("</testsuites>"),
                        "partial junit.xml"
                    ),
                }
            }
        }
        if let Ok(entries) = std::fs::read_dir(dir.path().join("certs")) {
            for e in entries {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "json") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    serde_json::from_str::<Value>(&text)
                        .unwrap_or_else(|e| panic!("partial {}: {e}", p.display()));
                }
            }
        }
    }
}

#[test]
fn a_million_layer_network_is_refused_by_the_size_limit_not_by_a_crash() {
    let work = tempfile::tempdir().unwrap();
    let dims = vec!["1"; 1_000_001].join(", ");
    let f = work.path().join("million.yaml");
    std::fs::write(&f, format!("version: 1\nmodel: {{kind: linear, dims: [{dims}]}}\ndata: {{x: identity, y: [[1]]}}\nchecks: [{{claim: KP-exact}}]\n")).unwrap();
    let (code, report) = run_check(&[f.to_str().unwrap()], &work.path().join("r"));
    assert_eq!(code, 2);
    let msg = report["cases"][0]["error"].as_str().unwrap();
    assert!(
        msg.contains("million.yaml:2:")
            && msg.contains("model.dims")
            && msg.contains("P = 1000000 parameters"),
        "{msg}"
    );
}

/// `init --claim ID` gives, for every claim, a case that `validate` accepts and on which `check`
/// runs the claim without an error verdict; `explain` states each claim's scope.
#[test]
fn every_claim_has_a_scaffold_that_validates_and_runs() {
    let out = dlncheck().arg("claims").output().unwrap();
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(ids.len() >= 30, "{ids:?}");
    let dir = tempfile::tempdir().unwrap();
    for id in &ids {
        let file = dir.path().join(format!("{id}.yaml"));
        let out = dlncheck()
            .args(["init", "--claim", &id.to_lowercase(), "--out"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains(&format!("checks:\n  - {{claim: {id}}}\n")),
            "{id}: {text}"
        );
        // never over an existing file
        let again = dlncheck()
            .args(["init", "--claim", id, "--out"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(2), "{id}");
        let explained = dlncheck().args(["explain", id]).output().unwrap();
        let text = String::from_utf8_lossy(&explained.stdout);
        assert!(
            text.starts_with(id.as_str()) && text.contains("model.kind"),
            "{text}"
        );
    }
    let out = dlncheck().arg("validate").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.ends_with(&format!("{} valid, 0 invalid\n", ids.len())),
        "{text}"
    );
    let (_, report) = run_check(
        &["-q", "--no-timing", dir.path().to_str().unwrap()],
        &dir.path().join("reports"),
    );
    let mut ran = Vec::new();
    for c in report["cases"].as_array().unwrap() {
        assert_eq!(c["status"], "ok", "{c}");
        let k = &c["checks"][0];
        assert_ne!(k["verdict"], "error", "{}: {}", c["file"], k["reason"]);
        ran.push(k["claim"].as_str().unwrap().to_string());
    }
    ran.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(ran, want);
}

/// `validate` reports an invalid file and a check outside its claim's scope, with file and field,
/// and exits 2; `explain` of a misspelt id suggests the right one.
#[test]
fn validate_names_what_is_wrong_and_explain_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let ok = std::fs::read_to_string(root().join("cases/kp-depth3-diagonal.yaml")).unwrap();
    std::fs::write(dir.path().join("a-ok.yaml"), &ok).unwrap();
    // KP-depth2 concerns depth 2: this depth-3 case is outside its scope
    let scope = ok.replace("{claim: KP-trace, expect: proved}", "{claim: KP-depth2}");
    std::fs::write(dir.path().join("b-scope.yaml"), scope).unwrap();
    std::fs::write(dir.path().join("c-broken.yaml"), "version: 1\nmodel: [").unwrap();
    let out = dlncheck().arg("validate").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ok       ") && text.contains("a-ok.yaml (6 checks)"),
        "{text}"
    );
    assert!(
        text.contains("b-scope.yaml")
            && text.contains("checks[1]")
            && text.contains("KP-depth2 concerns depth L = 2"),
        "{text}"
    );
    assert!(
        text.contains("invalid") && text.contains("c-broken.yaml"),
        "{text}"
    );
    assert!(text.ends_with("1 valid, 2 invalid\n"), "{text}");
    let out = dlncheck().args(["explain", "KP-exatc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean KP-exact?"));
}
