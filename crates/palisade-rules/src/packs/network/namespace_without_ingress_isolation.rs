//! NP001: a namespace runs workloads but no NetworkPolicy isolates any of them for ingress.

use super::{
    ATTACK_DISCOVERY, ATTACK_REMOTE_SERVICES, CIS_NETWORK_POLICIES, NETWORK_POLICIES,
    NSA_NETWORK_SEPARATION, report_open_namespaces,
};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use crate::netpol::Direction;
use palisade_model::Inventory;

pub struct NamespaceWithoutIngressIsolation;

pub static META: RuleMeta = RuleMeta {
    code: "NP001",
    name: "namespace-without-ingress-isolation",
    pack: Pack::Network,
    severity: Severity::Medium,
    kinds: &["Namespace", "NetworkPolicy", "<workload>"],
    summary: "A namespace runs workloads but no NetworkPolicy isolates any of them for ingress.",
    rationale: "Kubernetes lets every pod connect to every other pod until a NetworkPolicy \
        selects it for ingress. In a namespace without one, any compromised pod anywhere in \
        the cluster can scan its services and connect to them (T1046, T1021): databases, \
        admin endpoints and metrics that were only meant for neighbours. A default-deny \
        ingress policy (`podSelector: {}` with `policyTypes: [Ingress]`) plus narrow allow \
        policies turns the flat network into one where each connection is intended. Objects \
        without a namespace are counted in `default`; workloads on the host network are left \
        out because NetworkPolicies do not apply to them. Enforcement needs a network plugin \
        that implements NetworkPolicy.",
    remediation: "Add a default-deny ingress NetworkPolicy to the namespace (`podSelector: {}`, \
        `policyTypes: [Ingress]`) and allow the traffic each workload needs with policies that \
        select it by label.",
    bad_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:1.4.2\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-ingress\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        CIS_NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        ATTACK_DISCOVERY,
        ATTACK_REMOTE_SERVICES,
    ],
};

impl Rule for NamespaceWithoutIngressIsolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        report_open_namespaces(
            inventory,
            sink,
            Direction::Ingress,
            "any pod in the cluster can connect to them",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::{run_yaml, summary};

    #[test]
    fn egress_only_policies_do_not_count_but_inferred_ingress_does() {
        let workload = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: c}]}\n";
        assert_eq!(
            summary(&run_yaml(&NamespaceWithoutIngressIsolation, workload)),
            ["Pod shop/p /metadata/namespace"]
        );
        let egress_only = format!(
            "{workload}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: e, namespace: shop}}\nspec: {{podSelector: {{}}, policyTypes: [Egress]}}\n"
        );
        assert_eq!(
            run_yaml(&NamespaceWithoutIngressIsolation, &egress_only).len(),
            1
        );
        // No policyTypes: Ingress is implied even with egress rules only.
        let inferred = format!(
            "{workload}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: e, namespace: shop}}\nspec: {{podSelector: {{}}, egress: [{{}}]}}\n"
        );
        assert!(run_yaml(&NamespaceWithoutIngressIsolation, &inferred).is_empty());
        let host = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {hostNetwork: true, containers: [{name: c}]}\n";
        assert!(run_yaml(&NamespaceWithoutIngressIsolation, host).is_empty());
    }
}
