//! RB010: a Role or ClusterRole uses `*` for verbs or resources.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct WildcardGrant;

pub static META: RuleMeta = RuleMeta {
    code: "RB010",
    name: "wildcard-grant",
    pack: Pack::Rbac,
    severity: Severity::Medium,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole uses `*` for verbs or resources.",
    rationale: "A wildcard grants every verb or resource that exists now and every one added later, including subresources such as `pods/exec` and verbs such as `escalate`, `bind` and `impersonate`; a custom resource installed next year is granted without anyone reviewing it. `*` verbs on `*` resources in `*` API groups is cluster-admin: critical when bound cluster-wide, high in a namespace (it is admin of the namespace, Secrets and RoleBindings included). Other wildcards are medium cluster-wide and low in a namespace.",
    remediation: "List the API groups, resources and verbs the subject needs; use the default `view`, `edit` or `admin` ClusterRoles where they fit.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, watch]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.3: Minimize wildcard use in Roles and ClusterRoles",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.1: Ensure that the cluster-admin role is only used where required",
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
            title: "MITRE ATT&CK T1078: Valid Accounts",
            url: "https://attack.mitre.org/techniques/T1078/",
        },
    ],
};

const FULL: Grades = Grades::new(Severity::Critical, Severity::High, Severity::Medium);
const PARTIAL: Grades = Grades::new(Severity::Medium, Severity::Low, Severity::Low);

impl Rule for WildcardGrant {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(
            inventory,
            sink,
            &[Risk::FullControl, Risk::Wildcard],
            |risk, reach, named| {
                if risk == Risk::FullControl {
                    FULL.of(reach, named)
                } else {
                    PARTIAL.of(reach, named)
                }
            },
        );
    }
}
