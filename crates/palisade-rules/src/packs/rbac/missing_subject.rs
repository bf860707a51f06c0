//! RB012: a binding names a service account that does not exist in a namespace the scan
//! covers.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::{DEFAULT_NAMESPACE, SubjectKind, defaults};
use palisade_model::Inventory;
use std::collections::BTreeSet;

pub struct MissingSubject;

pub static META: RuleMeta = RuleMeta {
    code: "RB012",
    name: "binding-to-missing-service-account",
    pack: Pack::Rbac,
    severity: Severity::Medium,
    kinds: &["RoleBinding", "ClusterRoleBinding"],
    summary: "A RoleBinding or ClusterRoleBinding names a ServiceAccount that the scanned \
        objects of its namespace do not include.",
    rationale: "A binding to a service account that does not exist is a standing grant waiting \
        for an owner: whoever may create ServiceAccounts (or pods with a new `serviceAccountName` \
        in some setups) in that namespace creates one with that name and inherits the grant. \
        Such bindings usually remain after an application was renamed or removed. The rule \
        only reports when the scan holds the subject's namespace (its Namespace object or other \
        objects in it), so a binding to an account managed elsewhere is not reported when that \
        namespace is not scanned; the `default` service account always exists and is skipped. \
        Users and groups live outside the cluster and cannot be checked.",
    remediation: "Delete the binding, or fix its subject to the ServiceAccount that exists, and \
        ship the ServiceAccount with the binding that grants it permissions.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: old-app\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: reader\nsubjects:\n- kind: ServiceAccount\n  name: old-app\n  namespace: shop\n",
    good_example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: shop\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: reader\nsubjects:\n- kind: ServiceAccount\n  name: app\n  namespace: shop\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Role Based Access Control Good Practices",
            url: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1078.001: Valid Accounts: Default Accounts",
            url: "https://attack.mitre.org/techniques/T1078/001/",
        },
    ],
};

impl Rule for MissingSubject {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let model = sink.rbac(inventory);
        let namespaces: BTreeSet<&str> = inventory.namespaces();
        let has_default_objects = inventory.objects().iter().any(|o| {
            o.namespace().is_none()
                && (o.workload().is_some()
                    || matches!(o.kind(), "ServiceAccount" | "RoleBinding" | "Role"))
        });
        for binding in &model.bindings {
            let object = model.object(binding.object);
            if defaults::is_bootstrap_object(object) {
                continue;
            }
            for (index, subject) in &binding.subjects {
                if subject.kind != SubjectKind::ServiceAccount || subject.name == "default" {
                    continue;
                }
                let Some(ns) = subject.namespace.as_deref() else {
                    continue;
                };
                let covered =
                    namespaces.contains(ns) || (ns == DEFAULT_NAMESPACE && has_default_objects);
                if !covered {
                    continue;
                }
                let exists = inventory
                    .get("ServiceAccount", Some(ns), &subject.name)
                    .is_some()
                    || (ns == DEFAULT_NAMESPACE
                        && inventory
                            .get("ServiceAccount", None, &subject.name)
                            .is_some());
                if exists {
                    continue;
                }
                sink.report(
                    object,
                    format!("/subjects/{index}"),
                    format!(
                        "{} `{}` grants {} `{}` to service account `{ns}/{}`, which is not among \
                         the scanned objects of namespace `{ns}`: whoever creates it inherits \
                         the grant",
                        binding.kind.as_str(),
                        binding.name,
                        binding.role_kind,
                        binding.role_name,
                        subject.name
                    ),
                );
            }
        }
    }
}
