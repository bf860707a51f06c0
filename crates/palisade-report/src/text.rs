//! The terminal report: findings grouped by application and then by object, each with its
//! location, severity, rule, message and fix; then load errors, skipped documents, suppressed
//! findings, expired exceptions and a one-line summary with the verdict. Colour is added only
//! when asked for, and control characters from the scanned files are escaped so a hostile
//! manifest cannot drive the terminal.

use crate::shared::{compare_findings, expired_sentence, plural, sorted, suppression_sentence};
use crate::{RenderOptions, Report};
use anstyle::{AnsiColor, Style};
use palisade_model::{Location, ObjectRef};
use palisade_rules::settings::SuppressedBy;
use palisade_rules::{Finding, Severity};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::hash_map::{Entry, HashMap};
use std::io::{self, Write};

const NO_APPLICATION: &str = "(no application)";
const NO_LOCATION: &str = "(no location)";

/// Applies styles when colour is on; a no-op otherwise.
struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    /// The severity, padded to the widest level so columns line up.
    fn severity(&self, severity: Severity) -> String {
        let style = match severity {
            Severity::Critical => AnsiColor::Red.on_default().bold(),
            Severity::High => AnsiColor::Red.on_default(),
            Severity::Medium => AnsiColor::Yellow.on_default(),
            Severity::Low => AnsiColor::Cyan.on_default(),
            Severity::Info => Style::new().dimmed(),
        };
        let label = severity.as_str();
        let padding = " ".repeat("critical".len() - label.len());
        format!("{}{padding}", self.paint(style, label))
    }
}

/// Escape control characters (ANSI escapes, carriage returns, ...) in text from the input.
fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

fn location_text(location: Option<&Location>) -> String {
    location.map_or_else(
        || NO_LOCATION.to_string(),
        |l| clean(&l.to_string()).into_owned(),
    )
}

/// The object as people say it: `Deployment shop/web`.
fn object_text(object: &ObjectRef) -> String {
    clean(&object.to_string()).into_owned()
}

/// Findings of one object in one file.
struct ObjectGroup<'a> {
    object: &'a ObjectRef,
    file: Option<&'a str>,
    template: Option<&'a str>,
    findings: Vec<&'a Finding>,
}

/// Application name → its objects, in the order of their first finding. Applications are
/// sorted by name, with findings that belong to none last.
fn group<'a>(findings: &[&'a Finding]) -> Vec<(&'a str, Vec<ObjectGroup<'a>>)> {
    type AppKey<'a> = (bool, &'a str);
    let mut apps: BTreeMap<AppKey<'a>, Vec<ObjectGroup<'a>>> = BTreeMap::new();
    // Application, object and file → the group's place in the application's list, so a
    // finding finds its group without a scan of the application's objects.
    let mut index: HashMap<(AppKey<'a>, &'a ObjectRef, Option<&'a str>), usize> = HashMap::new();
    for finding in findings {
        let app = finding.app.as_deref();
        let key = (app.is_none(), app.unwrap_or(NO_APPLICATION));
        let groups = apps.entry(key).or_default();
        let file = finding.location.as_ref().map(|l| &*l.file);
        match index.entry((key, &finding.object, file)) {
            Entry::Occupied(at) => groups[*at.get()].findings.push(finding),
            Entry::Vacant(at) => {
                at.insert(groups.len());
                groups.push(ObjectGroup {
                    object: &finding.object,
                    file,
                    template: finding
                        .location
                        .as_ref()
                        .and_then(|l| l.template.as_deref()),
                    findings: vec![finding],
                });
            }
        }
    }
    apps.into_iter()
        .map(|((_, app), groups)| (app, groups))
        .collect()
}

fn write_finding(
    out: &mut dyn Write,
    painter: &Painter,
    finding: &Finding,
    indent: &str,
) -> io::Result<()> {
    // A live object has no source lines: name the field instead.
    let location = match &finding.location {
        Some(l) if l.line == 0 => format!("{}#{}", clean(&l.file), clean(&finding.path)),
        other => location_text(other.as_ref()),
    };
    writeln!(
        out,
        "{indent}{}  {}  {} {}  {}",
        location,
        painter.severity(finding.severity),
        finding.rule.code,
        finding.rule.name,
        clean(&finding.message)
    )
}

fn write_details(out: &mut dyn Write, finding: &Finding, indent: &str) -> io::Result<()> {
    writeln!(out, "{indent}fix: {}", clean(finding.remediation()))?;
    for (message, location) in &finding.related {
        writeln!(
            out,
            "{indent}related: {}  {}",
            location_text(Some(location)),
            clean(message)
        )?;
    }
    Ok(())
}

pub(crate) fn render(
    report: &Report<'_>,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let painter = Painter {
        color: options.color,
    };
    let findings = sorted(report.findings, |f| f);
    for (app, groups) in group(&findings) {
        let count: usize = groups.iter().map(|g| g.findings.len()).sum();
        writeln!(
            out,
            "{} ({})",
            painter.bold(&clean(app)),
            plural(count, "finding", "findings")
        )?;
        for group in groups {
            let mut header = format!("  {}", painter.bold(&object_text(group.object)));
            header.push_str(&format!("  {}", clean(group.file.unwrap_or(NO_LOCATION))));
            if let Some(template) = group.template {
                header.push_str(&format!(" (from {})", clean(template)));
            }
            writeln!(out, "{header}")?;
            for finding in &group.findings {
                write_finding(out, &painter, finding, "    ")?;
                write_details(out, finding, "        ")?;
            }
        }
        writeln!(out)?;
    }

    let mut errors: Vec<_> = report.errors.iter().collect();
    errors.sort_by(|a, b| {
        (&a.file, a.document, a.line, a.column, &a.message)
            .cmp(&(&b.file, b.document, b.line, b.column, &b.message))
    });
    if !errors.is_empty() {
        writeln!(
            out,
            "{}",
            painter.bold(&format!("Load errors ({}):", errors.len()))
        )?;
        for error in errors {
            writeln!(out, "  {}", clean(&error.to_string()))?;
        }
        writeln!(out)?;
    }

    write_notices(report, options, &painter, out)?;
    write_suppressed(report, options, &painter, out)?;

    if !report.expired.is_empty() {
        let mut expired: Vec<_> = report.expired.iter().collect();
        expired.sort_by(|a, b| {
            let key = |e: &palisade_rules::settings::ExpiredException| {
                let x = &e.exception;
                (
                    x.expires.clone(),
                    x.rule.clone(),
                    x.kind.clone(),
                    x.namespace.clone(),
                    x.name.clone(),
                    x.container.clone(),
                    x.owner.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        writeln!(
            out,
            "{}",
            painter.bold(&format!("Expired exceptions ({}):", expired.len()))
        )?;
        for e in expired {
            writeln!(
                out,
                "  {}",
                clean(&expired_sentence(&e.exception, e.matched))
            )?;
        }
        writeln!(out)?;
    }

    write_summary(report, &painter, out)
}

fn write_notices(
    report: &Report<'_>,
    options: &RenderOptions,
    painter: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    if report.notices.is_empty() {
        return Ok(());
    }
    let count = plural(report.notices.len(), "notice", "notices");
    if options.verbose {
        let mut notices: Vec<_> = report.notices.iter().collect();
        notices.sort_by(|a, b| {
            (&a.file, a.document, a.line, &a.message)
                .cmp(&(&b.file, b.document, b.line, &b.message))
        });
        writeln!(
            out,
            "{}",
            painter.bold(&format!("{count} (what was skipped or folded, and why):"))
        )?;
        for notice in notices {
            writeln!(out, "  {}", clean(&notice.to_string()))?;
        }
    } else {
        let first = &report.notices[0].message;
        let reason = if report.notices.iter().all(|n| &n.message == first) {
            format!(" ({})", clean(first))
        } else {
            String::new()
        };
        writeln!(out, "{count}{reason}; run with --verbose to list them")?;
    }
    writeln!(out)
}

fn write_suppressed(
    report: &Report<'_>,
    options: &RenderOptions,
    painter: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    if report.suppressed.is_empty() {
        return Ok(());
    }
    let count = plural(report.suppressed.len(), "finding", "findings");
    if options.verbose {
        let mut suppressed: Vec<_> = report.suppressed.iter().collect();
        suppressed.sort_by(|a, b| compare_findings(&a.finding, &b.finding));
        writeln!(out, "{}", painter.bold(&format!("Suppressed {count}:")))?;
        for s in suppressed {
            write_finding(out, painter, &s.finding, "  ")?;
            writeln!(
                out,
                "      {}: {}",
                object_text(&s.finding.object),
                clean(&suppression_sentence(&s.by))
            )?;
        }
    } else {
        let by_exception = report
            .suppressed
            .iter()
            .filter(|s| matches!(s.by, SuppressedBy::Exception(_)))
            .count();
        let by_profile = report
            .suppressed
            .iter()
            .filter(|s| matches!(s.by, SuppressedBy::Profile(_)))
            .count();
        let inline = report.suppressed.len() - by_exception - by_profile;
        let exceptions = if by_exception == 1 {
            "exception"
        } else {
            "exceptions"
        };
        let profile = if by_profile > 0 {
            format!(", {by_profile} not applicable under the profile")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{count} suppressed ({by_exception} by {exceptions}, {inline} inline{profile}); \
             run with --verbose to list them"
        )?;
    }
    writeln!(out)
}

fn write_summary(report: &Report<'_>, painter: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let by_severity: Vec<String> = report
        .severity_counts()
        .iter()
        .map(|(severity, count)| format!("{count} {severity}"))
        .collect();
    writeln!(
        out,
        "{} ({}) in {} from {}; {}; {} suppressed",
        plural(report.findings.len(), "finding", "findings"),
        by_severity.join(", "),
        plural(report.stats.objects, "object", "objects"),
        plural(report.stats.files, "file", "files"),
        plural(report.errors.len(), "error", "errors"),
        report.suppressed.len()
    )?;
    match report.fail_on {
        None => writeln!(out, "No failure threshold (--fail-on none)."),
        Some(threshold) => {
            let failing = report.failing_findings();
            if failing > 0 {
                let verdict = painter.paint(AnsiColor::Red.on_default().bold(), "Failed:");
                writeln!(
                    out,
                    "{verdict} {} at or above {threshold} (--fail-on {threshold}).",
                    plural(failing, "finding", "findings")
                )
            } else {
                let verdict = painter.paint(AnsiColor::Green.on_default().bold(), "Passed:");
                writeln!(
                    out,
                    "{verdict} no findings at or above {threshold} (--fail-on {threshold})."
                )
            }
        }
    }
}
