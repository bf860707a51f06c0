//! WL042: a Pod that no controller owns, so nothing recreates it when it is lost.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::{Object, Value};

pub struct BarePod;

pub static META: RuleMeta = RuleMeta {
    code: "WL042",
    name: "bare-pod",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["Pod"],
    summary: "A Pod is declared on its own, with no controller (`metadata.ownerReferences`) to \
        recreate it.",
    rationale: "A Pod is bound to one node for its whole life. When that node fails, is \
        drained or the Pod is evicted for lack of resources, a bare Pod is gone for good: \
        nothing schedules a replacement, and the service it provided stays down until someone \
        notices. Bare Pods also escape what controllers give: rolling updates and rollbacks, \
        scaling, and the policies that admission controllers and reviewers apply to \
        Deployments and Jobs; `kubectl drain` refuses to evict them without `--force`, and a \
        PodDisruptionBudget can only hold a drain up, since no replacement will ever come. \
        Pods that a controller created carry `metadata.ownerReferences` (what a live cluster \
        returns for the Pods of a ReplicaSet, a StatefulSet or a Job) and are not reported. \
        Nor are the Pods the kubelet runs from files on the node (static Pods: their mirror \
        Pods carry the `kubernetes.io/config.mirror` annotation or \
        `kubernetes.io/config.source: file`, and kubeadm's manifests the \
        `tier: control-plane` label in `kube-system`), which the kubelet itself restarts, nor \
        Helm hook Pods (`helm.sh/hook`, such as `helm test` Pods), which Helm creates and \
        deletes around one operation. Low: an availability risk, not a security weakness by \
        itself.",
    remediation: "Run long-lived Pods from a Deployment (or a StatefulSet, or a DaemonSet for \
        one Pod per node) and run-to-completion Pods as a Job, moving the Pod's spec into the \
        controller's `spec.template`.",
    bad_example: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: web\n    image: registry.example/web:2.3.1\n",
    good_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:2.3.1\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Configuration best practices, Naked Pods vs \
                ReplicaSets, Deployments, and Jobs",
            url: "https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-deployments-and-jobs",
        },
        Reference {
            title: "Kubernetes documentation: Pods, Working with Pods",
            url: "https://kubernetes.io/docs/concepts/workloads/pods/#working-with-pods",
        },
        Reference {
            title: "Kubernetes documentation: Disruptions",
            url: "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",
        },
        Reference {
            title: "Kubernetes documentation: Create static Pods",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/static-pod/",
        },
    ],
};

/// The annotation the kubelet sets on the mirror Pod of a static Pod.
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";
/// Where the kubelet found the Pod: `file` or `http` for static Pods, `api` for the others.
const SOURCE_ANNOTATION: &str = "kubernetes.io/config.source";

impl Rule for BarePod {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if object.kind() != "Pod" || object.reference.api_version != "v1" {
            return;
        }
        let owned = object
            .metadata()
            .and_then(|m| m.get("ownerReferences"))
            .and_then(Value::as_array)
            .is_some_and(|owners| !owners.is_empty());
        if owned || static_pod(object) || object.annotations().contains_key("helm.sh/hook") {
            return;
        }
        let restart = object
            .get("/spec/restartPolicy")
            .and_then(Value::as_str)
            .unwrap_or("Always");
        let message = if restart == "Always" {
            "bare Pod: no controller owns it, so nothing recreates it if its node fails or it \
             is evicted; run it from a Deployment, a StatefulSet or a DaemonSet"
                .to_string()
        } else {
            format!(
                "bare Pod with `restartPolicy: {restart}`: no controller owns it, so nothing \
                 retries it on another node if its node fails or it is evicted; run it as a Job"
            )
        };
        sink.report(object, "/kind", message);
    }
}

/// Whether the kubelet runs the Pod from a file on the node: a mirror Pod, or a kubeadm
/// control-plane manifest.
fn static_pod(object: &Object) -> bool {
    object.annotations().contains_key(MIRROR_ANNOTATION)
        || object
            .annotation(SOURCE_ANNOTATION)
            .is_some_and(|source| matches!(source, "file" | "http"))
        || (object.namespace() == Some("kube-system")
            && object
                .labels()
                .get("tier")
                .and_then(Value::as_str)
                .is_some_and(|tier| tier == "control-plane"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check_values;
    use palisade_model::value;

    fn run(pod: Value) -> Vec<String> {
        check_values(vec![pod], &BarePod)
            .iter()
            .map(|f| format!("{}: {}", f.path, f.message))
            .collect()
    }

    #[test]
    fn bare_pods_are_reported_on_their_kind() {
        let found = run(
            value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}]}}),
        );
        assert_eq!(
            found,
            [
                "/kind: bare Pod: no controller owns it, so nothing recreates it if its node fails \
              or it is evicted; run it from a Deployment, a StatefulSet or a DaemonSet"
            ]
        );
        let empty_owners = run(value!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "ownerReferences": []}, "spec": {}}));
        assert_eq!(empty_owners.len(), 1);
    }

    #[test]
    fn run_to_completion_pods_are_pointed_to_jobs() {
        let found = run(
            value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "a"}]}}),
        );
        assert_eq!(
            found,
            [
                "/kind: bare Pod with `restartPolicy: Never`: no controller owns it, so nothing \
              retries it on another node if its node fails or it is evicted; run it as a Job"
            ]
        );
    }

    #[test]
    fn owned_pods_are_fine() {
        let pod = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web",
                                 "uid": "1", "controller": true}]},
            "spec": {"containers": [{"name": "a"}]}});
        assert!(run(pod).is_empty());
    }

    #[test]
    fn static_and_hook_pods_are_fine() {
        let mirror = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "etcd-n1",
            "namespace": "kube-system",
            "annotations": {"kubernetes.io/config.mirror": "abc", "kubernetes.io/config.source": "file"}}});
        assert!(run(mirror).is_empty());
        let from_file = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "e",
            "annotations": {"kubernetes.io/config.source": "file"}}});
        assert!(run(from_file).is_empty());
        let from_api = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "e",
            "annotations": {"kubernetes.io/config.source": "api"}}});
        assert_eq!(run(from_api).len(), 1);
        let kubeadm = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": "kube-apiserver", "namespace": "kube-system",
            "labels": {"component": "kube-apiserver", "tier": "control-plane"}}});
        assert!(run(kubeadm).is_empty());
        let hook = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t",
            "annotations": {"helm.sh/hook": "test"}}, "spec": {"restartPolicy": "Never"}});
        assert!(run(hook).is_empty());
    }

    #[test]
    fn control_plane_label_elsewhere_is_still_reported() {
        let pod = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p",
            "namespace": "shop", "labels": {"tier": "control-plane"}}});
        assert_eq!(run(pod).len(), 1);
    }

    #[test]
    fn only_core_pods_are_checked() {
        let custom = value!({"apiVersion": "example.com/v1", "kind": "Pod",
            "metadata": {"name": "p"}});
        assert!(run(custom).is_empty());
        let deployment = value!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": []}}}});
        assert!(run(deployment).is_empty());
    }
}
