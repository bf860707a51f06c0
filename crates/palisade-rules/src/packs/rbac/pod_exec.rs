//! RB003: a Role or ClusterRole lets its subjects exec into, attach to or port-forward to pods.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct PodExec;

pub static META: RuleMeta = RuleMeta {
    code: "RB003",
    name: "pod-exec",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole lets its subjects exec into, attach to or port-forward to pods.",
    rationale: "`pods/exec` and `pods/attach` run commands inside running containers: the caller reads every file of the container, including its mounted service account token and Secrets, and acts as the application. `pods/portforward` reaches ports that no Service exposes, such as admin and debug endpoints. Older API servers authorized the exec and attach websocket upgrade with `get`, so `get` on these subresources counts too. Severity follows the reach: high cluster-wide, medium in a namespace, low for named pods.",
    remediation: "Remove `pods/exec`, `pods/attach` and `pods/portforward` from standing roles; give break-glass access through a short-lived RoleBinding or `kubectl debug` with an audited, time-bound grant.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [pods/exec, pods/portforward]\n  verbs: [create, get]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [\"\"]\n  resources: [pods, pods/log]\n  verbs: [get, list]\n",
    pss: &[],
    references: &[
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
            title: "MITRE ATT&CK T1552.007: Unsecured Credentials: Container API",
            url: "https://attack.mitre.org/techniques/T1552/007/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Low);

impl Rule for PodExec {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(inventory, sink, &[Risk::PodExec], |_, reach, named| {
            GRADES.of(reach, named)
        });
    }
}
