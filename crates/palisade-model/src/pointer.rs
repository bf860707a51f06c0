//! JSON Pointer (RFC 6901) helpers: building pointers from segments and walking values.

use crate::value::Value;

/// Escape one segment: `~` becomes `~0`, `/` becomes `~1`.
pub fn escape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1").into()
    } else {
        segment.into()
    }
}

/// Append one segment to a pointer.
pub fn join(base: &str, segment: impl std::fmt::Display) -> String {
    let segment = segment.to_string();
    format!("{base}/{}", escape(&segment))
}

/// Undo [`escape`] on one segment; borrows unless the segment holds an escape.
pub fn unescape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// The unescaped segments of a pointer; the empty pointer has none.
pub fn segments(pointer: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> + '_ {
    pointer.split('/').skip(1).map(unescape)
}

/// The value at `pointer`, if present. Same result as `Value::pointer`, without allocating for
/// segments that hold no escape (rules look up fixed pointers on every object).
pub fn get<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut target = value;
    for segment in rest.split('/') {
        let segment = unescape(segment);
        target = match target {
            Value::Object(map) => map.get(segment.as_ref())?,
            Value::Array(list) => list.get(array_index(&segment)?)?,
            _ => return None,
        };
    }
    Some(target)
}

/// An array index as RFC 6901 spells it: digits, no sign, no leading zero.
fn array_index(segment: &str) -> Option<usize> {
    if segment.is_empty()
        || !segment.bytes().all(|b| b.is_ascii_digit())
        || (segment.len() > 1 && segment.starts_with('0'))
    {
        return None;
    }
    segment.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_splits() {
        let p = join("/metadata/annotations", "palisade.dev/ignore");
        assert_eq!(p, "/metadata/annotations/palisade.dev~1ignore");
        let segs: Vec<_> = segments(&p).collect();
        assert_eq!(segs, ["metadata", "annotations", "palisade.dev/ignore"]);
        assert_eq!(join("", "a~b"), "/a~0b");
    }

    #[test]
    fn get_agrees_with_serde_json() {
        let value = serde_json::json!({
            "a": {"b/c": [1, {"d~e": true}], "": 3},
            "list": [[0, 1], [2]]
        });
        for pointer in [
            "",
            "/",
            "/a",
            "/a/b~1c",
            "/a/b~1c/1/d~0e",
            "/a/b~1c/01",
            "/a/b~1c/-",
            "/a/",
            "/list/1/0",
            "/list/+1",
            "/missing",
            "a",
            "/a/b~1c/0/x",
        ] {
            let compact = crate::Value::from(value.clone());
            let expected = value.pointer(pointer);
            assert_eq!(
                get(&compact, pointer).map(crate::Value::to_json).as_ref(),
                expected,
                "{pointer}"
            );
        }
    }
}
