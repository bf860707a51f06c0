//! WL031: a container image comes from a registry outside the configured allow-list. Off
//! until `allowed-registries` is configured.

use super::image_tag_mutable::{ImageRef, image_of};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct ImageRegistryNotAllowed;

pub static META: RuleMeta = RuleMeta {
    code: "WL031",
    name: "image-registry-not-allowed",
    pack: Pack::Workload,
    severity: Severity::High,
    kinds: &["<workload>"],
    summary: "A container image comes from a registry or repository that is not in the \
        configured `allowed-registries` list.",
    rationale: "An organisation that mirrors, scans and signs images in its own registries \
        loses all of that for an image pulled from anywhere else: a public image can be \
        typosquatted, taken over or rebuilt with a miner or backdoor, and a private registry \
        outside the allow-list has unknown access control. The rule is off until \
        `allowed-registries` is set in the configuration file (`.palisade.yaml`); it is \
        high once configured because running an unvetted image is running code nobody in the \
        organisation reviewed. References are normalised as container runtimes resolve them \
        before matching: no registry means `docker.io`, single-segment Docker Hub names get \
        `library/`, and `index.docker.io` is `docker.io`. An entry is a host \
        (`registry.example`, `registry.example:5000`) or a host and path prefix \
        (`ghcr.io/acme`, `docker.io/library`), and matches on whole path segments, so \
        `ghcr.io/acme` allows `ghcr.io/acme/api` but not `ghcr.io/acme-evil/api`, and \
        `registry.example` does not allow `registry.example.attacker.net`. This differs on \
        purpose from allow-lists that compare plain string prefixes (the Gatekeeper library's \
        `k8sallowedrepos`), which those look-alike names pass. Init and ephemeral containers \
        are checked too: they run code in the pod just the same.",
    remediation: "Mirror or rebuild the image into an allowed registry and reference it there, \
        or add its registry to `allowed-registries` after vetting it.",
    bad_example: "# allowed-registries: [registry.example]\ncontainers:\n- name: app\n  image: docker.io/someone/app:1.4.2\n",
    good_example: "# allowed-registries: [registry.example]\ncontainers:\n- name: app\n  image: registry.example/app:1.4.2\n",
    pss: &[],
    references: &[
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Container images and build pipelines",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 5.5.1: Configure Image Provenance using \
                ImagePolicyWebhook admission controller",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "Kubernetes documentation: Images",
            url: "https://kubernetes.io/docs/concepts/containers/images/",
        },
        Reference {
            title: "MITRE ATT&CK T1195.002: Supply Chain Compromise: Compromise Software Supply \
                Chain",
            url: "https://attack.mitre.org/techniques/T1195/002/",
        },
        Reference {
            title: "MITRE ATT&CK T1525: Implant Internal Image",
            url: "https://attack.mitre.org/techniques/T1525/",
        },
    ],
};

/// An allow-list entry in the normalised form image references are compared in: host
/// lower-cased, no scheme, no trailing slash, `index.docker.io` as `docker.io`.
fn normalise_entry(entry: &str) -> String {
    let entry = entry.trim();
    let entry = entry
        .strip_prefix("https://")
        .or_else(|| entry.strip_prefix("http://"))
        .unwrap_or(entry)
        .trim_end_matches('/');
    let (host, path) = match entry.split_once('/') {
        Some((host, path)) => (host, Some(path)),
        None => (entry, None),
    };
    let host = match host.to_ascii_lowercase().as_str() {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        other => other.to_string(),
    };
    match path {
        Some(path) => format!("{host}/{path}"),
        None => host,
    }
}

/// Whether `name` (`host/repository`) is `entry` or lies under it on a segment boundary.
fn allowed_by(name: &str, entry: &str) -> bool {
    !entry.is_empty()
        && name
            .strip_prefix(entry)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl Rule for ImageRegistryNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let allowed: Vec<String> = sink
            .context()
            .allowed_registries
            .iter()
            .map(|entry| normalise_entry(entry))
            .filter(|entry| !entry.is_empty())
            .collect();
        if allowed.is_empty() {
            return;
        }
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for container in &workload.containers {
            let Some(image) = image_of(container) else {
                continue;
            };
            let reference = ImageRef::parse(image);
            let name = format!("{}/{}", reference.registry, reference.repository);
            if allowed.iter().any(|entry| allowed_by(&name, entry)) {
                continue;
            }
            sink.report(
                object,
                format!("{}/image", container.path),
                format!(
                    "{} uses image `{image}` from `{}`, which no allowed registry covers \
                     (allowed: {})",
                    container.describe(),
                    name,
                    allowed.join(", ")
                ),
            )
            .in_container(container.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Context, check, check_with};
    use crate::finding::Finding;
    use palisade_model::Value;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn pod(images: &[&str]) -> Inventory {
        let containers: Vec<Value> = images
            .iter()
            .enumerate()
            .map(|(i, image)| value!({"name": format!("c{i}"), "image": image}))
            .collect();
        let value = value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                           "spec": {"containers": containers}});
        Inventory::new(vec![Object::new(
            value,
            "t.yaml".into(),
            0,
            PositionTree::default(),
        )])
    }

    fn run(allowed: &[&str], images: &[&str]) -> Vec<Finding> {
        let context = Context {
            allowed_registries: allowed.iter().map(|s| s.to_string()).collect(),
            ..Context::default()
        };
        check_with(&pod(images), &[&ImageRegistryNotAllowed], &context)
    }

    fn reported(allowed: &[&str], images: &[&str]) -> Vec<String> {
        run(allowed, images)
            .into_iter()
            .filter_map(|f| f.container.map(|c| c.to_string()))
            .collect()
    }

    #[test]
    fn off_without_configuration() {
        let inventory = pod(&["evil.example/miner:1.0"]);
        assert!(check(&inventory, &[&ImageRegistryNotAllowed]).is_empty());
        assert!(run(&[" "], &["evil.example/miner:1.0"]).is_empty());
    }

    #[test]
    fn hosts_match_on_segment_boundaries() {
        assert_eq!(
            reported(
                &["registry.example", "registry.internal:5000"],
                &[
                    "registry.example/app:1.0",
                    "REGISTRY.example/team/app@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a",
                    "registry.example.attacker.net/app:1.0",
                    "registry.internal:5000/app",
                    "registry.internal/app",
                    "nginx:1.27",
                ]
            ),
            ["c2", "c4", "c5"]
        );
    }

    #[test]
    fn path_prefixes_and_docker_hub_normalisation() {
        assert_eq!(
            reported(
                &["ghcr.io/acme/", "docker.io/library", "https://quay.io/org"],
                &[
                    "ghcr.io/acme/api:2",
                    "ghcr.io/acme-evil/api:2",
                    "ghcr.io/acme",
                    "nginx:1.27",
                    "library/redis:7",
                    "index.docker.io/library/busybox",
                    "someone/nginx:1.27",
                    "quay.io/org/tool:1",
                ]
            ),
            ["c1", "c6"]
        );
    }

    #[test]
    fn message_names_the_image_and_the_list() {
        let findings = run(&["registry.example"], &["someone/app:1.4.2"]);
        assert_eq!(
            findings[0].message,
            "container `c0` uses image `someone/app:1.4.2` from `docker.io/someone/app`, which \
             no allowed registry covers (allowed: registry.example)"
        );
        assert_eq!(findings[0].path, "/spec/containers/0/image");
    }
}
