//! WL026: a long-running container has no liveness probe. Also home of the selection the two
//! probe rules share: regular containers of pods that are meant to keep running.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Container, ContainerKind, Object};

pub struct LivenessProbeMissing;

pub static META: RuleMeta = RuleMeta {
    code: "WL026",
    name: "liveness-probe-missing",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container of a long-running pod has no liveness probe.",
    rationale: "The kubelet restarts a container when its process exits, but not when it hangs: \
        a deadlock, an exhausted connection pool or a wedged event loop keeps the process \
        alive and the container keeps its place, so the replica serves errors or nothing \
        until someone notices. A liveness probe lets the kubelet detect and restart it. This \
        is an availability rule, not a security one: Low, the level of a reliability gap, in \
        line with Polaris and kube-score. A badly chosen probe (one that checks a database \
        the container depends on, or with a too-short timeout) causes restart storms, so \
        probe the process's own health, with a startup probe for slow starts. Only regular \
        containers are checked: init containers run to completion, ephemeral containers \
        cannot have probes, and native sidecars (init containers with `restartPolicy: \
        Always`) are left out on purpose, as they are mostly helpers (proxies, log shippers) \
        that their authors or injectors configure. Pods that are not meant to keep running \
        are exempt: Jobs and CronJobs, and any pod with `restartPolicy` `Never` or \
        `OnFailure`.",
    remediation: "Add a `livenessProbe` to each long-running container that checks the \
        process's own health (an HTTP `/healthz`, a gRPC health check or a TCP socket), with \
        a `startupProbe` if it starts slowly.",
    bad_example: "containers:\n- name: api\n  image: registry.example/api:7.1.0\n  ports:\n  - containerPort: 8080\n",
    good_example: "containers:\n- name: api\n  image: registry.example/api:7.1.0\n  ports:\n  - containerPort: 8080\n  livenessProbe:\n    httpGet:\n      path: /healthz\n      port: 8080\n    periodSeconds: 10\n    failureThreshold: 3\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Configure Liveness, Readiness and Startup Probes",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        },
        Reference {
            title: "Kubernetes documentation: Pod Lifecycle, container probes",
            url: "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-probes",
        },
    ],
};

/// The containers the probe rules look at: regular containers of pods meant to keep running.
pub(crate) fn long_running_containers<'a, 'r: 'a>(
    object: &'a Object,
    sink: &Sink<'r>,
) -> Vec<Container<'a>> {
    if matches!(object.kind(), "Job" | "CronJob") {
        return Vec::new();
    }
    let Some(workload) = sink.workload(object) else {
        return Vec::new();
    };
    let restart = workload
        .pod_spec
        .get("restartPolicy")
        .and_then(Value::as_str);
    if matches!(restart, Some("Never" | "OnFailure")) {
        return Vec::new();
    }
    workload
        .containers
        .iter()
        .filter(|c| c.kind == ContainerKind::Regular)
        .cloned()
        .collect()
}

/// Whether the container declares the probe.
pub(crate) fn has_probe(container: &Container<'_>, field: &str) -> bool {
    container.spec.get(field).is_some_and(|v| !v.is_null())
}

impl Rule for LivenessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        for container in long_running_containers(object, sink) {
            if has_probe(&container, "livenessProbe") {
                continue;
            }
            sink.report(
                object,
                container.path.to_string(),
                format!(
                    "{} has no liveness probe: the kubelet cannot restart it when it hangs \
                     without exiting",
                    container.describe()
                ),
            )
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
        check(&Inventory::new(vec![object]), &[&LivenessProbeMissing])
    }

    #[test]
    fn regular_containers_only() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {
                "initContainers": [
                    {"name": "migrate"},
                    {"name": "proxy", "restartPolicy": "Always"}
                ],
                "containers": [
                    {"name": "api", "readinessProbe": {"httpGet": {"path": "/ready", "port": 80}}},
                    {"name": "ok", "livenessProbe": {"tcpSocket": {"port": 80}}}
                ],
                "ephemeralContainers": [{"name": "debug"}]
            }}}
        }));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].path, "/spec/template/spec/containers/0");
        assert_eq!(
            findings[0].message,
            "container `api` has no liveness probe: the kubelet cannot restart it when it hangs \
             without exiting"
        );
    }

    #[test]
    fn batch_pods_are_exempt() {
        assert!(
            run(value!({
                "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                    "containers": [{"name": "a"}]}}}}}
            }))
            .is_empty()
        );
        assert!(
            run(value!({
                "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}
            }))
            .is_empty()
        );
        for policy in ["Never", "OnFailure"] {
            assert!(
                run(value!({
                    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                    "spec": {"restartPolicy": policy, "containers": [{"name": "a"}]}
                }))
                .is_empty()
            );
        }
        assert_eq!(
            run(value!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"restartPolicy": "Always", "containers": [{"name": "a"}]}
            }))
            .len(),
            1
        );
    }
}
