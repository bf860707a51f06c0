//! The resources a scan reads from a live cluster, and the rule packs that need each of them,
//! so that a list the user may not read can be reported with the rules it leaves incomplete.

/// Pod-carrying kinds: workload rules, Pod Security and the pod side of network rules.
const WORKLOADS: &str = "workload (WL), Pod Security, network (NP), tenancy (TN)";

/// One resource to list, by API group (empty for the core group) and plural name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub group: &'static str,
    pub resource: &'static str,
    /// The rule packs whose findings are incomplete without it.
    pub packs: &'static str,
}

const fn wanted(group: &'static str, resource: &'static str, packs: &'static str) -> Wanted {
    Wanted {
        group,
        resource,
        packs,
    }
}

/// Listed in this order; objects keep it in the inventory.
pub(crate) const WANTED: &[Wanted] = &[
    wanted("", "namespaces", "tenancy (TN), Pod Security, network (NP)"),
    wanted("apps", "deployments", WORKLOADS),
    wanted("apps", "statefulsets", WORKLOADS),
    wanted("apps", "daemonsets", WORKLOADS),
    wanted("apps", "replicasets", WORKLOADS),
    wanted("batch", "cronjobs", WORKLOADS),
    wanted("batch", "jobs", WORKLOADS),
    wanted("", "replicationcontrollers", WORKLOADS),
    wanted("", "podtemplates", WORKLOADS),
    wanted("", "pods", WORKLOADS),
    wanted("", "services", "network (NP), workload (WL)"),
    wanted("networking.k8s.io", "ingresses", "network (NP)"),
    wanted(
        "networking.k8s.io",
        "networkpolicies",
        "network (NP), tenancy (TN)",
    ),
    wanted("", "serviceaccounts", "RBAC (RB), workload (WL)"),
    wanted("rbac.authorization.k8s.io", "clusterroles", "RBAC (RB)"),
    wanted(
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "RBAC (RB)",
    ),
    wanted("rbac.authorization.k8s.io", "roles", "RBAC (RB)"),
    wanted("rbac.authorization.k8s.io", "rolebindings", "RBAC (RB)"),
    wanted("", "resourcequotas", "tenancy (TN)"),
    wanted("", "limitranges", "tenancy (TN), workload (WL)"),
    wanted("", "configmaps", "secrets (SE)"),
    wanted("", "secrets", "secrets (SE), RBAC (RB)"),
    wanted(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "cluster hardening (CH)",
    ),
    wanted(
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "cluster hardening (CH)",
    ),
    wanted(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "deprecations (DP), custom resources with pod templates",
    ),
];

/// Packs that need a custom resource that carries a pod template.
pub(crate) const CUSTOM_WORKLOADS: &str = WORKLOADS;

/// Custom resources known to carry a pod template even when their CRD has no schema for it.
pub(crate) const KNOWN_POD_TEMPLATES: &[(&str, &str)] = &[("argoproj.io", "rollouts")];

/// Kinds whose list asks for metadata only unless secret values may be read.
pub(crate) fn metadata_only(group: &str, resource: &str, read_secret_values: bool) -> bool {
    group.is_empty() && resource == "secrets" && !read_secret_values
}
