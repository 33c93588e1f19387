//! Cost of every λ_max path of the planner ([`dlncheck::certify::planner`]) and of the scalable
//! MPFR and proven paths, over depths L ∈ {3, 6, 12} and widths d ∈ {4, 8, 16, 32, 64}, at seeded
//! random zero-loss minimizers (X = I, dyadic weights, Y = W_L⋯W_1 exactly) and at the same
//! weights with a nonzero loss (Y + I). Ids read `paths/{path}/{L}x{d}`; throughput is P = L·d².
//!
//! Skipped combinations (infeasible for a path, not measured):
//! - `dense` only for P ≤ 3072 (P² doubles and P³ flops: 12288 would be 1.2 GB);
//! - `kp-operator` (d_L·n)² = d⁴ doubles: all sizes (d = 64 is a 4096² matrix, 134 MB);
//! - `kp-operator-lanczos` (K never formed, O(L·d²) doubles): all sizes;
//! - `mpfr-256-kp` only for d ≤ 8 (O(d⁶) MPFR operations);
//! - `kp-verified` (proven enclosure) only for d ≤ 32 (d = 64: a 4096² verified
//!   eigendecomposition, minutes);
//! - `lanczos-hvp` (nonzero loss) and `hvp`: all sizes;
//! - `lanczos-hvp-noise`: the non-minimizers of benches/compare.sh's kind (Y plus seeded noise of
//!   standard deviation 1/10 in every entry, not only on the diagonal) at L = 12, d ∈ {32, 64},
//!   the sizes where the comparison with jax-eigsh is closest.
//!
//! `suite/check-cases` runs the whole shipped suite (`dlncheck check cases`, every core, reports
//! into a temporary directory) in process.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dlncheck::app::check::options::RunOptions;
use dlncheck::app::check::runner;
use dlncheck::certify::kp_verified;
use dlncheck::certify::lambda_max::SymmetricSource;
use dlncheck::certify::planner::{top_f64, Path};
use dlncheck::certify::sources::KpOperatorAt;
use dlncheck::enumerate::minimizers::Point;
use dlncheck::linalg::field::f64_to_q;
use dlncheck::linalg::mat::{self, Mat};
use dlncheck::linalg::scaled::Scaled;
use dlncheck::linalg::{eigen_mpfr, Mpfr, F64};
use dlncheck::model::network_f64::NetworkF64;
use num_rational::BigRational;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

const DEPTHS: &[usize] = &[3, 6, 12];
const WIDTHS: &[usize] = &[4, 8, 16, 32, 64];

/// A seeded zero-loss point: W_k = I + G_k/(2√d) with G_k uniform in [−1, 1) rounded to f64
/// (exact dyadics), X = I, Y = W_L⋯W_1 exactly.
fn minimizer(l: usize, d: usize) -> Point {
    let mut rng = ChaCha8Rng::seed_from_u64((l * 1000 + d) as u64);
    let s = 0.5 / (d as f64).sqrt();
    let weights: Vec<Mat<BigRational>> = (0..l)
        .map(|_| {
            Mat::from_fn(d, d, |i, j| {
                let g: f64 = rng.gen_range(-1.0..1.0) * s;
                f64_to_q(if i == j { 1.0 + g } else { g }).expect("finite")
            })
        })
        .collect();
    let mut z = Scaled::identity(d);
    for w in &weights {
        z = Scaled::from_q(w).matmul(&z);
    }
    Point {
        weights,
        x: mat::identity(&dlncheck::linalg::Exact, d),
        y: z.to_q(),
        exact: true,
        origin: format!("bench {l}x{d}"),
    }
}

fn network(p: &Point, shift_y: bool) -> NetworkF64 {
    let ws: Vec<Mat<f64>> = p.weights.iter().map(|w| mat::from_exact(&F64, w)).collect();
    let mut y = mat::from_exact(&F64, &p.y);
    if shift_y {
        for i in 0..y.rows() {
            *y.at_mut(i, i) += 1.0;
        }
    }
    NetworkF64::new(&ws, &mat::from_exact(&F64, &p.x), &y)
}

fn id(l: usize, d: usize) -> BenchmarkId {
    BenchmarkId::from_parameter(format!("{l}x{d}"))
}

fn sizes(keep: impl Fn(usize, usize) -> bool) -> Vec<(usize, usize)> {
    DEPTHS
        .iter()
        .flat_map(|&l| WIDTHS.iter().map(move |&d| (l, d)))
        .filter(|&(l, d)| keep(l, d))
        .collect()
}

fn f64_path(
    c: &mut Criterion,
    path: Path,
    nonzero_loss: bool,
    keep: impl Fn(usize, usize) -> bool,
) {
    let mut g = c.benchmark_group(format!("paths/{}", path.name()));
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for (l, d) in sizes(keep) {
        let p = minimizer(l, d);
        let net = network(&p, nonzero_loss);
        g.throughput(Throughput::Elements((l * d * d) as u64));
        g.bench_function(id(l, d), |b| {
            b.iter(|| top_f64(black_box(&net), path).expect("converges").value)
        });
    }
    g.finish();
}

fn kp_operator(c: &mut Criterion) {
    f64_path(c, Path::KpOperator, false, |_, _| true);
}

fn kp_operator_lanczos(c: &mut Criterion) {
    f64_path(c, Path::KpOperatorLanczos, false, |_, _| true);
}

fn lanczos_hvp(c: &mut Criterion) {
    f64_path(c, Path::LanczosHvp, true, |_, _| true);
}

fn lanczos_hvp_noise(c: &mut Criterion) {
    let mut g = c.benchmark_group("paths/lanczos-hvp-noise");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for (l, d) in [(12, 32), (12, 64)] {
        let p = minimizer(l, d);
        let ws: Vec<Mat<f64>> = p.weights.iter().map(|w| mat::from_exact(&F64, w)).collect();
        let mut rng = ChaCha8Rng::seed_from_u64((l * 1000 + d + 7) as u64);
        // uniform on [−√3/10, √3/10): standard deviation 1/10
        let half = 3f64.sqrt() / 10.0;
        let y0 = mat::from_exact(&F64, &p.y);
        let y = Mat::from_fn(d, d, |i, j| *y0.at(i, j) + rng.gen_range(-half..half));
        let net = NetworkF64::new(&ws, &mat::from_exact(&F64, &p.x), &y);
        g.throughput(Throughput::Elements((l * d * d) as u64));
        g.bench_function(id(l, d), |b| {
            b.iter(|| {
                top_f64(black_box(&net), Path::LanczosHvp)
                    .expect("converges")
                    .value
            })
        });
    }
    g.finish();
}

fn dense(c: &mut Criterion) {
    f64_path(c, Path::Dense, true, |l, d| l * d * d <= 3072);
}

fn hvp(c: &mut Criterion) {
    let mut g = c.benchmark_group("paths/hvp");
    g.sample_size(10).measurement_time(Duration::from_secs(1));
    for (l, d) in sizes(|_, _| true) {
        let net = network(&minimizer(l, d), true);
        let mut s = net.scratch();
        let v: Vec<f64> = (0..net.params()).map(|i| (i as f64).sin()).collect();
        let mut out = vec![0.0; net.params()];
        g.throughput(Throughput::Elements(net.params() as u64));
        g.bench_function(id(l, d), |b| {
            b.iter(|| net.hvp(black_box(&v), &mut out, &mut s))
        });
    }
    g.finish();
}

fn mpfr_kp(c: &mut Criterion) {
    let mp = Mpfr { prec: 256 };
    let mut g = c.benchmark_group("paths/mpfr-256-kp");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    for (l, d) in sizes(|_, d| d <= 8) {
        let p = minimizer(l, d);
        g.throughput(Throughput::Elements((l * d * d) as u64));
        g.bench_function(id(l, d), |b| {
            b.iter(|| eigen_mpfr::top_eigenvalue(&KpOperatorAt(black_box(&p)).build(&mp), 256))
        });
    }
    g.finish();
}

fn kp_verified_enclosure(c: &mut Criterion) {
    let mut g = c.benchmark_group("paths/kp-verified");
    g.sample_size(10).measurement_time(Duration::from_secs(4));
    for (l, d) in sizes(|_, d| d <= 32) {
        let p = minimizer(l, d);
        g.throughput(Throughput::Elements((l * d * d) as u64));
        g.bench_function(id(l, d), |b| {
            b.iter(|| kp_verified::enclose(black_box(&p)).expect("zero loss"))
        });
    }
    g.finish();
}

fn suite(c: &mut Criterion) {
    let mut g = c.benchmark_group("suite");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let files = runner::discover(&[std::path::PathBuf::from("cases")]).expect("cases/ exists");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let opts = RunOptions {
        report_dir: dir.path().to_path_buf(),
        timing: false,
        ..RunOptions::default()
    };
    g.bench_function("check-cases", |b| {
        b.iter(|| runner::run(&files, &opts, &|_| {}).expect("the suite runs"))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(300));
    targets = hvp, kp_operator, kp_operator_lanczos, lanczos_hvp, lanczos_hvp_noise, dense, mpfr_kp, kp_verified_enclosure, suite
}
criterion_main!(benches);
