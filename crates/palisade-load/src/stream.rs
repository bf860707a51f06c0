//! Reads a manifest file in blocks and loads the complete documents of each block before
//! reading on, so a large stream never sits in memory whole: only the current block and the
//! document still open at its end are kept. Files that may need the JSON fallback (named
//! `.json`, or starting like JSON) are read in blocks too; when a document of one fails, the
//! file is read again whole for the fallback, which compares both readings of the stream.

use crate::error::Failure;
use crate::{Batch, Limits, Loaded, looks_like_json, parse_source, split};
use palisade_model::intern::Str;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Bytes read at a time; large enough that each block holds thousands of documents to parse
/// in parallel.
const BLOCK: usize = 8 << 20;

const BOM: &str = "\u{feff}";

pub(crate) fn load_file(path: &Path, file: &Str, limits: &Limits) -> Result<Loaded, Failure> {
    let again = || std::fs::read(path).map_err(read_error);
    load_blocks(
        File::open(path).map_err(read_error)?,
        file,
        limits,
        BLOCK,
        Some(&again),
    )
}

/// Reads the whole input again, for the JSON fallback.
type ReadAgain<'a> = Option<&'a (dyn Fn() -> Result<Vec<u8>, Failure> + Sync)>;

fn read_error(e: std::io::Error) -> Failure {
    Failure::Read(e.to_string())
}

/// Append up to `want` bytes; true at the end of the input.
fn fill(reader: &mut impl Read, buffer: &mut Vec<u8>, want: usize) -> Result<bool, Failure> {
    let want = u64::try_from(want).unwrap_or(u64::MAX);
    let read = reader
        .by_ref()
        .take(want)
        .read_to_end(buffer)
        .map_err(read_error)?;
    Ok((read as u64) < want)
}

fn utf8(bytes: &[u8], offset: usize) -> Result<&str, Failure> {
    std::str::from_utf8(bytes).map_err(|e| Failure::NotUtf8(offset + e.valid_up_to()))
}

/// One block of the input, split into documents: the complete ones are parsed while the next
/// block is read.
struct Block {
    /// The whole lines of the block (all of it at the end of the input), checked once as UTF-8.
    text: String,
    /// The bytes after the last line end, which the next block completes.
    tail: Vec<u8>,
    eof: bool,
    /// Bytes of the input before `text`.
    offset: usize,
    /// Bytes at the start of `text` that are no document (a byte-order mark).
    skip: usize,
    /// Documents of `text[skip..]`; the last one may go on in the next block.
    chunks: Vec<split::Chunk>,
}

impl Block {
    fn new(mut buffer: Vec<u8>, eof: bool, offset: usize) -> Result<Self, Failure> {
        // Only whole lines, so that no marker line is judged on a part of it.
        let usable = if eof {
            buffer.len()
        } else {
            buffer
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
        };
        let tail = buffer.split_off(usable);
        let text = String::from_utf8(buffer)
            .map_err(|e| Failure::NotUtf8(offset + e.utf8_error().valid_up_to()))?;
        let skip = if offset == 0 && text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let chunks = split::split(&text[skip..]);
        Ok(Self {
            text,
            tail,
            eof,
            offset,
            skip,
            chunks,
        })
    }

    fn text(&self) -> &str {
        &self.text[self.skip..]
    }

    /// The documents that end in this block, and where the rest (the last document, which
    /// may go on) starts in `text` and on which line of it.
    fn complete(&self) -> (&[split::Chunk], usize, u32) {
        match self.chunks.split_last() {
            _ if self.eof => (&self.chunks[..], self.text().len(), 0),
            Some((last, complete)) => (complete, last.start, last.line),
            None => (&self.chunks[..], 0, 0),
        }
    }

    /// The block after this one: the unfinished rest of this block and at least as many new
    /// bytes as it keeps, so a huge document is scanned a few times only. The block is read
    /// into `buffer`, the memory of a block already parsed: memory the process has touched is
    /// much cheaper to fill than fresh memory.
    fn next(
        &self,
        reader: &mut impl Read,
        block: usize,
        mut buffer: Vec<u8>,
    ) -> Result<Self, Failure> {
        let (_, rest, _) = self.complete();
        let consumed = self.skip + rest;
        let kept = &self.text.as_bytes()[consumed..];
        let want = block.max(kept.len() + self.tail.len());
        buffer.clear();
        buffer.reserve(kept.len() + self.tail.len() + want);
        buffer.extend_from_slice(kept);
        buffer.extend_from_slice(&self.tail);
        let eof = fill(reader, &mut buffer, want)?;
        Self::new(buffer, eof, self.offset + consumed)
    }
}

pub(crate) fn load_blocks(
    mut reader: impl Read + Send,
    file: &Str,
    limits: &Limits,
    block: usize,
    again: ReadAgain<'_>,
) -> Result<Loaded, Failure> {
    let mut buffer = Vec::new();
    let eof = fill(&mut reader, &mut buffer, block)?;
    let start = match std::str::from_utf8(&buffer) {
        Ok(text) => text,
        Err(e) => utf8(&buffer[..e.valid_up_to()], 0)?,
    };
    let start = start.strip_prefix(BOM).unwrap_or(start);
    let json = looks_like_json(file, start);
    if eof || start.trim_start().is_empty() || (json && again.is_none()) {
        if !eof {
            reader.read_to_end(&mut buffer).map_err(read_error)?;
        }
        return Ok(parse_source(utf8(&buffer, 0)?, file.clone(), limits));
    }

    let mut loaded = Loaded {
        files: 1,
        ..Loaded::default()
    };
    // Lines and documents of the input before the current block's text.
    let mut first_line: u32 = 0;
    let mut first_document = 0;
    let mut current = Block::new(buffer, eof, 0)?;
    let mut spare = Vec::new();
    loop {
        let (complete, _, rest_line) = current.complete();
        let batch = Batch {
            text: current.text(),
            chunks: complete,
            first_line,
            first_document,
        };
        // Parse this block's documents while the next block is read and split.
        let (settled, next) = rayon::join(
            || batch.parse(file, limits),
            || (!current.eof).then(|| current.next(&mut reader, block, spare)),
        );
        Batch::add(settled, &mut loaded);
        let Some(next) = next else {
            if let Some(again) = again.filter(|_| json && !loaded.errors.is_empty()) {
                // A document failed: the fallback weighs the JSON reading of the whole
                // stream against this one.
                drop(loaded);
                return Ok(parse_source(utf8(&again()?, 0)?, file.clone(), limits));
            }
            return Ok(loaded);
        };
        first_document += complete.len();
        first_line = first_line.saturating_add(rest_line);
        spare = std::mem::replace(&mut current, next?).text.into_bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_source;

    fn summary(loaded: &Loaded) -> String {
        let objects: Vec<String> = loaded
            .objects
            .iter()
            .map(|o| {
                format!(
                    "{} {} {:?} {:?} {} {:?}",
                    o.document,
                    o.reference,
                    o.template,
                    o.item,
                    o.location("/metadata/name"),
                    o.duplicates
                )
            })
            .collect();
        format!(
            "{objects:#?}\n{:#?}\n{:#?}\n{} {}",
            loaded.errors, loaded.notices, loaded.documents, loaded.files
        )
    }

    #[test]
    fn blocks_load_like_the_whole_text() {
        let mut text = String::from("\u{feff}# leading comment\n");
        for i in 0..40 {
            match i % 7 {
                0 => text.push_str(&format!(
                    "---\n# Source: chart/templates/t{i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n  name: d{i}\n"
                )),
                1 => text.push_str("---\n# only a comment\n"),
                2 => text.push_str(&format!(
                    "---\napiVersion: v1\nkind: Pod\nmetadata: [broken\n  name: p{i}\n"
                )),
                3 => text.push_str(&format!(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s{i}\n  annotations:\n    note: \"é{i}\"\n...\n# between\n"
                )),
                4 => text.push_str(&format!(
                    "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: l{i}\n- x: 1\n"
                )),
                5 => text.push_str("---\nnot: an object\n"),
                _ => text.push_str(&format!(
                    "---\napiVersion: v1\nkind: Pod\nmetadata: &m\n  name: a{i}\nspec:\n  <<: {{x: 1}}\n  x: 2\n"
                )),
            }
        }
        let file: Str = "stream.yaml".into();
        let limits = Limits::default();
        let bare = text.trim_start_matches([
            '\u{feff}', '#', ' ', 'l', 'e', 'a', 'd', 'i', 'n', 'g', 'c', 'o', 'm', 't', '\n',
        ]);
        assert!(bare.starts_with("---\n# Source"));
        for text in [&text[..], bare] {
            let loaded = parse_source(text, file.clone(), &limits);
            assert!(
                loaded.objects.len() > 15 && loaded.errors.len() > 3,
                "{}",
                summary(&loaded)
            );
            assert!(loaded.notices.len() > 3);
            let whole = summary(&loaded);
            for block in [1, 2, 3, 7, 50, 333, 4096] {
                let loaded = load_blocks(text.as_bytes(), &file, &limits, block, None).unwrap();
                assert_eq!(summary(&loaded), whole, "block {block}");
            }
        }
    }

    #[test]
    fn invalid_utf8_in_a_later_block() {
        let mut bytes = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\n".repeat(10);
        let at = bytes.len();
        bytes.extend_from_slice(b"a: \xff\n");
        let file: Str = "bad.yaml".into();
        let err = load_blocks(&bytes[..], &file, &Limits::default(), 64, None).unwrap_err();
        assert_eq!(err, Failure::NotUtf8(at + 3));
    }

    #[test]
    fn json_streams_load_in_blocks_like_the_whole_text() {
        let limits = Limits::default();
        let file: Str = "stream.json".into();
        let document = |i: usize| {
            format!(
                "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"c{i}\", \"labels\": {{\"k\": \"é{i}\"}}}}, \"data\": {{\"a\": \"1\\n2\"}}}}\n"
            )
        };
        let good: String = (0..30).map(document).collect();
        // JSON indented with tabs, which YAML refuses: the whole file goes to the fallback.
        let mut tabbed = good.clone();
        tabbed.push_str("{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\n\t\t\"name\": \"p\"\n\t}\n}\n");
        tabbed.push_str(&document(99));
        for (text, objects) in [(good, 30), (tabbed, 32)] {
            let whole = parse_source(&text, file.clone(), &limits);
            assert!(whole.errors.is_empty(), "{}", summary(&whole));
            assert_eq!(whole.objects.len(), objects);
            let again = || Ok(text.clone().into_bytes());
            for block in [1, 7, 64, 4096] {
                let loaded =
                    load_blocks(text.as_bytes(), &file, &limits, block, Some(&again)).unwrap();
                assert_eq!(summary(&loaded), summary(&whole), "block {block}");
            }
        }
    }
}
