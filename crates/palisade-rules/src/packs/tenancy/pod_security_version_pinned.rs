//! TN005: a Namespace pins the enforced Pod Security version to an old or invalid version.

use super::{ENFORCE_LABEL, ENFORCE_VERSION_LABEL, POD_SECURITY_ADMISSION, label, label_path};
use crate::engine::Sink;
use crate::meta::{Pack, Reference, Rule, RuleMeta, Severity};
use crate::pss::Version;
use palisade_model::Object;

pub struct PodSecurityVersionPinned;

/// How many minor versions an `enforce-version` may trail the target Kubernetes version (or
/// the newest Pod Security version Palisade knows): upstream supports three minors, and one
/// more leaves time to upgrade the label after the cluster.
pub const WINDOW: u32 = 4;

pub static META: RuleMeta = RuleMeta {
    code: "TN005",
    name: "pod-security-version-pinned",
    pack: Pack::Tenancy,
    severity: Severity::Low,
    kinds: &["Namespace"],
    summary: "A Namespace pins `pod-security.kubernetes.io/enforce-version` to a version more \
        than four minors old, or to a value that is not a version.",
    rationale: "The Pod Security Standards evolve with Kubernetes: later versions check \
        fields that did not exist before (probes and lifecycle hooks aimed at the host from \
        v1.34) and accept what new features make safe (pods in user namespaces from v1.35, \
        further namespaced sysctls up to v1.37). A namespace that pins `enforce-version` keeps \
        evaluating pods with the old rules, so every check added since is silently not \
        enforced, while pods using the newer safe features are still refused. Pinning is a useful step during an upgrade, \
        but a pin more than four minor versions behind the target Kubernetes version \
        (`kubernetes-version`, else the newest version Palisade knows) outlives any \
        supported release. A value other than `latest` or `v1.N` is invalid, and Pod \
        Security admission refuses it when the Namespace is created or updated.",
    remediation: "Set `pod-security.kubernetes.io/enforce-version: latest` (or remove the \
        label, which means the same), after checking the namespace's pods with \
        `kubectl label --dry-run=server`.",
    bad_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.24\n",
    good_example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: latest\n",
    pss: &[],
    references: &[
        POD_SECURITY_ADMISSION,
        Reference {
            title: "Kubernetes documentation: Pod Security Admission, Pod Security levels and \
                versions",
            url: "https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces",
        },
        Reference {
            title: "Kubernetes documentation: Version Skew Policy (supported versions)",
            url: "https://kubernetes.io/releases/version-skew-policy/",
        },
    ],
};

/// A version label as Pod Security admission reads it: `latest` or `v1.N`.
fn parse(text: &str) -> Option<Version> {
    if text == "latest" {
        return Some(Version::LATEST);
    }
    let minor = text.strip_prefix("v1.")?;
    let canonical = minor == "0" || !minor.starts_with('0');
    if minor.is_empty() || !canonical || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    minor.parse().ok().map(Version::new)
}

impl Rule for PodSecurityVersionPinned {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_object(&self, object: &Object, sink: &mut Sink<'_>) {
        if object.kind() != "Namespace" {
            return;
        }
        let Some(pinned) = label(object, ENFORCE_VERSION_LABEL) else {
            return;
        };
        // The privileged level has no checks at any version; TN004 covers it.
        if label(object, ENFORCE_LABEL) == Some("privileged") {
            return;
        }
        let name = object.name();
        let path = label_path(ENFORCE_VERSION_LABEL);
        let Some(version) = parse(pinned) else {
            sink.report(
                object,
                path,
                format!(
                    "namespace `{name}` sets `enforce-version: {pinned}`, which is not \
                     `latest` or `v1.N`: Pod Security admission refuses the label"
                ),
            );
            return;
        };
        let target = sink
            .context()
            .kubernetes_minor
            .map_or(Version::LATEST, |minor| {
                Version::new(minor.min(Version::LATEST.minor))
            });
        let oldest = Version::new(target.minor.saturating_sub(WINDOW));
        if version < oldest {
            sink.report(
                object,
                path,
                format!(
                    "namespace `{name}` pins Pod Security checks to {version}, {} minor \
                     versions behind {target} (at most {WINDOW} are accepted): checks added or \
                     tightened since are not enforced",
                    target.minor - version.minor
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Context;
    use crate::packs::tenancy::test_support::{run, run_with};
    use palisade_model::Value;
    use palisade_model::value;

    fn namespace(name: &str, level: &str, version: &str) -> Value {
        value!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": name, "labels": {
                   "pod-security.kubernetes.io/enforce": level,
                   "pod-security.kubernetes.io/enforce-version": version}}})
    }

    fn names(values: Vec<Value>, context: &Context) -> Vec<String> {
        let mut names: Vec<String> = run_with(&PodSecurityVersionPinned, values, context)
            .into_iter()
            .map(|f| f.object.name.to_string())
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn parses_like_admission() {
        assert_eq!(parse("latest"), Some(Version::LATEST));
        assert_eq!(parse("v1.25"), Some(Version::new(25)));
        assert_eq!(parse("v1.0"), Some(Version::new(0)));
        for invalid in [
            "1.25", "v1.025", "V1.25", "v2.1", "v1.", "Latest", "v1.25.1",
        ] {
            assert_eq!(parse(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn window_follows_the_target_version() {
        let oldest_fine = format!("v1.{}", Version::LATEST.minor - WINDOW);
        let too_old = format!("v1.{}", Version::LATEST.minor - WINDOW - 1);
        let values = vec![
            namespace("fine", "restricted", &oldest_fine),
            namespace("old", "restricted", &too_old),
            namespace("latest", "baseline", "latest"),
            namespace("future", "baseline", "v1.99"),
            namespace("invalid", "baseline", "1.30"),
            namespace("open", "privileged", "v1.0"),
        ];
        assert_eq!(
            names(values.clone(), &Context::default()),
            ["invalid", "old"]
        );
        let older_cluster = Context {
            kubernetes_minor: Some(Version::LATEST.minor - 2),
            ..Context::default()
        };
        assert_eq!(names(values, &older_cluster), ["invalid"]);
        let message = run(
            &PodSecurityVersionPinned,
            vec![namespace("old", "restricted", "v1.20")],
        )
        .into_iter()
        .map(|f| f.message)
        .collect::<Vec<_>>();
        assert!(
            message[0].contains("pins Pod Security checks to v1.20"),
            "{message:?}"
        );
    }
}
