//! From the raw serde shape to a validated [`Case`]: shapes, ranges, size limits, claim ids and
//! the rank of X. Each error names the field path and its line.

use super::errors::Errors;
use super::number::RawNum;
use super::raw::{RawCase, RawMatrix, RawX, VersionProbe};
use super::{Activation, Case, CaseError, CheckSpec, Generate, LoadOptions, ModelKind, Samples};
use crate::linalg::field::q_to_string;
use crate::linalg::{mat, Exact, Mat};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::collections::HashMap;
use std::path::Path;

/// The only case-file version this module reads.
const VERSION: u64 = 1;
/// Default MPFR precision.
const DEFAULT_PRECISION: u32 = 256;
/// Allowed MPFR precisions.
const PRECISION_RANGE: std::ops::RangeInclusive<u64> = 16..=65536;
/// Allowed `generate.minimizers.count`.
const MINIMIZERS_RANGE: std::ops::RangeInclusive<u64> = 1..=10_000;
/// Allowed `generate.critical_points.per_set`.
const PER_SET_RANGE: std::ops::RangeInclusive<u64> = 1..=100;
/// Allowed `generate.critical_points.lanes` and `.borrowed`.
const LANES_RANGE: std::ops::RangeInclusive<u64> = 0..=10_000;
/// Bytes per parameter² of the dense-Hessian estimate (f64 Hessian plus eigen workspace).
const DENSE_BYTES_PER_P2: u128 = 24;
/// Largest `x: identity` expanded to an exact d_0 × d_0 matrix, in entries: every other matrix
/// is written out in the file (so bounded by its size), but `identity` turns 10 bytes of text
/// into d_0² rationals of about 64 bytes each (d_0 = 4096 would take 1 GiB before any check).
const MAX_IDENTITY_ENTRIES: usize = 1 << 20;

/// Deepest nesting of flow collections (`[`, `{`) read. serde_yaml deserializes at most 128
/// levels anyway, and libyaml's scanner spends time proportional to the flow depth on every token
/// (80 000 levels in a 160 KB file took 52 s; found by fuzzing), so deeper text is refused before
/// it is parsed.
const MAX_FLOW_DEPTH: usize = 128;

/// The 1-based (line, column) where the flow nesting first exceeds [`MAX_FLOW_DEPTH`], if it does.
/// Brackets inside quoted scalars and comments do not count; a quote opens a scalar only where
/// YAML allows one to start (after `[ { , : - ?` or at the start of a line).
fn too_deep(src: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let (mut escaped, mut comment) = (false, false);
    let mut last = '\n'; // last significant character outside quotes
    for c in src.chars() {
        col += 1;
        if c == '\n' {
            (line, col, comment) = (line + 1, 0, false);
            if quote.is_none() {
                last = '\n';
            }
            continue;
        }
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
                last = c;
            }
            continue;
        }
        match c {
            '#' if matches!(last, '\n' | ' ') || col == 1 => comment = true,
            '"' | '\'' if matches!(last, '[' | '{' | ',' | ':' | '-' | '?' | '\n' | ' ') => {
                quote = Some(c)
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some((line, col));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == ' ' || c == '\t' {
            if !matches!(last, '[' | '{' | ',' | ':' | '-' | '?' | '\n') {
                last = ' ';
            }
        } else {
            last = c;
        }
    }
    None
}

/// Parse and validate.
pub(crate) fn load(src: &str, file: &Path, opts: &LoadOptions) -> Result<Case, CaseError> {
    load_with(src, file, opts, Checks::Required)
}

/// Parse and validate; with [`Checks::Optional`] a file without `checks:` is valid (its checks are
/// empty), for commands that check no claims (`trajectory`).
pub(crate) fn load_with(
    src: &str,
    file: &Path,
    opts: &LoadOptions,
    required: Checks,
) -> Result<Case, CaseError> {
    let ctx = Ctx { src, file };
    if let Some((line, column)) = too_deep(src) {
        return Err(CaseError {
            file: file.to_path_buf(),
            field: "<document>".to_string(),
            line: Some(line),
            column: Some(column),
            message: format!(
                "collections nested deeper than {MAX_FLOW_DEPTH} levels (`[` or `{{`); a case \
                 file needs at most a few"
            ),
            source_line: super::error::line_text(src, line).map(Box::new),
            also: Box::default(),
        });
    }
    // A wrong version explains every schema error after it, so report it first.
    if let Ok(probe) = serde_yaml::from_str::<VersionProbe>(src) {
        if let Some(v) = probe.version {
            if v.as_u64() != Some(VERSION) {
                return Err(ctx.err("version", version_message(&v)));
            }
        }
    }
    match serde_yaml::from_str::<RawCase>(src) {
        Ok(raw) => build(raw, &ctx, opts, required),
        Err(e) => {
            let first = CaseError::from_yaml(file, src, &e);
            let more = further_errors(&first, &ctx, opts, required);
            Err(first.with_also(more))
        }
    }
}

/// At most this many errors are listed for one file.
const MAX_ERRORS: usize = 20;

/// The errors of a file after its first schema error `first`, found by reading it again with each
/// error repaired: a misspelt key renamed to its suggestion or removed, a bad entry of a list replaced by 0, a bad value of a
/// mapping removed. Errors that a repair may have caused are left out (a missing key in a mapping
/// where a misspelt key was removed, or where a bad value was; errors about a field that contains
/// a replaced value, such as the rank of a matrix with a replaced entry). A YAML syntax error
/// stops the reading: nothing after it is known.
fn further_errors(
    first: &CaseError,
    ctx: &Ctx,
    opts: &LoadOptions,
    required: Checks,
) -> Vec<CaseError> {
    let Ok(mut doc) = serde_yaml::from_str::<serde_yaml::Value>(ctx.src) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut done = Repairs::default();
    if !done.apply(&mut doc, &first.field, &first.message) {
        return Vec::new();
    }
    while found.len() < MAX_ERRORS {
        let Ok(text) = serde_yaml::to_string(&doc) else {
            break;
        };
        let raw = match serde_yaml::from_str::<RawCase>(&text) {
            Ok(raw) => raw,
            Err(e) => {
                // the field and message of the repaired text, positioned in the file itself
                let e = CaseError::from_yaml(ctx.file, &text, &e);
                let parent = |f: &str| f.rsplit_once('.').map_or(String::new(), |p| p.0.into());
                let caused = e.message.starts_with("missing field")
                    && done.all.iter().any(|r| parent(r) == parent(&e.field));
                if caused || done.all.contains(&e.field) {
                    break;
                }
                found.push(ctx.err(&e.field, e.message.clone()));
                if !done.apply(&mut doc, &e.field, &e.message) {
                    break;
                }
                continue;
            }
        };
        if let Err(e) = build(raw, ctx, opts, required) {
            let caused = |e: &CaseError| done.replaced.iter().any(|r| r.starts_with(&e.field));
            found.extend(
                std::iter::once(e.clone())
                    .chain(*e.also)
                    .filter(|e| !caused(e)),
            );
        }
        break;
    }
    found
}

/// The fields repaired so far.
#[derive(Default)]
struct Repairs {
    /// Every repaired field.
    all: Vec<String>,
    /// The fields whose value was replaced or removed (not unknown keys).
    replaced: Vec<String>,
}

impl Repairs {
    /// Repair the error at `field` ([`repair`]) and record it; `false` when it cannot be.
    fn apply(&mut self, doc: &mut serde_yaml::Value, field: &str, message: &str) -> bool {
        let Some(path) = repair(doc, field, message) else {
            return false;
        };
        if !message.starts_with("unknown field") {
            self.replaced.push(path.clone());
        }
        self.all.push(path);
        true
    }
}

/// Repair the error at `field` in `doc` so that reading can go on: rename a misspelt key to its
/// suggestion (remove an unknown key without one), replace an entry of a list by 0, remove a key
/// whose value is wrong. Returns the repaired field, or
/// `None` when the error cannot be repaired (a missing key, an error of the whole document).
fn repair(doc: &mut serde_yaml::Value, field: &str, message: &str) -> Option<String> {
    use super::locate::Seg;
    use serde_yaml::Value;
    if message.starts_with("missing field") {
        return None;
    }
    let path = super::locate::parse_path(field)?;
    let (last, parents) = path.split_last()?;
    let mut node = &mut *doc;
    for seg in parents {
        node = match seg {
            Seg::Key(k) => node.get_mut(k.as_str())?,
            Seg::Index(i) => node.get_mut(*i)?,
        };
    }
    // a misspelt key with a suggestion is renamed, so that its value is still read
    let suggested = message
        .strip_prefix("unknown field")
        .and_then(|m| m.split_once("did you mean `"))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name);
    match (last, node) {
        (Seg::Key(k), Value::Mapping(m)) => {
            let value = m.remove(k.as_str())?;
            if let Some(name) = suggested.filter(|n| !m.contains_key(*n)) {
                m.insert(Value::from(name), value);
            }
            Some(field.to_string())
        }
        (Seg::Index(i), Value::Sequence(s)) if *i < s.len() => {
            s[*i] = Value::Number(0.into());
            Some(field.to_string())
        }
        _ => None,
    }
}

/// Validate a case that was not read from YAML text (`super::from_arrays`): the same rules, with
/// errors naming `file` and the field but no line, and `checks` optional (a case built to measure
/// λ_max has none).
pub(super) fn load_raw(raw: RawCase, file: &Path, opts: &LoadOptions) -> Result<Case, CaseError> {
    let ctx = Ctx { src: "", file };
    build(raw, &ctx, opts, Checks::Optional)
}

/// Whether a case must list at least one check (every case file `check` runs) or may list none
/// (a case built to measure λ_max, or read by `trajectory`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checks {
    /// At least one check.
    Required,
    /// None is fine.
    Optional,
}

fn version_message(v: &serde_yaml::Value) -> String {
    let shown = serde_yaml::to_string(v)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".to_string());
    format!("unsupported case-file version {shown}: this dlncheck reads version {VERSION}")
}

/// The source text and file, to position errors.
struct Ctx<'a> {
    src: &'a str,
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> CaseError {
        CaseError::at(self.file, self.src, field, message)
    }
}

/// Validate a parsed case. Every section is checked and every independent error recorded
/// ([`Errors`]): the first error found comes first, the others follow in line order. A section
/// that depends on another is checked only when that one is valid — the shapes of X, Y and the
/// weights need valid `model.dims`, Y's columns a valid X, the mask's shape a valid Y, the rank of
/// X a valid X of d_0 rows, the weights' shapes the right number of layers — so no error is listed
/// that another one caused.
fn build(raw: RawCase, ctx: &Ctx, opts: &LoadOptions, required: Checks) -> Result<Case, CaseError> {
    if raw.version != VERSION {
        // a version this dlncheck does not read explains every other error
        let v = serde_yaml::Value::from(raw.version);
        return Err(ctx.err("version", version_message(&v)));
    }
    let mut errors = Errors::default();
    let mut notes = Vec::new();
    let name = raw.name.unwrap_or_else(|| {
        ctx.file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    if name.trim().is_empty() {
        errors.push(ctx.err("name", "the case name must be non-empty"));
    }
    let precision_bits = errors
        .check(in_range(
            raw.precision_bits,
            PRECISION_RANGE,
            "precision_bits",
            true,
            ctx,
        ))
        .map(|p| p.map_or(DEFAULT_PRECISION, |p| p as u32));

    let model = raw.model;
    let kind = model.kind;
    let dims = errors.check(check_dims(&model.dims, kind, ctx, opts));
    let activation = errors.check(kind_field(
        model.activation,
        (kind, ModelKind::OneHiddenLayer),
        "model.activation",
        Some("a one-hidden-layer model needs `activation: {leaky_relu: SLOPE}`"),
        ctx,
        |a| {
            let slope = number(a.leaky_relu, "model.activation.leaky_relu", &mut notes);
            Ok(Activation::LeakyRelu(slope))
        },
    ));
    let lambda = errors.check(kind_field(
        model.lambda,
        (kind, ModelKind::L2Regularized),
        "model.lambda",
        Some("an l2-regularized model needs `lambda` (≥ 0)"),
        ctx,
        |l| {
            let l = number(l, "model.lambda", &mut notes);
            if l.is_negative() {
                return Err(ctx.err(
                    "model.lambda",
                    format!("lambda must be ≥ 0, found {}", q_to_string(&l)),
                ));
            }
            Ok(l)
        },
    ));

    let depth = dims.as_ref().map(|d| d.len() - 1);
    let (d0, dl) = match &dims {
        Some(d) => (Some(d[0]), Some(d[d.len() - 1])),
        None => (None, None),
    };
    // `None` when data.file is given but cannot be read: the arrays it names are then not checked
    let mut data_file = errors.check(data_file(&raw.data, ctx, opts));
    let x_written_identity = matches!(raw.data.x, RawX::Identity);
    let x = match raw.data.x {
        RawX::Identity => d0.and_then(|d0| errors.check(identity_of(d0, "data.x", "d_0", ctx))),
        RawX::Matrix(rows) => errors.check(matrix(rows, "data.x", ctx, &mut notes)),
        RawX::Array(name) => data_file
            .as_mut()
            .and_then(|file| errors.check(named(file, &name, "data.x", ctx, &mut notes))),
    };
    let x_side = d0.map(|d0| Side::new(d0, "d_0"));
    let x = x.and_then(|x| errors.check(expect_shape(&x, "data.x", ctx, x_side, None).map(|()| x)));
    let x = x.and_then(|x| {
        let n = x.cols();
        if n > opts.max_dim {
            errors.push(ctx.err(
                "data.x",
                format!(
                    "n = {n} data columns exceed the limit of {} (max_dim)",
                    opts.max_dim
                ),
            ));
            return None;
        }
        Some(x)
    });
    let y = match raw.data.y {
        RawX::Identity => dl.and_then(|dl| errors.check(identity_of(dl, "data.y", "d_L", ctx))),
        RawX::Matrix(rows) => errors.check(matrix(rows, "data.y", ctx, &mut notes)),
        RawX::Array(name) => data_file
            .as_mut()
            .and_then(|file| errors.check(named(file, &name, "data.y", ctx, &mut notes))),
    };
    let y_rows = dl
        .zip(depth)
        .map(|(dl, depth)| Side::new(dl, format!("d_L = d_{depth}")));
    let y_cols = x
        .as_ref()
        .map(|x| Side::new(x.cols(), "n").note("the columns of data.x"));
    let y =
        y.and_then(|y| errors.check(expect_shape(&y, "data.y", ctx, y_rows, y_cols).map(|()| y)));

    let mask = errors.check(kind_field(
        raw.data.mask,
        (kind, ModelKind::L2Regularized),
        "data.mask",
        None,
        ctx,
        |rows| mask(rows, y.as_ref(), ctx, &mut notes),
    ));
    let dynamics = match raw.dynamics {
        None => Some(super::Dynamics::default()),
        Some(d) => errors.check(dynamics(d, ctx, &mut notes)),
    };

    let project = raw.point.as_ref().and_then(|p| p.project);
    if project.is_some() && kind != ModelKind::Linear {
        errors.push(ctx.err(
            "point.project",
            format!(
                "`project: nearest-minimizer` concerns the zero-loss minimizers of the linear \
                 network (kind: linear), not kind {kind}"
            ),
        ));
    }
    let point = match raw.point {
        None => Some(None),
        Some(p) => point(p, dims.as_deref(), ctx, opts, &mut notes, &mut errors).map(Some),
    };
    if project.is_some() {
        notes.push(
            "point.project: nearest-minimizer: the minimizer claims (KP-*, BAL-flat, KP-escape) \
             are checked at the exact global minimizer W* projected from the case's point, not \
             at the point itself; their values give projection_distance (‖W − W*‖_F), \
             loss_at_case_point, loss_gap (f(W) − f*) and λ_max at the case's point"
                .to_string(),
        );
    }

    let (raw_min, raw_crit, raw_balanced) = raw.generate.map_or((None, None, None), |g| {
        (g.minimizers, g.critical_points, g.balanced)
    });
    let field = "generate.critical_points";
    let per_set = raw_crit.as_ref().and_then(|c| c.per_set);
    let per_set = errors.check(in_range(
        per_set,
        PER_SET_RANGE,
        &format!("{field}.per_set"),
        true,
        ctx,
    ));
    let lanes = raw_crit.as_ref().and_then(|c| c.lanes);
    let lanes = errors.check(in_range(
        lanes,
        LANES_RANGE,
        &format!("{field}.lanes"),
        true,
        ctx,
    ));
    let borrowed = raw_crit.as_ref().and_then(|c| c.borrowed);
    let borrowed = errors.check(in_range(
        borrowed,
        LANES_RANGE,
        &format!("{field}.borrowed"),
        true,
        ctx,
    ));
    let count = raw_min.map(|m| m.count);
    let minimizers = errors.check(in_range(
        count,
        MINIMIZERS_RANGE,
        "generate.minimizers.count",
        true,
        ctx,
    ));
    let generate = match (per_set, lanes, borrowed, minimizers) {
        (Some(per_set), Some(lanes), Some(borrowed), Some(minimizers)) => Some(Generate {
            balanced: raw_balanced.unwrap_or(true),
            critical_points_per_set: per_set.map(|n| n as usize),
            critical_point_lanes: lanes.map_or(0, |n| n as usize),
            critical_point_free_blocks: raw_crit
                .as_ref()
                .and_then(|c| c.free_blocks)
                .unwrap_or(false),
            critical_point_borrowed: borrowed.map_or(0, |n| n as usize),
            minimizers: minimizers.map(|n| n as usize),
        }),
        _ => None,
    };

    let checks = errors.check(checks(raw.checks.unwrap_or_default(), ctx, opts, required));
    let samples = match raw.samples {
        None => Some(None),
        Some(s) => errors.check(samples(s, ctx, &mut notes)).map(Some),
    };

    // the rank of X, when X is valid and of d_0 rows
    let x_is_identity = x_written_identity || x.as_ref().is_some_and(is_identity);
    if let (Some(x), Some(d0), false) = (&x, d0, x_is_identity) {
        if let Err(rank) = crate::linalg::rank::full_row_rank(x) {
            let n = x.cols();
            let hint = if n < d0 {
                format!(
                    "; X has fewer columns (n = {n}) than rows (d_0 = {d0}): dlncheck takes X as \
                     d_0 × n, one sample per column, so if the samples are rows, transpose X"
                )
            } else {
                String::new()
            };
            errors.push(ctx.err(
                "data.x",
                format!(
                    "X must have full row rank (Σ_XX invertible): rank {rank} < d_0 = {d0}{hint}"
                ),
            ));
        }
    }

    let (
        Some(precision_bits),
        Some(dims),
        Some(activation),
        Some(lambda),
        Some(x),
        Some(y),
        Some(point),
        Some(generate),
        Some(checks),
        Some(samples),
        Some(mask),
        Some(dynamics),
    ) = (
        precision_bits,
        dims,
        activation,
        lambda,
        x,
        y,
        point,
        generate,
        checks,
        samples,
        mask,
        dynamics,
    )
    else {
        return errors.finish(None);
    };
    errors.finish(Some(Case {
        name,
        file: ctx.file.to_path_buf(),
        about: raw.about,
        seed: raw.seed,
        precision_bits,
        kind,
        dims,
        activation,
        lambda,
        x,
        x_is_identity,
        y,
        point,
        project,
        generate,
        checks,
        float_inputs: notes,
        tier: raw.tier.unwrap_or_default(),
        samples,
        mask,
        dynamics,
        source: ctx.src.to_string(),
    }))
}

/// `value` when it is absent or lies in `range`, else an error at `field`:
/// `per_set = 0 is outside 1..=100` (`named`: the last key of `field` names the value) or
/// `0 is outside 1..=100`.
fn in_range(
    value: Option<u64>,
    range: std::ops::RangeInclusive<u64>,
    field: &str,
    named: bool,
    ctx: &Ctx,
) -> Result<Option<u64>, CaseError> {
    match value {
        Some(v) if !range.contains(&v) => {
            let name = match field.rsplit('.').next() {
                Some(key) if named => format!("{key} = "),
                _ => String::new(),
            };
            Err(ctx.err(
                field,
                format!("{name}{v} is outside {}..={}", range.start(), range.end()),
            ))
        }
        _ => Ok(value),
    }
}

/// A field that belongs to one model kind (`model.activation`, `model.lambda`, `data.mask`):
/// `kinds` is (the case's kind, the kind it belongs to). For that kind the value is `read`, and
/// its absence is an error saying `needs` (when it is required); for another kind its presence
/// is an error.
fn kind_field<R, T>(
    value: Option<R>,
    (kind, owner): (ModelKind, ModelKind),
    field: &str,
    needs: Option<&str>,
    ctx: &Ctx,
    read: impl FnOnce(R) -> Result<T, CaseError>,
) -> Result<Option<T>, CaseError> {
    match (value, needs) {
        (Some(v), _) if kind == owner => read(v).map(Some),
        (Some(_), _) => {
            let key = field.rsplit('.').next().unwrap_or(field);
            Err(ctx.err(
                field,
                format!("`{key}` is only for kind {owner}, not {kind}"),
            ))
        }
        (None, Some(needs)) if kind == owner => Err(ctx.err(field, needs)),
        (None, _) => Ok(None),
    }
}

/// The arrays of `data.file` that `data.x` and `data.y` name (`None` without `data.file`).
fn data_file(
    data: &super::raw::RawData,
    ctx: &Ctx,
    opts: &LoadOptions,
) -> Result<Option<FileArrays>, CaseError> {
    let Some(f) = &data.file else {
        return Ok(None);
    };
    let names: Vec<String> = [&data.x, &data.y]
        .into_iter()
        .filter_map(|v| match v {
            RawX::Array(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return Err(ctx.err(
            "data.file",
            "neither x nor y names an array of the file: write e.g. \
             `{file: data.npz, x: X, y: Y}`",
        ));
    }
    FileArrays::read(f, "data.file", Some(&names), ctx, opts).map(Some)
}

/// Widths: at least two, each in 1..=max_dim, and when every width is valid, the kind's shape
/// rules and the dense size limit.
fn check_dims(
    raw: &[u64],
    kind: ModelKind,
    ctx: &Ctx,
    opts: &LoadOptions,
) -> Result<Vec<usize>, CaseError> {
    if raw.len() < 2 {
        return Err(ctx.err(
            "model.dims",
            format!(
                "need at least two widths d_0 (input) and d_1 (output), found {}",
                raw.len()
            ),
        ));
    }
    let mut errors = Errors::default();
    let mut dims = Vec::with_capacity(raw.len());
    for (k, &d) in raw.iter().enumerate() {
        let field = format!("model.dims[{k}]");
        match usize::try_from(d) {
            _ if d == 0 => {
                errors.push(ctx.err(&field, format!("d_{k} = 0: every width must be ≥ 1")))
            }
            Ok(d) if d <= opts.max_dim => dims.push(d),
            _ => errors.push(ctx.err(
                &field,
                format!(
                    "d_{k} = {d} exceeds the limit of {} (max_dim)",
                    opts.max_dim
                ),
            )),
        }
    }
    if dims.len() < raw.len() {
        return errors.finish(None);
    }
    match kind {
        ModelKind::Residual if dims.iter().any(|&d| d != dims[0]) => errors.push(ctx.err(
            "model.dims",
            format!(
                "a residual network needs equal widths (each I + W_k is square), found {dims:?}"
            ),
        )),
        ModelKind::OneHiddenLayer if dims.len() != 3 => errors.push(ctx.err(
            "model.dims",
            format!(
                "a one-hidden-layer network has exactly three widths [d_0, d_1, d_2], found {}",
                dims.len()
            ),
        )),
        _ => {}
    }
    errors.check(check_size(&dims, ctx, opts));
    errors.finish(Some(dims))
}

/// P = Σ d_k d_{k−1} with checked arithmetic; the memory `opts.size_guard` counts (24·P² bytes
/// for the dense Hessian, 8·P·LANCZOS_MAX_BASIS for a Lanczos basis) must fit in
/// `max_dense_bytes`.
fn check_size(dims: &[usize], ctx: &Ctx, opts: &LoadOptions) -> Result<(), CaseError> {
    let p = dims.windows(2).try_fold(0u128, |acc, w| {
        (w[0] as u128)
            .checked_mul(w[1] as u128)
            .and_then(|t| acc.checked_add(t))
    });
    let basis = crate::linalg::lanczos::MAX_BASIS as u128;
    let need = p.and_then(|p| match opts.size_guard {
        super::SizeGuard::DenseHessian => p.checked_mul(p)?.checked_mul(DENSE_BYTES_PER_P2),
        super::SizeGuard::MatrixFree => p.checked_mul(8 * basis),
    });
    let what = match opts.size_guard {
        super::SizeGuard::DenseHessian => "the dense Hessian needs".to_string(),
        super::SizeGuard::MatrixFree => {
            format!("even the matrix-free λ_max path needs (a Lanczos basis, 8·P·{basis} bytes)")
        }
    };
    let formula = match opts.size_guard {
        super::SizeGuard::DenseHessian => "24·P²",
        super::SizeGuard::MatrixFree => "8·P·basis",
    };
    let limit = u128::from(opts.max_dense_bytes);
    match (p, need) {
        (Some(_), Some(need)) if need <= limit => Ok(()),
        (Some(p), Some(need)) => Err(ctx.err(
            "model.dims",
            format!(
                "P = {p} parameters: {what} {} ({formula} = {need} bytes) but the limit is {} \
                 ({limit} bytes)",
                human_bytes(need),
                human_bytes(limit)
            ),
        )),
        (p, _) => Err(ctx.err(
            "model.dims",
            format!(
                "P = {} parameters: the size {formula} overflows; the limit is {} ({limit} bytes)",
                p.map_or_else(
                    || "Σ d_k d_{k−1} (overflowing)".to_string(),
                    |p| p.to_string()
                ),
                human_bytes(limit)
            ),
        )),
    }
}

/// `9.6e9` → `8.9 GiB`.
fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// An exact number; YAML floats leave a note.
fn number(n: RawNum, field: &str, notes: &mut Vec<String>) -> BigRational {
    if let Some(f) = n.float {
        notes.push(format!(
            "{field}: YAML float {f:?} read as its exact binary value {}",
            q_to_string(&n.value)
        ));
    }
    n.value
}

/// A rectangular matrix with at least one row and one column.
fn matrix(
    rows: RawMatrix,
    field: &str,
    ctx: &Ctx,
    notes: &mut Vec<String>,
) -> Result<Mat<BigRational>, CaseError> {
    let Some(first) = rows.first() else {
        return Err(ctx.err(field, "the matrix has no rows"));
    };
    let cols = first.len();
    if cols == 0 {
        return Err(ctx.err(&format!("{field}[0]"), "row 0 has no entries"));
    }
    if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(ctx.err(
            &format!("{field}[{i}]"),
            format!(
                "ragged matrix: row {i} has {} but row 0 has {cols}",
                count(row.len(), "entry", "entries")
            ),
        ));
    }
    let n_rows = rows.len();
    let mut data = Vec::with_capacity(n_rows * cols);
    for (i, row) in rows.into_iter().enumerate() {
        for (j, entry) in row.into_iter().enumerate() {
            data.push(number(entry, &format!("{field}[{i}][{j}]"), notes));
        }
    }
    Ok(Mat::from_vec(n_rows, cols, data))
}

/// `1 row`, `2 rows`.
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The words of a matrix's two sides.
const ROWS: (&str, &str) = ("row", "rows");
/// See [`ROWS`].
const COLUMNS: (&str, &str) = ("column", "columns");

/// One side of a matrix's expected shape: its size, the symbol that names it and an optional
/// note, as in "expected 2 columns (n = 2, the columns of data.x), found 3".
#[derive(Clone)]
struct Side {
    size: usize,
    symbol: String,
    note: Option<&'static str>,
}

impl Side {
    fn new(size: usize, symbol: impl Into<String>) -> Self {
        Side {
            size,
            symbol: symbol.into(),
            note: None,
        }
    }

    fn note(self, note: &'static str) -> Self {
        Side {
            note: Some(note),
            ..self
        }
    }

    /// "expected 2 rows (d_0 = 2), found 3" for `found` = 3 `words` ([`ROWS`], [`COLUMNS`]).
    fn mismatch(&self, (one, many): (&str, &str), found: usize) -> String {
        let note = self.note.map(|n| format!(", {n}")).unwrap_or_default();
        format!(
            "expected {} ({} = {}{note}), found {found}",
            count(self.size, one, many),
            self.symbol,
            self.size
        )
    }
}

/// Check the rows and columns of `m` against the sides that are known (a side is unknown when
/// what gives its size is invalid): "expected 2 rows (d_0 = 2), found 3", rows first, with a
/// hint when the matrix fits transposed (X and Y take one sample per column).
fn expect_shape(
    m: &Mat<BigRational>,
    field: &str,
    ctx: &Ctx,
    rows: Option<Side>,
    cols: Option<Side>,
) -> Result<(), CaseError> {
    let transposed = match (&rows, &cols) {
        (Some(r), Some(c)) => m.rows() == c.size && m.cols() == r.size && c.size != r.size,
        (Some(r), None) => m.cols() == r.size && m.rows() != r.size,
        (None, _) => false,
    };
    let hint = if transposed {
        format!(
            "; the {} × {} matrix fits transposed: dlncheck takes X as d_0 × n and Y as d_L × n, \
             one sample per column",
            m.rows(),
            m.cols()
        )
    } else {
        String::new()
    };
    let wrong = [(rows, m.rows(), ROWS), (cols, m.cols(), COLUMNS)]
        .into_iter()
        .find_map(|(side, found, words)| {
            side.filter(|s| s.size != found)
                .map(|s| s.mismatch(words, found))
        });
    match wrong {
        Some(text) => Err(ctx.err(field, format!("{text}{hint}"))),
        None => Ok(()),
    }
}

/// The point W_1 … W_L: written out, or read from one array file or from one `.npy` per layer.
/// Each layer written out is read on its own and, when `dims` is valid and the number of layers
/// is L, checked against its shape on its own; the errors go to `errors`. `None` when an error
/// was recorded (or `dims` is invalid, whose error is recorded already).
fn point(
    p: super::raw::RawPoint,
    dims: Option<&[usize]>,
    ctx: &Ctx,
    opts: &LoadOptions,
    notes: &mut Vec<String>,
    errors: &mut Errors,
) -> Option<Vec<Mat<BigRational>>> {
    let given = [p.weights.is_some(), p.file.is_some(), p.files.is_some()];
    if given.iter().filter(|&&g| g).count() != 1 {
        errors.push(ctx.err(
            "point",
            "give exactly one of `weights` (the matrices written out), `file` (an .npz or \
             .safetensors file) and `files` (one .npy file per layer)",
        ));
        return None;
    }
    if p.arrays.is_some() && p.file.is_none() {
        errors.push(ctx.err(
            "point.arrays",
            "`arrays` names the layers inside `file`; this point has no `file`",
        ));
    }
    // (field, which array, the matrix or None when it is invalid); every layer is listed when
    // `all_read`
    let mut located: Vec<(String, String, Option<Mat<BigRational>>)> = Vec::new();
    let mut all_read = true;
    if let Some(rows) = p.weights {
        for (i, m) in rows.into_iter().enumerate() {
            let field = format!("point.weights[{i}]");
            let w = errors.check(matrix(m, &field, ctx, notes));
            located.push((field, String::new(), w));
        }
    } else if let Some(f) = p.file {
        let arrays = errors.check(FileArrays::read(
            &f,
            "point.file",
            p.arrays.as_deref(),
            ctx,
            opts,
        ))?;
        arrays.notes(notes);
        for a in arrays.arrays {
            let what = format!("array {:?} of {}: ", a.name, arrays.shown);
            located.push(("point.file".to_string(), what, Some(a.matrix)));
        }
    } else {
        for (i, f) in p.files.unwrap_or_default().iter().enumerate() {
            let field = format!("point.files[{i}]");
            let Some(arrays) = errors.check(FileArrays::read(f, &field, None, ctx, opts)) else {
                all_read = false;
                continue;
            };
            arrays.notes(notes);
            for a in arrays.arrays {
                located.push((field.clone(), format!("{}: ", arrays.shown), Some(a.matrix)));
            }
        }
    }
    let dims = dims.filter(|_| all_read)?;
    if let Err(message) = layer_count(located.len(), dims) {
        let field = located.first().map_or("point.weights", |(f, _, _)| {
            if f.starts_with("point.weights") {
                "point.weights"
            } else if f.starts_with("point.files") {
                "point.files"
            } else {
                "point.file"
            }
        });
        errors.push(ctx.err(field, message));
        return None;
    }
    let mut out = Vec::with_capacity(located.len());
    for (i, (field, what, w)) in located.into_iter().enumerate() {
        let Some(w) = w else {
            continue;
        };
        match layer_shape(i + 1, &what, &w, dims) {
            Ok(()) => out.push(w),
            Err(message) => errors.push(ctx.err(&field, message)),
        }
    }
    (out.len() == dims.len() - 1).then_some(out)
}

/// W_1 … W_L checked against `dims` (W_k of shape d_k × d_{k−1}); each matrix comes with a prefix
/// saying which array it was read from. An error gives the index of the first offending matrix
/// (none for a wrong count) and the message, with a hint when a matrix fits transposed.
pub(crate) fn shaped_weights(
    named: Vec<(String, Mat<BigRational>)>,
    dims: &[usize],
) -> Result<Vec<Mat<BigRational>>, (Option<usize>, String)> {
    layer_count(named.len(), dims).map_err(|m| (None, m))?;
    for (i, (what, w)) in named.iter().enumerate() {
        layer_shape(i + 1, what, w, dims).map_err(|m| (Some(i), m))?;
    }
    Ok(named.into_iter().map(|(_, w)| w).collect())
}

/// The number of weight matrices against the depth L of `dims`.
fn layer_count(found: usize, dims: &[usize]) -> Result<(), String> {
    let depth = dims.len() - 1;
    if found == depth {
        return Ok(());
    }
    Err(format!(
        "expected {depth} weight matrices W_1 … W_{depth} (L = {depth}), found {found}"
    ))
}

/// W_k (`k` ≥ 1) against its shape d_k × d_{k−1}: when it differs, the message after `what`
/// (which array it was read from), rows first, with a hint when the matrix fits transposed.
fn layer_shape(k: usize, what: &str, w: &Mat<BigRational>, dims: &[usize]) -> Result<(), String> {
    let (r, c) = (dims[k], dims[k - 1]);
    let mut rule = format!("W_{k} must be d_{k} × d_{} = {r} × {c}", k - 1);
    if w.rows() == c && w.cols() == r && r != c {
        rule.push_str(
            ", and this matrix fits transposed: dlncheck takes W_k as d_k × d_{k−1} (output × \
             input, the layout of PyTorch's nn.Linear.weight, acting as x ↦ W_k x)",
        );
    }
    let wrong = if w.rows() != r {
        Side::new(r, format!("d_{k}")).mismatch(ROWS, w.rows())
    } else if w.cols() != c {
        Side::new(c, format!("d_{}", k - 1)).mismatch(COLUMNS, w.cols())
    } else {
        return Ok(());
    };
    Err(format!("{what}{wrong}: {rule}"))
}

/// The arrays read from one file named in a case, with the path as the case wrote it.
struct FileArrays {
    /// The path as written in the case file (relative to it).
    shown: String,
    /// The field that named the file, for errors.
    field: String,
    arrays: Vec<super::arrays::Array>,
}

impl FileArrays {
    /// Read `names` (or every array) from `path`, relative to the case file's folder.
    fn read(
        path: &str,
        field: &str,
        names: Option<&[String]>,
        ctx: &Ctx,
        opts: &LoadOptions,
    ) -> Result<FileArrays, CaseError> {
        let full = ctx
            .file
            .parent()
            .map_or_else(|| Path::new(path).to_path_buf(), |d| d.join(path));
        let arrays = super::arrays::read(&full, names, opts.max_dim)
            .map_err(|e| ctx.err(field, format!("{path}: {e}")))?;
        Ok(FileArrays {
            shown: path.to_string(),
            field: field.to_string(),
            arrays,
        })
    }

    /// One note per float array: it was read as the exact binary values it holds.
    fn notes(&self, notes: &mut Vec<String>) {
        for a in self.arrays.iter().filter(|a| a.is_float()) {
            notes.push(format!(
                "{}: array {:?} of {} ({}) read as the exact binary values it holds",
                self.field, a.name, self.shown, a.dtype
            ));
        }
    }
}

/// The array `name` of `data.file` for `field` (`data.x`, `data.y`).
fn named(
    file: &mut Option<FileArrays>,
    name: &str,
    field: &str,
    ctx: &Ctx,
    notes: &mut Vec<String>,
) -> Result<Mat<BigRational>, CaseError> {
    let Some(f) = file.as_mut() else {
        return Err(ctx.err(
            field,
            format!(
                "{} is neither `identity` nor a matrix; as the name of an array it needs \
                 `data.file`",
                super::number::show(name)
            ),
        ));
    };
    let a = f
        .arrays
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| ctx.err(field, format!("no array {name:?} in {}", f.shown)))?;
    if a.is_float() {
        notes.push(format!(
            "{field}: array {name:?} of {} ({}) read as the exact binary values it holds",
            f.shown, a.dtype
        ));
    }
    Ok(a.matrix.clone())
}

/// `identity` for X (d_0 × d_0) or Y (d_L × d_L), within the size limit of expanded identities.
fn identity_of(
    d: usize,
    field: &str,
    symbol: &str,
    ctx: &Ctx,
) -> Result<Mat<BigRational>, CaseError> {
    if d * d > MAX_IDENTITY_ENTRIES {
        return Err(ctx.err(
            field,
            format!(
                "identity with {symbol} = {d} would be a {d} × {d} exact matrix of {} entries, \
                 more than the limit of {MAX_IDENTITY_ENTRIES}",
                d * d
            ),
        ));
    }
    Ok(mat::identity(&Exact, d))
}

/// At least one check (when `required`), every claim known, none twice.
fn checks(
    raw: Vec<super::raw::RawCheck>,
    ctx: &Ctx,
    opts: &LoadOptions,
    required: Checks,
) -> Result<Vec<CheckSpec>, CaseError> {
    if raw.is_empty() && required == Checks::Required {
        return Err(ctx.err(
            "checks",
            "no checks: list at least one claim, e.g. `checks: [{claim: KP-exact}]`",
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for (i, c) in raw.iter().enumerate() {
        let field = format!("checks[{i}].claim");
        // claim ids are case-insensitive: `KP-EXACT` is KP-exact
        let Some(claim) = opts
            .known_claims
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&c.claim))
        else {
            let near =
                crate::suggest::nearest(&c.claim, opts.known_claims.iter().map(String::as_str));
            errors.push(ctx.err(
                &field,
                match near {
                    Some(near) => format!(
                        "unknown claim {}; did you mean {near}? (`dlncheck claims` lists every claim)",
                        super::number::show(&c.claim)
                    ),
                    None => format!(
                        "unknown claim {}; known claims: {}",
                        super::number::show(&c.claim),
                        opts.known_claims.join(", ")
                    ),
                },
            ));
            continue;
        };
        if let Some(j) = seen.insert(claim.as_str(), i) {
            errors.push(ctx.err(
                &field,
                format!(
                    "duplicate claim {:?} (already listed as checks[{j}])",
                    c.claim
                ),
            ));
            continue;
        }
        out.push(CheckSpec {
            claim: claim.clone(),
            expect: c.expect,
            line: super::locate::locate(ctx.src, &format!("checks[{i}]")).map(|p| p.0),
        });
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(out),
        Some(first) => Err(first.with_also(errors)),
    }
}

fn is_identity(m: &Mat<BigRational>) -> bool {
    m.rows() == m.cols()
        && (0..m.rows()).all(|i| {
            (0..m.cols()).all(|j| {
                let v = m.at(i, j);
                if i == j {
                    v.is_one()
                } else {
                    v.is_zero()
                }
            })
        })
}

/// Allowed `samples.count`.
const SAMPLES_RANGE: std::ops::RangeInclusive<u64> = 1..=1000;
/// Allowed number of `samples.radii`.
const RADII_RANGE: std::ops::RangeInclusive<usize> = 1..=16;

/// `samples`: a count in range and 1..=16 positive radii, each checked on its own.
fn samples(
    raw: super::raw::RawSamples,
    ctx: &Ctx,
    notes: &mut Vec<String>,
) -> Result<Samples, CaseError> {
    let mut errors = Errors::default();
    errors.check(in_range(
        Some(raw.count),
        SAMPLES_RANGE,
        "samples.count",
        true,
        ctx,
    ));
    if !RADII_RANGE.contains(&raw.radii.len()) {
        errors.push(ctx.err(
            "samples.radii",
            format!(
                "expected {} to {} radii, found {}",
                RADII_RANGE.start(),
                RADII_RANGE.end(),
                raw.radii.len()
            ),
        ));
    }
    let mut radii = Vec::with_capacity(raw.radii.len());
    for (i, r) in raw.radii.into_iter().enumerate() {
        let field = format!("samples.radii[{i}]");
        let r = number(r, &field, notes);
        if !r.is_positive() {
            errors.push(ctx.err(
                &field,
                format!("a radius must be > 0, found {}", q_to_string(&r)),
            ));
        }
        radii.push(r);
    }
    errors.finish(Some(Samples {
        count: raw.count as usize,
        radii,
    }))
}

/// The observation mask: the shape of Y (when Y is valid), entries 0 or 1, at least one 1.
fn mask(
    rows: RawMatrix,
    y: Option<&Mat<BigRational>>,
    ctx: &Ctx,
    notes: &mut Vec<String>,
) -> Result<Mat<BigRational>, CaseError> {
    let m = matrix(rows, "data.mask", ctx, notes)?;
    let mut errors = Errors::default();
    if let Some(y) = y {
        errors.check(expect_shape(
            &m,
            "data.mask",
            ctx,
            Some(Side::new(y.rows(), "d_L, the rows of data.y")),
            Some(Side::new(y.cols(), "n").note("the columns of data.y")),
        ));
    }
    let entries = (0..m.rows()).flat_map(|i| (0..m.cols()).map(move |j| (i, j)));
    if let Some((i, j)) = entries
        .clone()
        .find(|&(i, j)| !m.at(i, j).is_zero() && !m.at(i, j).is_one())
    {
        errors.push(ctx.err(
            &format!("data.mask[{i}][{j}]"),
            format!("mask entries are 0 or 1, found {}", q_to_string(m.at(i, j))),
        ));
    }
    if m.as_slice().iter().all(Zero::is_zero) {
        errors.push(ctx.err("data.mask", "the mask observes no entry (all zeros)"));
    }
    errors.finish(Some(m))
}

/// Allowed step budgets (`dynamics.steps`, `dynamics.settle_steps`).
const STEPS_RANGE: std::ops::RangeInclusive<u64> = 1..=10_000_000;
/// Allowed `dynamics.runs` and `dynamics.batch`.
const RUNS_RANGE: std::ops::RangeInclusive<u64> = 1..=100_000;
/// Allowed `dynamics.max_points`.
const POINTS_RANGE: std::ops::RangeInclusive<u64> = 2..=10_000;

/// The dynamics settings, each in its range and checked on its own, errors naming the field.
fn dynamics(
    d: super::raw::RawDynamics,
    ctx: &Ctx,
    notes: &mut Vec<String>,
) -> Result<super::Dynamics, CaseError> {
    let mut errors = Errors::default();
    let mut positive = |v: Option<RawNum>, field: &str, allow_zero: bool| {
        let q = number(v?, field, notes);
        if q.is_negative() || (!allow_zero && q.is_zero()) {
            let need = if allow_zero { "≥ 0" } else { "> 0" };
            errors.push(ctx.err(field, format!("must be {need}, found {}", q_to_string(&q))));
        }
        Some(q)
    };
    let epsilon = positive(d.epsilon, "dynamics.epsilon", false);
    let grad_tol = positive(d.grad_tol, "dynamics.grad_tol", false);
    let noise = positive(d.noise, "dynamics.noise", true);
    let rank_threshold = positive(d.rank_threshold, "dynamics.rank_threshold", false);
    // a list of positive numbers; it records its errors in the `errors` it is given, so that the
    // check of a factor 1 between two lists keeps its place in the order
    let list =
        |v: Option<Vec<RawNum>>, field: &str, errors: &mut Errors, notes: &mut Vec<String>| {
            let v = v?;
            if v.is_empty() {
                errors.push(ctx.err(field, "the list is empty"));
            }
            let mut out = Vec::with_capacity(v.len());
            for (i, x) in v.into_iter().enumerate() {
                let f = format!("{field}[{i}]");
                let q = number(x, &f, notes);
                if !q.is_positive() {
                    errors.push(ctx.err(&f, format!("must be > 0, found {}", q_to_string(&q))));
                }
                out.push(q);
            }
            Some(out)
        };
    let step_factors = list(d.step_factors, "dynamics.step_factors", &mut errors, notes);
    if let Some(i) = step_factors
        .as_ref()
        .and_then(|v| v.iter().position(One::is_one))
    {
        errors.push(ctx.err(
            &format!("dynamics.step_factors[{i}]"),
            "a factor of exactly 1 (η = 2/λ_max) is on the threshold and decides nothing",
        ));
    }
    let etas = list(d.etas, "dynamics.etas", &mut errors, notes);
    let mut count = |v: Option<u64>, field: &str, range: std::ops::RangeInclusive<u64>| {
        errors
            .check(in_range(v, range, field, false, ctx))
            .flatten()
            .map(|v| v as usize)
    };
    let steps = count(d.steps, "dynamics.steps", STEPS_RANGE);
    let runs = count(d.runs, "dynamics.runs", RUNS_RANGE);
    let batch = count(d.batch, "dynamics.batch", RUNS_RANGE);
    let settle_steps = count(d.settle_steps, "dynamics.settle_steps", STEPS_RANGE);
    let max_points = count(d.max_points, "dynamics.max_points", POINTS_RANGE);
    errors.finish(Some(super::Dynamics {
        epsilon,
        step_factors,
        steps,
        grad_tol,
        etas,
        runs,
        batch,
        noise,
        settle_steps,
        rank_threshold,
        max_points,
    }))
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    #[test]
    fn flow_depth_counts_brackets_outside_quotes_and_comments() {
        let deep = |n: usize| format!("y: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(too_deep(&deep(MAX_FLOW_DEPTH)), None);
        assert_eq!(
            too_deep(&deep(MAX_FLOW_DEPTH + 1)),
            Some((1, 4 + MAX_FLOW_DEPTH))
        );
        let many = "[".repeat(200);
        assert_eq!(too_deep(&format!("about: \"{many}\"\ny: [[1]]\n")), None);
        assert_eq!(too_deep(&format!("about: '{many}'\n")), None);
        assert_eq!(too_deep(&format!("# {many}\nx: 1 # {many}\n")), None);
        // an apostrophe inside a plain scalar opens no quote, so it hides nothing
        assert_eq!(
            too_deep(&format!("about: it's\ny: {many}\n")),
            Some((2, 4 + MAX_FLOW_DEPTH))
        );
    }
}
