//! A run's certificates bound to its report (`verify-cert --report report.json`).
//!
//! A certificate proves facts about the points it contains; it cannot show that no point was
//! left out. A check's report states what the verdict rests on: the claim, the case, the verdict
//! and its strength, how many points held (`values.points_holding`), and the SHA-256 of the
//! certificate file it wrote. Checked against the report, a certificate fails when
//! - its file is missing, or its digest differs from the one the report recorded (any edit);
//! - its claim, case, verdict or strength differ from the report's check;
//! - it is a bundle (`dlncheck-check-certificate`) whose number of points differs from what the
//!   verdict rests on: every holding point for `verified`, the one counterexample for `refuted`
//!   (so a point deleted from a bundle is found);
//! - and a `proved` verdict with no certificate at all fails as well.
//!
//! What this cannot find: a report and its certificates forged together, consistently. Only
//! running the check again (`dlncheck check`) answers for the case itself.

use crate::{CheckLine, VerifyError};
use serde_json::Value;
use sha2::Digest as _;
use std::path::{Path, PathBuf};

/// One check of a report that has, or should have, a certificate.
#[derive(Clone, Debug)]
pub struct Bound {
    /// `case--claim`, as the report names the check.
    pub label: String,
    /// The certificate file (in the report's own `certs/` directory), when the report names one.
    pub path: Option<PathBuf>,
    expected: Expected,
}

/// What the report says of the check.
#[derive(Clone, Debug)]
struct Expected {
    case: String,
    claim: String,
    verdict: String,
    strength: Option<String>,
    digest: Option<String>,
    holding: Option<u64>,
}

/// The checks of the report at `report` that have a certificate or a proved verdict, in report
/// order. A certificate path is resolved in the report's own directory (`DIR/certs/NAME`, where
/// the run wrote it), whatever the working directory of the run was.
pub fn bound_checks(report: &Path) -> Result<Vec<Bound>, VerifyError> {
    let text = std::fs::read_to_string(report).map_err(|source| VerifyError::Io {
        path: report.to_path_buf(),
        source,
    })?;
    let rep: Value = serde_json::from_str(&text)?;
    let dir = report.parent().unwrap_or(Path::new("."));
    let malformed = |path: String, message: &str| VerifyError::Malformed {
        path,
        message: message.into(),
    };
    let cases = rep
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("cases".into(), "expected the report's list of cases"))?;
    let mut out = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("");
        let checks = case.get("checks").and_then(Value::as_array);
        for (j, chk) in checks.into_iter().flatten().enumerate() {
            let at = format!("cases[{i}].checks[{j}]");
            let text_of = |key: &str| chk.get(key).and_then(Value::as_str).map(str::to_string);
            let claim = text_of("claim").ok_or_else(|| malformed(at.clone(), "no claim"))?;
            let strength = text_of("strength");
            let path = text_of("certificate").map(|p| {
                let file = Path::new(&p).file_name().map(PathBuf::from);
                dir.join("certs")
                    .join(file.unwrap_or_else(|| PathBuf::from(&p)))
            });
            if path.is_none() && strength.as_deref() != Some("proved") {
                continue;
            }
            out.push(Bound {
                label: format!("{name}--{claim}"),
                path,
                expected: Expected {
                    case: name.to_string(),
                    claim,
                    verdict: text_of("verdict").unwrap_or_default(),
                    strength,
                    digest: text_of("certificate_sha256"),
                    holding: chk
                        .get("values")
                        .and_then(|v| v.get("points_holding"))
                        .and_then(Value::as_u64),
                },
            });
        }
    }
    Ok(out)
}

impl Bound {
    /// The binding's lines for the certificate file's bytes `text` (already verified on its own):
    /// digest, case, claim, verdict, strength and, for a bundle, its number of points.
    pub fn lines(&self, text: &str) -> Vec<CheckLine> {
        let e = &self.expected;
        let digest: String = sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut lines = vec![CheckLine {
            what: "report: the certificate's SHA-256".into(),
            ok: e.digest.as_deref() == Some(digest.as_str()),
            detail: match &e.digest {
                Some(d) if *d == digest => "the digest the report recorded".into(),
                Some(d) => format!("✗ the file's is {digest}, the report recorded {d}"),
                None => "✗ the report records no digest for it".into(),
            },
        }];
        let cert: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let stated = |key: &str| cert.get(key).and_then(Value::as_str).map(str::to_string);
        let mut same = |key: &str, want: Option<&str>| {
            let got = stated(key);
            lines.push(CheckLine {
                what: format!("report: {key}"),
                ok: got.as_deref() == want,
                detail: format!(
                    "{}the certificate states {}, the report {}",
                    if got.as_deref() == want { "" } else { "✗ " },
                    got.as_deref().unwrap_or("none"),
                    want.unwrap_or("none")
                ),
            });
        };
        same("case", Some(&e.case));
        same("claim", Some(&e.claim));
        same("verdict", Some(&e.verdict));
        same("strength", e.strength.as_deref());
        if stated("kind").as_deref() == Some("dlncheck-check-certificate") {
            let n = cert
                .get("points")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as u64;
            let want = match e.verdict.as_str() {
                "refuted" => Some(1),
                "verified" => e.holding,
                _ => None,
            };
            lines.push(CheckLine {
                what: format!("report: {n} point certificate(s)"),
                ok: want == Some(n),
                detail: match want {
                    Some(w) if w == n => "as many as the verdict rests on".into(),
                    Some(w) => format!("✗ the verdict rests on {w} point(s)"),
                    None => "✗ the report does not say how many points the verdict rests on".into(),
                },
            });
        }
        lines
    }
}
