//! RB014: a pod runs as a service account that holds risky permissions.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::paths::Step;
use crate::rbac::paths::{Graph, account_of, token_mounted_in};
use crate::rbac::{Identity, Model, Subject};
use palisade_model::Inventory;
use palisade_model::Value;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// What an account may do: risky grants by label, and how it is cluster-admin equivalent.
/// What an account may do: its risks (label, and how it gets it), the same listed for a
/// message, and the step that makes it cluster-admin equivalent, if any.
struct Assessment {
    risks: BTreeMap<String, String>,
    listed: String,
    admin: Option<Step>,
}

impl Assessment {
    fn new(risks: BTreeMap<String, String>, admin: Option<Step>) -> Self {
        // Many accounts share one assessment: the list is written once.
        let listed = risks
            .iter()
            .map(|(label, how)| format!("{label} ({how})"))
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            risks,
            listed,
            admin,
        }
    }
}

pub struct WorkloadIdentity;

pub static META: RuleMeta = RuleMeta {
    code: "RB014",
    name: "workload-risky-identity",
    pack: Pack::Rbac,
    severity: Severity::High,
    kinds: &["<workload>", "RoleBinding", "ClusterRoleBinding"],
    summary: "A pod runs as a service account that the scanned bindings give risky permissions \
        or cluster-admin power.",
    rationale: "A pod's service account is what an attacker becomes after exploiting the \
        application: with a mounted token, one file read or command injection turns into every \
        permission of the account, used from anywhere the API server is reachable. The rule \
        follows the account's bindings, its groups (`system:serviceaccounts`, \
        `system:serviceaccounts:<ns>`, `system:authenticated`) and aggregated ClusterRoles, and \
        reports the risky permissions the pod inherits: critical when the identity is \
        cluster-admin equivalent (full control, impersonation of any user or group, or binding \
        cluster-admin to itself), high when risky permissions come with a mounted token, \
        medium when the token is not mounted (a compromised pod can still obtain one in some \
        setups, and the grant remains for whoever else runs as the account).",
    remediation: "Give the workload its own service account bound to a Role with only what it \
        needs; move controller-level permissions to a dedicated component, and set \
        `automountServiceAccountToken: false` when the application does not call the API.",
    bad_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      containers:\n      - name: web\n        image: registry.example/web:2.3.1\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: web-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: web\n  namespace: shop\n",
    good_example: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      serviceAccountName: web\n      automountServiceAccountToken: false\n      containers:\n      - name: web\n        image: registry.example/web:2.3.1\n",
    pss: &[],
    references: &[
        Reference {
            title: "CIS Kubernetes Benchmark 5.1.5 and 5.1.6: default service accounts and \
                mounted service account tokens",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Service account tokens",
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
            title: "MITRE ATT&CK T1078.001: Valid Accounts: Default Accounts",
            url: "https://attack.mitre.org/techniques/T1078/001/",
        },
    ],
};

impl Rule for WorkloadIdentity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let model = sink.rbac(inventory);
        let mut graph = Graph::build(&model);
        // The risks one binding grants, and the risks and admin step of one account: many
        // workloads share accounts, and every account shares the bindings of its groups.
        let mut granted_by: HashMap<usize, Vec<(&'static str, String)>> = HashMap::new();
        let mut by_account: HashMap<(&str, &str), Rc<Assessment>, foldhash::fast::RandomState> =
            HashMap::default();
        // What the groups every account belongs to (`system:serviceaccounts`,
        // `system:authenticated`) grant, worked out once: with a binding per application to
        // such a group, going through them for every account would cost accounts × bindings.
        let mut shared: HashMap<Vec<String>, Shared> = HashMap::new();
        for object in inventory.objects() {
            let Some(workload) = sink.workload(object) else {
                continue;
            };
            let key = account_of(object, &workload);
            if let Entry::Vacant(slot) = by_account.entry(key) {
                let (ns, name) = key;
                let subject = Subject::service_account(ns, name);
                let identity = subject.identity();
                // The account itself and its namespace's group are its own; the other
                // groups are shared with every account.
                let namespace_group = format!("system:serviceaccounts:{ns}");
                let (own_groups, shared_groups): (Vec<String>, Vec<String>) = identity
                    .groups
                    .iter()
                    .cloned()
                    .partition(|g| *g == namespace_group);
                let own = Identity {
                    groups: own_groups,
                    ..identity.clone()
                };
                let own_bindings = model.bindings_for(&own);
                let common = shared.entry(shared_groups).or_insert_with_key(|groups| {
                    let everyone = Identity {
                        user: None,
                        service_account: None,
                        groups: groups.clone(),
                    };
                    let bindings = model.bindings_for(&everyone);
                    Shared {
                        first: first_grants(&model, &bindings, &mut granted_by),
                        admin: None,
                        alone: None,
                    }
                });
                // Only cluster-wide grants make an account cluster-admin equivalent: without
                // a ClusterRoleBinding of its own, an account is as powerful as its groups.
                let own_cluster_binding = own_bindings
                    .iter()
                    .any(|&b| model.bindings[b].namespace.is_none());
                let admin = if own_cluster_binding {
                    graph.is_admin(&subject)
                } else {
                    common
                        .admin
                        .get_or_insert_with(|| graph.is_admin(&subject))
                        .clone()
                        .map(|step| Step {
                            from: subject.clone(),
                            ..step
                        })
                };
                let assessment = if own_bindings.is_empty() {
                    // Most accounts hold only what their groups grant: they share one
                    // assessment (messages name the account, not the assessment).
                    let alone = common.alone.get_or_insert_with(|| {
                        let risks = common
                            .first
                            .iter()
                            .map(|(label, (_, how))| (label.to_string(), how.clone()))
                            .collect();
                        Rc::new(Assessment::new(risks, admin))
                    });
                    Rc::clone(alone)
                } else {
                    let mut first = first_grants(&model, &own_bindings, &mut granted_by);
                    for (label, (index, how)) in &common.first {
                        match first.get(label) {
                            Some((own_index, _)) if own_index < index => {}
                            _ => {
                                first.insert(label, (*index, how.clone()));
                            }
                        }
                    }
                    let risks: BTreeMap<String, String> = first
                        .into_iter()
                        .map(|(label, (_, how))| (label.to_string(), how))
                        .collect();
                    Rc::new(Assessment::new(risks, admin))
                };
                slot.insert(assessment);
            }
            let (ns, name) = key;
            let Some(assessment) = by_account.get(&key) else {
                continue;
            };
            let Assessment {
                risks,
                listed,
                admin,
            } = &**assessment;
            if risks.is_empty() && admin.is_none() {
                continue;
            }
            let mounted = token_mounted_in(&model, &workload, ns, name);
            let path = ["serviceAccountName", "serviceAccount"]
                .iter()
                .find(|f| workload.pod_spec.get(f).and_then(Value::as_str).is_some())
                .map_or(workload.pod_spec_path.to_string(), |f| {
                    workload.spec_path(f)
                });
            let token = if mounted {
                "its token is mounted"
            } else {
                "its token is not mounted"
            };
            let (message, severity) = match admin {
                Some(step) => (
                    format!(
                        "the pod runs as service account `{ns}/{name}`, which is cluster-admin \
                         equivalent: it {} ({}); {token}",
                        step.action,
                        step.via.as_deref().unwrap_or("")
                    ),
                    Severity::Critical,
                ),
                None => (
                    format!(
                        "the pod runs as service account `{ns}/{name}`, which {listed}; \
                             {token}"
                    ),
                    if mounted {
                        Severity::High
                    } else {
                        Severity::Medium
                    },
                ),
            };
            let finding = sink.report(object, path, message);
            finding.severity = severity;
        }
    }
}

/// What the groups shared by every account grant: the first binding to grant each risk, and
/// whether that alone is cluster-admin equivalent (worked out on first need).
struct Shared {
    first: BTreeMap<&'static str, (usize, String)>,
    admin: Option<Option<Step>>,
    /// The assessment of an account with no binding of its own.
    alone: Option<Rc<Assessment>>,
}

/// For each risk label, the lowest-numbered of `bindings` (sorted) that grants it, and how.
fn first_grants(
    model: &Model<'_>,
    bindings: &[usize],
    granted_by: &mut HashMap<usize, Vec<(&'static str, String)>>,
) -> BTreeMap<&'static str, (usize, String)> {
    let mut first = BTreeMap::new();
    for &binding in bindings {
        let granted = granted_by
            .entry(binding)
            .or_insert_with(|| risks_granted(model, binding));
        for (label, how) in granted.iter() {
            first
                .entry(*label)
                .or_insert_with(|| (binding, how.clone()));
        }
    }
    first
}

/// The risk labels the rules of a binding's role carry (first occurrence each, in rule order),
/// with where and through what the binding grants them.
fn risks_granted(model: &Model<'_>, binding: usize) -> Vec<(&'static str, String)> {
    let Some(found) = model.bindings.get(binding) else {
        return Vec::new();
    };
    let Some(role) = found.role else {
        return Vec::new();
    };
    let scope = match &found.namespace {
        Some(ns) => format!("in {ns}"),
        None => "cluster-wide".to_string(),
    };
    let how = format!("{scope} via {}", found.display());
    let mut granted: Vec<(&'static str, String)> = Vec::new();
    for rule in &model.roles[role].rules {
        for hit in model.risks_of(rule).iter().filter(|hit| !hit.named_only) {
            let label = hit.risk.label();
            if !granted.iter().any(|(seen, _)| *seen == label) {
                granted.push((label, how.clone()));
            }
        }
    }
    granted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use palisade_model::value;

    fn run(values: Vec<Value>) -> Vec<Finding> {
        crate::engine::check_values(values, &WorkloadIdentity)
    }

    fn deployment(namespace: &str, account: &str) -> Value {
        value!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "app", "namespace": namespace},
                "spec": {"template": {"spec": {"serviceAccountName": account,
                         "containers": [{"name": "c", "image": "registry.example/c:1"}]}}}})
    }

    fn cluster_binding(name: &str, role: &str, subject: Value) -> Value {
        value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": role},
                "subjects": [subject]})
    }

    #[test]
    fn grants_of_shared_groups_and_own_bindings_combine() {
        let findings = run(vec![
            value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                    "metadata": {"name": "secret-reader"},
                    "rules": [{"apiGroups": [""], "resources": ["secrets"],
                               "verbs": ["get", "list"]}]}),
            // Every service account reads secrets; one namespace's accounts are admins.
            cluster_binding(
                "all-accounts-read-secrets",
                "secret-reader",
                value!({"kind": "Group", "name": "system:serviceaccounts",
                        "apiGroup": "rbac.authorization.k8s.io"}),
            ),
            cluster_binding(
                "team-a-admins",
                "cluster-admin",
                value!({"kind": "Group", "name": "system:serviceaccounts:team-a",
                        "apiGroup": "rbac.authorization.k8s.io"}),
            ),
            deployment("team-a", "builder"),
            deployment("team-b", "builder"),
            deployment("team-c", "runner"),
        ]);
        let message = |namespace: &str| {
            findings
                .iter()
                .find(|f| f.object.namespace.as_deref() == Some(namespace))
                .map(|f| (f.severity, f.message.clone()))
        };
        let (severity, text) = message("team-a").expect("team-a is reported");
        assert_eq!(severity, Severity::Critical);
        assert!(
            text.contains("`team-a/builder`, which is cluster-admin equivalent"),
            "{text}"
        );
        for namespace in ["team-b", "team-c"] {
            let (severity, text) = message(namespace).expect("reported");
            assert_eq!(severity, Severity::High);
            assert!(
                text.contains("cluster-wide via ClusterRoleBinding all-accounts-read-secrets"),
                "{text}"
            );
            assert!(!text.contains("cluster-admin"), "{text}");
        }
        assert_eq!(findings.len(), 3);
    }
}
