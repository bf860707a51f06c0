//! The effective-permission model of Kubernetes RBAC over an inventory: Roles, ClusterRoles
//! (with `aggregationRule` resolved as the aggregation controller does), RoleBindings and
//! ClusterRoleBindings, evaluated with the matching rules of the API server's RBAC authorizer.
//! Default ClusterRoles that bindings name but the input lacks are filled in from the
//! bootstrap policy. Pure: no I/O.

pub mod authorize;
pub mod defaults;
pub mod paths;
pub mod risk;

use palisade_model::intern::Str;
use palisade_model::{Inventory, LabelSelector, Object};
use palisade_model::{Map, Value};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use authorize::{Request, rule_allows};
pub use risk::{Risk, RiskHit};

/// The group whose members the API server authorizes for everything, before RBAC.
pub const MASTERS_GROUP: &str = "system:masters";
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
pub const UNAUTHENTICATED_GROUP: &str = "system:unauthenticated";
/// Every service account of every namespace.
pub const SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
pub const ANONYMOUS_USER: &str = "system:anonymous";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// One rule of a Role or ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub verbs: Vec<Str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<Str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<Str>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<Str>,
}

/// The strings of a list, sharing the loaded text.
fn strings(value: Option<&Value>) -> Vec<Str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            Value::String(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

impl PolicyRule {
    pub fn from_value(value: &Value) -> Self {
        Self {
            verbs: strings(value.get("verbs")),
            api_groups: strings(value.get("apiGroups")),
            resources: strings(value.get("resources")),
            resource_names: strings(value.get("resourceNames")),
            non_resource_urls: strings(value.get("nonResourceURLs")),
        }
    }

    /// `get,list secrets` / `* */*` style, for messages.
    pub fn describe(&self) -> String {
        let verbs = self.verbs.join(",");
        if !self.non_resource_urls.is_empty() {
            return format!("{verbs} {}", self.non_resource_urls.join(","));
        }
        let groups: Vec<&str> = self
            .api_groups
            .iter()
            .map(|g| if g.is_empty() { "core" } else { g.as_str() })
            .collect();
        let mut text = format!(
            "{verbs} {} [{}]",
            self.resources.join(","),
            groups.join(",")
        );
        if !self.resource_names.is_empty() {
            text.push_str(&format!(" named {}", self.resource_names.join(",")));
        }
        text
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Role => "Role",
            Self::ClusterRole => "ClusterRole",
        }
    }
}

/// Where a role's definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Index of the object in the inventory.
    Input(usize),
    /// Filled in from the bootstrap policy because the input lacks it.
    BuiltIn,
}

/// A rule of a role's effective rule set and where it was written.
#[derive(Debug, Clone)]
pub struct EffectiveRule {
    pub rule: PolicyRule,
    /// The role whose `rules` holds it (itself, or a ClusterRole aggregated into it).
    pub source: usize,
    /// Index in the source role's `rules`.
    pub index: usize,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
    pub origin: Origin,
    pub labels: Map,
    /// Rules written in the object itself.
    pub own_rules: Vec<PolicyRule>,
    /// `aggregationRule.clusterRoleSelectors`, when present.
    pub aggregation: Option<Vec<LabelSelector>>,
    /// The role's rules after aggregation.
    pub rules: Vec<EffectiveRule>,
}

impl Role {
    /// `ClusterRole admin`, `Role shop/reader`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
            Self::ServiceAccount => "ServiceAccount",
        }
    }
}

/// A subject of a binding. For service accounts `namespace` is resolved (a RoleBinding's
/// subject without one is in the binding's namespace); `None` never matches anyone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Subject {
    pub fn user(name: &str) -> Self {
        Self {
            kind: SubjectKind::User,
            name: name.to_string(),
            namespace: None,
        }
    }

    pub fn group(name: &str) -> Self {
        Self {
            kind: SubjectKind::Group,
            name: name.to_string(),
            namespace: None,
        }
    }

    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(namespace.to_string()),
        }
    }

    /// Parse `user:alice`, `group:devs`, `sa:ns/name` (also `serviceaccount:ns/name` and
    /// `system:serviceaccount:ns:name`).
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(rest) = text.strip_prefix("system:serviceaccount:")
            && let Some((ns, name)) = rest.split_once(':')
        {
            return Ok(Self::service_account(ns, name));
        }
        let (kind, name) = text.split_once(':').ok_or_else(|| {
            format!("`{text}`: expected user:NAME, group:NAME or sa:NAMESPACE/NAME")
        })?;
        match kind.to_ascii_lowercase().as_str() {
            "user" | "u" => Ok(Self::user(name).normalized()),
            "group" | "g" => Ok(Self::group(name)),
            "sa" | "serviceaccount" => {
                let (ns, name) = name
                    .split_once('/')
                    .filter(|(ns, name)| !ns.is_empty() && !name.is_empty())
                    .ok_or_else(|| format!("`{text}`: expected sa:NAMESPACE/NAME"))?;
                Ok(Self::service_account(ns, name))
            }
            _ => Err(format!(
                "`{text}`: expected user:NAME, group:NAME or sa:NAMESPACE/NAME"
            )),
        }
    }

    /// A user named `system:serviceaccount:ns:name` is that service account.
    fn normalized(self) -> Self {
        if self.kind == SubjectKind::User
            && let Some(rest) = self.name.strip_prefix("system:serviceaccount:")
            && let Some((ns, name)) = rest.split_once(':')
        {
            return Self::service_account(ns, name);
        }
        self
    }

    /// The identity the API server would see for this subject: its user name and groups,
    /// including the implicit ones.
    pub fn identity(&self) -> Identity {
        match self.kind {
            SubjectKind::User => {
                let group = if self.name == ANONYMOUS_USER {
                    UNAUTHENTICATED_GROUP
                } else {
                    AUTHENTICATED_GROUP
                };
                Identity {
                    user: Some(self.name.clone()),
                    service_account: None,
                    groups: vec![group.to_string()],
                }
            }
            SubjectKind::Group => {
                let mut groups = vec![self.name.clone()];
                if self.name != UNAUTHENTICATED_GROUP && self.name != AUTHENTICATED_GROUP {
                    groups.push(AUTHENTICATED_GROUP.to_string());
                }
                Identity {
                    user: None,
                    service_account: None,
                    groups,
                }
            }
            SubjectKind::ServiceAccount => {
                let ns = self.namespace.clone().unwrap_or_default();
                Identity {
                    user: Some(format!("system:serviceaccount:{ns}:{}", self.name)),
                    groups: vec![
                        "system:serviceaccounts".to_string(),
                        format!("system:serviceaccounts:{ns}"),
                        AUTHENTICATED_GROUP.to_string(),
                    ],
                    service_account: Some((ns, self.name.clone())),
                }
            }
        }
    }

    /// `User alice`, `ServiceAccount shop/web`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// Who is asking: a user name (absent when only group membership is asked about), the
/// service account it is, and its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: Option<String>,
    pub service_account: Option<(String, String)>,
    pub groups: Vec<String>,
}

impl Identity {
    pub fn is_master(&self) -> bool {
        self.groups.iter().any(|g| g == MASTERS_GROUP)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum BindingKind {
    RoleBinding,
    ClusterRoleBinding,
}

impl BindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RoleBinding => "RoleBinding",
            Self::ClusterRoleBinding => "ClusterRoleBinding",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub kind: BindingKind,
    /// The binding's namespace (`default` when a RoleBinding sets none).
    pub namespace: Option<String>,
    pub name: String,
    pub role_kind: String,
    pub role_name: String,
    /// The role it grants, when it exists (in the input or built in).
    pub role: Option<usize>,
    /// Subjects with their index in the object's `subjects`.
    pub subjects: Vec<(usize, Subject)>,
    /// Index of the object in the inventory.
    pub object: usize,
}

impl Binding {
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// Where a grant applies: everywhere, or in one namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum Scope {
    Cluster,
    Namespace(String),
}

impl Scope {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Cluster => "cluster",
            Self::Namespace(ns) => ns,
        }
    }
}

/// One rule granted to an identity by one binding.
#[derive(Debug, Clone)]
pub struct Grant {
    pub binding: usize,
    pub role: usize,
    /// Index in the role's effective `rules`.
    pub rule: usize,
    pub scope: Scope,
}

/// Key for the subject index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SubjectKey {
    User(String),
    Group(String),
    ServiceAccount(String, String),
}

/// The RBAC state of an inventory, indexed for queries.
#[derive(Debug)]
pub struct Model<'a> {
    pub inventory: &'a Inventory,
    pub roles: Vec<Role>,
    pub bindings: Vec<Binding>,
    cluster_roles: HashMap<String, usize>,
    namespaced_roles: HashMap<(String, String), usize>,
    cluster_bindings: Vec<usize>,
    bindings_by_namespace: BTreeMap<String, Vec<usize>>,
    bindings_by_subject: HashMap<SubjectKey, Vec<usize>>,
    bindings_by_role: HashMap<usize, Vec<usize>>,
    /// Default ClusterRoles filled in from the bootstrap policy, sorted.
    pub defaults_used: Vec<String>,
    /// Resources (group, plural) known to be cluster-scoped: built-in ones and the
    /// CustomResourceDefinitions of the input with `scope: Cluster`.
    cluster_scoped: BTreeSet<(String, String)>,
    /// The risks of each role's own rules, classified once for every rule that asks.
    own_risks: std::sync::OnceLock<Vec<Vec<Vec<risk::RiskHit>>>>,
}

/// The namespace a namespaced object is created in when its manifest names none.
pub const DEFAULT_NAMESPACE: &str = "default";

fn object_namespace(object: &Object) -> String {
    object.namespace().unwrap_or(DEFAULT_NAMESPACE).to_string()
}

fn role_from_object(object: &Object, kind: RoleKind, origin: Origin) -> Role {
    let own_rules = object
        .get("/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(PolicyRule::from_value)
        .collect();
    let aggregation = if kind == RoleKind::ClusterRole {
        object
            .get("/aggregationRule/clusterRoleSelectors")
            .and_then(Value::as_array)
            .map(|selectors| {
                selectors
                    .iter()
                    .filter_map(|s| LabelSelector::from_value(s).ok())
                    .collect()
            })
    } else {
        None
    };
    Role {
        kind,
        namespace: (kind == RoleKind::Role).then(|| object_namespace(object)),
        name: object.name().to_string(),
        origin,
        labels: object.labels().clone(),
        own_rules,
        aggregation,
        rules: Vec::new(),
    }
}

fn is_rbac_object(object: &Object, kind: &str) -> bool {
    object.kind() == kind && object.api_group() == RBAC_GROUP
}

impl<'a> Model<'a> {
    pub fn build(inventory: &'a Inventory) -> Self {
        let mut roles: Vec<Role> = Vec::new();
        let mut cluster_roles = HashMap::new();
        let mut namespaced_roles = HashMap::new();
        for (index, object) in inventory.objects().iter().enumerate() {
            if is_rbac_object(object, "ClusterRole") {
                let role = role_from_object(object, RoleKind::ClusterRole, Origin::Input(index));
                cluster_roles.insert(role.name.clone(), roles.len());
                roles.push(role);
            } else if is_rbac_object(object, "Role") {
                let role = role_from_object(object, RoleKind::Role, Origin::Input(index));
                namespaced_roles.insert(
                    (
                        role.namespace.clone().unwrap_or_default(),
                        role.name.clone(),
                    ),
                    roles.len(),
                );
                roles.push(role);
            }
        }

        let mut bindings = Vec::new();
        for (index, object) in inventory.objects().iter().enumerate() {
            let kind = if is_rbac_object(object, "RoleBinding") {
                BindingKind::RoleBinding
            } else if is_rbac_object(object, "ClusterRoleBinding") {
                BindingKind::ClusterRoleBinding
            } else {
                continue;
            };
            let namespace = (kind == BindingKind::RoleBinding).then(|| object_namespace(object));
            let text = |pointer: &str| {
                object
                    .get(pointer)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let subjects = object
                .get("/subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, s)| {
                    parse_subject(s, namespace.as_deref()).map(|subject| (i, subject))
                })
                .collect();
            bindings.push(Binding {
                kind,
                namespace,
                name: object.name().to_string(),
                role_kind: text("/roleRef/kind"),
                role_name: text("/roleRef/name"),
                role: None,
                subjects,
                object: index,
            });
        }

        // Default ClusterRoles: those bindings name, and those that aggregate or are
        // aggregated into them, when the input lacks them.
        let mut defaults_used = BTreeSet::new();
        let wanted: Vec<String> = bindings
            .iter()
            .filter(|b| b.role_kind == "ClusterRole" && !cluster_roles.contains_key(&b.role_name))
            .map(|b| b.role_name.clone())
            .collect();
        for name in wanted {
            defaults::fill(&name, &mut roles, &mut cluster_roles, &mut defaults_used);
        }

        let mut model = Self {
            inventory,
            roles,
            bindings,
            cluster_roles,
            namespaced_roles,
            cluster_bindings: Vec::new(),
            bindings_by_namespace: BTreeMap::new(),
            bindings_by_subject: HashMap::new(),
            bindings_by_role: HashMap::new(),
            defaults_used: defaults_used.into_iter().collect(),
            cluster_scoped: cluster_scoped(inventory),
            own_risks: std::sync::OnceLock::new(),
        };
        model.aggregate();
        model.index_bindings();
        model
    }

    /// Resolve `aggregationRule`s: a ClusterRole's rules become its own rules plus those of
    /// every other ClusterRole whose labels match one of its selectors, transitively.
    fn aggregate(&mut self) {
        let count = self.roles.len();
        let mut resolved: Vec<Option<Vec<EffectiveRule>>> = vec![None; count];
        let mut visiting = vec![false; count];
        for index in 0..count {
            self.resolve(index, &mut resolved, &mut visiting);
        }
        for (role, rules) in self.roles.iter_mut().zip(resolved) {
            role.rules = rules.unwrap_or_default();
        }
    }

    fn resolve(
        &self,
        index: usize,
        resolved: &mut Vec<Option<Vec<EffectiveRule>>>,
        visiting: &mut Vec<bool>,
    ) -> Vec<EffectiveRule> {
        if let Some(rules) = &resolved[index] {
            return rules.clone();
        }
        let role = &self.roles[index];
        let mut rules: Vec<EffectiveRule> = role
            .own_rules
            .iter()
            .enumerate()
            .map(|(i, rule)| EffectiveRule {
                rule: rule.clone(),
                source: index,
                index: i,
            })
            .collect();
        let Some(selectors) = &role.aggregation else {
            resolved[index] = Some(rules.clone());
            return rules;
        };
        visiting[index] = true;
        let mut seen: BTreeSet<PolicyRule> = rules.iter().map(|r| r.rule.clone()).collect();
        let mut members: Vec<usize> = self
            .roles
            .iter()
            .enumerate()
            .filter(|(i, other)| {
                *i != index
                    && other.kind == RoleKind::ClusterRole
                    && selectors.iter().any(|s| s.matches(&other.labels))
            })
            .map(|(i, _)| i)
            .collect();
        members.sort_by(|a, b| self.roles[*a].name.cmp(&self.roles[*b].name));
        for member in members {
            if visiting[member] {
                // A cycle: take the member's own rules only.
                for (i, rule) in self.roles[member].own_rules.iter().enumerate() {
                    if seen.insert(rule.clone()) {
                        rules.push(EffectiveRule {
                            rule: rule.clone(),
                            source: member,
                            index: i,
                        });
                    }
                }
                continue;
            }
            for rule in self.resolve(member, resolved, visiting) {
                if seen.insert(rule.rule.clone()) {
                    rules.push(rule);
                }
            }
        }
        visiting[index] = false;
        resolved[index] = Some(rules.clone());
        rules
    }

    fn index_bindings(&mut self) {
        for (index, binding) in self.bindings.iter_mut().enumerate() {
            binding.role = match (binding.kind, binding.role_kind.as_str()) {
                (BindingKind::RoleBinding, "Role") => self
                    .namespaced_roles
                    .get(&(
                        binding.namespace.clone().unwrap_or_default(),
                        binding.role_name.clone(),
                    ))
                    .copied(),
                (_, "ClusterRole") => self.cluster_roles.get(&binding.role_name).copied(),
                _ => None,
            };
            if let Some(role) = binding.role {
                self.bindings_by_role.entry(role).or_default().push(index);
            }
            match &binding.namespace {
                Some(ns) => self
                    .bindings_by_namespace
                    .entry(ns.clone())
                    .or_default()
                    .push(index),
                None => self.cluster_bindings.push(index),
            }
            for (_, subject) in &binding.subjects {
                let key = match subject.kind {
                    SubjectKind::User => SubjectKey::User(subject.name.clone()),
                    SubjectKind::Group => SubjectKey::Group(subject.name.clone()),
                    SubjectKind::ServiceAccount => match &subject.namespace {
                        Some(ns) => SubjectKey::ServiceAccount(ns.clone(), subject.name.clone()),
                        None => continue,
                    },
                };
                let list = self.bindings_by_subject.entry(key).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
    }

    pub fn cluster_role(&self, name: &str) -> Option<&Role> {
        self.cluster_roles.get(name).map(|&i| &self.roles[i])
    }

    pub fn role(&self, namespace: &str, name: &str) -> Option<&Role> {
        self.namespaced_roles
            .get(&(namespace.to_string(), name.to_string()))
            .map(|&i| &self.roles[i])
    }

    /// Bindings that name the role.
    pub fn bindings_of_role(&self, role: usize) -> &[usize] {
        self.bindings_by_role
            .get(&role)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// ClusterRoles that aggregate the role (their selectors match its labels).
    pub fn aggregated_into(&self, role: usize) -> Vec<usize> {
        let target = &self.roles[role];
        if target.kind != RoleKind::ClusterRole {
            return Vec::new();
        }
        self.roles
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                *i != role
                    && r.aggregation
                        .as_ref()
                        .is_some_and(|s| s.iter().any(|s| s.matches(&target.labels)))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether `resource` of `group` is cluster-scoped (requests for it have no namespace,
    /// so RoleBindings never grant it).
    pub fn is_cluster_scoped(&self, group: &str, resource: &str) -> bool {
        self.cluster_scoped
            .contains(&(group.to_string(), resource.to_string()))
    }

    /// The objects of the inventory.
    pub fn object(&self, index: usize) -> &'a Object {
        &self.inventory.objects()[index]
    }

    /// Whether the binding's subject matches the identity (the authorizer's `appliesToUser`).
    pub fn subject_matches(subject: &Subject, identity: &Identity) -> bool {
        match subject.kind {
            SubjectKind::User => identity.user.as_deref() == Some(subject.name.as_str()),
            SubjectKind::Group => identity.groups.iter().any(|g| g == &subject.name),
            SubjectKind::ServiceAccount => match (&identity.service_account, &subject.namespace) {
                (Some((ns, name)), Some(subject_ns)) => ns == subject_ns && name == &subject.name,
                _ => false,
            },
        }
    }

    /// Bindings that have a subject matching the identity.
    pub fn bindings_for(&self, identity: &Identity) -> Vec<usize> {
        self.bindings_where(identity, |_| true)
    }

    /// [`Model::bindings_for`], only the bindings `keep` accepts: an account's groups can
    /// hold thousands of bindings, most of which a caller does not want sorted.
    fn bindings_where(&self, identity: &Identity, keep: impl Fn(&Binding) -> bool) -> Vec<usize> {
        let mut keys = Vec::new();
        if let Some(user) = &identity.user {
            keys.push(SubjectKey::User(user.clone()));
        }
        if let Some((ns, name)) = &identity.service_account {
            keys.push(SubjectKey::ServiceAccount(ns.clone(), name.clone()));
        }
        for group in &identity.groups {
            keys.push(SubjectKey::Group(group.clone()));
        }
        let mut found: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.bindings_by_subject.get(k))
            .flatten()
            .copied()
            .filter(|&index| keep(&self.bindings[index]))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Every rule granted to the identity, with the binding, role and scope.
    pub fn grants(&self, identity: &Identity) -> Vec<Grant> {
        self.grants_through(identity, |_| true)
    }

    /// [`Model::grants`] through ClusterRoleBindings only: what the identity holds
    /// cluster-wide.
    pub fn cluster_grants(&self, identity: &Identity) -> Vec<Grant> {
        self.grants_through(identity, |binding| binding.namespace.is_none())
    }

    fn grants_through(&self, identity: &Identity, keep: impl Fn(&Binding) -> bool) -> Vec<Grant> {
        let mut grants = Vec::new();
        for binding_index in self.bindings_where(identity, keep) {
            let binding = &self.bindings[binding_index];
            let Some(role) = binding.role else { continue };
            let scope = match &binding.namespace {
                Some(ns) => Scope::Namespace(ns.clone()),
                None => Scope::Cluster,
            };
            for rule in 0..self.roles[role].rules.len() {
                grants.push(Grant {
                    binding: binding_index,
                    role,
                    rule,
                    scope: scope.clone(),
                });
            }
        }
        grants
    }

    /// The risks of each of a role's own rules (aligned with `own_rules`).
    pub fn own_risks(&self, role: usize) -> &[Vec<risk::RiskHit>] {
        use rayon::prelude::*;
        let all = self.own_risks.get_or_init(|| {
            self.roles
                .par_iter()
                .map(|role| role.own_rules.iter().map(risk::classify).collect())
                .collect()
        });
        all.get(role).map_or(&[], Vec::as_slice)
    }

    /// The risks of one of a role's rules after aggregation.
    pub fn risks_of(&self, rule: &EffectiveRule) -> &[risk::RiskHit] {
        self.own_risks(rule.source)
            .get(rule.index)
            .map_or(&[], Vec::as_slice)
    }

    pub fn rule_of(&self, grant: &Grant) -> &PolicyRule {
        &self.roles[grant.role].rules[grant.rule].rule
    }

    /// The authorizer's decision for one identity and request: the grants that allow it
    /// (empty: denied). Members of `system:masters` are allowed without a grant.
    pub fn allows(&self, identity: &Identity, request: &Request) -> Vec<Grant> {
        let namespace = request.effective_namespace();
        let mut found = Vec::new();
        for binding_index in self.bindings_for(identity) {
            let binding = &self.bindings[binding_index];
            if let Some(ns) = &binding.namespace
                && namespace.as_deref() != Some(ns.as_str())
            {
                continue;
            }
            let Some(role) = binding.role else { continue };
            for (rule, effective) in self.roles[role].rules.iter().enumerate() {
                if rule_allows(&effective.rule, request) {
                    found.push(Grant {
                        binding: binding_index,
                        role,
                        rule,
                        scope: match &binding.namespace {
                            Some(ns) => Scope::Namespace(ns.clone()),
                            None => Scope::Cluster,
                        },
                    });
                    break;
                }
            }
        }
        found
    }

    /// Whether the authorizer allows the request for the identity.
    pub fn is_allowed(&self, identity: &Identity, request: &Request) -> bool {
        identity.is_master() || !self.allows(identity, request).is_empty()
    }

    /// Every subject allowed to make the request, with the bindings and roles that allow it.
    /// Without a namespace in the request, RoleBindings of every namespace count, each for
    /// its own namespace.
    pub fn who_can(&self, request: &Request) -> Vec<Allowed> {
        let namespace = request.effective_namespace();
        let cluster_scoped = request.non_resource_url.is_some()
            || self.is_cluster_scoped(&request.api_group, &request.resource);
        let mut candidates: Vec<usize> = self.cluster_bindings.clone();
        if !cluster_scoped {
            match &namespace {
                Some(ns) => {
                    if let Some(list) = self.bindings_by_namespace.get(ns) {
                        candidates.extend_from_slice(list);
                    }
                }
                None => {
                    for list in self.bindings_by_namespace.values() {
                        candidates.extend_from_slice(list);
                    }
                }
            }
        }
        // One evaluation per role.
        let mut role_allows: HashMap<usize, bool> = HashMap::new();
        let mut allowed: BTreeMap<(Subject, Scope), Vec<Via>> = BTreeMap::new();
        allowed
            .entry((Subject::group(MASTERS_GROUP), Scope::Cluster))
            .or_default()
            .push(Via {
                binding: None,
                role: "(built-in superuser group: every request is allowed)".to_string(),
            });
        for binding_index in candidates {
            let binding = &self.bindings[binding_index];
            let Some(role) = binding.role else { continue };
            let yes = *role_allows.entry(role).or_insert_with(|| {
                self.roles[role]
                    .rules
                    .iter()
                    .any(|r| rule_allows(&r.rule, request))
            });
            if !yes {
                continue;
            }
            let scope = match &binding.namespace {
                Some(ns) => Scope::Namespace(ns.clone()),
                None => Scope::Cluster,
            };
            for (_, subject) in &binding.subjects {
                if subject.kind == SubjectKind::ServiceAccount && subject.namespace.is_none() {
                    continue;
                }
                allowed
                    .entry((subject.clone(), scope.clone()))
                    .or_default()
                    .push(Via {
                        binding: Some(binding.display()),
                        role: self.roles[role].display(),
                    });
            }
        }
        allowed
            .into_iter()
            .map(|((subject, scope), via)| Allowed {
                subject,
                scope,
                via,
            })
            .collect()
    }
}

/// A subject allowed to make a request.
#[derive(Debug, Clone, Serialize)]
pub struct Allowed {
    pub subject: Subject,
    pub scope: Scope,
    pub via: Vec<Via>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    /// `ClusterRoleBinding x`, `RoleBinding ns/y`; `None` for the built-in superuser group.
    pub binding: Option<String>,
    pub role: String,
}

/// Parse a binding subject; service accounts without a namespace in a ClusterRoleBinding
/// keep `None`.
fn parse_subject(value: &Value, binding_namespace: Option<&str>) -> Option<Subject> {
    let name = value.get("name").and_then(Value::as_str)?;
    let kind = match value.get("kind").and_then(Value::as_str)? {
        "User" => SubjectKind::User,
        "Group" => SubjectKind::Group,
        "ServiceAccount" => SubjectKind::ServiceAccount,
        _ => return None,
    };
    let namespace = match kind {
        SubjectKind::ServiceAccount => value
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
            .or(binding_namespace)
            .map(str::to_string),
        _ => None,
    };
    Some(Subject {
        kind,
        name: name.to_string(),
        namespace,
    })
}

/// Built-in cluster-scoped resources, and CRDs with `scope: Cluster` from the input.
fn cluster_scoped(inventory: &Inventory) -> BTreeSet<(String, String)> {
    const BUILT_IN: &[(&str, &str)] = &[
        ("", "nodes"),
        ("", "namespaces"),
        ("", "persistentvolumes"),
        ("", "componentstatuses"),
        (RBAC_GROUP, "clusterroles"),
        (RBAC_GROUP, "clusterrolebindings"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("apiregistration.k8s.io", "apiservices"),
        (
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
        ),
        (
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
        ),
        (
            "admissionregistration.k8s.io",
            "validatingadmissionpolicies",
        ),
        (
            "admissionregistration.k8s.io",
            "validatingadmissionpolicybindings",
        ),
        ("certificates.k8s.io", "certificatesigningrequests"),
        ("certificates.k8s.io", "signers"),
        ("storage.k8s.io", "storageclasses"),
        ("storage.k8s.io", "csidrivers"),
        ("storage.k8s.io", "csinodes"),
        ("storage.k8s.io", "volumeattachments"),
        ("scheduling.k8s.io", "priorityclasses"),
        ("node.k8s.io", "runtimeclasses"),
        ("networking.k8s.io", "ingressclasses"),
        ("flowcontrol.apiserver.k8s.io", "flowschemas"),
        (
            "flowcontrol.apiserver.k8s.io",
            "prioritylevelconfigurations",
        ),
        ("authentication.k8s.io", "tokenreviews"),
        ("authentication.k8s.io", "selfsubjectreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ];
    let mut set: BTreeSet<(String, String)> = BUILT_IN
        .iter()
        .map(|(g, r)| (g.to_string(), r.to_string()))
        .collect();
    for crd in inventory.of_kind("CustomResourceDefinition") {
        if crd.get("/spec/scope").and_then(Value::as_str) == Some("Cluster")
            && let (Some(group), Some(plural)) = (
                crd.get("/spec/group").and_then(Value::as_str),
                crd.get("/spec/names/plural").and_then(Value::as_str),
            )
        {
            set.insert((group.to_string(), plural.to_string()));
        }
    }
    set
}

#[cfg(test)]
mod tests;
