//! RB005: a Role or ClusterRole lets its subjects request tokens for service accounts (`create` on `serviceaccounts/token`).

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct TokenCreate;

pub static META: RuleMeta = RuleMeta {
    code: "RB005",
    name: "service-account-token-create",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole lets its subjects request tokens for service accounts (`create` on `serviceaccounts/token`).",
    rationale: "The TokenRequest API issues a fresh token for any service account in the grant's reach, with an expiry the caller chooses within the server's limit. The caller becomes that service account, including controllers with far more permissions than its own. Severity: high cluster-wide, medium in a namespace, low for named service accounts.",
    remediation: "Remove `create` on `serviceaccounts/token`; let pods get their tokens from the kubelet through projected volumes, and if a component must mint tokens, limit it to named service accounts with `resourceNames`.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [serviceaccounts/token]\n  verbs: [create]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [\"\"]\n  resources: [serviceaccounts]\n  verbs: [get, list]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.13: Minimize access to the service account token creation",
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
            title: "MITRE ATT&CK T1528: Steal Application Access Token",
            url: "https://attack.mitre.org/techniques/T1528/",
        },
        Reference {
            title: "MITRE ATT&CK T1078.001: Valid Accounts: Default Accounts",
            url: "https://attack.mitre.org/techniques/T1078/001/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Low);

impl Rule for TokenCreate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(inventory, sink, &[Risk::TokenCreate], |_, reach, named| {
            GRADES.of(reach, named)
        });
    }
}
