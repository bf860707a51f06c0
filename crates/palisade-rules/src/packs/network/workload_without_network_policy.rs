//! NP003: in a namespace that has NetworkPolicies, a workload that none of them selects.

use super::{
    ATTACK_REMOTE_SERVICES, CIS_NETWORK_POLICIES, NETWORK_POLICIES, NSA_NETWORK_SEPARATION,
    describe, host_network, pod_labels_path,
};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct WorkloadWithoutNetworkPolicy;

pub static META: RuleMeta = RuleMeta {
    code: "NP003",
    name: "workload-without-network-policy",
    pack: Pack::Network,
    severity: Severity::Medium,
    kinds: &["NetworkPolicy", "<workload>"],
    summary: "A workload in a namespace that has NetworkPolicies is selected by none of them.",
    rationale: "Policies that select pods by label leave every other pod of the namespace \
        fully open in both directions. This is how a new workload, or one whose labels were \
        renamed, silently escapes the segmentation its namespace was meant to have: the \
        neighbours are locked down, it is not, and it can be reached from anywhere in the \
        cluster (T1021). A namespace-wide default-deny policy (`podSelector: {}`) selects \
        every pod and avoids the gap. Host-network workloads are left out because \
        NetworkPolicies do not apply to them; namespaces without any policy are NP001's.",
    remediation: "Add a default-deny policy with `podSelector: {}` to the namespace, or give \
        the workload the labels an existing policy selects, or write a policy for it.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: worker\n    spec:\n      containers:\n      - name: worker\n        image: registry.example/worker:2.0.1\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes:\n  - Ingress\n  - Egress\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        CIS_NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        ATTACK_REMOTE_SERVICES,
    ],
};

impl Rule for WorkloadWithoutNetworkPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let network = sink.network(inventory);
        let mut covered = vec![false; network.workloads.len()];
        for policy in 0..network.policies.len() {
            for &workload in network.selected_by(policy) {
                covered[workload] = true;
            }
        }
        for (index, workload) in network.workloads.iter().enumerate() {
            let policies = network.policies_in(&workload.namespace);
            if covered[index] || policies.is_empty() || host_network(workload) {
                continue;
            }
            let names: Vec<String> = policies
                .iter()
                .take(5)
                .map(|&p| format!("`{}`", network.policies[p].name))
                .collect();
            let more = if policies.len() > names.len() {
                format!(" and {} more", policies.len() - names.len())
            } else {
                String::new()
            };
            let verb = if policies.len() == 1 {
                "selects"
            } else {
                "select"
            };
            sink.report(
                workload.object,
                pod_labels_path(workload.object),
                format!(
                    "{} in namespace `{}` is selected by no NetworkPolicy ({}{more} {verb} \
                     other pods): it accepts and opens connections from and to anywhere",
                    describe(workload),
                    workload.namespace,
                    names.join(", ")
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
    fn only_unselected_workloads_in_namespaces_with_policies() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec: {podSelector: {matchLabels: {app: api}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: worker, namespace: shop, labels: {app: worker}}\nspec: {containers: [{name: c}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: elsewhere, namespace: other}\nspec: {containers: [{name: c}]}\n";
        assert_eq!(
            summary(&run_yaml(&WorkloadWithoutNetworkPolicy, text)),
            ["Pod shop/worker /metadata/labels"]
        );
    }
}
