//! `NP`: NetworkPolicy coverage, allow-all rules, internet egress of sensitive workloads and
//! external exposure through Ingress and Gateway routes. The rules share the evaluator in
//! [`crate::netpol`].

use crate::engine::Sink;
use crate::meta::{Reference, Rule};
use crate::netpol::{Direction, Workload};
use palisade_model::{Inventory, Object};

pub mod allow_all_egress_rule;
pub mod allow_all_ingress_rule;
pub mod exposed_through_route;
pub mod ingress_without_tls;
pub mod namespace_without_egress_isolation;
pub mod namespace_without_ingress_isolation;
pub mod nginx_snippet_annotation;
pub mod policy_selects_no_pod;
pub mod sensitive_workload_internet_egress;
pub mod workload_without_network_policy;

pub static RULES: &[&dyn Rule] = &[
    &namespace_without_ingress_isolation::NamespaceWithoutIngressIsolation,
    &namespace_without_egress_isolation::NamespaceWithoutEgressIsolation,
    &workload_without_network_policy::WorkloadWithoutNetworkPolicy,
    &policy_selects_no_pod::PolicySelectsNoPod,
    &allow_all_ingress_rule::AllowAllIngressRule,
    &allow_all_egress_rule::AllowAllEgressRule,
    &sensitive_workload_internet_egress::SensitiveWorkloadInternetEgress,
    &exposed_through_route::ExposedThroughRoute,
    &ingress_without_tls::IngressWithoutTls,
    &nginx_snippet_annotation::NginxSnippetAnnotation,
];

pub(crate) const NSA_CISA_GUIDE: &str = crate::meta::NSA_CISA_GUIDE_URL;

pub(crate) const NETWORK_POLICIES: Reference = Reference {
    title: "Kubernetes documentation: Network Policies",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
};

pub(crate) const CIS_NETWORK_POLICIES: Reference = Reference {
    title: "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies \
        defined",
    url: "https://www.cisecurity.org/benchmark/kubernetes",
};

pub(crate) const NSA_NETWORK_SEPARATION: Reference = Reference {
    title: "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening",
    url: NSA_CISA_GUIDE,
};

pub(crate) const ATTACK_DISCOVERY: Reference = Reference {
    title: "MITRE ATT&CK T1046: Network Service Discovery",
    url: "https://attack.mitre.org/techniques/T1046/",
};

pub(crate) const ATTACK_REMOTE_SERVICES: Reference = Reference {
    title: "MITRE ATT&CK T1021: Remote Services",
    url: "https://attack.mitre.org/techniques/T1021/",
};

pub(crate) const ATTACK_EXFILTRATION: Reference = Reference {
    title: "MITRE ATT&CK T1041: Exfiltration Over C2 Channel",
    url: "https://attack.mitre.org/techniques/T1041/",
};

/// Whether the workload's pods use the node's network, where NetworkPolicies do not apply.
pub(crate) fn host_network(workload: &Workload<'_>) -> bool {
    workload.host_network
}

/// Whether the object is an Ingress of the Kubernetes API (`networking.k8s.io`, or the
/// `extensions` group of old manifests), not a custom resource that happens to share the kind.
pub(crate) fn is_ingress(object: &Object) -> bool {
    object.kind() == "Ingress" && matches!(object.api_group(), "networking.k8s.io" | "extensions")
}

/// Pointer to the pod labels of a workload (or its pod metadata when it has no labels).
pub(crate) fn pod_labels_path(object: &Object) -> String {
    match object.workload() {
        Some(w) if w.pod_metadata.is_some_and(|m| m.contains_key("labels")) => {
            format!("{}/labels", w.pod_metadata_path)
        }
        Some(w) if w.pod_metadata.is_some() => w.pod_metadata_path.to_string(),
        _ => "/metadata".to_string(),
    }
}

/// "Deployment `web`".
pub(crate) fn describe(workload: &Workload<'_>) -> String {
    format!("{} `{}`", workload.kind, workload.name)
}

/// Reports namespaces whose workloads (those on the pod network) are all left open in
/// `direction`: on the Namespace object when scanned, else on the first such workload.
pub(crate) fn report_open_namespaces(
    inventory: &Inventory,
    sink: &mut Sink<'_>,
    direction: Direction,
    consequence: &str,
) {
    let network = sink.network(inventory);
    let namespaces: Vec<&str> = network.namespaces().collect();
    for namespace in namespaces {
        let members: Vec<usize> = network
            .workloads_in(namespace)
            .iter()
            .copied()
            .filter(|&i| !host_network(&network.workloads[i]))
            .collect();
        let Some(&first) = members.first() else {
            continue;
        };
        if members
            .iter()
            .any(|&i| !network.isolating(i, direction).is_empty())
        {
            continue;
        }
        let count = match members.len() {
            1 => "1 workload".to_string(),
            n => format!("{n} workloads"),
        };
        let what = direction.as_str();
        match inventory.get("Namespace", None, namespace) {
            Some(declared) => {
                sink.report(
                    declared,
                    "/metadata/name",
                    format!(
                        "namespace `{namespace}` runs {count} and no NetworkPolicy isolates any \
                         of them for {what}: {consequence}"
                    ),
                );
            }
            None => {
                let workload = &network.workloads[first];
                let path = if workload.object.namespace().is_some() {
                    "/metadata/namespace"
                } else {
                    "/metadata"
                };
                sink.report(
                    workload.object,
                    path,
                    format!(
                        "namespace `{namespace}`, where {} runs, has no NetworkPolicy isolating \
                         its workloads for {what} ({count} in the namespace): {consequence}",
                        describe(workload)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::engine::check;
    use crate::finding::Finding;
    use crate::meta::Rule;
    use palisade_model::Inventory;

    pub fn run_yaml(rule: &'static dyn Rule, text: &str) -> Vec<Finding> {
        let loaded =
            palisade_load::parse_source(text, "t.yaml".into(), &palisade_load::Limits::default());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        check(&Inventory::new(loaded.objects), &[rule])
    }

    /// `Kind namespace/name path` of each finding, sorted.
    pub fn summary(findings: &[Finding]) -> Vec<String> {
        let mut lines: Vec<String> = findings
            .iter()
            .map(|f| format!("{} {}", f.object, f.path))
            .collect();
        lines.sort_unstable();
        lines
    }
}
