//! Pod Security Standards: evaluates a workload's pod against the `baseline` and `restricted`
//! levels at any policy version from v1.0 to the newest, with the same checks, the same
//! version-specific behaviour and the same overrides as the Kubernetes pod-security-admission
//! library, but reporting one violation per offending field so reports can point at a line.
//!
//! Version resolution follows upstream: every check carries one or more implementations with a
//! minimum version, and the newest one whose minimum is at or below the requested version runs.
//! Under `restricted`, a restricted check may replace (override) a baseline check, for example
//! `restrictedVolumes` replaces `hostPathVolumes`; the replaced check then does not run.

mod baseline;
mod restricted;
mod support;

use palisade_model::Workload;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use support::{Context, Report};

/// A Pod Security Standards level, from the most permissive to the strictest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Privileged, Level::Baseline, Level::Restricted];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Privileged => "privileged",
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level or version string that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown Pod Security level {0:?} (expected privileged, baseline or restricted)")]
    Level(String),
    #[error("invalid Pod Security version {0:?} (expected v1.N, 1.N or latest)")]
    Version(String),
}

impl FromStr for Level {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        Self::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| ParseError::Level(text.to_string()))
    }
}

/// A Pod Security policy version, `v1.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub minor: u32,
}

impl Version {
    /// The newest version any check knows about; `latest` means this version, and any newer
    /// version behaves like it.
    pub const LATEST: Version = Version { minor: 37 };

    pub const fn new(minor: u32) -> Self {
        Self { minor }
    }

    /// Whether this version is at or above `v1.<minor>`.
    pub const fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }
}

impl Default for Version {
    fn default() -> Self {
        Self::LATEST
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

impl FromStr for Version {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("latest") {
            return Ok(Self::LATEST);
        }
        let numbers = trimmed
            .strip_prefix('v')
            .or_else(|| trimmed.strip_prefix('V'))
            .unwrap_or(trimmed);
        let minor = numbers
            .strip_prefix("1.")
            .filter(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|minor| minor.parse::<u32>().ok())
            .ok_or_else(|| ParseError::Version(text.to_string()))?;
        Ok(Self { minor })
    }
}

type CheckFn = fn(&Context<'_, '_>, &mut Report<'_>);

/// One Pod Security check, identified by its upstream check ID.
#[derive(Clone, Copy)]
pub struct Check {
    /// Upstream check ID, e.g. `runAsNonRoot` or `capabilities_baseline`.
    pub id: &'static str,
    pub level: Level,
    /// The control's name in the Pod Security Standards.
    pub title: &'static str,
    /// First policy version at which the check exists.
    pub since: Version,
    /// Every policy version at which the check's behaviour changes, `since` first.
    pub revisions: &'static [Version],
    /// The baseline check this restricted check replaces under `restricted`.
    pub overrides: Option<&'static str>,
    run: CheckFn,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("level", &self.level)
            .field("title", &self.title)
            .field("since", &self.since)
            .field("revisions", &self.revisions)
            .field("overrides", &self.overrides)
            .finish()
    }
}

impl Check {
    /// Whether the check runs when evaluating `level` at `version`.
    pub fn applies(&self, level: Level, version: Version) -> bool {
        self.level <= level
            && self.since <= version
            && !(level == Level::Restricted && overridden(self.id, version))
    }
}

fn overridden(id: &str, version: Version) -> bool {
    CHECKS.iter().any(|check| {
        check.level == Level::Restricted && check.since <= version && check.overrides == Some(id)
    })
}

/// The check that evaluates `id`'s concern in its place when evaluating `level` at `version`:
/// `id` itself, or the restricted check that overrides it.
pub fn effective_check(id: &str, level: Level, version: Version) -> Option<&'static Check> {
    let check = find_check(id)?;
    if check.applies(level, version) {
        return Some(check);
    }
    CHECKS.iter().find(|other| {
        other.overrides == Some(check.id) && other.level <= level && other.since <= version
    })
}

/// A check by its upstream ID (case-insensitive, as fixture names lower-case it).
pub fn find_check(id: &str) -> Option<&'static Check> {
    CHECKS
        .iter()
        .find(|check| check.id.eq_ignore_ascii_case(id))
}

const fn v(minor: u32) -> Version {
    Version { minor }
}

static CHECKS: [Check; 19] = [
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        title: "AppArmor",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::app_armor_profile,
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        title: "Capabilities",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::capabilities,
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        title: "Host Namespaces",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::host_namespaces,
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        title: "HostPath Volumes",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::host_path_volumes,
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        title: "Host Ports",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::host_ports,
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        title: "Host Probes / Lifecycle Hooks",
        since: v(34),
        revisions: &[v(34)],
        overrides: None,
        run: baseline::host_probes_and_lifecycle,
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        title: "Privileged Containers",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::privileged,
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        title: "/proc Mount Type",
        since: v(0),
        revisions: &[v(0), v(35)],
        overrides: None,
        run: baseline::proc_mount,
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        title: "Seccomp",
        since: v(0),
        revisions: &[v(0), v(19)],
        overrides: None,
        run: baseline::seccomp_profile,
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        title: "SELinux",
        since: v(0),
        revisions: &[v(0), v(31)],
        overrides: None,
        run: baseline::se_linux_options,
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        title: "Sysctls",
        since: v(0),
        revisions: &[v(0), v(27), v(29), v(32), v(37)],
        overrides: None,
        run: baseline::sysctls,
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        title: "HostProcess",
        since: v(0),
        revisions: &[v(0)],
        overrides: None,
        run: baseline::windows_host_process,
    },
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        title: "Privilege Escalation",
        since: v(8),
        revisions: &[v(8), v(25)],
        overrides: None,
        run: restricted::allow_privilege_escalation,
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        title: "Capabilities",
        since: v(22),
        revisions: &[v(22), v(25)],
        overrides: Some("capabilities_baseline"),
        run: restricted::capabilities,
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        title: "/proc Mount Type",
        since: v(35),
        revisions: &[v(35)],
        overrides: Some("procMount"),
        run: restricted::proc_mount,
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        title: "Volume Types",
        since: v(0),
        revisions: &[v(0)],
        overrides: Some("hostPathVolumes"),
        run: restricted::volumes,
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        title: "Running as Non-root",
        since: v(0),
        revisions: &[v(0), v(35)],
        overrides: None,
        run: restricted::run_as_non_root,
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        title: "Running as Non-root user",
        since: v(23),
        revisions: &[v(23), v(35)],
        overrides: None,
        run: restricted::run_as_user,
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        title: "Seccomp",
        since: v(19),
        revisions: &[v(19), v(25)],
        overrides: Some("seccompProfile_baseline"),
        run: restricted::seccomp_profile,
    },
];

/// Every check, baseline first, each level sorted by ID.
pub fn checks() -> &'static [Check] {
    &CHECKS
}

/// A field that violates a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// Upstream check ID.
    pub check: &'static str,
    pub level: Level,
    /// JSON Pointer within the object of the offending field, or of its closest existing
    /// ancestor when the fault is a missing field.
    pub path: String,
    /// Short reason, as upstream's `ForbiddenReason`.
    pub reason: String,
    /// What is wrong and what to do, as upstream's `ForbiddenDetail`.
    pub detail: String,
}

/// Violations of the given level (restricted includes the baseline checks it does not
/// override) at that policy version. `privileged` allows everything.
pub fn evaluate(workload: &Workload<'_>, level: Level, version: Version) -> Vec<Violation> {
    let version = version.min(Version::LATEST);
    let context = Context { workload, version };
    let mut violations = Vec::new();
    for check in CHECKS.iter().filter(|check| check.applies(level, version)) {
        let mut report = Report::new(check, &mut violations);
        (check.run)(&context, &mut report);
    }
    violations
}

/// Violations of one check alone at that policy version, whatever its level and whether or not
/// another check overrides it; none when the check does not exist yet at that version.
pub fn evaluate_check(check: &Check, workload: &Workload<'_>, version: Version) -> Vec<Violation> {
    let version = version.min(Version::LATEST);
    let mut violations = Vec::new();
    if check.since <= version {
        let context = Context { workload, version };
        let mut report = Report::new(check, &mut violations);
        (check.run)(&context, &mut report);
    }
    violations
}

/// The strictest level the workload satisfies at that policy version.
pub fn strictest_level(workload: &Workload<'_>, version: Version) -> Level {
    [Level::Restricted, Level::Baseline]
        .into_iter()
        .find(|&level| evaluate(workload, level, version).is_empty())
        .unwrap_or(Level::Privileged)
}

#[cfg(test)]
mod tests;
