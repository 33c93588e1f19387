//! The L2-regularized deep linear network of \[WJ\] (claims.md, "\[WJ\]"), written once over any
//! [`Field`]:
//!
//! F(W) = ½ Σ_{(i,j)} ω_ij (W_{L:1} X − Y)²_ij + (λ/2) Σ_k ‖W_k‖²_F,
//!
//! with entry weights ω: all ones (full target), a 0/1 observation mask (matrix completion, X = I),
//! or the unbiased mini-batch weights of SGD (count of draws × observed / batch). λ = 0 and ω = 1
//! give the plain linear loss, so the optimizers of `dynamics` use this one model for both.
//!
//! The data term reuses [`linear`]: with R_ω = ω ⊙ (PX − Y), ∇_{W_k} = A_kᵀ R_ω (B_kX)ᵀ + λW_k,
//! because d/dP ½Σ ω r² = ω ⊙ R; its Hessian is ∇²\[V,V\] = ‖√ω ⊙ J(V)‖² + 2Σ_{k<l}⟨R_ω, …⟩ + λ‖V‖²,
//! built column by column from [`linear::hvp_weighted`].

use super::linear::{self, Evaluated};
use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use num_rational::BigRational;

/// The data and regularization of F in one arithmetic.
#[derive(Clone, Debug)]
pub struct Problem<T> {
    /// X, d_0 × n.
    pub x: Mat<T>,
    /// Y (the target A* when X = I), d_L × n.
    pub y: Mat<T>,
    /// λ ≥ 0.
    pub lambda: T,
    /// The 0/1 observation mask ω (d_L × n); `None` observes every entry.
    pub mask: Option<Mat<T>>,
}

impl Problem<BigRational> {
    /// The same problem in arithmetic `f`.
    pub fn embed<F: Field>(&self, f: &F) -> Problem<F::T> {
        Problem {
            x: mat::from_exact(f, &self.x),
            y: mat::from_exact(f, &self.y),
            lambda: f.embed(&self.lambda),
            mask: self.mask.as_ref().map(|m| mat::from_exact(f, m)),
        }
    }
}

/// The entries (i, j) of Y that the mask observes (all of them without a mask), row-major.
pub fn observed<F: Field>(f: &F, p: &Problem<F::T>) -> Vec<(usize, usize)> {
    let (r, c) = (p.y.rows(), p.y.cols());
    (0..r)
        .flat_map(|i| (0..c).map(move |j| (i, j)))
        .filter(|&(i, j)| p.mask.as_ref().map_or(true, |m| !f.is_zero(m.at(i, j))))
        .collect()
}

/// Evaluate the network with its residual replaced by ω ⊙ (PX − Y) (ω = `weights`, else the
/// problem's mask, else all ones), and the data term ½ Σ ω r².
fn evaluate_weighted<F: Field>(
    f: &F,
    p: &Problem<F::T>,
    ws: &[Mat<F::T>],
    weights: Option<&Mat<F::T>>,
) -> (Evaluated<F::T>, F::T) {
    let mut ev = linear::evaluate(f, ws, &p.x, &p.y);
    let half = f.embed(&BigRational::new(1.into(), 2.into()));
    match weights.or(p.mask.as_ref()) {
        None => {
            let data = f.mul(&half, &mat::frob2(f, &ev.residual));
            (ev, data)
        }
        Some(w) => {
            let wr = mat::zip::<F>(&ev.residual, w, |r, o| f.mul(r, o));
            let data = f.mul(&half, &mat::inner(f, &wr, &ev.residual));
            ev.residual = wr;
            (ev, data)
        }
    }
}

/// (λ/2) Σ_k ‖W_k‖²_F
fn penalty<F: Field>(f: &F, lambda: &F::T, ws: &[Mat<F::T>]) -> F::T {
    let half = f.embed(&BigRational::new(1.into(), 2.into()));
    let sum = ws
        .iter()
        .fold(f.zero(), |s, w| f.add(&s, &mat::frob2(f, w)));
    f.mul(&f.mul(&half, lambda), &sum)
}

/// F(W) with the problem's mask (claims.md, \[WJ\] loss).
pub fn loss<F: Field>(f: &F, p: &Problem<F::T>, ws: &[Mat<F::T>]) -> F::T {
    let (_, data) = evaluate_weighted(f, p, ws, None);
    f.add(&data, &penalty(f, &p.lambda, ws))
}

/// F(W) and ∇F(W) = (A_kᵀ R_ω (B_kX)ᵀ + λW_k)_k, with entry weights `weights` replacing the mask
/// when given (an SGD mini-batch); the penalty is always the full (λ/2)Σ‖W_k‖².
pub fn value_and_gradient<F: Field>(
    f: &F,
    p: &Problem<F::T>,
    ws: &[Mat<F::T>],
    weights: Option<&Mat<F::T>>,
) -> (F::T, Vec<Mat<F::T>>) {
    let (ev, data) = evaluate_weighted(f, p, ws, weights);
    let grad = linear::gradient(f, &ev)
        .into_iter()
        .zip(ws)
        .map(|(g, w)| mat::add(f, &g, &mat::scale(f, &p.lambda, w)))
        .collect();
    (f.add(&data, &penalty(f, &p.lambda, ws)), grad)
}

/// The dense Hessian ∇²F (P × P, parameter order of [`linear::offsets`]): the linear Hessian plus
/// λI without a mask; with a mask, column e_j is the weighted Hessian-vector product of e_j.
pub fn hessian<F: Field>(f: &F, p: &Problem<F::T>, ws: &[Mat<F::T>]) -> Mat<F::T> {
    let (ev, _) = evaluate_weighted(f, p, ws, None);
    let mut h = match &p.mask {
        None => linear::hessian(f, ws, &ev),
        Some(m) => {
            let off = linear::offsets(ws);
            let n = off[ws.len()];
            let mut h = mat::zeros(f, n, n);
            for j in 0..n {
                let e = unit(f, ws, &off, j);
                let col: Vec<F::T> = linear::hvp_weighted(f, &ev, &e, Some(m))
                    .into_iter()
                    .flat_map(|c| c.as_slice().to_vec())
                    .collect();
                for (i, v) in col.into_iter().enumerate() {
                    *h.at_mut(i, j) = v;
                }
            }
            h
        }
    };
    for i in 0..h.rows() {
        let d = h.at_mut(i, i);
        *d = f.add(d, &p.lambda);
    }
    h
}

/// The parameter-space unit vector e_j, as one matrix per layer.
fn unit<F: Field>(f: &F, ws: &[Mat<F::T>], off: &[usize], j: usize) -> Vec<Mat<F::T>> {
    ws.iter()
        .enumerate()
        .map(|(k, w)| {
            Mat::from_fn(w.rows(), w.cols(), |a, b| {
                if off[k] + a * w.cols() + b == j {
                    f.one()
                } else {
                    f.zero()
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{Exact, Mpfr, F64};

    use crate::enumerate::minimizers::tests::q;

    fn sample(mask: bool) -> (Problem<BigRational>, Vec<Mat<BigRational>>) {
        let p = Problem {
            x: mat::identity(&Exact, 2),
            y: Mat::from_vec(2, 2, vec![q(2, 1), q(1, 3), q(-1, 2), q(1, 1)]),
            lambda: q(1, 10),
            mask: mask.then(|| Mat::from_vec(2, 2, vec![q(1, 1), q(0, 1), q(1, 1), q(1, 1)])),
        };
        let ws = vec![
            Mat::from_vec(
                3,
                2,
                vec![q(1, 2), q(-1, 1), q(2, 3), q(0, 1), q(1, 1), q(3, 4)],
            ),
            Mat::from_vec(3, 3, (0..9).map(|k| q(k - 4, 5)).collect()),
            Mat::from_vec(
                2,
                3,
                vec![q(1, 1), q(1, 3), q(-2, 1), q(1, 5), q(1, 1), q(1, 2)],
            ),
        ];
        (p, ws)
    }

    /// The exact gradient and Hessian against f64 central differences of F and of ∇F, with and
    /// without a mask (step 1e-6: truncation O(1e-12), rounding O(1e-10), tolerance 1e-6 / 1e-5).
    #[test]
    fn gradient_and_hessian_match_central_differences() {
        for masked in [false, true] {
            let (p, ws) = sample(masked);
            let (_, g) = value_and_gradient(&Exact, &p, &ws, None);
            let h = hessian(&Exact, &p, &ws);
            assert_eq!(h, h.transpose(), "masked {masked}");
            // central differences in f64 against the exact gradient and Hessian
            let pf = p.embed(&F64);
            let wf: Vec<Mat<f64>> = ws.iter().map(|w| mat::from_exact(&F64, w)).collect();
            let off = linear::offsets(&wf);
            let eps = 1e-6;
            for j in 0..off[wf.len()] {
                let shift = |d: f64| {
                    let mut w = wf.clone();
                    let k = off.iter().rposition(|&o| o <= j).unwrap();
                    let idx = j - off[k];
                    let c = w[k].cols();
                    *w[k].at_mut(idx / c, idx % c) += d;
                    w
                };
                let fd =
                    (loss(&F64, &pf, &shift(eps)) - loss(&F64, &pf, &shift(-eps))) / (2.0 * eps);
                let gj: Vec<f64> = g
                    .iter()
                    .flat_map(|m| m.as_slice().iter().map(|v| F64.embed(v)))
                    .collect();
                assert!((fd - gj[j]).abs() < 1e-6, "gradient {j} masked {masked}");
                let (_, gp) = value_and_gradient(&F64, &pf, &shift(eps), None);
                let (_, gm) = value_and_gradient(&F64, &pf, &shift(-eps), None);
                let gp: Vec<f64> = gp.iter().flat_map(|m| m.as_slice().to_vec()).collect();
                let gm: Vec<f64> = gm.iter().flat_map(|m| m.as_slice().to_vec()).collect();
                for i in 0..gp.len() {
                    let fd = (gp[i] - gm[i]) / (2.0 * eps);
                    assert!(
                        (fd - F64.embed(h.at(i, j))).abs() < 1e-5,
                        "H[{i},{j}] masked {masked}"
                    );
                }
            }
        }
    }

    #[test]
    fn all_ones_mask_equals_no_mask_and_the_three_arithmetics_agree() {
        let (mut p, ws) = sample(false);
        let h_full = hessian(&Exact, &p, &ws);
        p.mask = Some(Mat::from_vec(2, 2, vec![q(1, 1); 4]));
        assert_eq!(hessian(&Exact, &p, &ws), h_full);
        let exact = loss(&Exact, &p, &ws);
        let mp = Mpfr { prec: 200 };
        let wm: Vec<_> = ws.iter().map(|w| mat::from_exact(&mp, w)).collect();
        let m = loss(&mp, &p.embed(&mp), &wm);
        let diff = rug::Float::with_val(200, &m - &crate::linalg::field::q_to_rug(&exact)).abs();
        assert!(diff < rug::Float::with_val(200, 1e-55));
        let wf: Vec<_> = ws.iter().map(|w| mat::from_exact(&F64, w)).collect();
        assert!((loss(&F64, &p.embed(&F64), &wf) - F64.embed(&exact)).abs() < 1e-14);
    }

    #[test]
    fn mask_drops_unobserved_entries_and_weights_scale_them() {
        let (p, ws) = sample(true);
        assert_eq!(observed(&Exact, &p), vec![(0, 0), (1, 0), (1, 1)]);
        // weights 4 on entry (0,0) only: data term is 4·½ r_00²
        let w = Mat::from_vec(2, 2, vec![q(4, 1), q(0, 1), q(0, 1), q(0, 1)]);
        let (v, _) = value_and_gradient(&Exact, &p, &ws, Some(&w));
        let r = linear::evaluate(&Exact, &ws, &p.x, &p.y).residual;
        let pen = penalty(&Exact, &p.lambda, &ws);
        assert_eq!(v, q(2, 1) * r.at(0, 0) * r.at(0, 0) + pen);
    }

    #[test]
    fn scalar_critical_point_of_the_wj_equation() {
        // L = 3, a = 2, λ = 1/10 at W = 0: F = ½·4, ∇F = 0, ∇²F = λI (the data term is cubic)
        let p = Problem {
            x: mat::identity(&Exact, 1),
            y: Mat::from_vec(1, 1, vec![q(2, 1)]),
            lambda: q(1, 10),
            mask: None,
        };
        let ws = vec![Mat::from_vec(1, 1, vec![q(0, 1)]); 3];
        let (v, g) = value_and_gradient(&Exact, &p, &ws, None);
        assert_eq!(v, q(2, 1));
        assert!(g.iter().all(|m| mat::is_zero_mat(&Exact, m)));
        let h = hessian(&Exact, &p, &ws);
        assert_eq!(h, mat::scale(&Exact, &q(1, 10), &mat::identity(&Exact, 3)));
    }
}
