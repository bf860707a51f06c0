//! Palisade's reports: the settled outcome of a scan (findings, suppressed findings, expired
//! exceptions, load errors and notices) rendered for people (text) and for machines (JSON,
//! SARIF 2.1.0, JUnit XML). Renderers only read the report; they sort what they print so the
//! same scan always gives byte-identical output.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod json;
mod junit;
mod pretty;
mod sarif;
mod shared;
mod text;

use palisade_model::{LoadError, Notice};
use palisade_rules::settings::{ExpiredException, Suppressed};
use palisade_rules::{Findings, Rule, Severity};

/// Version of the JSON output's shape (`schemaVersion`). Adding fields keeps it; renaming,
/// removing or changing the meaning of a field bumps it.
pub const JSON_SCHEMA_VERSION: &str = "2";

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Text, Format::Json, Format::Sarif, Format::Junit];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Sarif => "sarif",
            Self::Junit => "junit",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown format `{s}` (expected text, json, sarif or junit)"))
    }
}

/// What was scanned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    pub rules: usize,
}

/// Everything a renderer needs, borrowed from the scan.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    /// In any order: each format sorts them.
    pub findings: &'a Findings,
    pub suppressed: &'a [Suppressed],
    pub expired: &'a [ExpiredException],
    pub errors: &'a [LoadError],
    pub notices: &'a [Notice],
    /// The rules that ran.
    pub rules: &'a [&'static dyn Rule],
    pub stats: Stats,
    /// Lowest severity that fails the scan; `None` never fails.
    pub fail_on: Option<Severity>,
    pub tool_version: &'a str,
}

impl Report<'_> {
    /// Number of findings per severity, in [`Severity::ALL`] order (critical first).
    pub fn severity_counts(&self) -> [(Severity, usize); 5] {
        Severity::ALL.map(|severity| {
            let count = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .count();
            (severity, count)
        })
    }

    /// Number of findings at or above the failure threshold.
    pub fn failing_findings(&self) -> usize {
        self.fail_on.map_or(0, |threshold| {
            self.findings
                .iter()
                .filter(|f| f.severity >= threshold)
                .count()
        })
    }

    /// Whether a finding reaches the failure threshold. Load errors are reported separately.
    pub fn failed(&self) -> bool {
        self.failing_findings() > 0
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Colour the text output with ANSI escapes.
    pub color: bool,
    /// Text output: also list notices and suppressed findings one by one.
    pub verbose: bool,
    /// JSON and SARIF: no whitespace between tokens (a quarter smaller) instead of one member
    /// or item per line.
    pub compact: bool,
}

fn layout(options: &RenderOptions) -> pretty::Layout {
    if options.compact {
        pretty::Layout::Compact
    } else {
        pretty::Layout::Indented
    }
}

/// Write `report` to `out` in `format`.
pub fn render(
    report: &Report<'_>,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => text::render(report, options, out),
        Format::Json => json::render(report, layout(options), out),
        Format::Sarif => sarif::render(report, layout(options), out),
        Format::Junit => junit::render(report, out),
    }
}

#[cfg(test)]
mod tests;
