//! The residual network f(A) = ½‖(I + A_L)⋯(I + A_1) X − Y‖²_F (\[ZL\], claims.md ZL-gd-residual),
//! over any [`Field`], by reduction to the linear network.
//!
//! With W_k = I + A_k the loss is the linear loss at W, and since ∂W_k/∂A_k is the identity map,
//! ∇_{A_k} f = ∇_{W_k} f (and the Hessians in A and in W coincide). So every derivative is the
//! linear model's, evaluated at the mapped weights; nothing is computed twice.

use super::linear;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Field;

/// The layers W_k = I + A_k of the residual parameters A_k (all square).
pub fn layers<F: Field>(f: &F, a: &[Mat<F::T>]) -> Vec<Mat<F::T>> {
    a.iter()
        .map(|ak| mat::add(f, &mat::identity(f, ak.rows()), ak))
        .collect()
}

/// The residual parameters A_k = W_k − I of square layers W_k (the inverse of [`layers`]).
pub fn parameters<F: Field>(f: &F, w: &[Mat<F::T>]) -> Vec<Mat<F::T>> {
    w.iter()
        .map(|wk| mat::sub(f, wk, &mat::identity(f, wk.rows())))
        .collect()
}

/// Evaluate the residual network at parameters A: the linear network's evaluation at W = I + A.
pub fn evaluate<F: Field>(
    f: &F,
    a: &[Mat<F::T>],
    x: &Mat<F::T>,
    y: &Mat<F::T>,
) -> linear::Evaluated<F::T> {
    linear::evaluate(f, &layers(f, a), x, y)
}

/// f(A) = ½‖(I + A_L)⋯(I + A_1) X − Y‖²_F.
pub fn loss<F: Field>(f: &F, a: &[Mat<F::T>], x: &Mat<F::T>, y: &Mat<F::T>) -> F::T {
    linear::loss(f, &evaluate(f, a, x, y))
}

/// ∇_{A_k} f = ∇_{W_k} f at W = I + A (chain rule with ∂W_k/∂A_k = id).
pub fn gradient<F: Field>(f: &F, a: &[Mat<F::T>], x: &Mat<F::T>, y: &Mat<F::T>) -> Vec<Mat<F::T>> {
    linear::gradient(f, &evaluate(f, a, x, y))
}

/// ∇²_A f = ∇²_W f at W = I + A (the map A ↦ I + A is affine with identity derivative).
pub fn hessian<F: Field>(f: &F, a: &[Mat<F::T>], x: &Mat<F::T>, y: &Mat<F::T>) -> Mat<F::T> {
    let w = layers(f, a);
    linear::hessian(f, &w, &linear::evaluate(f, &w, x, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{Exact, F64};

    use crate::enumerate::minimizers::tests::q;

    #[test]
    fn residual_gradient_matches_central_differences_in_a() {
        let a: Vec<Mat<f64>> = vec![
            Mat::from_vec(2, 2, vec![0.1, -0.3, 0.2, 0.05]),
            Mat::from_vec(2, 2, vec![-0.2, 0.4, 0.0, 0.3]),
        ];
        let x = Mat::from_vec(2, 3, vec![1.0, 0.5, -1.0, 0.0, 2.0, 1.0]);
        let y = Mat::from_vec(2, 3, vec![0.3, 1.0, 0.0, -1.0, 0.5, 2.0]);
        let g = gradient(&F64, &a, &x, &y);
        let eps = 1e-6;
        for k in 0..2 {
            for i in 0..4 {
                let mut plus = a.clone();
                let mut minus = a.clone();
                *plus[k].at_mut(i / 2, i % 2) += eps;
                *minus[k].at_mut(i / 2, i % 2) -= eps;
                let fd = (loss(&F64, &plus, &x, &y) - loss(&F64, &minus, &x, &y)) / (2.0 * eps);
                assert!((fd - g[k].at(i / 2, i % 2)).abs() < 1e-7);
            }
        }
    }

    #[test]
    fn parameters_invert_layers_exactly() {
        let w = vec![Mat::from_vec(
            2,
            2,
            vec![q(1, 2), q(3, 1), q(0, 1), q(-1, 5)],
        )];
        let a = parameters(&Exact, &w);
        assert_eq!(a[0].at(0, 0), &q(-1, 2));
        assert_eq!(a[0].at(0, 1), &q(3, 1));
        assert_eq!(layers(&Exact, &a), w);
        let x = mat::identity(&Exact, 2);
        let h = hessian(&Exact, &a, &x, &x);
        assert_eq!(h, h.transpose());
    }
}
