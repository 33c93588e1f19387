//! A case's own network, whichever its family, at one exact parameter point: the one place that
//! dispatches on the model kind, so that λ_max (f64, MPFR, proven enclosure) is always that of
//! the case's model and of no other. Each family's loss and Hessian is its module's formula over
//! [`Field`], used unchanged:
//! - linear ([`super::linear`]): f(W) = ½‖W_L⋯W_1 X − Y‖²_F;
//! - residual ([`super::residual`]): f(A) = ½‖(I + A_L)⋯(I + A_1) X − Y‖²_F in the parameters
//!   A_k (the case's `point.weights`); since A ↦ I + A is affine with identity derivative,
//!   ∇²_A f(A) = ∇²_W f_lin(I + A), so the residual network is the linear network at W = I + A
//!   ([`ModelPoint::linear_network`]);
//! - one hidden layer ([`super::one_hidden`]): f(W) = ½‖W_2 σ(W_1 X) − Y‖²_F with the leaky ReLU
//!   σ(t) = t (t ≥ 0), a·t (t < 0). For a ≠ 1, f has no Hessian where an entry of Z = W_1 X is 0
//!   (a kink of σ): such a point is refused, naming every zero entry (layer 1, row i, sample j),
//!   rather than answered with a one-sided Hessian. Elsewhere the sign pattern of Z is decided
//!   exactly once and every arithmetic evaluates the Hessian on that branch;
//! - L2-regularized ([`super::l2`]): F(W) = ½Σ_{(i,j)} ω_ij (W_L⋯W_1 X − Y)²_ij + (λ/2)Σ_k‖W_k‖²_F
//!   with the 0/1 mask ω (all ones without one), so ∇²F = ∇²(data term) + λI: every parameter
//!   is penalized.

use super::{l2, linear, one_hidden, residual};
use crate::case::{Activation, Case, ModelKind};
use crate::certify::lambda_max::SymmetricSource;
use crate::enumerate::minimizers::Point;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Field};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

/// A network family with its constants.
#[derive(Clone, Debug, PartialEq)]
pub enum Family {
    /// W_L ⋯ W_1.
    Linear,
    /// (I + A_L) ⋯ (I + A_1).
    Residual,
    /// W_2 σ(W_1 X) with the leaky ReLU of slope a.
    OneHidden {
        /// a
        slope: BigRational,
    },
    /// The linear network with the penalty (λ/2)Σ_k‖W_k‖²_F and an optional observation mask.
    L2 {
        /// λ ≥ 0
        lambda: BigRational,
        /// The 0/1 mask ω (d_L × n); `None` observes every entry.
        mask: Option<Mat<BigRational>>,
    },
}

impl Family {
    /// The family of a validated case (validation guarantees the activation of a
    /// one-hidden-layer case and the λ of an l2-regularized one; their absence is an error here,
    /// never a default).
    pub fn of_case(c: &Case) -> Result<Family, String> {
        Ok(match c.kind {
            ModelKind::Linear => Family::Linear,
            ModelKind::Residual => Family::Residual,
            ModelKind::OneHiddenLayer => match &c.activation {
                Some(Activation::LeakyRelu(a)) => Family::OneHidden { slope: a.clone() },
                None => {
                    return Err(c
                        .error("model.activation", "missing activation")
                        .to_string())
                }
            },
            ModelKind::L2Regularized => Family::L2 {
                lambda: c
                    .lambda
                    .clone()
                    .ok_or_else(|| c.error("model.lambda", "missing lambda").to_string())?,
                mask: c.mask.clone(),
            },
        })
    }

    /// The case-file name of the family (`model.kind`).
    pub fn kind(&self) -> ModelKind {
        match self {
            Family::Linear => ModelKind::Linear,
            Family::Residual => ModelKind::Residual,
            Family::OneHidden { .. } => ModelKind::OneHiddenLayer,
            Family::L2 { .. } => ModelKind::L2Regularized,
        }
    }

    /// The loss as a formula in the parameters the point gives, with the family's constants.
    pub fn loss_formula(&self) -> String {
        match self {
            Family::Linear => "f(W) = ½‖W_L⋯W_1 X − Y‖²_F".into(),
            Family::Residual => "f(A) = ½‖(I + A_L)⋯(I + A_1) X − Y‖²_F".into(),
            Family::OneHidden { slope } => format!(
                "f(W) = ½‖W_2 σ(W_1 X) − Y‖²_F, σ(t) = t (t ≥ 0), a·t (t < 0), a = {}",
                q_to_string(slope)
            ),
            Family::L2 { lambda, mask } => format!(
                "F(W) = ½{} + (λ/2) Σ_k ‖W_k‖²_F, λ = {}",
                if mask.is_some() {
                    "Σ_{observed (i,j)} (W_L⋯W_1 X − Y)²_ij"
                } else {
                    "‖W_L⋯W_1 X − Y‖²_F"
                },
                q_to_string(lambda)
            ),
        }
    }
}

/// A family at an exact parameter point with its data, where the loss has a Hessian.
#[derive(Clone, Debug)]
pub struct ModelPoint {
    /// The family.
    pub family: Family,
    /// The parameters: W_1 … W_L, or A_1 … A_L for the residual network.
    pub params: Vec<Mat<BigRational>>,
    /// X (d_0 × n).
    pub x: Mat<BigRational>,
    /// Y (d_L × n).
    pub y: Mat<BigRational>,
    /// One hidden layer: whether each entry of W_1 X is negative, decided exactly.
    negative: Option<Mat<bool>>,
}

impl ModelPoint {
    /// The family at `params`, or why its Hessian does not exist there: for the one-hidden-layer
    /// network with a ≠ 1, every entry (W_1 X)_ij = 0 is a kink of the leaky ReLU, listed as
    /// (layer 1, row i, sample j), 1-based.
    pub fn new(
        family: Family,
        params: Vec<Mat<BigRational>>,
        x: Mat<BigRational>,
        y: Mat<BigRational>,
    ) -> Result<ModelPoint, String> {
        let negative = match &family {
            Family::OneHidden { slope } => {
                if params.len() != 2 {
                    return Err(format!(
                        "a one-hidden-layer network has two layers, the point has {}",
                        params.len()
                    ));
                }
                let pre = mat::matmul(&Exact, &params[0], &x);
                let kinks: Vec<String> = (0..pre.rows())
                    .flat_map(|i| (0..pre.cols()).map(move |j| (i, j)))
                    .filter(|&(i, j)| pre.at(i, j).is_zero())
                    .map(|(i, j)| format!("(layer 1, row {}, sample {})", i + 1, j + 1))
                    .collect();
                if !kinks.is_empty() && !slope.is_one() {
                    return Err(format!(
                        "the leaky ReLU (slope {}) has a kink at this point: the pre-activation \
                         W_1 X is exactly 0 at {}; the loss has no Hessian there, so λ_max is not \
                         defined (dlncheck does not substitute a one-sided Hessian)",
                        q_to_string(slope),
                        kinks.join(", ")
                    ));
                }
                Some(pre.map(|t| t.is_negative()))
            }
            _ => None,
        };
        Ok(ModelPoint {
            family,
            params,
            x,
            y,
            negative,
        })
    }

    /// The case's own model at its `point.weights`.
    pub fn of_case(c: &Case) -> Result<ModelPoint, String> {
        let params = c.point.clone().ok_or_else(|| {
            c.error("point", "the sharpness command needs point.weights")
                .to_string()
        })?;
        ModelPoint::new(Family::of_case(c)?, params, c.x.clone(), c.y.clone())
            .map_err(|e| c.error("point.weights", e).to_string())
    }

    /// The parameter count P.
    pub fn param_count(&self) -> usize {
        self.params.iter().map(|w| w.rows() * w.cols()).sum()
    }

    /// The same network as a linear network point with the same loss and Hessian, for the
    /// linear network's kernels (KP operator, Hessian-vector products): the point itself for the
    /// linear family, W_k = I + A_k for the residual one, `None` for the others.
    pub fn linear_network(&self) -> Option<Point> {
        let weights = match self.family {
            Family::Linear => self.params.clone(),
            Family::Residual => residual::layers(&Exact, &self.params),
            _ => return None,
        };
        Some(Point {
            weights,
            x: self.x.clone(),
            y: self.y.clone(),
            exact: true,
            origin: "the case's point".into(),
        })
    }

    /// The family's loss at the point, in arithmetic `f`.
    pub fn loss<F: Field>(&self, f: &F) -> F::T {
        let ps = self.params_in(f);
        let (x, y) = (mat::from_exact(f, &self.x), mat::from_exact(f, &self.y));
        match &self.family {
            Family::Linear => linear::loss(f, &linear::evaluate(f, &ps, &x, &y)),
            Family::Residual => residual::loss(f, &ps, &x, &y),
            Family::OneHidden { slope } => {
                one_hidden::loss(f, &self.one_hidden_evaluated(f, slope, &ps, &x, &y))
            }
            Family::L2 { lambda, mask } => l2::loss(f, &self.l2_problem(f, lambda, mask), &ps),
        }
    }

    /// The family's Hessian at the point (P × P, layer blocks in order, each row-major), in
    /// arithmetic `f`.
    pub fn hessian<F: Field>(&self, f: &F) -> Mat<F::T> {
        let ps = self.params_in(f);
        let (x, y) = (mat::from_exact(f, &self.x), mat::from_exact(f, &self.y));
        match &self.family {
            Family::Linear => linear::hessian(f, &ps, &linear::evaluate(f, &ps, &x, &y)),
            Family::Residual => residual::hessian(f, &ps, &x, &y),
            Family::OneHidden { slope } => {
                let a = f.embed(slope);
                let ev = self.one_hidden_evaluated(f, slope, &ps, &x, &y);
                one_hidden::hessian(f, &ps, &a, &x, &ev)
                    .expect("the branch is decided exactly and has no kink (ModelPoint::new)")
            }
            Family::L2 { lambda, mask } => l2::hessian(f, &self.l2_problem(f, lambda, mask), &ps),
        }
    }

    /// The parameters in arithmetic `f`.
    fn params_in<F: Field>(&self, f: &F) -> Vec<Mat<F::T>> {
        self.params.iter().map(|w| mat::from_exact(f, w)).collect()
    }

    /// The one-hidden-layer network evaluated on the exactly decided branch.
    fn one_hidden_evaluated<F: Field>(
        &self,
        f: &F,
        slope: &BigRational,
        ps: &[Mat<F::T>],
        x: &Mat<F::T>,
        y: &Mat<F::T>,
    ) -> one_hidden::Evaluated<F::T> {
        let negative = self
            .negative
            .as_ref()
            .expect("ModelPoint::new decides the branch of a one-hidden-layer point");
        one_hidden::evaluate_on_branch(f, ps, &f.embed(slope), x, y, negative)
    }

    /// The L2 problem (data, λ, mask) in arithmetic `f`.
    fn l2_problem<F: Field>(
        &self,
        f: &F,
        lambda: &BigRational,
        mask: &Option<Mat<BigRational>>,
    ) -> l2::Problem<F::T> {
        l2::Problem {
            x: self.x.clone(),
            y: self.y.clone(),
            lambda: lambda.clone(),
            mask: mask.clone(),
        }
        .embed(f)
    }
}

/// The Hessian of the family's loss, as a matrix [`crate::certify::lambda_max`] can build in
/// every arithmetic (exact at the point's rational parameters).
impl SymmetricSource for ModelPoint {
    fn build<F: Field>(&self, f: &F) -> Mat<F::T> {
        self.hessian(f)
    }
    fn is_exact(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certify::sources::HessianAt;

    use crate::enumerate::minimizers::tests::q;

    fn m(r: usize, c: usize, v: &[i64]) -> Mat<BigRational> {
        Mat::from_vec(r, c, v.iter().map(|&k| q(k, 1)).collect())
    }

    #[test]
    fn residual_is_the_linear_network_at_identity_plus_a() {
        let a = vec![m(2, 2, &[1, 0, 2, -1]), m(2, 2, &[0, 1, 1, 1])];
        let (x, y) = (mat::identity(&Exact, 2), m(2, 2, &[3, 0, 1, 2]));
        let p = ModelPoint::new(Family::Residual, a, x, y).unwrap();
        let lin = p.linear_network().unwrap();
        assert_eq!(p.hessian(&Exact), HessianAt(&lin).build(&Exact));
        assert_eq!(
            p.loss(&Exact),
            linear::loss(
                &Exact,
                &linear::evaluate(&Exact, &lin.weights, &lin.x, &lin.y)
            )
        );
    }

    #[test]
    fn l2_adds_lambda_on_every_diagonal_entry() {
        let w = vec![m(1, 2, &[1, 2]), m(1, 1, &[3])];
        let (x, y) = (mat::identity(&Exact, 2), m(1, 2, &[1, 1]));
        let lin = ModelPoint::new(Family::Linear, w.clone(), x.clone(), y.clone()).unwrap();
        let fam = Family::L2 {
            lambda: q(1, 10),
            mask: None,
        };
        assert!(fam.loss_formula().contains("(λ/2)"));
        let reg = ModelPoint::new(fam, w, x, y).unwrap();
        let (h, g) = (lin.hessian(&Exact), reg.hessian(&Exact));
        for i in 0..3 {
            for j in 0..3 {
                let extra = if i == j { q(1, 10) } else { q(0, 1) };
                assert_eq!(g.at(i, j), &(h.at(i, j) + extra));
            }
        }
        // (λ/2)(1 + 4 + 9) on top of the data term
        assert_eq!(reg.loss(&Exact) - lin.loss(&Exact), q(7, 10));
        assert!(reg.linear_network().is_none());
    }

    #[test]
    fn a_kink_is_refused_with_its_entries_named() {
        let w = vec![m(2, 1, &[1, 0]), m(1, 2, &[1, 1])];
        let (x, y) = (m(1, 2, &[0, 2]), m(1, 2, &[1, 1]));
        let fam = Family::OneHidden { slope: q(1, 10) };
        let e = ModelPoint::new(fam, w.clone(), x.clone(), y.clone()).unwrap_err();
        assert!(e.contains("(layer 1, row 1, sample 1)"), "{e}");
        assert!(e.contains("(layer 1, row 2, sample 1)"), "{e}");
        assert!(e.contains("(layer 1, row 2, sample 2)"), "{e}");
        assert!(!e.contains("row 1, sample 2"), "{e}");
        // slope 1: σ is the identity, no kink
        let fam = Family::OneHidden { slope: q(1, 1) };
        assert!(ModelPoint::new(fam, w, x, y).is_ok());
    }
}
