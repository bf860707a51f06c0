//! Settings: what the user asked for (`Options`, from `.palisade.yaml` and flags, every field
//! optional, unknown keys rejected) resolved into `Settings` (enabled rules, severity
//! overrides, failure threshold, exceptions), and the settle step that applies them to the
//! engine's findings: severity overrides, exceptions, inline suppression.

use crate::engine::Context;
use crate::finding::Finding;
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
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("`{0}` matches no rule code or prefix (see `palisade rules`)")]
    UnknownRule(String),
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
        Ok(Self {
            context: Context {
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
    pub findings: Vec<Finding>,
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

type InlineKey = (ObjectRef, Arc<str>);

/// Apply severity overrides, exceptions and inline suppression.
pub fn settle(findings: Vec<Finding>, inventory: &Inventory, settings: &Settings) -> Outcome {
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
                inline.insert(
                    (object.reference.clone(), object.file.clone()),
                    (codes, reason),
                );
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
    let mut outcome = Outcome::default();
    for mut finding in findings {
        if let Some(level) = settings.severity.get(finding.rule.code) {
            finding.severity = *level;
        }
        for e in &mut expired {
            if e.exception.matches(&finding) {
                e.matched += 1;
            }
        }
        if let Some(exception) = active.iter().find(|e| e.matches(&finding)) {
            outcome.suppressed.push(Suppressed {
                finding,
                by: SuppressedBy::Exception(exception.clone()),
            });
            continue;
        }
        let file = finding.location.as_ref().map(|l| l.file.clone());
        if let Some(file) = file
            && let Some((codes, reason)) = inline.get(&(finding.object.clone(), file))
            && codes.iter().any(|c| matches_rule(c, finding.rule))
        {
            outcome.suppressed.push(Suppressed {
                finding,
                by: SuppressedBy::Inline {
                    reason: reason.clone(),
                },
            });
            continue;
        }
        outcome.findings.push(finding);
    }
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
}
