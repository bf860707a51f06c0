//! WL032: the pod gets its service account's API token mounted although nothing turns the
//! automount off, joined with the ServiceAccount and the bindings in the inventory.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Inventory, Object};
use std::collections::HashMap;

use super::default_service_account::service_account;

pub struct ServiceAccountToken;

pub static META: RuleMeta = RuleMeta {
    code: "WL032",
    name: "service-account-token-automounted",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &[
        "<workload>",
        "ServiceAccount",
        "RoleBinding",
        "ClusterRoleBinding",
    ],
    summary: "The pod gets a Kubernetes API token for its service account mounted, because \
        neither the pod nor its ServiceAccount sets `automountServiceAccountToken: false`.",
    rationale: "Unless told otherwise, the kubelet mounts a token for the pod's service account \
        at `/var/run/secrets/kubernetes.io/serviceaccount/token` in every container. Most \
        applications never call the Kubernetes API, but anyone who gets code execution or a \
        file-read bug in any container reads the token and acts as the service account from \
        anywhere the API server is reachable: listing secrets, creating pods, or mapping the \
        cluster for the next step. The pod's setting wins over the ServiceAccount's, so \
        `automountServiceAccountToken: true` on the pod mounts the token even when the \
        ServiceAccount says false. The ServiceAccount is looked up in the scanned objects (the \
        pod's `serviceAccountName`, else `default`, in the pod's namespace); when it is not \
        among them only the pod's own setting counts. Medium when a RoleBinding or \
        ClusterRoleBinding among the scanned objects grants the service account permissions \
        (naming it, its `system:serviceaccount:<ns>:<name>` user, or the groups \
        `system:serviceaccounts`, `system:serviceaccounts:<ns>` or `system:authenticated`): \
        the token is then a credential with known power. Low when no scanned binding does: the \
        token still authenticates, and bindings elsewhere in the cluster may grant it more than \
        the scan can see. kube-linter and Checkov (CKV_K8S_38) report the pod setting alone, \
        at one severity; this rule follows the ServiceAccount's setting as the kubelet does, \
        so a ServiceAccount with `automountServiceAccountToken: false` is enough.",
    remediation: "Set `automountServiceAccountToken: false` on the ServiceAccount or on the pod \
        spec; for a workload that does call the API, mount a short-lived token with a \
        `projected` `serviceAccountToken` volume into the one container that needs it, and \
        bind the service account to the narrowest Role.",
    bad_example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n      - name: web\n        image: registry.example/web:2.3.1\n",
    good_example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\nautomountServiceAccountToken: false\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n      - name: web\n        image: registry.example/web:2.3.1\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.6: Ensure that Service Account Tokens are only \
                mounted where necessary",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Service account tokens",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "Kubernetes documentation: Opt out of API credential automounting",
            url: "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        },
        Reference {
            title: "MITRE ATT&CK T1528: Steal Application Access Token",
            url: "https://attack.mitre.org/techniques/T1528/",
        },
        Reference {
            title: "MITRE ATT&CK T1552.007: Unsecured Credentials: Container API",
            url: "https://attack.mitre.org/techniques/T1552/007/",
        },
    ],
};

/// Groups every service account of `namespace` belongs to.
fn groups(namespace: &str) -> [String; 3] {
    [
        "system:serviceaccounts".to_string(),
        format!("system:serviceaccounts:{namespace}"),
        "system:authenticated".to_string(),
    ]
}

/// Whether a binding subject is the service account `name` in `namespace` (`None`: the
/// namespace chosen at deploy time), directly or through a group.
fn names(subject: &Value, binding: &Object, namespace: Option<&str>, name: &str) -> bool {
    let field = |key: &str| subject.get(key).and_then(Value::as_str);
    let Some(subject_name) = field("name") else {
        return false;
    };
    let namespace_text = namespace.unwrap_or("");
    match field("kind") {
        Some("ServiceAccount") => {
            // A RoleBinding's subjects default to the binding's namespace.
            let subject_namespace = field("namespace").filter(|ns| !ns.is_empty()).or(
                if binding.kind() == "RoleBinding" {
                    binding.namespace()
                } else {
                    None
                },
            );
            subject_name == name && subject_namespace == namespace
        }
        Some("User") => {
            namespace.is_some()
                && subject_name == format!("system:serviceaccount:{namespace_text}:{name}")
        }
        Some("Group") => groups(namespace_text)
            .iter()
            .any(|group| group == subject_name),
        _ => false,
    }
}

/// A subject of a ClusterRoleBinding, as [`names`] compares it.
#[derive(Debug, PartialEq, Eq, Hash)]
enum SubjectKey {
    ServiceAccount(Option<String>, String),
    User(String),
    Group(String),
}

/// The ClusterRoleBindings of an inventory, by subject: the position of the first binding
/// naming each subject, so that finding the first one for an account is a few lookups.
struct ClusterBindings<'a> {
    bindings: Vec<&'a Object>,
    first: HashMap<SubjectKey, usize>,
}

impl<'a> ClusterBindings<'a> {
    fn new(inventory: &'a Inventory) -> Self {
        let bindings: Vec<&'a Object> = inventory.of_kind("ClusterRoleBinding").collect();
        let mut first = HashMap::new();
        for (index, binding) in bindings.iter().enumerate() {
            for subject in binding
                .get("/subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let field = |key: &str| subject.get(key).and_then(Value::as_str);
                let Some(name) = field("name") else { continue };
                let key = match field("kind") {
                    Some("ServiceAccount") => SubjectKey::ServiceAccount(
                        field("namespace")
                            .filter(|ns| !ns.is_empty())
                            .map(str::to_string),
                        name.to_string(),
                    ),
                    Some("User") => SubjectKey::User(name.to_string()),
                    Some("Group") => SubjectKey::Group(name.to_string()),
                    _ => continue,
                };
                first.entry(key).or_insert(index);
            }
        }
        Self { bindings, first }
    }

    /// The first ClusterRoleBinding that names the service account, as [`names`] decides.
    fn find(&self, namespace: Option<&str>, name: &str) -> Option<&'a Object> {
        let mut keys = vec![SubjectKey::ServiceAccount(
            namespace.map(str::to_string),
            name.to_string(),
        )];
        if let Some(ns) = namespace {
            keys.push(SubjectKey::User(format!(
                "system:serviceaccount:{ns}:{name}"
            )));
        }
        keys.extend(groups(namespace.unwrap_or("")).map(SubjectKey::Group));
        keys.iter()
            .filter_map(|key| self.first.get(key))
            .min()
            .and_then(|&index| self.bindings.get(index).copied())
    }
}

/// The first binding in the inventory that grants the service account anything.
fn binding_for<'a>(
    inventory: &'a Inventory,
    cluster_bindings: &ClusterBindings<'a>,
    namespace: Option<&str>,
    name: &str,
) -> Option<&'a Object> {
    // A RoleBinding grants only in its own namespace.
    let mut role_bindings: Box<dyn Iterator<Item = &'a Object>> = match namespace {
        Some(ns) => Box::new(
            inventory
                .in_namespace(ns)
                .filter(|object| object.kind() == "RoleBinding"),
        ),
        None => Box::new(
            inventory
                .of_kind("RoleBinding")
                .filter(|binding| binding.namespace().is_none()),
        ),
    };
    role_bindings
        .find(|binding| {
            binding
                .get("/subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|subject| names(subject, binding, namespace, name))
        })
        .or_else(|| cluster_bindings.find(namespace, name))
}

impl Rule for ServiceAccountToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let cluster_bindings = ClusterBindings::new(inventory);
        for (object, workload) in sink.workloads(inventory) {
            let (name, _) = service_account(&workload);
            let namespace = object.namespace();
            let account = inventory.get("ServiceAccount", namespace, name);
            let field = "automountServiceAccountToken";
            let (path, why) = match workload.pod_spec.get(field) {
                Some(Value::Bool(false)) => continue,
                Some(Value::Bool(true)) => {
                    let overrides = if account.and_then(|a| a.get("/automountServiceAccountToken"))
                        == Some(&Value::Bool(false))
                    {
                        ", overriding its ServiceAccount's `false`"
                    } else {
                        ""
                    };
                    (
                        workload.spec_path(field),
                        format!("the pod sets `{field}: true`{overrides}"),
                    )
                }
                _ => {
                    let account_setting =
                        account.and_then(|a| a.get("/automountServiceAccountToken"));
                    if account_setting == Some(&Value::Bool(false)) {
                        continue;
                    }
                    let why = match (account, account_setting) {
                        (Some(_), Some(Value::Bool(true))) => {
                            format!(
                                "its ServiceAccount sets `{field}: true` and the pod does not override it"
                            )
                        }
                        (Some(_), _) => {
                            format!("neither the pod nor its ServiceAccount sets `{field}: false`")
                        }
                        (None, _) => format!(
                            "the pod does not set `{field}: false` and its ServiceAccount is not \
                             among the scanned objects"
                        ),
                    };
                    (workload.pod_spec_path.to_string(), why)
                }
            };
            let grant = binding_for(inventory, &cluster_bindings, namespace, name);
            let power = match grant {
                Some(binding) => format!(
                    "{} `{}` grants it permissions",
                    binding.kind(),
                    binding.name()
                ),
                None => "no scanned RoleBinding or ClusterRoleBinding grants it permissions, so \
                         the token's power is only what the cluster grants elsewhere"
                    .to_string(),
            };
            let finding = sink.report(
                object,
                path,
                format!(
                    "the pod mounts an API token for service account `{name}` ({why}); {power}"
                ),
            );
            if grant.is_none() {
                finding.severity = Severity::Low;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use palisade_model::value;

    fn run(values: Vec<Value>) -> Vec<Finding> {
        crate::engine::check_values(values, &ServiceAccountToken)
    }

    fn deployment(name: &str, spec: Value) -> Value {
        let mut spec = spec;
        spec["containers"] = value!([{"name": "app"}]);
        value!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "shop"},
               "spec": {"template": {"spec": spec}}})
    }

    fn account(name: &str, automount: Option<bool>) -> Value {
        let mut sa = value!({"apiVersion": "v1", "kind": "ServiceAccount",
                            "metadata": {"name": name, "namespace": "shop"}});
        if let Some(automount) = automount {
            sa["automountServiceAccountToken"] = value!(automount);
        }
        sa
    }

    fn summary(findings: &[Finding]) -> Vec<(String, Severity)> {
        let mut found: Vec<_> = findings
            .iter()
            .map(|f| (format!("{} {}", f.object.name, f.path), f.severity))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn pod_setting_wins_over_the_service_account() {
        let findings = run(vec![
            account("off", Some(false)),
            account("on", Some(true)),
            deployment("inherits-off", value!({"serviceAccountName": "off"})),
            deployment(
                "forces-on",
                value!({"serviceAccountName": "off",
                                           "automountServiceAccountToken": true}),
            ),
            deployment(
                "forces-off",
                value!({"serviceAccountName": "on",
                                            "automountServiceAccountToken": false}),
            ),
            deployment("inherits-on", value!({"serviceAccountName": "on"})),
            deployment("unknown", value!({"serviceAccountName": "elsewhere"})),
            deployment("default", value!({})),
        ]);
        assert_eq!(
            summary(&findings),
            [
                ("default /spec/template/spec".to_string(), Severity::Low),
                (
                    "forces-on /spec/template/spec/automountServiceAccountToken".to_string(),
                    Severity::Low
                ),
                ("inherits-on /spec/template/spec".to_string(), Severity::Low),
                ("unknown /spec/template/spec".to_string(), Severity::Low),
            ]
        );
        let forces = findings
            .iter()
            .find(|f| f.object.name == "forces-on")
            .map(|f| f.message.as_str());
        assert_eq!(
            forces,
            Some(
                "the pod mounts an API token for service account `off` (the pod sets \
                 `automountServiceAccountToken: true`, overriding its ServiceAccount's `false`); \
                 no scanned RoleBinding or ClusterRoleBinding grants it permissions, so the \
                 token's power is only what the cluster grants elsewhere"
            )
        );
    }

    #[test]
    fn bindings_raise_the_severity() {
        let role_binding = |name: &str, subject: Value| {
            value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": name, "namespace": "shop"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                               "name": "reader"},
                   "subjects": [subject]})
        };
        let findings = run(vec![
            deployment("by-sa", value!({"serviceAccountName": "a"})),
            deployment("by-user", value!({"serviceAccountName": "b"})),
            deployment("unbound", value!({"serviceAccountName": "d"})),
            // Namespace omitted: the binding's namespace.
            role_binding("rb-a", value!({"kind": "ServiceAccount", "name": "a"})),
            role_binding(
                "rb-b",
                value!({"kind": "User", "name": "system:serviceaccount:shop:b"}),
            ),
            // Another namespace's service account called `d` does not count.
            role_binding(
                "rb-d",
                value!({"kind": "ServiceAccount", "name": "d",
                                        "namespace": "other"}),
            ),
        ]);
        let severities: Vec<_> = summary(&findings)
            .into_iter()
            .map(|(what, severity)| (what.split(' ').next().unwrap_or("").to_string(), severity))
            .collect();
        assert_eq!(
            severities,
            [
                ("by-sa".to_string(), Severity::Medium),
                ("by-user".to_string(), Severity::Medium),
                ("unbound".to_string(), Severity::Low),
            ]
        );
        let by_sa = findings.iter().find(|f| f.object.name == "by-sa");
        assert!(by_sa.is_some_and(|f| {
            f.message
                .ends_with("RoleBinding `rb-a` grants it permissions")
        }));
    }

    #[test]
    fn groups_name_every_service_account_of_the_namespace() {
        let binding = |group: &str| {
            value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": "crb"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                               "name": "view"},
                   "subjects": [{"kind": "Group", "name": group,
                                 "apiGroup": "rbac.authorization.k8s.io"}]})
        };
        for (group, expected) in [
            ("system:serviceaccounts:shop", Severity::Medium),
            ("system:serviceaccounts", Severity::Medium),
            ("system:authenticated", Severity::Medium),
            ("system:serviceaccounts:other", Severity::Low),
            ("system:masters", Severity::Low),
        ] {
            let findings = run(vec![
                deployment("web", value!({"serviceAccountName": "web"})),
                binding(group),
            ]);
            assert_eq!(findings.len(), 1, "{group}");
            assert_eq!(findings[0].severity, expected, "{group}");
        }
    }

    #[test]
    fn a_cluster_role_binding_needs_the_subject_namespace() {
        let findings = run(vec![
            deployment("web", value!({"serviceAccountName": "web"})),
            value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                   "metadata": {"name": "crb"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                               "name": "view"},
                   "subjects": [{"kind": "ServiceAccount", "name": "web"}]}),
        ]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Low);
    }
}
