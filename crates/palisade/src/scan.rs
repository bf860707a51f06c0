//! `palisade scan`: settings → load → check → settle → render → exit code.

use crate::EXIT_ERROR;
use crate::cli::{ColorChoice, OutputFormat, ScanArgs};
use crate::config;
use anyhow::{Context, Result};
use palisade_load::{Input, Limits};
use palisade_model::Inventory;
use palisade_report::{Format, RenderOptions, Report, Stats};
use palisade_rules::settings::settle;
use std::io::{IsTerminal, Write};

fn format_of(format: OutputFormat) -> Format {
    match format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit,
    }
}

fn use_color(args: &ScanArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && args.format == OutputFormat::Text
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// Resident and peak memory of this process, for `PALISADE_TIMINGS` (Linux only).
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map_or("?", str::trim)
            .to_string()
    };
    format!("{} (peak {})", field("VmRSS:"), field("VmHWM:"))
}

/// User and system CPU seconds this process has used so far, for `PALISADE_TIMINGS`.
fn cpu_seconds() -> (f64, f64) {
    use nix::sys::resource::{UsageWho, getrusage};
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    getrusage(UsageWho::RUSAGE_SELF).map_or((0.0, 0.0), |usage| {
        (seconds(usage.user_time()), seconds(usage.system_time()))
    })
}

/// Command-line paths as loader inputs; `-` is standard input.
pub fn inputs(paths: &[std::path::PathBuf]) -> Vec<Input> {
    paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin
            } else {
                Input::Path(p.clone())
            }
        })
        .collect()
}

pub fn run(args: &ScanArgs) -> Result<u8> {
    let settings = config::settings(args)?;
    let timings = std::env::var_os("PALISADE_TIMINGS").is_some_and(|v| v == "1" || v == "rules");
    let mut clock = std::time::Instant::now();
    let mut cpu = cpu_seconds();
    let mut lap = |phase: &str| {
        if timings {
            let (user, system) = cpu_seconds();
            eprintln!(
                "palisade: {phase} {:.3} s (cpu: user {:.2} s, system {:.2} s), resident {}",
                clock.elapsed().as_secs_f64(),
                user - cpu.0,
                system - cpu.1,
                resident()
            );
            clock = std::time::Instant::now();
            cpu = (user, system);
        }
    };
    let inputs = inputs(&args.paths);
    let mut loaded = palisade_load::load(&inputs, &Limits::default());
    args.live.read_into(&mut loaded)?;
    let stats = Stats {
        files: loaded.files,
        documents: loaded.documents,
        objects: loaded.objects.len(),
        rules: settings.rules.len(),
    };
    let indexing = std::time::Instant::now();
    let inventory = Inventory::new(loaded.objects);
    if timings {
        eprintln!(
            "palisade: load: indexed in {:.3} s",
            indexing.elapsed().as_secs_f64()
        );
    }
    lap("load");
    let findings = palisade_rules::check_parts(&inventory, &settings.rules, &settings.context);
    lap("check");
    let outcome = settle(findings, &inventory, &settings);
    lap("settle");

    let report = Report {
        findings: &outcome.findings,
        suppressed: &outcome.suppressed,
        expired: &outcome.expired,
        errors: &loaded.errors,
        notices: &loaded.notices,
        rules: &settings.rules,
        stats,
        fail_on: settings.fail_on,
        tool_version: env!("CARGO_PKG_VERSION"),
    };
    let options = RenderOptions {
        color: use_color(args),
        verbose: args.verbose,
        // JSON and SARIF are indented for a person at a terminal, and compact for files and
        // pipes: a quarter smaller, which is seconds on a report of millions of findings.
        compact: args.output.is_some() || !std::io::stdout().is_terminal(),
    };
    let format = format_of(args.format);
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            palisade_report::render(&report, format, &options, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let written = palisade_report::render(&report, format, &options, &mut out)
                .and_then(|()| out.flush());
            match written {
                // A closed pipe (`palisade scan . | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.context("cannot write the report")?,
            }
        }
    }
    lap("render");
    let code = if loaded.errors.is_empty() {
        u8::from(outcome.fails(settings.fail_on))
    } else {
        EXIT_ERROR
    };
    // The process ends right after this: freeing hundreds of thousands of objects and
    // findings one by one would only delay the exit.
    std::mem::forget(outcome);
    std::mem::forget(inventory);
    Ok(code)
}
