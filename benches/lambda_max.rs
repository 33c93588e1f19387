//! Cost of λ_max(∇²f) along each path dlncheck computes it, at seeded random zero-loss minimizers.
//!
//! Groups are named `lambda_max/{path}` with one benchmark per architecture `{L}x{d}` (depth L,
//! square widths d, X = I), so the full ids read `lambda_max/{path}/{L}x{d}`. Throughput is the
//! parameter count P = L·d², the dimension of the Hessian:
//! - `f64-dense`: evaluate, build the dense P × P Hessian in f64, faer's top eigenpair;
//! - `kp-operator-f64`: evaluate, build the KP-exact operator Σ_k (B_kX)ᵀB_kX ⊗ A_kA_kᵀ
//!   (d_L·n × d_L·n, claims.md KP-exact) in f64, faer's top eigenpair;
//! - `mpfr-256`: evaluate, build the Hessian in MPFR at 256 bits, Householder + Sturm bisection;
//! - `exact-enclosure`: the whole three-way `lambda_max` (f64, MPFR and the proven rational
//!   enclosure) from the exact rational point;
//! - `hvp-f64`: one Hessian-vector product in f64 (the point already evaluated);
//! - `proves-below`: one verified floating Cholesky ([`proves_below`]) of uI − K for a seeded
//!   random m × m Gram matrix K = GGᵀ/m and u = ‖K‖_F + 1 (so it runs to completion), m = 1024
//!   and 4096 (KP_LIMIT), beside `verified-top` (the verified eigendecomposition it replaces) at
//!   m = 1024; ids `m{m}`, throughput m.
//! - `mpfr-256-refined`: the KP operator's top eigenpair refined matrix-free in MPFR-256 from the
//!   f64 Lanczos vector, with its proven radius (`kp_mpfr::refine_top`, from the exact point), at
//!   L = 12, d = 32 (P = 12 288) and d = 64 (P = 49 152).
//!
//! Points: Φ is a seeded random rational d × d matrix, W is the library's base minimizer of Φ moved
//! by a seeded random invertible change of basis of every hidden layer, X = I and Y = Φ, so the
//! loss is exactly zero.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dlncheck::certify::kp_mpfr::refine_top;
use dlncheck::certify::lambda_max::{lambda_max, Settings};
use dlncheck::certify::sources::HessianAt;
use dlncheck::enumerate::minimizers::{base_minimizer, random_transform, Point};
use dlncheck::linalg::cholesky_verified::proves_below;
use dlncheck::linalg::mat::{self, Mat};
use dlncheck::linalg::verified::verified_top;
use dlncheck::linalg::{eigen_f64, eigen_mpfr, Exact, Field, Mpfr, F64};
use dlncheck::model::linear::{evaluate, hessian, hvp, kp_operator, offsets};
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

/// Depths and widths of the f64 paths (dense Hessian, KP operator, HVP).
const F64_SIZES: &[(usize, usize)] = &[(3, 2), (3, 4), (3, 8), (6, 2), (6, 4), (6, 8)];
/// Depths and widths of the MPFR and exact paths (cubic in P with big-number arithmetic).
const SLOW_SIZES: &[(usize, usize)] = &[(3, 2), (3, 3), (3, 4)];

/// A seeded random zero-loss minimizer of depth `l`, square widths `d`, X = I.
fn minimizer(l: usize, d: usize) -> Point {
    let mut rng = ChaCha8Rng::seed_from_u64((l * 1000 + d) as u64);
    let phi = Mat::from_fn(d, d, |_, _| {
        BigRational::new(
            rng.gen_range(-3i64..=3).into(),
            rng.gen_range(1i64..=4).into(),
        )
    });
    let base = base_minimizer(&vec![d; l + 1], &phi).expect("square widths: a minimizer exists");
    let weights = random_transform(&mut rng, &base, false);
    Point {
        weights,
        x: mat::identity(&Exact, d),
        y: phi,
        exact: true,
        origin: format!("bench minimizer {l}x{d}"),
    }
}

/// Weights W_1 … W_L, X and Y in one arithmetic.
type Problem<T> = (Vec<Mat<T>>, Mat<T>, Mat<T>);

/// The point's weights and data in arithmetic `f`.
fn converted<F: Field>(f: &F, p: &Point) -> Problem<F::T> {
    let ws = p.weights.iter().map(|w| mat::from_exact(f, w)).collect();
    (ws, mat::from_exact(f, &p.x), mat::from_exact(f, &p.y))
}

fn params(p: &Point) -> u64 {
    *offsets(&p.weights).last().unwrap() as u64
}

fn id(l: usize, d: usize) -> BenchmarkId {
    BenchmarkId::from_parameter(format!("{l}x{d}"))
}

/// One group `lambda_max/{name}`: build a symmetric matrix in f64 from the evaluated network
/// with `build`, then take its top eigenvalue with faer.
fn f64_path(
    c: &mut Criterion,
    name: &str,
    build: impl Fn(&[Mat<f64>], &dlncheck::model::linear::Evaluated<f64>) -> Mat<f64>,
) {
    let mut g = c.benchmark_group(format!("lambda_max/{name}"));
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for &(l, d) in F64_SIZES {
        let p = minimizer(l, d);
        let (ws, x, y) = converted(&F64, &p);
        g.throughput(Throughput::Elements(params(&p)));
        g.bench_function(id(l, d), |b| {
            b.iter(|| {
                let ev = evaluate(&F64, &ws, &x, &y);
                eigen_f64::top_eigenpair(black_box(&build(&ws, &ev)))
                    .unwrap()
                    .value
            })
        });
    }
    g.finish();
}

fn f64_dense(c: &mut Criterion) {
    f64_path(c, "f64-dense", |ws, ev| hessian(&F64, ws, ev));
}

fn kp_operator_f64(c: &mut Criterion) {
    f64_path(c, "kp-operator-f64", |_, ev| kp_operator(&F64, ev));
}

fn mpfr_256(c: &mut Criterion) {
    let mp = Mpfr { prec: 256 };
    let mut g = c.benchmark_group("lambda_max/mpfr-256");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for &(l, d) in SLOW_SIZES {
        let p = minimizer(l, d);
        let (ws, x, y) = converted(&mp, &p);
        g.throughput(Throughput::Elements(params(&p)));
        g.bench_function(id(l, d), |b| {
            b.iter(|| {
                let ev = evaluate(&mp, &ws, &x, &y);
                let h = hessian(&mp, &ws, &ev);
                eigen_mpfr::top_eigenvalue(black_box(&h), mp.prec)
            })
        });
    }
    g.finish();
}

fn exact_enclosure(c: &mut Criterion) {
    let s = Settings::default();
    let mut g = c.benchmark_group("lambda_max/exact-enclosure");
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    for &(l, d) in SLOW_SIZES {
        let p = minimizer(l, d);
        g.throughput(Throughput::Elements(params(&p)));
        g.bench_function(id(l, d), |b| {
            b.iter(|| {
                let (est, _) = lambda_max(&HessianAt(black_box(&p)), &s);
                assert!(est.enclosure.is_some(), "{:?}", est.notes);
                est
            })
        });
    }
    g.finish();
}

/// Depths and widths of the matrix-free MPFR refinement (issue 14's MPFR targets).
const REFINED_SIZES: &[(usize, usize)] = &[(12, 32), (12, 64)];

fn mpfr_256_refined(c: &mut Criterion) {
    let mut g = c.benchmark_group("lambda_max/mpfr-256-refined");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for &(l, d) in REFINED_SIZES {
        let p = minimizer(l, d);
        g.throughput(Throughput::Elements(params(&p)));
        g.bench_function(id(l, d), |b| {
            b.iter(|| {
                let t = refine_top(black_box(&p), 256).unwrap();
                assert!(t.hi.is_some(), "{:?}", t.note);
                t
            })
        });
    }
    g.finish();
}

fn hvp_f64(c: &mut Criterion) {
    let mut g = c.benchmark_group("lambda_max/hvp-f64");
    g.sample_size(10).measurement_time(Duration::from_secs(1));
    for &(l, d) in F64_SIZES {
        let p = minimizer(l, d);
        let (ws, x, y) = converted(&F64, &p);
        let ev = evaluate(&F64, &ws, &x, &y);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let v: Vec<Mat<f64>> = ws
            .iter()
            .map(|w| Mat::from_fn(w.rows(), w.cols(), |_, _| rng.gen_range(-1.0..1.0)))
            .collect();
        g.throughput(Throughput::Elements(params(&p)));
        g.bench_function(id(l, d), |b| b.iter(|| hvp(&F64, &ev, black_box(&v))));
    }
    g.finish();
}

/// A seeded random m × m Gram matrix GGᵀ/m (exactly symmetric) and u = ‖K‖_F + 1 > λ_max.
fn gram(m: usize) -> (faer::Mat<f64>, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(m as u64);
    let g = faer::Mat::<f64>::from_fn(m, m, |_, _| rng.gen_range(-1.0..1.0));
    let mut k = faer::Mat::<f64>::zeros(m, m);
    faer::linalg::matmul::matmul(
        k.as_mut(),
        faer::Accum::Replace,
        g.as_ref(),
        g.transpose(),
        1.0 / m as f64,
        faer::get_global_parallelism(),
    );
    let k = faer::Mat::from_fn(m, m, |i, j| k[(i.max(j), i.min(j))]);
    let u = k.norm_l2() + 1.0;
    (k, u)
}

fn verified_cholesky(c: &mut Criterion) {
    let mut g = c.benchmark_group("lambda_max/proves-below");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for m in [1024, 4096] {
        let (k, u) = gram(m);
        g.throughput(Throughput::Elements(m as u64));
        g.bench_function(format!("m{m}"), |b| {
            b.iter(|| assert!(proves_below(black_box(k.as_ref()), 0.0, u).unwrap()))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("lambda_max/verified-top");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let (k, _) = gram(1024);
    g.throughput(Throughput::Elements(1024));
    g.bench_function("m1024", |b| {
        b.iter(|| verified_top(black_box(k.as_ref()), 0.0).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500));
    targets = f64_dense, kp_operator_f64, mpfr_256, exact_enclosure, hvp_f64, verified_cholesky,
        mpfr_256_refined
}
criterion_main!(benches);
