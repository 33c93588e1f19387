//! The three network kinds of \[ZL\] behind one interface: the loss and gradient in any arithmetic,
//! the layers whose σ_min enter the bounds, and the constraint whose zero set is the set of global
//! minimizers (claims.md, ZL-minimizers), all at exact parameter points.
//!
//! Parameters: linear W_1 … W_L; residual A_1 … A_L with W_k = I + A_k; one-hidden-layer
//! (W_1, W_2). Every layer is square (d × d) and X has full row rank; for the one-hidden-layer
//! network X is square and invertible, so f* = 0.

use crate::case::{Activation, Case, ModelKind};
use crate::enumerate::minimizers::target_map;
use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Field};
use crate::model::{linear, one_hidden, residual};
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// Exact rational matrices.
pub type Q = BigRational;
/// One parameter point (one matrix per layer).
pub type Params = Vec<Mat<Q>>;

/// The network family with its constants.
#[derive(Clone, Debug, PartialEq)]
pub enum Net {
    /// W_L ⋯ W_1; Φ = Y Xᵀ (X Xᵀ)⁻¹ is the optimal product.
    Linear {
        /// Φ
        phi: Mat<Q>,
    },
    /// (I + A_L) ⋯ (I + A_1); the same Φ.
    Residual {
        /// Φ
        phi: Mat<Q>,
    },
    /// W_2 σ(W_1 X) with the leaky ReLU of slope a.
    OneHidden {
        /// a
        slope: Q,
    },
}

/// A \[ZL\] problem: the network, the data and the global minimum value f*.
#[derive(Clone, Debug)]
pub struct ZlProblem {
    /// The family.
    pub net: Net,
    /// X (d × n).
    pub x: Mat<Q>,
    /// Y (d × n).
    pub y: Mat<Q>,
    /// f* = min f: ½‖ΦX − Y‖² for the linear and residual networks, 0 for the one-hidden-layer one.
    pub f_star: Q,
    /// The common width d.
    pub width: usize,
    /// The number of layers L.
    pub depth: usize,
}

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

    /// The model kind's name in certificates.
    pub fn kind_name(&self) -> &'static str {
        match self.net {
            Net::Linear { .. } => "linear",
            Net::Residual { .. } => "residual",
            Net::OneHidden { .. } => "one-hidden-layer",
        }
    }

    /// The slope a (one-hidden-layer only).
    pub fn slope(&self) -> Option<&Q> {
        match &self.net {
            Net::OneHidden { slope } => Some(slope),
            _ => None,
        }
    }

    /// (f, ∇f) at `params` in arithmetic `f` (the parameters rounded into it).
    pub fn loss_and_gradient<F: Field>(&self, f: &F, params: &[Mat<Q>]) -> (F::T, Vec<Mat<F::T>>) {
        let p: Vec<Mat<F::T>> = params.iter().map(|m| mat::from_exact(f, m)).collect();
        let (x, y) = (mat::from_exact(f, &self.x), mat::from_exact(f, &self.y));
        match &self.net {
            Net::Linear { .. } => {
                let ev = linear::evaluate(f, &p, &x, &y);
                (linear::loss(f, &ev), linear::gradient(f, &ev))
            }
            Net::Residual { .. } => {
                let ev = residual::evaluate(f, &p, &x, &y);
                (linear::loss(f, &ev), linear::gradient(f, &ev))
            }
            Net::OneHidden { slope } => {
                let a = f.embed(slope);
                let ev = one_hidden::evaluate(f, &p, &a, &x, &y);
                (
                    one_hidden::loss(f, &ev),
                    one_hidden::gradient(f, &p, &x, &ev),
                )
            }
        }
    }

    /// The layers W_k the bounds take σ_min of: the weights (linear, one-hidden-layer) or I + A_k.
    pub fn layers(&self, params: &[Mat<Q>]) -> Params {
        self.layers_in(&Exact, params)
    }

    /// [`Self::layers`] in arithmetic `f`.
    fn layers_in<F: Field>(&self, f: &F, params: &[Mat<F::T>]) -> Vec<Mat<F::T>> {
        match self.net {
            Net::Residual { .. } => residual::layers(f, params),
            _ => params.to_vec(),
        }
    }

    /// The hidden activations σ(W_1 X) (one-hidden-layer only).
    pub fn hidden(&self, params: &[Mat<Q>]) -> Option<Mat<Q>> {
        self.slope()
            .map(|a| one_hidden::evaluate(&Exact, params, a, &self.x, &self.y).hidden)
    }

    /// The constraint c(W) whose zeros are exactly the global minimizers: P − Φ (linear, residual:
    /// f − f* = ½‖(P − Φ)X‖² and X has full row rank) or W_2 σ(W_1 X) − Y (one-hidden-layer, f* = 0).
    pub fn constraint(&self, params: &[Mat<Q>]) -> Mat<Q> {
        self.constraint_in(&Exact, params)
    }

    /// [`Self::constraint`] in arithmetic `f`.
    pub fn constraint_in<F: Field>(&self, f: &F, params: &[Mat<F::T>]) -> Mat<F::T> {
        match &self.net {
            Net::Linear { phi } | Net::Residual { phi } => {
                let w = self.layers_in(f, params);
                let p = linear::Partials::new(f, &w);
                mat::sub(f, p.product(), &mat::from_exact(f, phi))
            }
            Net::OneHidden { slope } => {
                let (x, y) = (mat::from_exact(f, &self.x), mat::from_exact(f, &self.y));
                one_hidden::evaluate(f, params, &f.embed(slope), &x, &y).residual
            }
        }
    }

    /// The Jacobian of [`Self::constraint`] as a matrix (constraint entries × parameters, both
    /// row-major): columns J e_a, with J(V) = Σ_k W_{L:k+1} V_k W_{k−1:1} (linear, residual) or
    /// V_2 H + W_2 (D ⊙ V_1 X) (one-hidden-layer, right derivative at kinks).
    pub fn jacobian(&self, params: &[Mat<Q>]) -> Mat<Q> {
        self.jacobian_in(&Exact, params)
    }

    /// [`Self::jacobian`] in arithmetic `f`.
    pub fn jacobian_in<F: Field>(&self, f: &F, params: &[Mat<F::T>]) -> Mat<F::T> {
        let d = self.width;
        let per = d * d;
        let total = per * params.len();
        let unit = |r: usize| -> Mat<F::T> {
            Mat::from_fn(d, d, |i, j| if i * d + j == r { f.one() } else { f.zero() })
        };
        let cols: Vec<Mat<F::T>> = match &self.net {
            Net::Linear { .. } | Net::Residual { .. } => {
                let w = self.layers_in(f, params);
                let pt = linear::Partials::new(f, &w);
                (0..total)
                    .map(|a| {
                        let (k, r) = (a / per, a % per);
                        mat::matmul(f, &mat::matmul(f, pt.above(k), &unit(r)), pt.below(k))
                    })
                    .collect()
            }
            Net::OneHidden { slope } => {
                let (x, y) = (mat::from_exact(f, &self.x), mat::from_exact(f, &self.y));
                let ev = one_hidden::evaluate(f, params, &f.embed(slope), &x, &y);
                (0..total)
                    .map(|a| {
                        let v: Vec<Mat<F::T>> = (0..params.len())
                            .map(|k| {
                                if k == a / per {
                                    unit(a % per)
                                } else {
                                    mat::zeros(f, d, d)
                                }
                            })
                            .collect();
                        one_hidden::jvp(f, params, &x, &ev, &v)
                    })
                    .collect()
            }
        };
        let rows = cols[0].rows() * cols[0].cols();
        Mat::from_fn(rows, total, |i, a| cols[a].as_slice()[i].clone())
    }
}

/// Flatten parameters into θ (layer by layer, row-major).
pub fn flatten(p: &[Mat<Q>]) -> Vec<Q> {
    p.iter().flat_map(|m| m.as_slice().to_vec()).collect()
}

/// The parameters with the shapes of `like` and entries θ.
pub fn unflatten(like: &[Mat<Q>], theta: &[Q]) -> Params {
    let mut at = 0;
    like.iter()
        .map(|m| {
            let n = m.rows() * m.cols();
            let out = Mat::from_vec(m.rows(), m.cols(), theta[at..at + n].to_vec());
            at += n;
            out
        })
        .collect()
}

/// ⟨U, V⟩ summed over the layers.
pub fn inner(u: &[Mat<Q>], v: &[Mat<Q>]) -> Q {
    u.iter()
        .zip(v)
        .fold(Q::zero(), |acc, (a, b)| acc + mat::inner(&Exact, a, b))
}

/// U − V layer by layer.
pub fn diff(u: &[Mat<Q>], v: &[Mat<Q>]) -> Params {
    u.iter()
        .zip(v)
        .map(|(a, b)| mat::sub(&Exact, a, b))
        .collect()
}

/// U + s V layer by layer.
pub fn axpy(u: &[Mat<Q>], s: &Q, v: &[Mat<Q>]) -> Params {
    u.iter()
        .zip(v)
        .map(|(a, b)| mat::add(&Exact, a, &mat::scale(&Exact, s, b)))
        .collect()
}
