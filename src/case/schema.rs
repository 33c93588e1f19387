//! The JSON Schema of case files, generated with schemars from the serde types in [`super::raw`],
//! so that it describes exactly the shape the deserializer accepts. `cases/schema.json` is this
//! schema, pretty-printed with a trailing newline; `tests/it/schema.rs` keeps the two in sync.
//!
//! The schema checks shape only (keys, types, enums, number syntax); the rules checked after
//! parsing (matrix shapes against `dims`, value ranges, claim ids, the rank of X) appear in the
//! descriptions.

use super::raw::RawCase;
use schemars::generate::SchemaSettings;
use schemars::transform::{transform_subschemas, Transform};
use schemars::Schema;
use serde_json::Value;

/// The schema's `title`.
pub const SCHEMA_TITLE: &str = "dlncheck case file (version 1)";

/// The JSON Schema (draft 2020-12) of a version-1 case file, read as JSON (YAML files are checked
/// against it after conversion to JSON). Its `title` is [`SCHEMA_TITLE`].
pub fn json_schema() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .with_transform(UnwrapDescriptions)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<RawCase>();
    schema.insert("title".to_string(), SCHEMA_TITLE.into());
    schema.to_value()
}

/// Joins the lines of each description that come from wrapping a doc comment, keeping paragraph
/// breaks, so that editors show them as flowing text.
#[derive(Clone)]
struct UnwrapDescriptions;

impl Transform for UnwrapDescriptions {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(Value::String(text)) = schema.get_mut("description") {
            *text = text
                .split("\n\n")
                .map(|paragraph| paragraph.replace('\n', " "))
                .collect::<Vec<_>>()
                .join("\n\n");
        }
        transform_subschemas(self, schema);
    }
}
