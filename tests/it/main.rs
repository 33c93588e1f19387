//! The integration tests, as one binary: one link of rug, faer and plotters instead of one per
//! file. Each module is one topic (its doc comment says what it covers); run one module with
//! `cargo test --test it MODULE::`, e.g. `cargo test --test it cli::`.

mod common;

mod adversarial;
mod algebraic;
mod amg_irrational;
mod amg_precision;
mod amg_properties;
mod arrays;
mod audit;
mod check_planner;
mod cli;
mod dynamics;
mod fuzz_regressions;
mod html;
mod lanes;
mod limits;
mod mpfr_refined;
mod nearmin;
mod perf;
mod points;
mod properties;
mod readable;
mod readme;
mod schema;
mod sharpness_models;
mod soundness;
mod trajectory;
mod verify_report;
mod verify_tamper;
mod zl_cli;
mod zl_point;
mod zl_properties;
