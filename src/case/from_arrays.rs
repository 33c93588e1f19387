//! A [`Case`] built from in-memory arrays instead of a case file — the matrices a Python caller
//! hands over as numpy arrays (`crates/dlncheck-py`) — through the same validation as a case file:
//! the same shape rules, limits and messages, naming the same fields (`point.weights[1]`,
//! `data.x`, `data.y`, `data.mask`, `model.lambda`, …), so an error reads as it would for the
//! equivalent YAML case (without a line: there is no text).
//!
//! Every entry is taken as the exact number it holds: a binary64 or binary32 value as the dyadic
//! rational it encodes ([`f64_to_q`]; a binary32 value widens to binary64 exactly), an integer as
//! itself. NaN and ±∞ are refused with the matrix and the entry named. The widths are read off the
//! arrays: d_0 is the number of rows of X, d_L that of Y and d_k (0 < k < L) that of W_k; W_k must
//! be d_k × d_{k−1} (output × input, PyTorch's `nn.Linear.weight` layout) and X, Y d_0 × n and
//! d_L × n, one sample per column.

use super::number::RawNum;
use super::raw::{RawActivation, RawCase, RawData, RawMatrix, RawModel, RawPoint, RawX};
use super::{Case, CaseError, LoadOptions, ModelKind};
use crate::linalg::field::{f64_to_q, q_to_string};
use num_bigint::BigInt;
use num_rational::BigRational;
use std::path::Path;

/// The entries of an array in row-major order, in the element type they were stored in.
#[derive(Clone, Debug, PartialEq)]
pub enum Entries {
    /// binary64 values.
    F64(Vec<f64>),
    /// binary32 values.
    F32(Vec<f32>),
    /// Signed integers.
    I64(Vec<i64>),
    /// Unsigned integers.
    U64(Vec<u64>),
}

impl Entries {
    fn len(&self) -> usize {
        match self {
            Entries::F64(v) => v.len(),
            Entries::F32(v) => v.len(),
            Entries::I64(v) => v.len(),
            Entries::U64(v) => v.len(),
        }
    }

    /// The element type's numpy name.
    pub fn dtype(&self) -> &'static str {
        match self {
            Entries::F64(_) => "float64",
            Entries::F32(_) => "float32",
            Entries::I64(_) => "int64",
            Entries::U64(_) => "uint64",
        }
    }
}

/// A matrix held in memory: `rows × cols` entries in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    rows: usize,
    cols: usize,
    entries: Entries,
}

impl Array {
    /// The `rows × cols` matrix with these row-major entries; an error when their number is not
    /// rows·cols.
    pub fn new(rows: usize, cols: usize, entries: Entries) -> Result<Array, String> {
        if rows.checked_mul(cols) != Some(entries.len()) {
            return Err(format!(
                "a {rows} × {cols} matrix needs {} entries, found {}",
                rows.saturating_mul(cols),
                entries.len()
            ));
        }
        Ok(Array {
            rows,
            cols,
            entries,
        })
    }

    /// Its rows as a case file would list them, every entry exact, or the error naming the first
    /// entry that is not a finite number.
    fn rows(self, field: &str, file: &Path) -> Result<RawMatrix, CaseError> {
        if self.rows == 0 || self.cols == 0 {
            let message = format!(
                "a {} × {} matrix: every matrix needs at least one row and one column",
                self.rows, self.cols
            );
            return Err(error(file, field, message));
        }
        let cols = self.cols;
        let exact = |k: usize, v: f64| {
            f64_to_q(v).ok_or_else(|| {
                let message = format!(
                    "entry [{}][{}] is {v}, not a finite number",
                    k / cols,
                    k % cols
                );
                error(file, field, message)
            })
        };
        let values: Vec<BigRational> = match self.entries {
            Entries::F64(v) => v
                .into_iter()
                .enumerate()
                .map(|(k, x)| exact(k, x))
                .collect::<Result<_, _>>()?,
            Entries::F32(v) => v
                .into_iter()
                .enumerate()
                .map(|(k, x)| exact(k, f64::from(x)))
                .collect::<Result<_, _>>()?,
            Entries::I64(v) => v.into_iter().map(|x| BigInt::from(x).into()).collect(),
            Entries::U64(v) => v.into_iter().map(|x| BigInt::from(x).into()).collect(),
        };
        let mut it = values
            .into_iter()
            .map(|value| RawNum { value, float: None });
        Ok((0..self.rows)
            .map(|_| it.by_ref().take(cols).collect())
            .collect())
    }
}

/// A number option of the model (λ, the leaky-ReLU slope).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A binary64 value, taken as the exact number it encodes.
    Float(f64),
    /// An integer, exact.
    Int(i64),
    /// A number written as in a case file: `"1/10"`, `"0.1"` (exactly 1/10), `"3e-2"`.
    Text(String),
}

impl Scalar {
    /// The exact value, with a note when it was a float; an error naming `field` otherwise.
    fn exact(self, field: &str, file: &Path, notes: &mut Vec<String>) -> Result<RawNum, CaseError> {
        let value = match self {
            Scalar::Float(f) => {
                let q = f64_to_q(f)
                    .ok_or_else(|| error(file, field, format!("{f} is not a finite number")))?;
                notes.push(format!(
                    "{field}: float {f:?} read as its exact binary value {}",
                    q_to_string(&q)
                ));
                q
            }
            Scalar::Int(i) => BigInt::from(i).into(),
            Scalar::Text(t) => {
                super::parse_exact(&t).map_err(|message| error(file, field, message))?
            }
        };
        Ok(RawNum { value, float: None })
    }
}

/// A case given by arrays: the model, the point W_1 … W_L at which λ_max is wanted, and the data.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayCase {
    /// The case's name (reports, errors).
    pub name: String,
    /// The network family.
    pub kind: ModelKind,
    /// W_1 … W_L, W_k of shape d_k × d_{k−1}; at least one.
    pub weights: Vec<Array>,
    /// X, d_0 × n.
    pub x: Array,
    /// Y, d_L × n.
    pub y: Array,
    /// `model.lambda` (kind l2-regularized only).
    pub lambda: Option<Scalar>,
    /// `model.activation.leaky_relu`, the slope (kind one-hidden-layer only).
    pub leaky_relu: Option<Scalar>,
    /// `data.mask` (kind l2-regularized only), d_L × n, entries 0 or 1.
    pub mask: Option<Array>,
    /// `precision_bits`, the MPFR precision (16..=65536).
    pub precision_bits: u64,
}

/// Validate the case `spec` as the case file with the same model, data and `point.weights` would
/// be (no checks needed), errors naming `file` (a label such as `<dlncheck.sharpness>`) and the
/// case file's field paths. Float arrays and float options are noted in
/// [`Case::float_inputs`] as read at their exact binary values.
pub fn load_arrays(spec: ArrayCase, file: &Path, opts: &LoadOptions) -> Result<Case, CaseError> {
    if spec.weights.is_empty() {
        return Err(error(
            file,
            "point.weights",
            "no weight matrices: give W_1 … W_L (at least one)",
        ));
    }
    // refuse huge arrays before converting any entry (build checks the same limit on the widths)
    let named = std::iter::once(("data.x".to_string(), &spec.x))
        .chain(std::iter::once(("data.y".to_string(), &spec.y)))
        .chain(spec.mask.iter().map(|m| ("data.mask".to_string(), m)))
        .chain(
            spec.weights
                .iter()
                .enumerate()
                .map(|(i, w)| (format!("point.weights[{i}]"), w)),
        );
    let mut notes = Vec::new();
    for (field, a) in named {
        if a.rows > opts.max_dim || a.cols > opts.max_dim {
            return Err(error(
                file,
                &field,
                format!(
                    "a {} × {} matrix: a dimension exceeds the limit of {} (max_dim)",
                    a.rows, a.cols, opts.max_dim
                ),
            ));
        }
        if matches!(a.entries, Entries::F64(_) | Entries::F32(_)) {
            notes.push(format!(
                "{field}: {} array read as the exact binary values it holds",
                a.entries.dtype()
            ));
        }
    }
    // d_0 from X, d_L from Y, d_k (0 < k < L) from the rows of W_k: a transposed weight matrix
    // is then the one named (with the hint that it fits transposed)
    let depth = spec.weights.len();
    let dims: Vec<u64> = std::iter::once(spec.x.rows)
        .chain(spec.weights[..depth - 1].iter().map(|w| w.rows))
        .chain(std::iter::once(spec.y.rows))
        .map(|d| d as u64)
        .collect();
    let lambda = spec
        .lambda
        .map(|l| l.exact("model.lambda", file, &mut notes))
        .transpose()?;
    let activation = spec
        .leaky_relu
        .map(|a| a.exact("model.activation.leaky_relu", file, &mut notes))
        .transpose()?
        .map(|leaky_relu| RawActivation { leaky_relu });
    let weights = spec
        .weights
        .into_iter()
        .enumerate()
        .map(|(i, w)| w.rows(&format!("point.weights[{i}]"), file))
        .collect::<Result<Vec<_>, _>>()?;
    let raw = RawCase {
        version: 1,
        name: Some(spec.name),
        about: None,
        seed: None,
        precision_bits: Some(spec.precision_bits),
        tier: None,
        model: RawModel {
            kind: spec.kind,
            dims,
            activation,
            lambda,
        },
        data: RawData {
            file: None,
            x: RawX::Matrix(spec.x.rows("data.x", file)?),
            y: RawX::Matrix(spec.y.rows("data.y", file)?),
            mask: spec.mask.map(|m| m.rows("data.mask", file)).transpose()?,
        },
        point: Some(RawPoint {
            weights: Some(weights),
            file: None,
            arrays: None,
            files: None,
            project: None,
        }),
        generate: None,
        checks: None,
        samples: None,
        dynamics: None,
    };
    // there is no text, so no line or column to give
    let mut case = super::validate::load_raw(raw, file, opts).map_err(|e| CaseError {
        line: None,
        column: None,
        source_line: None,
        ..e
    })?;
    case.float_inputs.extend(notes);
    Ok(case)
}

/// The model kind named `name` as in `model.kind` (`linear`, `residual`, `one-hidden-layer`,
/// `l2-regularized`), or an error listing them (with the nearest when `name` looks misspelt).
pub fn model_kind(name: &str) -> Result<ModelKind, String> {
    const KINDS: [ModelKind; 4] = [
        ModelKind::Linear,
        ModelKind::Residual,
        ModelKind::OneHiddenLayer,
        ModelKind::L2Regularized,
    ];
    if let Some(k) = KINDS.iter().find(|k| k.to_string() == name) {
        return Ok(*k);
    }
    let names: Vec<String> = KINDS.iter().map(ToString::to_string).collect();
    let near = crate::suggest::nearest(name, names.iter().map(String::as_str))
        .map(|n| format!("did you mean {n}? "))
        .unwrap_or_default();
    Err(format!(
        "unknown model kind {}; {near}the kinds are {}",
        super::number::show(name),
        names.join(", ")
    ))
}

fn error(file: &Path, field: &str, message: impl Into<String>) -> CaseError {
    CaseError {
        file: file.to_path_buf(),
        field: field.to_string(),
        line: None,
        column: None,
        message: message.into(),
        source_line: None,
        also: Box::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::One;

    fn arr(rows: usize, cols: usize, v: Vec<f64>) -> Array {
        Array::new(rows, cols, Entries::F64(v)).unwrap()
    }

    fn spec(weights: Vec<Array>) -> ArrayCase {
        ArrayCase {
            name: "arrays".into(),
            kind: ModelKind::Linear,
            weights,
            x: Array::new(2, 2, Entries::I64(vec![1, 0, 0, 1])).unwrap(),
            y: arr(1, 2, vec![1.0, 2.0]),
            lambda: None,
            leaky_relu: None,
            mask: None,
            precision_bits: 256,
        }
    }

    fn file() -> &'static Path {
        Path::new("<arrays>")
    }

    #[test]
    fn entries_are_exact_and_widths_come_from_the_arrays() {
        let w1 = Array::new(3, 2, Entries::F32(vec![0.1, 0.5, -2.0, 0.0, 1.0, 3.0])).unwrap();
        let w2 = arr(1, 3, vec![0.25, 1.0, 2.0]);
        let c = load_arrays(spec(vec![w1, w2]), file(), &LoadOptions::default()).unwrap();
        assert_eq!(c.dims, vec![2, 3, 1]);
        assert!(c.x_is_identity);
        assert!(c.checks.is_empty());
        let w = c.point.as_ref().unwrap();
        // float32 0.1 is 13421773/2^27, exactly
        assert_eq!(
            q_to_string(w[0].at(0, 0)),
            format!("13421773/{}", 1u64 << 27)
        );
        assert_eq!(q_to_string(w[1].at(0, 0)), "1/4");
        assert!(c.x.at(0, 0).is_one());
        assert!(c
            .float_inputs
            .iter()
            .any(|n| n.starts_with("point.weights[0]: float32 array")));
    }

    #[test]
    fn shape_and_value_errors_name_the_field() {
        let msg = |s: ArrayCase| {
            load_arrays(s, file(), &LoadOptions::default())
                .unwrap_err()
                .to_string()
        };
        // W_2 given transposed
        let e = msg(spec(vec![arr(3, 2, vec![1.0; 6]), arr(3, 1, vec![1.0; 3])]));
        assert!(
            e.starts_with("<arrays>: point.weights[1]: expected 1 row"),
            "{e}"
        );
        assert!(e.contains("fits transposed"), "{e}");
        let e = msg(spec(vec![arr(1, 2, vec![1.0, f64::NAN])]));
        assert_eq!(
            e,
            "<arrays>: point.weights[0]: entry [0][1] is NaN, not a finite number"
        );
        let mut s = spec(vec![arr(1, 2, vec![1.0, 1.0])]);
        s.y = arr(1, 3, vec![1.0; 3]);
        assert!(msg(s).starts_with("<arrays>: data.y: expected 2 columns (n = 2"));
        let mut s = spec(vec![arr(1, 2, vec![1.0, 1.0])]);
        s.lambda = Some(Scalar::Text("1/10".into()));
        assert!(msg(s).contains("model.lambda: `lambda` is only for kind l2-regularized"));
        let mut s = spec(vec![arr(1, 2, vec![1.0, 1.0])]);
        s.precision_bits = 8;
        assert!(msg(s).contains("precision_bits: precision_bits = 8 is outside 16..=65536"));
        assert!(msg(spec(Vec::new())).contains("point.weights: no weight matrices"));
        assert!(Array::new(2, 2, Entries::F64(vec![1.0])).is_err());
    }

    #[test]
    fn options_are_exact_and_kinds_are_named() {
        let mut s = spec(vec![arr(1, 2, vec![1.0, 1.0])]);
        s.kind = ModelKind::L2Regularized;
        s.lambda = Some(Scalar::Float(0.1));
        s.mask = Some(Array::new(1, 2, Entries::U64(vec![1, 0])).unwrap());
        let c = load_arrays(s, file(), &LoadOptions::default()).unwrap();
        assert_eq!(
            q_to_string(c.lambda.as_ref().unwrap()),
            "3602879701896397/36028797018963968"
        );
        assert!(c.float_inputs.iter().any(|n| n.starts_with("model.lambda")));
        assert_eq!(model_kind("residual"), Ok(ModelKind::Residual));
        let e = model_kind("lineer").unwrap_err();
        assert!(e.contains("did you mean linear?"), "{e}");
    }
}
