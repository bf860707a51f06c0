//! WL034: a namespaced object is explicitly placed in the `default` namespace.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct DefaultNamespace;

pub static META: RuleMeta = RuleMeta {
    code: "WL034",
    name: "default-namespace",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["*"],
    summary: "A namespaced object sets `metadata.namespace: default`.",
    rationale: "Namespaces are the unit of RBAC, quotas, NetworkPolicy and Pod Security \
        admission. The `default` namespace is where everything lands that nobody placed: it \
        usually has no Pod Security labels, no default-deny NetworkPolicy and no quota, and \
        anyone granted rights \"in the default namespace\" for one purpose gets them over every \
        workload there; a compromised pod reaches the others without crossing a boundary. \
        Only an explicit `namespace: default` is reported: an object without a namespace is \
        placed at deploy time (`kubectl -n`, Helm's `--namespace`, Argo CD's destination), so \
        the manifest itself does not choose `default` (Checkov's CKV_K8S_21 reports those too). \
        Cluster-scoped kinds and the objects Kubernetes itself keeps in `default` (the \
        `kubernetes` Service and its endpoints, the `default` ServiceAccount, the \
        `kube-root-ca.crt` ConfigMap) are not reported, nor objects a controller owns (their \
        owner is reported). Low: a hardening gap, not a weakness \
        by itself.",
    remediation: "Create a namespace for the application, with Pod Security labels, a \
        default-deny NetworkPolicy and a quota, and set `metadata.namespace` to it (or drop the \
        field and choose the namespace at deploy time).",
    bad_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\n",
    good_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.7.4: The default namespace should not be used",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Namespaces",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: Namespaces",
            url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
        },
    ],
};

/// Kinds that have no namespace; a `namespace` on them is ignored by the API server.
const CLUSTER_SCOPED: [&str; 21] = [
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
];

/// Objects the control plane itself keeps in `default`: (kind, name).
const BUILT_IN: [(&str, &str); 5] = [
    ("Service", "kubernetes"),
    ("Endpoints", "kubernetes"),
    ("EndpointSlice", "kubernetes"),
    ("ServiceAccount", "default"),
    ("ConfigMap", "kube-root-ca.crt"),
];

impl Rule for DefaultNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if object.namespace() != Some("default") || CLUSTER_SCOPED.contains(&object.kind()) {
            return;
        }
        if BUILT_IN.contains(&(object.kind(), object.name())) {
            return;
        }
        // A controller's objects follow their owner, which is what people edit and is
        // reported itself.
        let owned = object
            .get("/metadata/ownerReferences")
            .and_then(palisade_model::Value::as_array)
            .is_some_and(|owners| !owners.is_empty());
        if owned {
            return;
        }
        sink.report(
            object,
            "/metadata/namespace",
            format!(
                "{} `{}` is placed in the `default` namespace",
                object.kind(),
                object.name()
            ),
        );
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
        check(&Inventory::new(vec![object]), &[&DefaultNamespace])
    }

    fn object(kind: &str, name: &str, namespace: Option<&str>) -> Value {
        let mut metadata = value!({"name": name});
        if let Some(ns) = namespace {
            metadata["namespace"] = value!(ns);
        }
        value!({"apiVersion": "v1", "kind": kind, "metadata": metadata})
    }

    #[test]
    fn explicit_default_is_reported() {
        let findings = run(object("ConfigMap", "settings", Some("default")));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].path, "/metadata/namespace");
        assert_eq!(
            findings[0].message,
            "ConfigMap `settings` is placed in the `default` namespace"
        );
    }

    #[test]
    fn absent_other_cluster_scoped_and_built_in_are_not() {
        for value in [
            object("ConfigMap", "settings", None),
            object("ConfigMap", "settings", Some("shop")),
            object("ConfigMap", "settings", Some("")),
            object("ClusterRole", "reader", Some("default")),
            object("Service", "kubernetes", Some("default")),
            object("ServiceAccount", "default", Some("default")),
            value!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                   "metadata": {"name": "web-5d4f", "namespace": "default",
                                "ownerReferences": [{"kind": "Deployment", "name": "web"}]}}),
        ] {
            assert!(run(value.clone()).is_empty(), "{value}");
        }
    }
}
