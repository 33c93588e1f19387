//! report.html: the whole run on one self-contained page (inline CSS and inline SVG, no scripts, no
//! external resources), with plots drawn from the report's own numbers. Like every writer it renders
//! results and never recomputes them; the only arithmetic is the comparison of the numbers a check
//! already reports (f64, MPFR and the exact enclosure of λ_max), done in exact rationals.
//!
//! The output depends only on the report (no clock, no environment), so the same report gives the
//! same bytes.

use super::{CaseReport, CheckReport, Report};
use crate::claims::evidence::{json_f64, pow10, ClassPair, Decimal, ExactEnclosure, Readings};
use crate::verdict::Verdict;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use rug::{Integer, Rational};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

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

/// A value of `values` as plain text (for tooltips and the data tables).
pub(crate) fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(plain).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// exact numbers: the report's strings ("p/q", MPFR decimals) as rationals and back as decimals

/// How to cut a decimal expansion.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Cut {
    /// toward −∞ (lower ends of enclosures)
    Floor,
    /// toward +∞ (upper ends of enclosures)
    Ceil,
    /// toward zero (leading digits of a long value, shown with "…")
    Trunc,
}

/// `q` with `sig` significant decimal digits, cut as asked; the flag says whether the digits are
/// exact (then trailing zeros are dropped). Plain notation for exponents in -5..21, else d.ddde±x.
pub(crate) fn decimal(q: &Rational, sig: usize, cut: Cut) -> (String, bool) {
    if *q == 0 {
        return ("0".into(), true);
    }
    let neg = *q < 0;
    let a = Rational::from(q.abs_ref());
    // e = ⌊log10 |q|⌋: start from the digit counts, then correct by comparison
    let len = |n: &Integer| n.to_string_radix(10).len() as i64;
    let mut e = len(a.numer()) - len(a.denom());
    while a < pow10(e) {
        e -= 1;
    }
    while a >= pow10(e + 1) {
        e += 1;
    }
    let scaled: Rational = q * pow10(sig as i64 - 1 - e);
    let exact = *scaled.denom() == 1;
    let cut_value = match cut {
        Cut::Floor => scaled.floor(),
        Cut::Ceil => scaled.ceil(),
        Cut::Trunc => scaled.trunc(),
    };
    let mut n = Integer::from(cut_value.numer().abs_ref());
    if n == Integer::from(Integer::u_pow_u(10, sig as u32)) {
        // rounding up carried into a new digit
        n /= 10;
        e += 1;
    }
    let mut digits = n.to_string_radix(10);
    if exact {
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
        }
    }
    (place_point(neg, &digits, e), exact)
}

/// Digits d1 d2 … with the first at decimal exponent e, written out.
fn place_point(neg: bool, digits: &str, e: i64) -> String {
    let sign = if neg { "-" } else { "" };
    let (head, tail) = digits.split_at(1);
    if !(-5..21).contains(&e) {
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        return format!("{sign}{head}{tail}e{e}");
    }
    if e < 0 {
        let zeros = "0".repeat((-e - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let e = e as usize;
    if digits.len() <= e + 1 {
        let zeros = "0".repeat(e + 1 - digits.len());
        format!("{sign}{digits}{zeros}")
    } else {
        format!("{sign}{}.{}", &digits[..=e], &digits[e + 1..])
    }
}

/// The leading `sig` digits of an exact value, with "…" when more follow.
pub(crate) fn leading(q: &Rational, sig: usize) -> String {
    let (s, exact) = decimal(q, sig, Cut::Trunc);
    if exact {
        s
    } else {
        s + "…"
    }
}

/// An f64 the way Rust prints it (shortest round-trip), in exponent form when very large or small.
pub(crate) fn fmt_f64(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || (1e-4..1e16).contains(&a) || !x.is_finite() {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

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
    let sup: String = e
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("10{sup}")
}

// ---------------------------------------------------------------------------------------------
// table cells

fn badge(v: Verdict) -> String {
    format!("<span class=\"badge v-{0}\">{0}</span>", escape(v.as_str()))
}

/// The verdict's badge followed by its strength (proved, numerical, simulated).
fn verdict_badge(k: &CheckReport) -> String {
    match k.strength {
        Some(s) => format!(
            "{}<br><span class=\"strength s-{1}\" title=\"strength of the verdict (design.md)\">{1}</span>",
            badge(k.verdict),
            escape(s.as_str()),
        ),
        None => badge(k.verdict),
    }
}

/// "—" for a value the check does not report.
const DASH: &str = "<span class=\"muted\">—</span>";

fn f64_cell(r: &Readings) -> String {
    if !r.f64.is_finite() {
        return DASH.into();
    }
    let tol = match r.f64_tolerance.filter(|t| t.is_finite()) {
        Some(t) => format!(" ± {}", fmt_f64(t)),
        None => String::new(),
    };
    format!(
        "<span class=\"num\" title=\"{}{}\">{}</span>",
        escape(&json_f64(r.f64).to_string()),
        escape(&tol),
        escape(&fmt_f64(r.f64))
    )
}

fn mpfr_cell(r: &Readings) -> String {
    match &r.mpfr {
        None => DASH.into(),
        Some(Decimal {
            text,
            value: Some(q),
        }) => format!(
            "<span class=\"num\" title=\"{}\">{}</span>",
            escape(text),
            escape(&leading(q, 20))
        ),
        Some(Decimal { text, value: None }) => {
            format!("<span class=\"num\">{}</span>", escape(text))
        }
    }
}

/// An enclosure as the JSON shows it: "[lo, hi]".
fn enclosure_text(e: &ExactEnclosure) -> String {
    format!("[{}, {}]", e.text[0], e.text[1])
}

fn enclosure_cell(r: &Readings) -> String {
    match &r.enclosure {
        Some(e) if e.lo == e.hi => format!(
            "<span class=\"num exact\" title=\"exact: {}\">{}</span>",
            escape(&enclosure_text(e)),
            escape(&leading(&e.lo, 20))
        ),
        Some(e) => format!(
            "<span class=\"num\" title=\"{}\">[{}, {}]</span>",
            escape(&enclosure_text(e)),
            escape(&decimal(&e.lo, 17, Cut::Floor).0),
            escape(&decimal(&e.hi, 17, Cut::Ceil).0)
        ),
        None => DASH.into(),
    }
}

fn points_cell(k: &CheckReport) -> String {
    let Some(t) = k.values.tally() else {
        return DASH.into();
    };
    let (n, h) = (t.points, t.holding);
    let vac = if t.vacuous > 0 {
        format!(
            "<br><span class=\"muted small nowrap\">{} vacuous</span>",
            t.vacuous
        )
    } else {
        String::new()
    };
    format!("<span title=\"the claim holds at {h} of {n} points\">{h}/{n}</span>{vac}")
}

/// The certificate's link: relative to the page when the path lies under the report directory.
fn cert_href(path: &str, dir: Option<&Path>) -> String {
    if let Some(rel) = dir.and_then(|d| Path::new(path).strip_prefix(d).ok()) {
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return parts.join("/");
    }
    path.to_string()
}

/// A relative URL for a path: characters that would end or change the URL are percent-encoded.
fn url_path(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        match b {
            b'%' | b'#' | b'?' | b' ' | b'"' | b'<' | b'>' | b'\'' | b'\\' => {
                let _ = write!(out, "%{b:02X}");
            }
            _ => out.push(b as char),
        }
    }
    out
}

fn detail_lines(k: &CheckReport) -> String {
    let mut lines = Vec::new();
    if let Some(ClassPair {
        criterion: a,
        certificate: b,
        ..
    }) = &k.values.classes
    {
        let (cls, rel) = if a == b {
            ("agree", "=")
        } else {
            ("disagree", "≠")
        };
        lines.push(format!(
            "<span class=\"{cls}\">class by criterion <b>{}</b> {rel} by certificate <b>{}</b></span>",
            escape(a),
            escape(b)
        ));
    }
    if let Some(detail) = k.values.classes.as_ref().and_then(|c| c.detail.as_ref()) {
        lines.push(format!("certificate: {}", escape(detail)));
    }
    if let Some(d) = &k.values.decisive_point {
        lines.push(format!("decisive point: {}", escape(d)));
    }
    if lines.is_empty() {
        return String::new();
    }
    format!("<div class=\"detail\">{}</div>", lines.join("<br>"))
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
    out.push_str("<div class=\"tiles\">\n");
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
    for (id, label, n, class) in tiles {
        let _ = writeln!(
            out,
            "<div class=\"tile {class}\" id=\"total-{id}\"><span class=\"n\">{n}</span><span class=\"l\">{label}</span></div>"
        );
    }
    out.push_str("</div>\n");
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

fn case_ok(c: &CaseReport) -> bool {
    c.status != "error" && c.checks.iter().all(|k| k.met)
}

/// Counts per claim: verified, refuted, inconclusive, error, unmet.
fn per_claim(r: &Report) -> BTreeMap<&str, [usize; 5]> {
    let mut m: BTreeMap<&str, [usize; 5]> = BTreeMap::new();
    for c in &r.cases {
        for k in &c.checks {
            let e = m.entry(&k.claim).or_default();
            e[k.verdict as usize] += 1;
            e[4] += usize::from(!k.met);
        }
    }
    m
}

fn count_cell(n: usize, alarm: bool) -> String {
    if n == 0 {
        "<td class=\"r zero\">0</td>".into()
    } else if alarm {
        format!("<td class=\"r notmet\">{n}</td>")
    } else {
        format!("<td class=\"r\">{n}</td>")
    }
}

fn claim_table(out: &mut String, r: &Report) {
    let _ = writeln!(out, "<h2 id=\"claims\">By claim</h2>");
    let m = per_claim(r);
    if m.is_empty() {
        out.push_str("<p class=\"muted\">No checks ran.</p>\n");
        return;
    }
    out.push_str("<div class=\"byclaim\">\n<table class=\"claims\">\n<thead><tr><th>claim</th>");
    for v in VERDICTS {
        let _ = write!(out, "<th class=\"r\">{}</th>", badge(v));
    }
    out.push_str("<th class=\"r\">unmet</th><th class=\"r\">checks</th></tr></thead>\n<tbody>\n");
    for (claim, n) in &m {
        let total: usize = n[..4].iter().sum();
        let _ = write!(
            out,
            "<tr{}><td><code>{}</code></td>",
            if n[4] > 0 { " class=\"unmet\"" } else { "" },
            escape(claim)
        );
        for x in &n[..4] {
            out.push_str(&count_cell(*x, false));
        }
        out.push_str(&count_cell(n[4], true));
        let _ = writeln!(out, "<td class=\"r\">{total}</td></tr>");
    }
    let s = &r.summary;
    let errors = s.checks - s.verified - s.refuted - s.inconclusive;
    let _ = write!(
        out,
        "<tr class=\"total\"><td>all ({} cases, {} invalid)</td>",
        s.cases, s.errors
    );
    for x in [s.verified, s.refuted, s.inconclusive, errors] {
        out.push_str(&count_cell(x, false));
    }
    out.push_str(&count_cell(s.unmet, true));
    let _ = writeln!(
        out,
        "<td class=\"r\">{}</td></tr>\n</tbody>\n</table>",
        s.checks
    );
    verdict_plot(out, r);
    out.push_str("</div>\n");
}

fn case_section(out: &mut String, i: usize, c: &CaseReport, dir: Option<&Path>) {
    let good = case_ok(c);
    let _ = writeln!(
        out,
        "<section class=\"case{}\" id=\"case-{}\">",
        if good { "" } else { " bad" },
        i + 1
    );
    let mut meta = vec![format!("<code>{}</code>", escape(&c.file))];
    if let Some(seed) = c.seed {
        meta.push(format!("seed {seed}"));
    }
    if let Some(p) = c.precision_bits {
        meta.push(format!("MPFR {p} bits"));
    }
    let met = c.checks.iter().filter(|k| k.met).count();
    if c.status == "error" {
        meta.push("<span class=\"notmet\">invalid case</span>".into());
    } else {
        meta.push(format!(
            "<span class=\"{}\">{met}/{} met</span>",
            if good { "met" } else { "notmet" },
            c.checks.len()
        ));
    }
    let _ = writeln!(
        out,
        "<header><h3><span class=\"dot {}\"></span>{}</h3><span class=\"muted\">{}</span></header>",
        if good { "ok" } else { "bad" },
        escape(&c.name),
        meta.join(" · ")
    );
    if let Some(e) = &c.error {
        let _ = writeln!(out, "<div class=\"err\">{}</div>", escape(e));
    }
    if let Some(why) = &c.skipped {
        let _ = writeln!(out, "<p class=\"muted\">skipped: {}</p>", escape(why));
    }
    if !c.notes.is_empty() {
        out.push_str("<ul class=\"notes\">");
        for n in &c.notes {
            let _ = write!(out, "<li>{}</li>", escape(n));
        }
        out.push_str("</ul>\n");
    }
    if !c.checks.is_empty() {
        let lam = c.checks.iter().any(|k| k.values.lambda_max().is_some());
        out.push_str("<table class=\"checks\">\n<colgroup><col class=\"w-claim\"><col class=\"w-badge\"><col class=\"w-badge\"><col class=\"w-met\">");
        if lam {
            out.push_str("<col class=\"w-lam\">");
        }
        out.push_str("<col class=\"w-basis\"><col class=\"w-points\"><col><col class=\"w-cert\"></colgroup>\n");
        out.push_str(
            "<thead><tr><th>claim</th><th>verdict</th><th>expected</th><th class=\"c\">met</th>",
        );
        if lam {
            out.push_str("<th>λ<sub>max</sub>: f64 / MPFR / enclosure</th>");
        }
        out.push_str("<th>basis</th><th>points</th><th>reason</th><th>certificate</th></tr></thead>\n<tbody>\n");
        for k in &c.checks {
            check_row(out, k, lam, dir);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// λ_max three ways, one per line.
fn lambda_cell(k: &CheckReport) -> String {
    let Some(r) = k.values.lambda_max() else {
        return DASH.into();
    };
    format!(
        "<div class=\"lam\"><span class=\"k\">f64</span>{}<span class=\"k\">MPFR</span>{}<span class=\"k\">encl.</span>{}</div>",
        f64_cell(r),
        mpfr_cell(r),
        enclosure_cell(r)
    )
}

fn check_row(out: &mut String, k: &CheckReport, lam: bool, dir: Option<&Path>) {
    let expect = match k.expect {
        Some(v) => format!(
            "<span class=\"badge outline v-{}\">{}</span>",
            escape(v.as_str()),
            escape(super::markdown::expect_cell(k))
        ),
        None => "<span class=\"muted\" title=\"no expectation: met means the check ran without error\">—</span>".into(),
    };
    let met = if k.met {
        "<span class=\"met\" title=\"met\">✓</span>"
    } else {
        "<span class=\"notmet\" title=\"not met\">✗</span>"
    };
    let basis = match &k.values.basis {
        Some(b) => escape(&b.name),
        None => DASH.into(),
    };
    let reason = match &k.reason {
        Some(t) => escape(t),
        None => String::new(),
    };
    let cert = match &k.certificate {
        Some(p) => format!(
            "<a href=\"{}\" title=\"{}\">certificate</a>",
            escape(&url_path(&cert_href(p, dir))),
            escape(p)
        ),
        None => DASH.into(),
    };
    let lam = if lam {
        format!("<td>{}</td>", lambda_cell(k))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<tr class=\"check{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"c\">{}</td>{}<td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
        if k.met { "" } else { " unmet" },
        escape(&k.claim),
        verdict_badge(k),
        expect,
        met,
        lam,
        basis,
        points_cell(k),
        reason,
        detail_lines(k),
        cert
    );
}

// ---------------------------------------------------------------------------------------------
// plots

type PlotResult = Result<(), Box<dyn std::error::Error>>;

/// Draw into an SVG string; the SVG is inline HTML, so it carries no namespace URL.
fn svg(
    w: u32,
    h: u32,
    label: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> PlotResult,
) -> String {
    let mut buf = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| e.to_string().into())
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(|e| e.to_string().into()))
    };
    match result {
        Ok(()) => buf.replacen(
            " xmlns=\"http://www.w3.org/2000/svg\"",
            &format!(" role=\"img\" aria-label=\"{}\"", escape(label)),
            1,
        ),
        Err(e) => format!(
            "<p class=\"err\">the plot could not be drawn: {}</p>",
            escape(&e.to_string())
        ),
    }
}

fn text_style(size: f64) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(&RGBColor(40, 40, 40))
}

/// A legend entry drawn in HTML (a small inline SVG swatch and the text).
fn key(swatch: &str, text: &str) -> String {
    format!(
        "<span><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">{swatch}</svg>{}</span>",
        escape(text)
    )
}

fn key_box(c: RGBColor, text: &str) -> String {
    key(
        &format!(
            "<rect x=\"1\" y=\"2\" width=\"12\" height=\"10\" fill=\"{}\"/>",
            css_color(c)
        ),
        text,
    )
}

fn figure(out: &mut String, id: &str, wide: bool, caption: &str, legend: &[String], body: &str) {
    let _ = writeln!(
        out,
        "<figure id=\"{id}\"{}>\n<figcaption>{caption}</figcaption>",
        if wide { " class=\"wide\"" } else { "" }
    );
    if !legend.is_empty() {
        let _ = writeln!(out, "<div class=\"legend\">{}</div>", legend.join(""));
    }
    out.push_str(body);
    out.push_str("</figure>\n");
}

fn plots(out: &mut String, r: &Report) {
    let mut figs = String::new();
    sharpness_plot(&mut figs, r);
    agreement_plot(&mut figs, r);
    classes_plot(&mut figs, r);
    if figs.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2 id=\"plots\">Plots</h2>\n<div class=\"plots\">");
    out.push_str(&figs);
    out.push_str("</div>\n");
}

/// Horizontal stacked bars with one row per label (top to bottom in the given order).
struct Bars<'a> {
    labels: Vec<String>,
    /// per row: (value, color) segments, left to right
    segments: Vec<Vec<(usize, RGBColor)>>,
    /// per row: text after the bar (and its color)
    notes: Vec<Option<(String, RGBColor)>>,
    x_desc: &'a str,
}

fn bars_svg(b: &Bars, width: u32, aria: &str) -> String {
    let n = b.labels.len();
    let row = 22u32;
    let height = row * n as u32 + 64;
    let longest = b
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4);
    let label_w = (longest as u32 * 7 + 16).clamp(60, 320);
    let total_max = b
        .segments
        .iter()
        .map(|s| s.iter().map(|x| x.0).sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let note_room = if b.notes.iter().any(Option::is_some) {
        1.35
    } else {
        1.05
    };
    let x_max = (total_max as f64 * note_room).max(1.0);
    svg(width, height, aria, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(8)
            .margin_right(16)
            .margin_left(4)
            .x_label_area_size(40)
            .y_label_area_size(label_w)
            .build_cartesian_2d(0f64..x_max, (0..n as i32).into_segmented())?;
        let labels = b.labels.clone();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(C_GRID)
            .axis_style(RGBColor(120, 120, 120))
            .x_labels(8)
            .y_labels(n)
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-9 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if (*i as usize) < labels.len() => {
                    labels[labels.len() - 1 - *i as usize].clone()
                }
                _ => String::new(),
            })
            .x_desc(b.x_desc)
            .label_style(text_style(16.0))
            .axis_desc_style(text_style(16.0))
            .draw()?;
        for (r, segs) in b.segments.iter().enumerate() {
            let y = (n - 1 - r) as i32;
            let mut x0 = 0usize;
            for &(v, color) in segs {
                if v == 0 {
                    continue;
                }
                let mut rect = Rectangle::new(
                    [
                        (x0 as f64, SegmentValue::Exact(y)),
                        ((x0 + v) as f64, SegmentValue::Exact(y + 1)),
                    ],
                    color.filled(),
                );
                rect.set_margin(3, 3, 0, 0);
                chart.draw_series(std::iter::once(rect))?;
                x0 += v;
            }
            if let Some((text, color)) = &b.notes[r] {
                chart.draw_series(std::iter::once(Text::new(
                    text.clone(),
                    (
                        x0 as f64 + total_max as f64 * 0.015,
                        SegmentValue::CenterOf(y),
                    ),
                    text_style(15.0)
                        .color(color)
                        .pos(plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Left,
                            plotters::style::text_anchor::VPos::Center,
                        )),
                )))?;
            }
        }
        Ok(())
    })
}

fn verdict_plot(out: &mut String, r: &Report) {
    let m = per_claim(r);
    if m.is_empty() {
        return;
    }
    let mut bars = Bars {
        labels: Vec::new(),
        segments: Vec::new(),
        notes: Vec::new(),
        x_desc: "checks",
    };
    for (claim, n) in &m {
        bars.labels.push(claim.to_string());
        bars.segments.push(
            VERDICTS
                .iter()
                .map(|&v| (n[v as usize], verdict_color(v)))
                .collect(),
        );
        bars.notes
            .push((n[4] > 0).then(|| (format!("{} unmet", n[4]), C_UNMET)));
    }
    let legend: Vec<String> = VERDICTS
        .iter()
        .map(|&v| key_box(verdict_color(v), v.as_str()))
        .collect();
    let caption = format!(
        "<b>Verdicts by claim.</b> {} checks of {} claims; a claim's bar is its checks by verdict. \
         Refuted is a finding, not a failure: a check fails only when its verdict differs from the case's \
         expectation (“unmet”, marked in red after the bar) — {} here.",
        r.summary.checks,
        m.len(),
        r.summary.unmet
    );
    let body = bars_svg(&bars, 520, "verdicts by claim");
    figure(out, "plot-verdicts", false, &caption, &legend, &body);
}

// -- λ_max: f64 and MPFR against the exact enclosure ------------------------------------------

struct Agreement<'a> {
    case: &'a str,
    claim: &'a str,
    f64_text: String,
    mpfr_text: String,
    enclosure_text: String,
    /// relative differences from the enclosure midpoint (None: the value is missing)
    rel_f64: Option<f64>,
    rel_mpfr: Option<f64>,
    /// the f64 and MPFR tolerances, relative to the midpoint
    tol_f64: Option<f64>,
    tol_mpfr: Option<f64>,
    /// the enclosure's half-width, relative to the midpoint
    half_width: f64,
    /// whether the differences are absolute (the midpoint is 0)
    absolute: bool,
}

fn agreement_points(r: &Report) -> (Vec<Agreement<'_>>, usize) {
    let mut pts = Vec::new();
    let mut skipped = 0;
    for c in &r.cases {
        for k in &c.checks {
            let Some(v) = k.values.lambda_max() else {
                continue;
            };
            let Some(enc) = &v.enclosure else {
                skipped += 1;
                continue;
            };
            let mid = Rational::from(&enc.lo + &enc.hi) / 2u32;
            let absolute = mid == 0;
            let scale = if absolute {
                Rational::from(1)
            } else {
                Rational::from(mid.abs_ref())
            };
            let rel = |x: &Rational| (Rational::from(x - &mid).abs() / &scale).to_f64();
            let mpfr = v.mpfr.as_ref().and_then(|d| d.value.as_ref());
            let tol = |t: f64| Rational::from_f64(t).map(|t| (t / &scale).to_f64());
            pts.push(Agreement {
                case: &c.name,
                claim: &k.claim,
                f64_text: json_f64(v.f64).to_string(),
                mpfr_text: mpfr.map(|q| leading(q, 20)).unwrap_or_default(),
                enclosure_text: enclosure_text(enc),
                rel_f64: Rational::from_f64(v.f64).map(|x| rel(&x)),
                rel_mpfr: mpfr.map(rel),
                tol_f64: v.f64_tolerance.and_then(tol),
                tol_mpfr: v.mpfr_tolerance.and_then(tol),
                half_width: (Rational::from(&enc.hi - &enc.lo) / 2u32 / &scale).to_f64(),
                absolute,
            });
        }
    }
    (pts, skipped)
}

fn log10_or(x: f64, floor: f64) -> f64 {
    if x > 0.0 {
        x.log10().max(floor)
    } else {
        floor
    }
}

fn agreement_plot(out: &mut String, r: &Report) {
    let (pts, skipped) = agreement_points(r);
    if pts.is_empty() {
        return;
    }
    // the lowest nonzero value sets the floor; exact zeros are drawn hollow on it
    let all: Vec<f64> = pts
        .iter()
        .flat_map(|p| {
            [
                p.rel_f64,
                p.rel_mpfr,
                p.tol_f64,
                p.tol_mpfr,
                Some(p.half_width),
            ]
        })
        .flatten()
        .filter(|x| *x > 0.0 && x.is_finite())
        .collect();
    let lowest = all.iter().cloned().fold(f64::INFINITY, f64::min);
    let highest = all.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let (floor, top) = if lowest.is_finite() {
        (
            (lowest.log10() / 10.0).floor() * 10.0 - 5.0,
            ((highest.log10() + 1.0) / 5.0).ceil() * 5.0,
        )
    } else {
        (-20.0, 0.0)
    };
    let floor = floor.max(-320.0);
    let top = top.max(floor + 10.0);
    let n = pts.len();
    // alternate background bands group the points of one case
    let mut bands = Vec::new();
    let mut start = 0;
    for i in 1..=n {
        if i == n || pts[i].case != pts[start].case {
            bands.push((start, i));
            start = i;
        }
    }
    let zeros_f64 = pts.iter().filter(|p| p.rel_f64 == Some(0.0)).count();
    let zeros_mpfr = pts.iter().filter(|p| p.rel_mpfr == Some(0.0)).count();
    let body = svg(600, 470, "lambda_max agreement", |root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(10)
            .margin_right(20)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(0.5f64..n as f64 + 0.5, floor..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(C_GRID)
            .axis_style(RGBColor(120, 120, 120))
            .x_labels(n.min(14))
            .y_labels(((top - floor) / 10.0).round() as usize + 1)
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-9 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| pow10_label(*v))
            .x_desc("check # (shaded bands: the checks of one case)")
            .y_desc("relative difference from the midpoint")
            .label_style(text_style(16.0))
            .axis_desc_style(text_style(16.0))
            .draw()?;
        for (b, &(s, e)) in bands.iter().enumerate() {
            if b % 2 == 1 {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(s as f64 + 0.5, floor), (e as f64 + 0.5, top)],
                    C_BAND.filled(),
                )))?;
            }
        }
        for (i, p) in pts.iter().enumerate() {
            let x = i as f64 + 1.0;
            let dash = |v: f64, c: RGBAColor| {
                PathElement::new(
                    vec![
                        (x - 0.38, log10_or(v, floor)),
                        (x + 0.38, log10_or(v, floor)),
                    ],
                    c.stroke_width(2),
                )
            };
            if let Some(t) = p.tol_f64 {
                chart.draw_series(std::iter::once(dash(t, C_F64.mix(0.55))))?;
            }
            if let Some(t) = p.tol_mpfr {
                chart.draw_series(std::iter::once(dash(t, C_MPFR.mix(0.55))))?;
            }
            if p.half_width > 0.0 {
                chart.draw_series(std::iter::once(Cross::new(
                    (x, log10_or(p.half_width, floor)),
                    4,
                    C_ENCL.stroke_width(2),
                )))?;
            }
            if let Some(v) = p.rel_mpfr {
                let at = (x, log10_or(v, floor));
                if v > 0.0 {
                    chart.draw_series(std::iter::once(TriangleMarker::new(
                        at,
                        6,
                        C_MPFR.filled(),
                    )))?;
                } else {
                    // hollow: exactly zero (TriangleMarker is always filled)
                    chart.draw_series(std::iter::once(
                        EmptyElement::at(at)
                            + PathElement::new(
                                vec![(0, -6), (5, 3), (-5, 3), (0, -6)],
                                C_MPFR.stroke_width(2),
                            ),
                    ))?;
                }
            }
            if let Some(v) = p.rel_f64 {
                let style = if v > 0.0 {
                    C_F64.filled()
                } else {
                    C_F64.stroke_width(2)
                };
                chart.draw_series(std::iter::once(Circle::new(
                    (x, log10_or(v, floor)),
                    4,
                    style,
                )))?;
            }
        }
        Ok(())
    });
    let f64c = css_color(C_F64);
    let mpc = css_color(C_MPFR);
    let legend = vec![
        key(
            &format!("<circle cx=\"7\" cy=\"7\" r=\"4.5\" fill=\"{f64c}\"/>"),
            "|f64 − mid| / |mid|",
        ),
        key(
            &format!("<path d=\"M7 1.5 L12.5 11.5 L1.5 11.5 Z\" fill=\"{mpc}\"/>"),
            "|MPFR − mid| / |mid|",
        ),
        key(
            &format!("<path d=\"M1 7 H13\" stroke=\"{f64c}\" stroke-opacity=\"0.55\" stroke-width=\"2.5\"/>"),
            "f64 tolerance (relative)",
        ),
        key(
            &format!("<path d=\"M1 7 H13\" stroke=\"{mpc}\" stroke-opacity=\"0.55\" stroke-width=\"2.5\"/>"),
            "MPFR tolerance (relative)",
        ),
        key(
            &format!(
                "<path d=\"M3 3 L11 11 M11 3 L3 11\" stroke=\"{}\" stroke-width=\"2\"/>",
                css_color(C_ENCL)
            ),
            "enclosure half-width (relative)",
        ),
        key(
            &format!("<circle cx=\"7\" cy=\"7\" r=\"4\" fill=\"none\" stroke=\"{f64c}\" stroke-width=\"2\"/>"),
            "hollow on the bottom edge: exactly 0",
        ),
    ];
    let within = pts
        .iter()
        .filter(|p| match (p.rel_f64, p.tol_f64) {
            (Some(v), Some(t)) => v <= t + p.half_width,
            _ => true,
        })
        .count();
    let mut caption = format!(
        "<b>λ<sub>max</sub>: f64 and MPFR against the exact enclosure.</b> One point per check that \
         reports λ<sub>max</sub> ({n}); log scale. Each marker is the distance of the f64 or MPFR value \
         from the midpoint of the certified enclosure; a marker below its tolerance dash means that \
         value agrees with the exact one. f64 within tolerance (+ enclosure half-width): {within} of {n}. \
         Exactly equal: f64 {zeros_f64}, MPFR {zeros_mpfr}."
    );
    if skipped > 0 {
        let _ = write!(
            caption,
            " Not shown: {skipped} checks without an exact enclosure (inputs not exact rationals)."
        );
    }
    if pts.iter().any(|p| p.absolute) {
        caption.push_str(" Where the midpoint is 0 the differences are absolute.");
    }
    let mut details = format!(
        "<details><summary>the {n} points</summary><table><thead><tr><th class=\"r\">#</th><th>case</th>\
         <th>claim</th><th>f64</th><th>MPFR</th><th>enclosure</th><th class=\"r\">f64 rel. diff.</th>\
         <th class=\"r\">MPFR rel. diff.</th><th class=\"r\">f64 tol. (rel.)</th></tr></thead><tbody>\n"
    );
    let e = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.2e}"));
    for (i, p) in pts.iter().enumerate() {
        let _ = writeln!(
            details,
            "<tr><td class=\"r\">{}</td><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"r num\">{}</td>\
             <td class=\"r num\">{}</td><td class=\"r num\">{}</td></tr>",
            i + 1,
            escape(p.case),
            escape(p.claim),
            escape(&p.f64_text),
            escape(&p.mpfr_text),
            escape(&p.enclosure_text),
            e(p.rel_f64),
            e(p.rel_mpfr),
            e(p.tol_f64)
        );
    }
    details.push_str("</tbody></table></details>\n");
    figure(
        out,
        "plot-agreement",
        false,
        &caption,
        &legend,
        &(body + &details),
    );
}

// -- sharpness against the minimal sharpness ----------------------------------------------------

struct Sharp<'a> {
    case: &'a str,
    claim: &'a str,
    lambda: f64,
    min: f64,
    flat: bool,
}

fn sharpness_plot(out: &mut String, r: &Report) {
    let mut pts = Vec::new();
    for c in &r.cases {
        for k in &c.checks {
            let (Some(l), Some(m)) = (k.values.lambda_max(), k.values.min_sharpness()) else {
                continue;
            };
            let (lambda, min) = (l.f64, m.f64);
            if !lambda.is_finite() || !min.is_finite() {
                continue;
            }
            // a non-finite tolerance is null in the JSON and bounds nothing
            let finite = |t: Option<f64>| t.filter(|t| t.is_finite()).unwrap_or(0.0);
            let tol = finite(l.f64_tolerance) + finite(m.f64_tolerance);
            pts.push(Sharp {
                case: &c.name,
                claim: &k.claim,
                lambda,
                min,
                flat: (lambda - min).abs() <= tol.max(1e-12 * min.abs()),
            });
        }
    }
    if pts.is_empty() {
        return;
    }
    let lo = pts
        .iter()
        .map(|p| p.lambda.min(p.min))
        .fold(f64::INFINITY, f64::min);
    let hi = pts
        .iter()
        .map(|p| p.lambda.max(p.min))
        .fold(f64::NEG_INFINITY, f64::max);
    let log = lo > 0.0;
    let body = if log {
        let (a, b) = (lo / 1.6, hi * 1.6);
        sharpness_svg(&pts, (a..b).log_scale(), (a..b).log_scale(), a, b)
    } else {
        let pad = ((hi - lo) * 0.08).max(0.5);
        let (a, b) = (lo - pad, hi + pad);
        sharpness_svg(&pts, a..b, a..b, a, b)
    };
    let flat = pts.iter().filter(|p| p.flat).count();
    let legend = vec![
        key(
            &format!(
                "<circle cx=\"7\" cy=\"7\" r=\"4.5\" fill=\"{}\"/>",
                css_color(C_VERIFIED)
            ),
            "flat: λ_max = min sharpness (within tolerance)",
        ),
        key(
            &format!(
                "<circle cx=\"7\" cy=\"7\" r=\"4.5\" fill=\"{}\"/>",
                css_color(C_REFUTED)
            ),
            "sharper than the flattest minimizer",
        ),
        key(
            "<path d=\"M1 13 L13 1\" stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>",
            "y = x",
        ),
    ];
    let caption = format!(
        "<b>Sharpness against the minimal sharpness.</b> λ<sub>max</sub> of the Hessian at the checked \
         minimizer (f64) against the KP-min value, the least λ<sub>max</sub> over all minimizers \
         ({} checks, {}). Flat minimizers lie on y = x ({flat}); the others above it ({}). No point \
         may lie below the line.",
        pts.len(),
        if log { "log–log" } else { "linear axes" },
        pts.len() - flat
    );
    let mut details = String::from(
        "<details><summary>the points</summary><table><thead><tr><th>case</th><th>claim</th>\
         <th class=\"r\">λ_max f64</th><th class=\"r\">min sharpness f64</th><th>flat</th></tr></thead><tbody>\n",
    );
    for p in &pts {
        let _ = writeln!(
            details,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"r num\">{}</td><td class=\"r num\">{}</td><td>{}</td></tr>",
            escape(p.case),
            escape(p.claim),
            fmt_f64(p.lambda),
            fmt_f64(p.min),
            if p.flat { "yes" } else { "no" }
        );
    }
    details.push_str("</tbody></table></details>\n");
    figure(
        out,
        "plot-sharpness",
        false,
        &caption,
        &legend,
        &(body + &details),
    );
}

fn sharpness_svg<X, Y>(pts: &[Sharp], xr: X, yr: Y, a: f64, b: f64) -> String
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    svg(600, 470, "sharpness against minimal sharpness", |root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(10)
            .margin_right(20)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(xr, yr)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(C_GRID)
            .axis_style(RGBColor(120, 120, 120))
            .x_label_formatter(&|v| fmt_tick(*v))
            .y_label_formatter(&|v| fmt_tick(*v))
            .x_desc("minimal sharpness (KP-min value), f64")
            .y_desc("λ_max at the minimizer, f64")
            .label_style(text_style(16.0))
            .axis_desc_style(text_style(16.0))
            .draw()?;
        chart.draw_series(DashedLineSeries::new(
            vec![(a, a), (b, b)],
            6,
            4,
            RGBColor(85, 85, 85).stroke_width(1),
        ))?;
        // flat points last, so they stay visible where both kinds coincide
        for flat in [false, true] {
            let color = if flat { C_VERIFIED } else { C_REFUTED };
            chart.draw_series(
                pts.iter()
                    .filter(|p| p.flat == flat)
                    .map(|p| Circle::new((p.min, p.lambda), 5, color.mix(0.85).filled())),
            )?;
        }
        Ok(())
    })
}

// -- AMG classification: criterion against certificate ------------------------------------------

fn classes_plot(out: &mut String, r: &Report) {
    let mut bars = Bars {
        labels: Vec::new(),
        segments: Vec::new(),
        notes: Vec::new(),
        x_desc: "points (critical points of the case)",
    };
    let mut agree_all = 0;
    let mut rows = 0;
    for c in &r.cases {
        for k in &c.checks {
            if !k.claim.starts_with("AMG-classify") {
                continue;
            }
            let Some(t) = k.values.tally() else {
                continue;
            };
            let (n, h) = (t.points, t.holding);
            let vac = t.vacuous.min(n - h.min(n));
            let h = h.min(n);
            let bad = n - h - vac;
            rows += 1;
            agree_all += usize::from(bad == 0);
            let suffix = k.claim.strip_prefix("AMG-classify").unwrap_or("");
            let label = if suffix.is_empty() {
                c.name.clone()
            } else {
                format!("{} ({})", c.name, suffix.trim_start_matches('-'))
            };
            bars.labels.push(label);
            bars.segments
                .push(vec![(h, C_VERIFIED), (vac, C_VACUOUS), (bad, C_UNMET)]);
            bars.notes.push(k.values.classes.as_ref().map(|c| {
                if c.criterion == c.certificate {
                    (c.criterion.clone(), RGBColor(60, 60, 60))
                } else {
                    (format!("{} ≠ {}", c.criterion, c.certificate), C_UNMET)
                }
            }));
        }
    }
    if rows == 0 {
        return;
    }
    let legend = vec![
        key_box(C_VERIFIED, "criterion = certificate"),
        key_box(C_VACUOUS, "premise not met (vacuous)"),
        key_box(C_UNMET, "criterion ≠ certificate"),
    ];
    let caption = format!(
        "<b>AMG classification: criterion against certificate.</b> For each AMG-classify check \
         ({rows}; “path” is AMG-classify-path), the points at which the class read off the paper's \
         criterion agreed with the class proved by an exact certificate. Every point agrees in \
         {agree_all} of {rows} checks. The text after a bar is the class at the decisive point."
    );
    let body = bars_svg(&bars, 1180, "AMG classification agreement");
    figure(out, "plot-classes", true, &caption, &legend, &body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::evidence::{parse_rational, Values};
    use serde_json::json;

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
            seconds: None,
        }
    }

    fn sample(met: bool) -> Report {
        let case = CaseReport {
            name: "case <script>alert(1)</script>".into(),
            file: "cases/a&b.yaml".into(),
            status: "ok".into(),
            error: None,
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
        };
        let bad = CaseReport {
            name: "broken".into(),
            file: "cases/broken.yaml".into(),
            status: "error".into(),
            error: Some("field `x` at line 3: <bad>".into()),
            seed: None,
            precision_bits: None,
            notes: vec![],
            checks: vec![],
            skipped: None,
            stopped: None,
            deselected: Vec::new(),
        };
        Report::new(vec![case, bad])
    }

    #[test]
    fn decimals_are_exact_and_cut_in_the_asked_direction() {
        let q = |s: &str| parse_rational(s).unwrap();
        assert_eq!(decimal(&q("9"), 20, Cut::Trunc), ("9".into(), true));
        assert_eq!(decimal(&q("5/16"), 20, Cut::Trunc), ("0.3125".into(), true));
        assert_eq!(decimal(&q("91/9"), 5, Cut::Trunc), ("10.111".into(), false));
        assert_eq!(decimal(&q("91/9"), 5, Cut::Ceil), ("10.112".into(), false));
        assert_eq!(
            decimal(&q("-91/9"), 5, Cut::Floor),
            ("-10.112".into(), false)
        );
        assert_eq!(decimal(&q("2/3"), 3, Cut::Ceil), ("0.667".into(), false));
        assert_eq!(decimal(&q("999/1000"), 2, Cut::Ceil), ("1.0".into(), false));
        assert_eq!(
            decimal(&q("10000000000000000000000/3"), 3, Cut::Trunc),
            ("3.33e21".into(), false)
        );
        assert_eq!(
            decimal(&q("1.5e-9"), 4, Cut::Trunc),
            ("1.5e-9".into(), true)
        );
        assert_eq!(decimal(&q("1e21"), 4, Cut::Trunc), ("1e21".into(), true));
        assert_eq!(
            decimal(&q("123456"), 3, Cut::Trunc),
            ("123000".into(), false)
        );
        assert_eq!(
            leading(&q("3.1250000000000000000000000000000000000000000000000000000000000000000000000002e-1"), 20),
            "0.31250000000000000000…"
        );
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
