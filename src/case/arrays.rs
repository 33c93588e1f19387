//! Matrices from the files researchers save: NumPy `.npy` (one array) and `.npz` (named arrays, as
//! written by `np.savez` / `np.savez_compressed`), and `.safetensors` (named tensors, as written by
//! PyTorch, JAX or the `safetensors` package).
//!
//! Every entry is read as the exact number it holds: an IEEE binary16/bfloat16/binary32/binary64
//! value is the dyadic rational m·2^e it encodes (every finite binary float is one), an integer is
//! itself. NaN and ±∞ are refused with the array and the index named. Only 2-D arrays are
//! matrices; the row-major or column-major (`fortran_order`) layout of a `.npy` file is honoured.
//!
//! Orientation: dlncheck's W_k is d_k × d_{k−1} (the layout of PyTorch's `nn.Linear.weight`) and
//! X is d_0 × n, one sample per column; the caller compares shapes and hints at a transposition.

use crate::linalg::field::f64_to_q;
use crate::linalg::mat::Mat;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::io::Read;
use std::path::Path;

/// The largest file dlncheck reads arrays from (the shapes are checked against the size limits
/// before any entry is converted; this bounds what is read before the shapes are known).
const MAX_FILE_BYTES: u64 = 1 << 31;

/// The kinds of array files, told by the file name's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `.npy`: one array.
    Npy,
    /// `.npz`: a zip archive of `.npy` members, each named by its member name without `.npy`.
    Npz,
    /// `.safetensors`: an 8-byte header length, a JSON header of named tensors, the raw data.
    Safetensors,
}

impl Format {
    /// The format of `path` by its extension, or an error that lists the known ones.
    pub(crate) fn of(path: &Path) -> Result<Format, String> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("npy") => Ok(Format::Npy),
            Some("npz") => Ok(Format::Npz),
            Some("safetensors") => Ok(Format::Safetensors),
            _ => Err(format!(
                "{}: unknown array file type; dlncheck reads .npy, .npz and .safetensors files",
                path.display()
            )),
        }
    }
}

/// An exact matrix read from a file, with how its entries were stored.
pub(crate) struct Array {
    /// The array's name in its file (the file stem for a `.npy` file).
    pub name: String,
    /// The entries, exactly.
    pub matrix: Mat<BigRational>,
    /// The stored element type, e.g. `float32`, `int64`.
    pub dtype: &'static str,
}

impl Array {
    /// Whether the entries were binary floating-point values (the report notes that they were
    /// read as the exact binary values they hold).
    pub(crate) fn is_float(&self) -> bool {
        self.dtype.starts_with("float") || self.dtype == "bfloat16"
    }
}

/// The arrays of a file in the order of `names`, or, without names, every array in the natural
/// order of their names (`arr_2` before `arr_10`, `layers.2.weight` before `layers.10.weight`).
/// `max_dim` bounds each dimension before any entry is converted.
pub(crate) fn read(
    path: &Path,
    names: Option<&[String]>,
    max_dim: usize,
) -> Result<Vec<Array>, String> {
    let format = Format::of(path)?;
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{}: {size} bytes, more than the limit of {MAX_FILE_BYTES}",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let out = match format {
        Format::Npy => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(n) = names.filter(|n| n.len() != 1 || n[0] != stem) {
                return Err(format!(
                    "a .npy file holds one array (named {stem:?} after the file), not {n:?}"
                ));
            }
            vec![npy(&bytes, stem, max_dim)?]
        }
        Format::Npz => npz(&bytes, names, max_dim)?,
        Format::Safetensors => safetensors(&bytes, names, max_dim)?,
    };
    Ok(out)
}

/// The names to read: the given ones, each present, or all in natural order.
fn choose(available: Vec<String>, names: Option<&[String]>) -> Result<Vec<String>, String> {
    match names {
        Some(names) => {
            for n in names {
                if !available.contains(n) {
                    let mut sorted = available.clone();
                    sorted.sort_by(|a, b| natord::compare(a, b));
                    return Err(format!(
                        "no array named {n:?}; the file holds {}",
                        list(&sorted)
                    ));
                }
            }
            Ok(names.to_vec())
        }
        None => {
            let mut all = available;
            all.sort_by(|a, b| natord::compare(a, b));
            if all.is_empty() {
                return Err("the file holds no arrays".to_string());
            }
            Ok(all)
        }
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "no arrays".to_string()
    } else {
        names
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A 2-D shape within the limits, as (rows, cols).
fn shape2(name: &str, shape: &[u64], max_dim: usize) -> Result<(usize, usize), String> {
    let (r, c) = match shape {
        [r, c] => (*r, *c),
        [n] => {
            return Err(format!(
                "array {name:?} is 1-D (length {n}); a matrix must be 2-D: save a row as \
                 a.reshape(1, -1) or a column as a.reshape(-1, 1)"
            ))
        }
        s => {
            return Err(format!(
                "array {name:?} has {} dimensions {s:?}; a matrix must be 2-D",
                s.len()
            ))
        }
    };
    if r == 0 || c == 0 {
        return Err(format!("array {name:?} is empty ({r} × {c})"));
    }
    if r > max_dim as u64 || c > max_dim as u64 {
        return Err(format!(
            "array {name:?} is {r} × {c}, beyond the limit of {max_dim} per dimension (max_dim)"
        ));
    }
    Ok((r as usize, c as usize))
}

/// The exact value of a finite binary float, or an error naming the entry.
fn float_entry(
    name: &str,
    rows_cols: (usize, usize),
    k: usize,
    v: f64,
) -> Result<BigRational, String> {
    f64_to_q(v).ok_or_else(|| {
        let (i, j) = (k / rows_cols.1, k % rows_cols.1);
        format!("array {name:?} entry [{i}][{j}] is {v}, not a finite number")
    })
}

/// Entries in row-major order, as exact rationals.
enum Entries {
    Floats(Vec<f64>),
    Ints(Vec<BigInt>),
}

fn matrix(
    name: &str,
    (rows, cols): (usize, usize),
    entries: Entries,
    column_major: bool,
) -> Result<Mat<BigRational>, String> {
    let exact: Vec<BigRational> = match entries {
        Entries::Floats(v) => v
            .into_iter()
            .enumerate()
            .map(|(k, x)| {
                // the index in the row-major order of the matrix, for the message
                let rm = if column_major {
                    (k % rows) * cols + k / rows
                } else {
                    k
                };
                float_entry(name, (rows, cols), rm, x)
            })
            .collect::<Result<_, _>>()?,
        Entries::Ints(v) => v.into_iter().map(BigRational::from_integer).collect(),
    };
    if exact.len() != rows * cols {
        return Err(format!(
            "array {name:?} holds {} entries, not {rows} × {cols}",
            exact.len()
        ));
    }
    if column_major {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(exact[j * rows + i].clone());
            }
        }
        Ok(Mat::from_vec(rows, cols, data))
    } else {
        Ok(Mat::from_vec(rows, cols, exact))
    }
}

/// One `.npy` array.
fn npy(bytes: &[u8], name: String, max_dim: usize) -> Result<Array, String> {
    use npyz::{DType, Order, TypeChar};
    let file = npyz::NpyFile::new(bytes).map_err(|e| format!("not a valid .npy array: {e}"))?;
    let shape = shape2(&name, file.shape(), max_dim)?;
    let column_major = file.order() == Order::Fortran;
    let DType::Plain(ts) = file.dtype() else {
        return Err(format!(
            "array {name:?} has a structured or array dtype; a matrix needs plain numbers"
        ));
    };
    let bad = |e: std::io::Error| format!("array {name:?}: {e}");
    let (dtype, entries) = match (ts.type_char(), ts.size_field()) {
        (TypeChar::Float, 8) => (
            "float64",
            Entries::Floats(file.into_vec::<f64>().map_err(bad)?),
        ),
        (TypeChar::Float, 4) => (
            "float32",
            Entries::Floats(
                file.into_vec::<f32>()
                    .map_err(bad)?
                    .into_iter()
                    .map(f64::from)
                    .collect(),
            ),
        ),
        (TypeChar::Float, 2) => (
            "float16",
            Entries::Floats(
                file.into_vec::<half::f16>()
                    .map_err(bad)?
                    .into_iter()
                    .map(f64::from)
                    .collect(),
            ),
        ),
        (TypeChar::Int, 1) => ints("int8", file.into_vec::<i8>().map_err(bad)?),
        (TypeChar::Int, 2) => ints("int16", file.into_vec::<i16>().map_err(bad)?),
        (TypeChar::Int, 4) => ints("int32", file.into_vec::<i32>().map_err(bad)?),
        (TypeChar::Int, 8) => ints("int64", file.into_vec::<i64>().map_err(bad)?),
        (TypeChar::Uint, 1) => ints("uint8", file.into_vec::<u8>().map_err(bad)?),
        (TypeChar::Uint, 2) => ints("uint16", file.into_vec::<u16>().map_err(bad)?),
        (TypeChar::Uint, 4) => ints("uint32", file.into_vec::<u32>().map_err(bad)?),
        (TypeChar::Uint, 8) => ints("uint64", file.into_vec::<u64>().map_err(bad)?),
        _ => {
            return Err(format!(
                "array {name:?} has dtype {ts}; dlncheck reads float16/32/64 and integer arrays"
            ))
        }
    };
    let matrix = matrix(&name, shape, entries, column_major)?;
    Ok(Array {
        name,
        matrix,
        dtype,
    })
}

fn ints<T: Into<BigInt>>(dtype: &'static str, v: Vec<T>) -> (&'static str, Entries) {
    (
        dtype,
        Entries::Ints(v.into_iter().map(Into::into).collect()),
    )
}

/// The named `.npy` members of a `.npz` archive (stored or deflated).
fn npz(bytes: &[u8], names: Option<&[String]>, max_dim: usize) -> Result<Vec<Array>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a valid .npz (zip) archive: {e}"))?;
    let available: Vec<String> = zip
        .file_names()
        .filter_map(|f| f.strip_suffix(".npy"))
        .map(str::to_string)
        .collect();
    let chosen = choose(available, names)?;
    let mut out = Vec::with_capacity(chosen.len());
    for name in chosen {
        let member = zip
            .by_name(&format!("{name}.npy"))
            .map_err(|e| format!("array {name:?}: {e}"))?;
        // a member may not claim more than the whole limit (a zip bomb is refused unread)
        if member.size() > MAX_FILE_BYTES {
            return Err(format!(
                "array {name:?} unpacks to {} bytes, more than the limit of {MAX_FILE_BYTES}",
                member.size()
            ));
        }
        let mut data = Vec::with_capacity(member.size() as usize);
        member
            .take(MAX_FILE_BYTES)
            .read_to_end(&mut data)
            .map_err(|e| format!("array {name:?}: {e}"))?;
        out.push(npy(&data, name, max_dim)?);
    }
    Ok(out)
}

/// The named tensors of a `.safetensors` file (little-endian by the format's definition).
fn safetensors(
    bytes: &[u8],
    names: Option<&[String]>,
    max_dim: usize,
) -> Result<Vec<Array>, String> {
    use safetensors::Dtype;
    let st = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| format!("not a valid .safetensors file: {e}"))?;
    let available: Vec<String> = st.names().into_iter().map(str::to_string).collect();
    let chosen = choose(available, names)?;
    let mut out = Vec::with_capacity(chosen.len());
    for name in chosen {
        let t = st
            .tensor(&name)
            .map_err(|e| format!("array {name:?}: {e}"))?;
        let shape: Vec<u64> = t.shape().iter().map(|&d| d as u64).collect();
        let shape = shape2(&name, &shape, max_dim)?;
        let data = t.data();
        let le = |w: usize| data.chunks_exact(w);
        let (dtype, entries) = match t.dtype() {
            Dtype::F64 => (
                "float64",
                Entries::Floats(
                    le(8)
                        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect(),
                ),
            ),
            Dtype::F32 => (
                "float32",
                Entries::Floats(
                    le(4)
                        .map(|c| f64::from(f32::from_le_bytes(c.try_into().expect("4 bytes"))))
                        .collect(),
                ),
            ),
            Dtype::F16 => (
                "float16",
                Entries::Floats(
                    le(2)
                        .map(|c| f64::from(half::f16::from_le_bytes([c[0], c[1]])))
                        .collect(),
                ),
            ),
            Dtype::BF16 => (
                "bfloat16",
                Entries::Floats(
                    le(2)
                        .map(|c| f64::from(half::bf16::from_le_bytes([c[0], c[1]])))
                        .collect(),
                ),
            ),
            Dtype::I8 => ints("int8", data.iter().map(|&b| b as i8).collect()),
            Dtype::U8 => ints("uint8", data.to_vec()),
            Dtype::I16 => ints(
                "int16",
                le(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect(),
            ),
            Dtype::U16 => ints(
                "uint16",
                le(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect(),
            ),
            Dtype::I32 => ints(
                "int32",
                le(4)
                    .map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect(),
            ),
            Dtype::U32 => ints(
                "uint32",
                le(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect(),
            ),
            Dtype::I64 => ints(
                "int64",
                le(8)
                    .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect(),
            ),
            Dtype::U64 => ints(
                "uint64",
                le(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                    .collect(),
            ),
            other => {
                return Err(format!(
                    "tensor {name:?} has dtype {other:?}; dlncheck reads F16/BF16/F32/F64 and \
                     integer tensors"
                ))
            }
        };
        let matrix = matrix(&name, shape, entries, false)?;
        out.push(Array {
            name,
            matrix,
            dtype,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `.npy` file written by hand from the format's specification (NEP 1: magic, version 1.0,
    /// little-endian header length, a Python dict literal padded to 64 bytes, the raw data), so
    /// the reader is not checked against its own writer.
    fn npy_bytes(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut header = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
            if fortran { "True" } else { "False" }
        );
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    use crate::enumerate::minimizers::tests::q;

    #[test]
    fn float64_big_endian_and_row_major() {
        let vals = [0.5f64, -0.25, 3.0, 1e-300];
        let data: Vec<u8> = vals.iter().flat_map(|v| v.to_be_bytes()).collect();
        let a = npy(&npy_bytes(">f8", false, "(2, 2)", &data), "w".into(), 16).unwrap();
        assert_eq!(a.dtype, "float64");
        assert_eq!(*a.matrix.at(0, 1), q(-1, 4));
        assert_eq!(*a.matrix.at(1, 0), q(3, 1));
        // 1e-300 is the dyadic rational it encodes, not the decimal 10^-300
        let tiny = a.matrix.at(1, 1).clone();
        assert!(
            tiny.denom().bits() > 900
                && tiny != BigRational::new(1.into(), num_bigint::BigInt::from(10).pow(300))
        );
    }

    #[test]
    fn fortran_order_is_transposed_into_place() {
        // column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6
        let data: Vec<u8> = [1i32, 4, 2, 5, 3, 6]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = npy(&npy_bytes("<i4", true, "(2, 3)", &data), "x".into(), 16).unwrap();
        assert_eq!(a.dtype, "int32");
        assert_eq!(*a.matrix.at(0, 2), q(3, 1));
        assert_eq!(*a.matrix.at(1, 0), q(4, 1));
    }

    #[test]
    fn float16_and_float32_are_exact() {
        // 0x3555 is the binary16 nearest 1/3: 1365/4096
        let data: Vec<u8> = [0x3555u16, 0xbc00]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = npy(&npy_bytes("<f2", false, "(1, 2)", &data), "h".into(), 16).unwrap();
        assert_eq!(*a.matrix.at(0, 0), q(1365, 4096));
        assert_eq!(*a.matrix.at(0, 1), q(-1, 1));
        // the float32 nearest 0.1 is 13421773 / 2^27
        let data = 0.1f32.to_le_bytes();
        let a = npy(&npy_bytes("<f4", false, "(1, 1)", &data), "f".into(), 16).unwrap();
        assert_eq!(*a.matrix.at(0, 0), q(13_421_773, 1 << 27));
    }

    #[test]
    fn bad_arrays_are_named() {
        let nan: Vec<u8> = [1.0f64, f64::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let e = npy(&npy_bytes("<f8", false, "(1, 2)", &nan), "w".into(), 16)
            .err()
            .unwrap();
        assert!(e.contains("entry [0][1] is NaN"), "{e}");
        let e = npy(&npy_bytes("<f8", false, "(2,)", &nan), "w".into(), 16)
            .err()
            .unwrap();
        assert!(e.contains("is 1-D"), "{e}");
        let e = npy(&npy_bytes("<f8", false, "(1, 1, 2)", &nan), "w".into(), 16)
            .err()
            .unwrap();
        assert!(e.contains("3 dimensions"), "{e}");
        let e = npy(&npy_bytes("<f8", false, "(1, 2)", &nan), "w".into(), 1)
            .err()
            .unwrap();
        assert!(e.contains("beyond the limit"), "{e}");
        // the header promises 4 entries, the data holds 2
        let e = npy(&npy_bytes("<f8", false, "(2, 2)", &nan), "w".into(), 16)
            .err()
            .unwrap();
        assert!(e.contains("array \"w\""), "{e}");
        let e = npy(b"not an npy file", "w".into(), 16).err().unwrap();
        assert!(e.contains("not a valid .npy"), "{e}");
        let e = npy(
            &npy_bytes("<c16", false, "(1, 1)", &[0; 16]),
            "c".into(),
            16,
        )
        .err()
        .unwrap();
        assert!(e.contains("dtype"), "{e}");
    }

    #[test]
    fn names_default_to_natural_order() {
        let names = vec![
            "arr_10".to_string(),
            "arr_2".to_string(),
            "arr_1".to_string(),
        ];
        assert_eq!(
            choose(names.clone(), None).unwrap(),
            ["arr_1", "arr_2", "arr_10"]
        );
        let e = choose(names, Some(&["W".to_string()])).err().unwrap();
        assert!(
            e.contains("no array named \"W\"") && e.contains("\"arr_2\""),
            "{e}"
        );
    }
}
