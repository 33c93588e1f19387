//! The tables of report.html: the per-claim summary, one table per case, and their cells (the
//! verdict, λ_max three ways, the points that held, the classes compared).

use super::*;

// ---------------------------------------------------------------------------------------------
// table cells

pub(super) fn badge(v: Verdict) -> String {
    format!("<span class=\"badge v-{0}\">{0}</span>", escape(v.as_str()))
}

/// The verdict's badge followed by its strength (proved, numerical, simulated).
pub(super) fn verdict_badge(k: &CheckReport) -> String {
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
pub(super) const DASH: &str = "<span class=\"muted\">—</span>";

pub(super) fn f64_cell(r: &Readings) -> String {
    if !r.f64.is_finite() {
        return DASH.into();
    }
    let tol = match r.f64_tolerance.filter(|t| t.is_finite()) {
        Some(t) => format!(" ± {}", numbers::shortest(t)),
        None => String::new(),
    };
    format!(
        "<span class=\"num\" title=\"{}{}\">{}</span>",
        escape(&json_f64(r.f64).to_string()),
        escape(&tol),
        escape(&numbers::shortest(r.f64))
    )
}

pub(super) fn mpfr_cell(r: &Readings) -> String {
    match &r.mpfr {
        None => DASH.into(),
        Some(Decimal {
            text,
            value: Some(q),
        }) => {
            let tol = r
                .mpfr_tolerance
                .filter(|t| t.is_finite())
                .and_then(Rational::from_f64);
            let shown = match tol {
                Some(t) => numbers::with_radius(q, &t),
                None => numbers::exact(q),
            };
            format!(
                "<span class=\"num\" title=\"{}\">{}</span>",
                escape(text),
                escape(&shown)
            )
        }
        Some(Decimal { text, value: None }) => {
            format!("<span class=\"num\">{}</span>", escape(text))
        }
    }
}

/// An enclosure as the JSON shows it: "[lo, hi]".
pub(super) fn enclosure_text(e: &ExactEnclosure) -> String {
    format!("[{}, {}]", e.text[0], e.text[1])
}

pub(super) fn enclosure_cell(r: &Readings) -> String {
    match &r.enclosure {
        Some(e) if e.lo == e.hi => format!(
            "<span class=\"num exact\" title=\"exact: {}\">{}</span>",
            escape(&enclosure_text(e)),
            escape(&numbers::exact(&e.lo))
        ),
        Some(e) => format!(
            "<span class=\"num\" title=\"{}\">{}</span>",
            escape(&enclosure_text(e)),
            escape(&numbers::enclosure(&e.lo, &e.hi))
        ),
        None => DASH.into(),
    }
}

pub(super) fn points_cell(k: &CheckReport) -> String {
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
pub(super) fn cert_href(path: &str, dir: Option<&Path>) -> String {
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
pub(super) fn url_path(p: &str) -> String {
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

pub(super) fn detail_lines(k: &CheckReport) -> String {
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

pub(super) fn per_claim(r: &Report) -> BTreeMap<&str, [usize; 5]> {
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

pub(super) fn count_cell(n: usize, alarm: bool) -> String {
    if n == 0 {
        "<td class=\"r zero\">0</td>".into()
    } else if alarm {
        format!("<td class=\"r notmet\">{n}</td>")
    } else {
        format!("<td class=\"r\">{n}</td>")
    }
}

pub(super) fn claim_table(out: &mut String, r: &Report) {
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

pub(super) fn case_section(out: &mut String, i: usize, c: &CaseReport, dir: Option<&Path>) {
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
    for e in c.error_lines() {
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
        let columns = if lam { 9 } else { 8 };
        for k in &c.checks {
            check_row(out, k, lam, dir);
            points_row(out, k, columns);
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// A check's points in a folded row under it (a `<details>` spanning the `columns` of the
/// table): one row per point, the case's own first and marked, with what the point says, its
/// strength, its certificate's place in the bundle and its figures ([`numbers::figures`]).
/// Nothing without a table.
pub(super) fn points_row(out: &mut String, k: &CheckReport, columns: usize) {
    let Some(rows) = k.values.point_table.as_ref().filter(|r| !r.is_empty()) else {
        return;
    };
    let _ = write!(
        out,
        "<tr class=\"points\"><td colspan=\"{columns}\"><details><summary>{}</summary>\n<table class=\"points\"><thead><tr><th>point</th><th>at the point</th><th>strength</th><th>certificate</th><th>figures</th></tr></thead><tbody>\n",
        numbers::points_heading(rows)
    );
    for r in rows {
        let label = if r.case_point {
            format!(
                "<b>{}</b> <span class=\"badge outline\">case</span>",
                escape(&r.label)
            )
        } else {
            escape(&r.label)
        };
        let reason = r.reason.as_ref().map_or(String::new(), |w| {
            format!("<br><span class=\"muted small\">{}</span>", escape(w))
        });
        let figures: Vec<String> = numbers::figures(&r.figures)
            .iter()
            .map(|f| escape(f))
            .collect();
        let _ = writeln!(
            out,
            "<tr class=\"point{}\"><td>{label}</td><td>{}{reason}</td><td>{}</td><td>{}</td><td class=\"small\">{}</td></tr>",
            if r.case_point { " case-point" } else { "" },
            escape(r.verdict.as_str()),
            r.strength.map_or(DASH.into(), |s| escape(s.as_str())),
            r.certificate.map_or(DASH.into(), |i| format!("point {i}")),
            figures.join("<br>")
        );
    }
    out.push_str("</tbody></table></details></td></tr>\n");
}

/// λ_max three ways, one per line.
pub(super) fn lambda_cell(k: &CheckReport) -> String {
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

pub(super) fn check_row(out: &mut String, k: &CheckReport, lam: bool, dir: Option<&Path>) {
    let expect = match k.expect {
        Some(v) => format!(
            "<span class=\"badge outline v-{}\">{}</span>",
            escape(v.as_str()),
            escape(crate::report::markdown::expect_cell(k))
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
