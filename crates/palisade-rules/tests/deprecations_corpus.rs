//! Conformance of the API currency pack against public data: the deprecation table of
//! Fairwinds' pluto (`versions.yaml`) and the per-API fixtures of doitintl's kube-no-trouble.
//! Skipped with a message when `../shared/corpus/deprecations` is absent.

use palisade_model::Inventory;
use palisade_rules::Rule;
use palisade_rules::engine::{Context, check_with};
use palisade_rules::packs::deprecations::deprecated_api::DeprecatedApi;
use palisade_rules::packs::deprecations::removed_api::RemovedApi;
use palisade_rules::packs::deprecations::table::{self, Deprecation, NEWEST_MINOR};
use serde::Deserialize;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/deprecations"
);

fn corpus(relative: &str) -> Option<PathBuf> {
    let path = Path::new(CORPUS).join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

#[derive(Deserialize)]
struct Versions {
    #[serde(rename = "deprecated-versions")]
    deprecated_versions: Vec<PlutoEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct PlutoEntry {
    version: String,
    kind: String,
    #[serde(default)]
    deprecated_in: String,
    #[serde(default)]
    removed_in: String,
    #[serde(default)]
    replacement_api: String,
    #[serde(default)]
    replacement_available_in: String,
    component: String,
}

/// `v1.22.0` to 22; empty to `None`.
fn minor(version: &str) -> Option<u32> {
    let version = version.trim();
    if version.is_empty() {
        return None;
    }
    let rest = version.strip_prefix("v1.")?;
    rest.split('.').next()?.parse().ok()
}

/// Where our table deliberately disagrees with pluto, and why.
struct Difference {
    api_version: &'static str,
    kind: &'static str,
    /// pluto's (deprecated-in, removed-in).
    pluto: (Option<u32>, Option<u32>),
    why: &'static str,
}

const DIFFERENCES: &[Difference] = &[
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kind: "FlowControl",
        pluto: (Some(23), Some(26)),
        why: "no such kind: the group's kinds are FlowSchema and PriorityLevelConfiguration, \
              listed with these versions",
    },
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kind: "FlowSchema",
        pluto: (Some(24), Some(29)),
        why: "v1beta1 was deprecated in 1.23 when v1beta2 shipped and stopped being served in \
              1.26 (deprecation guide, v1.26 section)",
    },
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kind: "PriorityLevelConfiguration",
        pluto: (Some(24), Some(29)),
        why: "as for FlowSchema: deprecated in 1.23, removed in 1.26",
    },
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta2",
        kind: "FlowSchema",
        pluto: (Some(24), Some(29)),
        why: "v1beta2 was deprecated in 1.26 when v1beta3 shipped (it was the newest version \
              until then)",
    },
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta2",
        kind: "PriorityLevelConfiguration",
        pluto: (Some(24), Some(29)),
        why: "as for FlowSchema: deprecated in 1.26",
    },
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta3",
        kind: "FlowSchema",
        pluto: (Some(24), Some(32)),
        why: "v1beta3 only appeared in 1.26 and was deprecated in 1.29 when v1 shipped",
    },
    Difference {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta3",
        kind: "PriorityLevelConfiguration",
        pluto: (Some(31), Some(32)),
        why: "deprecated in 1.29 together with FlowSchema, when v1 shipped",
    },
    Difference {
        api_version: "extensions/v1beta1",
        kind: "ReplicaSet",
        pluto: (None, Some(16)),
        why: "pluto leaves deprecated-in empty; the workload kinds of extensions/v1beta1 and \
              the apps betas were deprecated together in 1.9, when apps/v1 shipped",
    },
    Difference {
        api_version: "apps/v1beta1",
        kind: "ReplicaSet",
        pluto: (None, Some(16)),
        why: "as for extensions/v1beta1 ReplicaSet",
    },
    Difference {
        api_version: "apps/v1beta2",
        kind: "ReplicaSet",
        pluto: (None, Some(16)),
        why: "as for extensions/v1beta1 ReplicaSet",
    },
];

#[test]
fn table_agrees_with_pluto() {
    let Some(path) = corpus("pluto/versions.yaml") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    // The file is not a Kubernetes object: the manifest loader turns it into a notice.
    let loaded = palisade_load::parse_source(
        &text,
        path.display().to_string().into(),
        &palisade_load::Limits::default(),
    );
    assert!(loaded.objects.is_empty());
    let versions: Versions = serde_saphyr::from_str(&text).expect("pluto's versions.yaml parses");

    let mut problems = Vec::new();
    let mut checked = 0;
    let mut used_differences = Vec::new();
    for entry in versions
        .deprecated_versions
        .iter()
        .filter(|e| e.component == "k8s")
    {
        let pluto = (minor(&entry.deprecated_in), minor(&entry.removed_in));
        if pluto == (None, None) {
            continue;
        }
        checked += 1;
        if let Some(difference) = DIFFERENCES
            .iter()
            .find(|d| d.api_version == entry.version && d.kind == entry.kind)
        {
            assert!(!difference.why.is_empty());
            if difference.pluto != pluto {
                problems.push(format!(
                    "{} {}: pluto now says {pluto:?}, the documented difference expects {:?}",
                    entry.version, entry.kind, difference.pluto
                ));
            }
            used_differences.push((difference.api_version, difference.kind));
            continue;
        }
        let Some(ours) = table::find(&entry.version, &entry.kind) else {
            problems.push(format!(
                "{} {}: missing from our table",
                entry.version, entry.kind
            ));
            continue;
        };
        if (Some(ours.deprecated_in), ours.removed_in) != pluto {
            problems.push(format!(
                "{} {}: ours deprecated 1.{} removed {:?}, pluto {pluto:?}",
                entry.version, entry.kind, ours.deprecated_in, ours.removed_in
            ));
        }
        // Where pluto dates the replacement it names, we agree on the date.
        if let Some(since) = minor(&entry.replacement_available_in)
            && let Some(replacement) = ours
                .replacements
                .iter()
                .find(|r| r.api_version == entry.replacement_api)
            && replacement.since != since
        {
            problems.push(format!(
                "{} {}: replacement {} served since 1.{}, pluto says 1.{since}",
                entry.version, entry.kind, entry.replacement_api, replacement.since
            ));
        }
    }
    for difference in DIFFERENCES {
        if !used_differences.contains(&(difference.api_version, difference.kind)) {
            problems.push(format!(
                "documented difference {} {} no longer matches a pluto entry",
                difference.api_version, difference.kind
            ));
        }
        // The corrected entries exist in our table (except the kind that does not exist).
        if difference.kind != "FlowControl"
            && table::find(difference.api_version, difference.kind).is_none()
        {
            problems.push(format!(
                "{} {}: documented but missing from our table",
                difference.api_version, difference.kind
            ));
        }
    }
    assert!(checked > 80, "only {checked} k8s entries in pluto's table");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// API groups of add-ons whose versions follow the add-on's releases, not Kubernetes'; the
/// table leaves them out on purpose.
const ADD_ON_GROUPS: &[&str] = &["cert-manager.io", "snapshot.storage.k8s.io"];

fn is_prerelease(api_version: &str) -> bool {
    let version = api_version.rsplit('/').next().unwrap_or(api_version);
    version.contains("alpha") || version.contains("beta")
}

fn context(target: u32) -> Context {
    Context {
        kubernetes_minor: Some(target),
        ..Context::default()
    }
}

#[test]
fn kube_no_trouble_fixtures() {
    let Some(folder) = corpus("kube-no-trouble/fixtures") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("fixtures folder is readable")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            (name.ends_with(".yaml") || name.ends_with(".json")) && !name.starts_with("expected-")
        })
        .collect();
    files.sort();

    let rules: [&'static dyn Rule; 2] = [&RemovedApi, &DeprecatedApi];
    let mut problems = Vec::new();
    let (mut deprecated, mut current, mut add_ons) = (0, 0, 0);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let loaded =
            palisade_load::parse_source(&text, name.into(), &palisade_load::Limits::default());
        for error in &loaded.errors {
            problems.push(format!("{name}: load error: {error}"));
        }
        if loaded.objects.is_empty() {
            problems.push(format!("{name}: no objects"));
        }
        for object in loaded.objects {
            let reference = object.reference.clone();
            let add_on = ADD_ON_GROUPS.contains(&object.api_group());
            let entry: Option<&Deprecation> = table::find(&reference.api_version, &reference.kind);
            let inventory = Inventory::new(vec![object]);
            let at_newest = check_with(&inventory, &rules, &context(NEWEST_MINOR));
            let codes: Vec<&str> = at_newest.iter().map(|f| f.rule.code).collect();
            if add_on {
                add_ons += 1;
                if !codes.is_empty() {
                    problems.push(format!(
                        "{name}: {reference}: add-on API reported {codes:?}"
                    ));
                }
                continue;
            }
            if !is_prerelease(&reference.api_version) {
                current += 1;
                if !codes.is_empty() {
                    problems.push(format!(
                        "{name}: {reference}: current API reported {codes:?}"
                    ));
                }
                continue;
            }
            deprecated += 1;
            let Some(entry) = entry else {
                problems.push(format!("{name}: {reference}: not in our table"));
                continue;
            };
            let Some(removed) = entry.removed_in else {
                problems.push(format!("{name}: {reference}: no removal version"));
                continue;
            };
            if codes != ["DP001"] {
                problems.push(format!(
                    "{name}: {reference}: expected DP001 at 1.{NEWEST_MINOR}, got {codes:?}"
                ));
            }
            let at_removal = check_with(&inventory, &rules, &context(removed));
            let codes: Vec<&str> = at_removal.iter().map(|f| f.rule.code).collect();
            if codes != ["DP001"] {
                problems.push(format!(
                    "{name}: {reference}: expected DP001 at 1.{removed}, got {codes:?}"
                ));
            }
            if entry.deprecated_in < removed {
                let before = check_with(&inventory, &rules, &context(removed - 1));
                let codes: Vec<&str> = before.iter().map(|f| f.rule.code).collect();
                if codes != ["DP002"] {
                    problems.push(format!(
                        "{name}: {reference}: expected DP002 at 1.{}, got {codes:?}",
                        removed - 1
                    ));
                }
            }
        }
    }
    eprintln!(
        "kube-no-trouble: {} files, {deprecated} deprecated objects, {current} current, \
         {add_ons} add-on objects",
        files.len()
    );
    assert!(deprecated >= 40, "only {deprecated} deprecated objects");
    assert!(current > 0);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
