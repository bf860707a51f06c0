//! The NetworkPolicy evaluator: who can reach whom, by workload identity, with the exact
//! `networking.k8s.io/v1` semantics. Pure: it reads an [`Inventory`] and answers questions.
//!
//! - A workload is a pod-carrying object named `namespace/name` after its controller; its pod
//!   template labels are the pod labels and its containers' named ports resolve named policy
//!   ports. Pods and ReplicaSets created by a scanned controller fold into it.
//! - A policy selects pods of its own namespace by `podSelector`. Isolation is per direction:
//!   a pod is isolated for ingress (egress) when some policy selecting it has `Ingress`
//!   (`Egress`) in its effective `policyTypes`; without `policyTypes`, `Ingress` always
//!   applies and `Egress` only when the policy has at least one egress rule.
//! - A connection is allowed when the source's egress and the destination's ingress both allow
//!   it: a non-isolated side allows everything, an isolated side allows what the union of the
//!   rules of the policies selecting it allows.
//! - Namespaces carry the automatic `kubernetes.io/metadata.name` label, even when their
//!   manifest is absent or omits it. Objects without a namespace are placed in `default`.
//! - `ipBlock` peers match addresses outside the workload graph (the internet, nodes, other
//!   networks), never workloads: pod addresses are ephemeral, and the docs intend `ipBlock`
//!   for traffic from outside the cluster.
//!
//! Other policy kinds (AdminNetworkPolicy, Cilium, Calico) would be further layers evaluated
//! before this one; every decision names the policy kind that made it ([`PolicyRef::kind`])
//! so the decision record stays the same when layers are added.

pub mod cidr;
pub mod exposure;
pub mod policy;
pub mod ports;

#[cfg(test)]
mod tests;

pub use policy::{Peer, Policy, PolicyRule};
pub use ports::{NamedPort, PortSet, PortSpec, PortValue, Protocol};

use ipnet::IpNet;
use palisade_model::inventory::{index_key, push_to};
use palisade_model::selector::label_text;
use palisade_model::{Inventory, LabelSelector, Object};
use palisade_model::{Map, Value};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

/// Where objects without a namespace land, as `kubectl apply` without `-n` puts them.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The label the API server sets on every namespace to its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A direction of traffic, seen from the pod a policy selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }
}

/// A pod-carrying object, identified by its controller.
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    pub namespace: String,
    /// Name of the controller (`web` for Deployment `web` and its pods).
    pub name: String,
    /// Kind of the controller.
    pub kind: String,
    /// The scanned object that carries the pod template.
    pub object: &'a Object,
    /// Pod (template) labels.
    pub labels: &'a Map,
    pub named_ports: Vec<NamedPort>,
    /// Whether its pods use the node's network, where NetworkPolicies do not apply.
    pub host_network: bool,
}

impl Workload<'_> {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// A workload, by index in [`Network::workloads`].
    Workload(usize),
    /// An address outside the workload graph.
    Address(IpAddr),
}

/// A policy that took part in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

/// A rule that admitted a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// JSON Pointer of the rule in the policy (`/spec/ingress/0`).
    pub rule: String,
}

/// The verdict of one side of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideDecision {
    /// Whether this side is subject to policies at all (an address is not).
    pub applies: bool,
    /// Whether some policy isolates this side for the direction.
    pub isolated: bool,
    pub allowed: bool,
    /// The policies that isolate this side.
    pub isolated_by: Vec<PolicyRef>,
    /// The rules that admit the connection.
    pub allowed_by: Vec<RuleRef>,
}

impl SideDecision {
    fn not_applicable() -> Self {
        Self {
            applies: false,
            isolated: false,
            allowed: true,
            isolated_by: Vec::new(),
            allowed_by: Vec::new(),
        }
    }

    /// Names of the policies whose rules admit the connection, without repeats.
    pub fn allowed_by_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for rule in &self.allowed_by {
            if !names.contains(&rule.policy.name) {
                names.push(rule.policy.name.clone());
            }
        }
        names
    }
}

/// Whether a connection is allowed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub egress: SideDecision,
    pub ingress: SideDecision,
}

/// The port of a query: a number, or a name resolved on the destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortQuery {
    Number(u16),
    Name(String),
}

/// A set of workload indices, one per resolved policy rule. Most rules name a few
/// workloads: a sorted list keeps them; a bit per workload would cost policies × workloads.
/// A set that grows past the size of a bit map becomes one; a set of every workload keeps
/// nothing.
#[derive(Debug, Clone)]
enum WorkloadSet {
    Sparse(Vec<u32>),
    Dense { words: Vec<u64>, len: usize },
    All,
}

impl WorkloadSet {
    fn new() -> Self {
        Self::Sparse(Vec::new())
    }

    /// Add `index`, one of `count` workloads.
    fn insert(&mut self, index: usize, count: usize) {
        match self {
            Self::Sparse(items) => {
                items.push(u32::try_from(index).unwrap_or(u32::MAX));
                // 32 bits per listed index against one bit per workload.
                if items.len() > count / 32 + 1 {
                    let mut words = vec![0u64; count.div_ceil(64)];
                    for &item in items.iter() {
                        set_bit(&mut words, item as usize);
                    }
                    *self = Self::Dense { words, len: count };
                }
            }
            Self::Dense { words, .. } => set_bit(words, index),
            Self::All => {}
        }
    }

    /// Done inserting: sort the list, or drop the bits when every workload is in.
    fn seal(&mut self) {
        match self {
            Self::Sparse(items) => {
                items.sort_unstable();
                items.dedup();
                items.shrink_to_fit();
            }
            Self::Dense { words, len } => {
                let ones: usize = words.iter().map(|w| w.count_ones() as usize).sum();
                if ones == *len {
                    *self = Self::All;
                }
            }
            Self::All => {}
        }
    }

    fn contains(&self, index: usize) -> bool {
        match self {
            Self::Sparse(items) => {
                u32::try_from(index).is_ok_and(|index| items.binary_search(&index).is_ok())
            }
            Self::Dense { words, .. } => words
                .get(index / 64)
                .is_some_and(|word| word & (1 << (index % 64)) != 0),
            Self::All => true,
        }
    }
}

fn set_bit(words: &mut [u64], index: usize) {
    if let Some(word) = words.get_mut(index / 64) {
        *word |= 1 << (index % 64);
    }
}

/// The peers of one rule, resolved.
#[derive(Debug, Clone)]
struct ResolvedPeers {
    /// `from`/`to` missing or empty: everything.
    any: bool,
    workloads: WorkloadSet,
    blocks: Vec<(IpNet, Vec<IpNet>)>,
}

impl ResolvedPeers {
    fn matches(&self, endpoint: Endpoint) -> bool {
        self.any
            || match endpoint {
                Endpoint::Workload(index) => self.workloads.contains(index),
                Endpoint::Address(address) => self
                    .blocks
                    .iter()
                    .any(|(cidr, except)| policy::block_contains(cidr, except, address)),
            }
    }
}

/// Every workload and NetworkPolicy of an inventory, with selections precomputed.
#[derive(Debug)]
pub struct Network<'a> {
    pub workloads: Vec<Workload<'a>>,
    pub policies: Vec<Policy<'a>>,
    /// Namespace labels, with the automatic name label, for every namespace seen.
    namespace_labels: BTreeMap<String, Map>,
    /// Workload indices per namespace.
    workloads_by_namespace: HashMap<String, Vec<usize>>,
    /// Workload indices by the hash of (namespace, label key, label value): selecting by a
    /// required label stays linear when one namespace holds most workloads.
    workloads_by_label: HashMap<u64, Vec<usize>>,
    /// Policy indices per namespace.
    policies_by_namespace: HashMap<String, Vec<usize>>,
    /// Namespaces holding workloads, by each of their string labels `(key, value)`.
    namespaces_by_label: HashMap<(String, String), Vec<String>>,
    /// Workloads each policy selects.
    selected: Vec<Vec<usize>>,
    /// Per workload, the policies isolating it for ingress and for egress.
    ingress_policies: Vec<Vec<usize>>,
    egress_policies: Vec<Vec<usize>>,
    /// Per policy, the resolved peers of each ingress and egress rule.
    ingress_peers: Vec<Vec<ResolvedPeers>>,
    egress_peers: Vec<Vec<ResolvedPeers>>,
}

static EMPTY_LABELS: std::sync::OnceLock<Map> = std::sync::OnceLock::new();

fn empty_labels() -> &'static Map {
    EMPTY_LABELS.get_or_init(Map::new)
}

/// The controller reference that owns `object`, if any: `(kind, name)`.
fn owner(object: &Object) -> Option<(&str, &str)> {
    let owners = object
        .get("/metadata/ownerReferences")
        .and_then(Value::as_array)?;
    let chosen = owners
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .or_else(|| owners.first())?;
    Some((
        chosen.get("kind").and_then(Value::as_str)?,
        chosen.get("name").and_then(Value::as_str)?,
    ))
}

/// The controller identity of a pod-carrying object: itself, or the controller that created it
/// when that controller is not among the scanned objects (a ReplicaSet `web-7d9f` with
/// `pod-template-hash: 7d9f` stands for Deployment `web`). `None` when the owner is scanned
/// and carries the pod template itself, so the owner represents it.
fn identity(inventory: &Inventory, object: &Object, labels: &Map) -> Option<(String, String)> {
    let Some((kind, name)) = owner(object) else {
        return Some((object.kind().to_string(), object.name().to_string()));
    };
    if inventory
        .get(kind, object.namespace(), name)
        .is_some_and(|o| o.workload().is_some())
    {
        return None;
    }
    if kind == "ReplicaSet"
        && let Some(hash) = labels.get("pod-template-hash").and_then(Value::as_str)
        && let Some(deployment) = name.strip_suffix(hash).and_then(|n| n.strip_suffix('-'))
    {
        if inventory
            .get("Deployment", object.namespace(), deployment)
            .is_some()
        {
            return None;
        }
        return Some(("Deployment".to_string(), deployment.to_string()));
    }
    Some((kind.to_string(), name.to_string()))
}

fn named_ports(workload: &palisade_model::Workload<'_>) -> Vec<NamedPort> {
    let mut named = Vec::new();
    for container in &workload.containers {
        // Regular containers, and init containers that keep running (sidecars).
        let sidecar = container.spec.get("restartPolicy").and_then(Value::as_str) == Some("Always");
        if container.kind != palisade_model::ContainerKind::Regular && !sidecar {
            continue;
        }
        for port in container
            .spec
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(name), Some(number)) = (
                port.get("name").and_then(Value::as_str),
                port.get("containerPort")
                    .and_then(Value::as_u64)
                    .and_then(|n| u16::try_from(n).ok()),
            ) else {
                continue;
            };
            let protocol = port
                .get("protocol")
                .and_then(Value::as_str)
                .and_then(|p| p.parse().ok())
                .unwrap_or(Protocol::Tcp);
            named.push(NamedPort {
                name: name.to_string(),
                number,
                protocol,
            });
        }
    }
    named
}

/// Labels of a namespace as the API server shows them: the manifest's plus the name label.
fn namespace_labels_of(name: &str, declared: Option<&Object>) -> Map {
    let mut labels = declared.map(|ns| ns.labels().clone()).unwrap_or_default();
    labels.insert(NAMESPACE_NAME_LABEL.to_string(), Value::from(name));
    labels
}

impl<'a> Network<'a> {
    /// Build the network view of an inventory.
    pub fn build(inventory: &'a Inventory) -> Self {
        let objects = inventory.objects();
        let views: Vec<_> = inventory
            .workload_indices()
            .par_iter()
            .map(|&index| objects[index].workload())
            .collect();
        Self::build_from(inventory, &views)
    }

    /// [`Network::build`] from the workload views of the inventory's pod carriers, in the
    /// order of [`Inventory::workload_indices`] (`None` where an object has no pod spec).
    pub(crate) fn build_from(
        inventory: &'a Inventory,
        views: &[Option<palisade_model::Workload<'a>>],
    ) -> Self {
        let objects = inventory.objects();
        // Each carrier's identity and ports, worked out in parallel; then objects people
        // write come first, so that an owner wins over what it generated.
        let mut carriers: Vec<(bool, Workload<'a>)> = inventory
            .workload_indices()
            .par_iter()
            .zip(views)
            .filter_map(|(&index, view)| {
                let view = view.as_ref()?;
                let object: &'a Object = &objects[index];
                let labels = view
                    .pod_metadata
                    .and_then(|m| m.get("labels"))
                    .and_then(Value::as_object)
                    .unwrap_or_else(|| empty_labels());
                let (kind, name) = identity(inventory, object, labels)?;
                Some((
                    owner(object).is_some(),
                    Workload {
                        namespace: object.namespace().unwrap_or(DEFAULT_NAMESPACE).to_string(),
                        name,
                        kind,
                        object,
                        labels,
                        named_ports: named_ports(view),
                        host_network: view.pod_spec.get("hostNetwork").and_then(Value::as_bool)
                            == Some(true),
                    },
                ))
            })
            .collect();
        carriers.sort_by_key(|(generated, _)| *generated);
        let first: Vec<bool> = {
            let mut seen = std::collections::HashSet::with_capacity(carriers.len());
            carriers
                .iter()
                .map(|(_, w)| seen.insert((w.namespace.as_str(), w.kind.as_str(), w.name.as_str())))
                .collect()
        };
        let workloads: Vec<Workload<'a>> = carriers
            .into_iter()
            .zip(first)
            .filter_map(|((_, workload), first)| first.then_some(workload))
            .collect();

        // The policies and the two workload indexes are independent: built side by side.
        let by_namespace = |workloads: &[Workload<'a>]| {
            let mut map: HashMap<String, Vec<usize>> = HashMap::new();
            for (index, workload) in workloads.iter().enumerate() {
                push_to(&mut map, &workload.namespace, index);
            }
            map
        };
        let by_label = |workloads: &[Workload<'a>]| {
            let mut map: HashMap<u64, Vec<usize>> = HashMap::new();
            for (index, workload) in workloads.iter().enumerate() {
                for (key, value) in workload.labels {
                    if let Some(value) = label_text(value) {
                        map.entry(index_key((
                            workload.namespace.as_str(),
                            key,
                            value.as_ref(),
                        )))
                        .or_default()
                        .push(index);
                    }
                }
            }
            map
        };
        let parse_policies = || {
            let objects: Vec<&'a Object> = inventory.of_kind("NetworkPolicy").collect();
            let policies: Vec<Policy<'a>> =
                objects.into_par_iter().filter_map(Policy::parse).collect();
            let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
            for (index, policy) in policies.iter().enumerate() {
                push_to(&mut by_namespace, &policy.namespace, index);
            }
            (policies, by_namespace)
        };
        let ((policies, policies_by_namespace), (workloads_by_namespace, workloads_by_label)) =
            rayon::join(parse_policies, || {
                rayon::join(|| by_namespace(&workloads), || by_label(&workloads))
            });
        let names: std::collections::BTreeSet<&str> = inventory
            .of_kind("Namespace")
            .map(Object::name)
            .chain(workloads_by_namespace.keys().map(String::as_str))
            .chain(policies_by_namespace.keys().map(String::as_str))
            .collect();
        let namespace_labels: BTreeMap<String, Map> = names
            .into_iter()
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|name| {
                let declared = inventory.get("Namespace", None, name);
                (name.to_string(), namespace_labels_of(name, declared))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();

        let mut namespaces_by_label: HashMap<(String, String), Vec<String>> = HashMap::new();
        for name in workloads_by_namespace.keys() {
            let Some(labels) = namespace_labels.get(name) else {
                continue;
            };
            for (key, value) in labels {
                let text = match value {
                    Value::String(s) => s.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                namespaces_by_label
                    .entry((key.to_string(), text))
                    .or_default()
                    .push(name.clone());
            }
        }
        let mut network = Self {
            workloads,
            policies,
            namespace_labels,
            workloads_by_namespace,
            workloads_by_label,
            policies_by_namespace,
            namespaces_by_label,
            selected: Vec::new(),
            ingress_policies: Vec::new(),
            egress_policies: Vec::new(),
            ingress_peers: Vec::new(),
            egress_peers: Vec::new(),
        };
        network.precompute();
        network
    }

    fn precompute(&mut self) {
        let count = self.workloads.len();
        let selected: Vec<Vec<usize>> = self
            .policies
            .iter()
            .map(|policy| match &policy.pod_selector {
                Some(selector) => self.select_in(&policy.namespace, Some(selector)),
                None => Vec::new(),
            })
            .collect();
        let mut ingress_policies = vec![Vec::new(); count];
        let mut egress_policies = vec![Vec::new(); count];
        for (index, policy) in self.policies.iter().enumerate() {
            for &workload in &selected[index] {
                if policy.isolates_ingress {
                    ingress_policies[workload].push(index);
                }
                if policy.isolates_egress {
                    egress_policies[workload].push(index);
                }
            }
        }
        let resolve = |policy: &Policy<'_>, direction: Direction| -> Vec<ResolvedPeers> {
            policy
                .rules(direction)
                .iter()
                .map(|rule| self.resolve_peers(&policy.namespace, rule, count))
                .collect()
        };
        let (ingress_peers, egress_peers): (Vec<_>, Vec<_>) = self
            .policies
            .iter()
            .map(|policy| {
                (
                    resolve(policy, Direction::Ingress),
                    resolve(policy, Direction::Egress),
                )
            })
            .unzip();
        self.selected = selected;
        self.ingress_policies = ingress_policies;
        self.egress_policies = egress_policies;
        self.ingress_peers = ingress_peers;
        self.egress_peers = egress_peers;
    }

    /// Workloads of `namespace` whose labels match `selector` (`None`: all).
    pub(crate) fn select_in(
        &self,
        namespace: &str,
        selector: Option<&LabelSelector>,
    ) -> Vec<usize> {
        let candidates = match selector.and_then(LabelSelector::required_pair) {
            Some((key, value)) => self
                .workloads_by_label
                .get(&index_key((namespace, key, value))),
            None => self.workloads_by_namespace.get(namespace),
        };
        candidates
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                self.workloads[i].namespace == namespace
                    && selector.is_none_or(|s| s.matches(self.workloads[i].labels))
            })
            .collect()
    }

    fn resolve_peers(&self, namespace: &str, rule: &PolicyRule, count: usize) -> ResolvedPeers {
        let mut resolved = ResolvedPeers {
            any: rule.peers.is_none(),
            workloads: WorkloadSet::new(),
            blocks: Vec::new(),
        };
        for peer in rule.peers.iter().flatten() {
            match peer {
                Peer::Pods {
                    namespace_selector,
                    pod_selector,
                    ..
                } => {
                    let namespaces: Vec<&str> = match namespace_selector {
                        None => vec![namespace],
                        Some(selector) => self.candidate_namespaces(selector),
                    };
                    for ns in namespaces {
                        for index in self.select_in(ns, pod_selector.as_ref()) {
                            resolved.workloads.insert(index, count);
                        }
                    }
                }
                Peer::IpBlock { cidr, except, .. } => {
                    resolved.blocks.push((*cidr, except.clone()));
                }
                Peer::Invalid { .. } => {}
            }
        }
        resolved.workloads.seal();
        resolved
    }

    /// Namespaces holding workloads whose labels match `selector`. A selector with an `In`
    /// requirement only looks at the namespaces carrying one of its values.
    fn candidate_namespaces(&self, selector: &LabelSelector) -> Vec<&str> {
        let indexed = selector
            .requirements
            .iter()
            .find(|r| r.operator == palisade_model::selector::Operator::In);
        let mut scratch: Vec<&str> = Vec::new();
        match indexed {
            Some(requirement) => {
                for value in &requirement.values {
                    if let Some(names) = self
                        .namespaces_by_label
                        .get(&(requirement.key.clone(), value.clone()))
                    {
                        scratch.extend(names.iter().map(String::as_str));
                    }
                }
            }
            None => scratch.extend(self.workloads_by_namespace.keys().map(String::as_str)),
        }
        scratch
            .into_iter()
            .filter(|ns| {
                self.workloads_by_namespace.contains_key(*ns)
                    && selector.matches(&self.namespace_labels(ns))
            })
            .collect()
    }

    /// Labels of a namespace, with the automatic name label.
    pub fn namespace_labels(&self, namespace: &str) -> std::borrow::Cow<'_, Map> {
        match self.namespace_labels.get(namespace) {
            Some(labels) => std::borrow::Cow::Borrowed(labels),
            None => std::borrow::Cow::Owned(namespace_labels_of(namespace, None)),
        }
    }

    /// Every namespace known: declared, holding workloads or holding policies.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.namespace_labels.keys().map(String::as_str)
    }

    /// Workload indices in a namespace.
    pub fn workloads_in(&self, namespace: &str) -> &[usize] {
        self.workloads_by_namespace
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// Policy indices in a namespace.
    pub fn policies_in(&self, namespace: &str) -> &[usize] {
        self.policies_by_namespace
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// The workloads a policy selects.
    pub fn selected_by(&self, policy: usize) -> &[usize] {
        self.selected.get(policy).map_or(&[], Vec::as_slice)
    }

    /// The policies that isolate a workload in a direction.
    pub fn isolating(&self, workload: usize, direction: Direction) -> &[usize] {
        let lists = match direction {
            Direction::Ingress => &self.ingress_policies,
            Direction::Egress => &self.egress_policies,
        };
        lists.get(workload).map_or(&[], Vec::as_slice)
    }

    /// Workloads by `namespace/name` (or `namespace/Kind/name` when names collide).
    pub fn find(&self, id: &str) -> Result<usize, String> {
        let parts: Vec<&str> = id.split('/').collect();
        let matches: Vec<usize> = match parts.as_slice() {
            [namespace, name] => self
                .workloads_in(namespace)
                .iter()
                .copied()
                .filter(|&i| self.workloads[i].name == *name)
                .collect(),
            [namespace, kind, name] => self
                .workloads_in(namespace)
                .iter()
                .copied()
                .filter(|&i| {
                    self.workloads[i].name == *name
                        && self.workloads[i].kind.eq_ignore_ascii_case(kind)
                })
                .collect(),
            _ => return Err(format!("`{id}`: expected NAMESPACE/NAME")),
        };
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no workload `{id}` among the scanned objects")),
            many => Err(format!(
                "`{id}` names {} workloads ({}); use NAMESPACE/KIND/NAME",
                many.len(),
                many.iter()
                    .map(|&i| self.workloads[i].kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn policy_ref(&self, index: usize) -> PolicyRef {
        let policy = &self.policies[index];
        PolicyRef {
            kind: "NetworkPolicy",
            namespace: policy.namespace.clone(),
            name: policy.name.clone(),
        }
    }

    fn peers(&self, direction: Direction, policy: usize) -> &[ResolvedPeers] {
        let lists = match direction {
            Direction::Ingress => &self.ingress_peers,
            Direction::Egress => &self.egress_peers,
        };
        lists.get(policy).map_or(&[], Vec::as_slice)
    }

    /// One side of a connection. `subject` is the pod the policies select (the destination for
    /// ingress, the source for egress); `peer` is the other end; ports resolve on `port_owner`.
    fn side(
        &self,
        direction: Direction,
        subject: usize,
        peer: Endpoint,
        protocol: Protocol,
        port: u16,
        named: &[NamedPort],
    ) -> SideDecision {
        let isolating = self.isolating(subject, direction);
        let mut allowed_by = Vec::new();
        for &index in isolating {
            let policy = &self.policies[index];
            for (rule, peers) in policy
                .rules(direction)
                .iter()
                .zip(self.peers(direction, index))
            {
                let ports_admit = rule.ports.is_empty()
                    || rule.ports.iter().any(|p| p.admits(protocol, port, named));
                if ports_admit && peers.matches(peer) {
                    allowed_by.push(RuleRef {
                        policy: self.policy_ref(index),
                        rule: rule.path.clone(),
                    });
                }
            }
        }
        SideDecision {
            applies: true,
            isolated: !isolating.is_empty(),
            allowed: isolating.is_empty() || !allowed_by.is_empty(),
            isolated_by: isolating.iter().map(|&i| self.policy_ref(i)).collect(),
            allowed_by,
        }
    }

    /// Whether `from` can open a connection to `to` on `port`/`protocol`. A port name is
    /// resolved on the destination workload's containers.
    pub fn can_reach(
        &self,
        from: Endpoint,
        to: Endpoint,
        port: &PortQuery,
        protocol: Protocol,
    ) -> Result<Decision, String> {
        let named: &[NamedPort] = match to {
            Endpoint::Workload(index) => self
                .workloads
                .get(index)
                .map(|w| w.named_ports.as_slice())
                .ok_or("no such workload")?,
            Endpoint::Address(_) => &[],
        };
        let number = match port {
            PortQuery::Number(n) => *n,
            PortQuery::Name(name) => ports::resolve_name(named, name, protocol)
                .ok_or_else(|| format!("the destination has no {protocol} port named `{name}`"))?,
        };
        let egress = match from {
            Endpoint::Workload(source) => {
                self.side(Direction::Egress, source, to, protocol, number, named)
            }
            Endpoint::Address(_) => SideDecision::not_applicable(),
        };
        let ingress = match to {
            Endpoint::Workload(destination) => self.side(
                Direction::Ingress,
                destination,
                from,
                protocol,
                number,
                named,
            ),
            Endpoint::Address(_) => SideDecision::not_applicable(),
        };
        Ok(Decision {
            allowed: egress.allowed && ingress.allowed,
            egress,
            ingress,
        })
    }

    /// The ports on which workload `from` can reach workload `to` (empty: none).
    pub fn reachable_ports(&self, from: usize, to: usize) -> PortSet {
        let ingress = self.side_ports(Direction::Ingress, to, Endpoint::Workload(from), to);
        if ingress.is_empty() {
            return ingress;
        }
        let egress = self.side_ports(Direction::Egress, from, Endpoint::Workload(to), to);
        ingress.intersect(&egress)
    }

    fn side_ports(
        &self,
        direction: Direction,
        subject: usize,
        peer: Endpoint,
        destination: usize,
    ) -> PortSet {
        let isolating = self.isolating(subject, direction);
        if isolating.is_empty() {
            return PortSet::all();
        }
        let named = &self.workloads[destination].named_ports;
        let mut set = PortSet::default();
        for &index in isolating {
            let policy = &self.policies[index];
            for (rule, peers) in policy
                .rules(direction)
                .iter()
                .zip(self.peers(direction, index))
            {
                if peers.matches(peer) {
                    set.union_with(&PortSet::of_specs(&rule.ports, named));
                    if set.is_all() {
                        return set;
                    }
                }
            }
        }
        set
    }

    /// Who can reach whom: every ordered pair of distinct workloads with the ports open
    /// between them, restricted to pairs with an end in `namespace` when given. Sorted by
    /// source, then destination.
    pub fn matrix(&self, namespace: Option<&str>) -> Vec<Edge> {
        let involved = |i: usize| namespace.is_none_or(|ns| self.workloads[i].namespace == ns);
        (0..self.workloads.len())
            .into_par_iter()
            .flat_map_iter(|from| {
                (0..self.workloads.len()).filter_map(move |to| {
                    if from == to || !(involved(from) || involved(to)) {
                        return None;
                    }
                    let ports = self.reachable_ports(from, to);
                    (!ports.is_empty()).then_some(Edge { from, to, ports })
                })
            })
            .collect()
    }

    /// Whether a workload can send to some public internet address, and through which policy
    /// rules (empty when it is not isolated for egress).
    pub fn internet_egress(&self, workload: usize) -> Option<Vec<RuleRef>> {
        let isolating = self.isolating(workload, Direction::Egress);
        if isolating.is_empty() {
            return Some(Vec::new());
        }
        let mut rules = Vec::new();
        for &index in isolating {
            for rule in &self.policies[index].egress {
                let open = match &rule.peers {
                    None => true,
                    Some(peers) => peers.iter().any(|peer| match peer {
                        Peer::IpBlock { cidr, except, .. } => cidr::reaches_internet(cidr, except),
                        _ => false,
                    }),
                };
                if open {
                    rules.push(RuleRef {
                        policy: self.policy_ref(index),
                        rule: rule.path.clone(),
                    });
                }
            }
        }
        (!rules.is_empty()).then_some(rules)
    }
}

/// An allowed connection between two workloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub ports: PortSet,
}

#[cfg(test)]
mod workload_set_tests {
    use super::WorkloadSet;

    fn set_of(indices: &[usize], count: usize) -> WorkloadSet {
        let mut set = WorkloadSet::new();
        for &index in indices {
            set.insert(index, count);
        }
        set.seal();
        set
    }

    #[test]
    fn sparse_dense_and_all_answer_alike() {
        let few = set_of(&[9, 3, 3, 700], 1000);
        assert!(matches!(few, WorkloadSet::Sparse(ref items) if items == &[3, 9, 700]));
        assert!(few.contains(700) && few.contains(3) && !few.contains(4));

        let many: Vec<usize> = (0..1000).step_by(7).collect();
        let dense = set_of(&many, 1000);
        assert!(matches!(dense, WorkloadSet::Dense { .. }));
        assert!((0..1000).all(|i| dense.contains(i) == (i % 7 == 0)));

        let every: Vec<usize> = (0..130).rev().collect();
        let all = set_of(&every, 130);
        assert!(matches!(all, WorkloadSet::All));
        assert!(all.contains(129));
    }
}
