//! What an audit found ([`AuditReport`], [`Counterexample`]) and its text and JSON forms.

use super::case::Construction;
use crate::case::ModelKind;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The minimal counterexample an audit found.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The YAML case written (with `expect: refuted`).
    pub path: PathBuf,
    /// Its certificate, when the refutation carries one.
    pub certificate: Option<PathBuf>,
    /// Shrink steps taken.
    pub steps: usize,
    /// The trial (from 0) that first refuted.
    pub trial: usize,
    /// Widths d_0, …, d_L of the shrunk case.
    pub dims: Vec<usize>,
    /// Model kind of the shrunk case.
    pub kind: ModelKind,
    /// The delicate region of the shrunk case (`plain`, `near 2^-s`, `rank-deficient`).
    pub region: String,
    /// The YAML text written.
    pub yaml: String,
    /// Strength of the refutation.
    pub strength: Option<String>,
    /// Why the claim fails there (the outcome's reason).
    pub reason: Option<String>,
    /// The outcome's values at the shrunk case (the decisive figures).
    pub values: Map<String, Value>,
}

/// `audit --borrowed`: how the trials' critical points were built.
#[derive(Clone, Debug, Default)]
pub struct BorrowedTally {
    /// Borrowed-slot points of the drawn type.
    pub as_drawn: usize,
    /// Borrowed-slot points of a type redrawn from their own stream.
    pub redrawn: usize,
    /// Lane points: no redrawn type borrowed.
    pub lane_fallback: usize,
}

impl BorrowedTally {
    /// Count one trial's point, built by `c`.
    pub fn count(&mut self, c: Construction) {
        match c {
            Construction::Borrowed => self.as_drawn += 1,
            Construction::BorrowedRedrawn => self.redrawn += 1,
            Construction::Lanes | Construction::LanesFallback => self.lane_fallback += 1,
        }
    }

    /// Trials that tested a borrowed-slot point.
    pub fn points(&self) -> usize {
        self.as_drawn + self.redrawn
    }
}

/// The result of an audit.
#[derive(Clone, Debug, Default)]
pub struct AuditReport {
    /// The claim's id, as registered.
    pub claim: String,
    /// The seed of the search.
    pub seed: u64,
    /// Trials drawn (the search stops at the first counterexample).
    pub trials: usize,
    /// Trials to which the claim applied (verdict not `error`).
    pub applicable: usize,
    /// Applicable trials where the claim's premise held at some point (a claim with per-point
    /// premises reports how many points were vacuous; the others count every applicable trial).
    pub premise_held: usize,
    /// Verdict → strength (`none` when the verdict has none) → trials.
    pub verdicts: BTreeMap<String, BTreeMap<String, usize>>,
    /// Why the claim did not apply → trials.
    pub not_applicable: BTreeMap<String, usize>,
    /// Why an applicable trial was inconclusive (origin and numbers left out) → trials.
    pub inconclusive: BTreeMap<String, usize>,
    /// Depth L → trials drawn.
    pub depths: BTreeMap<usize, usize>,
    /// Delicate region (`plain`, `near 2^-s`, `rank-deficient`, as it acted on the case) →
    /// trials drawn.
    pub regions: BTreeMap<String, usize>,
    /// Claims about critical points: the drawn lane points' class ([`crate::enumerate::lanes::LaneType::summary`]) → trials.
    pub point_types: BTreeMap<String, usize>,
    /// With `--borrowed`, how the trials' critical points were built (trials without a point,
    /// Σ's spectrum not exact, are in neither count).
    pub borrowed: Option<BorrowedTally>,
    /// The shrunk counterexample, if any.
    pub counterexample: Option<Counterexample>,
}

impl AuditReport {
    /// Trials where the claim did not apply.
    pub fn not_applicable_total(&self) -> usize {
        self.not_applicable.values().sum()
    }

    /// The most frequent reason the claim did not apply.
    pub fn main_reason(&self) -> Option<&str> {
        self.not_applicable
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(r, _)| r.as_str())
    }

    /// The machine-readable summary (`audit --json`).
    pub fn to_json(&self) -> Value {
        let count = |v: &str| -> usize { self.verdicts.get(v).map_or(0, |m| m.values().sum()) };
        let mut out = json!({
            "claim": self.claim,
            "seed": self.seed,
            "trials": self.trials,
            "applicable": self.applicable,
            "not_applicable": self.not_applicable_total(),
            "premise_held": self.premise_held,
            "verified": count("verified"),
            "refuted": count("refuted"),
            "inconclusive": count("inconclusive"),
            "by_verdict_and_strength": self.verdicts,
            "not_applicable_reasons": self.not_applicable.iter()
                .map(|(r, n)| json!({"reason": r, "trials": n})).collect::<Vec<_>>(),
            "inconclusive_reasons": self.inconclusive.iter()
                .map(|(r, n)| json!({"reason": r, "trials": n})).collect::<Vec<_>>(),
            "point_types": self.point_types.iter().map(|(t, n)| json!({"type": t, "trials": n})).collect::<Vec<_>>(),
            "depths": self.depths.iter().map(|(d, n)| (d.to_string(), json!(n))).collect::<Map<_, _>>(),
            "regions": self.regions.iter().map(|(r, n)| (r.clone(), json!(n))).collect::<Map<_, _>>(),
            "counterexample": self.counterexample.as_ref().map(|c| json!({
                "case": c.path.display().to_string(),
                "certificate": c.certificate.as_ref().map(|p| p.display().to_string()),
                "trial": c.trial,
                "shrink_steps": c.steps,
                "kind": c.kind.to_string(),
                "region": c.region,
                "dims": c.dims,
                "depth": c.dims.len() - 1,
                "strength": c.strength,
                "reason": c.reason,
                "values": c.values,
                "yaml": c.yaml,
            })),
        });
        if let Some(b) = &self.borrowed {
            out["borrowed"] = json!({
                "points": b.points(),
                "as_drawn": b.as_drawn,
                "redrawn": b.redrawn,
                "lane_fallback": b.lane_fallback,
            });
        }
        out
    }

    /// The terminal summary: counts, and the falsifying example in full when there is one.
    pub fn text(&self) -> String {
        let mut t = format!(
            "{}: {} trials (seed {}), {} applicable, {} with the premise holding\n",
            self.claim, self.trials, self.seed, self.applicable, self.premise_held
        );
        for (v, by) in &self.verdicts {
            let n: usize = by.values().sum();
            // strengths, where the verdict carries one (an inconclusive one has none)
            let parts: Vec<String> = by
                .iter()
                .filter(|(s, _)| s.as_str() != "none")
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            match parts.is_empty() {
                true => t += &format!("  {v}: {n}\n"),
                false => t += &format!("  {v}: {n} ({})\n", parts.join(", ")),
            }
        }
        for (r, n) in &self.not_applicable {
            t += &format!("  not applicable: {n} ({r})\n");
        }
        for (r, n) in &self.inconclusive {
            t += &format!("  inconclusive: {n} ({r})\n");
        }
        let tally = |items: Vec<String>| items.join(", ");
        t += &format!(
            "  depths drawn: {}\n",
            tally(
                self.depths
                    .iter()
                    .map(|(d, n)| format!("L={d}: {n}"))
                    .collect()
            )
        );
        t += &format!(
            "  regions drawn: {}\n",
            tally(
                self.regions
                    .iter()
                    .map(|(r, n)| format!("{r}: {n}"))
                    .collect()
            )
        );
        if !self.point_types.is_empty() {
            t += "  lane point types drawn:\n";
            for (ty, n) in &self.point_types {
                t += &format!("    {n} × {ty}\n");
            }
        }
        if let Some(b) = &self.borrowed {
            t += &format!(
                "  borrowed-slot points: {} of {} trials ({} of the drawn type, {} redrawn); {} lane points (no borrowed type fits)\n",
                b.points(),
                self.trials,
                b.as_drawn,
                b.redrawn,
                b.lane_fallback
            );
        }
        match &self.counterexample {
            Some(c) => {
                t += &format!(
                    "counterexample (after {} shrink steps; trial {}), kind {}, region {}, depth {}, dims {:?}, refuted {}\n",
                    c.steps,
                    c.trial,
                    c.kind,
                    c.region,
                    c.dims.len() - 1,
                    c.dims,
                    c.strength.as_deref().unwrap_or("")
                );
                if let Some(r) = &c.reason {
                    t += &format!("  why: {r}\n");
                }
                // the decisive figures: exact values and enclosures, not the float readings
                let noisy = ["_f64", "_mpfr", "_tolerance", "_exact"];
                for (k, v) in &c.values {
                    if noisy.iter().any(|n| k.ends_with(n)) {
                        continue;
                    }
                    let s = match v {
                        Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    if s.len() <= 160 {
                        t += &format!("  {k}: {s}\n");
                    }
                }
                t += "falsifying example:\n";
                for line in c.yaml.lines() {
                    t += &format!("  | {line}\n");
                }
                t += &format!("case: {}\n", c.path.display());
                if let Some(p) = &c.certificate {
                    t += &format!("certificate: {}\n", p.display());
                }
            }
            None => t += "no counterexample found\n",
        }
        t
    }
}
