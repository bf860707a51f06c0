//! TN001: a namespace runs workloads but has no ResourceQuota.

use super::{CIS_NAMESPACES, MULTI_TENANCY, NSA_CISA_GUIDE, report_namespaces_without};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct NamespaceWithoutResourceQuota;

pub static META: RuleMeta = RuleMeta {
    code: "TN001",
    name: "namespace-without-resource-quota",
    pack: Pack::Tenancy,
    severity: Severity::Medium,
    kinds: &["Namespace", "ResourceQuota", "<workload>"],
    summary: "A namespace runs workloads but no ResourceQuota caps what it may consume.",
    rationale: "Namespaces share the cluster's nodes, and without a ResourceQuota nothing \
        limits how many pods, how much CPU and memory, how many Services of type LoadBalancer \
        or how much storage one namespace can claim. A runaway autoscaler, a fork bomb of Jobs, \
        a compromised deployment mining cryptocurrency or a simple mistake in a replica count \
        then starves every other tenant, and can exhaust the cloud account's budget. A quota \
        turns that into a rejected request in the offending namespace. Only namespaces that \
        hold workloads in the scanned objects are checked, and system namespaces \
        (`kube-system`, `kube-public`, `kube-node-lease`) are left to the cluster; when quotas \
        are managed in another repository, scan both together or disable this rule.",
    remediation: "Add a ResourceQuota to the namespace that caps `requests.cpu`, \
        `requests.memory`, `limits.memory`, `pods` and the count of costly objects \
        (`services.loadbalancers`, `persistentvolumeclaims`, `requests.storage`), sized for \
        the team's expected peak.",
    bad_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:1.4.2\n",
    good_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: shop\nspec:\n  hard:\n    requests.cpu: \"8\"\n    requests.memory: 16Gi\n    limits.memory: 32Gi\n    pods: \"50\"\n    services.loadbalancers: \"1\"\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Resource Quotas",
            url: "https://kubernetes.io/docs/concepts/policy/resource-quotas/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Resource policies",
            url: NSA_CISA_GUIDE,
        },
        CIS_NAMESPACES,
        MULTI_TENANCY,
        Reference {
            title: "MITRE ATT&CK T1496: Resource Hijacking",
            url: "https://attack.mitre.org/techniques/T1496/",
        },
    ],
};

impl Rule for NamespaceWithoutResourceQuota {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        report_namespaces_without(
            inventory,
            sink,
            "ResourceQuota",
            "nothing caps the CPU, memory, pods and storage its workloads can claim from \
             the nodes other tenants share",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::tenancy::test_support::{run, summary};
    use palisade_model::Value;
    use palisade_model::value;

    fn deployment(name: &str, namespace: Option<&str>) -> Value {
        let mut metadata = value!({"name": name});
        if let Some(ns) = namespace {
            metadata["namespace"] = value!(ns);
        }
        value!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata,
               "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}})
    }

    fn namespace(name: &str) -> Value {
        value!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    }

    fn quota(namespace: &str) -> Value {
        value!({"apiVersion": "v1", "kind": "ResourceQuota",
               "metadata": {"name": "q", "namespace": namespace},
               "spec": {"hard": {"pods": "10"}}})
    }

    #[test]
    fn reports_on_the_namespace_when_declared() {
        let findings = run(
            &NamespaceWithoutResourceQuota,
            vec![namespace("shop"), deployment("web", Some("shop"))],
        );
        assert_eq!(summary(&findings), ["Namespace shop /metadata/name"]);
        assert!(
            findings[0]
                .message
                .contains("namespace `shop` runs 1 workload")
        );
    }

    #[test]
    fn reports_on_the_first_workload_otherwise() {
        let findings = run(
            &NamespaceWithoutResourceQuota,
            vec![
                deployment("web", Some("shop")),
                deployment("worker", Some("shop")),
            ],
        );
        assert_eq!(
            summary(&findings),
            ["Deployment shop/web /metadata/namespace"]
        );
        assert!(findings[0].message.contains("2 workloads"));
    }

    #[test]
    fn quota_system_namespaces_and_empty_namespaces_are_fine() {
        let findings = run(
            &NamespaceWithoutResourceQuota,
            vec![
                namespace("shop"),
                deployment("web", Some("shop")),
                quota("shop"),
                namespace("empty"),
                deployment("coredns", Some("kube-system")),
                deployment("nowhere", None),
                quota("elsewhere"),
            ],
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}
