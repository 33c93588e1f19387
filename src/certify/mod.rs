//! Exact certificates: λ_max enclosures and the three-way estimates they belong to, and certified
//! σ_min brackets ([`sigma`]).

pub mod dense_verified;
pub mod estimate;
pub mod hessian_mpfr;
pub mod kp_mpfr;
pub mod kp_verified;
pub mod lambda_max;
pub mod planned;
pub mod planner;
pub mod scalar;
pub mod sigma;
pub mod sources;
