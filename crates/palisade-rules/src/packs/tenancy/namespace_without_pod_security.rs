//! TN003: a Namespace has no `pod-security.kubernetes.io/enforce` label.

use super::{
    AUDIT_LABEL, CIS_POLICY_CONTROL, ENFORCE_LABEL, ENFORCE_WITH_LABELS, NSA_POD_SECURITY,
    POD_SECURITY_ADMISSION, WARN_LABEL, is_system_namespace, label, labels_or_metadata,
};
use crate::engine::Sink;
use crate::meta::{Pack, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct NamespaceWithoutPodSecurity;

pub static META: RuleMeta = RuleMeta {
    code: "TN003",
    name: "namespace-without-pod-security",
    pack: Pack::Tenancy,
    severity: Severity::Medium,
    kinds: &["Namespace"],
    summary: "A Namespace has no `pod-security.kubernetes.io/enforce` label, so Pod Security \
        admission rejects nothing in it.",
    rationale: "Pod Security admission is the built-in guard that keeps privileged, \
        host-namespace and host-path pods out of a namespace, but it enforces only the level \
        named by the namespace's `enforce` label. Without the label the cluster-wide default \
        applies, which is `privileged` (no checks at all) unless the API server's admission \
        configuration says otherwise. The `audit` and `warn` labels only record and display \
        violations; they reject nothing. A tenant who can create pods in an unlabelled \
        namespace can therefore run a privileged pod and take over the node. System \
        namespaces (`kube-system`, `kube-public`, `kube-node-lease`) are left to the cluster.",
    remediation: "Label the Namespace with `pod-security.kubernetes.io/enforce: restricted` \
        (or `baseline` where workloads cannot meet restricted yet), after checking existing \
        pods with `kubectl label --dry-run=server`.",
    bad_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/warn: restricted\n",
    good_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/warn: restricted\n",
    pss: &[],
    references: &[
        POD_SECURITY_ADMISSION,
        ENFORCE_WITH_LABELS,
        CIS_POLICY_CONTROL,
        NSA_POD_SECURITY,
    ],
};

impl Rule for NamespaceWithoutPodSecurity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if object.kind() != "Namespace"
            || is_system_namespace(object.name())
            || object.labels().contains_key(ENFORCE_LABEL)
        {
            return;
        }
        let name = object.name();
        let modes: Vec<String> = [("audit", AUDIT_LABEL), ("warn", WARN_LABEL)]
            .into_iter()
            .filter_map(|(mode, key)| label(object, key).map(|level| format!("`{mode}: {level}`")))
            .collect();
        let path = labels_or_metadata(object);
        if modes.is_empty() {
            sink.report(
                object,
                path,
                format!(
                    "namespace `{name}` has no `{ENFORCE_LABEL}` label: its pods are admitted \
                     at the cluster's default level, `privileged` unless configured otherwise"
                ),
            );
        } else {
            let modes = modes.join(" and ");
            sink.report(
                object,
                path,
                format!(
                    "namespace `{name}` sets {modes} but no `{ENFORCE_LABEL}` label: \
                     violations are only logged or shown, never rejected"
                ),
            )
            .with_remediation(format!(
                "Add `{ENFORCE_LABEL}` with the level already used for {modes} once the \
                 namespace's pods pass it."
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::tenancy::test_support::{run, summary};
    use palisade_model::Value;
    use palisade_model::value;

    fn namespace(name: &str, labels: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": name, "labels": labels}})
    }

    #[test]
    fn missing_enforce_label() {
        let findings = run(
            &NamespaceWithoutPodSecurity,
            vec![
                value!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}),
                namespace(
                    "b",
                    value!({"pod-security.kubernetes.io/warn": "restricted",
                                      "pod-security.kubernetes.io/audit": "baseline"}),
                ),
            ],
        );
        assert_eq!(
            summary(&findings),
            ["Namespace a /metadata", "Namespace b /metadata/labels"]
        );
        let warned = findings
            .iter()
            .find(|f| f.object.name == "b")
            .map(|f| f.message.as_str())
            .unwrap_or_default();
        assert!(warned.contains("`audit: baseline` and `warn: restricted`"));
    }

    #[test]
    fn enforce_label_or_system_namespace_is_fine() {
        let findings = run(
            &NamespaceWithoutPodSecurity,
            vec![
                namespace(
                    "a",
                    value!({"pod-security.kubernetes.io/enforce": "baseline"}),
                ),
                namespace("kube-system", value!({})),
                value!({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": "c", "namespace": "a"}}),
            ],
        );
        assert!(findings.is_empty(), "{findings:?}");
    }
}
