//! WL021: the pod or a container runs with the root group (GID 0) as its primary or a
//! supplementary group.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;
use palisade_model::workload::Effective;

pub struct RunAsRootGroup;

pub static META: RuleMeta = RuleMeta {
    code: "WL021",
    name: "run-as-root-group",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "The pod or a container sets `runAsGroup: 0`, `fsGroup: 0` or a \
        `supplementalGroups` entry of 0, so its processes belong to the root group.",
    rationale: "Group 0 owns many files that are group-readable or group-writable for root \
        only: inside images (system configuration, application directories built for \
        OpenShift's arbitrary-UID convention), in volumes, and on the node after an escape or \
        through a hostPath mount, where the container runtime's socket \
        (`/run/containerd/containerd.sock`, mode 0660, owner root:root) hands over the node to \
        any member of group 0. A non-root user with GID 0 keeps all of that access. Three \
        fields give a process the root group, and each is reported where it is set: \
        `runAsGroup: 0` (the primary group; the container's setting overrides the pod's, and \
        a pod-level value is reported once for the containers that inherit it), `fsGroup: 0` \
        (a supplementary group of every container, and the group the kubelet gives to \
        volume files) and `supplementalGroups` containing 0. Leaving `runAsGroup` unset keeps \
        the image's group, which is often 0 as well; that is not reported, as nothing in the \
        manifest asks for it. `runAsUser: 0` is WL016's finding. Low: group membership alone \
        does not grant capabilities; it widens what a compromised process can read and \
        write. Kyverno's `require-non-root-groups` policy checks the same three fields; \
        kube-linter, Polaris and kube-score do not check them. Windows pods are exempt: \
        these fields do not apply there.",
    remediation: "Set `runAsGroup` and `fsGroup` to a non-zero group (such as 10001) on the pod \
        or container, and remove 0 from `supplementalGroups`.",
    bad_example: "spec:\n  securityContext:\n    runAsUser: 10001\n    runAsGroup: 0\n    fsGroup: 0\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    runAsUser: 10001\n    runAsGroup: 10001\n    fsGroup: 10001\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Configure a Security Context for a Pod or Container",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: \"Non-root\" containers and \"rootless\" \
                container engines",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kyverno policy: Require Non-Root Groups",
            url: "https://kyverno.io/policies/other/require-non-root-groups/require-non-root-groups/",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

fn is_zero(value: &Value) -> bool {
    value.as_i64() == Some(0) || value.as_u64() == Some(0)
}

impl Rule for RunAsRootGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        if workload.os() == Some("windows") {
            return;
        }
        let mut inheriting = Vec::new();
        for container in &workload.containers {
            match workload.effective_security(container, "runAsGroup") {
                Effective::Container(value) if is_zero(value) => {
                    sink.report(
                        object,
                        container.security_path("runAsGroup"),
                        format!(
                            "{} sets `runAsGroup: 0`: its processes run with the root group",
                            container.describe()
                        ),
                    )
                    .in_container(container.name);
                }
                Effective::Pod(value) if is_zero(value) => inheriting.push(container),
                _ => {}
            }
        }
        if !inheriting.is_empty() {
            let names: Vec<String> = inheriting.iter().map(|c| c.describe()).collect();
            let finding = sink.report(
                object,
                workload.pod_security_path("runAsGroup"),
                format!(
                    "the pod sets `runAsGroup: 0`, so {} run{} with the root group",
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "" }
                ),
            );
            if let [only] = inheriting.as_slice() {
                finding.in_container(only.name);
            }
        }
        if workload.pod_security("fsGroup").is_some_and(is_zero) {
            sink.report(
                object,
                workload.pod_security_path("fsGroup"),
                "the pod sets `fsGroup: 0`: every container gets the root group as a \
                 supplementary group, and volume files are made group-owned by root",
            );
        }
        let groups = workload
            .pod_security("supplementalGroups")
            .and_then(Value::as_array);
        for (index, group) in groups.into_iter().flatten().enumerate() {
            if is_zero(group) {
                sink.report(
                    object,
                    format!(
                        "{}/{index}",
                        workload.pod_security_path("supplementalGroups")
                    ),
                    "the pod lists group 0 in `supplementalGroups`: every container gets the \
                     root group as a supplementary group",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&RunAsRootGroup])
    }

    fn pod(spec: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }

    fn paths(findings: &[Finding]) -> Vec<&str> {
        let mut paths: Vec<_> = findings.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        paths
    }

    #[test]
    fn pod_value_is_reported_once_for_the_inheriting_containers() {
        let findings = run(pod(value!({
            "securityContext": {"runAsGroup": 0},
            "initContainers": [{"name": "init"}],
            "containers": [
                {"name": "app"},
                {"name": "own", "securityContext": {"runAsGroup": 3000}}
            ]
        })));
        assert_eq!(paths(&findings), ["/spec/securityContext/runAsGroup"]);
        assert_eq!(
            findings[0].message,
            "the pod sets `runAsGroup: 0`, so init container `init`, container `app` run with \
             the root group"
        );
        assert_eq!(findings[0].container, None);
    }

    #[test]
    fn container_value_overrides_the_pod() {
        let findings = run(pod(value!({
            "securityContext": {"runAsGroup": 2000},
            "containers": [
                {"name": "root", "securityContext": {"runAsGroup": 0}},
                {"name": "app"}
            ]
        })));
        assert_eq!(
            paths(&findings),
            ["/spec/containers/0/securityContext/runAsGroup"]
        );
        assert_eq!(findings[0].container.as_deref(), Some("root"));
        // Every container overrides the pod's 0: nothing runs with it.
        assert!(
            run(pod(value!({
                "securityContext": {"runAsGroup": 0},
                "containers": [{"name": "a", "securityContext": {"runAsGroup": 1}}]
            })))
            .is_empty()
        );
    }

    #[test]
    fn fs_group_and_supplemental_groups() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {
                "securityContext": {"fsGroup": 0, "supplementalGroups": [5, 0]},
                "containers": [{"name": "a"}]
            }}}
        }));
        assert_eq!(
            paths(&findings),
            [
                "/spec/template/spec/securityContext/fsGroup",
                "/spec/template/spec/securityContext/supplementalGroups/1",
            ]
        );
    }

    #[test]
    fn unset_non_zero_and_windows_are_not_reported() {
        assert!(run(pod(value!({"containers": [{"name": "a"}]}))).is_empty());
        assert!(
            run(pod(value!({
                "securityContext": {"runAsGroup": 1000, "fsGroup": 1000, "supplementalGroups": [1]},
                "containers": [{"name": "a"}]
            })))
            .is_empty()
        );
        assert!(
            run(pod(value!({
                "os": {"name": "windows"},
                "securityContext": {"runAsGroup": 0},
                "containers": [{"name": "a"}]
            })))
            .is_empty()
        );
    }
}
