//! Escalation paths: a graph whose nodes are identities and whose edges are the known ways
//! one identity becomes another (run a pod as a service account, request its token, exec into
//! a pod that mounts it, read its legacy token secret, impersonate, reach the kubelet through
//! `nodes/proxy`), ending at cluster-admin equivalence (full control cluster-wide, membership
//! in `system:masters`, or the power to grant it: bind/escalate plus creating
//! ClusterRoleBindings, impersonating any user or group). Breadth-first search gives the
//! shortest path from each identity.

use super::authorize::allows_some;
use super::risk::{POD_CONTROLLERS, is_full_control};
use super::{Grant, MASTERS_GROUP, Model, Scope, Subject, SubjectKind};
use palisade_model::Value;
use palisade_model::{Object, Workload};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Who takes the step.
    pub from: Subject,
    /// What they do.
    pub action: String,
    /// Who they become; `None` for the final step to cluster-admin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Subject>,
    /// Binding and role granting the permission used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// The shortest path from a subject to cluster-admin equivalence.
#[derive(Debug, Clone, Serialize)]
pub struct Path {
    pub subject: Subject,
    pub steps: Vec<Step>,
}

/// A service account known to the inventory, with what makes it reachable.
#[derive(Debug, Default)]
struct Account {
    /// The first workload, in inventory order, running as it with the token mounted.
    mounted_by: Option<String>,
    /// Legacy token secrets holding its token.
    token_secrets: Vec<String>,
}

/// Whether the pod mounts its service account's token (pod setting, else the
/// ServiceAccount's, else yes).
pub fn token_mounted_in(
    model: &Model<'_>,
    workload: &Workload<'_>,
    namespace: &str,
    account: &str,
) -> bool {
    let field = "automountServiceAccountToken";
    if let Some(Value::Bool(set)) = workload.pod_spec.get(field) {
        return *set;
    }
    let declared = model
        .inventory
        .get("ServiceAccount", Some(namespace), account)
        .or_else(|| {
            (namespace == super::DEFAULT_NAMESPACE)
                .then(|| model.inventory.get("ServiceAccount", None, account))
                .flatten()
        });
    !matches!(
        declared.and_then(|sa| sa.get("/automountServiceAccountToken")),
        Some(Value::Bool(false))
    )
}

/// The service account a workload runs as: namespace and name, borrowed from the object.
pub fn account_of<'o>(object: &'o Object, workload: &Workload<'o>) -> (&'o str, &'o str) {
    let name = ["serviceAccountName", "serviceAccount"]
        .iter()
        .find_map(|f| workload.pod_spec.get(f).and_then(Value::as_str))
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    let namespace = object.namespace().unwrap_or(super::DEFAULT_NAMESPACE);
    (namespace, name)
}

fn accounts<'w>(
    model: &Model<'_>,
    carriers: impl Iterator<Item = (&'w Object, &'w Workload<'w>)>,
) -> BTreeMap<(String, String), Account> {
    let mut accounts: BTreeMap<(String, String), Account> = BTreeMap::new();
    for object in model.inventory.of_kind("ServiceAccount") {
        let ns = object.namespace().unwrap_or(super::DEFAULT_NAMESPACE);
        accounts
            .entry((ns.to_string(), object.name().to_string()))
            .or_default();
    }
    for binding in &model.bindings {
        for (_, subject) in &binding.subjects {
            if let (SubjectKind::ServiceAccount, Some(ns)) = (subject.kind, &subject.namespace) {
                accounts
                    .entry((ns.clone(), subject.name.clone()))
                    .or_default();
            }
        }
    }
    for (object, workload) in carriers {
        let (ns, name) = account_of(object, workload);
        if token_mounted_in(model, workload, ns, name) {
            accounts
                .entry((ns.to_string(), name.to_string()))
                .or_default()
                .mounted_by
                .get_or_insert_with(|| object.reference.to_string());
        }
    }
    for secret in model.inventory.of_kind("Secret") {
        if secret.get("/type").and_then(Value::as_str)
            == Some("kubernetes.io/service-account-token")
            && let Some(name) = secret.annotation("kubernetes.io/service-account.name")
        {
            let ns = secret.namespace().unwrap_or(super::DEFAULT_NAMESPACE);
            accounts
                .entry((ns.to_string(), name.to_string()))
                .or_default()
                .token_secrets
                .push(secret.name().to_string());
        }
    }
    accounts
}

/// Edges out of one identity.
#[derive(Debug, Clone)]
enum Target {
    Admin,
    Subject(Subject),
}

#[derive(Debug, Clone)]
struct Edge {
    action: String,
    target: Target,
    via: String,
}

/// The escalation graph of a model.
pub struct Graph<'m, 'a> {
    model: &'m Model<'a>,
    accounts: BTreeMap<(String, String), Account>,
    edges: HashMap<Subject, Vec<Edge>>,
}

fn in_scope(scope: &Scope, namespace: &str) -> bool {
    match scope {
        Scope::Cluster => true,
        Scope::Namespace(ns) => ns == namespace,
    }
}

impl<'m, 'a> Graph<'m, 'a> {
    pub fn build(model: &'m Model<'a>) -> Self {
        let views: Vec<_> = model
            .inventory
            .workloads()
            .filter_map(|object| Some((object, object.workload()?)))
            .collect();
        Self::build_from(model, views.iter().map(|(object, view)| (*object, view)))
    }

    /// [`Graph::build`] from the pod carriers of the model's inventory and their workload
    /// views, in inventory order.
    pub fn build_from<'w>(
        model: &'m Model<'a>,
        carriers: impl Iterator<Item = (&'w Object, &'w Workload<'w>)>,
    ) -> Self {
        Self {
            model,
            accounts: accounts(model, carriers),
            edges: HashMap::new(),
        }
    }

    /// Every identity worth asking about: binding subjects and known service accounts.
    pub fn subjects(&self) -> Vec<Subject> {
        let mut set: BTreeSet<Subject> = BTreeSet::new();
        for binding in &self.model.bindings {
            for (_, subject) in &binding.subjects {
                if subject.kind != SubjectKind::ServiceAccount || subject.namespace.is_some() {
                    set.insert(subject.clone());
                }
            }
        }
        for (ns, name) in self.accounts.keys() {
            set.insert(Subject::service_account(ns, name));
        }
        set.into_iter().collect()
    }

    fn via(&self, grant: &Grant) -> String {
        format!(
            "{} → {}",
            self.model.bindings[grant.binding].display(),
            self.model.roles[grant.role].display()
        )
    }

    fn accounts_in<'s>(
        &'s self,
        scope: &'s Scope,
    ) -> impl Iterator<Item = (&'s (String, String), &'s Account)> + 's {
        // Accounts are sorted by namespace: a namespaced scope is one contiguous range.
        let start = match scope {
            Scope::Cluster => std::ops::Bound::Unbounded,
            Scope::Namespace(ns) => std::ops::Bound::Included((ns.clone(), String::new())),
        };
        self.accounts
            .range((start, std::ops::Bound::Unbounded))
            .take_while(move |((ns, _), _)| in_scope(scope, ns))
    }

    /// Edges out of `subject`; with `admin_only`, only those that reach cluster-admin.
    fn compute_edges(&self, subject: &Subject, admin_only: bool) -> Vec<Edge> {
        let mut edges = Vec::new();
        let identity = subject.identity();
        if identity.is_master() {
            edges.push(Edge {
                action: format!("is a member of `{MASTERS_GROUP}`"),
                target: Target::Admin,
                via: "built-in superuser group".to_string(),
            });
            return edges;
        }
        // Every step to cluster-admin below uses a cluster-wide grant.
        let grants = if admin_only {
            self.model.cluster_grants(&identity)
        } else {
            self.model.grants(&identity)
        };
        let rbac = "rbac.authorization.k8s.io";
        let cluster = |g: &&Grant| g.scope == Scope::Cluster;
        let unnamed = |g: &Grant, verb: &str, group: &str, resource: &str| {
            allows_some(self.model.rule_of(g), verb, group, resource) == Some(false)
        };
        if let Some(g) = grants
            .iter()
            .filter(cluster)
            .find(|g| is_full_control(self.model.rule_of(g)))
        {
            edges.push(Edge {
                action: "holds every verb on every resource cluster-wide".to_string(),
                target: Target::Admin,
                via: self.via(g),
            });
            return edges;
        }
        for kind in ["groups", "users"] {
            if let Some(g) = grants
                .iter()
                .filter(cluster)
                .find(|g| unnamed(g, "impersonate", "", kind))
            {
                let action = if kind == "groups" {
                    format!("impersonates group `{MASTERS_GROUP}`")
                } else {
                    "impersonates any user, including cluster administrators".to_string()
                };
                edges.push(Edge {
                    action,
                    target: Target::Admin,
                    via: self.via(g),
                });
                return edges;
            }
        }
        let can_bind_crb = grants.iter().filter(cluster).find(|g| {
            allows_some(self.model.rule_of(g), "create", rbac, "clusterrolebindings").is_some()
        });
        if let Some(create) = can_bind_crb {
            let bind = grants.iter().filter(cluster).find(|g| {
                let rule = self.model.rule_of(g);
                allows_some(rule, "bind", rbac, "clusterroles").is_some_and(|named| {
                    !named || rule.resource_names.iter().any(|n| n == "cluster-admin")
                }) || allows_some(rule, "escalate", rbac, "clusterroles") == Some(false)
            });
            if let Some(bind) = bind {
                edges.push(Edge {
                    action: "creates a ClusterRoleBinding to `cluster-admin` for itself \
                        (bind/escalate on clusterroles)"
                        .to_string(),
                    target: Target::Admin,
                    via: format!("{}; {}", self.via(create), self.via(bind)),
                });
                return edges;
            }
        }
        let add = |edges: &mut Vec<Edge>, action: String, to: Subject, via: String| {
            if !admin_only && &to != subject {
                edges.push(Edge {
                    action,
                    target: Target::Subject(to),
                    via,
                });
            }
        };
        for g in &grants {
            let rule = self.model.rule_of(g);
            // Impersonating service accounts.
            if !admin_only && allows_some(rule, "impersonate", "", "serviceaccounts").is_some() {
                for ((ns, name), _) in self.accounts_in(&g.scope) {
                    if allows_some(rule, "impersonate", "", "serviceaccounts") == Some(false)
                        || rule.resource_names.iter().any(|n| n == name)
                    {
                        add(
                            &mut edges,
                            format!("impersonates service account {ns}/{name}"),
                            Subject::service_account(ns, name),
                            self.via(g),
                        );
                    }
                }
            }
            if g.scope == Scope::Cluster {
                for (group, kind) in [("", "users"), ("", "groups")] {
                    if allows_some(rule, "impersonate", group, kind) == Some(true) {
                        for name in &rule.resource_names {
                            let to = if kind == "users" {
                                Subject::user(name).normalized()
                            } else {
                                Subject::group(name)
                            };
                            if to.kind == SubjectKind::Group && to.name == MASTERS_GROUP {
                                edges.push(Edge {
                                    action: format!("impersonates group `{MASTERS_GROUP}`"),
                                    target: Target::Admin,
                                    via: self.via(g),
                                });
                                continue;
                            }
                            add(
                                &mut edges,
                                format!("impersonates {}", to.display()),
                                to,
                                self.via(g),
                            );
                        }
                    }
                }
            }
            if admin_only {
                continue;
            }
            // Running a pod as any service account of the namespace.
            if let Some((group, resource)) = POD_CONTROLLERS.iter().find(|(group, resource)| {
                *resource != "podtemplates"
                    && allows_some(rule, "create", group, resource) == Some(false)
            }) {
                let _ = group;
                for ((ns, name), _) in self.accounts_in(&g.scope) {
                    add(
                        &mut edges,
                        format!(
                            "creates {resource} in namespace {ns} running as service account \
                             {name} and reads its token"
                        ),
                        Subject::service_account(ns, name),
                        self.via(g),
                    );
                }
            }
            if allows_some(rule, "create", "", "serviceaccounts/token").is_some() {
                for ((ns, name), _) in self.accounts_in(&g.scope) {
                    if allows_some(rule, "create", "", "serviceaccounts/token") == Some(false)
                        || rule.resource_names.iter().any(|n| n == name)
                    {
                        add(
                            &mut edges,
                            format!("requests a token for service account {ns}/{name}"),
                            Subject::service_account(ns, name),
                            self.via(g),
                        );
                    }
                }
            }
            if allows_some(rule, "create", "", "pods/exec") == Some(false) {
                for ((ns, name), account) in self.accounts_in(&g.scope) {
                    if let Some(pod) = &account.mounted_by {
                        add(
                            &mut edges,
                            format!(
                                "execs into {pod}, which mounts the token of service account \
                                 {name}"
                            ),
                            Subject::service_account(ns, name),
                            self.via(g),
                        );
                    }
                }
            }
            if g.scope == Scope::Cluster
                && allows_some(rule, "get", "", "nodes/proxy") == Some(false)
            {
                for ((ns, name), account) in &self.accounts {
                    if let Some(pod) = &account.mounted_by {
                        add(
                            &mut edges,
                            format!(
                                "runs commands in {pod} through the kubelet API (nodes/proxy) \
                                 and reads the token of service account {ns}/{name}"
                            ),
                            Subject::service_account(ns, name),
                            self.via(g),
                        );
                    }
                }
            }
            if allows_some(rule, "get", "", "secrets").is_some() {
                for ((ns, name), account) in self.accounts_in(&g.scope) {
                    for secret in &account.token_secrets {
                        if allows_some(rule, "get", "", "secrets") == Some(false)
                            || rule.resource_names.iter().any(|n| n == secret)
                        {
                            add(
                                &mut edges,
                                format!(
                                    "reads secret {ns}/{secret}, the legacy token of service \
                                     account {name}"
                                ),
                                Subject::service_account(ns, name),
                                self.via(g),
                            );
                            break;
                        }
                    }
                }
            }
        }
        edges
    }

    fn edges_of(&mut self, subject: &Subject) -> Vec<Edge> {
        if let Some(edges) = self.edges.get(subject) {
            return edges.clone();
        }
        let edges = self.compute_edges(subject, false);
        self.edges.insert(subject.clone(), edges.clone());
        edges
    }

    /// Whether the identity is cluster-admin equivalent by itself (no step needed besides
    /// using what it holds).
    pub fn is_admin(&mut self, subject: &Subject) -> Option<Step> {
        let edges = match self.edges.get(subject) {
            Some(edges) => edges.clone(),
            None => self.compute_edges(subject, true),
        };
        edges
            .into_iter()
            .find(|e| matches!(e.target, Target::Admin))
            .map(|e| Step {
                from: subject.clone(),
                action: e.action,
                to: None,
                via: Some(e.via),
            })
    }

    /// The shortest path from `start` to cluster-admin equivalence.
    pub fn shortest_path(&mut self, start: &Subject) -> Option<Path> {
        let mut previous: HashMap<Subject, (Subject, Step)> = HashMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        let mut seen: BTreeSet<Subject> = BTreeSet::from([start.clone()]);
        while let Some(current) = queue.pop_front() {
            for edge in self.edges_of(&current) {
                match edge.target {
                    Target::Admin => {
                        let mut steps = vec![Step {
                            from: current.clone(),
                            action: edge.action,
                            to: None,
                            via: Some(edge.via),
                        }];
                        let mut at = current;
                        while let Some((before, step)) = previous.get(&at) {
                            steps.push(step.clone());
                            at = before.clone();
                        }
                        steps.reverse();
                        return Some(Path {
                            subject: start.clone(),
                            steps,
                        });
                    }
                    Target::Subject(next) => {
                        if seen.insert(next.clone()) {
                            previous.insert(
                                next.clone(),
                                (
                                    current.clone(),
                                    Step {
                                        from: current.clone(),
                                        action: edge.action,
                                        to: Some(next.clone()),
                                        via: Some(edge.via),
                                    },
                                ),
                            );
                            queue.push_back(next);
                        }
                    }
                }
            }
        }
        None
    }
}
