//! Per-direction "lane" critical points of f(W) = ½‖W_L⋯W_1X − Y‖² (claims.md, \[AMG\]; issue 15):
//! critical points where different singular directions are cut at different layers.
//!
//! For X of full row rank, f = ½ tr((P − Φ)Σ_XX(P − Φ)ᵀ) + const with P = W_L⋯W_1. Two frames,
//! rational when Σ's spectrum is:
//! - the output frame M_out (d_L × d_L): columns u_1, …, u_r, the unnormalized eigenvectors of Σ
//!   with λ_j > 0 (mutually orthogonal), then a rational basis K of {v : u_jᵀv = 0, j ≤ r};
//! - the input frame M_in (d_0 × d_0): rows m_j = u_jᵀΦ (j ≤ r), which satisfy
//!   m_iΣ_XXm_jᵀ = u_iᵀΣu_j = 0 for i ≠ j, then rows N spanning {n : nΣ_XXm_jᵀ = 0 ∀ j ≤ r}.
//!
//! Then Φ = M_out Ỹ M_in with Ỹ rectangular diagonal, ỹ_j = 1/‖u_j‖² for j ≤ r and 0 beyond, and
//! f = ½ tr(G_out(P̃ − Ỹ)G_in(P̃ − Ỹ)ᵀ) + const with P = M_out P̃ M_in, G_out = M_outᵀM_out and
//! G_in = M_inΣ_XXM_inᵀ, both block diagonal and diagonal (positive) on the first r lanes.
//!
//! A lane point has rectangular-diagonal D_k (d_k × d_{k−1}); lane j has the scalars
//! w_k^j = (D_k)_{jj} where that position exists (j < min(d_k, d_{k−1})), and
//! W_1 = Q_1D_1M_in, W_k = Q_kD_kQ_{k−1}⁻¹, W_L = M_outD_LQ_{L−1}⁻¹ with invertible Q_k. The map
//! D ↦ W is linear and invertible per layer, so W is critical iff D is critical for the frame
//! loss. With every lane of zero target carrying product 0, P̃ − Ỹ vanishes outside the first r
//! lanes, G_out(P̃ − Ỹ)G_in = diag(c_j e_j) with c_j > 0 and e_j = Π_k w_k^j − ỹ_j, and the
//! gradient in (D_k)_{jj} is c_j e_j Π_{i≠k} w_i^j (the other entries vanish). Hence, per lane:
//! - ỹ_j ≠ 0 and every position exists: either *carried* (no zero, Π_k w_k^j = ỹ_j), or cut (e_j ≠ 0)
//!   at ≥ 2 layers, so that every Π_{i≠k} w_i^j vanishes;
//! - ỹ_j = 0 and every position exists: product 0, i.e. a zero in at least one layer (c_j p_j
//!   Π_{i≠k} w_i^j = 0 for all k forces p_j = 0);
//! - a position structurally missing: the product is 0 whatever the scalars, any zero pattern
//!   (including none).
//!
//! The carried lanes form S (lane j ↔ the j-th eigenvalue in λ order), so P = U_SU_SᵀΦ. A lane
//! type ([`LaneType`]) says per lane: carried, or its set of zero layers. Every point built here is
//! also checked exactly (∇f = 0 by [`is_critical`]) and dropped if not critical.

use super::critical::{is_critical, Constructed, CriticalPoint};
use super::minimizers::random_invertible;
use super::spectrum::Spectrum;
use super::spectrum_mpfr::MpfrSpectrum;
use crate::linalg::mat::{self, null_space, Mat};
use crate::linalg::{Exact, Field, Mpfr};
use num_rational::BigRational;
use num_traits::{One, Zero};
use rand::Rng;
use rand::SeedableRng;
use rug::Float;
use std::fmt;

/// What one lane (singular direction) does across the layers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// No zero; the product of its scalars equals the lane's target ỹ_j.
    Carried,
    /// Zero exactly at these layers (0-based: layer k is W_{k+1}); nonzero at its other positions.
    Cut(Vec<usize>),
}

/// A combinatorial type of lane point: one [`Lane`] per lane 0, 1, ….
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LaneType {
    /// Lane j's behaviour.
    pub lanes: Vec<Lane>,
}

impl fmt::Display for LaneType {
    /// E.g. "1 carried; 2 cut at W_2; 3 cut at W_3,W_4; 4 blocked" (lanes 1-based).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .lanes
            .iter()
            .enumerate()
            .map(|(j, lane)| match lane {
                Lane::Carried => format!("{} carried", j + 1),
                Lane::Cut(z) if z.is_empty() => format!("{} blocked", j + 1),
                Lane::Cut(z) => {
                    let ws: Vec<String> = z.iter().map(|k| format!("W_{}", k + 1)).collect();
                    format!("{} cut at {}", j + 1, ws.join(","))
                }
            })
            .collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl LaneType {
    /// S: the carried lanes (0-based, λ order).
    pub fn set(&self) -> Vec<usize> {
        (0..self.lanes.len())
            .filter(|&j| self.lanes[j] == Lane::Carried)
            .collect()
    }

    /// The nearest valid type for these dims and targets ([`options`]): zero layers that do not
    /// exist are dropped, lanes beyond [`lane_count`] removed, missing lanes blocked; a lane that
    /// can be carried but is cut at fewer than 2 layers becomes carried, a carried lane that
    /// cannot be becomes cut at its first existing layer when its positions all exist (else
    /// blocked), and a complete lane of target 0 without a zero is cut at W_1.
    pub fn fit(&self, dims: &[usize], targets_nonzero: &[bool]) -> LaneType {
        let exists = |j, k| exists(dims, j, k);
        self.fit_over(dims.len() - 1, lane_count(dims), exists, targets_nonzero)
    }

    /// [`LaneType::fit`] for `lanes` lanes of an `l`-layer network where lane j has a position in
    /// layer k when `exists(j, k)` ([`fit_lane`] per lane).
    pub(super) fn fit_over(
        &self,
        l: usize,
        lanes: usize,
        exists: impl Fn(usize, usize) -> bool,
        targets_nonzero: &[bool],
    ) -> LaneType {
        let lanes = (0..lanes)
            .map(|j| {
                let nonzero = targets_nonzero.get(j).copied().unwrap_or(false);
                fit_lane(self.lanes.get(j), l, |k| exists(j, k), nonzero)
            })
            .collect();
        LaneType { lanes }
    }

    /// A coarse class of the type for distributions: S, how many lanes are cut (and their zero
    /// counts) and how many are blocked, e.g. "S = {1}; 2 cut (2,3 zeros); 0 blocked".
    pub fn summary(&self) -> String {
        let mut zeros: Vec<usize> = self
            .lanes
            .iter()
            .filter_map(|l| match l {
                Lane::Cut(z) if !z.is_empty() => Some(z.len()),
                _ => None,
            })
            .collect();
        zeros.sort_unstable();
        let blocked = self
            .lanes
            .iter()
            .filter(|l| **l == Lane::Cut(vec![]))
            .count();
        let zs: Vec<String> = zeros.iter().map(usize::to_string).collect();
        let cut = match zeros.len() {
            0 => "0 cut".to_string(),
            n => format!("{n} cut ({} zeros)", zs.join(",")),
        };
        format!(
            "S = {}; {cut}; {blocked} blocked",
            super::classify::set_label(&self.set())
        )
    }

    /// The type with layer k removed (zero layers above it shift down by one).
    pub fn without_layer(&self, k: usize) -> LaneType {
        let lanes = self
            .lanes
            .iter()
            .map(|lane| match lane {
                Lane::Carried => Lane::Carried,
                Lane::Cut(z) => Lane::Cut(
                    z.iter()
                        .filter(|&&i| i != k)
                        .map(|&i| if i > k { i - 1 } else { i })
                        .collect(),
                ),
            })
            .collect();
        LaneType { lanes }
    }
}

/// Does lane j have a position in layer k (0-based), i.e. j < min(d_k, d_{k+1})?
pub fn exists(dims: &[usize], j: usize, k: usize) -> bool {
    j < dims[k].min(dims[k + 1])
}

/// Does lane j have a position in every layer?
pub fn complete(dims: &[usize], j: usize) -> bool {
    (0..dims.len() - 1).all(|k| exists(dims, j, k))
}

/// The number of lanes: the largest min(d_k, d_{k−1}) (every lane has a position somewhere).
pub fn lane_count(dims: &[usize]) -> usize {
    dims.windows(2).map(|w| w[0].min(w[1])).max().unwrap_or(0)
}

/// Every subset of `layers` with at least `min` elements, in order of size then elements.
fn subsets(layers: &[usize], min: usize) -> Vec<Vec<usize>> {
    let n = layers.len();
    let mut out: Vec<Vec<usize>> = (0u32..1 << n)
        .map(|m| {
            (0..n)
                .filter(|i| m >> i & 1 == 1)
                .map(|i| layers[i])
                .collect::<Vec<_>>()
        })
        .filter(|s| s.len() >= min)
        .collect();
    out.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    out
}

/// The behaviours lane j may have at a critical point (see the module doc): carried or cut at
/// ≥ 2 layers when it is complete with ỹ_j ≠ 0; cut at ≥ 1 layer when complete with ỹ_j = 0;
/// any zero set of its existing positions when a position is missing.
pub fn options(dims: &[usize], j: usize, target_nonzero: bool) -> Vec<Lane> {
    let l = dims.len() - 1;
    let layers: Vec<usize> = (0..l).filter(|&k| exists(dims, j, k)).collect();
    if !complete(dims, j) {
        return subsets(&layers, 0).into_iter().map(Lane::Cut).collect();
    }
    if target_nonzero {
        std::iter::once(Lane::Carried)
            .chain(subsets(&layers, 2).into_iter().map(Lane::Cut))
            .collect()
    } else {
        subsets(&layers, 1).into_iter().map(Lane::Cut).collect()
    }
}

/// A random valid behaviour of lane j: carried with probability ½ when it may be; otherwise each
/// existing layer is a zero with probability ½, redrawn until the zero set is allowed.
pub fn random_lane(rng: &mut impl Rng, dims: &[usize], j: usize, target_nonzero: bool) -> Lane {
    random_lane_over(rng, dims.len() - 1, |k| exists(dims, j, k), target_nonzero)
}

/// [`LaneType::fit`]'s rule for one lane of an L-layer network (`l` layers) whose positions are
/// the layers k with `exists(k)`: a missing lane is blocked, zero layers without a position are
/// dropped; complete with ỹ_j ≠ 0 and cut at fewer than 2 layers, it becomes carried; carried
/// when it cannot be, it becomes cut at W_1 when complete (else blocked); complete with ỹ_j = 0
/// and no zero, it is cut at W_1.
fn fit_lane(
    lane: Option<&Lane>,
    l: usize,
    exists: impl Fn(usize) -> bool,
    target_nonzero: bool,
) -> Lane {
    let complete = (0..l).all(&exists);
    let carriable = complete && target_nonzero;
    match lane.cloned().unwrap_or(Lane::Cut(vec![])) {
        Lane::Carried if carriable => Lane::Carried,
        Lane::Carried if complete => Lane::Cut(vec![0]),
        Lane::Carried => Lane::Cut(vec![]),
        Lane::Cut(z) => {
            let z: Vec<usize> = z.into_iter().filter(|&k| k < l && exists(k)).collect();
            if carriable && z.len() < 2 {
                Lane::Carried
            } else if complete && z.is_empty() {
                Lane::Cut(vec![0])
            } else {
                Lane::Cut(z)
            }
        }
    }
}

/// [`random_lane`] for a lane of an L-layer network whose positions are the layers k with
/// `exists(k)`: complete (a position in every layer) with ỹ_j ≠ 0, carried with probability ½ or
/// cut at ≥ 2 layers; complete with ỹ_j = 0, cut at ≥ 1; incomplete, any zero set.
pub(super) fn random_lane_over(
    rng: &mut impl Rng,
    l: usize,
    exists: impl Fn(usize) -> bool,
    target_nonzero: bool,
) -> Lane {
    let layers: Vec<usize> = (0..l).filter(|&k| exists(k)).collect();
    let complete = layers.len() == l;
    let carriable = complete && target_nonzero;
    if carriable && rng.gen_bool(0.5) {
        return Lane::Carried;
    }
    let min = match (complete, target_nonzero) {
        (false, _) => 0,
        (true, true) => 2,
        (true, false) => 1,
    };
    if layers.len() < min {
        return Lane::Carried; // L = 1, carriable: the only option
    }
    loop {
        let z: Vec<usize> = layers
            .iter()
            .copied()
            .filter(|_| rng.gen_bool(0.5))
            .collect();
        if z.len() >= min {
            return Lane::Cut(z);
        }
    }
}

/// A random valid type ([`random_lane`] per lane).
pub fn random_type(rng: &mut impl Rng, dims: &[usize], targets_nonzero: &[bool]) -> LaneType {
    LaneType {
        lanes: (0..lane_count(dims))
            .map(|j| {
                random_lane(
                    rng,
                    dims,
                    j,
                    targets_nonzero.get(j).copied().unwrap_or(false),
                )
            })
            .collect(),
    }
}

/// The types of a shape: all of them when there are at most `cap`, else `cap` distinct seeded
/// draws ([`random_type`]).
#[derive(Clone, Debug)]
pub struct Types {
    /// The types covered.
    pub types: Vec<LaneType>,
    /// How many valid types there are in all.
    pub total: u128,
    /// True when `types` is a seeded sample of them.
    pub sampled: bool,
}

impl Types {
    /// No types (the frames could not be built).
    fn none() -> Types {
        Types {
            types: vec![],
            total: 0,
            sampled: false,
        }
    }
}

/// Every valid lane type for `dims` (the product of the per-lane [`options`]) when their number
/// is at most `cap`, else a seeded sample of `cap` distinct ones.
pub fn types(dims: &[usize], targets_nonzero: &[bool], cap: usize, seed: u64) -> Types {
    let per_lane: Vec<Vec<Lane>> = (0..lane_count(dims))
        .map(|j| options(dims, j, targets_nonzero.get(j).copied().unwrap_or(false)))
        .collect();
    let total = per_lane
        .iter()
        .fold(1u128, |t, o| t.saturating_mul(o.len() as u128));
    if total <= cap as u128 {
        let mut all = vec![LaneType { lanes: vec![] }];
        for opts in &per_lane {
            all = all
                .into_iter()
                .flat_map(|t| {
                    opts.iter().map(move |o| {
                        let mut t = t.clone();
                        t.lanes.push(o.clone());
                        t
                    })
                })
                .collect();
        }
        return Types {
            types: all,
            total,
            sampled: false,
        };
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut out: Vec<LaneType> = Vec::new();
    // distinct draws; the attempt bound only matters when most types are improbable
    for _ in 0..cap.saturating_mul(50) {
        if out.len() == cap {
            break;
        }
        let t = random_type(&mut rng, dims, targets_nonzero);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Types {
        types: out,
        total,
        sampled: true,
    }
}

/// The rows of the n × n identity (a basis of the whole space when there is nothing to be
/// orthogonal to).
fn identity_rows(n: usize) -> Vec<Vec<BigRational>> {
    (0..n)
        .map(|i| {
            (0..n)
                .map(|a| BigRational::from_integer((i == a).into()))
                .collect()
        })
        .collect()
}

/// The two frames of the module doc and the lane targets ỹ_j, in the arithmetic of `T`: exact
/// rationals ([`Frames::new`]) or MPFR ([`Frames::mpfr`], for irrational spectra).
#[derive(Clone, Debug)]
pub struct Frames<T = BigRational> {
    /// M_out (d_L × d_L): u_1, …, u_r, then a basis of their orthogonal complement.
    pub m_out: Mat<T>,
    /// M_in (d_0 × d_0): u_jᵀΦ (j ≤ r), then rows Σ_XX-orthogonal to them.
    pub m_in: Mat<T>,
    /// ỹ_j = 1/‖u_j‖² for the r eigenvalues λ_j > 0, in λ order (exact: 1 for the MPFR frames,
    /// whose u_j are normalized).
    pub targets: Vec<BigRational>,
}

impl Frames {
    /// The frames of a problem with Σ_XX = XXᵀ invertible and an exact spectrum; None if a frame
    /// comes out singular (it cannot when X has full row rank).
    pub fn new(sp: &Spectrum, x: &Mat<BigRational>) -> Option<Frames> {
        let sxx = mat::matmul_nt(&Exact, x, x);
        let (dl, d0) = (sp.phi.rows(), sp.phi.cols());
        let pos: Vec<&Vec<BigRational>> = (0..sp.eigenvalues.len())
            .filter(|&j| sp.eigenvalues[j] > BigRational::zero())
            .map(|j| &sp.eigenvectors[j])
            .collect();
        let r = pos.len();
        let ut = Mat::from_fn(r, dl, |i, a| pos[i][a].clone());
        let kernel = if r == 0 {
            identity_rows(dl)
        } else {
            null_space(&ut)
        };
        let m_out = Mat::from_fn(dl, dl, |a, c| {
            if c < r {
                pos[c][a].clone()
            } else {
                kernel[c - r][a].clone()
            }
        });
        let m = mat::matmul(&Exact, &ut, &sp.phi); // rows m_j
        let ms = mat::matmul(&Exact, &m, &sxx);
        let n_rows: Vec<Vec<BigRational>> = if r == 0 {
            identity_rows(d0)
        } else {
            null_space(&ms)
        };
        let m_in = Mat::from_fn(d0, d0, |i, a| {
            if i < r {
                m.at(i, a).clone()
            } else {
                n_rows[i - r][a].clone()
            }
        });
        if kernel.len() + r != dl || n_rows.len() + r != d0 {
            return None;
        }
        mat::solve_exact(&m_in, &mat::identity(&Exact, d0))?;
        mat::solve_exact(&m_out, &mat::identity(&Exact, dl))?;
        let targets = pos
            .iter()
            .map(|u| BigRational::one() / mat::dot(&Exact, u, u))
            .collect();
        Some(Frames {
            m_out,
            m_in,
            targets,
        })
    }
}

impl Frames<Float> {
    /// The frames of a problem with Σ_XX = XXᵀ invertible and a certified MPFR spectrum: u_j the
    /// orthonormal MPFR eigenvectors of the r eigenvalues that are not exactly zero (so ỹ_j = 1),
    /// and the complements exact, since they depend only on Φ: {v : u_jᵀv = 0, j ≤ r} = ker Σ =
    /// ker Φᵀ (Σ = ΦΣ_XXΦᵀ with Σ_XX ≻ 0), and the rows u_jᵀΦ span the row space of Φ
    /// (U_rU_rᵀΦ = Φ), so {n : nΣ_XXm_jᵀ = 0 ∀ j ≤ r} = {n : ΦΣ_XXnᵀ = 0}. None when the
    /// complements do not have the sizes d_L − r and d_0 − r.
    pub fn mpfr(sp: &MpfrSpectrum, x: &Mat<BigRational>) -> Option<Frames<Float>> {
        let mp = Mpfr { prec: sp.prec };
        let sxx = mat::matmul_nt(&Exact, x, x);
        let (dl, d0) = (sp.phi.rows(), sp.phi.cols());
        let pos: Vec<usize> = (0..sp.eigenvalues.len())
            .filter(|&j| !sp.is_zero(j))
            .collect();
        let r = pos.len();
        let kernel = null_space(&sp.phi.transpose());
        let n_rows = null_space(&mat::matmul(&Exact, &sp.phi, &sxx));
        if kernel.len() + r != dl || n_rows.len() + r != d0 {
            return None;
        }
        let u = sp.basis(&pos);
        let m_out = Mat::from_fn(dl, dl, |a, c| {
            if c < r {
                u.at(a, c).clone()
            } else {
                mp.embed(&kernel[c - r][a])
            }
        });
        let m = mat::matmul_tn(&mp, &u, &mat::from_exact(&mp, &sp.phi)); // rows m_j
        let m_in = Mat::from_fn(d0, d0, |i, a| {
            if i < r {
                m.at(i, a).clone()
            } else {
                mp.embed(&n_rows[i - r][a])
            }
        });
        Some(Frames {
            m_out,
            m_in,
            targets: vec![BigRational::one(); r],
        })
    }
}

impl<T> Frames<T> {
    /// ỹ_j ≠ 0 for lane j = 0, 1, … up to `lanes`.
    pub fn targets_nonzero(&self, lanes: usize) -> Vec<bool> {
        (0..lanes).map(|j| j < self.targets.len()).collect()
    }
}

/// The layers of the lane point of type `ty` (valid for `dims`, see [`LaneType::fit`]):
/// w_k^j = values\[j\]\[k\] at the positions that are not zeros of the type, except that a carried
/// lane's last scalar is re-solved so that Π_k w_k^j = ỹ_j; W_1 = Q_1D_1M_in,
/// W_k = Q_kD_kQ_{k−1}⁻¹, W_L = M_outD_LQ_{L−1}⁻¹ with `bases[k] = (Q_{k+1}, Q_{k+1}⁻¹)`.
/// `values` must be nonzero where used.
pub fn build(
    dims: &[usize],
    frames: &Frames,
    ty: &LaneType,
    values: &[Vec<BigRational>],
    bases: &[Basis],
) -> Vec<Mat<BigRational>> {
    build_with_free(dims, frames, ty, values, &[], bases)
}

/// The positions of D_{k+1} (layer k, 0-based; (row, column)) that are *free* at a lane point of
/// type `ty`: column s, a slot of node k, is not reached from the input (b_s = 0: some D_i,
/// i ≤ k, has no nonzero (s, s) entry), and row t, a slot of node k + 1, does not reach the output
/// (a_t = 0: some D_i, i > k + 1, has none). A nonzero entry there adds b_s = 0 to b_t and
/// a_t = 0 to a_s, so every input covector b and output vector a of every slot is unchanged:
/// the product, the residual and the gradient ∇_{D_i}f = a-vectorsᵀ·R·b-vectors (module doc)
/// stay as they were, and the point stays critical, while the partial products' ranks and the
/// Hessian change. These are the free kernel blocks of \[AMG\]'s description (maps among the
/// directions that neither see the data nor reach the output). The first and last layers have
/// none (every input slot is reached, every output slot reaches).
pub fn free_positions(dims: &[usize], ty: &LaneType) -> Vec<(usize, usize, usize)> {
    let l = dims.len() - 1;
    let live = |j: usize, k: usize| -> bool {
        exists(dims, j, k)
            && match ty.lanes.get(j) {
                Some(Lane::Carried) => true,
                Some(Lane::Cut(z)) => !z.contains(&k),
                None => false,
            }
    };
    // reached[n][s]: slot s of node n is reached from the input; reaches[n][t]: reaches the output
    let mut reached: Vec<Vec<bool>> = vec![vec![true; dims[0]]];
    for k in 0..l {
        let prev = &reached[k];
        reached.push(
            (0..dims[k + 1])
                .map(|s| s < prev.len() && prev[s] && live(s, k))
                .collect(),
        );
    }
    let mut reaches: Vec<Vec<bool>> = vec![vec![]; l + 1];
    reaches[l] = vec![true; dims[l]];
    for k in (0..l).rev() {
        reaches[k] = (0..dims[k])
            .map(|t| t < dims[k + 1] && reaches[k + 1][t] && live(t, k))
            .collect();
    }
    let mut out = Vec::new();
    for k in 0..l {
        for (t, _) in reaches[k + 1].iter().enumerate().filter(|(_, &r)| !r) {
            for (c, _) in reached[k].iter().enumerate().filter(|(_, &r)| !r) {
                out.push((k, t, c));
            }
        }
    }
    out
}

/// [`build`] with free entries: `free` lists (layer k, row, column, value) at positions of
/// [`free_positions`], added to D_{k+1} before the changes of basis.
pub fn build_with_free(
    dims: &[usize],
    frames: &Frames,
    ty: &LaneType,
    values: &[Vec<BigRational>],
    free: &[(usize, usize, usize, BigRational)],
    bases: &[Basis],
) -> Vec<Mat<BigRational>> {
    assemble(
        &Exact,
        frames,
        diagonals(dims, &frames.targets, ty, values, free),
        bases,
    )
}

/// The rectangular-diagonal D_1, …, D_L of the lane point of type `ty` ([`build`]), with the
/// `free` entries added: w_k^j = values\[j\]\[k\] where the type has no zero, a carried lane's
/// last scalar re-solved so that Π_k w_k^j = ỹ_j (`targets[j]`).
fn diagonals(
    dims: &[usize],
    targets: &[BigRational],
    ty: &LaneType,
    values: &[Vec<BigRational>],
    free: &[(usize, usize, usize, BigRational)],
) -> Vec<Mat<BigRational>> {
    let l = dims.len() - 1;
    let scalar = |j: usize, k: usize| -> BigRational {
        match &ty.lanes[j] {
            Lane::Cut(z) if z.contains(&k) => BigRational::zero(),
            Lane::Cut(_) => values[j][k].clone(),
            Lane::Carried if k + 1 < l => values[j][k].clone(),
            Lane::Carried => {
                let below = (0..l - 1).fold(BigRational::one(), |p, i| p * &values[j][i]);
                &targets[j] / below
            }
        }
    };
    (0..l)
        .map(|k| {
            let mut d = Mat::from_fn(dims[k + 1], dims[k], |i, c| {
                if i == c && i < ty.lanes.len() {
                    scalar(i, k)
                } else {
                    BigRational::zero()
                }
            });
            for (_, t, c, v) in free.iter().filter(|e| e.0 == k) {
                *d.at_mut(*t, *c) = v.clone();
            }
            d
        })
        .collect()
}

/// W_1 = Q_1D_1M_in, W_k = Q_kD_kQ_{k−1}⁻¹, W_L = M_outD_LQ_{L−1}⁻¹ (M_outD_1M_in when L = 1)
/// from the exact D_k and `bases[k] = (Q_{k+1}, Q_{k+1}⁻¹)`: the products with the changes of
/// basis are exact, only the frames are in `f`'s arithmetic.
pub(crate) fn assemble<F: Field>(
    f: &F,
    frames: &Frames<F::T>,
    ds: Vec<Mat<BigRational>>,
    bases: &[Basis],
) -> Vec<Mat<F::T>> {
    let l = ds.len();
    ds.into_iter()
        .enumerate()
        .map(|(k, d)| {
            let d = if k + 1 < l {
                mat::matmul(&Exact, &bases[k].0, &d)
            } else {
                d
            };
            let d = if k > 0 {
                mat::matmul(&Exact, &d, &bases[k - 1].1)
            } else {
                d
            };
            let d = mat::from_exact(f, &d);
            let d = if k + 1 == l {
                mat::matmul(f, &frames.m_out, &d)
            } else {
                d
            };
            if k == 0 {
                mat::matmul(f, &d, &frames.m_in)
            } else {
                d
            }
        })
        .collect()
}

/// The ChaCha8 stream of the free kernel blocks' entries in [`lane_points`] (the scalars and
/// bases use stream 0 of the same seed).
const FREE_BLOCK_STREAM: u64 = 2;

/// A change of basis of a hidden node and its inverse, (Q_k, Q_k⁻¹).
pub type Basis = (Mat<BigRational>, Mat<BigRational>);

/// Seeded nonzero scalars (`lanes` × `l`, [`nonzero_rational`]) and random invertible changes of
/// basis of the hidden nodes (`(Q_k, Q_k⁻¹)`, k = 1, …, L − 1), drawn in that order.
pub fn random_scalars_and_bases(
    rng: &mut impl Rng,
    dims: &[usize],
    lanes: usize,
) -> (Vec<Vec<BigRational>>, Vec<Basis>) {
    let l = dims.len() - 1;
    let values = (0..lanes)
        .map(|_| (0..l).map(|_| nonzero_rational(rng)).collect())
        .collect();
    let bases = (1..l).map(|i| random_invertible(rng, dims[i])).collect();
    (values, bases)
}

/// A small nonzero rational ±n/d, n ∈ 1..=3, d ∈ 1..=3.
pub fn nonzero_rational(rng: &mut impl Rng) -> BigRational {
    let n: i64 = rng.gen_range(1..=3) * if rng.gen_bool(0.5) { 1 } else { -1 };
    BigRational::new(n.into(), rng.gen_range(1i64..=3).into())
}

/// The text before " (seed" of a lane point's origin "lanes: TYPE (seed s, basis change k)": its
/// type, or None for points of other constructions.
pub fn type_of_origin(origin: &str) -> Option<&str> {
    type_after(origin, "lanes: ")
}

/// The type in an origin "PREFIX TYPE (seed …)" of the lane constructions, when it starts with
/// `prefix`.
pub(super) fn type_after<'a>(origin: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = origin.strip_prefix(prefix)?;
    Some(rest.split(" (seed").next().unwrap_or(rest))
}

/// `count` seeded lane points of the problem, cycling through [`types`] (all of them when there
/// are at most `count`, else a seeded sample of `count`), each with random nonzero scalars and
/// random invertible changes of basis, kept only when exactly critical. With `free_blocks`, each
/// [`free_positions`] entry is filled with probability ½ by a small nonzero rational, drawn from a
/// stream of its own (the scalars and bases are those drawn without it), and the origin counts
/// them. Also returns the types covered.
pub fn lane_points(
    dims: &[usize],
    sp: &Spectrum,
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
    count: usize,
    seed: u64,
    free_blocks: bool,
) -> (Vec<CriticalPoint>, Types) {
    let Some(frames) = Frames::new(sp, x) else {
        return (vec![], Types::none());
    };
    let (points, ts) = lane_draws(&Exact, dims, &frames, count, seed, free_blocks, |ws| {
        is_critical(ws, x, y)
    });
    let points = points
        .into_iter()
        .map(|p| CriticalPoint::exact(p.weights, x, y, p.origin, p.set))
        .collect();
    (points, ts)
}

/// The draws of [`lane_points`] in the arithmetic of `f` over `frames`, each kept when `keep`
/// accepts its layers (exactly critical, or critical to a stated bound in MPFR). The scalars,
/// changes of basis and free entries are exact whatever the arithmetic, so the MPFR points of a
/// seed have the types, scalars and bases of the exact ones.
pub(crate) fn lane_draws<F: Field>(
    f: &F,
    dims: &[usize],
    frames: &Frames<F::T>,
    count: usize,
    seed: u64,
    free_blocks: bool,
    keep: impl Fn(&[Mat<F::T>]) -> bool,
) -> (Vec<Constructed<F::T>>, Types) {
    let nz = frames.targets_nonzero(lane_count(dims));
    let ts = types(dims, &nz, count, seed);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x6c61_6e65);
    let mut free_rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x6c61_6e65);
    free_rng.set_stream(FREE_BLOCK_STREAM);
    let mut out = Vec::new();
    for k in 0..count {
        let Some(ty) = ts.types.get(k % ts.types.len().max(1)) else {
            break;
        };
        let (values, bases) = random_scalars_and_bases(&mut rng, dims, ty.lanes.len());
        let free: Vec<_> = if free_blocks {
            free_positions(dims, ty)
                .into_iter()
                .filter_map(|(k, t, c)| {
                    let fill = free_rng.gen_bool(0.5);
                    let v = nonzero_rational(&mut free_rng);
                    fill.then_some((k, t, c, v))
                })
                .collect()
        } else {
            Vec::new()
        };
        let ds = diagonals(dims, &frames.targets, ty, &values, &free);
        let ws = assemble(f, frames, ds, &bases);
        if !keep(&ws) {
            continue;
        }
        let blocks = match free.len() {
            0 => String::new(),
            n => format!(", {n} free-block entries"),
        };
        out.push(Constructed {
            weights: ws,
            set: ty.set(),
            origin: format!("lanes: {ty} (seed {seed}, basis change {k}{blocks})"),
        });
    }
    (out, ts)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::enumerate::critical::tests::q;
    use crate::enumerate::spectrum::spectrum;
    use crate::model::linear;

    /// f(W) = ½‖W_L⋯W_1X − Y‖² by plain products in `f`'s arithmetic (no shared code with
    /// `linear`).
    fn loss<F: Field>(f: &F, ws: &[Mat<F::T>], x: &Mat<F::T>, y: &Mat<F::T>) -> F::T {
        let p = ws.iter().fold(x.clone(), |acc, w| mat::matmul(f, w, &acc));
        let mut s = f.zero();
        for i in 0..p.rows() {
            for j in 0..p.cols() {
                let e = f.sub(p.at(i, j), y.at(i, j));
                s = f.add(&s, &f.mul(&e, &e));
            }
        }
        f.mul(&s, &f.embed(&BigRational::new(1.into(), 2.into())))
    }

    /// Every partial derivative of the loss at `ws` is zero by [`derivative_by_interpolation`]
    /// (the oracle that shares no code with the gradient); `label` names the point on failure.
    pub(crate) fn assert_critical_by_interpolation(
        ws: &[Mat<BigRational>],
        x: &Mat<BigRational>,
        y: &Mat<BigRational>,
        label: &str,
    ) {
        for (k, w) in ws.iter().enumerate() {
            for i in 0..w.rows() {
                for j in 0..w.cols() {
                    assert!(
                        derivative_by_interpolation(&Exact, ws, x, y, k, i, j).is_zero(),
                        "{label}: ∂f/∂W_{}[{i},{j}] ≠ 0",
                        k + 1
                    );
                }
            }
        }
    }

    /// ∂f/∂θ_i at 0 from values of the loss: t ↦ f(θ + t e_i) is a polynomial of degree ≤ 2L, so
    /// the derivative at 0 of its interpolant at t = −L, …, L is exact in exact arithmetic (and
    /// off by the rounding of the values times the Σ|L_i'(0)| in MPFR).
    pub(crate) fn derivative_by_interpolation<F: Field>(
        f: &F,
        ws: &[Mat<F::T>],
        x: &Mat<F::T>,
        y: &Mat<F::T>,
        layer: usize,
        row: usize,
        col: usize,
    ) -> F::T {
        let l = ws.len() as i64;
        let ts: Vec<i64> = (-l..=l).collect();
        let fs: Vec<F::T> = ts
            .iter()
            .map(|&t| {
                let mut w = ws.to_vec();
                let entry = w[layer].at_mut(row, col);
                *entry = f.add(entry, &f.embed(&q(t)));
                loss(f, &w, x, y)
            })
            .collect();
        // L_i'(0) = Σ_{m≠i} 1/(t_i − t_m) Π_{n≠i,m} (0 − t_n)/(t_i − t_n), exact
        let mut d = f.zero();
        for (i, &ti) in ts.iter().enumerate() {
            let mut li = BigRational::zero();
            for (m, &tm) in ts.iter().enumerate() {
                if m == i {
                    continue;
                }
                let mut term = BigRational::one() / q(ti - tm);
                for (n, &tn) in ts.iter().enumerate() {
                    if n != i && n != m {
                        term *= q(-tn) / q(ti - tn);
                    }
                }
                li += term;
            }
            d = f.add(&d, &f.mul(&f.embed(&li), &fs[i]));
        }
        d
    }

    /// X = I (d_0 × d_0) and Y (d_L × d_0) from integer entries, row by row.
    pub(crate) fn problem(
        y: Vec<i64>,
        dl: usize,
        d0: usize,
    ) -> (Mat<BigRational>, Mat<BigRational>) {
        let x = mat::identity(&Exact, d0);
        let y = Mat::from_vec(dl, d0, y.into_iter().map(q).collect());
        (x, y)
    }

    #[test]
    fn options_and_type_counts() {
        // dims [2,2,2,2]: both lanes complete; lane 1 target ≠ 0: carried + 4 sets of ≥ 2 zeros
        assert_eq!(options(&[2, 2, 2, 2], 0, true).len(), 5);
        assert_eq!(options(&[2, 2, 2, 2], 1, false).len(), 7);
        // lane 2 of [2,1,2]: no position anywhere… lane_count is 1
        assert_eq!(lane_count(&[2, 1, 2]), 1);
        // lane 2 of [2,2,1,2] exists only in W_1: blocked or cut at W_1
        assert_eq!(
            options(&[2, 2, 1, 2], 1, true),
            vec![Lane::Cut(vec![]), Lane::Cut(vec![0])]
        );
        let t = types(&[2, 2, 2, 2], &[true, true], 100, 0);
        assert_eq!((t.total, t.types.len(), t.sampled), (25, 25, false));
        let t = types(&[4, 4, 4, 4, 4, 4, 4], &[true; 4], 50, 3);
        assert_eq!(t.total, 58u128.pow(4));
        assert!(t.sampled && t.types.len() == 50);
    }

    #[test]
    fn every_type_gives_a_critical_point_of_its_set() {
        // Y = diag(3, 2, 1) rotated: Σ has eigenvalues 9, 4, 1
        let (x, y) = problem(vec![3, 0, 0, 0, 2, 0, 0, 0, 1], 3, 3);
        for dims in [vec![3, 3, 3, 3], vec![3, 2, 3, 3, 3], vec![3, 3, 1, 3]] {
            let sp = spectrum(&x, &y, 128).unwrap();
            let (pts, ts) = lane_points(&dims, &sp, &x, &y, 200, 7, false);
            assert_eq!(ts.sampled, ts.total > 200, "{dims:?}");
            assert_eq!(ts.types.len() as u128, ts.total.min(200));
            assert_eq!(pts.len(), 200, "{dims:?}: every built point is critical");
            for p in &pts {
                let ev = linear::evaluate(&Exact, &p.point.weights, &x, &y);
                assert_eq!(
                    sp.index_set_of(ev.partials.product()),
                    Some(p.set.clone()),
                    "{}",
                    p.point.origin
                );
                assert_eq!(linear::loss(&Exact, &ev), sp.critical_value(&p.set));
            }
            // independent oracle on a few points: every partial derivative is 0
            for p in pts.iter().step_by(37) {
                assert_critical_by_interpolation(&p.point.weights, &x, &y, &p.point.origin);
            }
        }
    }

    #[test]
    fn free_blocks_keep_the_point_critical_and_change_the_ranks() {
        // Σ eigenvalues 9, 4, 1; hidden widths wider than the lanes leave whole free slots
        let (x, y) = problem(vec![3, 0, 0, 0, 2, 0, 0, 0, 1], 3, 3);
        let sp = spectrum(&x, &y, 128).unwrap();
        let frames = Frames::new(&sp, &x).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut rank_changed = 0;
        for dims in [vec![3, 3, 3, 3], vec![3, 4, 2, 4, 3], vec![3, 3, 3, 3, 3]] {
            let l = dims.len() - 1;
            let ts = types(&dims, &frames.targets_nonzero(lane_count(&dims)), 40, 1);
            for ty in &ts.types {
                let free = free_positions(&dims, ty);
                // no free position in the first or the last layer
                assert!(free.iter().all(|&(k, _, _)| k > 0 && k + 1 < l), "{ty}");
                let (values, bases) = random_scalars_and_bases(&mut rng, &dims, ty.lanes.len());
                let entries: Vec<_> = free
                    .iter()
                    .map(|&(k, t, c)| (k, t, c, nonzero_rational(&mut rng)))
                    .collect();
                let plain = build(&dims, &frames, ty, &values, &bases);
                let ws = build_with_free(&dims, &frames, ty, &values, &entries, &bases);
                assert!(is_critical(&ws, &x, &y), "{dims:?} {ty}");
                assert_eq!(ws == plain, free.is_empty(), "{dims:?} {ty}");
                let ranks = |ws: &[Mat<BigRational>]| -> Vec<usize> {
                    (0..l)
                        .flat_map(|a| (a..l).map(move |b| (a, b)))
                        .map(|(a, b)| {
                            let p = ws[a + 1..=b]
                                .iter()
                                .fold(ws[a].clone(), |p, w| mat::matmul(&Exact, w, &p));
                            mat::rank_exact(&p)
                        })
                        .collect()
                };
                rank_changed += usize::from(ranks(&ws) != ranks(&plain));
            }
        }
        assert!(
            rank_changed > 0,
            "free blocks never changed a partial product's rank"
        );
        // the independent oracle at one point with free entries: every partial derivative is 0
        let dims = [3, 4, 2, 4, 3];
        let ty = LaneType {
            lanes: vec![Lane::Carried, Lane::Cut(vec![1, 2]), Lane::Cut(vec![])],
        }
        .fit(&dims, &[true, true, true]);
        let free = free_positions(&dims, &ty);
        assert!(!free.is_empty());
        let values = vec![vec![q(2), q(-1), q(3), q(1)]; 3];
        let bases: Vec<_> = (1..4)
            .map(|i| {
                (
                    mat::identity(&Exact, dims[i]),
                    mat::identity(&Exact, dims[i]),
                )
            })
            .collect();
        let entries: Vec<_> = free.iter().map(|&(k, t, c)| (k, t, c, q(1))).collect();
        let ws = build_with_free(&dims, &frames, &ty, &values, &entries, &bases);
        assert_critical_by_interpolation(&ws, &x, &y, "free blocks");
        // an entry outside the free positions (row 0 of W_2 reaches the output, column 0 is
        // reached from the input through the carried lane 1) breaks criticality
        assert!(!free.iter().any(|&(k, t, c)| (k, t, c) == (1, 0, 1)));
        let mut wrong = entries.clone();
        wrong.push((1, 0, 1, q(1)));
        let ws = build_with_free(&dims, &frames, &ty, &values, &wrong, &bases);
        assert!(!is_critical(&ws, &x, &y));
    }

    #[test]
    fn a_lane_cut_at_one_layer_is_not_critical() {
        // the oracle sees the gradient that the per-lane rule predicts
        let (x, y) = problem(vec![2, 0, 0, 1], 2, 2);
        let dims = [2, 2, 2, 2];
        let sp = spectrum(&x, &y, 128).unwrap();
        let frames = Frames::new(&sp, &x).unwrap();
        let ty = LaneType {
            lanes: vec![Lane::Carried, Lane::Cut(vec![1])],
        };
        let values = vec![vec![q(2), q(-1), q(3)], vec![q(1), q(1), q(2)]];
        let bases: Vec<_> = (1..3)
            .map(|i| {
                (
                    mat::identity(&Exact, dims[i]),
                    mat::identity(&Exact, dims[i]),
                )
            })
            .collect();
        let ws = build(&dims, &frames, &ty, &values, &bases);
        assert!(!is_critical(&ws, &x, &y));
        assert!(!derivative_by_interpolation(&Exact, &ws, &x, &y, 1, 1, 1).is_zero());
        let fitted = LaneType {
            lanes: vec![Lane::Carried, Lane::Cut(vec![1, 2])],
        };
        assert!(is_critical(
            &build(&dims, &frames, &fitted, &values, &bases),
            &x,
            &y
        ));
        assert_eq!(fitted.to_string(), "1 carried; 2 cut at W_2,W_3");
        assert_eq!(ty.fit(&dims, &[true, true]).lanes[1], Lane::Carried);
        assert_eq!(
            type_of_origin("lanes: 1 carried (seed 3, basis change 0)"),
            Some("1 carried")
        );
    }

    #[test]
    fn mpfr_lane_and_borrowed_points_are_critical_by_interpolation() {
        // Σ = YYᵀ has the eigenvalues (7 ± 3√5)/2 and 1/4: MPFR frames
        let half = BigRational::new(1.into(), 2.into());
        let mut y = Mat::from_vec(3, 3, [2, 1, 0, 1, 1, 0, 0, 0, 0].map(q).to_vec());
        *y.at_mut(2, 2) = half;
        let x = mat::identity(&Exact, 3);
        let prec = 256;
        let sp = crate::enumerate::spectrum_mpfr::mpfr_spectrum(&x, &y, prec).unwrap();
        let mp = Mpfr { prec };
        let frames = Frames::mpfr(&sp, &x).unwrap();
        assert_eq!(frames.targets.len(), 3);
        let (xm, ym) = (mat::from_exact(&mp, &x), mat::from_exact(&mp, &y));
        // the interpolation's rounding is ~2^-256 times the loss values (≤ 2^40 here)
        let bound = Float::with_val(prec, 1) >> 100;
        let largest = |ws: &[Mat<Float>]| {
            let mut top = Float::new(prec);
            for (k, w) in ws.iter().enumerate() {
                for i in 0..w.rows() {
                    for j in 0..w.cols() {
                        let d = derivative_by_interpolation(&mp, ws, &xm, &ym, k, i, j);
                        top = top.max(&d.abs());
                    }
                }
            }
            top
        };
        let mut seen = 0;
        for dims in [vec![3, 2, 1, 2, 3], vec![3, 3, 2, 3]] {
            let (lanes, _) = lane_draws(&mp, &dims, &frames, 12, 3, true, |_| true);
            let borrowed =
                super::super::borrowed::borrowed_draws(&mp, &dims, &frames, 6, 3, |_| true);
            assert!(lanes.len() == 12 && !borrowed.is_empty(), "{dims:?}");
            for p in lanes.iter().chain(&borrowed) {
                assert!(largest(&p.weights) <= bound, "{}", p.origin);
                // the product is U_SU_SᵀΦ (Φ = Y here) for the carried lanes S
                let product = p.weights[1..]
                    .iter()
                    .fold(p.weights[0].clone(), |acc, w| mat::matmul(&mp, w, &acc));
                let u = sp.basis(&p.set);
                let target = mat::matmul(&mp, &mat::matmul_nt(&mp, &u, &u), &ym);
                let err = mat::frob2(&mp, &mat::sub(&mp, &product, &target));
                assert!(err.sqrt() <= bound, "{}", p.origin);
                seen += 1;
            }
        }
        assert!(seen >= 30, "{seen}");
        // a shifted entry of a point with a carried lane (every layer maps it) is seen by the
        // same oracle
        let (lanes, _) = lane_draws(&mp, &[3, 3, 2, 3], &frames, 12, 3, false, |_| true);
        let carried = lanes.iter().find(|p| !p.set.is_empty()).unwrap();
        let mut shifted = carried.weights.clone();
        let entry = shifted[0].at_mut(0, 0);
        *entry += 1u32;
        assert!(largest(&shifted) > Float::with_val(prec, 1) >> 10);
    }
}
