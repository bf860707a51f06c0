//! The SARIF 2.1.0 report, for code-scanning services and editors. One run: the rules that ran
//! as `tool.driver.rules` with their documentation and a `security-severity` score, one result
//! per finding (suppressed findings too, carrying `suppressions`), load errors and skipped
//! documents as tool execution notifications, expired exceptions as configuration
//! notifications. Paths stay relative to `%SRCROOT%` (the directory the scan ran from) so the
//! file can be uploaded from any checkout. `partialFingerprints` hash the rule, the object and
//! the field, not the line, so a finding keeps its identity when lines move.

use crate::Report;
use crate::shared::{
    exception_scope, expired_sentence, path_to_uri, qualified_name, rules_for, sorted, stable_hash,
};
use palisade_model::Location;
use palisade_rules::settings::{Suppressed, SuppressedBy};
use palisade_rules::{Finding, RuleMeta, Severity};
use serde_json::{Map, Value, json};
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

fn artifact_location(file: &str) -> Value {
    let (uri, relative) = path_to_uri(file);
    if relative {
        json!({ "uri": uri, "uriBaseId": SRCROOT })
    } else {
        json!({ "uri": uri })
    }
}

fn region(line: Option<u32>, column: Option<u32>) -> Option<Value> {
    let line = line.filter(|&l| l >= 1)?;
    let mut region = Map::new();
    region.insert("startLine".into(), line.into());
    if let Some(column) = column.filter(|&c| c >= 1) {
        region.insert("startColumn".into(), column.into());
    }
    Some(Value::Object(region))
}

fn physical_location(file: &str, line: Option<u32>, column: Option<u32>) -> Value {
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), artifact_location(file));
    if let Some(region) = region(line, column) {
        physical.insert("region".into(), region);
    }
    Value::Object(physical)
}

fn located(location: &Location) -> Value {
    physical_location(&location.file, Some(location.line), Some(location.column))
}

/// The object (`Deployment/shop/web`) and, when the finding is about a field, the field
/// (`Deployment/shop/web#/spec/replicas`, a JSON Pointer as a URI fragment).
fn logical_locations(finding: &Finding) -> Value {
    let object = qualified_name(&finding.object);
    let mut locations = vec![json!({
        "name": finding.object.name,
        "fullyQualifiedName": object,
        "kind": "object",
    })];
    if !finding.path.is_empty() {
        let name = palisade_model::pointer::segments(&finding.path)
            .last()
            .unwrap_or_default();
        locations.push(json!({
            "name": name,
            "fullyQualifiedName": format!("{object}#{}", finding.path),
            "kind": "property",
        }));
    }
    Value::Array(locations)
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

fn result(finding: &Finding, rule_index: Option<usize>, by: Option<&SuppressedBy>) -> Value {
    let mut location = Map::new();
    if let Some(l) = &finding.location {
        location.insert("physicalLocation".into(), located(l));
    }
    location.insert("logicalLocations".into(), logical_locations(finding));

    let mut properties = Map::new();
    properties.insert("severity".into(), finding.severity.as_str().into());
    properties.insert("object".into(), qualified_name(&finding.object).into());
    properties.insert(
        "apiVersion".into(),
        finding.object.api_version.clone().into(),
    );
    properties.insert("jsonPointer".into(), finding.path.as_str().into());
    if let Some(container) = &finding.container {
        properties.insert("container".into(), container.as_str().into());
    }
    if let Some(app) = &finding.app {
        properties.insert("app".into(), app.as_ref().into());
    }
    if let Some(template) = finding
        .location
        .as_ref()
        .and_then(|l| l.template.as_deref())
    {
        properties.insert("template".into(), template.into());
    }
    properties.insert("remediation".into(), finding.remediation().into());

    let mut result = Map::new();
    result.insert("ruleId".into(), finding.rule.code.into());
    if let Some(index) = rule_index {
        result.insert("ruleIndex".into(), index.into());
    }
    result.insert("level".into(), level(finding.severity).into());
    result.insert("message".into(), json!({ "text": finding.message }));
    result.insert("locations".into(), json!([Value::Object(location)]));
    if !finding.related.is_empty() {
        let related: Vec<Value> = finding
            .related
            .iter()
            .enumerate()
            .map(|(id, (message, location))| {
                json!({
                    "id": id,
                    "physicalLocation": located(location),
                    "message": { "text": message },
                })
            })
            .collect();
        result.insert("relatedLocations".into(), related.into());
    }
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(finding) }),
    );
    if let Some(by) = by {
        result.insert("suppressions".into(), json!([suppression(by)]));
    }
    result.insert("properties".into(), Value::Object(properties));
    Value::Object(result)
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

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
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

    let results = Results {
        findings: sorted(report.findings, |f| f),
        suppressed: sorted(report.suppressed, |s: &Suppressed| &s.finding),
        index: &index,
    };

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

    let sarif = Sarif {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": "palisade",
                    "version": report.tool_version,
                    "informationUri": REPOSITORY,
                    "rules": descriptors,
                },
            }),
            invocations: [Value::Object(invocation)],
            original_uri_base_ids: json!({
                SRCROOT: { "description": { "text": "The directory the scan ran from." } },
            }),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &sarif).map_err(io::Error::from)?;
    writeln!(out)
}

/// The log, field for field in the order SARIF viewers show it; `results` is written one
/// result at a time, so a report of hundreds of thousands of findings is never held as one
/// JSON value.
#[derive(serde::Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    invocations: [Value; 1],
    original_uri_base_ids: Value,
    column_kind: &'static str,
    results: Results<'a>,
}

struct Results<'a> {
    findings: Vec<&'a Finding>,
    suppressed: Vec<&'a Suppressed>,
    index: &'a HashMap<&'a str, usize>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq =
            serializer.serialize_seq(Some(self.findings.len() + self.suppressed.len()))?;
        for finding in &self.findings {
            let rule = self.index.get(finding.rule.code).copied();
            seq.serialize_element(&result(finding, rule, None))?;
        }
        for suppressed in &self.suppressed {
            let rule = self.index.get(suppressed.finding.rule.code).copied();
            seq.serialize_element(&result(&suppressed.finding, rule, Some(&suppressed.by)))?;
        }
        seq.end()
    }
}
