//! dlncheck: checks the published theory of deep linear networks' loss landscapes, claim by claim.
//!
//! Data flows one way: `case` (YAML → validated [`case::Case`]) → `claims` (each a
//! [`claims::Claim`] checked on a [`claims::CaseContext`], using `model`, `certify`, `enumerate`) →
//! `runner` (parallel, isolated cases) → `report` (JSON, Markdown, HTML, JUnit). `model` knows no
//! claims and writers never recompute. Two layers are crates of their own, so Cargo keeps their
//! rules: `linalg` (`crates/dlncheck-linalg`) knows no networks and no claims, and `verify`
//! (`crates/dlncheck-verify`, the independent certificate checker) depends on no numerical crate
//! and on nothing of dlncheck.
#![warn(missing_docs)]

pub mod audit;
pub mod case;
pub mod certify;
pub mod claims;
pub mod dynamics;
pub mod enumerate;
pub mod enumerate_table;
pub mod isolate;
/// Linear algebra in three arithmetics (its own crate, `crates/dlncheck-linalg`).
pub use dlncheck_linalg as linalg;
pub mod model;
pub mod plan;
pub mod progress;
pub mod report;
pub mod runner;
pub mod sharpness;
pub mod sharpness_fast;
pub mod suggest;
pub mod verdict;
/// The independent certificate checker (its own crate, `crates/dlncheck-verify`).
pub use dlncheck_verify as verify;
