//! RB001: a Role or ClusterRole lets its subjects get, list or watch Secrets.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct SecretsRead;

pub static META: RuleMeta = RuleMeta {
    code: "RB001",
    name: "secrets-read",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole lets its subjects get, list or watch Secrets.",
    rationale: "Secrets hold database passwords, API keys, TLS keys and, in clusters that still have them, service account tokens; `list` and `watch` return every Secret's data, not just names. Whoever holds the grant reads the credentials of every application in its reach and moves on with them, often to cluster-admin through a controller's token in `kube-system`. Severity follows the reach: high when a ClusterRoleBinding grants it in every namespace, medium in the namespaces of RoleBindings (or when no scanned binding names the role yet), low when `resourceNames` limit it to named Secrets (then `get` only reaches those).",
    remediation: "Grant `get` on the named Secrets the workload needs (`resourceNames`) in a namespaced Role instead of `get`, `list` or `watch` on all Secrets; mount Secrets as volumes or environment variables so the application needs no API access to them.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get, list, watch]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [app-tls]\n  verbs: [get]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.2: Minimize access to secrets",
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
            title: "MITRE ATT&CK T1552.007: Unsecured Credentials: Container API",
            url: "https://attack.mitre.org/techniques/T1552/007/",
        },
        Reference {
            title: "MITRE ATT&CK T1528: Steal Application Access Token",
            url: "https://attack.mitre.org/techniques/T1528/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Low);

impl Rule for SecretsRead {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(inventory, sink, &[Risk::SecretsRead], |_, reach, named| {
            GRADES.of(reach, named)
        });
    }
}
