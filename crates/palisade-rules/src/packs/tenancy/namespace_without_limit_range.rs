//! TN002: a namespace runs workloads but has no LimitRange.

use super::{MULTI_TENANCY, NSA_CISA_GUIDE, report_namespaces_without};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct NamespaceWithoutLimitRange;

pub static META: RuleMeta = RuleMeta {
    code: "TN002",
    name: "namespace-without-limit-range",
    pack: Pack::Tenancy,
    severity: Severity::Low,
    kinds: &["Namespace", "LimitRange", "<workload>"],
    summary: "A namespace runs workloads but no LimitRange gives its containers default \
        requests and limits.",
    rationale: "A container without resource requests is scheduled as if it needed nothing \
        and is the first to be evicted; one without a memory limit can grow until the node \
        runs out of memory and the kernel kills its neighbours. A LimitRange fills in default \
        requests and limits for containers that declare none and bounds what a single \
        container may ask for, so one forgotten `resources:` block cannot destabilise a node \
        shared with other tenants. It also lets a ResourceQuota on `requests.*` and \
        `limits.*` admit pods that omit them. Only namespaces that hold workloads in the \
        scanned objects are checked, and system namespaces are left to the cluster.",
    remediation: "Add a LimitRange to the namespace with a `Container` item that sets \
        `defaultRequest` and `default` for CPU and memory and a `max` that no single container \
        may exceed.",
    bad_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:1.4.2\n",
    good_example: "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: shop\nspec:\n  limits:\n  - type: Container\n    defaultRequest:\n      cpu: 100m\n      memory: 128Mi\n    default:\n      memory: 256Mi\n    max:\n      memory: 2Gi\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Limit Ranges",
            url: "https://kubernetes.io/docs/concepts/policy/limit-range/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Resource policies",
            url: NSA_CISA_GUIDE,
        },
        MULTI_TENANCY,
    ],
};

impl Rule for NamespaceWithoutLimitRange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        report_namespaces_without(
            inventory,
            sink,
            "LimitRange",
            "containers that declare no resources get no default requests or limits",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::tenancy::test_support::{run, summary};
    use palisade_model::value;

    #[test]
    fn limit_range_in_the_namespace_is_required() {
        let pod = value!({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": "p", "namespace": "shop"},
                         "spec": {"containers": [{"name": "c"}]}});
        let findings = run(&NamespaceWithoutLimitRange, vec![pod.clone()]);
        assert_eq!(summary(&findings), ["Pod shop/p /metadata/namespace"]);
        assert!(findings[0].message.contains("has no LimitRange"));

        let limits = value!({"apiVersion": "v1", "kind": "LimitRange",
                            "metadata": {"name": "l", "namespace": "shop"},
                            "spec": {"limits": [{"type": "Container"}]}});
        assert!(run(&NamespaceWithoutLimitRange, vec![pod.clone(), limits]).is_empty());

        // A quota is not a limit range.
        let quota = value!({"apiVersion": "v1", "kind": "ResourceQuota",
                           "metadata": {"name": "q", "namespace": "shop"}});
        assert_eq!(run(&NamespaceWithoutLimitRange, vec![pod, quota]).len(), 1);
    }
}
