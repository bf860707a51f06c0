//! RB011: a binding grants a role to anonymous users, to every unauthenticated request or to
//! every authenticated identity.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::{
    ANONYMOUS_USER, AUTHENTICATED_GROUP, SERVICE_ACCOUNTS_GROUP, SubjectKind,
    UNAUTHENTICATED_GROUP, defaults,
};
use palisade_model::Inventory;

pub struct PublicGroupBinding;

pub static META: RuleMeta = RuleMeta {
    code: "RB011",
    name: "binding-to-public-group",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["RoleBinding", "ClusterRoleBinding"],
    summary: "A RoleBinding or ClusterRoleBinding names `system:anonymous`, \
        `system:unauthenticated`, `system:authenticated` or `system:serviceaccounts` as a \
        subject.",
    rationale: "`system:anonymous` and the group `system:unauthenticated` are every request \
        without credentials: anyone who reaches the API server, from the internet if it is \
        exposed. `system:authenticated` is every identity the cluster accepts: every user, \
        every service account token of every pod, every node. `system:serviceaccounts` is every \
        service account of every namespace, so every pod that mounts a token. A grant to these \
        subjects is a grant to the attacker who stole any pod's token, or to nobody in \
        particular. The default bindings for discovery and public information are not \
        reported, nor are the per-namespace groups `system:serviceaccounts:<ns>`. Severity: \
        critical for anonymous subjects and high for `system:authenticated` and \
        `system:serviceaccounts` when the role holds a risky permission (secrets, workloads, \
        exec, escalation, tokens, nodes/proxy and so on); otherwise medium and low.",
    remediation: "Bind the role to the users, groups or service accounts that need it; to \
        share read access with every team, create a group for them in the identity provider.",
    bad_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: everyone-reads\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: system:authenticated\n",
    good_example: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: sre-reads\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: sre\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Role Based Access Control Good Practices",
            url: "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
        },
        Reference {
            title: "Kubernetes documentation: Anonymous requests",
            url: "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1078.001: Valid Accounts: Default Accounts",
            url: "https://attack.mitre.org/techniques/T1078/001/",
        },
    ],
};

impl Rule for PublicGroupBinding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let model = sink.rbac(inventory);
        for binding in &model.bindings {
            let object = model.object(binding.object);
            if defaults::is_bootstrap_object(object) {
                continue;
            }
            let risky: Vec<String> = binding
                .role
                .map(|role| {
                    let mut labels: Vec<String> = model.roles[role]
                        .rules
                        .iter()
                        .flat_map(|r| model.risks_of(r))
                        .filter(|h| !h.named_only)
                        .map(|h| h.risk.label().to_string())
                        .collect();
                    labels.sort();
                    labels.dedup();
                    labels
                })
                .unwrap_or_default();
            for (index, subject) in &binding.subjects {
                let public = match (subject.kind, subject.name.as_str()) {
                    (SubjectKind::User, ANONYMOUS_USER)
                    | (SubjectKind::Group, UNAUTHENTICATED_GROUP) => Some((
                        "anyone who can reach the API server, without credentials",
                        Severity::Critical,
                        Severity::Medium,
                    )),
                    (SubjectKind::Group, AUTHENTICATED_GROUP) => Some((
                        "every authenticated identity, including every pod's service account",
                        Severity::High,
                        Severity::Low,
                    )),
                    (SubjectKind::Group, SERVICE_ACCOUNTS_GROUP) => Some((
                        "every service account of every namespace, so every pod that mounts \
                         its token",
                        Severity::High,
                        Severity::Low,
                    )),
                    _ => None,
                };
                let Some((who, risky_severity, plain_severity)) = public else {
                    continue;
                };
                let role = format!("{} `{}`", binding.role_kind, binding.role_name);
                let power = if risky.is_empty() {
                    String::new()
                } else {
                    format!(", which {}", risky.join("; "))
                };
                let finding = sink.report(
                    object,
                    format!("/subjects/{index}"),
                    format!(
                        "{} `{}` grants {role}{power} to `{}`: {who}",
                        binding.kind.as_str(),
                        binding.name,
                        subject.name
                    ),
                );
                finding.severity = if risky.is_empty() {
                    plain_severity
                } else {
                    risky_severity
                };
            }
        }
    }
}
