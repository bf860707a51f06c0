//! RB007: a Role or ClusterRole lets its subjects approve or sign CertificateSigningRequests.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct CsrApproveSign;

pub static META: RuleMeta = RuleMeta {
    code: "RB007",
    name: "certificate-approve-sign",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole lets its subjects approve or sign CertificateSigningRequests.",
    rationale: "With `update` on `certificatesigningrequests/approval` and `approve` on a signer, a subject approves its own request for a client certificate; with `update` on `certificatesigningrequests/status` and `sign` on a signer it issues one. A certificate from the `kubernetes.io/kube-apiserver-client` signer authenticates as any user and group written in it, `system:masters` included, and cannot be revoked before it expires.",
    remediation: "Leave approval to the controller manager's approvers; if a component must approve, limit `approve` to its own signer name with `resourceNames` and never grant it for `kubernetes.io/kube-apiserver-client`.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests/approval]\n  verbs: [update]\n- apiGroups: [certificates.k8s.io]\n  resources: [signers]\n  verbs: [approve]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests]\n  verbs: [create, get]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.11: Minimize access to the approval sub-resource of certificatesigningrequests objects",
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
            title: "MITRE ATT&CK T1649: Steal or Forge Authentication Certificates",
            url: "https://attack.mitre.org/techniques/T1649/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Medium);

impl Rule for CsrApproveSign {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(
            inventory,
            sink,
            &[Risk::CsrApproveSign],
            |_, reach, named| GRADES.of(reach, named),
        );
    }
}
