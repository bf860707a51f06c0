//! WL024: a container has no CPU request.

use super::memory_limit_missing::{Bound, Resource, check_resources};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct CpuRequestMissing;

pub static META: RuleMeta = RuleMeta {
    code: "WL024",
    name: "cpu-request-missing",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>", "LimitRange"],
    summary: "A container has no CPU request, and no limit, pod-level setting or LimitRange \
        provides one.",
    rationale: "The scheduler places pods by their requests, and under contention the kernel \
        shares CPU in proportion to them. A container without a CPU request reserves nothing \
        and gets the minimum share (2 of 1024 per core on cgroup v1, the lowest weight on \
        cgroup v2) as soon as neighbours are busy, so its latency collapses exactly when load \
        is high, and nodes get overcommitted because the scheduler believed they were empty. \
        Kubernetes defaults a missing request to the limit, so a container with a CPU limit \
        is not reported; nor is one covered by a pod-level CPU request or limit, or by a \
        LimitRange of type `Container` in the same namespace with a `defaultRequest`, \
        `default`, `max` or `min` CPU. Init containers are checked; ephemeral containers \
        cannot set resources and are exempt. Low: an availability and capacity gap, not a \
        security weakness.",
    remediation: "Set `resources.requests.cpu` on every container and init container to its \
        typical usage, or give the namespace a LimitRange with a default CPU request.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      memory: 256Mi\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      cpu: 250m\n      memory: 256Mi\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Resource Management for Pods and Containers",
            url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
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
        "{who} has no CPU request (nor a limit it would default to): the scheduler reserves no \
         CPU for it and it gets the smallest share under contention"
    )
}

impl Rule for CpuRequestMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_resources(inventory, sink, Resource::Cpu, Bound::Request, message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory_limit_missing::tests::{deployment, found, limit_range, run};
    use super::*;
    use palisade_model::value;

    #[test]
    fn a_limit_a_request_or_a_default_is_enough() {
        let workload = deployment(
            "shop",
            value!({"containers": [
                {"name": "none", "resources": {"requests": {"memory": "1Gi"}}},
                {"name": "limit", "resources": {"limits": {"cpu": "500m"}}},
                {"name": "request", "resources": {"requests": {"cpu": "100m"}}}
            ]}),
        );
        let findings = run(&CpuRequestMissing, vec![workload.clone()]);
        assert_eq!(
            found(&findings),
            [(
                "none",
                "/spec/template/spec/containers/0/resources/requests"
            )]
        );
        assert!(
            findings[0]
                .message
                .starts_with("container `none` has no CPU request")
        );
        let range = limit_range(
            "shop",
            value!({"type": "Container", "defaultRequest": {"cpu": "100m"}}),
        );
        assert!(run(&CpuRequestMissing, vec![workload, range]).is_empty());
    }
}
