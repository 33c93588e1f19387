//! `dlncheck audit CLAIM`: a seeded search for counterexamples to a claim over random small cases,
//! shrinking the first one found (fewer layers, narrower layers, simpler rationals) with
//! quickcheck's `Arbitrary::shrink`, and writing the minimal one as a YAML case with
//! `expect: refuted` and its certificate.
//!
//! Trials are drawn from a ChaCha generator seeded by `--seed` (quickcheck's own generator cannot be
//! seeded), so an audit is reproducible; shrinking is deterministic. Entries live on a fixed grid
//! per layer (row i, column j of layer k), so removing a layer or narrowing a width leaves every
//! other entry where it was, and shrinking tries smaller depths first, then smaller widths, then
//! simpler entries, then fresh entries at a smaller shape: it stops at a local minimum of
//! (depth, widths, entry sizes).

use crate::case::{self, LoadOptions, ModelKind};
use crate::certify::lambda_max::Settings;
use crate::claims::{self, CaseContext, Claim, Data, Outcome, Points, Scope, Widths};
use crate::enumerate::minimizers::random_orthogonal;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::verdict::Verdict;
use num_rational::BigRational;
use quickcheck::{Arbitrary, Gen};
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Side of the per-layer entry grid: no width exceeds it.
pub const GRID: usize = 6;
/// Columns of the data grid (X's extra columns, Y's columns).
const DATA_COLS: usize = GRID + 3;
/// The deepest network an audit draws.
pub const MAX_DEPTH: usize = 8;

/// What kind of random case a claim needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Zero-loss minimizers of X = I (Y = the point's product).
    Factorization,
    /// Zero-loss minimizers with data X of full row rank.
    Data,
    /// Scalar networks, X = 1.
    Scalar,
    /// Any point, any data (BAL-invariant).
    AnyPoint,
    /// Targets Y = Q D with rational spectrum, X = I, no point (AMG).
    Spectrum,
    /// Zero-loss minimizers of X = I with positive diagonal layers: flatness and constant c_i,
    /// the premises of the KP-flat readings, then occur often.
    Diagonal,
}

/// The family a claim is audited in, from its scope: what it needs of the widths, the points its
/// statement is about, and whether it concerns general data X.
fn family(claim: &str) -> Family {
    let scope = claims::find(claim).map_or(Scope::ANY, |c| c.scope());
    match (scope.widths, scope.points, scope.data) {
        (Widths::Scalar, _, _) => Family::Scalar,
        (_, Points::Critical, _) => Family::Spectrum,
        (_, Points::Every, _) => Family::AnyPoint,
        (_, Points::Minimizers | Points::Flat, Data::General) => Family::Data,
        (_, Points::Flat, _) => Family::Diagonal,
        _ => Family::Factorization,
    }
}

/// X of the drawn cases (`--x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XKind {
    /// X = identity (matrix factorization).
    Identity,
    /// X = [I | R] with 1 or 2 random rational extra columns (full row rank, not the identity).
    General,
}

/// What the user asks of the drawn cases; `None` leaves the claim's default.
#[derive(Clone, Debug, Default)]
pub struct AuditOptions {
    /// Depth range, inclusive (`--depth 3` or `--depth 2..4`).
    pub depth: Option<(usize, usize)>,
    /// Every width d_0, …, d_L (`--widths 2,3,2`; fixes the depth too).
    pub widths: Option<Vec<usize>>,
    /// Largest width drawn (`--max-width`).
    pub max_width: Option<usize>,
    /// Model kind (`--kind`): linear, residual or l2-regularized.
    pub kind: Option<ModelKind>,
    /// Data X (`--x`).
    pub x: Option<XKind>,
}

/// Parse `3` or `2..4` (inclusive) as a depth range.
pub fn parse_depth(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--depth {s}: expected L or LO..HI (inclusive), e.g. 3 or 2..4");
    let (lo, hi) = match s.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim().trim_start_matches('=')),
        None => (s.trim(), s.trim()),
    };
    let (lo, hi): (usize, usize) = (
        lo.parse().map_err(|_| bad())?,
        hi.parse().map_err(|_| bad())?,
    );
    if lo == 0 || lo > hi || hi > MAX_DEPTH {
        return Err(format!("--depth {s}: need 1 ≤ LO ≤ HI ≤ {MAX_DEPTH}"));
    }
    Ok((lo, hi))
}

/// The shapes an audit draws for a claim under the user's options.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shape {
    depth: (usize, usize),
    width: (usize, usize),
    fixed_dims: Option<Vec<usize>>,
    square: bool,
    kind: ModelKind,
    x: Option<XKind>,
}

fn shape(claim: &str, opts: &AuditOptions) -> Result<Shape, String> {
    let fam = family(claim);
    let scope = claims::find(claim).map_or(Scope::ANY, |c| c.scope());
    // the first kind the claim concerns among linear and l2-regularized, else linear
    let kind = opts.kind.unwrap_or_else(|| {
        [ModelKind::Linear, ModelKind::L2Regularized]
            .into_iter()
            .find(|k| scope.kinds.is_empty() || scope.kinds.contains(k))
            .unwrap_or(ModelKind::Linear)
    });
    if kind == ModelKind::OneHiddenLayer {
        return Err(
            "audit draws linear, residual and l2-regularized models, not one-hidden-layer".into(),
        );
    }
    let mut depth = match fam {
        Family::Spectrum => (2, 4),
        _ => (scope.depth.0, scope.depth.1.min(4)),
    };
    let mut width = match scope.widths {
        Widths::Scalar => (1, 1),
        Widths::Matrix => (2, 3),
        Widths::Any | Widths::Square => (1, 3),
    };
    if let Some(d) = opts.depth {
        depth = d;
    }
    if let Some(w) = opts.max_width {
        if w == 0 || w > GRID {
            return Err(format!("--max-width {w}: need 1 ≤ d ≤ {GRID}"));
        }
        width = (width.0.min(w), w);
    }
    if let Some(ws) = &opts.widths {
        if ws.len() < 2 || ws.len() > MAX_DEPTH + 1 || ws.iter().any(|&w| w == 0 || w > GRID) {
            return Err(format!(
                "--widths: need 2 to {} widths d_0,…,d_L, each between 1 and {GRID}",
                MAX_DEPTH + 1
            ));
        }
        depth = (ws.len() - 1, ws.len() - 1);
        let min = ws.iter().copied().min().unwrap_or(1);
        width = (min, ws.iter().copied().max().unwrap_or(1));
    }
    let square = scope.widths == Widths::Square || kind == ModelKind::Residual;
    if square {
        if let Some(ws) = &opts.widths {
            if ws.iter().any(|&w| w != ws[0]) {
                return Err(format!(
                    "--widths: {claim} on kind {kind} needs every width equal"
                ));
            }
        }
    }
    Ok(Shape {
        depth,
        width,
        fixed_dims: opts.widths.clone(),
        square,
        kind,
        x: opts.x,
    })
}

/// A small random case: widths, integer numerators over small denominators on a fixed grid per
/// layer, and a seed for the orthogonal factor of spectrum targets (and the claim's own random
/// choices). Shrinking removes layers, narrows widths and simplifies entries toward 0 and 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCase {
    claim: String,
    kind: ModelKind,
    dims: Vec<usize>,
    /// Per layer, GRID × GRID entries (numerator, denominator): entry (i, j) of W_k is
    /// `layers[k][i * GRID + j]`.
    layers: Vec<Vec<(i64, i64)>>,
    /// X's extra columns (rows i, column j at `i * DATA_COLS + j`), then Y's entries (offset
    /// `GRID * DATA_COLS`).
    data: Vec<(i64, i64)>,
    extra_columns: usize,
    /// X is written as a matrix ([I | R]) rather than `identity`.
    x_matrix: bool,
    /// λ of l2-regularized models, 1/n.
    lambda_den: i64,
    seed: u64,
    /// Fewest extra columns of X (1 under `--x general`, so X stays not the identity).
    min_extra: usize,
    min_depth: usize,
    min_width: usize,
    square: bool,
}

fn draw_entry(rng: &mut impl Rng) -> (i64, i64) {
    (rng.gen_range(-3..=3), rng.gen_range(1..=3))
}

fn draw_layer(rng: &mut impl Rng) -> Vec<(i64, i64)> {
    (0..GRID * GRID).map(|_| draw_entry(rng)).collect()
}

impl AuditCase {
    /// A seeded random case for `claim` with the claim's default shapes.
    pub fn generate(claim: &str, rng: &mut impl Rng) -> Self {
        let shape = shape(claim, &AuditOptions::default()).expect("default audit shape");
        Self::generate_with(claim, &shape, rng)
    }

    fn generate_with(claim: &str, s: &Shape, rng: &mut impl Rng) -> Self {
        let fam = family(claim);
        let dims: Vec<usize> = match &s.fixed_dims {
            Some(d) => d.clone(),
            None => {
                let depth = rng.gen_range(s.depth.0..=s.depth.1);
                let w = rng.gen_range(s.width.0..=s.width.1);
                (0..=depth)
                    .map(|_| {
                        if s.square {
                            w
                        } else {
                            rng.gen_range(s.width.0..=s.width.1)
                        }
                    })
                    .collect()
            }
        };
        let layers = (0..dims.len() - 1).map(|_| draw_layer(rng)).collect();
        let data = (0..2 * GRID * DATA_COLS).map(|_| draw_entry(rng)).collect();
        let data_fam = fam == Family::Data || fam == Family::AnyPoint;
        let (x_matrix, extra_columns) = match s.x {
            Some(XKind::Identity) => (false, 0),
            Some(XKind::General) => (true, rng.gen_range(1..=2)),
            None if data_fam => (true, rng.gen_range(0..=2)),
            None => (false, 0),
        };
        AuditCase {
            claim: claim.into(),
            kind: s.kind,
            dims,
            layers,
            data,
            extra_columns,
            x_matrix,
            lambda_den: rng.gen_range(2..=20),
            seed: rng.gen_range(0..1000),
            min_extra: usize::from(s.x == Some(XKind::General)),
            min_depth: s.depth.0,
            min_width: s.width.0,
            square: s.square,
        }
    }

    /// The number of layers L.
    pub fn depth(&self) -> usize {
        self.dims.len() - 1
    }

    /// The widths d_0, …, d_L.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    fn q((n, d): (i64, i64)) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    fn layer(&self, k: usize) -> Mat<BigRational> {
        let (rows, cols) = (self.dims[k + 1], self.dims[k]);
        let m = Mat::from_fn(rows, cols, |i, j| Self::q(self.layers[k][i * GRID + j]));
        if family(&self.claim) != Family::Diagonal {
            return m;
        }
        // positive diagonal: 1 first (a common top direction, so flat points are frequent),
        // then (|n| + 1)/(d + 1) ∈ [1/4, 2]
        Mat::from_fn(rows, cols, |i, j| {
            if i == 0 && j == 0 {
                BigRational::from_integer(1.into())
            } else if i == j {
                let (n, d) = self.layers[k][i * GRID + j];
                BigRational::new((n.abs() + 1).into(), (d + 1).into())
            } else {
                BigRational::from_integer(0.into())
            }
        })
    }

    /// The case as YAML text (version 1), with `expect` on its single check when given.
    pub fn to_yaml(&self, name: &str, about: &str, expect: Option<Verdict>) -> String {
        let fam = family(&self.claim);
        let (d0, dl) = (self.dims[0], self.dims[self.depth()]);
        let weights: Vec<Mat<BigRational>> = (0..self.depth()).map(|k| self.layer(k)).collect();
        let x = self.x_matrix.then(|| {
            // [I | R]: full row rank by construction
            Mat::from_fn(d0, d0 + self.extra_columns, |i, j| {
                if j < d0 {
                    BigRational::from_integer(i64::from(i == j).into())
                } else {
                    Self::q(self.data[i * DATA_COLS + j - d0])
                }
            })
        });
        let x_exact = x.clone().unwrap_or_else(|| mat::identity(&Exact, d0));
        let n = x_exact.cols();
        let y = match fam {
            Family::AnyPoint => Mat::from_fn(dl, n, |i, j| {
                Self::q(self.data[GRID * DATA_COLS + i * DATA_COLS + j])
            }),
            Family::Spectrum => {
                // Y = Q D, D rectangular diagonal with distinct positive entries 1, 2, 3, …
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
                let (q, _) = random_orthogonal(&mut rng, dl);
                let d = Mat::from_fn(dl, n, |i, j| {
                    BigRational::from_integer(if i == j { (i + 1) as i64 } else { 0 }.into())
                });
                mat::matmul(&Exact, &q, &d)
            }
            _ => {
                let factor = |w: &Mat<BigRational>| {
                    if self.kind == ModelKind::Residual {
                        Mat::from_fn(w.rows(), w.cols(), |i, j| {
                            w.at(i, j) + BigRational::from_integer(i64::from(i == j).into())
                        })
                    } else {
                        w.clone()
                    }
                };
                let p = weights[1..].iter().fold(factor(&weights[0]), |p, w| {
                    mat::matmul(&Exact, &factor(w), &p)
                });
                mat::matmul(&Exact, &p, &x_exact)
            }
        };
        let rows = yaml_matrix;
        let mut out = format!(
            "version: 1\nname: {name}\nabout: \"{about}\"\nseed: {}\n",
            self.seed
        );
        let lambda = if self.kind == ModelKind::L2Regularized {
            format!(", lambda: \"1/{}\"", self.lambda_den)
        } else {
            String::new()
        };
        out += &format!(
            "model: {{kind: {}, dims: {:?}{lambda}}}\n",
            self.kind, self.dims
        );
        out += &format!(
            "data:\n  x: {}\n  y: {}\n",
            x.as_ref().map_or("identity".to_string(), rows),
            rows(&y)
        );
        if fam != Family::Spectrum {
            out += "point:\n  weights:\n";
            for w in &weights {
                out += &format!("    - {}\n", rows(w));
            }
        }
        out += &format!(
            "checks:\n  - {{claim: {}{}}}\n",
            self.claim,
            expect.map_or(String::new(), |e| format!(", expect: {}", e.as_str()))
        );
        out
    }

    /// Grid positions of the layer entries the case uses.
    fn used_layer_entries(&self) -> Vec<(usize, usize)> {
        let diag = family(&self.claim) == Family::Diagonal;
        let mut out = Vec::new();
        for k in 0..self.depth() {
            for i in 0..self.dims[k + 1] {
                for j in 0..self.dims[k] {
                    if !diag || (i == j && i > 0) {
                        out.push((k, i * GRID + j));
                    }
                }
            }
        }
        out
    }

    /// Positions in `data` of the entries the case uses.
    fn used_data_entries(&self) -> Vec<usize> {
        let (d0, dl) = (self.dims[0], self.dims[self.depth()]);
        let mut out = Vec::new();
        if self.x_matrix {
            for i in 0..d0 {
                out.extend((0..self.extra_columns).map(|j| i * DATA_COLS + j));
            }
        }
        if family(&self.claim) == Family::AnyPoint {
            let n = if self.x_matrix {
                d0 + self.extra_columns
            } else {
                d0
            };
            for i in 0..dl {
                out.extend((0..n).map(|j| GRID * DATA_COLS + i * DATA_COLS + j));
            }
        }
        out
    }

    /// The same case with layer k and width index `drop` (k or k + 1) removed.
    fn without_layer(&self, k: usize, drop: usize) -> Self {
        let mut c = self.clone();
        c.layers.remove(k);
        c.dims.remove(drop);
        c
    }

    /// Smaller shapes (one layer fewer, or one width narrower), each with every layer kept.
    fn smaller_shapes(&self) -> Vec<Self> {
        let mut out: Vec<Self> = Vec::new();
        let push = |c: Self, out: &mut Vec<Self>| {
            if c != *self && !out.contains(&c) {
                out.push(c);
            }
        };
        if self.depth() > self.min_depth.max(1) {
            for k in 0..self.depth() {
                push(self.without_layer(k, k + 1), &mut out);
                push(self.without_layer(k, k), &mut out);
            }
        }
        if self.square {
            if self.dims[0] > self.min_width {
                let mut c = self.clone();
                c.dims.iter_mut().for_each(|d| *d -= 1);
                push(c, &mut out);
            }
        } else {
            for k in 0..self.dims.len() {
                if self.dims[k] > self.min_width {
                    let mut c = self.clone();
                    c.dims[k] -= 1;
                    push(c, &mut out);
                }
            }
        }
        out
    }
}

/// Simpler rationals than (n, d), tried in this order.
fn simpler((n, d): (i64, i64)) -> Vec<(i64, i64)> {
    [(0, 1), (1, 1), (n.abs(), d), (n, 1), (n / 2, d)]
        .into_iter()
        .filter(|&s| {
            s != (n, d) && (s.0.abs() < n.abs() || s.1 < d || s == (0, 1) || (s.0 == -n && n < 0))
        })
        .collect()
}

/// Fresh entry draws tried at each smaller shape when keeping the entries does not refute.
const REDRAWS: u64 = 12;

impl Arbitrary for AuditCase {
    /// Delegates to [`AuditCase::generate`] with a generator seeded from `g` (for property tests;
    /// the audit command seeds its own generator).
    fn arbitrary(g: &mut Gen) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(u64::arbitrary(g));
        AuditCase::generate("KP-bound", &mut rng)
    }

    /// Smaller shapes first (fewer layers, then narrower widths), keeping the entries; then the
    /// same smaller shapes with fresh entries (seeded by the shape, so shrinking is
    /// deterministic); then fewer extra columns of X, simpler entries, and seed 0.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut out = self.smaller_shapes();
        let shapes = out.clone();
        for (s, c) in shapes.iter().enumerate() {
            for r in 0..REDRAWS {
                let tag = c.dims.iter().fold(s as u64, |h, &d| h * 31 + d as u64);
                let mut rng =
                    rand_chacha::ChaCha8Rng::seed_from_u64(tag.wrapping_mul(1_000_003) + r);
                let mut fresh = c.clone();
                fresh.layers = (0..c.depth()).map(|_| draw_layer(&mut rng)).collect();
                out.push(fresh);
            }
        }
        if self.extra_columns > self.min_extra {
            out.push(AuditCase {
                extra_columns: self.extra_columns - 1,
                ..self.clone()
            });
        }
        for (k, at) in self.used_layer_entries() {
            for s in simpler(self.layers[k][at]) {
                let mut c = self.clone();
                c.layers[k][at] = s;
                out.push(c);
            }
        }
        for at in self.used_data_entries() {
            for s in simpler(self.data[at]) {
                let mut c = self.clone();
                c.data[at] = s;
                out.push(c);
            }
        }
        if self.seed != 0 {
            out.push(AuditCase {
                seed: 0,
                ..self.clone()
            });
        }
        Box::new(out.into_iter())
    }
}

/// A matrix as a YAML flow sequence of rows of exact strings, e.g. `[["1/2", "0"], ["0", "1"]]`.
pub fn yaml_matrix(m: &Mat<BigRational>) -> String {
    let r: Vec<String> = (0..m.rows())
        .map(|i| {
            let row: Vec<String> = (0..m.cols())
                .map(|j| format!("\"{}\"", q_to_string(m.at(i, j))))
                .collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    format!("[{}]", r.join(", "))
}

/// The minimal counterexample an audit found.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The YAML case written (with `expect: refuted`).
    pub path: PathBuf,
    /// Its certificate, when the refutation carries one.
    pub certificate: Option<PathBuf>,
    /// Shrink steps taken.
    pub steps: usize,
    /// The trial (from 0) that first refuted.
    pub trial: usize,
    /// Widths d_0, …, d_L of the shrunk case.
    pub dims: Vec<usize>,
    /// Model kind of the shrunk case.
    pub kind: ModelKind,
    /// The YAML text written.
    pub yaml: String,
    /// Strength of the refutation.
    pub strength: Option<String>,
    /// Why the claim fails there (the outcome's reason).
    pub reason: Option<String>,
    /// The outcome's values at the shrunk case (the decisive figures).
    pub values: Map<String, Value>,
}

/// The result of an audit.
#[derive(Clone, Debug, Default)]
pub struct AuditReport {
    /// The claim's id, as registered.
    pub claim: String,
    /// The seed of the search.
    pub seed: u64,
    /// Trials drawn (the search stops at the first counterexample).
    pub trials: usize,
    /// Trials to which the claim applied (verdict not `error`).
    pub applicable: usize,
    /// Applicable trials where the claim's premise held at some point (a claim with per-point
    /// premises reports how many points were vacuous; the others count every applicable trial).
    pub premise_held: usize,
    /// Verdict → strength (`none` when the verdict has none) → trials.
    pub verdicts: BTreeMap<String, BTreeMap<String, usize>>,
    /// Why the claim did not apply → trials.
    pub not_applicable: BTreeMap<String, usize>,
    /// Depth L → trials drawn.
    pub depths: BTreeMap<usize, usize>,
    /// The shrunk counterexample, if any.
    pub counterexample: Option<Counterexample>,
}

fn check(c: &AuditCase, claim: &dyn Claim, settings: &Settings) -> Result<Outcome, String> {
    let yaml = c.to_yaml("audit", "audit trial", None);
    let opts = LoadOptions {
        known_claims: claims::known_ids(),
        ..LoadOptions::default()
    };
    let case = case::load_str(&yaml, Path::new("<audit>"), &opts).map_err(|e| e.to_string())?;
    let ctx = CaseContext::new(&case, settings.clone(), c.seed);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| claim.check(&ctx)))
        .map_err(|_| "the check panicked".to_string())?;
    if out.verdict() == Verdict::Error {
        return Err(out.reason.clone().unwrap_or_else(|| "error".into()));
    }
    Ok(out)
}

fn refuted(c: &AuditCase, claim: &dyn Claim, settings: &Settings) -> bool {
    check(c, claim, settings).is_ok_and(|o| o.verdict() == Verdict::Refuted)
}

/// The registered claim matching `id` case-insensitively, or an error with a suggestion.
pub fn resolve_claim(id: &str) -> Result<&'static dyn Claim, String> {
    claims::find(id).ok_or_else(|| claims::unknown(id))
}

/// Search `trials` seeded random cases for a counterexample to `claim_id` (case-insensitive);
/// shrink the first one and write it (and its certificate) under `out_dir`.
pub fn audit(
    claim_id: &str,
    trials: usize,
    seed: u64,
    out_dir: &Path,
    settings: &Settings,
) -> Result<AuditReport, String> {
    audit_with(
        claim_id,
        trials,
        seed,
        out_dir,
        settings,
        &AuditOptions::default(),
    )
}

/// [`audit`] with the user's control of depth, widths, kind and X.
pub fn audit_with(
    claim_id: &str,
    trials: usize,
    seed: u64,
    out_dir: &Path,
    settings: &Settings,
    opts: &AuditOptions,
) -> Result<AuditReport, String> {
    let claim = resolve_claim(claim_id)?;
    let claim_id = claim.id();
    let shape = shape(claim_id, opts)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut report = AuditReport {
        claim: claim_id.into(),
        seed,
        ..AuditReport::default()
    };
    for t in 0..trials {
        let c = AuditCase::generate_with(claim_id, &shape, &mut rng);
        report.trials = t + 1;
        *report.depths.entry(c.depth()).or_default() += 1;
        let out = match check(&c, claim, settings) {
            Ok(o) => o,
            Err(why) => {
                // drop the `<audit>:line:col: ` position of the generated text
                let why = match why.strip_prefix("<audit>:") {
                    Some(rest) => rest
                        .splitn(3, ':')
                        .nth(2)
                        .unwrap_or(rest)
                        .trim()
                        .to_string(),
                    None => why,
                };
                *report.not_applicable.entry(why).or_default() += 1;
                continue;
            }
        };
        report.applicable += 1;
        let vacuous_everywhere = match (out.values.get("points"), out.values.get("points_vacuous"))
        {
            (Some(p), Some(v)) => p.as_u64().is_some_and(|p| v.as_u64() == Some(p)),
            _ => false,
        };
        if !vacuous_everywhere {
            report.premise_held += 1;
        }
        *report
            .verdicts
            .entry(out.verdict().as_str().into())
            .or_default()
            .entry(out.strength().map_or("none", |s| s.as_str()).into())
            .or_default() += 1;
        if out.verdict() != Verdict::Refuted {
            continue;
        }
        // shrink: take the first simpler case that is still refuted, until none is
        let (mut current, mut steps) = (c, 0);
        'outer: loop {
            for cand in current.shrink() {
                if refuted(&cand, claim, settings) {
                    current = cand;
                    steps += 1;
                    continue 'outer;
                }
            }
            break;
        }
        let name = format!("audit-{}-seed{seed}", claim_id.to_lowercase());
        let about = format!("minimal counterexample to {claim_id} found by dlncheck audit (seed {seed}, trial {t}, {steps} shrink steps)");
        let yaml = current.to_yaml(&name, &about, Some(Verdict::Refuted));
        let path = out_dir.join(format!("{name}.yaml"));
        crate::report::atomic::write(&path, yaml.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let last = check(&current, claim, settings).ok();
        let strength = last.as_ref().and_then(|o| o.strength()).map(|s| s.as_str());
        let cert = last
            .as_ref()
            .and_then(|o| o.certificate.clone())
            .map(|mut cert| {
                cert["case"] = json!(name);
                cert["verdict"] = json!("refuted");
                cert["strength"] = json!(strength);
                let p = out_dir.join(format!("{name}.cert.json"));
                let text = serde_json::to_string_pretty(&cert).unwrap_or_default() + "\n";
                crate::report::atomic::write(&p, text.as_bytes()).map(|_| p)
            });
        let cert = cert.transpose().map_err(|e| e.to_string())?;
        report.counterexample = Some(Counterexample {
            path,
            certificate: cert,
            steps,
            trial: t,
            dims: current.dims.clone(),
            kind: current.kind,
            yaml,
            strength: strength.map(String::from),
            reason: last.as_ref().and_then(|o| o.reason.clone()),
            values: last.map(|o| o.values).unwrap_or_default(),
        });
        break;
    }
    Ok(report)
}

impl AuditReport {
    /// Trials where the claim did not apply.
    pub fn not_applicable_total(&self) -> usize {
        self.not_applicable.values().sum()
    }

    /// The most frequent reason the claim did not apply.
    pub fn main_reason(&self) -> Option<&str> {
        self.not_applicable
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(r, _)| r.as_str())
    }

    /// The machine-readable summary (`audit --json`).
    pub fn to_json(&self) -> Value {
        let count = |v: &str| -> usize { self.verdicts.get(v).map_or(0, |m| m.values().sum()) };
        json!({
            "claim": self.claim,
            "seed": self.seed,
            "trials": self.trials,
            "applicable": self.applicable,
            "not_applicable": self.not_applicable_total(),
            "premise_held": self.premise_held,
            "verified": count("verified"),
            "refuted": count("refuted"),
            "inconclusive": count("inconclusive"),
            "by_verdict_and_strength": self.verdicts,
            "not_applicable_reasons": self.not_applicable.iter()
                .map(|(r, n)| json!({"reason": r, "trials": n})).collect::<Vec<_>>(),
            "depths": self.depths.iter().map(|(d, n)| (d.to_string(), json!(n))).collect::<Map<_, _>>(),
            "counterexample": self.counterexample.as_ref().map(|c| json!({
                "case": c.path.display().to_string(),
                "certificate": c.certificate.as_ref().map(|p| p.display().to_string()),
                "trial": c.trial,
                "shrink_steps": c.steps,
                "kind": c.kind.to_string(),
                "dims": c.dims,
                "depth": c.dims.len() - 1,
                "strength": c.strength,
                "reason": c.reason,
                "values": c.values,
                "yaml": c.yaml,
            })),
        })
    }

    /// The terminal summary: counts, and the falsifying example in full when there is one.
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}: {} trials (seed {}), {} applicable, {} with the premise holding\n",
            self.claim, self.trials, self.seed, self.applicable, self.premise_held
        );
        for (v, by) in &self.verdicts {
            let n: usize = by.values().sum();
            let parts: Vec<String> = by.iter().map(|(s, n)| format!("{s} {n}")).collect();
            t += &format!("  {v}: {n} ({})\n", parts.join(", "));
        }
        for (r, n) in &self.not_applicable {
            t += &format!("  not applicable: {n} ({r})\n");
        }
        let depths: Vec<String> = self
            .depths
            .iter()
            .map(|(d, n)| format!("L={d}: {n}"))
            .collect();
        t += &format!("  depths drawn: {}\n", depths.join(", "));
        match &self.counterexample {
            Some(c) => {
                t += &format!(
                    "counterexample (after {} shrink steps; trial {}), kind {}, depth {}, dims {:?}, refuted {}\n",
                    c.steps,
                    c.trial,
                    c.kind,
                    c.dims.len() - 1,
                    c.dims,
                    c.strength.as_deref().unwrap_or("")
                );
                if let Some(r) = &c.reason {
                    t += &format!("  why: {r}\n");
                }
                // the decisive figures: exact values and enclosures, not the float readings
                let noisy = ["_f64", "_mpfr", "_tolerance", "_exact"];
                for (k, v) in &c.values {
                    if noisy.iter().any(|n| k.ends_with(n)) {
                        continue;
                    }
                    let s = match v {
                        Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    if s.len() <= 160 {
                        t += &format!("  {k}: {s}\n");
                    }
                }
                t += "falsifying example:\n";
                for line in c.yaml.lines() {
                    t += &format!("  | {line}\n");
                }
                t += &format!("case: {}\n", c.path.display());
                if let Some(p) = &c.certificate {
                    t += &format!("certificate: {}\n", p.display());
                }
            }
            None => t += "no counterexample found\n",
        }
        t
    }
}
