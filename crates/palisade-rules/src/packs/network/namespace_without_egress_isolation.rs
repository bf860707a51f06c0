//! NP002: a namespace runs workloads but no NetworkPolicy isolates any of them for egress.

use super::{
    ATTACK_EXFILTRATION, ATTACK_REMOTE_SERVICES, CIS_NETWORK_POLICIES, NETWORK_POLICIES,
    NSA_NETWORK_SEPARATION, report_open_namespaces,
};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use crate::netpol::Direction;
use palisade_model::Inventory;

pub struct NamespaceWithoutEgressIsolation;

pub static META: RuleMeta = RuleMeta {
    code: "NP002",
    name: "namespace-without-egress-isolation",
    pack: Pack::Network,
    severity: Severity::Low,
    kinds: &["Namespace", "NetworkPolicy", "<workload>"],
    summary: "A namespace runs workloads but no NetworkPolicy isolates any of them for egress.",
    rationale: "Without egress isolation a compromised pod can open connections anywhere: to \
        other namespaces' services, to the cloud metadata endpoint, and to the internet to \
        fetch tools or send data out (T1041). Egress is isolated only by a policy whose \
        effective `policyTypes` include `Egress`: written out, or inferred when the policy has \
        at least one egress rule (`egress: []` alone does not count). It is rated below \
        ingress isolation because egress policies need DNS and API server exceptions and are \
        less often in place; objects without a namespace are counted in `default`, and \
        host-network workloads are left out.",
    remediation: "Add a default-deny egress NetworkPolicy to the namespace (`podSelector: {}`, \
        `policyTypes: [Egress]`) and allow DNS and the destinations each workload needs.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny-ingress\n  namespace: shop\nspec:\n  podSelector: {}\n  egress: []\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n  - Egress\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n    ports:\n    - port: 53\n      protocol: UDP\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        CIS_NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        ATTACK_EXFILTRATION,
        ATTACK_REMOTE_SERVICES,
    ],
};

impl Rule for NamespaceWithoutEgressIsolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        report_open_namespaces(
            inventory,
            sink,
            Direction::Egress,
            "they can connect anywhere, including the internet",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::{run_yaml, summary};

    #[test]
    fn empty_egress_list_without_policy_types_does_not_isolate() {
        let workload = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec: {containers: [{name: c}]}\n";
        let empty = format!(
            "{workload}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: e, namespace: shop}}\nspec: {{podSelector: {{}}, egress: []}}\n"
        );
        assert_eq!(
            summary(&run_yaml(&NamespaceWithoutEgressIsolation, &empty)),
            ["Namespace shop /metadata/name"]
        );
        let explicit = format!(
            "{workload}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: e, namespace: shop}}\nspec: {{podSelector: {{}}, policyTypes: [Egress]}}\n"
        );
        assert!(run_yaml(&NamespaceWithoutEgressIsolation, &explicit).is_empty());
    }
}
