//! What a run will do with one case, decided before any numerical work: an estimate of the memory
//! its work needs, which the runner compares with the run's budget (`--memory-budget`) to refuse a
//! case up front.

use super::options::{settings_for, RunOptions};
use crate::case::{self, Case};
use crate::certify::lambda_max::Settings;
use crate::claims;
use std::path::Path;

/// Bytes per entry of a dense f64 operator, with the eigensolver's workspace (as in validation).
const F64_BYTES_PER_ENTRY: u128 = 24;
/// Bytes of one MPFR value besides its limbs (the `mpfr_t` header and the allocation).
const MPFR_HEADER_BYTES: u128 = 48;
/// Bytes of one exact rational besides its digits (two `BigInt`s and their allocations).
const RATIONAL_HEADER_BYTES: u128 = 64;

/// The memory a case's work needs, by its largest part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Estimated peak bytes.
    pub bytes: u128,
    /// What dominates, e.g. `dense f64 Hessian (P = 10100)`.
    pub dominant: String,
}

/// The fuzzing entry point of the case input path (`fuzz/fuzz_targets/case_input.rs`, replayed by
/// `tests/it/fuzz_regressions.rs`): any bytes, read as a case file's text, go the way of a case in
/// `dlncheck check` up to the numerical work (parse, validate with the run's default options,
/// estimate the memory) or are rejected with a [`CaseError`](crate::case::CaseError) that
/// renders; nothing may panic, hang or allocate without bound. Returns the rendered error, if any.
pub fn fuzz_case_input(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    let opts = RunOptions::default();
    match case::load_str(text, Path::new("fuzz.yaml"), &opts.load) {
        Ok(c) => {
            debug_assert!(c.checks.iter().all(|k| claims::find(&k.claim).is_some()));
            estimate(&c, &settings_for(&c, &opts));
            None
        }
        Err(e) => Some(e.to_string()),
    }
}

/// The claims whose only λ_max(∇²f) is that of the KP problem's points
/// ([`crate::claims::context::CaseContext::hessian_top`]), so that beyond the dense path's limits
/// they run on the planned path of `sharpness` and never build the dense Hessian.
pub const PLANNED_CLAIMS: [&str; 10] = [
    "KP-exact",
    "KP-bound",
    "KP-naive",
    "KP-depth2",
    "KP-min",
    "KP-flat-sufficient-a",
    "KP-flat-sufficient-b",
    "KP-flat-necessary",
    "KP-flat-necessary-deep",
    "BAL-flat",
];

/// Does every claim of `c` take λ_max(∇²f) from the planned path (linear model, every claim in
/// [`PLANNED_CLAIMS`], and the sizes of [`crate::claims::context::uses_planned_path`])?
pub fn planned_path(c: &Case, s: &Settings) -> bool {
    let kp = c.dims[c.depth()] * c.x.cols();
    c.kind == case::ModelKind::Linear
        && !c.checks.is_empty()
        && c.checks
            .iter()
            .all(|k| PLANNED_CLAIMS.contains(&k.claim.as_str()))
        && crate::claims::context::uses_planned_path(
            c.param_count(),
            c.depth(),
            input_bits(c) as u64,
            kp,
            s,
        )
}

/// The memory estimate of a case's work. For each dense symmetric operator of size m the claims
/// build — the full Hessian (m = P = Σ_k d_k d_{k−1}) and the KP-exact operator
/// (m = d_L · n) — it adds
/// - f64: 24·m² bytes (the matrix and the eigensolver's workspace);
/// - MPFR, when m ≤ `mpfr_limit`: 2·m²·(48 + 8⌈prec/64⌉) bytes (matrix and workspace);
/// - exact, when m ≤ `exact_limit`: the fraction-free LDLᵀ of an m × m matrix whose entries have
///   b bits holds m² integers of up to m·b bits (Bareiss: step-k entries are k × k minors), so
///   m²·(64 + m·b/8) bytes, with b = (2L + 2)·β + 2·log₂ m + 64 for inputs of at most β bits
///   (a Hessian entry is a sum of products of at most 2L weights and 2 data entries);
///
/// — except that when every claim takes λ_max from the planned path ([`planned_path`]) the full
/// Hessian is never built: its part is then the planned path's, a Lanczos basis of at most 600
/// vectors of length P (8·600·P bytes; the KP path's is shorter) and the verified-f64 KP
/// operator with its eigensolver (24·(d_L·n)² bytes); and for the generated minimizers (held together) count·P·(64 + L·β/8) bytes. It is an
/// estimate, not a bound: it is meant to refuse cases that certainly do not fit, before any work.
pub fn estimate(c: &Case, s: &Settings) -> MemoryEstimate {
    let depth = c.depth() as u128;
    let beta = input_bits(c);
    let p = c.param_count() as u128;
    let kp = (c.dims[c.depth()] as u128) * (c.x.cols() as u128);
    let limbs = u128::from(s.prec.div_ceil(64)) * 8;
    let operator = |m: u128| -> u128 {
        let mut b = F64_BYTES_PER_ENTRY.saturating_mul(m).saturating_mul(m);
        if m <= s.mpfr_limit as u128 {
            b = b.saturating_add(2 * m * m * (MPFR_HEADER_BYTES + limbs));
        }
        if m <= s.exact_limit as u128 {
            let log_m = 128 - u128::from(m.max(1).leading_zeros());
            let bits = (2 * depth + 2).saturating_mul(beta) + 2 * log_m + 64;
            b = b.saturating_add(m * m * (RATIONAL_HEADER_BYTES + m.saturating_mul(bits) / 8));
        }
        b
    };
    let count = c.generate.minimizers.unwrap_or(0) as u128;
    let points = count
        .saturating_mul(p)
        .saturating_mul(RATIONAL_HEADER_BYTES + depth.saturating_mul(beta) / 8);
    let hessian = if planned_path(c, s) {
        (
            (8 * crate::certify::planner::LANCZOS_MAX_BASIS as u128)
                .saturating_mul(p)
                .saturating_add(F64_BYTES_PER_ENTRY.saturating_mul(kp).saturating_mul(kp)),
            format!("planned λ_max path (Lanczos basis of length P = {p}, verified KP operator d_L·n = {kp})"),
        )
    } else {
        (operator(p), format!("dense Hessian (P = {p})"))
    };
    let parts = [
        hessian,
        (operator(kp), format!("KP-exact operator (d_L·n = {kp})")),
        (points, format!("{count} generated minimizers")),
    ];
    let bytes = parts.iter().fold(0u128, |a, (b, _)| a.saturating_add(*b));
    let dominant = parts
        .into_iter()
        .max_by_key(|(b, _)| *b)
        .map(|(_, what)| what)
        .unwrap_or_default();
    MemoryEstimate { bytes, dominant }
}

/// β: the most bits of any numerator or denominator among the case's numbers.
fn input_bits(c: &Case) -> u128 {
    u128::from(crate::claims::context::input_bits(
        [&c.x, &c.y].into_iter().chain(c.point.iter().flatten()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case given as YAML, as the runner plans it: its memory estimate at the run's default
    /// settings, and the claims of its checks.
    struct Planned {
        memory: MemoryEstimate,
        claims: Vec<String>,
    }

    fn load(yaml: &str) -> Planned {
        let opts = RunOptions::default();
        let c = case::load_str(yaml, Path::new("t.yaml"), &opts.load).unwrap();
        Planned {
            memory: estimate(&c, &settings_for(&c, &opts)),
            claims: c.checks.iter().map(|k| k.claim.clone()).collect(),
        }
    }

    #[test]
    fn the_f64_hessian_dominates_a_wide_network() {
        // P = 100·100 + 100 = 10100: 24·P² = 2448240000 bytes, beyond MPFR and exact limits
        let zeros = vec!["0"; 100].join(", ");
        // (KP-trace builds the dense Hessian; the KP-exact of the same case runs on the planned
        // path, `planned_path_replaces_the_dense_hessian`)
        let p = load(&format!("version: 1\nmodel: {{kind: linear, dims: [100, 100, 1]}}\ndata: {{x: identity, y: [[{zeros}]]}}\nchecks: [{{claim: KP-trace}}]\n"));
        // plus the KP operator (m = 100): f64, MPFR at 256 bits, and exact with β = 1, L = 2,
        // b = 6·1 + 2·7 + 64
        let kp =
            24 * 100 * 100 + 2 * 100 * 100 * (48 + 32) + 100 * 100 * (64 + 100 * (6 + 14 + 64) / 8);
        assert_eq!(p.memory.bytes, 2_448_240_000 + kp);
        assert_eq!(p.memory.dominant, "dense Hessian (P = 10100)");
        assert_eq!(p.claims.len(), 1);
    }

    #[test]
    fn planned_path_replaces_the_dense_hessian() {
        // the same network with KP-exact: the Lanczos basis (8·600·P) and the verified KP
        // operator (24·100²) instead of 24·P² and more
        let zeros = vec!["0"; 100].join(", ");
        let p = load(&format!("version: 1\nmodel: {{kind: linear, dims: [100, 100, 1]}}\ndata: {{x: identity, y: [[{zeros}]]}}\nchecks: [{{claim: KP-exact}}]\n"));
        let kp =
            24 * 100 * 100 + 2 * 100 * 100 * (48 + 32) + 100 * 100 * (64 + 100 * (6 + 14 + 64) / 8);
        assert_eq!(p.memory.bytes, 8 * 600 * 10100 + 24 * 100 * 100 + kp);
        assert!(
            p.memory.dominant.starts_with("planned λ_max path"),
            "{}",
            p.memory.dominant
        );
        // L = 12, d = 32 at the default budget: tens of MB, not 3.6 GB
        let id = (0..32)
            .map(|i| {
                format!(
                    "[{}]",
                    (0..32)
                        .map(|j| if i == j { "1" } else { "0" })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let p = load(&format!("version: 1\nmodel: {{kind: linear, dims: [{}]}}\ndata: {{x: identity, y: [{id}]}}\nchecks: [{{claim: KP-exact}}]\n", vec!["32"; 13].join(", ")));
        assert!(p.memory.bytes < 200 << 20, "{}", p.memory.bytes);
    }

    #[test]
    fn input_size_enters_the_exact_part() {
        let small = load("version: 1\nmodel: {kind: linear, dims: [2, 2, 2]}\ndata: {x: identity, y: [[1, 0], [0, 1]]}\nchecks: [{claim: KP-exact}]\n");
        let big = load("version: 1\nmodel: {kind: linear, dims: [2, 2, 2]}\ndata: {x: identity, y: [[\"1e300\", 0], [0, 1]]}\nchecks: [{claim: KP-exact}]\n");
        assert!(big.memory.bytes > small.memory.bytes);
    }
}
