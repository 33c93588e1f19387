//! The ZL certificate (docs/certificates.md, kind `dlncheck-zl-certificate`): the problem, the
//! minimizers with their σ_min brackets, and the claim's samples, every number an exact string.

use super::setup::Setup;
use crate::certify::sigma::SigmaBracket;
use crate::claims::book::matrix_json;
use crate::linalg::field::q_to_string;
use crate::model::zl::Params;
use serde_json::{json, Value};

/// The certificate of `claim` with its claim-specific `samples` and `extra` fields. The minimizers
/// are the generated ones (with `minimizer_sigma`), then `more` (exact minimizers a sample refers
/// to, e.g. the one nearest to the case's point, with their brackets).
pub fn certificate(
    claim: &str,
    setup: &Setup,
    minimizer_sigma: &[Vec<SigmaBracket>],
    more: &[(Params, Vec<SigmaBracket>)],
    samples: Vec<Value>,
    extra: serde_json::Map<String, Value>,
) -> Value {
    let pb = &setup.pb;
    let mut model = json!({"kind": pb.kind_name()});
    if let Some(a) = pb.slope() {
        model["leaky_relu"] = json!(q_to_string(a));
    }
    let mut cert = json!({
        "kind": "dlncheck-zl-certificate",
        "version": 1,
        "claim": claim,
        "point": format!("{} points: seeded samples around {} generated minimizers{}", samples.len(), setup.minimizers.len(), if has_case_point(&samples) { ", and the case's point" } else { "" }),
        "model": model,
        "x": matrix_json(&pb.x),
        "y": matrix_json(&pb.y),
        "f_star": q_to_string(&pb.f_star),
        "x_sigma": setup.x_sigma.json(),
        "minimizers": setup.minimizers.iter().zip(minimizer_sigma)
            .chain(more.iter().map(|(m, s)| (m, s)))
            .map(|(m, s)| json!({
                "params": params_json(m),
                "sigma": s.iter().map(SigmaBracket::json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        "samples": samples,
    });
    for (k, v) in extra {
        cert[k] = v;
    }
    cert
}

/// Whether one of the certificate's samples is the case's point (its `origin`).
fn has_case_point(samples: &[Value]) -> bool {
    samples
        .iter()
        .any(|s| s["origin"].as_str() == Some(crate::claims::evidence::CASE_POINT))
}

/// Parameters as a list of matrices of exact strings.
pub fn params_json(p: &Params) -> Value {
    json!(p.iter().map(matrix_json).collect::<Vec<_>>())
}
