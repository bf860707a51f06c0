//! The SARIF 2.1.0 report, for code-scanning services and editors. One run: the rules that ran
//! as `tool.driver.rules` with their documentation and a `security-severity` score, one result
//! per finding (suppressed findings too, carrying `suppressions`), load errors and skipped
//! documents as tool execution notifications, expired exceptions as configuration
//! notifications. Paths stay relative to `%SRCROOT%` (the directory the scan ran from) so the
//! file can be uploaded from any checkout. `partialFingerprints` hash the rule, the object and
//! the field, not the line, so a finding keeps its identity when lines move.

use crate::Report;
use crate::pretty::{self, Layout, Members};
use crate::shared::{
    exception_scope, expired_sentence, path_to_uri, qualified_name, rules_for, sorted, stable_hash,
};
use palisade_model::Location;
use palisade_rules::settings::{Suppressed, SuppressedBy};
use palisade_rules::{Finding, RuleMeta, Severity};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");
/// Key of our fingerprint in `partialFingerprints`; the suffix is bumped if the inputs change.
const FINGERPRINT_KEY: &str = "palisadeFinding/v1";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The CVSS-like score code-scanning services use to rank security alerts.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// `privileged-container` → `PrivilegedContainer`.
fn pascal_case(kebab: &str) -> String {
    kebab
        .split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect()
}

fn help_text(rule: &RuleMeta) -> String {
    let mut text = format!(
        "{}\n\nWhy it matters: {}\n\nHow to fix: {}\n",
        rule.summary, rule.rationale, rule.remediation
    );
    if !rule.bad_example.is_empty() {
        text.push_str(&format!("\nBad:\n{}\n", rule.bad_example.trim_end()));
    }
    if !rule.good_example.is_empty() {
        text.push_str(&format!("\nGood:\n{}\n", rule.good_example.trim_end()));
    }
    if !rule.references.is_empty() {
        text.push_str("\nReferences:\n");
        for reference in rule.references {
            text.push_str(&format!("- {}: {}\n", reference.title, reference.url));
        }
    }
    text
}

fn help_markdown(rule: &RuleMeta) -> String {
    let mut text = format!(
        "{}\n\n**Why it matters.** {}\n\n**How to fix.** {}\n",
        rule.summary, rule.rationale, rule.remediation
    );
    if !rule.bad_example.is_empty() {
        text.push_str(&format!(
            "\nBad:\n\n```yaml\n{}\n```\n",
            rule.bad_example.trim_end()
        ));
    }
    if !rule.good_example.is_empty() {
        text.push_str(&format!(
            "\nGood:\n\n```yaml\n{}\n```\n",
            rule.good_example.trim_end()
        ));
    }
    if !rule.references.is_empty() {
        text.push_str("\nReferences:\n\n");
        for reference in rule.references {
            text.push_str(&format!("- [{}]({})\n", reference.title, reference.url));
        }
    }
    text
}

/// A rule descriptor. `severity` is the one findings of this rule were reported with (it may
/// be overridden by configuration); the default configuration keeps the rule's own.
fn rule_descriptor(rule: &RuleMeta, severity: Severity) -> Value {
    let pack = serde_json::to_value(rule.pack)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    json!({
        "id": rule.code,
        "name": pascal_case(rule.name),
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": rule.rationale },
        "help": { "text": help_text(rule), "markdown": help_markdown(rule) },
        "helpUri": crate::shared::rule_docs_url(rule),
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["security", "kubernetes", pack],
            "security-severity": security_severity(severity),
            "precision": "high",
            "kebabName": rule.name,
        },
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

fn artifact_location(file: &str) -> ArtifactLocation {
    let (uri, relative) = path_to_uri(file);
    ArtifactLocation {
        uri,
        uri_base_id: relative.then_some(SRCROOT),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

fn region(line: Option<u32>, column: Option<u32>) -> Option<Region> {
    Some(Region {
        start_line: line.filter(|&l| l >= 1)?,
        start_column: column.filter(|&c| c >= 1),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

fn physical_location(file: &str, line: Option<u32>, column: Option<u32>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact_location(file),
        region: region(line, column),
    }
}

fn located(location: &Location) -> PhysicalLocation {
    physical_location(&location.file, Some(location.line), Some(location.column))
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: Cow<'a, str>,
    fully_qualified_name: String,
    kind: &'static str,
}

/// The object (`Deployment/shop/web`) and, when the finding is about a field, the field
/// (`Deployment/shop/web#/spec/replicas`, a JSON Pointer as a URI fragment).
fn logical_locations<'a>(finding: &'a Finding, object: &str) -> Vec<LogicalLocation<'a>> {
    let mut locations = vec![LogicalLocation {
        name: Cow::Borrowed(&finding.object.name),
        fully_qualified_name: object.to_string(),
        kind: "object",
    }];
    if !finding.path.is_empty() {
        let name = palisade_model::pointer::segments(&finding.path)
            .last()
            .unwrap_or_default();
        locations.push(LogicalLocation {
            name,
            fully_qualified_name: format!("{object}#{}", finding.path),
            kind: "property",
        });
    }
    locations
}

fn fingerprint(finding: &Finding) -> String {
    let object = &finding.object;
    stable_hash(&[
        finding.rule.code,
        &object.kind,
        object.namespace.as_deref().unwrap_or(""),
        &object.name,
        &finding.path,
    ])
}

/// `partialFingerprints`: our one fingerprint, under [`FINGERPRINT_KEY`].
struct Fingerprints(String);

impl Serialize for Fingerprints {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(FINGERPRINT_KEY, &self.0)?;
        map.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    physical_location: PhysicalLocation,
    message: Message<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: &'static str,
    object: String,
    api_version: &'a str,
    json_pointer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
    remediation: &'a str,
}

/// One result, written straight from the finding.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message<'a>,
    locations: [ResultLocation<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Value; 1]>,
    properties: ResultProperties<'a>,
}

fn result<'a>(
    finding: &'a Finding,
    rule_index: Option<usize>,
    by: Option<&SuppressedBy>,
) -> SarifResult<'a> {
    let object = qualified_name(&finding.object);
    SarifResult {
        rule_id: finding.rule.code,
        rule_index,
        level: level(finding.severity),
        message: Message {
            text: &finding.message,
        },
        locations: [ResultLocation {
            physical_location: finding.location.as_ref().map(located),
            logical_locations: logical_locations(finding, &object),
        }],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(id, (message, location))| RelatedLocation {
                id,
                physical_location: located(location),
                message: Message { text: message },
            })
            .collect(),
        partial_fingerprints: Fingerprints(fingerprint(finding)),
        suppressions: by.map(|by| [suppression(by)]),
        properties: ResultProperties {
            severity: finding.severity.as_str(),
            object,
            api_version: &finding.object.api_version,
            json_pointer: &finding.path,
            container: finding.container.as_deref(),
            app: finding.app.as_deref(),
            template: finding
                .location
                .as_ref()
                .and_then(|l| l.template.as_deref()),
            remediation: finding.remediation(),
        },
    }
}

fn suppression(by: &SuppressedBy) -> Value {
    match by {
        SuppressedBy::Exception(exception) => json!({
            "kind": "external",
            "status": "accepted",
            "justification": exception.reason,
            "properties": {
                "owner": exception.owner,
                "expires": exception.expires,
                "exception": exception_scope(exception),
            },
        }),
        SuppressedBy::Inline { reason } => {
            let mut suppression = Map::new();
            suppression.insert("kind".into(), "inSource".into());
            suppression.insert("status".into(), "accepted".into());
            if let Some(reason) = reason {
                suppression.insert("justification".into(), reason.clone().into());
            }
            suppression.insert(
                "properties".into(),
                json!({ "annotation": palisade_rules::settings::IGNORE_ANNOTATION }),
            );
            Value::Object(suppression)
        }
        SuppressedBy::Profile(profile) => json!({
            "kind": "external",
            "status": "accepted",
            "justification": format!("not applicable under the `{profile}` profile"),
            "properties": { "profile": profile.as_str() },
        }),
    }
}

fn notification(
    level: &str,
    message: String,
    file: &str,
    line: Option<u32>,
    column: Option<u32>,
    document: Option<u32>,
) -> Value {
    let mut notification = json!({
        "level": level,
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical_location(file, line, column) }],
    });
    if let (Some(document), Some(map)) = (document, notification.as_object_mut()) {
        // 0-based index of the document in a multi-document stream.
        map.insert("properties".into(), json!({ "document": document }));
    }
    notification
}

pub(crate) fn render(report: &Report<'_>, layout: Layout, out: &mut dyn Write) -> io::Result<()> {
    let rules = rules_for(
        report.rules.iter().map(|r| r.meta()),
        report
            .findings
            .iter()
            .chain(report.suppressed.iter().map(|s| &s.finding)),
    );
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.code, i))
        .collect();
    // The severity findings of a rule were reported with: configuration can override it.
    let mut effective: HashMap<&str, Severity> = HashMap::new();
    for finding in report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding))
    {
        let entry = effective
            .entry(finding.rule.code)
            .or_insert(finding.severity);
        *entry = (*entry).max(finding.severity);
    }
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let severity = effective.get(rule.code).copied().unwrap_or(rule.severity);
            rule_descriptor(rule, severity)
        })
        .collect();

    let mut errors: Vec<_> = report.errors.iter().collect();
    errors.sort_by(|a, b| {
        (&a.file, a.document, a.line, a.column, &a.message)
            .cmp(&(&b.file, b.document, b.line, b.column, &b.message))
    });
    let mut notices: Vec<_> = report.notices.iter().collect();
    notices.sort_by(|a, b| {
        (&a.file, a.document, a.line, &a.message).cmp(&(&b.file, b.document, b.line, &b.message))
    });
    let mut notifications: Vec<Value> = errors
        .into_iter()
        .map(|e| {
            notification(
                "error",
                e.message.clone(),
                &e.file,
                e.line,
                e.column,
                e.document,
            )
        })
        .collect();
    notifications.extend(
        notices
            .into_iter()
            .map(|n| notification("note", n.message.clone(), &n.file, n.line, None, n.document)),
    );
    let mut expired: Vec<String> = report
        .expired
        .iter()
        .map(|e| expired_sentence(&e.exception, e.matched))
        .collect();
    expired.sort();
    let configuration: Vec<Value> = expired
        .into_iter()
        .map(|text| json!({ "level": "warning", "message": { "text": text } }))
        .collect();

    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        report.errors.is_empty().into(),
    );
    if !notifications.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), notifications.into());
    }
    if !configuration.is_empty() {
        invocation.insert(
            "toolConfigurationNotifications".into(),
            configuration.into(),
        );
    }

    // The log is written member by member, in the order SARIF viewers show it; the results,
    // which make up nearly all of it, are rendered in parallel, in chunks, and a report of
    // hundreds of thousands of findings is never held as one JSON value.
    let mut head = vec![b'{'];
    let mut log = Members::new(layout, 0);
    log.member(&mut head, "$schema", SARIF_SCHEMA)?;
    log.member(&mut head, "version", "2.1.0")?;
    log.key(&mut head, "runs")?;
    // `runs` holds one run, two levels deep.
    head.extend_from_slice(match layout {
        Layout::Indented => b"[\n    {",
        Layout::Compact => b"[{",
    });
    let mut run = Members::new(layout, 2);
    let tool = json!({
        "driver": {
            "name": "palisade",
            "version": report.tool_version,
            "informationUri": REPOSITORY,
            "rules": descriptors,
        },
    });
    run.member(&mut head, "tool", &tool)?;
    run.member(&mut head, "invocations", &[Value::Object(invocation)])?;
    let base_ids = json!({
        SRCROOT: { "description": { "text": "The directory the scan ran from." } },
    });
    run.member(&mut head, "originalUriBaseIds", &base_ids)?;
    run.member(&mut head, "columnKind", "unicodeCodePoints")?;
    run.key(&mut head, "results")?;
    out.write_all(&head)?;

    // Findings, then suppressed findings, each in report order.
    let results: Vec<(&Finding, Option<&SuppressedBy>)> = sorted(report.findings, |f| f)
        .into_iter()
        .map(|finding| (finding, None))
        .chain(
            sorted(report.suppressed, |s: &Suppressed| &s.finding)
                .into_iter()
                .map(|s| (&s.finding, Some(&s.by))),
        )
        .collect();
    pretty::array(out, layout, 3, &results, |buffer, &(finding, by)| {
        let rule = index.get(finding.rule.code).copied();
        pretty::value(buffer, layout, 4, &result(finding, rule, by))
    })?;

    let mut tail = Vec::new();
    run.end(&mut tail)?;
    tail.extend_from_slice(match layout {
        Layout::Indented => b"\n  ]",
        Layout::Compact => b"]",
    });
    log.end(&mut tail)?;
    tail.push(b'\n');
    out.write_all(&tail)
}
