//! NP005: an ingress rule that admits every source on every port (`ingress: [{}]`, or an
//! `ipBlock` of `0.0.0.0/0` or `::/0` without a port limit).

use super::{ATTACK_DISCOVERY, ATTACK_REMOTE_SERVICES, NETWORK_POLICIES, NSA_NETWORK_SEPARATION};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use crate::netpol::cidr::is_everything;
use crate::netpol::{Direction, Peer, PolicyRule};
use palisade_model::Inventory;

pub struct AllowAllIngressRule;

pub static META: RuleMeta = RuleMeta {
    code: "NP005",
    name: "allow-all-ingress-rule",
    pack: Pack::Network,
    severity: Severity::Medium,
    kinds: &["NetworkPolicy"],
    summary: "An ingress rule admits every source on every port.",
    rationale: "`ingress: [{}]` (a rule without `from` and `ports`), `from: []`, or an \
        `ipBlock` of `0.0.0.0/0` or `::/0` without `except` and without a port limit undoes \
        the isolation the policy creates: the selected pods accept connections from every pod \
        and every address on every port, as if no policy selected them, while reviews see a \
        policy and assume they are protected (T1046, T1021). A rule that names a protocol but \
        no port is no limit either. Rules of a direction the policy does not isolate (an \
        ingress rule with `policyTypes: [Egress]`) have no effect and are not reported.",
    remediation: "Replace the rule with peers and ports that name the clients and the ports \
        the workload actually serves, or delete the policy if the workload is meant to be \
        open to all.",
    bad_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n  - {}\n",
    good_example: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web\n    ports:\n    - port: 8443\n",
    pss: &[],
    references: &[
        NETWORK_POLICIES,
        NSA_NETWORK_SEPARATION,
        ATTACK_DISCOVERY,
        ATTACK_REMOTE_SERVICES,
    ],
};

/// Why a rule admits everything, and the pointer of the field that does it; `None` when the
/// rule limits the peers or the ports.
pub(crate) fn allows_all(rule: &PolicyRule) -> Option<(String, String)> {
    if rule.ports.iter().any(|p| p.limits_port()) {
        return None;
    }
    let ports = if rule.ports.is_empty() {
        "on every port"
    } else {
        "on every port of its protocols"
    };
    match &rule.peers {
        None => Some((
            rule.path.clone(),
            format!("has no peers and admits everything {ports}"),
        )),
        Some(peers) => peers.iter().find_map(|peer| match peer {
            Peer::IpBlock { cidr, except, path } if is_everything(cidr) && except.is_empty() => {
                Some((
                    format!("{path}/ipBlock/cidr"),
                    format!("admits every address ({cidr}) {ports}"),
                ))
            }
            _ => None,
        }),
    }
}

pub(crate) fn report_allow_all(inventory: &Inventory, sink: &mut Sink<'_>, direction: Direction) {
    let network = sink.network(inventory);
    for policy in &network.policies {
        if !policy.isolates(direction) {
            continue;
        }
        for rule in policy.rules(direction) {
            if let Some((path, why)) = allows_all(rule) {
                sink.report(
                    policy.object,
                    path,
                    format!(
                        "{} rule {} of NetworkPolicy `{}` {why}",
                        direction.as_str(),
                        rule.path.rsplit('/').next().unwrap_or("0"),
                        policy.name
                    ),
                );
            }
        }
    }
}

impl Rule for AllowAllIngressRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        report_allow_all(inventory, sink, Direction::Ingress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::network::test_support::{run_yaml, summary};

    #[test]
    fn open_rules_are_reported_limited_ones_are_not() {
        let policy = |name: &str, spec: &str| {
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: shop}}\nspec: {spec}\n---\n"
            )
        };
        let text = [
            policy("empty-rule", "{podSelector: {}, ingress: [{}]}"),
            policy("empty-from", "{podSelector: {}, ingress: [{from: [], ports: [{protocol: UDP}]}]}"),
            policy("world", "{podSelector: {}, ingress: [{from: [{podSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}]}]}"),
            policy("world-port", "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]}"),
            policy("world-except", "{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]}"),
            policy("egress-only", "{podSelector: {}, policyTypes: [Egress], ingress: [{}]}"),
            policy("deny", "{podSelector: {}, ingress: []}"),
        ]
        .concat();
        assert_eq!(
            summary(&run_yaml(&AllowAllIngressRule, &text)),
            [
                "NetworkPolicy shop/empty-from /spec/ingress/0",
                "NetworkPolicy shop/empty-rule /spec/ingress/0",
                "NetworkPolicy shop/world /spec/ingress/0/from/1/ipBlock/cidr",
            ]
        );
    }
}
