//! RB009: a ClusterRole lets its subjects create PersistentVolumes.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct PersistentVolumeCreate;

pub static META: RuleMeta = RuleMeta {
    code: "RB009",
    name: "persistent-volume-create",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A ClusterRole lets its subjects create PersistentVolumes.",
    rationale: "A PersistentVolume may be a `hostPath` volume: whoever creates one and can claim it from a pod mounts any directory of the node, such as `/`, `/etc` or the container runtime socket, without the pod itself declaring a hostPath that Pod Security admission would reject. That is escape to the node. Provisioners create volumes for claims; people and applications rarely need to.",
    remediation: "Remove `create` on `persistentvolumes`; provision storage through StorageClasses and PersistentVolumeClaims, which dynamic provisioners fulfil.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [\"\"]\n  resources: [persistentvolumes]\n  verbs: [create]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app\n  namespace: shop\nrules:\n- apiGroups: [\"\"]\n  resources: [persistentvolumeclaims]\n  verbs: [create, get]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.9: Minimize access to create persistent volumes",
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
            title: "MITRE ATT&CK T1611: Escape to Host",
            url: "https://attack.mitre.org/techniques/T1611/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Medium);

impl Rule for PersistentVolumeCreate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(
            inventory,
            sink,
            &[Risk::PersistentVolumeCreate],
            |_, reach, named| GRADES.of(reach, named),
        );
    }
}
