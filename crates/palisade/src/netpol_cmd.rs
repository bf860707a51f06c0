//! `palisade netpol`: NetworkPolicy questions answered by workload identity. `can-reach`
//! decides one connection and names the policies that decide it, `matrix` lists who can reach
//! whom on which ports, `exposure` lists what the outside world reaches and through what.

use crate::EXIT_ERROR;
use anyhow::{Context, Result, anyhow};
use palisade_load::Limits;
use palisade_model::Inventory;
use palisade_rules::netpol::exposure::{Channel, exposures};
use palisade_rules::netpol::{
    Decision, Direction, Endpoint, Network, PortQuery, Protocol, SideDecision,
};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::PathBuf;

const NETPOL_EXAMPLES: &str = "\
Examples:
  palisade netpol can-reach --from web/frontend --to data/db --port 5432 ./deploy
  palisade netpol can-reach --from web/frontend --to 203.0.113.7 --port 443/TCP ./deploy
  palisade netpol matrix --namespace data ./deploy
  palisade netpol matrix ./deploy --format dot | dot -Tsvg > matrix.svg
  palisade netpol exposure ./deploy --format json

Workloads are named NAMESPACE/NAME after their controller (Deployment, StatefulSet, ...);
objects without a namespace are in `default`. Only NetworkPolicy (networking.k8s.io/v1) is
evaluated, and it is enforced only where the network plugin implements it.";

#[derive(Debug, clap::Args)]
#[command(after_help = NETPOL_EXAMPLES)]
pub struct NetpolArgs {
    #[command(subcommand)]
    pub command: NetpolCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum NetpolCommand {
    /// Decide whether one workload can connect to another (or to an address) on a port, and
    /// name the policies that decide it. Exits with 0 when allowed, 1 when denied.
    CanReach(CanReachArgs),
    /// Who can reach whom: every pair of workloads with the ports open between them.
    Matrix(MatrixArgs),
    /// What the outside world can reach: exposed Services, Ingresses and Gateway routes,
    /// resolved to workloads.
    Exposure(ExposureArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NetpolFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    Text,
    Json,
    Dot,
}

#[derive(Debug, clap::Args)]
pub struct CanReachArgs {
    /// Source: NAMESPACE/NAME of a workload (NAMESPACE/KIND/NAME when names collide), or an
    /// IP address outside the cluster.
    #[arg(long, value_name = "WORKLOAD")]
    pub from: String,
    /// Destination: NAMESPACE/NAME of a workload, or an IP address.
    #[arg(long, value_name = "WORKLOAD")]
    pub to: String,
    /// Destination port: a number or a container port name, with an optional protocol
    /// (`5432`, `53/UDP`, `http`).
    #[arg(long, value_name = "PORT[/PROTO]")]
    pub port: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = NetpolFormat::Text)]
    pub format: NetpolFormat,
    /// Files or folders to read; `-` reads standard input.
    #[arg(value_name = "PATH", required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub live: crate::cluster_args::ClusterWideArgs,
}

#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// Only pairs with an end in this namespace.
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
    /// Write the result to a file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Files or folders to read; `-` reads standard input.
    #[arg(value_name = "PATH", required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub live: crate::cluster_args::ClusterWideArgs,
}

#[derive(Debug, clap::Args)]
pub struct ExposureArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = NetpolFormat::Text)]
    pub format: NetpolFormat,
    /// Files or folders to read; `-` reads standard input.
    #[arg(value_name = "PATH", required_unless_present = "cluster")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub live: crate::cluster_args::ClusterWideArgs,
}

pub fn run(args: &NetpolArgs) -> Result<u8> {
    match &args.command {
        NetpolCommand::CanReach(args) => can_reach(args),
        NetpolCommand::Matrix(args) => matrix(args),
        NetpolCommand::Exposure(args) => exposure(args),
    }
}

/// Load the inputs; load errors go to standard error and make the exit code 2.
fn load(
    paths: &[PathBuf],
    live: &crate::cluster_args::ClusterWideArgs,
) -> Result<(Inventory, bool)> {
    let mut loaded = palisade_load::load(&crate::scan::inputs(paths), &Limits::default());
    live.read_into(&mut loaded)?;
    for error in &loaded.errors {
        eprintln!("palisade: error: {error}");
    }
    let failed = !loaded.errors.is_empty();
    Ok((Inventory::new(loaded.objects), failed))
}

fn parse_port(text: &str) -> Result<(PortQuery, Protocol)> {
    let (port, protocol) = match text.split_once('/') {
        Some((port, protocol)) => (port, protocol.parse().map_err(|e: String| anyhow!(e))?),
        None => (text, Protocol::Tcp),
    };
    let query = match port.parse::<u16>() {
        Ok(0) => return Err(anyhow!("--port: 0 is not a port")),
        Ok(n) => PortQuery::Number(n),
        Err(_) if !port.is_empty() && !port.bytes().all(|b| b.is_ascii_digit()) => {
            PortQuery::Name(port.to_string())
        }
        Err(_) => {
            return Err(anyhow!(
                "--port: expected N[/PROTO] or a port name, not `{text}`"
            ));
        }
    };
    Ok((query, protocol))
}

fn endpoint(network: &Network<'_>, text: &str, flag: &str) -> Result<Endpoint> {
    if let Ok(address) = text.parse::<std::net::IpAddr>() {
        return Ok(Endpoint::Address(address));
    }
    network
        .find(text)
        .map(Endpoint::Workload)
        .map_err(|e| anyhow!("{flag}: {e}"))
}

fn side_json(side: &SideDecision) -> Value {
    json!({
        "applies": side.applies,
        "isolated": side.isolated,
        "allowed": side.allowed,
        "allowed_by": side.allowed_by_names(),
        "isolated_by": side.isolated_by.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "rules": side.allowed_by,
    })
}

fn side_text(out: &mut String, direction: Direction, who: &str, side: &SideDecision) {
    let label = format!("{} of {who}", direction.as_str());
    if !side.applies {
        let _ = writeln!(
            out,
            "  {label:<28} not subject to NetworkPolicy (an address)"
        );
        return;
    }
    if !side.isolated {
        let _ = writeln!(
            out,
            "  {label:<28} allowed: no NetworkPolicy isolates it for {}",
            direction.as_str()
        );
        return;
    }
    let isolating: Vec<&str> = side.isolated_by.iter().map(|p| p.name.as_str()).collect();
    if side.allowed {
        let rules: Vec<String> = side
            .allowed_by
            .iter()
            .map(|r| format!("{} {}", r.policy.name, r.rule))
            .collect();
        let _ = writeln!(out, "  {label:<28} allowed by {}", rules.join(", "));
    } else {
        let _ = writeln!(
            out,
            "  {label:<28} denied: isolated by {} and no rule admits it",
            isolating.join(", ")
        );
    }
}

fn can_reach(args: &CanReachArgs) -> Result<u8> {
    let (port, protocol) = parse_port(&args.port)?;
    let (inventory, failed) = load(&args.paths, &args.live)?;
    let network = Network::build(&inventory);
    let from = endpoint(&network, &args.from, "--from")?;
    let to = endpoint(&network, &args.to, "--to")?;
    let decision: Decision = network
        .can_reach(from, to, &port, protocol)
        .map_err(|e| anyhow!("--port: {e}"))?;
    let port_text = match &port {
        PortQuery::Number(n) => n.to_string(),
        PortQuery::Name(name) => name.clone(),
    };
    let out = match args.format {
        NetpolFormat::Json => {
            let mut text = serde_json::to_string_pretty(&json!({
                "from": args.from,
                "to": args.to,
                "port": port_text,
                "protocol": protocol,
                "allowed": decision.allowed,
                "egress": side_json(&decision.egress),
                "ingress": side_json(&decision.ingress),
            }))?;
            text.push('\n');
            text
        }
        NetpolFormat::Text => {
            let mut text = String::new();
            let verdict = if decision.allowed {
                "ALLOWED"
            } else {
                "DENIED"
            };
            let _ = writeln!(
                text,
                "{verdict}: {} -> {} on {protocol}/{port_text}",
                args.from, args.to
            );
            side_text(&mut text, Direction::Egress, &args.from, &decision.egress);
            side_text(&mut text, Direction::Ingress, &args.to, &decision.ingress);
            text
        }
    };
    print!("{out}");
    Ok(if failed {
        EXIT_ERROR
    } else if decision.allowed {
        0
    } else {
        1
    })
}

fn matrix(args: &MatrixArgs) -> Result<u8> {
    let (inventory, failed) = load(&args.paths, &args.live)?;
    let network = Network::build(&inventory);
    if let Some(ns) = &args.namespace
        && network.workloads_in(ns).is_empty()
    {
        return Err(anyhow!("--namespace: no workload in namespace `{ns}`"));
    }
    let edges = network.matrix(args.namespace.as_deref());
    let workloads: Vec<usize> = (0..network.workloads.len())
        .filter(|&i| {
            args.namespace
                .as_deref()
                .is_none_or(|ns| network.workloads[i].namespace == ns)
        })
        .collect();
    let isolated = |i: usize, d: Direction| !network.isolating(i, d).is_empty();
    let mut out = String::new();
    match args.format {
        MatrixFormat::Json => {
            let report = json!({
                "workloads": workloads.iter().map(|&i| {
                    let w = &network.workloads[i];
                    json!({
                        "id": w.id(), "kind": w.kind, "namespace": w.namespace, "name": w.name,
                        "ingress_isolated": isolated(i, Direction::Ingress),
                        "egress_isolated": isolated(i, Direction::Egress),
                    })
                }).collect::<Vec<_>>(),
                "edges": edges.iter().map(|e| json!({
                    "from": network.workloads[e.from].id(),
                    "to": network.workloads[e.to].id(),
                    "ports": e.ports.labels(),
                })).collect::<Vec<_>>(),
            });
            out = serde_json::to_string_pretty(&report)?;
            out.push('\n');
        }
        MatrixFormat::Dot => {
            out.push_str("digraph netpol {\n  rankdir=LR;\n  node [shape=box];\n");
            let mut namespaces: Vec<&str> = network.namespaces().collect();
            namespaces.retain(|ns| !network.workloads_in(ns).is_empty());
            for (n, ns) in namespaces.iter().enumerate() {
                let _ = writeln!(out, "  subgraph cluster_{n} {{\n    label={};", quote(ns));
                for &i in network.workloads_in(ns) {
                    let w = &network.workloads[i];
                    let style = if isolated(i, Direction::Ingress) {
                        ""
                    } else {
                        " style=dashed"
                    };
                    let _ = writeln!(
                        out,
                        "    {} [label={}{style}];",
                        quote(&w.id()),
                        quote(&w.name)
                    );
                }
                out.push_str("  }\n");
            }
            for e in &edges {
                let _ = writeln!(
                    out,
                    "  {} -> {} [label={}];",
                    quote(&network.workloads[e.from].id()),
                    quote(&network.workloads[e.to].id()),
                    quote(&e.ports.to_string())
                );
            }
            out.push_str("}\n");
        }
        MatrixFormat::Text => {
            let _ = writeln!(
                out,
                "{} workload(s), {} NetworkPolicy object(s), {} allowed pair(s)\n",
                workloads.len(),
                network.policies.len(),
                edges.len()
            );
            let width = edges
                .iter()
                .map(|e| network.workloads[e.from].id().len())
                .max()
                .unwrap_or(4)
                .max(4);
            let to_width = edges
                .iter()
                .map(|e| network.workloads[e.to].id().len())
                .max()
                .unwrap_or(2)
                .max(2);
            let _ = writeln!(out, "{:<width$}  {:<to_width$}  PORTS", "FROM", "TO");
            for e in &edges {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<to_width$}  {}",
                    network.workloads[e.from].id(),
                    network.workloads[e.to].id(),
                    e.ports
                );
            }
            let open: Vec<String> = workloads
                .iter()
                .filter(|&&i| !isolated(i, Direction::Ingress))
                .map(|&i| network.workloads[i].id())
                .collect();
            if !open.is_empty() {
                let _ = writeln!(
                    out,
                    "\nNot isolated for ingress (reachable from every pod and address): {}",
                    open.join(", ")
                );
            }
        }
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => print!("{out}"),
    }
    Ok(if failed { EXIT_ERROR } else { 0 })
}

/// A DOT string literal.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn channel_name(channel: Channel) -> &'static str {
    match channel {
        Channel::Service => "service",
        Channel::Ingress => "ingress",
        Channel::Route => "route",
    }
}

fn exposure(args: &ExposureArgs) -> Result<u8> {
    let (inventory, failed) = load(&args.paths, &args.live)?;
    let network = Network::build(&inventory);
    let found = exposures(&inventory, &network);
    let out = match args.format {
        NetpolFormat::Json => {
            let items: Vec<Value> = found
                .iter()
                .map(|e| {
                    let location = e.via.location(&e.path);
                    json!({
                        "channel": channel_name(e.channel),
                        "via": {
                            "kind": e.via.kind(),
                            "namespace": e.via.namespace(),
                            "name": e.via.name(),
                            "path": e.path,
                            "file": location.file,
                            "line": location.line,
                        },
                        "entry": e.entry,
                        "service": {
                            "namespace": e.service_namespace,
                            "name": e.service_name,
                            "port": e.port,
                            "found": e.service_found,
                        },
                        "workloads": e.workloads.iter().map(|&i| json!({
                            "id": network.workloads[i].id(),
                            "kind": network.workloads[i].kind,
                            "ingress_isolated": !network.isolating(i, Direction::Ingress).is_empty(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&json!({ "exposures": items }))?;
            text.push('\n');
            text
        }
        NetpolFormat::Text => {
            let mut text = String::new();
            if found.is_empty() {
                text.push_str("Nothing is exposed outside the cluster.\n");
            }
            for e in &found {
                let via = match e.via.namespace() {
                    Some(ns) => format!("{} {ns}/{}", e.via.kind(), e.via.name()),
                    None => format!("{} {}", e.via.kind(), e.via.name()),
                };
                let port = e.port.as_deref().map_or(String::new(), |p| format!(":{p}"));
                let _ = writeln!(
                    text,
                    "{via} ({}) -> Service {}/{}{port}",
                    e.entry, e.service_namespace, e.service_name
                );
                if !e.service_found {
                    text.push_str("    the Service is not among the scanned objects\n");
                } else if e.workloads.is_empty() {
                    text.push_str("    the Service selects no scanned workload\n");
                }
                for &i in &e.workloads {
                    let w = &network.workloads[i];
                    let policy = if network.isolating(i, Direction::Ingress).is_empty() {
                        "not isolated for ingress"
                    } else {
                        "ingress limited by NetworkPolicy"
                    };
                    let _ = writeln!(text, "    {} {} ({policy})", w.kind, w.id());
                }
            }
            text
        }
    };
    print!("{out}");
    Ok(if failed { EXIT_ERROR } else { 0 })
}
