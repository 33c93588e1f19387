//! Case files: the YAML schema (version 1), exact number parsing, and validation with
//! file/field/line errors.
//!
//! This module knows no mathematics beyond shapes and rank: it reads a file into a [`Case`]
//! whose matrices have the shapes the model needs, or explains with a [`CaseError`] what is wrong
//! and where. serde_yaml stays behind this module so that a swap to a maintained fork touches
//! only `src/case/`.

mod arrays;
mod error;
mod errors;
pub mod from_arrays;
mod locate;
mod number;
mod raw;
mod schema;
pub mod snippet;
mod validate;

pub use error::CaseError;
pub use number::parse_exact;
pub use schema::{json_schema, SCHEMA_TITLE};

use crate::linalg::Mat;
use num_rational::BigRational;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// How a case file is read: which claim ids exist, and the size limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// The claim ids a `checks` entry may name.
    pub known_claims: Vec<String>,
    /// Largest memory estimate (bytes) allowed for the λ_max work, as `size_guard` counts it.
    pub max_dense_bytes: u64,
    /// What the size limit counts.
    pub size_guard: SizeGuard,
    /// Largest allowed layer width d_k and number of data columns n.
    pub max_dim: usize,
}

/// The memory the loader's size limit counts for P parameters, before any data is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeGuard {
    /// The dense Hessian, 24·P² bytes (commands with only the dense path).
    DenseHessian,
    /// The least any λ_max path needs, a Lanczos basis of 8·P·[`LANCZOS_MAX_BASIS`] bytes
    /// (commands with a matrix-free path, whose own planner or memory budget then refuses a
    /// dense path that does not fit).
    ///
    /// [`LANCZOS_MAX_BASIS`]: crate::linalg::lanczos::MAX_BASIS
    MatrixFree,
}

impl Default for LoadOptions {
    /// No known claims, a 4 GiB dense limit and widths up to 4096.
    fn default() -> Self {
        LoadOptions {
            known_claims: Vec::new(),
            max_dense_bytes: 4 << 30,
            size_guard: SizeGuard::DenseHessian,
            max_dim: 4096,
        }
    }
}

/// The network family of a case (`model.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ModelKind {
    /// `linear`: W_L ⋯ W_1.
    #[serde(rename = "linear")]
    Linear,
    /// `residual`: (I + A_L) ⋯ (I + A_1), the point's weights being the A_k; every width equal.
    #[serde(rename = "residual")]
    Residual,
    /// `one-hidden-layer`: W_2 σ(W_1 x) with a leaky ReLU σ; exactly two layers.
    #[serde(rename = "one-hidden-layer")]
    OneHiddenLayer,
    /// `l2-regularized`: the linear network plus (λ/2) Σ_k ‖W_k‖²_F (its Hessian: the data
    /// term's plus λI).
    #[serde(rename = "l2-regularized")]
    L2Regularized,
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            ModelKind::Linear => "linear",
            ModelKind::Residual => "residual",
            ModelKind::OneHiddenLayer => "one-hidden-layer",
            ModelKind::L2Regularized => "l2-regularized",
        })
    }
}

/// The activation of a one-hidden-layer network (`model.activation`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `{leaky_relu: a}`: σ(t) = t for t ≥ 0 and a·t for t < 0.
    LeakyRelu(BigRational),
}

/// What a check is expected to conclude (`checks[i].expect`), for CI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// The claim holds on this case.
    Verified,
    /// The case is a counterexample.
    Refuted,
    /// Numerics cannot decide.
    Inconclusive,
    /// The claim holds and the verdict is proved (strength `proved`, design.md): CI can insist on
    /// proof rather than numerical agreement.
    Proved,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Expect::Verified => "verified",
            Expect::Refuted => "refuted",
            Expect::Inconclusive => "inconclusive",
            Expect::Proved => "proved",
        })
    }
}

/// What to do with a given point that is only near a global minimizer (`point.project`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Projection {
    /// `nearest-minimizer`: the minimizer claims (KP-*, BAL-flat, KP-escape) are checked at the
    /// exact global minimizer W* that the inverse map of the parameterization assigns to the
    /// point (its paths and upper free blocks kept, the product set to Φ); the report gives
    /// ‖W − W*‖_F, f(W) − f* and λ_max at W itself. When Y is not of the form Φ X the target is
    /// replaced by Φ X, Φ = Y Xᵀ(X Xᵀ)⁻¹, and the report gives ‖Y − Φ X‖²_F.
    #[serde(rename = "nearest-minimizer")]
    NearestMinimizer,
}

/// How long a case may run (`tier`): `long` cases are left out of quick runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// `default`: the case runs in every run (the default tier).
    #[default]
    Default,
    /// `long`: a slow case, left out of quick runs.
    Long,
}

/// Points to produce from an enumerator (`generate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generate {
    /// `generate.minimizers.count`: how many global minimizers to produce (1..=10000).
    pub minimizers: Option<usize>,
    /// `generate.critical_points.per_set`: seeded changes of basis of each constructed critical
    /// point (1..=100).
    pub critical_points_per_set: Option<usize>,
    /// `generate.critical_points.lanes`: seeded per-direction lane critical points
    /// ([`crate::enumerate::lanes`]) added to the constructed ones (0..=10000, default 0).
    pub critical_point_lanes: usize,
    /// `generate.critical_points.free_blocks`: the lane points get free kernel blocks
    /// ([`crate::enumerate::lanes::free_positions`]; default false).
    pub critical_point_free_blocks: bool,
    /// `generate.critical_points.borrowed`: seeded critical points with borrowed hidden slots
    /// ([`crate::enumerate::borrowed`]; 0..=10000, default 0).
    pub critical_point_borrowed: usize,
    /// `generate.balanced`: whether the KP claims also check the balanced SVD factorization of
    /// the target (default true).
    pub balanced: bool,
}

impl Default for Generate {
    /// Nothing generated beyond the balanced factorization.
    fn default() -> Self {
        Generate {
            minimizers: None,
            critical_points_per_set: None,
            critical_point_lanes: 0,
            critical_point_free_blocks: false,
            critical_point_borrowed: 0,
            balanced: true,
        }
    }
}

/// Seeded sample points in balls around generated minimizers (`samples`), for the ZL claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Samples {
    /// `samples.count`: points per ball (1..=1000).
    pub count: usize,
    /// `samples.radii`: the balls' radii, each > 0 (1 to 16 of them).
    pub radii: Vec<BigRational>,
}

/// One requested check (`checks[i]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSpec {
    /// The claim id, one of [`LoadOptions::known_claims`].
    pub claim: String,
    /// The expected verdict, if stated.
    pub expect: Option<Expect>,
    /// 1-based line of this entry in the case file.
    pub line: Option<usize>,
}

/// A validated case: shapes agree with `dims`, numbers are exact, X has full row rank.
#[derive(Clone, Debug)]
pub struct Case {
    /// `name`, or the file stem.
    pub name: String,
    /// The case file.
    pub file: PathBuf,
    /// Free text.
    pub about: Option<String>,
    /// Fixes every random choice.
    pub seed: Option<u64>,
    /// MPFR precision in bits (default 256; 16..=65536).
    pub precision_bits: u32,
    /// The network family.
    pub kind: ModelKind,
    /// d_0 (input) … d_L (output); at least two entries, each in 1..=max_dim.
    pub dims: Vec<usize>,
    /// Present exactly for one-hidden-layer networks.
    pub activation: Option<Activation>,
    /// The L2 weight λ ≥ 0, present exactly for l2-regularized networks.
    pub lambda: Option<BigRational>,
    /// X, d_0 × n (`identity` is expanded to I_{d_0}).
    pub x: Mat<BigRational>,
    /// Whether X was written `identity` or is exactly the identity matrix.
    pub x_is_identity: bool,
    /// Y, d_L × n.
    pub y: Mat<BigRational>,
    /// The given parameter point W_1 … W_L, W_k of shape d_k × d_{k−1}.
    pub point: Option<Vec<Mat<BigRational>>>,
    /// `point.project`: check the minimizer claims at the exact minimizer nearest the point.
    pub project: Option<Projection>,
    /// Points to generate.
    pub generate: Generate,
    /// The requested checks, in file order, at least one, no claim twice.
    pub checks: Vec<CheckSpec>,
    /// One note per YAML float read (their exact binary value is used), for the report.
    pub float_inputs: Vec<String>,
    /// `tier`.
    pub tier: Tier,
    /// `samples`, if given.
    pub samples: Option<Samples>,
    /// The 0/1 observation mask (`data.mask`, l2-regularized only), d_L × n.
    pub mask: Option<Mat<BigRational>>,
    /// `dynamics`: settings of the gradient dynamics (absent fields take the claims' defaults).
    pub dynamics: Dynamics,
    source: String,
}

/// Settings of the gradient dynamics (`dynamics:`), validated; `None` takes the claim's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dynamics {
    /// KP-escape start distance ε > 0.
    pub epsilon: Option<BigRational>,
    /// KP-escape step sizes as multiples of 2/λ_max (each > 0, ≠ 1).
    pub step_factors: Option<Vec<BigRational>>,
    /// Step budget per run.
    pub steps: Option<usize>,
    /// Convergence threshold on ‖∇F‖_F (> 0).
    pub grad_tol: Option<BigRational>,
    /// WJ-one-way step sizes (> 0).
    pub etas: Option<Vec<BigRational>>,
    /// WJ-one-way runs per setting.
    pub runs: Option<usize>,
    /// SGD draws per step.
    pub batch: Option<usize>,
    /// Uniform start noise half-width (≥ 0).
    pub noise: Option<BigRational>,
    /// Settling GD steps.
    pub settle_steps: Option<usize>,
    /// Singular-value threshold of the rank (> 0).
    pub rank_threshold: Option<BigRational>,
    /// Trajectory points kept per run.
    pub max_points: Option<usize>,
}

impl Case {
    /// The depth L = number of weight matrices.
    pub fn depth(&self) -> usize {
        self.dims.len() - 1
    }

    /// The number of parameters P = Σ_k d_k d_{k−1}.
    pub fn param_count(&self) -> usize {
        self.dims.windows(2).map(|w| w[0] * w[1]).sum()
    }

    /// 1-based line of a field path such as `point.weights[1][0]` or `data.x` in the file;
    /// `None` when the field is not written in the file.
    pub fn locate(&self, field: &str) -> Option<usize> {
        locate::locate(&self.source, field).map(|(line, _)| line)
    }

    /// An error about `field` of this case, positioned at the field (or at its nearest written
    /// ancestor when the field is absent).
    pub fn error(&self, field: &str, message: impl Into<String>) -> CaseError {
        CaseError::at(&self.file, &self.source, field, message)
    }

    /// The YAML floats read under any of the field prefixes `under` (such as `point.weights`,
    /// `data.`), named with the way to write them exactly, for an error they may have caused:
    /// `point.weights[0][0][0] = 0.1 was read as the binary value 0.10000000000000000555…; write
    /// "0.1" or "1/10"` (at most three, then how many more). `None` when no float was read there.
    pub fn float_hint(&self, under: &[&str]) -> Option<String> {
        const MARK: &str = ": YAML float ";
        const VALUE: &str = " read as its exact binary value ";
        let mut named = Vec::new();
        for note in &self.float_inputs {
            let Some((field, rest)) = note.split_once(MARK) else {
                continue;
            };
            let Some((float, value)) = rest.split_once(VALUE) else {
                continue;
            };
            if !under.iter().any(|p| field.starts_with(p)) {
                continue;
            }
            let shown = value.parse::<rug::Rational>().map_or_else(
                |_| value.to_string(),
                |q| crate::report::numbers::truncated(&q, 20),
            );
            let fraction = parse_exact(float).map_or_else(|_| float.to_string(), |q| q.to_string());
            let alternatives = if fraction == float {
                format!("\"{float}\"")
            } else {
                format!("\"{float}\" or \"{fraction}\"")
            };
            named.push(format!(
                "{field} = {float} was read as the binary value {shown}; write {alternatives}"
            ));
        }
        if named.is_empty() {
            return None;
        }
        let more = named.len().saturating_sub(3);
        named.truncate(3);
        let mut text = named.join("; ");
        if more > 0 {
            text += &format!("; and {more} more YAML floats (report.json's notes list them)");
        }
        Some(text)
    }

    /// The YAML text the case was read from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Largest case file read, in bytes. The YAML parser holds every event of the document at once
/// (about 50 bytes of memory per byte of a dense flow list, measured on a 3 MB million-layer
/// file: 152 MiB peak), so this bounds the memory spent on reading any file to about 200 MiB.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Read and validate the case file at `path` (at most [`MAX_FILE_BYTES`]).
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<Case, CaseError> {
    load_str(&read_source(path)?, path, opts)
}

/// The text of the case file at `path`, refused above [`MAX_FILE_BYTES`].
fn read_source(path: &Path) -> Result<String, CaseError> {
    let size = std::fs::metadata(path)
        .map_err(|e| CaseError::io(path, &e))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(CaseError::too_large(path, size, MAX_FILE_BYTES));
    }
    std::fs::read_to_string(path).map_err(|e| CaseError::io(path, &e))
}

/// Read and validate a case from YAML text; `file` names it in errors and gives the default name.
pub fn load_str(src: &str, file: &Path, opts: &LoadOptions) -> Result<Case, CaseError> {
    validate::load(src, file, opts)
}

/// Read and validate the case file at `path` for a command that checks no claims (`trajectory`):
/// as [`load_file`], but a file without `checks:` is valid (its checks are then empty).
pub fn load_model_file(path: &Path, opts: &LoadOptions) -> Result<Case, CaseError> {
    validate::load_with(&read_source(path)?, path, opts, validate::Checks::Optional)
}

/// The weights W_1 … W_L held by one array file (a training checkpoint: `.npz`, `.safetensors`,
/// or `.npy` for one layer), read and checked exactly as `point: {file: …}` is: the arrays
/// `names` (or every array, in natural order), each entry the exact value it stores, W_k of
/// shape d_k × d_{k−1} for `dims`. Errors start with `shown` (the file as the user named it) and
/// name the array and the rule, e.g. `run/step-5.npz: array "W2": expected 3 columns (d_1 = 3),
/// found 2: W_2 must be d_2 × d_1 = 3 × 3`.
pub fn read_weights(
    path: &Path,
    shown: &str,
    names: Option<&[String]>,
    dims: &[usize],
    max_dim: usize,
) -> Result<Vec<Mat<BigRational>>, String> {
    let arrays = arrays::read(path, names, max_dim).map_err(|e| {
        // the reader's own message names the path it was given; say it once
        let e = e.replace(&format!("{}: ", path.display()), "");
        format!("{shown}: {e}")
    })?;
    let listed: Vec<String> = arrays.iter().map(|a| format!("{:?}", a.name)).collect();
    let named = arrays
        .into_iter()
        .map(|a| (format!("array {:?}: ", a.name), a.matrix))
        .collect();
    validate::shaped_weights(named, dims).map_err(|(i, e)| match i {
        Some(_) => format!("{shown}: {e}"),
        None => format!(
            "{shown}: {e} (the arrays {}; name the layers with --arrays)",
            listed.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests;
