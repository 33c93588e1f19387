//! The certificate kinds `verify-cert` reads, each behind one trait: the `kind` string names the
//! implementation, which reads the certificate and re-derives its verdict (docs/certificates.md).

use super::json::{brief, err, object, version, Result};
use super::verdict::{self, CHECK_KIND, POINT_KIND};
use super::{zl, VerifyReport};
use serde_json::{Map, Value};

/// One kind of certificate: its `kind` string and how to check a certificate of it.
pub(super) trait CertificateKind: Sync {
    /// The value of the certificate's `kind` field.
    fn kind(&self) -> &'static str;
    /// Read and check the certificate `top` (its version already checked), re-deriving its
    /// verdict.
    fn verify(&self, top: &Map<String, Value>) -> Result<VerifyReport>;
}

/// A certificate of one point: its problem, quantities, assertions and verdict.
struct Point;
/// A certificate of one check: every point the verdict relied on.
struct Check;
/// A certificate of a ZL claim (regularity, gradient dominance, GD convergence).
struct Zl;

impl CertificateKind for Point {
    fn kind(&self) -> &'static str {
        POINT_KIND
    }
    fn verify(&self, top: &Map<String, Value>) -> Result<VerifyReport> {
        verdict::single(top)
    }
}

impl CertificateKind for Check {
    fn kind(&self) -> &'static str {
        CHECK_KIND
    }
    fn verify(&self, top: &Map<String, Value>) -> Result<VerifyReport> {
        verdict::bundle(top)
    }
}

impl CertificateKind for Zl {
    fn kind(&self) -> &'static str {
        zl::KIND
    }
    fn verify(&self, top: &Map<String, Value>) -> Result<VerifyReport> {
        zl::verify(top)
    }
}

/// Every kind this checker reads, in the order error messages list them.
const KINDS: [&dyn CertificateKind; 3] = [&Point, &Check, &Zl];

/// Read and check the certificate `v`: find its kind, check its version, and let the kind check
/// it and re-derive its verdict ([`super::rules`]).
pub(super) fn verify_value(v: &Value) -> Result<VerifyReport> {
    let top = object(v, "certificate")?;
    let kind = match top.get("kind") {
        Some(Value::String(k)) => KINDS.iter().find(|c| c.kind() == k),
        Some(_) => None,
        None => return Err(err("kind", "missing field")),
    };
    let Some(kind) = kind else {
        let names: Vec<String> = KINDS.iter().map(|c| format!("{:?}", c.kind())).collect();
        let found = top.get("kind").map(brief).unwrap_or_default();
        return Err(err(
            "kind",
            format!(
                "expected {} or {}, found {found}",
                names[..names.len() - 1].join(", "),
                names[names.len() - 1]
            ),
        ));
    };
    version(top, "")?;
    kind.verify(top)
}
