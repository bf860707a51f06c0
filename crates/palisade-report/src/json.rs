//! The JSON report: one versioned document (`schemaVersion`) with a summary, the findings,
//! the suppressed findings and why, expired exceptions, load errors and notices. Keys of a
//! finding are always present (`null` when a value is absent) so consumers need no guards.
//! The shape is described in `docs/json-output.md` and `docs/json-output.schema.json` of this
//! crate's manifest.

use crate::shared::sorted;
use crate::{JSON_SCHEMA_VERSION, Report};
use palisade_model::Location;
use palisade_rules::Finding;
use palisade_rules::settings::{Exception, ExpiredException, SuppressedBy};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    schema_version: &'static str,
    tool: Tool<'a>,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    expired_exceptions: Vec<JsonExpired<'a>>,
    errors: Vec<JsonError<'a>>,
    notices: Vec<JsonNotice<'a>>,
}

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

#[derive(Serialize)]
struct JsonReference {
    title: &'static str,
    url: &'static str,
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
    related: Vec<JsonRelated<'a>>,
    app: Option<&'a str>,
    remediation: &'a str,
    references: Vec<JsonReference>,
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
            related: finding
                .related
                .iter()
                .map(|(message, location)| JsonRelated {
                    message,
                    location: JsonLocation::new(location),
                })
                .collect(),
            app: finding.app.as_deref(),
            remediation: finding.remediation(),
            references: finding
                .rule
                .references
                .iter()
                .map(|r| JsonReference {
                    title: r.title,
                    url: r.url,
                })
                .collect(),
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

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
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

    let document = Document {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "palisade",
            version: report.tool_version,
        },
        summary,
        findings: sorted(report.findings, |f| f)
            .into_iter()
            .map(JsonFinding::new)
            .collect(),
        suppressed: sorted(report.suppressed, |s| &s.finding)
            .into_iter()
            .map(|s| JsonSuppressed {
                finding: JsonFinding::new(&s.finding),
                by: match &s.by {
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
            })
            .collect(),
        expired_exceptions: expired,
        errors,
        notices,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}
