//! What an audit draws for a claim: its family of cases, the user's options and the shapes
//! (depths, widths, kind, X) they give.

use crate::case::ModelKind;
use crate::claims::{self, Data, Points, Scope, Widths};

/// Side of the per-layer entry grid: no width exceeds it.
pub const GRID: usize = 6;
/// Columns of the data grid (X's extra columns, Y's columns).
pub(super) const DATA_COLS: usize = GRID + 3;
/// The deepest network an audit draws.
pub const MAX_DEPTH: usize = 8;

/// What kind of random case a claim needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    /// Zero-loss minimizers of X = I (Y = the point's product).
    Factorization,
    /// Zero-loss minimizers with data X of full row rank (the KP claims on data; the ZL claims,
    /// whose own samples lie around the minimizers of such data).
    Data,
    /// Scalar networks, X = 1.
    Scalar,
    /// Any point, any data (BAL-invariant).
    AnyPoint,
    /// Targets Y = Q D with rational spectrum, X = I, and a lane critical point (AMG): directions
    /// carried or cut at different layers, under random changes of basis
    /// ([`crate::enumerate::lanes`]); d ≤ 4, L ≤ 6 by default.
    Spectrum,
    /// Zero-loss minimizers of X = I with positive diagonal layers: flatness and constant c_i,
    /// the premises of the KP-flat readings, then occur often.
    Diagonal,
}

/// The family a claim is audited in, from its scope: what it needs of the widths, the points its
/// statement is about, and whether it concerns general data X.
pub(super) fn family(claim: &str) -> Family {
    let scope = claims::find(claim).map_or(Scope::ANY, |c| c.scope());
    match (scope.widths, scope.points, scope.data) {
        (Widths::Scalar, _, _) => Family::Scalar,
        (_, Points::Critical, _) => Family::Spectrum,
        (_, Points::Every, _) => Family::AnyPoint,
        (_, Points::Minimizers | Points::Flat | Points::Own, Data::General) => Family::Data,
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
    /// The delicate regions drawn (`--region`).
    pub regions: Regions,
    /// Lane points of the claims about critical points get free kernel blocks
    /// (`--free-blocks`, [`crate::enumerate::lanes::free_positions`]).
    pub free_blocks: bool,
    /// The critical points of the claims about critical points are borrowed-slot points
    /// (`--borrowed`, [`crate::enumerate::borrowed`]).
    pub borrowed: bool,
}

/// Which delicate regions an audit draws its trials in (`--region`; the regions themselves are
/// `case::Region`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Regions {
    /// Half the trials plain, a sixth each near, repeated and rank-deficient.
    #[default]
    Mixed,
    /// Every trial as drawn on the grid.
    Plain,
    /// Every trial near (the shift 2^-s drawn per trial).
    Near,
    /// Every trial with near-repeated singular values (the shift 2^-s drawn per trial).
    Repeated,
    /// Every trial rank-deficient.
    RankDeficient,
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
pub(super) struct Shape {
    pub(super) depth: (usize, usize),
    pub(super) width: (usize, usize),
    pub(super) fixed_dims: Option<Vec<usize>>,
    pub(super) square: bool,
    pub(super) kind: ModelKind,
    pub(super) x: Option<XKind>,
    pub(super) free_blocks: bool,
    pub(super) borrowed: bool,
}

pub(super) fn shape(claim: &str, opts: &AuditOptions) -> Result<Shape, String> {
    let fam = family(claim);
    let scope = claims::find(claim).map_or(Scope::ANY, |c| c.scope());
    // the first kind the claim concerns, in this order, else linear
    let kind = opts.kind.unwrap_or_else(|| {
        [
            ModelKind::Linear,
            ModelKind::L2Regularized,
            ModelKind::Residual,
            ModelKind::OneHiddenLayer,
        ]
        .into_iter()
        .find(|k| scope.kinds.is_empty() || scope.kinds.contains(k))
        .unwrap_or(ModelKind::Linear)
    });
    let one_hidden = kind == ModelKind::OneHiddenLayer;
    if one_hidden && opts.depth.is_some_and(|d| d != (2, 2)) {
        return Err("--depth: one-hidden-layer networks have depth 2".into());
    }
    if one_hidden && opts.widths.as_ref().is_some_and(|w| w.len() != 3) {
        return Err("--widths: one-hidden-layer networks have three widths d_0,d_1,d_2".into());
    }
    let mut depth = match fam {
        _ if one_hidden => (2, 2),
        Family::Spectrum => (2, 6),
        _ => (scope.depth.0, scope.depth.1.min(4)),
    };
    let mut width = match scope.widths {
        _ if fam == Family::Spectrum => (1, 4),
        Widths::Scalar => (1, 1),
        Widths::Matrix => (2, 3),
        Widths::Any | Widths::Square => (1, 3),
    };
    if let Some(d) = opts.depth.filter(|_| !one_hidden) {
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
        free_blocks: opts.free_blocks,
        borrowed: opts.borrowed,
    })
}
