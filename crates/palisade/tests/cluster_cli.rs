//! `palisade scan --cluster` and `palisade pss --cluster` against a local server that plays
//! back the responses recorded from a Kubernetes 1.32 API server.

#[path = "../../palisade-load/src/cluster/fake_api.rs"]
mod fake_api;

use assert_cmd::Command;
use fake_api::{Behaviour, FakeApi};
use serde_json::Value;
use std::path::PathBuf;

struct Served {
    api: FakeApi,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn serve(behaviour: Behaviour) -> Option<Served> {
    let Some(corpus) = fake_api::corpus() else {
        eprintln!("skipped: ../shared/corpus/live/k8s-1.32 is absent");
        return None;
    };
    let api = fake_api::start(&corpus, behaviour);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    std::fs::write(&kubeconfig, api.kubeconfig()).unwrap();
    Some(Served {
        api,
        dir,
        kubeconfig,
    })
}

fn palisade(served: &Served) -> Command {
    let mut command = Command::cargo_bin("palisade").unwrap();
    command
        .env("KUBECONFIG", &served.kubeconfig)
        .env_remove("KUBERNETES_SERVICE_HOST")
        .current_dir(served.dir.path());
    command
}

fn findings(stdout: &[u8]) -> Vec<Value> {
    let report: Value = serde_json::from_slice(stdout).unwrap();
    report["findings"].as_array().unwrap().clone()
}

fn at(findings: &[Value], rule: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["rule"]["code"] == rule || f["rule"] == rule || f["code"] == rule)
        .map(|f| {
            let o = &f["object"];
            format!(
                "{} {}/{}",
                o["kind"].as_str().unwrap_or(""),
                o["namespace"].as_str().unwrap_or(""),
                o["name"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn scans_the_cluster_and_reports_at_controllers() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let output = palisade(&served)
        .args(["scan", "--cluster", "--format", "json", "--select", "WL001"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("objects from cluster:recorded"), "{stderr}");
    assert!(stderr.contains("Pod 96"), "{stderr}");
    let privileged = at(&findings(&output.stdout), "WL001");
    // The badPods privileged Deployment is reported once, at the Deployment, not at its
    // ReplicaSet or Pod.
    assert!(
        privileged.contains(&"Deployment badpods/priv-exec-deployment".to_string()),
        "{privileged:?}"
    );
    assert!(
        !privileged
            .iter()
            .any(|p| p.starts_with("Pod badpods/priv-exec-deployment")),
        "{privileged:?}"
    );
    assert!(
        !privileged
            .iter()
            .any(|p| p.starts_with("ReplicaSet badpods/priv-exec-deployment")),
        "{privileged:?}"
    );
    // A stand-alone Pod is reported as itself.
    assert!(
        privileged
            .iter()
            .any(|p| p.starts_with("Pod badpods/priv-exec-pod")),
        "{privileged:?}"
    );
    let seen = served.api.seen();
    assert!(seen.iter().all(|s| s.status == 200), "{seen:?}");
    // Quiet: nothing on stderr.
    let quiet = palisade(&served)
        .args(["scan", "--cluster", "--quiet", "--select", "WL001"])
        .output()
        .unwrap();
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

#[test]
fn forbidden_lists_are_reported_and_the_scan_goes_on() {
    let Some(served) = serve(Behaviour {
        forbidden: [
            "/api/v1/secrets",
            "/apis/rbac.authorization.k8s.io/v1/rolebindings",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        ..Behaviour::default()
    }) else {
        return;
    };
    let output = palisade(&served)
        .args(["scan", "--cluster", "--format", "json", "--fail-on", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Findings below --fail-on and partial reads: exit 0, not 2.
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("not allowed to list secrets"), "{stderr}");
    assert!(
        stderr.contains("not allowed to list rolebindings.rbac.authorization.k8s.io"),
        "{stderr}"
    );
    assert!(stderr.contains("RBAC (RB)"), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = report.to_string();
    assert!(text.contains("these rules are incomplete"), "{text}");
    assert!(!findings(&output.stdout).is_empty());
}

#[test]
fn nothing_readable_exits_2() {
    let Some(corpus) = fake_api::corpus() else {
        return;
    };
    let index: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(corpus.join("INDEX.json")).unwrap()).unwrap();
    // Every list; discovery stays readable.
    let forbidden = index
        .keys()
        .filter(|p| {
            let depth = p.matches('/').count();
            (p.starts_with("/api/") && depth >= 3) || depth >= 4
        })
        .cloned()
        .collect();
    let Some(served) = serve(Behaviour {
        forbidden,
        ..Behaviour::default()
    }) else {
        return;
    };
    let output = palisade(&served)
        .args(["scan", "--cluster", "--fail-on", "none"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("nothing could be read"), "{stdout}");
}

#[test]
fn paged_lists_give_the_same_report() {
    // The binary sends limit=500: a pod list larger than that comes in several pages.
    let Some(served) = serve(Behaviour {
        pods: Some(1200),
        ..Behaviour::default()
    }) else {
        return;
    };
    let output = palisade(&served)
        .args(["scan", "--cluster", "--format", "json", "--select", "WL001"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Pod 1200"), "{stderr}");
    let pages: Vec<_> = served
        .api
        .seen()
        .into_iter()
        .filter(|s| s.path == "/api/v1/pods")
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[0].query.contains("limit=500"));
    assert!(pages[2].query.contains("continue=offset-1000"));
    // Replicated pods that point at the same controllers are folded into them.
    let privileged = at(&findings(&output.stdout), "WL001");
    assert!(!privileged.iter().any(|p| p.contains("-r1")) || privileged.len() < 1200);
}

#[test]
fn snapshot_round_trip() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let snapshot = served.dir.path().join("snapshot.json");
    let live = palisade(&served)
        .args(["scan", "--cluster", "--format", "json", "--save-snapshot"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert_eq!(live.status.code(), Some(1));
    let saved: Value = serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    assert_eq!(saved["kind"], "List");
    let offline = palisade(&served)
        .args(["scan", "--format", "json"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert_eq!(offline.status.code(), Some(1));
    let refs = |f: Vec<Value>| -> Vec<String> {
        let mut refs: Vec<String> = f
            .iter()
            .map(|f| format!("{} {} {}", f["rule"], f["object"], f["path"]))
            .collect();
        refs.sort();
        refs
    };
    let live = refs(findings(&live.stdout));
    let offline = refs(findings(&offline.stdout));
    assert!(!live.is_empty());
    assert_eq!(live, offline);
}

#[test]
fn pss_reads_one_namespace() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let output = palisade(&served)
        .args(["pss", "--cluster", "-n", "badpods", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let objects = report["objects"].as_array().unwrap();
    assert!(!objects.is_empty());
    assert!(
        objects
            .iter()
            .all(|o| o["object"]["namespace"] == "badpods")
    );
    assert!(
        served
            .api
            .seen()
            .iter()
            .any(|s| s.path == "/api/v1/namespaces/badpods/pods")
    );
}

#[test]
fn paths_are_required_without_cluster() {
    Command::cargo_bin("palisade")
        .unwrap()
        .arg("scan")
        .assert()
        .code(2);
    Command::cargo_bin("palisade")
        .unwrap()
        .args(["scan", "--context", "x", "."])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--cluster"));
}

#[test]
fn unknown_context_is_an_error() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    palisade(&served)
        .args(["scan", "--cluster", "--context", "missing"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read the cluster"));
}

/// The recorded cluster with its pod list replicated to 10,000 pods, scanned under
/// `/usr/bin/time -v`; run with
/// `cargo test --release -p palisade --test cluster_cli -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark"]
fn benchmark_ten_thousand_pods() {
    let Some(served) = serve(Behaviour {
        pods: Some(10_000),
        ..Behaviour::default()
    }) else {
        return;
    };
    let binary = assert_cmd::cargo::cargo_bin("palisade");
    for extra in [&[][..], &["--save-snapshot", "snapshot.json"][..]] {
        let output = std::process::Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&binary)
            .args([
                "scan",
                "--cluster",
                "--format",
                "json",
                "--output",
                "report.json",
            ])
            .args(extra)
            .env("KUBECONFIG", &served.kubeconfig)
            .current_dir(served.dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        for line in stderr.lines().filter(|l| {
            l.starts_with("Read ")
                || l.contains("reported at the controller")
                || l.contains("Elapsed (wall clock)")
                || l.contains("Maximum resident set size")
        }) {
            println!("{}", line.trim());
        }
    }
    let offline = std::process::Command::new("/usr/bin/time")
        .arg("-v")
        .arg(&binary)
        .args([
            "scan",
            "snapshot.json",
            "--format",
            "json",
            "--output",
            "offline.json",
        ])
        .current_dir(served.dir.path())
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&offline.stderr)
        .lines()
        .filter(|l| l.contains("Elapsed (wall clock)") || l.contains("Maximum resident"))
    {
        println!("offline snapshot: {}", line.trim());
    }
}

#[test]
fn rbac_and_netpol_read_the_cluster() {
    let Some(served) = serve(Behaviour::default()) else {
        return;
    };
    let output = palisade(&served)
        .args([
            "rbac",
            "who-can",
            "get",
            "secrets",
            "--cluster",
            "-n",
            "argocd",
        ])
        .args(["--format", "json", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = report["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    // Argo CD's application controller reads secrets cluster-wide in the recorded cluster.
    assert!(
        names.contains(&"argocd-application-controller"),
        "{names:?}"
    );

    let output = palisade(&served)
        .args([
            "netpol",
            "matrix",
            "--cluster",
            "--quiet",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let matrix: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(matrix.is_object());
}
