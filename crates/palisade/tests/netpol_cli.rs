//! End-to-end runs of `palisade netpol`: verdicts and exit codes of `can-reach`, the matrix in
//! every format, and exposure.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const MANIFESTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: data, labels: {team: data}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: web}
spec:
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: x, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: web}}}]
    ports: [{port: pg}]
---
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: web}
spec: {selector: {app: frontend}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: web}
spec:
  rules:
  - host: shop.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: frontend, port: {number: 80}}}}]}
"#;

fn palisade() -> Command {
    let mut cmd = Command::cargo_bin("palisade").unwrap_or_else(|e| panic!("{e}"));
    cmd.env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path) -> String {
    let path = dir.join("deploy.yaml");
    std::fs::write(&path, MANIFESTS).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

fn run(args: &[&str]) -> (i32, String) {
    let output = palisade()
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn can_reach_verdicts_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write(dir.path());
    let (code, out) = run(&[
        "netpol",
        "can-reach",
        "--from",
        "web/frontend",
        "--to",
        "data/db",
        "--port",
        "5432",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(code, 0, "{out}");
    let verdict = json(&out);
    assert_eq!(verdict["allowed"], true);
    assert_eq!(verdict["ingress"]["isolated"], true);
    assert_eq!(
        verdict["ingress"]["allowed_by"],
        serde_json::json!(["db-from-web"])
    );
    assert_eq!(verdict["egress"]["isolated"], false);
    assert_eq!(verdict["egress"]["allowed_by"], serde_json::json!([]));

    let (code, out) = run(&[
        "netpol",
        "can-reach",
        "--from",
        "web/frontend",
        "--to",
        "data/db",
        "--port",
        "5432/UDP",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(code, 1);
    let verdict = json(&out);
    assert_eq!(verdict["allowed"], false);
    assert_eq!(
        verdict["ingress"]["isolated_by"],
        serde_json::json!(["db-from-web"])
    );

    // Text output, a named port, and an address as the source.
    let (code, out) = run(&[
        "netpol",
        "can-reach",
        "--from",
        "203.0.113.4",
        "--to",
        "data/db",
        "--port",
        "pg",
        &file,
    ]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("DENIED: 203.0.113.4 -> data/db on TCP/pg"),
        "{out}"
    );
    assert!(out.contains("isolated by db-from-web"), "{out}");

    // An unknown workload is an error (2).
    let (code, _) = run(&[
        "netpol",
        "can-reach",
        "--from",
        "web/nope",
        "--to",
        "data/db",
        "--port",
        "5432",
        &file,
    ]);
    assert_eq!(code, 2);
}

#[test]
fn matrix_in_every_format() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write(dir.path());
    let (code, out) = run(&["netpol", "matrix", "--format", "json", &file]);
    assert_eq!(code, 0);
    let matrix = json(&out);
    let edges: Vec<(String, String, Value)> = matrix["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["from"].as_str().unwrap_or("").to_string(),
                e["to"].as_str().unwrap_or("").to_string(),
                e["ports"].clone(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        [
            (
                "web/frontend".into(),
                "data/db".into(),
                serde_json::json!(["TCP/5432"])
            ),
            (
                "data/db".into(),
                "web/frontend".into(),
                serde_json::json!(["any"])
            ),
        ]
    );
    let (_, dot) = run(&["netpol", "matrix", "--format", "dot", &file]);
    assert!(dot.starts_with("digraph netpol {"), "{dot}");
    assert!(
        dot.contains("\"web/frontend\" -> \"data/db\" [label=\"TCP/5432\"];"),
        "{dot}"
    );
    let (_, text) = run(&["netpol", "matrix", "--namespace", "data", &file]);
    assert!(text.contains("web/frontend"), "{text}");
    assert!(text.contains("TCP/5432"), "{text}");
    let (code, _) = run(&["netpol", "matrix", "--namespace", "nowhere", &file]);
    assert_eq!(code, 2);
}

#[test]
fn exposure_lists_ingress_backends() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write(dir.path());
    let (code, out) = run(&["netpol", "exposure", "--format", "json", &file]);
    assert_eq!(code, 0);
    let exposure = json(&out);
    let first = &exposure["exposures"][0];
    assert_eq!(first["channel"], "ingress");
    assert_eq!(first["via"]["name"], "shop");
    assert_eq!(first["entry"], "shop.example/");
    assert_eq!(first["service"]["name"], "frontend");
    assert_eq!(first["workloads"][0]["id"], "web/frontend");
    assert_eq!(first["workloads"][0]["ingress_isolated"], false);
    let (_, text) = run(&["netpol", "exposure", &file]);
    assert!(
        text.contains("Ingress web/shop (shop.example/) -> Service web/frontend:80"),
        "{text}"
    );
}
