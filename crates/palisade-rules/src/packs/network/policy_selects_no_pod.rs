//! NP004: a NetworkPolicy whose `podSelector` matches none of the scanned workloads of its
//! namespace.

use super::{NETWORK_POLICIES, NSA_NETWORK_SEPARATION};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct PolicySelectsNoPod;

pub static META: RuleMeta = RuleMeta {
    code: "NP004",
    name: "policy-selects-no-pod",
    pack: Pack::Network,
    severity: Severity::Low,
    kinds: &["NetworkPolicy", "<workload>"],
    summary: "A NetworkPolicy's `podSelector` matches none of the workloads of its namespace.",
    rationale: "A policy that selects nothing protects nothing, and usually means that labels \
        drifted: the workload it was written for was relabelled or moved, and is now open \
        while the policy suggests otherwise. A selector that is invalid (the API server would \
        reject it) also selects nothing. The rule only looks at namespaces whose workloads \
        are among the scanned objects, and it cannot see pods created by operators from \
        custom resources without a pod template; scan those together or add an exception.",
    remediation: "Fix the policy's `podSelector` so that it matches the labels of the pods it \
        is meant for, or delete the policy if those pods are gone.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api-server\n  policyTypes:\n  - Ingress\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n      - name: api\n        image: registry.example/api:3.2.0\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes:\n  - Ingress\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        Reference {
            title: "Kubernetes documentation: Labels and Selectors",
            url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/",
        },
    ],
};

impl Rule for PolicySelectsNoPod {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let network = sink.network(inventory);
        for (index, policy) in network.policies.iter().enumerate() {
            let scanned = network.workloads_in(&policy.namespace).len();
            if scanned == 0 || !network.selected_by(index).is_empty() {
                continue;
            }
            let why = if policy.pod_selector.is_none() {
                "its podSelector is invalid, so it".to_string()
            } else {
                "it".to_string()
            };
            sink.report(
                policy.object,
                "/spec/podSelector",
                format!(
                    "NetworkPolicy `{}` selects no pod: {why} matches none of the {scanned} \
                     workload(s) in namespace `{}`",
                    policy.name, policy.namespace
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
    fn reports_policies_matching_nothing_where_workloads_are_known() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: stale, namespace: shop}\nspec: {podSelector: {matchLabels: {app: gone}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: shop}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: unknown, namespace: elsewhere}\nspec: {podSelector: {matchLabels: {app: gone}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c}]}\n";
        assert_eq!(
            summary(&run_yaml(&PolicySelectsNoPod, text)),
            ["NetworkPolicy shop/stale /spec/podSelector"]
        );
    }
}
