//! JSON Pointer (RFC 6901) helpers: building pointers from segments and walking values.

use serde_json::Value;

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

/// The unescaped segments of a pointer; the empty pointer has none.
pub fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
}

/// The value at `pointer`, if present.
pub fn get<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    value.pointer(pointer)
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
}
