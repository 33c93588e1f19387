//! `dlncheck enumerate CASE.yaml`: every constructed critical point of a linear case, per index set
//! S, with its critical value, rank profile, class by the criterion (both readings) and by
//! certificate, and whether they agree. Exact when Σ's spectrum is rational, MPFR otherwise
//! (values as decimals, numerical ranks, MPFR certificates). With `--json` the same points are
//! written as JSON ([`Enumeration`]): one [`PointRow`] each, the case's own point first. With
//! `generate.critical_points.lanes` both forms also list the lane types covered ([`LaneCoverage`]);
//! both always count the points per construction family and type ([`PointCoverage`]).

use super::{emit, load_case, AppError, Status};
use crate::case::{Case, LoadOptions};
use crate::certify::estimate::Basis;
use crate::certify::lambda_max::Settings;
use crate::claims::evidence::{
    parse_rational, Evidence, Finding, Number, PointRow, Values, UNDETERMINED,
};
use crate::enumerate::classify::{optimum_set, set_label, Class, Classifier, Judge};
use crate::enumerate::judge::{ExactAmg, MpfrAmg};
use crate::enumerate::landscape::{landscape, Critical, Landscape};
use crate::enumerate::spectrum::Spectrum;
use crate::enumerate::spectrum_mpfr::MpfrSpectrum;
use crate::enumerate::{borrowed, lanes};
use crate::linalg::field::{mpfr_decimal, q_to_rug, q_to_string};
use rug::Float;
use serde::Serialize;
use serde_json::json;
use std::fmt::Write;
use std::path::PathBuf;

/// The case to enumerate.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// The case file.
    pub case: PathBuf,
    /// MPFR precision in bits for recognizing Σ's eigenvalues.
    #[arg(long)]
    pub precision: Option<u32>,
    /// Print the critical points as JSON (the rows of report.json's point tables) instead of
    /// the Markdown table.
    #[arg(long)]
    pub json: bool,
}

/// Print the enumeration [`table`] (or with `--json` the [`enumeration`]): [`Status::Met`] when
/// every point's classes by criterion and by certificate agree, else [`Status::Unmet`].
pub fn run(args: Args) -> Result<Status, AppError> {
    let max_dense_bytes = LoadOptions::default().max_dense_bytes;
    let (c, settings) = load_case(&args.case, args.precision, max_dense_bytes)?;
    let seed = c.seed.unwrap_or(0);
    let agree = if args.json {
        let e = enumeration(&c, &settings, seed)?;
        let text = serde_json::to_string_pretty(&e).map_err(|e| e.to_string())?;
        emit(&format!("{text}\n"));
        e.agree
    } else {
        let (text, agree) = table(&c, &settings, seed)?;
        emit(&text);
        agree
    };
    Ok(if agree { Status::Met } else { Status::Unmet })
}

/// What `dlncheck enumerate --json` writes: the case's landscape and its critical points.
#[derive(Clone, Debug, Serialize)]
pub struct Enumeration {
    /// The case's name.
    pub case: String,
    /// d_0 … d_L.
    pub dims: Vec<usize>,
    /// `"exact"` (rational spectrum of Σ) or `"mpfr"` (decimals, numerical ranks).
    pub arithmetic: &'static str,
    /// Σ's eigenvalues: "p/q" texts, or MPFR decimals with their certified radii.
    pub eigenvalues: Vec<String>,
    /// The global minimum f*: a "p/q" text, or an MPFR decimal.
    pub f_star: String,
    /// The certified radius of `f_star` in MPFR; `None` when exact.
    pub f_star_radius: Option<f64>,
    /// Whether at every point both readings of the criterion agree with the certificate.
    pub agree: bool,
    /// One row per critical point, the case's own point first (when it is one), the others in the
    /// order of the text table. A row's `verdict` is about the agreement: `holds` when both
    /// readings of the criterion name the certificate's class, `fails` when the certificate
    /// names another, `undecided` when no certificate decided; its strength is the
    /// classification's (proved when exact, numerical in MPFR); `certificate` is always null (the
    /// command writes none). Its figures: `index_set`, `critical_value` (f), `loss_gap` (f − f*),
    /// `class_by_criterion` (tightened reading), `class_by_criterion_path` (path reading),
    /// `class_by_certificate`, `certificate_detail`, `layer_ranks` and `prefix_ranks`.
    pub points: Vec<PointRow>,
    /// With `generate.critical_points.lanes`, the lane types the points cover ([`lane_coverage`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lane_types: Option<LaneCoverage>,
    /// Every point listed, counted per construction family and type ([`point_coverage`]).
    pub point_families: PointCoverage,
    /// Why the case's point is not among `points` when it is not critical (naming the YAML floats
    /// that may be why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_point_left_out: Option<String>,
}

/// The lane types of `generate.critical_points.lanes` ([`crate::enumerate::lanes`]) and how many
/// points of each the landscape holds.
#[derive(Clone, Debug, Serialize)]
pub struct LaneCoverage {
    /// How many valid lane types the dims and target allow (decimal text: it may exceed 2⁶⁴).
    pub total: String,
    /// True when the types covered are a seeded sample of them (more than `lanes` types).
    pub sampled: bool,
    /// One row per type covered, in the order of the points.
    pub types: Vec<LaneTypeRow>,
}

/// One lane type: its points and how many of them each reading of the criterion misclassifies.
#[derive(Clone, Debug, Serialize)]
pub struct LaneTypeRow {
    /// E.g. "1 carried; 2 cut at W_2; 3 cut at W_3,W_4".
    pub lane_type: String,
    /// Points of this type (each exactly critical).
    pub points: usize,
    /// Points where the certificate decided a class other than the tightened reading's.
    pub tightened_disagree: usize,
    /// Points where the certificate decided a class other than the path reading's.
    pub path_disagree: usize,
}

/// The lane types covered by the case's lane points, when it asks for some, in either arithmetic:
/// `targets_nonzero` says which lanes have a nonzero target (from the lane frames, exact or MPFR;
/// None when they could not be built, and then no lane point was either).
pub fn lane_coverage<C: Classifier>(
    c: &Case,
    critical: &Critical<C>,
    targets_nonzero: Option<Vec<bool>>,
    seed: u64,
) -> Option<LaneCoverage> {
    let n = c.generate.critical_point_lanes;
    if n == 0 {
        return None;
    }
    let ts = lanes::types(&c.dims, &targets_nonzero?, n, seed);
    let mut types: Vec<LaneTypeRow> = Vec::new();
    for r in critical.rows() {
        let Some(ty) = lanes::type_of_origin(r.origin) else {
            continue;
        };
        let i = match types.iter().position(|t| t.lane_type == ty) {
            Some(i) => i,
            None => {
                types.push(LaneTypeRow {
                    lane_type: ty.to_string(),
                    points: 0,
                    tightened_disagree: 0,
                    path_disagree: 0,
                });
                types.len() - 1
            }
        };
        let (a, b) = r.classified.criterion;
        let cert = r.classified.certificate.class;
        let t = &mut types[i];
        t.points += 1;
        t.tightened_disagree += usize::from(cert.is_some_and(|k| k != a));
        t.path_disagree += usize::from(cert.is_some_and(|k| k != b));
    }
    Some(LaneCoverage {
        total: ts.total.to_string(),
        sampled: ts.sampled,
        types,
    })
}

/// The points of every construction, per family ([`family_of`]) and type.
#[derive(Clone, Debug, Serialize)]
pub struct PointCoverage {
    /// Every point listed (the sum of the families' points).
    pub points: usize,
    /// One row per family, in the order of the points.
    pub families: Vec<FamilyRow>,
}

/// How many points, and how many of them each reading of the criterion misclassifies (the
/// certificate decided a class other than the reading's).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Misclassified {
    /// Points counted.
    pub points: usize,
    /// Points where the certificate decided a class other than the tightened reading's.
    pub tightened_disagree: usize,
    /// Points where the certificate decided a class other than the path reading's.
    pub path_disagree: usize,
}

impl Misclassified {
    /// Count one point with the criterion's classes (tightened, path) and the certificate's.
    fn add(&mut self, (a, b): (Class, Class), cert: Option<Class>) {
        self.points += 1;
        self.tightened_disagree += usize::from(cert.is_some_and(|k| k != a));
        self.path_disagree += usize::from(cert.is_some_and(|k| k != b));
    }
}

/// One construction family: its points in total and per type.
#[derive(Clone, Debug, Serialize)]
pub struct FamilyRow {
    /// [`family_of`]'s name, e.g. "borrowed slots".
    pub family: &'static str,
    /// Its points in total.
    #[serde(flatten)]
    pub total: Misclassified,
    /// One row per type, in the order of the points.
    pub types: Vec<PointTypeRow>,
}

/// One type of a family: a rank profile, or a lane type.
#[derive(Clone, Debug, Serialize)]
pub struct PointTypeRow {
    /// E.g. "tight (every hidden layer of rank s)" (s = |S|) or "1 carried; 2 cut at W_2,W_3".
    pub point_type: String,
    /// Its points.
    #[serde(flatten)]
    pub count: Misclassified,
}

/// A rank profile's description without its index set, s standing for |S| ("S = {1}, rank 1 at
/// hidden layer W_3 only" ↦ "rank s at hidden layer W_3 only"; the zero point as it is).
fn profile_type(origin: &str) -> String {
    let Some((_, profile)) = origin.split_once("}, ") else {
        return origin.to_string();
    };
    if profile.starts_with("tight") {
        "tight (every hidden layer of rank s)".into()
    } else if let Some((_, at)) = profile
        .strip_prefix("rank ")
        .and_then(|r| r.split_once(" at "))
    {
        format!("rank s at {at}")
    } else {
        profile.to_string()
    }
}

/// The construction family of a point and its type within the family, from its origin: "the
/// case's point"; "lanes", "lanes with free blocks" (some free kernel-block entry filled) and
/// "borrowed slots" by lane type; the rank profiles of `critical::profiles` and the zero point as
/// "rank profiles", their seeded changes of basis (`per_set`) as "rank profiles, changed basis".
pub fn family_of(origin: &str) -> (&'static str, String) {
    if origin == "the case's point" {
        return ("the case's point", origin.into());
    }
    if let Some(ty) = borrowed::type_of_origin(origin) {
        return ("borrowed slots", ty.into());
    }
    if let Some(ty) = lanes::type_of_origin(origin) {
        return match origin.contains(" free-block entries") {
            true => ("lanes with free blocks", ty.into()),
            false => ("lanes", ty.into()),
        };
    }
    match origin.split_once(", change of basis #") {
        Some((base, _)) => ("rank profiles, changed basis", profile_type(base)),
        None => ("rank profiles", profile_type(origin)),
    }
}

/// Every listed point counted per family and type ([`family_of`]), with how many each reading
/// of the criterion misclassifies.
pub fn point_coverage<C: Classifier>(critical: &Critical<C>) -> PointCoverage {
    let mut families: Vec<FamilyRow> = Vec::new();
    let rows = critical.rows();
    for r in &rows {
        let (family, ty) = family_of(r.origin);
        let i = families
            .iter()
            .position(|f| f.family == family)
            .unwrap_or_else(|| {
                families.push(FamilyRow {
                    family,
                    total: Misclassified::default(),
                    types: Vec::new(),
                });
                families.len() - 1
            });
        let f = &mut families[i];
        let j = f
            .types
            .iter()
            .position(|t| t.point_type == ty)
            .unwrap_or_else(|| {
                f.types.push(PointTypeRow {
                    point_type: ty,
                    count: Misclassified::default(),
                });
                f.types.len() - 1
            });
        let (classes, cert) = (r.classified.criterion, r.classified.certificate.class);
        f.total.add(classes, cert);
        f.types[j].count.add(classes, cert);
    }
    PointCoverage {
        points: rows.len(),
        families,
    }
}

/// The point families as text under the table: per family its types, then its total.
fn families_text(cov: &PointCoverage) -> String {
    let mut out = format!(
        "\npoint families: {} points in {} {} (s = |S|)\n\n| family | point type | points | tightened ≠ certificate | path ≠ certificate |\n|---|---|---|---|---|\n",
        cov.points,
        cov.families.len(),
        if cov.families.len() == 1 { "family" } else { "families" }
    );
    let mut line = |family: &str, ty: &str, m: &Misclassified| {
        let _ = writeln!(
            out,
            "| {family} | {ty} | {} | {} | {} |",
            m.points, m.tightened_disagree, m.path_disagree
        );
    };
    for f in &cov.families {
        for t in &f.types {
            line(f.family, &t.point_type, &t.count);
        }
        line(f.family, "**all**", &f.total);
    }
    out
}

/// The lane coverage as text under the table.
fn coverage_text(cov: &LaneCoverage) -> String {
    let points: usize = cov.types.iter().map(|t| t.points).sum();
    let mut out = format!(
        "\nlane types: {} covered ({}) of {}, {points} lane points\n\n| lane type | points | tightened ≠ certificate | path ≠ certificate |\n|---|---|---|---|\n",
        cov.types.len(),
        if cov.sampled { "a seeded sample" } else { "all" },
        cov.total
    );
    for t in &cov.types {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            t.lane_type, t.points, t.tightened_disagree, t.path_disagree
        );
    }
    out
}

/// Which lanes have a nonzero target in the exact lane frames of the case.
fn lane_targets(sp: &Spectrum, c: &Case) -> Option<Vec<bool>> {
    let frames = lanes::Frames::new(sp, &c.x)?;
    Some(frames.targets_nonzero(lanes::lane_count(&c.dims)))
}

/// Which lanes have a nonzero target in the MPFR lane frames of the case.
fn mpfr_lane_targets(sp: &MpfrSpectrum, c: &Case) -> Option<Vec<bool>> {
    let frames = lanes::Frames::mpfr(sp, &c.x)?;
    Some(frames.targets_nonzero(lanes::lane_count(&c.dims)))
}

/// The landscape of the case as [`Enumeration`] (an error names the field or the scope).
pub fn enumeration(c: &Case, settings: &Settings, seed: u64) -> Result<Enumeration, String> {
    let mut e = match landscape(c, settings, seed).map_err(|e| scope_error(c, e))? {
        Landscape::Exact(critical) => {
            let f_star = &critical.problem.f_star;
            let gap = |value: &str| {
                let q = parse_rational(value)?;
                Some((q - q_to_rug(f_star)).to_string())
            };
            Enumeration {
                case: c.name.clone(),
                dims: c.dims.clone(),
                arithmetic: "exact",
                eigenvalues: critical
                    .problem
                    .spectrum
                    .eigenvalues
                    .iter()
                    .map(q_to_string)
                    .collect(),
                f_star: q_to_string(f_star),
                f_star_radius: None,
                agree: true,
                points: point_rows(&critical, gap),
                lane_types: lane_coverage(
                    c,
                    &critical,
                    lane_targets(&critical.problem.spectrum, c),
                    seed,
                ),
                point_families: point_coverage(&critical),
                case_point_left_out: critical.left_out.clone(),
            }
        }
        Landscape::Mpfr(critical) => {
            let sp = &critical.problem.spectrum;
            let (f_star, radius) = sp.critical_value(&optimum_set(&c.dims));
            let gap = |value: &str| {
                let v = Float::with_val(sp.prec, Float::parse(value).ok()?);
                Some(mpfr_decimal(&Float::with_val(sp.prec, &v - &f_star)))
            };
            Enumeration {
                case: c.name.clone(),
                dims: c.dims.clone(),
                arithmetic: "mpfr",
                eigenvalues: (0..sp.eigenvalues.len()).map(|j| sp.describe(j)).collect(),
                f_star: mpfr_decimal(&f_star),
                f_star_radius: Some(radius.to_f64()),
                agree: true,
                points: point_rows(&critical, gap),
                lane_types: lane_coverage(c, &critical, mpfr_lane_targets(sp, c), seed),
                point_families: point_coverage(&critical),
                case_point_left_out: critical.left_out.clone(),
            }
        }
    };
    e.agree = e
        .points
        .iter()
        .all(|r| r.verdict == crate::claims::evidence::PointVerdict::Holds);
    Ok(e)
}

/// The rows of every critical point, the case's own first; `gap` gives f − f* from f's text.
fn point_rows<C: Classifier>(
    critical: &Critical<C>,
    gap: impl Fn(&str) -> Option<String>,
) -> Vec<PointRow> {
    let basis = critical.problem.judge().basis();
    let mut rows: Vec<PointRow> = critical
        .rows()
        .iter()
        .map(|r| {
            let k = r.classified;
            let (a, b) = k.criterion;
            let cert = &k.certificate;
            let mut values = Values::default();
            values.set_classes(
                a.as_str(),
                cert.class.map_or(UNDETERMINED, Class::as_str),
                &cert.detail,
            );
            values.insert("class_by_criterion_path".into(), json!(b.as_str()));
            values.insert("index_set".into(), json!(set_label(&k.set)));
            values.critical_value = Some(Number::of(&r.value));
            if let Some(g) = gap(&r.value) {
                values.insert("loss_gap".into(), json!(g));
            }
            values.insert("layer_ranks".into(), json!(r.layer_ranks));
            values.insert("prefix_ranks".into(), json!(r.prefix_ranks));
            let ev = Evidence {
                values,
                certificate: None,
            };
            let finding = agreement(ev, (a, b), cert.class, &cert.detail, basis);
            PointRow::of(r.origin, &finding, None)
        })
        .collect();
    // stable: the others keep the table's order
    rows.sort_by_key(|r| !r.case_point);
    rows
}

/// Whether both readings of the criterion name the certificate's class, as a finding.
fn agreement(
    ev: Evidence,
    (a, b): (Class, Class),
    cert: Option<Class>,
    detail: &str,
    basis: Basis,
) -> Finding {
    match cert {
        None => Finding::Undecided(format!("no certificate: {detail}"), ev),
        Some(k) if k == a && k == b => Finding::Holds(basis, ev),
        Some(k) => Finding::Fails(
            basis,
            ev,
            format!(
                "the criterion says {} (tightened) and {} (path), the certificate {}",
                a.as_str(),
                b.as_str(),
                k.as_str()
            ),
        ),
    }
}

/// A landscape's error as the command reports it.
fn scope_error(c: &Case, e: crate::enumerate::landscape::LandscapeError) -> String {
    format!(
        "{}: {}",
        c.name,
        match e.field {
            Some(field) => c.error(field, e.message).to_string(),
            None => format!("out of scope: {}", e.message),
        }
    )
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
        Ok(Landscape::Exact(critical)) => {
            let (mut text, agree) = exact_table(c, &critical);
            let targets = lane_targets(&critical.problem.spectrum, c);
            if let Some(cov) = lane_coverage(c, &critical, targets, seed) {
                text += &coverage_text(&cov);
            }
            text += &families_text(&point_coverage(&critical));
            text += &left_out_text(&critical);
            Ok((text, agree))
        }
        Ok(Landscape::Mpfr(critical)) => {
            let (mut text, agree) = mpfr_table(c, &critical);
            let targets = mpfr_lane_targets(&critical.problem.spectrum, c);
            if let Some(cov) = lane_coverage(c, &critical, targets, seed) {
                text += &coverage_text(&cov);
            }
            text += &families_text(&point_coverage(&critical));
            text += &left_out_text(&critical);
            Ok((text, agree))
        }
        Err(e) => Err(scope_error(c, e)),
    }
}

/// The line saying why the case's point is not in the table, when it is not critical.
fn left_out_text<C: Classifier>(critical: &Critical<C>) -> String {
    critical
        .left_out
        .as_ref()
        .map_or_else(String::new, |why| format!("\nnote: {why}\n"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_construction_has_its_family_and_type() {
        let cases = [
            ("the case's point", "the case's point", "the case's point"),
            (
                "S = {1,2}, tight (every hidden layer of rank 2)",
                "rank profiles",
                "tight (every hidden layer of rank s)",
            ),
            (
                "S = {}, loose (hidden layers of full rank), change of basis #1 (seed 3)",
                "rank profiles, changed basis",
                "loose (hidden layers of full rank)",
            ),
            (
                "S = {2}, rank 1 at hidden layer W_3 only",
                "rank profiles",
                "rank s at hidden layer W_3 only",
            ),
            ("the zero point", "rank profiles", "the zero point"),
            (
                "the zero point, change of basis #0 (seed 3)",
                "rank profiles, changed basis",
                "the zero point",
            ),
            (
                "lanes: 1 carried; 2 cut at W_1,W_2 (seed 4, basis change 7)",
                "lanes",
                "1 carried; 2 cut at W_1,W_2",
            ),
            (
                "lanes: 1 carried; 2 blocked (seed 4, basis change 7, 3 free-block entries)",
                "lanes with free blocks",
                "1 carried; 2 blocked",
            ),
            (
                "borrowed slots: 1 cut at W_2,W_3; 2 carried (seed 5, draw 12)",
                "borrowed slots",
                "1 cut at W_2,W_3; 2 carried",
            ),
        ];
        for (origin, family, ty) in cases {
            assert_eq!(family_of(origin), (family, ty.to_string()), "{origin}");
        }
    }
}
