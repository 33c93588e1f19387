//! Case errors as a person reads them on a terminal: the one-line message, then the offending
//! source line with its number and a caret under the column, rendered by `annotate-snippets`
//! (the renderer of rustc and cargo), e.g.
//!
//! ```text
//! error: /tmp/bad.yaml:6:25: data.y[1][1]: expected a number (…), found "x1"
//!   |
//! 6 |   y: [["1", "0"], ["0", "x1"]]
//!   |                         ^^^^
//! ```
//!
//! The caret spans the YAML token that starts at the column: a quoted scalar with its quotes, a
//! flow collection `[…]`/`{…}` to its closing bracket on the same line, else a plain scalar up
//! to the next `,`, `]`, `}`, ` #` or `: `. An error without a known line is the message alone.
//! Reports (report.json, report.md) keep the one-line message.

use super::CaseError;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::ops::Range;

/// One error with its snippet, colored (the error label, the gutter, the caret) when `color`.
/// Ends with a line break.
pub fn render(e: &CaseError, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let title = e.to_string();
    let mut group = Group::with_title(Level::ERROR.primary_title(title.as_str()));
    if let (Some(line), Some(text)) = (e.line, &e.source_line) {
        let span = span(text, e.column);
        group = group.element(
            Snippet::source(text.as_str())
                .line_start(line)
                .fold(false)
                .annotation(AnnotationKind::Primary.span(span)),
        );
    }
    let mut out = renderer.render(&[group]);
    out.push('\n');
    out
}

/// The snippet of one error without its title line: the gutter, the source line and the caret
/// (empty when the error has no known line), for listings that print the message themselves.
pub fn render_source(e: &CaseError, color: bool) -> String {
    if e.line.is_none() || e.source_line.is_none() {
        return String::new();
    }
    let text = render(e, color);
    text.split_once('\n')
        .map_or(String::new(), |(_, rest)| rest.to_string())
}

/// Every error of the file ([`CaseError::all`]), each with its snippet, a blank line between two.
pub fn render_all(e: &CaseError, color: bool) -> String {
    e.all()
        .map(|e| render(e, color))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The byte range of `line` the caret marks: the token starting at the 1-based character column
/// `column`, or the line's text without its leading and trailing blanks when the column is
/// unknown or past the end.
pub(crate) fn span(line: &str, column: Option<usize>) -> Range<usize> {
    let whole = || {
        let start = line.len() - line.trim_start().len();
        let end = line.trim_end().len().max(start);
        start..end
    };
    let Some(start) = column
        .and_then(|c| c.checked_sub(1))
        .and_then(|c| line.char_indices().nth(c).map(|(i, _)| i))
    else {
        return whole();
    };
    let rest = &line[start..];
    // a blank (a tab where YAML wants spaces) is marked alone
    let len = if rest.starts_with(char::is_whitespace) {
        0
    } else {
        token_len(rest)
    };
    if len == 0 {
        // a blank or a bare separator: mark its one character
        let one = rest.chars().next().map_or(0, char::len_utf8);
        return start..start + one;
    }
    start..start + len
}

/// The length in bytes of the YAML token at the start of `rest` (see the module docs).
fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        Some((_, q @ ('"' | '\''))) => {
            let mut escaped = false;
            for (i, c) in chars {
                if q == '"' && c == '\\' && !escaped {
                    escaped = true;
                    continue;
                }
                if c == q && !escaped {
                    return i + 1;
                }
                escaped = false;
            }
            rest.trim_end().len()
        }
        Some((_, '[' | '{')) => {
            let mut depth = 0usize;
            let mut quote: Option<char> = None;
            for (i, c) in rest.char_indices() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '[' | '{') => depth += 1,
                    (None, ']' | '}') => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
            }
            rest.trim_end().len()
        }
        _ => {
            let bytes = rest.as_bytes();
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                let next = bytes.get(i + 1).copied();
                let stop = matches!(c, ',' | ']' | '}')
                    || (c == ':' && matches!(next, None | Some(b' ' | b'\t')))
                    || (c == '#' && i > 0 && matches!(bytes[i - 1], b' ' | b'\t'));
                if stop {
                    end = i;
                    break;
                }
            }
            rest[..end].trim_end().len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn marked(line: &str, column: usize) -> &str {
        &line[span(line, Some(column))]
    }

    #[test]
    fn the_caret_spans_the_token_at_the_column() {
        let line = r#"  y: [["1", "0"], ["0", "x1"]]"#;
        let col = line.find("\"x1\"").unwrap() + 1;
        assert_eq!(marked(line, col), "\"x1\"");
        assert_eq!(
            marked(line, line.find("[[").unwrap() + 1),
            r#"[["1", "0"], ["0", "x1"]]"#
        );
        assert_eq!(marked(line, 3), "y");
        assert_eq!(marked("  - claim: KP-exatc  # typo", 12), "KP-exatc");
        assert_eq!(marked("    - [[1, 0], [0]]", 16), "[0]");
        assert_eq!(marked("  w: 'it''s'", 6), "'it'");
        assert_eq!(marked("  é: 0.1", 6), "0.1");
        // no column: the line without its indentation
        assert_eq!(&"  dims: [1]"[span("  dims: [1]", None)], "dims: [1]");
        assert_eq!(marked("x:\t", 3), "\t");
        assert_eq!(marked("\tkind: linear", 1), "\t");
    }

    #[test]
    fn renders_the_line_with_a_caret_under_the_column() {
        let line = r#"  y: [["1", "0"], ["0", "x1"]]"#;
        let col = line.find("\"x1\"").unwrap() + 1;
        let e = CaseError {
            file: PathBuf::from("bad.yaml"),
            field: "data.y[1][1]".into(),
            line: Some(6),
            column: Some(col),
            message: "expected a number".into(),
            source_line: Some(Box::new(line.to_string())),
            also: Box::default(),
        };
        let text = render(&e, false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            format!("error: bad.yaml:6:{col}: data.y[1][1]: expected a number")
        );
        let source = lines.iter().position(|l| l.ends_with(line)).unwrap();
        assert!(lines[source].trim_start().starts_with("6 |"), "{text}");
        let gutter = lines[source].len() - line.len();
        let caret = lines[source + 1];
        assert_eq!(caret.find('^'), Some(gutter + col - 1), "{text}");
        assert_eq!(
            caret.trim_end().len() - caret.find('^').unwrap(),
            4,
            "{text}"
        );
        // without a line, the message alone
        let bare = CaseError {
            line: None,
            source_line: None,
            ..e
        };
        assert_eq!(render(&bare, false).lines().count(), 1);
    }
}
