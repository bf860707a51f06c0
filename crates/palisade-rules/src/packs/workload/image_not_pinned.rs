//! WL029: a container image is referenced by tag rather than by digest.

use super::image_tag_mutable::{ImageRef, image_of};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct ImageNotPinned;

pub static META: RuleMeta = RuleMeta {
    code: "WL029",
    name: "image-not-pinned-by-digest",
    pack: Pack::Workload,
    severity: Severity::Info,
    kinds: &["<workload>"],
    summary: "A container image is referenced by a version tag but not pinned by digest.",
    rationale: "A tag is a name the registry lets anyone with push rights move; only a digest \
        (`@sha256:...`) identifies the image content. Most teams treat release tags as \
        immutable, and registries can enforce it (Amazon ECR, Harbor and Artifact Registry \
        have tag immutability settings), but nothing in the manifest guarantees it: a re-pushed \
        `1.4.2` changes what new pods and new nodes run, signature and scan results recorded \
        for one digest no longer describe what is deployed, and the same manifest is not \
        reproducible later. Info, as in Checkov (CKV_K8S_43), which also asks for digests: \
        the risk depends on registry practice and pinning needs tooling to keep digests \
        current. Images with no tag or `latest` are reported by WL028 instead, once.",
    remediation: "Append the digest of the tested image to the reference \
        (`registry.example/app:1.4.2@sha256:...`, the tag stays readable and the digest wins), \
        and let CI or a bot such as Renovate update both.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2@sha256:5b0b0b8e1f2c8d4b9e3a7f6c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Images (image names, tags and digests)",
            url: "https://kubernetes.io/docs/concepts/containers/images/#image-names",
        },
        Reference {
            title: "NSA/CISA Kubernetes Hardening Guide: Container images and build pipelines",
            url: "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF",
        },
        Reference {
            title: "SLSA: Supply-chain Levels for Software Artifacts",
            url: "https://slsa.dev/spec/v1.0/",
        },
        Reference {
            title: "MITRE ATT&CK T1525: Implant Internal Image",
            url: "https://attack.mitre.org/techniques/T1525/",
        },
    ],
};

impl Rule for ImageNotPinned {
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
            // Untagged and `latest` images are WL028's finding.
            if reference.pinned() || reference.floating_latest() {
                continue;
            }
            let tag = reference.tag.unwrap_or_default();
            sink.report(
                object,
                format!("{}/image", container.path),
                format!(
                    "{} uses image `{image}` by its tag `{tag}`, not pinned by digest",
                    container.describe()
                ),
            )
            .in_container(container.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check;
    use crate::finding::Finding;
    use palisade_model::Value;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(value: Value) -> Vec<Finding> {
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        check(&Inventory::new(vec![object]), &[&ImageNotPinned])
    }

    #[test]
    fn reports_tags_without_digest_and_leaves_latest_to_wl028() {
        let findings = run(value!({
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
            "spec": {"template": {"spec": {
                "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                "containers": [
                    {"name": "db", "image": "postgres:16.4"},
                    {"name": "latest", "image": "postgres:latest"},
                    {"name": "untagged", "image": "registry:5000/postgres"},
                    {"name": "pinned", "image": "postgres:16.4@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"},
                    {"name": "digest-only", "image": "postgres@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"}
                ]
            }}}
        }));
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "db",
                    "container `db` uses image `postgres:16.4` by its tag `16.4`, not pinned by \
                     digest"
                ),
                (
                    "init",
                    "init container `init` uses image `busybox:1.36` by its tag `1.36`, not \
                     pinned by digest"
                ),
            ]
        );
        assert_eq!(findings[0].path, "/spec/template/spec/containers/0/image");
    }
}
