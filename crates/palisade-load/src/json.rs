//! The JSON fallback: JSON that the YAML path refuses (tab indentation, several documents in a
//! row as in NDJSON) is read with `serde_json`, and the positions of its fields are recovered
//! by a light scan of the already validated text.

use crate::Limits;
use crate::build::Document;
use crate::error::{Failure, Located};
use palisade_model::Value;
use palisade_model::position::PositionNode;
use palisade_model::{PositionTree, Span};
use std::collections::HashMap;

/// Parse a stream of JSON documents. Stops at the first syntax error, which is returned last.
pub(crate) fn parse_stream(text: &str, limits: &Limits) -> Vec<Result<Document, Located>> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut cursor = Cursor::default();
    loop {
        let before = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                let end = stream.byte_offset();
                let start = before
                    + text[before..end]
                        .find(|c: char| !c.is_ascii_whitespace())
                        .unwrap_or(0);
                cursor.advance_to(text, start);
                let origin = cursor.span(text);
                if end - start > limits.max_document_bytes {
                    out.push(Err(Located {
                        line: origin.line,
                        column: origin.column,
                        failure: Failure::DocumentTooLarge {
                            size: end - start,
                            limit: limits.max_document_bytes,
                        },
                    }));
                    continue;
                }
                let positions = positions(&value, &text[start..end], origin);
                out.push(Ok(Document {
                    value,
                    positions,
                    duplicates: Vec::new(),
                }));
            }
            Some(Err(e)) => {
                out.push(Err(Located {
                    line: u32::try_from(e.line()).unwrap_or(u32::MAX),
                    column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                    failure: Failure::Json(e.to_string()),
                }));
                break;
            }
        }
    }
    out
}

/// Line and column tracking over a text, moving forward only.
#[derive(Default)]
struct Cursor {
    offset: usize,
    line: u32,
    line_start: usize,
}

impl Cursor {
    fn advance_to(&mut self, text: &str, offset: usize) {
        let bytes = text.as_bytes();
        for (i, &b) in bytes[self.offset..offset].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
    }

    fn span(&self, text: &str) -> Span {
        let column = count_chars(&text[self.line_start..self.offset]).saturating_add(1);
        Span::new(self.line + 1, column)
    }
}

/// Positions as scanned from the text, with the keys of mappings (duplicates included).
#[derive(Default)]
struct Scanned {
    span: Span,
    children: Children,
}

#[derive(Default)]
enum Children {
    #[default]
    Leaf,
    Map(Vec<(Box<str>, Scanned)>),
    Seq(Vec<Scanned>),
}

impl Scanned {
    fn leaf(span: Span) -> Self {
        Self {
            span,
            children: Children::Leaf,
        }
    }
}

enum Frame {
    Map {
        span: Span,
        entries: Vec<(Box<str>, Scanned)>,
        key: Option<(Box<str>, Span)>,
    },
    Seq {
        span: Span,
        items: Vec<Scanned>,
    },
}

/// Positions of every node of `value`, one valid JSON document starting at `origin` in `text`.
fn positions(value: &Value, text: &str, origin: Span) -> PositionTree {
    let scanned = scan(text, origin);
    let mut nodes = Vec::new();
    flatten(value, Some(&scanned), scanned.span, &mut nodes);
    PositionTree::from(nodes)
}

/// Lay out the scanned positions in the order of the value's nodes. With duplicate keys the
/// last one is the one the value holds; nodes the scan did not see take `span`.
fn flatten(value: &Value, scanned: Option<&Scanned>, span: Span, out: &mut Vec<PositionNode>) {
    let at = out.len();
    out.push(PositionNode::leaf(scanned.map_or(span, |s| s.span)));
    let span = scanned.map_or(span, |s| s.span);
    let children = scanned.map(|s| &s.children);
    match value {
        Value::Object(map) => {
            let entries = match children {
                Some(Children::Map(entries)) => entries.as_slice(),
                _ => &[],
            };
            // Later keys overwrite earlier ones, as in the value.
            let by_key: HashMap<&str, &Scanned> =
                entries.iter().map(|(key, tree)| (&**key, tree)).collect();
            for (key, child) in map {
                flatten(child, by_key.get(key).copied(), span, out);
            }
        }
        Value::Array(items) => {
            let trees = match children {
                Some(Children::Seq(trees)) => trees.as_slice(),
                _ => &[],
            };
            for (i, child) in items.iter().enumerate() {
                flatten(child, trees.get(i), span, out);
            }
        }
        _ => {}
    }
    let size = u32::try_from(out.len() - at).unwrap_or(u32::MAX);
    if let Some(node) = out.get_mut(at) {
        node.size = size;
    }
}

/// Scan one valid JSON document starting at `origin` for the positions of its nodes.
fn scan(text: &str, origin: Span) -> Scanned {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut line = origin.line;
    let mut column = origin.column;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let at = Span::new(line, column);
        match b {
            b'\n' => {
                line += 1;
                column = 1;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b',' | b':' => {}
            b'{' => stack.push(Frame::Map {
                span: at,
                entries: Vec::new(),
                key: None,
            }),
            b'[' => stack.push(Frame::Seq {
                span: at,
                items: Vec::new(),
            }),
            b'}' | b']' => {
                let tree = match stack.pop() {
                    Some(Frame::Map { span, entries, .. }) => Scanned {
                        span,
                        children: Children::Map(entries),
                    },
                    Some(Frame::Seq { span, items }) => Scanned {
                        span,
                        children: Children::Seq(items),
                    },
                    None => break,
                };
                attach(&mut stack, &mut root, tree);
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let raw = &text[start..(i + 1).min(text.len())];
                column += count_chars(raw);
                i += 1;
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    let name: Box<str> = if raw.contains('\\') {
                        serde_json::from_str::<String>(raw)
                            .unwrap_or_default()
                            .into_boxed_str()
                    } else {
                        raw.get(1..raw.len().saturating_sub(1))
                            .unwrap_or_default()
                            .into()
                    };
                    *key = Some((name, at));
                } else {
                    attach(&mut stack, &mut root, Scanned::leaf(at));
                }
                continue;
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
                {
                    i += 1;
                }
                column += count_chars(&text[start..i]);
                attach(&mut stack, &mut root, Scanned::leaf(at));
                continue;
            }
        }
        column += 1;
        i += 1;
    }
    root.unwrap_or_else(|| Scanned::leaf(origin))
}

fn count_chars(text: &str) -> u32 {
    u32::try_from(text.chars().count()).unwrap_or(u32::MAX)
}

fn attach(stack: &mut [Frame], root: &mut Option<Scanned>, mut tree: Scanned) {
    match stack.last_mut() {
        None => *root = Some(tree),
        Some(Frame::Seq { items, .. }) => items.push(tree),
        Some(Frame::Map { entries, key, .. }) => {
            if let Some((name, span)) = key.take() {
                tree.span = span;
                entries.push((name, tree));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stream_with_positions() {
        let text = "{\n\t\"a\": 1,\n\t\"b\": [true, {\"c\\\"d\": \"é\"}]\n}\n{\"x\": null}\n";
        let docs = parse_stream(text, &Limits::default());
        assert_eq!(docs.len(), 2);
        let first = docs[0].as_ref().unwrap();
        assert_eq!(first.value, json!({"a": 1, "b": [true, {"c\"d": "é"}]}));
        assert_eq!(first.positions.locate(&first.value, "").0, Span::new(1, 1));
        assert_eq!(
            first.positions.locate(&first.value, "/a").0,
            Span::new(2, 2)
        );
        assert_eq!(
            first.positions.locate(&first.value, "/b/0").0,
            Span::new(3, 8)
        );
        assert_eq!(
            first.positions.locate(&first.value, "/b/1/c\"d").0,
            Span::new(3, 15)
        );
        let second = docs[1].as_ref().unwrap();
        assert_eq!(
            second.positions.locate(&second.value, "/x"),
            (Span::new(5, 2), true)
        );
    }

    #[test]
    fn error_stops_the_stream() {
        let docs = parse_stream("{\"a\": 1}\n{\"b\": }\n{}", &Limits::default());
        assert_eq!(docs.len(), 2);
        let err = docs[1].as_ref().unwrap_err();
        assert_eq!(err.line, 2);
    }
}
