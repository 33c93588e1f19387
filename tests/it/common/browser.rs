//! Pages in a browser: the checks every self-contained HTML page of dlncheck passes, and headless
//! Chromium screenshots (report.html, trajectory.html).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Every place a page could load something from: none may point off the machine.
pub fn assert_self_contained(page: &str) {
    let lower = page.to_ascii_lowercase();
    for tag in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import",
    ] {
        assert!(!lower.contains(tag), "the page contains {tag}");
    }
    for attr in ["src=", "href=", "xlink:href=", "url("] {
        for (i, _) in lower.match_indices(attr) {
            let target = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            assert!(
                !(target.starts_with("http:")
                    || target.starts_with("https:")
                    || target.starts_with("//")),
                "external resource: {}",
                &page[i..(i + 80).min(page.len())]
            );
        }
    }
    // stricter still: the shipped report mentions no URL at all (the inline SVG drops its xmlns)
    assert!(!lower.contains("http://") && !lower.contains("https://"));
}

/// Copy a file to `$DLNCHECK_HTML_KEEP`, when set.
pub fn keep(file: &Path) {
    if let Some(d) = std::env::var_os("DLNCHECK_HTML_KEEP") {
        let d = PathBuf::from(d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(file, d.join(file.file_name().unwrap())).unwrap();
    }
}

/// The browser for the screenshot test of `page` (report.html, trajectory.html): `None`, with a
/// note, when `DLNCHECK_SKIP_BROWSER=1` skips it; a headless Chromium otherwise (panics saying how
/// to install it, or to skip, when there is none).
pub fn browser_for(page: &str) -> Option<PathBuf> {
    if std::env::var("DLNCHECK_SKIP_BROWSER").as_deref() == Ok("1") {
        println!("note: DLNCHECK_SKIP_BROWSER=1, the screenshot of {page} is not taken");
        return None;
    }
    Some(chromium().unwrap_or_else(|| {
        panic!(
            "headless Chromium is needed to screenshot {page}: install it (apt-get install \
             chromium) or set DLNCHECK_SKIP_BROWSER=1 to skip this test"
        )
    }))
}

/// A Chromium binary: /usr/bin/chromium, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Screenshot `page` at 1280×2000 into `png`; a fresh profile each time, nothing from the network.
pub fn screenshot(browser: &Path, page: &Path, png: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1280,2000")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    assert!(
        status.success() && png.is_file(),
        "chromium failed ({status}) on {}: {err}",
        page.display()
    );
    let bytes = std::fs::read(png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        png.display()
    );
}
