//! RB004: a Role or ClusterRole grants `escalate` or `bind` on roles, or `impersonate` on users, groups or service accounts.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct EscalateBindImpersonate;

pub static META: RuleMeta = RuleMeta {
    code: "RB004",
    name: "escalate-bind-impersonate",
    pack: Pack::Rbac,
    severity: Severity::Critical,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole grants `escalate` or `bind` on roles, or `impersonate` on users, groups or service accounts.",
    rationale: "RBAC stops a subject from granting permissions it does not hold, unless it has `escalate` (edit a role beyond its own permissions) or `bind` (bind a role it does not hold). `impersonate` lets the caller act as another user, group or service account; impersonating the group `system:masters` is cluster-admin. Each of these lets its holder raise its own privileges. Severity: critical cluster-wide, high in a namespace, medium for named roles or identities only.",
    remediation: "Remove `escalate`, `bind` and `impersonate` from the role; if a controller must create bindings, limit `bind` to the named roles it hands out with `resourceNames`, and limit impersonation to named identities.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [users, groups]\n  verbs: [impersonate]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [rbac.authorization.k8s.io]\n  resources: [roles]\n  resourceNames: [app-reader]\n  verbs: [bind]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: Role Based Access Control Good Practices",
            url: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
        },
        Reference {
            title: "MITRE ATT&CK T1098: Account Manipulation",
            url: "https://attack.mitre.org/techniques/T1098/",
        },
        Reference {
            title: "MITRE ATT&CK T1134: Access Token Manipulation",
            url: "https://attack.mitre.org/techniques/T1134/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::Critical, Severity::High, Severity::Medium);

impl Rule for EscalateBindImpersonate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(
            inventory,
            sink,
            &[Risk::EscalateBindImpersonate],
            |_, reach, named| GRADES.of(reach, named),
        );
    }
}
