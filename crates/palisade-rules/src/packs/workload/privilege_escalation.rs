//! WL003: a container does not set `allowPrivilegeEscalation: false`.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Container, Object};

pub struct PrivilegeEscalation;

pub static META: RuleMeta = RuleMeta {
    code: "WL003",
    name: "privilege-escalation-allowed",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "A container does not set `securityContext.allowPrivilegeEscalation: false`, so its \
        processes can gain more privileges than they started with.",
    rationale: "Unless `allowPrivilegeEscalation` is explicitly false, the container runtime does \
        not set the kernel's `no_new_privs` flag, and the setting defaults to true. A process \
        that an attacker controls, even as a non-root user, can then become root inside the \
        container through a setuid or setgid binary (`sudo`, `su`, a planted helper) or a file \
        with capabilities, and from root go on to use every capability the container holds \
        towards a kernel exploit or escape. Kubernetes always allows escalation in privileged \
        containers and in containers that add `CAP_SYS_ADMIN`, and rejects \
        `allowPrivilegeEscalation: false` combined with either. The field cannot be set at pod \
        level, so every container, including init and ephemeral containers, needs it. Windows \
        pods (`spec.os.name: windows`) are exempt: the field does not apply there.",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, \
        init container and ephemeral container, and drop `privileged: true` and \
        `CAP_SYS_ADMIN` where they are set.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    runAsNonRoot: true\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    runAsNonRoot: true\n    allowPrivilegeEscalation: false\n",
    pss: &["allowPrivilegeEscalation"],
    references: &[
        Reference {
            title: "Pod Security Standards (restricted): Privilege Escalation",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.2.6: Minimize the admission of containers with \
                allowPrivilegeEscalation",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "Kubernetes documentation: Configure a Security Context for a Pod or Container",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1548.001: Abuse Elevation Control Mechanism: Setuid and Setgid",
            url: "https://attack.mitre.org/techniques/T1548/001/",
        },
    ],
};

/// Why Kubernetes allows escalation whatever the field says, if it does.
fn forced_by(container: &Container<'_>) -> Option<&'static str> {
    if container.security("privileged") == Some(&Value::Bool(true)) {
        return Some("it is privileged");
    }
    // The API server's check is on `CAP_SYS_ADMIN`; runtimes accept the name with or
    // without the prefix and grant the same capability.
    let adds_sys_admin = container
        .security("capabilities")
        .and_then(|c| c.get("add"))
        .and_then(Value::as_array)
        .is_some_and(|add| {
            add.iter().filter_map(Value::as_str).any(|cap| {
                cap.eq_ignore_ascii_case("CAP_SYS_ADMIN") || cap.eq_ignore_ascii_case("SYS_ADMIN")
            })
        });
    adds_sys_admin.then_some("it adds `CAP_SYS_ADMIN`")
}

impl Rule for PrivilegeEscalation {
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
            let setting = container
                .security("allowPrivilegeEscalation")
                .filter(|v| !v.is_null());
            let forced = forced_by(container);
            let who = container.describe();
            let message = match (setting, forced) {
                (Some(Value::Bool(false)), None) => continue,
                (Some(Value::Bool(false)), Some(reason)) => format!(
                    "{who} sets `allowPrivilegeEscalation: false`, but {reason}, so privilege \
                     escalation is allowed anyway (the API server rejects this combination)"
                ),
                (_, Some(reason)) => format!(
                    "{who} always allows privilege escalation because {reason}; \
                     `allowPrivilegeEscalation: false` is only accepted once that is removed"
                ),
                (Some(Value::Bool(true)), None) => format!(
                    "{who} sets `allowPrivilegeEscalation: true`: its processes can raise their \
                     privileges through setuid binaries or file capabilities"
                ),
                (Some(other), None) => format!(
                    "{who} sets `allowPrivilegeEscalation` to `{other}`, which is not the boolean \
                     `false`: privilege escalation stays allowed"
                ),
                (None, None) => format!(
                    "{who} does not set `allowPrivilegeEscalation: false`, so it defaults to true: \
                     its processes can raise their privileges through setuid binaries or file \
                     capabilities"
                ),
            };
            let path = if setting.is_some() {
                container.security_path("allowPrivilegeEscalation")
            } else if container.security_context().is_some() {
                format!("{}/securityContext", container.path)
            } else {
                container.path.to_string()
            };
            let finding = sink
                .report(object, path, message)
                .in_container(container.name);
            if forced.is_some() {
                finding.with_remediation(
                    "Drop `privileged: true` and `CAP_SYS_ADMIN` from the container, then set \
                     `securityContext.allowPrivilegeEscalation: false`.",
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
        check(&Inventory::new(vec![object]), &[&PrivilegeEscalation])
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

    #[test]
    fn points_at_the_field_the_context_or_the_container() {
        let findings = run(pod(value!({
            "initContainers": [{"name": "init"}],
            "containers": [
                {"name": "set", "securityContext": {"allowPrivilegeEscalation": true}},
                {"name": "ctx", "securityContext": {"runAsNonRoot": true}},
                {"name": "null", "securityContext": {"allowPrivilegeEscalation": null}},
                {"name": "ok", "securityContext": {"allowPrivilegeEscalation": false}}
            ],
            "ephemeralContainers": [{"name": "debug"}]
        })));
        assert_eq!(
            found(&findings),
            [
                ("ctx", "/spec/containers/1/securityContext"),
                ("debug", "/spec/ephemeralContainers/0"),
                ("init", "/spec/initContainers/0"),
                ("null", "/spec/containers/2/securityContext"),
                (
                    "set",
                    "/spec/containers/0/securityContext/allowPrivilegeEscalation"
                ),
            ]
        );
        let init = findings
            .iter()
            .find(|f| f.container.as_deref() == Some("init"))
            .expect("init finding");
        assert!(
            init.message
                .starts_with("init container `init` does not set")
        );
    }

    #[test]
    fn pod_level_setting_does_not_count() {
        // PodSecurityContext has no such field; a value there is ignored by Kubernetes.
        let findings = run(pod(value!({
            "securityContext": {"allowPrivilegeEscalation": false},
            "containers": [{"name": "a"}]
        })));
        assert_eq!(found(&findings), [("a", "/spec/containers/0")]);
    }

    #[test]
    fn privileged_or_sys_admin_forces_escalation() {
        let findings = run(pod(value!({"containers": [
            {"name": "priv", "securityContext": {
                "privileged": true, "allowPrivilegeEscalation": false}},
            {"name": "admin", "securityContext": {
                "capabilities": {"add": ["SYS_ADMIN"]}, "allowPrivilegeEscalation": false}},
            {"name": "admin-unset", "securityContext": {
                "capabilities": {"add": ["NET_BIND_SERVICE", "CAP_SYS_ADMIN"]}}},
            {"name": "net", "securityContext": {
                "capabilities": {"add": ["NET_BIND_SERVICE"]}, "allowPrivilegeEscalation": false}}
        ]})));
        assert_eq!(
            found(&findings),
            [
                (
                    "admin",
                    "/spec/containers/1/securityContext/allowPrivilegeEscalation"
                ),
                ("admin-unset", "/spec/containers/2/securityContext"),
                (
                    "priv",
                    "/spec/containers/0/securityContext/allowPrivilegeEscalation"
                ),
            ]
        );
        let message = |name: &str| {
            findings
                .iter()
                .find(|f| f.container.as_deref() == Some(name))
                .map(|f| f.message.clone())
                .unwrap_or_default()
        };
        assert!(message("priv").contains("but it is privileged"));
        assert!(
            message("admin-unset").contains("always allows privilege escalation because it adds")
        );
        assert!(findings.iter().all(|f| f.remediation.is_some()));
    }

    #[test]
    fn cronjob_and_string_values() {
        let findings = run(value!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
                {"name": "a", "securityContext": {"allowPrivilegeEscalation": "false"}},
                {"name": "b", "securityContext": {"allowPrivilegeEscalation": false}}
            ]}}}}}
        }));
        assert_eq!(
            found(&findings),
            [(
                "a",
                "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"
            )]
        );
        assert!(findings[0].message.contains("not the boolean `false`"));
    }

    #[test]
    fn windows_pods_and_non_workloads_are_exempt() {
        assert!(
            run(pod(
                value!({"os": {"name": "windows"}, "containers": [{"name": "a"}]})
            ))
            .is_empty()
        );
        assert_eq!(
            run(pod(
                value!({"os": {"name": "linux"}, "containers": [{"name": "a"}]})
            ))
            .len(),
            1
        );
        assert!(
            run(value!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}))
                .is_empty()
        );
    }
}
