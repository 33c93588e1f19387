//! Readable numbers: the one place that turns the values a person reads (report.md, the terminal,
//! report.html and the reasons of checks) into text. report.json keeps the full values.
//!
//! Three kinds of value, three honest renderings:
//! - an **exact rational** q prints exactly when that is short (`12`, `1.875`, `91/9`), otherwise
//!   as the correctly rounded decimal of 17 significant digits marked `(rounded)`: the printed d
//!   satisfies |d − q| ≤ ½·10^(e−16), e = ⌊log₁₀|q|⌋;
//! - a **value with an error radius** v ± r (MPFR or f64 with its a priori bound) prints as
//!   `3.00000000000 ± 2·10⁻¹¹`: v rounded to the decimal place of r's leading digit (at most 17
//!   significant digits), and a one-digit radius rounded up that covers r plus the rounding of v,
//!   so the printed interval contains every point of [v − r, v + r];
//! - a **proven enclosure** [lo, hi] prints with the fewest significant digits (at most 17) whose
//!   directed roundings ⌊lo⌋ ≤ lo and ⌈hi⌉ ≥ hi keep the printed interval within twice the width of
//!   the true one: the printed interval always contains [lo, hi].
//!
//! All arithmetic is exact (GMP rationals); only the final digits are text.

use crate::claims::evidence::{Number, Readings, Values};
use rug::{Float, Integer, Rational};
use serde_json::Value;

/// Longest exact value ("p/q" or an integer) printed whole.
pub const WHOLE: usize = 20;
/// Most significant digits of a printed decimal (the f64 round-trip length).
pub const MAX_DIGITS: i64 = 17;
/// A terminating decimal of at most this many significant digits prints as a decimal, not p/q.
const SHORT_DECIMAL: i64 = 8;

/// How a value is rounded to a multiple of a power of ten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    /// toward −∞ (lower ends of enclosures)
    Down,
    /// toward +∞ (upper ends of enclosures, radii)
    Up,
    /// to the nearest, ties away from zero
    Nearest,
    /// toward zero (leading digits, marked "…")
    TowardZero,
}

/// 10^e exactly.
fn pow10(e: i64) -> Rational {
    let p = Integer::from(Integer::u_pow_u(10, e.unsigned_abs() as u32));
    if e >= 0 {
        Rational::from(p)
    } else {
        Rational::from((Integer::from(1), p))
    }
}

/// ⌊log₁₀ |q|⌋ for q ≠ 0: estimated from the digit counts, then corrected by exact comparison.
fn exponent(q: &Rational) -> i64 {
    let a = Rational::from(q.abs_ref());
    let len = |n: &Integer| n.to_string_radix(10).len() as i64;
    let mut e = len(a.numer()) - len(a.denom());
    while a < pow10(e) {
        e -= 1;
    }
    while a >= pow10(e + 1) {
        e += 1;
    }
    e
}

/// q rounded to an integer multiple m·10^pos; returns m.
fn round_at(q: &Rational, pos: i64, dir: Dir) -> Integer {
    let scaled: Rational = q * pow10(-pos);
    let r = match dir {
        Dir::Down => scaled.floor(),
        Dir::Up => scaled.ceil(),
        Dir::Nearest => scaled.round(),
        Dir::TowardZero => scaled.trunc(),
    };
    r.numer().clone()
}

/// m·10^pos written out: plain notation when the leading digit's exponent is in −5..17, else
/// `d.ddde±x`. Trailing zeros of m are kept (they state the precision) unless `trim`.
fn render(m: &Integer, pos: i64, trim: bool) -> String {
    if *m == 0 {
        return "0".into();
    }
    let sign = if *m < 0 { "-" } else { "" };
    let mut digits = Integer::from(m.abs_ref()).to_string_radix(10);
    let mut pos = pos;
    if trim {
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
            pos += 1;
        }
    }
    let lead = pos + digits.len() as i64 - 1;
    if !(-5..17).contains(&lead) {
        let (head, tail) = digits.split_at(1);
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        return format!("{sign}{head}{tail}e{lead}");
    }
    if pos >= 0 {
        return format!("{sign}{digits}{}", "0".repeat(pos as usize));
    }
    let frac = (-pos) as usize;
    if digits.len() > frac {
        let (int, f) = digits.split_at(digits.len() - frac);
        format!("{sign}{int}.{f}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(frac - digits.len()))
    }
}

/// q with at most `sig` significant digits rounded as asked, trailing zeros dropped.
fn significant(q: &Rational, sig: i64, dir: Dir) -> String {
    if *q == 0 {
        return "0".into();
    }
    let pos = exponent(q) - (sig - 1);
    render(&round_at(q, pos, dir), pos, true)
}

/// The leading `sig` significant digits of q, cut toward zero, with "…" (before any exponent)
/// when more digits follow: `0.31250000000000000…`, `3.3333…e21`.
pub fn truncated(q: &Rational, sig: i64) -> String {
    if *q == 0 {
        return "0".into();
    }
    let pos = exponent(q) - (sig - 1);
    let m = round_at(q, pos, Dir::TowardZero);
    let exact = Rational::from(&m) * pow10(pos) == *q;
    // the zeros before a cut are digits of the value; after the last digit of an exact value not
    let s = render(&m, pos, exact);
    if exact {
        return s;
    }
    match s.find('e') {
        Some(i) => format!("{}…{}", &s[..i], &s[i..]),
        None => s + "…",
    }
}

/// An exact rational as text, and whether the text is rounded: the exact decimal when it
/// terminates within a few digits (`12`, `1.875`, `1e320`), else `p/q` when at most [`WHOLE`]
/// characters, else the nearest decimal of [`MAX_DIGITS`] significant digits (rounded).
pub fn exact_parts(q: &Rational) -> (String, bool) {
    if *q == 0 {
        return ("0".into(), false);
    }
    let short = significant(q, SHORT_DECIMAL, Dir::Nearest);
    if crate::claims::evidence::parse_rational(&short).as_ref() == Some(q) {
        return (short, false);
    }
    let whole = q.to_string();
    if whole.len() <= WHOLE {
        return (whole, false);
    }
    let d = significant(q, MAX_DIGITS, Dir::Nearest);
    let rounded = crate::claims::evidence::parse_rational(&d).as_ref() != Some(q);
    (d, rounded)
}

/// An exact rational for reasons and tables: [`exact_parts`], with ` (rounded)` after a rounded
/// decimal.
pub fn exact(q: &Rational) -> String {
    match exact_parts(q) {
        (s, false) => s,
        (s, true) => format!("{s} (rounded)"),
    }
}

/// A proven enclosure [lo, hi] (lo ≤ hi): the exact value when lo = hi, both ends whole when both
/// are short, else the fewest significant digits (≤ [`MAX_DIGITS`]) with lo rounded down and hi
/// rounded up whose printed width is at most twice hi − lo. The printed interval contains [lo, hi].
pub fn enclosure(lo: &Rational, hi: &Rational) -> String {
    if lo == hi {
        return exact(lo);
    }
    if let ((l, false), (h, false)) = (exact_parts(lo), exact_parts(hi)) {
        return format!("[{l}, {h}]");
    }
    let width = Rational::from(hi - lo);
    let ends = |sig: i64| {
        let at = |q: &Rational, dir| {
            if *q == 0 {
                (Integer::new(), 0)
            } else {
                let pos = exponent(q) - (sig - 1);
                (round_at(q, pos, dir), pos)
            }
        };
        (at(lo, Dir::Down), at(hi, Dir::Up))
    };
    let value = |(m, pos): &(Integer, i64)| Rational::from(m) * pow10(*pos);
    let mut sig = 1;
    let (l, h) = loop {
        let (l, h) = ends(sig);
        let shown: Rational = value(&h) - value(&l);
        if sig >= MAX_DIGITS || shown <= Rational::from(&width * 2u32) {
            break (l, h);
        }
        sig += 1;
    };
    format!("[{}, {}]", render(&l.0, l.1, true), render(&h.0, h.1, true))
}

/// `d·10ᵉ` with superscript digits (`2·10⁻¹¹`); `d` alone when e = 0.
fn power_text(d: &Integer, e: i64) -> String {
    if e == 0 {
        return d.to_string();
    }
    format!("{d}·10{}", superscript(e))
}

/// The integer `e` in superscript digits (`-11` → `⁻¹¹`).
pub fn superscript(e: i64) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// v ± r (r ≥ 0; r = 0 prints v exactly): v rounded to nearest at the decimal place p of r's
/// leading digit (p raised so that at most [`MAX_DIGITS`] significant digits show), and the radius
/// R = ⌈r + |v′ − v|⌉ to one significant digit, so [v′ − R, v′ + R] ⊇ [v − r, v + r].
pub fn with_radius(v: &Rational, r: &Rational) -> String {
    if *r <= 0 {
        return exact(v);
    }
    let mut pos = exponent(r);
    if *v != 0 {
        pos = pos.max(exponent(v) - (MAX_DIGITS - 1));
    }
    let m = round_at(v, pos, Dir::Nearest);
    let shown = Rational::from(&m) * pow10(pos);
    let total: Rational = r + Rational::from(&shown - v).abs();
    let e = exponent(&total);
    let mut d = round_at(&total, e, Dir::Up);
    let mut e = e;
    if d == 10 {
        d = Integer::from(1);
        e += 1;
    }
    format!("{} ± {}", render(&m, pos, false), power_text(&d, e))
}

/// An MPFR value with its a priori error bound, by [`with_radius`]; a non-finite value or bound
/// prints as MPFR writes it, with no bound.
pub fn mpfr(x: &Float, radius: &Float) -> String {
    match (x.to_rational(), radius.to_rational()) {
        (Some(v), Some(r)) => with_radius(&v, &r),
        _ => x.to_string(),
    }
}

/// An MPFR value without a bound: its binary value by [`exact`] (17 significant digits, marked
/// when rounded); a non-finite value as MPFR writes it.
pub fn mpfr_value(x: &Float) -> String {
    match x.to_rational() {
        Some(q) => exact(&q),
        None => x.to_string(),
    }
}

/// An f64 value with an error bound when it has a finite positive one ([`with_radius`]), else
/// [`shortest`].
pub fn float(x: f64, radius: Option<f64>) -> String {
    if let (Some(v), Some(r)) = (
        Rational::from_f64(x),
        radius.and_then(|t| Rational::from_f64(t).filter(|t| *t > 0)),
    ) {
        return with_radius(&v, &r);
    }
    shortest(x)
}

/// The shortest text that reads back as the same f64 (Rust's round-trip digits), in exponent form
/// when very large or small. It names the binary value, which is itself a rounding.
pub fn shortest(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || (1e-4..1e16).contains(&a) || !x.is_finite() {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// The heading of a check's point table: "N point(s)", with ", the case's point first" when one
/// row is the case's own point (the writers list that row first).
pub fn points_heading(rows: &[crate::claims::evidence::PointRow]) -> String {
    format!(
        "{} point{}{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if rows.iter().any(|r| r.case_point) {
            ", the case's point first"
        } else {
            ""
        }
    )
}

/// A point's figures (a [`crate::claims::evidence::PointRow`]'s) as short texts, `name = value`:
/// each quantity's best reading ([`Shown::named`], unless the same name also holds its exact
/// text), the classes compared, then the single numbers ([`Values::numbers`]: exact fractions
/// through [`exact`], whole numbers and decimals as the report writes them), the precision used
/// and every other value
/// (exact "p/q" texts through [`exact`], f64 numbers through [`shortest`], lists in brackets), in
/// the order of their keys.
pub fn figures(v: &Values) -> Vec<String> {
    fn text(v: &Value) -> String {
        match v {
            Value::String(s) if s.contains('/') => {
                match crate::claims::evidence::parse_rational(s) {
                    Some(q) => exact(&q),
                    None => s.clone(),
                }
            }
            Value::String(s) => s.clone(),
            Value::Number(n) if n.is_f64() => n.as_f64().map_or_else(|| n.to_string(), shortest),
            Value::Array(a) => {
                format!("[{}]", a.iter().map(text).collect::<Vec<_>>().join(", "))
            }
            other => other.to_string(),
        }
    }
    let mut out: Vec<String> = v
        .estimates
        .iter()
        .filter(|(name, _)| {
            !v.extra.contains_key(name.as_str())
                && !v.numbers().iter().any(|(k, x)| k == name && x.is_some())
        })
        .filter_map(|(name, r)| Shown::of(r).map(|s| s.named(name)))
        .collect();
    if let Some(c) = &v.classes {
        out.push(format!(
            "class by criterion {}, by certificate {}",
            c.criterion, c.certificate
        ));
    }
    let number = |x: &Number| match x {
        Number::Exact(q) if *q.denom() != 1 => exact(q),
        x => x.text(),
    };
    let mut rest: Vec<(&str, String)> = v
        .numbers()
        .into_iter()
        .filter_map(|(k, x)| Some((k, number(x?))))
        .chain(
            v.precision_bits_used
                .map(|p| ("precision_bits_used", p.to_string())),
        )
        .chain(
            v.extra
                .iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.as_str(), text(x))),
        )
        .collect();
    rest.sort_by(|a, b| a.0.cmp(b.0));
    out.extend(rest.into_iter().map(|(k, x)| format!("{k} = {x}")));
    out
}

/// What kind of value a quantity's best reading is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The exact value, printed whole.
    Exact,
    /// The exact value, printed as a correctly rounded decimal.
    Rounded,
    /// A proven enclosure [lo, hi].
    Enclosure,
    /// An MPFR value with its a priori error bound.
    Mpfr,
    /// An f64 value with its a priori error bound.
    F64,
}

/// The best reading of a quantity as text: the exact value or proven enclosure, else the MPFR
/// value with its error bound, else the f64 value with its error bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// What the text is.
    pub kind: Kind,
    /// The number (an interval `[a, b]` for an enclosure).
    pub text: String,
}

impl Shown {
    /// The best reading of `r`; `None` when it has no finite value at all.
    pub fn of(r: &Readings) -> Option<Shown> {
        if let Some(e) = &r.enclosure {
            if e.lo == e.hi {
                let (text, rounded) = exact_parts(&e.lo);
                let kind = if rounded { Kind::Rounded } else { Kind::Exact };
                return Some(Shown { kind, text });
            }
            let text = enclosure(&e.lo, &e.hi);
            return Some(Shown {
                kind: Kind::Enclosure,
                text,
            });
        }
        // a non-finite tolerance is null in the JSON: no bound shown
        let radius = |t: Option<f64>| t.filter(|t| t.is_finite());
        if let Some(q) = r.mpfr.as_ref().and_then(|d| d.value.as_ref()) {
            let text = match radius(r.mpfr_tolerance).and_then(Rational::from_f64) {
                Some(t) if t > 0 => with_radius(q, &t),
                _ => significant(q, MAX_DIGITS, Dir::Nearest),
            };
            return Some(Shown {
                kind: Kind::Mpfr,
                text,
            });
        }
        r.f64.is_finite().then(|| Shown {
            kind: Kind::F64,
            text: float(r.f64, radius(r.f64_tolerance)),
        })
    }

    /// `name = value` or `name ∈ [a, b]`, with `(rounded)` after a rounded exact value: the form
    /// of the reasons.
    pub fn named(&self, name: &str) -> String {
        match self.kind {
            Kind::Enclosure => format!("{name} ∈ {}", self.text),
            Kind::Rounded => format!("{name} = {} (rounded)", self.text),
            _ => format!("{name} = {}", self.text),
        }
    }

    /// The value with what it is: `91/9 (exact)`, `… (rounded; exact in report.json)`,
    /// `∈ [a, b] (proven enclosure)`, `… (MPFR)`, `… (f64)`: the form of the terminal's figures.
    pub fn labelled(&self) -> String {
        match self.kind {
            Kind::Exact => format!("{} (exact)", self.text),
            Kind::Rounded => format!("{} (rounded; exact in report.json)", self.text),
            Kind::Enclosure => format!("∈ {} (proven enclosure)", self.text),
            Kind::Mpfr => format!("{} (MPFR)", self.text),
            Kind::F64 => format!("{} (f64)", self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::evidence::parse_rational;

    fn q(s: &str) -> Rational {
        parse_rational(s).unwrap()
    }

    /// The place value 10^p of the last digit of a printed decimal (read from the text, not from
    /// the code under test).
    fn last_place(s: &str) -> Rational {
        let (mant, e) = match s.split_once('e') {
            Some((m, e)) => (m, e.parse::<i64>().unwrap()),
            None => (s, 0),
        };
        let frac = mant.split_once('.').map_or(0, |(_, f)| f.len() as i64);
        pow10(e - frac)
    }

    /// Significant digits of a printed decimal.
    fn sig_digits(s: &str) -> usize {
        let mant = s.split('e').next().unwrap();
        let d: String = mant.chars().filter(char::is_ascii_digit).collect();
        d.trim_start_matches('0').len()
    }

    /// Independent oracle: the printed decimal, read back, is within half a unit of its last
    /// place of the value.
    fn assert_nearest(value: &Rational, printed: &str) {
        let back = q(printed);
        let err = Rational::from(&back - value).abs();
        assert!(
            err * 2u32 <= last_place(printed),
            "{printed} is not a correct rounding of {value}"
        );
    }

    #[test]
    fn short_exact_values_print_whole() {
        assert_eq!(exact(&q("12")), "12");
        assert_eq!(exact(&q("-15/8")), "-1.875");
        assert_eq!(exact(&q("91/9")), "91/9");
        assert_eq!(exact(&q("3/2")), "1.5");
        assert_eq!(exact(&q("0")), "0");
        assert_eq!(exact(&q("-1/3")), "-1/3");
        // 10^320 and 10^-320 are exact one-digit decimals
        assert_eq!(exact(&pow10(320)), "1e320");
        assert_eq!(exact(&pow10(-320)), "1e-320");
        // a 20-digit integer is whole; a 21-digit one is rounded
        assert_eq!(exact(&q("12345678901234567891")), "12345678901234567891");
        assert_eq!(
            exact(&q("123456789012345678912")),
            "1.2345678901234568e20 (rounded)"
        );
    }

    #[test]
    fn long_exact_values_are_correctly_rounded() {
        let cases = [
            // the λ_max of adversarial cases: (10^640 + 1)/10^320
            (pow10(640) + 1u32) / pow10(320),
            Rational::from((Integer::from(2), Integer::from(3))) * pow10(-320),
            Rational::from((Integer::from(-7), Integer::from(3))) * pow10(320),
            q("407592322733512357/18014398509481984"),
            // 0.99999999999999999999…: rounds up to 1 across a decade
            Rational::from(1u32) - pow10(-30) / 7u32,
            // a repeating fraction
            q("1/7"),
            q("22/7") * q("100000000000000000001/100000000000000000000"),
        ];
        for v in &cases {
            let (s, rounded) = exact_parts(v);
            assert!(rounded || s.contains('/'), "{s}");
            if s.contains('/') {
                assert_eq!(q(&s), *v);
                continue;
            }
            assert!(sig_digits(&s) <= MAX_DIGITS as usize, "{s}");
            assert_nearest(v, &s);
            assert!(exact(v).ends_with(" (rounded)"));
        }
        assert_eq!(
            exact(&(Rational::from(1u32) - pow10(-30) / 7u32)),
            "1 (rounded)"
        );
        assert_eq!(
            exact(&q("407592322733512357/18014398509481984")),
            "22.625919067959652 (rounded)"
        );
    }

    /// Parse "[a, b]" into its two ends.
    fn ends(s: &str) -> (Rational, Rational) {
        let inner = s.strip_prefix('[').unwrap().strip_suffix(']').unwrap();
        let (a, b) = inner.split_once(", ").unwrap();
        (q(a), q(b))
    }

    #[test]
    fn enclosures_round_outward() {
        let cases = [
            (
                q("119219901622637215/18014398509481984"),
                q("238439803245274483/36028797018963968"),
            ),
            (pow10(320) * q("2/3"), pow10(320) * q("5/7")),
            (-pow10(-320) * q("5/7"), pow10(-320) * q("2/3")),
            (-pow10(-320) * q("5/7"), -pow10(-320) * q("2/3")),
            (q("-7/3"), q("-7/3") + pow10(-40)),
            (q("0"), q("1/3") * pow10(-20)),
        ];
        for (lo, hi) in &cases {
            let s = enclosure(lo, hi);
            let (l, h) = ends(&s);
            assert!(l <= *lo && h >= *hi, "{s} does not contain [{lo}, {hi}]");
            let a = s.split(", ").next().unwrap().trim_start_matches('[');
            assert!(sig_digits(a) <= MAX_DIGITS as usize, "{s}");
            let width = Rational::from(hi - lo);
            let shown = Rational::from(&h - &l);
            // at most twice as wide, unless 17 digits are used
            assert!(
                shown <= width * 2u32 || sig_digits(a) == MAX_DIGITS as usize,
                "{s}"
            );
        }
        assert_eq!(
            enclosure(
                &q("119219901622637215/18014398509481984"),
                &q("238439803245274483/36028797018963968")
            ),
            "[6.6180339887498948, 6.6180339887498964]"
        );
        assert_eq!(enclosure(&q("1/3"), &q("1/2")), "[1/3, 0.5]");
        assert_eq!(enclosure(&q("91/9"), &q("91/9")), "91/9");
    }

    /// Parse "v ± d·10ᵉ" into v and the radius.
    fn plus_minus(s: &str) -> (Rational, Rational) {
        let (v, r) = s.split_once(" ± ").unwrap();
        let r = match r.split_once("·10") {
            None => q(r),
            Some((d, e)) => {
                let e: String = e
                    .chars()
                    .map(|c| match c {
                        '⁻' => '-',
                        c => char::from_digit(
                            "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|x| x == c).unwrap() as u32,
                            10,
                        )
                        .unwrap(),
                    })
                    .collect();
                q(d) * pow10(e.parse().unwrap())
            }
        };
        (q(v), r)
    }

    #[test]
    fn values_with_a_radius_cover_the_radius_and_the_rounding() {
        let cases = [
            (q("3"), q("15/1000000000000")),
            (
                q("26180339887498948482045868343656381177203091798057628621354486227052604628189")
                    * pow10(-76),
                q("3.862211990867463e-77"),
            ),
            (-q("2/3") * pow10(320), pow10(300)),
            (q("2/3") * pow10(-320), pow10(-330) * 7u32),
            (q("1/7"), q("0.0004")),
            (q("0"), q("1e-5")),
            (q("99999/1000"), q("0.95")),
        ];
        for (v, r) in &cases {
            let s = with_radius(v, r);
            let (shown, radius) = plus_minus(&s);
            let lo = Rational::from(v - r);
            let hi = Rational::from(v + r);
            assert!(
                Rational::from(&shown - &radius) <= lo && Rational::from(&shown + &radius) >= hi,
                "{s} does not cover {v} ± {r}"
            );
            assert!(
                sig_digits(s.split(' ').next().unwrap()) <= MAX_DIGITS as usize,
                "{s}"
            );
            // the radius is not inflated beyond the rounding of the value: ≤ 10·r + last place
            let place = last_place(s.split(' ').next().unwrap());
            assert!(radius <= Rational::from(r * 10u32) + place, "{s}");
        }
        assert_eq!(
            with_radius(&q("3"), &q("15/1000000000000")),
            "3.00000000000 ± 2·10⁻¹¹"
        );
        assert_eq!(
            with_radius(&cases[1].0, &cases[1].1),
            "2.6180339887498948 ± 5·10⁻¹⁷"
        );
        assert_eq!(with_radius(&q("91/9"), &q("0")), "91/9");
    }

    #[test]
    fn truncation_marks_the_cut() {
        let long =
            "3.1250000000000000000000000000000000000000000000000000000000000000000000000002e-1";
        assert_eq!(truncated(&q(long), 17), "0.31250000000000000…");
        assert_eq!(truncated(&q("5/16"), 17), "0.3125");
        assert_eq!(truncated(&q("-91/9"), 5), "-10.111…");
        assert_eq!(truncated(&q("10000000000000000000000/3"), 3), "3.33…e21");
        for v in [q("2/3") * pow10(-320), q("-22/7") * pow10(320)] {
            let s = truncated(&v, 17);
            let back = q(&s.replace('…', ""));
            // cut toward zero: |back| ≤ |v| < |back| + one unit of the last place
            let place = last_place(&s.replace('…', ""));
            assert!(back.clone().abs() <= v.clone().abs(), "{s}");
            assert!(v.clone().abs() < back.abs() + place, "{s}");
        }
    }

    #[test]
    fn floats_read_back_or_carry_their_bound() {
        assert_eq!(float(0.1, None), "0.1");
        assert_eq!(float(1e-320, None), "1e-320");
        assert_eq!(float(f64::INFINITY, Some(1.0)), "inf");
        assert_eq!(float(-2.5, Some(0.0)), "-2.5");
        let (v, r) = plus_minus(&float(6.618033988749897, Some(5e-13)));
        let x = Rational::from_f64(6.618033988749897).unwrap();
        let t = Rational::from_f64(5e-13).unwrap();
        assert!(Rational::from(&v - &r) <= Rational::from(&x - &t));
        assert!(Rational::from(&v + &r) >= Rational::from(&x + &t));
    }
}
