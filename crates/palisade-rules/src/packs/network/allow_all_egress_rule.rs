//! NP006: an egress rule that admits every destination on every port (`egress: [{}]`, or an
//! `ipBlock` of `0.0.0.0/0` or `::/0` without a port limit).

use super::allow_all_ingress_rule::report_allow_all;
use super::{ATTACK_EXFILTRATION, NETWORK_POLICIES, NSA_NETWORK_SEPARATION};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use crate::netpol::Direction;
use palisade_model::Inventory;

pub struct AllowAllEgressRule;

pub static META: RuleMeta = RuleMeta {
    code: "NP006",
    name: "allow-all-egress-rule",
    pack: Pack::Network,
    severity: Severity::Low,
    kinds: &["NetworkPolicy"],
    summary: "An egress rule admits every destination on every port.",
    rationale: "`egress: [{}]`, `to: []`, or an `ipBlock` of `0.0.0.0/0` or `::/0` without \
        `except` and without a port limit lets the selected pods connect to any pod, the \
        cloud metadata endpoint and the whole internet, which is what egress isolation is \
        meant to stop (tool download, exfiltration: T1041). Such rules are common as a \
        deliberate opt-out, so the rule is low; NP007 rates internet egress from sensitive \
        workloads higher. Rules of a direction the policy does not isolate have no effect and \
        are not reported.",
    remediation: "Allow DNS and the destinations the workload needs (services by label, \
        external ranges with `ipBlock` and ports) instead of everything.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes:\n  - Egress\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes:\n  - Egress\n  egress:\n  - to:\n    - podSelector:\n        matchLabels:\n          app: db\n    ports:\n    - port: 5432\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        ATTACK_EXFILTRATION,
    ],
};

impl Rule for AllowAllEgressRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        report_allow_all(inventory, sink, Direction::Egress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::{run_yaml, summary};

    #[test]
    fn egress_rules_only_when_egress_is_isolated() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec: {podSelector: {}, egress: [{}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ignored, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress], egress: [{}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: v6, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: '::/0'}}]}]}\n";
        assert_eq!(
            summary(&run_yaml(&AllowAllEgressRule, text)),
            [
                "NetworkPolicy shop/open /spec/egress/0",
                "NetworkPolicy shop/v6 /spec/egress/0/to/0/ipBlock/cidr",
            ]
        );
    }
}
