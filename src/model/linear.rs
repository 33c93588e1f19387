//! The deep linear network loss f(W) = ½‖W_L⋯W_1 X − Y‖²_F, its gradient, Hessian and
//! Hessian-vector products, written once over any [`Field`].
//!
//! Conventions (claims.md, "Notation"): layers are 0-indexed in code, `ws[k]` = W_{k+1} of shape
//! d_{k+1} × d_k. With A_k = W_{L:k+2} (product of the layers above) and B_k X = W_{k:1} X (the
//! layers below applied to the data), R = P X − Y:
//! - ∇_{W_k} f = A_kᵀ R (B_k X)ᵀ;
//! - ∇²f\[Δ,Δ\] = ‖Σ_k A_k Δ_k B_k X‖² + 2 Σ_{k<l} ⟨R, A_l Δ_l W_{l−1:k+1} Δ_k B_k X⟩.

use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use num_rational::BigRational;

/// All partial products of a network, computed once: `prod(from, to)` = ws[to−1]⋯ws\[from\]
/// (the identity of size d_from when from = to).
pub struct Partials<T> {
    table: Vec<Vec<Mat<T>>>,
}

impl<T: Clone> Partials<T> {
    /// Tabulate every partial product (O(L²) matrix products).
    pub fn new<F: Field<T = T>>(f: &F, ws: &[Mat<T>]) -> Self {
        let l = ws.len();
        let mut table = Vec::with_capacity(l + 1);
        for from in 0..=l {
            let dim = if from < l {
                ws[from].cols()
            } else {
                ws[l - 1].rows()
            };
            let mut row = vec![mat::identity(f, dim)];
            for to in from + 1..=l {
                let next = mat::matmul(f, &ws[to - 1], &row[to - from - 1]);
                row.push(next);
            }
            table.push(row);
        }
        Partials { table }
    }
    /// ws[to−1]⋯ws\[from\] (identity when from = to).
    pub fn prod(&self, from: usize, to: usize) -> &Mat<T> {
        &self.table[from][to - from]
    }
    /// The number of layers L.
    pub fn depth(&self) -> usize {
        self.table.len() - 1
    }
    /// A_k = W_{L:k+2} in code indices: the product of the layers above layer k.
    pub fn above(&self, k: usize) -> &Mat<T> {
        self.prod(k + 1, self.depth())
    }
    /// B_k = W_{k:1}: the product of the layers below layer k.
    pub fn below(&self, k: usize) -> &Mat<T> {
        self.prod(0, k)
    }
    /// The end-to-end product P = W_L⋯W_1.
    pub fn product(&self) -> &Mat<T> {
        self.prod(0, self.depth())
    }
}

/// Everything the derivatives share at one point: partial products, B_k X and the residual.
pub struct Evaluated<T> {
    /// Partial products of the weights.
    pub partials: Partials<T>,
    /// B_k X for every layer k.
    pub bx: Vec<Mat<T>>,
    /// R = P X − Y.
    pub residual: Mat<T>,
}

/// Evaluate the partial products and the residual R = W_{L:1} X − Y.
pub fn evaluate<F: Field>(
    f: &F,
    ws: &[Mat<F::T>],
    x: &Mat<F::T>,
    y: &Mat<F::T>,
) -> Evaluated<F::T> {
    let partials = Partials::new(f, ws);
    let bx = (0..ws.len())
        .map(|k| mat::matmul(f, partials.below(k), x))
        .collect();
    let residual = mat::sub(f, &mat::matmul(f, partials.product(), x), y);
    Evaluated {
        partials,
        bx,
        residual,
    }
}

/// f(W) = ½‖P X − Y‖²_F (claims.md, the "half" convention).
pub fn loss<F: Field>(f: &F, ev: &Evaluated<F::T>) -> F::T {
    f.div(
        &mat::frob2(f, &ev.residual),
        &f.embed(&BigRational::from_integer(2.into())),
    )
}

/// ∇_{W_k} f = A_kᵀ R (B_k X)ᵀ for every layer k.
pub fn gradient<F: Field>(f: &F, ev: &Evaluated<F::T>) -> Vec<Mat<F::T>> {
    (0..ev.bx.len())
        .map(|k| {
            let ar = mat::matmul_tn(f, ev.partials.above(k), &ev.residual);
            mat::matmul_nt(f, &ar, &ev.bx[k])
        })
        .collect()
}

/// Offsets of each layer's block in the parameter vector θ = (vec W_1, …, vec W_L), each W_k
/// flattened row-major; the last entry is the parameter count P = Σ d_k d_{k−1}.
pub fn offsets<T>(ws: &[Mat<T>]) -> Vec<usize> {
    let mut out = vec![0];
    for w in ws {
        out.push(out.last().copied().unwrap_or(0) + w.rows() * w.cols());
    }
    out
}

/// The dense Hessian ∇²f (P × P) in the row-major parameter order of [`offsets`].
///
/// Gauss–Newton blocks: H[(k,p,q),(l,p',q')] = (A_kᵀA_l)[p,p'] · (B_kX (B_lX)ᵀ)[q,q'].
/// Second-order blocks (k < l), from ⟨R, A_l E_{p'q'} W_{l−1:k+1} E_{pq} B_k X⟩:
/// H[(l,p',q'),(k,p,q)] += (A_lᵀ R (B_kX)ᵀ)[p',q] · (W_{l−1:k+1})[q',p], and symmetrically.
pub fn hessian<F: Field>(f: &F, ws: &[Mat<F::T>], ev: &Evaluated<F::T>) -> Mat<F::T> {
    let l_count = ws.len();
    let off = offsets(ws);
    let n = off[l_count];
    let mut h = mat::zeros(f, n, n);
    let pt = &ev.partials;
    for k in 0..l_count {
        for l in k..l_count {
            let aa = mat::matmul_tn(f, pt.above(k), pt.above(l));
            let bb = mat::matmul_nt(f, &ev.bx[k], &ev.bx[l]);
            let (rk, ck) = (ws[k].rows(), ws[k].cols());
            let (rl, cl) = (ws[l].rows(), ws[l].cols());
            let second = (l > k).then(|| {
                let g = mat::matmul_nt(f, &mat::matmul_tn(f, pt.above(l), &ev.residual), &ev.bx[k]);
                (g, pt.prod(k + 1, l).clone())
            });
            for p in 0..rk {
                for q in 0..ck {
                    let row = off[k] + p * ck + q;
                    for pp in 0..rl {
                        for qq in 0..cl {
                            let col = off[l] + pp * cl + qq;
                            let mut v = f.mul(aa.at(p, pp), bb.at(q, qq));
                            if let Some((g, mid)) = &second {
                                v = f.add(&v, &f.mul(g.at(pp, q), mid.at(qq, p)));
                            }
                            *h.at_mut(col, row) = v.clone();
                            *h.at_mut(row, col) = v;
                        }
                    }
                }
            }
        }
    }
    h
}

/// The Hessian-vector product ∇²f\[V\] without forming the Hessian, layer by layer:
/// (HV)_k = A_kᵀ J(V) (B_kX)ᵀ + Σ_{l>k} W_{l−1:k+1}ᵀ V_lᵀ A_lᵀ R (B_kX)ᵀ
///        + Σ_{l<k} A_kᵀ R (B_lX)ᵀ V_lᵀ W_{k−1:l+1}ᵀ, with J(V) = Σ_l A_l V_l B_l X.
pub fn hvp<F: Field>(f: &F, ev: &Evaluated<F::T>, v: &[Mat<F::T>]) -> Vec<Mat<F::T>> {
    hvp_weighted(f, ev, v, None)
}

/// [`hvp`] for the entry-weighted loss ½Σ ω_ij r_ij² (model::l2's mask): J(V) is replaced by
/// ω ⊙ J(V) in the Gauss–Newton term; the caller stores the weighted residual ω ⊙ R in `ev`.
pub fn hvp_weighted<F: Field>(
    f: &F,
    ev: &Evaluated<F::T>,
    v: &[Mat<F::T>],
    weights: Option<&Mat<F::T>>,
) -> Vec<Mat<F::T>> {
    let pt = &ev.partials;
    let l_count = v.len();
    let mut jv = mat::zeros(f, ev.residual.rows(), ev.residual.cols());
    for (l, vl) in v.iter().enumerate() {
        jv = mat::add(
            f,
            &jv,
            &mat::matmul(f, &mat::matmul(f, pt.above(l), vl), &ev.bx[l]),
        );
    }
    if let Some(w) = weights {
        jv = mat::zip::<F>(&jv, w, |a, b| f.mul(a, b));
    }
    (0..l_count)
        .map(|k| {
            let mut out = mat::matmul_nt(f, &mat::matmul_tn(f, pt.above(k), &jv), &ev.bx[k]);
            for (l, vl) in v.iter().enumerate() {
                let term = if l > k {
                    let ar = mat::matmul_tn(f, pt.above(l), &ev.residual);
                    let left = mat::matmul_tn(f, pt.prod(k + 1, l), &vl.transpose());
                    mat::matmul_nt(f, &mat::matmul(f, &left, &ar), &ev.bx[k])
                } else if l < k {
                    let ar = mat::matmul_tn(f, pt.above(k), &ev.residual);
                    let right = mat::matmul_nt(f, &vl.transpose(), pt.prod(l + 1, k));
                    mat::matmul(f, &mat::matmul_nt(f, &ar, &ev.bx[l]), &right)
                } else {
                    continue;
                };
                out = mat::add(f, &out, &term);
            }
            out
        })
        .collect()
}

/// The KP-exact operator K = Σ_k (B_kX)ᵀ(B_kX) ⊗ A_kA_kᵀ (size d_L·n). At a zero-loss minimizer
/// ∇²f = JᵀJ and K = JJᵀ, so λ_max(K) = λ_max(∇²f) (claims.md, KP-exact).
pub fn kp_operator<F: Field>(f: &F, ev: &Evaluated<F::T>) -> Mat<F::T> {
    let pt = &ev.partials;
    let mut total: Option<Mat<F::T>> = None;
    for (k, bx) in ev.bx.iter().enumerate() {
        let gram_x = mat::matmul_tn(f, bx, bx);
        let gram_a = mat::matmul_nt(f, pt.above(k), pt.above(k));
        let term = mat::kron(f, &gram_x, &gram_a);
        total = Some(match total {
            Some(t) => mat::add(f, &t, &term),
            None => term,
        });
    }
    total.expect("a network has at least one layer")
}

/// The coefficients c_0, c_1, …, c_{2L} of the polynomial t ↦ f(W + tV) (degree ≤ 2L in t), found
/// exactly by evaluating f at t = 0, 1, …, 2L and Newton interpolation. c_1 = ⟨∇f, V⟩ and
/// c_2 = ½ Vᵀ∇²f V; the lowest nonzero c_j (j ≥ 1) decides the local behaviour along the curve
/// (claims.md, AMG-classify certificates).
pub fn loss_polynomial(
    ws: &[Mat<BigRational>],
    v: &[Mat<BigRational>],
    x: &Mat<BigRational>,
    y: &Mat<BigRational>,
) -> Vec<BigRational> {
    use crate::linalg::Exact;
    let degree = 2 * ws.len();
    let ts: Vec<BigRational> = (0..=degree)
        .map(|t| BigRational::from_integer((t as i64).into()))
        .collect();
    let values: Vec<BigRational> = ts
        .iter()
        .map(|t| {
            let moved: Vec<_> = ws
                .iter()
                .zip(v)
                .map(|(w, d)| mat::add(&Exact, w, &mat::scale(&Exact, t, d)))
                .collect();
            loss(&Exact, &evaluate(&Exact, &moved, x, y))
        })
        .collect();
    // Newton divided differences, then expand the Newton form into monomial coefficients.
    let mut dd = values;
    for j in 1..=degree {
        for i in (j..=degree).rev() {
            dd[i] = (&dd[i] - &dd[i - 1]) / (&ts[i] - &ts[i - j]);
        }
    }
    let mut coeffs = vec![BigRational::from_integer(0.into()); degree + 1];
    for k in (0..=degree).rev() {
        // coeffs ← coeffs·(t − t_k) + dd[k]
        let mut next = vec![BigRational::from_integer(0.into()); degree + 1];
        for (i, c) in coeffs.iter().enumerate() {
            if i < degree {
                next[i + 1] += c;
            }
            next[i] -= c * &ts[k];
        }
        next[0] += &dd[k];
        coeffs = next;
    }
    coeffs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{Exact, F64};
    use num_rational::BigRational;

    use crate::enumerate::minimizers::tests::q;

    fn sample() -> (Vec<Mat<BigRational>>, Mat<BigRational>, Mat<BigRational>) {
        let w1 = Mat::from_vec(
            3,
            2,
            vec![q(1, 2), q(-1, 1), q(2, 3), q(0, 1), q(1, 1), q(3, 4)],
        );
        let w2 = Mat::from_vec(
            2,
            3,
            vec![q(1, 1), q(1, 3), q(-2, 1), q(1, 5), q(1, 1), q(1, 2)],
        );
        let x = Mat::from_vec(
            2,
            3,
            vec![q(1, 1), q(0, 1), q(2, 1), q(-1, 1), q(1, 1), q(1, 3)],
        );
        let y = Mat::from_vec(
            2,
            3,
            vec![q(1, 1), q(2, 1), q(0, 1), q(0, 1), q(-1, 1), q(1, 1)],
        );
        (vec![w1, w2], x, y)
    }

    #[test]
    fn hessian_is_symmetric_and_matches_hvp_exactly() {
        let (ws, x, y) = sample();
        let ev = evaluate(&Exact, &ws, &x, &y);
        let h = hessian(&Exact, &ws, &ev);
        assert_eq!(h, h.transpose());
        let off = offsets(&ws);
        // direction: e_j for every j, compare column j of H with HVP(e_j)
        for j in 0..off[2] {
            let v: Vec<Mat<BigRational>> = ws
                .iter()
                .enumerate()
                .map(|(k, w)| {
                    Mat::from_fn(w.rows(), w.cols(), |p, qq| {
                        if off[k] + p * w.cols() + qq == j {
                            q(1, 1)
                        } else {
                            q(0, 1)
                        }
                    })
                })
                .collect();
            let hv = hvp(&Exact, &ev, &v);
            let flat: Vec<BigRational> = hv.iter().flat_map(|m| m.as_slice().to_vec()).collect();
            let col: Vec<BigRational> = (0..off[2]).map(|i| h.at(i, j).clone()).collect();
            assert_eq!(flat, col, "column {j}");
        }
    }

    #[test]
    fn gradient_matches_central_differences_of_the_loss() {
        let (ws, x, y) = sample();
        let wf: Vec<Mat<f64>> = ws.iter().map(|w| mat::from_exact(&F64, w)).collect();
        let (xf, yf) = (mat::from_exact(&F64, &x), mat::from_exact(&F64, &y));
        let g = gradient(&F64, &evaluate(&F64, &wf, &xf, &yf));
        let eps = 1e-6;
        for k in 0..2 {
            for idx in 0..wf[k].rows() * wf[k].cols() {
                let (p, qq) = (idx / wf[k].cols(), idx % wf[k].cols());
                let mut plus = wf.clone();
                *plus[k].at_mut(p, qq) += eps;
                let mut minus = wf.clone();
                *minus[k].at_mut(p, qq) -= eps;
                let fd = (loss(&F64, &evaluate(&F64, &plus, &xf, &yf))
                    - loss(&F64, &evaluate(&F64, &minus, &xf, &yf)))
                    / (2.0 * eps);
                assert!((fd - g[k].at(p, qq)).abs() < 1e-6, "layer {k} entry {idx}");
            }
        }
    }

    #[test]
    fn hessian_matches_central_differences_of_the_gradient() {
        let (ws, x, y) = sample();
        let wf: Vec<Mat<f64>> = ws.iter().map(|w| mat::from_exact(&F64, w)).collect();
        let (xf, yf) = (mat::from_exact(&F64, &x), mat::from_exact(&F64, &y));
        let h = hessian(&F64, &wf, &evaluate(&F64, &wf, &xf, &yf));
        let off = offsets(&wf);
        let eps = 1e-6;
        for k in 0..2 {
            for idx in 0..wf[k].rows() * wf[k].cols() {
                let (p, qq) = (idx / wf[k].cols(), idx % wf[k].cols());
                let grad_at = |delta: f64| {
                    let mut w = wf.clone();
                    *w[k].at_mut(p, qq) += delta;
                    gradient(&F64, &evaluate(&F64, &w, &xf, &yf))
                };
                let (gp, gm) = (grad_at(eps), grad_at(-eps));
                for l in 0..2 {
                    for i in 0..wf[l].rows() * wf[l].cols() {
                        let fd = (gp[l].as_slice()[i] - gm[l].as_slice()[i]) / (2.0 * eps);
                        let hij = h.at(off[l] + i, off[k] + idx);
                        assert!(
                            (fd - hij).abs() < 1e-6,
                            "H[{},{}]",
                            off[l] + i,
                            off[k] + idx
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn loss_polynomial_matches_gradient_and_hessian() {
        let (ws, x, y) = sample();
        let v: Vec<Mat<BigRational>> = ws
            .iter()
            .map(|w| Mat::from_fn(w.rows(), w.cols(), |i, j| q((i + 2 * j) as i64 - 1, 3)))
            .collect();
        let c = loss_polynomial(&ws, &v, &x, &y);
        let ev = evaluate(&Exact, &ws, &x, &y);
        assert_eq!(c[0], loss(&Exact, &ev));
        let g = gradient(&Exact, &ev);
        let dot: BigRational = g
            .iter()
            .zip(&v)
            .map(|(a, b)| mat::inner(&Exact, a, b))
            .sum();
        assert_eq!(c[1], dot);
        let hv = hvp(&Exact, &ev, &v);
        let vhv: BigRational = hv
            .iter()
            .zip(&v)
            .map(|(a, b)| mat::inner(&Exact, a, b))
            .sum();
        assert_eq!(c[2].clone() * q(2, 1), vhv);
        assert_eq!(c.len(), 5);
    }

    #[test]
    fn scalar_reference_value_hessian() {
        // w = (2,2,2), X = 1, Y = 8: zero loss, H = J Jᵀ with J = (4,4,4): λ_max = 48 (claims.md)
        let ws: Vec<Mat<BigRational>> =
            (0..3).map(|_| Mat::from_vec(1, 1, vec![q(2, 1)])).collect();
        let one = Mat::from_vec(1, 1, vec![q(1, 1)]);
        let eight = Mat::from_vec(1, 1, vec![q(8, 1)]);
        let ev = evaluate(&Exact, &ws, &one, &eight);
        let h = hessian(&Exact, &ws, &ev);
        assert!(h.as_slice().iter().all(|v| *v == q(16, 1)));
        assert_eq!(kp_operator(&Exact, &ev).as_slice(), &[q(48, 1)]);
    }
}
