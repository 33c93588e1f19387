//! Re-deriving the verdict of a point certificate or of a check certificate (a bundle of point
//! certificates, one per point the check relied on) from the facts its arithmetic proved.
//!
//! Every point's finding comes from [`rules::point_finding`]. The verdict follows by the
//! aggregation rule of the producer: `refuted` needs a point that fails (a proved counterexample,
//! premise included); `verified` needs every point to hold or be vacuous (its premise proved
//! false) and at least one to hold. Every decision of the verifier is exact, so the only strength
//! it can confirm is `proved`. A point whose finding cannot be derived fails the certificate.

use super::json::{array, err, field, object, string, version, Result};
use super::point::{check_point, PointCheck};
use super::rules::{point_finding, Finding, POINT_CLAIMS};
use super::{CheckLine, VerifyReport};
use serde_json::{Map, Value};

/// The kind of a certificate of one point.
pub(super) const POINT_KIND: &str = "dlncheck-certificate";
/// The kind of a certificate of one check: every point it relied on.
pub(super) const CHECK_KIND: &str = "dlncheck-check-certificate";

/// The most points a check certificate may hold.
const MAX_POINTS: usize = 1000;

/// The verdict a certificate states, with its strength.
pub(super) struct Stated {
    /// `verified`, `refuted`, or anything else (which fails); `None` when missing.
    pub(super) verdict: Option<String>,
    /// The stated strength (`None` when the field is missing or null).
    pub(super) strength: Option<String>,
}

/// Read `verdict` and `strength` of a certificate (either may be missing, which fails its line).
pub(super) fn stated(top: &Map<String, Value>) -> Result<Stated> {
    let verdict = match top.get("verdict") {
        None | Some(Value::Null) => None,
        Some(v) => Some(string(v, "verdict")?.to_string()),
    };
    let strength = match top.get("strength") {
        None | Some(Value::Null) => None,
        Some(v) => Some(string(v, "strength")?.to_string()),
    };
    Ok(Stated { verdict, strength })
}

/// The line on the stated strength: a certificate proves, so it must say `proved`.
pub(super) fn strength_line(s: &Stated) -> CheckLine {
    let ok = s.strength.as_deref() == Some("proved");
    CheckLine {
        what: format!("strength {}", s.strength.as_deref().unwrap_or("(missing)")),
        ok,
        detail: if ok {
            "every fact was re-checked exactly: proved".into()
        } else {
            "a certificate is re-checked exactly, so its strength must be \"proved\"".into()
        },
    }
}

/// The line on the stated verdict, given how many points hold, fail, are vacuous or
/// undetermined.
pub(super) fn verdict_line(
    verdict: Option<&str>,
    holds: usize,
    fails: usize,
    open: usize,
) -> CheckLine {
    let Some(verdict) = verdict else {
        return CheckLine {
            what: "verdict (missing)".into(),
            ok: false,
            detail: "a certificate states the verdict it certifies".into(),
        };
    };
    let (ok, detail) = match verdict {
        "refuted" => (
            fails > 0 && open == 0,
            format!("{fails} point(s) are proved counterexamples (needed: at least one)"),
        ),
        "verified" => (
            fails == 0 && open == 0 && holds > 0,
            format!("{holds} point(s) hold, {fails} fail (needed: none fail, at least one holds)"),
        ),
        other => (
            false,
            format!("verdict {other:?} cannot be certified (only verified or refuted)"),
        ),
    };
    let detail = if open > 0 {
        format!("{detail}; {open} point(s) undetermined")
    } else {
        detail
    };
    CheckLine {
        what: format!("verdict {verdict}"),
        ok,
        detail,
    }
}

/// The closing lines of a point or check certificate: its stated strength ([`strength_line`]) and
/// its stated verdict against the points' counts [holds, fails, undetermined] ([`verdict_line`]).
fn stated_lines(st: &Stated, [holds, fails, open]: [usize; 3]) -> [CheckLine; 2] {
    [
        strength_line(st),
        verdict_line(st.verdict.as_deref(), holds, fails, open),
    ]
}

/// The claim of a point certificate, which must have a rule (a missing claim has none).
fn claim(top: &Map<String, Value>) -> Result<(String, CheckLine)> {
    let c = match top.get("claim") {
        None => "(missing)".to_string(),
        Some(v) => string(v, "claim")?.to_string(),
    };
    let known = POINT_CLAIMS.contains(&c.as_str());
    let line = CheckLine {
        what: format!("claim {c}"),
        ok: known,
        detail: if known {
            "a claim with a verdict rule".into()
        } else {
            "unknown claim: no rule says which assertions imply its verdict".into()
        },
    };
    Ok((c, line))
}

/// The finding of one point as a line, and its counts.
fn finding_line(label: &str, claim: &str, pc: &PointCheck, counts: &mut [usize; 3]) -> CheckLine {
    let f = point_finding(claim, pc);
    let (ok, what, why) = match f {
        Finding::Holds(w) => {
            counts[0] += 1;
            (true, "holds", w)
        }
        Finding::Fails(w) => {
            counts[1] += 1;
            (true, "fails", w)
        }
        Finding::Vacuous(w) => (true, "vacuous", w),
        Finding::Undetermined(w) => {
            counts[2] += 1;
            (false, "undetermined", w)
        }
    };
    CheckLine {
        what: format!("{label}{claim} {what}"),
        ok,
        detail: why,
    }
}

/// A point certificate on its own: the claim at one point.
pub(super) fn single(top: &Map<String, Value>) -> Result<VerifyReport> {
    let st = stated(top)?;
    let (c, claim_line) = claim(top)?;
    let pc = check_point(top, "")?;
    let mut counts = [0; 3];
    let mut verdict = vec![claim_line];
    verdict.push(finding_line("", &c, &pc, &mut counts));
    verdict.extend(stated_lines(&st, counts));
    Ok(VerifyReport {
        lines: pc.lines,
        verdict,
    })
}

/// A check certificate: `points`, each a point certificate of the same claim.
pub(super) fn bundle(top: &Map<String, Value>) -> Result<VerifyReport> {
    let st = stated(top)?;
    let (c, claim_line) = claim(top)?;
    let points = array(field(top, "points", "")?, "points")?;
    if points.len() > MAX_POINTS {
        return Err(err(
            "points",
            format!("{} points exceed the limit of {MAX_POINTS}", points.len()),
        ));
    }
    let mut lines = Vec::new();
    let mut verdict = vec![claim_line];
    verdict.push(CheckLine {
        what: format!("{} point certificate(s)", points.len()),
        ok: !points.is_empty(),
        detail: if points.is_empty() {
            "an empty bundle relies on nothing".into()
        } else {
            "every point the check relied on".into()
        },
    });
    let mut counts = [0; 3];
    for (i, p) in points.iter().enumerate() {
        let path = format!("points[{i}]");
        let obj = object(p, &path)?;
        if let Some(k) = obj.get("kind") {
            if k.as_str() != Some(POINT_KIND) {
                return Err(err(
                    &format!("{path}.kind"),
                    format!("expected \"{POINT_KIND}\" inside a \"{CHECK_KIND}\""),
                ));
            }
            version(obj, &path)?;
        }
        if let Some(pc) = obj.get("claim") {
            let pc = string(pc, &format!("{path}.claim"))?;
            verdict.push(CheckLine {
                what: format!("point {i}: claim {pc}"),
                ok: pc == c,
                detail: format!("must be the check's claim {c}"),
            });
        }
        let checked = check_point(obj, &path)?;
        let label = format!("point {i}: ");
        lines.extend(checked.lines.iter().map(|l| CheckLine {
            what: format!("{label}{}", l.what),
            ok: l.ok,
            detail: l.detail.clone(),
        }));
        verdict.push(finding_line(&label, &c, &checked, &mut counts));
    }
    verdict.extend(stated_lines(&st, counts));
    Ok(VerifyReport { lines, verdict })
}
