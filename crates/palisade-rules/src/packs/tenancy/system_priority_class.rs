//! TN007: a pod outside `kube-system` uses a system priority class.

use super::{MULTI_TENANCY, is_generated};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct SystemPriorityClass;

pub static META: RuleMeta = RuleMeta {
    code: "TN007",
    name: "system-priority-class",
    pack: Pack::Tenancy,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "A pod outside `kube-system` uses the `system-cluster-critical` or \
        `system-node-critical` priority class.",
    rationale: "The two system priority classes rank above every class a user can create \
        (2,000,000,000 and above). A pod that uses one preempts ordinary workloads when a node \
        is full and is among the last to be evicted under memory pressure, so a tenant can \
        push other teams' pods, and in a full cluster even DNS or the CNI agent, off the \
        nodes, and keep a runaway pod alive. Kubernetes documents these classes for critical \
        add-ons in `kube-system`, and clusters commonly restrict them there with a \
        ResourceQuota `scopeSelector` and the admission configuration's `limitedResources`. \
        Objects without a namespace are not reported, as where they land is decided at \
        deploy time, and objects created by a controller are reported through their owner.",
    remediation: "Remove `priorityClassName` or use a PriorityClass of your own with a value \
        below 1,000,000,000; reserve the system classes for cluster add-ons in `kube-system`, \
        and limit them elsewhere with a ResourceQuota scoped by `PriorityClass`.",
    bad_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      priorityClassName: system-cluster-critical\n      containers:\n      - name: web\n        image: registry.example/web:1.4.2\n",
    good_example: "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: shop-high\nvalue: 100000\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      priorityClassName: shop-high\n      containers:\n      - name: web\n        image: registry.example/web:1.4.2\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Pod Priority and Preemption",
            url: "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/",
        },
        Reference {
            title: "Kubernetes documentation: Limit Priority Class consumption by default",
            url: "https://kubernetes.io/docs/concepts/policy/resource-quotas/#limit-priority-class-consumption-by-default",
        },
        Reference {
            title: "Kubernetes documentation: Guaranteed Scheduling For Critical Add-On Pods",
            url: "https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/",
        },
        MULTI_TENANCY,
        Reference {
            title: "MITRE ATT&CK T1499: Endpoint Denial of Service",
            url: "https://attack.mitre.org/techniques/T1499/",
        },
    ],
};

const SYSTEM_CLASSES: [&str; 2] = ["system-cluster-critical", "system-node-critical"];

impl Rule for SystemPriorityClass {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(namespace) = object.namespace() else {
            return;
        };
        if namespace == "kube-system" || is_generated(object) {
            return;
        }
        let Some(workload) = sink.workload(object) else {
            return;
        };
        let Some(class) = workload
            .pod_spec
            .get("priorityClassName")
            .and_then(Value::as_str)
            .filter(|class| SYSTEM_CLASSES.contains(class))
        else {
            return;
        };
        sink.report(
            object,
            workload.spec_path("priorityClassName"),
            format!(
                "{} `{}` in namespace `{namespace}` uses the `{class}` priority class: its \
                 pods can preempt other tenants' pods and cluster add-ons",
                object.kind(),
                object.name()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::tenancy::test_support::{run, summary};
    use palisade_model::value;

    fn pod(name: &str, namespace: Option<&str>, class: &str) -> Value {
        let mut metadata = value!({"name": name});
        if let Some(ns) = namespace {
            metadata["namespace"] = value!(ns);
        }
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
               "spec": {"priorityClassName": class, "containers": [{"name": "c"}]}})
    }

    #[test]
    fn system_classes_outside_kube_system() {
        let findings = run(
            &SystemPriorityClass,
            vec![
                pod("a", Some("shop"), "system-node-critical"),
                pod("b", Some("shop"), "system-cluster-critical"),
                pod("c", Some("kube-system"), "system-node-critical"),
                pod("d", Some("shop"), "high"),
                pod("e", None, "system-node-critical"),
            ],
        );
        assert_eq!(
            summary(&findings),
            [
                "Pod shop/a /spec/priorityClassName",
                "Pod shop/b /spec/priorityClassName"
            ]
        );
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("`system-node-critical`"))
        );
    }

    #[test]
    fn cronjob_path() {
        let findings = run(
            &SystemPriorityClass,
            vec![value!({"apiVersion": "batch/v1", "kind": "CronJob",
                        "metadata": {"name": "c", "namespace": "ops"},
                        "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                            "priorityClassName": "system-cluster-critical",
                            "containers": [{"name": "a"}]}}}}}})],
        );
        assert_eq!(
            summary(&findings),
            ["CronJob ops/c /spec/jobTemplate/spec/template/spec/priorityClassName"]
        );
    }
}
