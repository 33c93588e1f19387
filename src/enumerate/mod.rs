//! Points of a problem from explicit parameterizations: zero-loss minimizers (rank factorization,
//! changes of basis between layers, balanced SVD factorizations).

pub mod critical;
pub mod l2_minima;
pub mod minimizers;
pub mod spectrum;
