//! The three network kinds of \[ZL\] behind one interface: the loss and gradient in any arithmetic,
//! the layers whose σ_min enter the bounds, and the constraint whose zero set is the set of global
//! minimizers (claims.md, ZL-minimizers), all at exact parameter points. The \[ZL\] claims build
//! the problem of a case, checking its setting.
//!
//! Parameters: linear W_1 … W_L; residual A_1 … A_L with W_k = I + A_k; one-hidden-layer
//! (W_1, W_2). Every layer is square (d × d) and X has full row rank; for the one-hidden-layer
//! network X is square and invertible, so f* = 0.

use crate::linalg::mat::{self, Mat};
use crate::linalg::{Exact, Field};
use crate::model::{linear, one_hidden, residual};
use num_rational::BigRational;
use num_traits::Zero;

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
