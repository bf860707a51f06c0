//! TN004: a Namespace enforces the `privileged` Pod Security level.

use super::{
    CIS_POLICY_CONTROL, ENFORCE_LABEL, ENFORCE_WITH_LABELS, NSA_POD_SECURITY,
    POD_SECURITY_ADMISSION, label, label_path,
};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct PodSecurityEnforcePrivileged;

pub static META: RuleMeta = RuleMeta {
    code: "TN004",
    name: "pod-security-enforce-privileged",
    pack: Pack::Tenancy,
    severity: Severity::Medium,
    kinds: &["Namespace"],
    summary: "A Namespace sets `pod-security.kubernetes.io/enforce: privileged`, switching Pod \
        Security admission off for it.",
    rationale: "The `privileged` level has no checks: any pod that can be created in the \
        namespace may run privileged containers, share the node's network and process \
        namespaces and mount the node's filesystem, each a direct path to the node and from \
        there to the cluster. Setting it explicitly also hides the namespace from a cluster \
        default that would otherwise be stricter. Node agents that truly need host access \
        belong in a dedicated, tightly controlled namespace. `kube-system` is not reported, \
        as cluster components (CNI, kube-proxy, CSI node plugins) legitimately need it.",
    remediation: "Set `pod-security.kubernetes.io/enforce` to `baseline` or `restricted`; move \
        workloads that need host access to a dedicated namespace with restricted RBAC, or \
        exempt them by the admission configuration's `exemptions` instead of opening the \
        whole namespace.",
    bad_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n",
    good_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n",
    pss: &[],
    references: &[
        POD_SECURITY_ADMISSION,
        Reference {
            title: "Pod Security Standards: Privileged",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#privileged",
        },
        ENFORCE_WITH_LABELS,
        CIS_POLICY_CONTROL,
        NSA_POD_SECURITY,
    ],
};

impl Rule for PodSecurityEnforcePrivileged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        // Pod Security admission reads levels case-sensitively; other spellings are invalid.
        if object.kind() != "Namespace"
            || object.name() == "kube-system"
            || label(object, ENFORCE_LABEL) != Some("privileged")
        {
            return;
        }
        sink.report(
            object,
            label_path(ENFORCE_LABEL),
            format!(
                "namespace `{}` enforces the `privileged` Pod Security level: pods in it may \
                 run privileged, use the node's namespaces and mount its filesystem",
                object.name()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::tenancy::test_support::{run, summary};
    use palisade_model::Value;
    use palisade_model::value;

    fn namespace(name: &str, level: &str) -> Value {
        value!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": name,
                            "labels": {"pod-security.kubernetes.io/enforce": level}}})
    }

    #[test]
    fn privileged_outside_kube_system() {
        let findings = run(
            &PodSecurityEnforcePrivileged,
            vec![
                namespace("shop", "privileged"),
                namespace("kube-system", "privileged"),
                namespace("web", "baseline"),
                namespace("api", "restricted"),
            ],
        );
        assert_eq!(
            summary(&findings),
            ["Namespace shop /metadata/labels/pod-security.kubernetes.io~1enforce"]
        );
        assert!(findings[0].message.contains("namespace `shop`"));
    }
}
