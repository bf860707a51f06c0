//! WL028: a container image is referenced without a tag or by `latest`, and without a digest.
//! Also home of the image reference parser the other image rules share.

use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Value;
use palisade_model::{Container, Object};

pub struct ImageTagMutable;

pub static META: RuleMeta = RuleMeta {
    code: "WL028",
    name: "image-tag-mutable",
    pack: Pack::Workload,
    severity: Severity::Medium,
    kinds: &["<workload>"],
    summary: "A container image has no tag or the `latest` tag, and no digest, so what runs \
        changes whenever someone pushes.",
    rationale: "An image without a tag means `latest`, and `latest` is moved by every push: two \
        nodes, or the same node before and after a restart, can run different code under the \
        same manifest, a rollback re-deploys whatever `latest` is today instead of the previous \
        release, and anyone who can push to the repository (a leaked CI token, a compromised \
        upstream maintainer, a typosquatted public image) changes production without a change \
        to the manifest. Kubernetes defaults the pull policy of such images to `Always`, so \
        every pod start fetches the current `latest`. A digest (`@sha256:...`) names the \
        content itself and is accepted with or without a tag. Medium, as in kube-score and \
        Polaris (which rate it higher, as a failure): it does not expose the workload by \
        itself, but it hands control of what runs to whoever controls the tag. Other tags \
        can move too; WL029 reports images that are not pinned by digest.",
    remediation: "Reference a released version (`app:1.4.2`), preferably pinned by digest \
        (`app:1.4.2@sha256:...`), and let CI or a bot such as Renovate update it.",
    bad_example: "containers:\n- name: web\n  image: nginx:latest\n",
    good_example: "containers:\n- name: web\n  image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Images (image names, tags and digests; pull policy \
                defaults)",
            url: "https://kubernetes.io/docs/concepts/containers/images/",
        },
        Reference {
            title: "Kubernetes documentation: Configuration Best Practices (avoid the latest tag)",
            url: "https://kubernetes.io/docs/concepts/configuration/overview/",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Container images and build pipelines",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "MITRE ATT&CK T1525: Implant Internal Image",
            url: "https://attack.mitre.org/techniques/T1525/",
        },
    ],
};

/// A parsed image reference, normalised the way container runtimes resolve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// Registry host (with port), lower-cased; `docker.io` when the reference names none.
    pub registry: String,
    /// Repository path inside the registry; `library/` is added to single-segment Docker Hub
    /// names.
    pub repository: String,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parse `[registry[:port]/]path[:tag][@digest]`. The first path segment is a registry
    /// when it contains `.` or `:`, is `localhost`, or has upper-case letters (which
    /// repository names cannot), as in the Docker reference grammar.
    pub fn parse(image: &'a str) -> Self {
        let image = image.trim();
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest).filter(|d| !d.is_empty())),
            None => (image, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(&name[last_slash + i + 1..]).filter(|t| !t.is_empty()),
            ),
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_ascii_lowercase(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
            _ => registry,
        };
        let repository = if registry == "docker.io" && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Self {
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// Whether the reference names content by a valid digest (`@sha256:` and 64 lowercase
    /// hex digits, `@sha512:` and 128, `@blake3:` and 64). A malformed digest identifies no
    /// image (the runtime rejects it), so it does not pin anything; digests of other
    /// algorithms are accepted as written.
    pub fn pinned(&self) -> bool {
        let Some((algorithm, hex)) = self.digest.and_then(|d| d.split_once(':')) else {
            return false;
        };
        let lowercase_hex = |len: usize| {
            hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        match algorithm {
            "sha256" | "blake3" => lowercase_hex(64),
            "sha512" => lowercase_hex(128),
            other => !other.is_empty() && !hex.is_empty(),
        }
    }

    /// Whether the reference resolves to the moving `latest` tag: no tag or `latest`, and no
    /// digest.
    pub fn floating_latest(&self) -> bool {
        !self.pinned() && self.tag.is_none_or(|t| t == "latest")
    }
}

/// The container's non-empty image reference, if any.
pub(crate) fn image_of<'a>(container: &Container<'a>) -> Option<&'a str> {
    container.image().map(str::trim).filter(|i| !i.is_empty())
}

/// The container's explicit `imagePullPolicy`, if set.
pub(crate) fn pull_policy<'a>(container: &Container<'a>) -> Option<&'a str> {
    container
        .spec
        .get("imagePullPolicy")
        .and_then(Value::as_str)
}

impl Rule for ImageTagMutable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        for container in &workload.containers {
            let Some(image) = image_of(container) else {
                continue;
            };
            let reference = ImageRef::parse(image);
            if !reference.floating_latest() {
                continue;
            }
            let who = container.describe();
            let mut message = match reference.tag {
                Some(_) => format!("{who} uses image `{image}`, a mutable tag"),
                None => format!(
                    "{who} uses image `{image}` without a tag, which means `latest`, a mutable tag"
                ),
            };
            if let Some(policy) = pull_policy(container).filter(|p| *p != "Always") {
                message.push_str(&format!(
                    "; with `imagePullPolicy: {policy}` each node also keeps whichever version it \
                     pulled first"
                ));
            }
            sink.report(object, format!("{}/image", container.path), message)
                .in_container(container.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&ImageTagMutable])
    }

    fn pod(containers: Value) -> Value {
        value!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": containers}})
    }

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("nginx");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag, r.digest),
            ("docker.io", "library/nginx", None, None)
        );
        let r = ImageRef::parse("registry:5000/team/app");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag),
            ("registry:5000", "team/app", None)
        );
        let r = ImageRef::parse("localhost/app:1.0");
        assert_eq!((r.registry.as_str(), r.tag), ("localhost", Some("1.0")));
        let r = ImageRef::parse("bitnami/redis:7.2");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag),
            ("docker.io", "bitnami/redis", Some("7.2"))
        );
        let r = ImageRef::parse("index.docker.io/nginx:1.27");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/nginx")
        );
        let r = ImageRef::parse(
            "GHCR.io/acme/api:1.2@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a",
        );
        assert_eq!(
            (r.registry.as_str(), r.tag, r.digest),
            (
                "ghcr.io",
                Some("1.2"),
                Some("sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a")
            )
        );
        assert!(r.pinned());
        assert!(
            ImageRef::parse(
                "repo@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"
            )
            .pinned()
        );
        assert!(
            !ImageRef::parse(
                "repo@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"
            )
            .floating_latest()
        );
        assert!(ImageRef::parse("repo:latest").floating_latest());
        assert!(ImageRef::parse("registry:5000/repo").floating_latest());
        assert!(!ImageRef::parse("registry:5000/repo:v2").floating_latest());
        assert!(!ImageRef::parse("repo:latest-alpine").floating_latest());
    }

    #[test]
    fn reports_latest_and_untagged_images() {
        let findings = run(pod(value!([
            {"name": "web", "image": "nginx:latest"},
            {"name": "bare", "image": "registry:5000/team/app"},
            {"name": "cached", "image": "app", "imagePullPolicy": "IfNotPresent"},
            {"name": "tagged", "image": "nginx:1.27.3"},
            {"name": "digest", "image": "nginx@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"},
            {"name": "both", "image": "nginx:latest@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"},
            {"name": "none"}
        ])));
        let messages: Vec<_> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "container `web` uses image `nginx:latest`, a mutable tag",
                "container `bare` uses image `registry:5000/team/app` without a tag, which \
                 means `latest`, a mutable tag",
                "container `cached` uses image `app` without a tag, which means `latest`, a \
                 mutable tag; with `imagePullPolicy: IfNotPresent` each node also keeps \
                 whichever version it pulled first",
            ]
        );
        assert_eq!(findings[0].path, "/spec/containers/0/image");
        assert_eq!(findings[0].container.as_deref(), Some("web"));
    }

    #[test]
    fn init_and_ephemeral_containers_count() {
        let findings = run(value!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "initContainers": [{"name": "i", "image": "busybox"}],
                "containers": [{"name": "a", "image": "app:2.0"}],
                "ephemeralContainers": [{"name": "e", "image": "debian:latest"}]
            }}}}}
        }));
        assert_eq!(findings.len(), 2);
    }
}
