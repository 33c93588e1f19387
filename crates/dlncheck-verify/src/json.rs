//! Reading certificate JSON: typed accessors whose every error names the JSON path of the field
//! (`problem.weights[1][0][2]: not an exact number …`), shared by every certificate kind.

use super::rational::{parse_exact, Mat, Q};
use super::VerifyError;
use serde_json::{Map, Value};

/// A result whose error names the JSON path of the offending field.
pub(super) type Result<T> = std::result::Result<T, VerifyError>;

/// A [`VerifyError::Malformed`] at `path`.
pub(super) fn err(path: &str, message: impl Into<String>) -> VerifyError {
    VerifyError::Malformed {
        path: path.to_string(),
        message: message.into(),
    }
}

/// `path.key`.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A short rendering of a JSON value for error messages.
pub(super) fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

pub(super) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| err(path, format!("expected an object, found {}", brief(v))))
}

pub(super) fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>> {
    v.as_array()
        .ok_or_else(|| err(path, format!("expected an array, found {}", brief(v))))
}

pub(super) fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| err(path, format!("expected a string, found {}", brief(v))))
}

/// The field `key` of `obj` (whose path is `path`), which must be present.
pub(super) fn field<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Result<&'a Value> {
    obj.get(key)
        .ok_or_else(|| err(&join(path, key), "missing field"))
}

/// An exact number: a JSON string `"p"` or `"-p/q"`.
pub(super) fn number(v: &Value, path: &str) -> Result<Q> {
    match v {
        Value::String(s) => parse_exact(s).map_err(|m| err(path, m)),
        _ => Err(err(
            path,
            format!(
                "expected an exact number string like \"3\" or \"-91/9\", found {}",
                brief(v)
            ),
        )),
    }
}

/// A list of exact numbers.
pub(super) fn vector(v: &Value, path: &str) -> Result<Vec<Q>> {
    array(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| number(x, &format!("{path}[{i}]")))
        .collect()
}

/// The shape of a matrix given as a non-empty list of equally long non-empty rows, without
/// reading its entries.
pub(super) fn shape(v: &Value, path: &str) -> Result<(usize, usize)> {
    let rows = array(v, path)?;
    if rows.is_empty() {
        return Err(err(path, "a matrix needs at least one row"));
    }
    let mut cols = None;
    for (i, row) in rows.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let n = array(row, &p)?.len();
        match cols {
            None if n == 0 => return Err(err(&p, "a matrix row needs at least one entry")),
            None => cols = Some(n),
            Some(c) if c != n => {
                return Err(err(&p, format!("row has {n} entries, row 0 has {c}")))
            }
            Some(_) => {}
        }
    }
    Ok((rows.len(), cols.unwrap_or(0)))
}

/// The entries of a matrix whose shape [`shape`] has checked.
pub(super) fn entries(v: &Value, path: &str, (rows, cols): (usize, usize)) -> Result<Mat> {
    let mut data = Vec::with_capacity(rows * cols);
    for (i, row) in array(v, path)?.iter().enumerate() {
        for (j, x) in array(row, path)?.iter().enumerate() {
            data.push(number(x, &format!("{path}[{i}][{j}]"))?);
        }
    }
    Ok(Mat::from_data(rows, cols, data))
}

/// `version` must be 1.
pub(super) fn version(top: &Map<String, Value>, path: &str) -> Result<()> {
    match top.get("version") {
        Some(n) if n.as_u64() == Some(1) => Ok(()),
        Some(n) => Err(err(
            &join(path, "version"),
            format!("unsupported version {} (this checker reads 1)", brief(n)),
        )),
        None => Err(err(&join(path, "version"), "missing field")),
    }
}
