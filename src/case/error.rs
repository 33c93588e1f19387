//! [`CaseError`]: what is wrong with a case file, and where (file, field path, line, column).

use super::locate::locate_nearest;
use std::path::{Path, PathBuf};

/// An invalid case file. Displays as `file:line:column: field: message`, leaving out the line
/// and column when unknown, e.g.
/// `cases/bad.yaml:7:9: point.weights[1]: expected 2 rows (d_2 = 2), found 3`. The first error
/// found is the error itself; the other independent errors of the same file are in `also`
/// (listed by [`CaseError::all`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(self))]
pub struct CaseError {
    /// The case file.
    pub file: PathBuf,
    /// The field path, like `point.weights[1]`, `data.x`, or `<document>` / `<file>`.
    pub field: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// The text of line `line` of the file (without its line break), when known: the source
    /// line [`super::snippet`] shows under the message. Boxed so that the error every `Result`
    /// of the case layer carries stays small.
    #[allow(clippy::box_collection)]
    pub source_line: Option<Box<String>>,
    /// The file's other independent errors, in line order (empty when there is one). Boxed so that
    /// the error every `Result` of the case layer carries stays small.
    #[allow(clippy::box_collection)]
    pub also: Box<Vec<CaseError>>,
}

fn render(e: &CaseError) -> String {
    let mut s = e.file.display().to_string();
    if let Some(line) = e.line {
        s.push_str(&format!(":{line}"));
        if let Some(col) = e.column {
            s.push_str(&format!(":{col}"));
        }
    }
    format!("{s}: {}: {}", e.field, e.message)
}

impl CaseError {
    /// An error about `field` of the YAML text `src`, positioned at the field (or at its nearest
    /// present ancestor when the field itself is missing).
    pub(crate) fn at(file: &Path, src: &str, field: &str, message: impl Into<String>) -> Self {
        let pos = locate_nearest(src, field);
        CaseError {
            file: file.to_path_buf(),
            field: field.to_string(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            message: message.into(),
            source_line: pos.and_then(|p| line_text(src, p.0)).map(Box::new),
            also: Box::default(),
        }
    }

    /// An error about the file as a whole (it could not be read).
    pub(crate) fn io(file: &Path, err: &std::io::Error) -> Self {
        CaseError {
            file: file.to_path_buf(),
            field: "<file>".to_string(),
            line: None,
            column: None,
            message: format!("cannot read the case file: {err}"),
            source_line: None,
            also: Box::default(),
        }
    }

    /// The run was interrupted before this case finished (the report is not written).
    pub(crate) fn interrupted(file: &Path) -> Self {
        CaseError {
            file: file.to_path_buf(),
            field: "<case>".to_string(),
            line: None,
            column: None,
            message: "interrupted".to_string(),
            source_line: None,
            also: Box::default(),
        }
    }

    /// The file is larger than `limit` bytes: refused before reading (positioned at line 1).
    pub(crate) fn too_large(file: &Path, size: u64, limit: u64) -> Self {
        CaseError {
            file: file.to_path_buf(),
            field: "<file>".to_string(),
            line: Some(1),
            column: None,
            message: format!(
                "the case file has {size} bytes, more than the limit of {limit} bytes \
                 ({} MiB); case files hold small exact examples",
                limit >> 20
            ),
            source_line: None,
            also: Box::default(),
        }
    }

    /// Translate a serde_yaml error: position from `location()`, field path from the message
    /// (serde_yaml writes `path: message at line L column C`), `<document>` when there is none.
    /// When serde_yaml gives no position, the field (or its nearest ancestor) is looked up in `src`.
    pub(crate) fn from_yaml(file: &Path, src: &str, err: &serde_yaml::Error) -> Self {
        let loc = err.location();
        let mut text = err.to_string();
        if let Some(l) = &loc {
            let at = format!(" at line {} column {}", l.line(), l.column());
            if let Some(i) = text.find(&at) {
                text.replace_range(i..i + at.len(), "");
            }
        }
        let (mut field, mut message) = split_path(&text);
        // Name the offending key in the field for unknown and missing keys.
        for prefix in ["unknown field `", "missing field `"] {
            if let Some(key) = message
                .strip_prefix(prefix)
                .and_then(|r| r.split('`').next())
            {
                field = if field.is_empty() {
                    key.to_string()
                } else {
                    format!("{field}.{key}")
                };
            }
        }
        if field.is_empty() {
            field = "<document>".to_string();
        }
        if message.is_empty() {
            message = text;
        }
        message = helpful(&message, src, loc.as_ref().map(|l| l.index()));
        let pos = match &loc {
            Some(l) => Some((l.line(), l.column())),
            None => locate_nearest(src, &field),
        };
        CaseError {
            file: file.to_path_buf(),
            field,
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            message,
            source_line: pos.and_then(|p| line_text(src, p.0)).map(Box::new),
            also: Box::default(),
        }
    }

    /// This error and the file's other independent errors: the first one found, then the rest
    /// in line order.
    pub fn all(&self) -> impl Iterator<Item = &CaseError> {
        std::iter::once(self).chain(self.also.iter())
    }

    /// Every error as its own line ([`CaseError::all`]).
    pub fn all_lines(&self) -> Vec<String> {
        self.all().map(ToString::to_string).collect()
    }

    /// Add further errors of the same file (and theirs), leaving out repeats of one already
    /// listed (same field and message), and keep them in line order.
    pub(crate) fn with_also(mut self, more: impl IntoIterator<Item = CaseError>) -> Self {
        for mut e in more {
            let nested = *std::mem::take(&mut e.also);
            for e in std::iter::once(e).chain(nested) {
                let repeat = self
                    .all()
                    .any(|k| k.field == e.field && k.message == e.message);
                if !repeat {
                    self.also.push(e);
                }
            }
        }
        self.also
            .sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(0)));
        self
    }
}

/// The text of the 1-based line `line` of `src`, without its line break; `None` past the end.
pub(crate) fn line_text(src: &str, line: usize) -> Option<String> {
    let text = src.lines().nth(line.checked_sub(1)?)?;
    Some(text.strip_suffix('\r').unwrap_or(text).to_string())
}

/// serde's type names in words: what a case file writes there.
const TYPE_WORDS: [(&str, &str); 11] = [
    ("struct RawCheck", "a check like {claim: KP-exact}"),
    (
        "struct RawCase",
        "a case file: a mapping with version, model, data and checks",
    ),
    (
        "struct RawModel",
        "a model like {kind: linear, dims: [2, 2]}",
    ),
    (
        "struct RawData",
        "data like {x: identity, y: [[1, 0], [0, 1]]}",
    ),
    (
        "struct RawActivation",
        "an activation like {leaky_relu: \"1/10\"}",
    ),
    ("struct RawPoint", "a point like {weights: [[[1]], [[1]]]}"),
    (
        "struct RawGenerate",
        "a generate mapping like {minimizers: {count: 2}}",
    ),
    (
        "struct RawCriticalPoints",
        "a mapping like {per_set: 2} or {lanes: 50}",
    ),
    ("struct RawMinimizers", "a mapping like {count: 2}"),
    (
        "struct RawSamples",
        "samples like {count: 8, radii: [\"1/10\"]}",
    ),
    (
        "struct RawDynamics",
        "a dynamics mapping such as {steps: 100}",
    ),
];

/// Make serde_yaml's message say how to fix the mistake: the nearest known name for an unknown
/// key or variant ("did you mean …?"), a tab named as such, type names in words.
fn helpful(message: &str, src: &str, index: Option<usize>) -> String {
    let mut m = message.to_string();
    if m.contains("found character that cannot start any token")
        && index.is_some_and(|i| src.as_bytes().get(i) == Some(&b'\t'))
    {
        return "a tab character: YAML indents with spaces (replace the tab by spaces)".to_string();
    }
    for (name, words) in TYPE_WORDS {
        m = m.replace(name, words);
    }
    for prefix in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = m.strip_prefix(prefix) {
            let mut parts = rest.split('`');
            let word = parts.next().unwrap_or("");
            // the names after the word alternate with the text between them
            let known: Vec<&str> = parts.skip(1).step_by(2).filter(|k| !k.is_empty()).collect();
            if let Some(near) = crate::suggest::nearest(word, known.iter().copied()) {
                m = format!("{m}; did you mean `{near}`?");
            }
        }
    }
    m
}

/// Split `a.b[1]: message` into (`a.b[1]`, `message`); ("", text) when there is no path prefix.
fn split_path(text: &str) -> (String, String) {
    if let Some((head, rest)) = text.split_once(": ") {
        let is_path = !head.is_empty()
            && head.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '?')
            })
            && super::locate::parse_path(head).is_some();
        if is_path {
            return (head.to_string(), rest.to_string());
        }
    }
    (String::new(), text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(field: &str, line: Option<usize>, column: Option<usize>) -> CaseError {
        CaseError {
            file: PathBuf::from("cases/bad.yaml"),
            field: field.into(),
            line,
            column,
            message: "expected 2 rows (d_2 = 2), found 3".into(),
            source_line: None,
            also: Box::default(),
        }
    }

    #[test]
    fn display_omits_unknown_positions() {
        assert_eq!(
            err("point.weights[1]", Some(7), Some(9)).to_string(),
            "cases/bad.yaml:7:9: point.weights[1]: expected 2 rows (d_2 = 2), found 3"
        );
        assert_eq!(
            err("point.weights[1]", Some(7), None).to_string(),
            "cases/bad.yaml:7: point.weights[1]: expected 2 rows (d_2 = 2), found 3"
        );
        assert_eq!(
            err("<file>", None, None).to_string(),
            "cases/bad.yaml: <file>: expected 2 rows (d_2 = 2), found 3"
        );
    }

    #[test]
    fn splits_serde_paths() {
        assert_eq!(
            split_path("data.y[0][1]: non-finite number NaN"),
            ("data.y[0][1]".into(), "non-finite number NaN".into())
        );
        assert_eq!(
            split_path("invalid type: string \"a\", expected u64"),
            ("".into(), "invalid type: string \"a\", expected u64".into())
        );
    }
}
