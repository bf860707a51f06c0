//! WL001: a container runs privileged.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct PrivilegedContainer;

pub static META: RuleMeta = RuleMeta {
    code: "WL001",
    name: "privileged-container",
    pack: Pack::Workload,
    severity: Severity::Critical,
    kinds: &["<workload>"],
    summary: "A container runs in privileged mode.",
    rationale: "A privileged container has every Linux capability and full access to the \
        host's devices; it is not confined by seccomp, AppArmor or the device cgroup. Anyone \
        who controls it controls the node: they can mount the host disk, load kernel modules \
        and escape to every other pod on the node.",
    remediation: "Remove `securityContext.privileged: true`; grant only the specific \
        capabilities the process needs with `capabilities.add`.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    privileged: true\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    privileged: false\n",
    pss: &["privileged"],
    references: &[
        Reference {
            title: "Pod Security Standards (baseline): Privileged Containers",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.2: Minimize the admission of privileged containers",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

impl Rule for PrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for container in &workload.containers {
            if container.security("privileged") == Some(&Value::Bool(true)) {
                sink.report(
                    object,
                    container.security_path("privileged"),
                    format!("{} runs privileged", container.describe()),
                )
                .in_container(container.name);
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
        check(&Inventory::new(vec![object]), &[&PrivilegedContainer])
    }

    #[test]
    fn every_container_kind_is_checked() {
        let findings = run(value!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "initContainers": [{"name": "init", "securityContext": {"privileged": true}}],
                "containers": [
                    {"name": "app", "securityContext": {"privileged": false}},
                    {"name": "side", "securityContext": {"privileged": true}}
                ],
                "ephemeralContainers": [{"name": "debug", "securityContext": {"privileged": true}}]
            }}}}}
        }));
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.path.as_str()))
            .collect();
        found.sort_unstable();
        let base = "/spec/jobTemplate/spec/template/spec";
        assert_eq!(
            found,
            [
                (
                    "debug",
                    &*format!("{base}/ephemeralContainers/0/securityContext/privileged")
                ),
                (
                    "init",
                    &*format!("{base}/initContainers/0/securityContext/privileged")
                ),
                (
                    "side",
                    &*format!("{base}/containers/1/securityContext/privileged")
                ),
            ]
        );
        assert!(
            findings
                .iter()
                .any(|f| f.message == "init container `init` runs privileged")
        );
    }

    #[test]
    fn pod_level_or_absent_is_not_privileged() {
        assert!(
            run(value!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"securityContext": {"privileged": true},
                         "containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}
            }))
            .is_empty()
        );
    }
}
