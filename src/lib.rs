//! dlncheck: checks the published theory of deep linear networks' loss landscapes, claim by claim.
//!
//! Data flows one way: `case` (YAML → validated [`case::Case`]) → `claims` (each a
//! [`claims::Claim`] checked on a [`claims::CaseContext`], using `model`, `certify`, `enumerate`) →
//! `app::check::runner` (parallel, isolated cases) → `report` (JSON, Markdown, HTML, JUnit).
//! [`app`] holds the commands of the binary, one module each, over these layers; no layer imports
//! it. `model` knows no claims and writers never recompute. Two layers are crates of their own, so
//! Cargo keeps their rules: `linalg` (`crates/dlncheck-linalg`) knows no networks and no claims,
//! and `verify` (`crates/dlncheck-verify`, the independent certificate checker) depends on no
//! numerical crate and on nothing of dlncheck.
#![warn(missing_docs)]

pub mod app;
pub mod case;
pub mod certify;
pub mod claims;
pub mod dynamics;
pub mod enumerate;
/// Linear algebra in three arithmetics (its own crate, `crates/dlncheck-linalg`).
pub use dlncheck_linalg as linalg;
pub mod model;
pub mod report;
pub mod suggest;
pub mod verdict;
/// The independent certificate checker (its own crate, `crates/dlncheck-verify`).
pub use dlncheck_verify as verify;
