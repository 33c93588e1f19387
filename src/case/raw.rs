//! The serde shape of a version-1 case file, exactly as written (nothing validated yet).
//!
//! Every struct denies unknown fields, so a misspelt key is an error naming it.

use super::number::RawNum;
use super::{Expect, ModelKind, Tier};
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::Deserialize as DeriveDeserialize;
use std::fmt;

/// A matrix as a list of rows (not yet checked to be rectangular).
pub(crate) type RawMatrix = Vec<Vec<RawNum>>;

/// Reads only `version`, ignoring everything else, so that a wrong version is reported before
/// schema errors that a different version would explain.
#[derive(DeriveDeserialize)]
pub(crate) struct VersionProbe {
    pub version: Option<serde_yaml::Value>,
}

/// The whole file.
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase {
    pub version: u64,
    pub name: Option<String>,
    pub about: Option<String>,
    pub seed: Option<u64>,
    pub precision_bits: Option<u64>,
    pub tier: Option<Tier>,
    pub model: RawModel,
    pub data: RawData,
    pub point: Option<RawPoint>,
    pub generate: Option<RawGenerate>,
    pub checks: Option<Vec<RawCheck>>,
}

/// `model:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawModel {
    pub kind: ModelKind,
    pub dims: Vec<u64>,
    pub activation: Option<RawActivation>,
    pub lambda: Option<RawNum>,
}

/// `model.activation: {leaky_relu: "1/10"}`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawActivation {
    pub leaky_relu: RawNum,
}

/// `data:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawData {
    pub x: RawX,
    pub y: RawMatrix,
}

/// `data.x`: the word `identity` or a matrix.
pub(crate) enum RawX {
    Identity,
    Matrix(RawMatrix),
}

impl<'de> Deserialize<'de> for RawX {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(XVisitor)
    }
}

struct XVisitor;

impl<'de> Visitor<'de> for XVisitor {
    type Value = RawX;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`identity` or a matrix (a list of rows)")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawX, E> {
        if v.trim() == "identity" {
            Ok(RawX::Identity)
        } else {
            Err(E::custom(format!(
                "expected `identity` or a matrix (a list of rows), found {}",
                super::number::show(v)
            )))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawX, A::Error> {
        let mut rows = Vec::new();
        while let Some(row) = seq.next_element::<Vec<RawNum>>()? {
            rows.push(row);
        }
        Ok(RawX::Matrix(rows))
    }
}

/// `point:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoint {
    pub weights: Vec<RawMatrix>,
}

/// `generate:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGenerate {
    pub minimizers: Option<RawMinimizers>,
    pub critical_points: Option<RawCriticalPoints>,
}

/// `generate.critical_points:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCriticalPoints {
    pub per_set: u64,
}

/// `generate.minimizers:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMinimizers {
    pub count: u64,
}

/// One entry of `checks:`
#[derive(DeriveDeserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCheck {
    pub claim: String,
    pub expect: Option<Expect>,
}
