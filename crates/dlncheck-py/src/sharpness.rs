//! `dlncheck.sharpness(weights, x, y, …)`: λ_max of the Hessian of the model's loss at the given
//! weights, three ways ([`fast::measure`], what `dlncheck sharpness --json` prints), and its
//! result object [`Sharpness`].

use crate::arrays::{array, scalar};
use dlncheck::app::check::options::{settings_for, RunOptions};
use dlncheck::app::sharpness::fast::{self, FastOptions, FastReport};
use dlncheck::case::from_arrays::{load_arrays, model_kind, ArrayCase};
use dlncheck::case::LoadOptions;
use dlncheck::certify::planner::Path as PlannerPath;
use dlncheck::model::instance::ModelPoint;
use pyo3::exceptions::{PyImportError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::path::Path;
use std::time::Instant;

/// What errors about the arguments of `sharpness` name as the "file": the arguments map to case
/// fields, `weights[i]` to `point.weights[i]`, `x` to `data.x`, `y` to `data.y`, `mask` to
/// `data.mask`, `lam` to `model.lambda`, `slope` to `model.activation.leaky_relu`.
const LABEL: &str = "<dlncheck.sharpness>";

/// λ_max of the Hessian of the loss of a network at the point `weights`, with data `x`, `y`:
/// in f64 (by the planner's path), in MPFR at `precision` bits, and as a proven enclosure with
/// exact rational ends, as `dlncheck sharpness --json` computes them.
///
/// `weights` is the list W_1 … W_L of 2-D arrays, W_k of shape d_k × d_{k−1} (output × input, as
/// PyTorch's `nn.Linear.weight`); `x` is d_0 × n and `y` d_L × n, one sample per column. Arrays of
/// float64, float32, float16, integers or bools are read as the exact numbers they hold. `model`
/// is `linear`, `residual` (the weights are the A_k of (I + A_L)⋯(I + A_1)), `one-hidden-layer`
/// (`slope` = the leaky ReLU's slope; `activation` may name `leaky_relu`) or `l2-regularized`
/// (`lam` = λ of (λ/2)Σ‖W_k‖²_F, optional 0/1 `mask` of Y's shape). Numbers for `lam` and
/// `slope`: int, float (its exact binary value), str such as `"1/10"`, Fraction. `path` forces
/// the f64 path (`kp-operator`, `kp-operator-lanczos`, `lanczos-hvp`, `dense`); `mpfr=False` and
/// `certify=False` skip the MPFR value and the enclosure. The GIL is released while computing.
///
/// Raises ValueError with the case file's field and message when a shape, a value or an option
/// is invalid (e.g. `<dlncheck.sharpness>: point.weights[1]: expected 3 columns (d_1 = 3) …`),
/// TypeError for an array of a type that cannot be read exactly.
#[pyfunction]
#[pyo3(signature = (weights, x, y, model = "linear", precision = 256, *, lam = None,
                    activation = None, slope = None, mask = None, path = None, mpfr = true,
                    certify = true))]
#[allow(clippy::too_many_arguments)]
pub fn sharpness(
    py: Python<'_>,
    weights: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    model: &str,
    precision: u64,
    lam: Option<&Bound<'_, PyAny>>,
    activation: Option<&str>,
    slope: Option<&Bound<'_, PyAny>>,
    mask: Option<&Bound<'_, PyAny>>,
    path: Option<&str>,
    mpfr: bool,
    certify: bool,
) -> PyResult<Sharpness> {
    let err = |field: &str, message: String| {
        PyValueError::new_err(format!("{LABEL}: {field}: {message}"))
    };
    let kind = model_kind(model).map_err(|e| err("model.kind", e))?;
    if weights.cast::<numpy::PyUntypedArray>().is_ok_and(|a| {
        use numpy::PyUntypedArrayMethods;
        a.ndim() == 2
    }) {
        return Err(err(
            "point.weights",
            "expected the list W_1 … W_L of matrices, found one matrix: pass [W]".into(),
        ));
    }
    let mut ws = Vec::new();
    for (i, w) in weights.try_iter()?.enumerate() {
        ws.push(array(&w?, LABEL, &format!("point.weights[{i}]"))?);
    }
    let leaky_relu = match (activation, slope) {
        (None, None) => None,
        (None | Some("leaky_relu"), Some(s)) => Some(scalar(s, "slope")?),
        (Some("leaky_relu"), None) => {
            return Err(err(
                "model.activation",
                "activation 'leaky_relu' needs its slope for negative inputs: slope=…".into(),
            ))
        }
        (Some(other), _) => {
            return Err(err(
                "model.activation",
                format!(
                    "unknown activation {other:?}: the one-hidden-layer model's activation is \
                     'leaky_relu' (σ(t) = t for t ≥ 0, slope·t for t < 0)"
                ),
            ))
        }
    };
    let forced = match path {
        None => None,
        Some(p) => Some(planner_path(p).map_err(|e| err("path", e))?),
    };
    let spec = ArrayCase {
        name: "sharpness".into(),
        kind,
        weights: ws,
        x: array(x, LABEL, "data.x")?,
        y: array(y, LABEL, "data.y")?,
        lambda: lam.map(|l| scalar(l, "lam")).transpose()?,
        leaky_relu,
        mask: mask.map(|m| array(m, LABEL, "data.mask")).transpose()?,
        precision_bits: precision,
    };
    let opts = FastOptions {
        path: forced,
        mpfr,
        certify,
        ..FastOptions::default()
    };
    let (report, seconds) = py
        .detach(move || measure(spec, &opts))
        .map_err(PyValueError::new_err)?;
    Ok(Sharpness { report, seconds })
}

/// Build the case from `spec` through the case validation (no dense-size limit: the planner
/// never forms the Hessian of a large network, as for `dlncheck sharpness`) and measure λ_max at
/// its point; the report and the seconds taken in all.
fn measure(spec: ArrayCase, opts: &FastOptions) -> Result<(FastReport, f64), String> {
    let t = Instant::now();
    let load = LoadOptions {
        max_dense_bytes: u64::MAX,
        ..LoadOptions::default()
    };
    let c = load_arrays(spec, Path::new(LABEL), &load).map_err(|e| e.to_string())?;
    let settings = settings_for(&c, &RunOptions::default());
    let mp = ModelPoint::of_case(&c)?;
    let report = fast::measure(&mp, &settings, opts)?;
    Ok((report, t.elapsed().as_secs_f64()))
}

/// The planner path named `name`, as `dlncheck sharpness --path` takes it.
fn planner_path(name: &str) -> Result<PlannerPath, String> {
    let all = [
        PlannerPath::KpOperator,
        PlannerPath::KpOperatorLanczos,
        PlannerPath::LanczosHvp,
        PlannerPath::Dense,
    ];
    all.into_iter().find(|p| p.name() == name).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|p| p.name()).collect();
        format!("unknown path {name:?}; the paths are {}", names.join(", "))
    })
}

/// λ_max of the Hessian at a point, as `dlncheck.sharpness` measured it.
#[pyclass(frozen, module = "dlncheck")]
pub struct Sharpness {
    report: FastReport,
    seconds: f64,
}

#[pymethods]
impl Sharpness {
    /// λ_max in f64, by the planner's path (`path`), with error bound `bound`.
    #[getter]
    fn f64(&self) -> f64 {
        self.report.f64.value
    }

    /// λ_max computed in MPFR at `precision` bits, as a decimal string with as many digits as
    /// the precision supports (None when not computed: `mpfr=False`, or too large; see `notes`).
    #[getter]
    fn mpfr(&self) -> Option<String> {
        self.report.mpfr.as_ref().map(|m| m.value.clone())
    }

    /// The MPFR precision in bits (None without an MPFR value).
    #[getter]
    fn precision(&self) -> Option<u32> {
        self.report.mpfr.as_ref().map(|m| m.precision)
    }

    /// The MPFR value as an `mpmath.mpf`: the decimal string `mpfr` read at `precision` bits.
    /// None without an MPFR value; ImportError when mpmath is not installed.
    fn mpmath(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let Some(m) = &self.report.mpfr else {
            return Ok(None);
        };
        let mp = py.import("mpmath").map_err(|e| {
            PyImportError::new_err(format!(
                "Sharpness.mpmath() needs the mpmath package (pip install mpmath): {e}"
            ))
        })?;
        let prec = mp.getattr("workprec")?.call1((m.precision,))?;
        prec.call_method0("__enter__")?;
        let value = mp.getattr("mpf")?.call1((m.value.as_str(),));
        let none = py.None();
        prec.call_method1("__exit__", (none.clone_ref(py), none.clone_ref(py), none))?;
        Ok(Some(value?.unbind()))
    }

    /// The proven enclosure (lo, hi) of λ_max as two `fractions.Fraction` with the exact ends
    /// (lo == hi when λ_max was identified exactly); None when no enclosure was proven
    /// (`certify=False`, or too large; see `notes`).
    #[getter]
    fn enclosure<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let Some(c) = &self.report.certified else {
            return Ok(None);
        };
        let fraction = py.import("fractions")?.getattr("Fraction")?;
        let lo = fraction.call1((c.lo_exact.as_str(),))?;
        let hi = fraction.call1((c.hi_exact.as_str(),))?;
        Ok(Some(PyTuple::new(py, [lo, hi])?))
    }

    /// How the enclosure was proven (`exact-rational-kp`, `exact-rational`, `kp-verified-f64`),
    /// None without one.
    #[getter]
    fn enclosure_via(&self) -> Option<&'static str> {
        self.report.certified.as_ref().map(|c| c.via)
    }

    /// The f64 path the planner took (or `path` forced): `kp-operator`, `kp-operator-lanczos`,
    /// `lanczos-hvp` or `dense`.
    #[getter]
    fn path(&self) -> &'static str {
        self.report.f64.path
    }

    /// Why the planner chose the path.
    #[getter]
    fn reason(&self) -> String {
        self.report.f64.reason.clone()
    }

    /// The f64 value's error bound (what kind: `bound_kind`).
    #[getter]
    fn bound(&self) -> f64 {
        self.report.f64.bound
    }

    /// What `bound` is.
    #[getter]
    fn bound_kind(&self) -> &'static str {
        self.report.f64.bound_kind
    }

    /// Seconds taken by the whole call (building the exact case, f64, MPFR and the enclosure).
    #[getter]
    fn seconds(&self) -> f64 {
        self.seconds
    }

    /// The model kind whose Hessian λ_max is of.
    #[getter]
    fn model(&self) -> String {
        self.report.model.to_string()
    }

    /// The model's loss as a formula.
    #[getter]
    fn loss_formula(&self) -> String {
        self.report.loss.clone()
    }

    /// Whether the loss is exactly zero at the point (decided in rationals).
    #[getter]
    fn zero_loss(&self) -> bool {
        self.report.zero_loss
    }

    /// The number of parameters P.
    #[getter]
    fn params(&self) -> usize {
        self.report.params
    }

    /// Why a part (MPFR value, enclosure) is missing.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.report.notes.clone()
    }

    /// Everything measured as a dict: the JSON of `dlncheck sharpness --json` (the f64 part with
    /// every timing, the MPFR part, the certified part with f64 and exact ends, notes).
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.report)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    fn __repr__(&self) -> String {
        let r = &self.report;
        let proven = match &r.certified {
            Some(c) if c.lo_exact == c.hi_exact && c.lo_exact.len() <= 40 => {
                format!("= {} exactly (proven, {})", c.lo_exact, c.via)
            }
            Some(c) if c.lo_exact == c.hi_exact => {
                format!(
                    "= {:.17e} (identified exactly, {}; see .enclosure)",
                    c.lo, c.via
                )
            }
            Some(c) => format!("∈ [{:.17e}, {:.17e}] (proven, {})", c.lo, c.hi, c.via),
            None => "not proven".to_string(),
        };
        let mpfr = match &r.mpfr {
            Some(m) if m.value.len() > 24 => {
                format!(", MPFR-{} {}…", m.precision, &m.value[..22])
            }
            Some(m) => format!(", MPFR-{} {}", m.precision, m.value),
            None => String::new(),
        };
        format!(
            "<dlncheck.Sharpness λ_max {proven}; f64 {:?} via {}{mpfr}; model {}, P = {}, {:.3} s>",
            r.f64.value, r.f64.path, r.model, r.params, self.seconds
        )
    }

    fn __str__(&self) -> String {
        fast::render(&self.report)
    }
}
