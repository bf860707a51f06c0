//! `networking.k8s.io/v1` NetworkPolicy objects parsed into the form the evaluator uses, with
//! the API server's defaults applied: `policyTypes` inferred when absent, a missing or empty
//! `from`/`to` meaning every peer, missing or empty `ports` meaning every port, TCP as the
//! default protocol.

use super::ports::{PortSpec, PortValue, Protocol};
use super::{DEFAULT_NAMESPACE, Direction};
use ipnet::IpNet;
use palisade_model::Value;
use palisade_model::{LabelSelector, Object, pointer};

/// One peer of a rule (`from` or `to` item).
#[derive(Debug, Clone)]
pub enum Peer {
    /// Pods chosen by label. `namespace_selector: None` means the policy's own namespace;
    /// `pod_selector: None` means every pod of the chosen namespaces. Both set: both must
    /// match (one peer is an AND; two peers are an OR).
    Pods {
        namespace_selector: Option<LabelSelector>,
        pod_selector: Option<LabelSelector>,
        path: String,
    },
    /// Addresses in `cidr` but in none of `except`.
    IpBlock {
        cidr: IpNet,
        except: Vec<IpNet>,
        path: String,
    },
    /// A peer the API server would reject (an empty peer, an invalid selector or CIDR): it
    /// matches nothing.
    Invalid { reason: String, path: String },
}

impl Peer {
    pub fn path(&self) -> &str {
        match self {
            Self::Pods { path, .. } | Self::IpBlock { path, .. } | Self::Invalid { path, .. } => {
                path
            }
        }
    }
}

/// One `ingress` or `egress` item.
#[derive(Debug, Clone)]
pub struct PolicyRule {
    /// JSON Pointer of the rule within the policy (`/spec/ingress/0`).
    pub path: String,
    /// `None` when `from`/`to` is missing or empty: the rule admits every peer, inside or
    /// outside the cluster.
    pub peers: Option<Vec<Peer>>,
    /// Empty when `ports` is missing or empty: every port of every protocol.
    pub ports: Vec<PortSpec>,
}

impl PolicyRule {
    /// Whether the rule admits every peer on every port (`ingress: [{}]`, `egress: [{}]`).
    pub fn allows_everything(&self) -> bool {
        self.peers.is_none() && self.ports.is_empty()
    }
}

/// A parsed NetworkPolicy.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    pub object: &'a Object,
    pub namespace: String,
    pub name: String,
    /// `None` when `spec.podSelector` is invalid: the policy then selects no pod.
    pub pod_selector: Option<LabelSelector>,
    /// Whether the policy isolates the pods it selects for ingress (`Ingress` in the effective
    /// `policyTypes`).
    pub isolates_ingress: bool,
    /// Whether it isolates them for egress.
    pub isolates_egress: bool,
    /// Whether `policyTypes` was written out (false: inferred from the rules).
    pub explicit_types: bool,
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
    /// Parts the API server would reject; they match nothing.
    pub problems: Vec<String>,
}

impl Policy<'_> {
    pub fn isolates(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.isolates_ingress,
            Direction::Egress => self.isolates_egress,
        }
    }

    pub fn rules(&self, direction: Direction) -> &[PolicyRule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

fn selector(value: &Value, path: &str, problems: &mut Vec<String>) -> Option<LabelSelector> {
    if value.is_null() {
        return Some(LabelSelector::default());
    }
    match LabelSelector::from_value(value) {
        Ok(selector) => Some(selector),
        Err(reason) => {
            problems.push(format!("{path}: {reason}"));
            None
        }
    }
}

fn parse_net(text: &str) -> Option<IpNet> {
    // Kubernetes accepts only the network address form; a host address with a prefix is
    // normalised to its network, as the data path would treat it.
    text.trim().parse::<IpNet>().ok().map(|net| net.trunc())
}

fn parse_peer(value: &Value, path: String, problems: &mut Vec<String>) -> Peer {
    let Some(map) = value.as_object() else {
        return Peer::Invalid {
            reason: "a peer must be a mapping".into(),
            path,
        };
    };
    if let Some(block) = map.get("ipBlock").filter(|v| !v.is_null()) {
        let cidr_text = block.get("cidr").and_then(Value::as_str).unwrap_or("");
        let Some(cidr) = parse_net(cidr_text) else {
            let reason = format!("ipBlock.cidr `{cidr_text}` is not a CIDR");
            problems.push(format!("{path}: {reason}"));
            return Peer::Invalid { reason, path };
        };
        let mut except = Vec::new();
        for item in block
            .get("except")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match item.as_str().and_then(parse_net) {
                Some(net) => except.push(net),
                None => problems.push(format!("{path}: ipBlock.except has an invalid CIDR")),
            }
        }
        return Peer::IpBlock { cidr, except, path };
    }
    let namespace = map.get("namespaceSelector").filter(|v| !v.is_null());
    let pods = map.get("podSelector").filter(|v| !v.is_null());
    if namespace.is_none() && pods.is_none() {
        let reason = "a peer needs podSelector, namespaceSelector or ipBlock".to_string();
        problems.push(format!("{path}: {reason}"));
        return Peer::Invalid { reason, path };
    }
    let mut parse = |value: Option<&Value>, field: &str| match value {
        None => Ok(None),
        Some(v) => selector(v, &pointer::join(&path, field), problems)
            .map(Some)
            .ok_or_else(|| format!("invalid {field}")),
    };
    let namespace_selector = parse(namespace, "namespaceSelector");
    let pod_selector = parse(pods, "podSelector");
    match (namespace_selector, pod_selector) {
        (Ok(namespace_selector), Ok(pod_selector)) => Peer::Pods {
            namespace_selector,
            pod_selector,
            path,
        },
        (Err(reason), _) | (_, Err(reason)) => Peer::Invalid { reason, path },
    }
}

fn parse_port(value: &Value, path: &str, problems: &mut Vec<String>) -> Option<PortSpec> {
    let protocol = match value.get("protocol").and_then(Value::as_str) {
        None => Protocol::Tcp,
        Some(text) => match text.parse::<Protocol>() {
            Ok(protocol) => protocol,
            Err(reason) => {
                problems.push(format!("{path}: {reason}"));
                return None;
            }
        },
    };
    let port = match value.get("port") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u16::try_from(n).ok()) {
            Some(n) if n > 0 => Some(PortValue::Number(n)),
            _ => {
                problems.push(format!("{path}: port {n} is out of range"));
                return None;
            }
        },
        Some(Value::String(s)) => match s.parse::<u16>() {
            Ok(n) if n > 0 => Some(PortValue::Number(n)),
            _ => Some(PortValue::Name(s.to_string())),
        },
        Some(_) => {
            problems.push(format!("{path}: port must be a number or a name"));
            return None;
        }
    };
    let end_port = value
        .get("endPort")
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok());
    if end_port.is_some() && !matches!(port, Some(PortValue::Number(_))) {
        // The API server requires a numeric `port` with `endPort`.
        problems.push(format!("{path}: endPort needs a numeric port"));
        return None;
    }
    if let (Some(PortValue::Number(start)), Some(end)) = (&port, end_port)
        && end < *start
    {
        problems.push(format!("{path}: endPort {end} is below port {start}"));
        return None;
    }
    Some(PortSpec {
        protocol,
        port,
        end_port,
    })
}

fn parse_rules(
    spec: &Value,
    field: &str,
    peer_field: &str,
    problems: &mut Vec<String>,
) -> Vec<PolicyRule> {
    let Some(items) = spec.get(field).and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let path = format!("/spec/{field}/{index}");
            let peers = item
                .get(peer_field)
                .and_then(Value::as_array)
                .filter(|peers| !peers.is_empty())
                .map(|peers| {
                    peers
                        .iter()
                        .enumerate()
                        .map(|(i, peer)| {
                            parse_peer(peer, format!("{path}/{peer_field}/{i}"), problems)
                        })
                        .collect()
                });
            let mut ports = Vec::new();
            let mut dropped = false;
            for (i, port) in item
                .get("ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                match parse_port(port, &format!("{path}/ports/{i}"), problems) {
                    Some(spec) => ports.push(spec),
                    None => dropped = true,
                }
            }
            if dropped && ports.is_empty() {
                // Every port was invalid: the rule must not widen to "every port".
                return PolicyRule {
                    path,
                    peers: Some(Vec::new()),
                    ports,
                };
            }
            PolicyRule { path, peers, ports }
        })
        .collect()
}

impl<'a> Policy<'a> {
    /// Parse a NetworkPolicy object; `None` when the object is not one.
    pub fn parse(object: &'a Object) -> Option<Self> {
        if object.kind() != "NetworkPolicy" || object.api_group() != "networking.k8s.io" {
            return None;
        }
        let mut problems = Vec::new();
        let null = Value::Null;
        let spec = object.get("/spec").unwrap_or(&null);
        let pod_selector = selector(
            spec.get("podSelector").unwrap_or(&null),
            "/spec/podSelector",
            &mut problems,
        );
        let ingress = parse_rules(spec, "ingress", "from", &mut problems);
        let egress = parse_rules(spec, "egress", "to", &mut problems);
        let types: Option<Vec<&str>> = spec
            .get("policyTypes")
            .and_then(Value::as_array)
            .filter(|types| !types.is_empty())
            .map(|types| types.iter().filter_map(Value::as_str).collect());
        let explicit_types = types.is_some();
        let (isolates_ingress, isolates_egress) = match &types {
            Some(types) => (types.contains(&"Ingress"), types.contains(&"Egress")),
            // The API server's default: Ingress always, Egress only when there is at least
            // one egress rule (`egress: []` does not count).
            None => (true, !egress.is_empty()),
        };
        Some(Self {
            object,
            namespace: object.namespace().unwrap_or(DEFAULT_NAMESPACE).to_string(),
            name: object.name().to_string(),
            pod_selector,
            isolates_ingress,
            isolates_egress,
            explicit_types,
            ingress,
            egress,
            problems,
        })
    }
}

/// Whether `address` is in the block: in `cidr` and in none of `except`.
pub fn block_contains(cidr: &IpNet, except: &[IpNet], address: std::net::IpAddr) -> bool {
    cidr.contains(&address) && !except.iter().any(|net| net.contains(&address))
}
