//! Exact reading of the numbers in a case file.
//!
//! A number may be a YAML integer (any size serde_yaml reports as an integer), an exact string
//! `"p/q"`, a decimal string such as `"0.1"` or `"3e-2"` (read exactly: `"0.1"` is 1/10), or a
//! YAML float (read as the exact binary value it denotes; the caller records a note for it).
//! NaN and infinities are rejected. Errors raised here are serde errors, so serde_yaml attaches
//! the path and the line/column of the offending scalar.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;

/// Largest decimal exponent accepted in a decimal string (`"1e10000"`), so that a short text
/// cannot ask for an astronomically large integer.
pub(crate) const MAX_DECIMAL_EXPONENT: u32 = 10_000;

/// Longest number text accepted (after trimming whitespace), for the same reason: a 10⁶-digit
/// integer would make every exact product in the case slow. Large values fit with an exponent.
pub(crate) const MAX_NUMBER_CHARS: usize = 10_000;

/// A number as read from the YAML file: its exact value, and the f64 when it was a YAML float.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawNum {
    /// The exact rational value.
    pub value: BigRational,
    /// `Some(f)` when the source was a YAML float `f` (the value is f's exact binary value).
    pub float: Option<f64>,
}

impl RawNum {
    fn exact(value: BigRational) -> Self {
        RawNum { value, float: None }
    }
}

impl<'de> Deserialize<'de> for RawNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

/// The `pattern` of an exact number string: a fraction `p/q` (q ≠ 0, spaces allowed around the
/// slash) or a decimal with an optional exponent of magnitude at most [`MAX_DECIMAL_EXPONENT`],
/// with surrounding whitespace: exactly the strings [`parse_exact`] accepts.
pub(crate) const NUMBER_STRING_PATTERN: &str = concat!(
    r"^\s*(?:",
    r"[+-]?[0-9]+\s*/\s*0*[1-9][0-9]*",
    r"|",
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?0*(?:[0-9]{1,4}|10000))?",
    r")\s*$"
);

/// A number anywhere in a case file: integer, YAML float, or exact string.
impl schemars::JsonSchema for RawNum {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, read exactly: an integer (7, -12); a string holding a \
                            fraction \"p/q\" (\"1/3\", \"-2/4\") or a decimal (\"0.1\" is \
                            exactly 1/10, \"3e-2\" is 3/100); or a YAML float such as 0.1, read \
                            as the exact binary value it denotes (0.1000000000000000055…) and \
                            flagged in the report. Quote decimals to mean them exactly. NaN and \
                            infinities are rejected.",
            "anyOf": [
                {
                    "description": "An integer, exact. Unquoted integers beyond 128 bits are \
                                    read as YAML floats: quote them.",
                    "type": "integer"
                },
                {
                    "description": "A YAML float: its exact binary value is used, and the \
                                    report notes it.",
                    "type": "number"
                },
                {
                    "description": "An exact fraction \"p/q\" (q > 0) or decimal \"0.1\", \
                                    \"-1.25\", \"3e-2\" (exponent at most 10000 in magnitude).",
                    "type": "string",
                    "pattern": NUMBER_STRING_PATTERN
                }
            ]
        })
    }
}

struct NumVisitor;

fn int(n: impl Into<BigInt>) -> RawNum {
    RawNum::exact(BigRational::from_integer(n.into()))
}

impl<'de> Visitor<'de> for NumVisitor {
    type Value = RawNum;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // serde writes "expected " before this text itself
        f.write_str(EXPECTING.trim_start_matches("expected "))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawNum, E> {
        Ok(int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawNum, E> {
        Ok(int(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNum, E> {
        Ok(int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNum, E> {
        Ok(int(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawNum, E> {
        match crate::linalg::field::f64_to_q(v) {
            Some(q) if v.is_finite() => Ok(RawNum {
                value: q,
                float: Some(v),
            }),
            _ => Err(E::custom(format!("non-finite number {v}"))),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawNum, E> {
        parse_exact(v).map(RawNum::exact).map_err(E::custom)
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawNum, E> {
        Err(E::custom(format!(
            "{EXPECTING}, found an empty value (null)"
        )))
    }
    fn visit_none<E: de::Error>(self) -> Result<RawNum, E> {
        self.visit_unit()
    }
}

/// What a number may look like, for error messages.
pub(crate) const EXPECTING: &str =
    "expected a number (an integer, an exact string \"p/q\", a decimal string such as \"0.1\", or a float)";

/// Show user text in an error message, shortened when long.
pub(crate) fn show(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head:?}… ({} characters)", text.chars().count())
    }
}

/// Parse an exact number from a string: `"p/q"`, an integer or a decimal (with optional exponent).
/// Surrounding whitespace is ignored. The error message shows the offending text.
pub fn parse_exact(text: &str) -> Result<BigRational, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("{EXPECTING}, found an empty string"));
    }
    if t.len() > MAX_NUMBER_CHARS {
        return Err(format!(
            "number too long: {} has {} characters, at most {MAX_NUMBER_CHARS} are accepted \
             (write large values with an exponent, e.g. \"1e400\")",
            show(text),
            t.len()
        ));
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t).to_ascii_lowercase();
    if matches!(
        unsigned.as_str(),
        "nan" | ".nan" | "inf" | ".inf" | "infinity" | ".infinity"
    ) {
        return Err(format!("non-finite number {}", show(text)));
    }
    if let Some((p, q)) = t.split_once('/') {
        let (p, q) = (p.trim(), q.trim());
        let numer = parse_int(p, true).ok_or_else(|| not_a_number(text))?;
        let denom = parse_int(q, false).ok_or_else(|| not_a_number(text))?;
        if denom.is_zero() {
            return Err(format!("zero denominator in {}", show(text)));
        }
        return Ok(BigRational::new(numer, denom));
    }
    parse_decimal(t).and_then(|r| r.ok_or_else(|| not_a_number(text)))
}

fn not_a_number(text: &str) -> String {
    format!("{EXPECTING}, found {}", show(text))
}

/// An optionally signed (when `signed`) string of ASCII digits.
fn parse_int(s: &str, signed: bool) -> Option<BigInt> {
    let (neg, digits) = split_sign(s, signed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: BigInt = digits.parse().ok()?;
    Some(if neg { -n } else { n })
}

fn split_sign(s: &str, signed: bool) -> (bool, &str) {
    if !signed {
        return (false, s);
    }
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else {
        (false, s.strip_prefix('+').unwrap_or(s))
    }
}

/// `[sign] digits [. digits] [(e|E) [sign] digits]` with at least one mantissa digit.
/// `Ok(None)` when the text is not of that form; `Err` when the exponent is out of range.
fn parse_decimal(s: &str) -> Result<Option<BigRational>, String> {
    let (neg, rest) = split_sign(s, true);
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + frac.len() == 0 || !all_digits(whole) || !all_digits(frac) {
        return Ok(None);
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let (eneg, edigits) = split_sign(e, true);
            if edigits.is_empty() || !all_digits(edigits) {
                return Ok(None);
            }
            let trimmed = edigits.trim_start_matches('0');
            let magnitude: u32 = if trimmed.is_empty() {
                0
            } else if trimmed.len() > 6 {
                u32::MAX
            } else {
                trimmed.parse().unwrap_or(u32::MAX)
            };
            if magnitude > MAX_DECIMAL_EXPONENT {
                return Err(format!(
                    "exponent out of range in {} (at most {MAX_DECIMAL_EXPONENT} in magnitude)",
                    show(s)
                ));
            }
            if eneg {
                -i64::from(magnitude)
            } else {
                i64::from(magnitude)
            }
        }
    };
    let digits = format!("{whole}{frac}");
    let mut numer: BigInt = match digits.parse() {
        Ok(n) => n,
        Err(_) => return Ok(None),
    };
    if neg {
        numer = -numer;
    }
    // value = digits · 10^(exp − |frac|)
    let shift = exp - frac.len() as i64;
    let ten_pow = |k: u64| -> Option<BigInt> {
        let k = u32::try_from(k).ok()?;
        Some(num_traits::pow::pow(BigInt::from(10u32), k as usize))
    };
    let value = if shift >= 0 {
        let Some(p) = ten_pow(shift as u64) else {
            return Ok(None);
        };
        BigRational::from_integer(numer * p)
    } else {
        let Some(p) = ten_pow(shift.unsigned_abs()) else {
            return Ok(None);
        };
        BigRational::new(numer, p)
    };
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::enumerate::minimizers::tests::q;

    fn yaml(src: &str) -> Result<RawNum, String> {
        serde_yaml::from_str::<RawNum>(src).map_err(|e| e.to_string())
    }

    #[test]
    fn integers_of_any_size_are_exact() {
        assert_eq!(yaml("7").unwrap(), RawNum::exact(q(7, 1)));
        assert_eq!(yaml("-12").unwrap(), RawNum::exact(q(-12, 1)));
        let big = yaml("170141183460469231731687303715884105727").unwrap();
        assert_eq!(big.float, None);
        assert_eq!(
            big.value.numer().to_string(),
            "170141183460469231731687303715884105727"
        );
        let neg = yaml("-170141183460469231731687303715884105728").unwrap();
        assert_eq!(neg.float, None);
    }

    #[test]
    fn too_large_unquoted_integers_arrive_as_flagged_floats() {
        let n = yaml("1000000000000000000000000000000000000000000").unwrap();
        assert!(n.float.is_some());
    }

    #[test]
    fn fraction_strings() {
        assert_eq!(yaml("\"1/3\"").unwrap().value, q(1, 3));
        assert_eq!(yaml("\" -2/4 \"").unwrap().value, q(-1, 2));
        assert_eq!(yaml("\"+5/10\"").unwrap().value, q(1, 2));
        assert_eq!(parse_exact(" 3 / 6 ").unwrap(), q(1, 2));
        let e = parse_exact("1/0").unwrap_err();
        assert!(e.contains("zero denominator in \"1/0\""), "{e}");
        assert!(parse_exact("1/-2").is_err());
        assert!(parse_exact("1/2/3").is_err());
        assert!(parse_exact("0.5/2").is_err());
    }

    #[test]
    fn decimal_strings_are_exact() {
        assert_eq!(parse_exact("0.1").unwrap(), q(1, 10));
        assert_eq!(parse_exact("-1.25").unwrap(), q(-5, 4));
        assert_eq!(parse_exact("3e-2").unwrap(), q(3, 100));
        assert_eq!(parse_exact("1.5E+3").unwrap(), q(1500, 1));
        assert_eq!(parse_exact(".5").unwrap(), q(1, 2));
        assert_eq!(parse_exact("5.").unwrap(), q(5, 1));
        assert_eq!(parse_exact("007").unwrap(), q(7, 1));
        assert_eq!(parse_exact("  42 ").unwrap(), q(42, 1));
        assert_eq!(yaml("\"0.1\"").unwrap(), RawNum::exact(q(1, 10)));
        assert!(parse_exact("1e99999999999")
            .unwrap_err()
            .contains("exponent out of range"));
        assert_eq!(parse_exact("1e-3").unwrap(), q(1, 1000));
        for bad in [".", "e5", "1e", "1.2.3", "--1", "1,5", "0x10", "abc", "1 2"] {
            let e = parse_exact(bad).unwrap_err();
            assert!(e.contains("expected a number"), "{bad}: {e}");
            assert!(e.contains(&format!("{bad:?}")), "{bad}: {e}");
        }
    }

    #[test]
    fn yaml_floats_are_their_exact_binary_value_and_flagged() {
        let n = yaml("0.1").unwrap();
        assert_eq!(n.float, Some(0.1));
        assert_eq!(
            n.value,
            BigRational::new(3602879701896397u64.into(), 36028797018963968u64.into())
        );
        assert_ne!(n.value, q(1, 10));
        let h = yaml("0.5").unwrap();
        assert_eq!((h.value, h.float), (q(1, 2), Some(0.5)));
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        for src in [
            ".nan",
            ".inf",
            "-.inf",
            "\"nan\"",
            "\"inf\"",
            "\"-Infinity\"",
            "nan",
            "inf",
        ] {
            let e = yaml(src).unwrap_err();
            assert!(e.contains("non-finite number"), "{src}: {e}");
        }
    }

    #[test]
    fn other_values_are_rejected_with_their_text() {
        let e = yaml("hello").unwrap_err();
        assert!(e.contains("found \"hello\""), "{e}");
        let e = yaml("true").unwrap_err();
        assert!(e.contains("boolean `true`"), "{e}");
        let e = yaml("~").unwrap_err();
        assert!(e.contains("null"), "{e}");
        let e = yaml("[1, 2]").unwrap_err();
        assert!(e.contains("sequence"), "{e}");
        let long = "x".repeat(200);
        let e = parse_exact(&long).unwrap_err();
        assert!(e.contains("(200 characters)"), "{e}");
    }
}
