//! The HTML report: rendered from a real run of the shipped cases, checked as text, then opened in
//! headless Chromium and screenshotted.
//!
//! The browser part needs `/usr/bin/chromium` (or `chromium` on PATH); without it the test fails,
//! unless `DLNCHECK_SKIP_BROWSER=1`. With `DLNCHECK_HTML_KEEP=DIR` the page and the screenshot are
//! also copied to DIR for a look.

use crate::common::browser::{assert_self_contained, browser_for, keep, screenshot};
use crate::common::root;

use assert_cmd::Command;
use dlncheck::report::{html, Report};
use std::path::Path;

/// Run the shipped cases into `dir` and read the report back.
fn shipped_report(dir: &Path) -> Report {
    let out = Command::cargo_bin("dlncheck")
        .unwrap()
        .current_dir(root())
        .env("CI", "true")
        .args(["check", "cases", "--no-timing", "--report-dir"])
        .arg(dir)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|_| {
        panic!(
            "no report.json; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    serde_json::from_str(&text).expect("report.json parses as a Report")
}

/// The text of `<figure id="ID" …>…</figure>`.
fn figure<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<figure id=\"{id}\""))
        .unwrap_or_else(|| panic!("figure {id} missing"));
    let end = page[start..].find("</figure>").expect("figure closed") + start;
    &page[start..end]
}

/// The number shown in the header tile `total-NAME`.
fn total(page: &str, name: &str) -> usize {
    let key = format!("id=\"total-{name}\"><span class=\"n\">");
    let at = page
        .find(&key)
        .unwrap_or_else(|| panic!("tile total-{name} missing"))
        + key.len();
    let digits: String = page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

fn escaped(s: &str) -> String {
    html::escape(s)
}

#[test]
fn html_report_of_the_shipped_cases() {
    let dir = tempfile::tempdir().unwrap();
    let report = shipped_report(dir.path());
    let page = html::render(&report);

    // the plots, each an inline SVG with a caption
    for id in [
        "plot-verdicts",
        "plot-agreement",
        "plot-sharpness",
        "plot-classes",
    ] {
        let fig = figure(&page, id);
        // the plot itself (legend swatches are small SVGs too)
        assert!(
            fig.contains("<svg width=") && fig.contains("role=\"img\""),
            "{id} has no plot"
        );
        assert!(fig.contains("<figcaption>"), "{id} has no caption");
        assert!(!fig.contains("could not be drawn"), "{id}: {fig}");
    }
    assert_self_contained(&page);

    // every case and every claim appears
    for c in &report.cases {
        assert!(page.contains(&escaped(&c.name)), "case {} missing", c.name);
        for k in &c.checks {
            assert!(
                page.contains(&escaped(&k.claim)),
                "claim {} missing",
                k.claim
            );
        }
    }

    // the header's totals are the summary's
    let s = &report.summary;
    for (name, n) in [
        ("cases", s.cases),
        ("checks", s.checks),
        ("verified", s.verified),
        ("refuted", s.refuted),
        ("inconclusive", s.inconclusive),
        ("errors", s.errors),
        ("unmet", s.unmet),
    ] {
        assert_eq!(total(&page, name), n, "total {name}");
    }
    assert_eq!(s.unmet, 0);
    assert!(page.contains("class=\"banner ok\""));

    // one row per check in the per-case tables
    assert_eq!(page.matches("<tr class=\"check").count(), s.checks);
    assert_eq!(page.matches("<tr class=\"check unmet\">").count(), 0);

    // deterministic: same report, same bytes (also after a JSON round trip)
    assert_eq!(page, html::render(&report));
    let again: Report = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
    assert_eq!(page, html::render(&again));

    // written into the report directory, certificate links are relative to the page and resolve
    let page_in_dir = html::render_in(&report, dir.path());
    assert!(page_in_dir.contains("href=\"certs/"));
    for (i, _) in page_in_dir.match_indices("href=\"certs/") {
        let rest = &page_in_dir[i + 6..];
        let link = &rest[..rest.find('"').unwrap()];
        assert!(dir.path().join(link).is_file(), "broken link {link}");
    }
    let file = dir.path().join("report.html");
    std::fs::write(&file, &page_in_dir).unwrap();
    keep(&file);
}

#[test]
fn html_report_makes_failures_visible() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = shipped_report(dir.path());
    // one check whose verdict misses its expectation, and one invalid case with hostile text
    let k = &mut report.cases[0].checks[0];
    k.met = false;
    k.reason = Some("<script>alert('x')</script> & more".into());
    let mut bad = report.cases[1].clone();
    bad.name = "broken <case>".into();
    bad.status = "error".into();
    bad.error = Some("cases/broken.yaml: field `depth` at line 3: expected an integer".into());
    bad.checks.clear();
    report.cases.push(bad);
    let report = Report::new(report.cases);
    assert_eq!((report.summary.unmet, report.summary.errors), (1, 1));

    let page = html::render(&report);
    assert!(page.contains("class=\"banner bad\""));
    let unmet_line = format!(
        "1 of {} checks did not meet their expectation",
        report.summary.checks
    );
    assert!(page.contains(&unmet_line), "{unmet_line}");
    assert!(page.contains("1 invalid case file<"));
    assert_eq!(total(&page, "unmet"), 1);
    assert_eq!(page.matches("<tr class=\"check unmet\">").count(), 1);
    assert!(!page.contains("<script>"));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
    assert!(page.contains("broken &lt;case&gt;"));
    assert!(page.contains("field `depth` at line 3"));
    assert!(figure(&page, "plot-verdicts").contains("1 unmet"));
    assert_self_contained(&page);
    let file = dir.path().join("report-failing.html");
    std::fs::write(&file, &page).unwrap();
    keep(&file);
}

#[test]
fn html_report_renders_in_a_browser() {
    let Some(browser) = browser_for("report.html") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = shipped_report(dir.path());
    let page = dir.path().join("report.html");
    std::fs::write(&page, html::render_in(&report, dir.path())).unwrap();
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>\n").unwrap();

    let shot = dir.path().join("shot.png");
    let blank_shot = dir.path().join("blank.png");
    screenshot(&browser, &page, &shot);
    screenshot(&browser, &blank, &blank_shot);
    keep(&page);
    keep(&shot);

    // a blank page compresses to a few kB; the report's tables, badges and plots do not
    let size = std::fs::metadata(&shot).unwrap().len();
    let blank_size = std::fs::metadata(&blank_shot).unwrap().len();
    assert!(size > 20_000, "the screenshot is only {size} bytes");
    assert!(
        size > 5 * blank_size,
        "the screenshot ({size} bytes) is not much larger than a blank page's ({blank_size} bytes)"
    );
}
