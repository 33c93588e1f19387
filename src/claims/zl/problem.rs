//! The \[ZL\] problem of a case ([`ZlProblem`]): the setting the ZL claims need, checked field
//! by field, and the global minimum value f*.

use crate::case::{Activation, Case, ModelKind};
use crate::enumerate::minimizers::target_map;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::model::zl::{Net, ZlProblem, Q};
use num_traits::{Signed, Zero};

impl ZlProblem {
    /// Build the problem of a case, or explain (naming the field) why the \[ZL\] setting (square
    /// layers, X of full row rank, Φ invertible so full-rank minimizers exist; for the nonlinear
    /// network X square invertible and a > 0) does not apply.
    pub fn from_case(c: &Case) -> Result<ZlProblem, (String, String)> {
        let d = c.dims[0];
        if c.dims.iter().any(|&w| w != d) {
            return Err((
                "model.dims".into(),
                "the ZL claims concern square layers: every width must be equal".into(),
            ));
        }
        let phi_of = || -> Result<Mat<Q>, (String, String)> {
            let phi = target_map(&c.x, &c.y)
                .ok_or_else(|| ("data.x".to_string(), "X Xᵀ is singular".to_string()))?;
            if mat::rank_exact(&phi) < d {
                return Err((
                    "data.y".into(),
                    "Φ = Y Xᵀ(X Xᵀ)⁻¹ is singular, so no global minimizer has full-rank layers"
                        .into(),
                ));
            }
            Ok(phi)
        };
        let net = match c.kind {
            ModelKind::Linear => Net::Linear { phi: phi_of()? },
            ModelKind::Residual => Net::Residual { phi: phi_of()? },
            ModelKind::OneHiddenLayer => {
                let Some(Activation::LeakyRelu(a)) = &c.activation else {
                    return Err(("model.activation".into(), "missing activation".into()));
                };
                if !a.is_positive() {
                    return Err((
                        "model.activation.leaky_relu".into(),
                        "the ZL claims need a leaky ReLU slope a > 0".into(),
                    ));
                }
                if c.x.cols() != d || mat::rank_exact(&c.x) < d {
                    return Err((
                        "data.x".into(),
                        "the one-hidden-layer ZL claims need X square and invertible (so f* = 0)"
                            .into(),
                    ));
                }
                Net::OneHidden { slope: a.clone() }
            }
            ModelKind::L2Regularized => {
                return Err((
                    "model.kind".into(),
                    "the ZL claims concern linear, residual and one-hidden-layer networks".into(),
                ))
            }
        };
        let f_star = match &net {
            Net::Linear { phi } | Net::Residual { phi } => {
                let r = mat::sub(&Exact, &mat::matmul(&Exact, phi, &c.x), &c.y);
                mat::frob2(&Exact, &r) / Q::from_integer(2.into())
            }
            Net::OneHidden { .. } => Q::zero(),
        };
        Ok(ZlProblem {
            net,
            x: c.x.clone(),
            y: c.y.clone(),
            f_star,
            width: d,
            depth: c.depth(),
        })
    }
}
