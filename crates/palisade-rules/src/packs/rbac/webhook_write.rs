//! RB008: a Role or ClusterRole lets its subjects create, change or delete validating or mutating webhook configurations.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::Risk;
use palisade_model::Inventory;

use super::common::{Grades, check_roles};

pub struct WebhookWrite;

pub static META: RuleMeta = RuleMeta {
    code: "RB008",
    name: "webhook-configuration-write",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["Role", "ClusterRole"],
    summary: "A Role or ClusterRole lets its subjects create, change or delete validating or mutating webhook configurations.",
    rationale: "An admission webhook sees every object it registers for, Secrets included, and a mutating one changes them: it can inject a container, a hostPath volume or a service account into every new pod. Deleting or loosening a validating webhook switches off the policy it enforced. Write access to webhook configurations is therefore control over everything created in the cluster.",
    remediation: "Let only the component that owns a webhook manage it, limited with `resourceNames` to its own configuration, and keep write access to webhook configurations out of people's roles.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  verbs: [create, update, patch]\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app\nrules:\n- apiGroups: [admissionregistration.k8s.io]\n  resources: [mutatingwebhookconfigurations]\n  resourceNames: [app-webhook]\n  verbs: [get, update]\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.12: Minimize access to webhook configuration objects",
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
            title: "MITRE ATT&CK T1546: Event Triggered Execution",
            url: "https://attack.mitre.org/techniques/T1546/",
        },
    ],
};

const GRADES: Grades = Grades::new(Severity::High, Severity::Medium, Severity::Medium);

impl Rule for WebhookWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        check_roles(inventory, sink, &[Risk::WebhookWrite], |_, reach, named| {
            GRADES.of(reach, named)
        });
    }
}
