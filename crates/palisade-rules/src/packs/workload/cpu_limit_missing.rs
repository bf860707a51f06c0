//! WL025: a container has no CPU limit.

use super::memory_limit_missing::{Bound, Resource, check_resources};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Inventory;

pub struct CpuLimitMissing;

pub static META: RuleMeta = RuleMeta {
    code: "WL025",
    name: "cpu-limit-missing",
    pack: Pack::Workload,
    severity: Severity::Info,
    kinds: &["<workload>", "LimitRange"],
    summary: "A container has no CPU limit, and neither the pod nor a LimitRange in its \
        namespace sets one.",
    rationale: "Without a CPU limit a container may use every idle core on its node, so a busy \
        loop or a cryptominer in it shows up as full node usage. Unlike memory, CPU is \
        compressible: containers that set requests still get their share under contention, \
        so a missing limit cannot starve well-specified neighbours, and limits have a cost: \
        the CFS quota throttles a container that bursts within a 100 ms period even when the \
        node is idle, which adds tail latency (many operators deliberately run without CPU \
        limits for that reason). Info, deliberately below kube-score, Polaris and Checkov \
        (CKV_K8S_11), which report a missing CPU limit as a failure or warning: it is worth \
        knowing where usage is unbounded, especially in multi-tenant namespaces or with \
        ResourceQuotas on `limits.cpu`, but it is not a weakness by itself. The missing CPU \
        request is WL024's finding. A pod-level `resources.limits.cpu` or a LimitRange of \
        type `Container` in the same namespace with a `default` or `max` CPU covers the \
        container. Ephemeral containers cannot set resources and are exempt.",
    remediation: "Set `resources.limits.cpu` where bursts must be bounded (multi-tenant \
        namespaces, untrusted workloads, quotas on `limits.cpu`), or give the namespace a \
        LimitRange with a default CPU limit; otherwise set a CPU request and accept this \
        finding.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      cpu: 250m\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  resources:\n    requests:\n      cpu: 250m\n    limits:\n      cpu: \"1\"\n",
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
        Reference {
            title: "MITRE ATT&CK T1496: Resource Hijacking",
            url: "https://attack.mitre.org/techniques/T1496/",
        },
    ],
};

fn message(who: &str) -> String {
    format!("{who} has no CPU limit: it can use every idle core on the node")
}

impl Rule for CpuLimitMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_resources(inventory, sink, Resource::Cpu, Bound::Limit, message);
    }
}

#[cfg(test)]
mod tests {
    use super::super::memory_limit_missing::tests::{deployment, found, limit_range, run};
    use super::*;
    use palisade_model::value;

    #[test]
    fn only_a_limit_covers() {
        let workload = deployment(
            "shop",
            value!({"containers": [
                {"name": "request", "resources": {"requests": {"cpu": "100m"}}},
                {"name": "limit", "resources": {"limits": {"cpu": "1"}}}
            ]}),
        );
        let findings = run(&CpuLimitMissing, vec![workload.clone()]);
        assert_eq!(
            found(&findings),
            [("request", "/spec/template/spec/containers/0/resources")]
        );
        assert_eq!(
            findings[0].message,
            "container `request` has no CPU limit: it can use every idle core on the node"
        );
        let request_only = limit_range(
            "shop",
            value!({"type": "Container", "defaultRequest": {"cpu": "100m"}}),
        );
        assert_eq!(
            run(&CpuLimitMissing, vec![workload.clone(), request_only]).len(),
            1
        );
        let default = limit_range(
            "shop",
            value!({"type": "Container", "default": {"cpu": "1"}}),
        );
        assert!(run(&CpuLimitMissing, vec![workload, default]).is_empty());
    }
}
