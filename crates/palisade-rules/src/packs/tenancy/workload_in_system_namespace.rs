//! TN006: an application workload runs in `kube-system` or `kube-public`.

use super::{CIS_NAMESPACES, MULTI_TENANCY, NSA_CISA_GUIDE, describe, is_generated};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;
use palisade_model::{Map, Value};

pub struct WorkloadInSystemNamespace;

pub static META: RuleMeta = RuleMeta {
    code: "TN006",
    name: "workload-in-system-namespace",
    pack: Pack::Tenancy,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A workload that does not look like a cluster component runs in `kube-system` or \
        `kube-public`.",
    rationale: "`kube-system` holds the control plane's add-ons and the service accounts of \
        cluster controllers, and is usually exempt from Pod Security and quotas. Whoever \
        deploys an application there needs rights to create pods in it, and anyone who can \
        create pods in a namespace can run them as any of its service accounts, several of \
        which are cluster-wide administrators in practice. `kube-public` is readable by every \
        client, unauthenticated ones included, and is meant only for the `cluster-info` \
        ConfigMap, so no workload belongs there. To stay quiet about real cluster components, \
        a workload in `kube-system` is accepted when it or its pod template carries a label \
        that cluster add-ons use (`k8s-app`, `component`, `tier: control-plane`, \
        `addonmanager.kubernetes.io/mode`, `kubernetes.io/cluster-service`, or a cloud \
        provider's component label) or when its name or `app.kubernetes.io/name`, \
        `app.kubernetes.io/part-of`, `app` or `name` label names a well-known add-on \
        (CoreDNS, kube-proxy, metrics-server, cluster-autoscaler, CNI plugins such as Cilium, \
        Calico or aws-node, CSI drivers, cloud controller managers). Objects created by a \
        controller (with `ownerReferences`) are reported through their owner. The `default` \
        namespace is the concern of WL034.",
    remediation: "Move the workload, its service account, RBAC bindings and configuration to \
        a namespace of its own with a ResourceQuota and a Pod Security label; if it is a \
        cluster add-on, label it `app.kubernetes.io/part-of` with the add-on's name or \
        `k8s-app`.",
    bad_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing-api\n  namespace: kube-system\nspec:\n  template:\n    metadata:\n      labels:\n        app: billing-api\n    spec:\n      containers:\n      - name: api\n        image: registry.example/billing:2.3.0\n",
    good_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing-api\n  namespace: billing\nspec:\n  template:\n    metadata:\n      labels:\n        app: billing-api\n    spec:\n      containers:\n      - name: api\n        image: registry.example/billing:2.3.0\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Namespaces, initial namespaces",
            url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces",
        },
        CIS_NAMESPACES,
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Namespaces",
            url: NSA_CISA_GUIDE,
        },
        MULTI_TENANCY,
    ],
};

/// Label keys cluster add-ons carry (kubeadm, the addon manager, managed Kubernetes services).
const COMPONENT_LABEL_KEYS: [&str; 7] = [
    "k8s-app",
    "component",
    "addonmanager.kubernetes.io/mode",
    "kubernetes.io/cluster-service",
    "eks.amazonaws.com/component",
    "kubernetes.azure.com/managedby",
    "components.gke.io/component-name",
];

/// Labels that name an application, compared against [`KNOWN_ADDONS`].
const NAME_LABEL_KEYS: [&str; 4] = [
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app",
    "name",
];

/// Add-ons that commonly run in `kube-system`; a name matches one when it equals it or starts
/// with it and a `-`.
const KNOWN_ADDONS: &[&str] = &[
    // DNS, proxy, metrics, autoscaling.
    "coredns",
    "kube-dns",
    "node-local-dns",
    "nodelocaldns",
    "dns-autoscaler",
    "kube-proxy",
    "metrics-server",
    "kube-state-metrics",
    "cluster-autoscaler",
    "cluster-proportional-autoscaler",
    "vertical-pod-autoscaler",
    "vpa",
    "karpenter",
    "descheduler",
    // Control plane.
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-vip",
    "konnectivity-agent",
    "snapshot-controller",
    // CNI plugins.
    "cilium",
    "hubble",
    "calico",
    "tigera-operator",
    "canal",
    "flannel",
    "kube-flannel",
    "weave-net",
    "antrea",
    "kube-router",
    "kube-ovn",
    "multus",
    "aws-node",
    "azure-cns",
    "ip-masq-agent",
    "azure-ip-masq-agent",
    // Cloud providers and managed services.
    "aws-load-balancer-controller",
    "eks-pod-identity-agent",
    "cloud-node-manager",
    "gke-metadata-server",
    "gke-metrics-agent",
    "fluentbit-gke",
    "pdcsi-node",
    "event-exporter",
    "nvidia-device-plugin",
    "sealed-secrets",
];

fn is_known_addon(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    KNOWN_ADDONS.iter().any(|addon| {
        name == *addon
            || name
                .strip_prefix(addon)
                .is_some_and(|rest| rest.starts_with('-'))
    }) || name.contains("cloud-controller-manager")
        // CSI drivers and CNI plugins by their conventional names (`ebs-csi-node`, `vpc-cni`).
        || name.split('-').any(|part| part == "csi" || part == "cni")
}

fn looks_like_component(labels: &Map) -> bool {
    COMPONENT_LABEL_KEYS
        .iter()
        .any(|key| labels.contains_key(key))
        || labels.get("tier").and_then(Value::as_str) == Some("control-plane")
        || NAME_LABEL_KEYS.iter().any(|key| {
            labels
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(is_known_addon)
        })
}

fn is_cluster_component(object: &Object) -> bool {
    let template_labels = object
        .workload()
        .and_then(|w| w.pod_metadata)
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object);
    is_known_addon(object.name())
        || [Some(object.labels()), template_labels]
            .into_iter()
            .flatten()
            .any(looks_like_component)
}

impl Rule for WorkloadInSystemNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if sink.workload(object).is_none() || is_generated(object) {
            return;
        }
        let message = match object.namespace() {
            Some("kube-public") => format!(
                "{} runs in `kube-public`, which every client can read, unauthenticated ones \
                 included, and which is meant for no workload",
                describe(object)
            ),
            Some("kube-system") if !is_cluster_component(object) => format!(
                "{} runs in `kube-system` but carries no cluster-component label and no known \
                 add-on name: it shares the namespace with the service accounts of cluster \
                 controllers",
                describe(object)
            ),
            _ => return,
        };
        sink.report(object, "/metadata/namespace", message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::tenancy::test_support::{run, summary};
    use palisade_model::value;

    fn deployment(name: &str, namespace: &str, labels: Value, pod_labels: Value) -> Value {
        value!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": namespace, "labels": labels},
               "spec": {"template": {"metadata": {"labels": pod_labels},
                                     "spec": {"containers": [{"name": "c"}]}}}})
    }

    #[test]
    fn applications_in_system_namespaces() {
        let findings = run(
            &WorkloadInSystemNamespace,
            vec![
                deployment(
                    "billing",
                    "kube-system",
                    value!({"app": "billing"}),
                    value!({}),
                ),
                deployment(
                    "coredns",
                    "kube-public",
                    value!({"k8s-app": "kube-dns"}),
                    value!({}),
                ),
                deployment(
                    "tier",
                    "kube-system",
                    value!({"tier": "backend"}),
                    value!({}),
                ),
            ],
        );
        assert_eq!(
            summary(&findings),
            [
                "Deployment kube-public/coredns /metadata/namespace",
                "Deployment kube-system/billing /metadata/namespace",
                "Deployment kube-system/tier /metadata/namespace",
            ]
        );
        assert!(
            findings
                .iter()
                .any(|f| f.message.contains("unauthenticated"))
        );
    }

    #[test]
    fn cluster_components_are_accepted() {
        let findings = run(
            &WorkloadInSystemNamespace,
            vec![
                deployment(
                    "dns",
                    "kube-system",
                    value!({}),
                    value!({"k8s-app": "kube-dns"}),
                ),
                deployment(
                    "x",
                    "kube-system",
                    value!({"component": "kube-scheduler"}),
                    value!({}),
                ),
                deployment(
                    "y",
                    "kube-system",
                    value!({"tier": "control-plane"}),
                    value!({}),
                ),
                deployment(
                    "z",
                    "kube-system",
                    value!({"app.kubernetes.io/name": "Metrics-Server"}),
                    value!({}),
                ),
                deployment("ebs-csi-controller", "kube-system", value!({}), value!({})),
                deployment("cilium-operator", "kube-system", value!({}), value!({})),
                deployment(
                    "aws-cloud-controller-manager",
                    "kube-system",
                    value!({}),
                    value!({}),
                ),
                deployment("billing", "billing", value!({}), value!({})),
                deployment("billing", "default", value!({}), value!({})),
                value!({"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": "owned", "namespace": "kube-system",
                                    "ownerReferences": [{"kind": "ReplicaSet", "name": "r"}]},
                       "spec": {"containers": [{"name": "c"}]}}),
                value!({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "cluster-info", "namespace": "kube-public"}}),
            ],
        );
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn addon_names_match_whole_segments() {
        assert!(is_known_addon("calico-kube-controllers"));
        assert!(is_known_addon("vpc-cni"));
        assert!(!is_known_addon("calicopay"));
        assert!(!is_known_addon("etcdbackup-reporter"));
        assert!(!is_known_addon("billing"));
    }
}
