//! Networks and their losses. Knows linear algebra, knows no claims.

pub mod linear;
pub mod one_hidden;
pub mod residual;
