//! Tolerates the flow-context indentation that go-yaml (and so kubectl) accepts but
//! `saphyr-parser` rejects: a closing `]` at the same column as its key, or the continuation
//! lines of a multi-line quoted scalar indented less than its key. Indentation inside flow
//! collections and quoted scalars carries no meaning (leading spaces of continuation lines are
//! folded away), so such a document is parsed again with those lines indented further.

use crate::Limits;
use crate::build::{Document, parse_document};
use crate::error::{Failure, Located};

/// At most this many lines are re-indented in one document.
const MAX_ATTEMPTS: usize = 64;

/// Parse one document, re-indenting flow lines that only a strict parser refuses.
pub(crate) fn parse_tolerant(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Option<Document>, Located> {
    let original = match parse_document(text, first_line, limits) {
        Err(error) if is_indentation(&error) => error,
        other => return other,
    };
    let mut owned = text.to_string();
    let mut error = original.clone();
    for _ in 0..MAX_ATTEMPTS {
        let line = error.line.saturating_sub(first_line) as usize;
        let column = error.column.saturating_sub(1) as usize;
        let changed = match &error.failure {
            Failure::Syntax(info) if info.contains("in quoted scalar") => {
                indent_quoted(&mut owned, line, column)
            }
            _ => indent_flow_line(&mut owned, line, column),
        };
        if !changed {
            break;
        }
        match parse_document(&owned, first_line, limits) {
            Err(next) if is_indentation(&next) => error = next,
            Err(_) => break,
            done => return done,
        }
    }
    Err(original)
}

fn is_indentation(error: &Located) -> bool {
    matches!(&error.failure, Failure::Syntax(info) if info.starts_with("invalid indentation")
        && !info.contains("anchor"))
}

/// Byte offsets where each line starts.
fn line_start(text: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Indent every continuation line of the quoted scalar starting at (`line`, `column`) to at
/// least that column.
fn indent_quoted(text: &mut String, line: usize, column: usize) -> bool {
    let Some(start) = line_start(text, line) else {
        return false;
    };
    let Some((offset, quote)) = text[start..].char_indices().nth(column) else {
        return false;
    };
    if quote != '"' && quote != '\'' {
        return false;
    }
    let open = start + offset;
    let bytes = text.as_bytes();
    let mut i = open + 1;
    let mut breaks = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == '"' => i += 1,
            b'\'' if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote as u8 => break,
            b'\n' => breaks.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    pad_lines(text, &breaks, column)
}

/// Indent one line inside a flow collection to the previous line's indentation (or one more
/// column than it has).
fn indent_flow_line(text: &mut String, line: usize, column: usize) -> bool {
    let Some(start) = line_start(text, line) else {
        return false;
    };
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let current = &text[start..end];
    let at = current.chars().nth(column);
    let previous = text[..start]
        .trim_end()
        .rsplit('\n')
        .next()
        .unwrap_or_default();
    let in_flow =
        matches!(at, Some(']' | '}' | ',')) || previous.trim_end().ends_with(['[', '{', ',']);
    if !in_flow || line <= 1 {
        return false;
    }
    let target = indentation(previous).max(indentation(current) + 1);
    pad_lines(text, &[start], target)
}

/// Give each line starting at one of `starts` (ascending) at least `target` leading spaces.
fn pad_lines(text: &mut String, starts: &[usize], target: usize) -> bool {
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + starts.len() * target);
    let mut copied = 0;
    for &start in starts {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        if line.trim().is_empty() {
            continue;
        }
        let have = indentation(line);
        if have < target {
            out.push_str(&text[copied..start]);
            out.extend(std::iter::repeat_n(' ', target - have));
            copied = start;
            changed = true;
        }
    }
    if changed {
        out.push_str(&text[copied..]);
        *text = out;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Option<Document>, Located> {
        parse_tolerant(text, 0, &Limits::default())
    }

    #[test]
    fn closing_bracket_at_key_column() {
        let text = "spec:\n  args: [\n      \"a\",\n      \"b\",\n  ]\n  next: 1\n";
        let doc = parse(text).unwrap().unwrap();
        assert_eq!(doc.value, json!({"spec": {"args": ["a", "b"], "next": 1}}));
        assert_eq!(doc.positions.locate(&doc.value, "/spec/next").0.line, 6);
    }

    #[test]
    fn quoted_scalar_continuation_lines() {
        let text = "c:\n  args: [\"\n    cd /x &&\n  make\n  \"]\n  other: 'a\n b'\n";
        let doc = parse(text).unwrap().unwrap();
        assert_eq!(doc.value["c"]["args"], json!([" cd /x && make "]));
        assert_eq!(doc.value["c"]["other"], json!("a b"));
        assert_eq!(doc.positions.locate(&doc.value, "/c/other").0.line, 6);
    }

    #[test]
    fn block_indentation_errors_stay_errors() {
        assert!(parse("a:\n    b: 1\n  c: 2\n").is_err());
    }
}
