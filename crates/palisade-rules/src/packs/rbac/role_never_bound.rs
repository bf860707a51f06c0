//! RB013: a Role or ClusterRole that no binding uses and no aggregation picks up.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::{Origin, defaults};
use palisade_model::Inventory;

pub struct RoleNeverBound;

pub static META: RuleMeta = RuleMeta {
    code: "RB013",
    name: "role-never-bound",
    pack: Pack::Rbac,
    severity: Severity::Info,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole is not used by any scanned binding and is not aggregated \
        into another ClusterRole.",
    rationale: "An unused role is harmless today but is reviewed by nobody: it drifts, and the \
        day someone binds it the grant may be wider than anyone remembers. It is often left \
        over from a removed application. Roles can also be bound from outside the scan (a \
        platform team's bindings, a binding created by an operator), so this is information, \
        not a weakness; ClusterRoles labelled for aggregation (`aggregate-to-*`) are used \
        through the aggregated role and are not reported.",
    remediation: "Delete the role if nothing binds it, or ship it together with the binding \
        that uses it.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: leftover\n  namespace: shop\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: shop\nrules:\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader\n  namespace: shop\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: reader\nsubjects:\n- kind: ServiceAccount\n  name: app\n",
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
    ],
};

impl Rule for RoleNeverBound {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let model = sink.rbac(inventory);
        for (index, role) in model.roles.iter().enumerate() {
            let Origin::Input(object_index) = role.origin else {
                continue;
            };
            let object = model.object(object_index);
            if defaults::is_bootstrap_object(object)
                || !model.bindings_of_role(index).is_empty()
                || !model.aggregated_into(index).is_empty()
                || role
                    .labels
                    .keys()
                    .any(|k| k.starts_with("rbac.authorization.k8s.io/aggregate-to-"))
            {
                continue;
            }
            sink.report(
                object,
                "/metadata/name",
                format!(
                    "{} `{}` is not used by any scanned RoleBinding or ClusterRoleBinding",
                    role.kind.as_str(),
                    role.name
                ),
            );
        }
    }
}
