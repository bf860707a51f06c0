//! WL023: a container has no memory request.

use super::memory_limit_missing::{Bound, Resource, check_resources};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct MemoryRequestMissing;

pub static META: RuleMeta = RuleMeta {
    code: "WL023",
    name: "memory-request-missing",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>", "LimitRange"],
    summary: "A container has no memory request, and no limit, pod-level setting or \
        LimitRange provides one.",
    rationale: "The scheduler places pods by their requests. A container without a memory \
        request reserves nothing, so the scheduler packs it onto nodes that cannot hold it, \
        and a pod whose containers request nothing is in the `BestEffort` QoS class, the \
        first to be evicted under memory pressure. Kubernetes defaults a missing request to \
        the limit, so a container with a memory limit is not reported; nor is one covered by \
        a pod-level memory request or limit, or by a LimitRange of type `Container` in the \
        same namespace with a `defaultRequest`, `default`, `max` or `min` memory (after the \
        API server's defaulting each of them yields a default request). Init containers are \
        checked; ephemeral containers cannot set resources and are exempt. Low: an \
        availability and capacity-planning gap rather than a security weakness; the \
        unbounded usage itself is WL022's medium finding.",
    remediation: "Set `resources.requests.memory` on every container and init container to its \
        typical working set, or give the namespace a LimitRange with a default memory \
        request.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      memory: 256Mi\n    limits:\n      memory: 512Mi\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Resource Management for Pods and Containers",
            url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        },
        Reference {
            title: "Kubernetes documentation: Pod Quality of Service Classes",
            url: "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/",
        },
        Reference {
            title: "Kubernetes documentation: Limit Ranges",
            url: "https://kubernetes.io/docs/concepts/policy/limit-range/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Resource policies",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
    ],
};

fn message(who: &str) -> String {
    format!(
        "{who} has no memory request (nor a limit it would default to): the scheduler \
         reserves no memory for it"
    )
}

impl Rule for MemoryRequestMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_resources(inventory, sink, Resource::Memory, Bound::Request, message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory_limit_missing::tests::{deployment, found, limit_range, run};
    use super::*;
    use palisade_model::value;

    #[test]
    fn a_limit_or_a_request_is_enough() {
        let findings = run(
            &MemoryRequestMissing,
            vec![deployment(
                "shop",
                value!({
                    "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "1"}}}],
                    "containers": [
                        {"name": "none"},
                        {"name": "limit", "resources": {"limits": {"memory": "1Gi"}}},
                        {"name": "request", "resources": {"requests": {"memory": "1Gi"}}}
                    ],
                    "ephemeralContainers": [{"name": "debug"}]
                }),
            )],
        );
        let base = "/spec/template/spec";
        assert_eq!(
            found(&findings),
            [
                (
                    "init",
                    &*format!("{base}/initContainers/0/resources/requests")
                ),
                ("none", &*format!("{base}/containers/0")),
            ]
        );
        assert!(findings.iter().any(|f| f.message
            == "container `none` has no memory request (nor a limit it would default to): the \
                scheduler reserves no memory for it"));
    }

    #[test]
    fn limit_range_defaults_cover() {
        let workload = deployment("shop", value!({"containers": [{"name": "a"}]}));
        for field in ["defaultRequest", "default", "max", "min"] {
            let range = limit_range(
                "shop",
                value!({"type": "Container", field: {"memory": "1Gi"}}),
            );
            assert!(run(&MemoryRequestMissing, vec![workload.clone(), range]).is_empty());
        }
        let pod_level = deployment(
            "shop",
            value!({"resources": {"requests": {"memory": "1Gi"}}, "containers": [{"name": "a"}]}),
        );
        assert!(run(&MemoryRequestMissing, vec![pod_level]).is_empty());
    }
}
