//! trajectory.json: what `dlncheck trajectory` measured at each checkpoint of a training run (one
//! row per checkpoint, sorted by step), and its writers' input. The values are computed by
//! `app::trajectory`; the writers (JSON by serde, the page by [`super::html::trajectory`]) only
//! render them.
//!
//! Conventions: f(W) = ½‖P X − Y‖²_F (the ½ of claims.md: papers without it have every Hessian
//! eigenvalue doubled), so gradient descent with step η is stable at a minimizer only when
//! λ_max(∇²f) ≤ 2/η (the edge of stability); D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ (k = 1 … L−1).

use crate::case::ModelKind;
use serde::{Deserialize, Serialize};

/// The format version of trajectory.json.
pub const VERSION: u32 = 1;

/// The whole run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Trajectory {
    /// [`VERSION`].
    pub version: u32,
    /// "dlncheck".
    pub tool: String,
    /// The crate version.
    pub tool_version: String,
    /// "half": f(W) = ½‖PX − Y‖²_F.
    pub convention: String,
    /// The case file as given.
    pub case: String,
    /// The case's name.
    pub name: String,
    /// The case's model kind: every figure is of this model's loss and Hessian.
    pub model: ModelKind,
    /// d_0 … d_L.
    pub dims: Vec<usize>,
    /// P, the parameter count.
    pub params: usize,
    /// The `--checkpoints` patterns as given.
    pub patterns: Vec<String>,
    /// The names of the layers' arrays in each checkpoint (`--arrays`); empty: every array of
    /// the file, in natural order.
    pub arrays: Vec<String>,
    /// The step size η as given, exactly ("p/q") and as the nearest f64.
    pub eta: Exactly,
    /// 2/η, exactly and as the nearest f64: the edge of stability.
    pub two_over_eta: Exactly,
    /// Whether D_k is defined for this model, and why not when it is not.
    pub balancedness: Applicability,
    /// The ZL tightness ratio: whether it applies to the case, f* and the "near a minimizer"
    /// criterion.
    pub zl: ZlSetting,
    /// One row per checkpoint, sorted by step.
    pub rows: Vec<Row>,
    /// Counts over the rows.
    pub summary: Summary,
}

/// A number given or computed exactly, with its nearest f64.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Exactly {
    /// The exact value, "p/q" (or an integer).
    pub exact: String,
    /// The nearest f64.
    pub f64: f64,
}

/// Whether a quantity is defined for the case's model.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Applicability {
    /// Defined (computed at every readable checkpoint).
    pub defined: bool,
    /// Why it is not defined (null when it is).
    pub reason: Option<String>,
}

/// The setting of the ZL tightness ratio.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ZlSetting {
    /// Whether the ZL gradient-dominance bound applies to the case (square layers, X of full row
    /// rank, Φ invertible; linear, residual or one-hidden-layer; small enough for exact work).
    pub applies: bool,
    /// Why it does not apply (null when it does).
    pub reason: Option<String>,
    /// The claim whose bound the ratio is of: ZL-gd-linear, ZL-gd-residual or ZL-gd-nonlinear.
    pub claim: Option<String>,
    /// f* = min f, exactly: ½‖ΦX − Y‖²_F (linear, residual), 0 (one-hidden-layer).
    pub f_star: Option<Exactly>,
    /// ½‖Y‖²_F − f*: the excess loss of the zero output, the scale of "near".
    pub reference: Option<Exactly>,
    /// τ: a checkpoint is near a minimizer when f − f* ≤ τ·(½‖Y‖²_F − f*).
    pub near: Exactly,
}

/// One checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Row {
    /// The training step, the last integer in the file name.
    pub step: u64,
    /// The checkpoint file.
    pub file: String,
    /// Why the checkpoint could not be evaluated (file, array and field named); every other
    /// field is then null.
    pub error: Option<String>,
    /// The loss f at the checkpoint.
    pub loss: Option<Loss>,
    /// λ_max(∇²f) of the case's model at the checkpoint.
    pub lambda_max: Option<LambdaMax>,
    /// Whether λ_max > 2/η.
    pub edge: Option<Edge>,
    /// ‖D_k‖_F for k = 1 … L−1 (null when not defined or on error).
    pub balancedness: Option<Vec<Balance>>,
    /// The ZL tightness ratio (null when ZL does not apply or on error).
    pub zl: Option<ZlRow>,
}

/// The loss at a checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Loss {
    /// f, the nearest f64 to the exact value (or the f64 evaluation when `exact` is false).
    pub f64: f64,
    /// f as a decimal: 17 significant digits, cut toward zero, "…" when more follow (exact), or
    /// the f64 value's shortest form.
    pub decimal: String,
    /// Whether f was computed exactly from the binary values the file holds (false: in f64,
    /// for a network beyond the exact-work limit).
    pub exact: bool,
    /// f − f* (exact, then rounded to the nearest f64), when f* is known (ZL applies).
    pub excess: Option<f64>,
}

/// λ_max(∇²f) at a checkpoint, by the planner of `dlncheck sharpness`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LambdaMax {
    /// The f64 value.
    pub f64: f64,
    /// The path that computed it (kp-operator, kp-operator-lanczos, lanczos-hvp, dense).
    pub path: String,
    /// Why the planner chose it.
    pub reason: String,
    /// The f64 value's error bound.
    pub bound: f64,
    /// What the bound is.
    pub bound_kind: String,
    /// Hessian-vector products used (Lanczos paths).
    pub products: usize,
    /// The proven enclosure, where the size allows.
    pub proven: Option<Proven>,
    /// Why a part is missing.
    pub notes: Vec<String>,
}

/// A proven enclosure lo ≤ λ_max ≤ hi.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Proven {
    /// How it was proven: exact-rational (the model's Hessian), exact-rational-kp or
    /// kp-verified-f64 (the KP operator at an exactly zero loss).
    pub via: String,
    /// lo rounded down to an f64.
    pub lo: f64,
    /// hi rounded up to an f64.
    pub hi: f64,
    /// lo exactly, "p/q".
    pub lo_exact: String,
    /// hi exactly, "p/q".
    pub hi_exact: String,
    /// (hi − lo)/|hi|.
    pub relative_width: f64,
}

/// λ_max against 2/η.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Edge {
    /// λ_max > 2/η: beyond the edge of stability.
    pub above: bool,
    /// "proven" (the enclosure lies on one side of 2/η, compared exactly) or "f64" (the
    /// enclosure straddles 2/η or there is none: the f64 value decided).
    pub decided_by: String,
    /// λ_max·η/2 from the f64 value (1 at the edge).
    pub ratio: f64,
}

/// ‖D_k‖_F at a checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Balance {
    /// k (1-based): D_k = W_{k+1}ᵀW_{k+1} − W_kW_kᵀ.
    pub k: usize,
    /// ‖D_k‖_F.
    pub frobenius: f64,
    /// Whether ‖D_k‖²_F was computed exactly (then the f64 is the square root of its nearest
    /// f64) or in f64.
    pub exact: bool,
}

/// The ZL tightness ratio at a checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ZlRow {
    /// (f − f*)/(½‖Y‖²_F − f*), from the exact values.
    pub relative_excess: f64,
    /// Whether the checkpoint is near a minimizer (relative_excess ≤ τ).
    pub near: bool,
    /// ρ = (f − f*)·D/‖∇f‖², the midpoint of `ratio_bracket` rounded to an f64 (ZL's bound
    /// says ρ ≤ 1; a small ρ is a loose bound); null when not near or ‖∇f‖ = 0.
    pub ratio: Option<f64>,
    /// The proven bracket [ρ_lo, ρ_hi] (outward-rounded f64), from exact f − f*, ‖∇f‖² and
    /// certified σ_min brackets; null when not near or ‖∇f‖ = 0.
    pub ratio_bracket: Option<[f64; 2]>,
    /// "holds" (ρ_hi ≤ 1), "fails" (ρ_lo > 1) or "undecided"; null when not near.
    pub decision: Option<String>,
}

/// Counts over the rows.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Checkpoints found.
    pub checkpoints: usize,
    /// Checkpoints that could not be evaluated.
    pub errors: usize,
    /// Checkpoints with λ_max > 2/η.
    pub above_edge: usize,
    /// Checkpoints whose λ_max has a proven enclosure.
    pub proven: usize,
    /// Checkpoints whose position against 2/η is proven.
    pub edge_proven: usize,
    /// Checkpoints near a minimizer (ZL criterion).
    pub near_minimizer: usize,
}
