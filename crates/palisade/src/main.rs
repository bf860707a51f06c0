//! The `palisade` command: reads settings, loads manifests, runs the rules, settles the
//! findings against exceptions, renders a report and exits with a code CI can rely on.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod cluster_args;
mod config;
mod netpol_cmd;
mod pss_cmd;
mod rbac_cmd;
mod rules_cmd;
mod scan;

use clap::Parser;
use std::process::ExitCode;

/// Exit code when the job could not be done (unreadable input, bad settings).
pub const EXIT_ERROR: u8 = 2;

/// Transparent huge pages make the kernel clear 2 MiB at every first touch of the
/// allocator's arenas; on the machines measured (BENCHMARKS.md) that cost more system time
/// than the scan's own work saves in TLB misses: a 91 MB scan spends 3 s in the kernel with
/// them and 0.8 s without. `PALISADE_THP=1` keeps them.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("PALISADE_THP").is_none_or(|v| v != "1") {
        // Best effort: an old kernel without the flag just keeps its default.
        let _ = nix::sys::prctl::set_thp_disable(true);
    }
}

fn main() -> ExitCode {
    without_huge_pages();
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Scan(args) => scan::run(&args),
        cli::Command::Rules(args) => rules_cmd::list(&args),
        cli::Command::Explain(args) => rules_cmd::explain(&args),
        cli::Command::Pss(args) => pss_cmd::run(&args),
        cli::Command::Rbac(args) => rbac_cmd::run(&args),
        cli::Command::Netpol(args) => netpol_cmd::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("palisade: error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
