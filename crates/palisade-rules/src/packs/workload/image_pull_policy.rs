//! WL030: an image that is not pinned by digest is pulled with an explicit policy other than
//! `Always`.

use super::image_tag_mutable::{ImageRef, image_of, pull_policy};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct ImagePullPolicy;

pub static META: RuleMeta = RuleMeta {
    code: "WL030",
    name: "image-pull-policy-not-always",
    pack: Pack::Workload,
    severity: Severity::Low,
    kinds: &["<workload>"],
    summary: "A container sets `imagePullPolicy` to `IfNotPresent` or `Never` for an image that \
        is not pinned by digest.",
    rationale: "With `IfNotPresent` or `Never` the kubelet starts whatever image the node has \
        cached under that name. For a reference that can move, nodes then disagree on what the \
        tag means: a node that pulled before a re-push keeps the old build (possibly one \
        withdrawn for a vulnerability), and a node whose cache was tampered with, or preloaded \
        by someone with node access, runs that image. The kubelet also skips the registry's \
        authorisation check for cached images, so a pod can start a private image that another \
        tenant pulled onto the node without holding the pull secret (the reason for the \
        `AlwaysPullImages` admission plugin, CIS Kubernetes Benchmark 1.2.11). Kubernetes \
        defaults the policy to `Always` for untagged and `latest` images and to \
        `IfNotPresent` otherwise; this rule reports only an explicit setting, so a versioned \
        tag left at the default is not reported here: the remaining risk, that a tag is not a \
        digest, is WL029's finding, and reporting both for every image would pair each \
        informational finding with a second one. Pinned images are exempt: a digest names the \
        content, so a cached copy is the right one. Low: it widens a supply-chain or \
        multi-tenant weakness rather than opening one. Polaris (`pullPolicyNotAlways`), \
        kube-score (`container-image-pull-policy`) and Checkov (CKV_K8S_15) ask for `Always`; \
        kube-score and Checkov also report an unset policy on a versioned tag, which Palisade \
        deliberately leaves to WL029.",
    remediation: "Pin the image by digest (then `IfNotPresent` is safe and saves pulls), or set \
        `imagePullPolicy: Always`; enable the `AlwaysPullImages` admission plugin on \
        multi-tenant clusters.",
    bad_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2\n  imagePullPolicy: IfNotPresent\n",
    good_example: "containers:\n- name: app\n  image: registry.example/app:1.4.2@sha256:5b0b0b8e1f2c8d4b9e3a7f6c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6\n  imagePullPolicy: IfNotPresent\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes documentation: Images, image pull policy",
            url: "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
        },
        Reference {
            title: "Kubernetes documentation: Admission controllers, AlwaysPullImages",
            url: "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages",
        },
        Reference {
            title: "CIS Kubernetes Benchmark 1.2.11: Ensure that the admission control plugin \
                AlwaysPullImages is set",
            url: "https://www.cisecurity.org/benchmark/kubernetes",
        },
        Reference {
            title: "MITRE ATT&CK T1525: Implant Internal Image",
            url: "https://attack.mitre.org/techniques/T1525/",
        },
    ],
};

impl Rule for ImagePullPolicy {
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
            let Some(policy) = pull_policy(container).filter(|p| *p != "Always") else {
                continue;
            };
            if ImageRef::parse(image).pinned() {
                continue;
            }
            let effect = if policy == "Never" {
                "runs whatever image the node already holds under that name"
            } else {
                "keeps running the copy each node pulled first"
            };
            sink.report(
                object,
                format!("{}/imagePullPolicy", container.path),
                format!(
                    "{} sets `imagePullPolicy: {policy}` for image `{image}`, which is not \
                     pinned by digest: it {effect}",
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
        check(&Inventory::new(vec![object]), &[&ImagePullPolicy])
    }

    #[test]
    fn explicit_caching_policy_on_a_movable_reference() {
        let findings = run(value!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [
                {"name": "cached", "image": "app:1.2", "imagePullPolicy": "IfNotPresent"},
                {"name": "never", "image": "app:latest", "imagePullPolicy": "Never"},
                {"name": "default", "image": "app:1.2"},
                {"name": "always", "image": "app:1.2", "imagePullPolicy": "Always"},
                {"name": "pinned", "image": "app:1.2@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a", "imagePullPolicy": "IfNotPresent"}
            ]}
        }));
        let found: Vec<_> = findings
            .iter()
            .map(|f| (f.container.as_deref().unwrap_or(""), f.path.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("cached", "/spec/containers/0/imagePullPolicy"),
                ("never", "/spec/containers/1/imagePullPolicy"),
            ]
        );
        assert_eq!(
            findings[0].message,
            "container `cached` sets `imagePullPolicy: IfNotPresent` for image `app:1.2`, which \
             is not pinned by digest: it keeps running the copy each node pulled first"
        );
    }
}
