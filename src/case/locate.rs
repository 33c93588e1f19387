//! Find the line and column of a field path (`point.weights[1][0]`, `data.x`) in YAML source.
//!
//! A [`DeserializeSeed`] walks the path through serde_yaml (map keys, sequence indices) and, at
//! the target, fails on purpose with a sentinel message; serde_yaml attaches the mark of the
//! target's first event to that error, which gives the position. Aliases are followed the way
//! serde_yaml follows them.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

const FOUND: &str = "__dlncheck_locate__";

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Split `a.b[2][0].c` into segments. The empty path and `<document>` are the root.
/// `None` when the text is not a well-formed path.
pub(crate) fn parse_path(field: &str) -> Option<Vec<Seg>> {
    let mut segs = Vec::new();
    if field.is_empty() || field == "<document>" || field == "." {
        return Some(segs);
    }
    for part in field.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && (segs.is_empty() || rest.is_empty()) {
            return None;
        }
        if !key.is_empty() {
            segs.push(Seg::Key(key.to_string()));
        }
        while !rest.is_empty() {
            let inner = rest.strip_prefix('[')?;
            let close = inner.find(']')?;
            segs.push(Seg::Index(inner[..close].parse().ok()?));
            rest = &inner[close + 1..];
        }
    }
    Some(segs)
}

/// 1-based (line, column) of the value at `field` in `src`, or `None` when the path is absent
/// (or the source does not parse).
pub(crate) fn locate(src: &str, field: &str) -> Option<(usize, usize)> {
    let segs = parse_path(field)?;
    locate_segs(src, &segs)
}

/// Like [`locate`], but when the field is absent fall back to its nearest present ancestor
/// (for example the enclosing mapping of a missing key), down to the document root.
pub(crate) fn locate_nearest(src: &str, field: &str) -> Option<(usize, usize)> {
    let segs = parse_path(field)?;
    (0..=segs.len())
        .rev()
        .find_map(|n| locate_segs(src, &segs[..n]))
}

fn locate_segs(src: &str, segs: &[Seg]) -> Option<(usize, usize)> {
    let de = serde_yaml::Deserializer::from_str(src);
    let walk = Walk { segs };
    match walk.deserialize(de) {
        Ok(()) => None,
        Err(e) if e.to_string().contains(FOUND) => e.location().map(|l| (l.line(), l.column())),
        Err(_) => None,
    }
}

struct Walk<'a> {
    segs: &'a [Seg],
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.segs.split_first() {
            None => d.deserialize_any(Stop),
            Some((Seg::Key(key), rest)) => d.deserialize_map(KeyWalk { key, rest }),
            Some((Seg::Index(index), rest)) => d.deserialize_seq(IndexWalk {
                index: *index,
                rest,
            }),
        }
    }
}

struct KeyWalk<'a> {
    key: &'a str,
    rest: &'a [Seg],
}

impl<'de> Visitor<'de> for KeyWalk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<serde_yaml::Value>()? {
            if k.as_str() == Some(self.key) {
                return map.next_value_seed(Walk { segs: self.rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom("key not found"))
    }
}

struct IndexWalk<'a> {
    index: usize,
    rest: &'a [Seg],
}

impl<'de> Visitor<'de> for IndexWalk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for _ in 0..self.index {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("index out of range"));
            }
        }
        match seq.next_element_seed(Walk { segs: self.rest })? {
            Some(()) => Ok(()),
            None => Err(de::Error::custom("index out of range")),
        }
    }
}

/// Fails on whatever it is shown, so the error carries the mark of the target event.
struct Stop;

fn found<E: de::Error>() -> E {
    E::custom(FOUND)
}

impl<'de> Visitor<'de> for Stop {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("anything")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(found())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(found())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(found())
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Err(found())
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Err(found())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(found())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(found())
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        Err(found())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(found())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(found())
    }
    fn visit_some<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(found())
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(found())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(found())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(found())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
version: 1
name: demo
model:
  kind: linear
  dims: [2, 2, 2]
data:
  x: identity
  y:
    - [1, 0]
    - [0, 1]
point:
  weights:
    - [[1, 0], [0, 1]]
    -
      - [3, 0]
      - [0, 4]
checks:
  - claim: KP-exact
  - claim: KP-naive
    expect: refuted
";

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse_path("point.weights[1][0]").unwrap(),
            vec![
                Seg::Key("point".into()),
                Seg::Key("weights".into()),
                Seg::Index(1),
                Seg::Index(0)
            ]
        );
        assert_eq!(parse_path("<document>"), Some(vec![]));
        assert_eq!(parse_path("a..b"), None);
        assert_eq!(parse_path("a[x]"), None);
        assert_eq!(parse_path("a[1"), None);
    }

    #[test]
    fn finds_lines_and_columns() {
        assert_eq!(locate(DOC, "data.x"), Some((7, 6)));
        assert_eq!(locate(DOC, "data.y"), Some((9, 5)));
        assert_eq!(locate(DOC, "data.y[1]"), Some((10, 7)));
        assert_eq!(locate(DOC, "data.y[1][1]"), Some((10, 11)));
        assert_eq!(locate(DOC, "point.weights[0]"), Some((13, 7)));
        assert_eq!(locate(DOC, "point.weights[1][0]"), Some((15, 9)));
        assert_eq!(locate(DOC, "point.weights[1][1][1]"), Some((16, 13)));
        assert_eq!(locate(DOC, "model.dims"), Some((5, 9)));
        assert_eq!(locate(DOC, "model.dims[2]"), Some((5, 16)));
        assert_eq!(locate(DOC, "checks[1]").map(|p| p.0), Some(19));
        assert_eq!(locate(DOC, "checks[1].expect"), Some((20, 13)));
        assert_eq!(locate(DOC, "version"), Some((1, 10)));
        assert_eq!(locate(DOC, "").map(|p| p.0), Some(1));
    }

    #[test]
    fn absent_paths_give_none_or_their_ancestor() {
        assert_eq!(locate(DOC, "model.lambda"), None);
        assert_eq!(locate(DOC, "data.y[5]"), None);
        assert_eq!(locate(DOC, "data.x[0]"), None);
        assert_eq!(locate(DOC, "nope"), None);
        assert_eq!(locate_nearest(DOC, "model.lambda"), Some((4, 3)));
        assert_eq!(locate_nearest(DOC, "data.y[5][0]"), Some((9, 5)));
        assert_eq!(locate_nearest(DOC, "nope").map(|p| p.0), Some(1));
        assert_eq!(locate("key: [unclosed", "other"), None);
    }

    #[test]
    fn follows_aliases_and_odd_keys() {
        let src = "a: &m [[1, 2]]\nb: *m\n3: x\n";
        assert_eq!(locate(src, "a[0][1]").map(|p| p.0), Some(1));
        assert!(locate(src, "b[0][1]").is_some());
        assert_eq!(locate(src, "3"), None);
    }
}
