//! Tests of every renderer against one fixed report that exercises each feature: several
//! severities and applications, a container, a related location, a Helm template, a finding
//! without a location, suppression inline and by exception, an expired exception, a load
//! error, a notice, and an object name carrying a terminal escape.

use crate::{Format, RenderOptions, Report, Stats, render};
use palisade_model::{LoadError, Location, Notice, ObjectRef};
use palisade_rules::settings::{Exception, ExpiredException, Suppressed, SuppressedBy};
use palisade_rules::{Finding, Findings, Pack, Reference, Rule, RuleMeta, Severity};
use std::sync::Arc;

static PRIVILEGED: RuleMeta = RuleMeta {
    code: "WL001",
    name: "privileged-container",
    pack: Pack::Workload,
    severity: Severity::Critical,
    kinds: &["<workload>"],
    summary: "A container runs privileged.",
    rationale: "A privileged container has every capability and the host's devices.",
    remediation: "Set `securityContext.privileged` to false.",
    bad_example: "securityContext:\n  privileged: true\n",
    good_example: "securityContext:\n  privileged: false\n",
    pss: &[],
    references: &[Reference {
        title: "Pod Security Standards: Baseline, Privileged Containers",
        url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    }],
};

static ROOT: RuleMeta = RuleMeta {
    code: "WL002",
    name: "runs-as-root",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "A container may run as root.",
    rationale: "Root in a container is root on the host after a container escape.",
    remediation: "Set `securityContext.runAsNonRoot` to true.",
    bad_example: "",
    good_example: "securityContext:\n  runAsNonRoot: true\n",
    pss: &[],
    references: &[],
};

static UNUSED: RuleMeta = RuleMeta {
    code: "WL003",
    name: "host-network",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "A pod uses the host's network namespace.",
    rationale: "The pod can reach every port of the node.",
    remediation: "Remove `hostNetwork: true`.",
    bad_example: "hostNetwork: true\n",
    good_example: "hostNetwork: false\n",
    pss: &[],
    references: &[],
};

static DUPLICATE: RuleMeta = RuleMeta {
    code: "MF001",
    name: "duplicate-key",
    pack: Pack::Manifest,
    severity: Severity::Medium,
    kinds: &["*"],
    summary: "A mapping has the same key twice.",
    rationale: "Kubernetes keeps the last value; reviewers often read the first.",
    remediation: "Remove one of the keys.",
    bad_example: "replicas: 1\nreplicas: 3\n",
    good_example: "replicas: 3\n",
    pss: &[],
    references: &[],
};

struct TestRule(&'static RuleMeta);

impl Rule for TestRule {
    fn meta(&self) -> &'static RuleMeta {
        self.0
    }
}

static RULES: [&dyn Rule; 4] = [
    &TestRule(&DUPLICATE),
    &TestRule(&PRIVILEGED),
    &TestRule(&ROOT),
    &TestRule(&UNUSED),
];

fn object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: namespace.map(Into::into),
        name: name.into(),
    }
}

fn at(file: &str, line: u32, column: u32) -> Location {
    Location {
        file: file.into(),
        line,
        column,
        template: None,
    }
}

fn finding(rule: &'static RuleMeta, object: ObjectRef, path: &str, message: &str) -> Finding {
    Finding {
        rule,
        severity: rule.severity,
        message: message.into(),
        app: object.namespace.as_deref().map(Into::into),
        object: object.into(),
        container: None,
        path: path.into(),
        location: None,
        related: Default::default(),
        remediation: None,
    }
}

struct Fixture {
    findings: Findings,
    suppressed: Vec<Suppressed>,
    expired: Vec<ExpiredException>,
    errors: Vec<LoadError>,
    notices: Vec<Notice>,
}

fn sample() -> Fixture {
    let web = object("apps/v1", "Deployment", Some("shop"), "web");

    let mut privileged = finding(
        &PRIVILEGED,
        web.clone(),
        "/spec/template/spec/containers/0/securityContext/privileged",
        "container `api` runs privileged",
    );
    privileged.container = Some("api".into());
    privileged.location = Some(at("deploy/web.yaml", 21, 13));
    privileged.app = Some("shop".into());

    let mut duplicate = finding(
        &DUPLICATE,
        web,
        "/spec/replicas",
        "`replicas` appears twice; Kubernetes uses the second value (3)",
    );
    duplicate.location = Some(at("deploy/web.yaml", 9, 3));
    duplicate.related.push((
        "first `replicas`, ignored".into(),
        at("deploy/web.yaml", 7, 3),
    ));
    duplicate.remediation = Some("Remove the first `replicas` key.".into());
    duplicate.app = Some("shop".into());

    // No namespace and no application; a name crafted to drive a terminal.
    let mut root = finding(
        &ROOT,
        object("v1", "Pod", None, "debug\u{1b}[2J"),
        "/spec/containers/0/securityContext/runAsNonRoot",
        "container `shell` may run as root",
    );
    root.container = Some("shell".into());
    root.app = None;
    root.location = Some(Location {
        template: Some("chart/templates/debug.yaml".into()),
        ..at("rendered/chart.yaml", 14, 9)
    });

    // Configuration raised the severity of this one; it has no location.
    let mut unlocated = finding(
        &ROOT,
        object("apps/v1", "StatefulSet", Some("data"), "db"),
        "/spec/template/spec/securityContext",
        "pod of StatefulSet `db` may run as root",
    );
    unlocated.severity = Severity::Low;

    let mut inline = finding(
        &PRIVILEGED,
        object("v1", "Pod", Some("default"), "tool"),
        "/spec/containers/0/securityContext/privileged",
        "container `tool` runs privileged",
    );
    inline.container = Some("tool".into());
    inline.location = Some(at("pods/tool.yaml", 12, 9));

    let mut excepted = finding(
        &ROOT,
        object("apps/v1", "DaemonSet", Some("kube-system"), "agent"),
        "/spec/template/spec/containers/0/securityContext/runAsNonRoot",
        "container `agent` may run as root",
    );
    excepted.container = Some("agent".into());
    excepted.location = Some(at("system/agent.yaml", 30, 11));

    let accepted = Arc::new(Exception {
        rule: Some("WL002".into()),
        namespace: Some("kube-system".into()),
        reason: "the node agent needs root to read host logs".into(),
        owner: "platform-team".into(),
        expires: "2027-06-30".into(),
        ..Exception::default()
    });
    let stale = Arc::new(Exception {
        rule: Some("WL001".into()),
        namespace: Some("kube-system".into()),
        reason: "CNI plugin".into(),
        owner: "x".into(),
        expires: "2026-01-01".into(),
        ..Exception::default()
    });

    Fixture {
        // Deliberately out of order: renderers sort.
        findings: Findings::from(vec![unlocated, root, privileged, duplicate]),
        suppressed: vec![
            Suppressed {
                finding: excepted,
                by: SuppressedBy::Exception(accepted),
            },
            Suppressed {
                finding: inline,
                by: SuppressedBy::Inline {
                    reason: Some("debugging pod, removed after incident 42".into()),
                },
            },
        ],
        expired: vec![ExpiredException {
            exception: stale,
            matched: 3,
        }],
        errors: vec![LoadError {
            file: "broken.yaml".into(),
            document: Some(1),
            line: Some(4),
            column: Some(7),
            message: "did not find expected key".into(),
        }],
        notices: vec![Notice {
            file: "kustomization.yaml".into(),
            document: Some(0),
            line: Some(1),
            message: "not a Kubernetes object".into(),
        }],
    }
}

fn report(fixture: &Fixture) -> Report<'_> {
    Report {
        findings: &fixture.findings,
        suppressed: &fixture.suppressed,
        expired: &fixture.expired,
        errors: &fixture.errors,
        notices: &fixture.notices,
        rules: &RULES,
        stats: Stats {
            files: 6,
            documents: 7,
            objects: 5,
            rules: RULES.len(),
        },
        fail_on: Some(Severity::High),
        tool_version: "0.1.0",
    }
}

fn output(report: &Report<'_>, format: Format, options: RenderOptions) -> String {
    let mut out = Vec::new();
    render(report, format, &options, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn plain(report: &Report<'_>, format: Format) -> String {
    output(report, format, RenderOptions::default())
}

fn empty_report() -> Report<'static> {
    Report {
        findings: Box::leak(Box::default()),
        suppressed: &[],
        expired: &[],
        errors: &[],
        notices: &[],
        rules: &RULES,
        stats: Stats::default(),
        fail_on: None,
        tool_version: "0.1.0",
    }
}

fn validate(schema: &serde_json::Value, document: &str) {
    let validator = jsonschema::validator_for(schema).unwrap();
    let instance: serde_json::Value = serde_json::from_str(document).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid output:\n{}", errors.join("\n"));
}

#[test]
fn formats_parse_and_print() {
    for format in Format::ALL {
        assert_eq!(format.as_str().parse::<Format>(), Ok(format));
    }
    assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
    assert!("xml".parse::<Format>().is_err());
}

#[test]
fn text_snapshot() {
    let fixture = sample();
    insta::assert_snapshot!("text", plain(&report(&fixture), Format::Text));
}

#[test]
fn text_verbose_snapshot() {
    let fixture = sample();
    let options = RenderOptions {
        verbose: true,
        ..RenderOptions::default()
    };
    insta::assert_snapshot!(
        "text_verbose",
        output(&report(&fixture), Format::Text, options)
    );
}

#[test]
fn json_snapshot() {
    let fixture = sample();
    insta::assert_snapshot!("json", plain(&report(&fixture), Format::Json));
}

#[test]
fn sarif_snapshot() {
    let fixture = sample();
    insta::assert_snapshot!("sarif", plain(&report(&fixture), Format::Sarif));
}

#[test]
fn compact_json_and_sarif_hold_the_same_document() {
    let fixture = sample();
    let compact = RenderOptions {
        compact: true,
        ..RenderOptions::default()
    };
    for format in [Format::Json, Format::Sarif] {
        let indented = plain(&report(&fixture), format);
        let written = output(&report(&fixture), format, compact);
        let value: serde_json::Value = serde_json::from_str(&indented).unwrap();
        // Exactly what serde_json writes without whitespace, and a final newline.
        assert_eq!(
            written,
            format!("{}\n", serde_json::to_string(&value).unwrap())
        );
        assert!(written.len() * 4 < indented.len() * 3, "{format}");
    }
}

#[test]
fn junit_snapshot() {
    let fixture = sample();
    insta::assert_snapshot!("junit", plain(&report(&fixture), Format::Junit));
}

#[test]
fn text_has_no_escapes_without_color() {
    let fixture = sample();
    for verbose in [false, true] {
        let options = RenderOptions {
            verbose,
            ..RenderOptions::default()
        };
        let text = output(&report(&fixture), Format::Text, options);
        assert!(!text.contains('\u{1b}'), "escape in:\n{text}");
        assert!(text.contains(r"debug\u{1b}[2J"));
    }
    let colored = output(
        &report(&fixture),
        Format::Text,
        RenderOptions {
            color: true,
            ..RenderOptions::default()
        },
    );
    assert!(colored.contains("\u{1b}["));
    // The only escapes are ours: the hostile name stays escaped.
    assert!(!colored.contains("\u{1b}[2J"));
}

#[test]
fn output_does_not_depend_on_input_order() {
    let fixture = sample();
    let mut reversed = sample();
    // In other parts, in the other order.
    let mut findings: Vec<Finding> = reversed.findings.iter().cloned().collect();
    findings.reverse();
    let rest = findings.split_off(1);
    reversed.findings = Findings::from_parts(vec![rest, findings]);
    reversed.suppressed.reverse();
    for format in Format::ALL {
        assert_eq!(
            plain(&report(&fixture), format),
            plain(&report(&reversed), format),
            "{format}"
        );
    }
}

#[test]
fn empty_report_renders() {
    let report = empty_report();
    let text = plain(&report, Format::Text);
    assert_eq!(
        text,
        "0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 0 objects from 0 files; \
         0 errors; 0 suppressed\nNo failure threshold (--fail-on none).\n"
    );
    let junit = plain(&report, Format::Junit);
    assert_eq!(junit.matches("all other objects").count(), RULES.len());
    for format in [Format::Json, Format::Sarif] {
        let value: serde_json::Value = serde_json::from_str(&plain(&report, format)).unwrap();
        assert!(value.is_object());
    }
}

#[test]
fn json_keys_are_always_present() {
    let fixture = sample();
    let value: serde_json::Value =
        serde_json::from_str(&plain(&report(&fixture), Format::Json)).unwrap();
    assert_eq!(value["schemaVersion"], crate::JSON_SCHEMA_VERSION);
    assert_eq!(value["summary"]["failed"], true);
    let unlocated = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["object"]["name"] == "db")
        .unwrap();
    for key in ["container", "location", "remediation"] {
        assert!(unlocated[key].is_null(), "{key}");
    }
}

#[test]
fn json_rules_hold_what_findings_share() {
    let fixture = sample();
    let value: serde_json::Value =
        serde_json::from_str(&plain(&report(&fixture), Format::Json)).unwrap();
    let rules = value["rules"].as_object().unwrap();
    // The rules of findings and suppressed findings, sorted; not every rule that ran.
    let codes: Vec<&str> = rules.keys().map(String::as_str).collect();
    assert_eq!(codes, ["MF001", "WL001", "WL002"]);
    let privileged = &rules["WL001"];
    assert_eq!(privileged["name"], "privileged-container");
    assert_eq!(privileged["defaultSeverity"], "critical");
    assert_eq!(privileged["summary"], PRIVILEGED.summary);
    assert_eq!(privileged["remediation"], PRIVILEGED.remediation);
    assert_eq!(
        privileged["references"][0]["url"],
        PRIVILEGED.references[0].url
    );
    // The default severity, not the overridden one of the `db` finding.
    assert_eq!(rules["WL002"]["defaultSeverity"], "high");
    assert_eq!(rules["WL002"]["references"], serde_json::json!([]));
    // The same link as SARIF's `helpUri`.
    let sarif: serde_json::Value =
        serde_json::from_str(&plain(&report(&fixture), Format::Sarif)).unwrap();
    for descriptor in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        if let Some(rule) = rules.get(descriptor["id"].as_str().unwrap()) {
            assert_eq!(rule["docsUrl"], descriptor["helpUri"]);
        }
    }

    let findings = value["findings"].as_array().unwrap().iter().chain(
        value["suppressed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| &s["finding"]),
    );
    for finding in findings {
        assert!(finding.get("references").is_none(), "{finding}");
        let remediation = &finding["remediation"];
        if finding["rule"] == "MF001" {
            // A remediation specific to the finding is kept in it.
            assert_eq!(remediation, "Remove the first `replicas` key.");
        } else {
            assert!(remediation.is_null(), "{finding}");
        }
        // `.remediation // $rules[.rule].remediation` gives every finding its fix.
        let rule = finding["rule"].as_str().unwrap();
        assert!(rules.contains_key(rule), "{rule}");
    }
}

#[test]
fn json_empty_report_has_no_rules() {
    let value: serde_json::Value =
        serde_json::from_str(&plain(&empty_report(), Format::Json)).unwrap();
    assert_eq!(value["rules"], serde_json::json!({}));
}

#[test]
fn json_matches_its_schema() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/json-output.schema.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let fixture = sample();
    validate(&schema, &plain(&report(&fixture), Format::Json));
    validate(&schema, &plain(&empty_report(), Format::Json));
}

#[test]
fn documented_example_matches_the_schema() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/../../docs/json-output.schema.json")).unwrap(),
    )
    .unwrap();
    let doc = std::fs::read_to_string(format!("{dir}/../../docs/json-output.md")).unwrap();
    let example = doc.split("## Example").nth(1).unwrap();
    let example = example.split("```json\n").nth(1).unwrap();
    let example = example.split("```").next().unwrap();
    validate(&schema, example);
}

#[test]
fn sarif_matches_the_official_schema() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/schemas/sarif/sarif-schema-2.1.0.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("skipped: SARIF schema not found at {path}");
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fixture = sample();
    validate(&schema, &plain(&report(&fixture), Format::Sarif));
    validate(&schema, &plain(&empty_report(), Format::Sarif));
    // The validator does reject a bad document.
    let mut broken: serde_json::Value =
        serde_json::from_str(&plain(&report(&fixture), Format::Sarif)).unwrap();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !jsonschema::validator_for(&schema)
            .unwrap()
            .is_valid(&broken)
    );
}

#[test]
fn sarif_fingerprints_ignore_lines() {
    let fixture = sample();
    let mut moved = sample();
    for finding in moved.findings.iter_mut() {
        if let Some(location) = &mut finding.location {
            location.line += 10;
        }
    }
    let fingerprints = |fixture: &Fixture| -> Vec<serde_json::Value> {
        let sarif: serde_json::Value =
            serde_json::from_str(&plain(&report(fixture), Format::Sarif)).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    let before = fingerprints(&fixture);
    assert_eq!(before, fingerprints(&moved));
    let mut unique = before.clone();
    unique.sort_by_key(|v| v.to_string());
    unique.dedup();
    assert_eq!(unique.len(), before.len());
}
