//! The loss of a deep linear network and its derivatives, from exact evaluations only.
//!
//! f(θ) = ½‖W_L⋯W_1 X − Y‖²_F, where θ lists the entries of W_1, then W_2, …, each row by row.
//! Along a direction v, g_v(t) = f(θ + t v) is a polynomial of degree ≤ 2L (the product is of
//! degree ≤ L in t), so its 2L + 1 values at t = 0, 1, …, 2L determine it exactly; Newton's
//! divided differences give its coefficients c_0, …, c_2L. Then g_v'(0) = c_1 is the directional
//! derivative ⟨∇f, v⟩ and g_v''(0) = 2c_2 = vᵀ∇²f v. Gradient entries are c_1 along the
//! coordinate directions e_a; the Hessian diagonal is 2c_2 along e_a and, by polarization,
//! H_ab = ½[(e_a+e_b)ᵀH(e_a+e_b) − H_aa − H_bb].

use super::rational::{Mat, Q};
use num_traits::{One, Zero};
use std::cell::OnceCell;

/// The problem of a certificate: weights W_1 … W_L (W_k is d_k × d_{k−1}), X (d_0 × n) and
/// Y (d_L × n), with shapes already checked to chain.
#[derive(Clone, Debug)]
pub(crate) struct Network {
    /// W_1, …, W_L.
    pub weights: Vec<Mat>,
    /// The inputs X.
    pub x: Mat,
    /// The targets Y.
    pub y: Mat,
}

impl Network {
    /// The number of layers L.
    pub(crate) fn depth(&self) -> usize {
        self.weights.len()
    }

    /// The number of parameters P = Σ_k d_k d_{k−1}.
    pub(crate) fn num_params(&self) -> usize {
        self.weights.iter().map(|w| w.rows() * w.cols()).sum()
    }

    /// θ: the entries of W_1, W_2, … row by row.
    pub(crate) fn theta(&self) -> Vec<Q> {
        self.weights
            .iter()
            .flat_map(|w| w.data().iter().cloned())
            .collect()
    }

    /// The weights with parameters `theta` (same shapes as `self.weights`).
    pub(crate) fn reshape(&self, theta: &[Q]) -> Vec<Mat> {
        let mut out = Vec::with_capacity(self.weights.len());
        let mut at = 0;
        for w in &self.weights {
            let n = w.rows() * w.cols();
            out.push(Mat::from_data(
                w.rows(),
                w.cols(),
                theta[at..at + n].to_vec(),
            ));
            at += n;
        }
        out
    }

    /// (layer k 1-based, row, column) of parameter index `a`.
    pub(crate) fn locate(&self, mut a: usize) -> (usize, usize, usize) {
        for (k, w) in self.weights.iter().enumerate() {
            let n = w.rows() * w.cols();
            if a < n {
                return (k + 1, a / w.cols(), a % w.cols());
            }
            a -= n;
        }
        panic!("parameter index out of range");
    }

    /// f = ½‖W_L⋯W_1 X − Y‖²_F for the given weights.
    pub(crate) fn loss_of(&self, weights: &[Mat]) -> Q {
        let mut m = self.x.clone();
        for w in weights {
            m = w.mul(&m);
        }
        m.sub(&self.y).frobenius_sq() / Q::from_integer(2.into())
    }

    /// A_k = W_L⋯W_{k+1} (k 1-based; A_L = I).
    pub(crate) fn above(&self, k: usize) -> Mat {
        let mut a = Mat::identity(self.weights[k - 1].rows());
        for w in &self.weights[k..] {
            a = w.mul(&a);
        }
        a
    }

    /// B_k X = W_{k−1}⋯W_1 X (k 1-based; B_1 X = X).
    pub(crate) fn below_x(&self, k: usize) -> Mat {
        let mut b = self.x.clone();
        for w in &self.weights[..k - 1] {
            b = w.mul(&b);
        }
        b
    }
}

/// The coefficients c_0, …, c_{n−1} of the polynomial of degree < n through (i, `values[i]`),
/// i = 0 … n−1: Newton's divided differences on the nodes 0, 1, …, n−1, then the Newton form
/// a_0 + (t−0)(a_1 + (t−1)(a_2 + …)) expanded into powers of t.
pub(crate) fn interpolate(values: &[Q]) -> Vec<Q> {
    let n = values.len();
    // Divided differences in place: after step j, dd[i] = f[i−j, …, i] for i ≥ j.
    let mut dd = values.to_vec();
    for j in 1..n {
        let width = Q::from_integer((j as i64).into());
        for i in (j..n).rev() {
            dd[i] = (&dd[i] - &dd[i - 1]) / &width;
        }
    }
    // Horner on the Newton form: p ← p·(t − x_i) + a_i for i = n−1 … 0.
    let mut p: Vec<Q> = Vec::with_capacity(n);
    for i in (0..n).rev() {
        let node = Q::from_integer((i as i64).into());
        // p·(t − node)
        let mut next = vec![Q::zero(); p.len() + 1];
        for (j, c) in p.iter().enumerate() {
            next[j + 1] += c;
            next[j] -= c * &node;
        }
        next[0] += &dd[i];
        p = next;
    }
    p.resize(n, Q::zero());
    p
}

/// The loss landscape around the certificate's point, with cached derivatives.
pub(crate) struct Landscape {
    /// The problem.
    pub net: Network,
    theta: Vec<Q>,
    f0: Q,
    /// g_{e_a} coefficients for every coordinate a.
    axis: OnceCell<Vec<Vec<Q>>>,
    hessian: OnceCell<Mat>,
}

impl Landscape {
    /// The landscape of `net` at its own weights.
    pub(crate) fn new(net: Network) -> Landscape {
        let f0 = net.loss_of(&net.weights);
        Landscape {
            theta: net.theta(),
            net,
            f0,
            axis: OnceCell::new(),
            hessian: OnceCell::new(),
        }
    }

    /// f(θ).
    pub(crate) fn loss(&self) -> &Q {
        &self.f0
    }

    /// The coefficients c_0 … c_{2L} of g_v(t) = f(θ + t v), interpolated from t = 0 … 2L.
    /// `v` is a full parameter vector (length P).
    pub(crate) fn curve(&self, v: &[Q]) -> Vec<Q> {
        assert_eq!(v.len(), self.theta.len());
        let points = 2 * self.net.depth() + 1;
        let mut values = Vec::with_capacity(points);
        values.push(self.f0.clone());
        for t in 1..points {
            let t = Q::from_integer((t as i64).into());
            let moved: Vec<Q> = self
                .theta
                .iter()
                .zip(v)
                .map(|(a, b)| if b.is_zero() { a.clone() } else { a + &t * b })
                .collect();
            values.push(self.net.loss_of(&self.net.reshape(&moved)));
        }
        interpolate(&values)
    }

    /// The unit vector e_a (plus e_b when given) of length P.
    fn unit(&self, a: usize, b: Option<usize>) -> Vec<Q> {
        let mut v = vec![Q::zero(); self.theta.len()];
        v[a] = Q::one();
        if let Some(b) = b {
            v[b] += Q::one();
        }
        v
    }

    /// g_{e_a} for every coordinate a (cached).
    fn axis(&self) -> &[Vec<Q>] {
        self.axis.get_or_init(|| {
            (0..self.theta.len())
                .map(|a| self.curve(&self.unit(a, None)))
                .collect()
        })
    }

    /// ∇f: entry a is g_{e_a}'(0) = c_1.
    pub(crate) fn gradient(&self) -> Vec<Q> {
        self.axis().iter().map(|c| c[1].clone()).collect()
    }

    /// ∇f reshaped as the matrices ∇_1 f, …, ∇_L f (shapes of the weights).
    pub(crate) fn gradient_matrices(&self) -> Vec<Mat> {
        self.net.reshape(&self.gradient())
    }

    /// vᵀ∇²f v = g_v''(0) = 2 c_2.
    pub(crate) fn curvature(&self, v: &[Q]) -> Q {
        Q::from_integer(2.into()) * &self.curve(v)[2]
    }

    /// ∇²f (P × P, cached): H_aa = 2c_2 along e_a; H_ab by polarization along e_a + e_b.
    pub(crate) fn hessian(&self) -> &Mat {
        self.hessian.get_or_init(|| {
            let p = self.theta.len();
            let two = Q::from_integer(2.into());
            let diag: Vec<Q> = self.axis().iter().map(|c| &two * &c[2]).collect();
            let mut h = Mat::zeros(p, p);
            for a in 0..p {
                *h.at_mut(a, a) = diag[a].clone();
                for b in a + 1..p {
                    let both = self.curvature(&self.unit(a, Some(b)));
                    let hab = (both - &diag[a] - &diag[b]) / &two;
                    *h.at_mut(a, b) = hab.clone();
                    *h.at_mut(b, a) = hab;
                }
            }
            h
        })
    }

    /// tr ∇²f = Σ_a H_aa, from the interpolated diagonal only.
    pub(crate) fn trace_hessian(&self) -> Q {
        let two = Q::from_integer(2.into());
        self.axis().iter().map(|c| &two * &c[2]).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::rational::parse_exact;
    use super::*;

    fn q(s: &str) -> Q {
        parse_exact(s).unwrap()
    }

    fn mat(rows: &[&[&str]]) -> Mat {
        let r = rows.len();
        let c = rows[0].len();
        Mat::from_data(
            r,
            c,
            rows.iter()
                .flat_map(|row| row.iter().map(|s| q(s)))
                .collect(),
        )
    }

    #[test]
    fn interpolation_recovers_coefficients() {
        // p(t) = 3 − t/2 + 0·t² + 7/3·t³ − 2t⁴
        let coeffs = [q("3"), q("-1/2"), q("0"), q("7/3"), q("-2")];
        let values: Vec<Q> = (0..5)
            .map(|t| {
                let t = Q::from_integer(t.into());
                coeffs.iter().rev().fold(Q::zero(), |acc, c| acc * &t + c)
            })
            .collect();
        assert_eq!(interpolate(&values), coeffs.to_vec());
        // Degree lower than the number of points: the top coefficients come out zero.
        assert_eq!(
            interpolate(&[q("1"), q("1"), q("1")]),
            vec![q("1"), q("0"), q("0")]
        );
    }

    /// Depth-3 diagonal network at a zero-loss point: H = JᵀJ decouples by output entry (i, j),
    /// with block c cᵀ, c = (a_1i b_1j, a_2i b_2j, a_3i b_3j).
    fn diagonal() -> Landscape {
        Landscape::new(Network {
            weights: vec![
                mat(&[&["1/3", "0"], &["0", "1/2"]]),
                mat(&[&["3", "0"], &["0", "1"]]),
                mat(&[&["1", "0"], &["0", "2"]]),
            ],
            x: Mat::identity(2),
            y: Mat::identity(2),
        })
    }

    #[test]
    fn hessian_of_the_diagonal_network() {
        let l = diagonal();
        assert_eq!(l.loss(), &q("0"));
        assert!(l.gradient().iter().all(|g| g.is_zero()));
        let h = l.hessian();
        assert_eq!(h.rows(), 12);
        // Entry (1,1) of the product involves θ_0 (W_1[0][0]), θ_4 (W_2[0][0]), θ_8 (W_3[0][0])
        // with c = (3, 1/3, 1): H restricted there is c cᵀ.
        let c = [(0, q("3")), (4, q("1/3")), (8, q("1"))];
        for (a, ca) in &c {
            for (b, cb) in &c {
                assert_eq!(h.at(*a, *b), &(ca * cb), "H[{a}][{b}]");
            }
        }
        // Entry (1,2) of the product: θ_1, θ_5, θ_9 with c = (3, 1/2, 1/2); unrelated blocks 0.
        assert_eq!(h.at(1, 5), &q("3/2"));
        assert_eq!(h.at(5, 9), &q("1/4"));
        assert_eq!(h.at(0, 1), &q("0"));
        assert_eq!(h.at(4, 9), &q("0"));
        // tr H = 91/9 + 19/2 + 49/9 + 21/4.
        assert_eq!(l.trace_hessian(), q("1091/36"));
        assert_eq!(h.trace(), q("1091/36"));
        let mut v = vec![q("0"); 12];
        v[0] = q("3");
        v[4] = q("1/3");
        v[8] = q("1");
        // vᵀHv = ‖c‖⁴ = (91/9)².
        assert_eq!(l.curvature(&v), q("8281/81"));
    }

    #[test]
    fn gradient_matches_the_closed_form() {
        // ∇_k f = A_kᵀ (W_L⋯W_1 X − Y) (B_k X)ᵀ at a non-critical point.
        let net = Network {
            weights: vec![
                mat(&[&["1", "-2", "1/2"], &["0", "3", "1"]]),
                mat(&[&["2/3", "1"], &["-1", "1/4"]]),
            ],
            x: mat(&[&["1", "0"], &["2", "-1"], &["1/3", "1"]]),
            y: mat(&[&["1", "2"], &["-3", "1/2"]]),
        };
        let l = Landscape::new(net.clone());
        let mut prod = net.x.clone();
        for w in &net.weights {
            prod = w.mul(&prod);
        }
        let r = prod.sub(&net.y);
        assert_eq!(l.loss(), &(r.frobenius_sq() / q("2")));
        let grads = l.gradient_matrices();
        for k in 1..=2 {
            let expect = net
                .above(k)
                .transpose()
                .mul(&r)
                .mul(&net.below_x(k).transpose());
            assert_eq!(grads[k - 1], expect, "layer {k}");
        }
        assert_eq!(net.locate(0), (1, 0, 0));
        assert_eq!(net.locate(5), (1, 1, 2));
        assert_eq!(net.locate(6), (2, 0, 0));
    }
}
