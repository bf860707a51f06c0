//! `palisade pss`: Pod Security Admission planning. For every pod-carrying object, the
//! strictest Pod Security level it satisfies and its violations per level; for every namespace,
//! the strictest level all its workloads satisfy, what its `enforce`/`audit`/`warn` labels
//! currently reject, and what each label change would reject.

use crate::EXIT_ERROR;
use crate::cli::{PssArgs, PssFormat};
use anyhow::{Context, Result};
use palisade_load::Limits;
use palisade_model::{Inventory, Object};
use palisade_rules::pss::{self, Level, Version, Violation};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

const MODES: [&str; 3] = ["enforce", "audit", "warn"];
const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

struct Assessed<'a> {
    object: &'a Object,
    level: Level,
    baseline: Vec<Violation>,
    restricted: Vec<Violation>,
}

impl Assessed<'_> {
    fn namespace(&self) -> &str {
        self.object.namespace().unwrap_or("")
    }
}

/// One `pod-security.kubernetes.io/<mode>` label with its version.
struct ModeLabel {
    mode: &'static str,
    level: Result<Level, String>,
    version: Result<Version, String>,
}

fn mode_labels(namespace: Option<&Object>) -> Vec<ModeLabel> {
    let Some(namespace) = namespace else {
        return Vec::new();
    };
    let labels = namespace.labels();
    MODES
        .iter()
        .filter_map(|&mode| {
            let level = labels.get(&format!("{LABEL_PREFIX}{mode}"))?.as_str()?;
            let version = labels
                .get(&format!("{LABEL_PREFIX}{mode}-version"))
                .and_then(palisade_model::Value::as_str)
                .unwrap_or("latest");
            Some(ModeLabel {
                mode,
                level: level
                    .parse::<Level>()
                    .map_err(|_| format!("invalid level `{level}`")),
                version: version
                    .parse::<Version>()
                    .map_err(|_| format!("invalid version `{version}`")),
            })
        })
        .collect()
}

fn object_json(object: &Object) -> Value {
    json!({
        "apiVersion": object.reference.api_version,
        "kind": object.kind(),
        "namespace": object.namespace(),
        "name": object.name(),
    })
}

fn violation_json(object: &Object, v: &Violation) -> Value {
    let location = object.location(&v.path);
    json!({
        "check": v.check,
        "path": v.path,
        "line": location.line,
        "reason": v.reason,
        "message": v.detail,
    })
}

fn describe(object: &Object) -> String {
    object.reference.to_string()
}

pub fn run(args: &PssArgs) -> Result<u8> {
    let version: Version = args.pss_version.parse().map_err(|_| {
        anyhow::anyhow!(
            "--pss-version: expected v1.N or latest, not `{}`",
            args.pss_version
        )
    })?;
    let inputs = crate::scan::inputs(&args.paths);
    let mut loaded = palisade_load::load(&inputs, &Limits::default());
    args.live.read_into(&mut loaded)?;
    let errors = loaded.errors.clone();
    let inventory = Inventory::new(loaded.objects);

    let assessed: Vec<Assessed<'_>> = inventory
        .objects()
        .iter()
        .filter_map(|object| {
            let workload = object.workload()?;
            let baseline = pss::evaluate(&workload, Level::Baseline, version);
            let restricted = pss::evaluate(&workload, Level::Restricted, version);
            let level = if restricted.is_empty() {
                Level::Restricted
            } else if baseline.is_empty() {
                Level::Baseline
            } else {
                Level::Privileged
            };
            Some(Assessed {
                object,
                level,
                baseline,
                restricted,
            })
        })
        .collect();

    // Namespaces: declared ones and those workloads name; "" stands for objects without one.
    let mut namespaces: BTreeMap<&str, Vec<&Assessed<'_>>> = BTreeMap::new();
    for ns in inventory.of_kind("Namespace") {
        namespaces.entry(ns.name()).or_default();
    }
    for a in &assessed {
        namespaces.entry(a.namespace()).or_default().push(a);
    }

    let mut out = String::new();
    match args.format {
        PssFormat::Json => {
            let objects: Vec<Value> = assessed
                .iter()
                .map(|a| {
                    let location = a.object.location("");
                    json!({
                        "object": object_json(a.object),
                        "location": {"file": location.file, "line": location.line},
                        "level": a.level,
                        "violations": {
                            "baseline": a.baseline.iter().map(|v| violation_json(a.object, v)).collect::<Vec<_>>(),
                            "restricted": a.restricted.iter().map(|v| violation_json(a.object, v)).collect::<Vec<_>>(),
                        },
                    })
                })
                .collect();
            let namespaces: Vec<Value> = namespaces
                .iter()
                .map(|(name, members)| namespace_json(&inventory, name, members, version))
                .collect();
            let report = json!({
                "schemaVersion": "1",
                "policyVersion": version.to_string(),
                "objects": objects,
                "namespaces": namespaces,
                "errors": errors,
            });
            out = serde_json::to_string_pretty(&report)?;
            out.push('\n');
        }
        PssFormat::Text => {
            let _ = writeln!(out, "Pod Security levels (policy version {version})\n");
            if assessed.is_empty() {
                out.push_str("No pod-carrying objects found.\n");
            }
            for a in &assessed {
                let location = a.object.location("");
                let _ = writeln!(
                    out,
                    "{:<10}  {}  {}:{}",
                    a.level.as_str(),
                    describe(a.object),
                    location.file,
                    location.line
                );
                for (level, violations) in
                    [("baseline", &a.baseline), ("restricted", &a.restricted)]
                {
                    for v in violations.iter() {
                        // Baseline violations also fail restricted; list them once.
                        if level == "restricted"
                            && a.baseline
                                .iter()
                                .any(|b| b.path == v.path && b.check == v.check)
                        {
                            continue;
                        }
                        let line = a.object.location(&v.path).line;
                        let _ = writeln!(
                            out,
                            "    {level:<10} {:<28} line {line:<5} {}",
                            v.check, v.detail
                        );
                    }
                }
            }
            let count = |level| assessed.iter().filter(|a| a.level == level).count();
            let _ = writeln!(
                out,
                "\n{} workloads: {} restricted, {} baseline, {} privileged",
                assessed.len(),
                count(Level::Restricted),
                count(Level::Baseline),
                count(Level::Privileged)
            );
            out.push_str("\nNamespaces (--format json lists every workload)\n");
            for (name, members) in &namespaces {
                write_namespace_text(&mut out, &inventory, name, members, version);
            }
            for error in &errors {
                let _ = writeln!(out, "error: {error}");
            }
        }
    }
    match &args.output {
        Some(path) => {
            std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?
        }
        None => print!("{out}"),
    }
    Ok(if errors.is_empty() { 0 } else { EXIT_ERROR })
}

fn strictest(members: &[&Assessed<'_>]) -> Level {
    members
        .iter()
        .map(|a| a.level)
        .min()
        .unwrap_or(Level::Restricted)
}

/// Objects that `level` at `version` would reject.
fn rejected<'a>(
    members: &[&'a Assessed<'a>],
    level: Level,
    version: Version,
    default: Version,
) -> Vec<&'a Object> {
    members
        .iter()
        .filter(|a| {
            if version == default {
                match level {
                    Level::Privileged => false,
                    Level::Baseline => !a.baseline.is_empty(),
                    Level::Restricted => !a.restricted.is_empty(),
                }
            } else {
                a.object
                    .workload()
                    .is_some_and(|w| !pss::evaluate(&w, level, version).is_empty())
            }
        })
        .map(|a| a.object)
        .collect()
}

fn namespace_json(
    inventory: &Inventory,
    name: &str,
    members: &[&Assessed<'_>],
    version: Version,
) -> Value {
    let declared = inventory.get("Namespace", None, name);
    let labels: serde_json::Map<String, Value> = declared
        .map(|ns| {
            ns.labels()
                .iter()
                .filter(|(k, _)| k.starts_with(LABEL_PREFIX))
                .map(|(k, v)| (k.to_string(), v.to_json()))
                .collect()
        })
        .unwrap_or_default();
    let mut rejected_by = serde_json::Map::new();
    for level in [Level::Baseline, Level::Restricted] {
        let objects = rejected(members, level, version, version);
        rejected_by.insert(
            level.as_str().to_string(),
            objects.iter().map(|o| object_json(o)).collect(),
        );
    }
    let current: Vec<Value> = mode_labels(declared)
        .iter()
        .map(|label| match (&label.level, &label.version) {
            (Ok(level), Ok(v)) => json!({
                "mode": label.mode, "level": level, "version": v.to_string(),
                "rejects": rejected(members, *level, *v, version).iter().map(|o| object_json(o)).collect::<Vec<_>>(),
            }),
            (Err(e), _) | (_, Err(e)) => json!({"mode": label.mode, "error": e}),
        })
        .collect();
    json!({
        "name": if name.is_empty() { Value::Null } else { Value::from(name) },
        "declared": declared.is_some(),
        "workloads": members.len(),
        "level": strictest(members),
        "labels": labels,
        "current": current,
        "rejected_by": rejected_by,
    })
}

/// Workloads named in text output per line; the JSON output lists them all.
const LISTED: usize = 8;

fn list(objects: &[&Object], of: usize) -> String {
    if objects.is_empty() {
        return "nothing".into();
    }
    let mut names = objects
        .iter()
        .take(LISTED)
        .map(|o| format!("{} {}", o.kind(), o.name()))
        .collect::<Vec<_>>()
        .join(", ");
    if objects.len() > LISTED {
        names.push_str(&format!(", and {} more", objects.len() - LISTED));
    }
    format!("{} of {of}: {names}", objects.len())
}

fn write_namespace_text(
    out: &mut String,
    inventory: &Inventory,
    name: &str,
    members: &[&Assessed<'_>],
    version: Version,
) {
    let declared = inventory.get("Namespace", None, name);
    let shown = if name.is_empty() {
        "(no namespace set)"
    } else {
        name
    };
    let _ = writeln!(
        out,
        "  {shown}: {} workload(s); the strictest level all of them satisfy is {}",
        members.len(),
        strictest(members)
    );
    let labels = mode_labels(declared);
    if declared.is_none() && !name.is_empty() {
        let _ = writeln!(
            out,
            "    the Namespace object is not in the input: its labels are unknown"
        );
    } else if labels.is_empty() && !name.is_empty() {
        let _ = writeln!(
            out,
            "    no pod-security.kubernetes.io labels: nothing is enforced"
        );
    }
    for label in &labels {
        match (&label.level, &label.version) {
            (Ok(level), Ok(v)) => {
                let _ = writeln!(
                    out,
                    "    {}={} ({}) currently rejects: {}",
                    label.mode,
                    level,
                    v,
                    list(&rejected(members, *level, *v, version), members.len())
                );
            }
            (Err(e), _) | (_, Err(e)) => {
                let _ = writeln!(out, "    {} label: {e}", label.mode);
            }
        }
    }
    for level in [Level::Baseline, Level::Restricted] {
        let _ = writeln!(
            out,
            "    enforce={level} ({version}) would reject: {}",
            list(&rejected(members, level, version, version), members.len())
        );
    }
}
