//! Networks and their losses. Knows linear algebra, knows no claims.

pub mod instance;
pub mod l2;
pub mod linear;
pub mod network_f64;
pub mod one_hidden;
pub mod residual;
pub mod zl;
