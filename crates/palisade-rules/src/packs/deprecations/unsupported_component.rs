//! DP003: a container runs a Kubernetes control-plane or node component image whose version is
//! outside the supported window of the target Kubernetes version.

use super::table;
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use palisade_model::Object;

pub struct UnsupportedComponent;

pub static META: RuleMeta = RuleMeta {
    code: "DP003",
    name: "unsupported-component-version",
    pack: Pack::Deprecations,
    severity: Severity::Info,
    kinds: &["<workload>"],
    summary: "A container image of a Kubernetes component (`kube-apiserver`, \
        `kube-controller-manager`, `kube-scheduler`, `kube-proxy`, `hyperkube`) has a version \
        more than two minors older than the target Kubernetes version, or newer than it.",
    rationale: "The Kubernetes project maintains the three newest minor versions; older ones \
        get no security fixes, so a self-managed control plane or a kube-proxy DaemonSet \
        pinned to an old tag keeps known vulnerabilities after the rest of the cluster moved \
        on. A component newer than the cluster breaks the version skew policy: controllers, \
        the scheduler and kube-proxy must not be newer than the API server, and untested \
        combinations fail in subtle ways.",
    remediation: "Move the image tag to a patch release of the target Kubernetes minor \
        version (or one of the two before it), as published on registry.k8s.io or by your \
        distribution.",
    bad_example: "containers:\n- name: kube-proxy\n  image: registry.k8s.io/kube-proxy:v1.27.3   # target 1.36\n",
    good_example: "containers:\n- name: kube-proxy\n  image: registry.k8s.io/kube-proxy:v1.36.1\n",
    pss: &[],
    references: &[
        Reference {
            title: "Kubernetes: Version Skew Policy",
            url: "https://kubernetes.io/releases/version-skew-policy/",
        },
        Reference {
            title: "Kubernetes: Releases and support period",
            url: "https://kubernetes.io/releases/",
        },
        Reference {
            title: "Kubernetes: Deprecated API Migration Guide",
            url: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/",
        },
    ],
};

/// Images that carry a Kubernetes release, by the last segment of their repository.
const COMPONENTS: [&str; 5] = [
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
    "hyperkube",
];

/// Architecture suffixes of the older per-architecture images (`kube-apiserver-amd64`).
const ARCHITECTURES: [&str; 5] = ["-amd64", "-arm64", "-arm", "-ppc64le", "-s390x"];

/// The component an image reference names and the Kubernetes minor of its tag:
/// `registry.k8s.io/kube-proxy:v1.27.3-eks-1-27-4` gives `("kube-proxy", 27)`.
pub fn component_version(image: &str) -> Option<(&'static str, u32)> {
    let image = image.split_once('@').map_or(image, |(name, _)| name).trim();
    let (repository, tag) = image.rsplit_once(':')?;
    if tag.contains('/') {
        return None;
    }
    let last = repository.rsplit('/').next()?;
    let last = ARCHITECTURES
        .iter()
        .find_map(|arch| last.strip_suffix(arch))
        .unwrap_or(last);
    let component = COMPONENTS.iter().find(|c| **c == last)?;
    Some((component, kubernetes_minor(tag)?))
}

/// `v1.27.3`, `1.27.3`, `v1.27`, `v1.27.3-eks-1-27-4`, `v1.27.3+k3s1` to 27.
fn kubernetes_minor(tag: &str) -> Option<u32> {
    let rest = tag.strip_prefix('v').unwrap_or(tag).strip_prefix("1.")?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let minor = rest[..end].parse().ok()?;
    let rest = &rest[end..];
    let rest = match rest.strip_prefix('.') {
        Some(patch) => {
            let end = patch
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(patch.len());
            if end == 0 {
                return None;
            }
            &patch[end..]
        }
        None => rest,
    };
    (rest.is_empty() || rest.starts_with(['-', '+'])).then_some(minor)
}

impl Rule for UnsupportedComponent {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        let Some(workload) = sink.workload(object) else {
            return;
        };
        let configured = sink.context().kubernetes_minor;
        let target = table::target_minor(sink.context());
        let oldest = target.saturating_sub(2);
        for container in &workload.containers {
            let Some(image) = container.image() else {
                continue;
            };
            let Some((component, minor)) = component_version(image) else {
                continue;
            };
            let message = if minor < oldest {
                format!(
                    "{} runs {component} 1.{minor} (`{image}`), {} minor versions behind the \
                     target Kubernetes 1.{target}: only 1.{oldest} to 1.{target} are \
                     supported, older releases get no security fixes",
                    container.describe(),
                    target - minor
                )
            } else if minor > target && configured.is_some() {
                format!(
                    "{} runs {component} 1.{minor} (`{image}`), newer than the target \
                     Kubernetes 1.{target}: the version skew policy does not allow components \
                     newer than the API server",
                    container.describe()
                )
            } else {
                continue;
            };
            sink.report(object, format!("{}/image", container.path), message)
                .in_container(container.name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Context, check_with};
    use crate::finding::Finding;
    use palisade_model::value;
    use palisade_model::{Inventory, PositionTree};

    fn run(image: &str, target: Option<u32>) -> Vec<Finding> {
        let value = value!({
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}
        });
        let object = Object::new(value, "t.yaml".into(), 0, PositionTree::default());
        let context = Context {
            kubernetes_minor: target,
            ..Context::default()
        };
        check_with(
            &Inventory::new(vec![object]),
            &[&UnsupportedComponent],
            &context,
        )
    }

    #[test]
    fn parses_component_images() {
        assert_eq!(
            component_version("registry.k8s.io/kube-proxy:v1.27.3"),
            Some(("kube-proxy", 27))
        );
        assert_eq!(
            component_version("public.ecr.aws/eks-distro/kubernetes/kube-proxy:v1.29.0-eks-1-29-3"),
            Some(("kube-proxy", 29))
        );
        assert_eq!(
            component_version("k8s.gcr.io/kube-apiserver-amd64:v1.20.0@sha256:abc"),
            Some(("kube-apiserver", 20))
        );
        assert_eq!(
            component_version("localhost:5000/kube-scheduler:1.31.2+k3s1"),
            Some(("kube-scheduler", 31))
        );
        assert_eq!(component_version("registry.k8s.io/kube-proxy"), None);
        assert_eq!(component_version("localhost:5000/kube-proxy"), None);
        assert_eq!(component_version("registry.k8s.io/kube-proxy:latest"), None);
        assert_eq!(component_version("registry.k8s.io/etcd:3.5.9-0"), None);
        assert_eq!(component_version("registry.k8s.io/kube-proxy:v1.27x"), None);
        assert_eq!(component_version("nginx:1.27.3"), None);
    }

    #[test]
    fn window_is_three_minors() {
        assert!(run("registry.k8s.io/kube-proxy:v1.28.0", Some(30)).is_empty());
        assert!(run("registry.k8s.io/kube-proxy:v1.30.2", Some(30)).is_empty());
        let findings = run("registry.k8s.io/kube-proxy:v1.27.3", Some(30));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].path, "/spec/template/spec/containers/0/image");
        assert_eq!(findings[0].container.as_deref(), Some("c"));
        assert!(findings[0].message.contains("3 minor versions behind"));
        let newer = run("registry.k8s.io/kube-apiserver:v1.31.0", Some(30));
        assert_eq!(newer.len(), 1);
        assert!(newer[0].message.contains("version skew"));
    }

    #[test]
    fn default_target_does_not_flag_unknown_newer_releases() {
        let future = format!(
            "registry.k8s.io/kube-proxy:v1.{}.0",
            table::NEWEST_MINOR + 1
        );
        assert!(run(&future, None).is_empty());
        assert_eq!(run("registry.k8s.io/kube-proxy:v1.27.3", None).len(), 1);
        assert!(run("registry.example/proxy:v1.2.3", None).is_empty());
    }
}
