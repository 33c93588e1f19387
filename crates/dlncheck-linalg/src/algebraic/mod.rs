//! Exact real algebraic numbers: a square-free integer polynomial and a rational interval holding
//! exactly one of its roots, with exact order and equality (the representation of FLINT's
//! `qqbar` and of Collins & Loos, *Real zeros of polynomials*, in *Computer Algebra*, 1982).
//!
//! - [`poly`]: integer polynomials kept primitive, gcd by the primitive remainder sequence,
//!   square-free part, exact evaluation and signs at rationals, Sturm sequences and root counts;
//! - [`charpoly`]: det(xI − A) of a rational matrix (Berkowitz, division-free) and the
//!   polynomials of α + β, α·β (characteristic polynomials of Kronecker sums and products of
//!   companion matrices, i.e. resultants), q·α and α^(a/b);
//! - [`RealAlgebraic`]: the number itself, refined by bisection, compared exactly: α = β iff
//!   g = gcd(p_α, p_β) has a root in the intersection of their isolating intervals (such a root
//!   is a root of p_α in α's interval, hence α, and likewise β); otherwise both intervals are
//!   refined until they are disjoint, which happens since α ≠ β.
//!
//! Every construction has explicit [`Caps`] (matrix order, polynomial degree, coefficient bits):
//! Berkowitz costs O(n⁴) operations on integers whose size grows like n·(entry bits + log n), and
//! the polynomial of α + β or α·β has degree deg p_α·deg p_β, so without caps one large case could
//! take minutes. Beyond a cap the construction returns an [`AlgError`] saying which, and the
//! caller falls back to its numerical path.

pub mod charpoly;
pub mod poly;
mod real;

pub use poly::{Poly, Sturm};
pub use real::{interval_of, sum_of_products, RealAlgebraic};

/// Size limits of the exact constructions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Largest order of a matrix whose characteristic polynomial is computed: Berkowitz is
    /// O(n⁴) big-integer operations (n = 48: 5·10⁶), each on integers of up to n·(entry bits +
    /// log₂ n) bits.
    pub max_order: usize,
    /// Largest degree of the polynomial of a sum, product or power (the order of the Kronecker
    /// matrix whose characteristic polynomial gives it).
    pub max_degree: usize,
    /// Largest n·b for an n × n matrix whose integer multiple D·A (D the common denominator)
    /// has entries of up to b bits: the coefficients of det(xI − D·A) have up to about n·b bits,
    /// and Berkowitz's n⁴ operations act on them (n = 48 with 85-bit entries, or n = 2 with
    /// 2 048-bit entries, are at the cap). Kept low because the polynomial is built for every
    /// irrational λ_max within the caps: at float inputs (53-bit dyadics, whose products have
    /// hundreds of bits) a 44 × 44 Hessian took minutes.
    pub max_order_times_bits: u64,
    /// Largest bit length of a coefficient of a polynomial carried on (Sturm sequences of long
    /// polynomials grow their coefficients quadratically).
    pub max_coeff_bits: u64,
    /// Most bisection steps of one refinement or comparison (each halves an interval, so this
    /// bounds the separation that can be shown: 2^(−steps) relative to the interval).
    pub max_steps: usize,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            max_order: 48,
            max_degree: 24,
            max_order_times_bits: 4_096,
            max_coeff_bits: 20_000,
            max_steps: 40_000,
        }
    }
}

/// Why an exact construction was refused or failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AlgError {
    /// The matrix is larger than [`Caps::max_order`].
    #[error("matrix order {n} exceeds the exact-algebraic cap {cap}")]
    Order {
        /// The order.
        n: usize,
        /// The cap.
        cap: usize,
    },
    /// A composite polynomial would exceed [`Caps::max_degree`].
    #[error("polynomial degree {degree} exceeds the exact-algebraic cap {cap}")]
    Degree {
        /// The degree.
        degree: usize,
        /// The cap.
        cap: usize,
    },
    /// n·(bits of the entries of the integer matrix) exceeds [`Caps::max_order_times_bits`].
    #[error("matrix order × entry bits = {bits} exceeds the exact-algebraic cap {cap}")]
    EntryBits {
        /// The bits.
        bits: u64,
        /// The cap.
        cap: u64,
    },
    /// A polynomial has coefficients longer than [`Caps::max_coeff_bits`].
    #[error("polynomial coefficients of {bits} bits exceed the exact-algebraic cap {cap}")]
    CoeffBits {
        /// The bits.
        bits: u64,
        /// The cap.
        cap: u64,
    },
    /// More bisection steps than [`Caps::max_steps`] were needed.
    #[error("more than {0} bisection steps needed")]
    Steps(usize),
    /// A constant polynomial where a root was expected.
    #[error("a constant polynomial has no root to represent")]
    Constant,
    /// The interval does not hold exactly one root of the polynomial.
    #[error("the interval holds {0} roots of the polynomial, not exactly one")]
    NotIsolating(usize),
    /// A product or power of a number that may be negative.
    #[error("a product or power needs nonnegative factors")]
    Negative,
}

#[cfg(test)]
mod tests;
