//! RB014: a pod runs as a service account that holds risky permissions.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::rbac::paths::Step;
use crate::rbac::paths::{Graph, account_of, token_mounted_in};
use crate::rbac::{Identity, Model, Subject};
use palisade_model::Inventory;
use palisade_model::Value;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What an account may do through its own bindings: its risks (label, and how it gets them)
/// listed for a message, and the step that makes it cluster-admin equivalent, if any.
struct Assessment {
    listed: String,
    admin: Option<Step>,
}

impl Assessment {
    /// `risks`: each risk, with the binding that grants it first and how; `also`: the other
    /// risks that the groups of every account grant.
    fn new(
        risks: &BTreeMap<&'static str, (usize, String)>,
        also: usize,
        admin: Option<Step>,
    ) -> Self {
        // Many workloads share one account: the list is written once.
        let mut listed = risks
            .iter()
            .map(|(label, (_, how))| format!("{label} ({how})"))
            .collect::<Vec<_>>()
            .join("; ");
        if also > 0 {
            listed.push_str(&format!(
                "; like every service account, it also holds {also} other risky {} through \
                 bindings to `system:serviceaccounts` or `system:authenticated`, which RB011 \
                 reports",
                if also == 1 { "grant" } else { "grants" }
            ));
        }
        Self { listed, admin }
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
        follows the account's own bindings, its namespace's group \
        (`system:serviceaccounts:<ns>`) and aggregated ClusterRoles, and reports the risky \
        permissions the pod inherits. What the groups of every account \
        (`system:serviceaccounts`, `system:authenticated`) grant is reported once, on each \
        binding, by RB011, and only counted here: repeated on every workload, it would bury \
        the accounts that hold risks of their own, and giving a workload its own account \
        would not remove it. Severity: critical when the identity is \
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
        let carriers: Vec<_> = sink.workloads(inventory).collect();
        let mut graph = Graph::build_from(
            &model,
            carriers.iter().map(|(object, view)| (*object, &**view)),
        );
        // The risks one binding grants, and the risks and admin step of one account: many
        // workloads share accounts, and every account shares the bindings of its groups.
        let mut granted_by: HashMap<usize, Vec<(&'static str, String)>> = HashMap::new();
        let mut by_account: HashMap<(&str, &str), Option<Assessment>, foldhash::fast::RandomState> =
            HashMap::default();
        // The risks the groups every account belongs to (`system:serviceaccounts`,
        // `system:authenticated`) grant, worked out once: with a binding per application to
        // such a group, going through them for every account would cost accounts × bindings.
        let mut shared: HashMap<Vec<String>, BTreeSet<&'static str>> = HashMap::new();
        for (object, workload) in &carriers {
            let key = account_of(object, workload);
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
                // What the groups of every account grant is reported once, on each binding,
                // by RB011: reported here it would repeat on every workload, with a
                // remediation (an account of its own) that cannot remove it. An account is
                // reported for what its own bindings and its namespace's group grant.
                let assessment = if own_bindings.is_empty() {
                    None
                } else {
                    let common = shared.entry(shared_groups).or_insert_with_key(|groups| {
                        let everyone = Identity {
                            user: None,
                            service_account: None,
                            groups: groups.clone(),
                        };
                        let bindings = model.bindings_for(&everyone);
                        first_grants(&model, &bindings, &mut granted_by)
                            .into_keys()
                            .collect()
                    });
                    // Only cluster-wide grants make an account cluster-admin equivalent.
                    let admin = own_bindings
                        .iter()
                        .any(|&b| model.bindings[b].namespace.is_none())
                        .then(|| graph.is_admin(&subject))
                        .flatten();
                    let risks = first_grants(&model, &own_bindings, &mut granted_by);
                    let also = common
                        .iter()
                        .filter(|label| !risks.contains_key(*label))
                        .count();
                    (!risks.is_empty() || admin.is_some())
                        .then(|| Assessment::new(&risks, also, admin))
                };
                slot.insert(assessment);
            }
            let (ns, name) = key;
            let Some(Some(assessment)) = by_account.get(&key) else {
                continue;
            };
            let Assessment { listed, admin } = assessment;
            let mounted = token_mounted_in(&model, workload, ns, name);
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

    fn secret_reader() -> Value {
        value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "secret-reader"},
                "rules": [{"apiGroups": [""], "resources": ["secrets"],
                           "verbs": ["get", "list"]}]})
    }

    fn group(name: &str) -> Value {
        value!({"kind": "Group", "name": name, "apiGroup": "rbac.authorization.k8s.io"})
    }

    #[test]
    fn grants_of_groups_every_account_shares_are_left_to_their_binding() {
        let findings = run(vec![
            secret_reader(),
            // Every service account reads secrets (RB011 reports that binding); one
            // namespace's accounts are admins.
            cluster_binding(
                "all-accounts-read-secrets",
                "secret-reader",
                group("system:serviceaccounts"),
            ),
            cluster_binding(
                "team-a-admins",
                "cluster-admin",
                group("system:serviceaccounts:team-a"),
            ),
            deployment("team-a", "builder"),
            deployment("team-b", "builder"),
            deployment("team-c", "runner"),
        ]);
        let reported: Vec<_> = findings
            .iter()
            .map(|f| (f.object.namespace.as_deref(), f.severity))
            .collect();
        assert_eq!(
            reported,
            [(Some("team-a"), Severity::Critical)],
            "{findings:?}"
        );
        assert!(
            findings[0]
                .message
                .contains("`team-a/builder`, which is cluster-admin equivalent"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn own_grants_are_listed_and_shared_ones_counted() {
        let findings = run(vec![
            secret_reader(),
            value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                    "metadata": {"name": "pod-exec"},
                    "rules": [{"apiGroups": [""], "resources": ["pods/exec"],
                               "verbs": ["create"]}]}),
            cluster_binding(
                "all-accounts-read-secrets",
                "secret-reader",
                group("system:authenticated"),
            ),
            value!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": {"name": "builder-exec", "namespace": "team-b"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                "name": "pod-exec"},
                    "subjects": [{"kind": "ServiceAccount", "name": "builder",
                                  "namespace": "team-b"}]}),
            deployment("team-b", "builder"),
            deployment("team-b", "runner"),
        ]);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let text = &findings[0].message;
        assert_eq!(findings[0].severity, Severity::High);
        assert!(text.contains("`team-b/builder`"), "{text}");
        assert!(
            text.contains("(in team-b via RoleBinding team-b/builder-exec)"),
            "{text}"
        );
        assert!(!text.contains("all-accounts-read-secrets"), "{text}");
        assert!(
            text.contains("it also holds 1 other risky grant through bindings to"),
            "{text}"
        );
    }
}
