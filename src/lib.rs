//! dlncheck: checks the published theory of deep linear networks' loss landscapes, claim by claim.
#![warn(missing_docs)]

pub mod linalg;
pub mod certify;
pub mod model;
