//! WL027: a long-running container has no readiness probe.

use super::liveness_probe_missing::{has_probe, long_running_containers};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct ReadinessProbeMissing;

pub static META: RuleMeta = RuleMeta {
    code: "WL027",
    name: "readiness-probe-missing",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container of a long-running pod has no readiness probe.",
    rationale: "Without a readiness probe a pod counts as ready as soon as its containers have \
        started: Services send it traffic before the application listens or has warmed up, \
        keep sending traffic while it is overloaded or has lost a dependency, and rolling \
        updates of Deployments, StatefulSets and DaemonSets move on to the next replica even \
        when the new version never becomes able to serve, so a broken release replaces every \
        working pod. This is an availability rule, not a security one: Low, in line with \
        Polaris and kube-score. DaemonSets are included because their rolling updates also \
        wait for readiness. Only regular containers are checked (init containers run to \
        completion, ephemeral containers cannot have probes, native sidecars are left to the \
        tools that inject them), and pods that are not meant to keep running are exempt: \
        Jobs and CronJobs, and any pod with `restartPolicy` `Never` or `OnFailure`.",
    remediation: "Add a `readinessProbe` to each long-running container that succeeds only when \
        the container can do its work (an HTTP `/ready` endpoint, a gRPC health check or a TCP \
        socket).",
    bad_example: "containers:\n- name: api\n  image: registry.example/api:7.1.0\n  ports:\n  - containerPort: 8080\n",
    good_example: "containers:\n- name: api\n  image: registry.example/api:7.1.0\n  ports:\n  - containerPort: 8080\n  readinessProbe:\n    httpGet:\n      path: /ready\n      port: 8080\n    periodSeconds: 5\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Configure Liveness, Readiness and Startup Probes",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        },
        Reference {
            title: "Kubernetes documentation: Deployments, rolling update",
            url: "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment",
        },
    ],
};

impl Rule for ReadinessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        for container in long_running_containers(object, sink) {
            if has_probe(&container, "readinessProbe") {
                continue;
            }
            sink.report(
                object,
                container.path.to_string(),
                format!(
                    "{} has no readiness probe: it receives traffic and counts as available as \
                     soon as it starts",
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
    use palisade_model::Value;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&ReadinessProbeMissing])
    }

    #[test]
    fn reports_regular_containers_of_long_running_pods() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {
                "initContainers": [{"name": "setup"}],
                "containers": [
                    {"name": "agent", "livenessProbe": {"tcpSocket": {"port": 80}}},
                    {"name": "ok", "readinessProbe": {"tcpSocket": {"port": 80}}}
                ]
            }}}
        }));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].container.as_deref(), Some("agent"));
        assert_eq!(
            findings[0].message,
            "container `agent` has no readiness probe: it receives traffic and counts as \
             available as soon as it starts"
        );
        assert!(
            run(value!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "a"}]}
            }))
            .is_empty()
        );
    }
}
