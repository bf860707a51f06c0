//! Builds one document from `saphyr-parser` events into a `serde_json::Value` and a
//! [`PositionTree`], without recursion: anchors, aliases and merge keys are resolved,
//! duplicate keys are recorded (the last one wins), and the limits on nesting depth and alias
//! expansion are enforced while the events stream in, so hostile input fails fast.

use crate::Limits;
use crate::error::{Failure, Located};
use crate::scalar::{key_string, scalar_value, value_key};
use palisade_model::position::Children;
use palisade_model::{DuplicateKey, PositionTree, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A document as built from the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    pub value: Value,
    pub positions: PositionTree,
    pub duplicates: Vec<DuplicateKey>,
}

enum Key {
    Name(String),
    Merge,
}

struct PendingKey {
    key: Key,
    span: Span,
}

enum Node {
    Seq {
        items: Vec<Value>,
        trees: Vec<PositionTree>,
    },
    Map {
        map: Map<String, Value>,
        trees: Vec<(Box<str>, PositionTree)>,
        pending: Option<PendingKey>,
        /// Keys that came from a merge key and may still be overridden silently.
        merged: Vec<String>,
    },
}

struct Frame {
    node: Node,
    start: Span,
    anchor: usize,
    /// Nodes and scalar bytes in the subtree, for the alias-expansion budget.
    nodes: u64,
    bytes: u64,
}

struct Anchored {
    value: Value,
    tree: PositionTree,
    nodes: u64,
    bytes: u64,
}

struct Builder<'l> {
    limits: &'l Limits,
    first_line: u32,
    stack: Vec<Frame>,
    root: Option<(Value, PositionTree)>,
    /// Anchored nodes by anchor id; only kept when the text can contain an alias.
    keep_anchors: bool,
    anchors: Vec<Option<Anchored>>,
    expanded_nodes: u64,
    expanded_bytes: u64,
    duplicates: Vec<DuplicateKey>,
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parse the text of one document. `first_line` is the 0-based line of the text in its file.
/// `Ok(None)` means the text holds no document (only comments or nothing).
pub(crate) fn parse_document(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Option<Document>, Located> {
    let mut builder = Builder {
        limits,
        first_line,
        stack: Vec::new(),
        root: None,
        keep_anchors: text.contains('*'),
        anchors: Vec::new(),
        expanded_nodes: 0,
        expanded_bytes: 0,
        duplicates: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| Located {
            line: builder.line(e.marker()),
            column: saturate(e.marker().col()).saturating_add(1),
            failure: Failure::Syntax(e.info().to_string()),
        })?;
        let at = builder.span(&span.start);
        builder.event(event, at).map_err(|failure| Located {
            line: at.line,
            column: at.column,
            failure,
        })?;
    }
    Ok(builder.root.map(|(value, positions)| Document {
        value,
        positions,
        duplicates: builder.duplicates,
    }))
}

impl Builder<'_> {
    fn line(&self, marker: &Marker) -> u32 {
        self.first_line.saturating_add(saturate(marker.line()))
    }

    fn span(&self, marker: &Marker) -> Span {
        Span::new(self.line(marker), saturate(marker.col()).saturating_add(1))
    }

    fn event(&mut self, event: Event<'_>, at: Span) -> Result<(), Failure> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(text, style, anchor, tag.as_deref(), at)
            }
            Event::SequenceStart(anchor, _) => self.open(
                Node::Seq {
                    items: Vec::new(),
                    trees: Vec::new(),
                },
                anchor,
                at,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Node::Map {
                    map: Map::new(),
                    trees: Vec::new(),
                    pending: None,
                    merged: Vec::new(),
                },
                anchor,
                at,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.alias(id, at),
            Event::DocumentStart(_) => {
                if self.root.is_some() {
                    return Err(Failure::Syntax(
                        "a second document starts inside this document".to_string(),
                    ));
                }
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    /// Whether the next completed node is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                node: Node::Map { pending: None, .. },
                ..
            })
        )
    }

    fn open(&mut self, node: Node, anchor: usize, at: Span) -> Result<(), Failure> {
        if self.expects_key() {
            return Err(Failure::ComplexKey);
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Failure::TooDeep(self.limits.max_depth));
        }
        self.stack.push(Frame {
            node,
            start: at,
            anchor,
            nodes: 1,
            bytes: 0,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), Failure> {
        let Some(frame) = self.stack.pop() else {
            return Err(Failure::Syntax("unbalanced collection end".to_string()));
        };
        let (value, children) = match frame.node {
            // Growth slack would otherwise stay allocated for the life of the object.
            Node::Seq {
                mut items,
                mut trees,
            } => {
                items.shrink_to_fit();
                trees.shrink_to_fit();
                (Value::Array(items), Children::Seq(trees))
            }
            Node::Map { map, mut trees, .. } => {
                trees.shrink_to_fit();
                (Value::Object(map), Children::Map(trees))
            }
        };
        self.attach(
            value,
            children,
            frame.start,
            frame.anchor,
            frame.nodes,
            frame.bytes,
        )
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: Span,
    ) -> Result<(), Failure> {
        let bytes = text.len() as u64;
        if self.expects_key() {
            let key = if style == ScalarStyle::Plain && &*text == "<<" && !is_str_tag(tag) {
                Key::Merge
            } else {
                Key::Name(key_string(text, style, tag))
            };
            if anchor != 0 {
                let name = match &key {
                    Key::Name(name) => name.clone(),
                    Key::Merge => "<<".to_string(),
                };
                self.store(
                    anchor,
                    Value::String(name),
                    PositionTree::leaf(at),
                    1,
                    bytes,
                )?;
            }
            return self.set_key(key, at, 1, bytes);
        }
        let value = scalar_value(text, style, tag)?;
        self.attach(value, Children::Leaf, at, anchor, 1, bytes)
    }

    fn set_key(&mut self, key: Key, at: Span, nodes: u64, bytes: u64) -> Result<(), Failure> {
        if let Some(Frame {
            node: Node::Map { pending, .. },
            nodes: frame_nodes,
            bytes: frame_bytes,
            ..
        }) = self.stack.last_mut()
        {
            *pending = Some(PendingKey { key, span: at });
            *frame_nodes += nodes;
            *frame_bytes += bytes;
        }
        Ok(())
    }

    fn alias(&mut self, id: usize, at: Span) -> Result<(), Failure> {
        let Some(Some(anchored)) = self.anchors.get(id) else {
            return Err(Failure::RecursiveAlias);
        };
        let (nodes, bytes) = (anchored.nodes, anchored.bytes);
        self.charge(nodes, bytes)?;
        let Some(Some(anchored)) = self.anchors.get(id) else {
            return Err(Failure::RecursiveAlias);
        };
        if self.expects_key() {
            let name = value_key(&anchored.value).ok_or(Failure::ComplexKey)?;
            return self.set_key(Key::Name(name), at, nodes, bytes);
        }
        let value = anchored.value.clone();
        let children = anchored.tree.children.clone();
        self.attach(value, children, at, 0, nodes, bytes)
    }

    fn charge(&mut self, nodes: u64, bytes: u64) -> Result<(), Failure> {
        self.expanded_nodes = self.expanded_nodes.saturating_add(nodes);
        self.expanded_bytes = self.expanded_bytes.saturating_add(bytes);
        if self.expanded_nodes > self.limits.max_alias_nodes as u64 {
            return Err(Failure::AliasNodes(self.limits.max_alias_nodes));
        }
        if self.expanded_bytes > self.limits.max_document_bytes as u64 {
            return Err(Failure::AliasBytes(self.limits.max_document_bytes));
        }
        Ok(())
    }

    fn store(
        &mut self,
        anchor: usize,
        value: Value,
        tree: PositionTree,
        nodes: u64,
        bytes: u64,
    ) -> Result<(), Failure> {
        if !self.keep_anchors {
            return Ok(());
        }
        // Copying an anchored node is expansion work too (nested anchors copy again).
        self.charge(nodes, bytes)?;
        if self.anchors.len() <= anchor {
            self.anchors.resize_with(anchor + 1, || None);
        }
        self.anchors[anchor] = Some(Anchored {
            value,
            tree,
            nodes,
            bytes,
        });
        Ok(())
    }

    /// Place a completed node in its parent (or make it the root).
    fn attach(
        &mut self,
        value: Value,
        children: Children,
        start: Span,
        anchor: usize,
        nodes: u64,
        bytes: u64,
    ) -> Result<(), Failure> {
        if anchor != 0 && self.keep_anchors {
            let tree = PositionTree {
                span: start,
                children: children.clone(),
            };
            self.store(anchor, value.clone(), tree, nodes, bytes)?;
        }
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_some() {
                return Err(Failure::Syntax("more than one root node".to_string()));
            }
            self.root = Some((
                value,
                PositionTree {
                    span: start,
                    children,
                },
            ));
            return Ok(());
        };
        frame.nodes += nodes;
        frame.bytes += bytes;
        match &mut frame.node {
            Node::Seq { items, trees } => {
                items.push(value);
                trees.push(PositionTree {
                    span: start,
                    children,
                });
                Ok(())
            }
            Node::Map { pending, .. } => match pending.take() {
                // Only an alias or a collection can get here as a key; collections are
                // refused when they open.
                None => {
                    let name = value_key(&value).ok_or(Failure::ComplexKey)?;
                    *pending = Some(PendingKey {
                        key: Key::Name(name),
                        span: start,
                    });
                    Ok(())
                }
                Some(PendingKey {
                    key: Key::Name(name),
                    span,
                }) => {
                    self.insert(name, value, PositionTree { span, children });
                    Ok(())
                }
                Some(PendingKey {
                    key: Key::Merge, ..
                }) => self.merge(value, children),
            },
        }
    }

    fn insert(&mut self, name: String, value: Value, tree: PositionTree) {
        let exists = match self.stack.last() {
            Some(Frame {
                node: Node::Map { map, .. },
                ..
            }) => map.contains_key(&name),
            _ => return,
        };
        let pointer = if exists {
            Some(self.pointer_to(&name))
        } else {
            None
        };
        let Some(Frame {
            node: Node::Map {
                map, trees, merged, ..
            },
            ..
        }) = self.stack.last_mut()
        else {
            return;
        };
        if !exists {
            trees.push((name.clone().into_boxed_str(), tree));
            map.insert(name, value);
            return;
        }
        let key_span = tree.span;
        if let Some(slot) = trees.iter_mut().rev().find(|(k, _)| **k == *name) {
            let first = slot.1.span;
            slot.1 = tree;
            if let Some(i) = merged.iter().position(|m| *m == name) {
                // Overriding a merged key is what merge keys are for.
                merged.swap_remove(i);
            } else if let Some(pointer) = pointer {
                self.duplicates.push(DuplicateKey {
                    pointer,
                    first,
                    second: key_span,
                });
            }
        }
        map.insert(name, value);
    }

    /// Apply a `<<` merge: keys already present win, earlier mappings win over later ones.
    fn merge(&mut self, value: Value, children: Children) -> Result<(), Failure> {
        let sources: Vec<(Map<String, Value>, Children)> = match (value, children) {
            (Value::Object(map), children) => vec![(map, children)],
            (Value::Array(items), Children::Seq(trees)) => {
                let mut sources = Vec::with_capacity(items.len());
                let mut trees = trees.into_iter();
                for item in items {
                    let tree = trees.next().map(|t| t.children).unwrap_or_default();
                    match item {
                        Value::Object(map) => sources.push((map, tree)),
                        _ => return Err(Failure::BadMerge),
                    }
                }
                sources
            }
            _ => return Err(Failure::BadMerge),
        };
        let Some(Frame {
            node: Node::Map {
                map, trees, merged, ..
            },
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        for (mut source, source_children) in sources {
            let source_trees = match source_children {
                Children::Map(entries) => entries,
                _ => Vec::new(),
            };
            for (key, tree) in source_trees {
                let Some(value) = source.remove(&*key) else {
                    continue;
                };
                if map.contains_key(&*key) {
                    continue;
                }
                merged.push(key.to_string());
                map.insert(key.to_string(), value);
                trees.push((key, tree));
            }
        }
        Ok(())
    }

    /// JSON Pointer of a key in the innermost mapping being built.
    fn pointer_to(&self, name: &str) -> String {
        let mut pointer = String::new();
        let depth = self.stack.len().saturating_sub(1);
        for frame in &self.stack[..depth] {
            pointer.push('/');
            match &frame.node {
                Node::Seq { items, .. } => pointer.push_str(&items.len().to_string()),
                Node::Map { pending, .. } => match pending {
                    Some(PendingKey {
                        key: Key::Name(key),
                        ..
                    }) => pointer.push_str(&palisade_model::pointer::escape(key)),
                    _ => pointer.push_str("<<"),
                },
            }
        }
        pointer.push('/');
        pointer.push_str(&palisade_model::pointer::escape(name));
        pointer
    }
}

fn is_str_tag(tag: Option<&Tag>) -> bool {
    tag.is_some_and(|t| t.suffix == "str")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::{Duration, Instant};

    fn parse(text: &str) -> Document {
        parse_document(text, 0, &Limits::default())
            .unwrap()
            .unwrap()
    }

    fn line_of(doc: &Document, pointer: &str) -> u32 {
        let (span, found) = doc.positions.locate(pointer);
        assert!(found, "{pointer} not found");
        span.line
    }

    #[test]
    fn builds_values_and_positions() {
        let doc = parse("a: 1\nb:\n  - x\n  - c: yes\n    d: '0777'\n");
        assert_eq!(
            doc.value,
            json!({"a": 1, "b": ["x", {"c": true, "d": "0777"}]})
        );
        assert_eq!(doc.positions.span, Span::new(1, 1));
        assert_eq!(doc.positions.locate("/b").0, Span::new(2, 1));
        assert_eq!(doc.positions.locate("/b/0").0, Span::new(3, 5));
        assert_eq!(doc.positions.locate("/b/1").0, Span::new(4, 5));
        assert_eq!(doc.positions.locate("/b/1/d").0, Span::new(5, 5));
    }

    #[test]
    fn non_string_keys_become_strings() {
        let doc = parse("true: a\n1: b\n~: c\n'yes': d\n");
        assert_eq!(
            doc.value,
            json!({"true": "a", "1": "b", "null": "c", "yes": "d"})
        );
    }

    #[test]
    fn anchors_and_merge_keys() {
        let text = "\
base: &base
  a: 1
  b: 2
extra: &extra
  b: 3
  c: 4
one:
  <<: *base
  a: 10
two:
  <<: [*extra, *base]
  d: 5
three:
  x: 1
  <<: {x: 2, z: 3}
list: &list [p, q]
again: *list
";
        let doc = parse(text);
        assert_eq!(doc.value["one"], json!({"a": 10, "b": 2}));
        assert_eq!(doc.value["two"], json!({"b": 3, "c": 4, "a": 1, "d": 5}));
        assert_eq!(doc.value["three"], json!({"x": 1, "z": 3}));
        assert_eq!(doc.value["again"], json!(["p", "q"]));
        assert!(doc.duplicates.is_empty(), "{:?}", doc.duplicates);
        // Merged and aliased fields point at the anchored source.
        assert_eq!(line_of(&doc, "/one/a"), 9);
        assert_eq!(line_of(&doc, "/one/b"), 3);
        assert_eq!(line_of(&doc, "/two/b"), 5);
        assert_eq!(line_of(&doc, "/two/a"), 2);
        assert_eq!(line_of(&doc, "/again"), 17);
        assert_eq!(line_of(&doc, "/again/1"), 16);
    }

    #[test]
    fn bad_merge_and_complex_keys_fail() {
        let limits = Limits::default();
        let err = parse_document("a: &a 1\nb:\n  <<: *a\n", 0, &limits).unwrap_err();
        assert_eq!(err.failure, Failure::BadMerge);
        let err = parse_document("? [a, b]\n: c\n", 0, &limits).unwrap_err();
        assert_eq!(err.failure, Failure::ComplexKey);
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let text =
            "metadata:\n  name: a\n  labels:\n    x: 1\n    x: 2\nspec:\n  - k: 1\n    k: 2\n";
        let doc = parse(text);
        assert_eq!(doc.value["metadata"]["labels"], json!({"x": 2}));
        assert_eq!(line_of(&doc, "/metadata/labels/x"), 5);
        assert_eq!(
            doc.duplicates,
            [
                DuplicateKey {
                    pointer: "/metadata/labels/x".into(),
                    first: Span::new(4, 5),
                    second: Span::new(5, 5)
                },
                DuplicateKey {
                    pointer: "/spec/0/k".into(),
                    first: Span::new(7, 5),
                    second: Span::new(8, 5)
                },
            ]
        );
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = Instant::now();
        let err = parse_document(&text, 0, &Limits::default()).unwrap_err();
        assert!(matches!(err.failure, Failure::AliasNodes(_)), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn big_strings_through_aliases_are_bounded() {
        let limits = Limits {
            max_document_bytes: 10_000,
            ..Limits::default()
        };
        let big = "x".repeat(1000);
        let text = format!("a: &a {big}\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n");
        let err = parse_document(&text, 0, &limits).unwrap_err();
        assert!(matches!(err.failure, Failure::AliasBytes(_)), "{err:?}");
    }

    #[test]
    fn recursive_alias_fails() {
        let err = parse_document("a: &a [*a]\n", 0, &Limits::default()).unwrap_err();
        assert_eq!(err.failure, Failure::RecursiveAlias);
    }

    #[test]
    fn deep_nesting_fails_fast() {
        let started = Instant::now();
        for text in [
            "[".repeat(100_000),
            "{a: ".repeat(100_000),
            format!("{}x\n", "- ".repeat(100_000)),
            (0..100_000).fold(String::new(), |mut s, i| {
                s.push_str(&" ".repeat(i % 2000));
                s.push_str("a:\n");
                s
            }),
        ] {
            let err = parse_document(&text, 0, &Limits::default()).unwrap_err();
            assert!(err.line >= 1, "{err:?}");
        }
        assert!(started.elapsed() < Duration::from_secs(5));
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        let err = parse_document("a:\n  b:\n    c:\n      d: 1\n", 0, &limits).unwrap_err();
        assert_eq!(err.failure, Failure::TooDeep(3));
        assert_eq!(err.line, 4);
    }

    #[test]
    fn syntax_error_position_is_absolute() {
        let err = parse_document("a: 1\nb: [\n", 10, &Limits::default()).unwrap_err();
        assert!(matches!(err.failure, Failure::Syntax(_)));
        assert!(err.line > 10, "{err:?}");
    }

    #[test]
    fn empty_document() {
        assert!(parse_document("", 0, &Limits::default()).unwrap().is_none());
        let doc = parse_document("---\n# nothing\n", 0, &Limits::default()).unwrap();
        assert_eq!(doc.map(|d| d.value), Some(Value::Null));
    }
}
