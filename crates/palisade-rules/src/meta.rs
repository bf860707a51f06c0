//! Rule identity and documentation, declared as static data next to each check, and the
//! `Rule` trait with its two optional hooks.

use crate::engine::Sink;
use palisade_model::{Inventory, Object};
use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// What the level means, for the rules reference.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Critical => "a direct path to compromise of the node or the cluster",
            Self::High => "a serious weakness an attacker can use with little effort",
            Self::Medium => "a weakness that widens the impact of another compromise",
            Self::Low => "a hardening gap or an availability risk",
            Self::Info => "worth knowing; not a weakness by itself",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Self::Info),
            "low" => Ok(Self::Low),
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            "critical" => Ok(Self::Critical),
            _ => Err(format!(
                "unknown severity `{s}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// A rule pack: a family of rules sharing a code prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pack {
    /// Problems of the manifest itself (`MF`).
    Manifest,
    /// Pod and container hardening (`WL`).
    Workload,
    /// Secrets hygiene (`SE`).
    Secrets,
    /// Multi-tenancy guard rails and ownership (`TN`).
    Tenancy,
    /// Deprecated and removed APIs, unsupported versions (`DP`).
    Deprecations,
    /// RBAC: risky grants, escalation paths, workload identities (`RB`).
    Rbac,
    /// NetworkPolicy coverage and external exposure (`NP`).
    Network,
}

impl Pack {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Manifest => "MF",
            Self::Workload => "WL",
            Self::Secrets => "SE",
            Self::Tenancy => "TN",
            Self::Deprecations => "DP",
            Self::Rbac => "RB",
            Self::Network => "NP",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Manifest => "Manifest integrity",
            Self::Workload => "Workload hardening",
            Self::Secrets => "Secrets hygiene",
            Self::Tenancy => "Multi-tenancy and ownership",
            Self::Deprecations => "API currency",
            Self::Rbac => "RBAC",
            Self::Network => "Network",
        }
    }
}

/// The NSA/CISA Kubernetes Hardening Guide, cited by rules of several packs.
pub const NSA_CISA_GUIDE_URL: &str = "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF";

/// The CIS Kubernetes Benchmark, cited by rules of several packs.
pub const CIS_BENCHMARK_URL: &str = "https://www.cisecurity.org/benchmark/kubernetes";

/// A document a rule refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub title: &'static str,
    pub url: &'static str,
}

/// Everything known about a rule, as static data.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable identifier, pack prefix plus three digits (`WL001`). Never reused.
    pub code: &'static str,
    /// Kebab-case name of the bad pattern (`privileged-container`).
    pub name: &'static str,
    pub pack: Pack,
    pub severity: Severity,
    /// Kinds the rule looks at; `["*"]` for any kind, `["<workload>"]` for any pod carrier.
    pub kinds: &'static [&'static str],
    /// One sentence: what the rule finds.
    pub summary: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix it; ends with a period.
    pub remediation: &'static str,
    pub bad_example: &'static str,
    pub good_example: &'static str,
    /// Pod Security Standards checks the rule implements (upstream check IDs such as
    /// `privileged`); empty for rules outside the standards.
    pub pss: &'static [&'static str],
    pub references: &'static [Reference],
}

impl RuleMeta {
    /// The strictest Pod Security level among the checks the rule implements: `baseline` when
    /// the rule enforces a baseline control, `restricted` for restricted-only controls.
    pub fn pss_level(&self) -> Option<crate::pss::Level> {
        self.pss
            .iter()
            .filter_map(|id| crate::pss::find_check(id))
            .map(|check| check.level)
            .min()
    }
}

/// A check. Both hooks are optional; rules report through the sink and never print.
pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    /// Look at one object.
    fn check_object(&self, _object: &Object, _sink: &mut Sink<'_>) {}

    /// Look at the whole inventory, for rules that join objects.
    fn check_inventory(&self, _inventory: &Inventory, _sink: &mut Sink<'_>) {}

    /// Whether [`Rule::check_inventory`] reads what the per-object rules found
    /// ([`Sink::object_findings`]). Such rules run after the per-object pass; the others run
    /// before it.
    fn reads_object_findings(&self) -> bool {
        false
    }
}
