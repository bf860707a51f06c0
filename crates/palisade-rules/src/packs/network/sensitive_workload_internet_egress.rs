//! NP007: a sensitive workload (a datastore, a secrets store, or one labelled sensitive) can
//! open connections to the internet.

use super::{
    ATTACK_EXFILTRATION, NETWORK_POLICIES, NSA_NETWORK_SEPARATION, describe, host_network,
    pod_labels_path,
};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use crate::netpol::{Network, Workload};
use palisade_model::Inventory;
use palisade_model::{Map, Value};

pub struct SensitiveWorkloadInternetEgress;

/// The label that marks a workload (pod template or object) or a whole namespace as sensitive
/// (`"true"`) or not (`"false"`, which wins over the defaults).
pub const SENSITIVE_LABEL: &str = "palisade.dev/sensitive";

/// Role labels whose values mark a datastore or a secrets store.
const ROLE_KEYS: [&str; 4] = ["app.kubernetes.io/component", "component", "tier", "role"];
const SENSITIVE_ROLES: [&str; 7] = [
    "database",
    "db",
    "datastore",
    "data",
    "storage",
    "vault",
    "secrets",
];
/// Name labels whose values are well-known datastores and secrets stores.
const NAME_KEYS: [&str; 2] = ["app.kubernetes.io/name", "app"];
const SENSITIVE_NAMES: [&str; 12] = [
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "redis",
    "cassandra",
    "elasticsearch",
    "opensearch",
    "etcd",
    "vault",
    "minio",
];

pub static META: RuleMeta = RuleMeta {
    code: "NP007",
    name: "sensitive-workload-internet-egress",
    pack: Pack::Network,
    severity: Severity::Medium,
    kinds: &["NetworkPolicy", "Namespace", "<workload>"],
    summary: "A sensitive workload can open connections to the internet.",
    rationale: "Databases, caches and secrets stores hold the data an attacker is after; if \
        they can connect to the internet, one injection or one compromised dependency is \
        enough to send the data out (T1041) or pull in tools, with no proxy to see it. A \
        workload can reach the internet when no policy isolates it for egress, or when an \
        egress rule admits every destination or an `ipBlock` that, minus its `except`, still \
        holds a public address (private, loopback, link-local, CGNAT and multicast ranges do \
        not count). A workload is sensitive when it or its pod template is labelled \
        `palisade.dev/sensitive: \"true\"`, when its Namespace is, or by default when a role \
        label (`app.kubernetes.io/component`, `component`, `tier`, `role`) says `database`, \
        `db`, `datastore`, `data`, `storage`, `vault` or `secrets`, or a name label \
        (`app.kubernetes.io/name`, `app`) names a well-known datastore (postgres, mysql, \
        mariadb, mongodb, redis, cassandra, elasticsearch, opensearch, etcd, vault, minio); \
        `palisade.dev/sensitive: \"false\"` on the workload opts it out.",
    remediation: "Isolate the workload for egress and allow only DNS and the in-cluster or \
        private destinations it needs; send required internet traffic through an egress \
        proxy or gateway.",
    bad_example: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: postgresql\n    spec:\n      containers:\n      - name: postgres\n        image: registry.example/postgres:16.4\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: db-egress\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: postgresql\n  policyTypes:\n  - Egress\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n    ports:\n    - port: 53\n      protocol: UDP\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        ATTACK_EXFILTRATION,
    ],
};

fn flag(labels: &Map) -> Option<bool> {
    match labels.get(SENSITIVE_LABEL).and_then(Value::as_str) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// Why a workload is sensitive (`label=value`), or `None`.
pub fn sensitivity(network: &Network<'_>, workload: &Workload<'_>) -> Option<String> {
    for labels in [workload.labels, workload.object.labels()] {
        match flag(labels) {
            Some(true) => return Some(format!("{SENSITIVE_LABEL}=true")),
            Some(false) => return None,
            None => {}
        }
    }
    if flag(&network.namespace_labels(&workload.namespace)) == Some(true) {
        return Some(format!("namespace {SENSITIVE_LABEL}=true"));
    }
    for labels in [workload.labels, workload.object.labels()] {
        let value = |key: &str| labels.get(key).and_then(Value::as_str);
        for key in ROLE_KEYS {
            if let Some(v) =
                value(key).filter(|v| SENSITIVE_ROLES.contains(&v.to_ascii_lowercase().as_str()))
            {
                return Some(format!("{key}={v}"));
            }
        }
        for key in NAME_KEYS {
            if let Some(v) =
                value(key).filter(|v| SENSITIVE_NAMES.contains(&v.to_ascii_lowercase().as_str()))
            {
                return Some(format!("{key}={v}"));
            }
        }
    }
    None
}

impl Rule for SensitiveWorkloadInternetEgress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let network = sink.network(inventory);
        for (index, workload) in network.workloads.iter().enumerate() {
            let Some(why) = sensitivity(&network, workload) else {
                continue;
            };
            let Some(rules) = network.internet_egress(index) else {
                continue;
            };
            let how = if host_network(workload) {
                "it uses the host network, where NetworkPolicies do not apply".to_string()
            } else if rules.is_empty() {
                "no NetworkPolicy isolates it for egress".to_string()
            } else {
                let names: Vec<String> = rules
                    .iter()
                    .map(|r| format!("`{}` {}", r.policy.name, r.rule))
                    .collect();
                format!("egress rules admit public addresses ({})", names.join(", "))
            };
            sink.report(
                workload.object,
                pod_labels_path(workload.object),
                format!(
                    "{} is sensitive ({why}) and can connect to the internet: {how}",
                    describe(workload)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::{run_yaml, summary};

    #[test]
    fn sensitive_by_label_namespace_or_default() {
        let pod = |name: &str, ns: &str, labels: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {labels}}}\nspec: {{containers: [{{name: c}}]}}\n---\n"
            )
        };
        let text = [
            pod("pg", "shop", "{app.kubernetes.io/name: postgresql}"),
            pod("marked", "shop", "{palisade.dev/sensitive: 'true'}"),
            pod("opted-out", "shop", "{tier: database, palisade.dev/sensitive: 'false'}"),
            pod("web", "shop", "{app: web}"),
            pod("anything", "vault", "{app: x}"),
            pod("locked", "data", "{role: db}"),
            pod("world", "open", "{role: db}"),
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: vault, labels: {palisade.dev/sensitive: 'true'}}\n---\n".to_string(),
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: private, namespace: data}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}\n---\n".to_string(),
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: world, namespace: open}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}], ports: [{port: 443}]}]}\n".to_string(),
        ]
        .concat();
        let findings = run_yaml(&SensitiveWorkloadInternetEgress, &text);
        assert_eq!(
            summary(&findings),
            [
                "Pod open/world /metadata/labels",
                "Pod shop/marked /metadata/labels",
                "Pod shop/pg /metadata/labels",
                "Pod vault/anything /metadata/labels",
            ]
        );
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("`world` /spec/egress/0"))
        );
    }
}
