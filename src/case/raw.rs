//! The serde shape of a version-1 case file, exactly as written (nothing validated yet).
//!
//! Every struct denies unknown fields, so a misspelt key is an error naming it.
//!
//! The same types derive [`JsonSchema`], so the JSON Schema of case files (`cases/schema.json`,
//! see [`super::json_schema`]) is generated from what the deserializer accepts. Doc comments on
//! the types and fields below become the schema's descriptions: they are written for people
//! editing case files.

use super::number::RawNum;
use super::{Expect, ModelKind, Projection, Tier};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::Deserialize as DeriveDeserialize;
use std::borrow::Cow;
use std::fmt;

/// A matrix as a list of rows (not yet checked to be rectangular).
pub(crate) type RawMatrix = Vec<Vec<RawNum>>;

/// Reads only `version`, ignoring everything else, so that a wrong version is reported before
/// schema errors that a different version would explain.
#[derive(DeriveDeserialize)]
pub(crate) struct VersionProbe {
    pub version: Option<serde_yaml::Value>,
}

/// A dlncheck case file: one network and its data, optional parameter points (given or
/// generated), and the claims to check on them. Unknown keys are errors at every level. Numbers
/// may be integers, exact strings such as "1/3" or "0.1", or YAML floats (see Number).
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CaseFile")]
pub(crate) struct RawCase {
    /// The case-file format version: always 1. A file with another version is rejected before
    /// anything else in it is read.
    #[schemars(schema_with = "version_schema")]
    pub version: u64,
    /// A unique, non-empty name for the case, used in reports and certificate file names.
    /// Defaults to the file stem.
    pub name: Option<String>,
    /// Free text: what the case tests and where its numbers come from.
    pub about: Option<String>,
    /// Fixes every random choice (generated points, random changes of basis) so that runs are
    /// reproducible; `dlncheck check --seed` overrides it. Default 0.
    pub seed: Option<u64>,
    /// MPFR precision in bits of the non-exact (high-precision floating-point) arithmetic,
    /// 16..=65536. Default 256.
    pub precision_bits: Option<u64>,
    /// How long the case may run: `long` cases are left out of quick runs. Default `default`.
    pub tier: Option<Tier>,
    /// The network: its family, its layer widths and the family's parameters.
    pub model: RawModel,
    /// The data: inputs X (d_0 × n, one sample per column) and targets Y (d_L × n), written out
    /// or read from an array file.
    pub data: RawData,
    /// A given parameter point W_1 … W_L at which to check the claims.
    pub point: Option<RawPoint>,
    /// Parameter points to construct with an enumerator and check the claims at.
    pub generate: Option<RawGenerate>,
    /// The claims to check on this case, in order: at least one, no claim twice.
    pub checks: Option<Vec<RawCheck>>,
    /// Seeded sample points in balls around the generated minimizers (the ZL claims).
    pub samples: Option<RawSamples>,
    /// Settings of the gradient dynamics of KP-escape and WJ-one-way; every field optional.
    pub dynamics: Option<RawDynamics>,
}

/// `version`: the integer 1.
fn version_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "const": 1 })
}

/// The network (`model:`).
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Model")]
pub(crate) struct RawModel {
    /// The network family.
    pub kind: ModelKind,
    /// The layer widths d_0 (input) … d_L (output), so the depth L is one less than their
    /// number: at least two widths, each 1..=4096 (the default limit). A residual network needs
    /// equal widths; a one-hidden-layer network has exactly three.
    pub dims: Vec<u64>,
    /// The activation σ: required for kind one-hidden-layer, not allowed for other kinds.
    pub activation: Option<RawActivation>,
    /// The L2 weight λ ≥ 0 of the penalty (λ/2) Σ_k ‖W_k‖²_F (so the penalty adds λ to every
    /// diagonal entry of the Hessian): required for kind l2-regularized, not allowed for other
    /// kinds.
    pub lambda: Option<RawNum>,
}

/// The activation of a one-hidden-layer network (`model.activation`), e.g.
/// `{leaky_relu: "1/10"}`.
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Activation")]
pub(crate) struct RawActivation {
    /// A leaky ReLU with this slope a for negative inputs: σ(t) = t for t ≥ 0 and a·t for t < 0.
    pub leaky_relu: RawNum,
}

/// The data (`data:`): n samples, one per column of X and of Y.
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Data", transform = names_need_a_file)]
pub(crate) struct RawData {
    /// An array file (`.npz` or `.safetensors`, path relative to the case file) holding X and Y:
    /// `x` and `y` then name arrays in it, e.g. `{file: data.npz, x: X, y: Y}`. Float arrays are
    /// read as the exact binary values they hold.
    pub file: Option<String>,
    /// The inputs X, d_0 × n with full row rank (Σ_XX = X Xᵀ invertible): the word `identity`
    /// (X = I, so n = d_0), a matrix, or the name of an array in `file`.
    pub x: RawX,
    /// The targets Y, d_L × n: the word `identity` (Y = I, so d_L = n), a matrix with d_L rows of
    /// n entries, or the name of an array in `file`.
    pub y: RawX,
    /// The observation mask of matrix completion (kind l2-regularized only): d_L × n entries, each
    /// 0 (unobserved) or 1 (observed), at least one 1. Without it every entry is observed.
    #[schemars(with = "Option<MatrixSchema>")]
    pub mask: Option<RawMatrix>,
}

/// In the schema of `data`: an `x` or `y` that names an array (a string other than `identity`)
/// requires `file`, as the loader does.
fn names_need_a_file(schema: &mut Schema) {
    let rule = |key: &str| {
        serde_json::json!({
            "if": {
                "properties": { key: { "type": "string", "not": { "const": "identity" } } },
                "required": [key]
            },
            "then": { "required": ["file"] }
        })
    };
    schema.insert("allOf".into(), serde_json::json!([rule("x"), rule("y")]));
}

/// `data.x` or `data.y`: the word `identity`, a matrix, or the name of an array in `data.file`.
pub(crate) enum RawX {
    Identity,
    Matrix(RawMatrix),
    Array(String),
}

impl<'de> Deserialize<'de> for RawX {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(XVisitor)
    }
}

impl JsonSchema for RawX {
    fn schema_name() -> Cow<'static, str> {
        "X".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let matrix = generator.subschema_for::<MatrixSchema>();
        json_schema!({
            "description": "The word `identity`, a matrix (a list of rows), or the name of an \
                            array in `data.file`.",
            "anyOf": [
                {
                    "description": "The identity matrix.",
                    "type": "string",
                    "const": "identity"
                },
                matrix,
                {
                    "description": "The name of an array in `data.file`.",
                    "type": "string"
                }
            ]
        })
    }
}

struct XVisitor;

impl<'de> Visitor<'de> for XVisitor {
    type Value = RawX;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`identity`, a matrix (a list of rows) or the name of an array in data.file")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawX, E> {
        if v.trim() == "identity" {
            Ok(RawX::Identity)
        } else {
            Ok(RawX::Array(v.to_string()))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawX, A::Error> {
        let mut rows = Vec::new();
        while let Some(row) = seq.next_element::<Vec<RawNum>>()? {
            rows.push(row);
        }
        Ok(RawX::Matrix(rows))
    }
}

/// The JSON Schema of a [`RawMatrix`] (a type alias, so it cannot carry its own schema name).
/// Never constructed: it only names the schema in `#[schemars(with = …)]`.
pub(crate) enum MatrixSchema {}

impl JsonSchema for MatrixSchema {
    fn schema_name() -> Cow<'static, str> {
        "Matrix".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let number = generator.subschema_for::<RawNum>();
        json_schema!({
            "description": "A matrix as a list of rows, each row a list of numbers, all rows of \
                            the same length: [[1, 0], [0, \"1/2\"]] is 2 × 2.",
            "type": "array",
            "items": { "type": "array", "items": number }
        })
    }
}

/// A given parameter point (`point:`): the matrices written out (`weights`), or read from an
/// array file (`file`, with `arrays` naming them in order) or one `.npy` file per layer (`files`).
/// Exactly one of `weights`, `file` and `files`.
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Point")]
pub(crate) struct RawPoint {
    /// The weight matrices W_1 … W_L in order (L = depth), W_k of shape d_k × d_{k−1}: d_k rows
    /// of d_{k−1} numbers each.
    #[schemars(with = "Option<Vec<MatrixSchema>>")]
    pub weights: Option<Vec<RawMatrix>>,
    /// An array file holding W_1 … W_L (`.npz` as written by `np.savez`, or `.safetensors`), path
    /// relative to the case file. W_k is d_k × d_{k−1}, the layout of PyTorch's
    /// `nn.Linear.weight`. Float arrays are read as the exact binary values they hold.
    pub file: Option<String>,
    /// The names of W_1 … W_L in `file`, in order. Default: every array in the file, in the
    /// natural order of their names (`arr_0`, `arr_1`, … `arr_10`).
    pub arrays: Option<Vec<String>>,
    /// One `.npy` file per layer, W_1 … W_L in order, paths relative to the case file.
    pub files: Option<Vec<String>>,
    /// `nearest-minimizer`: the point is only near a global minimizer (a trained network, its
    /// weights floats): the minimizer claims are checked at the exact minimizer W* the inverse
    /// map of the parameterization assigns to it, and the report states ‖W − W*‖_F, f(W) − f*
    /// and λ_max at W itself. With it, targets Y not of the form Φ X (float data) are replaced
    /// by Φ X, Φ = Y Xᵀ(X Xᵀ)⁻¹, and the report states ‖Y − Φ X‖²_F. Linear networks only.
    pub project: Option<Projection>,
}

/// Points to construct (`generate:`).
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Generate")]
pub(crate) struct RawGenerate {
    /// Construct global minimizers.
    pub minimizers: Option<RawMinimizers>,
    /// Construct the critical points, one per index set, each under seeded changes of basis.
    pub critical_points: Option<RawCriticalPoints>,
    /// Add the balanced SVD factorization W_i = U_i Σ^{1/L} U_{i−1}ᵀ of the target to the points
    /// the KP claims are checked at (X = I only; default true). With `false` only the case's own
    /// point (or the rank-factorization minimizer) and the generated minimizers are checked.
    pub balanced: Option<bool>,
}

/// Critical points to construct (`generate.critical_points`).
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CriticalPoints")]
pub(crate) struct RawCriticalPoints {
    /// How many seeded changes of basis of each constructed critical point to check, 1..=100.
    pub per_set: Option<u64>,
    /// How many seeded per-direction lane critical points to add, 0..=10000 (default 0): lanes
    /// cut at different layers, one type after another (all types when there are at most this
    /// many, else a seeded sample), each under random changes of basis.
    pub lanes: Option<u64>,
    /// Give the lane points free kernel blocks (default false): each layer position that maps a
    /// direction not reached from the data to one that does not reach the output is filled, with
    /// probability ½, with a small nonzero rational. The points stay exactly critical; the ranks
    /// of the partial products and the Hessian change.
    pub free_blocks: Option<bool>,
    /// How many seeded critical points with borrowed hidden slots to add, 0..=10000 (default 0):
    /// directions that share one hidden unit at different depths (one enters and stops, another
    /// starts later and leaves), which the lane points cannot place when the hidden layers are
    /// narrow.
    pub borrowed: Option<u64>,
}

/// Global minimizers to construct (`generate.minimizers`).
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Minimizers")]
pub(crate) struct RawMinimizers {
    /// How many global minimizers to construct, 1..=10000.
    pub count: u64,
}

/// One requested check (an entry of `checks:`), e.g. `{claim: KP-exact, expect: verified}`.
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Check")]
pub(crate) struct RawCheck {
    /// A claim id from claims.md, e.g. `KP-exact`; `dlncheck claims` lists them.
    pub claim: String,
    /// The verdict CI expects: the check fails when the verdict differs. Without it the check
    /// fails only on an error.
    pub expect: Option<Expect>,
}

/// Seeded sample points around generated minimizers (`samples:`), for the ZL claims, e.g.
/// `{count: 6, radii: ["1/100", "1/10"]}`.
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Samples")]
pub(crate) struct RawSamples {
    /// How many points to draw in each ball, 1..=1000; half of them lie within 1/64 of the
    /// ball's surface.
    pub count: u64,
    /// The radii (Frobenius norm of the parameter displacement), each > 0; 1 to 16 of them.
    pub radii: Vec<RawNum>,
}

/// Settings of the gradient dynamics (`dynamics:`); each field has a default stated in the report.
#[derive(DeriveDeserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Dynamics")]
pub(crate) struct RawDynamics {
    /// KP-escape: distance ε > 0 of the start from the minimizer, along the top Hessian
    /// eigenvector. Default 1e-9.
    pub epsilon: Option<RawNum>,
    /// KP-escape: step sizes as multiples of 2/λ_max at the minimizer (η = factor · 2/λ_max),
    /// each > 0 and ≠ 1. Default [0.5, 0.9, 1.1, 1.5].
    pub step_factors: Option<Vec<RawNum>>,
    /// Step budget of each run (GD for KP-escape, SGD for WJ-one-way), 1..=10000000.
    pub steps: Option<u64>,
    /// Full-batch GD stops as converged when ‖∇F‖_F ≤ grad_tol (> 0). Default 1e-10.
    pub grad_tol: Option<RawNum>,
    /// WJ-one-way: the SGD step sizes η (> 0), one setting each.
    pub etas: Option<Vec<RawNum>>,
    /// WJ-one-way: seeded runs per setting and starting minimum, 1..=100000. Default 200.
    pub runs: Option<u64>,
    /// WJ-one-way: observed entries drawn per SGD step, 1..=100000. Default 1.
    pub batch: Option<u64>,
    /// WJ-one-way: each start is the minimum plus independent uniform noise in [−noise, noise]
    /// per weight entry (≥ 0). Default 1e-2.
    pub noise: Option<RawNum>,
    /// WJ-one-way: full-batch GD steps after SGD to settle at a minimum, 1..=10000000. Default 20000.
    pub settle_steps: Option<u64>,
    /// WJ-one-way: the rank of a point is the number of singular values of W_{L:1} above this
    /// threshold (> 0). Default 1e-3.
    pub rank_threshold: Option<RawNum>,
    /// Trajectory points kept per run in report.json (thinned evenly), 2..=10000. Default 200.
    pub max_points: Option<u64>,
}
