//! dlncheck: checks the published theory of deep linear networks' loss landscapes, claim by claim.
#![warn(missing_docs)]

pub mod audit;
pub mod case;
pub mod certify;
pub mod claims;
pub mod enumerate;
pub mod enumerate_table;
pub mod linalg;
pub mod model;
pub mod progress;
pub mod report;
pub mod runner;
pub mod sharpness;
pub mod verdict;
pub mod verify;
