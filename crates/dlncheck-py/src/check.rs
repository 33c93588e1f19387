//! `dlncheck.check(case)`: run the claim checks of a case file, a directory of them, or a case
//! given as a dict, as `dlncheck check` does, and return its report.json as a dict.

use dlncheck::app::check::options::RunOptions;
use dlncheck::app::check::runner::{self, RunError};
use dlncheck::case;
use dlncheck::claims;
use pyo3::exceptions::{
    PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

/// What errors about a case given as a dict name as its file.
const DICT_LABEL: &str = "<case dict>";

/// Check the claims of `case` — a case file or a directory of them (str or os.PathLike), or one
/// case as a dict with the schema of a case file (`dlncheck schema`) — as `dlncheck check` does,
/// and return the report as a dict: the JSON v1 report.json the command writes.
///
/// The reports (report.json, report.md, report.html, junit.xml, certs/) are written to
/// `report_dir` when given and kept; otherwise to a temporary directory removed before returning
/// (the certificate paths in the report then no longer exist). `precision`, `seed`, `jobs`,
/// `claims` (only these claim ids) and `timing` are the options of `dlncheck check`
/// (`--precision`, `--seed`, `--jobs`, `--claim`, `--no-timing`). A dict's numbers are read as in
/// a case file (a float as its exact binary value, a str such as "1/3" exactly; numpy arrays and
/// Fractions are accepted) and its relative array-file paths are taken from the working
/// directory; without `name` it is named `case`. The GIL is released while checking.
///
/// One invalid case (a file or a dict) raises ValueError with the message the report would hold
/// (field and what is wrong); in a directory an invalid case is that case's `error` in the report,
/// as with the command. A missing path raises FileNotFoundError.
#[pyfunction]
#[pyo3(signature = (case, *, report_dir = None, precision = None, seed = None, jobs = 0,
                    claims = None, timing = true))]
#[allow(clippy::too_many_arguments)]
pub fn check<'py>(
    py: Python<'py>,
    case: &Bound<'py, PyAny>,
    report_dir: Option<PathBuf>,
    precision: Option<u32>,
    seed: Option<u64>,
    jobs: usize,
    claims: Option<Vec<String>>,
    timing: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let mut wanted = Vec::new();
    for id in claims.unwrap_or_default() {
        match claims::find(&id) {
            Some(c) => wanted.push(c.info().id.to_string()),
            None => {
                return Err(PyValueError::new_err(format!(
                    "claims: {}",
                    claims::unknown(&id)
                )))
            }
        }
    }
    let scratch = tempfile::tempdir()?;
    let opts = RunOptions {
        report_dir: report_dir.unwrap_or_else(|| scratch.path().join("report")),
        precision,
        seed,
        jobs,
        timing,
        claims: wanted,
        ..RunOptions::default()
    };
    let (path, single) = match case.cast::<PyDict>() {
        Ok(dict) => (dict_file(dict, scratch.path(), &opts)?, true),
        Err(_) => {
            let path: PathBuf = case.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "case: expected a path (str or os.PathLike) or a dict, found {}",
                    case.get_type()
                ))
            })?;
            let single = path.is_file();
            (path, single)
        }
    };
    let files = runner::discover(&[path]).map_err(run_error)?;
    let report = py
        .detach(|| runner::run(&files, &opts, &|_| {}))
        .map_err(run_error)?;
    if single {
        if let Some(c) = report.cases.first() {
            if let (Some(e), None) = (&c.error, &c.stopped) {
                return Err(if e.contains("internal error") {
                    PyRuntimeError::new_err(e.clone())
                } else {
                    PyValueError::new_err(e.clone())
                });
            }
        }
    }
    let json = opts.report_dir.join("report.json");
    let text = std::fs::read_to_string(&json)
        .map_err(|e| PyOSError::new_err(format!("{}: {e}", json.display())))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// The case file of a case given as a dict: validated first (an invalid dict raises ValueError
/// naming `<case dict>` and the field), then written as YAML to `dir/case.yaml`.
fn dict_file(dict: &Bound<'_, PyDict>, dir: &Path, opts: &RunOptions) -> PyResult<PathBuf> {
    let mut value = yaml_value(dict.as_any(), "case")?;
    let cwd = std::env::current_dir()?;
    absolute_files(&mut value, &cwd);
    let text = serde_yaml::to_string(&value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    if let Err(e) = case::load_str(&text, Path::new(DICT_LABEL), &opts.load) {
        // the line would be one of the generated YAML: leave it out
        return Err(PyValueError::new_err(format!(
            "{DICT_LABEL}: {}: {}",
            e.field, e.message
        )));
    }
    let file = dir.join("case.yaml");
    std::fs::write(&file, text)?;
    Ok(file)
}

/// A Python value as the YAML value a case file would hold: None, bool, int (beyond 64 bits as
/// its exact decimal text), float, str, dict (str keys), list and tuple; numpy arrays and scalars
/// through `tolist()`; `fractions.Fraction` and `decimal.Decimal` as their exact text;
/// os.PathLike as its path. `at` names the place in errors.
fn yaml_value(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(match (obj.extract::<i64>(), obj.extract::<u64>()) {
            (Ok(i), _) => Value::from(i),
            (_, Ok(u)) => Value::from(u),
            _ => Value::String(obj.str()?.to_string()),
        });
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::from(obj.extract::<f64>()?));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::String(obj.extract()?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Mapping::new();
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{at}: a key {} is not a str",
                    k.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                ))
            })?;
            let inner = yaml_value(&v, &format!("{at}.{key}"))?;
            m.insert(Value::String(key), inner);
        }
        return Ok(Value::Mapping(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut seq = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            seq.push(yaml_value(&v?, &format!("{at}[{i}]"))?);
        }
        return Ok(Value::Sequence(seq));
    }
    let py = obj.py();
    for (module, name) in [("fractions", "Fraction"), ("decimal", "Decimal")] {
        if obj.is_instance(&py.import(module)?.getattr(name)?)? {
            return Ok(Value::String(obj.str()?.to_string()));
        }
    }
    if obj.is_instance(&py.import("os")?.getattr("PathLike")?)? {
        let p = py.import("os")?.call_method1("fspath", (obj,))?;
        return yaml_value(&p, at);
    }
    if obj.hasattr("tolist")? {
        return yaml_value(&obj.call_method0("tolist")?, at);
    }
    Err(PyTypeError::new_err(format!(
        "{at}: a {} cannot be written in a case (numbers, str, list, dict, numpy arrays)",
        obj.get_type()
    )))
}

/// Make the array-file paths of a case (`data.file`, `point.file`, `point.files[i]`) absolute,
/// relative ones taken from `cwd`, so they do not depend on where the case is written.
fn absolute_files(case: &mut Value, cwd: &Path) {
    let fix = |v: &mut Value| {
        if let Value::String(s) = v {
            if Path::new(s.as_str()).is_relative() {
                *s = cwd.join(s.as_str()).display().to_string();
            }
        }
    };
    if let Some(f) = case.get_mut("data").and_then(|d| d.get_mut("file")) {
        fix(f);
    }
    if let Some(p) = case.get_mut("point") {
        if let Some(f) = p.get_mut("file") {
            fix(f);
        }
        if let Some(Value::Sequence(fs)) = p.get_mut("files") {
            fs.iter_mut().for_each(fix);
        }
    }
}

/// A runner error as the Python exception of its kind, with the command's message.
fn run_error(e: RunError) -> PyErr {
    let message = e.to_string();
    match e {
        RunError::Missing(_) => PyFileNotFoundError::new_err(message),
        RunError::NoCases(_) => PyValueError::new_err(message),
        RunError::Io { .. } => PyOSError::new_err(message),
        RunError::Pool(_) => PyRuntimeError::new_err(message),
        RunError::Interrupted => PyKeyboardInterrupt::new_err(message),
    }
}
