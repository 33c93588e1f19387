//! Linear algebra in three arithmetics: f64 (faer), exact rationals (num-rational) and MPFR (rug).
//!
//! This module knows no networks and no claims.
#![warn(missing_docs)]

pub mod algebraic;
pub mod cholesky_verified;
pub mod definite;
pub mod eigen_f64;
pub mod eigen_mpfr;
pub mod enclosure;
pub mod field;
pub mod interval;
pub mod jacobi;
pub mod lanczos;
pub mod mat;
pub mod mpfr_refine;
pub mod rank;
pub mod scaled;
pub mod verified;

pub use enclosure::Enclosure;
pub use field::{Exact, Field, Mpfr, F64};
pub use interval::{Interval, Ival};
pub use mat::Mat;
