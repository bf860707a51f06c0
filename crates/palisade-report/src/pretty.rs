//! Pretty-printed JSON written in pieces, for the JSON and SARIF reports.
//!
//! A report of hundreds of thousands of findings is too big to build as one value and too slow
//! to serialise on one thread. The reports write their skeleton themselves and have serde_json
//! write the pieces (one finding, one rule, the summary) into byte buffers, each at the depth
//! it sits at in the document, so several threads can work on consecutive findings at once.
//! The bytes are exactly those `serde_json::to_writer_pretty` gives for the whole document,
//! or, in the [`Layout::Compact`] layout, those of `serde_json::to_writer`.
//! [`in_order`] is not tied to JSON: the JUnit report renders its test cases with it too.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::Formatter;
use std::io::{self, Write};

/// Indentation of one level, as `serde_json`'s pretty printer has it.
const INDENT: &[u8] = b"  ";

/// Elements rendered by one task, and written with one call.
const CHUNK: usize = 512;

/// Chunks rendered per round, per thread: enough to keep every thread busy, few enough that
/// the report is never held in memory (a round of large findings is a few megabytes).
const CHUNKS_PER_THREAD: usize = 4;

/// Whether a document is indented, one member or item per line, or written without any
/// whitespace (a quarter smaller, for files and pipes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Indented,
    Compact,
}

impl Layout {
    /// Before an item or a key `depth` levels deep: the separator and, indented, a new line.
    fn separate<W: ?Sized + Write>(
        self,
        writer: &mut W,
        first: bool,
        depth: usize,
    ) -> io::Result<()> {
        match self {
            Self::Indented => {
                writer.write_all(if first { b"\n" } else { b",\n" })?;
                indent(writer, depth)
            }
            Self::Compact if first => Ok(()),
            Self::Compact => writer.write_all(b","),
        }
    }

    /// Before the bracket that closes a non-empty array or object `depth` levels deep.
    fn close<W: ?Sized + Write>(self, writer: &mut W, depth: usize) -> io::Result<()> {
        match self {
            Self::Indented => {
                writer.write_all(b"\n")?;
                indent(writer, depth)
            }
            Self::Compact => Ok(()),
        }
    }

    /// Between a key and its value.
    fn colon(self) -> &'static [u8] {
        match self {
            Self::Indented => b": ",
            Self::Compact => b":",
        }
    }
}

/// `serde_json`'s `PrettyFormatter` (or, compact, its `CompactFormatter`), starting at a given
/// depth instead of at the top.
struct Indented {
    depth: usize,
    has_value: bool,
    layout: Layout,
}

fn indent<W: ?Sized + Write>(writer: &mut W, depth: usize) -> io::Result<()> {
    const SPACES: &[u8] = &[b' '; 64];
    let mut width = depth * INDENT.len();
    while width > 0 {
        let step = width.min(SPACES.len());
        writer.write_all(&SPACES[..step])?;
        width -= step;
    }
    Ok(())
}

impl Indented {
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.layout.close(writer, self.depth)?;
        }
        writer.write_all(bracket)
    }

    /// Before an item or a key: a line of its own at the current depth.
    fn separate<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        self.layout.separate(writer, first, self.depth)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.separate(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.separate(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(self.layout.colon())
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Append `value`, printed as if it sat `depth` levels deep in a document.
pub(crate) fn value<T: Serialize + ?Sized>(
    buffer: &mut Vec<u8>,
    layout: Layout,
    depth: usize,
    value: &T,
) -> io::Result<()> {
    let formatter = Indented {
        depth,
        has_value: false,
        layout,
    };
    let mut serializer = serde_json::Serializer::with_formatter(buffer, formatter);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// The members of an object whose braces the caller writes, one at a time.
pub(crate) struct Members {
    /// Depth of the object: its members are one level deeper.
    depth: usize,
    first: bool,
    layout: Layout,
}

impl Members {
    /// Members of an object `depth` levels deep, after its `{`.
    pub(crate) fn new(layout: Layout, depth: usize) -> Self {
        Self {
            depth,
            first: true,
            layout,
        }
    }

    /// Append the separator, the indentation and `"key": `; the value comes next, at
    /// [`Members::depth`]` + 1`.
    pub(crate) fn key(&mut self, buffer: &mut Vec<u8>, key: &str) -> io::Result<()> {
        self.layout.separate(buffer, self.first, self.depth + 1)?;
        self.first = false;
        serde_json::to_writer(&mut *buffer, key).map_err(io::Error::from)?;
        buffer.write_all(self.layout.colon())
    }

    /// Append a whole member.
    pub(crate) fn member<T: Serialize + ?Sized>(
        &mut self,
        buffer: &mut Vec<u8>,
        key: &str,
        member: &T,
    ) -> io::Result<()> {
        self.key(buffer, key)?;
        value(buffer, self.layout, self.depth + 1, member)
    }

    /// Append what closes the object: a newline and indentation when it had members, then `}`.
    pub(crate) fn end(self, buffer: &mut Vec<u8>) -> io::Result<()> {
        if !self.first {
            self.layout.close(buffer, self.depth)?;
        }
        buffer.write_all(b"}")
    }
}

/// Write an array `depth` levels deep whose elements `element` appends, one buffer per chunk
/// of elements rendered in parallel and written in order. Gives the same bytes as serialising
/// the elements as one sequence.
pub(crate) fn array<T: Sync>(
    out: &mut dyn Write,
    layout: Layout,
    depth: usize,
    items: &[T],
    element: impl Fn(&mut Vec<u8>, &T) -> io::Result<()> + Sync,
) -> io::Result<()> {
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    in_order(out, items, |buffer, index, item| {
        layout.separate(buffer, index == 0, depth + 1)?;
        element(buffer, item)
    })?;
    let mut end = Vec::new();
    layout.close(&mut end, depth)?;
    end.push(b']');
    out.write_all(&end)
}

/// Render `items` in parallel into byte buffers, a chunk of consecutive items each, and write
/// the buffers to `out` in the items' order. `render` gets an item's index in `items`. Work
/// goes in rounds of a few chunks per thread so memory stays bounded whatever the length, and
/// the next round renders while this one is written.
pub(crate) fn in_order<T: Sync>(
    out: &mut dyn Write,
    items: &[T],
    render: impl Fn(&mut Vec<u8>, usize, &T) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let round = CHUNK * CHUNKS_PER_THREAD * rayon::current_num_threads().max(1);
    // Each round renders into the buffers of the round before the one being written: memory
    // already touched, at the size it grew to, instead of fresh buffers grown by copying.
    let render_round = |start: usize, mut buffers: Vec<Vec<u8>>| -> io::Result<Vec<Vec<u8>>> {
        let end = (start + round).min(items.len());
        buffers.resize_with((end - start).div_ceil(CHUNK), Vec::new);
        items[start..end]
            .par_chunks(CHUNK)
            .zip(buffers)
            .enumerate()
            .map(|(chunk, (elements, mut buffer))| {
                buffer.clear();
                for (offset, item) in elements.iter().enumerate() {
                    render(&mut buffer, start + chunk * CHUNK + offset, item)?;
                }
                Ok(buffer)
            })
            .collect()
    };

    let mut current = render_round(0, Vec::new())?;
    let mut spare = Vec::new();
    let mut start = round;
    loop {
        let mut next = None;
        let recycled = std::mem::take(&mut spare);
        let written = rayon::in_place_scope(|scope| {
            if start < items.len() {
                let (next, render_round) = (&mut next, &render_round);
                scope.spawn(move |_| *next = Some(render_round(start, recycled)));
            }
            current.iter().try_for_each(|buffer| out.write_all(buffer))
        });
        written?;
        match next {
            Some(rendered) => spare = std::mem::replace(&mut current, rendered?),
            None => return Ok(()),
        }
        start += round;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested() -> serde_json::Value {
        json!({
            "empty object": {},
            "empty array": [],
            "list": [1, "two", null, true, { "a": [[], {}, [3]] }],
            "text": "quote \" backslash \\ newline \n tab \t escape \u{1b} é",
        })
    }

    #[test]
    fn a_piece_is_printed_at_its_depth() {
        // Inside `{"outer": [ <here> ]}`, the value sits two levels deep.
        let mut buffer = b"{\n  \"outer\": [\n    ".to_vec();
        value(&mut buffer, Layout::Indented, 2, &nested()).unwrap();
        buffer.extend_from_slice(b"\n  ]\n}");
        let whole = serde_json::to_vec_pretty(&json!({ "outer": [nested()] })).unwrap();
        assert_eq!(
            String::from_utf8(buffer).unwrap(),
            String::from_utf8(whole).unwrap()
        );
        let mut compact = b"{\"outer\":[".to_vec();
        value(&mut compact, Layout::Compact, 2, &nested()).unwrap();
        compact.extend_from_slice(b"]}");
        let whole = serde_json::to_vec(&json!({ "outer": [nested()] })).unwrap();
        assert_eq!(
            String::from_utf8(compact).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }

    #[test]
    fn members_match_an_object() {
        let document = json!([{ "a \"key\"": nested(), "b": [1, 2] }]);
        for (layout, start, end, whole) in [
            (
                Layout::Indented,
                &b"[\n  {"[..],
                &b"\n]"[..],
                serde_json::to_vec_pretty(&document).unwrap(),
            ),
            (
                Layout::Compact,
                b"[{",
                b"]",
                serde_json::to_vec(&document).unwrap(),
            ),
        ] {
            let mut buffer = start.to_vec();
            let mut members = Members::new(layout, 1);
            members.member(&mut buffer, "a \"key\"", &nested()).unwrap();
            members.key(&mut buffer, "b").unwrap();
            value(&mut buffer, layout, 2, &[1, 2]).unwrap();
            members.end(&mut buffer).unwrap();
            buffer.extend_from_slice(end);
            assert_eq!(
                String::from_utf8(buffer).unwrap(),
                String::from_utf8(whole).unwrap()
            );

            let mut empty = Vec::new();
            Members::new(layout, 3).end(&mut empty).unwrap();
            assert_eq!(empty, b"}");
        }
    }

    #[test]
    fn chunked_arrays_match_sequential_serialisation() {
        // Around the chunk and round sizes, where an off-by-one would show.
        let round = CHUNK * CHUNKS_PER_THREAD * rayon::current_num_threads().max(1);
        for len in [
            0,
            1,
            2,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            round,
            round + 1,
            2 * round + 7,
        ] {
            let items: Vec<serde_json::Value> = (0..len)
                .map(|i| json!({ "index": i, "nested": { "list": [i, "x"] } }))
                .collect();
            let document = json!({ "items": items });
            for (layout, start, end, whole) in [
                (
                    Layout::Indented,
                    &b"{\n  \"items\": "[..],
                    &b"\n}"[..],
                    serde_json::to_vec_pretty(&document).unwrap(),
                ),
                (
                    Layout::Compact,
                    b"{\"items\":",
                    b"}",
                    serde_json::to_vec(&document).unwrap(),
                ),
            ] {
                let mut out = start.to_vec();
                array(&mut out, layout, 1, &items, |buffer, item| {
                    value(buffer, layout, 2, item)
                })
                .unwrap();
                out.extend_from_slice(end);
                assert!(out == whole, "{len} items, {layout:?}");
            }
        }
    }

    #[test]
    fn render_sees_each_index_once_in_order() {
        let items: Vec<usize> = (0..5000).collect();
        let mut out = Vec::new();
        in_order(&mut out, &items, |buffer, index, item| {
            assert_eq!(index, *item);
            writeln!(buffer, "{index}")
        })
        .unwrap();
        let expected: String = items.iter().map(|i| format!("{i}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn errors_reach_the_caller() {
        let items = [1, 2, 3];
        let failed = in_order(&mut Vec::new(), &items, |_, index, _| {
            if index == 2 {
                Err(io::Error::other("no"))
            } else {
                Ok(())
            }
        });
        assert!(failed.is_err());
    }
}
