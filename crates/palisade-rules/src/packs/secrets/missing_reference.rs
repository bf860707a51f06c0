//! SE004: a pod references a Secret or ConfigMap that the scanned manifests do not define.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Container, Inventory, Object, Workload};
use std::collections::HashSet;

pub struct MissingReference;

pub static META: RuleMeta = RuleMeta {
    code: "SE004",
    name: "missing-reference",
    pack: Pack::Secrets,
    severity: Severity::Info,
    kinds: &["<workload>"],
    summary: "A pod references a Secret or ConfigMap that is not in the scanned manifests of \
        its namespace.",
    rationale: "A missing Secret or ConfigMap keeps the pod from starting \
        (`CreateContainerConfigError`, or a volume that never mounts) or, for an image pull \
        secret, from pulling a private image; a typo in a name shows up only at deploy time. \
        References read: `env[].valueFrom.secretKeyRef` and `configMapKeyRef`, \
        `envFrom[].secretRef` and `configMapRef`, `secret` and `configMap` volumes and the \
        sources of `projected` volumes, and `imagePullSecrets`. Whether the manifests are \
        expected to hold the namespace's Secrets and ConfigMaps is decided per namespace: \
        the rule runs only for namespaces where the inventory has at least one Secret or \
        ConfigMap, or the Namespace object itself; objects without a namespace are compared \
        with other objects without one. A Secret counts as present when an ExternalSecret \
        (`spec.target.name`, else its name), a SealedSecret or a cert-manager Certificate \
        (`spec.secretName`) in the namespace produces it. Not reported: references marked \
        `optional: true`, and `kube-root-ca.crt` and `openshift-service-ca.crt`, which the \
        cluster creates in every namespace. Limits: Secrets created by other controllers or \
        out of band are reported, and CSI, `cephfs`, `rbd` and other volume secret references \
        are not read.",
    remediation: "Add the missing Secret or ConfigMap to the manifests (or the ExternalSecret \
        or SealedSecret that creates it), fix the name if it is a typo, or mark the reference \
        `optional: true` if the pod can run without it.",
    bad_example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: registry.example/api:2.3.1\n        envFrom:\n        - configMapRef:\n            name: api-confg\n",
    good_example: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: registry.example/api:2.3.1\n        envFrom:\n        - configMapRef:\n            name: api-config\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Secrets (using Secrets, optional Secrets)",
            url: "https://kubernetes.io/docs/concepts/configuration/secret/",
        },
        Reference {
            title: "Kubernetes documentation: ConfigMaps",
            url: "https://kubernetes.io/docs/concepts/configuration/configmap/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Secrets",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "OWASP Secrets Management Cheat Sheet",
            url: "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
        },
    ],
};

/// ConfigMaps the cluster creates in every namespace.
const CLUSTER_CONFIG_MAPS: [&str; 2] = ["kube-root-ca.crt", "openshift-service-ca.crt"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Secret,
    ConfigMap,
}

impl Target {
    fn kind(self) -> &'static str {
        match self {
            Self::Secret => "Secret",
            Self::ConfigMap => "ConfigMap",
        }
    }
}

/// One reference of a pod to a Secret or ConfigMap.
struct Use<'w> {
    target: Target,
    name: &'w str,
    site: Site<'w>,
}

/// Where a pod refers to a Secret or ConfigMap. Most references resolve, so the pointer and
/// the words for a message are made only for one that is reported.
#[derive(Clone, Copy)]
enum Site<'w> {
    /// `env[index].valueFrom.<field>` (`secretKeyRef`, `configMapKeyRef`) of a container.
    Env {
        container: &'w Container<'w>,
        index: usize,
        field: &'static str,
        variable: &'w str,
    },
    /// `envFrom[index].<field>` (`secretRef`, `configMapRef`) of a container.
    EnvFrom {
        container: &'w Container<'w>,
        index: usize,
        field: &'static str,
    },
    /// `volumes[index]`, named `name`.
    Volume {
        index: usize,
        name: &'w str,
        source: VolumeSource,
    },
    /// `imagePullSecrets[index]`.
    PullSecret { index: usize },
}

#[derive(Clone, Copy)]
enum VolumeSource {
    Secret,
    ConfigMap,
    /// `projected.sources[index].<field>` (`secret`, `configMap`).
    Projected {
        index: usize,
        field: &'static str,
    },
}

impl Site<'_> {
    /// The pointer to the name that refers.
    fn path(&self, workload: &Workload<'_>) -> String {
        match self {
            Self::Env {
                container,
                index,
                field,
                ..
            } => format!("{}/env/{index}/valueFrom/{field}/name", container.path),
            Self::EnvFrom {
                container,
                index,
                field,
            } => format!("{}/envFrom/{index}/{field}/name", container.path),
            Self::Volume { index, source, .. } => {
                let base = format!("{}/volumes/{index}", workload.pod_spec_path);
                match source {
                    VolumeSource::Secret => format!("{base}/secret/secretName"),
                    VolumeSource::ConfigMap => format!("{base}/configMap/name"),
                    VolumeSource::Projected { index, field } => {
                        format!("{base}/projected/sources/{index}/{field}/name")
                    }
                }
            }
            Self::PullSecret { index } => {
                format!("{}/imagePullSecrets/{index}/name", workload.pod_spec_path)
            }
        }
    }

    /// What refers: "env `DB_PASSWORD` of container `api`", "volume `certs`".
    fn by(&self) -> String {
        match self {
            Self::Env {
                container,
                variable,
                ..
            } => format!("env `{variable}` of {}", container.describe()),
            Self::EnvFrom { container, .. } => format!("`envFrom` of {}", container.describe()),
            Self::Volume { name, .. } => format!("volume `{name}`"),
            Self::PullSecret { .. } => "`imagePullSecrets`".to_string(),
        }
    }

    fn container(&self) -> Option<&str> {
        match self {
            Self::Env { container, .. } | Self::EnvFrom { container, .. } => Some(container.name),
            Self::Volume { .. } | Self::PullSecret { .. } => None,
        }
    }
}

fn optional(reference: &Value) -> bool {
    reference.get("optional") == Some(&Value::Bool(true))
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Every required reference of a pod spec.
fn uses<'w>(workload: &'w Workload<'w>) -> Vec<Use<'w>> {
    let mut found = Vec::new();
    let mut add = |target, reference: &'w Value, key: &str, site| {
        if let Some(name) = str_of(reference, key)
            && !optional(reference)
        {
            found.push(Use { target, name, site });
        }
    };
    for container in &workload.containers {
        let env = container.spec.get("env").and_then(Value::as_array);
        for (index, entry) in env.into_iter().flatten().enumerate() {
            let variable = entry.get("name").and_then(Value::as_str).unwrap_or("");
            for (field, target) in [
                ("secretKeyRef", Target::Secret),
                ("configMapKeyRef", Target::ConfigMap),
            ] {
                if let Some(reference) = entry.get("valueFrom").and_then(|v| v.get(field)) {
                    let site = Site::Env {
                        container,
                        index,
                        field,
                        variable,
                    };
                    add(target, reference, "name", site);
                }
            }
        }
        let env_from = container.spec.get("envFrom").and_then(Value::as_array);
        for (index, entry) in env_from.into_iter().flatten().enumerate() {
            for (field, target) in [
                ("secretRef", Target::Secret),
                ("configMapRef", Target::ConfigMap),
            ] {
                if let Some(reference) = entry.get(field) {
                    let site = Site::EnvFrom {
                        container,
                        index,
                        field,
                    };
                    add(target, reference, "name", site);
                }
            }
        }
    }
    let volumes = workload.pod_spec.get("volumes").and_then(Value::as_array);
    for (index, volume) in volumes.into_iter().flatten().enumerate() {
        let name = volume.get("name").and_then(Value::as_str).unwrap_or("");
        let site = |source| Site::Volume {
            index,
            name,
            source,
        };
        if let Some(secret) = volume.get("secret") {
            add(
                Target::Secret,
                secret,
                "secretName",
                site(VolumeSource::Secret),
            );
        }
        if let Some(config_map) = volume.get("configMap") {
            add(
                Target::ConfigMap,
                config_map,
                "name",
                site(VolumeSource::ConfigMap),
            );
        }
        let sources = volume
            .pointer("/projected/sources")
            .and_then(Value::as_array);
        for (source_index, source) in sources.into_iter().flatten().enumerate() {
            for (field, target) in [("secret", Target::Secret), ("configMap", Target::ConfigMap)] {
                if let Some(reference) = source.get(field) {
                    let projected = VolumeSource::Projected {
                        index: source_index,
                        field,
                    };
                    add(target, reference, "name", site(projected));
                }
            }
        }
    }
    let pull_secrets = workload
        .pod_spec
        .get("imagePullSecrets")
        .and_then(Value::as_array);
    for (index, reference) in pull_secrets.into_iter().flatten().enumerate() {
        add(
            Target::Secret,
            reference,
            "name",
            Site::PullSecret { index },
        );
    }
    found
}

/// Names of the Secrets and ConfigMaps a namespace has, or will have once its controllers run.
#[derive(Default)]
struct Present<'a> {
    secrets: HashSet<&'a str>,
    config_maps: HashSet<&'a str>,
}

/// Kinds whose objects make a Secret or ConfigMap present.
const PRODUCERS: [&str; 5] = [
    "Secret",
    "ConfigMap",
    "ExternalSecret",
    "SealedSecret",
    "Certificate",
];

fn present<'a>(inventory: &'a Inventory, namespace: Option<&'a str>) -> Option<Present<'a>> {
    // One pass over the namespace's objects (`None`: over the objects of each kind without a
    // namespace); objects that produce Secrets count once the namespace is known to be in scope.
    let objects: Box<dyn Iterator<Item = &'a Object> + 'a> = match namespace {
        Some(ns) => Box::new(inventory.in_namespace(ns)),
        None => Box::new(
            PRODUCERS
                .iter()
                .flat_map(|kind| inventory.of_kind(kind))
                .filter(|object| object.namespace().is_none()),
        ),
    };
    let mut found = Present::default();
    let mut producers = Vec::new();
    for object in objects {
        match object.kind() {
            "Secret" => {
                found.secrets.insert(object.name());
            }
            "ConfigMap" => {
                found.config_maps.insert(object.name());
            }
            "ExternalSecret" | "SealedSecret" | "Certificate" => producers.push(object),
            _ => {}
        }
    }
    // Asked only when the namespace has no Secret or ConfigMap of its own.
    let declared = || namespace.is_some_and(|ns| inventory.get("Namespace", None, ns).is_some());
    if found.secrets.is_empty() && found.config_maps.is_empty() && !declared() {
        return None;
    }
    for object in producers {
        let target = match object.kind() {
            "ExternalSecret" => object.get("/spec/target/name"),
            "SealedSecret" => object.get("/spec/template/metadata/name"),
            _ => object.get("/spec/secretName"),
        };
        let target = target.and_then(Value::as_str);
        if object.kind() == "Certificate" {
            found.secrets.extend(target);
        } else {
            found.secrets.insert(target.unwrap_or(object.name()));
        }
    }
    found.config_maps.extend(CLUSTER_CONFIG_MAPS);
    Some(found)
}

impl Rule for MissingReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_inventory(&self, inventory: &Inventory, sink: &mut Sink<'_>) {
        let mut cache: Vec<(Option<&str>, Option<Present<'_>>)> = Vec::new();
        let mut positions: std::collections::HashMap<Option<&str>, usize> =
            std::collections::HashMap::new();
        // Objects of a namespace usually come together: the last one's entry, without hashing.
        let mut last: Option<(Option<&str>, usize)> = None;
        for (object, workload) in sink.workloads(inventory) {
            let uses = uses(&workload);
            if uses.is_empty() {
                continue;
            }
            let namespace = object.namespace();
            let index = match last {
                Some((previous, index)) if previous == namespace => index,
                _ => {
                    let index = *positions.entry(namespace).or_insert_with(|| {
                        cache.push((namespace, present(inventory, namespace)));
                        cache.len() - 1
                    });
                    last = Some((namespace, index));
                    index
                }
            };
            let Some(present) = &cache[index].1 else {
                continue;
            };
            let where_ = || {
                namespace.map_or_else(
                    || "the scanned objects without a namespace".to_string(),
                    |ns| format!("namespace `{ns}`"),
                )
            };
            for reference in uses {
                let names = match reference.target {
                    Target::Secret => &present.secrets,
                    Target::ConfigMap => &present.config_maps,
                };
                if names.contains(reference.name) {
                    continue;
                }
                let finding = sink.report(
                    object,
                    reference.site.path(&workload),
                    format!(
                        "{} references {} `{}`, which is not in {}",
                        reference.site.by(),
                        reference.target.kind(),
                        reference.name,
                        where_()
                    ),
                );
                if let Some(container) = reference.site.container() {
                    finding.in_container(container);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Finding;
    use palisade_model::value;

    fn run(values: Vec<Value>) -> Vec<Finding> {
        crate::engine::check_values(values, &MissingReference)
    }

    fn config_map(name: &str, namespace: &str) -> Value {
        value!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": name, "namespace": namespace}})
    }

    fn deployment(namespace: &str) -> Value {
        value!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "namespace": namespace},
            "spec": {"template": {"spec": {
                "imagePullSecrets": [{"name": "registry"}],
                "containers": [{"name": "api",
                    "env": [
                        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}},
                        {"name": "FLAG", "valueFrom": {"configMapKeyRef": {"name": "flags", "key": "f", "optional": true}}}],
                    "envFrom": [{"configMapRef": {"name": "api-config"}}, {"secretRef": {"name": "synced"}}]}],
                "volumes": [
                    {"name": "certs", "secret": {"secretName": "tls"}},
                    {"name": "ca", "configMap": {"name": "kube-root-ca.crt"}},
                    {"name": "all", "projected": {"sources": [
                        {"configMap": {"name": "extra"}},
                        {"secret": {"name": "maybe", "optional": true}},
                        {"serviceAccountToken": {"path": "t"}}]}}]}}}})
    }

    #[test]
    fn missing_references_in_a_known_namespace() {
        let external = value!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": {"name": "synced-es", "namespace": "shop"},
            "spec": {"target": {"name": "synced"}}});
        let certificate = value!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "api", "namespace": "shop"}, "spec": {"secretName": "tls"}});
        let findings = run(vec![
            config_map("api-config", "shop"),
            external,
            certificate,
            deployment("shop"),
        ]);
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.path.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name",
                    "env `DB_PASSWORD` of container `api` references Secret `db`, which is not \
                     in namespace `shop`"
                ),
                (
                    "/spec/template/spec/imagePullSecrets/0/name",
                    "`imagePullSecrets` references Secret `registry`, which is not in namespace \
                     `shop`"
                ),
                (
                    "/spec/template/spec/volumes/2/projected/sources/0/configMap/name",
                    "volume `all` references ConfigMap `extra`, which is not in namespace `shop`"
                ),
            ]
        );
    }

    #[test]
    fn unknown_namespaces_are_left_alone() {
        // Only a ConfigMap elsewhere: nothing says the manifests hold `shop`'s Secrets.
        assert!(run(vec![config_map("api-config", "other"), deployment("shop")]).is_empty());
        let namespace =
            value!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
        assert_eq!(run(vec![namespace, deployment("shop")]).len(), 6);
    }
}
