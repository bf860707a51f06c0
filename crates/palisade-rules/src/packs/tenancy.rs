//! `TN`: multi-tenancy guard rails (quotas, limits, Pod Security labels, system namespaces,
//! priority classes) and ownership labels.

use crate::engine::Sink;
use crate::meta::{Reference, Rule};
use palisade_model::Value;
use palisade_model::{Inventory, Object};
use std::collections::{HashMap, HashSet};

pub mod missing_ownership_labels;
pub mod namespace_without_limit_range;
pub mod namespace_without_pod_security;
pub mod namespace_without_resource_quota;
pub mod pod_security_enforce_privileged;
pub mod pod_security_version_pinned;
pub mod system_priority_class;
pub mod workload_in_system_namespace;

pub static RULES: &[&dyn Rule] = &[
    &namespace_without_resource_quota::NamespaceWithoutResourceQuota,
    &namespace_without_limit_range::NamespaceWithoutLimitRange,
    &namespace_without_pod_security::NamespaceWithoutPodSecurity,
    &pod_security_enforce_privileged::PodSecurityEnforcePrivileged,
    &pod_security_version_pinned::PodSecurityVersionPinned,
    &workload_in_system_namespace::WorkloadInSystemNamespace,
    &system_priority_class::SystemPriorityClass,
    &missing_ownership_labels::MissingOwnershipLabels,
];

/// Namespaces Kubernetes creates for itself; tenant rules leave them to the cluster.
pub(crate) const SYSTEM_NAMESPACES: [&str; 3] = ["kube-system", "kube-public", "kube-node-lease"];

pub(crate) fn is_system_namespace(namespace: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&namespace)
}

/// Pod Security admission labels on a Namespace.
pub(crate) const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub(crate) const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub(crate) const AUDIT_LABEL: &str = "pod-security.kubernetes.io/audit";
pub(crate) const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";

/// A string label of `object`.
pub(crate) fn label<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    object.labels().get(key).and_then(Value::as_str)
}

/// Pointer to a label of the object.
pub(crate) fn label_path(key: &str) -> String {
    palisade_model::pointer::join("/metadata/labels", key)
}

/// `/metadata/labels` when the object has labels, else `/metadata`.
pub(crate) fn labels_or_metadata(object: &Object) -> &'static str {
    if object.get("/metadata/labels").is_some() {
        "/metadata/labels"
    } else {
        "/metadata"
    }
}

/// Whether a controller created the object (it has `ownerReferences`): findings belong on
/// the owner, which is what people edit.
pub(crate) fn is_generated(object: &Object) -> bool {
    object
        .get("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|owners| !owners.is_empty())
}

/// "Deployment `web`", for messages.
pub(crate) fn describe(object: &Object) -> String {
    format!("{} `{}`", object.kind(), object.name())
}

/// `a`, `a` and `b`, `a`, `b` and `c` (or `or`): backticked names for messages.
pub(crate) fn list(names: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

/// Reports every tenant namespace that holds workloads but no object of `kind` (a
/// ResourceQuota, a LimitRange): on its Namespace object when scanned, else on its first
/// workload. Objects without a namespace belong to no namespace here.
pub(crate) fn report_namespaces_without(
    inventory: &Inventory,
    sink: &mut Sink<'_>,
    kind: &str,
    consequence: &str,
) {
    // The workloads of each namespace, and the namespaces that have a `kind`, found once.
    let mut by_namespace: HashMap<&str, Vec<&Object>, foldhash::fast::RandomState> =
        HashMap::default();
    for object in inventory.workloads() {
        if let Some(namespace) = object.namespace() {
            by_namespace.entry(namespace).or_default().push(object);
        }
    }
    let provided: HashSet<&str, foldhash::fast::RandomState> = inventory
        .of_kind(kind)
        .filter_map(Object::namespace)
        .collect();
    for namespace in inventory.namespaces() {
        if is_system_namespace(namespace) || provided.contains(namespace) {
            continue;
        }
        let Some(workloads) = by_namespace.get(namespace) else {
            continue;
        };
        // Prefer an object people edit over one a controller generated.
        let Some(first) = workloads
            .iter()
            .find(|object| !is_generated(object))
            .or_else(|| workloads.first())
        else {
            continue;
        };
        let count = match workloads.len() {
            1 => "1 workload".to_string(),
            n => format!("{n} workloads"),
        };
        match inventory.get("Namespace", None, namespace) {
            Some(declared) => {
                sink.report(
                    declared,
                    "/metadata/name",
                    format!(
                        "namespace `{namespace}` runs {count} but has no {kind}: {consequence}"
                    ),
                );
            }
            None => {
                sink.report(
                    first,
                    "/metadata/namespace",
                    format!(
                        "namespace `{namespace}`, where {} runs, has no {kind} \
                         ({count} in the namespace): {consequence}",
                        describe(first)
                    ),
                );
            }
        }
    }
}

pub(crate) const NSA_CISA_GUIDE: &str = crate::meta::NSA_CISA_GUIDE_URL;

pub(crate) const CIS_BENCHMARK: &str = crate::meta::CIS_BENCHMARK_URL;

pub(crate) const CIS_NAMESPACES: Reference = Reference {
    title: "CIS Kubernetes Benchmark 5.7.1: Create administrative boundaries between resources \
        using namespaces",
    url: CIS_BENCHMARK,
};

pub(crate) const MULTI_TENANCY: Reference = Reference {
    title: "Kubernetes documentation: Multi-tenancy",
    url: "https://kubernetes.io/docs/concepts/security/multi-tenancy/",
};

pub(crate) const POD_SECURITY_ADMISSION: Reference = Reference {
    title: "Kubernetes documentation: Pod Security Admission",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
};

pub(crate) const ENFORCE_WITH_LABELS: Reference = Reference {
    title: "Kubernetes documentation: Enforce Pod Security Standards with namespace labels",
    url: "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
};

pub(crate) const CIS_POLICY_CONTROL: Reference = Reference {
    title: "CIS Kubernetes Benchmark 5.2.1: Ensure that the cluster has at least one active \
        policy control mechanism in place",
    url: CIS_BENCHMARK,
};

pub(crate) const NSA_POD_SECURITY: Reference = Reference {
    title: "NSA/CISA Kubernetes Hardening Guide: Pod security",
    url: NSA_CISA_GUIDE,
};

#[cfg(test)]
pub(crate) mod test_support {
    use crate::engine::{Context, check_with};
    use crate::finding::Finding;
    use crate::meta::Rule;
    use palisade_model::Value;
    use palisade_model::{Inventory, Object, PositionTree};

    pub fn inventory(values: Vec<Value>) -> Inventory {
        Inventory::new(
            values
                .into_iter()
                .enumerate()
                .map(|(index, value)| {
                    let document = u32::try_from(index).unwrap_or(u32::MAX);
                    Object::new(value, "t.yaml".into(), document, PositionTree::default())
                })
                .collect(),
        )
    }

    pub fn run(rule: &'static dyn Rule, values: Vec<Value>) -> Vec<Finding> {
        run_with(rule, values, &Context::default())
    }

    pub fn run_with(
        rule: &'static dyn Rule,
        values: Vec<Value>,
        context: &Context,
    ) -> Vec<Finding> {
        check_with(&inventory(values), &[rule], context)
    }

    /// `Kind namespace/name path` of each finding, sorted.
    pub fn summary(findings: &[Finding]) -> Vec<String> {
        let mut lines: Vec<String> = findings
            .iter()
            .map(|f| format!("{} {}", f.object, f.path))
            .collect();
        lines.sort_unstable();
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_names() {
        assert_eq!(list(&[], "and"), "");
        assert_eq!(list(&["a"], "and"), "`a`");
        assert_eq!(list(&["a", "b"], "or"), "`a` or `b`");
        assert_eq!(list(&["a", "b", "c"], "and"), "`a`, `b` and `c`");
        assert_eq!(
            label_path(ENFORCE_LABEL),
            "/metadata/labels/pod-security.kubernetes.io~1enforce"
        );
    }
}
