//! Critical points of f(W) = ½‖W_L⋯W_1X − Y‖² for each index set S (claims.md, \[AMG\]), built
//! from factorizations of U_S U_Sᵀ Φ with different rank profiles of the partial products: exact
//! ones kept only when the gradient vanishes exactly, MPFR ones (irrational spectra, C = U_S)
//! checked by the MPFR judge against its stated bound.
//!
//! Why they are critical: with P = U_SU_SᵀΦ, (PX − Y)Xᵀ = −(I − U_SU_Sᵀ)ΦΣ_XX, so
//! ∇_{W_k}f = −A_kᵀ(I − U_SU_Sᵀ)ΦΣ_XX (B_k)ᵀ. If W_L = [C 0] with range C ⊆ range U_S, every
//! A_k (k < L) starts with W_L and the factor vanishes; and if W_{L−1:1} = [R; 0] with R's rows in
//! the row space of U_SU_SᵀΦ, then ∇_{W_L}f ∝ (I − U_SU_Sᵀ) Σ U_SU_Sᵀ = 0 since U_S spans
//! eigenvectors of Σ. The layers 1…L−1 may factor [R; 0] in many ways: all of rank s (tight), or
//! full rank where the widths allow (loose), which changes whether the point is "tightened".

use super::classify::set_label;
use super::minimizers::Point;
use super::spectrum::Spectrum;
use super::spectrum_mpfr::MpfrSpectrum;
use crate::linalg::mat::{self, null_space, Mat};
use crate::linalg::rank;
use crate::linalg::{Exact, Field, Mpfr};
use crate::model::linear;
use num_rational::BigRational;
use num_traits::Zero;
use rug::Float;

/// A constructed critical point with its index set and how it was built.
#[derive(Clone, Debug)]
pub struct CriticalPoint {
    /// The point (exact).
    pub point: Point,
    /// S ⊆ {0, …, d_L − 1} (0-based, in λ order).
    pub set: Vec<usize>,
}

impl CriticalPoint {
    /// The exact point `weights` of the data (`x`, `y`), critical for the index set `set`, built as
    /// `origin` says.
    pub fn exact(
        weights: Vec<Mat<BigRational>>,
        x: &Mat<BigRational>,
        y: &Mat<BigRational>,
        origin: String,
        set: Vec<usize>,
    ) -> CriticalPoint {
        CriticalPoint {
            point: Point {
                weights,
                x: x.clone(),
                y: y.clone(),
                exact: true,
                origin,
            },
            set,
        }
    }
}

/// A constructed point in the arithmetic of `T`: its layers, its index set S (0-based, λ order;
/// in MPFR without the indices of zero eigenvalues) and how it was built.
#[derive(Clone, Debug)]
pub struct Constructed<T> {
    /// W_1 … W_L.
    pub weights: Vec<Mat<T>>,
    /// S.
    pub set: Vec<usize>,
    /// How the point was built, for reports.
    pub origin: String,
}

/// A constructed point in MPFR, at the spectrum's precision; critical only up to the bound τ
/// that the MPFR judge checks ([`super::judge::tolerance`]).
pub type MpfrCriticalPoint = Constructed<Float>;

/// Is ∇f = 0 exactly at `ws`?
pub fn is_critical(ws: &[Mat<BigRational>], x: &Mat<BigRational>, y: &Mat<BigRational>) -> bool {
    let ev = linear::evaluate(&Exact, ws, x, y);
    linear::gradient(&Exact, &ev)
        .iter()
        .all(|g| mat::is_zero_mat(&Exact, g))
}

/// Every index set S ⊆ {0, …, d − 1} with |S| ≤ r, in lexicographic order by size then elements.
pub fn index_sets(d: usize, r: usize) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for size in 1..=r.min(d) {
        let mut cur: Vec<usize> = (0..size).collect();
        loop {
            out.push(cur.clone());
            let Some(i) = (0..size).rev().find(|&i| cur[i] < d - size + i) else {
                break;
            };
            cur[i] += 1;
            for j in i + 1..size {
                cur[j] = cur[j - 1] + 1;
            }
        }
    }
    out
}

/// The identity-like d_out × d_in matrix with ones at (i, i) for i < k (rank min(k, d_out, d_in)).
fn diag_ones<F: Field>(f: &F, d_out: usize, d_in: usize, k: usize) -> Mat<F::T> {
    Mat::from_fn(d_out, d_in, |i, j| {
        if i == j && i < k {
            f.one()
        } else {
            f.zero()
        }
    })
}

/// The layers W_1 … W_L for the factorization [R; 0] = W_{L−1:1} and W_L = [C 0] (C of full column
/// rank s, R of full row rank s), where the middle layer W_{k+1} (1 ≤ k ≤ L − 2) is the
/// identity-like matrix of rank `hidden_ranks[k − 1]` (at least s).
pub(crate) fn layered<F: Field>(
    f: &F,
    dims: &[usize],
    c: &Mat<F::T>,
    r: &Mat<F::T>,
    hidden_ranks: &[usize],
) -> Vec<Mat<F::T>> {
    let l = dims.len() - 1;
    let s = r.rows();
    if l == 1 {
        return vec![mat::matmul(f, c, r)];
    }
    let mut ws = Vec::with_capacity(l);
    ws.push(Mat::from_fn(dims[1], dims[0], |i, j| {
        if i < s {
            r.at(i, j).clone()
        } else {
            f.zero()
        }
    }));
    for k in 1..l - 1 {
        ws.push(diag_ones(
            f,
            dims[k + 1],
            dims[k],
            hidden_ranks[k - 1].max(s),
        ));
    }
    ws.push(Mat::from_fn(dims[l], dims[l - 1], |i, j| {
        if j < s {
            c.at(i, j).clone()
        } else {
            f.zero()
        }
    }));
    ws
}

/// The rank profiles the constructions use, with their descriptions (`label` names S): tight
/// (every hidden layer of rank s), loose (hidden layers of full rank), and rank s at exactly one
/// hidden layer h with full rank elsewhere (differs from both when L ≥ 4). Entry k − 1 of a
/// profile is the rank of the middle layer W_{k+1}, 1 ≤ k ≤ L − 2.
pub(crate) fn profiles(dims: &[usize], s: usize, label: &str) -> Vec<(Vec<usize>, String)> {
    let l = dims.len() - 1;
    let full: Vec<usize> = (1..l.saturating_sub(1))
        .map(|k| dims[k].min(dims[k + 1]))
        .collect();
    let mut out = vec![
        (
            vec![s; l.saturating_sub(2)],
            format!("{label}, tight (every hidden layer of rank {s})"),
        ),
        (
            full.clone(),
            format!("{label}, loose (hidden layers of full rank)"),
        ),
    ];
    for h in 1..l.saturating_sub(1) {
        let mut ranks = full.clone();
        ranks[h - 1] = s;
        out.push((
            ranks,
            format!("{label}, rank {s} at hidden layer W_{} only", h + 1),
        ));
    }
    out
}

/// The zero point (every W_k = 0), critical for S = ∅ when L ≥ 2.
pub(crate) fn zero_point<F: Field>(f: &F, dims: &[usize]) -> Vec<Mat<F::T>> {
    dims.windows(2).map(|w| mat::zeros(f, w[1], w[0])).collect()
}

/// S as "S = {1,2,…}" (1-based, as in claims.md).
pub(crate) fn set_description(set: &[usize]) -> String {
    format!("S = {}", set_label(set))
}

/// The layers of every rank profile of [`profiles`] for C R (`c` of full column rank s, `r` of
/// full row rank s), then the zero point when `with_zero` and L ≥ 2, each once, with how it was
/// built (`set` names S): the constructions of the module doc in the arithmetic of `f`.
fn constructions<F: Field>(
    f: &F,
    dims: &[usize],
    c: &Mat<F::T>,
    r: &Mat<F::T>,
    set: &[usize],
    with_zero: bool,
) -> Vec<(Vec<Mat<F::T>>, String)>
where
    F::T: PartialEq,
{
    let profiled = profiles(dims, r.rows(), &set_description(set))
        .into_iter()
        .map(|(ranks, origin)| (layered(f, dims, c, r, &ranks), origin));
    let zero =
        (with_zero && dims.len() >= 3).then(|| (zero_point(f, dims), "the zero point".into()));
    let mut out: Vec<(Vec<Mat<F::T>>, String)> = Vec::new();
    for (ws, origin) in profiled.chain(zero) {
        if !out.iter().any(|(w, _)| *w == ws) {
            out.push((ws, origin));
        }
    }
    out
}

/// Critical points for index set S: one per rank profile of an exact rank factorization C R of
/// U_SU_SᵀΦ, and the zero point when S = ∅ (module doc). Only exactly critical points are
/// returned, each once.
pub fn critical_points(
    dims: &[usize],
    sp: &Spectrum,
    set: &[usize],
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
) -> Vec<CriticalPoint> {
    let (c, r) = rank::factorization(&sp.product_for(set));
    constructions(&Exact, dims, &c, &r, set, set.is_empty())
        .into_iter()
        .filter(|(ws, _)| is_critical(ws, x, y))
        .map(|(ws, origin)| CriticalPoint::exact(ws, x, y, origin, set.to_vec()))
        .collect()
}

/// The constructed critical points of index set S (0-based, λ order) when Σ's spectrum is not
/// rational (claims.md: "exact when Σ … has rational spectrum, MPFR otherwise"): the
/// constructions with C = U_S and R = U_SᵀΦ in MPFR, U_S the certified orthonormal
/// eigenvectors of [`MpfrSpectrum`], S without the indices of zero eigenvalues (they leave
/// U_SU_SᵀΦ unchanged). Then C R = U_SU_SᵀΦ, and the point is critical up to the eigenvector
/// residuals: ∇_{W_L}f ∝ (I − U_SU_Sᵀ)ΣU_S = (I − U_SU_Sᵀ)(Σu_j − θ_ju_j)_j (module doc), so
/// ‖∇f‖ is of the order of the residuals times the sizes of the other factors; the MPFR judge
/// checks every point against its stated bound τ, never assumes it critical.
pub fn critical_points_mpfr(
    dims: &[usize],
    sp: &MpfrSpectrum,
    set: &[usize],
) -> Vec<MpfrCriticalPoint> {
    let mp = Mpfr { prec: sp.prec };
    let canonical: Vec<usize> = set.iter().copied().filter(|&j| !sp.is_zero(j)).collect();
    let c = sp.basis(&canonical);
    let r = mat::matmul_tn(&mp, &c, &mat::from_exact(&mp, &sp.phi));
    constructions(&mp, dims, &c, &r, set, canonical.is_empty())
        .into_iter()
        .map(|(weights, origin)| Constructed {
            weights,
            set: canonical.clone(),
            origin,
        })
        .collect()
}

/// A direction along which f decreases at order L from a critical point with index set S, when
/// the point leaves room for it. For every hidden width k take a_k ∈ ker W_{k+1} and
/// b_k ∈ ker W_kᵀ with b_kᵀa_k > 0, and set V_1 = a_1 ρᵀ, V_k = a_k b_{k−1}ᵀ, V_L = γ b_{L−1}ᵀ with
/// γρᵀ = u uᵀΦ/uᵀu for the first eigenvector u ∉ S with λ_u > 0. Then W_{k+1}V_k = 0 and
/// V_{k+1}W_k = 0, so every mixed product of V's and W's vanishes and
/// P(W + tV) = P + t^L c γρᵀ with c = Π_k b_kᵀa_k > 0; hence
/// f(W + tV) − f(W) = −t^L c λ_u + O(t^{2L}) < 0 (since (I − U_SU_Sᵀ)Σ u = λ_u u).
pub fn extension_direction(
    sp: &Spectrum,
    set: &[usize],
    ws: &[Mat<BigRational>],
) -> Option<Vec<Mat<BigRational>>> {
    let l = ws.len();
    if l < 2 {
        return None;
    }
    let j = (0..sp.eigenvalues.len())
        .find(|j| !set.contains(j) && sp.eigenvalues[*j] > BigRational::zero())?;
    let (gamma, rho) = rank::factorization(&sp.product_for(&[j]));
    if rho.rows() != 1 {
        return None;
    }
    // (a_k, b_k) for hidden width k = 1 … L−1, between ws[k−1] (which produces it) and ws[k]
    let mut pairs: Vec<(Vec<BigRational>, Vec<BigRational>)> = Vec::with_capacity(l - 1);
    for k in 1..l {
        let a_basis = null_space(&ws[k]);
        let b_basis = null_space(&ws[k - 1].transpose());
        let (a, b, ip) = a_basis
            .iter()
            .flat_map(|a| b_basis.iter().map(move |b| (a, b)))
            .map(|(a, b)| {
                (
                    a,
                    b,
                    a.iter().zip(b).map(|(x, y)| x * y).sum::<BigRational>(),
                )
            })
            .find(|(_, _, ip)| !ip.is_zero())?;
        let b = if ip < BigRational::zero() {
            b.iter().map(|x| -x).collect()
        } else {
            b.clone()
        };
        pairs.push((a.clone(), b));
    }
    let outer =
        |a: &[BigRational], b: &[BigRational]| Mat::from_fn(a.len(), b.len(), |i, c| &a[i] * &b[c]);
    let mut v = Vec::with_capacity(l);
    v.push(outer(&pairs[0].0, rho.as_slice()));
    for k in 1..l - 1 {
        v.push(outer(&pairs[k].0, &pairs[k - 1].1));
    }
    let g: Vec<BigRational> = (0..gamma.rows()).map(|i| gamma.at(i, 0).clone()).collect();
    v.push(outer(&g, &pairs[l - 2].1));
    Some(v)
}

/// Candidate descent directions at a critical point: [`extension_direction`] on the layers
/// themselves, then the same on the three-layer network of blocks M_1 = W_{h1:1},
/// M_2 = W_{h2:h1+1}, M_3 = W_{L:h2+1} (for every 1 ≤ h1 < h2 ≤ L−1), each block's perturbation D
/// realized on a single layer of the block, so that the block becomes M + tD exactly and
/// f(W + tV) equals the three-layer loss along M + tD.
pub fn descent_directions(
    sp: &Spectrum,
    set: &[usize],
    ws: &[Mat<BigRational>],
) -> Vec<Vec<Mat<BigRational>>> {
    let l = ws.len();
    let mut out: Vec<_> = extension_direction(sp, set, ws).into_iter().collect();
    for h1 in 1..l {
        for h2 in h1 + 1..l {
            let blocks = [(0, h1), (h1, h2), (h2, l)];
            let virtual_ws: Vec<_> = blocks.iter().map(|&(a, b)| span(ws, a, b)).collect();
            let Some(d) = extension_direction(sp, set, &virtual_ws) else {
                continue;
            };
            let mut v: Vec<Mat<BigRational>> = ws
                .iter()
                .map(|w| mat::zeros(&Exact, w.rows(), w.cols()))
                .collect();
            let mut realized = true;
            for (&(a, b), dj) in blocks.iter().zip(&d) {
                match realize(ws, a, b, dj) {
                    Some((k, delta)) => v[k] = delta,
                    None => realized = false,
                }
            }
            if realized {
                out.push(v);
            }
        }
    }
    out
}

/// ws[to−1]⋯ws[from] (the identity of the right size when from = to).
fn span(ws: &[Mat<BigRational>], from: usize, to: usize) -> Mat<BigRational> {
    let dim = if from < ws.len() {
        ws[from].cols()
    } else {
        ws[ws.len() - 1].rows()
    };
    ws[from..to]
        .iter()
        .fold(mat::identity(&Exact, dim), |p, w| {
            mat::matmul(&Exact, w, &p)
        })
}

/// A single-layer perturbation δ of block [a, b) with block(W + tδ) = block(W) + tD: on the top
/// layer when δ·(layers below it) = D is solvable, else on the bottom layer when
/// (layers above it)·δ = D is. Candidates come from the exact one-sided inverses
/// Lᵀ(LLᵀ)⁻¹ and (LᵀL)⁻¹Lᵀ (whichever exist) and are kept only if they solve the equation.
fn realize(
    ws: &[Mat<BigRational>],
    a: usize,
    b: usize,
    d: &Mat<BigRational>,
) -> Option<(usize, Mat<BigRational>)> {
    let lower = span(ws, a, b - 1);
    if let Some(delta) = one_sided_inverses(&lower)
        .into_iter()
        .map(|inv| mat::matmul(&Exact, d, &inv))
        .find(|x| mat::matmul(&Exact, x, &lower) == *d)
    {
        return Some((b - 1, delta));
    }
    let upper = span(ws, a + 1, b);
    one_sided_inverses(&upper)
        .into_iter()
        .map(|inv| mat::matmul(&Exact, &inv, d))
        .find(|x| mat::matmul(&Exact, &upper, x) == *d)
        .map(|delta| (a, delta))
}

/// The right inverse Lᵀ(LLᵀ)⁻¹ and the left inverse (LᵀL)⁻¹Lᵀ of L, those that exist.
fn one_sided_inverses(l: &Mat<BigRational>) -> Vec<Mat<BigRational>> {
    let mut out = Vec::new();
    let rr = mat::matmul_nt(&Exact, l, l);
    if let Some(inv) = mat::solve_exact(&rr, &mat::identity(&Exact, rr.rows())) {
        out.push(mat::matmul(&Exact, &l.transpose(), &inv));
    }
    let ll = mat::matmul_tn(&Exact, l, l);
    if let Some(inv) = mat::solve_exact(&ll, &mat::identity(&Exact, ll.rows())) {
        out.push(mat::matmul_nt(&Exact, &inv, l));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::enumerate::spectrum::spectrum;
    use crate::model::linear;

    /// n as a rational.
    pub(crate) fn q(n: i64) -> BigRational {
        BigRational::from_integer(n.into())
    }

    #[test]
    fn index_sets_up_to_r() {
        assert_eq!(
            index_sets(3, 2),
            vec![
                vec![],
                vec![0],
                vec![1],
                vec![2],
                vec![0, 1],
                vec![0, 2],
                vec![1, 2]
            ]
        );
        assert_eq!(index_sets(2, 5).len(), 4);
    }

    #[test]
    fn constructed_points_are_critical_with_the_right_value() {
        let y = Mat::from_vec(2, 2, vec![q(3), q(0), q(0), q(1)]);
        let x = mat::identity(&Exact, 2);
        let dims = [2, 2, 2, 2];
        let sp = spectrum(&x, &y, 128).unwrap();
        for set in index_sets(2, 2) {
            let pts = critical_points(&dims, &sp, &set, &x, &y);
            assert!(!pts.is_empty(), "{set:?}");
            for p in &pts {
                let ev = linear::evaluate(&Exact, &p.point.weights, &x, &y);
                assert_eq!(linear::loss(&Exact, &ev), sp.critical_value(&set));
            }
        }
        let zero = critical_points(&dims, &sp, &[], &x, &y);
        assert!(zero
            .iter()
            .any(|p| p.point.weights.iter().all(|w| mat::is_zero_mat(&Exact, w))));
        // the extension direction decreases f at order L = 3
        let tight = &critical_points(&dims, &sp, &[0], &x, &y)[0];
        let v = extension_direction(&sp, &tight.set, &tight.point.weights).unwrap();
        let t = BigRational::new(1.into(), 10.into());
        let moved: Vec<_> = tight
            .point
            .weights
            .iter()
            .zip(&v)
            .map(|(w, d)| mat::add(&Exact, w, &mat::scale(&Exact, &t, d)))
            .collect();
        let f0 = linear::loss(
            &Exact,
            &linear::evaluate(&Exact, &tight.point.weights, &x, &y),
        );
        let f1 = linear::loss(&Exact, &linear::evaluate(&Exact, &moved, &x, &y));
        assert!(f1 < f0);
    }

    #[test]
    fn constructed_points_are_critical_to_the_bound_with_the_right_value() {
        // Σ = [[2,1],[1,1]] (eigenvalues (3 ± √5)/2), depth 3, widths 2
        let y = Mat::from_vec(2, 2, vec![q(1), q(1), q(0), q(1)]);
        let x = mat::identity(&Exact, 2);
        let prec = 256;
        let sp = crate::enumerate::spectrum_mpfr::mpfr_spectrum(&x, &y, prec).unwrap();
        let tau = crate::enumerate::judge::tolerance(prec, &sp.phi, &x, &y, 3);
        assert!(tau < Float::with_val(prec, 1) >> 100, "{tau}");
        let mp = Mpfr { prec };
        let (xm, ym) = (mat::from_exact(&mp, &x), mat::from_exact(&mp, &y));
        let mut seen = 0;
        for set in [vec![], vec![0], vec![1], vec![0, 1]] {
            let (value, radius) = sp.critical_value(&set);
            for p in critical_points_mpfr(&[2, 2, 2, 2], &sp, &set) {
                let ev = linear::evaluate(&mp, &p.weights, &xm, &ym);
                let g2 = linear::gradient(&mp, &ev)
                    .iter()
                    .fold(Float::new(prec), |acc, g| acc + mat::frob2(&mp, g));
                assert!(g2.sqrt() <= tau, "{}: gradient too large", p.origin);
                let err = Float::with_val(prec, linear::loss(&mp, &ev) - &value).abs();
                assert!(err <= Float::with_val(prec, &radius + &tau), "{}", p.origin);
                seen += 1;
            }
        }
        // tight + loose for each S; they coincide when s = 2, and for S = ∅ the tight point is
        // the zero point
        assert_eq!(seen, 2 + 2 + 2 + 1);
        // a point that is not critical fails the same test: S = {2} with the top eigenvector
        let wrong = critical_points_mpfr(&[2, 2, 2, 2], &sp, &[0]);
        let mut shifted = wrong[0].weights.clone();
        *shifted[0].at_mut(0, 0) += 1u32;
        let ev = linear::evaluate(&mp, &shifted, &xm, &ym);
        let g2 = linear::gradient(&mp, &ev)
            .iter()
            .fold(Float::new(prec), |acc, g| acc + mat::frob2(&mp, g));
        assert!(g2.sqrt() > tau);
    }
}
