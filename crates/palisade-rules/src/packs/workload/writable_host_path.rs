//! WL036: a container mounts a hostPath volume without `readOnly: true`, so it can change the
//! node's files.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::Value;
use std::collections::HashMap;

pub struct WritableHostPath;

pub static META: RuleMeta = RuleMeta {
    code: "WL036",
    name: "writable-host-path",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "A container mounts a hostPath volume without `readOnly: true`, so it can change \
        files on the node.",
    rationale: "A writable hostPath lets the container change the node itself, and its changes \
        outlive the pod: it can plant a binary or a configuration that node software later \
        runs as root, fill the node's disk, or place a symlink that a privileged node agent \
        follows (the kubelet's log endpoint read arbitrary node files that way). With \
        `mountPropagation: Bidirectional` the container's own mounts also propagate back to \
        the node, even on a read-only mount. This is a different field from the hostPath \
        volume itself, which WL007 host-path-volume and WL035 sensitive-host-path report: \
        those say what is mounted, this says that the mount is writable, and fixing one does \
        not fix the other. Medium: it widens what a compromised container can do to the node; \
        the path's own rules rate how bad the path is. As in kube-linter's \
        `writable-host-mount`, only `readOnly: true` on the volumeMount counts: the volume's \
        `type` does not make it read-only; unlike it, a read-only mount with Bidirectional \
        propagation is reported too.",
    remediation: "Set `readOnly: true` on every volumeMount of a hostPath volume (and \
        `recursiveReadOnly: Enabled` where supported), and remove `mountPropagation: \
        Bidirectional` unless the container is a storage driver that must publish mounts.",
    bad_example: "spec:\n  containers:\n  - name: agent\n    image: registry.example/agent:2.0\n    volumeMounts:\n    - name: varlog\n      mountPath: /var/log\n  volumes:\n  - name: varlog\n    hostPath:\n      path: /var/log\n",
    good_example: "spec:\n  containers:\n  - name: agent\n    image: registry.example/agent:2.0\n    volumeMounts:\n    - name: varlog\n      mountPath: /var/log\n      readOnly: true\n  volumes:\n  - name: varlog\n    hostPath:\n      path: /var/log\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: hostPath volumes",
            url: "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        },
        Reference {
            title: "Kubernetes documentation: Mount propagation",
            url: "https://kubernetes.io/docs/concepts/storage/volumes/#mount-propagation",
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

impl Rule for WritableHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        // Volume name → host path, for hostPath volumes.
        let host_paths: HashMap<&str, &str> = workload
            .pod_spec
            .get("volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|volume| {
                let host_path = volume.get("hostPath").filter(|v| !v.is_null())?;
                let name = volume.get("name")?.as_str()?;
                Some((
                    name,
                    host_path.get("path").and_then(Value::as_str).unwrap_or(""),
                ))
            })
            .collect();
        if host_paths.is_empty() {
            return;
        }
        for container in &workload.containers {
            let mounts = container.spec.get("volumeMounts").and_then(Value::as_array);
            for (index, mount) in mounts.into_iter().flatten().enumerate() {
                let Some(name) = mount.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let Some(host_path) = host_paths.get(name) else {
                    continue;
                };
                let read_only = mount.get("readOnly") == Some(&Value::Bool(true));
                let bidirectional =
                    mount.get("mountPropagation").and_then(Value::as_str) == Some("Bidirectional");
                let target = mount.get("mountPath").and_then(Value::as_str).unwrap_or("");
                let mount_path = format!("{}/volumeMounts/{index}", container.path);
                let what = format!(
                    "{} mounts the node's `{host_path}` (volume `{name}`) at `{target}`",
                    container.describe()
                );
                let (path, message) = match (read_only, bidirectional) {
                    (true, false) => continue,
                    (true, true) => (
                        format!("{mount_path}/mountPropagation"),
                        format!(
                            "{what} read-only but with `mountPropagation: Bidirectional`: \
                             mounts it makes there propagate to the node"
                        ),
                    ),
                    (false, propagates) => {
                        let path = if mount.get("readOnly").is_some() {
                            format!("{mount_path}/readOnly")
                        } else {
                            mount_path
                        };
                        let also = if propagates {
                            ", and with `mountPropagation: Bidirectional` its mounts propagate \
                             to the node"
                        } else {
                            ""
                        };
                        (
                            path,
                            format!(
                                "{what} without `readOnly: true`: it can change the node's files{also}"
                            ),
                        )
                    }
                };
                sink.report(object, path, message)
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
        check(&Inventory::new(vec![object]), &[&WritableHostPath])
    }

    #[test]
    fn writable_and_propagating_mounts() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {
                "containers": [{"name": "agent", "volumeMounts": [
                    {"name": "logs", "mountPath": "/var/log"},
                    {"name": "certs", "mountPath": "/etc/ssl/certs", "readOnly": true},
                    {"name": "tmp", "mountPath": "/tmp"},
                    {"name": "plugins", "mountPath": "/plugins", "readOnly": false},
                    {"name": "kubelet", "mountPath": "/var/lib/kubelet", "readOnly": true,
                     "mountPropagation": "Bidirectional"},
                    {"name": "unknown", "mountPath": "/x"}
                ]}],
                "volumes": [
                    {"name": "logs", "hostPath": {"path": "/var/log"}},
                    {"name": "certs", "hostPath": {"path": "/etc/ssl/certs"}},
                    {"name": "tmp", "emptyDir": {}},
                    {"name": "plugins", "hostPath": {"path": "/opt/plugins", "type": "Directory"}},
                    {"name": "kubelet", "hostPath": {"path": "/var/lib/kubelet"}}
                ]
            }}}
        }));
        let found: Vec<_> = findings.iter().map(|f| f.path.as_str()).collect();
        let base = "/spec/template/spec/containers/0/volumeMounts";
        assert_eq!(
            found,
            [
                &*format!("{base}/0"),
                &*format!("{base}/3/readOnly"),
                &*format!("{base}/4/mountPropagation"),
            ]
        );
        assert_eq!(
            findings[0].message,
            "container `agent` mounts the node's `/var/log` (volume `logs`) at `/var/log` \
             without `readOnly: true`: it can change the node's files"
        );
        assert!(
            findings
                .iter()
                .all(|f| f.container.as_deref() == Some("agent"))
        );
    }

    #[test]
    fn no_host_path_no_finding() {
        assert!(
            run(value!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "a",
                    "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
                    "volumes": [{"name": "v", "emptyDir": {}}]}
            }))
            .is_empty()
        );
    }
}
