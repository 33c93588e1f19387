//! The linear network's f64 kernels on faer matrices: activations, back-propagated residuals, a
//! Hessian-vector product in O(L) matrix products, and the KP-exact operator.
//!
//! Notation as in [`super::linear`] (code indices, `ws[k]` = W_{k+1}, d_{k+1} × d_k), with
//! z_k = W_{k−1}⋯W_0 X (d_k × n, z_0 = X, z_L = PX), R = z_L − Y and δ_k = A_kᵀR (d_{k+1} × n,
//! δ_{L−1} = R, δ_{k−1} = W_kᵀδ_k), so ∇_{W_k} f = δ_k z_kᵀ.
//!
//! The Hessian-vector product is the directional derivative of that gradient (Pearlmutter's
//! R-operator, *Neural Computation* 6 (1994)): along V,
//! - dz_0 = 0, dz_{k+1} = W_k dz_k + V_k z_k (so dz_L = J(V) = Σ_k A_k V_k B_kX);
//! - dδ_{L−1} = dz_L, dδ_{k−1} = W_kᵀ dδ_k + V_kᵀ δ_k;
//! - (HV)_k = dδ_k z_kᵀ + δ_k dz_kᵀ.
//!
//! That is 2 products per layer forward, 2 backward and 2 for the output (fewer when R = 0, and
//! V_0 X and dδ_0 Xᵀ are copies when X = I), O(Σ_k d_k d_{k+1} (n + d)) flops, against O(L²) products for the generic [`super::linear::hvp`].

use crate::linalg::mat::Mat;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

/// A network evaluated at one point in f64, ready for Hessian-vector products.
pub struct NetworkF64 {
    ws: Vec<faer::Mat<f64>>,
    /// z_k, k = 0..=L.
    z: Vec<faer::Mat<f64>>,
    /// δ_k, k = 0..L (empty when the residual is exactly zero in f64).
    delta: Vec<faer::Mat<f64>>,
    offsets: Vec<usize>,
    /// Is X the identity (then V_0 X = V_0 and dδ_0 Xᵀ = dδ_0 are copies, not products)?
    x_identity: bool,
}

/// Reusable buffers of [`NetworkF64::hvp`]: dz_k and dδ_k, allocated once.
pub struct HvpScratch {
    dz: Vec<faer::Mat<f64>>,
    ddelta: Vec<faer::Mat<f64>>,
}

fn to_faer(m: &Mat<f64>) -> faer::Mat<f64> {
    faer::Mat::from_fn(m.rows(), m.cols(), |i, j| *m.at(i, j))
}

/// dst ← beta·dst + a·b, sequentially (the products here are small; the callers parallelize
/// across cases).
fn mm(dst: MatMut<'_, f64>, beta: Accum, a: MatRef<'_, f64>, b: MatRef<'_, f64>) {
    matmul(dst, beta, a, b, 1.0, Par::Seq);
}

impl NetworkF64 {
    /// Evaluate z_k and δ_k at weights `ws` with data `x` (d_0 × n), `y` (d_L × n).
    pub fn new(ws: &[Mat<f64>], x: &Mat<f64>, y: &Mat<f64>) -> Self {
        let x_identity = x.rows() == x.cols()
            && (0..x.rows())
                .all(|i| (0..x.cols()).all(|j| *x.at(i, j) == if i == j { 1.0 } else { 0.0 }));
        let ws: Vec<faer::Mat<f64>> = ws.iter().map(to_faer).collect();
        let mut z = vec![to_faer(x)];
        for w in &ws {
            let last = z.last().expect("z_0 is present");
            z.push(w * last);
        }
        let r = &z[ws.len()] - to_faer(y);
        let zero = (0..r.ncols()).all(|j| (0..r.nrows()).all(|i| r[(i, j)] == 0.0));
        let mut delta = Vec::new();
        if !zero {
            let mut d = vec![r];
            for k in (1..ws.len()).rev() {
                let next = ws[k].transpose() * d.last().expect("δ_{L−1} is present");
                d.push(next);
            }
            d.reverse();
            delta = d;
        }
        let mut offsets = vec![0];
        for w in &ws {
            offsets.push(offsets.last().copied().unwrap_or(0) + w.nrows() * w.ncols());
        }
        NetworkF64 {
            ws,
            z,
            delta,
            offsets,
            x_identity,
        }
    }

    /// The number of parameters P.
    pub fn params(&self) -> usize {
        *self.offsets.last().expect("offsets start at 0")
    }

    /// Is the residual exactly zero in f64 (so the Hessian is the Gauss–Newton matrix JᵀJ)?
    pub fn zero_residual(&self) -> bool {
        self.delta.is_empty()
    }

    /// Buffers for [`Self::hvp`].
    pub fn scratch(&self) -> HvpScratch {
        let n = self.z[0].ncols();
        HvpScratch {
            dz: self
                .z
                .iter()
                .map(|z| faer::Mat::zeros(z.nrows(), n))
                .collect(),
            ddelta: self
                .ws
                .iter()
                .map(|w| faer::Mat::zeros(w.nrows(), n))
                .collect(),
        }
    }

    /// out ← ∇²f · v, for θ = (vec W_1, …, vec W_L) flattened row-major as in
    /// [`super::linear::offsets`]. No allocation: every intermediate lives in `s`.
    pub fn hvp(&self, v: &[f64], out: &mut [f64], s: &mut HvpScratch) {
        let l = self.ws.len();
        assert!(v.len() == self.params() && out.len() == self.params());
        let vk = |k: usize| {
            let w = &self.ws[k];
            MatRef::from_row_major_slice(
                &v[self.offsets[k]..self.offsets[k + 1]],
                w.nrows(),
                w.ncols(),
            )
        };
        // forward: dz_{k+1} = W_k dz_k + V_k z_k
        for k in 0..l {
            let (lo, hi) = s.dz.split_at_mut(k + 1);
            let mut dst = hi[0].as_mut();
            if k == 0 && self.x_identity {
                dst.copy_from(vk(0));
            } else if k == 0 {
                mm(dst, Accum::Replace, vk(0), self.z[0].as_ref());
            } else {
                mm(
                    hi[0].as_mut(),
                    Accum::Replace,
                    self.ws[k].as_ref(),
                    lo[k].as_ref(),
                );
                mm(hi[0].as_mut(), Accum::Add, vk(k), self.z[k].as_ref());
            }
        }
        // backward: dδ_{L−1} = dz_L, dδ_{k−1} = W_kᵀ dδ_k + V_kᵀ δ_k
        s.ddelta[l - 1].copy_from(&s.dz[l]);
        for k in (1..l).rev() {
            let (lo, hi) = s.ddelta.split_at_mut(k);
            mm(
                lo[k - 1].as_mut(),
                Accum::Replace,
                self.ws[k].transpose(),
                hi[0].as_ref(),
            );
            if !self.delta.is_empty() {
                mm(
                    lo[k - 1].as_mut(),
                    Accum::Add,
                    vk(k).transpose(),
                    self.delta[k].as_ref(),
                );
            }
        }
        // output: (HV)_k = dδ_k z_kᵀ + δ_k dz_kᵀ
        for k in 0..l {
            let w = &self.ws[k];
            let mut dst = MatMut::from_row_major_slice_mut(
                &mut out[self.offsets[k]..self.offsets[k + 1]],
                w.nrows(),
                w.ncols(),
            );
            if k == 0 && self.x_identity {
                dst.copy_from(s.ddelta[0].as_ref());
            } else {
                mm(
                    dst,
                    Accum::Replace,
                    s.ddelta[k].as_ref(),
                    self.z[k].transpose(),
                );
            }
            if !self.delta.is_empty() && k > 0 {
                let dst = MatMut::from_row_major_slice_mut(
                    &mut out[self.offsets[k]..self.offsets[k + 1]],
                    w.nrows(),
                    w.ncols(),
                );
                mm(dst, Accum::Add, self.delta[k].as_ref(), s.dz[k].transpose());
            }
        }
    }

    /// The Gram factors of the KP-exact operator: for each layer k, (z_kᵀz_k, A_kA_kᵀ) with
    /// A_k = W_{L−1}⋯W_{k+1} (suffix products, L − 1 matrix products in all).
    pub fn kp_grams(&self) -> Vec<(faer::Mat<f64>, faer::Mat<f64>)> {
        let l = self.ws.len();
        let d_out = self.ws[l - 1].nrows();
        let mut above = vec![faer::Mat::<f64>::identity(d_out, d_out)];
        for k in (1..l).rev() {
            let next = above.last().expect("A_{L−1} is present") * &self.ws[k];
            above.push(next);
        }
        above.reverse();
        (0..l)
            .map(|k| {
                (
                    self.z[k].transpose() * &self.z[k],
                    &above[k] * above[k].transpose(),
                )
            })
            .collect()
    }

    /// The KP-exact operator K = Σ_k z_kᵀz_k ⊗ A_kA_kᵀ (d_L·n square, as
    /// [`super::linear::kp_operator`]), formed in O(L·(d_L n)²) time and (d_L n)² memory.
    pub fn kp_operator(&self) -> faer::Mat<f64> {
        kron_sum(&self.kp_grams())
    }
}

/// The KP-exact operator applied without forming it. With `kp_grams`' pairs (G_k, M_k),
/// G_k = z_kᵀz_k (n × n), M_k = A_kA_kᵀ (d_L × d_L), and v = vec(V) column-major for V of
/// d_L × n (the index order of [`kron_sum`]: entry i·d_L + p is V[p, i]),
///
/// K·vec(V) = Σ_k (G_k ⊗ M_k) vec(V) = Σ_k vec(M_k V G_kᵀ)   (Van Loan, *J. Comput. Appl. Math.*
/// 123 (2000), (G ⊗ M) vec(V) = vec(M V Gᵀ); G_kᵀ = G_k),
///
/// two faer products per layer: O(L·(d_L²n + d_L n²)) multiply-adds per product and
/// O(L·(d_L² + n²)) memory, against (d_L n)² for the formed K.
pub struct KpMatFree {
    grams: Vec<(faer::Mat<f64>, faer::Mat<f64>)>,
    /// M_k V, reused.
    t: faer::Mat<f64>,
    par: Par,
}

impl KpMatFree {
    /// The operator from `kp_grams`' pairs, its products run with `par`.
    pub fn new(grams: Vec<(faer::Mat<f64>, faer::Mat<f64>)>, par: Par) -> Self {
        let (a, n) = (grams[0].1.nrows(), grams[0].0.nrows());
        KpMatFree {
            grams,
            t: faer::Mat::zeros(a, n),
            par,
        }
    }

    /// d_L·n.
    pub fn dim(&self) -> usize {
        self.t.nrows() * self.t.ncols()
    }

    /// out ← K·v.
    pub fn apply(&mut self, v: &[f64], out: &mut [f64]) {
        let (a, n) = (self.t.nrows(), self.t.ncols());
        let vm = MatRef::from_column_major_slice(v, a, n);
        let mut om = MatMut::from_column_major_slice_mut(out, a, n);
        for (k, (g, m)) in self.grams.iter().enumerate() {
            matmul(
                self.t.as_mut(),
                Accum::Replace,
                m.as_ref(),
                vm,
                1.0,
                self.par,
            );
            let beta = if k == 0 { Accum::Replace } else { Accum::Add };
            matmul(
                om.as_mut(),
                beta,
                self.t.as_ref(),
                g.transpose(),
                1.0,
                self.par,
            );
        }
    }
}

/// Σ_k G_k ⊗ A_k for pairs (G_k, A_k) of equal shapes: entry ((i·a + p), (j·a + q)) is
/// Σ_k G_k[i, j]·A_k[p, q].
pub fn kron_sum(pairs: &[(faer::Mat<f64>, faer::Mat<f64>)]) -> faer::Mat<f64> {
    let (g0, a0) = &pairs[0];
    let (n, a) = (g0.nrows(), a0.nrows());
    let mut k = faer::Mat::<f64>::zeros(n * a, n * a);
    for (g, am) in pairs {
        for j in 0..n {
            for q in 0..a {
                let col = k.col_mut(j * a + q);
                let col = col
                    .try_as_col_major_mut()
                    .expect("faer::Mat columns are contiguous");
                let col = col.as_slice_mut();
                for i in 0..n {
                    let gij = g[(i, j)];
                    if gij == 0.0 {
                        continue;
                    }
                    let block = &mut col[i * a..(i + 1) * a];
                    let acol = am.col(q);
                    for (p, x) in block.iter_mut().enumerate() {
                        *x += gij * acol[p];
                    }
                }
            }
        }
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::{mat, Exact, F64};
    use crate::model::linear;
    use num_rational::BigRational;

    use crate::enumerate::minimizers::tests::q;

    /// A 3-layer network with a nonzero residual and a non-square X.
    fn sample() -> (Vec<Mat<BigRational>>, Mat<BigRational>, Mat<BigRational>) {
        let w = |r: usize, c: usize, s: i64| {
            Mat::from_fn(r, c, |i, j| q((i as i64 * 3 - j as i64 * 2 + s) % 5, 3))
        };
        let ws = vec![w(3, 2, 1), w(4, 3, 2), w(2, 4, -1)];
        let x = Mat::from_fn(2, 3, |i, j| q((i + 2 * j) as i64 - 1, 2));
        let y = Mat::from_fn(2, 3, |i, j| q(i as i64 - j as i64, 1));
        (ws, x, y)
    }

    #[test]
    fn hvp_matches_the_exact_hessian_columns() {
        let (ws, x, y) = sample();
        hvp_matches_at(&ws, &x, &y);
        // X = I (d_0 = n = 2): the first layer's products are copies
        let x = Mat::from_fn(2, 2, |i, j| q((i == j) as i64, 1));
        let y = Mat::from_fn(2, 2, |i, j| q(2 * i as i64 - j as i64 + 1, 3));
        hvp_matches_at(&ws, &x, &y);
    }

    fn hvp_matches_at(ws: &[Mat<BigRational>], x: &Mat<BigRational>, y: &Mat<BigRational>) {
        let ev = linear::evaluate(&Exact, ws, x, y);
        let h = linear::hessian(&Exact, ws, &ev);
        let wf: Vec<Mat<f64>> = ws.iter().map(|w| mat::from_exact(&F64, w)).collect();
        let net = NetworkF64::new(&wf, &mat::from_exact(&F64, x), &mat::from_exact(&F64, y));
        assert!(!net.zero_residual());
        let p = net.params();
        assert_eq!(p, h.rows());
        let mut s = net.scratch();
        let mut out = vec![0.0; p];
        for j in 0..p {
            let mut e = vec![0.0; p];
            e[j] = 1.0;
            net.hvp(&e, &mut out, &mut s);
            for (i, o) in out.iter().enumerate() {
                let want = crate::linalg::field::q_to_f64(h.at(i, j));
                assert!((o - want).abs() <= 1e-12 * (1.0 + want.abs()), "H[{i},{j}]");
            }
        }
    }

    /// A deterministic pseudo-random matrix (entries in [−1, 1)).
    fn rand_mat(r: usize, c: usize, seed: u64) -> Mat<f64> {
        use rand::{Rng, SeedableRng};
        let mut g = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        Mat::from_fn(r, c, |_, _| g.gen_range(-1.0..1.0))
    }

    #[test]
    fn matrix_free_kp_product_matches_the_formed_operator() {
        // random shapes: d_0 = 3, X of 3 × 5 (n = 5), widths 4 and 2 (d_L = 2), and a square
        // deep one; at a zero residual (Y = P X) and, for the operator alone, a nonzero one
        for (seed, dims, n) in [
            (1u64, vec![3, 4, 2], 5),
            (2, vec![4, 4, 4, 4, 4], 4),
            (3, vec![2, 6, 3], 7),
        ] {
            let ws: Vec<Mat<f64>> = dims
                .windows(2)
                .enumerate()
                .map(|(i, w)| rand_mat(w[1], w[0], seed * 10 + i as u64))
                .collect();
            let x = rand_mat(dims[0], n, seed * 100);
            let y = rand_mat(*dims.last().unwrap(), n, seed * 1000);
            let net = NetworkF64::new(&ws, &x, &y);
            let k = net.kp_operator();
            let mut op = KpMatFree::new(net.kp_grams(), Par::Seq);
            let m = op.dim();
            assert_eq!(m, k.nrows());
            let mut out = vec![0.0; m];
            for trial in 0..3 {
                let v = rand_mat(m, 1, seed * 7 + trial);
                let v: Vec<f64> = (0..m).map(|i| *v.at(i, 0)).collect();
                op.apply(&v, &mut out);
                let want: Vec<f64> = (0..m)
                    .map(|i| (0..m).map(|j| k[(i, j)] * v[j]).sum())
                    .collect();
                let norm = want.iter().map(|x| x * x).sum::<f64>().sqrt();
                let err = out
                    .iter()
                    .zip(&want)
                    .map(|(o, w)| (o - w) * (o - w))
                    .sum::<f64>()
                    .sqrt();
                // both are sums of O(L·(d_L + n)) products of O(1) terms: 1e-13 relative
                assert!(err <= 1e-13 * norm, "seed {seed}: {err:e} vs {norm:e}");
            }
        }
    }

    #[test]
    fn kp_operator_matches_the_generic_one() {
        let (ws, x, _) = sample();
        // a zero-loss target: Y = P X exactly
        let ev0 = linear::evaluate(&Exact, &ws, &x, &x.clone());
        let y = mat::matmul(&Exact, ev0.partials.product(), &x);
        let ev = linear::evaluate(&Exact, &ws, &x, &y);
        let k = linear::kp_operator(&Exact, &ev);
        let wf: Vec<Mat<f64>> = ws.iter().map(|w| mat::from_exact(&F64, w)).collect();
        let net = NetworkF64::new(&wf, &mat::from_exact(&F64, &x), &mat::from_exact(&F64, &y));
        let kf = net.kp_operator();
        assert_eq!((kf.nrows(), kf.ncols()), (k.rows(), k.cols()));
        for i in 0..k.rows() {
            for j in 0..k.cols() {
                let want = crate::linalg::field::q_to_f64(k.at(i, j));
                assert!((kf[(i, j)] - want).abs() <= 1e-12 * (1.0 + want.abs()));
            }
        }
    }
}
