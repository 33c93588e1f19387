//! `dlncheck enumerate CASE.yaml`: every constructed critical point of a linear case, per index set
//! S, with its critical value, rank profile, class by the criterion (both readings) and by
//! certificate, and whether they agree. Exact when Σ's spectrum is rational, MPFR otherwise
//! (values as decimals, numerical ranks, MPFR certificates).

use super::{emit, load_case, AppError, Status};
use crate::case::{Case, LoadOptions};
use crate::certify::lambda_max::Settings;
use crate::enumerate::classify::{optimum_set, set_label, Class, Classifier};
use crate::enumerate::judge::{ExactAmg, MpfrAmg};
use crate::enumerate::landscape::{landscape, Critical, Landscape};
use crate::linalg::field::{mpfr_decimal, q_to_string};
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
        cert.map_or(crate::claims::evidence::UNDETERMINED, Class::as_str),
        row.detail,
        if agree { "yes" } else { "NO" }
    );
    agree
}

/// The enumeration table as Markdown, and whether every row agrees.
pub fn table(c: &Case, settings: &Settings, seed: u64) -> Result<(String, bool), String> {
    match landscape(c, settings, seed) {
        Ok(Landscape::Exact(critical)) => Ok(exact_table(c, &critical)),
        Ok(Landscape::Mpfr(critical)) => Ok(mpfr_table(c, &critical)),
        Err(e) => Err(format!(
            "{}: {}",
            c.name,
            match e.field {
                Some(field) => c.error(field, e.message).to_string(),
                None => format!("out of scope: {}", e.message),
            }
        )),
    }
}

/// Write every row of the table; returns whether they all agree.
fn write_rows<C: Classifier>(out: &mut String, critical: &Critical<C>) -> bool {
    let mut all_agree = true;
    for r in critical.rows() {
        let k = r.classified;
        all_agree &= write_row(
            out,
            &Row {
                set: set_label(&k.set),
                value: r.value,
                origin: r.origin,
                layer_ranks: &r.layer_ranks,
                prefix_ranks: &r.prefix_ranks,
                criterion: k.criterion,
                certificate: k.certificate.class,
                detail: &k.certificate.detail,
            },
        );
    }
    all_agree
}

fn mpfr_table(c: &Case, critical: &Critical<MpfrAmg>) -> (String, bool) {
    let sp = &critical.problem.spectrum;
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
    let all_agree = write_rows(&mut out, critical);
    (out, all_agree)
}

fn exact_table(c: &Case, critical: &Critical<ExactAmg>) -> (String, bool) {
    let sp = &critical.problem.spectrum;
    let eig: Vec<String> = sp.eigenvalues.iter().map(q_to_string).collect();
    let mut out = format!(
        "case {}: dims {:?}, eigenvalues of Σ = [{}], f* = {}\n\n{HEADER}",
        c.name,
        c.dims,
        eig.join(", "),
        q_to_string(&critical.problem.f_star)
    );
    let all_agree = write_rows(&mut out, critical);
    (out, all_agree)
}
