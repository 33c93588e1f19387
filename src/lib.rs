//! dlncheck: checks the published theory of deep linear networks' loss landscapes, claim by claim.
//!
//! Data flows one way: `case` (YAML → validated [`case::Case`]) → `claims` (each a
//! [`claims::Claim`] checked on a [`claims::CaseContext`], using `model`, `certify`, `enumerate`) →
//! `app::check::runner` (parallel, isolated cases) → `report` (JSON, Markdown, HTML, JUnit).
//! [`app`] holds the commands of the binary, one module each, over these layers; no layer imports
//! it. `linalg` knows no networks, `model` knows no claims, writers never recompute, and `verify`
//! (the independent certificate checker) imports none of the numerical modules.
#![warn(missing_docs)]

pub mod app;
pub mod case;
pub mod certify;
pub mod claims;
pub mod dynamics;
pub mod enumerate;
pub mod linalg;
pub mod model;
pub mod report;
pub mod suggest;
pub mod verdict;
pub mod verify;
