//! The seeded search over drawn cases and the shrinking of the first counterexample.

use super::case::{AuditCase, Region};
use super::report::{AuditReport, BorrowedTally, Counterexample};
use super::shape::{shape, AuditOptions};
use crate::case::{self, LoadOptions};
use crate::certify::lambda_max::Settings;
use crate::claims::{self, CaseContext, Claim, Outcome};
use crate::verdict::Verdict;
use quickcheck::Arbitrary;
use rand::SeedableRng;
use serde_json::json;
use std::path::Path;

/// The precision an audit escalates to, as `check`'s default `--max-precision`.
const MAX_PRECISION: u32 = crate::app::options::DEFAULT_MAX_PRECISION;

/// Check `claim` on the drawn case, loaded from its YAML text as a case file would be, escalating
/// the precision as `check` does ([`claims::check_escalating`]), so an audit never calls a trial
/// inconclusive that `check` decides.
fn check(c: &AuditCase, claim: &dyn Claim, settings: &Settings) -> Result<Outcome, String> {
    let yaml = c.to_yaml("audit", "audit trial", None);
    let opts = LoadOptions {
        known_claims: claims::known_ids(),
        ..LoadOptions::default()
    };
    let case = case::load_str(&yaml, Path::new("<audit>"), &opts).map_err(|e| e.to_string())?;
    let ctx = CaseContext::new(&case, settings.clone(), c.seed);
    // a panic becomes an error outcome, so the escalation loop stops at it
    let run = |ctx: &CaseContext| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| claim.check(ctx)))
            .unwrap_or_else(|_| Outcome::error("the check panicked"))
    };
    let (out, _) =
        claims::check_escalating(claim, &ctx, &case, c.seed, MAX_PRECISION, run, || true);
    if out.verdict() == Verdict::Error {
        return Err(out.reason.clone().unwrap_or_else(|| "error".into()));
    }
    Ok(out)
}

/// Why a trial was inconclusive, with the point's origin and the numbers left out so that
/// trials undecided for the same reason count together: the text after "undecided at ORIGIN: ",
/// digit runs as `#`, at most 200 characters.
fn undecided_kind(reason: &str) -> String {
    let why = match reason.strip_prefix("undecided at ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, w)| w),
        None => reason,
    };
    let mut out = String::new();
    for c in why.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out.chars().take(200).collect()
}

/// Does `claim` come out refuted on the drawn case?
fn refuted(c: &AuditCase, claim: &dyn Claim, settings: &Settings) -> bool {
    check(c, claim, settings).is_ok_and(|o| o.verdict() == Verdict::Refuted)
}

/// The registered claim matching `id` case-insensitively, or an error with a suggestion.
pub fn resolve_claim(id: &str) -> Result<&'static dyn Claim, String> {
    claims::find(id).ok_or_else(|| claims::unknown(id))
}

/// Search `trials` seeded random cases, drawn as `opts` asks (depth, widths, kind, X), for a
/// counterexample to `claim_id` (case-insensitive); shrink the first one and write it (and its
/// certificate) under `out_dir`.
pub fn audit(
    claim_id: &str,
    trials: usize,
    seed: u64,
    out_dir: &Path,
    settings: &Settings,
    opts: &AuditOptions,
) -> Result<AuditReport, String> {
    let claim = resolve_claim(claim_id)?;
    let claim_id = claim.info().id;
    let shape = shape(claim_id, opts)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    // the regions come from their own stream: the cases' draws stay those of the seed
    let mut regions = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    regions.set_stream(1);
    let mut report = AuditReport {
        claim: claim_id.into(),
        seed,
        borrowed: opts.borrowed.then(BorrowedTally::default),
        ..AuditReport::default()
    };
    for t in 0..trials {
        let c = AuditCase::generate_with(claim_id, &shape, &mut rng)
            .in_region(Region::draw(&mut regions, opts.regions));
        report.trials = t + 1;
        *report.regions.entry(c.region().name(c.kind)).or_default() += 1;
        *report.depths.entry(c.depth()).or_default() += 1;
        if c.draws_lane_point() {
            let point = c.lane_point();
            let key = point.as_ref().map_or_else(
                || "no lane point (Σ's spectrum not exact with distinct eigenvalues)".into(),
                |p| c.point_class(p),
            );
            *report.point_types.entry(key).or_default() += 1;
            if let (Some(tally), Some(p)) = (&mut report.borrowed, &point) {
                tally.count(p.construction);
            }
        }
        let out = match check(&c, claim, settings) {
            Ok(o) => o,
            Err(why) => {
                // drop the `<audit>:line:col: ` position of the generated text
                let why = match why.strip_prefix("<audit>:") {
                    Some(rest) => rest
                        .splitn(3, ':')
                        .nth(2)
                        .unwrap_or(rest)
                        .trim()
                        .to_string(),
                    None => why,
                };
                *report.not_applicable.entry(why).or_default() += 1;
                continue;
            }
        };
        report.applicable += 1;
        let vacuous_everywhere = match (out.values.get("points"), out.values.get("points_vacuous"))
        {
            (Some(p), Some(v)) => p.as_u64().is_some_and(|p| v.as_u64() == Some(p)),
            _ => false,
        };
        if !vacuous_everywhere {
            report.premise_held += 1;
        }
        *report
            .verdicts
            .entry(out.verdict().as_str().into())
            .or_default()
            .entry(out.strength().map_or("none", |s| s.as_str()).into())
            .or_default() += 1;
        if out.verdict() == Verdict::Inconclusive {
            let why = undecided_kind(out.reason.as_deref().unwrap_or("no reason given"));
            *report.inconclusive.entry(why).or_default() += 1;
        }
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
        let last = check(&current, claim, settings).ok();
        let strength = last.as_ref().and_then(|o| o.strength()).map(|s| s.as_str());
        let cert = last
            .as_ref()
            .and_then(|o| o.certificate.clone())
            .map(|mut cert| {
                cert["case"] = json!(name);
                cert["verdict"] = json!("refuted");
                cert["strength"] = json!(strength);
                let p = out_dir.join(format!("{name}.cert.json"));
                let text = serde_json::to_string_pretty(&cert).unwrap_or_default() + "\n";
                crate::report::atomic::write(&p, text.as_bytes()).map(|_| p)
            });
        let cert = cert.transpose().map_err(|e| e.to_string())?;
        report.counterexample = Some(Counterexample {
            path,
            certificate: cert,
            steps,
            trial: t,
            dims: current.dims.clone(),
            kind: current.kind,
            region: current.region().name(current.kind),
            yaml,
            strength: strength.map(String::from),
            reason: last.as_ref().and_then(|o| o.reason.clone()),
            values: last.map(|o| o.values.to_map()).unwrap_or_default(),
        });
        break;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undecided_reasons_drop_the_point_and_the_numbers() {
        let a = undecided_kind(
            "undecided at generated minimizer #3 (seed 7): λ = 2.5e-12 within 1e-10",
        );
        let b = undecided_kind("undecided at the case's point: λ = 7.25e-300 within 3e-9");
        assert_eq!(a, "λ = #.#e-# within #e-#");
        assert_eq!(a, b);
        assert_eq!(
            undecided_kind("no certificate: f > f*"),
            "no certificate: f > f*"
        );
        assert_eq!(undecided_kind(&"x".repeat(500)).chars().count(), 200);
    }

    /// Under `mixed` about half the trials are plain and a sixth each near, repeated and
    /// rank-deficient; a fixed choice draws only its region, and the shifts cover [`NEAR_SHIFTS`].
    #[test]
    fn regions_are_drawn_in_the_stated_proportions() {
        use super::super::case::NEAR_SHIFTS;
        use super::super::shape::Regions;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let draws: Vec<Region> = (0..4000)
            .map(|_| Region::draw(&mut rng, Regions::Mixed))
            .collect();
        let count = |f: &dyn Fn(&Region) -> bool| draws.iter().filter(|r| f(r)).count();
        let plain = count(&|r| *r == Region::Plain);
        let deficient = count(&|r| *r == Region::RankDeficient);
        let repeated = count(&|r| matches!(r, Region::Repeated { .. }));
        assert!((1850..2150).contains(&plain), "{plain}");
        assert!((580..750).contains(&deficient), "{deficient}");
        assert!((580..750).contains(&repeated), "{repeated}");
        for s in NEAR_SHIFTS {
            assert!(draws.contains(&Region::Near { shift: s }), "2^-{s}");
            assert!(draws.contains(&Region::Repeated { shift: s }), "2^-{s}");
        }
        for (choice, want) in [
            (Regions::Plain, Some(Region::Plain)),
            (Regions::RankDeficient, Some(Region::RankDeficient)),
            (Regions::Near, None),
            (Regions::Repeated, None),
        ] {
            for _ in 0..50 {
                let r = Region::draw(&mut rng, choice);
                match want {
                    Some(w) => assert_eq!(r, w),
                    None if choice == Regions::Near => {
                        assert!(matches!(r, Region::Near { .. }))
                    }
                    None => assert!(matches!(r, Region::Repeated { .. })),
                }
            }
        }
    }
}
