//! Builds one document from YAML events (those of the fast reader in `fast`, or of
//! `saphyr-parser` for everything it leaves) into a [`Value`] and a
//! [`PositionTree`], without recursion: anchors, aliases and merge keys are resolved,
//! duplicate keys are recorded (the last one wins), and the limits on nesting depth and alias
//! expansion are enforced while the events stream in, so hostile input fails fast.
//!
//! Positions go into one flat array in depth-first order as nodes start. Items and entries of
//! open collections wait on shared stacks and become a `Vec` or `Map` of exactly their size
//! when the collection ends; only mappings with merge keys or duplicate keys need their
//! position nodes reordered then.

use crate::Limits;
use crate::error::{Failure, Located};
use crate::scalar::{key_string, scalar_value, value_key};
use palisade_model::intern::Str;
use palisade_model::position::PositionNode;
use palisade_model::value::MapBuilder;
use palisade_model::{DuplicateKey, PositionTree, Span};
use palisade_model::{Map, Value};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};
use std::borrow::Cow;

/// A document as built from the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    pub value: Value,
    pub positions: PositionTree,
    pub duplicates: Vec<DuplicateKey>,
}

enum Key {
    Name(Str),
    Merge,
}

struct PendingKey {
    key: Key,
    span: Span,
}

/// A mapping entry waiting for its mapping to end.
struct Entry {
    key: Key,
    value: Value,
    /// Where the key is.
    span: Span,
    /// When the value was complete, to report duplicates in the order they were met.
    completed: u64,
}

enum Kind {
    Seq,
    Map { pending: Option<PendingKey> },
}

struct Frame {
    kind: Kind,
    /// Index of the collection's node in the position array.
    node: usize,
    /// Where its items or entries start on the shared stack.
    first: usize,
    /// Items or entries so far.
    children: usize,
    anchor: usize,
    /// Nodes and scalar bytes in the subtree, for the alias-expansion budget.
    nodes: u64,
    bytes: u64,
}

struct Anchored {
    value: Value,
    positions: Vec<PositionNode>,
    nodes: u64,
    bytes: u64,
}

/// Where an entry of a mapping being finished takes its positions from.
struct Slot {
    /// Index of the subtree in the position array.
    node: usize,
    /// The entry came from a merge key and may still be overridden silently.
    merged: bool,
}

struct Builder<'l> {
    limits: &'l Limits,
    first_line: u32,
    stack: Vec<Frame>,
    positions: Vec<PositionNode>,
    items: Vec<Value>,
    entries: Vec<Entry>,
    root: Option<Value>,
    /// Anchored nodes by anchor id; only kept when the text can contain an alias.
    keep_anchors: bool,
    anchors: Vec<Option<Anchored>>,
    expanded_nodes: u64,
    expanded_bytes: u64,
    completed: u64,
    duplicates: Vec<(u64, DuplicateKey)>,
    /// Scratch space for finishing mappings.
    slots: Vec<Slot>,
    reordered: Vec<PositionNode>,
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
    // Most manifests are plain block YAML, which the fast reader takes; it leaves anything
    // else, and every error, to the full parser.
    if !*FAST_READER {
        return parse_full(text, first_line, limits);
    }
    let mut builder = Builder::new(text, first_line, limits);
    let mut emit = |event: Event<'_>, line: u32, column: u32| {
        let at = Span::new(first_line.saturating_add(line), column.saturating_add(1));
        builder.event(event, at)
    };
    if crate::fast::read(text, &mut emit).is_ok()
        && builder.stack.is_empty()
        && let Some(document) = builder.finish()
    {
        return Ok(Some(document));
    }
    parse_full(text, first_line, limits)
}

/// `PALISADE_FAST_YAML=0` reads every document with `saphyr-parser` alone: a way to compare,
/// and to rule the fast reader out when a document reads unexpectedly.
static FAST_READER: std::sync::LazyLock<bool> =
    std::sync::LazyLock::new(|| std::env::var_os("PALISADE_FAST_YAML").is_none_or(|v| v != "0"));

/// [`parse_document`] with `saphyr-parser` alone.
pub(crate) fn parse_full(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Option<Document>, Located> {
    let mut builder = Builder::new(text, first_line, limits);
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
    Ok(builder.finish())
}

impl<'l> Builder<'l> {
    fn new(text: &str, first_line: u32, limits: &'l Limits) -> Self {
        Builder {
            limits,
            first_line,
            stack: Vec::new(),
            // About one node per 25 bytes of YAML; one allocation for most documents.
            positions: Vec::with_capacity(text.len() / 16 + 4),
            items: Vec::new(),
            entries: Vec::new(),
            root: None,
            keep_anchors: text.contains('*'),
            anchors: Vec::new(),
            expanded_nodes: 0,
            expanded_bytes: 0,
            completed: 0,
            duplicates: Vec::new(),
            slots: Vec::new(),
            reordered: Vec::new(),
        }
    }

    fn finish(self) -> Option<Document> {
        let Builder {
            root,
            positions,
            mut duplicates,
            ..
        } = self;
        duplicates.sort_by_key(|(completed, _)| *completed);
        root.map(|value| Document {
            value,
            positions: PositionTree::from(positions),
            duplicates: duplicates.into_iter().map(|(_, d)| d).collect(),
        })
    }
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
            Event::SequenceStart(anchor, _) => self.open(Kind::Seq, anchor, at),
            Event::MappingStart(anchor, _) => self.open(Kind::Map { pending: None }, anchor, at),
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
                kind: Kind::Map { pending: None },
                ..
            })
        )
    }

    /// Start the position node of a value: a mapping value is placed at its key.
    fn start_node(&mut self, at: Span) -> usize {
        let span = match self.stack.last() {
            Some(Frame {
                kind:
                    Kind::Map {
                        pending: Some(PendingKey { span, .. }),
                    },
                ..
            }) => *span,
            _ => at,
        };
        self.positions.push(PositionNode::leaf(span));
        self.positions.len() - 1
    }

    fn open(&mut self, kind: Kind, anchor: usize, at: Span) -> Result<(), Failure> {
        if self.expects_key() {
            return Err(Failure::ComplexKey);
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Failure::TooDeep(self.limits.max_depth));
        }
        let first = match kind {
            Kind::Seq => self.items.len(),
            Kind::Map { .. } => self.entries.len(),
        };
        let node = self.start_node(at);
        self.stack.push(Frame {
            kind,
            node,
            first,
            children: 0,
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
        let value = match frame.kind {
            Kind::Seq => Value::Array(self.items.drain(frame.first..).collect()),
            Kind::Map { .. } => Value::Object(self.finish_map(&frame)),
        };
        let size = saturate(self.positions.len() - frame.node);
        if let Some(node) = self.positions.get_mut(frame.node) {
            node.size = size;
        }
        self.attach(value, frame.node, frame.anchor, frame.nodes, frame.bytes)
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
                let name: Str = match &key {
                    Key::Name(name) => name.clone(),
                    Key::Merge => "<<".into(),
                };
                self.store(
                    anchor,
                    Value::String(name),
                    vec![PositionNode::leaf(at)],
                    1,
                    bytes,
                )?;
            }
            return self.set_key(key, at, 1, bytes);
        }
        let value = scalar_value(text, style, tag)?;
        let node = self.start_node(at);
        self.attach(value, node, anchor, 1, bytes)
    }

    fn set_key(&mut self, key: Key, at: Span, nodes: u64, bytes: u64) -> Result<(), Failure> {
        if let Some(Frame {
            kind: Kind::Map { pending },
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
        if self.expects_key() {
            let Some(Some(anchored)) = self.anchors.get(id) else {
                return Err(Failure::RecursiveAlias);
            };
            let name = value_key(&anchored.value).ok_or(Failure::ComplexKey)?;
            return self.set_key(Key::Name(name.into()), at, nodes, bytes);
        }
        let node = self.start_node(at);
        let Some(Some(anchored)) = self.anchors.get(id) else {
            return Err(Failure::RecursiveAlias);
        };
        let value = anchored.value.clone();
        // The copy keeps the anchored node's inner positions; its root sits at the alias.
        if let Some(inner) = anchored.positions.get(1..) {
            self.positions.extend_from_slice(inner);
        }
        let size = saturate(self.positions.len() - node);
        if let Some(root) = self.positions.get_mut(node) {
            root.size = size;
        }
        self.attach(value, node, 0, nodes, bytes)
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
        positions: Vec<PositionNode>,
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
            positions,
            nodes,
            bytes,
        });
        Ok(())
    }

    /// Place a completed node, whose positions start at `node`, in its parent (or make it the
    /// root).
    fn attach(
        &mut self,
        value: Value,
        node: usize,
        anchor: usize,
        nodes: u64,
        bytes: u64,
    ) -> Result<(), Failure> {
        if anchor != 0 && self.keep_anchors {
            let positions = self.positions.get(node..).unwrap_or_default().to_vec();
            self.store(anchor, value.clone(), positions, nodes, bytes)?;
        }
        self.completed += 1;
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_some() {
                return Err(Failure::Syntax("more than one root node".to_string()));
            }
            self.root = Some(value);
            return Ok(());
        };
        frame.nodes += nodes;
        frame.bytes += bytes;
        frame.children += 1;
        match &mut frame.kind {
            Kind::Seq => {
                self.items.push(value);
                Ok(())
            }
            // Scalar keys and aliases used as keys never get here, and collections are
            // refused as keys when they open.
            Kind::Map { pending } => match pending.take() {
                None => Err(Failure::ComplexKey),
                Some(PendingKey { key, span }) => {
                    if matches!(key, Key::Merge) && !is_merge_source(&value) {
                        return Err(Failure::BadMerge);
                    }
                    self.entries.push(Entry {
                        key,
                        value,
                        span,
                        completed: self.completed,
                    });
                    Ok(())
                }
            },
        }
    }

    /// Turn the entries of a mapping that ended into its map: the last of duplicate keys wins
    /// (in the place of the first, as in the value), merge keys add the keys not yet present,
    /// and the position nodes of the children are put in the order of the map's entries.
    fn finish_map(&mut self, frame: &Frame) -> Map {
        let first = frame.first.min(self.entries.len());
        let capacity = self.entries[first..]
            .iter()
            .map(|entry| match (&entry.key, &entry.value) {
                (Key::Name(_), _) => 1,
                (Key::Merge, Value::Object(map)) => map.len(),
                (Key::Merge, Value::Array(items)) => items
                    .iter()
                    .map(|item| item.as_object().map_or(0, Map::len))
                    .sum(),
                (Key::Merge, _) => 0,
            })
            .sum();
        let mut map = MapBuilder::with_capacity(capacity);
        let mut slots = std::mem::take(&mut self.slots);
        slots.clear();
        let mut reorder = false;
        let mut child = frame.node + 1;
        let mut entries = std::mem::take(&mut self.entries);
        for entry in entries.drain(first..) {
            let node = child;
            child += self.subtree_len(node);
            match entry.key {
                Key::Name(name) => {
                    let Some(at) = map.position(&name) else {
                        map.append(name, entry.value);
                        slots.push(Slot {
                            node,
                            merged: false,
                        });
                        continue;
                    };
                    map.replace(at, entry.value);
                    let Some(slot) = slots.get_mut(at) else {
                        continue;
                    };
                    reorder = true;
                    let earlier = self.positions.get(slot.node).map(|n| n.span);
                    slot.node = node;
                    if slot.merged {
                        // Overriding a merged key is what merge keys are for.
                        slot.merged = false;
                    } else if let Some(first) = earlier {
                        let pointer = self.pointer_to(&name);
                        self.duplicates.push((
                            entry.completed,
                            DuplicateKey {
                                pointer,
                                first,
                                second: entry.span,
                            },
                        ));
                    }
                }
                Key::Merge => {
                    reorder = true;
                    let sources: Vec<(Map, usize)> = match entry.value {
                        Value::Object(source) => vec![(source, node)],
                        Value::Array(items) => {
                            let mut sources = Vec::with_capacity(items.len());
                            let mut item_node = node + 1;
                            for item in items {
                                let at = item_node;
                                item_node += self.subtree_len(at);
                                if let Value::Object(source) = item {
                                    sources.push((source, at));
                                }
                            }
                            sources
                        }
                        _ => Vec::new(),
                    };
                    for (source, source_node) in sources {
                        let mut source_child = source_node + 1;
                        for (key, value) in source {
                            let at = source_child;
                            source_child += self.subtree_len(at);
                            if map.contains_key(&key) {
                                continue;
                            }
                            map.append(key, value);
                            slots.push(Slot {
                                node: at,
                                merged: true,
                            });
                        }
                    }
                }
            }
        }
        if reorder {
            let mut reordered = std::mem::take(&mut self.reordered);
            reordered.clear();
            for slot in &slots {
                let end = slot.node + self.subtree_len(slot.node);
                if let Some(nodes) = self.positions.get(slot.node..end) {
                    reordered.extend_from_slice(nodes);
                }
            }
            self.positions.truncate(frame.node + 1);
            self.positions.extend_from_slice(&reordered);
            self.reordered = reordered;
        }
        self.slots = slots;
        self.entries = entries;
        map.build()
    }

    fn subtree_len(&self, node: usize) -> usize {
        self.positions
            .get(node)
            .map_or(1, |n| (n.size as usize).max(1))
    }

    /// JSON Pointer of a key in the mapping that just ended (the innermost open collection
    /// holds it).
    fn pointer_to(&self, name: &str) -> String {
        let mut pointer = String::new();
        for frame in &self.stack {
            pointer.push('/');
            match &frame.kind {
                Kind::Seq => pointer.push_str(&frame.children.to_string()),
                Kind::Map { pending } => match pending {
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

/// What a merge key accepts: a mapping or a sequence of mappings.
fn is_merge_source(value: &Value) -> bool {
    match value {
        Value::Object(_) => true,
        Value::Array(items) => items.iter().all(Value::is_object),
        _ => false,
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
        let (span, found) = doc.positions.locate(&doc.value, pointer);
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
        assert_eq!(doc.positions.span(), Span::new(1, 1));
        assert_eq!(doc.positions.locate(&doc.value, "/b").0, Span::new(2, 1));
        assert_eq!(doc.positions.locate(&doc.value, "/b/0").0, Span::new(3, 5));
        assert_eq!(doc.positions.locate(&doc.value, "/b/1").0, Span::new(4, 5));
        assert_eq!(
            doc.positions.locate(&doc.value, "/b/1/d").0,
            Span::new(5, 5)
        );
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
    fn repeated_collections_keep_sibling_positions() {
        let text = "a:\n  x: 1\nb: [1, 2]\na:\n  w: 3\n  z: 4\nc: 5\nd:\n  <<: {p: 1, q: 2}\n  p: 3\n  p: 4\n";
        let doc = parse(text);
        assert_eq!(
            doc.value,
            json!({"a": {"w": 3, "z": 4}, "b": [1, 2], "c": 5, "d": {"p": 4, "q": 2}})
        );
        assert_eq!(line_of(&doc, "/a"), 4);
        assert_eq!(line_of(&doc, "/a/z"), 6);
        assert_eq!(line_of(&doc, "/b"), 3);
        assert_eq!(line_of(&doc, "/b/1"), 3);
        assert_eq!(line_of(&doc, "/c"), 7);
        assert_eq!(line_of(&doc, "/d/p"), 11);
        assert_eq!(line_of(&doc, "/d/q"), 9);
        assert_eq!(
            doc.positions.locate(&doc.value, "/a/x"),
            (Span::new(4, 1), false)
        );
        // In the order the repeated values were complete; overriding a merged key is fine.
        let pointers: Vec<_> = doc.duplicates.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a", "/d/p"]);
        assert_eq!(doc.duplicates[1].first, Span::new(10, 3));
        assert_eq!(doc.positions.nodes().len(), 11);
    }

    #[test]
    fn duplicates_in_large_maps_keep_first_place_last_value() {
        let mut text = String::new();
        for i in 0..20 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("k3: again\nk20: {a: 1}\nk0: [x]\n");
        let doc = parse(&text);
        let keys: Vec<_> = doc.value.as_object().unwrap().keys().collect();
        let expected: Vec<String> = (0..21).map(|i| format!("k{i}")).collect();
        assert_eq!(keys, expected);
        assert_eq!(doc.value["k3"], json!("again"));
        assert_eq!(doc.value["k0"], json!(["x"]));
        assert_eq!(line_of(&doc, "/k3"), 21);
        assert_eq!(line_of(&doc, "/k20/a"), 22);
        assert_eq!(line_of(&doc, "/k0/0"), 23);
        assert_eq!(line_of(&doc, "/k19"), 20);
        let pointers: Vec<_> = doc.duplicates.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/k3", "/k0"]);
        assert_eq!(doc.duplicates[0].first, Span::new(4, 1));
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
