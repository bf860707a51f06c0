//! Source positions for every node of a parsed document, kept as one flat array in the order a
//! depth-first walk of the value visits its nodes, so that any JSON Pointer inside an object maps
//! back to a line and column. The array holds no keys: the children of a mapping node line up
//! with the entries of the value's map in their order, so locating a pointer walks the value and
//! the array together.

use crate::value::Value;
use serde::Serialize;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
}

impl Span {
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

/// One node of a [`PositionTree`]: where it is, and how many nodes its subtree holds (itself
/// included), so that the next sibling starts `size` places further on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PositionNode {
    pub span: Span,
    pub size: u32,
}

impl PositionNode {
    pub const fn leaf(span: Span) -> Self {
        Self { span, size: 1 }
    }
}

/// Where each node of a value sits in the source. For a mapping value the span is that of its
/// key (`privileged: true` points at `privileged`), for a sequence item the start of the item,
/// for the root the start of the document.
///
/// Nodes are stored in depth-first order (a node, then the subtrees of its children in order);
/// the children of a mapping follow the order of the entries of the value's map, those of a
/// sequence the order of its items. The tree only makes sense together with the value it was
/// built for; the empty (default) tree places everything at line 0, column 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PositionTree {
    nodes: Box<[PositionNode]>,
}

impl From<Vec<PositionNode>> for PositionTree {
    fn from(nodes: Vec<PositionNode>) -> Self {
        // A copy of the exact size: shrinking in place (`into_boxed_slice`) may keep the
        // whole capacity, as allocators keep a block that is at least half used, and trees
        // live as long as their objects.
        let nodes = if nodes.capacity() > nodes.len() {
            Box::from(nodes.as_slice())
        } else {
            nodes.into_boxed_slice()
        };
        Self { nodes }
    }
}

impl PositionTree {
    /// A tree of one node (a scalar, or a value whose inner positions are unknown).
    pub fn leaf(span: Span) -> Self {
        Self {
            nodes: Box::new([PositionNode::leaf(span)]),
        }
    }

    /// The nodes in depth-first order.
    pub fn nodes(&self) -> &[PositionNode] {
        &self.nodes
    }

    /// The span of the root node.
    pub fn span(&self) -> Span {
        self.nodes.first().map(|n| n.span).unwrap_or_default()
    }

    /// The span of the node at `index`.
    pub fn span_at(&self, index: usize) -> Option<Span> {
        self.nodes.get(index).map(|n| n.span)
    }

    /// The index of the `child`-th child (0-based) of the node at `index`.
    pub fn child(&self, index: usize, child: usize) -> Option<usize> {
        let end = index.checked_add(self.subtree_len(index)?)?;
        let mut at = index + 1;
        for _ in 0..child {
            at = at.checked_add(self.subtree_len(at)?)?;
        }
        (at < end.min(self.nodes.len())).then_some(at)
    }

    /// The indices of the children of the node at `index`, in order.
    pub fn children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self
            .subtree_len(index)
            .map_or(0, |len| index.saturating_add(len).min(self.nodes.len()));
        let mut at = index + 1;
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let this = at;
            at = at.saturating_add(self.subtree_len(at).unwrap_or(1));
            Some(this)
        })
    }

    /// The subtree rooted at `index`, as a tree of its own.
    pub fn subtree(&self, index: usize) -> Option<PositionTree> {
        let len = self.subtree_len(index)?;
        let nodes = self.nodes.get(index..index.checked_add(len)?)?;
        Some(Self {
            nodes: nodes.into(),
        })
    }

    fn subtree_len(&self, index: usize) -> Option<usize> {
        self.nodes.get(index).map(|n| (n.size as usize).max(1))
    }

    /// The span of the node at `pointer` in `value` (the value this tree was built for), or of
    /// its deepest existing ancestor when the field itself is absent (a finding about a missing
    /// field points at the object that lacks it). The flag says whether the exact node was
    /// found.
    pub fn locate(&self, value: &Value, pointer: &str) -> (Span, bool) {
        let mut index = 0;
        let mut value = value;
        let mut span = self.span();
        for segment in crate::pointer::segments(pointer) {
            let next = match value {
                Value::Object(map) => map
                    .iter()
                    .enumerate()
                    .find(|(_, (key, _))| **key == segment)
                    .map(|(i, (_, child))| (i, child)),
                Value::Array(items) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).map(|child| (i, child))),
                _ => None,
            };
            let Some((child, child_value)) = next else {
                return (span, false);
            };
            let Some(child_index) = self.child(index, child) else {
                return (span, false);
            };
            index = child_index;
            value = child_value;
            span = self.nodes[index].span;
        }
        (span, !self.nodes.is_empty() || pointer.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value;

    fn node(line: u32, column: u32, size: u32) -> PositionNode {
        PositionNode {
            span: Span::new(line, column),
            size,
        }
    }

    fn sample() -> (Value, PositionTree) {
        let value = value!({"kind": "Pod", "spec": ["a", "b"], "a/b": 1});
        let tree = PositionTree::from(vec![
            node(1, 1, 6),
            node(1, 1, 1),
            node(2, 1, 3),
            node(3, 3, 1),
            node(4, 3, 1),
            node(5, 1, 1),
        ]);
        (value, tree)
    }

    #[test]
    fn locates_exact_and_ancestor() {
        let (value, tree) = sample();
        assert_eq!(tree.locate(&value, "/spec/1"), (Span::new(4, 3), true));
        assert_eq!(tree.locate(&value, "/spec/7"), (Span::new(2, 1), false));
        assert_eq!(tree.locate(&value, "/a~1b"), (Span::new(5, 1), true));
        assert_eq!(tree.locate(&value, "/nope/x"), (Span::new(1, 1), false));
        assert_eq!(tree.locate(&value, ""), (Span::new(1, 1), true));
    }

    #[test]
    fn subtrees_and_children() {
        let (_, tree) = sample();
        assert_eq!(tree.child(0, 1), Some(2));
        assert_eq!(tree.child(0, 2), Some(5));
        assert_eq!(tree.child(0, 3), None);
        assert_eq!(tree.child(2, 1), Some(4));
        assert_eq!(tree.child(2, 2), None);
        assert_eq!(tree.children(0).collect::<Vec<_>>(), [1, 2, 5]);
        assert_eq!(tree.children(2).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(tree.children(9).count(), 0);
        let spec = tree.subtree(2).unwrap();
        assert_eq!(
            spec.locate(&value!(["a", "b"]), "/1"),
            (Span::new(4, 3), true)
        );
    }

    #[test]
    fn mismatched_or_empty_trees_do_not_panic() {
        let (value, _) = sample();
        let empty = PositionTree::default();
        assert_eq!(empty.locate(&value, ""), (Span::default(), true));
        assert_eq!(empty.locate(&value, "/spec/1"), (Span::default(), false));
        let short = PositionTree::from(vec![node(1, 1, 9), node(2, 1, 1)]);
        assert_eq!(short.locate(&value, "/spec/1"), (Span::new(1, 1), false));
    }
}
