//! Source positions for every node of a parsed document, kept as a tree that mirrors the value
//! so that any JSON Pointer inside an object maps back to a line and column.

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

/// Where each node of a value sits in the source. For a mapping value the span is that of its
/// key (`privileged: true` points at `privileged`), for a sequence item the start of the item,
/// for the root the start of the document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PositionTree {
    pub span: Span,
    pub children: Children,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Children {
    #[default]
    Leaf,
    Map(Vec<(Box<str>, PositionTree)>),
    Seq(Vec<PositionTree>),
}

impl PositionTree {
    pub fn leaf(span: Span) -> Self {
        Self {
            span,
            children: Children::Leaf,
        }
    }

    /// The child for one pointer segment (already unescaped).
    pub fn child(&self, segment: &str) -> Option<&PositionTree> {
        match &self.children {
            Children::Leaf => None,
            // Last entry wins, as the last duplicate key wins in the value.
            Children::Map(entries) => entries
                .iter()
                .rev()
                .find(|(key, _)| &**key == segment)
                .map(|(_, tree)| tree),
            Children::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        }
    }

    /// The subtree at a JSON Pointer, if every segment exists.
    pub fn get(&self, pointer: &str) -> Option<&PositionTree> {
        let mut node = self;
        for segment in crate::pointer::segments(pointer) {
            node = node.child(&segment)?;
        }
        Some(node)
    }

    /// The span of the node at `pointer`, or of its deepest existing ancestor when the field
    /// itself is absent (a finding about a missing field points at the object that lacks it).
    /// The flag says whether the exact node was found.
    pub fn locate(&self, pointer: &str) -> (Span, bool) {
        let mut node = self;
        for segment in crate::pointer::segments(pointer) {
            match node.child(&segment) {
                Some(next) => node = next,
                None => return (node.span, false),
            }
        }
        (node.span, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PositionTree {
        PositionTree {
            span: Span::new(1, 1),
            children: Children::Map(vec![
                ("kind".into(), PositionTree::leaf(Span::new(1, 1))),
                (
                    "spec".into(),
                    PositionTree {
                        span: Span::new(2, 1),
                        children: Children::Seq(vec![
                            PositionTree::leaf(Span::new(3, 3)),
                            PositionTree::leaf(Span::new(4, 3)),
                        ]),
                    },
                ),
                ("a/b".into(), PositionTree::leaf(Span::new(5, 1))),
            ]),
        }
    }

    #[test]
    fn locates_exact_and_ancestor() {
        let tree = sample();
        assert_eq!(tree.locate("/spec/1"), (Span::new(4, 3), true));
        assert_eq!(tree.locate("/spec/7"), (Span::new(2, 1), false));
        assert_eq!(tree.locate("/a~1b"), (Span::new(5, 1), true));
        assert_eq!(tree.locate(""), (Span::new(1, 1), true));
    }
}
