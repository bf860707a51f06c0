//! RB006: a ClusterRole lets its subjects reach the kubelet API through `nodes/proxy`.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct NodeProxy;

pub static META: RuleMeta = RuleMeta {
    code: "RB006",
    name: "node-proxy",
    pack: Pack::Rbac,
    severity: Severity::Critical,
    kinds: &["Role", "ClusterRole"],
    summary: "A ClusterRole lets its subjects reach the kubelet API through `nodes/proxy`.",
    rationale: "`nodes/proxy` forwards requests to the kubelet of any node with the API server's credentials. The kubelet API runs commands in any container on the node (`/exec`, `/run`), reads their logs and lists their pods, bypassing the `pods/exec` authorization and leaving no pod-level audit trail: it is node compromise and, through the tokens of the pods on the node, usually cluster compromise. Monitoring agents often ask for it only to read metrics. Severity: critical when a ClusterRoleBinding grants it; nodes are cluster-scoped, so a RoleBinding grants nothing and the rule is reported as medium.",
    remediation: "Remove `nodes/proxy`; read node metrics through `nodes/metrics` and `nodes/stats` (or the metrics API), which do not allow running commands.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [nodes/proxy]\n  verbs: [get]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [nodes/metrics, nodes/stats]\n  verbs: [get]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.10: Minimize access to the proxy sub-resource of nodes",
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
            title: "MITRE ATT&CK T1609: Container Administration Command",
            url: "https://attack.mitre.org/techniques/T1609/",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::Critical, Severity::Medium, Severity::Medium);

impl Rule for NodeProxy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(inventory, sink, &[Risk::NodeProxy], |_, reach, named| {
            GRADES.of(reach, named)
        });
    }
}
