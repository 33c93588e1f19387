//! Property tests of the model and of the three-way λ_max (f64, MPFR, exact enclosure) at random
//! small rational points, plus the reference values of claims.md computed through the library.
//!
//! Every property checks a value that the library computes and could get wrong: an exact equality
//! of rationals, an enclosure that must contain another computation's result, or an inequality
//! from claims.md (KP-bound, KP-exact). Points are small (depth 1–3, widths 1–3, at most 3 data
//! columns) and their entries are simple rationals p/q with |p| ≤ 4, 1 ≤ q ≤ 4, so the exact
//! enclosures stay cheap. Set `QUICKCHECK_TESTS` to override the number of cases per property.

use dlncheck::certify::estimate::pow2_neg;
use dlncheck::certify::lambda_max::{lambda_max, Settings};
use dlncheck::certify::sources::{Gram, HessianAt, KpOperatorAt};
use dlncheck::enumerate::minimizers::{
    base_minimizer, random_invertible, random_transform, target_map, Point,
};
use dlncheck::linalg::field::{f64_to_q, float_to_q, q_to_f64, q_to_string};
use dlncheck::linalg::mat::{self, Mat};
use dlncheck::linalg::{Exact, Field};
use dlncheck::model::linear::{evaluate, gradient, hessian, hvp, loss, offsets};
use num_rational::BigRational;
use num_traits::Zero;
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::fmt;

type Q = BigRational;

fn q(n: i64, d: i64) -> Q {
    BigRational::new(n.into(), d.into())
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// A small rational num/den with num ∈ −4..=4 and den ∈ 1..=4.
#[derive(Clone, Copy, PartialEq, Eq)]
struct SmallQ {
    num: i8,
    den: u8,
}

impl SmallQ {
    const ZERO: SmallQ = SmallQ { num: 0, den: 1 };
    fn to_q(self) -> Q {
        q(self.num.into(), self.den.into())
    }
}

impl fmt::Debug for SmallQ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl Arbitrary for SmallQ {
    fn arbitrary(g: &mut Gen) -> Self {
        SmallQ {
            num: *g.choose(&[-4, -3, -2, -1, 0, 1, 2, 3, 4]).unwrap(),
            den: *g.choose(&[1, 2, 3, 4]).unwrap(),
        }
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut out = Vec::new();
        if self.num != 0 {
            out.push(SmallQ::ZERO);
        }
        if self.den != 1 {
            out.push(SmallQ {
                num: self.num,
                den: 1,
            });
        }
        if self.num.abs() > 1 {
            out.push(SmallQ {
                num: self.num.signum(),
                den: self.den,
            });
        }
        Box::new(out.into_iter())
    }
}

/// A random small problem: widths d_0 … d_L (depth 1..=3, widths 1..=3), the number n of data
/// columns (d_0 ≤ n ≤ 3, so that X = [I | R] has full row rank), a seed for the library's random
/// changes of basis, and a tape of rational entries from which every matrix is filled in order.
///
/// Keeping the entries on one tape, independent of the shapes, makes shrinking cheap: a smaller
/// architecture reads a prefix of the same tape; entries shrink to 0 or to integers.
#[derive(Clone)]
struct Case {
    dims: Vec<usize>,
    n: usize,
    seed: u64,
    orthogonal: bool,
    tape: Vec<SmallQ>,
}

impl Case {
    fn depth(&self) -> usize {
        self.dims.len() - 1
    }
    /// How many entries the properties read for this architecture (at most): the weights, a
    /// direction of the same shape, the extra columns of X, Y, and the two factors of Φ.
    fn tape_len(dims: &[usize], n: usize) -> usize {
        let params: usize = dims.windows(2).map(|w| w[0] * w[1]).sum();
        let (d0, dl) = (dims[0], dims[dims.len() - 1]);
        let r = *dims.iter().min().unwrap();
        2 * params + d0 * (n - d0) + dl * n + r * (d0 + dl)
    }
    fn reader(&self) -> Tape<'_> {
        Tape {
            entries: &self.tape,
            pos: 0,
        }
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Case {{ dims: {:?}, n: {}, seed: {}, orthogonal: {}, tape: {:?} }}",
            self.dims, self.n, self.seed, self.orthogonal, self.tape
        )
    }
}

impl Arbitrary for Case {
    fn arbitrary(g: &mut Gen) -> Self {
        let depth = *g.choose(&[1usize, 2, 3]).unwrap();
        let dims: Vec<usize> = (0..=depth)
            .map(|_| *g.choose(&[1usize, 2, 3]).unwrap())
            .collect();
        let ns: Vec<usize> = (dims[0]..=3).collect();
        let n = *g.choose(&ns).unwrap();
        let len = Case::tape_len(&dims, n);
        Case {
            n,
            seed: u64::arbitrary(g),
            orthogonal: bool::arbitrary(g),
            tape: (0..len).map(|_| SmallQ::arbitrary(g)).collect(),
            dims,
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut out = Vec::new();
        let with_dims = |dims: Vec<usize>, n: usize| {
            let n = n.max(dims[0]);
            let mut c = self.clone();
            c.tape.truncate(Case::tape_len(&dims, n));
            c.dims = dims;
            c.n = n;
            c
        };
        // fewer layers
        if self.depth() > 1 {
            for i in 0..self.dims.len() {
                let mut dims = self.dims.clone();
                dims.remove(i);
                out.push(with_dims(dims, self.n));
            }
        }
        // narrower layers, fewer data columns
        for i in 0..self.dims.len() {
            if self.dims[i] > 1 {
                let mut dims = self.dims.clone();
                dims[i] -= 1;
                out.push(with_dims(dims, self.n));
            }
        }
        if self.n > self.dims[0] {
            out.push(with_dims(self.dims.clone(), self.n - 1));
        }
        if self.seed != 0 {
            out.push(Case {
                seed: 0,
                ..self.clone()
            });
        }
        // simpler rationals: all integers, then one entry at a time to 0 or a simpler value
        if self.tape.iter().any(|e| e.den != 1) {
            let mut c = self.clone();
            c.tape.iter_mut().for_each(|e| e.den = 1);
            out.push(c);
        }
        for (i, e) in self.tape.iter().enumerate() {
            for s in e.shrink() {
                let mut c = self.clone();
                c.tape[i] = s;
                out.push(c);
            }
        }
        Box::new(out.into_iter())
    }
}

/// Reads matrices off a case's tape, row-major; past the end it reads zeros.
struct Tape<'a> {
    entries: &'a [SmallQ],
    pos: usize,
}

impl Tape<'_> {
    fn mat(&mut self, rows: usize, cols: usize) -> Mat<Q> {
        Mat::from_fn(rows, cols, |_, _| {
            let e = self.entries.get(self.pos).copied().unwrap_or(SmallQ::ZERO);
            self.pos += 1;
            e.to_q()
        })
    }
    /// W_1 … W_L for the widths `dims` (ws[k] is d_{k+1} × d_k).
    fn weights(&mut self, dims: &[usize]) -> Vec<Mat<Q>> {
        dims.windows(2).map(|w| self.mat(w[1], w[0])).collect()
    }
    /// X = [I_{d0} | R] (d_0 × n), of full row rank by construction.
    fn data(&mut self, d0: usize, n: usize) -> Mat<Q> {
        let r = self.mat(d0, n - d0);
        Mat::from_fn(d0, n, |i, j| {
            if j < d0 {
                if i == j {
                    q(1, 1)
                } else {
                    Q::zero()
                }
            } else {
                r.at(i, j - d0).clone()
            }
        })
    }
}

/// A random rational point (any loss) and a direction V of the weights' shapes.
fn random_point(c: &Case) -> (Point, Vec<Mat<Q>>) {
    let mut t = c.reader();
    let weights = t.weights(&c.dims);
    let dir = t.weights(&c.dims);
    let x = t.data(c.dims[0], c.n);
    let y = t.mat(*c.dims.last().unwrap(), c.n);
    let p = Point {
        weights,
        x,
        y,
        exact: true,
        origin: "quickcheck random rational point".into(),
    };
    (p, dir)
}

/// A zero-loss minimizer: Φ = C R of rank ≤ min_i d_i (so a minimizer exists), the library's base
/// minimizer moved by its seeded random change of basis. With `general_x`, X = G [I | R] for a
/// seeded random invertible G (full row rank, not the identity); otherwise X = I. Y = Φ X.
/// Returns the point, Φ, and the base minimizer before the change of basis.
fn random_minimizer(c: &Case, general_x: bool) -> (Point, Mat<Q>, Vec<Mat<Q>>) {
    let (d0, dl) = (c.dims[0], *c.dims.last().unwrap());
    let r = *c.dims.iter().min().unwrap();
    let mut t = c.reader();
    let phi = mat::matmul(&Exact, &t.mat(dl, r), &t.mat(r, d0));
    let base = base_minimizer(&c.dims, &phi).expect("rk Φ ≤ min_i d_i, so a minimizer exists");
    let mut rng = ChaCha8Rng::seed_from_u64(c.seed);
    let weights = random_transform(&mut rng, &base, c.orthogonal);
    let x = if general_x {
        let (g, _) = random_invertible(&mut rng, d0);
        mat::matmul(&Exact, &g, &t.data(d0, c.n))
    } else {
        mat::identity(&Exact, d0)
    };
    let y = mat::matmul(&Exact, &phi, &x);
    let p = Point {
        weights,
        x,
        y,
        exact: true,
        origin: format!("quickcheck minimizer, seed {}", c.seed),
    };
    (p, phi, base)
}

fn product(ws: &[Mat<Q>]) -> Mat<Q> {
    ws[1..]
        .iter()
        .fold(ws[0].clone(), |p, w| mat::matmul(&Exact, w, &p))
}

/// The smaller of MMᵀ and MᵀM (same nonzero spectrum): its λ_max is ‖M‖₂².
fn gram(m: &Mat<Q>) -> Gram {
    if m.rows() <= m.cols() {
        Gram::nt(m, true)
    } else {
        Gram::tn(m, true)
    }
}

fn show(m: &Mat<Q>) -> String {
    let rows: Vec<String> = (0..m.rows())
        .map(|i| {
            let r: Vec<String> = (0..m.cols()).map(|j| q_to_string(m.at(i, j))).collect();
            r.join(", ")
        })
        .collect();
    format!("[{}]", rows.join("; "))
}

/// `QuickCheck` with `n` cases, unless `QUICKCHECK_TESTS` says otherwise.
fn qc(n: u64) -> QuickCheck {
    let q = QuickCheck::new();
    if std::env::var_os("QUICKCHECK_TESTS").is_some() {
        q
    } else {
        q.tests(n).max_tests(10 * n)
    }
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        let ok: bool = $cond;
        if !ok {
            return TestResult::error(format!($($msg)+));
        }
    };
}

// ---------------------------------------------------------------------------------------------
// a. f64, MPFR and the exact enclosure agree on the Hessian's λ_max at random rational points
// ---------------------------------------------------------------------------------------------

fn prop_three_arithmetics_agree(c: Case) -> TestResult {
    let (p, _) = random_point(&c);
    let s = Settings::default();
    let src = HessianAt(&p);
    let (est, proof) = lambda_max(&src, &s);
    if let Some(d) = est.disagreement() {
        return TestResult::error(format!("disagreement: {d}"));
    }
    let Some(enc) = &est.enclosure else {
        return TestResult::error(format!("no enclosure: notes {:?}", est.notes));
    };
    ensure!(proof.is_some(), "enclosure without a proof");
    // f64 ∈ [lo − tol, hi + tol], decided in exact arithmetic
    let v = f64_to_q(est.f64).expect("finite f64 value");
    let tol = f64_to_q(est.f64_tol).expect("finite f64 tolerance");
    ensure!(
        enc.lo() - &tol <= v && v <= enc.hi() + &tol,
        "f64 {:e} ± {:e} outside [{}, {}]",
        est.f64,
        est.f64_tol,
        q_to_string(enc.lo()),
        q_to_string(enc.hi())
    );
    // MPFR ∈ enclosure up to 1e-12 relative (plus 2^−250 absolute: the bisection floor, which is
    // all the MPFR error of a zero Hessian)
    let Some(m) = &est.mpfr else {
        return TestResult::error("no MPFR value");
    };
    let (m, lo, hi) = (m.to_f64(), q_to_f64(enc.lo()), q_to_f64(enc.hi()));
    let slack = 1e-12 * lo.abs().max(hi.abs()) + 2f64.powi(-250);
    ensure!(
        lo - slack <= m && m <= hi + slack,
        "MPFR {m:e} outside [{lo:e}, {hi:e}] (slack {slack:e})"
    );
    // trace ∇²f = tr(Gauss–Newton) ≥ 0, so λ_max ≥ 0: an independent sanity bound
    ensure!(
        enc.hi() >= &Q::zero(),
        "λ_max < 0 impossible: [{}, {}]",
        q_to_string(enc.lo()),
        q_to_string(enc.hi())
    );
    TestResult::passed()
}

#[test]
fn f64_mpfr_and_exact_agree_on_hessian_lambda_max() {
    qc(300).quickcheck(prop_three_arithmetics_agree as fn(Case) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// b. Hessian-vector product = dense Hessian · vector, exactly
// ---------------------------------------------------------------------------------------------

fn prop_hvp_matches_dense(c: Case) -> TestResult {
    let (p, dir) = random_point(&c);
    let ev = evaluate(&Exact, &p.weights, &p.x, &p.y);
    let h = hessian(&Exact, &p.weights, &ev);
    ensure!(h == h.transpose(), "Hessian not symmetric");
    let off = offsets(&p.weights);
    ensure!(h.rows() == off[c.depth()], "Hessian size {}", h.rows());
    let v: Vec<Q> = dir.iter().flat_map(|m| m.as_slice().to_vec()).collect();
    let dense = mat::matvec(&Exact, &h, &v);
    let hv: Vec<Q> = hvp(&Exact, &ev, &dir)
        .iter()
        .flat_map(|m| m.as_slice().to_vec())
        .collect();
    ensure!(
        hv == dense,
        "HVP {:?} ≠ H·v {:?}",
        hv.iter().map(q_to_string).collect::<Vec<_>>(),
        dense.iter().map(q_to_string).collect::<Vec<_>>()
    );
    TestResult::passed()
}

#[test]
fn hvp_equals_dense_hessian_times_vector_exactly() {
    qc(1000).quickcheck(prop_hvp_matches_dense as fn(Case) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// c. KP-bound: max_k c_k² ≤ λ_max(∇²f) ≤ Σ_k c_k² at zero-loss minimizers (X = I)
// ---------------------------------------------------------------------------------------------

fn prop_kp_bound(c: Case) -> TestResult {
    let (p, _, _) = random_minimizer(&c, false);
    let s = Settings::default();
    let (lam, _) = lambda_max(&HessianAt(&p), &s);
    let Some(lam_enc) = &lam.enclosure else {
        return TestResult::error(format!("no enclosure of λ_max: {:?}", lam.notes));
    };
    let ev = evaluate(&Exact, &p.weights, &p.x, &p.y);
    let mut sum_hi = Q::zero();
    let mut max_lo = Q::zero();
    let mut sum_f64 = 0.0;
    for k in 0..c.depth() {
        let (ga, gb) = (gram(ev.partials.above(k)), gram(&ev.bx[k]));
        let (a2, _) = lambda_max(&ga, &s);
        let (b2, _) = lambda_max(&gb, &s);
        for (name, e) in [("‖A_k‖²", &a2), ("‖B_kX‖²", &b2)] {
            if let Some(d) = e.disagreement() {
                return TestResult::error(format!("layer {k} {name}: {d}"));
            }
        }
        let (Some(ea), Some(eb)) = (&a2.enclosure, &b2.enclosure) else {
            return TestResult::error(format!("layer {k}: missing Gram enclosure"));
        };
        sum_hi += ea.hi() * eb.hi();
        let lo = ea.lo() * eb.lo();
        if lo > max_lo {
            max_lo = lo;
        }
        sum_f64 += a2.f64 * b2.f64;
    }
    ensure!(
        lam_enc.lo() <= &sum_hi,
        "KP-bound violated: λ_max ≥ {} > Σ c_k² ≤ {}",
        q_to_f64(lam_enc.lo()),
        q_to_f64(&sum_hi)
    );
    ensure!(
        lam.f64 <= sum_f64 + 1e-9 * sum_f64.max(1.0),
        "KP-bound violated in f64: {} > {}",
        lam.f64,
        sum_f64
    );
    // the restriction of ∇²f = JᵀJ to one layer has top eigenvalue c_k², so λ_max ≥ max_k c_k²
    ensure!(
        lam_enc.hi() >= &max_lo,
        "λ_max ≤ {} < max_k c_k² ≥ {}",
        q_to_f64(lam_enc.hi()),
        q_to_f64(&max_lo)
    );
    TestResult::passed()
}

#[test]
fn kp_bound_holds_at_random_minimizers() {
    qc(300).quickcheck(prop_kp_bound as fn(Case) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// d. KP-exact: λ_max(Σ_k (B_kX)ᵀB_kX ⊗ A_kA_kᵀ) = λ_max(∇²f) at zero-loss minimizers, general X
// ---------------------------------------------------------------------------------------------

fn prop_kp_exact(c: Case) -> TestResult {
    let (p, _, _) = random_minimizer(&c, true);
    let s = Settings::default();
    let (hs, ks) = (HessianAt(&p), KpOperatorAt(&p));
    let (h, _) = lambda_max(&hs, &s);
    let (k, _) = lambda_max(&ks, &s);
    if let Some(d) = h.disagreement() {
        return TestResult::error(format!("Hessian: {d}"));
    }
    if let Some(d) = k.disagreement() {
        return TestResult::error(format!("KP operator: {d}"));
    }
    let (Some(eh), Some(ek)) = (&h.enclosure, &k.enclosure) else {
        return TestResult::error(format!("missing enclosure: {:?} / {:?}", h.notes, k.notes));
    };
    ensure!(
        eh.overlaps(ek),
        "KP-exact: λ_max(∇²f) ∈ [{}, {}] but λ_max(K) ∈ [{}, {}] (X = {})",
        q_to_string(eh.lo()),
        q_to_string(eh.hi()),
        q_to_string(ek.lo()),
        q_to_string(ek.hi()),
        show(&p.x)
    );
    ensure!(
        (h.f64 - k.f64).abs() <= h.f64_tol + k.f64_tol,
        "f64: {} vs {} (tolerances {:e}, {:e})",
        h.f64,
        k.f64,
        h.f64_tol,
        k.f64_tol
    );
    TestResult::passed()
}

#[test]
fn kp_operator_matches_full_hessian_at_random_minimizers() {
    qc(300).quickcheck(prop_kp_exact as fn(Case) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// e. Generated minimizers have zero loss; random_transform preserves the product exactly
// ---------------------------------------------------------------------------------------------

fn prop_minimizers_are_exact(c: Case) -> TestResult {
    let (p, phi, base) = random_minimizer(&c, true);
    ensure!(
        product(&base) == phi,
        "base minimizer: product {} ≠ Φ {}",
        show(&product(&base)),
        show(&phi)
    );
    ensure!(
        product(&p.weights) == phi,
        "random_transform changed the product: {} ≠ Φ {}",
        show(&product(&p.weights)),
        show(&phi)
    );
    ensure!(
        target_map(&p.x, &p.y).as_ref() == Some(&phi),
        "target_map(X, ΦX) ≠ Φ"
    );
    let ev = evaluate(&Exact, &p.weights, &p.x, &p.y);
    let l = loss(&Exact, &ev);
    ensure!(l.is_zero(), "loss {} ≠ 0", q_to_string(&l));
    ensure!(
        gradient(&Exact, &ev)
            .iter()
            .all(|g| mat::is_zero_mat(&Exact, g)),
        "nonzero gradient at a zero-loss point"
    );
    TestResult::passed()
}

#[test]
fn generated_minimizers_have_zero_loss_and_the_same_product() {
    qc(1000).quickcheck(prop_minimizers_are_exact as fn(Case) -> TestResult);
}

// ---------------------------------------------------------------------------------------------
// Reference values of claims.md
// ---------------------------------------------------------------------------------------------

fn diag(entries: &[Q]) -> Mat<Q> {
    Mat::from_fn(entries.len(), entries.len(), |i, j| {
        if i == j {
            entries[i].clone()
        } else {
            Q::zero()
        }
    })
}

/// The zero-loss point with data X = I and Y = W_L⋯W_1.
fn zero_loss_point(weights: Vec<Mat<Q>>) -> Point {
    let d0 = weights[0].cols();
    let y = product(&weights);
    Point {
        weights,
        x: mat::identity(&Exact, d0),
        y,
        exact: true,
        origin: "claims.md reference value".into(),
    }
}

#[test]
fn kp_scalar_reference_is_exactly_48() {
    // KP-scalar: w = (2,2,2), m = 8: λ_max = m² Σ w_i⁻² = 64 · 3/4 = 48
    let p = zero_loss_point(vec![Mat::from_vec(1, 1, vec![q(2, 1)]); 3]);
    assert_eq!(p.y.at(0, 0), &q(8, 1));
    let s = Settings::default();
    let (est, proof) = lambda_max(&HessianAt(&p), &s);
    assert_eq!(est.exact_value(), Some(&q(48, 1)));
    assert!(proof.expect("a proof").exact);
    assert!(est.disagreement().is_none());
    assert!((est.f64 - 48.0).abs() <= est.f64_tol);
    let (kp, _) = lambda_max(&KpOperatorAt(&p), &s);
    assert_eq!(kp.exact_value(), Some(&q(48, 1)));
}

#[test]
fn kp_depth2_reference_is_phi_squared_plus_four() {
    // KP-depth2: λ_max = ‖W_2‖₂² + ‖W_1‖₂² = 4 + φ² for W_1 = [[1,1],[0,1]], W_2 = diag(2,1)
    let w1 = Mat::from_vec(2, 2, vec![q(1, 1), q(1, 1), q(0, 1), q(1, 1)]);
    let w2 = diag(&[q(2, 1), q(1, 1)]);
    let p = zero_loss_point(vec![w1, w2]);
    let s = Settings::default();
    let (est, _) = lambda_max(&HessianAt(&p), &s);
    assert!(est.disagreement().is_none(), "{:?}", est.disagreement());
    let enc = est.enclosure.clone().expect("an enclosure");
    assert!(!enc.is_exact(), "φ² + 4 is irrational");
    let prec = 256;
    let phi = (rug::Float::with_val(prec, 5).sqrt() + 1u32) / 2u32;
    let want = rug::Float::with_val(prec, phi.square_ref()) + 4u32;
    let want_q = float_to_q(&want).unwrap();
    assert!(
        enc.lo() <= &want_q && &want_q <= enc.hi(),
        "[{}, {}] misses φ² + 4",
        q_to_string(enc.lo()),
        q_to_string(enc.hi())
    );
    assert!(enc.relative_width() <= pow2_neg(50));
    assert!((est.f64 - 6.618033988749895).abs() <= 1e-12, "{}", est.f64);
    let mp = est.mpfr.as_ref().expect("an MPFR value");
    let err = rug::Float::with_val(prec, mp - &want).abs();
    assert!(err.to_f64() < 1e-60, "MPFR error {err}");
}

#[test]
fn kp_depth3_diagonal_reference_is_91_over_9() {
    // W = (diag(1/3,1/2), diag(3,1), diag(1,2)), Y = W_3 W_2 W_1 = I: the first coordinate is the
    // scalar network (1/3, 3, 1) with m = 1 and λ = 9 + 1/9 + 1 = 91/9
    let ws = vec![
        diag(&[q(1, 3), q(1, 2)]),
        diag(&[q(3, 1), q(1, 1)]),
        diag(&[q(1, 1), q(2, 1)]),
    ];
    let p = zero_loss_point(ws);
    assert_eq!(p.y, mat::identity(&Exact, 2));
    let s = Settings::default();
    let (est, proof) = lambda_max(&HessianAt(&p), &s);
    assert_eq!(est.exact_value(), Some(&q(91, 9)));
    assert!(proof.expect("a proof").exact);
    assert!((est.f64 - 91.0 / 9.0).abs() <= est.f64_tol);
    assert!((Exact.to_f64(&q(91, 9)) - est.mpfr.unwrap().to_f64()).abs() < 1e-14);
    let (kp, _) = lambda_max(&KpOperatorAt(&p), &s);
    assert_eq!(kp.exact_value(), Some(&q(91, 9)));
}

// ---------------------------------------------------------------------------------------------
// Known defect
// ---------------------------------------------------------------------------------------------

/// λ_max of tiny Gram matrices: the MPFR value must lie in the exact enclosure within its stated
/// tolerance, which covers the bisection's absolute stopping width (a regression test: the bound
/// once scaled with ‖H‖_F only, so the zero matrix gave MPFR ≈ 1.7e−77 against a tolerance
/// ≈ 9.5e−153).
#[test]
fn mpfr_tolerance_covers_the_bisection_floor() {
    let s = Settings::default();
    for (m, want) in [
        (Mat::from_vec(2, 2, vec![q(0, 1); 4]), q(0, 1)),
        (Mat::from_vec(1, 1, vec![q(1, 64)]), q(1, 4096)),
    ] {
        let (est, _) = lambda_max(&gram(&m), &s);
        assert_eq!(est.exact_value(), Some(&want));
        assert_eq!(est.disagreement(), None, "Gram of {}", show(&m));
    }
}
