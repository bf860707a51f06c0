//! End-to-end runs of the `palisade` binary: exit codes, formats, stdin, settings, bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn palisade() -> Command {
    let mut cmd = Command::cargo_bin("palisade").expect("binary built");
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("valid JSON report")
}

fn scan_json(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut cmd = palisade();
    cmd.arg("scan").args(args).args(["--format", "json"]);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let output = cmd.output().expect("runs");
    (output.status.code().unwrap_or(-1), json_of(&output.stdout))
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn insecure_example_fails_with_located_findings() {
    let (code, report) = scan_json(&["examples/insecure-shop"], None);
    assert_eq!(code, 1, "findings at or above high fail the scan");
    let findings = report["findings"].as_array().expect("findings");
    let privileged: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "WL001").collect();
    assert_eq!(privileged.len(), 2, "{findings:#?}");
    // `privileged: yes` on line 37 of the Deployment, read as true like kubectl does.
    assert_eq!(privileged[0]["location"]["line"], 37);
    assert_eq!(
        privileged[0]["path"],
        "/spec/template/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(privileged[0]["app"], "insecure-shop");
    // The rule's remediation is written once, in `rules`; the finding has none of its own.
    assert!(privileged[0]["remediation"].is_null());
    assert!(privileged[0].get("references").is_none());
    let rules = report["rules"].as_object().expect("rules");
    assert!(
        rules["WL001"]["remediation"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(
        findings
            .iter()
            .all(|f| rules.contains_key(f["rule"].as_str().unwrap_or("")))
    );
    // The duplicate key hides `privileged: true` behind `privileged: false`.
    assert!(codes(&report).contains(&"MF001".to_string()));
    assert!(codes(&report).contains(&"WL002".to_string()));
}

#[test]
fn hardened_example_is_clean() {
    let (code, report) = scan_json(&["examples/hardened-shop"], None);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(codes(&report), Vec::<String>::new());
}

#[test]
fn stdin_is_scanned() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: x:1\n    securityContext:\n      runAsNonRoot: true\n      allowPrivilegeEscalation: false\n      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [ALL]}\n";
    let (code, report) = scan_json(&["-", "--select", "WL002"], Some(manifest));
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["WL002"]);
    assert_eq!(report["findings"][0]["location"]["file"], "<stdin>");
    assert_eq!(report["findings"][0]["location"]["line"], 6);
}

#[test]
fn broken_document_is_reported_and_the_rest_scanned() {
    let stream = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  hostIPC: true\n  containers: []\n---\napiVersion: v1\nkind: Pod\nmetadata: [unclosed\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\nspec:\n  hostNetwork: true\n  containers: []\n";
    let (code, report) = scan_json(&["-", "--select", "WL002"], Some(stream));
    assert_eq!(code, 2, "an unparsable document makes the run exit 2");
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["errors"][0]["document"], 1);
    assert!(report["errors"][0]["line"].as_u64().is_some());
    let names: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["object"]["name"].as_str())
        .collect();
    assert_eq!(names, ["a", "c"]);
}

#[test]
fn missing_path_exits_2_and_names_it() {
    palisade()
        .args(["scan", "does/not/exist.yaml"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("does/not/exist.yaml"));
}

#[test]
fn formats_render() {
    for format in ["text", "json", "sarif", "junit"] {
        let output = palisade()
            .args(["scan", "examples", "--format", format])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "format {format}");
        assert!(!output.stdout.is_empty(), "format {format}");
    }
    let text = palisade()
        .args(["scan", "examples"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("examples/insecure-shop/deployment.yaml:37:13"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when NO_COLOR is set");
}

#[test]
fn output_file_and_fail_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.sarif");
    palisade()
        .args([
            "scan",
            "examples",
            "--format",
            "sarif",
            "--fail-on",
            "none",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::is_empty());
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("written"))
        .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn select_and_ignore() {
    let (_, report) = scan_json(&["examples", "--select", "WL002"], None);
    assert_eq!(codes(&report), ["WL002"]);
    let (_, report) = scan_json(&["examples", "--ignore", "WL,MF,SE,TN,DP,NP,RB"], None);
    assert!(codes(&report).is_empty());
}

#[test]
fn settings_file_exceptions_and_unknown_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("palisade.yaml");
    std::fs::write(
        &config,
        "fail-on: critical\nexceptions:\n  - rule: WL002\n    namespace: shop\n    name: web\n    reason: needs the node's network for a legacy license server\n    owner: team-shop\n    expires: 2999-12-31\n  - rule: MF001\n    reason: old\n    owner: team-shop\n    expires: 2000-01-01\n",
    )
    .expect("write config");
    let (_, report) = scan_json(
        &[
            "examples/insecure-shop",
            "--config",
            config.to_str().expect("utf-8"),
        ],
        None,
    );
    assert!(!codes(&report).contains(&"WL002".to_string()));
    assert_eq!(report["suppressed"].as_array().map(Vec::len), Some(1));
    // The expired exception no longer applies and is itself reported.
    assert!(codes(&report).contains(&"MF001".to_string()));
    assert_eq!(
        report["expiredExceptions"].as_array().map(Vec::len),
        Some(1)
    );

    std::fs::write(&config, "fail-on: high\nselects: [WL]\n").expect("write config");
    palisade()
        .args(["scan", "examples", "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("selects"));
}

#[test]
fn inline_suppression_can_be_disabled() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    palisade.dev/ignore: WL002\n    palisade.dev/ignore-reason: node exporter\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: x:1\n    securityContext:\n      runAsNonRoot: true\n      allowPrivilegeEscalation: false\n      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [ALL]}\n";
    let (code, report) = scan_json(&["-", "--select", "WL002"], Some(manifest));
    assert_eq!(code, 0);
    assert!(codes(&report).is_empty());
    assert_eq!(report["suppressed"][0]["by"]["type"], "inline");
    let (code, report) = scan_json(
        &["-", "--select", "WL002", "--no-inline-suppression"],
        Some(manifest),
    );
    assert_eq!(code, 1);
    assert_eq!(codes(&report), ["WL002"]);
}

#[test]
fn rules_and_explain() {
    palisade()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("WL001"));
    let output = palisade()
        .args(["rules", "--format", "json"])
        .output()
        .expect("runs");
    assert!(
        json_of(&output.stdout)
            .as_array()
            .is_some_and(|a| a.len() >= 5)
    );
    palisade()
        .args(["explain", "privileged-container"])
        .assert()
        .success()
        .stdout(predicate::str::contains("How to fix"));
    palisade().args(["explain", "XX999"]).assert().code(2);
}

#[test]
fn generated_rules_reference_is_current() {
    let output = palisade()
        .args(["rules", "--format", "markdown"])
        .output()
        .expect("runs");
    let current = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        current == String::from_utf8_lossy(&output.stdout),
        "docs/rules.md is stale: run `cargo xtask docs`"
    );
}

#[test]
fn real_world_corpus_scans_without_crashing() {
    let corpus = root().join("../shared/corpus/apps");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    let output = palisade()
        .args(["scan", "--format", "json", "--fail-on", "none"])
        .arg(&corpus)
        .output()
        .expect("runs");
    let code = output.status.code();
    assert!(matches!(code, Some(0 | 2)), "exit {code:?}");
    let report = json_of(&output.stdout);
    assert!(report["summary"]["objects"].as_u64().unwrap_or(0) > 1000);
    for error in report["errors"].as_array().expect("errors") {
        assert!(error["file"].as_str().is_some_and(|f| !f.is_empty()));
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    for finding in report["findings"].as_array().expect("findings") {
        assert!(
            finding["location"]["line"].as_u64().unwrap_or(0) > 0,
            "{finding}"
        );
    }
}

#[test]
fn pss_plans_namespaces() {
    let output = palisade()
        .args(["pss", "examples/insecure-shop", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let report = json_of(&output.stdout);
    let objects = report["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0]["object"]["name"], "web");
    assert_eq!(objects[0]["level"], "privileged");
    let checks: Vec<&str> = objects[0]["violations"]["baseline"]
        .as_array()
        .expect("baseline violations")
        .iter()
        .filter_map(|v| v["check"].as_str())
        .collect();
    assert_eq!(checks, ["hostNamespaces", "privileged"]);
    let shop = &report["namespaces"][0];
    assert_eq!(shop["name"], "shop");
    assert_eq!(shop["level"], "privileged");
    assert_eq!(
        shop["rejected_by"]["baseline"].as_array().map(Vec::len),
        Some(2)
    );
    let enforce = &shop["current"][0];
    assert_eq!(enforce["mode"], "enforce");
    assert_eq!(enforce["version"], "v1.30");
    assert_eq!(enforce["rejects"].as_array().map(Vec::len), Some(2));

    let text = palisade()
        .args(["pss", "examples/hardened-shop"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("restricted  Deployment shop/web"), "{text}");
    palisade()
        .args(["pss", "examples", "--pss-version", "v2.0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--pss-version"));
}

#[test]
fn pss_version_and_level_selection_in_scan() {
    let (_, report) = scan_json(
        &["examples/insecure-shop", "--select", "pss-baseline"],
        None,
    );
    let mut found = codes(&report);
    found.sort();
    found.dedup();
    assert_eq!(found, ["WL001", "WL002"]);
    palisade()
        .args([
            "scan",
            "examples",
            "--pss-version",
            "latest",
            "--select",
            "pss-restricted",
        ])
        .assert()
        .code(1);
    palisade()
        .args(["scan", "examples", "--pss-version", "1.x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pss-version"));
}

#[test]
fn profiles_change_what_applies() {
    let manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: play\n  labels:\n    palisade.dev/profile: dev\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: play\nspec:\n  containers:\n  - name: c\n    image: registry.example/c:1.0\n";
    let severity_of = |report: &Value, code: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["rule"] == code)
            .map(|f| f["severity"].as_str().unwrap_or("").to_string())
    };
    // The namespace label picks `dev`: probes are info, ownership is off.
    let (_, report) = scan_json(&["-"], Some(manifest));
    assert_eq!(severity_of(&report, "WL026").as_deref(), Some("info"));
    assert_eq!(severity_of(&report, "TN008"), None);
    assert!(
        report["suppressed"]
            .as_array()
            .expect("suppressed")
            .iter()
            .any(|s| s["by"]["type"] == "profile" && s["finding"]["rule"] == "TN008")
    );
    // Without the label, `--profile` decides for the whole scan.
    let unlabelled = manifest.replace("palisade.dev/profile: dev", "team: x");
    let (_, report) = scan_json(&["-"], Some(&unlabelled));
    assert_eq!(severity_of(&report, "WL026").as_deref(), Some("low"));
    let (_, report) = scan_json(&["-", "--profile", "dev"], Some(&unlabelled));
    assert_eq!(severity_of(&report, "WL026").as_deref(), Some("info"));
    palisade()
        .args(["scan", "examples", "--profile", "qa"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--profile"));
}

#[test]
fn kubernetes_version_selects_removed_apis() {
    let manifest = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: pdb\nspec:\n  minAvailable: 1\n";
    let (_, report) = scan_json(
        &["-", "--select", "DP", "--kubernetes-version", "1.24"],
        Some(manifest),
    );
    assert_eq!(codes(&report), ["DP002"]);
    let (code, report) = scan_json(
        &["-", "--select", "DP", "--kubernetes-version", "1.25"],
        Some(manifest),
    );
    assert_eq!(codes(&report), ["DP001"]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"][0]["path"], "/apiVersion");
    palisade()
        .args(["scan", "examples", "--kubernetes-version", "2.0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kubernetes-version"));
}
