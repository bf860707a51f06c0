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

fn main() -> ExitCode {
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
