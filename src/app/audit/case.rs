//! A drawn case ([`AuditCase`]): its random generation on the entry grid, its YAML text, and its
//! shrinking (fewer layers, narrower widths, simpler entries).

use super::shape::{family, shape, AuditOptions, Family, Shape, XKind, DATA_COLS, GRID};
use crate::case::ModelKind;
use crate::enumerate::minimizers::random_orthogonal;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::verdict::Verdict;
use num_rational::BigRational;
use quickcheck::{Arbitrary, Gen};
use rand::{Rng, SeedableRng};

/// A small random case: widths, integer numerators over small denominators on a fixed grid per
/// layer, and a seed for the orthogonal factor of spectrum targets (and the claim's own random
/// choices). Shrinking removes layers, narrows widths and simplifies entries toward 0 and 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCase {
    claim: String,
    /// The model kind.
    pub(super) kind: ModelKind,
    /// The widths d_0, …, d_L.
    pub(super) dims: Vec<usize>,
    /// Per layer, GRID × GRID entries (numerator, denominator): entry (i, j) of W_k is
    /// `layers[k][i * GRID + j]`.
    layers: Vec<Vec<(i64, i64)>>,
    /// X's extra columns (rows i, column j at `i * DATA_COLS + j`), then Y's entries (offset
    /// `GRID * DATA_COLS`).
    data: Vec<(i64, i64)>,
    extra_columns: usize,
    /// X is written as a matrix ([I | R]) rather than `identity`.
    x_matrix: bool,
    /// λ of l2-regularized models, 1/n.
    lambda_den: i64,
    /// The seed of the orthogonal factor and the claim's own random choices.
    pub(super) seed: u64,
    /// Fewest extra columns of X (1 under `--x general`, so X stays not the identity).
    min_extra: usize,
    min_depth: usize,
    min_width: usize,
    square: bool,
}

fn draw_entry(rng: &mut impl Rng) -> (i64, i64) {
    (rng.gen_range(-3..=3), rng.gen_range(1..=3))
}

fn draw_layer(rng: &mut impl Rng) -> Vec<(i64, i64)> {
    (0..GRID * GRID).map(|_| draw_entry(rng)).collect()
}

impl AuditCase {
    /// A seeded random case for `claim` with the claim's default shapes.
    pub fn generate(claim: &str, rng: &mut impl Rng) -> Self {
        let shape = shape(claim, &AuditOptions::default()).expect("default audit shape");
        Self::generate_with(claim, &shape, rng)
    }

    pub(super) fn generate_with(claim: &str, s: &Shape, rng: &mut impl Rng) -> Self {
        let fam = family(claim);
        let dims: Vec<usize> = match &s.fixed_dims {
            Some(d) => d.clone(),
            None => {
                let depth = rng.gen_range(s.depth.0..=s.depth.1);
                let w = rng.gen_range(s.width.0..=s.width.1);
                (0..=depth)
                    .map(|_| {
                        if s.square {
                            w
                        } else {
                            rng.gen_range(s.width.0..=s.width.1)
                        }
                    })
                    .collect()
            }
        };
        let layers = (0..dims.len() - 1).map(|_| draw_layer(rng)).collect();
        let data = (0..2 * GRID * DATA_COLS).map(|_| draw_entry(rng)).collect();
        let data_fam = fam == Family::Data || fam == Family::AnyPoint;
        let (x_matrix, extra_columns) = match s.x {
            Some(XKind::Identity) => (false, 0),
            Some(XKind::General) => (true, rng.gen_range(1..=2)),
            None if data_fam => (true, rng.gen_range(0..=2)),
            None => (false, 0),
        };
        AuditCase {
            claim: claim.into(),
            kind: s.kind,
            dims,
            layers,
            data,
            extra_columns,
            x_matrix,
            lambda_den: rng.gen_range(2..=20),
            seed: rng.gen_range(0..1000),
            min_extra: usize::from(s.x == Some(XKind::General)),
            min_depth: s.depth.0,
            min_width: s.width.0,
            square: s.square,
        }
    }

    /// The number of layers L.
    pub fn depth(&self) -> usize {
        self.dims.len() - 1
    }

    /// The widths d_0, …, d_L.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    fn q((n, d): (i64, i64)) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    fn layer(&self, k: usize) -> Mat<BigRational> {
        let (rows, cols) = (self.dims[k + 1], self.dims[k]);
        let m = Mat::from_fn(rows, cols, |i, j| Self::q(self.layers[k][i * GRID + j]));
        if family(&self.claim) != Family::Diagonal {
            return m;
        }
        // positive diagonal: 1 first (a common top direction, so flat points are frequent),
        // then (|n| + 1)/(d + 1) ∈ [1/4, 2]
        Mat::from_fn(rows, cols, |i, j| {
            if i == 0 && j == 0 {
                BigRational::from_integer(1.into())
            } else if i == j {
                let (n, d) = self.layers[k][i * GRID + j];
                BigRational::new((n.abs() + 1).into(), (d + 1).into())
            } else {
                BigRational::from_integer(0.into())
            }
        })
    }

    /// The case as YAML text (version 1), with `expect` on its single check when given.
    pub fn to_yaml(&self, name: &str, about: &str, expect: Option<Verdict>) -> String {
        let fam = family(&self.claim);
        let (d0, dl) = (self.dims[0], self.dims[self.depth()]);
        let weights: Vec<Mat<BigRational>> = (0..self.depth()).map(|k| self.layer(k)).collect();
        let x = self.x_matrix.then(|| {
            // [I | R]: full row rank by construction
            Mat::from_fn(d0, d0 + self.extra_columns, |i, j| {
                if j < d0 {
                    BigRational::from_integer(i64::from(i == j).into())
                } else {
                    Self::q(self.data[i * DATA_COLS + j - d0])
                }
            })
        });
        let x_exact = x.clone().unwrap_or_else(|| mat::identity(&Exact, d0));
        let n = x_exact.cols();
        let y = match fam {
            Family::AnyPoint => Mat::from_fn(dl, n, |i, j| {
                Self::q(self.data[GRID * DATA_COLS + i * DATA_COLS + j])
            }),
            Family::Spectrum => {
                // Y = Q D, D rectangular diagonal with distinct positive entries 1, 2, 3, …
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
                let (q, _) = random_orthogonal(&mut rng, dl);
                let d = Mat::from_fn(dl, n, |i, j| {
                    BigRational::from_integer(if i == j { (i + 1) as i64 } else { 0 }.into())
                });
                mat::matmul(&Exact, &q, &d)
            }
            _ => {
                let factor = |w: &Mat<BigRational>| {
                    if self.kind == ModelKind::Residual {
                        Mat::from_fn(w.rows(), w.cols(), |i, j| {
                            w.at(i, j) + BigRational::from_integer(i64::from(i == j).into())
                        })
                    } else {
                        w.clone()
                    }
                };
                let p = weights[1..].iter().fold(factor(&weights[0]), |p, w| {
                    mat::matmul(&Exact, &factor(w), &p)
                });
                mat::matmul(&Exact, &p, &x_exact)
            }
        };
        let rows = yaml_matrix;
        let mut out = format!(
            "version: 1\nname: {name}\nabout: \"{about}\"\nseed: {}\n",
            self.seed
        );
        let lambda = if self.kind == ModelKind::L2Regularized {
            format!(", lambda: \"1/{}\"", self.lambda_den)
        } else {
            String::new()
        };
        out += &format!(
            "model: {{kind: {}, dims: {:?}{lambda}}}\n",
            self.kind, self.dims
        );
        out += &format!(
            "data:\n  x: {}\n  y: {}\n",
            x.as_ref().map_or("identity".to_string(), rows),
            rows(&y)
        );
        if fam != Family::Spectrum {
            out += "point:\n  weights:\n";
            for w in &weights {
                out += &format!("    - {}\n", rows(w));
            }
        }
        out += &format!(
            "checks:\n  - {{claim: {}{}}}\n",
            self.claim,
            expect.map_or(String::new(), |e| format!(", expect: {}", e.as_str()))
        );
        out
    }

    /// Grid positions of the layer entries the case uses.
    fn used_layer_entries(&self) -> Vec<(usize, usize)> {
        let diag = family(&self.claim) == Family::Diagonal;
        let mut out = Vec::new();
        for k in 0..self.depth() {
            for i in 0..self.dims[k + 1] {
                for j in 0..self.dims[k] {
                    if !diag || (i == j && i > 0) {
                        out.push((k, i * GRID + j));
                    }
                }
            }
        }
        out
    }

    /// Positions in `data` of the entries the case uses.
    fn used_data_entries(&self) -> Vec<usize> {
        let (d0, dl) = (self.dims[0], self.dims[self.depth()]);
        let mut out = Vec::new();
        if self.x_matrix {
            for i in 0..d0 {
                out.extend((0..self.extra_columns).map(|j| i * DATA_COLS + j));
            }
        }
        if family(&self.claim) == Family::AnyPoint {
            let n = if self.x_matrix {
                d0 + self.extra_columns
            } else {
                d0
            };
            for i in 0..dl {
                out.extend((0..n).map(|j| GRID * DATA_COLS + i * DATA_COLS + j));
            }
        }
        out
    }

    /// The same case with layer k and width index `drop` (k or k + 1) removed.
    fn without_layer(&self, k: usize, drop: usize) -> Self {
        let mut c = self.clone();
        c.layers.remove(k);
        c.dims.remove(drop);
        c
    }

    /// Smaller shapes (one layer fewer, or one width narrower), each with every layer kept.
    fn smaller_shapes(&self) -> Vec<Self> {
        let mut out: Vec<Self> = Vec::new();
        let push = |c: Self, out: &mut Vec<Self>| {
            if c != *self && !out.contains(&c) {
                out.push(c);
            }
        };
        if self.depth() > self.min_depth.max(1) {
            for k in 0..self.depth() {
                push(self.without_layer(k, k + 1), &mut out);
                push(self.without_layer(k, k), &mut out);
            }
        }
        if self.square {
            if self.dims[0] > self.min_width {
                let mut c = self.clone();
                c.dims.iter_mut().for_each(|d| *d -= 1);
                push(c, &mut out);
            }
        } else {
            for k in 0..self.dims.len() {
                if self.dims[k] > self.min_width {
                    let mut c = self.clone();
                    c.dims[k] -= 1;
                    push(c, &mut out);
                }
            }
        }
        out
    }
}

/// Simpler rationals than (n, d), tried in this order.
fn simpler((n, d): (i64, i64)) -> Vec<(i64, i64)> {
    [(0, 1), (1, 1), (n.abs(), d), (n, 1), (n / 2, d)]
        .into_iter()
        .filter(|&s| {
            s != (n, d) && (s.0.abs() < n.abs() || s.1 < d || s == (0, 1) || (s.0 == -n && n < 0))
        })
        .collect()
}

/// Fresh entry draws tried at each smaller shape when keeping the entries does not refute.
const REDRAWS: u64 = 12;

impl Arbitrary for AuditCase {
    /// Delegates to [`AuditCase::generate`] with a generator seeded from `g` (for property tests;
    /// the audit command seeds its own generator).
    fn arbitrary(g: &mut Gen) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(u64::arbitrary(g));
        AuditCase::generate("KP-bound", &mut rng)
    }

    /// Smaller shapes first (fewer layers, then narrower widths), keeping the entries; then the
    /// same smaller shapes with fresh entries (seeded by the shape, so shrinking is
    /// deterministic); then fewer extra columns of X, simpler entries, and seed 0.
    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut out = self.smaller_shapes();
        let shapes = out.clone();
        for (s, c) in shapes.iter().enumerate() {
            for r in 0..REDRAWS {
                let tag = c.dims.iter().fold(s as u64, |h, &d| h * 31 + d as u64);
                let mut rng =
                    rand_chacha::ChaCha8Rng::seed_from_u64(tag.wrapping_mul(1_000_003) + r);
                let mut fresh = c.clone();
                fresh.layers = (0..c.depth()).map(|_| draw_layer(&mut rng)).collect();
                out.push(fresh);
            }
        }
        if self.extra_columns > self.min_extra {
            out.push(AuditCase {
                extra_columns: self.extra_columns - 1,
                ..self.clone()
            });
        }
        for (k, at) in self.used_layer_entries() {
            for s in simpler(self.layers[k][at]) {
                let mut c = self.clone();
                c.layers[k][at] = s;
                out.push(c);
            }
        }
        for at in self.used_data_entries() {
            for s in simpler(self.data[at]) {
                let mut c = self.clone();
                c.data[at] = s;
                out.push(c);
            }
        }
        if self.seed != 0 {
            out.push(AuditCase {
                seed: 0,
                ..self.clone()
            });
        }
        Box::new(out.into_iter())
    }
}

/// A matrix as a YAML flow sequence of rows of exact strings, e.g. `[["1/2", "0"], ["0", "1"]]`.
pub fn yaml_matrix(m: &Mat<BigRational>) -> String {
    let r: Vec<String> = (0..m.rows())
        .map(|i| {
            let row: Vec<String> = (0..m.cols())
                .map(|j| format!("\"{}\"", q_to_string(m.at(i, j))))
                .collect();
            format!("[{}]", row.join(", "))
        })
        .collect();
    format!("[{}]", r.join(", "))
}
