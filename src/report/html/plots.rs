//! The plots of report.html (inline SVG drawn with plotters): verdicts per claim, the agreement
//! of f64 and MPFR with the exact enclosure of λ_max, sharpness against the minimal sharpness, and
//! the AMG classes by criterion and by certificate.

use super::*;

// ---------------------------------------------------------------------------------------------
// plots

pub(super) type PlotResult = Result<(), Box<dyn std::error::Error>>;

/// Draw into an SVG string; the SVG is inline HTML, so it carries no namespace URL.
pub(super) fn svg(
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

pub(super) fn text_style(size: f64) -> TextStyle<'static> {
    ("sans-serif", size)
        .into_font()
        .color(&RGBColor(40, 40, 40))
}

/// A legend entry drawn in HTML (a small inline SVG swatch and the text).
pub(super) fn key(swatch: &str, text: &str) -> String {
    format!(
        "<span><svg width=\"14\" height=\"14\" viewBox=\"0 0 14 14\" aria-hidden=\"true\">{swatch}</svg>{}</span>",
        escape(text)
    )
}

/// A legend entry with a filled dot of color `c` (the plots' point marker).
pub(super) fn key_dot(c: RGBColor, text: &str) -> String {
    key(
        &format!(
            "<circle cx=\"7\" cy=\"7\" r=\"4.5\" fill=\"{}\"/>",
            css_color(c)
        ),
        text,
    )
}

/// A legend entry with a filled triangle of color `c` (the MPFR series' marker).
pub(super) fn key_triangle(c: RGBColor, text: &str) -> String {
    key(
        &format!(
            "<path d=\"M7 1.5 L12.5 11.5 L1.5 11.5 Z\" fill=\"{}\"/>",
            css_color(c)
        ),
        text,
    )
}

pub(super) fn key_box(c: RGBColor, text: &str) -> String {
    key(
        &format!(
            "<rect x=\"1\" y=\"2\" width=\"12\" height=\"10\" fill=\"{}\"/>",
            css_color(c)
        ),
        text,
    )
}

pub(super) fn figure(
    out: &mut String,
    id: &str,
    wide: bool,
    caption: &str,
    legend: &[String],
    body: &str,
) {
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

pub(super) fn plots(out: &mut String, r: &Report) {
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
pub(super) struct Bars<'a> {
    labels: Vec<String>,
    /// per row: (value, color) segments, left to right
    segments: Vec<Vec<(usize, RGBColor)>>,
    /// per row: text after the bar (and its color)
    notes: Vec<Option<(String, RGBColor)>>,
    x_desc: &'a str,
}

pub(super) fn bars_svg(b: &Bars, width: u32, aria: &str) -> String {
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

pub(super) fn verdict_plot(out: &mut String, r: &Report) {
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

pub(super) struct Agreement<'a> {
    pub(super) case: &'a str,
    pub(super) claim: &'a str,
    pub(super) f64_text: String,
    pub(super) mpfr_text: String,
    pub(super) enclosure_text: String,
    /// relative differences from the enclosure midpoint (None: the value is missing)
    pub(super) rel_f64: Option<f64>,
    pub(super) rel_mpfr: Option<f64>,
    /// the f64 and MPFR tolerances, relative to the midpoint
    pub(super) tol_f64: Option<f64>,
    pub(super) tol_mpfr: Option<f64>,
    /// the enclosure's half-width, relative to the midpoint
    pub(super) half_width: f64,
    /// whether the differences are absolute (the midpoint is 0)
    pub(super) absolute: bool,
}

pub(super) fn agreement_points(r: &Report) -> (Vec<Agreement<'_>>, usize) {
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
                mpfr_text: mpfr.map(numbers::exact).unwrap_or_default(),
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

pub(super) fn log10_or(x: f64, floor: f64) -> f64 {
    if x > 0.0 {
        x.log10().max(floor)
    } else {
        floor
    }
}

pub(super) fn agreement_plot(out: &mut String, r: &Report) {
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
        key_dot(C_F64, "|f64 − mid| / |mid|"),
        key_triangle(C_MPFR, "|MPFR − mid| / |mid|"),
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

pub(super) struct Sharp<'a> {
    case: &'a str,
    claim: &'a str,
    lambda: f64,
    min: f64,
    flat: bool,
}

pub(super) fn sharpness_plot(out: &mut String, r: &Report) {
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
        key_dot(C_VERIFIED, "flat: λ_max = min sharpness (within tolerance)"),
        key_dot(C_REFUTED, "sharper than the flattest minimizer"),
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

pub(super) fn sharpness_svg<X, Y>(pts: &[Sharp], xr: X, yr: Y, a: f64, b: f64) -> String
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

/// The text after an AMG-classify bar and its color: red only when the criterion's class differs
/// from a class a certificate proved; a class no certificate decided is shown in gray.
fn class_note(c: &crate::claims::evidence::ClassPair) -> (String, RGBColor) {
    let gray = RGBColor(60, 60, 60);
    if c.criterion == c.certificate {
        (c.criterion.clone(), gray)
    } else if c.certificate == crate::claims::evidence::UNDETERMINED {
        (format!("{} (certificate undetermined)", c.criterion), gray)
    } else {
        (format!("{} ≠ {}", c.criterion, c.certificate), C_UNMET)
    }
}

pub(super) fn classes_plot(out: &mut String, r: &Report) {
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
            bars.notes.push(k.values.classes.as_ref().map(class_note));
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
    use crate::claims::evidence::{ClassPair, UNDETERMINED};

    fn pair(criterion: &str, certificate: &str) -> ClassPair {
        ClassPair {
            criterion: criterion.into(),
            certificate: certificate.into(),
            detail: None,
        }
    }

    #[test]
    fn only_a_proved_disagreement_is_red() {
        let (text, color) = class_note(&pair("strict-saddle", "global-minimizer"));
        assert_eq!(text, "strict-saddle ≠ global-minimizer");
        assert_eq!(color, C_UNMET);
        let (text, color) = class_note(&pair("non-strict-saddle", UNDETERMINED));
        assert_eq!(text, "non-strict-saddle (certificate undetermined)");
        assert_ne!(color, C_UNMET);
        let (text, color) = class_note(&pair("strict-saddle", "strict-saddle"));
        assert_eq!(text, "strict-saddle");
        assert_ne!(color, C_UNMET);
    }
}
