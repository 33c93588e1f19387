//! A drawn case ([`AuditCase`]): its random generation on the entry grid, its YAML text, and its
//! shrinking (fewer layers, narrower widths, simpler entries).

use super::shape::{
    family, shape, AuditOptions, Family, Regions, Shape, XKind, DATA_COLS, GRID, MAX_DEPTH,
};
use crate::case::ModelKind;
use crate::enumerate::borrowed;
use crate::enumerate::critical::is_critical;
use crate::enumerate::lanes::{self, Frames, Lane, LaneType};
use crate::enumerate::minimizers::{random_invertible, random_orthogonal};
use crate::enumerate::spectrum::spectrum;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::verdict::Verdict;
use num_rational::BigRational;
use num_traits::Signed;
use quickcheck::{Arbitrary, Gen};
use rand::{Rng, SeedableRng};

/// A small random case: widths, integer numerators over small denominators on a fixed grid per
/// layer, and a seed for the orthogonal factor of spectrum targets (and the claim's own random
/// choices). Shrinking removes layers, narrows widths and simplifies entries toward 0 and 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCase {
    claim: String,
    /// The model kind.
    pub(super) kind: ModelKind,
    /// The widths d_0, …, d_L.
    pub(super) dims: Vec<usize>,
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
    /// The leaky ReLU's slope a of one-hidden-layer models, (numerator, denominator).
    slope: (i64, i64),
    /// The seed of the orthogonal factor and the claim's own random choices.
    pub(super) seed: u64,
    /// Fewest extra columns of X (1 under `--x general`, so X stays not the identity).
    min_extra: usize,
    /// The case's point for claims about critical points (Family::Spectrum): a lane point.
    lanes: Option<LaneDraw>,
    min_depth: usize,
    min_width: usize,
    square: bool,
    /// The delicate region the trial is drawn in ([`Region`]); `Plain` unless the search sets one.
    region: Region,
}

/// The shifts s of the near region: values 2^−s apart, from well above f64's resolution (2^−12)
/// through f64's (2^−52 … 2^−60) to beyond MPFR's default 256 bits (2^−300), so a near-miss
/// that only a finite precision could miss is drawn on purpose.
pub(super) const NEAR_SHIFTS: [u32; 5] = [12, 40, 60, 120, 300];

/// Where in the space of cases a trial is drawn: the regions where claims are delicate, each
/// made exactly (the entries stay exact rationals, so every verdict is still about the case as
/// written). What "near" and "rank-deficient" change depends on the family ([`Region::describe`]):
/// - zero-loss minimizers with general layers (and BAL-invariant's any point): W_1's second row
///   is its first plus 2^−s in its first entry (σ_min(W_1) and the product's smallest singular
///   value about 2^−s: a near-singular layer, nearly rank-deficient data), or exactly its first
///   (rank-deficient);
/// - positive diagonal layers (the KP-flat readings): W_1's second diagonal entry is 1 + 2^−s,
///   next to its first, 1 (c_i nearly constant, a nearly flat minimizer), or 0 (rank-deficient);
/// - targets Y = Q D of the AMG claims: D's second entry is 1 + 2^−s, next to its first, 1
///   (near-ties of Σ's eigenvalues, so of critical values), or D's last entry is 0 (Y
///   rank-deficient, a zero eigenvalue of Σ);
/// - scalar networks: w_1 = 2^−s (a nearly vanishing weight; no rank-deficient variant);
/// - one-hidden-layer networks: W_1's first entry is solved so that the pre-activation
///   (W_1X)_11 is 2^−s, just off the leaky ReLU's kink, or exactly 0, on it (rank-deficient is
///   the exact tie with zero), where σ has no derivative and the gradient is the right one.
///
/// "Repeated" acts on the general-layer families only (elsewhere it is "near", which there
/// already is a near-tie): every layer's leading 2 × 2 block becomes the scaled rotation
/// [[a, b], [−b, a + 2^−s]] (a, b its drawn first row), apart from the rest of the layer, so each
/// layer and the product have two singular values about 2^−s apart: near-repeated singular
/// values, the delicate case of the top eigenvalue of K.
///
/// Residual models (parameters A_k of W_k = I + A_k) are drawn plain only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Region {
    /// The entries as drawn on the grid.
    Plain,
    /// Two compared values 2^−shift apart (or one value 2^−shift from zero).
    Near {
        /// The exponent s of the gap 2^−s.
        shift: u32,
    },
    /// Near-repeated singular values of every layer, 2^−shift apart.
    Repeated {
        /// The exponent s of the gap 2^−s.
        shift: u32,
    },
    /// An exact rank deficiency (an exact tie with zero).
    RankDeficient,
}

impl Region {
    /// A random region among `regions`: under [`Regions::Mixed`] plain with probability ½,
    /// near, repeated and rank-deficient ⅙ each; the shift 2^−s is drawn from [`NEAR_SHIFTS`].
    pub(super) fn draw(rng: &mut impl Rng, regions: Regions) -> Self {
        let pick = rng.gen_range(0..6);
        let shift = NEAR_SHIFTS[rng.gen_range(0..NEAR_SHIFTS.len())];
        match (regions, pick) {
            (Regions::Plain, _) | (Regions::Mixed, 0..=2) => Region::Plain,
            (Regions::Near, _) | (Regions::Mixed, 3) => Region::Near { shift },
            (Regions::Repeated, _) | (Regions::Mixed, 4) => Region::Repeated { shift },
            _ => Region::RankDeficient,
        }
    }

    /// The region's short name in the audit's tally, e.g. `near 2^-60` (for a one-hidden-layer
    /// network, whose regions are about the kink, `near kink 2^-60` and `kink`).
    pub(super) fn name(self, kind: ModelKind) -> String {
        let kink = kind == ModelKind::OneHiddenLayer;
        match self {
            Region::Plain => "plain".into(),
            Region::Near { shift } if kink => format!("near kink 2^-{shift}"),
            Region::Near { shift } => format!("near 2^-{shift}"),
            Region::Repeated { shift } => format!("repeated 2^-{shift}"),
            Region::RankDeficient if kink => "kink".into(),
            Region::RankDeficient => "rank-deficient".into(),
        }
    }

    /// What the region changed in a case of family `fam` and model `kind`, for the written
    /// case's comment.
    fn describe(self, fam: Family, kind: ModelKind) -> String {
        let s = match self {
            Region::Plain => return "plain".into(),
            Region::Near { shift } | Region::Repeated { shift } => shift,
            Region::RankDeficient => 0,
        };
        match (fam, self) {
            _ if kind == ModelKind::OneHiddenLayer => match self {
                Region::RankDeficient => {
                    "(W_1 X)[0][0] = 0: a pre-activation on the leaky ReLU's kink".into()
                }
                _ => format!("(W_1 X)[0][0] = 2^-{s}: a pre-activation next to the leaky ReLU's kink"),
            },
            (Family::Scalar, _) => format!("w_1 = 2^-{s} (a nearly vanishing weight)"),
            (Family::Diagonal, Region::Near { .. }) => {
                format!("W_1[1][1] = 1 + 2^-{s}, next to W_1[0][0] = 1 (nearly flat)")
            }
            (Family::Diagonal, _) => "W_1[1][1] = 0 (rank-deficient)".into(),
            (Family::Spectrum, Region::Near { .. }) => {
                format!("Y = Q D with D's entries 1 and 1 + 2^-{s} (near-tied eigenvalues of Σ)")
            }
            (Family::Spectrum, _) => "Y = Q D with D's last entry 0 (Y rank-deficient)".into(),
            (_, Region::Repeated { .. }) => format!(
                "every layer's leading 2 × 2 block is [[a, b], [-b, a + 2^-{s}]], apart from the rest (near-repeated singular values)"
            ),
            (_, Region::Near { .. }) => format!(
                "W_1's second row is its first plus 2^-{s} in column 1 (a near-singular layer)"
            ),
            _ => "W_1's second row equals its first (rank-deficient)".into(),
        }
    }
}

/// 2^−s exactly.
/// The leaky ReLU slopes a drawn for one-hidden-layer networks: small, moderate, and 1 (no kink:
/// the network is then linear in each layer).
const SLOPES: [(i64, i64); 4] = [(1, 10), (1, 4), (1, 2), (1, 1)];

fn two_to_minus(s: u32) -> BigRational {
    BigRational::new(1.into(), num_bigint::BigInt::from(1) << s)
}

/// A lane point as the audit draws and shrinks it ([`crate::enumerate::lanes`]): a lane type
/// (fitted to the case's dims and targets when the point is built, so removing a layer or
/// narrowing a width keeps a valid type), nonzero scalars per lane and layer (a carried lane's
/// last scalar is re-solved), and the changes of basis between layers (seeded, or identities).
#[derive(Clone, Debug, PartialEq, Eq)]
struct LaneDraw {
    ty: LaneType,
    /// `values[j][k]`: lane j's scalar in layer k, (numerator, denominator), never 0.
    values: Vec<Vec<(i64, i64)>>,
    basis_seed: u64,
    identity_bases: bool,
    /// Fill free positions ([`AuditCase::free_entries`]).
    free_blocks: bool,
    /// Build a borrowed-slot point ([`crate::enumerate::borrowed`]) instead of a lane point.
    borrowed: bool,
}

/// The ChaCha8 stream (of the basis seed) that draws the free kernel blocks' entries.
const FREE_BLOCK_STREAM: u64 = 2;

/// The ChaCha8 stream (of the basis seed) that redraws a borrowed-slot type when the drawn one
/// does not fit the widths or does not borrow.
const BORROWED_STREAM: u64 = 3;

/// Padded types redrawn before a `--borrowed` trial falls back to its lane point (a draw is a
/// few coin flips per lane and layer).
const BORROWED_REDRAWS: usize = 1000;

/// How the case's critical point was built ([`AuditCase::lane_point`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Construction {
    /// A lane point (`lanes::build_with_free`), as drawn without `--borrowed`.
    Lanes,
    /// `--borrowed`: a borrowed-slot point (`borrowed::build`) of the drawn type, refitted over
    /// the padded positions.
    Borrowed,
    /// `--borrowed`: a borrowed-slot point of a type redrawn from the basis seed's
    /// borrowed stream, the drawn type not fitting the widths or not borrowing.
    BorrowedRedrawn,
    /// `--borrowed`, but no type borrows (`borrowed::can_borrow`: L = 1, or d_0 = d_L = 1)
    /// or none of the redrawn ones does: the lane point of the drawn type.
    LanesFallback,
}

impl Construction {
    /// Is the point a borrowed-slot point?
    pub fn is_borrowed(self) -> bool {
        matches!(self, Construction::Borrowed | Construction::BorrowedRedrawn)
    }
}

/// The case's critical point: its type (slot lanes, or padded lanes for a borrowed-slot point),
/// its layers and how it was built.
#[derive(Clone, Debug)]
pub struct LanePoint {
    /// The fitted (or redrawn) type.
    pub ty: LaneType,
    /// W_1, …, W_L, exactly critical.
    pub weights: Vec<Mat<BigRational>>,
    /// Which construction built it.
    pub construction: Construction,
}

fn draw_nonzero(rng: &mut impl Rng) -> (i64, i64) {
    let n: i64 = rng.gen_range(1..=3);
    (if rng.gen_bool(0.5) { n } else { -n }, rng.gen_range(1..=3))
}

impl LaneDraw {
    /// A random draw for up to GRID lanes and MAX_DEPTH layers: each lane carried with
    /// probability ½, else zero at each layer with probability ½ (made valid by
    /// [`LaneType::fit`] once the shape and targets are known).
    fn draw(rng: &mut impl Rng, depth: usize) -> Self {
        let lanes = (0..GRID)
            .map(|_| {
                if rng.gen_bool(0.5) {
                    Lane::Carried
                } else {
                    Lane::Cut((0..depth).filter(|_| rng.gen_bool(0.5)).collect())
                }
            })
            .collect();
        LaneDraw {
            ty: LaneType { lanes },
            values: (0..GRID)
                .map(|_| (0..MAX_DEPTH).map(|_| draw_nonzero(rng)).collect())
                .collect(),
            basis_seed: rng.gen_range(0..1000),
            identity_bases: false,
            free_blocks: false,
            borrowed: false,
        }
    }
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

    pub(super) fn generate_with(claim: &str, s: &Shape, rng: &mut impl Rng) -> Self {
        let fam = family(claim);
        let dims: Vec<usize> = match &s.fixed_dims {
            Some(d) => d.clone(),
            None => {
                let depth = rng.gen_range(s.depth.0..=s.depth.1);
                let w = rng.gen_range(s.width.0..=s.width.1);
                let mut dims: Vec<usize> = (0..=depth)
                    .map(|_| {
                        if s.square {
                            w
                        } else {
                            rng.gen_range(s.width.0..=s.width.1)
                        }
                    })
                    .collect();
                // targets Y = Q D (d_L × d_0, X = I): Σ = YYᵀ has the eigenvalue 0 with
                // multiplicity d_L − d_0 when d_0 < d_L, outside [AMG]'s distinct eigenvalues from
                // 2 on, so d_0 is raised to d_L − 1 (no draw is taken: other trials are unchanged)
                if fam == Family::Spectrum && dims[0] + 2 <= dims[depth] {
                    dims[0] = dims[depth] - 1;
                }
                dims
            }
        };
        let depth = dims.len() - 1;
        let layers = (0..depth).map(|_| draw_layer(rng)).collect();
        let data = (0..2 * GRID * DATA_COLS).map(|_| draw_entry(rng)).collect();
        let data_fam = fam == Family::Data || fam == Family::AnyPoint;
        let (x_matrix, mut extra_columns) = match s.x {
            Some(XKind::Identity) => (false, 0),
            Some(XKind::General) => (true, rng.gen_range(1..=2)),
            None if data_fam => (true, rng.gen_range(0..=2)),
            None => (false, 0),
        };
        let one_hidden = s.kind == ModelKind::OneHiddenLayer;
        if one_hidden {
            extra_columns = 0; // X square: I plus a strictly lower triangle
        }
        let mut case = AuditCase {
            claim: claim.into(),
            kind: s.kind,
            dims,
            layers,
            data,
            extra_columns,
            x_matrix,
            lambda_den: rng.gen_range(2..=20),
            slope: (1, 1),
            seed: rng.gen_range(0..1000),
            min_extra: usize::from(s.x == Some(XKind::General) && !one_hidden),
            lanes: (fam == Family::Spectrum).then(|| LaneDraw {
                free_blocks: s.free_blocks,
                borrowed: s.borrowed,
                ..LaneDraw::draw(rng, depth)
            }),
            min_depth: s.depth.0,
            min_width: s.width.0,
            square: s.square,
            region: Region::Plain,
        };
        if one_hidden {
            // drawn last, so the draws of the other kinds are as before
            case.slope = SLOPES[rng.gen_range(0..SLOPES.len())];
        }
        case
    }

    /// The same case drawn in `region` (the search draws the region from its own stream, so the
    /// plain trials of a seed are the ones drawn before regions existed).
    pub(super) fn in_region(self, region: Region) -> Self {
        AuditCase { region, ..self }
    }

    /// The region as it acts on this case: `Plain` where the family, kind or widths leave it
    /// nothing to change (residual models; a width of 1 where two rows or entries are needed;
    /// rank-deficient scalars); "repeated" is "near" where only one gap is made (scalar, diagonal,
    /// spectrum and one-hidden-layer cases).
    pub(super) fn region(&self) -> Region {
        let fam = family(&self.claim);
        let dl = self.dims[self.depth()];
        let one_hidden = self.kind == ModelKind::OneHiddenLayer;
        let region = match (fam, self.region) {
            (Family::Scalar | Family::Diagonal | Family::Spectrum, Region::Repeated { shift }) => {
                Region::Near { shift }
            }
            (_, Region::Repeated { shift }) if one_hidden => Region::Near { shift },
            (_, r) => r,
        };
        let fits = match fam {
            _ if self.kind == ModelKind::Residual => false,
            _ if one_hidden => true,
            Family::Scalar => matches!(region, Region::Near { .. }),
            Family::Diagonal => self.dims[0] >= 2 && self.dims[1] >= 2,
            Family::Spectrum => dl >= 2 && self.dims[0] >= dl,
            _ if matches!(region, Region::Repeated { .. }) => self.dims.iter().all(|&d| d >= 2),
            _ => self.dims[1] >= 2,
        };
        if fits {
            region
        } else {
            Region::Plain
        }
    }

    /// Layer k changed as [`Region`] says for the layer families: layer 0 in the near and
    /// rank-deficient regions, every layer in the repeated one.
    fn layer_in_region(&self, k: usize, mut m: Mat<BigRational>) -> Mat<BigRational> {
        let fam = family(&self.claim);
        let region = self.region();
        let zero = BigRational::from_integer(0.into());
        let one = BigRational::from_integer(1.into());
        if let Region::Repeated { shift } = region {
            // the scaled rotation [[a, b], [−b, a + 2^−s]], apart from the rest of the layer
            let (mut a, b) = (m.at(0, 0).clone(), m.at(0, 1).clone());
            if a == zero && b == zero {
                a = one;
            }
            for i in 0..m.rows() {
                for j in 0..m.cols() {
                    if (i < 2) != (j < 2) {
                        *m.at_mut(i, j) = zero.clone();
                    }
                }
            }
            *m.at_mut(1, 0) = -b.clone();
            *m.at_mut(0, 1) = b;
            *m.at_mut(1, 1) = &a + two_to_minus(shift);
            *m.at_mut(0, 0) = a;
            return m;
        }
        if k > 0 || region == Region::Plain || fam == Family::Spectrum {
            return m;
        }
        if self.kind == ModelKind::OneHiddenLayer {
            // (W_1 X)_00 = W_1[0][0]·X[0][0] + Σ_{l≥1} W_1[0][l]·X[l][0] with X[0][0] = 1 (X is
            // I plus a strictly lower triangle): solve for W_1[0][0]
            let x = self.x_exact();
            let target = match region {
                Region::Near { shift } => two_to_minus(shift),
                _ => zero,
            };
            let rest = (1..m.cols()).fold(BigRational::from_integer(0.into()), |acc, l| {
                acc + m.at(0, l) * x.at(l, 0)
            });
            *m.at_mut(0, 0) = target - rest;
            return m;
        }
        match (fam, region) {
            (Family::Scalar, Region::Near { shift }) => *m.at_mut(0, 0) = two_to_minus(shift),
            (Family::Diagonal, Region::Near { shift }) => {
                *m.at_mut(1, 1) = one + two_to_minus(shift)
            }
            (Family::Diagonal, _) => *m.at_mut(1, 1) = zero,
            (_, r) => {
                for j in 0..m.cols() {
                    *m.at_mut(1, j) = m.at(0, j).clone();
                }
                if let Region::Near { shift } = r {
                    *m.at_mut(1, 0) = m.at(0, 0) + two_to_minus(shift);
                }
            }
        }
        m
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
            return self.layer_in_region(k, m);
        }
        // positive diagonal: 1 first (a common top direction, so flat points are frequent),
        // then (|n| + 1)/(d + 1) ∈ [1/4, 2]
        let m = Mat::from_fn(rows, cols, |i, j| {
            if i == 0 && j == 0 {
                BigRational::from_integer(1.into())
            } else if i == j {
                let (n, d) = self.layers[k][i * GRID + j];
                BigRational::new((n.abs() + 1).into(), (d + 1).into())
            } else {
                BigRational::from_integer(0.into())
            }
        });
        self.layer_in_region(k, m)
    }

    /// X as written, None for `identity`: [I | R] (full row rank by construction), or for a
    /// one-hidden-layer network, whose X must be square, I plus a strictly lower triangle
    /// (invertible, with determinant 1).
    fn x_written(&self) -> Option<Mat<BigRational>> {
        let d0 = self.dims[0];
        let one_hidden = self.kind == ModelKind::OneHiddenLayer;
        self.x_matrix.then(|| {
            Mat::from_fn(d0, d0 + self.extra_columns, |i, j| {
                if i == j {
                    BigRational::from_integer(1.into())
                } else if one_hidden && j < i {
                    Self::q(self.data[i * DATA_COLS + j])
                } else if j < d0 {
                    BigRational::from_integer(0.into())
                } else {
                    Self::q(self.data[i * DATA_COLS + j - d0])
                }
            })
        })
    }

    /// X exactly.
    fn x_exact(&self) -> Mat<BigRational> {
        self.x_written()
            .unwrap_or_else(|| mat::identity(&Exact, self.dims[0]))
    }

    /// X as written (None for `identity`), X exactly, and Y.
    fn data_matrices(&self) -> (Option<Mat<BigRational>>, Mat<BigRational>, Mat<BigRational>) {
        let fam = family(&self.claim);
        let dl = self.dims[self.depth()];
        let weights: Vec<Mat<BigRational>> = (0..self.depth()).map(|k| self.layer(k)).collect();
        let x = self.x_written();
        let x_exact = self.x_exact();
        let n = x_exact.cols();
        let y = match fam {
            Family::AnyPoint => Mat::from_fn(dl, n, |i, j| {
                Self::q(self.data[GRID * DATA_COLS + i * DATA_COLS + j])
            }),
            Family::Spectrum => {
                // Y = Q D, D rectangular diagonal with distinct positive entries 1, 2, 3, …
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
                let (q, _) = random_orthogonal(&mut rng, dl);
                let mut d = Mat::from_fn(dl, n, |i, j| {
                    BigRational::from_integer(if i == j { (i + 1) as i64 } else { 0 }.into())
                });
                match self.region() {
                    Region::Near { shift } => {
                        *d.at_mut(1, 1) = BigRational::from_integer(1.into()) + two_to_minus(shift)
                    }
                    Region::RankDeficient => {
                        *d.at_mut(dl - 1, dl - 1) = BigRational::from_integer(0.into())
                    }
                    // `region()` reads repeated as near for these targets
                    Region::Plain | Region::Repeated { .. } => {}
                }
                mat::matmul(&Exact, &q, &d)
            }
            _ if self.kind == ModelKind::OneHiddenLayer => {
                // Y = W_2 σ(W_1 X), σ(t) = t for t ≥ 0 and a·t below: the point has loss 0
                let a = Self::q(self.slope);
                let pre = mat::matmul(&Exact, &weights[0], &x_exact);
                let hidden = Mat::from_fn(pre.rows(), pre.cols(), |i, j| {
                    let t = pre.at(i, j);
                    if t.is_negative() {
                        &a * t
                    } else {
                        t.clone()
                    }
                });
                mat::matmul(&Exact, &weights[1], &hidden)
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
        (x, x_exact, y)
    }

    /// Does the case carry a lane point (claims about critical points)?
    pub fn draws_lane_point(&self) -> bool {
        self.lanes.is_some()
    }

    /// The class of the case's point in the audit's tally of point types: the type's
    /// [`LaneType::summary`], with its free kernel-block entries counted, `borrowed slots: ` before
    /// a borrowed-slot point's, and a lane point that `--borrowed` fell back to marked as such.
    pub fn point_class(&self, p: &LanePoint) -> String {
        let summary = p.ty.summary();
        match p.construction {
            _ if p.construction.is_borrowed() => format!("borrowed slots: {summary}"),
            Construction::LanesFallback => format!("{summary} (lane point: no borrowed type fits)"),
            _ => match self.free_entries(&p.ty).len() {
                0 => summary,
                n => format!("{summary}; {n} free-block entries"),
            },
        }
    }

    /// The free kernel-block entries (layer, row, column, value) of the lane point of type `ty`:
    /// each of [`lanes::free_positions`] filled with probability ½ (partial blocks, not only
    /// generic ones) from the basis seed's own stream; none unless drawn with `--free-blocks`.
    fn free_entries(&self, ty: &LaneType) -> Vec<(usize, usize, usize, BigRational)> {
        let Some(draw) = self.lanes.as_ref().filter(|d| d.free_blocks) else {
            return Vec::new();
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(draw.basis_seed);
        rng.set_stream(FREE_BLOCK_STREAM);
        lanes::free_positions(&self.dims, ty)
            .into_iter()
            .filter_map(|(k, t, c)| {
                let fill = rng.gen_bool(0.5);
                let v = lanes::nonzero_rational(&mut rng);
                fill.then_some((k, t, c, v))
            })
            .collect()
    }

    /// The changes of basis (Q_k, Q_k⁻¹) of the hidden nodes: seeded by the basis seed, or
    /// identities.
    fn bases(&self, draw: &LaneDraw) -> Vec<lanes::Basis> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(draw.basis_seed);
        (1..self.depth())
            .map(|i| {
                if draw.identity_bases {
                    let id = mat::identity(&Exact, self.dims[i]);
                    (id.clone(), id)
                } else {
                    random_invertible(&mut rng, self.dims[i])
                }
            })
            .collect()
    }

    /// The first of [`BORROWED_REDRAWS`] padded types ([`borrowed::random_type`]) drawn from the
    /// basis seed's [`BORROWED_STREAM`] that fits the widths and borrows, if any (none drawn when
    /// no type borrows).
    fn redrawn_type(&self, draw: &LaneDraw, targets_nonzero: &[bool]) -> Option<LaneType> {
        if !borrowed::can_borrow(&self.dims) {
            return None;
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(draw.basis_seed);
        rng.set_stream(BORROWED_STREAM);
        (0..BORROWED_REDRAWS)
            .map(|_| borrowed::random_type(&mut rng, &self.dims, targets_nonzero))
            .find(|ty| borrowed::borrows(&self.dims, ty))
    }

    /// The case's critical point (claims about critical points), when it is exactly critical
    /// (it always is by construction; a point that is not would be dropped, never written).
    /// Without `--borrowed`, the lane point of the drawn type fitted to the dims and targets
    /// ([`LaneType::fit`]), with its free kernel blocks. With it, the borrowed-slot point of the
    /// drawn type fitted over the padded positions (`borrowed::fit`) when that type fits the
    /// widths and borrows; else of the first borrowing type redrawn from the basis seed's own
    /// stream (`AuditCase::redrawn_type`); else the lane point.
    pub fn lane_point(&self) -> Option<LanePoint> {
        let draw = self.lanes.as_ref()?;
        let (_, x, y) = self.data_matrices();
        let sp = spectrum(&x, &y, 128).ok()?;
        let frames = Frames::new(&sp, &x)?;
        let dims = &self.dims;
        let l = self.depth();
        let bases = self.bases(draw);
        let point = |ty: LaneType, construction: Construction| {
            let values: Vec<Vec<BigRational>> = (0..ty.lanes.len())
                .map(|j| (0..l).map(|k| Self::q(draw.values[j][k])).collect())
                .collect();
            let weights = if construction.is_borrowed() {
                borrowed::build(dims, &frames, &ty, &values, &bases)?
            } else {
                let free = self.free_entries(&ty);
                lanes::build_with_free(dims, &frames, &ty, &values, &free, &bases)
            };
            is_critical(&weights, &x, &y).then_some(LanePoint {
                ty,
                weights,
                construction,
            })
        };
        let slot_type = || {
            draw.ty
                .fit(dims, &frames.targets_nonzero(lanes::lane_count(dims)))
        };
        if !draw.borrowed {
            return point(slot_type(), Construction::Lanes);
        }
        let nz = frames.targets_nonzero(borrowed::lane_count(dims));
        let padded = borrowed::fit(dims, &draw.ty, &nz);
        if borrowed::borrows(dims, &padded) {
            return point(padded, Construction::Borrowed);
        }
        match self.redrawn_type(draw, &nz) {
            Some(ty) => point(ty, Construction::BorrowedRedrawn),
            None => point(slot_type(), Construction::LanesFallback),
        }
    }

    /// The case as YAML text (version 1), with `expect` on its single check when given.
    pub fn to_yaml(&self, name: &str, about: &str, expect: Option<Verdict>) -> String {
        let fam = family(&self.claim);
        let (x, _, y) = self.data_matrices();
        let point = self.lane_point();
        let weights: Vec<Mat<BigRational>> = match &point {
            Some(p) => p.weights.clone(),
            None => (0..self.depth()).map(|k| self.layer(k)).collect(),
        };
        let rows = yaml_matrix;
        let mut out = format!(
            "version: 1\nname: {name}\nabout: \"{about}\"\nseed: {}\n",
            self.seed
        );
        let model_extra = match self.kind {
            ModelKind::L2Regularized => format!(", lambda: \"1/{}\"", self.lambda_den),
            ModelKind::OneHiddenLayer => format!(
                ", activation: {{leaky_relu: \"{}\"}}",
                q_to_string(&Self::q(self.slope))
            ),
            _ => String::new(),
        };
        out += &format!(
            "model: {{kind: {}, dims: {:?}{model_extra}}}\n",
            self.kind, self.dims
        );
        out += &format!(
            "data:\n  x: {}\n  y: {}\n",
            x.as_ref().map_or("identity".to_string(), rows),
            rows(&y)
        );
        if self.region() != Region::Plain {
            out += &format!(
                "# delicate region: {}\n",
                self.region().describe(fam, self.kind)
            );
        }
        if fam != Family::Spectrum || self.lanes.is_some() {
            if let Some(p) = &point {
                out += &match p.construction {
                    Construction::Lanes => format!("# lane point: {}\n", p.ty),
                    Construction::LanesFallback => format!(
                        "# lane point: {} (--borrowed: no type with borrowed slots fits)\n",
                        p.ty
                    ),
                    _ => format!(
                        "# borrowed-slot point (src/enumerate/borrowed.rs): {}\n",
                        p.ty
                    ),
                };
            }
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
        if family(&self.claim) == Family::Spectrum {
            return out; // the point is the lane point, not the grid
        }
        // W_1[0][0] is solved in a kink region (`layer_in_region`): not an entry to simplify
        let solved = self.kind == ModelKind::OneHiddenLayer && self.region() != Region::Plain;
        for k in 0..self.depth() {
            for i in 0..self.dims[k + 1] {
                for j in 0..self.dims[k] {
                    if solved && (k, i, j) == (0, 0, 0) {
                        continue;
                    }
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
        if self.x_matrix && self.kind == ModelKind::OneHiddenLayer {
            for i in 0..d0 {
                out.extend((0..i).map(|j| i * DATA_COLS + j));
            }
        } else if self.x_matrix {
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
        if let Some(d) = &mut c.lanes {
            d.ty = d.ty.without_layer(k);
            for v in &mut d.values {
                let moved = v.remove(k);
                v.push(moved); // keep MAX_DEPTH columns
            }
        }
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

impl AuditCase {
    /// Simpler lane points than `p`, drawn as `d`: no free kernel blocks, identity changes of
    /// basis, one zero layer fewer on a cut lane (the type is refitted, so a lane that can no
    /// longer be cut becomes carried), and simpler nonzero scalars at the positions the point
    /// uses (the padded positions of a borrowed-slot point).
    fn lane_shrinks(&self, d: &LaneDraw, p: Option<&LanePoint>) -> Vec<Self> {
        let mut out = Vec::new();
        let with = |d: LaneDraw| AuditCase {
            lanes: Some(d),
            ..self.clone()
        };
        if d.free_blocks {
            out.push(with(LaneDraw {
                free_blocks: false,
                ..d.clone()
            }));
        }
        if !d.identity_bases {
            out.push(with(LaneDraw {
                identity_bases: true,
                ..d.clone()
            }));
        }
        let Some(LanePoint {
            ty, construction, ..
        }) = p
        else {
            return out;
        };
        let exists = |j, k| match construction.is_borrowed() {
            true => borrowed::exists(&self.dims, j, k),
            false => lanes::exists(&self.dims, j, k),
        };
        let l = self.depth();
        for (j, lane) in ty.lanes.iter().enumerate() {
            if let Lane::Cut(z) = lane {
                for i in 0..z.len() {
                    let mut e = d.clone();
                    let mut z = z.clone();
                    z.remove(i);
                    e.ty = ty.clone();
                    e.ty.lanes[j] = Lane::Cut(z);
                    out.push(with(e));
                }
            }
            for k in 0..l {
                let used = exists(j, k)
                    && match lane {
                        Lane::Carried => k + 1 < l,
                        Lane::Cut(z) => !z.contains(&k),
                    };
                if !used {
                    continue;
                }
                for s in simpler(d.values[j][k]).into_iter().filter(|s| s.0 != 0) {
                    let mut e = d.clone();
                    e.ty = ty.clone();
                    e.values[j][k] = s;
                    out.push(with(e));
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
    /// deterministic); then fewer extra columns of X, simpler entries, and seed 0. Under
    /// `--borrowed` the point keeps its construction: of a redrawn type, its only shrink is the
    /// same point with that type as its drawn one (`AuditCase::settled`); of its drawn type,
    /// only candidates that are borrowed-slot points of their own drawn type are kept, so every
    /// step simplifies the drawn type and no redraw can undo it; a lane point that `--borrowed`
    /// fell back to shrinks among such lane points.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let point = self.lane_point();
        if let Some(settled) = self.settled(point.as_ref()) {
            return Box::new(std::iter::once(settled));
        }
        let mut out = self.smaller_shapes();
        let shapes = out.clone();
        for (s, c) in shapes.iter().enumerate() {
            for r in 0..REDRAWS {
                let tag = c.dims.iter().fold(s as u64, |h, &d| h * 31 + d as u64);
                let mut rng =
                    rand_chacha::ChaCha8Rng::seed_from_u64(tag.wrapping_mul(1_000_003) + r);
                let mut fresh = c.clone();
                match &mut fresh.lanes {
                    Some(d) => {
                        d.values = (0..GRID)
                            .map(|_| (0..MAX_DEPTH).map(|_| draw_nonzero(&mut rng)).collect())
                            .collect();
                        d.basis_seed = rng.gen_range(0..1000);
                    }
                    None => fresh.layers = (0..c.depth()).map(|_| draw_layer(&mut rng)).collect(),
                }
                out.push(fresh);
            }
        }
        // a plain case is simpler than one in a delicate region, a wider gap than a narrower
        match self.region() {
            Region::Plain => {}
            Region::Near { shift } | Region::Repeated { shift } => {
                out.push(self.clone().in_region(Region::Plain));
                if let Some(&wider) = NEAR_SHIFTS.iter().rev().find(|&&s| s < shift) {
                    out.push(self.clone().in_region(match self.region() {
                        Region::Near { .. } => Region::Near { shift: wider },
                        _ => Region::Repeated { shift: wider },
                    }));
                }
            }
            Region::RankDeficient => out.push(self.clone().in_region(Region::Plain)),
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
        if let Some(d) = &self.lanes {
            out.extend(self.lane_shrinks(d, point.as_ref()));
        }
        if self.seed != 0 {
            out.push(AuditCase {
                seed: 0,
                ..self.clone()
            });
        }
        out.retain(|c| c != self);
        let keep = point
            .map(|p| p.construction)
            .filter(|k| matches!(k, Construction::Borrowed | Construction::LanesFallback));
        Box::new(out.into_iter().filter(move |c| match keep {
            None => true,
            Some(k) => c.lane_point().is_some_and(|p| p.construction == k),
        }))
    }
}

impl AuditCase {
    /// The case with the redrawn type of its borrowed-slot point `p` as its drawn type (the
    /// same point, now of [`Construction::Borrowed`]); `None` unless `p` was redrawn.
    fn settled(&self, p: Option<&LanePoint>) -> Option<Self> {
        let p = p.filter(|p| p.construction == Construction::BorrowedRedrawn)?;
        let mut c = self.clone();
        c.lanes.as_mut()?.ty = p.ty.clone();
        Some(c)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain case for `claim` with these widths, drawn from `rng`.
    fn drawn(claim: &str, widths: &[usize], rng: &mut impl Rng) -> AuditCase {
        let opts = AuditOptions {
            widths: Some(widths.to_vec()),
            ..AuditOptions::default()
        };
        AuditCase::generate_with(claim, &shape(claim, &opts).unwrap(), rng)
    }

    /// The near, repeated and rank-deficient regions change exactly the entries they state, and
    /// no other.
    #[test]
    fn regions_change_the_stated_entries() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let plain = drawn("KP-exact", &[3, 3, 2], &mut rng);
        let w = plain.layer(0);
        let near = plain
            .clone()
            .in_region(Region::Near { shift: 300 })
            .layer(0);
        let deficient = plain.clone().in_region(Region::RankDeficient).layer(0);
        for j in 0..3 {
            assert_eq!(deficient.at(1, j), w.at(0, j));
            let gap = if j == 0 {
                two_to_minus(300)
            } else {
                BigRational::from_integer(0.into())
            };
            assert_eq!(&(near.at(1, j) - w.at(0, j)), &gap);
            for i in [0, 2] {
                assert_eq!(near.at(i, j), w.at(i, j));
                assert_eq!(deficient.at(i, j), w.at(i, j));
            }
        }
        // repeated: every layer's leading block is [[a, b], [−b, a + 2^−s]], apart from the rest,
        // so its Gram block is (a² + b²)I up to the 2^−s terms
        let repeated = plain.clone().in_region(Region::Repeated { shift: 60 });
        assert_eq!(repeated.region(), Region::Repeated { shift: 60 });
        for k in 0..2 {
            let (w, r) = (plain.layer(k), repeated.layer(k));
            let zero = BigRational::from_integer(0.into());
            let (a, b) = if w.at(0, 0) == &zero && w.at(0, 1) == &zero {
                (BigRational::from_integer(1.into()), zero.clone())
            } else {
                (w.at(0, 0).clone(), w.at(0, 1).clone())
            };
            assert_eq!((r.at(0, 0), r.at(0, 1), r.at(1, 0)), (&a, &b, &-b.clone()));
            assert_eq!(r.at(1, 1), &(&a + two_to_minus(60)));
            for i in 0..r.rows() {
                for j in 0..r.cols() {
                    if (i < 2) != (j < 2) {
                        assert_eq!(r.at(i, j), &zero, "layer {k} ({i}, {j})");
                    } else if i >= 2 {
                        assert_eq!(r.at(i, j), w.at(i, j));
                    }
                }
            }
        }
        // the other layers are untouched
        assert_eq!(
            plain.clone().in_region(Region::RankDeficient).layer(1),
            plain.layer(1)
        );
        // AMG targets: D's entries (1, 1 + 2^-s) or a zero last entry
        let amg = drawn("AMG-classify", &[2, 2, 2], &mut rng);
        let sigma_trace = |c: &AuditCase| {
            let (_, _, y) = c.data_matrices();
            let yy = mat::matmul_nt(&Exact, &y, &y);
            (
                yy.at(0, 0) + yy.at(1, 1),
                yy.at(0, 0) * yy.at(1, 1) - yy.at(0, 1) * yy.at(1, 0),
            )
        };
        let one = BigRational::from_integer(1.into());
        // Q orthogonal: tr Σ = Σ D_i², det Σ = Π D_i²
        let (t, d) = sigma_trace(&amg.clone().in_region(Region::Near { shift: 40 }));
        let e = &one + two_to_minus(40);
        assert_eq!(t, &one + &e * &e);
        assert_eq!(d, &e * &e);
        let (t, d) = sigma_trace(&amg.clone().in_region(Region::RankDeficient));
        assert_eq!((t, d), (one, BigRational::from_integer(0.into())));
        assert_eq!(
            amg.clone().in_region(Region::RankDeficient).region(),
            Region::RankDeficient
        );
        assert_eq!(
            amg.clone()
                .in_region(Region::Repeated { shift: 12 })
                .region(),
            Region::Near { shift: 12 }
        );
    }

    /// `--borrowed`: the drawn points are exactly critical by the interpolation oracle (which
    /// shares no code with the builders), most of them borrowed-slot points (of the drawn type or
    /// a redrawn one) whose type borrows; a redrawn point shrinks first to the same layers with
    /// the redrawn type as its drawn one, the shrinks of a borrowed-slot point are
    /// borrowed-slot points of their own drawn type, and those of a lane point that `--borrowed`
    /// fell back to are such lane points.
    #[test]
    fn borrowed_points_are_critical_and_shrink_to_borrowed_points() {
        use crate::enumerate::lanes::tests::assert_critical_by_interpolation;
        let opts = AuditOptions {
            borrowed: true,
            ..AuditOptions::default()
        };
        let claim = "AMG-classify";
        let s = shape(claim, &opts).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (mut drawn, mut redrawn, mut fallback, mut shrunk) = (0, 0, 0, 0);
        for t in 0..30 {
            let c = AuditCase::generate_with(claim, &s, &mut rng);
            let Some(p) = c.lane_point() else { continue };
            let (_, x, y) = c.data_matrices();
            let label = format!("trial {t}, dims {:?}: {}", c.dims, p.ty);
            assert_critical_by_interpolation(&p.weights, &x, &y, &label);
            match p.construction {
                Construction::Borrowed => drawn += 1,
                Construction::BorrowedRedrawn => redrawn += 1,
                Construction::LanesFallback => fallback += 1,
                Construction::Lanes => panic!("{label}: drawn with --borrowed"),
            }
            if p.construction == Construction::LanesFallback {
                let kinds: Vec<_> = c.shrink().filter_map(|s| s.lane_point()).collect();
                assert!(!kinds.is_empty(), "{label}");
                for q in kinds {
                    assert_eq!(q.construction, Construction::LanesFallback, "{label}");
                }
                continue;
            }
            assert!(borrowed::borrows(&c.dims, &p.ty), "{label}");
            if shrunk == 3 {
                continue;
            }
            shrunk += 1;
            let mut cands: Vec<AuditCase> = c.shrink().collect();
            if p.construction == Construction::BorrowedRedrawn {
                assert_eq!(cands.len(), 1, "{label}");
                let q = cands[0].lane_point().unwrap();
                assert_eq!(q.construction, Construction::Borrowed, "{label}");
                assert_eq!((&q.ty, &q.weights), (&p.ty, &p.weights), "{label}");
                cands = cands[0].shrink().collect();
            }
            assert!(!cands.is_empty(), "{label}");
            for cand in cands.iter().take(8) {
                let q = cand.lane_point().unwrap();
                assert_eq!(q.construction, Construction::Borrowed, "{label}");
                let (_, x, y) = cand.data_matrices();
                assert_critical_by_interpolation(&q.weights, &x, &y, &label);
            }
        }
        assert!(drawn > 0 && redrawn > 0, "{drawn} {redrawn} {fallback}");
        assert!(drawn + redrawn > fallback, "{drawn} {redrawn} {fallback}");
        assert_eq!(shrunk, 3);
    }

    /// One-hidden-layer draws: X square with determinant 1, the loss 0 at the point for the
    /// claims about minimizers, and the kink regions put the pre-activation (W_1X)_00 exactly on
    /// (0) or 2^-s next to the kink, leaving the rest of W_1 as drawn.
    #[test]
    fn kink_regions_put_a_pre_activation_on_or_next_to_the_kink() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let opts = AuditOptions {
            widths: Some(vec![3, 3, 3]),
            x: Some(XKind::General),
            ..AuditOptions::default()
        };
        let claim = "ZL-regularity";
        let mut s = shape(claim, &opts).unwrap();
        s.kind = ModelKind::OneHiddenLayer;
        let plain = AuditCase::generate_with(claim, &s, &mut rng);
        let x = plain.x_exact();
        // I plus a strictly lower triangle: ones on the diagonal, zeros above
        for i in 0..3 {
            for j in i..3 {
                assert_eq!(
                    x.at(i, j),
                    &BigRational::from_integer(i64::from(i == j).into())
                );
            }
        }
        let zero = BigRational::from_integer(0.into());
        let pre = |c: &AuditCase| mat::matmul(&Exact, &c.layer(0), &c.x_exact());
        for (region, want) in [
            (Region::RankDeficient, zero.clone()),
            (Region::Near { shift: 60 }, two_to_minus(60)),
            (Region::Repeated { shift: 12 }, two_to_minus(12)),
        ] {
            let c = plain.clone().in_region(region);
            assert_eq!(pre(&c).at(0, 0), &want, "{region:?}");
            let (w, w0) = (c.layer(0), plain.layer(0));
            for (i, j) in (0..3).flat_map(|i| (0..3).map(move |j| (i, j))) {
                if (i, j) != (0, 0) {
                    assert_eq!(w.at(i, j), w0.at(i, j));
                }
            }
            // Y = W_2 σ(W_1 X), σ(t) = max(t, a t) for 0 < a ≤ 1: the point has loss 0
            let a = AuditCase::q(c.slope);
            let p = pre(&c);
            let h = Mat::from_fn(3, 3, |i, j| {
                let t = p.at(i, j);
                if &(&a * t) > t {
                    &a * t
                } else {
                    t.clone()
                }
            });
            let (_, _, y) = c.data_matrices();
            assert_eq!(mat::matmul(&Exact, &c.layer(1), &h), y);
            let yaml = c.to_yaml("t", "t", None);
            assert!(yaml.contains("kind: one-hidden-layer") && yaml.contains("leaky_relu"));
            assert!(yaml.contains("kink"), "{yaml}");
        }
        assert_eq!(plain.region(), Region::Plain);
        assert_eq!(
            plain
                .clone()
                .in_region(Region::RankDeficient)
                .region()
                .name(ModelKind::OneHiddenLayer),
            "kink"
        );
    }
}
