//! Resource limits: hostile inputs are rejected within a stated memory cap and time, never by a
//! crash; the real binary is run under `ulimit -v` (RLIMIT_AS) through `sh`.

use crate::common::{contract_holds, dlncheck, report_of, root, run_check};

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The address-space cap for rejecting any bad input: 512 MiB. Why this figure: a case file is at
/// most 4 MiB (`case::MAX_FILE_BYTES`) and the YAML parser holds about 50 bytes per input byte
/// (152 MiB peak measured on the 3 MB million-layer file), so reading stays under 200 MiB; the
/// rest is the binary's mappings, two worker stacks and the allocator's arenas. A check that
/// allocated per width, per entry of `x: identity` or per digit would exceed it by far.
const MEMORY_CAP_KIB: u64 = 512 * 1024;
/// Wall-clock bound per bad file (seconds): rejecting must not hang. Generous for a loaded CI box.
const TIME_CAP_SECS: u64 = 60;

/// Run `dlncheck check FILE` under the caps; returns (exit code, report, stderr).
fn check_capped(file: &Path, dir: &Path) -> (i32, Value, String) {
    let bin = assert_cmd::cargo::cargo_bin("dlncheck");
    let script = format!(
        "ulimit -v {MEMORY_CAP_KIB} && exec timeout {TIME_CAP_SECS} \"$0\" check \"$1\" --quiet --jobs 1 --report-dir \"$2\""
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&bin)
        .arg(file)
        .arg(dir)
        .current_dir(root())
        .env("CI", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // no signal (an allocation failure aborts), no timeout (124), no panic (101)
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{}: killed by a signal; {stderr}", file.display()));
    assert!(
        code == 1 || code == 2,
        "{}: exit {code} (124 is the {TIME_CAP_SECS} s timeout); {stderr}",
        file.display()
    );
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    let text = std::fs::read_to_string(dir.join("report.json"))
        .unwrap_or_else(|_| panic!("{}: no report; {stderr}", file.display()));
    (code, serde_json::from_str(&text).unwrap(), stderr)
}

/// The case named `name` in a parsed report.json.
fn case_named<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
}

#[test]
fn every_bad_input_is_rejected_within_the_memory_and_time_caps() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40);
    // hostile inputs too large to commit, generated here
    let work = tempfile::tempdir().unwrap();
    let gen = |name: &str, text: String| {
        let p = work.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let million = vec!["1"; 1_000_001].join(", ");
    files.push(gen(
        "million-layers.yaml",
        format!("version: 1\nmodel: {{kind: linear, dims: [{million}]}}\ndata: {{x: identity, y: [[1]]}}\nchecks: [{{claim: KP-exact}}]\n"),
    ));
    let wide_row = vec!["1"; 100_000].join(", ");
    files.push(gen(
        "wide-data.yaml",
        format!("version: 1\nmodel: {{kind: linear, dims: [1, 1]}}\ndata: {{x: [[{wide_row}]], y: [[{wide_row}]]}}\nchecks: [{{claim: KP-exact}}]\n"),
    ));
    // 80 000 nested brackets in 160 KB took 52 s in libyaml's scanner before the depth limit
    let deep = format!("{}{}", "[".repeat(80_000), "]".repeat(80_000));
    files.push(gen(
        "deep-flow.yaml",
        format!("version: 1\nmodel: {{kind: linear, dims: [1, 1]}}\ndata: {{x: identity, y: {deep}}}\nchecks: [{{claim: KP-exact}}]\n"),
    ));
    files.push(gen(
        "oversized.yaml",
        format!(
            "version: 1\nabout: \"{}\"\nmodel: {{kind: linear, dims: [1, 1]}}\ndata: {{x: identity, y: [[1]]}}\nchecks: [{{claim: KP-exact}}]\n",
            "x".repeat(5 << 20)
        ),
    ));
    let mut expected_messages = 0;
    for f in &files {
        let dir = tempfile::tempdir().unwrap();
        let (code, report, _) = check_capped(f, dir.path());
        let case = &report["cases"][0];
        if code == 2 {
            assert_eq!(case["status"], "error", "{}", f.display());
        }
        let name = f.file_name().unwrap().to_str().unwrap();
        let msg = case["error"].as_str().unwrap_or_default();
        match name {
            "million-layers.yaml" => {
                assert!(msg.contains("P = 1000000 parameters"), "{msg}");
                expected_messages += 1;
            }
            "wide-data.yaml" => {
                assert!(msg.contains("data.x") && msg.contains("exceed"), "{msg}");
                expected_messages += 1;
            }
            "deep-flow.yaml" => {
                assert!(
                    msg.contains("deep-flow.yaml:3:") && msg.contains("nested deeper than 128"),
                    "{msg}"
                );
                expected_messages += 1;
            }
            "oversized.yaml" => {
                assert!(
                    msg.contains("oversized.yaml:1: <file>") && msg.contains("4194304 bytes"),
                    "{msg}"
                );
                expected_messages += 1;
            }
            _ => {}
        }
    }
    assert_eq!(expected_messages, 4);
}

const SLOW: &str = "tests/data/slow/many-minimizers.yaml";
const QUICK: &str = "cases/kp-scalar-balanced.yaml";

#[test]
fn a_timed_out_case_is_reported_as_such_and_the_others_are_unchanged() {
    let help = dlncheck().args(["check", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--case-timeout") && help.contains("[default: 300]"),
        "{help}"
    );

    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let out = dlncheck()
        .args([
            "check",
            SLOW,
            QUICK,
            "--no-timing",
            "--case-timeout",
            "1.5",
            "--report-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    // the slow case needs minutes; the run ends soon after its limit
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 case stopped by a limit"));
    contract_holds(dir.path());
    let report = report_of(dir.path());
    // cases are listed in path order: cases/… before tests/…
    let slow = &report["cases"][1];
    assert_eq!(slow["file"], SLOW);
    assert_eq!(slow["status"], "error");
    assert_eq!(slow["stopped"], "timeout");
    assert!(slow["error"].as_str().unwrap().contains(
        "many-minimizers.yaml:1:1: <case>: timeout: the case did not finish within 1.5 s"
    ));
    assert_eq!(slow["checks"].as_array().unwrap().len(), 0);
    // an abandoned case writes no certificate
    let certs = dir.path().join("certs");
    if let Ok(entries) = std::fs::read_dir(&certs) {
        for e in entries {
            let name = e.unwrap().file_name().into_string().unwrap();
            assert!(!name.starts_with("many-minimizers"), "{name}");
        }
    }
    // the case that finished is byte for byte what it is in a run of its own
    let alone = tempfile::tempdir().unwrap();
    let (code, own) = run_check(&[QUICK, "--no-timing"], alone.path());
    assert_eq!(code, 0);
    let mask = |v: &Value, d: &Path| v.to_string().replace(&d.display().to_string(), "DIR");
    assert_eq!(
        mask(&report["cases"][0], dir.path()),
        mask(&own["cases"][0], alone.path())
    );
    assert_eq!(report["cases"][0]["status"], "ok");
    assert!(report["cases"][0].get("stopped").is_none());
}

#[test]
fn a_case_over_the_memory_budget_is_refused_before_any_work() {
    let work = tempfile::tempdir().unwrap();
    // P = 100·100 + 100 = 10100 parameters: the dense f64 Hessian alone is 24·P² ≈ 2.28 GiB,
    // inside the loader's 4 GiB size limit but over the default 2048 MiB budget; KP-trace builds
    // the dense Hessian (KP-exact would run on the planned path, tests/check_planner.rs)
    let zeros = vec!["0"; 100].join(", ");
    let wide = work.path().join("wide.yaml");
    std::fs::write(
        &wide,
        format!("version: 1\nmodel: {{kind: linear, dims: [100, 100, 1]}}\ndata: {{x: identity, y: [[{zeros}]]}}\nchecks: [{{claim: KP-trace}}]\n"),
    )
    .unwrap();
    let dir = work.path().join("r");
    let start = std::time::Instant::now();
    let (code, report) = run_check(&[wide.to_str().unwrap(), QUICK], &dir);
    assert!(start.elapsed().as_secs() < 20);
    assert_eq!(code, 1);
    contract_holds(&dir);
    let refused = case_named(&report, "wide");
    assert_eq!(refused["stopped"], "refused");
    let msg = refused["error"].as_str().unwrap();
    assert!(
        msg.contains("wide.yaml:2:")
            && msg.contains("model.dims: refused")
            && msg.contains("dense Hessian (P = 10100)")
            && msg.contains("--memory-budget 2048 MiB"),
        "{msg}"
    );
    let quick = case_named(&report, "kp-scalar-balanced");
    assert_eq!(quick["status"], "ok");

    // the budget decides: 10000 generated minimizers of 40 parameters need about 26 MB (count·P
    // rationals), refused under 1 MiB, run (and stopped by the timeout) under 64 MiB
    let small = work.path().join("small");
    for (budget, stopped) in [("1", "refused"), ("64", "timeout")] {
        let (code, report) = run_check(
            &[SLOW, "--case-timeout", "1", "--memory-budget", budget],
            &small,
        );
        assert_eq!(code, 1);
        assert_eq!(report["cases"][0]["stopped"], stopped);
    }
}

/// Send SIGINT to the real binary while it runs (a slow case keeps it busy) and look at the report
/// directory: the previous complete report is untouched, no new or partial one, no temporary
/// files, exit status 130.
#[test]
fn ctrl_c_stops_cleanly_and_leaves_the_last_complete_report() {
    let bin = assert_cmd::cargo::cargo_bin("dlncheck");
    let dir = tempfile::tempdir().unwrap();
    let (code, _) = run_check(&[QUICK, "--no-timing"], dir.path());
    assert_eq!(code, 0);
    let before = std::fs::read(dir.path().join("report.json")).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    for (target, previous) in [(dir.path(), Some(&before)), (fresh.path(), None)] {
        for delay_ms in [300u64, 900] {
            let child = Command::new(&bin)
                .current_dir(root())
                .env("CI", "true")
                .args([
                    "check",
                    "cases",
                    SLOW,
                    "--quiet",
                    "--jobs",
                    "2",
                    "--report-dir",
                ])
                .arg(target)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let kill = Command::new("kill")
                .args(["-s", "INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(kill.success());
            let start = std::time::Instant::now();
            let out = child.wait_with_output().unwrap();
            assert!(start.elapsed().as_secs() < 20, "slow to stop");
            assert_eq!(
                out.status.code(),
                Some(130),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted: no report written"));
            match previous {
                Some(bytes) => assert_eq!(
                    &std::fs::read(target.join("report.json")).unwrap(),
                    bytes,
                    "the previous report changed"
                ),
                None => {
                    for name in ["report.json", "report.md", "report.html", "junit.xml"] {
                        assert!(!target.join(name).exists(), "{name} written after SIGINT");
                    }
                }
            }
            for e in std::fs::read_dir(target).unwrap() {
                let name = e.unwrap().file_name().into_string().unwrap();
                assert!(!name.ends_with(".tmp"), "temporary file {name} left");
            }
        }
    }
}

/// Timeouts do not disturb the cases that finish: the shipped suite plus a case that times out,
/// with one and with two worker threads, gives the same report bytes (certificate dirs masked).
/// The limit of 30 s is ten times the slowest shipped case in a test build on a loaded 2-core
/// machine (3 s cut off shipped cases there), and a tenth of what the slow case needs.
#[test]
fn a_timeout_leaves_the_rest_of_the_report_deterministic() {
    let run = |jobs: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = dlncheck()
            .args([
                "check",
                "cases",
                SLOW,
                "--no-timing",
                "--quiet",
                "--case-timeout",
                "30",
            ])
            .args(["--jobs", jobs, "--report-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
        text.replace(&dir.path().display().to_string(), "DIR")
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one, two);
    let report: Value = serde_json::from_str(&one).unwrap();
    let stopped: Vec<&Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("stopped").is_some())
        .collect();
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0]["file"], SLOW);
}
