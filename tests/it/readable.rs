//! What a person reads: every error of a case file listed at once (with its line), and numbers in
//! report.md, the terminal and the reasons either whole or honestly rounded, checked against the
//! exact values report.json keeps.

use crate::common::{contract_holds, dlncheck, report_of, root, run_check};
use rug::Rational;

/// `dlncheck check --no-timing -q FILE` with its reports written to `dir`: the exit code and the
/// terminal text.
fn check_into(dir: &std::path::Path, file: impl AsRef<std::ffi::OsStr>) -> (Option<i32>, String) {
    let out = dlncheck()
        .args(["check", "--no-timing", "-q", "--report-dir"])
        .arg(dir)
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The errors a bad case file must produce, from its header: `# expect-error: FIELD TEXT` (the
/// first) and `# also-error: LINE FIELD TEXT` (each further one): (line, field, text).
fn expected_errors(file: &str) -> Vec<(Option<usize>, String, String)> {
    let src = std::fs::read_to_string(root().join(file)).unwrap();
    let mut out = Vec::new();
    for line in src.lines().take_while(|l| l.starts_with('#')) {
        if let Some(rest) = line.strip_prefix("# expect-error: ") {
            let (field, text) = rest.split_once(' ').unwrap();
            out.push((None, field.to_string(), text.to_string()));
        } else if let Some(rest) = line.strip_prefix("# also-error: ") {
            let mut parts = rest.splitn(3, ' ');
            let n = parts.next().unwrap().parse().unwrap();
            let field = parts.next().unwrap().to_string();
            out.push((Some(n), field, parts.next().unwrap().to_string()));
        }
    }
    out
}

/// Does `text` hold an error line `FILE:LINE[:COL]: FIELD: …TEXT…` for the expectation?
fn listed(text: &str, file: &str, (line, field, want): &(Option<usize>, String, String)) -> bool {
    text.lines().any(|l| {
        let Some(at) = l.find(file) else {
            return false;
        };
        let rest = &l[at + file.len()..];
        let line_ok = match line {
            Some(n) => rest.starts_with(&format!(":{n}:")),
            None => rest.starts_with(':'),
        };
        line_ok && rest.contains(&format!(" {field}: ")) && rest.contains(want.as_str())
    })
}

/// Files with several errors: found while reading the YAML (several_errors*, three_errors), while
/// validating it (semantic_errors: X's shape, the mask's shape, a ragged layer, a layer's shape
/// and a claim, with no error X's shape would cause about its rank or Y's columns; dims_cascade:
/// a width, samples and two dynamics settings, with no shape error against the invalid widths).
const SEVERAL: [&str; 5] = [
    "tests/bad/several_errors.yaml",
    "tests/bad/several_errors_typo.yaml",
    "tests/bad/three_errors.yaml",
    "tests/bad/semantic_errors.yaml",
    "tests/bad/dims_cascade.yaml",
];

/// The errors of tests/bad/three_errors.yaml as (field, the token the caret must mark); the line
/// and column of each are found in the YAML text itself.
const THREE: [(&str, &str); 3] = [
    ("data.y[1][1]", "\"x1\""),
    ("point.weights[1][1]", "[0]"),
    ("checks[0].claim", "KP-exatc"),
];

/// Does `text` show, after the message `FILE:LINE:COL: FIELD: `, the source line numbered LINE and
/// under it carets from column COL spanning exactly `token`? (line, column) are those of `token`
/// in the file's YAML (outside its comment header).
fn shows_caret(text: &str, file: &str, (field, token): (&str, &str)) -> Result<(), String> {
    let src = std::fs::read_to_string(root().join(file)).unwrap();
    let (n, source) = src
        .lines()
        .enumerate()
        .find(|(_, l)| !l.starts_with('#') && l.contains(token))
        .unwrap();
    let (line, column) = (n + 1, source.find(token).unwrap() + 1);
    let lines: Vec<&str> = text.lines().collect();
    let head = format!("{file}:{line}:{column}: {field}: ");
    let at = lines
        .iter()
        .position(|l| l.contains(&head))
        .ok_or(format!("no message {head}"))?;
    let shown = lines[at + 1..]
        .iter()
        .position(|l| l.ends_with(source))
        .map(|i| at + 1 + i)
        .ok_or(format!("no source line after {head}"))?;
    // no other message between the error and its source line
    if lines[at + 1..shown].iter().any(|l| l.contains(file)) {
        return Err(format!("the source line of {head} is not under it"));
    }
    let gutter = &lines[shown][..lines[shown].len() - source.len()];
    if !gutter.trim_start().starts_with(&format!("{line} |")) {
        return Err(format!("no line number {line} in {:?}", lines[shown]));
    }
    let caret = lines.get(shown + 1).copied().unwrap_or("");
    let want = format!(
        "{}{}",
        " ".repeat(gutter.len() + column - 1),
        "^".repeat(token.len())
    );
    if !caret.ends_with(&want[gutter.len()..])
        || caret.len() != want.len()
        || caret.find('^') != want.find('^')
    {
        return Err(format!("caret line {caret:?}, wanted {want:?}"));
    }
    Ok(())
}

#[test]
fn every_command_lists_every_error_with_its_source_line_and_a_caret() {
    let file = "tests/bad/three_errors.yaml";
    let want = expected_errors(file);
    assert_eq!(want.len(), THREE.len());
    let runs: [&[&str]; 4] = [
        &["sharpness", file],
        &["enumerate", file],
        &[
            "trajectory",
            file,
            "--checkpoints",
            "none-*.npz",
            "--eta",
            "1/10",
        ],
        &["validate", file],
    ];
    for args in runs {
        let out = dlncheck().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        // validate lists on stdout, the other commands print their error on stderr
        let text = String::from_utf8_lossy(if args[0] == "validate" {
            &out.stdout
        } else {
            &out.stderr
        })
        .into_owned();
        for w in &want {
            assert!(listed(&text, file, w), "{args:?}: {w:?} missing:\n{text}");
        }
        for t in THREE {
            if let Err(why) = shows_caret(&text, file, t) {
                panic!("{args:?}: {why}:\n{text}");
            }
        }
        if args[0] != "validate" {
            assert_eq!(
                text.lines().filter(|l| l.starts_with("error: ")).count(),
                THREE.len(),
                "{text}"
            );
        }
    }
    // check: the failure block shows them too; report.json keeps one line per error
    let dir = tempfile::tempdir().unwrap();
    let (_, stdout) = check_into(dir.path(), file);
    for t in THREE {
        if let Err(why) = shows_caret(&stdout, file, t) {
            panic!("check: {why}:\n{stdout}");
        }
    }
    let report = report_of(dir.path());
    let errors = report["cases"][0]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), THREE.len());
    assert!(errors.iter().all(|e| !e.as_str().unwrap().contains('\n')));
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(!md.contains('^'), "{md}");
    contract_holds(dir.path());
}

#[test]
fn validate_lists_every_error_of_a_file_with_its_line() {
    for file in SEVERAL {
        let want = expected_errors(file);
        assert!(want.len() >= 3, "{file}: the header lists its errors");
        let out = dlncheck().args(["validate", file]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stdout = String::from_utf8_lossy(&out.stdout);
        for w in &want {
            assert!(listed(&stdout, file, w), "{w:?} missing:\n{stdout}");
        }
        // one line per error, the first error first, nothing else listed
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with("invalid"))
            .collect();
        assert_eq!(lines.len(), want.len(), "{stdout}");
        assert!(listed(lines[0], file, &want[0]), "{stdout}");
    }
}

#[test]
fn check_reports_every_error_in_the_json_and_on_the_terminal() {
    for file in SEVERAL {
        let want = expected_errors(file);
        let dir = tempfile::tempdir().unwrap();
        let (code, stdout) = check_into(dir.path(), file);
        assert_eq!(code, Some(2));
        let report = report_of(dir.path());
        let case = &report["cases"][0];
        assert_eq!(case["status"], "error");
        let errors: Vec<&str> = case["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        // the contract's `error` is the first one found; `errors` lists them all
        assert_eq!(case["error"].as_str(), Some(errors[0]));
        assert_eq!(errors.len(), want.len(), "{errors:#?}");
        let joined = errors.join("\n");
        let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
        for w in &want {
            assert!(listed(&joined, file, w), "{w:?} missing from errors");
            assert!(listed(&stdout, file, w), "{w:?} missing:\n{stdout}");
            assert!(
                listed(&md.replace("- ", ""), file, w),
                "{w:?} missing:\n{md}"
            );
        }
        assert!(stdout.contains("  errors: "), "{stdout}");
        contract_holds(dir.path());
    }
}

/// A YAML float that moves the case's point off the critical set (W = (0.1, 10) with X = Y = 1 is
/// a global minimizer when "0.1" is read exactly): the \[AMG\] claims leave the point out, and the
/// terminal (a warning), report.json (a note) and `enumerate` (a note under the table) say so,
/// naming the float and how to write it.
#[test]
fn a_float_that_makes_the_point_non_critical_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amg-float.yaml");
    std::fs::write(
        &file,
        "version: 1\nmodel: {kind: linear, dims: [1, 1, 1]}\ndata: {x: [[1]], y: [[1]]}\n\
         point: {weights: [[[0.1]], [[10]]]}\nchecks: [{claim: AMG-classify, expect: proved}]\n",
    )
    .unwrap();
    let why = "point.weights: the case's point is not critical";
    let float = "point.weights[0][0][0] = 0.1 was read as the binary value 0.1000000000000000055";
    let reports = dir.path().join("r");
    let (code, stdout) = check_into(&reports, &file);
    assert_eq!(code, Some(0), "{stdout}");
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("warning: ") && l.contains(why))
        .collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(warnings[0].contains(float), "{stdout}");
    let report = report_of(&reports);
    let case = &report["cases"][0];
    let notes: Vec<&str> = case["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with(why) && n.contains(float)),
        "{notes:#?}"
    );
    // the check ran on the constructed points only
    let table = case["checks"][0]["values"]["point_table"].to_string();
    assert!(table.contains("\"case_point\":false"), "{table}");
    assert!(!table.contains("\"case_point\":true"), "{table}");
    contract_holds(&reports);

    let out = dlncheck().arg("enumerate").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let note = stdout
        .lines()
        .find(|l| l.starts_with("note: "))
        .unwrap_or_else(|| panic!("no note:\n{stdout}"));
    assert!(note.contains(why) && note.contains(float), "{note}");
    assert!(!stdout.contains("| the case's point"), "{stdout}");
}

#[test]
fn a_syntax_error_is_the_only_error_listed() {
    // the YAML parser stops at a syntax error: nothing after it is known
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("syntax.yaml");
    std::fs::write(
        &file,
        "version: 1\nmodel: {kind: linear, dims: [1, 1]\ndata: {x: identity, y: [[1]]}\nchecks: [{claim: KP-exatc}]\n",
    )
    .unwrap();
    let out = dlncheck().arg("validate").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("invalid")).count(),
        1,
        "{stdout}"
    );
}

fn q(s: &str) -> Rational {
    if s.contains('/') {
        return s.parse::<Rational>().unwrap();
    }
    // a decimal such as -1.25e-3, read exactly
    let (mant, exp) = match s.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap()),
        None => (s, 0),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: rug::Integer = format!("{int}{frac}").parse().unwrap();
    let scale = exp - frac.len() as i32;
    let ten = |n: u32| rug::Integer::from(rug::Integer::u_pow_u(10, n));
    let p = if scale >= 0 {
        Rational::from(ten(scale as u32))
    } else {
        Rational::from(ten(-scale as u32)).recip()
    };
    Rational::from(digits) * p
}

/// The longest run of digits in `s`.
fn longest_digits(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

const NUMBER_CASES: [&str; 5] = [
    "cases/kp-depth3-diagonal.yaml",
    "cases/kp-nonidentity-x.yaml",
    "cases/adversarial-naive-near-miss.yaml",
    "cases/amg-depth2-irrational.yaml",
    "cases/zl-linear-depth2-identity.yaml",
];

#[test]
fn report_md_encloses_the_exact_enclosures_and_never_cuts_a_fraction() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--no-timing", "-q"];
    args.extend(NUMBER_CASES);
    let (code, report) = run_check(&args, dir.path());
    assert_eq!(code, 0);
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(!md.contains('…'), "a cut number in report.md:\n{md}");
    let mut enclosures = 0;
    for case in report["cases"].as_array().unwrap() {
        for k in case["checks"].as_array().unwrap() {
            let Some(enc) = k["values"]["lambda_max_enclosure"].as_array() else {
                continue;
            };
            let (lo, hi) = (q(enc[0].as_str().unwrap()), q(enc[1].as_str().unwrap()));
            if lo == hi {
                continue;
            }
            // the row of this check in this case's table: its enclosure cell is "[a, b]"
            let section = md
                .split("### ")
                .find(|s| s.starts_with(&format!("{} (", case["name"].as_str().unwrap())))
                .unwrap();
            let row = section
                .lines()
                .find(|l| l.starts_with(&format!("| {} |", k["claim"].as_str().unwrap())))
                .unwrap();
            let cell = row.split(" | ").nth(5).unwrap();
            let (a, b) = cell
                .strip_prefix('[')
                .and_then(|c| c.strip_suffix(']'))
                .and_then(|c| c.split_once(", "))
                .unwrap_or_else(|| panic!("not an interval: {row}"));
            // rounded outward: the printed interval contains the exact one
            assert!(
                q(a) <= lo && q(b) >= hi,
                "{cell} does not contain [{lo}, {hi}]"
            );
            // and is at most 17 significant digits long
            assert!(longest_digits(a) <= 18 && longest_digits(b) <= 18, "{cell}");
            enclosures += 1;
        }
    }
    assert!(enclosures > 0, "no proper enclosure among the cases");
}

#[test]
fn reasons_name_quantities_and_round_honestly() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--no-timing", "-q"];
    args.extend(NUMBER_CASES);
    let (_, report) = run_check(&args, dir.path());
    let reasons: Vec<String> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["checks"].as_array().unwrap().iter())
        .filter_map(|k| k["reason"].as_str().map(String::from))
        .collect();
    for r in &reasons {
        for internal in [
            "gram_above",
            "gram_below",
            "lambda_max",
            "min_sharpness",
            "sum_c",
        ] {
            assert!(!r.contains(internal), "internal name {internal} in: {r}");
        }
        // at most 21 digits in a row: 17 significant digits after at most "0.0000", or a short
        // fraction (a 77-digit MPFR value or a 200-digit fraction would fail)
        assert!(longest_digits(r) <= 21, "a long number in: {r}");
        assert!(!r.contains("(exact)"), "{r}");
    }
    let find = |needle: &str| {
        reasons
            .iter()
            .find(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no reason with {needle:?}:\n{reasons:#?}"))
    };
    // 91/9 < 11 exactly (kp-depth3-diagonal): whole values
    find("λ_max = 91/9 < Σc² = 11 (decided in exact arithmetic)");
    // the irrational eigenvalues (3 ± √5)/2 of Σ with an MPFR radius: (3 + √5)/2 = 2.6180339887…
    let r = find("Σ has irrational eigenvalues (");
    let inner = r
        .split("eigenvalues (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    let (v, radius) = inner.split(", ").next().unwrap().split_once(" ± ").unwrap();
    let (d, e) = radius.split_once("·10").unwrap();
    let sup = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    let e: i32 = e
        .chars()
        .map(|c| match c {
            '⁻' => '-',
            c => char::from_digit(sup.chars().position(|x| x == c).unwrap() as u32, 10).unwrap(),
        })
        .collect::<String>()
        .parse()
        .unwrap();
    let radius = q(d) * q(&format!("1e{e}"));
    // (3 + √5)/2 ∈ [v − r, v + r]  ⇔  √5 ∈ [2(v − r) − 3, 2(v + r) − 3], checked by squaring
    let lo: Rational = (q(v) - radius.clone()) * 2u32 - 3u32;
    let hi: Rational = (q(v) + radius) * 2u32 - 3u32;
    assert!(
        lo.clone() * &lo <= 5 && hi.clone() * &hi >= 5,
        "{inner} misses (3 + √5)/2"
    );
}

#[test]
fn a_float_that_breaks_a_minimizer_is_named_and_warned_about() {
    let file = "tests/bad/float_not_minimizer.yaml";
    // the leading digits of the binary value of 0.1 (= 3602879701896397 / 2⁵⁵), cut after 20
    let binary = Rational::from((3602879701896397u64, 1u64 << 55));
    assert_eq!(binary.to_f64(), 0.1);
    let digits = (binary * rug::Integer::from(rug::Integer::u_pow_u(10, 20)))
        .floor()
        .to_string();
    let shown = format!("0.{}…", &digits[..20]);
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = check_into(dir.path(), file);
    assert_eq!(code, Some(1));
    let hint = format!(
        "point.weights[0][0][0] = 0.1 was read as the binary value {shown}; write \"0.1\" or \"1/10\""
    );
    let report = report_of(dir.path());
    let reason = report["cases"][0]["checks"][0]["reason"].as_str().unwrap();
    assert!(reason.contains(&hint), "{reason}");
    assert!(stdout.contains(&hint), "{stdout}");
    // the note is a warning on the terminal, -q or not
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("warning: {file}: "))
                && l.contains(
                    "point.weights[0][0][0]: YAML float 0.1 read as its exact binary value"
                )),
        "{stdout}"
    );
}
