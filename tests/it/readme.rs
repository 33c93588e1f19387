//! The README's figures about the shipped suite are the suite's own: this test runs
//! `dlncheck check cases` and compares the counts the README states with the report.
//! And every relative link of the README and of docs/ leads somewhere.

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

/// Every relative link of README.md and of the Markdown files under docs/ names a file or folder
/// that exists, and an `#anchor` into a Markdown file names one of its headings.
#[test]
fn readme_and_docs_links_resolve() {
    let mut files = vec![root().join("README.md")];
    let mut dirs = vec![root().join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 1, "no Markdown files under docs/");
    let (mut checked, mut broken) = (0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            if !resolved.exists() {
                broken.push(format!("{}: {target} (no such file)", file.display()));
            } else if let Some(anchor) = anchor {
                let is_md = resolved.extension().is_some_and(|e| e == "md");
                let headings = if is_md {
                    std::fs::read_to_string(&resolved).unwrap()
                } else {
                    String::new()
                };
                if is_md && !heading_slugs(&headings).iter().any(|s| s == anchor) {
                    broken.push(format!("{}: {target} (no such heading)", file.display()));
                }
            }
        }
    }
    assert!(checked > 0, "no relative links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The lines of a Markdown text outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fenced = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                return false;
            }
            !fenced
        })
        .collect()
}

/// The targets of the inline links `[text](target)` of a Markdown text, outside fenced code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(j) = after.find(')') else { break };
            let target = after[..j].split_whitespace().next().unwrap_or("");
            targets.push(target.to_string());
            rest = &after[j + 1..];
        }
    }
    targets
}

/// The anchors GitHub gives the headings of a Markdown text: lower case, spaces as hyphens,
/// punctuation other than hyphens and underscores dropped.
fn heading_slugs(text: &str) -> Vec<String> {
    prose_lines(text)
        .into_iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// docs/claims.md, the claims reference the README links, states every claim `dlncheck claims`
/// lists (its id in bold where the claim is stated), and its closing listing is the command's
/// own output, so a claim added to the binary must be added to the reference.
#[test]
fn docs_claims_md_is_in_step_with_dlncheck_claims() {
    let doc = std::fs::read_to_string(root().join("docs/claims.md")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains("](docs/claims.md)"),
        "README links docs/claims.md"
    );
    let out = crate::common::dlncheck().arg("claims").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let listing = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 20, "{listing}");
    let (prose, block) = doc
        .split_once("```text\n")
        .expect("docs/claims.md ends with the listing");
    for id in &ids {
        assert!(
            prose.contains(&format!("**{id}**")),
            "docs/claims.md does not state {id}"
        );
    }
    let block = block.split("\n```").next().unwrap();
    assert_eq!(
        block.trim_end(),
        listing.trim_end(),
        "docs/claims.md's listing differs from `dlncheck claims`"
    );
}
