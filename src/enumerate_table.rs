//! `dlncheck enumerate CASE.yaml`: every constructed critical point of a linear case, per index set
//! S, with its critical value, rank profile, class by the criterion (both readings) and by
//! certificate, and whether they agree.

use crate::case::Case;
use crate::claims::amg::{
    all_critical_points, canonical_set, class_by_certificate, class_by_criterion, optimum,
    set_label, Class, Reading,
};
use crate::enumerate::spectrum::spectrum;
use crate::linalg::field::q_to_string;
use crate::linalg::mat::rank_exact;
use crate::linalg::Exact;
use crate::model::linear;
use std::fmt::Write;

/// The enumeration table as Markdown, and whether every row agrees.
pub fn table(c: &Case, prec: u32, exact_limit: usize, seed: u64) -> Result<(String, bool), String> {
    let sp = spectrum(&c.x, &c.y, prec).map_err(|e| c.error("data", e.to_string()).to_string())?;
    let (_, f_star) = optimum(&c.dims, &sp);
    let mut out = String::new();
    let eig: Vec<String> = sp.eigenvalues.iter().map(q_to_string).collect();
    let _ = writeln!(
        out,
        "case {}: dims {:?}, eigenvalues of Σ = [{}], f* = {}\n",
        c.name,
        c.dims,
        eig.join(", "),
        q_to_string(&f_star)
    );
    let _ = writeln!(out, "| S | critical value | point | ranks of W_1…W_L | ranks of W_k⋯W_1 | criterion (tightened) | criterion (path) | certificate | agree |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    let mut all_agree = true;
    for cp in all_critical_points(c, &sp, seed) {
        let set = canonical_set(&sp, &cp);
        let ev = linear::evaluate(&Exact, &cp.point.weights, &cp.point.x, &cp.point.y);
        let layers: Vec<String> = cp
            .point
            .weights
            .iter()
            .map(|w| rank_exact(w).to_string())
            .collect();
        let prefixes: Vec<String> = (1..=cp.point.weights.len())
            .map(|k| rank_exact(ev.partials.prod(0, k)).to_string())
            .collect();
        let a = class_by_criterion(&c.dims, &cp.point, &set, Reading::Tightened);
        let b = class_by_criterion(&c.dims, &cp.point, &set, Reading::Path);
        let (cert, _, detail) = class_by_certificate(&sp, &cp, &f_star, exact_limit);
        let agree = cert.is_some_and(|k| k == a && k == b);
        all_agree &= agree;
        let mark = |x: Class| {
            if Some(x) == cert {
                x.as_str().to_string()
            } else {
                format!("**{}**", x.as_str())
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} ({}) | {} |",
            set_label(&set),
            q_to_string(&linear::loss(&Exact, &ev)),
            cp.point.origin,
            layers.join(","),
            prefixes.join(","),
            mark(a),
            mark(b),
            cert.map_or("undetermined", Class::as_str),
            detail,
            if agree { "yes" } else { "NO" }
        );
    }
    Ok((out, all_agree))
}
