//! Points of a problem from explicit parameterizations: zero-loss minimizers (rank factorization,
//! changes of basis between layers, balanced SVD factorizations).

pub mod coordinates;
pub mod critical;
pub mod critical_mpfr;
pub mod l2_minima;
pub mod minimizers;
pub mod spectrum;
pub mod spectrum_mpfr;
