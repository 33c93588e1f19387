//! `dlncheck audit CLAIM`: a seeded search for counterexamples to a claim over random small cases,
//! shrinking the first one found (fewer layers, narrower layers, simpler rationals) with
//! quickcheck's `Arbitrary::shrink`, and writing the minimal one as a YAML case with
//! `expect: refuted` and its certificate.
//!
//! Trials are drawn from a ChaCha generator seeded by `--seed` (quickcheck's own generator cannot be
//! seeded), so an audit is reproducible; shrinking is deterministic.

use crate::case::{self, LoadOptions};
use crate::certify::lambda_max::Settings;
use crate::claims::{self, CaseContext, Claim, Outcome};
use crate::enumerate::minimizers::random_orthogonal;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::{self, Mat};
use crate::linalg::Exact;
use crate::verdict::Verdict;
use num_rational::BigRational;
use quickcheck::{Arbitrary, Gen};
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};

/// What kind of random case a claim needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Zero-loss minimizers of X = I (Y = the point's product).
    Factorization,
    /// Zero-loss minimizers with data X of full row rank.
    Data,
    /// Scalar networks, X = 1.
    Scalar,
    /// Any point, any data (BAL-invariant).
    AnyPoint,
    /// Targets Y = Q D with rational spectrum, X = I, no point (AMG).
    Spectrum,
    /// Zero-loss minimizers of X = I with positive diagonal layers: flatness and constant c_i,
    /// the premises of the KP-flat readings, then occur often.
    Diagonal,
}

fn family(claim: &str) -> Family {
    match claim {
        "KP-scalar" => Family::Scalar,
        "KP-exact" | "KP-trace" | "KP-bound" | "KP-naive" | "KP-flat-sufficient-b" => Family::Data,
        "BAL-invariant" => Family::AnyPoint,
        "KP-flat-sufficient-a" | "KP-flat-necessary" | "KP-flat-necessary-deep" | "BAL-flat" => {
            Family::Diagonal
        }
        c if c.starts_with("AMG-") => Family::Spectrum,
        _ => Family::Factorization,
    }
}

/// A small random case: widths, integer numerators over small denominators, and a seed for the
/// orthogonal factor of spectrum targets. Shrinking removes layers, narrows widths and simplifies
/// entries toward 0 and 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCase {
    claim: String,
    dims: Vec<usize>,
    /// numerators and denominators of the entries, consumed in order (cycled).
    entries: Vec<(i64, i64)>,
    extra_columns: usize,
    seed: u64,
}

impl AuditCase {
    /// A seeded random case for `claim`.
    pub fn generate(claim: &str, rng: &mut impl Rng) -> Self {
        let fam = family(claim);
        let depth = match (claim, fam) {
            ("KP-depth2", _) => 2,
            ("KP-flat-necessary-deep", _) => rng.gen_range(3..=4),
            (_, Family::Spectrum) => rng.gen_range(2..=4),
            _ => rng.gen_range(1..=4),
        };
        let square = claim == "BAL-flat";
        let width = rng.gen_range(1..=3);
        let dims: Vec<usize> = (0..=depth)
            .map(|_| match fam {
                Family::Scalar => 1,
                _ if square => width,
                _ if claim == "KP-flat-necessary-deep" => rng.gen_range(2..=3),
                _ => rng.gen_range(1..=3),
            })
            .collect();
        let entries = (0..64)
            .map(|_| (rng.gen_range(-3..=3), rng.gen_range(1..=3)))
            .collect();
        let extra_columns = if fam == Family::Data || fam == Family::AnyPoint {
            rng.gen_range(0..=2)
        } else {
            0
        };
        AuditCase {
            claim: claim.into(),
            dims,
            entries,
            extra_columns,
            seed: rng.gen_range(0..1000),
        }
    }

    fn depth(&self) -> usize {
        self.dims.len() - 1
    }

    /// Fill a rows × cols matrix from the entries, starting at `*at`.
    fn matrix(&self, rows: usize, cols: usize, at: &mut usize) -> Mat<BigRational> {
        Mat::from_fn(rows, cols, |_, _| {
            let (n, d) = self.entries[*at % self.entries.len()];
            *at += 1;
            BigRational::new(n.into(), d.into())
        })
    }

    /// The case as YAML text (version 1), with `expect` on its single check when given.
    pub fn to_yaml(&self, name: &str, about: &str, expect: Option<Verdict>) -> String {
        let fam = family(&self.claim);
        let mut at = 0;
        let (d0, dl) = (self.dims[0], self.dims[self.depth()]);
        let weights: Vec<Mat<BigRational>> = (0..self.depth())
            .map(|k| {
                let m = self.matrix(self.dims[k + 1], self.dims[k], &mut at);
                if fam != Family::Diagonal {
                    return m;
                }
                // positive diagonal: 1 first (a common top direction, so flat points are frequent),
                // then (|n| + 1)/(d + 1) ∈ [1/4, 2]
                Mat::from_fn(m.rows(), m.cols(), |i, j| {
                    if i == 0 && j == 0 {
                        BigRational::from_integer(1.into())
                    } else if i == j {
                        let (n, d) = (m.at(i, j).numer().clone(), m.at(i, j).denom().clone());
                        BigRational::new(num_traits::Signed::abs(&n) + 1, d + 1)
                    } else {
                        BigRational::from_integer(0.into())
                    }
                })
            })
            .collect();
        let x = match fam {
            Family::Data | Family::AnyPoint => {
                // [I | R]: full row rank by construction
                let extra = self.matrix(d0, self.extra_columns, &mut at);
                Some(Mat::from_fn(d0, d0 + self.extra_columns, |i, j| {
                    if j < d0 {
                        BigRational::from_integer(i64::from(i == j).into())
                    } else {
                        extra.at(i, j - d0).clone()
                    }
                }))
            }
            _ => None,
        };
        let x_exact = x.clone().unwrap_or_else(|| mat::identity(&Exact, d0));
        let y = match fam {
            Family::AnyPoint => self.matrix(dl, x_exact.cols(), &mut at),
            Family::Spectrum => {
                // Y = Q D, D rectangular diagonal with distinct positive entries 1, 2, 3, …
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.seed);
                let (q, _) = random_orthogonal(&mut rng, dl);
                let d = Mat::from_fn(dl, d0, |i, j| {
                    BigRational::from_integer(if i == j { (i + 1) as i64 } else { 0 }.into())
                });
                mat::matmul(&Exact, &q, &d)
            }
            _ => {
                let p = weights[1..]
                    .iter()
                    .fold(weights[0].clone(), |p, w| mat::matmul(&Exact, w, &p));
                mat::matmul(&Exact, &p, &x_exact)
            }
        };
        let rows = yaml_matrix;
        let mut out = format!(
            "version: 1\nname: {name}\nabout: \"{about}\"\nseed: {}\n",
            self.seed
        );
        out += &format!("model: {{kind: linear, dims: {:?}}}\n", self.dims);
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
}

impl Arbitrary for AuditCase {
    /// Delegates to [`AuditCase::generate`] with a generator seeded from `g` (for property tests;
    /// the audit command seeds its own generator).
    fn arbitrary(g: &mut Gen) -> Self {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(u64::arbitrary(g));
        AuditCase::generate("KP-bound", &mut rng)
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let mut out = Vec::new();
        let min_depth = match self.claim.as_str() {
            "KP-depth2" => 2,
            "KP-flat-necessary-deep" => 3,
            c if c.starts_with("AMG-") => 2,
            _ => 1,
        };
        if self.depth() > min_depth {
            for k in 1..self.dims.len() - 1 {
                let mut c = self.clone();
                c.dims.remove(k);
                out.push(c);
            }
        }
        let min_width = if self.claim == "KP-flat-necessary-deep" {
            2
        } else {
            1
        };
        if self.claim != "BAL-flat" {
            for k in 0..self.dims.len() {
                if self.dims[k] > min_width {
                    let mut c = self.clone();
                    c.dims[k] -= 1;
                    out.push(c);
                }
            }
        }
        if self.extra_columns > 0 {
            out.push(AuditCase {
                extra_columns: self.extra_columns - 1,
                ..self.clone()
            });
        }
        for (i, &(n, d)) in self.entries.iter().enumerate() {
            for simpler in [(0, 1), (1, 1), (n, 1), (n / 2, d)] {
                if simpler != (n, d)
                    && (simpler.0.abs() < n.abs() || simpler.1 < d || simpler == (0, 1))
                {
                    let mut c = self.clone();
                    c.entries[i] = simpler;
                    out.push(c);
                }
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

/// The result of an audit.
pub struct AuditReport {
    /// Trials run (cases to which the claim applied).
    pub applicable: usize,
    /// Trials drawn.
    pub trials: usize,
    /// The minimal counterexample: its YAML file and certificate, and the shrink steps taken.
    pub counterexample: Option<(PathBuf, Option<PathBuf>, usize)>,
}

fn check(c: &AuditCase, claim: &dyn Claim, settings: &Settings) -> Option<Outcome> {
    let yaml = c.to_yaml("audit", "audit trial", None);
    let opts = LoadOptions {
        known_claims: claims::known_ids(),
        ..LoadOptions::default()
    };
    let case = case::load_str(&yaml, Path::new("<audit>"), &opts).ok()?;
    let ctx = CaseContext::new(&case, settings.clone(), c.seed);
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| claim.check(&ctx))).ok()?;
    (out.verdict() != Verdict::Error).then_some(out)
}

fn refuted(c: &AuditCase, claim: &dyn Claim, settings: &Settings) -> bool {
    check(c, claim, settings).is_some_and(|o| o.verdict() == Verdict::Refuted)
}

/// Search `trials` seeded random cases for a counterexample to `claim`; shrink the first one and
/// write it (and its certificate) under `out_dir`.
pub fn audit(
    claim_id: &str,
    trials: usize,
    seed: u64,
    out_dir: &Path,
    settings: &Settings,
) -> Result<AuditReport, String> {
    let claim = claims::find(claim_id).ok_or_else(|| claims::unknown(claim_id))?;
    // the registered spelling (ids are case-insensitive)
    let claim_id = claim.id();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut applicable = 0;
    for t in 0..trials {
        let c = AuditCase::generate(claim_id, &mut rng);
        let Some(out) = check(&c, claim, settings) else {
            continue;
        };
        applicable += 1;
        if out.verdict() != Verdict::Refuted {
            continue;
        }
        // shrink: take the first simpler case that is still refuted, until none is
        let (mut current, mut steps) = (c, 0);
        'outer: loop {
            for cand in current.shrink() {
                if refuted(&cand, claim, settings) {
                    current = cand;
                    steps += 1;
                    continue 'outer;
                }
            }
            break;
        }
        let name = format!("audit-{}-seed{seed}", claim_id.to_lowercase());
        let about = format!("minimal counterexample to {claim_id} found by dlncheck audit (seed {seed}, trial {t}, {steps} shrink steps)");
        let yaml = current.to_yaml(&name, &about, Some(Verdict::Refuted));
        let path = out_dir.join(format!("{name}.yaml"));
        crate::report::atomic::write(&path, yaml.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let cert = check(&current, claim, settings)
            .and_then(|o| Some((o.strength(), o.certificate?)))
            .map(|(strength, mut cert)| {
                cert["case"] = serde_json::json!(name);
                cert["verdict"] = serde_json::json!("refuted");
                cert["strength"] = serde_json::json!(strength.map(|s| s.as_str()));
                let p = out_dir.join(format!("{name}.cert.json"));
                let text = serde_json::to_string_pretty(&cert).unwrap_or_default() + "\n";
                crate::report::atomic::write(&p, text.as_bytes()).map(|_| p)
            });
        let cert = cert.transpose().map_err(|e| e.to_string())?;
        return Ok(AuditReport {
            applicable,
            trials: t + 1,
            counterexample: Some((path, cert, steps)),
        });
    }
    Ok(AuditReport {
        applicable,
        trials,
        counterexample: None,
    })
}
