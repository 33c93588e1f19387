//! `dlncheck.verify_cert(path)`: the independent exact re-check of a certificate
//! (`crates/dlncheck-verify`, what `dlncheck verify-cert` runs), and its result [`Verification`].

use dlncheck::verify::{self, CheckLine, VerifyError, VerifyReport};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// Re-check the certificate at `path` (a dlncheck certificate JSON, as `dlncheck check` writes
/// under certs/) in exact rational arithmetic with the independent checker, as
/// `dlncheck verify-cert` does, and re-derive its verdict. Returns a Verification, true when the
/// certificate passed; its lines say what was checked. A certificate that cannot be read raises
/// OSError (FileNotFoundError when missing) or ValueError (invalid JSON, a malformed field named
/// by its JSON path) with the command's message. The GIL is released while checking.
#[pyfunction]
pub fn verify_cert(py: Python<'_>, path: PathBuf) -> PyResult<Verification> {
    let result = py.detach(|| verify::verify_file(&path));
    let shown = path.display().to_string();
    match result {
        Ok(report) => Ok(Verification::new(shown, &report)),
        Err(e) => {
            let message = format!("{shown}: {e}");
            Err(match &e {
                VerifyError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    PyFileNotFoundError::new_err(message)
                }
                VerifyError::Io { .. } => PyOSError::new_err(message),
                _ => PyValueError::new_err(message),
            })
        }
    }
}

/// The result of re-checking one certificate: whether it passed (also its truth value) and the
/// checked lines, as `dlncheck verify-cert` prints them.
#[pyclass(frozen, module = "dlncheck")]
pub struct Verification {
    path: String,
    passed: bool,
    lines: Vec<CheckLine>,
    verdict: Vec<CheckLine>,
}

impl Verification {
    fn new(path: String, report: &VerifyReport) -> Self {
        Verification {
            path,
            passed: report.passed(),
            lines: report.lines.clone(),
            verdict: report.verdict.clone(),
        }
    }
}

fn dicts<'py>(py: Python<'py>, lines: &[CheckLine]) -> PyResult<Vec<Bound<'py, PyDict>>> {
    lines
        .iter()
        .map(|l| {
            let d = PyDict::new(py);
            d.set_item("what", &l.what)?;
            d.set_item("ok", l.ok)?;
            d.set_item("detail", &l.detail)?;
            Ok(d)
        })
        .collect()
}

#[pymethods]
impl Verification {
    /// The certificate file.
    #[getter]
    fn path(&self) -> &str {
        &self.path
    }

    /// Whether the certificate passed: its arithmetic checked out and its stated verdict and
    /// strength follow from the facts it proves.
    #[getter]
    fn passed(&self) -> bool {
        self.passed
    }

    /// The arithmetic checks, one dict {what, ok, detail} per quantity and assertion.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        dicts(py, &self.lines)
    }

    /// The verdict's derivation, one dict {what, ok, detail} per step.
    #[getter]
    fn verdict<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        dicts(py, &self.verdict)
    }

    /// The lines that failed, as the command prints them (`✗ what — detail`).
    #[getter]
    fn failures(&self) -> Vec<String> {
        self.lines
            .iter()
            .chain(&self.verdict)
            .filter(|l| !l.ok)
            .map(ToString::to_string)
            .collect()
    }

    fn __bool__(&self) -> bool {
        self.passed
    }

    fn __repr__(&self) -> String {
        let failed = self
            .lines
            .iter()
            .chain(&self.verdict)
            .filter(|l| !l.ok)
            .count();
        format!(
            "<dlncheck.Verification {}: {} ({} lines checked, {failed} failed)>",
            self.path,
            if self.passed { "PASS" } else { "FAIL" },
            self.lines.len() + self.verdict.len()
        )
    }

    /// `PATH: PASS` or `PATH: FAIL` and every line, as `dlncheck verify-cert` prints them.
    fn __str__(&self) -> String {
        let mut out = format!(
            "{}: {}\n",
            self.path,
            if self.passed { "PASS" } else { "FAIL" }
        );
        for l in self.lines.iter().chain(&self.verdict) {
            out += &format!("{l}\n");
        }
        out
    }
}
