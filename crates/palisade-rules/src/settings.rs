//! Settings: what the user asked for (`Options`, from `.palisade.yaml` and flags, every field
//! optional, unknown keys rejected) resolved into `Settings` (enabled rules, severity
//! overrides, failure threshold, exceptions), and the settle step that applies them to the
//! engine's findings: severity overrides, exceptions, inline suppression.

use crate::engine::{Context, DEFAULT_OWNER_KEYS, DEFAULT_REQUIRED_LABELS};
use crate::finding::{Finding, Findings};
use crate::meta::{Rule, RuleMeta, Severity};
use crate::pss::{Level, Version};
use crate::registry::all_rules;
use palisade_model::{Inventory, ObjectRef};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The annotation by which an object exempts itself from rules (`"WL001,WL003"` or `"all"`).
pub const IGNORE_ANNOTATION: &str = "palisade.dev/ignore";
/// Why the object exempts itself; shown in reports.
pub const IGNORE_REASON_ANNOTATION: &str = "palisade.dev/ignore-reason";

/// Settings as written in `.palisade.yaml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Rule codes or prefixes to run (default: all).
    pub select: Option<Vec<String>>,
    /// Rule codes or prefixes not to run.
    pub ignore: Option<Vec<String>>,
    /// Severity per rule code or prefix.
    pub severity: Option<BTreeMap<String, Severity>>,
    /// Lowest severity that makes the scan fail (`none` never fails).
    pub fail_on: Option<FailOn>,
    /// Whether objects may exempt themselves with the `palisade.dev/ignore` annotation.
    pub inline_suppression: Option<bool>,
    pub exceptions: Option<Vec<Exception>>,
    /// Pod Security Standards policy version for the Pod Security rules: `v1.N` or `latest`.
    pub pss_version: Option<String>,
    /// Registries (host, optionally with a path prefix) that images may come from; the
    /// registry rule is off while this is unset.
    pub allowed_registries: Option<Vec<String>>,
    /// Kubernetes version the manifests target (`1.N`), for API deprecations.
    pub kubernetes_version: Option<String>,
    /// What the ownership rule requires of every object.
    pub ownership: Option<OwnershipOptions>,
    /// Which trade-offs apply: `dev`, `staging` or `prod` (default). A namespace can choose
    /// its own with the `palisade.dev/profile` label.
    pub profile: Option<Profile>,
}

/// `ownership:` in `.palisade.yaml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OwnershipOptions {
    /// Labels every object must carry (default: `app.kubernetes.io/name`).
    pub labels: Option<Vec<String>>,
    /// Label or annotation keys of which at least one must be set (default: `owner`, `team`).
    pub owner_keys: Option<Vec<String>>,
}

/// The label by which a Namespace chooses its profile.
pub const PROFILE_LABEL: &str = "palisade.dev/profile";

/// A set of trade-offs: what is fine in a playground is not fine in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Dev,
    Staging,
    #[default]
    Prod,
}

/// What a profile does to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    /// The rule's own severity.
    Keep,
    /// The rule does not apply.
    Off,
    /// The rule applies at this severity.
    Severity(Severity),
}

/// Rule codes or prefixes a profile changes, and how. Later entries win over earlier ones.
const DEV: &[(&str, Adjustment)] = &[
    // Guard rails for shared, long-lived environments.
    ("TN001", Adjustment::Off),
    ("TN002", Adjustment::Off),
    ("TN008", Adjustment::Off),
    ("WL033", Adjustment::Off),
    ("WL034", Adjustment::Off),
    ("WL029", Adjustment::Off),
    // Availability and supply-chain hygiene matter less in a playground.
    ("WL020", Adjustment::Severity(Severity::Info)),
    ("WL022", Adjustment::Severity(Severity::Info)),
    ("WL023", Adjustment::Severity(Severity::Info)),
    ("WL024", Adjustment::Severity(Severity::Info)),
    ("WL025", Adjustment::Severity(Severity::Info)),
    ("WL026", Adjustment::Severity(Severity::Info)),
    ("WL027", Adjustment::Severity(Severity::Info)),
    ("WL028", Adjustment::Severity(Severity::Low)),
    ("WL030", Adjustment::Severity(Severity::Info)),
    ("WL041", Adjustment::Severity(Severity::Info)),
    ("WL042", Adjustment::Severity(Severity::Info)),
    // Playgrounds often run without certificates.
    ("NP009", Adjustment::Severity(Severity::Low)),
    ("SE002", Adjustment::Off),
];

const STAGING: &[(&str, Adjustment)] = &[
    ("TN001", Adjustment::Severity(Severity::Low)),
    ("TN008", Adjustment::Severity(Severity::Info)),
    ("WL029", Adjustment::Off),
    ("WL041", Adjustment::Severity(Severity::Info)),
];

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Dev, Profile::Staging, Profile::Prod];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dev => "dev",
            Self::Staging => "staging",
            Self::Prod => "prod",
        }
    }

    /// What the profile does to a rule.
    pub fn adjustment(self, code: &str) -> Adjustment {
        let table = match self {
            Self::Dev => DEV,
            Self::Staging => STAGING,
            Self::Prod => return Adjustment::Keep,
        };
        table
            .iter()
            .rev()
            .find(|(pattern, _)| matches_code(pattern, code))
            .map_or(Adjustment::Keep, |(_, adjustment)| *adjustment)
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "dev" => Ok(Self::Dev),
            "staging" => Ok(Self::Staging),
            "prod" => Ok(Self::Prod),
            _ => Err(format!(
                "unknown profile `{s}` (expected dev, staging or prod)"
            )),
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `--fail-on`: a severity, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    None,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            Self::None => None,
            Self::Info => Some(Severity::Info),
            Self::Low => Some(Severity::Low),
            Self::Medium => Some(Severity::Medium),
            Self::High => Some(Severity::High),
            Self::Critical => Some(Severity::Critical),
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(Self::None);
        }
        Ok(match s.parse::<Severity>()? {
            Severity::Info => Self::Info,
            Severity::Low => Self::Low,
            Severity::Medium => Self::Medium,
            Severity::High => Self::High,
            Severity::Critical => Self::Critical,
        })
    }
}

/// An accepted risk: findings matching it are not reported (they are listed as suppressed).
/// Every field that is set must match; `name` and `namespace` accept `*` wildcards.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Exception {
    /// Rule code or prefix (`WL001`, `WL`); absent means every rule.
    pub rule: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Container name, for findings about one container.
    pub container: Option<String>,
    /// Why the risk is accepted (required).
    pub reason: String,
    /// Who accepted it (required).
    pub owner: String,
    /// Last day the exception applies, `YYYY-MM-DD` (required).
    pub expires: String,
}

/// Resolved settings, borrowed by the engine and the renderers.
#[derive(Clone)]
pub struct Settings {
    pub rules: Vec<&'static dyn Rule>,
    pub severity: HashMap<&'static str, Severity>,
    pub fail_on: Option<Severity>,
    pub inline_suppression: bool,
    pub exceptions: Vec<Arc<Exception>>,
    /// Today's date (`YYYY-MM-DD`), against which expiries are compared.
    pub today: String,
    /// What the rules consult besides the objects.
    pub context: Context,
    /// The profile for objects whose namespace does not choose one.
    pub profile: Profile,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field(
                "rules",
                &self.rules.iter().map(|r| r.meta().code).collect::<Vec<_>>(),
            )
            .field("fail_on", &self.fail_on)
            .field("context", &self.context)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("`{0}` matches no rule code or prefix (see `palisade rules`)")]
    UnknownRule(String),
    #[error("kubernetes-version: expected 1.N, not `{0}`")]
    KubernetesVersion(String),
    #[error("pss-version: expected v1.N or latest, not `{0}`")]
    PssVersion(String),
    #[error("exception {index}: {message}")]
    Exception { index: usize, message: String },
}

/// Whether a selection pattern names a rule: `all`, a code or code prefix (`WL001`, `WL`), or a
/// Pod Security level (`pss-baseline`: rules enforcing baseline controls; `pss-restricted`:
/// every Pod Security rule, as the restricted level includes baseline).
fn matches_rule(pattern: &str, meta: &RuleMeta) -> bool {
    let pattern = pattern.trim();
    if pattern.eq_ignore_ascii_case("pss-baseline") {
        return meta.pss_level() == Some(Level::Baseline);
    }
    if pattern.eq_ignore_ascii_case("pss-restricted") {
        return meta.pss_level().is_some();
    }
    matches_code(pattern, meta.code)
}

fn matches_code(pattern: &str, code: &str) -> bool {
    let pattern = pattern.trim();
    pattern.eq_ignore_ascii_case("all")
        || code
            .get(..pattern.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(pattern))
}

fn check_pattern(pattern: &str) -> Result<(), SettingsError> {
    if all_rules().iter().any(|r| matches_rule(pattern, r.meta())) {
        Ok(())
    } else {
        Err(SettingsError::UnknownRule(pattern.to_string()))
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// `1.29`, `v1.29` or `1.29.3` to 29.
pub fn parse_kubernetes_minor(text: &str) -> Option<u32> {
    let text = text.trim().trim_start_matches('v');
    let mut parts = text.split('.');
    if parts.next()? != "1" {
        return None;
    }
    let minor = parts.next()?.parse().ok()?;
    match parts.next() {
        None => Some(minor),
        Some(patch) if patch.parse::<u32>().is_ok() && parts.next().is_none() => Some(minor),
        Some(_) => None,
    }
}

/// Shell-style match with `*` wildcards.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    true
}

impl Settings {
    /// Resolve options; `today` is `YYYY-MM-DD`.
    pub fn resolve(options: &Options, today: &str) -> Result<Self, SettingsError> {
        for pattern in options.select.iter().chain(&options.ignore).flatten() {
            check_pattern(pattern)?;
        }
        let rules = all_rules()
            .iter()
            .copied()
            .filter(|r| {
                let code = r.meta();
                let selected = options
                    .select
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|p| matches_rule(p, code)));
                let ignored = options
                    .ignore
                    .iter()
                    .flatten()
                    .any(|p| matches_rule(p, code));
                selected && !ignored
            })
            .collect();
        let mut severity = HashMap::new();
        // Prefixes first, then longer patterns, so `WL001: low` beats `WL: high`.
        let mut overrides: Vec<_> = options.severity.iter().flatten().collect();
        overrides.sort_by_key(|(pattern, _)| pattern.len());
        for (pattern, level) in overrides {
            check_pattern(pattern)?;
            for rule in all_rules() {
                if matches_rule(pattern, rule.meta()) {
                    severity.insert(rule.meta().code, *level);
                }
            }
        }
        let mut exceptions = Vec::new();
        for (index, exception) in options.exceptions.iter().flatten().enumerate() {
            let fail = |message: String| SettingsError::Exception {
                index: index + 1,
                message,
            };
            if let Some(rule) = &exception.rule {
                check_pattern(rule)?;
            }
            if exception.reason.trim().is_empty() {
                return Err(fail("`reason` must say why the risk is accepted".into()));
            }
            if exception.owner.trim().is_empty() {
                return Err(fail("`owner` must name who accepted the risk".into()));
            }
            if !is_iso_date(&exception.expires) {
                return Err(fail(format!(
                    "`expires` must be a date like 2027-01-31, not `{}`",
                    exception.expires
                )));
            }
            exceptions.push(Arc::new(exception.clone()));
        }
        let pss_version = match &options.pss_version {
            Some(text) => text
                .parse::<Version>()
                .map_err(|_| SettingsError::PssVersion(text.clone()))?,
            None => Version::LATEST,
        };
        let kubernetes_minor = match &options.kubernetes_version {
            Some(text) => Some(
                parse_kubernetes_minor(text)
                    .ok_or_else(|| SettingsError::KubernetesVersion(text.clone()))?,
            ),
            None => None,
        };
        Ok(Self {
            profile: options.profile.unwrap_or_default(),
            context: Context {
                required_labels: options
                    .ownership
                    .as_ref()
                    .and_then(|o| o.labels.clone())
                    .unwrap_or_else(|| DEFAULT_REQUIRED_LABELS.map(String::from).to_vec()),
                owner_keys: options
                    .ownership
                    .as_ref()
                    .and_then(|o| o.owner_keys.clone())
                    .unwrap_or_else(|| DEFAULT_OWNER_KEYS.map(String::from).to_vec()),
                kubernetes_minor,
                pss_version,
                allowed_registries: options.allowed_registries.clone().unwrap_or_default(),
            },
            rules,
            severity,
            fail_on: options.fail_on.unwrap_or(FailOn::High).threshold(),
            inline_suppression: options.inline_suppression.unwrap_or(true),
            exceptions,
            today: today.to_string(),
        })
    }
}

/// Why a finding was not reported.
#[derive(Debug, Clone)]
pub enum SuppressedBy {
    Exception(Arc<Exception>),
    /// The object's `palisade.dev/ignore` annotation, with its `ignore-reason` if any.
    Inline {
        reason: Option<String>,
    },
    /// The rule does not apply under the profile in force for the object.
    Profile(Profile),
}

#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
}

/// An exception past its expiry date: it no longer applies.
#[derive(Debug, Clone)]
pub struct ExpiredException {
    pub exception: Arc<Exception>,
    /// Findings it would have suppressed.
    pub matched: usize,
}

/// The findings after settings were applied.
#[derive(Debug, Default)]
pub struct Outcome {
    /// In no particular order: reports sort them.
    pub findings: Findings,
    pub suppressed: Vec<Suppressed>,
    pub expired: Vec<ExpiredException>,
}

impl Outcome {
    /// Whether any finding reaches the failure threshold.
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| self.findings.iter().any(|f| f.severity >= t))
    }
}

impl Exception {
    fn matches(&self, finding: &Finding) -> bool {
        let object = &finding.object;
        self.rule
            .as_deref()
            .is_none_or(|p| matches_rule(p, finding.rule))
            && self.kind.as_deref().is_none_or(|k| k == object.kind)
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| glob_match(ns, object.namespace.as_deref().unwrap_or("")))
            && self
                .name
                .as_deref()
                .is_none_or(|n| glob_match(n, &object.name))
            && self.container.as_deref().is_none_or(|c| {
                finding
                    .container
                    .as_deref()
                    .is_some_and(|fc| glob_match(c, fc))
            })
    }
}

type InlineKey<'a> = (&'a ObjectRef, &'a str);

/// Apply severity overrides, exceptions and inline suppression.
pub fn settle(
    findings: impl Into<Findings>,
    inventory: &Inventory,
    settings: &Settings,
) -> Outcome {
    let mut inline: HashMap<InlineKey, (Vec<String>, Option<String>)> = HashMap::new();
    if settings.inline_suppression {
        for object in inventory.objects() {
            if let Some(codes) = object.annotation(IGNORE_ANNOTATION) {
                let codes = codes
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect();
                let reason = object
                    .annotation(IGNORE_REASON_ANNOTATION)
                    .map(str::to_string);
                inline.insert((&object.reference, &object.file), (codes, reason));
            }
        }
    }
    let (active, expired): (Vec<_>, Vec<_>) = settings
        .exceptions
        .iter()
        .cloned()
        .partition(|e| e.expires.as_str() >= settings.today.as_str());
    let mut expired: Vec<ExpiredException> = expired
        .into_iter()
        .map(|exception| ExpiredException {
            exception,
            matched: 0,
        })
        .collect();
    let namespace_profiles: HashMap<&str, Profile> = inventory
        .of_kind("Namespace")
        .filter_map(|ns| {
            let label = ns.labels().get(PROFILE_LABEL)?.as_str()?;
            Some((ns.name(), label.parse::<Profile>().ok()?))
        })
        .collect();
    // Why a finding is set aside, if it is; severities are adjusted on the way.
    let mut decide = |finding: &mut Finding| -> Option<SuppressedBy> {
        let namespace = if finding.object.kind == "Namespace" {
            Some(finding.object.name.as_str())
        } else {
            finding.object.namespace.as_deref()
        };
        let profile = namespace
            .and_then(|ns| namespace_profiles.get(ns))
            .copied()
            .unwrap_or(settings.profile);
        match profile.adjustment(finding.rule.code) {
            Adjustment::Keep => {}
            Adjustment::Severity(level) => finding.severity = level,
            Adjustment::Off => return Some(SuppressedBy::Profile(profile)),
        }
        // An explicit setting in `.palisade.yaml` wins over the profile.
        if let Some(level) = settings.severity.get(finding.rule.code) {
            finding.severity = *level;
        }
        for e in &mut expired {
            if e.exception.matches(finding) {
                e.matched += 1;
            }
        }
        if let Some(exception) = active.iter().find(|e| e.matches(finding)) {
            return Some(SuppressedBy::Exception(exception.clone()));
        }
        let location = finding.location.as_ref().filter(|_| !inline.is_empty())?;
        let (codes, reason) = inline.get(&(&*finding.object, &*location.file))?;
        codes
            .iter()
            .any(|c| matches_rule(c, finding.rule))
            .then(|| SuppressedBy::Inline {
                reason: reason.clone(),
            })
    };
    // Findings stay where they are; only the suppressed ones move (a copy of hundreds of
    // thousands of findings would cost as much memory again).
    let mut findings = findings.into();
    let mut reasons = Vec::new();
    let set_aside = findings.extract(|finding| match decide(finding) {
        Some(by) => {
            reasons.push(by);
            true
        }
        None => false,
    });
    let mut outcome = Outcome {
        suppressed: set_aside
            .into_iter()
            .zip(reasons)
            .map(|(finding, by)| Suppressed { finding, by })
            .collect(),
        findings,
        ..Outcome::default()
    };
    outcome.expired = expired;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(glob_match("kube-*", "kube-system"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*c*e", "abcde"));
        assert!(!glob_match("a*c", "abd"));
        assert!(glob_match("web", "web"));
    }

    #[test]
    fn rejects_unknown_codes_and_bad_exceptions() {
        let options = Options {
            select: Some(vec!["XX9".into()]),
            ..Options::default()
        };
        assert_eq!(
            Settings::resolve(&options, "2026-01-01").err(),
            Some(SettingsError::UnknownRule("XX9".into()))
        );
        let options = Options {
            exceptions: Some(vec![Exception {
                reason: "r".into(),
                owner: "o".into(),
                expires: "soon".into(),
                ..Exception::default()
            }]),
            ..Options::default()
        };
        assert!(matches!(
            Settings::resolve(&options, "2026-01-01"),
            Err(SettingsError::Exception { index: 1, .. })
        ));
    }

    #[test]
    fn select_ignore_and_fail_on() {
        let options = Options {
            select: Some(vec!["WL".into()]),
            ignore: Some(vec!["WL002".into()]),
            fail_on: Some(FailOn::None),
            ..Options::default()
        };
        let settings = Settings::resolve(&options, "2026-01-01").expect("valid");
        let codes: Vec<_> = settings.rules.iter().map(|r| r.meta().code).collect();
        assert!(codes.iter().all(|c| c.starts_with("WL")));
        assert!(!codes.contains(&"WL002"));
        assert_eq!(settings.fail_on, None);
    }

    #[test]
    fn profiles_adjust_and_namespaces_choose() {
        assert_eq!(Profile::Prod.adjustment("WL026"), Adjustment::Keep);
        assert_eq!(
            Profile::Dev.adjustment("WL026"),
            Adjustment::Severity(Severity::Info)
        );
        assert_eq!(Profile::Dev.adjustment("TN001"), Adjustment::Off);
        assert_eq!(Profile::Staging.adjustment("WL001"), Adjustment::Keep);
        assert_eq!("DEV".parse::<Profile>(), Ok(Profile::Dev));
        assert!("qa".parse::<Profile>().is_err());

        use palisade_model::{Object, PositionTree};
        use serde_json::json;
        let object = |value| Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        let inventory = Inventory::new(vec![
            object(json!({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": "play", "labels": {"palisade.dev/profile": "dev"}}})),
            object(json!({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "p", "namespace": "play"},
                          "spec": {"hostPID": true, "containers": []}})),
            object(json!({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "p", "namespace": "prod"},
                          "spec": {"hostPID": true, "containers": []}})),
        ]);
        let options = Options {
            select: Some(vec!["WL002".into()]),
            severity: Some(BTreeMap::from([("WL002".to_string(), Severity::Low)])),
            ..Options::default()
        };
        let settings = Settings::resolve(&options, "2026-01-01").expect("valid");
        let findings = crate::engine::check(&inventory, &settings.rules);
        assert_eq!(findings.len(), 2);
        let outcome = settle(findings, &inventory, &settings);
        // WL002 is kept in every profile; the configured severity wins.
        assert!(outcome.findings.iter().all(|f| f.severity == Severity::Low));

        // A rule that `dev` turns off: reported in `prod`, suppressed in the `play` namespace.
        static QUOTA: crate::meta::RuleMeta = crate::meta::RuleMeta {
            code: "TN001",
            ..crate::packs::workload::privileged_container::META
        };
        let findings: Vec<Finding> = crate::engine::check(&inventory, &settings.rules)
            .into_iter()
            .map(|mut f| {
                f.rule = &QUOTA;
                f
            })
            .collect();
        let outcome = settle(findings, &inventory, &settings);
        let kept: Vec<&Finding> = outcome.findings.iter().collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].object.namespace.as_deref(), Some("prod"));
        assert!(matches!(
            outcome.suppressed[0].by,
            SuppressedBy::Profile(Profile::Dev)
        ));
    }
}
