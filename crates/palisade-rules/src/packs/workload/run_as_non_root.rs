//! WL004: nothing guarantees that a container runs as a non-root user.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;
use palisade_model::workload::Effective;

pub struct RunAsNonRoot;

pub static META: RuleMeta = RuleMeta {
    code: "WL004",
    name: "run-as-non-root-missing",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "No container-level or pod-level setting guarantees that the container runs as a \
        non-root user.",
    rationale: "Without `runAsNonRoot: true` or a non-zero `runAsUser`, a container runs as \
        whatever user its image names, and most images name root. Root in a container is \
        root on the node as far as the kernel is concerned (unless user namespaces are in \
        use): it owns every file on hostPath and volume mounts, can use every capability the \
        container keeps, and turns a kernel or runtime bug (CVE-2019-5736 in runc, \
        CVE-2022-0492 in cgroups release_agent) into an escape to the host. The container \
        setting overrides the pod's, so `runAsNonRoot: false` on a container defeats `true` on \
        the pod. A non-zero `runAsUser` already rules out root and is accepted here; the Pod \
        Security Standards restricted profile still requires `runAsNonRoot: true` as well, \
        which the PSS conformance rules check separately. Windows pods (`spec.os.name: \
        windows`) are exempt: they use `windowsOptions.runAsUserName` instead.",
    remediation: "Set `securityContext.runAsNonRoot: true` on the pod (or on every container) \
        and give the image or the container a non-zero `runAsUser`; remove \
        `runAsNonRoot: false` and `runAsUser: 0`.",
    bad_example: "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    good_example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n  containers:\n  - name: app\n    image: registry.example/app:1.4.2\n",
    pss: &["runAsNonRoot"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): Running as Non-root",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.7: Minimize the admission of root containers",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: \"Non-root\" containers and \"rootless\" \
                container engines",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: Configure a Security Context for a Pod or Container",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

impl Rule for RunAsNonRoot {
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
        for container in &workload.containers {
            let who = container.describe();
            let non_root = workload.effective_security(container, "runAsNonRoot");
            let user = workload.effective_security(container, "runAsUser");
            if non_root.value() == Some(&Value::Bool(true)) {
                // Guaranteed; with `runAsUser: 0` as well the kubelet refuses to start it.
                continue;
            }
            let (path, message) = match user.value().and_then(Value::as_i64) {
                Some(uid) if uid > 0 => continue,
                // An explicit `runAsUser: 0` is WL016's finding: one problem, one finding.
                Some(0) => continue,
                _ => match non_root {
                    Effective::Unset => (
                        container.path.to_string(),
                        format!(
                            "neither {who} nor its pod sets `runAsNonRoot: true` or a non-zero \
                             `runAsUser`: it runs as the image's user, which is often root"
                        ),
                    ),
                    Effective::Container(value) => {
                        let overrides =
                            if workload.pod_security("runAsNonRoot") == Some(&Value::Bool(true)) {
                                ", overriding the pod's `runAsNonRoot: true`"
                            } else {
                                ""
                            };
                        (
                            container.security_path("runAsNonRoot"),
                            format!(
                                "{who} sets `runAsNonRoot: {value}`{overrides}, and no non-zero \
                                 `runAsUser` is set: it may run as root"
                            ),
                        )
                    }
                    Effective::Pod(value) => (
                        workload.pod_security_path("runAsNonRoot"),
                        format!(
                            "{who} inherits `runAsNonRoot: {value}` from the pod, and no \
                             non-zero `runAsUser` is set: it may run as root"
                        ),
                    ),
                },
            };
            sink.report(object, path, message)
                .in_container(container.name);
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
        check(&Inventory::new(vec![object]), &[&RunAsNonRoot])
    }

    fn pod(spec: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }

    fn found(findings: &[Finding]) -> Vec<(&str, &str)> {
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.path.as_str()))
            .collect();
        found.sort_unstable();
        found
    }

    fn message<'a>(findings: &'a [Finding], container: &str) -> &'a str {
        findings
            .iter()
            .find(|f| f.container.as_deref() == Some(container))
            .map_or("", |f| f.message.as_str())
    }

    #[test]
    fn nothing_set_points_at_each_container() {
        let findings = run(pod(value!({
            "initContainers": [{"name": "init"}],
            "containers": [{"name": "app", "securityContext": {"privileged": false}}],
            "ephemeralContainers": [{"name": "debug"}]
        })));
        assert_eq!(
            found(&findings),
            [
                ("app", "/spec/containers/0"),
                ("debug", "/spec/ephemeralContainers/0"),
                ("init", "/spec/initContainers/0"),
            ]
        );
        assert!(message(&findings, "init").starts_with("neither init container `init` nor"));
    }

    #[test]
    fn pod_true_covers_containers_unless_they_say_false() {
        let findings = run(pod(value!({
            "securityContext": {"runAsNonRoot": true},
            "initContainers": [{"name": "init"}],
            "containers": [
                {"name": "inherits"},
                {"name": "opts-out", "securityContext": {"runAsNonRoot": false}},
                {"name": "null", "securityContext": {"runAsNonRoot": null}}
            ]
        })));
        assert_eq!(
            found(&findings),
            [(
                "opts-out",
                "/spec/containers/1/securityContext/runAsNonRoot"
            )]
        );
        assert!(message(&findings, "opts-out").contains("overriding the pod's"));
    }

    #[test]
    fn container_true_wins_over_pod_false() {
        let findings = run(pod(value!({
            "securityContext": {"runAsNonRoot": false},
            "containers": [
                {"name": "safe", "securityContext": {"runAsNonRoot": true}},
                {"name": "inherits"}
            ]
        })));
        assert_eq!(
            found(&findings),
            [("inherits", "/spec/securityContext/runAsNonRoot")]
        );
        assert!(message(&findings, "inherits").contains("inherits `runAsNonRoot: false`"));
    }

    #[test]
    fn non_zero_run_as_user_is_a_guarantee() {
        let findings = run(pod(value!({
            "securityContext": {"runAsUser": 1000},
            "containers": [
                {"name": "inherits"},
                {"name": "opts-out", "securityContext": {"runAsNonRoot": false}},
                {"name": "root", "securityContext": {"runAsUser": 0}},
                {"name": "own", "securityContext": {"runAsUser": 65534}}
            ]
        })));
        // `runAsUser: 0` is left to WL016 run-as-root-user.
        assert!(findings.is_empty());
    }

    #[test]
    fn pod_run_as_user_zero_is_left_to_wl016() {
        let findings = run(value!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "securityContext": {"runAsUser": 0},
                "containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsUser": 10}}]
            }}}}}
        }));
        // Reported by WL016 run-as-root-user, not twice.
        assert!(findings.is_empty());
    }

    #[test]
    fn run_as_non_root_with_uid_zero_is_left_to_the_kubelet() {
        // The kubelet refuses to start such a container, so it never runs as root.
        assert!(
            run(pod(value!({
                "securityContext": {"runAsNonRoot": true},
                "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}]
            })))
            .is_empty()
        );
    }

    #[test]
    fn windows_pods_and_non_workloads_are_exempt() {
        assert!(
            run(pod(
                value!({"os": {"name": "windows"}, "containers": [{"name": "a"}]})
            ))
            .is_empty()
        );
        assert!(
            run(value!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}))
                .is_empty()
        );
    }
}
