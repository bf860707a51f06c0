//! Runs every rule against its fixture (`fixtures/<pack>/<CODE>.yaml`) with only that rule
//! enabled: objects named `bad-*` must be reported, objects named `good-*` must not, and the
//! findings are snapshotted so that a change in message, path or location shows up in review.

use palisade_model::{Inventory, ObjectRef};
use palisade_rules::{Context, Finding, Rule, all_rules, check_with};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `workload/WL001.yaml`, relative to the fixtures folder.
fn fixture_path(rule: &dyn Rule) -> String {
    let pack = serde_json::to_value(rule.meta().pack)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("{pack}/{}.yaml", rule.meta().code)
}

/// The context a fixture asks for in a comment line such as
/// `# palisade-context: allowed-registries=registry.example,ghcr.io/acme`.
fn fixture_context(text: &str) -> Context {
    let mut context = Context::default();
    for line in text.lines() {
        let Some(setting) = line.trim().strip_prefix("# palisade-context:") else {
            continue;
        };
        if let Some(list) = setting.trim().strip_prefix("allowed-registries=") {
            context.allowed_registries = list.split(',').map(|s| s.trim().to_string()).collect();
        }
    }
    context
}

/// One line per finding: `CODE line:col object path (container): message`, plus related
/// locations, so the snapshot reads like a terse report.
fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let position = finding
            .location
            .as_ref()
            .map_or("-".to_string(), |l| format!("{}:{}", l.line, l.column));
        let container = finding
            .container
            .as_ref()
            .map_or(String::new(), |c| format!(" ({c})"));
        let _ = writeln!(
            out,
            "{} {position} {} {}{container}: {}",
            finding.rule.code, finding.object, finding.path, finding.message
        );
        for (label, location) in &finding.related {
            let _ = writeln!(out, "    {label} at {}:{}", location.line, location.column);
        }
    }
    out
}

/// Checks one rule's fixture, adding what is wrong to `problems`; returns the rendered
/// findings to snapshot, or `None` when the fixture could not be read.
fn check_fixture(rule: &'static dyn Rule, problems: &mut Vec<String>) -> Option<String> {
    let code = rule.meta().code;
    let relative = fixture_path(rule);
    let path = fixtures_dir().join(&relative);
    let Ok(text) = std::fs::read_to_string(&path) else {
        problems.push(format!("{code}: fixture {} is missing", path.display()));
        return None;
    };
    let loaded = palisade_load::parse_source(
        &text,
        relative.as_str().into(),
        &palisade_load::Limits::default(),
    );
    for error in &loaded.errors {
        problems.push(format!("{code}: load error: {error}"));
    }
    let mut expected: BTreeMap<ObjectRef, bool> = BTreeMap::new();
    for object in &loaded.objects {
        let bad = object.name().starts_with("bad-");
        if !bad && !object.name().starts_with("good-") {
            problems.push(format!(
                "{code}: {} in {relative} is named neither bad-* nor good-*",
                object.reference
            ));
        }
        if expected
            .insert(object.reference.as_ref().clone(), bad)
            .is_some()
        {
            problems.push(format!(
                "{code}: {} appears twice in {relative}",
                object.reference
            ));
        }
    }
    if !expected.values().any(|&bad| bad) {
        problems.push(format!("{code}: {relative} has no bad-* object"));
    }
    if !expected.values().any(|&bad| !bad) {
        problems.push(format!("{code}: {relative} has no good-* object"));
    }

    let findings = check_with(
        &Inventory::new(loaded.objects),
        &[rule],
        &fixture_context(&text),
    );
    for (object, &bad) in &expected {
        let count = findings.iter().filter(|f| *f.object == *object).count();
        if bad && count == 0 {
            problems.push(format!("{code}: {object} should be reported but is not"));
        }
        if !bad && count > 0 {
            problems.push(format!(
                "{code}: {object} should not be reported but has {count} finding(s)"
            ));
        }
    }
    for finding in &findings {
        if finding.rule.code != code {
            problems.push(format!(
                "{code}: unexpected finding of {}",
                finding.rule.code
            ));
        }
        if finding.location.is_none() {
            problems.push(format!(
                "{code}: finding on {} has no location",
                finding.object
            ));
        }
    }

    Some(render(&findings))
}

#[test]
fn every_rule_passes_its_fixture() {
    let mut problems = Vec::new();
    let mut snapshots = Vec::new();
    for &rule in all_rules() {
        if let Some(rendered) = check_fixture(rule, &mut problems) {
            snapshots.push((rule.meta().code, fixture_path(rule), rendered));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    for (code, fixture, rendered) in snapshots {
        insta::with_settings!({
            description => fixture,
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(code, rendered);
        });
    }
}
