//! Property test for AMG-classify: on random small architectures and targets with a rational,
//! distinct spectrum, the rank criterion (both readings) and the Hessian certificates agree at
//! every constructed critical point. quickcheck shrinks any disagreement to a minimal case.

use dlncheck::app::audit::yaml_matrix;
use dlncheck::enumerate::classify::{optimum, Class, Reading};
use dlncheck::enumerate::critical::{critical_points, index_sets, CriticalPoint};
use dlncheck::enumerate::judge::{canonical_set, class_by_certificate, class_by_criterion};
use dlncheck::enumerate::minimizers::{random_orthogonal, random_transform, Point};
use dlncheck::enumerate::spectrum::spectrum;
use dlncheck::linalg::mat::{self, Mat};
use dlncheck::linalg::Exact;
use num_rational::BigRational;
use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use rand::SeedableRng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A random architecture and a target Y = Q D (Q rational orthogonal, D rectangular diagonal with
/// distinct positive entries), so Σ = Y Yᵀ = Q D Dᵀ Qᵀ has a rational spectrum with rational
/// eigenvectors; X = I.
#[derive(Clone, Debug)]
struct Problem {
    dims: Vec<usize>,
    diag: Vec<u8>,
    seed: u64,
}

impl Arbitrary for Problem {
    fn arbitrary(g: &mut Gen) -> Self {
        let depth = 1 + usize::arbitrary(g) % 4;
        let dims = (0..=depth)
            .map(|_| 1 + usize::arbitrary(g) % 3)
            .collect::<Vec<_>>();
        let diag = (0..3).map(|_| 1 + u8::arbitrary(g) % 5).collect();
        Problem {
            dims,
            diag,
            seed: u64::arbitrary(g) % 1000,
        }
    }
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut out = Vec::new();
        if self.dims.len() > 2 {
            for k in 1..self.dims.len() - 1 {
                let mut d = self.clone();
                d.dims.remove(k);
                out.push(d);
            }
        }
        for k in 0..self.dims.len() {
            if self.dims[k] > 1 {
                let mut d = self.clone();
                d.dims[k] -= 1;
                out.push(d);
            }
        }
        if self.seed != 0 {
            out.push(Problem {
                seed: 0,
                ..self.clone()
            });
        }
        Box::new(out.into_iter())
    }
}

impl Problem {
    fn target(&self) -> Mat<BigRational> {
        let (d0, dl) = (self.dims[0], self.dims[self.dims.len() - 1]);
        // distinct singular values: cumulative sums of the positive increments
        let mut s = Vec::new();
        let mut acc = 0i64;
        for &x in self.diag.iter().take(d0.min(dl)) {
            acc += x as i64;
            s.push(acc);
        }
        let d = Mat::from_fn(dl, d0, |i, j| {
            if i == j && i < s.len() {
                BigRational::from_integer(s[i].into())
            } else {
                BigRational::from_integer(0.into())
            }
        });
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
        let (q, _) = random_orthogonal(&mut rng, dl);
        mat::matmul(&Exact, &q, &d)
    }
}

static POINTS: AtomicUsize = AtomicUsize::new(0);
/// The last failing input: quickcheck shrinks by re-running the property on simpler inputs, so the
/// last one that fails is the minimal counterexample.
static LAST_FAILURE: Mutex<Option<Problem>> = Mutex::new(None);

impl Problem {
    /// The problem as a YAML case checking both readings, to be added to the regression suite.
    fn to_yaml(&self, why: &str) -> String {
        let y = yaml_matrix(&self.target());
        format!(
            "version: 1\nabout: \"finding of tests/amg_properties.rs: {}\"\nseed: {}\nmodel: {{kind: linear, dims: {:?}}}\ndata: {{x: identity, y: {}}}\nchecks:\n  - {{claim: AMG-classify}}\n  - {{claim: AMG-classify-path}}\n",
            why.replace('"', "'"),
            self.seed,
            self.dims,
            y
        )
    }
}

fn criterion_matches_certificate(p: Problem) -> TestResult {
    let result = classify_all(&p);
    if result.is_failure() {
        *LAST_FAILURE.lock().unwrap() = Some(p);
    }
    result
}

fn classify_all(p: &Problem) -> TestResult {
    let y = p.target();
    let x = mat::identity(&Exact, p.dims[0]);
    let Ok(sp) = spectrum(&x, &y, 128) else {
        // zero eigenvalues repeat when d_L > d_0 + 1: out of the claim's scope
        return TestResult::discard();
    };
    let (_, f_star) = optimum(&p.dims, &sp);
    let r = *p.dims.iter().min().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(p.seed);
    for set in index_sets(p.dims[p.dims.len() - 1], r) {
        let constructed = critical_points(&p.dims, &sp, &set, &x, &y);
        // each point, and a seeded change of basis of it (criticality and class are invariant)
        let moved: Vec<CriticalPoint> = constructed
            .iter()
            .map(|cp| {
                let weights = random_transform(&mut rng, &cp.point.weights, false);
                let point = Point {
                    weights,
                    origin: format!("{}, moved", cp.point.origin),
                    ..cp.point.clone()
                };
                CriticalPoint {
                    point,
                    set: cp.set.clone(),
                }
            })
            .collect();
        for cp in constructed.into_iter().chain(moved) {
            POINTS.fetch_add(1, Ordering::Relaxed);
            let s = canonical_set(&sp, &cp);
            let (cert, _, detail) = class_by_certificate(&sp, &cp, &f_star, 200);
            let Some(cert) = cert else {
                return TestResult::error(format!(
                    "{}: no certificate ({detail})",
                    cp.point.origin
                ));
            };
            if cert == Class::NotCritical {
                return TestResult::error(format!(
                    "{}: constructed point is not critical",
                    cp.point.origin
                ));
            }
            for reading in [Reading::Tightened, Reading::Path] {
                let rule = class_by_criterion(&p.dims, &cp.point, &s, reading);
                if rule != cert {
                    return TestResult::error(format!(
                        "{} ({reading:?}): criterion {} vs certificate {} ({detail})",
                        cp.point.origin,
                        rule.as_str(),
                        cert.as_str()
                    ));
                }
            }
        }
    }
    TestResult::passed()
}

#[test]
fn criterion_and_certificate_agree_on_at_least_1000_points() {
    let outcome = QuickCheck::new()
        .tests(200)
        .max_tests(2000)
        .quicktest(criterion_matches_certificate as fn(Problem) -> TestResult);
    if outcome.is_err() {
        // a disagreement is a finding: write the shrunk case where the suite can pick it up
        let p = LAST_FAILURE
            .lock()
            .unwrap()
            .clone()
            .expect("a failing input was recorded");
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("findings");
        std::fs::create_dir_all(&dir).unwrap();
        let dims: Vec<String> = p.dims.iter().map(|d| d.to_string()).collect();
        let path = dir.join(format!("amg-classify-{}-{}.yaml", dims.join("x"), p.seed));
        std::fs::write(&path, p.to_yaml(&format!("{outcome:?}"))).unwrap();
        panic!(
            "criterion and certificate disagree; minimal case written to {}",
            path.display()
        );
    }
    let n = POINTS.load(Ordering::Relaxed);
    assert!(n >= 1000, "only {n} critical points were classified");
}
