//! WL020: a container's root filesystem is writable.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;

pub struct RootFilesystemWritable;

pub static META: RuleMeta = RuleMeta {
    code: "WL020",
    name: "root-filesystem-writable",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container does not set `securityContext.readOnlyRootFilesystem: true`, so its \
        processes can modify the image's files.",
    rationale: "With a writable root filesystem an attacker who gets code execution in the \
        container can download tools, drop a web shell next to the application, replace \
        binaries or libraries the application loads later, or edit configuration, and the \
        change persists until the container is recreated. A read-only root filesystem forces \
        every write into explicitly mounted volumes (an `emptyDir` for `/tmp`, a volume for \
        data), where they are explicit and reviewable. The field exists only on \
        containers, so every container, including init and ephemeral containers, needs it. \
        Low, as in kube-linter (`no-read-only-root-fs`), Polaris (`notReadOnlyRootFilesystem`, \
        a warning), Checkov (CKV_K8S_22), kubesec and kube-score: it does not open a way in, it \
        makes persistence and tooling easier after one, and many applications need a few \
        writable paths before they can comply. Windows pods (`spec.os.name: windows`) are \
        exempt: the field is not supported there.",
    remediation: "Set `securityContext.readOnlyRootFilesystem: true` on every container and mount \
        an `emptyDir` volume at each path the process must write (such as `/tmp` or a cache \
        directory).",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    allowPrivilegeEscalation: false\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  securityContext:\n    allowPrivilegeEscalation: false\n    readOnlyRootFilesystem: true\n  volumeMounts:\n  - name: tmp\n    mountPath: /tmp\nvolumes:\n- name: tmp\n  emptyDir: {}\n",
    pss: &[],
    references: &[
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Immutable container file systems",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: Configure a Security Context for a Pod or Container",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        },
        Reference {
            title: "MITRE ATT&CK T1105: Ingress Tool Transfer",
            url: "https://attack.mitre.org/techniques/T1105/",
        },
        Reference {
            title: "MITRE ATT&CK T1505.003: Server Software Component: Web Shell",
            url: "https://attack.mitre.org/techniques/T1505/003/",
        },
    ],
};

impl Rule for RootFilesystemWritable {
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
                .security("readOnlyRootFilesystem")
                .filter(|v| !v.is_null());
            let who = container.describe();
            let (path, message) = match setting {
                Some(Value::Bool(true)) => continue,
                Some(Value::Bool(false)) => (
                    container.security_path("readOnlyRootFilesystem"),
                    format!(
                        "{who} sets `readOnlyRootFilesystem: false`: its processes can modify the image's files"
                    ),
                ),
                Some(other) => (
                    container.security_path("readOnlyRootFilesystem"),
                    format!(
                        "{who} sets `readOnlyRootFilesystem` to `{other}`, which is not the \
                         boolean `true`: its root filesystem stays writable"
                    ),
                ),
                None => (
                    if container.security_context().is_some() {
                        format!("{}/securityContext", container.path)
                    } else {
                        container.path.to_string()
                    },
                    format!(
                        "{who} does not set `readOnlyRootFilesystem: true`: its processes can \
                         modify the image's files"
                    ),
                ),
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
        check(&Inventory::new(vec![object]), &[&RootFilesystemWritable])
    }

    fn pod(spec: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }

    #[test]
    fn points_at_the_field_the_context_or_the_container() {
        let findings = run(pod(value!({
            "initContainers": [{"name": "init"}],
            "containers": [
                {"name": "off", "securityContext": {"readOnlyRootFilesystem": false}},
                {"name": "ctx", "securityContext": {"runAsNonRoot": true}},
                {"name": "text", "securityContext": {"readOnlyRootFilesystem": "true"}},
                {"name": "ok", "securityContext": {"readOnlyRootFilesystem": true}}
            ],
            "ephemeralContainers": [{"name": "debug"}]
        })));
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.path.as_str()))
            .collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("ctx", "/spec/containers/1/securityContext"),
                ("debug", "/spec/ephemeralContainers/0"),
                ("init", "/spec/initContainers/0"),
                (
                    "off",
                    "/spec/containers/0/securityContext/readOnlyRootFilesystem"
                ),
                (
                    "text",
                    "/spec/containers/2/securityContext/readOnlyRootFilesystem"
                ),
            ]
        );
        assert!(findings.iter().any(|f| f.message
            == "container `off` sets `readOnlyRootFilesystem: false`: its processes can modify \
                the image's files"));
    }

    #[test]
    fn pod_level_field_does_not_count_and_windows_is_exempt() {
        assert_eq!(
            run(pod(value!({
                "securityContext": {"readOnlyRootFilesystem": true},
                "containers": [{"name": "a"}]
            })))
            .len(),
            1
        );
        assert!(
            run(pod(
                value!({"os": {"name": "windows"}, "containers": [{"name": "a"}]})
            ))
            .is_empty()
        );
    }

    #[test]
    fn hardened_application_is_clean_for_the_hardening_rules() {
        use crate::packs::workload as wl;
        let rules: &[&'static dyn Rule] = &[
            &RootFilesystemWritable,
            &wl::run_as_root_group::RunAsRootGroup,
            &wl::memory_limit_missing::MemoryLimitMissing,
            &wl::memory_request_missing::MemoryRequestMissing,
            &wl::cpu_request_missing::CpuRequestMissing,
            &wl::cpu_limit_missing::CpuLimitMissing,
            &wl::liveness_probe_missing::LivenessProbeMissing,
            &wl::readiness_probe_missing::ReadinessProbeMissing,
            &wl::image_tag_mutable::ImageTagMutable,
            &wl::image_not_pinned::ImageNotPinned,
            &wl::image_pull_policy::ImagePullPolicy,
            &wl::image_registry_not_allowed::ImageRegistryNotAllowed,
        ];
        let container = value!({
            "name": "api",
            "image": "registry.example/api:7.1.0@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a",
            "imagePullPolicy": "IfNotPresent",
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]}
            },
            "resources": {
                "requests": {"cpu": "250m", "memory": "256Mi"},
                "limits": {"cpu": "1", "memory": "512Mi"}
            },
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]
        });
        let deployment = value!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "namespace": "shop"},
            "spec": {"template": {"spec": {
                "serviceAccountName": "api",
                "automountServiceAccountToken": false,
                "securityContext": {
                    "runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001,
                    "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}
                },
                "containers": [container],
                "volumes": [{"name": "tmp", "emptyDir": {}}]
            }}}
        });
        let object = Object::new(deployment, "t.yaml".into(), 0, PositionTree::default());
        let context = crate::engine::Context {
            allowed_registries: vec!["registry.example".into()],
            ..crate::engine::Context::default()
        };
        let findings = crate::engine::check_with(&Inventory::new(vec![object]), rules, &context);
        assert!(findings.is_empty(), "{findings:?}");
    }
}
