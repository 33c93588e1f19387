//! Networks and their losses. Knows linear algebra, knows no claims.

pub mod linear;
pub mod network_f64;
