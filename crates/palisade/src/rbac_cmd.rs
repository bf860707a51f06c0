//! `palisade rbac`: questions about the effective RBAC permissions of the scanned objects:
//! who can make a request, what one subject can do, and how subjects reach cluster-admin.

use anyhow::{Context, Result, bail};
use palisade_load::Limits;
use palisade_model::Inventory;
use palisade_rules::rbac::paths::Graph;
use palisade_rules::rbac::risk::classify;
use palisade_rules::rbac::{Model, Request, Scope, Subject, defaults};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

const RBAC_EXAMPLES: &str = "\
Examples:
  palisade rbac who-can get secrets ./deploy -n prod
  palisade rbac who-can create pods/exec ./deploy
  palisade rbac can sa:shop/web ./deploy
  palisade rbac paths ./deploy --format json
  kubectl get roles,clusterroles,rolebindings,clusterrolebindings -A -o yaml | palisade rbac paths -";

#[derive(Debug, clap::Args)]
#[command(after_help = RBAC_EXAMPLES)]
pub struct RbacArgs {
    #[command(subcommand)]
    pub command: RbacCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RbacFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RbacFormat::Text)]
    pub format: RbacFormat,

    #[command(flatten)]
    pub live: crate::cluster_args::ClusterWideArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum RbacCommand {
    /// Every subject allowed to make a request, with the bindings and roles that allow it.
    WhoCan {
        /// Verb: get, list, watch, create, update, patch, delete, impersonate, ...
        verb: String,
        /// Resource (`secrets`, `deployments.apps`, `pods/exec`) or a non-resource URL
        /// starting with `/`.
        resource: String,
        /// Files or folders to read; `-` reads standard input.
        #[arg(value_name = "PATH", required_unless_present = "cluster")]
        paths: Vec<PathBuf>,
        /// Namespace of the request; without it, RoleBindings of every namespace count for
        /// their own namespace.
        #[arg(short, long)]
        namespace: Option<String>,
        /// Name of the object (matches `resourceNames`).
        #[arg(long)]
        name: Option<String>,
        /// Subresource (`exec`, `status`); also accepted as `pods/exec`.
        #[arg(long)]
        subresource: Option<String>,
        /// API group of the resource (`apps`); also accepted as `deployments.apps`.
        #[arg(long)]
        group: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Everything a subject can do, by namespace, with risky permissions marked.
    Can {
        /// `user:NAME`, `group:NAME` or `sa:NAMESPACE/NAME`.
        subject: String,
        /// Files or folders to read; `-` reads standard input.
        #[arg(value_name = "PATH", required_unless_present = "cluster")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Escalation paths to cluster-admin equivalence, step by step.
    Paths {
        /// Files or folders to read (`-` reads standard input), optionally preceded by one
        /// subject (`user:NAME`, `group:NAME`, `sa:NAMESPACE/NAME`) to trace.
        #[arg(value_name = "[SUBJECT] PATH", required_unless_present = "cluster")]
        args: Vec<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
}

fn load(
    paths: &[PathBuf],
    live: &crate::cluster_args::ClusterWideArgs,
) -> Result<(Inventory, Vec<String>)> {
    let inputs = crate::scan::inputs(paths);
    let mut loaded = palisade_load::load(&inputs, &Limits::default());
    live.read_into(&mut loaded)?;
    let errors = loaded.errors.iter().map(ToString::to_string).collect();
    Ok((Inventory::new(loaded.objects), errors))
}

fn defaults_note(model: &Model<'_>) -> Option<String> {
    (!model.defaults_used.is_empty()).then(|| {
        format!(
            "built-in definitions (Kubernetes {}) used for default ClusterRoles missing from \
             the input: {}",
            defaults::KUBERNETES_VERSION,
            model.defaults_used.join(", ")
        )
    })
}

fn subject_json(subject: &Subject) -> Value {
    let mut value = json!({"kind": subject.kind.as_str(), "name": subject.name});
    if let Some(ns) = &subject.namespace {
        value["namespace"] = json!(ns);
    }
    value
}

fn finish(out: String, errors: &[String]) -> Result<u8> {
    print!("{out}");
    for error in errors {
        eprintln!("palisade: error: {error}");
    }
    Ok(if errors.is_empty() {
        0
    } else {
        crate::EXIT_ERROR
    })
}

/// Parse `pods/exec`, `deployments.apps`, `deployments.apps/scale` into a request.
fn request(
    verb: &str,
    resource: &str,
    group: Option<&str>,
    subresource: Option<&str>,
) -> Result<Request> {
    if resource.starts_with('/') {
        return Ok(Request::non_resource(verb, resource));
    }
    let (resource, sub) = match resource.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (resource, None),
    };
    let (resource, dotted_group) = match resource.split_once('.') {
        Some((r, g)) => (r, Some(g)),
        None => (resource, None),
    };
    let group = group.or(dotted_group).unwrap_or("");
    let sub = subresource.or(sub);
    if resource.is_empty() {
        bail!("empty resource");
    }
    let combined = match sub {
        Some(s) => format!("{resource}/{s}"),
        None => resource.to_string(),
    };
    Ok(Request::resource(verb, group, &combined))
}

pub fn run(args: &RbacArgs) -> Result<u8> {
    match &args.command {
        RbacCommand::WhoCan {
            verb,
            resource,
            paths,
            namespace,
            name,
            subresource,
            group,
            common,
        } => {
            let mut req = request(verb, resource, group.as_deref(), subresource.as_deref())?;
            req.namespace = namespace.clone();
            req.name = name.clone();
            let (inventory, errors) = load(paths, &common.live)?;
            let model = Model::build(&inventory);
            let allowed = model.who_can(&req);
            let mut out = String::new();
            let what = match &req.non_resource_url {
                Some(url) => format!("{} {url}", req.verb),
                None => {
                    let group = if req.api_group.is_empty() {
                        String::new()
                    } else {
                        format!(".{}", req.api_group)
                    };
                    let mut text = format!("{} {}{group}", req.verb, req.combined_resource());
                    if let Some(name) = &req.name {
                        let _ = write!(text, " named {name}");
                    }
                    if let Some(ns) = &req.namespace {
                        let _ = write!(text, " in namespace {ns}");
                    }
                    text
                }
            };
            match common.format {
                RbacFormat::Json => {
                    let subjects: Vec<Value> = allowed
                        .iter()
                        .map(|a| {
                            let mut value = subject_json(&a.subject);
                            value["scope"] = json!(a.scope.as_str());
                            value["via"] = a
                                .via
                                .iter()
                                .map(|v| json!({"binding": v.binding, "role": v.role}))
                                .collect();
                            value
                        })
                        .collect();
                    let report = json!({
                        "request": what,
                        "subjects": subjects,
                        "defaultsUsed": model.defaults_used,
                        "errors": errors,
                    });
                    out = serde_json::to_string_pretty(&report)?;
                    out.push('\n');
                }
                RbacFormat::Text => {
                    let _ = writeln!(out, "Who can {what}:");
                    for a in &allowed {
                        let _ = writeln!(out, "  {}  [{}]", a.subject.display(), a.scope.as_str());
                        for via in &a.via {
                            match &via.binding {
                                Some(b) => {
                                    let _ = writeln!(out, "      via {b} → {}", via.role);
                                }
                                None => {
                                    let _ = writeln!(out, "      {}", via.role);
                                }
                            }
                        }
                    }
                    if let Some(note) = defaults_note(&model) {
                        let _ = writeln!(out, "\nnote: {note}");
                    }
                }
            }
            finish(out, &errors)
        }
        RbacCommand::Can {
            subject,
            paths,
            common,
        } => {
            let subject = Subject::parse(subject).map_err(anyhow::Error::msg)?;
            let (inventory, errors) = load(paths, &common.live)?;
            let model = Model::build(&inventory);
            let out = can(&model, &subject, common.format)?;
            finish(out, &errors)
        }
        RbacCommand::Paths { args, common } => {
            let (subject, paths) = match args.split_first() {
                Some((first, rest)) if !is_path(first) && Subject::parse(first).is_ok() => {
                    (Subject::parse(first).ok(), rest.to_vec())
                }
                _ => (None, args.clone()),
            };
            if paths.is_empty() && !common.live.cluster {
                bail!("no input: give files or folders to read, or `-` for standard input");
            }
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            let (inventory, errors) = load(&paths, &common.live)?;
            let model = Model::build(&inventory);
            let out = escalation_paths(&model, subject.as_ref(), common.format)?;
            finish(out, &errors)
        }
    }
}

fn is_path(text: &str) -> bool {
    text == "-" || std::path::Path::new(text).exists()
}

fn can(model: &Model<'_>, subject: &Subject, format: RbacFormat) -> Result<String> {
    let identity = subject.identity();
    let mut by_scope: BTreeMap<Scope, Vec<Value>> = BTreeMap::new();
    let mut text_rows: BTreeMap<Scope, Vec<String>> = BTreeMap::new();
    for grant in model.grants(&identity) {
        let rule = model.rule_of(&grant);
        let risks: Vec<&str> = classify(rule).iter().map(|h| h.risk.label()).collect();
        let binding = model.bindings[grant.binding].display();
        let role = model.roles[grant.role].display();
        by_scope
            .entry(grant.scope.clone())
            .or_default()
            .push(json!({
                "rule": rule,
                "binding": binding,
                "role": role,
                "risky": risks,
            }));
        let mark = if risks.is_empty() {
            "   ".to_string()
        } else {
            " ! ".to_string()
        };
        let risk_text = if risks.is_empty() {
            String::new()
        } else {
            format!("  [{}]", risks.join("; "))
        };
        text_rows
            .entry(grant.scope.clone())
            .or_default()
            .push(format!(
                "{mark}{}{risk_text}\n        via {binding} → {role}",
                rule.describe()
            ));
    }
    let master = identity.is_master();
    let mut out = String::new();
    match format {
        RbacFormat::Json => {
            let scopes: Vec<Value> = by_scope
                .into_iter()
                .map(|(scope, rules)| json!({"scope": scope.as_str(), "rules": rules}))
                .collect();
            let report = json!({
                "subject": subject_json(subject),
                "groups": identity.groups,
                "superuser": master,
                "permissions": scopes,
                "defaultsUsed": model.defaults_used,
            });
            out = serde_json::to_string_pretty(&report)?;
            out.push('\n');
        }
        RbacFormat::Text => {
            let _ = writeln!(
                out,
                "{} (groups: {})",
                subject.display(),
                identity.groups.join(", ")
            );
            if master {
                out.push_str(
                    "  member of system:masters: every request is allowed, whatever RBAC says\n",
                );
            }
            if text_rows.is_empty() && !master {
                out.push_str("  no scanned binding grants it anything\n");
            }
            for (scope, rows) in &text_rows {
                let title = match scope {
                    Scope::Cluster => "cluster-wide (all namespaces)".to_string(),
                    Scope::Namespace(ns) => format!("namespace {ns}"),
                };
                let _ = writeln!(out, "\n{title}:");
                for row in rows {
                    let _ = writeln!(out, "  {row}");
                }
            }
            out.push_str("\n! marks risky permissions\n");
            if let Some(note) = defaults_note(model) {
                let _ = writeln!(out, "note: {note}");
            }
        }
    }
    Ok(out)
}

fn escalation_paths(
    model: &Model<'_>,
    subject: Option<&Subject>,
    format: RbacFormat,
) -> Result<String> {
    let mut graph = Graph::build(model);
    let subjects = match subject {
        Some(s) => vec![s.clone()],
        None => graph.subjects(),
    };
    let mut found = Vec::new();
    let mut admins = Vec::new();
    for s in &subjects {
        if let Some(path) = graph.shortest_path(s) {
            if path.steps.len() == 1 && subject.is_none() {
                admins.push(path);
            } else {
                found.push(path);
            }
        }
    }
    let mut out = String::new();
    match format {
        RbacFormat::Json => {
            let report = json!({
                "admins": admins,
                "paths": found,
                "defaultsUsed": model.defaults_used,
            });
            out = serde_json::to_string_pretty(&report).context("cannot render JSON")?;
            out.push('\n');
        }
        RbacFormat::Text => {
            if subject.is_none() {
                let _ = writeln!(out, "Cluster-admin equivalent ({}):", admins.len());
                for path in &admins {
                    if let Some(step) = path.steps.first() {
                        let _ = writeln!(
                            out,
                            "  {}: {}{}",
                            path.subject.display(),
                            step.action,
                            step.via
                                .as_ref()
                                .map(|v| format!(" ({v})"))
                                .unwrap_or_default()
                        );
                    }
                }
                let _ = writeln!(
                    out,
                    "\nEscalation paths to cluster-admin ({}):",
                    found.len()
                );
            }
            if found.is_empty() && subject.is_some() {
                out.push_str("No escalation path to cluster-admin found.\n");
            }
            for path in &found {
                let _ = writeln!(
                    out,
                    "\n{} reaches cluster-admin in {} step(s):",
                    path.subject.display(),
                    path.steps.len()
                );
                for (i, step) in path.steps.iter().enumerate() {
                    let _ = writeln!(out, "  {}. {} {}", i + 1, step.from.display(), step.action);
                    if let Some(via) = &step.via {
                        let _ = writeln!(out, "     allowed by {via}");
                    }
                }
            }
            if let Some(note) = defaults_note(model) {
                let _ = writeln!(out, "\nnote: {note}");
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse() {
        let r = request("create", "pods/exec", None, None).unwrap_or_default();
        assert_eq!(
            (r.resource.as_str(), r.subresource.as_str()),
            ("pods", "exec")
        );
        let r = request("update", "deployments.apps", None, Some("scale")).unwrap_or_default();
        assert_eq!(r.api_group, "apps");
        assert_eq!(r.combined_resource(), "deployments/scale");
        let r = request("get", "/healthz", None, None).unwrap_or_default();
        assert_eq!(r.non_resource_url.as_deref(), Some("/healthz"));
    }
}
