//! The one-hidden-layer network f(W_1, W_2) = ½‖W_2 σ(W_1 X) − Y‖²_F with the leaky ReLU
//! σ(t) = t (t ≥ 0), a·t (t < 0) applied entrywise (\[ZL\], claims.md ZL-gd-nonlinear), over any
//! [`Field`]. With a rational slope a the loss is exact in rationals at rational points.
//!
//! With Z = W_1 X, H = σ(Z), R = W_2 H − Y and D = σ'(Z) entrywise:
//! - ∇_{W_2} f = R Hᵀ,  ∇_{W_1} f = (D ⊙ W_2ᵀ R) Xᵀ;
//! - the Jacobian of the residual map is J(V) = V_2 H + W_2 (D ⊙ V_1 X);
//! - away from kinks (no entry of Z is 0, so the pattern D is locally constant and σ is linear
//!   on each entry) ∇²f[V, V] = ‖J(V)‖² + 2⟨R, V_2 (D ⊙ V_1 X)⟩.
//!
//! **Kinks.** For a ≠ 1, σ is not differentiable at t = 0, so f is not differentiable where some
//! Z_ij = 0 and that entry influences the loss. There D_ij is taken as the right derivative
//! σ'(0⁺) = 1, i.e. the gradient of the smooth branch on which Z_ij ≥ 0; [`Evaluated::kinks`]
//! counts such entries so callers can say when a sample sits on a kink, and [`hessian`] refuses
//! those points (the Hessian does not exist there). For a = 1 there is no kink: the model is the
//! depth-2 linear network. `dlncheck sharpness` refuses a kink point (exit 2), naming every zero
//! entry, rather than report the Hessian of one branch ([`super::instance::ModelPoint::new`]);
//! away from kinks it decides the sign pattern of Z exactly and evaluates every arithmetic on that
//! branch ([`evaluate_on_branch`]), so an f64 or MPFR rounding of a tiny Z_ij cannot flip it.

use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;
use num_rational::BigRational;

/// The leaky ReLU σ(t) = t for t ≥ 0, a·t for t < 0.
pub fn leaky_relu<F: Field>(f: &F, slope: &F::T, t: &F::T) -> F::T {
    on_branch(f, slope, t, f.is_negative(t))
}

/// σ'(t): 1 for t > 0, a for t < 0, and the right derivative 1 at the kink t = 0.
pub fn leaky_relu_slope<F: Field>(f: &F, slope: &F::T, t: &F::T) -> F::T {
    branch_slope(f, slope, f.is_negative(t))
}

/// σ on a given branch: a·t on the negative one, t on the other.
fn on_branch<F: Field>(f: &F, slope: &F::T, t: &F::T, negative: bool) -> F::T {
    if negative {
        f.mul(slope, t)
    } else {
        t.clone()
    }
}

/// σ' on a given branch: a on the negative one, 1 on the other.
fn branch_slope<F: Field>(f: &F, slope: &F::T, negative: bool) -> F::T {
    if negative {
        slope.clone()
    } else {
        f.one()
    }
}

/// What the derivatives share at one point.
pub struct Evaluated<T> {
    /// Z = W_1 X.
    pub pre: Mat<T>,
    /// H = σ(Z).
    pub hidden: Mat<T>,
    /// D = σ'(Z) (right derivative at zeros).
    pub pattern: Mat<T>,
    /// R = W_2 H − Y.
    pub residual: Mat<T>,
    /// How many entries of Z are exactly 0 (kinks of σ when a ≠ 1).
    pub kinks: usize,
}

/// Evaluate the network at W = (W_1, W_2) with slope a, the sign of each entry of Z = W_1 X
/// decided in the arithmetic `f` itself.
pub fn evaluate<F: Field>(
    f: &F,
    w: &[Mat<F::T>],
    slope: &F::T,
    x: &Mat<F::T>,
    y: &Mat<F::T>,
) -> Evaluated<F::T> {
    assert_eq!(w.len(), 2, "one-hidden-layer: exactly two layers");
    let pre = mat::matmul(f, &w[0], x);
    let negative = pre.map(|t| f.is_negative(t));
    let kinks = pre.as_slice().iter().filter(|t| f.is_zero(t)).count();
    assemble(f, w, slope, y, pre, &negative, kinks)
}

/// [`evaluate`] on a given branch: `negative` says, entry by entry, whether Z_ij = (W_1 X)_ij < 0,
/// as decided by the caller (exactly, at a rational point with no zero entry of Z, so that an
/// f64 or MPFR rounding of a tiny Z_ij cannot switch the branch); `kinks` is then 0.
pub fn evaluate_on_branch<F: Field>(
    f: &F,
    w: &[Mat<F::T>],
    slope: &F::T,
    x: &Mat<F::T>,
    y: &Mat<F::T>,
    negative: &Mat<bool>,
) -> Evaluated<F::T> {
    assert_eq!(w.len(), 2, "one-hidden-layer: exactly two layers");
    let pre = mat::matmul(f, &w[0], x);
    assemble(f, w, slope, y, pre, negative, 0)
}

/// H = σ(Z), D = σ'(Z) and R = W_2 H − Y on the branch `negative`.
fn assemble<F: Field>(
    f: &F,
    w: &[Mat<F::T>],
    slope: &F::T,
    y: &Mat<F::T>,
    pre: Mat<F::T>,
    negative: &Mat<bool>,
    kinks: usize,
) -> Evaluated<F::T> {
    let hidden = Mat::from_fn(pre.rows(), pre.cols(), |i, j| {
        on_branch(f, slope, pre.at(i, j), *negative.at(i, j))
    });
    let pattern = negative.map(|&n| branch_slope(f, slope, n));
    let residual = mat::sub(f, &mat::matmul(f, &w[1], &hidden), y);
    Evaluated {
        pre,
        hidden,
        pattern,
        residual,
        kinks,
    }
}

/// f = ½‖W_2 σ(W_1 X) − Y‖²_F.
pub fn loss<F: Field>(f: &F, ev: &Evaluated<F::T>) -> F::T {
    f.div(
        &mat::frob2(f, &ev.residual),
        &f.embed(&BigRational::from_integer(2.into())),
    )
}

/// D ⊙ M (entrywise product with the activation slopes).
fn masked<F: Field>(f: &F, ev: &Evaluated<F::T>, m: &Mat<F::T>) -> Mat<F::T> {
    mat::zip::<F>(&ev.pattern, m, |d, v| f.mul(d, v))
}

/// (∇_{W_1} f, ∇_{W_2} f) = ((D ⊙ W_2ᵀR) Xᵀ, R Hᵀ).
pub fn gradient<F: Field>(
    f: &F,
    w: &[Mat<F::T>],
    x: &Mat<F::T>,
    ev: &Evaluated<F::T>,
) -> Vec<Mat<F::T>> {
    let back = masked(f, ev, &mat::matmul_tn(f, &w[1], &ev.residual));
    vec![
        mat::matmul_nt(f, &back, x),
        mat::matmul_nt(f, &ev.residual, &ev.hidden),
    ]
}

/// The Jacobian of the residual map applied to a direction: J(V) = V_2 H + W_2 (D ⊙ V_1 X).
pub fn jvp<F: Field>(
    f: &F,
    w: &[Mat<F::T>],
    x: &Mat<F::T>,
    ev: &Evaluated<F::T>,
    v: &[Mat<F::T>],
) -> Mat<F::T> {
    let inner = masked(f, ev, &mat::matmul(f, &v[0], x));
    mat::add(
        f,
        &mat::matmul(f, &v[1], &ev.hidden),
        &mat::matmul(f, &w[1], &inner),
    )
}

/// The dense Hessian away from kinks (parameters θ = (vec W_1, vec W_2), row-major), `None` at a
/// point with a kink (some Z_ij = 0 and a ≠ 1), where f has no Hessian.
///
/// H = JᵀJ + C + Cᵀ with the cross block C[(2,p',q'), (1,p,q)] = δ_{q'p} Σ_j R_{p'j} D_{pj} X_{qj}
/// (from ⟨R, E_{p'q'} (D ⊙ E_{pq} X)⟩).
pub fn hessian<F: Field>(
    f: &F,
    w: &[Mat<F::T>],
    slope: &F::T,
    x: &Mat<F::T>,
    ev: &Evaluated<F::T>,
) -> Option<Mat<F::T>> {
    if ev.kinks > 0 && !f.is_zero(&f.sub(slope, &f.one())) {
        return None;
    }
    let (d1, d0, d2) = (w[0].rows(), w[0].cols(), w[1].rows());
    let n1 = d1 * d0;
    let p = n1 + d2 * d1;
    let unit = |a: usize| -> Vec<Mat<F::T>> {
        let mut v = vec![mat::zeros(f, d1, d0), mat::zeros(f, d2, d1)];
        if a < n1 {
            *v[0].at_mut(a / d0, a % d0) = f.one();
        } else {
            *v[1].at_mut((a - n1) / d1, (a - n1) % d1) = f.one();
        }
        v
    };
    let cols: Vec<Mat<F::T>> = (0..p).map(|a| jvp(f, w, x, ev, &unit(a))).collect();
    let mut h = Mat::from_fn(p, p, |a, b| mat::inner(f, &cols[a], &cols[b]));
    for a in 0..n1 {
        let (pp, qq) = (a / d0, a % d0);
        for p2 in 0..d2 {
            // b = (2, p2, q') with q' = pp
            let b = n1 + p2 * d1 + pp;
            let c = (0..x.cols()).fold(f.zero(), |acc, j| {
                let t = f.mul(
                    &f.mul(ev.residual.at(p2, j), ev.pattern.at(pp, j)),
                    x.at(qq, j),
                );
                f.add(&acc, &t)
            });
            *h.at_mut(a, b) = f.add(h.at(a, b), &c);
            *h.at_mut(b, a) = f.add(h.at(b, a), &c);
        }
    }
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{Exact, Mpfr, F64};

    use crate::enumerate::minimizers::tests::q;

    fn sample() -> (Vec<Mat<f64>>, Mat<f64>, Mat<f64>) {
        let w1 = Mat::from_vec(2, 2, vec![0.7, -1.1, 0.4, 0.9]);
        let w2 = Mat::from_vec(2, 2, vec![1.3, 0.2, -0.5, 0.8]);
        let x = Mat::from_vec(2, 3, vec![1.0, -0.5, 0.3, 0.2, 1.5, -1.0]);
        let y = Mat::from_vec(2, 3, vec![0.3, 1.0, 0.0, -1.0, 0.5, 2.0]);
        (vec![w1, w2], x, y)
    }

    #[test]
    fn gradient_and_hessian_match_finite_differences_off_kinks() {
        let (w, x, y) = sample();
        let a = 0.1;
        let ev = evaluate(&F64, &w, &a, &x, &y);
        assert_eq!(ev.kinks, 0);
        let g = gradient(&F64, &w, &x, &ev);
        let h = hessian(&F64, &w, &a, &x, &ev).expect("no kink");
        let eps = 1e-6;
        let at = |w: &[Mat<f64>]| {
            let e = evaluate(&F64, w, &a, &x, &y);
            (loss(&F64, &e), gradient(&F64, w, &x, &e))
        };
        for k in 0..2 {
            for i in 0..4 {
                let mut plus = w.clone();
                let mut minus = w.clone();
                *plus[k].at_mut(i / 2, i % 2) += eps;
                *minus[k].at_mut(i / 2, i % 2) -= eps;
                let ((fp, gp), (fm, gm)) = (at(&plus), at(&minus));
                assert!(((fp - fm) / (2.0 * eps) - g[k].at(i / 2, i % 2)).abs() < 1e-6);
                for l in 0..2 {
                    for j in 0..4 {
                        let fd = (gp[l].as_slice()[j] - gm[l].as_slice()[j]) / (2.0 * eps);
                        let hv = h.at(4 * l + j, 4 * k + i);
                        assert!((fd - hv).abs() < 1e-6, "H[{},{}]", 4 * l + j, 4 * k + i);
                    }
                }
            }
        }
    }

    #[test]
    fn kinks_are_counted_and_the_right_derivative_is_used() {
        let w = vec![
            Mat::from_vec(1, 1, vec![q(1, 1)]),
            Mat::from_vec(1, 1, vec![q(2, 1)]),
        ];
        let x = Mat::from_vec(1, 2, vec![q(0, 1), q(-3, 1)]);
        let y = Mat::from_vec(1, 2, vec![q(1, 1), q(0, 1)]);
        let a = q(1, 4);
        let ev = evaluate(&Exact, &w, &a, &x, &y);
        assert_eq!(ev.kinks, 1);
        assert_eq!(ev.hidden.as_slice(), &[q(0, 1), q(-3, 4)]);
        assert_eq!(ev.pattern.as_slice(), &[q(1, 1), q(1, 4)]);
        // R = (−1, −3/2); f = ½(1 + 9/4) = 13/8
        assert_eq!(loss(&Exact, &ev), q(13, 8));
        assert!(hessian(&Exact, &w, &a, &x, &ev).is_none());
        // ∇W_1 = Σ_j D_j W_2 R_j X_j = 1·2·(−1)·0 + (1/4)·2·(−3/2)·(−3) = 9/4
        assert_eq!(gradient(&Exact, &w, &x, &ev)[0].as_slice(), &[q(9, 4)]);
    }

    #[test]
    fn the_three_arithmetics_agree() {
        let (w, x, y) = sample();
        let to_q = |m: &Mat<f64>| m.map(|v| BigRational::from_float(*v).unwrap());
        let wq: Vec<_> = w.iter().map(to_q).collect();
        let (xq, yq, aq) = (to_q(&x), to_q(&y), q(1, 10));
        let exact = loss(&Exact, &evaluate(&Exact, &wq, &aq, &xq, &yq));
        let mp = Mpfr { prec: 200 };
        let emb = |m: &Mat<BigRational>| mat::from_exact(&mp, m);
        let wm: Vec<_> = wq.iter().map(emb).collect();
        let lm = loss(
            &mp,
            &evaluate(&mp, &wm, &mp.embed(&aq), &emb(&xq), &emb(&yq)),
        );
        let lf = loss(&F64, &evaluate(&F64, &w, &0.1, &x, &y));
        let e = Exact.to_f64(&exact);
        assert!((mp.to_f64(&lm) - e).abs() <= 1e-15 * e.abs());
        assert!((lf - e).abs() <= 1e-12 * e.abs());
    }
}
