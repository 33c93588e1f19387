//! Lane critical points with *borrowed* hidden slots (claims.md, \[AMG\]; issue 15): directions
//! that share one hidden unit at different depths, which the lane points of [`super::lanes`]
//! cannot build because there lane j always sits in slot j and exists only where
//! j < min(d_k, d_{k+1}).
//!
//! In the frames of [`super::lanes`] (Φ = M_out Ỹ M_in), a lane j is the input direction m_j
//! (j < d_0) and the output direction u_j (j < d_L), and its scalars w_k^j (layer k = 0, …, L − 1)
//! carry it through one hidden slot per node. Here every hidden position exists ("padded" lanes):
//! w_0^j exists iff j < d_0, w_{L−1}^j iff j < d_L, the others always. Lane j *occupies* hidden
//! node n (1 ≤ n ≤ L − 1) when w_{n−1}^j ≠ 0 or w_n^j ≠ 0, and the occupying lanes of node n take
//! its slots 0, 1, … in order, so a type is realizable when no node has more occupying lanes than
//! its width d_n. Then D_{k+1} has the entry w_k^j at (slot of j at node k + 1, slot of j at
//! node k), and W is built from the D's as in [`super::lanes::build`].
//!
//! Why the point is critical: every slot of every node carries one lane, so its output vector a
//! (what it contributes to the product's columns) is a multiple of u_{j} and its input covector b
//! a multiple of m_{j}ᵀ, j its lane. The gradient in D_{k+1} at (t, s) is a_tᵀ R b_s with
//! R = G_out(P̃ − Ỹ)G_in = diag(c_j e_j) (c_j > 0, e_j = Π_k w_k^j − ỹ_j; module doc of
//! [`super::lanes`]), which vanishes unless t and s carry the same lane j with e_j ≠ 0, j reaching
//! the output from node k + 1 and reached from the input at node k — exactly the per-lane rule of
//! [`super::lanes`] (a lane with both ends and ỹ_j ≠ 0 is carried or has ≥ 2 zeros; one with
//! ỹ_j = 0 has a zero; a lane with one end only may have any zeros). The slots never mix lanes,
//! so lanes may borrow one another's slots at different depths: with dims [2, 1, 1, 1, 2], lane 1
//! may enter through W_1 and stop, while lane 2 starts at node 3 and leaves through W_4, both in
//! the single hidden unit. Every point is also checked exactly (∇f = 0) and dropped if not.

use super::critical::{is_critical, Constructed, CriticalPoint};
use super::lanes::{
    assemble, random_lane_over, random_scalars_and_bases, Basis, Frames, Lane, LaneType,
};
use super::spectrum::Spectrum;
use crate::linalg::mat::Mat;
use crate::linalg::{Exact, Field};
use num_rational::BigRational;
use num_traits::{One, Zero};
use rand::SeedableRng;

/// The lanes of the padded model: one per input or output direction, max(d_0, d_L).
pub fn lane_count(dims: &[usize]) -> usize {
    dims[0].max(dims[dims.len() - 1])
}

/// Does padded lane j have a scalar in layer k (0-based)? The first layer needs an input
/// direction (j < d_0), the last an output direction (j < d_L); hidden positions always exist.
pub(crate) fn exists(dims: &[usize], j: usize, k: usize) -> bool {
    let l = dims.len() - 1;
    (k > 0 || j < dims[0]) && (k + 1 < l || j < dims[l])
}

/// Is lane j's scalar in layer k nonzero under `lane` (a position that exists and is not a zero)?
fn live(dims: &[usize], j: usize, k: usize, lane: &Lane) -> bool {
    exists(dims, j, k)
        && match lane {
            Lane::Carried => true,
            Lane::Cut(z) => !z.contains(&k),
        }
}

/// The slot of each lane at each node (`None` where it does not occupy the node): the input
/// node's slot of lane j is j, the output node's is j, and at a hidden node the occupying lanes
/// take the slots 0, 1, … in order. `None` overall when a hidden node has more occupying lanes
/// than its width.
fn slots(dims: &[usize], ty: &LaneType) -> Option<Vec<Vec<Option<usize>>>> {
    let l = dims.len() - 1;
    let mut out = Vec::with_capacity(l + 1);
    for n in 0..=l {
        let mut next = 0;
        let mut row = Vec::with_capacity(ty.lanes.len());
        for (j, lane) in ty.lanes.iter().enumerate() {
            let slot = if n == 0 {
                (j < dims[0]).then_some(j)
            } else if n == l {
                (j < dims[l]).then_some(j)
            } else if live(dims, j, n - 1, lane) || live(dims, j, n, lane) {
                next += 1;
                Some(next - 1)
            } else {
                None
            };
            row.push(slot);
        }
        if next > dims[n] {
            return None;
        }
        out.push(row);
    }
    Some(out)
}

/// The layers of the borrowed-slot point of type `ty` (padded lanes that fit the widths, module doc):
/// the scalars `values[j][k]` at the live positions, a carried lane's last one re-solved so that
/// Π_k w_k^j = ỹ_j; W_1 = Q_1D_1M_in, W_k = Q_kD_kQ_{k−1}⁻¹, W_L = M_outD_LQ_{L−1}⁻¹ with
/// `bases[k] = (Q_{k+1}, Q_{k+1}⁻¹)`. `None` when the type does not fit the widths.
pub fn build(
    dims: &[usize],
    frames: &Frames,
    ty: &LaneType,
    values: &[Vec<BigRational>],
    bases: &[Basis],
) -> Option<Vec<Mat<BigRational>>> {
    let ds = slot_layers(dims, &frames.targets, ty, values)?;
    Some(assemble(&Exact, frames, ds, bases))
}

/// The exact D_1, …, D_L of [`build`]: D_{k+1} has lane j's scalar at (slot of j at node k + 1,
/// slot of j at node k) where the lane is live; `None` when the type does not fit the widths.
fn slot_layers(
    dims: &[usize],
    targets: &[BigRational],
    ty: &LaneType,
    values: &[Vec<BigRational>],
) -> Option<Vec<Mat<BigRational>>> {
    let l = dims.len() - 1;
    let slot = slots(dims, ty)?;
    let scalar = |j: usize, k: usize| -> BigRational {
        match &ty.lanes[j] {
            Lane::Carried if k + 1 == l => {
                let below = (0..l - 1).fold(BigRational::one(), |p, i| p * &values[j][i]);
                &targets[j] / below
            }
            _ => values[j][k].clone(),
        }
    };
    let ds = (0..l)
        .map(|k| {
            let mut d = Mat::from_fn(dims[k + 1], dims[k], |_, _| BigRational::zero());
            for (j, lane) in ty.lanes.iter().enumerate() {
                if let (true, Some(t), Some(s)) =
                    (live(dims, j, k, lane), slot[k + 1][j], slot[k][j])
                {
                    *d.at_mut(t, s) = scalar(j, k);
                }
            }
            d
        })
        .collect();
    Some(ds)
}

/// Does some hidden node of the type hold a lane in a slot other than its own index, or a lane
/// that [`super::lanes`] gives no position there (j ≥ min(d_k, d_{k+1}))? Those are the points
/// only this construction builds. False when the type does not fit the widths.
pub(crate) fn borrows(dims: &[usize], ty: &LaneType) -> bool {
    let Some(slot) = slots(dims, ty) else {
        return false;
    };
    let l = dims.len() - 1;
    (1..l).any(|n| (0..ty.lanes.len()).any(|j| slot[n][j].is_some_and(|s| s != j)))
        || (0..l).any(|k| {
            ty.lanes
                .iter()
                .enumerate()
                .any(|(j, lane)| live(dims, j, k, lane) && j >= dims[k].min(dims[k + 1]))
        })
}

/// Is there a type that borrows? Exactly when L ≥ 2 and there are ≥ 2 padded lanes: then lane 1
/// alone, at one position in W_1 or W_2 (j = 1 < d_0, or a hidden node, or 1 < d_L when
/// L = 2), with lane 0 cut at W_1 and W_2 and every other lane cut everywhere, takes slot 0 of
/// node 1 (and a lane with both ends has ≥ 2 zeros, so the type is valid); with one lane or
/// no hidden node every lane keeps its own slot.
pub(crate) fn can_borrow(dims: &[usize]) -> bool {
    dims.len() >= 3 && lane_count(dims) >= 2
}

/// The nearest valid padded type for these dims and targets: [`lane_count`] lanes, each fitted by
/// the rule of [`LaneType::fit`] over the padded positions (a lane is complete when it has an
/// input and an output direction, j < min(d_0, d_L)). Whether it fits the widths is
/// [`borrows`]' question.
pub(crate) fn fit(dims: &[usize], ty: &LaneType, targets_nonzero: &[bool]) -> LaneType {
    let exists = |j, k| exists(dims, j, k);
    ty.fit_over(dims.len() - 1, lane_count(dims), exists, targets_nonzero)
}

/// A random valid padded type: per lane the rule of [`super::lanes::random_lane`] over the
/// padded positions (it may not fit the widths).
pub(crate) fn random_type(
    rng: &mut impl rand::Rng,
    dims: &[usize],
    targets_nonzero: &[bool],
) -> LaneType {
    let l = dims.len() - 1;
    LaneType {
        lanes: (0..lane_count(dims))
            .map(|j| random_lane_over(rng, l, |k| exists(dims, j, k), targets_nonzero[j]))
            .collect(),
    }
}

/// The text before " (seed" of a borrowed-slot point's origin "borrowed slots: TYPE (seed s,
/// draw k)": its type, or None for points of other constructions.
pub fn type_of_origin(origin: &str) -> Option<&str> {
    super::lanes::type_after(origin, "borrowed slots: ")
}

/// `count` seeded critical points with borrowed slots: random padded types (per lane the rule of
/// [`super::lanes::random_lane`] over the padded positions) kept when they fit the widths and
/// borrow (some hidden unit holds a lane outside its own slot, or a lane the slot model has no
/// position for), random nonzero scalars and random invertible changes of basis, kept only when
/// exactly critical. The draws are bounded
/// (50 attempts per point), so fewer points come back when the widths leave little to borrow.
pub fn borrowed_points(
    dims: &[usize],
    sp: &Spectrum,
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
    count: usize,
    seed: u64,
) -> Vec<CriticalPoint> {
    let Some(frames) = Frames::new(sp, x) else {
        return Vec::new();
    };
    borrowed_draws(&Exact, dims, &frames, count, seed, |ws| {
        is_critical(ws, x, y)
    })
    .into_iter()
    .map(|p| CriticalPoint::exact(p.weights, x, y, p.origin, p.set))
    .collect()
}

/// The draws of [`borrowed_points`] in the arithmetic of `f` over `frames`, each kept when `keep`
/// accepts its layers (exactly critical, or critical to a stated bound in MPFR); the types,
/// scalars and changes of basis are exact and the same in every arithmetic.
pub(crate) fn borrowed_draws<F: Field>(
    f: &F,
    dims: &[usize],
    frames: &Frames<F::T>,
    count: usize,
    seed: u64,
    keep: impl Fn(&[Mat<F::T>]) -> bool,
) -> Vec<Constructed<F::T>> {
    let n = lane_count(dims);
    let nz = frames.targets_nonzero(n);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x626f_7272);
    let mut out = Vec::new();
    for attempt in 0..count.saturating_mul(50) {
        if out.len() == count {
            break;
        }
        let ty = random_type(&mut rng, dims, &nz);
        if !borrows(dims, &ty) {
            continue;
        }
        let (values, bases) = random_scalars_and_bases(&mut rng, dims, n);
        let Some(ds) = slot_layers(dims, &frames.targets, &ty, &values) else {
            continue;
        };
        let ws = assemble(f, frames, ds, &bases);
        if !keep(&ws) {
            continue;
        }
        out.push(Constructed {
            weights: ws,
            set: ty.set(),
            origin: format!("borrowed slots: {ty} (seed {seed}, draw {attempt})"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::critical::tests::q;
    use crate::enumerate::lanes::tests::{assert_critical_by_interpolation, problem};
    use crate::enumerate::spectrum::spectrum;
    use crate::linalg::mat;
    use crate::model::linear;

    #[test]
    fn two_directions_share_one_hidden_unit_at_different_depths() {
        // dims [2, 1, 1, 1, 2]: lane 1 enters through W_1 and stops; lane 2 starts at node 3 and
        // leaves through W_4 — the single hidden unit carries both
        let (x, y) = problem(vec![2, 0, 0, 1], 2, 2);
        let dims = [2, 1, 1, 1, 2];
        let sp = spectrum(&x, &y, 128).unwrap();
        let frames = Frames::new(&sp, &x).unwrap();
        let ty = LaneType {
            lanes: vec![Lane::Cut(vec![1, 2, 3]), Lane::Cut(vec![0, 1, 2])],
        };
        assert!(borrows(&dims, &ty));
        let values = vec![vec![q(3); 4], vec![q(-2); 4]];
        let bases: Vec<_> = (1..4)
            .map(|i| {
                (
                    mat::identity(&Exact, dims[i]),
                    mat::identity(&Exact, dims[i]),
                )
            })
            .collect();
        let ws = build(&dims, &frames, &ty, &values, &bases).unwrap();
        assert!(is_critical(&ws, &x, &y));
        // W_1 takes the first input direction, W_4 gives the second output direction, the
        // middle layers are zero: the product is 0 (S = ∅) and f is the loss at 0
        assert!(!mat::is_zero_mat(&Exact, &ws[0]));
        assert!(!mat::is_zero_mat(&Exact, &ws[3]));
        let ev = linear::evaluate(&Exact, &ws, &x, &y);
        assert_eq!(sp.index_set_of(ev.partials.product()), Some(vec![]));
        // the slot model has no position for lane 2 anywhere here (min widths 1)
        assert_eq!(super::super::lanes::lane_count(&dims), 1);
        // lane 1 through W_3 as well (cut at W_2, W_4 only) meets lane 2 at node 3: no fit
        let crowded = LaneType {
            lanes: vec![Lane::Cut(vec![1, 3]), Lane::Cut(vec![0, 1, 2])],
        };
        assert!(build(&dims, &frames, &crowded, &values, &bases).is_none());
    }

    #[test]
    fn fit_keeps_valid_padded_types_and_repairs_others() {
        let dims = [2, 3, 1, 3];
        let nz = [true, true, false];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for _ in 0..50 {
            let ty = random_type(&mut rng, &dims, &nz);
            assert_eq!(fit(&dims, &ty, &nz), ty, "{ty}");
        }
        // lane 1 (complete, ỹ ≠ 0) cut once becomes carried; lane 2 (complete, ỹ ≠ 0) carried
        // stays; lane 3 (no input: j ≥ d_0) loses its zero at W_1, which it has no position in
        let ty = LaneType {
            lanes: vec![Lane::Cut(vec![1]), Lane::Carried, Lane::Cut(vec![0, 2])],
        };
        let want = LaneType {
            lanes: vec![Lane::Carried, Lane::Carried, Lane::Cut(vec![2])],
        };
        assert_eq!(fit(&dims, &ty, &nz), want);
        // a carried lane whose target is 0 is cut at W_1; missing lanes are added, blocked
        let zero_target = fit(
            &dims,
            &LaneType {
                lanes: vec![Lane::Carried],
            },
            &[false; 3],
        );
        assert_eq!(zero_target.lanes[0], Lane::Cut(vec![0]));
        assert_eq!(zero_target.lanes[2], Lane::Cut(vec![]));
        assert_eq!(
            type_of_origin("borrowed slots: 1 carried; 2 blocked (seed 5, draw 3)"),
            Some("1 carried; 2 blocked")
        );
        assert_eq!(
            type_of_origin("lanes: 1 carried (seed 5, basis change 0)"),
            None
        );
    }

    #[test]
    fn some_type_borrows_exactly_when_there_are_two_lanes_and_a_hidden_node() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        for dims in [
            vec![1, 4, 4, 1],
            vec![2, 2],
            vec![1, 3, 1],
            vec![2, 1, 1],
            vec![3, 2, 1, 1, 1],
            vec![1, 1, 2],
        ] {
            let nz = [true, false, false];
            let found = (0..2000).any(|_| borrows(&dims, &random_type(&mut rng, &dims, &nz)));
            assert_eq!(found, can_borrow(&dims), "{dims:?}");
        }
    }

    #[test]
    fn seeded_borrowed_points_are_critical_by_an_independent_oracle() {
        // Σ eigenvalues 9, 4, 1; narrow hidden layers force borrowing
        let (x, y) = problem(vec![3, 0, 0, 0, 2, 0, 0, 0, 1], 3, 3);
        let sp = spectrum(&x, &y, 128).unwrap();
        let mut seen = 0;
        for dims in [vec![3, 2, 1, 2, 3], vec![3, 1, 2, 1, 3], vec![3, 2, 2, 3]] {
            let pts = borrowed_points(&dims, &sp, &x, &y, 12, 5);
            assert!(!pts.is_empty(), "{dims:?}");
            for p in &pts {
                let ws = &p.point.weights;
                assert_critical_by_interpolation(ws, &x, &y, &p.point.origin);
                let ev = linear::evaluate(&Exact, ws, &x, &y);
                assert_eq!(
                    sp.index_set_of(ev.partials.product()),
                    Some(p.set.clone()),
                    "{}",
                    p.point.origin
                );
                seen += 1;
            }
        }
        assert!(seen >= 20, "{seen}");
    }
}
