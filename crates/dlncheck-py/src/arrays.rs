//! Python arguments → the library's exact inputs: numpy arrays → [`Array`] (one copy of the
//! entries, in the element type they hold), Python numbers → [`Scalar`].

use dlncheck::case::from_arrays::{Array, Entries, Scalar};
use numpy::{
    Element, PyArrayDescrMethods, PyReadonlyArray2, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

/// The matrix `obj` (a numpy array, or anything `numpy.asarray` accepts) as an [`Array`]: 2-D,
/// float64 or float32 (float16 widened to float32, exactly), signed or unsigned integers or bools
/// (as int64, or uint64 for uint64), its entries copied once in row-major order whatever the
/// memory layout. `label: field` starts the error messages (e.g.
/// `<dlncheck.sharpness>: point.weights[1]`); a dtype that cannot be read exactly (complex,
/// float128, strings, objects) is a `TypeError`.
pub fn array(obj: &Bound<'_, PyAny>, label: &str, field: &str) -> PyResult<Array> {
    let at = |message: String| format!("{label}: {field}: {message}");
    let arr = match obj.cast::<PyUntypedArray>() {
        Ok(a) => a.clone(),
        Err(_) => obj
            .py()
            .import("numpy")?
            .call_method1("asarray", (obj,))
            .map_err(|e| PyValueError::new_err(at(format!("not a matrix: {e}"))))?
            .cast_into::<PyUntypedArray>()?,
    };
    if arr.ndim() != 2 {
        return Err(PyValueError::new_err(at(format!(
            "expected a 2-D array (a matrix), found a {}-D array of shape {:?}",
            arr.ndim(),
            arr.shape()
        ))));
    }
    let (rows, cols) = (arr.shape()[0], arr.shape()[1]);
    let dtype = arr.dtype();
    let entries = match (dtype.kind(), dtype.itemsize()) {
        (b'f', 8) => Entries::F64(copy::<f64>(&arr, "float64")?),
        (b'f', 4 | 2) => Entries::F32(copy::<f32>(&arr, "float32")?),
        (b'u', 8) => Entries::U64(copy::<u64>(&arr, "uint64")?),
        (b'i' | b'u' | b'b', _) => Entries::I64(copy::<i64>(&arr, "int64")?),
        _ => {
            return Err(PyTypeError::new_err(at(format!(
                "dtype {dtype} cannot be read exactly: dlncheck reads float64, float32, float16, \
                 integer and bool arrays"
            ))))
        }
    };
    Array::new(rows, cols, entries).map_err(|e| PyValueError::new_err(at(e)))
}

/// The entries of `arr` in row-major order as `T`, converting with `astype(target)` only when
/// the array is not already of that type in native byte order (a widening, so exact).
fn copy<T: Element + Copy>(arr: &Bound<'_, PyUntypedArray>, target: &str) -> PyResult<Vec<T>> {
    let any = arr.as_any();
    let ro: PyReadonlyArray2<'_, T> = match any.extract() {
        Ok(ro) => ro,
        Err(_) => any.call_method1("astype", (target,))?.extract()?,
    };
    // ndarray iterates in logical (row-major) order for any strides
    Ok(ro.as_array().iter().copied().collect())
}

/// A number option (λ, the slope) as a [`Scalar`]: an int exactly, a float (or numpy float) as
/// its exact binary value, a str as in a case file (`"1/10"`, `"0.1"`), and a `fractions.Fraction`
/// or `decimal.Decimal` by its exact text. A bool is a `TypeError`.
pub fn scalar(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Scalar> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{name}: expected a number, found a bool"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(match obj.extract::<i64>() {
            Ok(i) => Scalar::Int(i),
            Err(_) => Scalar::Text(obj.str()?.to_string()),
        });
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Scalar::Text(obj.extract()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Scalar::Float(obj.extract()?));
    }
    let py = obj.py();
    let exact_types = [
        py.import("fractions")?.getattr("Fraction")?,
        py.import("decimal")?.getattr("Decimal")?,
    ];
    for t in exact_types {
        if obj.is_instance(&t)? {
            return Ok(Scalar::Text(obj.str()?.to_string()));
        }
    }
    // numpy scalars and other objects with __float__ (float32 widens exactly)
    obj.extract::<f64>().map(Scalar::Float).map_err(|_| {
        PyTypeError::new_err(format!(
            "{name}: expected a number (int, float, str such as \"1/10\", Fraction), found {}",
            obj.get_type()
        ))
    })
}
