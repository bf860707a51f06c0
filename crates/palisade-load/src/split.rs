//! Splits a YAML stream into documents on the `---` and `...` marker lines at column 0, so that
//! one malformed document does not hide the ones after it and large streams parse in parallel.
//! Each chunk is a byte range of the original text plus the line it starts on; comments, blank
//! lines and directives before a `---` belong to the document that marker opens. The leading
//! comment block of each chunk is also scanned for the `# Source:` line `helm template` writes.

/// One document's text within a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// Byte range in the stream.
    pub start: usize,
    pub end: usize,
    /// 0-based line number of `start`.
    pub line: u32,
    /// Byte range of the template path from a `# Source: ` comment.
    pub source: Option<(usize, usize)>,
}

struct Open {
    start: usize,
    line: u32,
    explicit: bool,
    content: bool,
    source: Option<(usize, usize)>,
}

impl Open {
    fn new(start: usize, line: u32, explicit: bool) -> Self {
        Self {
            start,
            line,
            explicit,
            content: false,
            source: None,
        }
    }

    /// Only chunks opened by `---` or holding content are documents.
    fn close(self, end: usize, chunks: &mut Vec<Chunk>) {
        if self.explicit || self.content {
            chunks.push(Chunk {
                start: self.start,
                end,
                line: self.line,
                source: self.source,
            });
        }
    }
}

fn is_marker(line: &[u8], c: u8) -> bool {
    line.len() >= 3
        && line[..3].iter().all(|&b| b == c)
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r'))
}

const SOURCE_PREFIX: &[u8] = b"# Source: ";

/// Split `text` (without a byte-order mark) into document chunks, in order.
pub(crate) fn split(text: &str) -> Vec<Chunk> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut open = Open::new(0, 0, false);
    let mut pos = 0;
    let mut line_no: u32 = 0;
    let mut ends = memchr::memchr_iter(b'\n', bytes);
    while pos < bytes.len() {
        let eol = ends.next().unwrap_or(bytes.len());
        let next = (eol + 1).min(bytes.len());
        let line = &bytes[pos..eol];
        if is_marker(line, b'-') {
            if open.explicit || open.content {
                open.close(pos, &mut chunks);
                open = Open::new(pos, line_no, true);
            } else {
                // Comments and directives before the marker belong to this document.
                open.explicit = true;
            }
        } else if is_marker(line, b'.') {
            let done = std::mem::replace(&mut open, Open::new(next, line_no + 1, false));
            done.close(next, &mut chunks);
        } else if !open.content {
            match line
                .iter()
                .find(|&&b| b != b' ' && b != b'\t' && b != b'\r')
            {
                None => {}
                Some(b'#') if open.source.is_none() && line.starts_with(SOURCE_PREFIX) => {
                    let value = &text[pos + SOURCE_PREFIX.len()..eol];
                    let trimmed = value.trim();
                    if !trimmed.is_empty() {
                        let offset = value.len() - value.trim_start().len();
                        let start = pos + SOURCE_PREFIX.len() + offset;
                        open.source = Some((start, start + trimmed.len()));
                    }
                }
                Some(b'#') => {}
                Some(b'%') if line[0] == b'%' && !open.explicit => {}
                Some(_) => open.content = true,
            }
        }
        pos = next;
        line_no = line_no.saturating_add(1);
    }
    open.close(bytes.len(), &mut chunks);
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(&str, u32)> {
        split(text)
            .into_iter()
            .map(|c| (&text[c.start..c.end], c.line))
            .collect()
    }

    #[test]
    fn splits_on_markers() {
        let text = "a: 1\n---\nb: 2\n--- \nc: 3\n";
        assert_eq!(
            texts(text),
            [("a: 1\n", 0), ("---\nb: 2\n", 1), ("--- \nc: 3\n", 3)]
        );
    }

    #[test]
    fn leading_comments_join_the_next_document() {
        let text = "# header\n%YAML 1.2\n---\na: 1\n---a: 2\n";
        assert_eq!(texts(text), [(text, 0)]);
        assert!(texts("# only a comment\n").is_empty());
        assert!(texts("").is_empty());
    }

    #[test]
    fn document_end_markers() {
        let text = "a: 1\n...\n# c\n---\nb: 2\n...\nc: 3\n";
        assert_eq!(
            texts(text),
            [
                ("a: 1\n...\n", 0),
                ("# c\n---\nb: 2\n...\n", 2),
                ("c: 3\n", 6)
            ]
        );
    }

    #[test]
    fn empty_explicit_documents_count() {
        let text = "---\n---\na: 1\n";
        assert_eq!(texts(text), [("---\n", 0), ("---\na: 1\n", 1)]);
    }

    #[test]
    fn finds_helm_source() {
        let text = "---\n# Source: chart/templates/a.yaml\r\napiVersion: v1\n# Source: no\n";
        let chunks = split(text);
        let (start, end) = chunks[0].source.unwrap();
        assert_eq!(&text[start..end], "chart/templates/a.yaml");
    }
}
