//! Points of a problem from explicit parameterizations: zero-loss minimizers (rank factorization,
//! changes of basis between layers, balanced SVD factorizations), the critical points of \[AMG\] per
//! index set S, and their classification, written once over the arithmetic (`classify`, `judge`,
//! `landscape`).

pub mod borrowed;
pub mod classify;
pub mod coordinates;
pub mod critical;
pub mod judge;
pub mod l2_minima;
pub mod landscape;
pub mod lanes;
pub mod minimizers;
pub mod spectrum;
pub mod spectrum_mpfr;
