//! A real quantity known three ways at once: an f64 value, an MPFR value, and (where the inputs are
//! rational) an exact rational enclosure, each with its stated error bound; and the comparisons the
//! claims make between two such quantities.

use crate::linalg::algebraic::{sum_of_products, Caps, RealAlgebraic};
pub use crate::linalg::field::mpfr_decimal;
use crate::linalg::field::{float_to_q, q_to_f64, q_to_string};
use crate::linalg::Enclosure;
use crate::verdict::Strength;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rug::Float;
use std::cmp::Ordering;

/// A quantity computed in f64, MPFR and (optionally) enclosed exactly.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// The f64 value.
    pub f64: f64,
    /// A priori bound on |f64 − true value|.
    pub f64_tol: f64,
    /// The MPFR value, when computed.
    pub mpfr: Option<Float>,
    /// A priori bound on |MPFR − true value|.
    pub mpfr_tol: Option<Float>,
    /// A proven enclosure of the true value, when the inputs are exact.
    pub enclosure: Option<Enclosure>,
    /// The value as an exact real algebraic number (a square-free polynomial and an isolating
    /// interval), when it is irrational and within the caps of [`crate::linalg::algebraic`]: then
    /// equalities with other such values are decided exactly ([`Basis::Algebraic`]).
    pub algebraic: Option<RealAlgebraic>,
    /// Why a missing piece is missing, and any disagreement between the three.
    pub notes: Vec<String>,
}

/// How a comparison between two estimates was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Both values are exact rationals.
    Exact,
    /// Both values are exact real algebraic numbers, compared exactly: equal when the gcd of
    /// their polynomials has a root in the intersection of their isolating intervals (Sturm
    /// count), otherwise ordered by disjoint refined intervals.
    Algebraic,
    /// Disjoint proven enclosures (exact rational, or directed-rounding MPFR): a strict order.
    Enclosure,
    /// An equality that is not proved: the two values' enclosures overlap within the equality
    /// tolerance and their MPFR values agree within their error bounds, to `bits` bits (relative).
    /// Two different irrational numbers closer than that pass as equal, so this is numerical.
    Agreement {
        /// The relative agreement established, −log₂ of the larger relative uncertainty.
        bits: u32,
    },
    /// MPFR values with their a priori error bounds (estimates, not a proof).
    Mpfr,
    /// A seeded simulation of the dynamics (reproducible bit for bit, with the statistics it
    /// states), not a proof.
    Simulation,
}

impl Basis {
    /// Name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Exact => "exact",
            Basis::Algebraic => "exact-algebraic",
            Basis::Enclosure => "certified-enclosure",
            Basis::Agreement { .. } => "numerical-agreement",
            Basis::Mpfr => "mpfr-with-error-bound",
            Basis::Simulation => "seeded-simulation",
        }
    }
    /// Is a decision on this basis a proof (exact arithmetic or a rigorous enclosure)?
    pub fn is_certified(self) -> bool {
        self.strength() == Strength::Proved
    }
    /// The strength of a verdict resting on this basis (design.md, "Strength of a verdict").
    pub fn strength(self) -> Strength {
        match self {
            Basis::Exact | Basis::Algebraic | Basis::Enclosure => Strength::Proved,
            Basis::Agreement { .. } | Basis::Mpfr => Strength::Numerical,
            Basis::Simulation => Strength::Simulated,
        }
    }
    /// The weaker of two bases (exact < exact-algebraic < enclosure < agreement < MPFR <
    /// simulation; of two
    /// agreements, the one to fewer bits): what a conclusion drawn from both rests on.
    pub fn weaker(self, other: Basis) -> Basis {
        let rank = |x: Basis| match x {
            Basis::Exact => (0, 0),
            Basis::Algebraic => (0, 1),
            Basis::Enclosure => (1, 0),
            Basis::Agreement { bits } => (2, u32::MAX - bits),
            Basis::Mpfr => (3, 0),
            Basis::Simulation => (4, 0),
        };
        if rank(self) >= rank(other) {
            self
        } else {
            other
        }
    }
}

/// The decided order of two quantities, or the reason it could not be decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// a < b, a = b or a > b, with what decided it.
    Decided(Ordering, Basis),
    /// The numbers could not decide within their stated precision.
    Undecided(String),
}

impl Estimate {
    /// An exactly known quantity (all three representations derived from the rational).
    pub fn exact(q: &BigRational, prec: u32) -> Self {
        Estimate {
            f64: q_to_f64(q),
            f64_tol: q_to_f64(q).abs() * f64::EPSILON,
            mpfr: Some(Float::with_val(prec, &crate::linalg::field::q_to_rug(q))),
            mpfr_tol: Some(Float::with_val(
                prec,
                Float::with_val(prec, q_to_f64(q).abs()) >> prec as i32,
            )),
            enclosure: Some(Enclosure::exact(q.clone())),
            algebraic: None,
            notes: Vec::new(),
        }
    }

    /// The value as a [`RealAlgebraic`]: the attached algebraic number, or the exact rational.
    pub fn as_algebraic(&self) -> Option<RealAlgebraic> {
        self.algebraic
            .clone()
            .or_else(|| self.exact_value().map(RealAlgebraic::rational))
    }

    /// The algebraic number of `self + o` (`mul` false) or `self·o` (`mul` true), when at least
    /// one side is irrational algebraic and the other algebraic or rational; within the caps,
    /// else `None` with a note saying why.
    fn combine(&self, o: &Estimate, mul: bool, notes: &mut Vec<String>) -> Option<RealAlgebraic> {
        if self.algebraic.is_none() && o.algebraic.is_none() {
            return None;
        }
        let (a, b) = (self.as_algebraic()?, o.as_algebraic()?);
        let built = match (mul, a.as_rational(), b.as_rational()) {
            (true, Some(q), _) if !q.is_negative() => Ok(b.scale(q)),
            (true, _, Some(q)) if !q.is_negative() => Ok(a.scale(q)),
            _ => {
                let terms = if mul {
                    vec![vec![0, 1]]
                } else {
                    vec![vec![0], vec![1]]
                };
                sum_of_products(&mut [a, b], &terms, &Caps::default())
            }
        };
        built
            .map_err(|e| {
                notes.push(format!(
                    "the exact algebraic {} is not built: {e}",
                    if mul { "product" } else { "sum" }
                ))
            })
            .ok()
    }

    /// Is the value known exactly?
    pub fn exact_value(&self) -> Option<&BigRational> {
        self.enclosure
            .as_ref()
            .filter(|e| e.is_exact())
            .map(|e| e.lo())
    }

    /// Sum of two estimates (errors add; the algebraic numbers add exactly).
    pub fn add(&self, o: &Estimate) -> Estimate {
        let mut notes = [self.notes.clone(), o.notes.clone()].concat();
        Estimate {
            f64: self.f64 + o.f64,
            f64_tol: self.f64_tol + o.f64_tol + (self.f64 + o.f64).abs() * f64::EPSILON,
            mpfr: both(&self.mpfr, &o.mpfr, |a, b| Float::with_val(a.prec(), a + b)),
            mpfr_tol: both(&self.mpfr_tol, &o.mpfr_tol, |a, b| {
                Float::with_val(a.prec(), a + b) * 2u32
            }),
            enclosure: match (&self.enclosure, &o.enclosure) {
                (Some(a), Some(b)) => Some(a.add(b)),
                _ => None,
            },
            algebraic: self.combine(o, false, &mut notes),
            notes,
        }
    }

    /// Product of two nonnegative estimates (relative errors add; the algebraic numbers
    /// multiply exactly).
    pub fn mul_nonneg(&self, o: &Estimate) -> Estimate {
        let f = self.f64 * o.f64;
        let mut notes = [self.notes.clone(), o.notes.clone()].concat();
        Estimate {
            f64: f,
            f64_tol: self.f64_tol * o.f64.abs()
                + o.f64_tol * self.f64.abs()
                + self.f64_tol * o.f64_tol
                + f.abs() * f64::EPSILON,
            mpfr: both(&self.mpfr, &o.mpfr, |a, b| Float::with_val(a.prec(), a * b)),
            mpfr_tol: match (&self.mpfr, &o.mpfr, &self.mpfr_tol, &o.mpfr_tol) {
                (Some(a), Some(b), Some(ta), Some(tb)) => {
                    let p = a.prec();
                    let t = Float::with_val(p, ta * b.clone().abs())
                        + Float::with_val(p, tb * a.clone().abs());
                    Some(Float::with_val(p, t + Float::with_val(p, ta * tb)) * 2u32)
                }
                _ => None,
            },
            enclosure: match (&self.enclosure, &o.enclosure) {
                (Some(a), Some(b)) if !a.lo().is_negative() && !b.lo().is_negative() => {
                    Some(a.mul_nonneg(b))
                }
                _ => None,
            },
            algebraic: self.combine(o, true, &mut notes),
            notes,
        }
    }

    /// Product with an exact nonnegative rational.
    pub fn scale(&self, s: &BigRational, prec: u32) -> Estimate {
        self.mul_nonneg(&Estimate::exact(s, prec))
    }

    /// x^(a/b) for a nonnegative estimate x and integers a ≥ 0, b ≥ 1 (used for
    /// L·σ_1^{2(L−1)/L} = L·(σ_1²)^{(L−1)/L}, KP-min). The enclosure is proven exactly: for rational
    /// candidates y, y^b ≤ lo^a and y^b ≥ hi^a are checked in exact arithmetic (t ↦ t^(a/b) is
    /// monotone); when x is exact and the simplest candidate satisfies y^b = x^a, y is exact.
    pub fn pow_ratio(&self, a: u32, b: u32, bits: u32) -> Estimate {
        let ratio = a as f64 / b as f64;
        let f = self.f64.max(0.0).powf(ratio);
        let mpfr = self.mpfr.as_ref().map(|m| {
            let p = m.prec();
            Float::with_val(p, rug::ops::Pow::pow(m.clone().max(&Float::new(p)), a)).root(b)
        });
        let mpfr_tol = match (&self.mpfr, &self.mpfr_tol, &mpfr) {
            (Some(m), Some(t), Some(y)) if !m.is_zero() => {
                // |Δy| ≤ (a/b)·y·|Δx|/x to first order; doubled for the second order
                let p = m.prec();
                Some(
                    Float::with_val(p, Float::with_val(p, y * t) / m.clone().abs())
                        * (2.0 * ratio + 1.0),
                )
            }
            (_, Some(t), _) => Some(t.clone()),
            _ => None,
        };
        let f64_tol = if self.f64 > 0.0 {
            f * (ratio * self.f64_tol / self.f64) * 2.0 + f * f64::EPSILON
        } else {
            self.f64_tol
        };
        let enclosure = self
            .enclosure
            .as_ref()
            .and_then(|e| enclose_pow(e, a, b, bits));
        let mut notes = self.notes.clone();
        // the exact algebraic power, unless the value is rational (then the enclosure is exact)
        let algebraic = match (&enclosure, self.as_algebraic()) {
            (Some(e), _) if e.is_exact() => None,
            (_, Some(mut x)) => x
                .pow_ratio(a, b, &Caps::default())
                .map_err(|e| notes.push(format!("the exact algebraic power is not built: {e}")))
                .ok(),
            _ => None,
        };
        Estimate {
            f64: f,
            f64_tol,
            mpfr,
            mpfr_tol,
            enclosure,
            algebraic,
            notes,
        }
    }

    /// The value as a decimal string at MPFR precision (or the f64 value when MPFR is absent).
    pub fn mpfr_string(&self) -> Option<String> {
        self.mpfr.as_ref().map(mpfr_decimal)
    }

    /// The enclosure as the JSON contract's pair of exact strings.
    pub fn enclosure_strings(&self) -> Option<[String; 2]> {
        self.enclosure
            .as_ref()
            .map(|e| [q_to_string(e.lo()), q_to_string(e.hi())])
    }

    /// Is the f64 value consistent with the MPFR value and the enclosure, within the stated bounds?
    /// Returns a description of the first disagreement.
    ///
    /// A non-finite f64 value is a disagreement (the f64 path overflowed or failed), except when
    /// the proven enclosure lies wholly beyond the f64 range on the side of that infinity (both ends
    /// round to it): then ±∞ is the correctly rounded f64 value, the f64 path has nothing to
    /// cross-check, and overflow does not block the proven answer.
    pub fn disagreement(&self) -> Option<String> {
        let finite = self.f64.is_finite() && self.f64_tol.is_finite();
        let beyond_range = self.f64.is_infinite()
            && self
                .enclosure
                .as_ref()
                .is_some_and(|e| q_to_f64(e.lo()) == self.f64 && q_to_f64(e.hi()) == self.f64);
        if !finite && !beyond_range {
            return Some(format!(
                "the f64 value {:e} (tolerance {:e}) is not finite: the f64 path overflowed or failed",
                self.f64, self.f64_tol
            ));
        }
        if let Some(enc) = &self.enclosure {
            if finite {
                let tol = crate::linalg::field::f64_to_q(self.f64_tol)?;
                let v = crate::linalg::field::f64_to_q(self.f64)?;
                if v < enc.lo() - &tol || v > enc.hi() + &tol {
                    return Some(format!(
                        "f64 value {:e} lies outside the exact enclosure [{}, {}] by more than its tolerance {:e}",
                        self.f64, q_to_f64(enc.lo()), q_to_f64(enc.hi()), self.f64_tol
                    ));
                }
            }
            if let (Some(m), Some(t)) = (&self.mpfr, &self.mpfr_tol) {
                let (m, t) = (float_to_q(m)?, float_to_q(t)?);
                if m < enc.lo() - &t || m > enc.hi() + &t {
                    return Some(format!(
                        "MPFR value {} lies outside the exact enclosure [{}, {}] by more than its tolerance {}",
                        self.mpfr_string()?, q_to_string(enc.lo()), q_to_string(enc.hi()), q_to_f64(&t)
                    ));
                }
            }
        } else if let (Some(m), Some(t)) = (&self.mpfr, &self.mpfr_tol) {
            if (m.to_f64() - self.f64).abs() > self.f64_tol + t.to_f64() {
                return Some(format!(
                    "f64 value {:e} and MPFR value {} differ by more than the f64 tolerance {:e}",
                    self.f64,
                    self.mpfr_string()?,
                    self.f64_tol
                ));
            }
        }
        None
    }

    /// Compare with another estimate. A strict order is decided by disjoint proven enclosures
    /// ([`Basis::Enclosure`]) or exact values ([`Basis::Exact`]); equality is proved between
    /// exact values, and between exact real algebraic numbers ([`Basis::Algebraic`], within the
    /// caps of [`crate::linalg::algebraic`], which also orders near misses exactly). Overlapping enclosures of relative width ≤ `eq_rel` whose MPFR values agree
    /// within error bounds [`EQUALITY_MARGIN_BITS`] finer than `eq_rel` count as equal on
    /// [`Basis::Agreement`] — numerical, never proved: two different numbers closer than that
    /// agreement pass as equal, so a verdict resting on it says so. MPFR values alone decide an
    /// order on [`Basis::Mpfr`] (estimated error bounds: numerical).
    pub fn compare(&self, o: &Estimate, eq_rel: &BigRational) -> Comparison {
        let enclosures = self.enclosure.as_ref().zip(o.enclosure.as_ref());
        if let Some((a, b)) = enclosures {
            match a.certified_cmp(b) {
                Some(ord) if a.is_exact() && b.is_exact() => {
                    return Comparison::Decided(ord, Basis::Exact)
                }
                Some(ord) => return Comparison::Decided(ord, Basis::Enclosure),
                None => {}
            }
        }
        if self.algebraic.is_some() || o.algebraic.is_some() {
            if let (Some(mut a), Some(mut b)) = (self.as_algebraic(), o.as_algebraic()) {
                if let Ok(ord) = a.cmp(&mut b, &Caps::default()) {
                    return Comparison::Decided(ord, Basis::Algebraic);
                }
            }
        }
        let (Some(a), Some(b), Some(ta), Some(tb)) =
            (&self.mpfr, &o.mpfr, &self.mpfr_tol, &o.mpfr_tol)
        else {
            return Comparison::Undecided(match enclosures {
                Some((a, b)) => format!(
                    "the enclosures overlap (relative widths {:e} and {:e}) and no MPFR value on \
                     one side can tell the values apart",
                    q_to_f64(&a.relative_width()),
                    q_to_f64(&b.relative_width())
                ),
                None => "no MPFR value or enclosure on one side".into(),
            });
        };
        let p = a.prec().max(b.prec());
        let diff = Float::with_val(p, a - b);
        let abs = Float::with_val(p, diff.clone().abs());
        let bound = Float::with_val(p, ta + tb);
        if abs > bound {
            // apart by more than the (estimated) error bounds: an order, numerically
            let ord = if diff.is_sign_negative() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            return Comparison::Decided(ord, Basis::Mpfr);
        }
        let mag = Float::with_val(p, a.clone().abs()).max(&b.clone().abs());
        let fine = confirmable(&mag, eq_rel);
        let narrow = match enclosures {
            Some((a, b)) => a.relative_width() <= *eq_rel && b.relative_width() <= *eq_rel,
            None => true,
        };
        if bound <= fine && narrow {
            let enc_bits = enclosures.map_or(0, |(a, b)| {
                rational_bits(&a.relative_width()).min(rational_bits(&b.relative_width()))
            });
            let bits = enc_bits.max(self.mpfr_agreement_bits(o).unwrap_or(0));
            return Comparison::Decided(Ordering::Equal, Basis::Agreement { bits });
        }
        Comparison::Undecided(format!(
            "the MPFR values differ by {:e}, within their error bounds ({:e}), but those bounds \
             are not {EQUALITY_MARGIN_BITS} bits finer than the equality tolerance ({:e} needed) \
             or the enclosures are wider than it: neither an order nor an agreement is established \
             (raise --precision or --enclosure-bits)",
            abs.to_f64(),
            bound.to_f64(),
            fine.to_f64()
        ))
    }
}

/// Bits by which MPFR's error bounds must be finer than the equality tolerance before values not
/// identified exactly count as equal: the tolerance 2^(−enclosure bits) is what the report states,
/// the margin keeps a difference just below it (a near miss) from passing as equality.
pub const EQUALITY_MARGIN_BITS: u32 = 64;

/// `eq_rel`·|mag|·2^(−[`EQUALITY_MARGIN_BITS`]): the largest MPFR error bound that may confirm an
/// equality.
fn confirmable(mag: &Float, eq_rel: &BigRational) -> Float {
    let p = mag.prec();
    let rel = Float::with_val(
        p,
        mag * Float::with_val(p, &crate::linalg::field::q_to_rug(eq_rel)),
    );
    rel >> EQUALITY_MARGIN_BITS
}

/// ⌊−log₂ r⌋ for a relative width r > 0 (a lower bound, from the bit lengths of numerator and
/// denominator); `u32::MAX` for r = 0.
fn rational_bits(r: &BigRational) -> u32 {
    if r.is_zero() {
        return u32::MAX;
    }
    let (n, d) = (r.numer().bits(), r.denom().bits());
    // r < 2^n / 2^(d−1), so −log₂ r > d − 1 − n
    u32::try_from(d.saturating_sub(n + 1)).unwrap_or(u32::MAX)
}

impl Estimate {
    /// The relative agreement of the two MPFR values established by their error bounds,
    /// −log₂((|a − b| + t_a + t_b)/max(|a|, |b|)) rounded down, from the binary exponents (no
    /// underflow at any magnitude); `None` when a value or bound is missing or the values are 0.
    fn mpfr_agreement_bits(&self, o: &Estimate) -> Option<u32> {
        let (a, b, ta, tb) = (
            self.mpfr.as_ref()?,
            o.mpfr.as_ref()?,
            self.mpfr_tol.as_ref()?,
            o.mpfr_tol.as_ref()?,
        );
        let p = a.prec().max(b.prec());
        let spread = Float::with_val(p, a - b).abs() + ta + tb;
        let mag = Float::with_val(p, a.clone().abs()).max(&b.clone().abs());
        let (Some(em), Some(es)) = (mag.get_exp(), spread.get_exp()) else {
            return spread.is_zero().then_some(p);
        };
        // mag ≥ 2^(em−1) and spread < 2^es, so spread/mag < 2^(es−em+1)
        u32::try_from(i64::from(em) - i64::from(es) - 1).ok()
    }
}

/// Exact enclosure of t^(a/b) over an enclosure [lo, hi] ⊂ [0, ∞).
fn enclose_pow(e: &Enclosure, a: u32, b: u32, bits: u32) -> Option<Enclosure> {
    if e.lo().is_negative() {
        return None;
    }
    let prec = bits + 64;
    let approx = |q: &BigRational| -> Float {
        let x = Float::with_val(prec, &crate::linalg::field::q_to_rug(q));
        Float::with_val(prec, rug::ops::Pow::pow(x, a)).root(b)
    };
    let pow = |q: &BigRational, k: u32| -> BigRational { num_traits::pow(q.clone(), k as usize) };
    let one = BigRational::one();
    let mut shrink = pow2_neg(bits + 4);
    for _ in 0..6 {
        let lo_y = float_to_q(&approx(e.lo()))? * (&one - &shrink);
        let hi_y = float_to_q(&approx(e.hi()))? * (&one + &shrink);
        let lo_y = if lo_y.is_negative() {
            BigRational::from_integer(0.into())
        } else {
            lo_y
        };
        if pow(&lo_y, b) <= pow(e.lo(), a) && pow(&hi_y, b) >= pow(e.hi(), a) {
            if e.is_exact() {
                let y = crate::linalg::enclosure::simplest_in(&lo_y, &hi_y);
                if pow(&y, b) == pow(e.lo(), a) {
                    return Some(Enclosure::exact(y));
                }
            }
            return Enclosure::new(lo_y, hi_y);
        }
        shrink *= BigRational::from_integer(256.into());
    }
    None
}

fn both(
    a: &Option<Float>,
    b: &Option<Float>,
    op: impl Fn(&Float, &Float) -> Float,
) -> Option<Float> {
    match (a, b) {
        (Some(a), Some(b)) => Some(op(a, b)),
        _ => None,
    }
}

/// 2^(−bits) as a rational: the default relative tolerance of an equality between enclosures.
pub fn pow2_neg(bits: u32) -> BigRational {
    BigRational::new(One::one(), num_bigint::BigInt::one() << bits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::enumerate::minimizers::tests::q;

    #[test]
    fn exact_estimates_compare_exactly() {
        let a = Estimate::exact(&q(91, 9), 128);
        let b = Estimate::exact(&q(91, 9), 128);
        let tol = pow2_neg(50);
        assert_eq!(
            a.compare(&b, &tol),
            Comparison::Decided(Ordering::Equal, Basis::Exact)
        );
        let c = a.add(&Estimate::exact(&q(1, 1 << 60), 128));
        assert_eq!(
            a.compare(&c, &tol),
            Comparison::Decided(Ordering::Less, Basis::Exact)
        );
        let prod = a.mul_nonneg(&Estimate::exact(&q(9, 1), 128));
        assert_eq!(prod.exact_value(), Some(&q(91, 1)));
        assert!(prod.disagreement().is_none());
        assert_eq!(
            mpfr_decimal(&Float::with_val(64, 0.5)),
            "5.000000000000000000e-1"
        );
    }

    #[test]
    fn powers_are_enclosed_exactly() {
        // 3·(64)^(2/3) = 48 exactly; 2^(1/2) enclosed
        let x = Estimate::exact(&q(64, 1), 128).pow_ratio(2, 3, 50);
        assert_eq!(x.exact_value(), Some(&q(16, 1)));
        let r = Estimate::exact(&q(2, 1), 128).pow_ratio(1, 2, 50);
        let e = r.enclosure.clone().unwrap();
        assert!(!e.is_exact() && e.lo() * e.lo() <= q(2, 1) && e.hi() * e.hi() >= q(2, 1));
        assert!(e.relative_width() < pow2_neg(45));
        assert!((r.f64 - 2f64.sqrt()).abs() < 1e-15);
        assert!(r.disagreement().is_none());
    }

    #[test]
    fn mpfr_only_comparisons_use_the_error_bounds() {
        let mk = |v: f64, t: f64| Estimate {
            f64: v,
            f64_tol: 1e-15,
            mpfr: Some(Float::with_val(128, v)),
            mpfr_tol: Some(Float::with_val(128, t)),
            enclosure: None,
            algebraic: None,
            notes: vec![],
        };
        let tol = pow2_neg(50);
        // equal within error bounds 2^64 times finer than the tolerance 2^-50: agreement to 131
        // bits, as 2·10⁻⁴⁰ < 2⁻¹³¹
        assert_eq!(
            mk(1.0, 1e-40).compare(&mk(1.0, 1e-40), &tol),
            Comparison::Decided(Ordering::Equal, Basis::Agreement { bits: 131 })
        );
        // bounds too coarse to confirm an equality: undecided, never equal
        assert!(matches!(
            mk(1.0, 1e-30).compare(&mk(1.0, 1e-30), &tol),
            Comparison::Undecided(_)
        ));
        // a near miss (relative 2^-70, below the tolerance, above the bounds): ordered
        // numerically, never equal
        let mut near = mk(1.0, 1e-40);
        near.mpfr = Some(Float::with_val(128, 1.0) + Float::with_val(128, -70f64).exp2());
        assert_eq!(
            mk(1.0, 1e-40).compare(&near, &tol),
            Comparison::Decided(Ordering::Less, Basis::Mpfr)
        );
        assert_eq!(
            mk(1.0, 1e-30).compare(&mk(1.5, 1e-30), &tol),
            Comparison::Decided(Ordering::Less, Basis::Mpfr)
        );
        assert!(mk(1.0, 1e-30).disagreement().is_none());
        let mut bad = mk(1.0, 1e-30);
        bad.f64 = 1.1;
        assert!(bad.disagreement().is_some());
        // an overflowed f64 path is never taken as agreement
        let mut overflow = Estimate::exact(&q(4, 1), 128);
        overflow.f64 = f64::INFINITY;
        assert!(overflow.disagreement().unwrap().contains("not finite"));
    }
}
