//! report.html: the whole run on one self-contained page (inline CSS and inline SVG, no scripts, no
//! external resources), with plots drawn from the report's own numbers. Like every writer it renders
//! results and never recomputes them; the only arithmetic is the comparison of the numbers a check
//! already reports (f64, MPFR and the exact enclosure of λ_max), done in exact rationals.
//!
//! The output depends only on the report (no clock, no environment), so the same report gives the
//! same bytes.

use super::numbers::{self, shortest as fmt_f64};
use super::{CaseReport, CheckReport, Report};
use crate::claims::evidence::{json_f64, ClassPair, Decimal, ExactEnclosure, Readings};
use crate::verdict::Verdict;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use rug::Rational;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

mod plots;
mod tables;
pub mod trajectory;
use plots::*;
use tables::*;

/// Render the page. Certificate links are the paths exactly as the report holds them.
pub fn render(r: &Report) -> String {
    render_page(r, None)
}

/// Render the page that will be written into `dir`, the report directory of the run: certificate
/// paths under `dir` (the runner writes them to `dir/certs/…`) become links relative to the page, so
/// they work wherever the directory is moved or served from. Paths elsewhere are kept as they are.
pub fn render_in(r: &Report, dir: &Path) -> String {
    render_page(r, Some(dir))
}

// ---------------------------------------------------------------------------------------------
// colors (one palette for badges, legends and plots)

const C_VERIFIED: RGBColor = RGBColor(46, 125, 50);
const C_REFUTED: RGBColor = RGBColor(216, 67, 21);
const C_INCONCLUSIVE: RGBColor = RGBColor(245, 166, 35);
const C_ERROR: RGBColor = RGBColor(97, 97, 97);
const C_UNMET: RGBColor = RGBColor(198, 40, 40);
const C_F64: RGBColor = RGBColor(21, 101, 192);
const C_MPFR: RGBColor = RGBColor(230, 81, 0);
const C_ENCL: RGBColor = RGBColor(117, 117, 117);
const C_GRID: RGBColor = RGBColor(225, 225, 225);
const C_BAND: RGBColor = RGBColor(244, 246, 250);
const C_VACUOUS: RGBColor = RGBColor(189, 189, 189);

const VERDICTS: [Verdict; 4] = [
    Verdict::Verified,
    Verdict::Refuted,
    Verdict::Inconclusive,
    Verdict::Error,
];

fn verdict_color(v: Verdict) -> RGBColor {
    match v {
        Verdict::Verified => C_VERIFIED,
        Verdict::Refuted => C_REFUTED,
        Verdict::Inconclusive => C_INCONCLUSIVE,
        Verdict::Error => C_ERROR,
    }
}

fn css_color(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

// ---------------------------------------------------------------------------------------------
// text

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// exact numbers: the report's strings ("p/q", MPFR decimals) as rationals and back as decimals

/// A short tick label.
fn fmt_tick(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if (1e-3..1e5).contains(&a) {
        let s = format!("{:.4}", x);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        format!("{x:.0e}")
    }
}

/// "10⁻¹⁶" for a tick at log10 value -16 (blank between integers).
fn pow10_label(v: f64) -> String {
    if (v - v.round()).abs() > 1e-9 {
        return String::new();
    }
    let e = v.round() as i64;
    if e == 0 {
        return "1".into();
    }
    format!("10{}", numbers::superscript(e))
}

// ---------------------------------------------------------------------------------------------
// the page

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1d1f23;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #d9dce1}
h3{font-size:16px;margin:0}
code,.num{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
.banner{border-radius:10px;padding:16px 20px;margin-bottom:14px;border:2px solid}
.banner.ok{background:#e8f5e9;border-color:#2e7d32}
.banner.bad{background:#ffebee;border-color:#c62828}
.status{font-size:22px;font-weight:700;margin:6px 0 12px}
.ok .status{color:#1b5e20}.bad .status{color:#b71c1c}
.meta{color:#555;margin:0}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile{background:#fff;border:1px solid #d9dce1;border-radius:8px;padding:6px 14px;min-width:104px}
.tile .n{display:block;font-size:24px;font-weight:700}
.tile .l{color:#555;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.nowrap{white-space:nowrap}.small{font-size:12px}
.tile.t-verified .n{color:#2e7d32}.tile.t-refuted .n{color:#d84315}.tile.t-inconclusive .n{color:#b7791f}
.tile.good{border-color:#2e7d32;background:#f1f8f1}.tile.good .n{color:#2e7d32}
.tile.alarm{border-color:#c62828;background:#fff0f0}.tile.alarm .n{color:#c62828}
nav.toc{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0 0}
nav.toc a{background:#fff;border:1px solid #d9dce1;border-radius:12px;padding:1px 9px 1px 7px;color:#1d1f23;text-decoration:none;font-size:12.5px}
nav.toc a:hover{border-color:#888}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:5px;vertical-align:1px}
.dot.ok{background:#2e7d32}.dot.bad{background:#c62828}
table{border-collapse:collapse;background:#fff;width:100%;border:1px solid #d9dce1}
th,td{padding:4px 8px;border-bottom:1px solid #e6e8eb;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600;font-size:12.5px;white-space:nowrap}
td.c,th.c{text-align:center}td.r,th.r{text-align:right}
tr.unmet td{background:#fff0f0}
tr.total td{font-weight:700;background:#f7f8fa}
.zero{color:#b0b4ba}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;white-space:nowrap}
.badge.outline{background:#fff !important;border:1px solid;color:inherit}
.v-verified{background:#2e7d32;border-color:#2e7d32}.badge.outline.v-verified{color:#2e7d32}
.v-refuted{background:#d84315;border-color:#d84315}.badge.outline.v-refuted{color:#d84315}
.v-inconclusive{background:#f5a623;color:#222;border-color:#f5a623}.badge.outline.v-inconclusive{color:#9a6500}
.v-error{background:#616161;border-color:#616161}.badge.outline.v-error{color:#616161}
.strength{font-size:11px;color:#555;text-transform:uppercase;letter-spacing:.04em}.strength.s-proved{color:#1b5e20;font-weight:700}
.met{color:#2e7d32;font-weight:700}.notmet{color:#c62828;font-weight:700}
.muted{color:#8a8f98}
.exact{color:#1b5e20}
.detail{color:#5f6670;font-size:12px;margin-top:2px}
.agree{color:#2e7d32}.disagree{color:#c62828}
section.case{background:#fff;border:1px solid #d9dce1;border-radius:8px;padding:10px 12px;margin:12px 0}
section.case.bad{border-color:#c62828;border-width:2px}
section.case header{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 14px;margin-bottom:8px}
section.case table{border:none}
table.checks{table-layout:fixed}
col.w-claim{width:182px}col.w-badge{width:98px}col.w-met{width:38px}col.w-lam{width:230px}
col.w-basis{width:100px}col.w-points{width:74px}col.w-cert{width:88px}
table.checks td{overflow-wrap:anywhere}
table.checks td:first-child code{white-space:nowrap}
.lam{display:grid;grid-template-columns:38px 1fr;column-gap:4px;row-gap:0}
.lam .k{color:#8a8f98;font-size:11px;line-height:18px}
.lam .num{font-size:12px}
table.claims{width:auto;min-width:520px;flex:0 0 auto}
.byclaim{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
.byclaim figure{flex:1 1 480px}
table.claims th,table.claims td{padding:3px 7px}
table.claims .badge{font-size:11px;padding:0 6px}
.err{background:#ffebee;border:1px solid #c62828;color:#b71c1c;padding:6px 10px;border-radius:6px}
ul.notes{margin:0 0 8px;padding-left:20px;color:#5f6670;font-size:12.5px}
.plots{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px;align-items:start}
figure{margin:0;background:#fff;border:1px solid #d9dce1;border-radius:8px;padding:10px 12px}
figure.wide{grid-column:1/-1}
figcaption{font-size:13px;color:#3c4148;margin-bottom:6px}
figcaption b{font-size:14.5px;color:#1d1f23}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;margin:4px 0 2px}
.legend span{white-space:nowrap}
.legend svg{display:inline-block;vertical-align:-2px;margin-right:4px}
details{margin-top:6px;font-size:12.5px}
details summary{cursor:pointer;color:#3c4148}
details table{margin-top:6px}
tr.case-point td{background:#f3f6fb}
table.points td{vertical-align:top}
a{color:#1565c0}
"#;

fn render_page(r: &Report, dir: Option<&Path>) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let ok = s.unmet == 0 && s.errors == 0;
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{} report — {} unmet, {} checks</title>",
        escape(&r.tool),
        s.unmet,
        s.checks
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>");

    // header: the verdict of the whole run, then the totals
    let _ = writeln!(
        out,
        "<header class=\"banner {}\" id=\"summary\">",
        if ok { "ok" } else { "bad" }
    );
    let _ = writeln!(out, "<h1>{} report</h1>", escape(&r.tool));
    let status = if ok {
        format!("✓ All {} checks met their expectations", s.checks)
    } else {
        let mut parts = Vec::new();
        if s.unmet > 0 {
            parts.push(format!(
                "{} of {} checks did not meet their expectation",
                s.unmet, s.checks
            ));
        }
        if s.errors > 0 {
            parts.push(format!(
                "{} invalid case file{}",
                s.errors,
                if s.errors == 1 { "" } else { "s" }
            ));
        }
        format!("✗ {}", parts.join("; "))
    };
    let _ = writeln!(out, "<div class=\"status\">{}</div>", escape(&status));
    let tiles: [(&str, &str, usize, &str); 9] = [
        ("cases", "cases", s.cases, ""),
        ("checks", "checks", s.checks, ""),
        ("verified", "verified", s.verified, "t-verified"),
        ("refuted", "refuted", s.refuted, "t-refuted"),
        ("proved", "proved", s.proved, ""),
        ("numerical", "numerical", s.numerical, ""),
        (
            "inconclusive",
            "inconclusive",
            s.inconclusive,
            "t-inconclusive",
        ),
        (
            "errors",
            "invalid cases",
            s.errors,
            if s.errors == 0 { "" } else { "alarm" },
        ),
        (
            "unmet",
            "unmet",
            s.unmet,
            if s.unmet == 0 { "good" } else { "alarm" },
        ),
    ];
    tile_row(&mut out, &tiles);
    let convention = if r.convention == "half" {
        "half: f(W) = ½‖PX − Y‖² (papers without the ½ have every eigenvalue doubled)".to_string()
    } else {
        r.convention.clone()
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\" style=\"margin-top:10px\">{} {} · report format v{} · convention {} · full values in <a href=\"report.json\">report.json</a></p>",
        escape(&r.tool),
        escape(&r.tool_version),
        r.version,
        escape(&convention)
    );
    out.push_str("</header>\n");

    // contents: one chip per case, red when something in it failed
    if !r.cases.is_empty() {
        out.push_str("<nav class=\"toc\" aria-label=\"cases\">\n");
        for (i, c) in r.cases.iter().enumerate() {
            let good = case_ok(c);
            let _ = writeln!(
                out,
                "<a href=\"#case-{}\"><span class=\"dot {}\"></span>{}</a>",
                i + 1,
                if good { "ok" } else { "bad" },
                escape(&c.name)
            );
        }
        out.push_str("</nav>\n");
    }

    claim_table(&mut out, r);
    plots(&mut out, r);

    let _ = writeln!(out, "<h2 id=\"cases\">By case</h2>");
    for (i, c) in r.cases.iter().enumerate() {
        case_section(&mut out, i, c, dir);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The row of summary tiles under a page's banner: one tile per (id, label, count, extra class),
/// the count large over its label, each with the id `total-{id}`.
fn tile_row(out: &mut String, tiles: &[(&str, &str, usize, &str)]) {
    out.push_str("<div class=\"tiles\">\n");
    for (id, label, n, class) in tiles {
        let _ = writeln!(
            out,
            "<div class=\"tile {class}\" id=\"total-{id}\"><span class=\"n\">{n}</span><span class=\"l\">{}</span></div>",
            escape(label)
        );
    }
    out.push_str("</div>\n");
}

fn case_ok(c: &CaseReport) -> bool {
    c.status != "error" && c.checks.iter().all(|k| k.met)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::evidence::{parse_rational, Values};
    use serde_json::{json, Value};

    fn check(claim: &str, verdict: Verdict, met: bool, values: Value) -> CheckReport {
        let values = Box::new(Values::from_map(
            values.as_object().cloned().unwrap_or_default(),
        ));
        CheckReport {
            claim: claim.into(),
            verdict,
            strength: (verdict == Verdict::Verified || verdict == Verdict::Refuted)
                .then_some(crate::verdict::Strength::Proved),
            expect: Some(if met { verdict } else { Verdict::Verified }),
            expect_strength: None,
            met,
            reason: Some("a <b>reason</b> & \"quotes\"".into()),
            values,
            certificate: Some("out/certs/x<y>--KP-exact.json".into()),
            certificate_sha256: None,
            seconds: None,
        }
    }

    fn sample(met: bool) -> Report {
        let case = CaseReport {
            name: "case <script>alert(1)</script>".into(),
            file: "cases/a&b.yaml".into(),
            status: "ok".into(),
            error: None,
            errors: Vec::new(),
            seed: Some(3),
            precision_bits: Some(256),
            notes: vec!["note <i>".into()],
            skipped: None,
            checks: vec![
                check(
                    "KP-exact",
                    Verdict::Refuted,
                    met,
                    json!({
                        "basis": "exact",
                        "lambda_max_f64": 6.618033988749897,
                        "lambda_max_f64_tolerance": 5e-13,
                        "lambda_max_mpfr": "6.6180339887498948482045868343656381177203091798057628621354486227052604628192",
                        "lambda_max_mpfr_tolerance": 4.4e-74,
                        "lambda_max_enclosure": ["119219901622637215/18014398509481984", "238439803245274483/36028797018963968"],
                        "min_sharpness_f64": 4.0,
                    }),
                ),
                check(
                    "AMG-classify",
                    Verdict::Verified,
                    true,
                    json!({"points": 4, "points_holding": 3, "points_vacuous": 1,
                           "class_by_criterion": "strict-saddle", "class_by_certificate": "strict-saddle"}),
                ),
            ],
            stopped: None,
            deselected: Vec::new(),
            diagnostic: None,
        };
        let bad = CaseReport {
            name: "broken".into(),
            file: "cases/broken.yaml".into(),
            status: "error".into(),
            errors: Vec::new(),
            error: Some("field `x` at line 3: <bad>".into()),
            seed: None,
            precision_bits: None,
            notes: vec![],
            checks: vec![],
            skipped: None,
            stopped: None,
            deselected: Vec::new(),
            diagnostic: None,
        };
        Report::new(vec![case, bad])
    }

    #[test]
    fn point_tables_are_folded_under_their_check_case_point_marked() {
        let mut r = sample(true);
        let row = |label: &str, case: bool, verdict: &str| {
            json!({"label": label, "case_point": case, "verdict": verdict,
                   "strength": "proved", "basis": "exact", "reason": null, "certificate": 0,
                   "figures": {"lambda_max_enclosure": ["91/9", "91/9"], "lambda_max_f64": 10.11111111111111,
                               "index_set": "{1}"}})
        };
        let values = json!({"points": 2, "points_holding": 2, "points_vacuous": 0,
            "point_table": [row("the case's point", true, "holds"), row("minimizer <2>", false, "holds")]});
        r.cases[0].checks[1] = check("KP-exact", Verdict::Verified, true, values);
        let rows = r.cases[0].checks[1].values.point_table.as_ref().unwrap();
        assert_eq!(rows.len(), 2, "the table is typed");
        let html = render(&r);
        assert_eq!(
            html.matches("<details><summary>2 points, the case's point first")
                .count(),
            1
        );
        assert!(
            html.contains("<tr class=\"point case-point\"><td><b>the case&#39;s point</b>")
                || html.contains("<tr class=\"point case-point\"><td><b>the case's point</b>"),
            "{html}"
        );
        assert!(html.contains("minimizer &lt;2&gt;"));
        assert!(html.contains("lambda_max = 91/9"));
        let md = crate::report::markdown::render(&r);
        assert!(
            md.contains("<details><summary>KP-exact: 2 points, the case's point first</summary>")
        );
        assert!(md.contains("| **the case's point** (case) | holds | proved | point 0 | lambda_max = 91/9; index_set = {1} |"), "{md}");
    }

    #[test]
    fn exact_texts_parse_and_ticks_are_powers_of_ten() {
        let q = |s: &str| parse_rational(s).unwrap();
        assert_eq!(q("-0.25"), Rational::from((-1, 4)));
        assert!(parse_rational("abc").is_none());
        assert!(parse_rational("").is_none());
        assert_eq!(pow10_label(-16.0), "10⁻¹⁶");
        assert_eq!(pow10_label(-15.5), "");
    }

    #[test]
    fn text_is_escaped_and_failures_are_red() {
        let html = render(&sample(false));
        assert!(!html.contains("<script>"));
        assert!(html.contains("case &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("a &lt;b&gt;reason&lt;/b&gt; &amp; &quot;quotes&quot;"));
        assert!(html.contains("field `x` at line 3: &lt;bad&gt;"));
        assert!(html.contains("class=\"banner bad\""));
        assert!(html.contains("href=\"out/certs/x%3Cy%3E--KP-exact.json\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
        for id in [
            "plot-verdicts",
            "plot-agreement",
            "plot-sharpness",
            "plot-classes",
        ] {
            assert!(
                html.contains(&format!("<figure id=\"{id}\"")),
                "{id} missing"
            );
        }
        // the midpoint of the golden enclosure is about 1e-16 from f64: the point is drawn
        let failing = sample(false);
        let (pts, skipped) = agreement_points(&failing);
        assert_eq!((pts.len(), skipped), (1, 0));
        assert!(pts[0].rel_f64.unwrap() < 1e-14 && pts[0].half_width > 0.0);
    }

    #[test]
    fn passing_run_is_green_and_output_is_deterministic() {
        let mut r = sample(true);
        r.cases.pop();
        let r = Report::new(r.cases);
        let a = render(&r);
        assert!(a.contains("class=\"banner ok\""));
        assert_eq!(a, render(&r.clone()));
        let b = render_in(&r, Path::new("out"));
        assert!(b.contains("href=\"certs/x%3Cy%3E--KP-exact.json\""));
    }

    #[test]
    fn empty_report_has_no_plots() {
        let html = render(&Report::new(vec![]));
        assert!(!html.contains("<figure"));
        assert!(html.contains("class=\"banner ok\""));
    }
}
