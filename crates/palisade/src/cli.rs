//! Command-line interface: commands, flags and help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const SCAN_EXAMPLES: &str = "\
Examples:
  palisade scan ./deploy                      scan a folder of manifests
  helm template ./chart | palisade scan -     scan rendered Helm output from stdin
  kubectl kustomize overlays/prod | palisade scan -
  palisade scan k8s/ --format sarif --output palisade.sarif
  palisade scan k8s/ --fail-on critical --ignore WL004
  palisade scan k8s/ --select pss-baseline      what Pod Security baseline would reject

Exit codes:
  0  nothing at or above --fail-on
  1  at least one finding at or above --fail-on
  2  an input could not be read or parsed, or the settings are invalid
     (everything that could be scanned is still reported)

Environment:
  NO_COLOR=1            no colour in text output
  PALISADE_TIMINGS=1    print the time and memory of each phase on stderr
                        (=rules: also each whole-inventory rule)
  PALISADE_THP=1        keep transparent huge pages (turned off by default: on the
                        machines measured they slow large scans down)";

const PSS_EXAMPLES: &str = "\
Examples:
  palisade pss ./deploy                         levels per workload and per namespace
  palisade pss ./deploy --pss-version v1.29     evaluate the v1.29 policy
  helm template ./chart | palisade pss - --format json";

#[derive(Debug, Parser)]
#[command(
    name = "palisade",
    version,
    about = "Find security problems in Kubernetes manifests, with the exact file, line and field.",
    long_about = "Palisade scans Kubernetes manifests (YAML or JSON files, folders, or the \
        output of `helm template` and `kustomize build` on stdin) for security problems: Pod \
        Security Standards violations and workload hardening gaps, risky RBAC grants, missing \
        network isolation, plain-text credentials, multi-tenancy guard rails and deprecated \
        APIs. Every finding says where it is (file, line and field), why it matters and how to \
        fix it.",
    after_help = "Run `palisade scan --help` for scan options and examples, `palisade rules` for \
        the rule list, `palisade explain WL001` for one rule."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan manifests and report findings.
    #[command(after_help = SCAN_EXAMPLES)]
    Scan(ScanArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Explain one rule: why it matters, how to fix it, examples and references.
    Explain(ExplainArgs),
    /// Plan Pod Security Admission: the strictest Pod Security level each workload and each
    /// namespace satisfies, and what each namespace label would reject.
    #[command(after_help = PSS_EXAMPLES)]
    Pss(PssArgs),
    /// RBAC questions: who can make a request, what a subject can do, and escalation paths to
    /// cluster-admin.
    Rbac(crate::rbac_cmd::RbacArgs),
    /// NetworkPolicy analysis by workload identity: can one workload reach another, who can
    /// reach whom, and what the outside world reaches.
    Netpol(crate::netpol_cmd::NetpolArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to scan (`.yaml`, `.yml`, `.json`, searched recursively); `-` reads
    /// standard input.
    #[arg(value_name = "PATH", required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub live: crate::cluster_args::ClusterArgs,

    /// Report format. JSON and SARIF are indented on a terminal and written without
    /// whitespace to files and pipes (`jq .` indents them).
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to a file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Settings file [default: .palisade.yaml in the current folder, if present].
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Lowest severity that makes the scan exit with 1: critical, high, medium, low, info or
    /// none [default: high].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// Run only these rules: codes or prefixes, comma-separated (`WL001,MF`), or a Pod Security
    /// level (`pss-baseline`, `pss-restricted`: what that level would reject).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Do not run these rules (codes or prefixes, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Option<Vec<String>>,

    /// Pod Security Standards policy version for the Pod Security rules: `v1.N` or `latest`
    /// [default: latest].
    #[arg(long, value_name = "VERSION")]
    pub pss_version: Option<String>,

    /// Trade-offs to apply: dev, staging or prod [default: prod]. A Namespace can choose its
    /// own with the `palisade.dev/profile` label.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Kubernetes version the manifests target (`1.N`), for deprecated and removed APIs
    /// [default: the newest known].
    #[arg(long, value_name = "VERSION")]
    pub kubernetes_version: Option<String>,

    /// Ignore `palisade.dev/ignore` annotations: objects cannot exempt themselves.
    #[arg(long)]
    pub no_inline_suppression: bool,

    /// Use colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// List skipped documents and suppressed findings one by one.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code (`WL001`) or name (`privileged-container`).
    #[arg(value_name = "RULE")]
    pub rule: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PssFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct PssArgs {
    /// Files or folders to read; `-` reads standard input.
    #[arg(value_name = "PATH", required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub live: crate::cluster_args::ClusterArgs,

    /// Pod Security policy version: `v1.N` or `latest`.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub pss_version: String,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = PssFormat::Text)]
    pub format: PssFormat,

    /// Write the result to a file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Catches conflicting flags (two `-n`, a duplicated id) in every subcommand, which clap
    /// otherwise reports only when that subcommand runs.
    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
