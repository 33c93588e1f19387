//! The README's figures about the shipped suite are the suite's own: this test runs
//! `dlncheck check cases` and compares the counts the README states with the report.

use crate::common::{root, run_check};

#[test]
fn readme_counts_match_the_shipped_suite() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("`make check` runs "))
        .expect("the README states what `make check` runs");
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = run_check(&["cases", "--no-timing", "--quiet"], dir.path());
    assert_eq!(code, 0);
    let s = &report["summary"];
    let checks = s["checks"].as_u64().unwrap();
    let certificates = std::fs::read_dir(dir.path().join("certs")).unwrap().count() as u64;
    let next_line = readme
        .lines()
        .skip_while(|l| *l != line)
        .nth(1)
        .unwrap_or("");
    let skipped: u64 = next_line
        .split("the ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the README states how many long cases are skipped");
    assert_eq!(
        (numbers[0], numbers[1], numbers[2], skipped),
        (
            s["cases"].as_u64().unwrap(),
            checks,
            certificates,
            s["skipped"].as_u64().unwrap_or(0)
        ),
        "README: {line} / {next_line}"
    );
}
