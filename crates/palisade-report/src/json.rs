//! The JSON report: one versioned document (`schemaVersion`) with a summary, the rules the
//! findings refer to, the findings, the suppressed findings and why, expired exceptions, load
//! errors and notices. Keys of a finding are always present (`null` when a value is absent) so
//! consumers need no guards. A rule's remediation and references are written once, in `rules`,
//! not in each of its findings: they made up most of a large report. The shape is described in
//! `docs/json-output.md` and `docs/json-output.schema.json` at the workspace root.

use crate::pretty::{self, Layout, Members};
use crate::shared::{rule_docs_url, sorted};
use crate::{JSON_SCHEMA_VERSION, Report};
use palisade_model::Location;
use palisade_rules::settings::{Exception, ExpiredException, Suppressed, SuppressedBy};
use palisade_rules::{Finding, Reference, RuleMeta};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    findings: usize,
    by_severity: BySeverity,
    objects: usize,
    files: usize,
    documents: usize,
    rules: usize,
    errors: usize,
    notices: usize,
    suppressed: usize,
    expired_exceptions: usize,
    fail_on: Option<&'static str>,
    failed: bool,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonObject<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    template: Option<&'a str>,
}

impl<'a> JsonLocation<'a> {
    fn new(location: &'a Location) -> Self {
        Self {
            file: &location.file,
            line: location.line,
            column: location.column,
            template: location.template.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    location: JsonLocation<'a>,
}

/// Written as an array without collecting the converted items first.
struct Related<'a>(&'a [(String, Location)]);

impl Serialize for Related<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(message, location)| JsonRelated {
            message,
            location: JsonLocation::new(location),
        }))
    }
}

#[derive(Serialize)]
struct JsonReference {
    title: &'static str,
    url: &'static str,
}

/// What every finding of a rule shares, written once in the top-level `rules`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRule {
    name: &'static str,
    /// The rule's own severity; a finding's may differ when configuration overrides it.
    default_severity: &'static str,
    summary: &'static str,
    remediation: &'static str,
    references: Vec<JsonReference>,
    docs_url: String,
}

impl JsonRule {
    fn new(rule: &'static RuleMeta) -> Self {
        Self {
            name: rule.name,
            default_severity: rule.severity.as_str(),
            summary: rule.summary,
            remediation: rule.remediation,
            references: rule
                .references
                .iter()
                .map(|&Reference { title, url }| JsonReference { title, url })
                .collect(),
            docs_url: rule_docs_url(rule),
        }
    }
}

/// The rules of the findings and suppressed findings, by code.
fn rules<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> BTreeMap<&'static str, JsonRule> {
    let mut rules = BTreeMap::new();
    for finding in findings {
        rules
            .entry(finding.rule.code)
            .or_insert_with(|| JsonRule::new(finding.rule));
    }
    rules
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    object: JsonObject<'a>,
    container: Option<&'a str>,
    path: &'a str,
    location: Option<JsonLocation<'a>>,
    related: Related<'a>,
    app: Option<&'a str>,
    /// Only a remediation specific to this finding; the rule's is in `rules`.
    remediation: Option<&'a str>,
}

impl<'a> JsonFinding<'a> {
    fn new(finding: &'a Finding) -> Self {
        Self {
            rule: finding.rule.code,
            name: finding.rule.name,
            severity: finding.severity.as_str(),
            message: &finding.message,
            object: JsonObject {
                api_version: &finding.object.api_version,
                kind: &finding.object.kind,
                namespace: finding.object.namespace.as_deref(),
                name: &finding.object.name,
            },
            container: finding.container.as_deref(),
            path: &finding.path,
            location: finding.location.as_ref().map(JsonLocation::new),
            related: Related(&finding.related),
            app: finding.app.as_deref(),
            remediation: finding.remediation.as_deref(),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum JsonSuppressedBy<'a> {
    Exception {
        reason: &'a str,
        owner: &'a str,
        expires: &'a str,
    },
    Inline {
        reason: Option<&'a str>,
    },
    Profile {
        profile: &'static str,
    },
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    finding: JsonFinding<'a>,
    by: JsonSuppressedBy<'a>,
}

impl<'a> JsonSuppressed<'a> {
    fn new(suppressed: &'a Suppressed) -> Self {
        Self {
            finding: JsonFinding::new(&suppressed.finding),
            by: match &suppressed.by {
                SuppressedBy::Exception(e) => JsonSuppressedBy::Exception {
                    reason: &e.reason,
                    owner: &e.owner,
                    expires: &e.expires,
                },
                SuppressedBy::Profile(profile) => JsonSuppressedBy::Profile {
                    profile: profile.as_str(),
                },
                SuppressedBy::Inline { reason } => JsonSuppressedBy::Inline {
                    reason: reason.as_deref(),
                },
            },
        }
    }
}

#[derive(Serialize)]
struct JsonExpired<'a> {
    rule: Option<&'a str>,
    kind: Option<&'a str>,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
    container: Option<&'a str>,
    reason: &'a str,
    owner: &'a str,
    expires: &'a str,
    /// Findings it would have suppressed.
    matched: usize,
}

impl<'a> JsonExpired<'a> {
    fn new(expired: &'a ExpiredException) -> Self {
        let e: &'a Exception = &expired.exception;
        Self {
            rule: e.rule.as_deref(),
            kind: e.kind.as_deref(),
            namespace: e.namespace.as_deref(),
            name: e.name.as_deref(),
            container: e.container.as_deref(),
            reason: &e.reason,
            owner: &e.owner,
            expires: &e.expires,
            matched: expired.matched,
        }
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    document: Option<u32>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonNotice<'a> {
    file: &'a str,
    document: Option<u32>,
    line: Option<u32>,
    message: &'a str,
}

pub(crate) fn render(report: &Report<'_>, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    let counts = report.severity_counts().map(|(_, count)| count);
    let summary = Summary {
        findings: report.findings.len(),
        by_severity: BySeverity {
            critical: counts[0],
            high: counts[1],
            medium: counts[2],
            low: counts[3],
            info: counts[4],
        },
        objects: report.stats.objects,
        files: report.stats.files,
        documents: report.stats.documents,
        rules: report.stats.rules,
        errors: report.errors.len(),
        notices: report.notices.len(),
        suppressed: report.suppressed.len(),
        expired_exceptions: report.expired.len(),
        fail_on: report.fail_on.map(|s| s.as_str()),
        failed: report.failed(),
    };

    let mut errors: Vec<JsonError<'_>> = report
        .errors
        .iter()
        .map(|e| JsonError {
            file: &e.file,
            document: e.document,
            line: e.line,
            column: e.column,
            message: &e.message,
        })
        .collect();
    errors.sort_by(|a, b| {
        (a.file, a.document, a.line, a.column, a.message)
            .cmp(&(b.file, b.document, b.line, b.column, b.message))
    });
    let mut notices: Vec<JsonNotice<'_>> = report
        .notices
        .iter()
        .map(|n| JsonNotice {
            file: &n.file,
            document: n.document,
            line: n.line,
            message: &n.message,
        })
        .collect();
    notices.sort_by(|a, b| {
        (a.file, a.document, a.line, a.message).cmp(&(b.file, b.document, b.line, b.message))
    });
    let mut expired: Vec<JsonExpired<'_>> = report.expired.iter().map(JsonExpired::new).collect();
    expired.sort_by(|a, b| {
        (
            a.expires,
            a.rule,
            a.kind,
            a.namespace,
            a.name,
            a.container,
            a.owner,
        )
            .cmp(&(
                b.expires,
                b.rule,
                b.kind,
                b.namespace,
                b.name,
                b.container,
                b.owner,
            ))
    });

    // The document is written member by member; the findings, which make up nearly all of
    // it, are rendered in parallel, in chunks.
    let mut head = vec![b'{'];
    let mut members = Members::new(layout, 0);
    members.member(&mut head, "schemaVersion", JSON_SCHEMA_VERSION)?;
    let tool = Tool {
        name: "palisade",
        version: report.tool_version,
    };
    members.member(&mut head, "tool", &tool)?;
    members.member(&mut head, "summary", &summary)?;
    let rules = rules(
        report
            .findings
            .iter()
            .chain(report.suppressed.iter().map(|s| &s.finding)),
    );
    members.member(&mut head, "rules", &rules)?;
    members.key(&mut head, "findings")?;
    out.write_all(&head)?;
    pretty::array(
        out,
        layout,
        1,
        &sorted(report.findings, |f| f),
        |buffer, finding| pretty::value(buffer, layout, 2, &JsonFinding::new(finding)),
    )?;

    let mut middle = Vec::new();
    members.key(&mut middle, "suppressed")?;
    out.write_all(&middle)?;
    let suppressed = sorted(report.suppressed, |s| &s.finding);
    pretty::array(out, layout, 1, &suppressed, |buffer, suppressed| {
        pretty::value(buffer, layout, 2, &JsonSuppressed::new(suppressed))
    })?;

    let mut tail = Vec::new();
    members.member(&mut tail, "expiredExceptions", &expired)?;
    members.member(&mut tail, "errors", &errors)?;
    members.member(&mut tail, "notices", &notices)?;
    members.end(&mut tail)?;
    tail.push(b'\n');
    out.write_all(&tail)
}
