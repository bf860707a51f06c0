//! Timing of the RBAC model on a generated inventory of 10,000 roles and 20,000 bindings.
//! Ignored by default; run with
//! `cargo test --release -p palisade-rules --test rbac_perf -- --ignored --nocapture`.

use palisade_model::{Inventory, Object, PositionTree};
use palisade_rules::rbac::{Model, Request, Subject};
use serde_json::json;
use std::time::Instant;

fn generated() -> Inventory {
    let mut objects = Vec::new();
    let object = |value| Object::new(value, "gen".into(), 0, PositionTree::default());
    for i in 0..10_000 {
        let value = if i % 2 == 0 {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                   "metadata": {"name": format!("cr-{i}")},
                   "rules": [{"apiGroups": ["", "apps"], "resources": ["pods", "deployments"],
                              "verbs": ["get", "list", "watch"]},
                             {"apiGroups": [""], "resources": ["secrets"],
                              "resourceNames": [format!("s-{i}")], "verbs": ["get"]}]})
        } else {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                   "metadata": {"name": format!("r-{i}"), "namespace": format!("ns-{}", i % 200)},
                   "rules": [{"apiGroups": [""], "resources": ["secrets", "configmaps"],
                              "verbs": ["get", "list"]}]})
        };
        objects.push(object(value));
    }
    for j in 0..20_000_usize {
        let i = (j * 7919) % 10_000;
        let value = if i % 2 == 0 && j % 3 == 0 {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": format!("crb-{j}")},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                               "name": format!("cr-{i}")},
                   "subjects": [{"kind": "ServiceAccount", "name": format!("sa-{j}"),
                                 "namespace": format!("ns-{}", j % 200)},
                                {"kind": "User", "name": format!("user-{}", j % 500)}]})
        } else if i % 2 == 0 {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": format!("rb-{j}"), "namespace": format!("ns-{}", j % 200)},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                               "name": format!("cr-{i}")},
                   "subjects": [{"kind": "Group", "name": format!("group-{}", j % 50)}]})
        } else {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": format!("rb-{j}"), "namespace": format!("ns-{}", i % 200)},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                               "name": format!("r-{i}")},
                   "subjects": [{"kind": "ServiceAccount", "name": format!("sa-{j}")}]})
        };
        objects.push(object(value));
    }
    Inventory::new(objects)
}

#[test]
#[ignore = "timing; run in release"]
fn who_can_at_scale() {
    let inventory = generated();
    let start = Instant::now();
    let model = Model::build(&inventory);
    let built = start.elapsed();
    let start = Instant::now();
    let in_namespace = model.who_can(&Request::resource("get", "", "secrets").in_namespace("ns-7"));
    let namespaced = start.elapsed();
    let start = Instant::now();
    let everywhere = model.who_can(&Request::resource("list", "", "pods"));
    let all = start.elapsed();
    let start = Instant::now();
    let grants = model.grants(&Subject::user("user-7").identity());
    let can = start.elapsed();
    println!(
        "model build {built:?}; who-can in one namespace {namespaced:?} ({} subjects); \
         who-can across namespaces {all:?} ({} subjects); can {can:?} ({} grants)",
        in_namespace.len(),
        everywhere.len(),
        grants.len()
    );
    assert!(!in_namespace.is_empty() && !everywhere.is_empty());
}
