//! RB002: a Role or ClusterRole lets its subjects create or change pods or the controllers that create them.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct WorkloadWrite;

pub static META: RuleMeta = RuleMeta {
    code: "RB002",
    name: "workload-write",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole lets its subjects create or change pods or the controllers that create them.",
    rationale: "Whoever can create a pod, or a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or ReplicationController that creates one, chooses the pod's service account and volumes: the pod runs with the token of any service account of the namespace, mounts any Secret or ConfigMap of it, and, unless Pod Security admission forbids it, runs privileged or mounts the node's filesystem. Write access to workloads is therefore read access to every credential of the namespace and often a way onto the node. Severity follows the reach: high cluster-wide, medium in a namespace, low for named objects only.",
    remediation: "Let a deployment pipeline or GitOps controller own workload changes, grant people `get`/`list` (or `view`), and enforce Pod Security `restricted` on the namespaces where workloads may still be written.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\", apps]\n  resources: [pods, deployments]\n  verbs: [create, update, patch]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [\"\", apps]\n  resources: [pods, deployments]\n  verbs: [get, list, watch]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.4: Minimize access to create pods",
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
            title: "MITRE ATT&CK T1610: Deploy Container",
            url: "https://attack.mitre.org/techniques/T1610/",
        },
        Reference {
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Low);

impl Rule for WorkloadWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(
            inventory,
            sink,
            &[Risk::WorkloadWrite],
            |_, reach, named| GRADES.of(reach, named),
        );
    }
}
