//! trajectory.html: one self-contained page (inline CSS and SVG, no scripts) of a
//! [`Trajectory`]: a summary, the three plots a researcher reads a run by — sharpness against
//! step with the edge of stability 2/η, ‖D_k‖_F against step, the loss on a log axis — and a table
//! of every checkpoint. Like every writer it renders the values and never recomputes them; the
//! output depends only on the trajectory, so the same run gives the same bytes.

use super::plots::{figure, key, key_dot, key_triangle, log10_or, svg, text_style};
use super::{
    css_color, escape, fmt_f64, pow10_label, tile_row, CSS, C_F64, C_GRID, C_MPFR, C_UNMET,
};
use crate::report::trajectory::{Row, Trajectory};
use plotters::coord::{types::RangedCoordf64, Shift};
use plotters::prelude::*;
use std::fmt::Write;

/// Colors of the D_k series, in order of k (cycled).
const SERIES: [RGBColor; 6] = [
    RGBColor(21, 101, 192),
    RGBColor(230, 81, 0),
    RGBColor(46, 125, 50),
    RGBColor(123, 31, 162),
    RGBColor(0, 131, 143),
    RGBColor(109, 76, 65),
];
const C_EDGE: RGBColor = C_UNMET;

/// A point of the sharpness plot: step, λ_max, the proven enclosure (lo, hi).
type SharpPoint = (f64, f64, Option<(f64, f64)>);
/// A point of the loss plot: step, f, f − f*.
type LossPoint = (f64, f64, Option<f64>);
const C_ENCLOSURE: RGBColor = RGBColor(27, 94, 32);
/// The chart of a plot against step (f64 on both axes).
type StepChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Render the page.
pub fn render(t: &Trajectory) -> String {
    let mut out = String::new();
    let s = &t.summary;
    let ok = s.errors == 0;
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>{} trajectory — {} checkpoints, {} above 2/η</title>",
        escape(&t.name),
        s.checkpoints,
        s.above_edge
    );
    // the tiles' labels hold symbols (λ, η) that upper case would change
    let _ = writeln!(
        out,
        "<style>{CSS}.tile .l{{text-transform:none}}</style>\n</head>\n<body>\n<main>"
    );
    let _ = writeln!(
        out,
        "<header class=\"banner {}\" id=\"summary\">\n<h1>Trajectory of {}</h1>",
        if ok { "ok" } else { "bad" },
        escape(&t.name)
    );
    let status = if ok {
        format!(
            "✓ {} checkpoints evaluated; λ_max > 2/η at {}",
            s.checkpoints, s.above_edge
        )
    } else {
        format!(
            "✗ {} of {} checkpoints could not be evaluated",
            s.errors, s.checkpoints
        )
    };
    let _ = writeln!(out, "<div class=\"status\">{}</div>", escape(&status));
    let tiles: [(&str, &str, usize, &str); 6] = [
        ("checkpoints", "checkpoints", s.checkpoints, ""),
        ("above-edge", "λ_max > 2/η", s.above_edge, ""),
        ("proven", "λ_max proven", s.proven, ""),
        ("edge-proven", "side of 2/η proven", s.edge_proven, ""),
        ("near", "near a minimizer", s.near_minimizer, ""),
        (
            "errors",
            "bad checkpoints",
            s.errors,
            if s.errors == 0 { "good" } else { "alarm" },
        ),
    ];
    tile_row(&mut out, &tiles);
    let dims: Vec<String> = t.dims.iter().map(usize::to_string).collect();
    let _ = writeln!(
        out,
        "<p class=\"meta\" style=\"margin-top:10px\">case <code>{}</code> · model {} · dims [{}] · P = {} · \
         η = {} · 2/η = {} · checkpoints <code>{}</code> · convention f(W) = ½‖PX − Y‖² (papers \
         without the ½ have every eigenvalue doubled) · {} {} · full values in <a \
         href=\"trajectory.json\">trajectory.json</a></p>",
        escape(&t.case),
        t.model,
        dims.join(", "),
        t.params,
        escape(&t.eta.exact),
        escape(&fmt_f64(t.two_over_eta.f64)),
        escape(&t.patterns.join(" ")),
        escape(&t.tool),
        escape(&t.tool_version)
    );
    out.push_str("</header>\n");

    let _ = writeln!(out, "<h2 id=\"plots\">Plots</h2>\n<div class=\"plots\">");
    sharpness_plot(&mut out, t);
    loss_plot(&mut out, t);
    balance_plot(&mut out, t);
    out.push_str("</div>\n");
    table(&mut out, t);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The rows that were evaluated.
fn good(t: &Trajectory) -> impl Iterator<Item = &Row> {
    t.rows.iter().filter(|r| r.error.is_none())
}

/// The step axis: the steps' range, padded so single points are not on the frame.
fn step_range(t: &Trajectory) -> (f64, f64) {
    let steps: Vec<f64> = t.rows.iter().map(|r| r.step as f64).collect();
    let lo = steps.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = steps.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.03).max(0.5);
    (lo - pad, hi + pad)
}

fn step_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// A dashed horizontal line from x0 to x1 at y.
fn dashes(x0: f64, x1: f64, y: f64) -> Vec<PathElement<(f64, f64)>> {
    let n = 60;
    let w = (x1 - x0) / n as f64;
    (0..n)
        .step_by(2)
        .map(|i| {
            let a = x0 + i as f64 * w;
            PathElement::new(vec![(a, y), (a + w, y)], C_EDGE.stroke_width(2))
        })
        .collect()
}

/// A plot's chart against step, the frame the three plots share: steps x0..x1 across (labelled
/// by [`step_label`]), `y` up with `y_labels` labels (through `y_format` when given) under the
/// axis name `y_desc`; grey axes and grid lines, 16 px text, the mesh drawn.
fn step_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    (x0, x1): (f64, f64),
    y: std::ops::Range<f64>,
    y_labels: usize,
    y_desc: &str,
    y_format: Option<&dyn Fn(&f64) -> String>,
) -> Result<StepChart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(root)
        .margin_top(10)
        .margin_right(20)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y)?;
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(C_GRID)
        .axis_style(RGBColor(120, 120, 120))
        .x_labels(10)
        .y_labels(y_labels)
        .x_label_formatter(&step_label)
        .x_desc("step")
        .y_desc(y_desc)
        .label_style(text_style(16.0))
        .axis_desc_style(text_style(16.0));
    if let Some(f) = y_format {
        mesh.y_label_formatter(f);
    }
    mesh.draw()?;
    Ok(chart)
}

fn sharpness_plot(out: &mut String, t: &Trajectory) {
    let pts: Vec<SharpPoint> = good(t)
        .filter_map(|r| {
            let l = r.lambda_max.as_ref()?;
            l.f64.is_finite().then(|| {
                (
                    r.step as f64,
                    l.f64,
                    l.proven.as_ref().map(|p| (p.lo, p.hi)),
                )
            })
        })
        .collect();
    let edge = t.two_over_eta.f64;
    let top = pts
        .iter()
        .map(|p| p.1)
        .chain(pts.iter().filter_map(|p| p.2.map(|e| e.1)))
        .chain(std::iter::once(edge))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        * 1.12;
    let bottom = pts.iter().map(|p| p.1).fold(0.0f64, f64::min).min(0.0);
    let top = if top > bottom { top } else { bottom + 1.0 };
    let (x0, x1) = step_range(t);
    let body = svg(600, 400, "sharpness against step", |root| {
        let mut chart = step_chart(root, (x0, x1), bottom..top, 8, "λ_max(∇²f)", None)?;
        if edge.is_finite() && edge <= top {
            chart.draw_series(dashes(x0, x1, edge))?;
        }
        chart.draw_series(LineSeries::new(
            pts.iter().map(|p| (p.0, p.1)),
            C_F64.stroke_width(2),
        ))?;
        for p in &pts {
            if let Some((lo, hi)) = p.2 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p.0, lo), (p.0, hi)],
                    C_ENCLOSURE.stroke_width(6),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new(
                (p.0, p.1),
                4,
                if p.1 > edge {
                    C_EDGE.filled()
                } else {
                    C_F64.filled()
                },
            )))?;
        }
        Ok(())
    });
    let legend = vec![
        key_dot(C_F64, "λ_max (f64, the planner's path)"),
        key_dot(C_EDGE, "λ_max > 2/η"),
        key(
            &format!(
                "<path d=\"M7 1 V13\" stroke=\"{}\" stroke-width=\"5\"/>",
                css_color(C_ENCLOSURE)
            ),
            "proven enclosure",
        ),
        key(
            &format!(
                "<path d=\"M0 7 H4 M6 7 H9 M11 7 H14\" stroke=\"{}\" stroke-width=\"2\"/>",
                css_color(C_EDGE)
            ),
            &format!("2/η = {}", fmt_f64(edge)),
        ),
    ];
    let caption = format!(
        "<b>Sharpness against step.</b> λ<sub>max</sub> of the Hessian of the {} model's loss at each \
         checkpoint ({} of {}), with the edge of stability 2/η: gradient descent with step η is \
         stable near a minimizer only where λ<sub>max</sub> ≤ 2/η. Above it at {} checkpoints \
         ({} of them on a side proven by the enclosure).",
        t.model,
        pts.len(),
        t.rows.len(),
        t.summary.above_edge,
        t.summary.edge_proven
    );
    figure(out, "plot-sharpness", false, &caption, &legend, &body);
}

fn loss_plot(out: &mut String, t: &Trajectory) {
    let rows: Vec<LossPoint> = good(t)
        .filter_map(|r| {
            let l = r.loss.as_ref()?;
            Some((r.step as f64, l.f64, l.excess))
        })
        .collect();
    let positives: Vec<f64> = rows
        .iter()
        .flat_map(|r| [Some(r.1), r.2])
        .flatten()
        .filter(|v| *v > 0.0 && v.is_finite())
        .collect();
    let lowest = positives.iter().cloned().fold(f64::INFINITY, f64::min);
    let highest = positives.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let (floor, top) = if lowest.is_finite() {
        (
            lowest.log10().floor() - 1.0,
            (highest.log10().ceil() + 0.5).max(lowest.log10().floor()),
        )
    } else {
        (-20.0, 0.0)
    };
    let floor = floor.max(-330.0);
    let top = top.max(floor + 2.0);
    let has_excess = rows.iter().any(|r| r.2.is_some());
    let (x0, x1) = step_range(t);
    let body = svg(600, 400, "loss against step", |root| {
        let mut chart = step_chart(
            root,
            (x0, x1),
            floor..top,
            ((top - floor).round() as usize + 1).min(12),
            "loss (log scale)",
            Some(&|v| pow10_label(*v)),
        )?;
        let series = |pick: &dyn Fn(&LossPoint) -> Option<f64>| {
            rows.iter()
                .filter_map(|r| pick(r).map(|v| (r.0, log10_or(v, floor))))
                .collect::<Vec<_>>()
        };
        let f = series(&|r| Some(r.1));
        chart.draw_series(LineSeries::new(f.clone(), C_F64.stroke_width(2)))?;
        chart.draw_series(f.iter().map(|&p| Circle::new(p, 4, C_F64.filled())))?;
        if has_excess {
            let e = series(&|r| r.2);
            chart.draw_series(LineSeries::new(e.clone(), C_MPFR.stroke_width(2)))?;
            chart.draw_series(
                e.iter()
                    .map(|&p| TriangleMarker::new(p, 5, C_MPFR.filled())),
            )?;
        }
        Ok(())
    });
    let mut legend = vec![key_dot(C_F64, "f(W) = ½‖PX − Y‖²")];
    if has_excess {
        legend.push(key_triangle(C_MPFR, "f − f* (excess over the minimum)"));
    }
    let mut caption = format!(
        "<b>Loss against step</b> (log scale). f at each checkpoint, computed {} from the binary \
         values the files hold",
        if good(t).all(|r| r.loss.as_ref().is_some_and(|l| l.exact)) {
            "exactly"
        } else {
            "exactly where the size allows, else in f64,"
        }
    );
    if let Some(f) = &t.zl.f_star {
        let _ = write!(
            caption,
            "; f* = {} (exact: {}), so f − f* is the distance to the minimum",
            fmt_f64(f.f64),
            escape(&short(&f.exact))
        );
    }
    caption.push_str(". A value of exactly 0 sits on the bottom edge.");
    figure(out, "plot-loss", false, &caption, &legend, &body);
}

fn balance_plot(out: &mut String, t: &Trajectory) {
    if !t.balancedness.defined {
        let caption = format!(
            "<b>Balancedness.</b> ‖D<sub>k</sub>‖ is not defined for this model: {}",
            escape(t.balancedness.reason.as_deref().unwrap_or(""))
        );
        figure(out, "plot-balance", false, &caption, &[], "");
        return;
    }
    let layers = t.dims.len().saturating_sub(2);
    let series: Vec<Vec<(f64, f64)>> = (1..=layers)
        .map(|k| {
            good(t)
                .filter_map(|r| {
                    let b = r.balancedness.as_ref()?.iter().find(|b| b.k == k)?;
                    b.frobenius
                        .is_finite()
                        .then_some((r.step as f64, b.frobenius))
                })
                .collect()
        })
        .collect();
    let top = series.iter().flatten().map(|p| p.1).fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.12 } else { 1.0 };
    let (x0, x1) = step_range(t);
    let body = svg(600, 400, "balancedness against step", |root| {
        let mut chart = step_chart(root, (x0, x1), 0.0..top, 8, "‖D_k‖_F", None)?;
        for (i, s) in series.iter().enumerate() {
            let c = SERIES[i % SERIES.len()];
            chart.draw_series(LineSeries::new(s.clone(), c.stroke_width(2)))?;
            chart.draw_series(s.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        Ok(())
    });
    let legend: Vec<String> = (1..=layers)
        .map(|k| {
            key_dot(
                SERIES[(k - 1) % SERIES.len()],
                &format!("‖D_{k}‖_F = ‖W_{}ᵀW_{} − W_{k}W_{k}ᵀ‖_F", k + 1, k + 1),
            )
        })
        .collect();
    let caption =
        "<b>Balancedness against step.</b> D<sub>k</sub> = W<sub>k+1</sub>ᵀW<sub>k+1</sub> − \
         W<sub>k</sub>W<sub>k</sub>ᵀ is constant under gradient flow (BAL-invariant) and drifts by \
         O(η²) per step of gradient descent; a trend in ‖D<sub>k</sub>‖<sub>F</sub> is the \
         discretization's (or the regularizer's) doing."
            .to_string();
    figure(out, "plot-balance", false, &caption, &legend, &body);
}

/// A long exact value shortened for display.
fn short(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        let head: String = s.chars().take(40).collect();
        format!("{head}… ({} characters)", s.chars().count())
    }
}

fn table(out: &mut String, t: &Trajectory) {
    let _ = writeln!(
        out,
        "<h2 id=\"checkpoints\">Checkpoints</h2>\n<table class=\"rows\"><thead><tr>\
         <th class=\"r\">step</th><th>file</th><th class=\"r\">loss f</th><th class=\"r\">λ_max (f64)</th>\
         <th>path</th><th>proven enclosure</th><th>vs 2/η</th><th>‖D_k‖_F</th><th>ZL ρ</th></tr></thead><tbody>"
    );
    for r in &t.rows {
        if let Some(e) = &r.error {
            let _ = writeln!(
                out,
                "<tr class=\"unmet\" id=\"step-{}\"><td class=\"r\">{}</td><td><code>{}</code></td>\
                 <td colspan=\"7\" class=\"err\">{}</td></tr>",
                r.step,
                r.step,
                escape(&r.file),
                escape(e)
            );
            continue;
        }
        let loss = r.loss.as_ref().map_or("—".into(), |l| escape(&l.decimal));
        let (lam, path, proven) = match &r.lambda_max {
            Some(l) => (
                fmt_f64(l.f64),
                escape(&l.path),
                l.proven.as_ref().map_or_else(
                    || {
                        format!(
                            "<span class=\"muted\">{}</span>",
                            escape(&l.notes.join("; "))
                        )
                    },
                    |p| {
                        format!(
                            "[{}, {}] <span class=\"small muted\">{}</span>",
                            fmt_f64(p.lo),
                            fmt_f64(p.hi),
                            escape(&p.via)
                        )
                    },
                ),
            ),
            None => ("—".into(), String::new(), String::new()),
        };
        let edge = r.edge.as_ref().map_or("—".into(), |e| {
            format!(
                "<span class=\"{}\">{}</span> <span class=\"small muted\">{}</span>",
                if e.above { "notmet" } else { "met" },
                if e.above { "above" } else { "below" },
                escape(&e.decided_by)
            )
        });
        let bal = match &r.balancedness {
            Some(b) => b
                .iter()
                .map(|b| format!("{:.6e}", b.frobenius))
                .collect::<Vec<_>>()
                .join("<br>"),
            None => "<span class=\"muted\">not defined</span>".into(),
        };
        let zl = match &r.zl {
            Some(z) if z.near => match (&z.ratio, &z.decision) {
                (Some(v), Some(d)) => format!(
                    "{} <span class=\"small muted\">{}</span>",
                    fmt_f64(*v),
                    escape(d)
                ),
                (_, Some(d)) => escape(d),
                _ => "—".into(),
            },
            Some(z) => format!(
                "<span class=\"muted\">not near ({:.1e})</span>",
                z.relative_excess
            ),
            None => "<span class=\"muted\">—</span>".into(),
        };
        let _ = writeln!(
            out,
            "<tr id=\"step-{}\"><td class=\"r\">{}</td><td><code>{}</code></td><td class=\"r num\">{}</td>\
             <td class=\"r num\">{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            r.step,
            r.step,
            escape(&r.file),
            loss,
            escape(&lam),
            path,
            proven,
            edge,
            bal,
            zl
        );
    }
    out.push_str("</tbody></table>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\" style=\"margin-top:8px\">ZL ρ = (f − f*)·D/‖∇f‖², the tightness of the \
         {} bound f − f* ≤ ‖∇f‖²/D (ρ ≤ 1 is the claim; a small ρ is a loose bound), at checkpoints \
         near a minimizer: f − f* ≤ {} · (½‖Y‖² − f*). {}</p>",
        escape(t.zl.claim.as_deref().unwrap_or("ZL")),
        escape(&t.zl.near.exact),
        escape(
            &t.zl
                .reason
                .as_ref()
                .map_or(String::new(), |r| format!("Not computed here: {r}"))
        )
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::ModelKind;
    use crate::report::trajectory::*;

    fn exactly(s: &str, v: f64) -> Exactly {
        Exactly {
            exact: s.into(),
            f64: v,
        }
    }

    /// A run with a bad checkpoint, an exactly zero loss, no enclosure and no D_k: every plot is
    /// still drawn, the error is shown, and the same input gives the same bytes.
    #[test]
    fn a_page_with_errors_zero_losses_and_missing_parts() {
        let row = |step: u64, loss: f64, lam: f64| Row {
            step,
            file: format!("run/step-{step}.npz"),
            error: None,
            loss: Some(Loss {
                f64: loss,
                decimal: format!("{loss}"),
                exact: true,
                excess: None,
            }),
            lambda_max: Some(LambdaMax {
                f64: lam,
                path: "dense".into(),
                reason: "small".into(),
                bound: 1e-12,
                bound_kind: "a priori".into(),
                products: 0,
                proven: None,
                notes: vec!["no enclosure: <too large>".into()],
            }),
            edge: Some(Edge {
                above: lam > 2.0,
                decided_by: "f64".into(),
                ratio: lam / 2.0,
            }),
            balancedness: None,
            zl: None,
        };
        let mut bad = row(3, 0.0, 0.0);
        bad.error = Some("run/step-3.npz: array \"W1\" entry [0][0] is NaN".into());
        bad.loss = None;
        bad.lambda_max = None;
        bad.edge = None;
        let t = Trajectory {
            version: VERSION,
            tool: "dlncheck".into(),
            tool_version: "0".into(),
            convention: "half".into(),
            case: "c.yaml".into(),
            name: "c".into(),
            model: ModelKind::OneHiddenLayer,
            dims: vec![2, 2, 2],
            params: 8,
            patterns: vec!["run/step-*.npz".into()],
            arrays: vec![],
            eta: exactly("1", 1.0),
            two_over_eta: exactly("2", 2.0),
            balancedness: Applicability {
                defined: false,
                reason: Some("σ between the layers".into()),
            },
            zl: ZlSetting {
                applies: false,
                reason: Some("X is not square".into()),
                claim: None,
                f_star: None,
                reference: None,
                near: exactly("1/1000", 1e-3),
            },
            rows: vec![row(1, 0.0, 3.0), bad, row(7, 0.25, 1.0)],
            summary: Summary {
                checkpoints: 3,
                errors: 1,
                above_edge: 1,
                proven: 0,
                edge_proven: 0,
                near_minimizer: 0,
            },
        };
        let page = render(&t);
        for id in ["plot-sharpness", "plot-loss", "plot-balance"] {
            assert!(page.contains(&format!("<figure id=\"{id}\"")), "{id}");
        }
        assert!(!page.contains("could not be drawn"));
        assert!(page.contains("banner bad") && page.contains("is NaN"));
        assert!(page.contains("&lt;too large&gt;") && !page.contains("<too large>"));
        assert!(page.contains("not defined for this model: σ between the layers"));
        assert_eq!(page.matches("<tr ").count(), 3);
        assert_eq!(page, render(&t));
    }
}
