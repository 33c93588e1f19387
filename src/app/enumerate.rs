//! `dlncheck enumerate CASE.yaml`: every constructed critical point of a linear case, per index set
//! S, with its critical value, rank profile, class by the criterion (both readings) and by
//! certificate, and whether they agree. Exact when Σ's spectrum is rational, MPFR otherwise
//! (values as decimals, numerical ranks, MPFR certificates).

use super::{emit, load_case, AppError, Status};
use crate::case::{Case, LoadOptions};
use crate::certify::lambda_max::Settings;
use crate::claims::amg::{
    all_critical_points, canonical_set, class_by_certificate, class_by_criterion, optimum,
    optimum_set, problem, set_label, Class, Problem, Reading,
};
use crate::claims::amg_mpfr;
use crate::claims::CaseContext;
use crate::enumerate::spectrum::Spectrum;
use crate::enumerate::spectrum_mpfr::MpfrSpectrum;
use crate::linalg::field::{mpfr_decimal, q_to_string};
use crate::linalg::mat::rank_exact;
use crate::linalg::Exact;
use crate::model::linear;
use std::fmt::Write;
use std::path::PathBuf;

/// The case to enumerate.
#[derive(Clone, Debug)]
pub struct Args {
    /// The case file.
    pub case: PathBuf,
    /// MPFR precision in bits for recognizing Σ's eigenvalues (overrides precision_bits).
    pub precision: Option<u32>,
}

/// Print the enumeration [`table`]: [`Status::Met`] when every point's classes by criterion and
/// by certificate agree, else [`Status::Unmet`].
pub fn run(args: Args) -> Result<Status, AppError> {
    let max_dense_bytes = LoadOptions::default().max_dense_bytes;
    let (c, settings) = load_case(&args.case, args.precision, max_dense_bytes)?;
    let (text, agree) = table(&c, &settings, c.seed.unwrap_or(0))?;
    emit(&text);
    Ok(if agree { Status::Met } else { Status::Unmet })
}

const HEADER: &str = "| S | critical value | point | ranks of W_1…W_L | ranks of W_k⋯W_1 | criterion (tightened) | criterion (path) | certificate | agree |\n|---|---|---|---|---|---|---|---|---|\n";

/// One table row, whatever the arithmetic.
struct Row<'a> {
    set: String,
    value: String,
    origin: &'a str,
    layer_ranks: &'a [usize],
    prefix_ranks: &'a [usize],
    criterion: (Class, Class),
    certificate: Option<Class>,
    detail: &'a str,
}

/// Write a row; returns whether criterion and certificate agree.
fn write_row(out: &mut String, row: &Row) -> bool {
    let (a, b) = row.criterion;
    let cert = row.certificate;
    let agree = cert.is_some_and(|k| k == a && k == b);
    let mark = |x: Class| {
        if Some(x) == cert {
            x.as_str().to_string()
        } else {
            format!("**{}**", x.as_str())
        }
    };
    let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} ({}) | {} |",
        row.set,
        row.value,
        row.origin,
        join(row.layer_ranks),
        join(row.prefix_ranks),
        mark(a),
        mark(b),
        cert.map_or("undetermined", Class::as_str),
        row.detail,
        if agree { "yes" } else { "NO" }
    );
    agree
}

/// The enumeration table as Markdown, and whether every row agrees.
pub fn table(c: &Case, settings: &Settings, seed: u64) -> Result<(String, bool), String> {
    let ctx = CaseContext::new(c, settings.clone(), seed);
    match problem(&ctx) {
        Ok(Problem::Exact(sp)) => Ok(exact_table(c, &sp, settings.exact_limit, seed)),
        Ok(Problem::Mpfr(sp)) => Ok(mpfr_table(&ctx, &sp)),
        Err(o) => Err(format!(
            "{}: {}",
            c.name,
            o.reason
                .unwrap_or_else(|| "the [AMG] claims do not apply".into())
        )),
    }
}

fn mpfr_table(ctx: &CaseContext, sp: &MpfrSpectrum) -> (String, bool) {
    let c = ctx.case;
    let (f_star, radius) = sp.critical_value(&optimum_set(&c.dims));
    let eig: Vec<String> = (0..sp.eigenvalues.len()).map(|j| sp.describe(j)).collect();
    let mut out = format!(
        "case {}: dims {:?}, eigenvalues of Σ (MPFR, certified radii) = [{}], f* = {} ± {:e}\n\n{HEADER}",
        c.name,
        c.dims,
        eig.join(", "),
        mpfr_decimal(&f_star),
        radius.to_f64()
    );
    let mut all_agree = true;
    for r in amg_mpfr::rows(ctx, sp) {
        all_agree &= write_row(
            &mut out,
            &Row {
                set: r.set,
                value: r.value,
                origin: &r.origin,
                layer_ranks: &r.layer_ranks,
                prefix_ranks: &r.prefix_ranks,
                criterion: r.criterion,
                certificate: r.certificate,
                detail: &r.detail,
            },
        );
    }
    (out, all_agree)
}

fn exact_table(c: &Case, sp: &Spectrum, exact_limit: usize, seed: u64) -> (String, bool) {
    let (_, f_star) = optimum(&c.dims, sp);
    let eig: Vec<String> = sp.eigenvalues.iter().map(q_to_string).collect();
    let mut out = format!(
        "case {}: dims {:?}, eigenvalues of Σ = [{}], f* = {}\n\n{HEADER}",
        c.name,
        c.dims,
        eig.join(", "),
        q_to_string(&f_star)
    );
    let mut all_agree = true;
    for cp in all_critical_points(c, sp, seed) {
        let set = canonical_set(sp, &cp);
        let ev = linear::evaluate(&Exact, &cp.point.weights, &cp.point.x, &cp.point.y);
        let layers: Vec<usize> = cp.point.weights.iter().map(rank_exact).collect();
        let prefixes: Vec<usize> = (1..=cp.point.weights.len())
            .map(|k| rank_exact(ev.partials.prod(0, k)))
            .collect();
        let a = class_by_criterion(&c.dims, &cp.point, &set, Reading::Tightened);
        let b = class_by_criterion(&c.dims, &cp.point, &set, Reading::Path);
        let (cert, _, detail) = class_by_certificate(sp, &cp, &f_star, exact_limit);
        all_agree &= write_row(
            &mut out,
            &Row {
                set: set_label(&set),
                value: q_to_string(&linear::loss(&Exact, &ev)),
                origin: &cp.point.origin,
                layer_ranks: &layers,
                prefix_ranks: &prefixes,
                criterion: (a, b),
                certificate: cert,
                detail: &detail,
            },
        );
    }
    (out, all_agree)
}
