//! The linear-regression structure behind the [AMG] claims, recomputed exactly from a
//! certificate's problem, with no eigenvalues: Σ_XX = XXᵀ (invertible), Φ = YXᵀΣ_XX⁻¹,
//! Σ = ΦΣ_XXΦᵀ, the product P = W_L⋯W_1, and the orthogonal projector Π = B(BᵀB)⁻¹Bᵀ onto the
//! column space of P (B = independent columns of P).
//!
//! - **Product form** (AMG-product). P = U_SU_SᵀΦ for some set S of eigenvectors of Σ iff P = ΠΦ
//!   and ΠΣ = ΣΠ. (⇐: range Π is Σ-invariant, so it is spanned by eigenvectors of Σ, and Π is
//!   the projector U_SU_Sᵀ on them. ⇒: P = Π′Φ with Π′ = U_SU_Sᵀ; range P = range(Π′Σ) is spanned
//!   by the u_j, j ∈ S, with λ_j ≠ 0, so Π commutes with Σ, and ΠΦ = ΠΠ′Φ = ΠP = P.) Then
//!   s = |S| = rk P, counting the eigenvectors with u_jᵀP ≠ 0.
//! - **The optimum f*** = min f = ½(‖Y‖²_F − Σ_{j≤k} λ_j(Σ)) with k = min(r, d_L), r = min_i d_i
//!   (reduced-rank regression, [AMG]). At a point with f(W) = q, f* ≤ q; f* ≥ q follows from Ky
//!   Fan's dual bound Σ_{j≤k} λ_j(Σ) ≤ k·t + tr Z for any t ∈ ℚ and Z ⪰ 0 with Z ⪰ Σ − tI (for a
//!   rank-k projector Q, tr QΣ = tr Q(Σ − tI) + kt ≤ tr QZ + kt ≤ tr Z + kt). We take
//!   Z = Π(Σ − tI)Π and look for t by bisection with exact LDLᵀ tests: Z ⪰ 0 holds for t ≤ the
//!   least eigenvalue of Σ on range Π, Z − Σ + tI ⪰ 0 for t ≥ the largest one on its complement
//!   (when Π commutes with Σ). Then k·t + tr Z ≤ ‖Y‖² − 2q proves f* ≥ q.
//! - **Top sets** (AMG-classify). S = {1, …, s} (the s largest eigenvalues) iff some t separates
//!   them: Π(Σ − tI)Π ⪰ 0 and (I − Π)(tI − Σ)(I − Π) ⪰ 0, found by the same bisection; when both
//!   tests fail at one t, λ_min(Σ on range Π) < t < λ_max(Σ on its complement), so S is not a
//!   top set. Bisection over dyadic t finds a separator whenever the two groups of eigenvalues
//!   are apart, or meet at a dyadic rational; a tie at another value is reported as undecided.

use super::ldlt::classify;
use super::loss::Network;
use super::rational::{Mat, Q};
use num_traits::{One, Zero};

/// Bisection steps: separates eigenvalue groups down to 2^(−MAX_STEPS)·(tr Σ + 1).
const MAX_STEPS: usize = 400;

/// The regression data of a linear network's certificate.
pub(super) struct Regression {
    /// d_L × d_L: Σ = ΦΣ_XXΦᵀ.
    sigma: Mat,
    /// d_L × d_0: Φ = YXᵀΣ_XX⁻¹.
    phi: Mat,
    /// The product P = W_L⋯W_1.
    product: Mat,
    /// The projector Π onto the column space of P.
    proj: Mat,
    /// rk P.
    rank: usize,
    /// k = min(r, d_L), r = min_i d_i.
    k: usize,
    /// ‖Y‖²_F = tr Σ_YY.
    y_sq: Q,
}

/// The result of looking for t with Π(Σ − tI)Π ⪰ 0 and the complementary test.
enum Separation {
    /// Such a t.
    Found(Q),
    /// Both tests fail at this t: no t can satisfy both.
    Impossible(Q),
    /// The bisection ran out of steps.
    Undecided,
}

impl Regression {
    /// The regression data, or why the [AMG] setting does not hold (Σ_XX singular).
    pub(super) fn new(net: &Network) -> Result<Regression, String> {
        let sxx = net.x.mul(&net.x.transpose());
        let inv = sxx
            .inverse()
            .ok_or("Σ_XX = XXᵀ is singular, outside the [AMG] setting")?;
        let phi = net.y.mul(&net.x.transpose()).mul(&inv);
        let sigma = phi.mul(&sxx).mul(&phi.transpose());
        let product = net
            .weights
            .iter()
            .skip(1)
            .fold(net.weights[0].clone(), |acc, w| w.mul(&acc));
        let cols = product.independent_columns();
        let b = product.columns(&cols);
        let proj = match b.transpose().mul(&b).inverse() {
            Some(g) => b.mul(&g).mul(&b.transpose()),
            None => Mat::zeros(product.rows(), product.rows()),
        };
        let r = net
            .weights
            .iter()
            .map(|w| w.rows())
            .chain([net.x.rows()])
            .min()
            .unwrap_or(0);
        Ok(Regression {
            k: r.min(net.y.rows()),
            rank: cols.len(),
            y_sq: net.y.frobenius_sq(),
            sigma,
            phi,
            product,
            proj,
        })
    }

    /// s = rk P.
    pub(super) fn rank(&self) -> usize {
        self.rank
    }

    /// k = min(r, d_L): the size of the optimal index set S*.
    pub(super) fn k(&self) -> usize {
        self.k
    }

    /// P = ΠΦ and ΠΣ = ΣΠ, i.e. P = U_SU_SᵀΦ for a set S of eigenvectors of Σ (AMG-product);
    /// otherwise which of the two fails.
    pub(super) fn product_form(&self) -> Result<(), String> {
        if self.proj.mul(&self.phi) != self.product {
            return Err("P ≠ ΠΦ (Π the projector onto range P)".into());
        }
        if self.proj.mul(&self.sigma) != self.sigma.mul(&self.proj) {
            return Err("ΠΣ ≠ ΣΠ: range P is not spanned by eigenvectors of Σ".into());
        }
        Ok(())
    }

    /// Π(Σ − tI)Π.
    fn inner(&self, t: &Q) -> Mat {
        let n = self.sigma.rows();
        let shifted = self.sigma.sub(&Mat::identity(n).scale(t));
        self.proj.mul(&shifted).mul(&self.proj)
    }

    /// Bisection for t with `low(t)` (true for all small t) and `high(t)` (true for all large t)
    /// both ⪰ 0.
    fn separate(&self, low: impl Fn(&Q) -> bool, high: impl Fn(&Q) -> bool) -> Separation {
        let (mut lo, mut hi) = (Q::zero(), self.sigma.trace() + Q::one());
        if low(&lo) && high(&lo) {
            return Separation::Found(lo);
        }
        let two = Q::from_integer(2.into());
        for _ in 0..MAX_STEPS {
            let t = (&lo + &hi) / &two;
            match (low(&t), high(&t)) {
                (true, true) => return Separation::Found(t),
                (false, false) => return Separation::Impossible(t),
                (false, true) => hi = t,
                (true, false) => lo = t,
            }
        }
        Separation::Undecided
    }

    /// Prove f* = q for a point where f(W) = q, by Ky Fan's bound (module documentation); the
    /// text names t and both sides of k·t + tr Z ≤ ‖Y‖² − 2q.
    pub(super) fn proves_optimum(&self, q: &Q) -> Result<String, String> {
        let budget = &self.y_sq - q * Q::from_integer(2.into());
        let n = self.sigma.rows();
        let kq = Q::from_integer(self.k.into());
        let bound = |t: &Q| kq.clone() * t + self.inner(t).trace();
        let z_psd = |t: &Q| classify(&self.inner(t)).is_psd();
        let dual_psd = |t: &Q| {
            let m = self
                .inner(t)
                .sub(&self.sigma)
                .add(&Mat::identity(n).scale(t));
            classify(&m).is_psd()
        };
        let t = if self.rank < self.k {
            // k·t + tr Z grows with t here (tr Z = tr ΠΣ − s·t): only t = 0 can be tight
            let z = Q::zero();
            if !(z_psd(&z) && dual_psd(&z)) {
                return Err(format!(
                    "rk P = {} < k = {} and t = 0 gives no dual certificate: f* < f",
                    self.rank, self.k
                ));
            }
            z
        } else {
            match self.separate(z_psd, dual_psd) {
                Separation::Found(t) => t,
                Separation::Impossible(t) => {
                    return Err(format!(
                        "no dual certificate: at t = {t} neither Z ⪰ 0 nor Z ⪰ Σ − tI"
                    ))
                }
                Separation::Undecided => {
                    return Err(format!(
                        "no dual certificate found in {MAX_STEPS} bisection steps"
                    ))
                }
            }
        };
        let b = bound(&t);
        if b <= budget {
            Ok(format!(
                "Ky Fan: Σ_(j≤{}) λ_j(Σ) ≤ k·t + tr Z = {b} ≤ ‖Y‖² − 2f = {budget} (t = {t}), so f* = f",
                self.k
            ))
        } else {
            Err(format!(
                "Ky Fan bound k·t + tr Z = {b} > ‖Y‖² − 2f = {budget} (t = {t}): f* = f not shown"
            ))
        }
    }

    /// Does Σ have a positive eigenvalue on the complement of range Π, i.e. (I − Π)Σ(I − Π) ≠ 0
    /// (Σ ⪰ 0)?
    pub(super) fn positive_outside(&self) -> bool {
        let comp = Mat::identity(self.sigma.rows()).sub(&self.proj);
        !comp.mul(&self.sigma).mul(&comp).is_zero()
    }

    /// Is S the top set {1, …, s} (eigenvalues of Σ on range Π all ≥ those on its complement)?
    /// `None` when the bisection cannot tell (a tie at a non-dyadic value).
    pub(super) fn is_top_set(&self) -> Option<bool> {
        let n = self.sigma.rows();
        let comp = Mat::identity(n).sub(&self.proj);
        let outer = |t: &Q| {
            let shifted = Mat::identity(n).scale(t).sub(&self.sigma);
            classify(&comp.mul(&shifted).mul(&comp)).is_psd()
        };
        match self.separate(|t| classify(&self.inner(t)).is_psd(), outer) {
            Separation::Found(_) => Some(true),
            Separation::Impossible(_) => Some(false),
            Separation::Undecided => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::rational::parse_exact;
    use super::*;

    fn m(rows: usize, cols: usize, xs: &[&str]) -> Mat {
        Mat::from_data(
            rows,
            cols,
            xs.iter().map(|x| parse_exact(x).unwrap()).collect(),
        )
    }

    /// Depth 2, X = I, Y = diag(3, 1): Σ = diag(9, 1), f* = ½(10 − 9) = ½ with widths 2-1-2.
    fn net(w1: &[&str], w2: &[&str]) -> Network {
        Network {
            weights: vec![m(1, 2, w1), m(2, 1, w2)],
            x: m(2, 2, &["1", "0", "0", "1"]),
            y: m(2, 2, &["3", "0", "0", "1"]),
        }
    }

    #[test]
    fn the_optimum_is_proved_only_at_the_top_eigenvector() {
        // P = e1 (3, 0): the global minimizer, f = ½
        let top = Regression::new(&net(&["3", "0"], &["1", "0"])).unwrap();
        assert!(top.product_form().is_ok());
        assert_eq!(top.is_top_set(), Some(true));
        let half = parse_exact("1/2").unwrap();
        assert!(top.proves_optimum(&half).is_ok());
        // f* ≥ q is proved for q ≤ f* only: a larger value is not the optimum
        assert!(top.proves_optimum(&parse_exact("1/4").unwrap()).is_ok());
        assert!(top.proves_optimum(&parse_exact("1").unwrap()).is_err());
        // P = e2 (0, 1): a saddle with f = 9/2; S = {2} is not a top set
        let low = Regression::new(&net(&["0", "1"], &["0", "1"])).unwrap();
        assert!(low.product_form().is_ok());
        assert_eq!(low.is_top_set(), Some(false));
        assert!(low.proves_optimum(&parse_exact("9/2").unwrap()).is_err());
        // P = 0: S = ∅ is a top set, f = 5 is not f*
        let zero = Regression::new(&net(&["0", "0"], &["0", "0"])).unwrap();
        assert_eq!(zero.rank(), 0);
        assert_eq!(zero.is_top_set(), Some(true));
        assert!(zero.proves_optimum(&parse_exact("5").unwrap()).is_err());
        // P = (1 1; 1 1)/… not of product form
        let mixed = Regression::new(&net(&["1", "1"], &["1", "1"])).unwrap();
        assert!(mixed.product_form().is_err());
    }

    #[test]
    fn rank_inverse_and_columns() {
        let a = m(2, 3, &["1", "2", "3", "2", "4", "6"]);
        assert_eq!(a.rank(), 1);
        assert_eq!(a.independent_columns(), vec![0]);
        let b = m(2, 2, &["2", "1", "1", "1"]);
        assert_eq!(b.mul(&b.inverse().unwrap()), Mat::identity(2));
        assert!(m(2, 2, &["1", "2", "2", "4"]).inverse().is_none());
    }
}
