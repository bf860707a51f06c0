//! Scale check of the reachability matrix on a generated cluster: 2,000 workloads in 50
//! namespaces and 1,000 NetworkPolicies (default deny, label-based allows with ports, egress
//! rules). Ignored by default; run it in release mode to measure:
//! `cargo test --release -p palisade-rules --test netpol_scale -- --ignored --nocapture`.

use palisade_model::Value;
use palisade_model::value;
use palisade_model::{Inventory, Object, PositionTree};
use palisade_rules::netpol::Network;
use std::time::Instant;

const NAMESPACES: usize = 50;
const WORKLOADS_PER_NAMESPACE: usize = 40;
const POLICIES_PER_NAMESPACE: usize = 20;

fn object(value: Value) -> Object {
    Object::new(value, "generated.yaml".into(), 0, PositionTree::default())
}

fn generate() -> Inventory {
    let mut objects = Vec::new();
    for n in 0..NAMESPACES {
        let namespace = format!("ns-{n}");
        objects.push(object(value!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {"team": format!("team-{}", n % 10)}}
        })));
        for w in 0..WORKLOADS_PER_NAMESPACE {
            objects.push(object(value!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": format!("app-{w}"), "namespace": namespace},
                "spec": {"template": {
                    "metadata": {"labels": {"app": format!("app-{w}"), "tier": format!("tier-{}", w % 4)}},
                    "spec": {"containers": [{"name": "c", "image": "x",
                        "ports": [{"name": "http", "containerPort": 8080}]}]}}}
            })));
        }
        objects.push(object(value!({
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": namespace},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        })));
        for p in 1..POLICIES_PER_NAMESPACE {
            objects.push(object(value!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": format!("allow-{p}"), "namespace": namespace},
                "spec": {
                    "podSelector": {"matchLabels": {"tier": format!("tier-{}", p % 4)}},
                    "ingress": [
                        {"from": [{"namespaceSelector": {"matchLabels": {"team": format!("team-{}", p % 10)}},
                                   "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In",
                                       "values": [format!("tier-{}", (p + 1) % 4)]}]}}],
                         "ports": [{"port": "http"}, {"port": 9000 + p, "endPort": 9100 + p}]},
                        {"from": [{"podSelector": {"matchLabels": {"app": format!("app-{p}")}}}]}
                    ],
                    "egress": [
                        {"to": [{"namespaceSelector": {}}], "ports": [{"port": 8080}]},
                        {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}
                    ]
                }
            })));
        }
    }
    Inventory::new(objects)
}

#[test]
#[ignore = "measurement; run in release mode"]
fn matrix_of_2000_workloads_and_1000_policies() {
    let inventory = generate();
    let start = Instant::now();
    let network = Network::build(&inventory);
    let built = start.elapsed();
    assert_eq!(
        network.workloads.len(),
        NAMESPACES * WORKLOADS_PER_NAMESPACE
    );
    assert_eq!(network.policies.len(), NAMESPACES * POLICIES_PER_NAMESPACE);
    let start = Instant::now();
    let edges = network.matrix(None);
    let matrix = start.elapsed();
    println!(
        "{} workloads, {} policies: build {:?}, matrix {:?} ({} allowed pairs of {})",
        network.workloads.len(),
        network.policies.len(),
        built,
        matrix,
        edges.len(),
        network.workloads.len() * (network.workloads.len() - 1)
    );
    assert!(!edges.is_empty());
}
