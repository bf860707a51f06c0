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
use palisade_rules::{Finding, RuleMeta};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::collections::hash_map::{Entry, HashMap};
use std::io::{self, Write};

const ALL_OTHER_OBJECTS: &str = "all other objects";

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

fn failed_case(rule: &RuleMeta, object: &ObjectRef, findings: &[&Finding]) -> TestCase {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(rule.severity);
    status.set_message(messages.join("; "));
    status.set_type(severity.as_str());
    let mut description: Vec<String> = findings.iter().map(|f| finding_line(f)).collect();
    description.push(String::new());
    status.set_description(description.join("\n"));
    let mut case = TestCase::new(object.to_string(), status);
    case.set_classname(rule.code);
    case
}

fn skipped_case(
    rule: &RuleMeta,
    object: &ObjectRef,
    suppressed: &[&palisade_rules::settings::Suppressed],
) -> TestCase {
    let mut status = TestCaseStatus::skipped();
    let mut reasons: Vec<String> = suppressed
        .iter()
        .map(|s| suppression_sentence(&s.by))
        .collect();
    reasons.dedup();
    status.set_message(reasons.join("; "));
    let mut description: Vec<String> = suppressed
        .iter()
        .map(|s| finding_line(&s.finding))
        .collect();
    description.push(String::new());
    status.set_description(description.join("\n"));
    let mut case = TestCase::new(object.to_string(), status);
    case.set_classname(rule.code);
    case
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = quick_junit::Report::new("palisade");
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
    let mut skipped: BTreeMap<&str, Vec<(&ObjectRef, Vec<&palisade_rules::settings::Suppressed>)>> =
        BTreeMap::new();
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

    for rule in rules {
        let mut suite = TestSuite::new(format!("{} {}", rule.code, rule.name));
        for (object, findings) in failing.get(rule.code).into_iter().flatten() {
            suite.add_test_case(failed_case(rule, object, findings));
        }
        for (object, suppressed) in skipped.get(rule.code).into_iter().flatten() {
            suite.add_test_case(skipped_case(rule, object, suppressed));
        }
        let mut pass = TestCase::new(ALL_OTHER_OBJECTS, TestCaseStatus::success());
        pass.set_classname(rule.code);
        suite.add_test_case(pass);
        junit.add_test_suite(suite);
    }

    if !report.errors.is_empty() {
        let mut errors: Vec<_> = report.errors.iter().collect();
        errors.sort_by(|a, b| {
            (&a.file, a.document, a.line, a.column, &a.message)
                .cmp(&(&b.file, b.document, b.line, b.column, &b.message))
        });
        let mut suite = TestSuite::new("load");
        for error in errors {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(error.message.clone());
            status.set_type("load error");
            status.set_description(error.to_string());
            let name = match error.document {
                Some(document) => format!("{} (document {})", error.file, document + 1),
                None => error.file.to_string(),
            };
            let mut case = TestCase::new(name, status);
            case.set_classname("load");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }

    if !report.expired.is_empty() {
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
        let mut suite = TestSuite::new("configuration");
        for (name, sentence) in expired {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(sentence);
            status.set_type("expired exception");
            let mut case = TestCase::new(name, status);
            case.set_classname("configuration");
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }

    // Serialised in memory first so a write error keeps its kind (a closed pipe stays one).
    let mut buffer = Vec::new();
    junit.serialize(&mut buffer).map_err(io::Error::other)?;
    out.write_all(&buffer)
}
