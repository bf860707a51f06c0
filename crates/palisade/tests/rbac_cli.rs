//! End-to-end runs of `palisade rbac`: who-can JSON shape, `can` grouping, escalation paths,
//! stdin input and the note about filled-in default roles.

use assert_cmd::Command;
use serde_json::Value;

const INPUT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web-edit
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects:
- kind: ServiceAccount
  name: web
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ops-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: ops
  namespace: shop
- kind: User
  name: alice
";

fn palisade(args: &[&str]) -> Command {
    let mut command = Command::cargo_bin("palisade").expect("binary");
    command.args(args).write_stdin(INPUT);
    command
}

#[test]
fn who_can_json() {
    let output = palisade(&[
        "rbac", "who-can", "get", "secrets", "-", "-n", "shop", "--format", "json",
    ])
    .output()
    .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let subjects = report["subjects"].as_array().expect("subjects");
    let names: Vec<(String, String)> = subjects
        .iter()
        .map(|s| {
            (
                format!(
                    "{} {}",
                    s["kind"].as_str().unwrap_or(""),
                    s["name"].as_str().unwrap_or("")
                ),
                s["scope"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("User alice".to_string(), "cluster".to_string()),
            ("Group system:masters".to_string(), "cluster".to_string()),
            ("ServiceAccount ops".to_string(), "cluster".to_string()),
            ("ServiceAccount web".to_string(), "shop".to_string()),
        ]
    );
    let web = &subjects[3];
    assert_eq!(web["namespace"], "shop");
    assert_eq!(web["via"][0]["binding"], "RoleBinding shop/web-edit");
    assert_eq!(web["via"][0]["role"], "ClusterRole edit");
    let defaults: Vec<&str> = report["defaultsUsed"]
        .as_array()
        .expect("defaults")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(defaults.contains(&"edit") && defaults.contains(&"cluster-admin"));
}

#[test]
fn who_can_subresource_forms_and_text() {
    for args in [
        vec!["rbac", "who-can", "create", "pods/exec", "-", "-n", "other"],
        vec![
            "rbac",
            "who-can",
            "create",
            "pods",
            "--subresource",
            "exec",
            "-",
            "-n",
            "other",
        ],
    ] {
        let output = palisade(&args).output().expect("runs");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success());
        assert!(
            text.contains("Who can create pods/exec in namespace other:"),
            "{text}"
        );
        assert!(text.contains("User alice  [cluster]"));
        // edit applies in shop only.
        assert!(!text.contains("ServiceAccount shop/web"), "{text}");
        assert!(text.contains("note: built-in definitions"));
    }
}

#[test]
fn can_groups_by_namespace_and_marks_risk() {
    let output = palisade(&["rbac", "can", "sa:shop/web", "-"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(text.contains("namespace shop:"), "{text}");
    assert!(
        text.contains(" ! ") && text.contains("reads secrets"),
        "{text}"
    );
    let output = palisade(&["rbac", "can", "sa:shop/web", "-", "--format", "json"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["permissions"][0]["scope"], "shop");
    let output = palisade(&["rbac", "can", "nonsense", "-"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn paths_to_cluster_admin() {
    let output = palisade(&["rbac", "paths", "sa:shop/web", "-"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    // edit impersonates (and creates pods as) service accounts of shop; shop/ops is
    // cluster-admin.
    assert!(
        text.contains("ServiceAccount shop/web reaches cluster-admin in 2 step(s)"),
        "{text}"
    );
    assert!(
        text.contains("impersonates service account shop/ops"),
        "{text}"
    );
    let output = palisade(&["rbac", "paths", "-", "--format", "json"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let admins: Vec<&str> = report["admins"]
        .as_array()
        .expect("admins")
        .iter()
        .filter_map(|p| p["subject"]["name"].as_str())
        .collect();
    assert_eq!(admins, ["alice", "ops"]);
    assert_eq!(report["paths"][0]["subject"]["name"], "web");
}
