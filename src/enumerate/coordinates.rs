//! The inverse of the parameterization of the minimizers: coordinates of any W with
//! W_L⋯W_1 = M, for any widths d_i ≥ k = rk M (claims.md, AMG-minimizers: "changes of basis
//! between layers plus the free blocks acting on kernels").
//!
//! Write M = C R (exact rank factorization, C of full column rank k, R of full row rank k) and
//! R⁺ = Rᵀ(RRᵀ)⁻¹. The *paths* of W are g_i = W_i⋯W_1 R⁺ (d_i × k), so g_0 = R⁺ and
//! g_L = M R⁺ = C. Each g_i has rank k (A_i g_i = C with A_i = W_L⋯W_{i+1}), so g_i⁺ = (g_iᵀg_i)⁻¹g_iᵀ
//! is a left inverse, and W_i g_{i−1} = g_i gives the split
//!
//!   W_i = g_i g_{i−1}⁺ + F_i,   F_i = W_i (I − g_{i−1}g_{i−1}⁺)   (so F_i g_{i−1} = 0),
//!
//! with the *free blocks* F_i acting on the complement of range g_{i−1}. Conversely, for paths g_i
//! of rank k (g_0 = R⁺, g_L = C) and blocks with F_i g_{i−1} = 0, write B_i = W_i⋯W_1 =
//! g_i R + E_i: then E_1 = F_1 and E_i = W_i E_{i−1} (because F_i g_{i−1} = 0 and g_{i−1}⁺g_{i−1} = I),
//! so W_L⋯W_1 = C R + W_L⋯W_2 F_1. The point is a minimizer iff W_L⋯W_2 F_1 = 0: that is the one
//! constraint on the blocks. When every hidden width equals k the g_i are the invertible changes of
//! basis G_i and every F_i vanishes.
//!
//! The same split projects a point that is only near a minimizer (one reached by gradient descent
//! and rounded) onto an exact one: keep its paths g_1…g_{L−1} and blocks F_2…F_L, put g_L = C, and
//! replace F_1 by its orthogonal projection onto ker(W_L⋯W_2).

use crate::linalg::mat::{self, null_space, solve_exact, Mat};
use crate::linalg::rank;
use crate::linalg::Exact;
use num_rational::BigRational;

/// The coordinates of a minimizer (module doc): paths g_1…g_{L−1} and free blocks F_1…F_L.
#[derive(Clone, Debug, PartialEq)]
pub struct Coordinates {
    /// g_i = W_i⋯W_1 R⁺ for i = 1 … L−1 (d_i × k, rank k).
    pub paths: Vec<Mat<BigRational>>,
    /// F_i = W_i (I − g_{i−1}g_{i−1}⁺) for i = 1 … L.
    pub blocks: Vec<Mat<BigRational>>,
}

/// Why a point has no coordinates or coordinates give no minimizer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CoordinateError {
    /// Some path g_i has rank below k (then W's product has rank below k: not a minimizer).
    #[error("the path g_{0} = W_{0}⋯W_1 R⁺ has rank below rk M = {1}")]
    RankDeficientPath(usize, usize),
    /// A block does not vanish on the range of the path below it.
    #[error("the free block F_{0} does not vanish on the range of g_{1}")]
    BlockOnPath(usize, usize),
    /// The blocks change the product: W_L⋯W_2 F_1 ≠ 0.
    #[error("the free blocks change the product (W_L⋯W_2 F_1 ≠ 0)")]
    ProductChanged,
    /// The shapes of the coordinates do not fit the widths of M.
    #[error("coordinates of the wrong shape: {0}")]
    Shape(String),
}

/// The left inverse (gᵀg)⁻¹gᵀ of a matrix of full column rank, `None` otherwise.
fn left_inverse(g: &Mat<BigRational>) -> Option<Mat<BigRational>> {
    let gram = mat::matmul_tn(&Exact, g, g);
    solve_exact(&gram, &g.transpose())
}

/// R⁺ = Rᵀ(RRᵀ)⁻¹ for R of full row rank (the rank factorization guarantees it).
fn right_inverse(r: &Mat<BigRational>) -> Mat<BigRational> {
    left_inverse(&r.transpose())
        .expect("the R of a rank factorization has full row rank")
        .transpose()
}

/// I − g g⁺: the projector onto the orthogonal complement of range g.
fn complement_projector(g: &Mat<BigRational>, g_plus: &Mat<BigRational>) -> Mat<BigRational> {
    let n = g.rows();
    mat::sub(
        &Exact,
        &mat::identity(&Exact, n),
        &mat::matmul(&Exact, g, g_plus),
    )
}

/// The paths g_0 = R⁺, g_1, …, g_{L−1} of the point `ws` and their left inverses.
type Paths = Vec<(Mat<BigRational>, Mat<BigRational>)>;

fn paths_of(ws: &[Mat<BigRational>], r: &Mat<BigRational>) -> Result<Paths, CoordinateError> {
    let k = r.rows();
    let g0 = right_inverse(r);
    let g0_plus = r.clone(); // (R⁺)ᵀR⁺ = (RRᵀ)⁻¹, so (R⁺)⁺ = R
    let mut out = vec![(g0, g0_plus)];
    for (i, w) in ws[..ws.len() - 1].iter().enumerate() {
        let g = mat::matmul(&Exact, w, &out[i].0);
        let g_plus = left_inverse(&g).ok_or(CoordinateError::RankDeficientPath(i + 1, k))?;
        out.push((g, g_plus));
    }
    Ok(out)
}

/// The coordinates of `ws` relative to the product M (module doc). Exact; an error when some path
/// has rank below rk M (then `ws` is not a minimizer for M).
pub fn to_coordinates(
    ws: &[Mat<BigRational>],
    m: &Mat<BigRational>,
) -> Result<Coordinates, CoordinateError> {
    let (_, r) = rank::factorization(m);
    let paths = paths_of(ws, &r)?;
    let blocks = ws
        .iter()
        .zip(&paths)
        .map(|(w, (g, g_plus))| mat::matmul(&Exact, w, &complement_projector(g, g_plus)))
        .collect();
    Ok(Coordinates {
        paths: paths.into_iter().skip(1).map(|(g, _)| g).collect(),
        blocks,
    })
}

/// The point W_i = g_i g_{i−1}⁺ + F_i with g_0 = R⁺ and g_L = C, checked to be a minimizer for M:
/// every path of rank k, every F_i vanishing on range g_{i−1}, and W_L⋯W_2 F_1 = 0.
pub fn from_coordinates(
    co: &Coordinates,
    m: &Mat<BigRational>,
) -> Result<Vec<Mat<BigRational>>, CoordinateError> {
    let (c, r) = rank::factorization(m);
    let k = r.rows();
    let l = co.blocks.len();
    if l == 0 || co.paths.len() + 1 != l {
        return Err(CoordinateError::Shape(format!(
            "{} paths for {} blocks (want one path fewer than blocks, at least one block)",
            co.paths.len(),
            l
        )));
    }
    let mut chain = vec![(right_inverse(&r), r.clone())];
    for (i, g) in co.paths.iter().enumerate() {
        if g.cols() != k {
            return Err(CoordinateError::Shape(format!(
                "g_{} has {} columns, rk M = {k}",
                i + 1,
                g.cols()
            )));
        }
        let g_plus = left_inverse(g).ok_or(CoordinateError::RankDeficientPath(i + 1, k))?;
        chain.push((g.clone(), g_plus));
    }
    let mut ws = Vec::with_capacity(l);
    for (i, f) in co.blocks.iter().enumerate() {
        let (below, below_plus) = &chain[i];
        let above = if i + 1 < l { &chain[i + 1].0 } else { &c };
        if f.rows() != above.rows() || f.cols() != below.rows() {
            return Err(CoordinateError::Shape(format!("F_{} is misshapen", i + 1)));
        }
        if !mat::is_zero_mat(&Exact, &mat::matmul(&Exact, f, below)) {
            return Err(CoordinateError::BlockOnPath(i + 1, i));
        }
        ws.push(mat::add(&Exact, &mat::matmul(&Exact, above, below_plus), f));
    }
    if !mat::is_zero_mat(
        &Exact,
        &mat::matmul(&Exact, &above_first(&ws), &co.blocks[0]),
    ) {
        return Err(CoordinateError::ProductChanged);
    }
    Ok(ws)
}

/// W_L⋯W_2 (the identity when L = 1).
fn above_first(ws: &[Mat<BigRational>]) -> Mat<BigRational> {
    ws[1..]
        .iter()
        .fold(mat::identity(&Exact, ws[0].rows()), |p, w| {
            mat::matmul(&Exact, w, &p)
        })
}

/// The exact minimizer for M nearest in coordinates to `ws` (module doc): its paths and upper
/// blocks kept, g_L = C, and F_1 projected orthogonally onto ker(W_L⋯W_2).
pub fn project(
    ws: &[Mat<BigRational>],
    m: &Mat<BigRational>,
) -> Result<Vec<Mat<BigRational>>, CoordinateError> {
    let mut co = to_coordinates(ws, m)?;
    // W_L⋯W_2 of the rebuilt point does not depend on F_1 (only layers 2…L), so rebuild once with
    // F_1 = 0 to read it off
    let f1 = std::mem::replace(
        &mut co.blocks[0],
        mat::zeros(&Exact, ws[0].rows(), ws[0].cols()),
    );
    let core = from_coordinates(&co, m)?;
    let kernel = null_space(&above_first(&core));
    co.blocks[0] = if kernel.is_empty() {
        mat::zeros(&Exact, f1.rows(), f1.cols())
    } else {
        let n = Mat::from_fn(kernel[0].len(), kernel.len(), |i, j| kernel[j][i].clone());
        let n_plus = left_inverse(&n).expect("a null-space basis is independent");
        mat::matmul(&Exact, &mat::matmul(&Exact, &n, &n_plus), &f1)
    };
    from_coordinates(&co, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enumerate::minimizers::tests::{product, q};
    use crate::enumerate::minimizers::{add_free_blocks, base_minimizer, random_transform};
    use crate::linalg::field::{f64_to_q, q_to_f64};
    use rand::SeedableRng;

    fn phi() -> Mat<BigRational> {
        Mat::from_vec(
            2,
            3,
            vec![q(1, 1), q(2, 1), q(0, 1), q(0, 1), q(1, 2), q(3, 1)],
        )
    }

    /// Every width from the rank upwards, with changes of basis and free blocks.
    fn minimizers(seed: u64) -> Vec<Vec<Mat<BigRational>>> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        [
            vec![3, 2, 2, 2],
            vec![3, 4, 3, 2],
            vec![3, 2, 5, 2],
            vec![3, 3, 2],
        ]
        .iter()
        .map(|dims| {
            let base = base_minimizer(dims, &phi()).unwrap();
            let moved = random_transform(&mut rng, &base, false);
            add_free_blocks(&mut rng, &moved)
        })
        .collect()
    }

    #[test]
    fn coordinates_round_trip_for_every_width() {
        for ws in minimizers(5) {
            assert_eq!(product(&ws), phi());
            let co = to_coordinates(&ws, &phi()).unwrap();
            assert_eq!(from_coordinates(&co, &phi()).unwrap(), ws);
            let square = ws[..ws.len() - 1].iter().all(|w| w.rows() == 2);
            // free blocks vanish exactly when every hidden width equals the rank
            let free = co.blocks.iter().any(|f| !mat::is_zero_mat(&Exact, f));
            assert_eq!(
                free,
                !square,
                "{:?}",
                ws.iter().map(|w| w.rows()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn blocks_that_change_the_product_are_refused() {
        let ws = &minimizers(2)[1];
        let mut co = to_coordinates(ws, &phi()).unwrap();
        // a block on the kernel of R that W_L⋯W_2 does not annihilate: R has kernel (6,−3,1/2)…
        let kernel = null_space(&rank::factorization(&phi()).1);
        let v = &kernel[0];
        let f1 = Mat::from_fn(4, 3, |i, j| if i == 0 { v[j].clone() } else { q(0, 1) });
        co.blocks[0] = mat::add(&Exact, &co.blocks[0], &f1);
        let refused = from_coordinates(&co, &phi());
        let pushed_out = product(&{
            let mut w = ws.clone();
            w[0] = mat::add(&Exact, &w[0], &f1);
            w
        }) != phi();
        assert_eq!(refused == Err(CoordinateError::ProductChanged), pushed_out);
        assert!(pushed_out, "the chosen block leaves the kernel of W_L⋯W_2");
        // a block that does not vanish on the range of g_1
        let on_path = Mat::from_fn(3, 4, |i, j| q(i64::from(i == j), 1));
        co.blocks[1] = mat::add(&Exact, &co.blocks[1], &on_path);
        assert_eq!(
            from_coordinates(&co, &phi()),
            Err(CoordinateError::BlockOnPath(2, 1))
        );
    }

    #[test]
    fn projection_makes_a_noisy_minimizer_exact_and_stays_close() {
        for ws in minimizers(7) {
            let noisy: Vec<_> = ws
                .iter()
                .map(|w| w.map(|x| f64_to_q(q_to_f64(x) + 1e-6).unwrap()))
                .collect();
            assert_ne!(product(&noisy), phi());
            let projected = project(&noisy, &phi()).unwrap();
            assert_eq!(product(&projected), phi());
            let dist = projected
                .iter()
                .zip(&ws)
                .flat_map(|(a, b)| {
                    a.as_slice()
                        .iter()
                        .zip(b.as_slice())
                        .map(|(x, y)| q_to_f64(&(x - y)).abs())
                        .collect::<Vec<_>>()
                })
                .fold(0.0, f64::max);
            assert!(dist < 1e-3, "{dist}");
            // an exact minimizer is its own projection
            assert_eq!(project(&ws, &phi()).unwrap(), ws);
        }
    }

    #[test]
    fn a_rank_deficient_point_has_no_coordinates() {
        let zero: Vec<_> = [(2, 3), (2, 2)]
            .iter()
            .map(|&(r, c)| mat::zeros(&Exact, r, c))
            .collect();
        assert_eq!(
            to_coordinates(&zero, &phi()),
            Err(CoordinateError::RankDeficientPath(1, 2))
        );
    }
}
