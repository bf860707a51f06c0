//! Ports and protocols: a policy's port items, named ports resolved against the destination's
//! containers, and sets of port ranges per protocol for the reachability matrix.

use serde::Serialize;
use std::fmt;

/// The protocols a NetworkPolicy can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
            Self::Sctp => "SCTP",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        // The API is case-sensitive; accept any case on the command line.
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Ok(Self::Tcp),
            "UDP" => Ok(Self::Udp),
            "SCTP" => Ok(Self::Sctp),
            _ => Err(format!(
                "unknown protocol `{s}` (expected TCP, UDP or SCTP)"
            )),
        }
    }
}

/// `port` of a policy port item: a number or the name of a container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortValue {
    Number(u16),
    Name(String),
}

/// One item of a rule's `ports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    pub protocol: Protocol,
    /// `None`: every port of the protocol.
    pub port: Option<PortValue>,
    /// With a numeric `port`, the last port of the range.
    pub end_port: Option<u16>,
}

/// A named container port of a destination workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPort {
    pub name: String,
    pub number: u16,
    pub protocol: Protocol,
}

/// Resolve a port name against a destination's container ports, as the data path does: the
/// container port with that name and protocol.
pub fn resolve_name(named: &[NamedPort], name: &str, protocol: Protocol) -> Option<u16> {
    named
        .iter()
        .find(|p| p.name == name && p.protocol == protocol)
        .map(|p| p.number)
}

impl PortSpec {
    /// The range this item admits on a destination with the given named ports; `None` when a
    /// named port does not exist there (the item then admits nothing on that destination).
    pub fn range(&self, named: &[NamedPort]) -> Option<(Protocol, u16, u16)> {
        match &self.port {
            None => Some((self.protocol, 1, u16::MAX)),
            Some(PortValue::Number(start)) => {
                Some((self.protocol, *start, self.end_port.unwrap_or(*start)))
            }
            Some(PortValue::Name(name)) => {
                resolve_name(named, name, self.protocol).map(|n| (self.protocol, n, n))
            }
        }
    }

    /// Whether the item admits `protocol`/`port` on a destination with these named ports.
    pub fn admits(&self, protocol: Protocol, port: u16, named: &[NamedPort]) -> bool {
        self.range(named)
            .is_some_and(|(p, start, end)| p == protocol && start <= port && port <= end)
    }

    /// Whether the item limits the port (not just the protocol).
    pub fn limits_port(&self) -> bool {
        self.port.is_some()
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.port, self.end_port) {
            (None, _) => write!(f, "{}/any", self.protocol),
            (Some(PortValue::Number(n)), Some(end)) if end != *n => {
                write!(f, "{}/{n}-{end}", self.protocol)
            }
            (Some(PortValue::Number(n)), _) => write!(f, "{}/{n}", self.protocol),
            (Some(PortValue::Name(name)), _) => write!(f, "{}/{name}", self.protocol),
        }
    }
}

/// A set of ports: every port, or per protocol sorted disjoint inclusive ranges. "Every port"
/// needs no allocation, which keeps a matrix of open namespaces small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSet {
    all: bool,
    ranges: Vec<(Protocol, u16, u16)>,
}

impl PortSet {
    /// Every port of every protocol.
    pub fn all() -> Self {
        Self {
            all: true,
            ranges: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.ranges.is_empty()
    }

    pub fn is_all(&self) -> bool {
        self.all
    }

    /// The ranges, with "every port" spelled out per protocol.
    pub fn ranges(&self) -> Vec<(Protocol, u16, u16)> {
        if self.all {
            Protocol::ALL.iter().map(|&p| (p, 1, u16::MAX)).collect()
        } else {
            self.ranges.clone()
        }
    }

    /// The ports a rule's `ports` admit on a destination (empty `ports`: all).
    pub fn of_specs(specs: &[PortSpec], named: &[NamedPort]) -> Self {
        if specs.is_empty() {
            return Self::all();
        }
        let mut set = Self::default();
        for spec in specs {
            if let Some(range) = spec.range(named) {
                set.ranges.push(range);
            }
        }
        set.normalise();
        set
    }

    fn normalise(&mut self) {
        if self.all {
            self.ranges.clear();
            return;
        }
        self.ranges.sort_unstable();
        let mut merged: Vec<(Protocol, u16, u16)> = Vec::with_capacity(self.ranges.len());
        for &(protocol, start, end) in &self.ranges {
            match merged.last_mut() {
                Some(last) if last.0 == protocol && u32::from(start) <= u32::from(last.2) + 1 => {
                    last.2 = last.2.max(end);
                }
                _ => merged.push((protocol, start, end)),
            }
        }
        if merged.len() == Protocol::ALL.len()
            && merged.iter().all(|&(_, a, b)| a <= 1 && b == u16::MAX)
        {
            merged.clear();
            self.all = true;
        }
        self.ranges = merged;
    }

    pub fn union_with(&mut self, other: &PortSet) {
        if self.all || other.is_empty() {
            return;
        }
        if other.all {
            *self = Self::all();
            return;
        }
        self.ranges.extend_from_slice(&other.ranges);
        self.normalise();
    }

    pub fn intersect(&self, other: &PortSet) -> PortSet {
        if self.all {
            return other.clone();
        }
        if other.all {
            return self.clone();
        }
        let mut ranges = Vec::new();
        for &(p, a, b) in &self.ranges {
            for &(q, c, d) in &other.ranges {
                if p == q && a.max(c) <= b.min(d) {
                    ranges.push((p, a.max(c), b.min(d)));
                }
            }
        }
        let mut set = PortSet { all: false, ranges };
        set.normalise();
        set
    }

    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        self.all
            || self
                .ranges
                .iter()
                .any(|&(p, a, b)| p == protocol && a <= port && port <= b)
    }

    /// `TCP/80`, `TCP/8000-8080`, `UDP/any`, or `any` for every port.
    pub fn labels(&self) -> Vec<String> {
        if self.all {
            return vec!["any".to_string()];
        }
        self.ranges
            .iter()
            .map(|&(p, a, b)| match (a, b) {
                (1, u16::MAX) => format!("{p}/any"),
                _ if a == b => format!("{p}/{a}"),
                _ => format!("{p}/{a}-{b}"),
            })
            .collect()
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.labels().join(","))
    }
}
