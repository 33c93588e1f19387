//! The Python module `dlncheck`: the dlncheck library called from Python, with no logic of its
//! own beyond converting arguments and results (docs/python.md).
//!
//! - `sharpness::sharpness`: λ_max of the Hessian of a network's loss at numpy weights — f64,
//!   MPFR and a proven enclosure, as `dlncheck sharpness --json` computes them;
//! - `check::check`: the claim checks of a case file or a case given as a dict, returning the
//!   report.json of `dlncheck check` as a dict;
//! - `verify::verify_cert`: the independent re-check of a certificate, as `dlncheck verify-cert`.
//!
//! Every computation runs with the GIL released (`Python::detach`). Invalid input raises
//! `ValueError` (or `TypeError` for an argument of the wrong type, `OSError` for a file that cannot
//! be read) with the library's message: the case-file field it concerns and what is wrong.

mod arrays;
mod check;
mod sharpness;
mod verify;

use pyo3::prelude::*;

/// Proven sharpness of deep linear networks at numpy weights, and dlncheck's claim checks and
/// certificates (the library of the `dlncheck` command, called in process).
#[pymodule]
#[pyo3(name = "dlncheck")]
fn dlncheck_py(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<sharpness::Sharpness>()?;
    m.add_class::<verify::Verification>()?;
    m.add_function(wrap_pyfunction!(sharpness::sharpness, m)?)?;
    m.add_function(wrap_pyfunction!(check::check, m)?)?;
    m.add_function(wrap_pyfunction!(verify::verify_cert, m)?)?;
    Ok(())
}
