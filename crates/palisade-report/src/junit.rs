//! The JUnit XML report, for CI dashboards (GitLab, Jenkins, Azure Pipelines, GitHub test
//! reporters) that show test results but not SARIF.
//!
//! One test suite per rule that ran, named by its code and name. Inside it:
//!
//! - one failed test case per object with findings for that rule (classname the rule code,
//!   name the object, `Deployment shop/web`), whose failure lists every finding's location,
//!   severity and message, then the fix. Names are stable from run to run, so dashboards can
//!   track when an object starts and stops failing a rule;
//! - one skipped test case per object whose findings for that rule were all suppressed, with
//!   the exception or annotation that suppressed them, so accepted risks stay visible;
//! - one passing test case named `all other objects`, always present. A case per clean object
//!   would make the file grow with the cluster (rules × objects) and tell a dashboard nothing
//!   a single pass does not; keeping exactly one means every suite has a stable case and a
//!   rule that found nothing still shows as run and passed.
//!
//! Load errors go in a `load` suite, one error test case per file and document. Expired
//! exceptions go in a `configuration` suite as failures: they are a problem of the
//! configuration, not of the objects. No timestamps or durations are written, so the output
//! is deterministic.

use crate::Report;
use crate::shared::{exception_scope, expired_sentence, sorted, suppression_sentence};
use palisade_model::ObjectRef;
use palisade_rules::settings::Suppressed;
use palisade_rules::{Finding, RuleMeta};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::hash_map::{Entry, HashMap};
use std::io::{self, Write};

const ALL_OTHER_OBJECTS: &str = "all other objects";

/// Bytes gathered before they are handed to the output.
const FLUSH_AT: usize = 1 << 16;

/// Whether `text` holds a character JUnit output does not keep: a C0 control other than the
/// line feed (escapes, carriage returns, tabs, characters XML 1.0 forbids) or a C1 control.
fn has_controls(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        (byte < 0x20 && byte != b'\n')
            // U+0080 to U+009F are 0xC2 0x80 to 0xC2 0x9F in UTF-8.
            || (byte == 0xC2 && bytes.get(at + 1).is_some_and(|next| (0x80..=0x9F).contains(next)))
    })
}

/// `text` as the report carries it: terminal escape sequences (`ESC [ 2 J`) removed whole,
/// and every other control character but the line feed removed, since XML 1.0 cannot carry
/// most of them and the others would drive a terminal showing the report. Text without
/// controls, nearly all of it, is borrowed untouched.
fn clean(text: &str) -> Cow<'_, str> {
    if !has_controls(text) {
        return Cow::Borrowed(text);
    }
    let stripped = strip_ansi_escapes::strip_str(text);
    Cow::Owned(stripped.replace(
        |c| matches!(c, '\x00'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f'),
        "",
    ))
}

/// Append `text`, cleaned, with the five XML special characters as entities: usable both as
/// element content and as a double-quoted attribute value.
fn push_text(buffer: &mut Vec<u8>, text: &str) {
    let text = clean(text);
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&apos;",
            _ => continue,
        };
        buffer.extend_from_slice(&text.as_bytes()[plain..at]);
        buffer.extend_from_slice(entity);
        plain = at + 1;
    }
    buffer.extend_from_slice(&text.as_bytes()[plain..]);
}

/// How a test case did, when it did not pass.
struct Status<'s> {
    /// `failure`, `error` or `skipped`.
    tag: &'static str,
    message: &'s str,
    kind: Option<&'s str>,
    description: Option<&'s str>,
}

/// The JUnit document, written as it goes: one element per line, four spaces a level, a
/// failure's description inline between its tags.
struct Xml<'w> {
    out: &'w mut dyn Write,
    buffer: Vec<u8>,
}

impl Xml<'_> {
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buffer.len() >= FLUSH_AT {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn counts(&mut self, counts: &[(&str, usize)]) {
        for (name, count) in counts {
            // Writing to a vector cannot fail.
            let _ = write!(self.buffer, " {name}=\"{count}\"");
        }
    }

    /// `opening` (up to `name="`), the name, then the counts as attributes, in their order.
    fn open(&mut self, opening: &[u8], name: &str, counts: &[(&str, usize)]) {
        self.buffer.extend_from_slice(opening);
        push_text(&mut self.buffer, name);
        self.buffer.push(b'"');
        self.counts(counts);
        self.buffer.push(b'>');
    }

    fn start(&mut self, name: &str, counts: Counts) {
        self.open(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"",
            name,
            &[
                ("tests", counts.tests),
                ("skipped", counts.skipped),
                ("failures", counts.failures),
                ("errors", counts.errors),
            ],
        );
    }

    fn suite(&mut self, name: &str, counts: Counts) {
        self.open(
            b"\n    <testsuite name=\"",
            name,
            &[
                ("tests", counts.tests),
                ("skipped", counts.skipped),
                ("errors", counts.errors),
                ("failures", counts.failures),
            ],
        );
    }

    fn end_suite(&mut self) -> io::Result<()> {
        self.buffer.extend_from_slice(b"\n    </testsuite>");
        self.flush_if_full()
    }

    fn case(&mut self, name: &str, classname: &str, status: Option<Status<'_>>) -> io::Result<()> {
        case(&mut self.buffer, name, classname, status);
        self.flush_if_full()
    }

    /// Cases rendered in parallel, chunk by chunk, and written in order.
    fn cases<T: Sync>(
        &mut self,
        items: &[T],
        render: impl Fn(&mut Vec<u8>, &T) + Sync,
    ) -> io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        crate::pretty::in_order(self.out, items, |buffer, _, item| {
            render(buffer, item);
            Ok(())
        })
    }

    fn end(mut self) -> io::Result<()> {
        self.buffer.extend_from_slice(b"\n</testsuites>\n");
        self.out.write_all(&self.buffer)
    }
}

/// Append a test case, one level inside its suite.
fn case(buffer: &mut Vec<u8>, name: &str, classname: &str, status: Option<Status<'_>>) {
    buffer.extend_from_slice(b"\n        <testcase name=\"");
    push_text(buffer, name);
    buffer.extend_from_slice(b"\" classname=\"");
    push_text(buffer, classname);
    let Some(status) = status else {
        buffer.extend_from_slice(b"\"/>");
        return;
    };
    buffer.extend_from_slice(b"\">\n            <");
    buffer.extend_from_slice(status.tag.as_bytes());
    buffer.extend_from_slice(b" message=\"");
    push_text(buffer, status.message);
    buffer.push(b'"');
    if let Some(kind) = status.kind {
        buffer.extend_from_slice(b" type=\"");
        push_text(buffer, kind);
        buffer.push(b'"');
    }
    match status.description {
        Some(description) => {
            buffer.push(b'>');
            push_text(buffer, description);
            buffer.extend_from_slice(b"</");
            buffer.extend_from_slice(status.tag.as_bytes());
            buffer.push(b'>');
        }
        None => buffer.extend_from_slice(b"/>"),
    }
    buffer.extend_from_slice(b"\n        </testcase>");
}

/// Test cases of a suite, or of the whole report, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Self) {
        self.tests += other.tests;
        self.skipped += other.skipped;
        self.failures += other.failures;
        self.errors += other.errors;
    }
}

fn finding_line(finding: &Finding) -> String {
    let location = finding
        .location
        .as_ref()
        .map_or_else(|| "(no location)".to_string(), ToString::to_string);
    format!(
        "{location}: {}: {}\n  fix: {}",
        finding.severity,
        finding.message,
        finding.remediation()
    )
}

/// Each line followed by a line feed.
fn lines(lines: impl Iterator<Item = String>) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

fn failed_case(buffer: &mut Vec<u8>, rule: &RuleMeta, object: &ObjectRef, findings: &[&Finding]) {
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(rule.severity);
    let description = lines(findings.iter().map(|f| finding_line(f)));
    let status = Status {
        tag: "failure",
        message: &messages.join("; "),
        kind: Some(severity.as_str()),
        description: Some(&description),
    };
    case(buffer, &object.to_string(), rule.code, Some(status));
}

fn skipped_case(
    buffer: &mut Vec<u8>,
    rule: &RuleMeta,
    object: &ObjectRef,
    suppressed: &[&Suppressed],
) {
    let mut reasons: Vec<String> = suppressed
        .iter()
        .map(|s| suppression_sentence(&s.by))
        .collect();
    reasons.dedup();
    let description = lines(suppressed.iter().map(|s| finding_line(&s.finding)));
    let status = Status {
        tag: "skipped",
        message: &reasons.join("; "),
        kind: None,
        description: Some(&description),
    };
    case(buffer, &object.to_string(), rule.code, Some(status));
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules = crate::shared::rules_for(
        report.rules.iter().map(|r| r.meta()),
        report
            .findings
            .iter()
            .chain(report.suppressed.iter().map(|s| &s.finding)),
    );

    // Rule code → object → findings, objects in the order of their first finding.
    // The index finds an object's entry without a scan of the rule's list.
    let mut failing: BTreeMap<&str, Vec<(&ObjectRef, Vec<&Finding>)>> = BTreeMap::new();
    let mut index: HashMap<(&str, &ObjectRef), usize> = HashMap::new();
    for finding in sorted(report.findings, |f| f) {
        let objects = failing.entry(finding.rule.code).or_default();
        let object: &ObjectRef = &finding.object;
        match index.entry((finding.rule.code, object)) {
            Entry::Occupied(at) => objects[*at.get()].1.push(finding),
            Entry::Vacant(at) => {
                at.insert(objects.len());
                objects.push((object, vec![finding]));
            }
        }
    }
    let mut skipped: BTreeMap<&str, Vec<(&ObjectRef, Vec<&Suppressed>)>> = BTreeMap::new();
    let mut skipped_index: HashMap<(&str, &ObjectRef), usize> = HashMap::new();
    for s in sorted(report.suppressed, |s| &s.finding) {
        let code = s.finding.rule.code;
        let object: &ObjectRef = &s.finding.object;
        if index.contains_key(&(code, object)) {
            continue;
        }
        let objects = skipped.entry(code).or_default();
        match skipped_index.entry((code, object)) {
            Entry::Occupied(at) => objects[*at.get()].1.push(s),
            Entry::Vacant(at) => {
                at.insert(objects.len());
                objects.push((object, vec![s]));
            }
        }
    }

    let mut errors: Vec<_> = report.errors.iter().collect();
    errors.sort_by(|a, b| {
        (&a.file, a.document, a.line, a.column, &a.message)
            .cmp(&(&b.file, b.document, b.line, b.column, &b.message))
    });
    let mut expired: Vec<(String, String)> = report
        .expired
        .iter()
        .map(|e| {
            let name = format!(
                "exception for {} (owner: {})",
                exception_scope(&e.exception),
                e.exception.owner
            );
            (name, expired_sentence(&e.exception, e.matched))
        })
        .collect();
    expired.sort();

    // The totals come first in the document, so every suite is counted before any is written.
    let rule_counts = |code: &str| {
        let failures = failing.get(code).map_or(0, Vec::len);
        let skipped = skipped.get(code).map_or(0, Vec::len);
        Counts {
            // And the case of all other objects.
            tests: failures + skipped + 1,
            skipped,
            failures,
            errors: 0,
        }
    };
    let load_counts = Counts {
        tests: errors.len(),
        errors: errors.len(),
        ..Counts::default()
    };
    let configuration_counts = Counts {
        tests: expired.len(),
        failures: expired.len(),
        ..Counts::default()
    };
    let mut total = Counts::default();
    for rule in &rules {
        total += rule_counts(rule.code);
    }
    total += load_counts;
    total += configuration_counts;

    let mut xml = Xml {
        out,
        buffer: Vec::with_capacity(FLUSH_AT * 2),
    };
    xml.start("palisade", total);
    for rule in rules {
        xml.suite(
            &format!("{} {}", rule.code, rule.name),
            rule_counts(rule.code),
        );
        if let Some(objects) = failing.get(rule.code) {
            xml.cases(objects, |buffer, (object, findings)| {
                failed_case(buffer, rule, object, findings);
            })?;
        }
        if let Some(objects) = skipped.get(rule.code) {
            xml.cases(objects, |buffer, (object, suppressed)| {
                skipped_case(buffer, rule, object, suppressed);
            })?;
        }
        xml.case(ALL_OTHER_OBJECTS, rule.code, None)?;
        xml.end_suite()?;
    }

    if !errors.is_empty() {
        xml.suite("load", load_counts);
        for error in errors {
            let name = match error.document {
                Some(document) => format!("{} (document {})", error.file, document + 1),
                None => error.file.to_string(),
            };
            let status = Status {
                tag: "error",
                message: &error.message,
                kind: Some("load error"),
                description: Some(&error.to_string()),
            };
            xml.case(&name, "load", Some(status))?;
        }
        xml.end_suite()?;
    }

    if !expired.is_empty() {
        xml.suite("configuration", configuration_counts);
        for (name, sentence) in &expired {
            let status = Status {
                tag: "failure",
                message: sentence,
                kind: Some("expired exception"),
                description: None,
            };
            xml.case(name, "configuration", Some(status))?;
        }
        xml.end_suite()?;
    }
    xml.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(text: &str) -> String {
        let mut buffer = Vec::new();
        push_text(&mut buffer, text);
        String::from_utf8(buffer).unwrap()
    }

    #[test]
    fn special_characters_become_entities() {
        assert_eq!(
            text(r#"a < b > c & "d" 'e'"#),
            "a &lt; b &gt; c &amp; &quot;d&quot; &apos;e&apos;"
        );
        assert_eq!(text("plain, é, 😀\nnext line"), "plain, é, 😀\nnext line");
        assert_eq!(text(""), "");
    }

    #[test]
    fn control_characters_are_removed() {
        // Escape sequences go whole; other controls but the line feed go; DEL stays.
        assert_eq!(text("debug\u{1b}[2J"), "debug");
        assert_eq!(text("\u{1b}[31mred\u{1b}[0m & <b>"), "red &amp; &lt;b&gt;");
        assert_eq!(text("a\tb\rc\u{0}d\u{8}e\u{b}f\u{c}g\u{1f}h"), "abcdefgh");
        assert_eq!(text("a\u{85}b\u{9f}c\u{a0}d"), "abc\u{a0}d");
        assert_eq!(text("a\u{7f}b"), "a\u{7f}b");
        // An operating system command runs to its terminator.
        assert_eq!(text("x\u{1b}]0;title\u{7}y"), "xy");
    }

    #[test]
    fn cleaning_matches_quick_junit() {
        let samples = [
            "debug\u{1b}[2J",
            "tab\there\r\n",
            "\u{1b}",
            "unterminated \u{1b}[31",
            "\u{1b}P dcs \u{1b}\\ after",
            "c1 \u{9b}31m after",
            "nul \u{0} bell \u{7} \u{1b}(B",
            "only text",
            "x\u{1b}]8;;http://a\u{1b}\\link\u{1b}]8;;\u{1b}\\",
        ];
        for sample in samples {
            let quick = quick_junit::XmlString::new(sample);
            assert_eq!(clean(sample), quick.as_str(), "{sample:?}");
        }
    }
}
